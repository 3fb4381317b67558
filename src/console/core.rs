//! [`ConsoleCore`]: one console, from ticket to close, as a sans-IO state machine.
//!
//! Invariants:
//! - `generation` grows by one per attempt; every `Work` that touches a socket, image or
//!   timer carries it, and every input naming another generation is ignored.
//! - The ticket's URL leaves the ticket state machine once (`take_for_connect`), inside
//!   an `OpenSocket` of the attempt that validated it.
//! - `rfb` is `Some` only between `socket_opened` and the end of that attempt.

use std::collections::VecDeque;

use super::consent::CopyConsent;
use crate::api::wire::{MoRef, VirtualMachineTicket};
use crate::input;
use crate::rfb::KeyMode;
use crate::rfb::{ClipboardSent, Engine, EngineConfig, Event, KeyInput, RfbError};
use crate::rfb::{Framebuffer, Rect};
use crate::ticket::{self, RequestedFrom, TicketEvent, TicketState, UrlParser};

use super::options::ConsoleOptions;
use super::status::{backoff_secs, close_sentence, ConsoleStatus, Step, TrustHelp};
use super::work::{AcquireError, ErrorCode, HostEvent, Timer, Work};

/// Pixels the engine draws per turn of the page's event loop (a few milliseconds of
/// work): a costly stream is drawn over several turns and the page keeps answering.
pub const WORK_PER_TURN: u64 = 2_000_000;

/// How long a closing socket may take to complete the closing handshake before the
/// disconnect is reported as not clean.
pub const CLOSE_WAIT_MS: u32 = 5_000;

/// The moId used for tickets handed in by a host page that names no VM.
pub const EMBEDDED_VM: &str = "embedded";

/// The host's clock, in milliseconds (the core never reads one itself).
pub type Clock = Box<dyn Fn() -> f64>;

pub struct ConsoleCore {
    options: ConsoleOptions,
    clock: Clock,
    parser: Box<dyn UrlParser>,
    /// The page's origin: where the ticket was requested from when the options name none.
    page_origin: String,
    vm: MoRef,
    generation: u32,
    ticket: TicketState,
    rfb: Option<Engine>,
    /// The socket of the current generation may be open or opening.
    socket_live: bool,
    socket_was_open: bool,
    status: ConsoleStatus,
    status_dirty: bool,
    work: VecDeque<Work>,
    /// The server's cursor is hidden (VMware cursor state); shown again when it says so.
    cursor_hidden: bool,
    relative_pointer: bool,
    /// A paint was asked for and has not been reported done.
    paint_pending: bool,
    /// Keys down, by `KeyboardEvent.code`, with what their key-down sent: a key-up sends
    /// the same keysym (Shift may have changed `key` in between), and all can be let go.
    held: Vec<(String, KeyInput)>,
    /// The page disconnected this attempt's socket: its close is awaited, to report
    /// whether the closing handshake completed.
    closing: Option<u32>,
    /// The host can get a fresh ticket for each attempt (a page that handed in one
    /// ticket and no way to get another cannot).
    fresh_tickets: bool,
    /// A console refused before its first picture was tried once more; a picture resets it.
    refusal_retried: bool,
    /// Whether the VM's text may go to the local clipboard now.
    copy_consent: CopyConsent,
}

impl ConsoleCore {
    /// A console for `vm`; nothing happens until [`connect`](Self::connect).
    pub fn new(vm: MoRef, options: ConsoleOptions, page_origin: impl Into<String>, parser: Box<dyn UrlParser>, clock: Clock) -> Self {
        let status = ConsoleStatus { keyboard_layout: options.layout().name(), ..ConsoleStatus::initial(options.view_only) };
        ConsoleCore {
            ticket: TicketState::requested(vm.clone()),
            vm,
            options,
            clock,
            parser,
            page_origin: page_origin.into(),
            generation: 0,
            rfb: None,
            socket_live: false,
            socket_was_open: false,
            status,
            status_dirty: false,
            work: VecDeque::new(),
            cursor_hidden: false,
            relative_pointer: false,
            paint_pending: false,
            held: Vec::new(),
            closing: None,
            fresh_tickets: true,
            refusal_retried: false,
            copy_consent: CopyConsent::default(),
        }
    }

