//! One VM's console: ticket → policy → websocket → canvas, with status at each step.
//!
//! The ticket's state machine and the running driver live in `use_mut_ref`; the
//! reducer holds only what the page shows. Reconnecting always acquires a fresh ticket.

use std::rc::Rc;

use wasm_bindgen_futures::spawn_local;
use web_sys::{HtmlCanvasElement, KeyboardEvent, MouseEvent, WheelEvent};
use yew::prelude::*;

use crate::api::inventory::VmSummary;
use crate::input;
use crate::ticket::lifecycle::DEFAULT_LIFETIME_MS;
use crate::ticket::{self, RequestedFrom, TicketEvent, TicketState};
use crate::web::config::AppConfig;
use crate::web::console_driver::{ConsoleDriver, DriverEvent};
use crate::web::url_parser::BrowserUrlParser;
use crate::web::{now_ms, page_origin};

use super::ops;
use super::ClientRef;

#[derive(Properties, PartialEq)]
pub struct ConsoleProps {
    pub vm: VmSummary,
    pub client: ClientRef,
    pub config: Rc<AppConfig>,
    pub on_back: Callback<()>,
    pub on_session_lost: Callback<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    Ticket,
    CheckingUrl,
    Connecting,
    Handshake,
    WaitingForPicture,
    Running,
    Failed,
    Closed,
}

/// Details that help a person trust the host's certificate.
#[derive(Clone, Debug, PartialEq)]
pub struct TrustHelp {
    pub redacted_url: String,
    pub trust_url: String,
    pub thumbprints: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ConsoleState {
    pub step: Step,
    pub message: Option<String>,
    pub ticket: &'static str,
    pub insecure: bool,
    pub desktop: Option<(u32, u32, String)>,
    pub trust: Option<TrustHelp>,
    pub attempt: u32,
    pub clipboard: Option<String>,
}

pub enum ConsoleAction {
    Step(Step),
    Ticket(&'static str),
    Validated { insecure: bool, trust: TrustHelp },
    Fail(String),
    Driver(DriverEvent),
    Reconnect,
}

impl Reducible for ConsoleState {
    type Action = ConsoleAction;

    fn reduce(self: Rc<Self>, action: ConsoleAction) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            ConsoleAction::Step(step) => s.step = step,
            ConsoleAction::Ticket(name) => s.ticket = name,
            ConsoleAction::Validated { insecure, trust } => {
                s.insecure = insecure;
                s.trust = Some(trust);
                s.step = Step::Connecting;
            }
            ConsoleAction::Fail(msg) => {
                s.step = Step::Failed;
                s.message = Some(msg);
            }
            ConsoleAction::Reconnect => {
                s = ConsoleState { attempt: s.attempt + 1, ..ConsoleState::initial() };
            }
            ConsoleAction::Driver(ev) => match ev {
                DriverEvent::SocketOpen => s.step = Step::Handshake,
                DriverEvent::Connected { width, height, name } => {
                    s.desktop = Some((width, height, name));
                    s.step = Step::WaitingForPicture;
                }
                DriverEvent::Resized { width, height } => {
                    if let Some(d) = &mut s.desktop {
                        d.0 = width;
                        d.1 = height;
                    }
                }
                DriverEvent::FirstFrame => s.step = Step::Running,
                DriverEvent::Closed { code, reason, was_open } => {
                    if s.step != Step::Failed {
                        s.step = if was_open { Step::Closed } else { Step::Failed };
                        s.message = Some(close_sentence(code, &reason, was_open, s.trust.as_ref()));
                    }
                }
                DriverEvent::ProtocolError(msg) => {
                    s.step = Step::Failed;
                    s.message = Some(format!("{msg} Reconnect to try again with a fresh ticket."));
                }
                DriverEvent::ServerClosed(reason) => {
                    s.step = Step::Closed;
                    s.message = Some(format!("The server ended the console session (reason {reason}). Reconnect to open it again."));
                }
                DriverEvent::ServerCutText(t) => s.clipboard = Some(t),
                _ => {}
            },
        }
        Rc::new(s)
    }
}

impl ConsoleState {
    fn initial() -> Self {
        ConsoleState {
            step: Step::Ticket,
            message: None,
            ticket: "requested",
            insecure: false,
            desktop: None,
            trust: None,
            attempt: 0,
            clipboard: None,
        }
    }
}

fn close_sentence(code: u16, reason: &str, was_open: bool, trust: Option<&TrustHelp>) -> String {
    if !reason.is_empty() {
        return format!("The console server closed the connection: {reason}. Reconnect to get a fresh ticket.");
    }
    if !was_open {
        let host = trust.map(|t| t.trust_url.as_str()).unwrap_or("the host");
        return format!(
            "The console connection could not be opened. Most often the browser does not trust the host's certificate: open {host} in a new tab, check its certificate against the thumbprints below and accept it, then reconnect."
        );
    }
    format!("The console was disconnected (code {code}). Reconnect to open it again with a fresh ticket.")
}

