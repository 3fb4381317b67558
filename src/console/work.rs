//! What the core asks its host to do, and what it tells the host page.

use serde_json::{json, Value};

use crate::api::wire::VirtualMachineTicket;
use crate::rfb::CursorImage;
use crate::rfb::{ImageFormat, Rect};
use crate::secret::Secret;

/// The timers the core asks for; one of each kind runs at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Timer {
    /// The automatic reconnect after a drop.
    Reconnect,
    /// A step before the console runs took too long (socket open, handshake, picture).
    Step,
    /// The next turn of a costly stream: the engine stopped at its work budget.
    Continue,
    /// The closing handshake of a socket the page disconnected has taken too long.
    Close,
}

/// A ticket as the host got it. `issued_at_ms`: when it was handed in, for a ticket a
/// page held before the console used it (its lifetime counts from there); `None`: just now.
#[derive(Clone, Debug, PartialEq)]
pub struct IssuedTicket {
    pub ticket: VirtualMachineTicket,
    pub issued_at_ms: Option<f64>,
}

impl From<VirtualMachineTicket> for IssuedTicket {
    fn from(ticket: VirtualMachineTicket) -> Self {
        IssuedTicket { ticket, issued_at_ms: None }
    }
}

/// Why no ticket could be had.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcquireError {
    /// A sentence for the page.
    pub sentence: String,
    /// The API session is gone: the app goes back to login.
    pub session_lost: bool,
    /// The VM is powered off or suspended.
    pub vm_not_running: bool,
}

impl AcquireError {
    pub fn new(sentence: impl Into<String>) -> Self {
        AcquireError { sentence: sentence.into(), session_lost: false, vm_not_running: false }
    }
}

/// One piece of work for the host. Work that names a generation is for that attempt
/// only; the host drops it when its socket belongs to another.
#[derive(Debug, PartialEq)]
pub enum Work {
    /// Get a ticket (from vCenter, a portal backend, or the one handed in) and call
    /// `ticket_acquired` with the same generation.
    AcquireTicket {
        generation: u32,
    },
    /// Open a websocket (subprotocol `binary`) to this URL. It holds the ticket.
    OpenSocket {
        generation: u32,
        url: Secret,
    },
    Send {
        generation: u32,
        bytes: Vec<u8>,
    },
    /// Close the socket (a normal closure), and report its close with `socket_closed` as
    /// for any other: the core awaits it after the page disconnected.
    CloseSocket {
        generation: u32,
    },
    /// Write this text (the VM's, answering the person's copy shortcut) to the local
    /// clipboard.
    WriteLocalClipboard {
        text: String,
    },
    /// The desktop's size changed: size the canvas.
    Resize {
        width: u32,
        height: u32,
    },
    /// Damage is waiting: on the next animation frame ask `frame_due`, and where it says
    /// so draw it and call `painted`.
    Paint {
        generation: u32,
    },
    /// The engine stopped at an update's end for the paint `frame_due` asked for: draw the
    /// damage and show it now, then call `painted`, which lets the engine go on.
    PaintNow {
        generation: u32,
    },
    /// Decode this image for the rectangle at `x`,`y`; oldest first, either hand over
    /// its pixels with `image_decoded`, or draw it on the canvas (best after painting
    /// the damage so far) and call `image_drawn` (same generation).
    DecodeImage {
        generation: u32,
        format: ImageFormat,
        data: Vec<u8>,
        x: u32,
        y: u32,
        width: u32,
        height: u32,
        /// For the update cache: hand the pixels back with `image_decoded`, never draw it.
        keep: bool,
    },
    /// Read these rectangles of the canvas (each as RGBA) and hand them to `canvas_read`:
    /// the engine needs pixels that only the canvas holds.
    ReadBack {
        generation: u32,
        rects: Vec<Rect>,
    },
    /// Start (or restart) a timer; call `timer_fired` with the generation when it fires.
    StartTimer {
        generation: u32,
        timer: Timer,
        ms: u32,
    },
    CancelTimer {
        timer: Timer,
    },
    /// The server's cursor shape.
    Cursor(CursorImage),
    CursorVisible(bool),
    /// The status changed: read [`ConsoleCore::status`](super::ConsoleCore::status).
    Status,
    /// An event for the host page.
    Host(HostEvent),
    /// The API session is gone; the app returns to its login.
    SessionLost(String),
}