    /// Whether the host can get a fresh ticket for every attempt: without, a refused or
    /// dropped console is not tried again by itself.
    pub fn set_fresh_tickets(&mut self, available: bool) {
        self.fresh_tickets = available;
    }

    pub fn options(&self) -> &ConsoleOptions {
        &self.options
    }

    pub fn generation(&self) -> u32 {
        self.generation
    }

    pub fn status(&self) -> &ConsoleStatus {
        &self.status
    }

    /// The next piece of work; a status change comes after the work that caused it.
    pub fn poll(&mut self) -> Option<Work> {
        if let Some(w) = self.work.pop_front() {
            return Some(w);
        }
        if self.status_dirty {
            self.status_dirty = false;
            return Some(Work::Status);
        }
        None
    }

    // --- Attempts ----------------------------------------------------------------------

    /// Starts a new attempt: a fresh ticket, a fresh socket. Anything of the previous
    /// attempt still alive is closed first.
    pub fn connect(&mut self) {
        self.end_socket();
        self.generation = self.generation.wrapping_add(1);
        self.rfb = None;
        self.paint_pending = false;
        self.ticket = TicketState::requested(self.vm.clone());
        let drops = self.status.drops;
        self.status = ConsoleStatus {
            drops,
            generation: self.generation,
            keyboard_layout: self.options.layout().name(),
            ..ConsoleStatus::initial(self.options.view_only)
        };
        self.work.push_back(Work::CancelTimer { timer: Timer::Reconnect });
        self.work.push_back(Work::CancelTimer { timer: Timer::Step });
        if self.cursor_hidden {
            self.cursor_hidden = false;
            self.work.push_back(Work::CursorVisible(true));
        }
        self.host(HostEvent::Connecting);
        self.host(HostEvent::TicketState { state: "requested" });
        self.work.push_back(Work::AcquireTicket { generation: self.generation });
        self.changed();
    }

    /// The person asked for a new connection: the drop count starts again.
    pub fn reconnect(&mut self) {
        self.status.drops = 0;
        self.connect();
    }

    /// The person disconnects: SessionClose where the server takes it, then the socket
    /// closes, and `disconnect` reports whether the closing handshake completed (a pending
    /// automatic reconnect is cancelled and reported at once).
    pub fn disconnect(&mut self) {
        let waiting = self.status.retry_in.is_some();
        if self.status.step.is_end() && !self.socket_live && !waiting {
            return;
        }
        let live = self.socket_live;
        self.end_socket();
        self.work.push_back(Work::CancelTimer { timer: Timer::Reconnect });
        self.work.push_back(Work::CancelTimer { timer: Timer::Step });
        self.status.step = Step::Closed;
        self.status.retry_in = None;
        self.status.message = Some("You disconnected. Reconnect to open the console again with a fresh ticket.".into());
        if live {
            self.closing = Some(self.generation);
            self.work.push_back(Work::StartTimer { generation: self.generation, timer: Timer::Close, ms: CLOSE_WAIT_MS });
        } else {
            self.host(HostEvent::Disconnect { clean: true, code: 1000, reason: "disconnected by the page".into() });
        }
        self.changed();
    }

