//! The console as a Yew component: status, toolbar and canvas around a
//! [`ConsoleRunner`]. It knows nothing of vCenter: tickets come from a
//! [`AcquireTicket`], so a Yew app of a portal can use it with its own backend.
//!
//! ```ignore
//! html! { <Console vm={moref} title="web-01" options={Rc::new(opts)} acquire_ticket={source}
//!                  on_back={back} on_session_lost={lost} /> }
//! ```

use std::rc::Rc;

use wasm_bindgen_futures::spawn_local;
use web_sys::{HtmlCanvasElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::api::wire::MoRef;
use crate::console::{ConsoleOptions, ConsoleStatus, Scale, Step};
use crate::input;
use crate::web::console::{ConsoleRunner, RunnerHooks, TicketFuture};

use super::clipboard_panel::ClipboardPanel;
use super::console_ui::{UiAction, UiState};
use super::toolbar::Toolbar;

/// Where a console's tickets come from: called once per attempt. Compared by identity.
#[derive(Clone)]
pub struct AcquireTicket(pub Rc<dyn Fn() -> TicketFuture>);

impl PartialEq for AcquireTicket {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// Powers the VM on, for a console whose ticket says the VM is not running; the error
/// is a sentence. Compared by identity.
#[derive(Clone)]
#[allow(clippy::type_complexity)]
pub struct PowerOnSource(pub Rc<dyn Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>>>>>);

impl PartialEq for PowerOnSource {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Properties, PartialEq)]
pub struct ConsoleProps {
    pub vm: MoRef,
    /// What the toolbar and labels call the VM.
    pub title: AttrValue,
    pub options: Rc<ConsoleOptions>,
    pub acquire_ticket: AcquireTicket,
    /// Shows a "Back to VM list" button.
    #[prop_or_default]
    pub on_back: Option<Callback<()>>,
    /// The API session is gone.
    #[prop_or_default]
    pub on_session_lost: Callback<String>,
    /// Offers "Power on" when the VM turns out not to be running.
    #[prop_or_default]
    pub power_on: Option<PowerOnSource>,
}

#[component]
pub fn Console(props: &ConsoleProps) -> Html {
    let ui = use_reducer({
        let view_only = props.options.view_only;
        move || UiState::new(view_only)
    });
    let canvas = use_node_ref();
    let section = use_node_ref();
    let text_ref = use_node_ref();
    let runner = use_mut_ref(|| None::<ConsoleRunner>);

    // Effect: one runner for the life of this component; dropping it says goodbye.
    {
        let (ui, canvas, runner) = (ui.clone(), canvas.clone(), runner.clone());
        let (vm, options, acquire_ticket, lost) =
            (props.vm.clone(), props.options.clone(), props.acquire_ticket.clone(), props.on_session_lost.clone());
        use_effect_with(vm.clone(), move |_| {
            if let Some(el) = canvas.cast::<HtmlCanvasElement>() {
                let status_ui = ui.clone();
                let hooks = RunnerHooks {
                    acquire_ticket: acquire_ticket.0.clone(),
                    on_status: Rc::new(move |s: ConsoleStatus| status_ui.dispatch(UiAction::Status(s))),
                    on_host_event: Rc::new(|_| {}),
                    on_session_lost: Rc::new(move |s| lost.emit(s)),
                };
                let stored = crate::web::prefs::layout_for(&vm.value);
                match ConsoleRunner::start(el, vm, (*options).clone(), hooks, true) {
                    Ok(r) => {
                        if let Some(l) = stored {
                            r.set_keyboard_layout(&l);
                        }
                        *runner.borrow_mut() = Some(r)
                    }
                    Err(e) => ui.dispatch(UiAction::Note(Some(e))),
                }
            }
            move || drop(runner.borrow_mut().take())
        });
    }

    // Effect: follow fullscreen as the browser reports it (Escape ends it too).
    {
        let (ui, section) = (ui.clone(), section.clone());
        use_effect_with((), move |_| {
            let listener = crate::web::fullscreen::on_change(move |element| {
                let ours = match (element, section.cast::<web_sys::Element>()) {
                    (Some(e), Some(s)) => e == s,
                    _ => false,
                };
                ui.dispatch(UiAction::Fullscreen(ours));
            });
            move || drop(listener)
        });
    }

    let with_runner = |f: Rc<dyn Fn(&ConsoleRunner)>| {
        let runner = runner.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(r) = runner.borrow().as_ref() {
                f(r);
            }
        })
    };
    let cad = with_runner(Rc::new(|r| r.keys(&input::ctrl_alt_del())));
    let reconnect = with_runner(Rc::new(ConsoleRunner::reconnect));
    let disconnect = with_runner(Rc::new(ConsoleRunner::disconnect));
    let cancel_typing = with_runner(Rc::new(ConsoleRunner::cancel_typing));
    let send_combo = {
        let runner = runner.clone();
        Callback::from(move |e: Event| {
            let Some(sel) = e.target_dyn_into::<HtmlSelectElement>() else { return };
            let label = sel.value();
            sel.set_value("");
            if let Some(r) = runner.borrow().as_ref() {
                r.send_combo(&label);
            }
        })
    };
    let set_scale = {
        let (ui, runner) = (ui.clone(), runner.clone());
        Callback::from(move |e: Event| {
            let Some(sel) = e.target_dyn_into::<HtmlSelectElement>() else { return };
            ui.dispatch(UiAction::Note(None));
            if let Some(r) = runner.borrow().as_ref() {
                r.set_scale(Scale::from_name(&sel.value()).unwrap_or_default());
            }
        })
    };
    let toggle_view_only = {
        let (runner, now) = (runner.clone(), ui.status.view_only);
        Callback::from(move |_: MouseEvent| {
            if let Some(r) = runner.borrow().as_ref() {
                r.set_view_only(!now);
            }
        })
    };
    let fullscreen = {
        let section = section.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(el) = section.cast::<web_sys::Element>() {
                crate::web::fullscreen::toggle(&el);
            }
        })
    };
    let screenshot = {
        let (canvas, name) = (canvas.clone(), props.title.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                crate::web::screenshot::download_png(&c, &name);
            }
        })
    };
    // Text input (on-screen keyboards, input methods): the runner's text field, on or off.
    let text_input = use_state(|| false);
    let toggle_keyboard = {
        let (runner, text_input) = (runner.clone(), text_input.clone());
        Callback::from(move |_: MouseEvent| {
            let on = !*text_input;
            if runner.borrow().as_ref().is_some_and(|r| r.set_text_input(on)) {
                text_input.set(on);
            }
        })
    };
    let clipboard_send = {
        let (runner, ui) = (runner.clone(), ui.clone());
        Callback::from(move |text: String| {
            let Some(pasted) = runner.borrow().as_ref().map(|r| r.paste_to_vm(&text)) else { return };
            ui.dispatch(UiAction::ClipboardNote(Some(pasted.note())));
        })
    };
    let clipboard_copy = {
        let (runner, ui) = (runner.clone(), ui.clone());
        Callback::from(move |()| {
            if runner.borrow().as_ref().is_some_and(ConsoleRunner::copy_waiting_clipboard) {
                ui.dispatch(UiAction::ClipboardNote(Some("Copied to this computer's clipboard.".into())));
            }
        })
    };
    let clipboard_type = {
        let (runner, ui) = (runner.clone(), ui.clone());
        Callback::from(move |text: String| {
            if text.is_empty() {
                return ui.dispatch(UiAction::ClipboardNote(Some(
                    "Nothing to type: the field is empty and the browser gave no clipboard text.".into(),
                )));
            }
            let ui = ui.clone();
            type_into_vm(&runner, &text, Rc::new(move |line| ui.dispatch(UiAction::ClipboardNote(Some(line)))));
        })
    };
    let set_layout = {
        let (runner, moid) = (runner.clone(), props.vm.value.clone());
        Callback::from(move |e: Event| {
            let Some(sel) = e.target_dyn_into::<HtmlSelectElement>() else { return };
            if runner.borrow().as_ref().is_some_and(|r| r.set_keyboard_layout(&sel.value())) {
                crate::web::prefs::remember_layout(&moid, &sel.value());
            }
        })
    };
    let type_text = {
        let (runner, ui, text_ref) = (runner.clone(), ui.clone(), text_ref.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(area) = text_ref.cast::<HtmlTextAreaElement>() else { return };
            let ui = ui.clone();
            type_into_vm(&runner, &area.value(), Rc::new(move |line| ui.dispatch(UiAction::Typing(Some(line)))));
        })
    };

    let power_on = props.power_on.clone().map(|source| {
        let (runner, ui) = (runner.clone(), ui.clone());
        Callback::from(move |_: MouseEvent| {
            let (runner, ui, source) = (runner.clone(), ui.clone(), source.clone());
            ui.dispatch(UiAction::Note(Some("Powering on…".into())));
            spawn_local(async move {
                match (source.0)().await {
                    Ok(()) => {
                        ui.dispatch(UiAction::Note(None));
                        if let Some(r) = runner.borrow().as_ref() {
                            r.reconnect();
                        }
                    }
                    Err(sentence) => ui.dispatch(UiAction::Note(Some(format!("The VM could not be powered on. {sentence}")))),
                }
            });
        })
    });

    let title = props.title.clone();
    let s = &ui.status;
    let ended = s.step.is_end();
    let running = s.running();
    let can_type = running && !s.view_only;
    html! {
        <section class="vc-console" aria-label={format!("Console of {title}")} ref={section}>
            if ui.bar_collapsed {
                <button class="vc-handle" onclick={{ let ui = ui.clone(); Callback::from(move |_: MouseEvent| ui.dispatch(UiAction::CollapseBar(false))) }}
                        aria-label="Show the toolbar" aria-expanded="false">{ "▾ Controls" }</button>
            } else {
                <Toolbar title={title.clone()} on_back={props.on_back.clone()} {can_type} ended={ended && s.retry_in.is_none()} has_desktop={s.desktop.is_some()}
                         view_only={s.view_only} scale={s.scale} fullscreen={ui.fullscreen} on_cad={cad} on_combo={send_combo}
                         on_scale={set_scale} on_fullscreen={fullscreen} on_screenshot={screenshot} on_view_only={toggle_view_only}
                         on_keyboard={toggle_keyboard} text_input={*text_input} on_disconnect={disconnect} on_reconnect={reconnect}
                         on_collapse={{ let ui = ui.clone(); Callback::from(move |()| ui.dispatch(UiAction::CollapseBar(true))) }} />
            }
            <p class="vc-status" role="status" data-step={s.step.as_str()} data-ticket={s.ticket}
               data-keys={s.key_mode.as_str()}>
                { s.step.text() }
                if let Some((_, num, caps)) = s.leds {
                    <span class="vc-leds">{ format!(" Num Lock {} · Caps Lock {}", on_off(num), on_off(caps)) }</span>
                }
            </p>
            if s.insecure && !ended {
                <p class="vc-warning">{ "Warning: this console is not encrypted (ws:). Allowed only for the lab." }</p>
            }
            if let Some(n) = &ui.note {
                <p class="vc-note" role="note">{ n.clone() }</p>
            }
            if let Some(m) = &s.message {
                <div class="vc-error" role="alert">
                    <p>{ m.clone() }</p>
                    if let (Some(power_on), true, Step::Failed) = (power_on, s.vm_not_running, &s.step) {
                        <button onclick={power_on}>{ "Power on" }</button>
                    }
                    if let (Some(t), Step::Failed, true) = (&s.trust, &s.step, s.certificate_suspected) {
                        <p>{ "Console address: " }<code>{ t.redacted_url.clone() }</code></p>
                        <p><a href={t.trust_url.clone()} target="_blank" rel="noopener noreferrer">{ format!("Open {} to check its certificate", t.trust_url) }</a></p>
                        <ul class="vc-thumbprints">
                            { for t.thumbprints.iter().map(|(alg, tp)| html! { <li>{ format!("{alg}: {tp}") }</li> }) }
                        </ul>
                    }
                </div>
            }
            <div class={classes!("vc-screen", s.scale.as_str())}>
                <canvas ref={canvas} tabindex="0" role="application" aria-label={format!("Console screen of {title}")} />
            </div>
            <details class="vc-type">
                <summary>{ "Type text" }</summary>
                <label class="vc-inline">{ "Guest keyboard layout " }
                    <select onchange={set_layout} aria-label="Guest keyboard layout">
                        { for input::text::Layout::all().map(|(name, label)| html! {
                            <option value={name} selected={s.keyboard_layout == name}>{ format!("{label} ({name})") }</option>
                        }) }
                    </select>
                </label>
                <label for="vc-type-text">{ "Text to type" }</label>
                <textarea id="vc-type-text" ref={text_ref} rows="3" />
                <button onclick={type_text} disabled={!can_type}>{ "Type it" }</button>
                <button onclick={cancel_typing}>{ "Cancel typing" }</button>
                if let Some(t) = &ui.typing {
                    <span class="vc-typing" role="status">{ t.clone() }</span>
                }
            </details>
            <ClipboardPanel from_vm={s.clipboard.clone()} waiting={s.clipboard_waiting} allow_to_vm={props.options.clipboard.to_vm}
                            allow_from_vm={props.options.clipboard.from_vm} can_send={can_type} on_send={clipboard_send}
                            on_copy={clipboard_copy} on_type={clipboard_type} note={ui.clipboard_note.clone()} />
        </section>
    }
}

/// Types `text` into the VM ("Type text", "Paste as typing"), telling `report` the
/// progress ("Typing… 40%"), then "Typed." or the sentence that stopped it.
fn type_into_vm(runner: &Rc<std::cell::RefCell<Option<ConsoleRunner>>>, text: &str, report: Rc<dyn Fn(String)>) {
    let progress = report.clone();
    let job = runner.borrow().as_ref().map(|r| {
        r.type_text(text, move |sent, total| {
            if sent % 20 == 1 {
                progress(format!("Typing… {}%", sent * 100 / total.max(1)));
            }
        })
    });
    match job {
        Some(Ok(fut)) => spawn_local(async move { report(fut.await.map(|_| "Typed.".to_owned()).unwrap_or_else(|e| e)) }),
        Some(Err(sentence)) => report(sentence),
        None => {}
    }
}

fn on_off(b: bool) -> &'static str {
    if b {
        "on"
    } else {
        "off"
    }
}