fn step_text(s: &ConsoleState) -> String {
    match s.step {
        Step::Ticket => "Requesting a console ticket…".into(),
        Step::CheckingUrl => "Checking the console address…".into(),
        Step::Connecting => "Connecting to the console…".into(),
        Step::Handshake => "Connected; setting up the console…".into(),
        Step::WaitingForPicture => "Waiting for the first picture…".into(),
        Step::Running => "Console running. Click the screen to type.".into(),
        Step::Failed => "The console could not be opened.".into(),
        Step::Closed => "The console is closed.".into(),
    }
}

#[component]
pub fn Console(props: &ConsoleProps) -> Html {
    let state = use_reducer(ConsoleState::initial);
    let canvas = use_node_ref();
    let driver = use_mut_ref(|| None::<ConsoleDriver>);
    let ticket_ref = use_mut_ref(|| TicketState::requested(props.vm.vm.clone()));

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
                let secret = match ticket_ref.borrow_mut().take_for_connect(&vm.vm, now_ms(), DEFAULT_LIFETIME_MS) {
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

    // Callbacks: input goes to the driver only while the canvas has focus.
    let with_driver = |f: Rc<dyn Fn(&ConsoleDriver)>| {
        let driver = driver.clone();
        move || {
            if let Some(d) = driver.borrow().as_ref() {
                f(d)
            }
        }
    };
    let onkeydown = {
        let d = driver.clone();
        Callback::from(move |e: KeyboardEvent| {
            e.prevent_default();
            if let Some(d) = d.borrow().as_ref() {
                d.key(input::key_input(&e.code(), &e.key(), true));
            }
        })
    };
    let onkeyup = {
        let d = driver.clone();
        Callback::from(move |e: KeyboardEvent| {
            e.prevent_default();
            if let Some(d) = d.borrow().as_ref() {
                d.key(input::key_input(&e.code(), &e.key(), false));
            }
        })
    };
    let on_pointer = {
        let d = driver.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some(d) = d.borrow().as_ref() {
                d.pointer(e.client_x() as f64, e.client_y() as f64, e.buttons());
            }
        })
    };
    let onmousedown = {
        let (d, canvas) = (on_pointer.clone(), canvas.clone());
        Callback::from(move |e: MouseEvent| {
            if let Some(c) = canvas.cast::<web_sys::HtmlElement>() {
                let _ = c.focus();
            }
            e.prevent_default();
            d.emit(e);
        })
    };
    let onwheel = {
        let d = driver.clone();
        Callback::from(move |e: WheelEvent| {
            e.prevent_default();
            if let Some(d) = d.borrow().as_ref() {
                d.wheel(e.client_x() as f64, e.client_y() as f64, e.delta_y(), e.delta_x());
            }
        })
    };
    let oncontextmenu = Callback::from(|e: MouseEvent| e.prevent_default());
    let cad = {
        let run = with_driver(Rc::new(|d: &ConsoleDriver| d.keys(&input::ctrl_alt_del())));
        Callback::from(move |_| run())
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

    let vm_name = props.vm.name.clone();
    let failed = matches!(state.step, Step::Failed | Step::Closed);
    html! {
        <section class="vc-console" aria-label={format!("Console of {vm_name}")}>
            <div class="vc-toolbar" role="toolbar" aria-label="Console controls">
                <button onclick={props.on_back.reform(|_| ())}>{ "Back to VM list" }</button>
                <span class="vc-console-title">{ format!("{vm_name} · {}", props.vm.power.label()) }</span>
                <button onclick={cad} disabled={state.step != Step::Running}>{ "Send Ctrl+Alt+Del" }</button>
                <button onclick={disconnect} disabled={failed}>{ "Disconnect" }</button>
                <button onclick={reconnect}>{ "Reconnect" }</button>
            </div>
            <p class="vc-status" role="status" data-step={format!("{:?}", state.step)} data-ticket={state.ticket}>
                { step_text(&state) }
            </p>
            if state.insecure && !failed {
                <p class="vc-warning">{ "Warning: this console is not encrypted (ws:). Allowed only for the lab." }</p>
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
            <div class="vc-screen">
                <canvas ref={canvas} tabindex="0" role="application"
                    aria-label={format!("Console screen of {vm_name}")}
                    {onkeydown} {onkeyup} {onmousedown} onmouseup={on_pointer.clone()} onmousemove={on_pointer}
                    {onwheel} {oncontextmenu} />
            </div>
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