    /// The ticket for attempt `generation` arrived (or could not be had). `issued_at_ms`
    /// is when the host got it (from vCenter, or when a page handed it in): its lifetime
    /// counts from there, up to the moment its socket is opened.
    pub fn ticket_acquired(&mut self, generation: u32, result: Result<VirtualMachineTicket, AcquireError>, issued_at_ms: f64) {
        if generation != self.generation || self.status.step != Step::Ticket {
            return;
        }
        let ticket = match result {
            Ok(t) => t,
            Err(e) if e.session_lost => {
                self.advance_ticket(TicketEvent::Failed("session lost".into()));
                self.work.push_back(Work::SessionLost(e.sentence.clone()));
                return self.fail(ErrorCode::Session, e.sentence);
            }
            Err(e) => {
                self.advance_ticket(TicketEvent::Failed("not acquired".into()));
                self.status.vm_not_running = e.vm_not_running;
                // Reconnecting after a drop: the network may still be down for the
                // ticket's source too; the schedule goes on.
                if self.status.drops > 0 && !e.vm_not_running && self.options.reconnect {
                    self.status.step = Step::Closed;
                    self.host(HostEvent::Error { code: ErrorCode::Ticket, sentence: e.sentence });
                    self.schedule_retry();
                    return self.changed();
                }
                return self.fail(ErrorCode::Ticket, e.sentence);
            }
        };
        self.advance_ticket(TicketEvent::Issued { at_ms: issued_at_ms });
        self.status.step = Step::CheckingUrl;
        let origin = if self.options.requested_from.is_empty() { self.page_origin.as_str() } else { self.options.requested_from.as_str() };
        let Some(from) = RequestedFrom::from_origin(origin, self.parser.as_ref()) else {
            self.advance_ticket(TicketEvent::Rejected("bad-input".into()));
            return self.fail(ErrorCode::BadInput, "The API address the ticket was requested from is not a valid URL.".into());
        };
        let url = match ticket::resolve(&ticket, &from, &self.options.policy, self.parser.as_ref()) {
            Ok(u) => u,
            Err(rejection) => {
                self.advance_ticket(TicketEvent::Rejected(rejection.code().into()));
                return self.fail(ErrorCode::Policy(rejection.code()), rejection.sentence());
            }
        };
        self.status.trust =
            Some(TrustHelp { redacted_url: url.redacted.clone(), trust_url: url.trust_url.clone(), thumbprints: url.thumbprints.clone() });
        self.status.insecure = url.insecure;
        self.advance_ticket(TicketEvent::Validated(url));
        let vm = self.vm.clone();
        let secret = match self.ticket.take_for_connect(&vm, (self.clock)(), self.options.lifetime_ms()) {
            Ok(s) => s,
            Err(e) => {
                self.status.ticket = self.ticket.name();
                self.host(HostEvent::TicketState { state: self.ticket.name() });
                return self.fail(ErrorCode::TicketExpired, format!("The ticket cannot be used ({e}). Reconnect to get a fresh one."));
            }
        };
        self.status.ticket = self.ticket.name();
        self.host(HostEvent::TicketState { state: self.ticket.name() });
        self.status.step = Step::Connecting;
        self.socket_live = true;
        self.socket_was_open = false;
        self.work.push_back(Work::OpenSocket { generation: self.generation, url: secret });
        self.start_step_timer();
        self.changed();
    }

    pub fn socket_opened(&mut self, generation: u32) {
        if generation != self.generation || !self.socket_live || self.socket_was_open {
            return;
        }
        self.socket_was_open = true;
        self.advance_ticket(TicketEvent::Opened);
        self.rfb = Some(Engine::new(EngineConfig {
            work_budget: Some(WORK_PER_TURN),
            clipboard_from_server: self.options.clipboard.from_vm,
            ack_after_paint: true,
            ..EngineConfig::default()
        }));
        self.status.step = Step::Handshake;
        self.start_step_timer();
        self.changed();
    }

    /// Bytes from the server.
    pub fn received(&mut self, generation: u32, bytes: &[u8]) {
        self.with_engine(generation, |rfb| rfb.receive(bytes));
    }

    /// The pixels of the image handed out with `DecodeImage`.
    pub fn image_decoded(&mut self, generation: u32, rgba: Result<Vec<u8>, String>) {
        self.with_engine(generation, |rfb| rfb.image_decoded(rgba));
    }

    /// The image handed out with `DecodeImage` is on the canvas (or why it could not be
    /// decoded).
    pub fn image_drawn(&mut self, generation: u32, drawn: Result<(), String>) {
        self.with_engine(generation, |rfb| rfb.image_drawn(drawn));
    }

    /// The canvas's pixels asked for with `ReadBack`.
    pub fn canvas_read(&mut self, generation: u32, pixels: Result<Vec<Vec<u8>>, String>) {
        self.with_engine(generation, |rfb| rfb.canvas_read(pixels));
    }

