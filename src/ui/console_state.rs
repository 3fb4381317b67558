//! What the console page shows, as a reducer: the steps of opening a console, failures
//! as sentences, the toolbar's settings, and the automatic reconnect schedule.

use std::rc::Rc;

use yew::Reducible;

use crate::rfb::session::KeyMode;
use crate::web::console_driver::DriverEvent;

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

/// How the desktop fits the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    /// Scaled down (or up) to the container, aspect kept.
    Fit,
    /// One framebuffer pixel per device pixel, with scrolling.
    Actual,
    /// Ask the guest to take the container's size (VMware RequestResolution).
    Remote,
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
    pub scale: Scale,
    pub view_only: bool,
    pub key_mode: KeyMode,
    pub typing: Option<String>,
    pub note: Option<String>,
    pub leds: Option<(bool, bool, bool)>,
    /// Drops in a row; reset when a picture arrives again.
    pub drops: u32,
    /// A scheduled automatic reconnect: seconds to wait.
    pub retry_in: Option<u32>,
}

/// Seconds before automatic reconnect attempt `n` (1-based): 1, 2, 4, 8, 16, then stop.
pub fn backoff_secs(n: u32) -> Option<u32> {
    (1..=5).contains(&n).then(|| 1 << (n - 1))
}

pub enum ConsoleAction {
    Step(Step),
    Ticket(&'static str),
    Validated { insecure: bool, trust: TrustHelp },
    Fail(String),
    Driver(DriverEvent),
    Reconnect,
    Scale(Scale),
    ViewOnly(bool),
    Typing(Option<String>),
    Note(Option<String>),
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
                s = ConsoleState { attempt: s.attempt + 1, scale: s.scale, view_only: s.view_only, drops: s.drops, ..ConsoleState::initial() };
            }
            ConsoleAction::Scale(sc) => s.scale = sc,
            ConsoleAction::ViewOnly(v) => s.view_only = v,
            ConsoleAction::Typing(t) => s.typing = t,
            ConsoleAction::Note(n) => s.note = n,
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
                DriverEvent::FirstFrame => {
                    s.step = Step::Running;
                    s.drops = 0;
                }
                DriverEvent::Closed { code, reason, was_open } => {
                    if s.step != Step::Failed {
                        // A running console that drops without a word: the network. Retry, visibly.
                        let dropped = was_open && reason.is_empty() && code != 1000 && s.step == Step::Running;
                        s.step = if was_open { Step::Closed } else { Step::Failed };
                        s.message = Some(close_sentence(code, &reason, was_open, s.trust.as_ref()));
                        if dropped {
                            s.drops += 1;
                            s.retry_in = backoff_secs(s.drops);
                            s.message = Some(match s.retry_in {
                                Some(secs) => format!("The connection to the console dropped. Reconnecting with a fresh ticket in {secs} s (attempt {} of 5)…", s.drops),
                                None => "The connection to the console keeps dropping. Check the network, then press Reconnect.".into(),
                            });
                        }
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
                DriverEvent::KeyMode(m) => s.key_mode = m,
                DriverEvent::Leds { scroll, num, caps } => s.leds = Some((scroll, num, caps)),
                DriverEvent::Bell => {}
            },
        }
        Rc::new(s)
    }
}

impl ConsoleState {
    pub fn initial() -> Self {
        ConsoleState {
            step: Step::Ticket,
            message: None,
            ticket: "requested",
            insecure: false,
            desktop: None,
            trust: None,
            attempt: 0,
            clipboard: None,
            scale: Scale::Fit,
            view_only: false,
            key_mode: KeyMode::Keysym,
            typing: None,
            note: None,
            leds: None,
            drops: 0,
            retry_in: None,
        }
    }
}

pub fn close_sentence(code: u16, reason: &str, was_open: bool, trust: Option<&TrustHelp>) -> String {
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

pub fn step_text(s: &ConsoleState) -> String {
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
