//! One VM's console: ticket → policy → websocket → canvas, with status at each step
//! and a toolbar (scale, fullscreen, key combinations, type text, screenshot,
//! view-only, disconnect, reconnect).
//!
//! The ticket's state machine and the running driver live in `use_mut_ref`; the
//! reducer holds only what the page shows. Reconnecting always acquires a fresh ticket.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen_futures::spawn_local;
use web_sys::{HtmlCanvasElement, HtmlElement, HtmlSelectElement, HtmlTextAreaElement, KeyboardEvent, MouseEvent, WheelEvent};
use yew::prelude::*;

use crate::api::inventory::VmSummary;
use crate::input;
use crate::rfb::session::KeyMode;
use crate::ticket::lifecycle::DEFAULT_LIFETIME_MS;
use crate::ticket::{self, RequestedFrom, TicketEvent, TicketState};
use crate::web::config::AppConfig;
use crate::web::console_driver::{ConsoleDriver, DriverEvent};
use crate::web::url_parser::BrowserUrlParser;
use crate::web::{now_ms, page_origin};

use super::console_state::{step_text, ConsoleAction, ConsoleState, Scale, Step, TrustHelp};
use super::ops;
use super::ClientRef;
use crate::web::timers;

#[derive(Properties, PartialEq)]
pub struct ConsoleProps {
    pub vm: VmSummary,
    pub client: ClientRef,
    pub config: Rc<AppConfig>,
    pub on_back: Callback<()>,
    pub on_session_lost: Callback<String>,
}