    /// Feeds the engine of attempt `generation`, if it is still the live one.
    fn with_engine(&mut self, generation: u32, f: impl FnOnce(&mut Engine) -> Result<(), RfbError>) {
        if generation != self.generation || !self.socket_live {
            return;
        }
        let Some(rfb) = self.rfb.as_mut() else { return };
        rfb.set_time((self.clock)());
        let result = f(rfb);
        self.after_engine(result);
    }

    /// The socket of `generation` closed (or failed to open); `clean`: the closing
    /// handshake completed (`CloseEvent.wasClean`).
    pub fn socket_closed(&mut self, generation: u32, code: u16, reason: &str, clean: bool) {
        if self.closing == Some(generation) {
            // The close the page asked for: how it went.
            self.closing = None;
            self.work.push_back(Work::CancelTimer { timer: Timer::Close });
            self.host(HostEvent::Disconnect { clean, code, reason: reason.to_owned() });
            return self.changed();
        }
        if generation != self.generation || !self.socket_live {
            return;
        }
        self.socket_live = false;
        self.rfb = None;
        self.work.push_back(Work::CancelTimer { timer: Timer::Step });
        let was_open = self.socket_was_open;
        if self.status.step.is_end() {
            // The server said goodbye first (VMware SessionClose).
            self.advance_ticket(TicketEvent::Closed);
            self.host(HostEvent::Disconnect { clean, code, reason: reason.to_owned() });
            return self.changed();
        }
        // A server that closes with a close frame before the first picture refused the
        // ticket; a socket that just ends there (1006, no frame) is a broken connection.
        if was_open && self.status.step != Step::Running && code != 1006 {
            return self.refused(code, reason);
        }
        self.advance_ticket(TicketEvent::Closed);
        // A running console that drops without a word is the network; so is a socket that
        // cannot open during automatic retries. Retry, visibly, with backoff.
        // So is, while reconnecting, a socket that cannot open or that ends before its
        // first picture without a close frame.
        let dropped = (was_open && reason.is_empty() && code != 1000 && self.status.step == Step::Running)
            || (self.status.drops > 0 && (!was_open || code == 1006));
        self.status.step = if was_open { Step::Closed } else { Step::Failed };
        self.status.message = Some(close_sentence(code, reason, was_open, self.status.trust.as_ref()));
        self.status.certificate_suspected = !was_open && reason.is_empty();
        if dropped && self.options.reconnect && self.fresh_tickets {
            self.schedule_retry();
        }
        self.host(HostEvent::Disconnect { clean: clean && was_open && !dropped, code, reason: reason.to_owned() });
        if !was_open && self.status.retry_in.is_none() {
            let sentence = self.status.message.clone().unwrap_or_default();
            self.host(HostEvent::Error { code: ErrorCode::Refused, sentence });
        }
        self.changed();
    }

    /// The server closed the socket, with a close frame, before the first picture: it
    /// refused the ticket (spent, expired, or not its own). Never a clean disconnect; tried once more with a fresh
    /// ticket when the host can get one.
    fn refused(&mut self, code: u16, reason: &str) {
        self.advance_ticket(TicketEvent::Rejected("the console server closed before the first picture".into()));
        self.host(HostEvent::Disconnect { clean: false, code, reason: reason.to_owned() });
        let said = if reason.is_empty() { String::new() } else { format!(" ({reason})") };
        if self.fresh_tickets && !self.refusal_retried {
            self.host(HostEvent::Error {
                code: ErrorCode::Refused,
                sentence: format!("The console server refused the ticket{said}; trying once more with a fresh one."),
            });
            self.refusal_retried = true;
            let drops = self.status.drops;
            self.connect();
            self.status.drops = drops;
            return;
        }
        self.status.step = Step::Failed;
        let sentence =
            format!("The console server refused the ticket{said}: it may have been used or have expired. Reconnect to get a fresh one.");
        self.status.message = Some(sentence.clone());
        self.host(HostEvent::Error { code: ErrorCode::Refused, sentence });
        self.changed();
    }