/// Events a host page sees (`CustomEvent`s in the JavaScript API). None carries a secret.
#[derive(Clone, Debug, PartialEq)]
pub enum HostEvent {
    Connecting,
    /// The first picture is on screen.
    Connect,
    Disconnect {
        clean: bool,
        code: u16,
        reason: String,
    },
    TicketState {
        state: &'static str,
    },
    DesktopName {
        name: String,
    },
    Resize {
        width: u32,
        height: u32,
    },
    Clipboard {
        text: String,
    },
    Bell,
    Leds {
        scroll: bool,
        num: bool,
        caps: bool,
    },
    /// A WebMKS server's heartbeat, with its value.
    Heartbeat {
        value: u16,
    },
    Error {
        code: ErrorCode,
        sentence: String,
    },
}

/// Why a console stopped, as the `error` event's `code`: a stable name that is part of
/// the JavaScript contract (`ErrorCode` in `index.d.ts`, checked by `tests/js_contract.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    /// The vCenter session ended.
    Session,
    /// No ticket could be had.
    Ticket,
    /// The options the page gave are not usable.
    BadInput,
    /// The ticket was older than its lifetime.
    TicketExpired,
    /// A step took longer than `stepTimeoutSeconds`.
    Timeout,
    /// The server's stream broke the protocol.
    Protocol,
    /// The server refused the credentials in the RFB handshake.
    Authentication,
    /// The server closed the console before its first picture: it refused the ticket.
    Refused,
    /// The URL policy refused the ticket's URL: the rejection's code (`Rejection::CODES`).
    Policy(&'static str),
}

impl ErrorCode {
    /// The codes besides the policy's.
    pub const OWN: [ErrorCode; 8] = [
        ErrorCode::Session,
        ErrorCode::Ticket,
        ErrorCode::BadInput,
        ErrorCode::TicketExpired,
        ErrorCode::Timeout,
        ErrorCode::Protocol,
        ErrorCode::Authentication,
        ErrorCode::Refused,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Session => "session",
            ErrorCode::Ticket => "ticket",
            ErrorCode::BadInput => "bad-input",
            ErrorCode::TicketExpired => "ticket-expired",
            ErrorCode::Timeout => "timeout",
            ErrorCode::Protocol => "protocol",
            ErrorCode::Authentication => "authentication",
            ErrorCode::Refused => "refused",
            ErrorCode::Policy(code) => code,
        }
    }
}

impl PartialEq<str> for ErrorCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl HostEvent {
    /// The event's type, as `addEventListener` names it.
    pub fn name(&self) -> &'static str {
        match self {
            HostEvent::Connecting => "connecting",
            HostEvent::Connect => "connect",
            HostEvent::Disconnect { .. } => "disconnect",
            HostEvent::TicketState { .. } => "ticketstate",
            HostEvent::DesktopName { .. } => "desktopname",
            HostEvent::Resize { .. } => "resize",
            HostEvent::Clipboard { .. } => "clipboard",
            HostEvent::Bell => "bell",
            HostEvent::Leds { .. } => "leds",
            HostEvent::Heartbeat { .. } => "heartbeat",
            HostEvent::Error { .. } => "error",
        }
    }

    /// The event's `detail`.
    pub fn detail(&self) -> Value {
        match self {
            HostEvent::Connecting | HostEvent::Connect | HostEvent::Bell => json!({}),
            HostEvent::Disconnect { clean, code, reason } => json!({"clean": clean, "code": code, "reason": reason}),
            HostEvent::TicketState { state } => json!({"state": state}),
            HostEvent::DesktopName { name } => json!({"name": name}),
            HostEvent::Resize { width, height } => json!({"width": width, "height": height}),
            HostEvent::Clipboard { text } => json!({"text": text}),
            HostEvent::Leds { scroll, num, caps } => json!({"scroll": scroll, "num": num, "caps": caps}),
            HostEvent::Heartbeat { value } => json!({"value": value}),
            HostEvent::Error { code, sentence } => json!({"code": code.as_str(), "sentence": sentence}),
        }
    }
}