#[component]
pub fn Console(props: &ConsoleProps) -> Html {
    let state = use_reducer(ConsoleState::initial);
    let canvas = use_node_ref();
    let section = use_node_ref();
    let text_ref = use_node_ref();
    let driver = use_mut_ref(|| None::<ConsoleDriver>);
    let ticket_ref = use_mut_ref(|| TicketState::requested(props.vm.vm.clone()));
    let typing_generation = use_mut_ref(|| Rc::new(Cell::new(0u32)));

    // Effect: one ticket and one connection per attempt; cleanup closes it.
    {
        let (state, canvas, driver, ticket_ref) = (state.clone(), canvas.clone(), driver.clone(), ticket_ref.clone());
        let (vm, client, cfg, on_lost) = (props.vm.clone(), props.client.clone(), props.config.clone(), props.on_session_lost.clone());
        use_effect_with(state.attempt, move |_| {
            let cleanup_driver = driver.clone();
            spawn_local(async move {
                *ticket_ref.borrow_mut() = TicketState::requested(vm.vm.clone());
                state.dispatch(ConsoleAction::Ticket("requested"));
                let acquired = if ops::is_rest(&cfg) {
                    ops::rest_ticket(&client.1, &cfg.api_base, &vm.vm).await
                } else {
                    ops::acquire_ticket(&client, &cfg.api_base, &vm.vm).await
                };
                let ticket = match acquired {
                    Ok(t) => t,
                    Err(e) if e.is_not_authenticated() => return on_lost.emit(e.sentence()),
                    Err(e) => return state.dispatch(ConsoleAction::Fail(e.sentence())),
                };
                advance(&ticket_ref, &state, TicketEvent::Issued { at_ms: now_ms() });
                state.dispatch(ConsoleAction::Step(Step::CheckingUrl));
                let origin = if cfg.api_base.is_empty() { page_origin() } else { cfg.api_base.clone() };
                let Some(from) = RequestedFrom::from_origin(&origin, &BrowserUrlParser) else {
                    return state.dispatch(ConsoleAction::Fail("The API address in the configuration is not a valid URL.".into()));
                };
                let url = match ticket::resolve(&ticket, &from, &cfg.console_policy, &BrowserUrlParser) {
                    Ok(u) => u,
                    Err(rejection) => {
                        advance(&ticket_ref, &state, TicketEvent::Rejected(rejection.code().into()));
                        return state.dispatch(ConsoleAction::Fail(rejection.sentence()));
                    }
                };
                let trust = TrustHelp { redacted_url: url.redacted.clone(), trust_url: url.trust_url.clone(), thumbprints: url.thumbprints.clone() };
                let insecure = url.insecure;
                advance(&ticket_ref, &state, TicketEvent::Validated(url));
                state.dispatch(ConsoleAction::Validated { insecure, trust });
                let lifetime = if cfg.ticket_lifetime_seconds > 0 { cfg.ticket_lifetime_seconds as f64 * 1000.0 } else { DEFAULT_LIFETIME_MS };
                let secret = match ticket_ref.borrow_mut().take_for_connect(&vm.vm, now_ms(), lifetime) {
                    Ok(s) => s,
                    Err(e) => return state.dispatch(ConsoleAction::Fail(format!("The ticket cannot be used ({e}). Reconnect to get a fresh one."))),
                };
                state.dispatch(ConsoleAction::Ticket("connecting"));
                let Some(el) = canvas.cast::<HtmlCanvasElement>() else { return };
                let listener = {
                    let (state, ticket_ref) = (state.clone(), ticket_ref.clone());
                    Rc::new(move |ev: DriverEvent| {
                        match &ev {
                            DriverEvent::SocketOpen => advance(&ticket_ref, &state, TicketEvent::Opened),
                            DriverEvent::Closed { .. } => advance(&ticket_ref, &state, TicketEvent::Closed),
                            _ => {}
                        }
                        state.dispatch(ConsoleAction::Driver(ev));
                    })
                };
                match ConsoleDriver::connect(&secret, el, listener) {
                    Ok(d) => *driver.borrow_mut() = Some(d),
                    Err(msg) => state.dispatch(ConsoleAction::Fail(msg)),
                }
            });
            move || {
                cleanup_driver.borrow_mut().take();
            }
        });
    }

    // Effect: in "resize the guest" mode, ask for the container's size (debounced).
    {
        let (driver, section, state2) = (driver.clone(), section.clone(), state.clone());
        use_effect_with((state.scale, state.step == Step::Running), move |(scale, running)| {
            let mut cleanup: Option<timers::Interval> = None;
            if *scale == Scale::Remote && *running {
                let last = Rc::new(Cell::new((0u32, 0u32)));
                cleanup = timers::Interval::new(400, move || {
                    let Some(el) = section.cast::<HtmlElement>() else { return };
                    let w = (el.client_width().max(320) as u32) & !7;
                    let h = (web_sys::window().and_then(|w| w.inner_height().ok()).and_then(|v| v.as_f64()).unwrap_or(768.0) as u32).saturating_sub(220).max(240) & !7;
                    if last.get() == (w, h) {
                        return;
                    }
                    last.set((w, h));
                    let done = driver.borrow().as_ref().map(|d| d.request_resolution(w, h)).unwrap_or(false);
                    if !done {
                        state2.dispatch(ConsoleAction::Note(Some("This console's server cannot change the guest's resolution, so the desktop is fitted to the window instead.".into())));
                        state2.dispatch(ConsoleAction::Scale(Scale::Fit));
                    }
                });
            }
            move || drop(cleanup)
        });
    }

    // Effect: an automatic reconnect after a drop, with backoff.
    {
        let state2 = state.clone();
        use_effect_with((state.retry_in, state.attempt), move |(retry, _)| {
            let mut timer = None;
            if let Some(secs) = *retry {
                timer = timers::Timeout::new(secs as i32 * 1000, move || state2.dispatch(ConsoleAction::Reconnect));
            }
            move || drop(timer)
        });
    }

    let input_allowed = state.step == Step::Running && !state.view_only;
    let leds = state.leds;
    let onkeydown = {
        let d = driver.clone();
        Callback::from(move |e: KeyboardEvent| {
            if !input_allowed {
                return;
            }
            e.prevent_default();
            if let Some(d) = d.borrow().as_ref() {
                // Keep Caps Lock and Num Lock as the person's keyboard has them.
                if let Some((_, num, caps)) = leds {
                    for (code, key, guest) in [("CapsLock", "CapsLock", caps), ("NumLock", "NumLock", num)] {
                        if e.code() != code && e.get_modifier_state(key) != guest {
                            d.keys(&input::combo(&[(code, key)]));
                        }
                    }
                }
                d.key(input::key_input(&e.code(), &e.key(), true));
            }
        })
    };
    let onkeyup = {
        let d = driver.clone();
        Callback::from(move |e: KeyboardEvent| {
            if !input_allowed {
                return;
            }
            e.prevent_default();
            if let Some(d) = d.borrow().as_ref() {
                d.key(input::key_input(&e.code(), &e.key(), false));
            }
        })
    };
    let on_pointer = {
        let (d, canvas) = (driver.clone(), canvas.clone());
        Callback::from(move |e: MouseEvent| {
            if !input_allowed {
                return;
            }
            if let Some(d) = d.borrow().as_ref() {
                let locked = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|doc| doc.pointer_lock_element())
                    .zip(canvas.cast::<web_sys::Element>())
                    .is_some_and(|(a, b)| a == b);
                if locked {
                    d.pointer_motion(e.movement_x(), e.movement_y(), e.buttons());
                } else {
                    d.pointer(e.client_x() as f64, e.client_y() as f64, e.buttons());
                }
            }
        })
    };
    let onmousedown = {
        let (p, canvas, d) = (on_pointer.clone(), canvas.clone(), driver.clone());
        Callback::from(move |e: MouseEvent| {
            if let Some(c) = canvas.cast::<HtmlElement>() {
                let _ = c.focus();
                // A guest with a relative mouse needs the pointer locked to the console.
                if input_allowed && d.borrow().as_ref().is_some_and(|d| d.wants_pointer_lock()) {
                    c.request_pointer_lock();
                }
            }
            e.prevent_default();
            p.emit(e);
        })
    };
    // Touch: a tap is a click, two fingers dragged up or down scroll.
    let touch_start = use_mut_ref(|| None::<(f64, f64, f64)>);
    let ontouchstart = {
        let start = touch_start.clone();
        Callback::from(move |e: web_sys::TouchEvent| {
            let t = e.touches();
            if let Some(first) = t.get(0) {
                let y = if t.length() == 2 { t.get(1).map(|s| (first.client_y() + s.client_y()) as f64 / 2.0).unwrap_or(0.0) } else { first.client_y() as f64 };
                *start.borrow_mut() = Some((first.client_x() as f64, y, crate::web::now_ms()));
            }
            e.prevent_default();
        })
    };
    let ontouchmove = {
        let (start, d) = (touch_start.clone(), driver.clone());
        Callback::from(move |e: web_sys::TouchEvent| {
            e.prevent_default();
            let t = e.touches();
            if t.length() != 2 || !input_allowed {
                return;
            }
            let (Some(a), Some(b)) = (t.get(0), t.get(1)) else { return };
            let y = (a.client_y() + b.client_y()) as f64 / 2.0;
            let mut s = start.borrow_mut();
            if let (Some((x0, y0, t0)), Some(d)) = (*s, d.borrow().as_ref()) {
                let dy = y - y0;
                if dy.abs() >= 30.0 {
                    d.wheel(x0, y0, -dy.signum(), 0.0);
                    *s = Some((x0, y, t0));
                }
            }
        })
    };
    let ontouchend = {
        let (start, d) = (touch_start.clone(), driver.clone());
        Callback::from(move |e: web_sys::TouchEvent| {
            e.prevent_default();
            let Some((x, y, t0)) = start.borrow_mut().take() else { return };
            let Some(end) = e.changed_touches().get(0) else { return };
            let moved = ((end.client_x() as f64 - x).powi(2) + (end.client_y() as f64 - y).powi(2)).sqrt();
            if input_allowed && moved < 12.0 && crate::web::now_ms() - t0 < 500.0 {
                if let Some(d) = d.borrow().as_ref() {
                    d.pointer(x, y, 0);
                    d.pointer(x, y, 1);
                    d.pointer(x, y, 0);
                }
            }
        })
    };
    // The on-screen keyboard: a hidden field whose input is typed into the VM.
    let osk = use_node_ref();
    let show_keyboard = {
        let osk = osk.clone();
        Callback::from(move |_| {
            if let Some(i) = osk.cast::<HtmlElement>() {
                let _ = i.focus();
            }
        })
    };
    let on_osk_input = {
        let d = driver.clone();
        Callback::from(move |e: InputEvent| {
            let text = e.data().unwrap_or_default();
            if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                i.set_value("");
            }
            if let (true, Some(d)) = (input_allowed, d.borrow().as_ref()) {
                let keys = if d.key_mode() == KeyMode::Keysym { input::text::plan_keysyms(&text) } else {
                    input::text::plan(&text, input::text::Layout::Us).unwrap_or_else(|_| input::text::plan_keysyms(&text))
                };
                d.keys(&keys);
            }
        })
    };
    let onwheel = {
        let d = driver.clone();
        Callback::from(move |e: WheelEvent| {
            if !input_allowed {
                return;
            }
            e.prevent_default();
            if let Some(d) = d.borrow().as_ref() {
                d.wheel(e.client_x() as f64, e.client_y() as f64, e.delta_y(), e.delta_x());
            }
        })
    };
    let oncontextmenu = Callback::from(|e: MouseEvent| e.prevent_default());
    let send_combo = {
        let d = driver.clone();
        Callback::from(move |e: Event| {
            let Some(sel) = e.target_dyn_into::<HtmlSelectElement>() else { return };
            let label = sel.value();
            sel.set_value("");
            if let (Some(d), Some((_, keys))) = (d.borrow().as_ref(), input::combos().into_iter().find(|(l, _)| *l == label)) {
                d.keys(&input::combo(&keys));
            }
        })
    };
    let cad = {
        let d = driver.clone();
        Callback::from(move |_| {
            if let Some(d) = d.borrow().as_ref() {
                d.keys(&input::ctrl_alt_del());
            }
        })
    };
    let reconnect = {
        let state = state.clone();
        Callback::from(move |_| state.dispatch(ConsoleAction::Reconnect))
    };
    let disconnect = {
        let driver = driver.clone();
        let state = state.clone();
        Callback::from(move |_| {
            if let Some(d) = driver.borrow_mut().take() {
                d.disconnect();
            }
            state.dispatch(ConsoleAction::Driver(DriverEvent::Closed { code: 1000, reason: "you disconnected".into(), was_open: true }));
        })
    };
    let set_scale = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            let Some(sel) = e.target_dyn_into::<HtmlSelectElement>() else { return };
            state.dispatch(ConsoleAction::Note(None));
            state.dispatch(ConsoleAction::Scale(match sel.value().as_str() {
                "actual" => Scale::Actual,
                "remote" => Scale::Remote,
                _ => Scale::Fit,
            }));
        })
    };
    let toggle_view_only = {
        let state = state.clone();
        let now = state.view_only;
        Callback::from(move |_| state.dispatch(ConsoleAction::ViewOnly(!now)))
    };
    let fullscreen = {
        let section = section.clone();
        Callback::from(move |_| {
            if let Some(el) = section.cast::<web_sys::Element>() {
                crate::web::fullscreen::toggle(&el);
            }
        })
    };
    let screenshot = {
        let (canvas, name) = (canvas.clone(), props.vm.name.clone());
        Callback::from(move |_| {
            if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                crate::web::screenshot::download_png(&c, &name);
            }
        })
    };
    let type_text = {
        let (d, state, text_ref, gen) = (driver.clone(), state.clone(), text_ref.clone(), typing_generation.clone());
        let (layout, delay) = (input::text::Layout::from_name(&props.config.keyboard_layout), props.config.typing_delay_ms);
        Callback::from(move |_| {
            let Some(area) = text_ref.cast::<HtmlTextAreaElement>() else { return };
            let text = area.value();
            let Some(mode) = d.borrow().as_ref().map(|d| d.key_mode()) else { return };
            let keys = if mode == KeyMode::Keysym {
                input::text::plan_keysyms(&text)
            } else {
                match input::text::plan(&text, layout) {
                    Ok(k) => k,
                    Err(e) => {
                        return state.dispatch(ConsoleAction::Typing(Some(format!("Nothing was typed: {e}. Remove it, or type it on the keyboard."))));
                    }
                }
            };
            let generation = gen.borrow().clone();
            let mine = generation.get().wrapping_add(1);
            generation.set(mine);
            let (d, state) = (d.clone(), state.clone());
            spawn_local(async move {
                let total = keys.len();
                for (i, k) in keys.into_iter().enumerate() {
                    if generation.get() != mine {
                        return state.dispatch(ConsoleAction::Typing(Some("Typing cancelled.".into())));
                    }
                    match d.borrow().as_ref() {
                        Some(d) => d.key(k),
                        None => return state.dispatch(ConsoleAction::Typing(Some("Typing stopped: the console closed.".into()))),
                    }
                    if i % 20 == 0 {
                        state.dispatch(ConsoleAction::Typing(Some(format!("Typing… {}%", i * 100 / total.max(1)))));
                    }
                    timers::sleep_ms(delay).await;
                }
                state.dispatch(ConsoleAction::Typing(Some("Typed.".into())));
            });
        })
    };
    let cancel_typing = {
        let gen = typing_generation.clone();
        Callback::from(move |_| {
            let g = gen.borrow().clone();
            g.set(g.get().wrapping_add(1));
        })
    };

    let vm_name = props.vm.name.clone();
    let ended = matches!(state.step, Step::Failed | Step::Closed);
    let running = state.step == Step::Running;
    let dpr = web_sys::window().map(|w| w.device_pixel_ratio()).unwrap_or(1.0).max(1.0);
    let canvas_style = match (state.scale, &state.desktop) {
        // One framebuffer pixel per device pixel: crisp on HiDPI screens.
        (Scale::Actual, Some((w, h, _))) => format!("width:{}px;height:{}px;max-width:none", *w as f64 / dpr, *h as f64 / dpr),
        _ => String::new(),
    };
    let scale_class = match state.scale {
        Scale::Fit => "fit",
        Scale::Actual => "actual",
        Scale::Remote => "remote",
    };
    html! {
        <section class="vc-console" aria-label={format!("Console of {vm_name}")} ref={section}>
            <div class="vc-toolbar" role="toolbar" aria-label="Console controls">
                <button onclick={props.on_back.reform(|_| ())}>{ "Back to VM list" }</button>
                <span class="vc-console-title">{ format!("{vm_name} · {}", props.vm.power.label()) }</span>
                <button onclick={cad} disabled={!running || state.view_only}>{ "Send Ctrl+Alt+Del" }</button>
                <label class="vc-inline">{ "Send keys " }
                    <select onchange={send_combo} disabled={!running || state.view_only} aria-label="Send keys">
                        // Explicitly selected: Yew inserts options last-first, which would leave the last one shown.
                        <option value="" selected=true>{ "Choose…" }</option>
                        { for input::combos().into_iter().map(|(l, _)| html! { <option value={l.clone()} selected=false>{ l }</option> }) }
                    </select>
                </label>
                <label class="vc-inline">{ "Scale " }
                    <select onchange={set_scale} aria-label="Scale">
                        <option value="fit" selected={state.scale == Scale::Fit}>{ "Fit to window" }</option>
                        <option value="actual" selected={state.scale == Scale::Actual}>{ "Actual size" }</option>
                        <option value="remote" selected={state.scale == Scale::Remote}>{ "Resize guest to window" }</option>
                    </select>
                </label>
                <button onclick={fullscreen}>{ "Fullscreen" }</button>
                <button onclick={screenshot} disabled={state.desktop.is_none()}>{ "Screenshot" }</button>
                <button onclick={toggle_view_only} aria-pressed={state.view_only.to_string()}>{ "View only" }</button>
                <button onclick={show_keyboard} disabled={!running || state.view_only}>{ "On-screen keyboard" }</button>
                <button onclick={disconnect} disabled={ended}>{ "Disconnect" }</button>
                <button onclick={reconnect}>{ "Reconnect" }</button>
            </div>
            <p class="vc-status" role="status" data-step={format!("{:?}", state.step)} data-ticket={state.ticket}
               data-keys={format!("{:?}", state.key_mode)}>
                { step_text(&state) }
                if let Some((_, num, caps)) = state.leds {
                    <span class="vc-leds">{ format!(" Num Lock {} · Caps Lock {}", if num { "on" } else { "off" }, if caps { "on" } else { "off" }) }</span>
                }
            </p>
            if state.insecure && !ended {
                <p class="vc-warning">{ "Warning: this console is not encrypted (ws:). Allowed only for the lab." }</p>
            }
            if let Some(n) = &state.note {
                <p class="vc-note" role="note">{ n.clone() }</p>
            }
            if let Some(m) = &state.message {
                <div class="vc-error" role="alert">
                    <p>{ m.clone() }</p>
                    if let (Some(t), Step::Failed) = (&state.trust, &state.step) {
                        <p>{ "Console address: " }<code>{ t.redacted_url.clone() }</code></p>
                        <p><a href={t.trust_url.clone()} target="_blank" rel="noopener noreferrer">{ format!("Open {} to check its certificate", t.trust_url) }</a></p>
                        <ul class="vc-thumbprints">
                            { for t.thumbprints.iter().map(|(alg, tp)| html! { <li>{ format!("{alg}: {tp}") }</li> }) }
                        </ul>
                    }
                </div>
            }
            <div class={classes!("vc-screen", scale_class)}>
                <canvas ref={canvas} tabindex="0" role="application" style={canvas_style}
                    aria-label={format!("Console screen of {vm_name}")}
                    {onkeydown} {onkeyup} {onmousedown} onmouseup={on_pointer.clone()} onmousemove={on_pointer}
                    {onwheel} {oncontextmenu} {ontouchstart} {ontouchmove} {ontouchend} />
                <input ref={osk} class="vc-osk" type="text" autocomplete="off" autocapitalize="off"
                    aria-label="On-screen keyboard input" oninput={on_osk_input} />
            </div>
            <details class="vc-type">
                <summary>{ "Type text" }</summary>
                <label for="vc-type-text">{ "Text to type" }</label>
                <textarea id="vc-type-text" ref={text_ref} rows="3" />
                <button onclick={type_text} disabled={!running || state.view_only}>{ "Type it" }</button>
                <button onclick={cancel_typing}>{ "Cancel typing" }</button>
                if let Some(t) = &state.typing {
                    <span class="vc-typing" role="status">{ t.clone() }</span>
                }
            </details>
            if let Some(text) = &state.clipboard {
                <label class="vc-clip">{ "Text the VM copied" }<textarea readonly=true value={text.clone()} /></label>
            }
        </section>
    }
}

fn advance(ticket: &Rc<std::cell::RefCell<TicketState>>, state: &UseReducerHandle<ConsoleState>, ev: TicketEvent) {
    let next = ticket.borrow().apply(ev);
    if let Ok(next) = next {
        let name = next.name();
        *ticket.borrow_mut() = next;
        state.dispatch(ConsoleAction::Ticket(name));
    }
}