    pub fn timer_fired(&mut self, generation: u32, timer: Timer) {
        if generation != self.generation {
            return;
        }
        match timer {
            // The engine stopped at its work budget: it goes on where it stopped.
            Timer::Continue => self.with_engine(generation, |rfb| rfb.receive(&[])),
            Timer::Reconnect if self.status.retry_in.is_some() => self.connect(),
            Timer::Close if self.closing == Some(generation) => {
                // The server never answered the close: not a clean close.
                self.closing = None;
                self.host(HostEvent::Disconnect { clean: false, code: 1006, reason: String::new() });
                self.changed();
            }
            Timer::Step if matches!(self.status.step, Step::Connecting | Step::Handshake | Step::WaitingForPicture) => {
                let what = match self.status.step {
                    Step::Connecting => "the console server did not accept the connection",
                    Step::Handshake => "the console server did not finish setting up the console",
                    _ => "the console server sent no picture",
                };
                let secs = self.options.step_timeout_seconds;
                self.end_socket();
                self.fail(
                    ErrorCode::Timeout,
                    format!("Nothing happened for {secs} s: {what}. Reconnect to try again with a fresh ticket."),
                );
                if self.status.drops > 0 && self.options.reconnect {
                    self.schedule_retry();
                }
            }
            _ => {}
        }
    }

    /// The host drew the damage it was asked to (first time: the console runs).
    pub fn painted(&mut self, generation: u32) {
        if generation != self.generation {
            return;
        }
        self.paint_pending = false;
        let now = (self.clock)();
        if let (true, Some(rfb)) = (self.socket_live, self.rfb.as_mut()) {
            // What the engine decoded is on screen: a WebMKS server's updates are acknowledged.
            rfb.painted(now);
            self.flush();
        }
        if self.status.step == Step::WaitingForPicture {
            self.status.step = Step::Running;
            self.status.drops = 0;
            self.refusal_retried = false;
            self.status.retry_in = None;
            self.work.push_back(Work::CancelTimer { timer: Timer::Step });
            self.host(HostEvent::Connect);
            self.changed();
        }
    }

    // --- Input -------------------------------------------------------------------------

    /// The guest's keyboard layout for typed text (one of `input::text::Layout::all`);
    /// false, and nothing changes, for a name the tables do not have.
    pub fn set_keyboard_layout(&mut self, name: &str) -> bool {
        match input::text::Layout::from_name(name) {
            Some(l) => {
                self.options.keyboard_layout = l.name().to_owned();
                self.status.keyboard_layout = l.name();
                self.changed();
                true
            }
            None => false,
        }
    }

    pub fn set_view_only(&mut self, view_only: bool) {
        self.options.view_only = view_only;
        self.status.view_only = view_only;
        self.changed();
    }

    /// A key from the page. With `locks` (Caps Lock, Num Lock as the person's keyboard
    /// has them), the guest's locks are toggled first to match.
    pub fn key(&mut self, key: KeyInput, locks: Option<(bool, bool)>, code: &str) {
        if !self.status.input_allowed() {
            return;
        }
        // A key-up sends what its key-down sent; a key-up for a key not down is dropped
        // when the code is known (it was released already, e.g. on blur).
        let key = if key.down {
            let ctrl_or_meta = self.held.iter().any(|(c, _)| c.starts_with("Control") || c.starts_with("Meta"));
            self.copy_consent.key_down(code, ctrl_or_meta, (self.clock)());
            self.held.retain(|(c, _)| c != code);
            self.held.push((code.to_owned(), key));
            key
        } else {
            match self.held.iter().position(|(c, _)| c == code) {
                Some(i) => KeyInput { down: false, ..self.held.remove(i).1 },
                None if !code.is_empty() => return,
                None => key,
            }
        };
        if let (Some((caps, num)), Some((_, guest_num, guest_caps))) = (locks, self.status.leds) {
            for (lock_code, lock_key, local, guest) in [("CapsLock", "CapsLock", caps, guest_caps), ("NumLock", "NumLock", num, guest_num)]
            {
                if key.down && code != lock_code && local != guest {
                    self.keys_now(&input::combo(&[(lock_code, lock_key)]));
                }
            }
        }
        self.keys_now(&[key]);
    }

