//! What the page shows about a console: its step, the sentence for it, and the details
//! a person needs (trust help, LEDs, key mode, the VM's clipboard).

use super::options::Scale;
use crate::rfb::KeyMode;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

impl Step {
    /// Every step, in order: `as_str` of each is part of the JavaScript contract
    /// (`StepName` in `index.d.ts`, checked by `tests/js_contract.rs`).
    pub const ALL: [Step; 8] = [
        Step::Ticket,
        Step::CheckingUrl,
        Step::Connecting,
        Step::Handshake,
        Step::WaitingForPicture,
        Step::Running,
        Step::Failed,
        Step::Closed,
    ];

    /// The step's stable name for JavaScript and `data-step` (never `Debug`).
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Ticket => "Ticket",
            Step::CheckingUrl => "CheckingUrl",
            Step::Connecting => "Connecting",
            Step::Handshake => "Handshake",
            Step::WaitingForPicture => "WaitingForPicture",
            Step::Running => "Running",
            Step::Failed => "Failed",
            Step::Closed => "Closed",
        }
    }

    /// The status line for this step.
    pub fn text(self) -> &'static str {
        match self {
            Step::Ticket => "Requesting a console ticket…",
            Step::CheckingUrl => "Checking the console address…",
            Step::Connecting => "Connecting to the console…",
            Step::Handshake => "Connected; setting up the console…",
            Step::WaitingForPicture => "Waiting for the first picture…",
            Step::Running => "Console running. Click the screen to type; Ctrl+Alt+Shift leaves it.",
            Step::Failed => "The console could not be opened.",
            Step::Closed => "The console is closed.",
        }
    }

    pub fn is_end(self) -> bool {
        matches!(self, Step::Failed | Step::Closed)
    }
}

/// Details that help a person trust the host's certificate. No secret: the URL is redacted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustHelp {
    pub redacted_url: String,
    pub trust_url: String,
    pub thumbprints: Vec<(String, String)>,
}

/// A snapshot of one console's state for the page.
#[derive(Clone, Debug, PartialEq)]
pub struct ConsoleStatus {
    pub step: Step,
    /// A failure or close, as a sentence.
    pub message: Option<String>,
    /// The ticket's life-cycle state (`requested`, `issued`, … `used`).
    pub ticket: &'static str,
    /// `ws:`: the page warns.
    pub insecure: bool,
    /// The console URL that was tried, for the certificate help.
    pub trust: Option<TrustHelp>,
    /// The socket closed without ever opening and without a reason: most likely the
    /// browser does not trust the host's certificate, so the page shows `trust`'s help.
    /// False after any other failure (a protocol error is not a certificate problem).
    pub certificate_suspected: bool,
    /// The ticket could not be had because the VM is off or suspended: a page that
    /// can power it on offers to.
    pub vm_not_running: bool,
    /// Width, height and name, once the server said.
    pub desktop: Option<(u32, u32, String)>,
    pub key_mode: KeyMode,
    /// Scroll, Num and Caps Lock, once the server said.
    pub leds: Option<(bool, bool, bool)>,
    /// Text the VM copied last.
    pub clipboard: Option<String>,
    /// That text has not gone to the local clipboard: it waits for the person's copy
    /// control (see `console::consent`).
    pub clipboard_waiting: bool,
    /// Drops in a row; reset when a picture arrives again.
    pub drops: u32,
    /// A scheduled automatic reconnect: seconds to wait.
    pub retry_in: Option<u32>,
    pub view_only: bool,
    /// How the desktop fits its container (`Remote` may fall back to `Fit`).
    pub scale: Scale,
    /// The guest layout "Type text" types for.
    pub keyboard_layout: &'static str,
    /// The attempt this status belongs to.
    pub generation: u32,
}

impl ConsoleStatus {
    pub fn initial(view_only: bool) -> Self {
        ConsoleStatus {
            step: Step::Ticket,
            message: None,
            ticket: "requested",
            insecure: false,
            trust: None,
            certificate_suspected: false,
            vm_not_running: false,
            desktop: None,
            key_mode: KeyMode::Keysym,
            leds: None,
            clipboard: None,
            clipboard_waiting: false,
            drops: 0,
            retry_in: None,
            view_only,
            scale: Scale::Fit,
            keyboard_layout: "us",
            generation: 0,
        }
    }

    pub fn running(&self) -> bool {
        self.step == Step::Running
    }

    /// Keys, pointer and clipboard go to the VM.
    pub fn input_allowed(&self) -> bool {
        self.running() && !self.view_only
    }
}

/// Seconds before automatic reconnect attempt `n` (1-based): 1, 2, 4, 8, 16, then stop.
pub fn backoff_secs(n: u32) -> Option<u32> {
    (1..=5).contains(&n).then(|| 1 << (n - 1))
}

/// The sentence for a closed socket.
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