    /// Lets go of every key held (focus lost, page hidden, pointer lock ended): keys still
    /// down would otherwise stay down in the guest.
    pub fn release_keys(&mut self) {
        let up: Vec<KeyInput> = self.held.drain(..).map(|(_, k)| KeyInput { down: false, ..k }).collect();
        if self.rfb.is_some() {
            self.keys_now(&up);
        }
    }

    /// Several keys in order, e.g. a combination from the menu.
    pub fn keys(&mut self, keys: &[KeyInput]) {
        if self.status.input_allowed() {
            self.keys_now(keys);
        }
    }

    /// The pointer at framebuffer coordinates with the RFB button mask.
    pub fn pointer(&mut self, x: i32, y: i32, buttons: u8) {
        if let (true, Some(rfb)) = (self.status.input_allowed(), self.rfb.as_mut()) {
            rfb.send_pointer(x, y, buttons);
            self.flush();
        }
    }

    /// Relative motion while the pointer is locked (a guest with a relative mouse).
    pub fn pointer_motion(&mut self, dx: i32, dy: i32, buttons: u8) {
        if let (true, Some(rfb)) = (self.status.input_allowed(), self.rfb.as_mut()) {
            rfb.send_relative_pointer(dx, dy, buttons);
            self.flush();
        }
    }

    /// Wheel clicks at framebuffer coordinates: negative `dy` is up.
    pub fn wheel(&mut self, x: i32, y: i32, buttons: u8, dy: i32, dx: i32) {
        if let (true, Some(rfb)) = (self.status.input_allowed(), self.rfb.as_mut()) {
            rfb.send_pointer(x, y, buttons);
            rfb.send_wheel(dy, dx);
            self.flush();
        }
    }

    /// Text for the VM's clipboard. `Ok` with a sentence when it went but not whole
    /// (a Latin-1 server), `Err` with a sentence when it did not go at all.
    pub fn clipboard_paste(&mut self, text: &str) -> Result<Option<String>, String> {
        if !self.options.clipboard.to_vm {
            return Err("This site does not allow text to go to the VM's clipboard.".into());
        }
        let Some(rfb) = self.rfb.as_mut().filter(|_| self.status.input_allowed()) else {
            return Err("The console is not running (or is view only), so nothing was sent to the VM's clipboard.".into());
        };
        let sent = rfb.send_clipboard(text);
        self.flush();
        match sent {
            ClipboardSent::Unicode | ClipboardSent::Latin1 { lost: 0 } => Ok(None),
            ClipboardSent::Latin1 { lost } => Ok(Some(format!(
                "This server takes only Latin-1 text, so {lost} character{} became \"?\". \"Paste as typing\" types them through the keyboard layout instead.",
                if lost == 1 { "" } else { "s" }
            ))),
            ClipboardSent::NotConnected => Err("The console is not connected, so nothing was sent to the VM's clipboard.".into()),
        }
    }

    /// The person's copy control: the VM's waiting text, for the host to write to the
    /// local clipboard now (inside the click's user activation). `None` when none waits.
    pub fn take_waiting_clipboard(&mut self) -> Option<String> {
        if !self.status.clipboard_waiting {
            return None;
        }
        self.status.clipboard_waiting = false;
        self.changed();
        self.status.clipboard.clone()
    }

    /// Which ways the clipboard may go.
    pub fn clipboard_policy(&self) -> super::options::ClipboardPolicy {
        self.options.clipboard
    }

    /// Asks the guest to resize; false when the server cannot.
    pub fn request_resolution(&mut self, width: u32, height: u32) -> bool {
        let Some(rfb) = self.rfb.as_mut() else { return false };
        let ok = self.status.running() && rfb.request_resolution(width.min(8192) as u16, height.min(8192) as u16);
        self.flush();
        ok
    }

    /// Text as key strokes for the guest's layout (scan codes) or as keysyms, or a
    /// sentence naming the first character the layout cannot type. Nothing is sent.
    pub fn plan_text(&self, text: &str) -> Result<Vec<KeyInput>, String> {
        if self.status.key_mode == KeyMode::Keysym {
            return Ok(input::text::plan_keysyms(text));
        }
        input::text::plan(text, self.options.layout())
            .map_err(|e| format!("Nothing was typed: {e}. Remove it, or type it on the keyboard."))
    }

    /// The guest uses a relative mouse: the page should lock the pointer.
    pub fn wants_pointer_lock(&self) -> bool {
        self.relative_pointer
    }

    pub fn key_mode(&self) -> KeyMode {
        self.status.key_mode
    }

    pub fn framebuffer(&self) -> Option<&Framebuffer> {
        self.rfb.as_ref().and_then(Engine::framebuffer)
    }

    /// Nothing received is waiting to be drawn: no image out for decoding, no work left
    /// for a later turn, no paint asked for and not yet done.
    pub fn is_settled(&self) -> bool {
        !self.paint_pending && self.rfb.as_ref().is_none_or(|r| !r.has_more_work() && !r.is_waiting_for_image())
    }

    /// The damage since the last call, for the painter.
    pub fn take_damage(&mut self) -> Vec<Rect> {
        self.rfb.as_mut().map(Engine::take_damage).unwrap_or_default()
    }

    // --- Inside ------------------------------------------------------------------------

    fn keys_now(&mut self, keys: &[KeyInput]) {
        if let Some(rfb) = self.rfb.as_mut() {
            keys.iter().for_each(|k| rfb.send_key(*k));
            self.flush();
        }
    }

    fn after_engine(&mut self, result: Result<(), RfbError>) {
        let mut frame = false;
        // Most messages change no status: a status event per socket message would cost
        // every host page a JSON object and a DOM event per update.
        let mut status_changed = false;
        let mut events = Vec::new();
        if let Some(rfb) = self.rfb.as_mut() {
            while let Some(ev) = rfb.poll_event() {
                events.push(ev);
            }
        }
        for ev in events {
            match ev {
                Event::Connected { width, height, name } => {
                    self.status.desktop = Some((width, height, name.clone()));
                    self.status.step = Step::WaitingForPicture;
                    status_changed = true;
                    self.start_step_timer();
                    self.work.push_back(Work::Resize { width, height });
                    self.host(HostEvent::DesktopName { name });
                    self.host(HostEvent::Resize { width, height });
                }
                Event::Resized { width, height } => {
                    if let Some(d) = &mut self.status.desktop {
                        d.0 = width;
                        d.1 = height;
                        status_changed = true;
                    }
                    self.work.push_back(Work::Resize { width, height });
                    self.host(HostEvent::Resize { width, height });
                }
                Event::FrameComplete => frame = true,
                Event::Bell => self.host(HostEvent::Bell),
                Event::ServerCutText(_) if !self.options.clipboard.from_vm => {}
                Event::ServerCutText(text) => {
                    // To the local clipboard only as the answer to the person's copy
                    // shortcut; otherwise it waits for their copy control.
                    let now = (self.clock)();
                    if self.copy_consent.text_arrived(now) {
                        self.work.push_back(Work::WriteLocalClipboard { text: text.clone() });
                        self.status.clipboard_waiting = false;
                    } else {
                        self.status.clipboard_waiting = true;
                    }
                    self.status.clipboard = Some(text.clone());
                    status_changed = true;
                    self.host(HostEvent::Clipboard { text });
                }
                Event::KeyMode(m) => {
                    status_changed |= self.status.key_mode != m;
                    self.status.key_mode = m;
                }
                Event::Leds { scroll, num, caps } => {
                    self.status.leds = Some((scroll, num, caps));
                    status_changed = true;
                    self.host(HostEvent::Leds { scroll, num, caps });
                }
                Event::ServerClosed(reason) => {
                    self.status.step = Step::Closed;
                    self.status.message =
                        Some(format!("The server ended the console session (reason {reason}). Reconnect to open it again."));
                    status_changed = true;
                }
                Event::DecodeImage { format, data, x, y, width, height, keep } => {
                    self.work.push_back(Work::DecodeImage { generation: self.generation, format, data, x, y, width, height, keep });
                }
                Event::ReadBack { rects } => self.work.push_back(Work::ReadBack { generation: self.generation, rects }),
                Event::Cursor(img) => self.work.push_back(Work::Cursor(img)),
                Event::CursorState { visible, absolute } => {
                    self.relative_pointer = !absolute;
                    if visible == self.cursor_hidden {
                        self.cursor_hidden = !visible;
                        self.work.push_back(Work::CursorVisible(visible));
                    }
                }
                Event::Heartbeat(value) => self.host(HostEvent::Heartbeat { value }),
                Event::Typematic { .. } | Event::ServerCaps(_) => {}
            }
        }
        self.flush();
        if let Err(e) = result {
            self.end_socket();
            let code = if e.is_authentication() { ErrorCode::Authentication } else { ErrorCode::Protocol };
            self.fail(code, format!("{} Reconnect to try again with a fresh ticket.", e.sentence()));
            return;
        }
        if self.rfb.as_ref().is_some_and(Engine::has_more_work) {
            // A zero-delay timer: the page handles input and paints in between.
            self.work.push_back(Work::StartTimer { generation: self.generation, timer: Timer::Continue, ms: 0 });
        }
        if frame && !self.paint_pending {
            self.paint_pending = true;
            self.work.push_back(Work::Paint { generation: self.generation });
        }
        if status_changed {
            self.changed();
        }
    }

    /// Bytes the engine wants sent go out on the current socket.
    fn flush(&mut self) {
        let Some(rfb) = self.rfb.as_mut() else { return };
        let bytes = rfb.take_transmit();
        if !bytes.is_empty() && self.socket_live {
            self.work.push_back(Work::Send { generation: self.generation, bytes });
        }
    }

    /// Says goodbye on a live socket (SessionClose where taken) and closes it.
    fn end_socket(&mut self) {
        if !self.socket_live {
            return;
        }
        if let Some(rfb) = self.rfb.as_mut() {
            rfb.close();
        }
        self.flush();
        self.socket_live = false;
        self.rfb = None;
        self.advance_ticket(TicketEvent::Closed);
        self.work.push_back(Work::CloseSocket { generation: self.generation });
    }

    /// The next automatic reconnect, 1, 2, 4, 8 and 16 s after drops in a row, then none.
    fn schedule_retry(&mut self) {
        self.status.drops += 1;
        self.status.retry_in = backoff_secs(self.status.drops);
        self.status.message = Some(match self.status.retry_in {
            Some(secs) => {
                self.work.push_back(Work::StartTimer { generation: self.generation, timer: Timer::Reconnect, ms: secs * 1000 });
                format!(
                    "The connection to the console dropped. Reconnecting with a fresh ticket in {secs} s (attempt {} of 5)…",
                    self.status.drops
                )
            }
            None => "The connection to the console keeps dropping. Check the network, then press Reconnect.".into(),
        });
    }

    fn start_step_timer(&mut self) {
        let ms = self.options.step_timeout_seconds.max(1).saturating_mul(1000);
        self.work.push_back(Work::StartTimer { generation: self.generation, timer: Timer::Step, ms });
    }

    fn fail(&mut self, code: ErrorCode, sentence: String) {
        self.status.step = Step::Failed;
        self.status.message = Some(sentence.clone());
        self.work.push_back(Work::CancelTimer { timer: Timer::Step });
        self.host(HostEvent::Error { code, sentence });
        self.changed();
    }

    fn advance_ticket(&mut self, ev: TicketEvent) {
        if let Ok(next) = self.ticket.apply(ev) {
            self.ticket = next;
            self.status.ticket = self.ticket.name();
            self.host(HostEvent::TicketState { state: self.ticket.name() });
            self.changed();
        }
    }

    fn host(&mut self, ev: HostEvent) {
        self.work.push_back(Work::Host(ev));
    }

    fn changed(&mut self) {
        self.status_dirty = true;
    }
}
