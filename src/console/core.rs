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
use crate::rfb::{Engine, EngineConfig, KeyInput, RfbError};
use crate::ticket::{self, RequestedFrom, TicketEvent, TicketState, UrlParser};

use super::options::ConsoleOptions;
use super::status::{backoff_secs, ConsoleStatus, Step, TrustHelp};
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
    pub(super) options: ConsoleOptions,
    pub(super) clock: Clock,
    pub(super) parser: Box<dyn UrlParser>,
    /// The page's origin: where the ticket was requested from when the options name none.
    pub(super) page_origin: String,
    pub(super) vm: MoRef,
    pub(super) generation: u32,
    pub(super) ticket: TicketState,
    pub(super) rfb: Option<Engine>,
    /// The socket of the current generation may be open or opening.
    pub(super) socket_live: bool,
    pub(super) socket_was_open: bool,
    pub(super) status: ConsoleStatus,
    pub(super) status_dirty: bool,
    pub(super) work: VecDeque<Work>,
    /// The server's cursor is hidden (VMware cursor state); shown again when it says so.
    pub(super) cursor_hidden: bool,
    pub(super) relative_pointer: bool,
    /// A paint was asked for and has not been reported done.
    pub(super) paint_pending: bool,
    /// `Work::PaintNow` is out and not yet answered with `painted`.
    pub(super) paint_now_asked: bool,
    /// Keys down, by `KeyboardEvent.code`, with what their key-down sent: a key-up sends
    /// the same keysym (Shift may have changed `key` in between), and all can be let go.
    pub(super) held: Vec<(String, KeyInput)>,
    /// The page disconnected this attempt's socket: its close is awaited, to report
    /// whether the closing handshake completed.
    pub(super) closing: Option<u32>,
    /// The host can get a fresh ticket for each attempt (a page that handed in one
    /// ticket and no way to get another cannot).
    pub(super) fresh_tickets: bool,
    /// A console refused before its first picture was tried once more; a picture resets it.
    pub(super) refusal_retried: bool,
    /// Whether the VM's text may go to the local clipboard now.
    pub(super) copy_consent: CopyConsent,
    /// The container size last asked of the guest in `Remote` scale.
    pub(super) last_fit: Option<(u32, u32)>,
}

impl ConsoleCore {
    /// A console for `vm`; nothing happens until [`connect`](Self::connect).
    pub fn new(vm: MoRef, options: ConsoleOptions, page_origin: impl Into<String>, parser: Box<dyn UrlParser>, clock: Clock) -> Self {
        let status =
            ConsoleStatus { keyboard_layout: options.layout().name(), scale: options.scale, ..ConsoleStatus::initial(options.view_only) };
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
            paint_now_asked: false,
            held: Vec::new(),
            closing: None,
            fresh_tickets: true,
            refusal_retried: false,
            copy_consent: CopyConsent::default(),
            last_fit: None,
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
        self.paint_now_asked = false;
        self.ticket = TicketState::requested(self.vm.clone());
        let drops = self.status.drops;
        self.status = ConsoleStatus {
            drops,
            generation: self.generation,
            keyboard_layout: self.options.layout().name(),
            scale: self.options.scale,
            ..ConsoleStatus::initial(self.options.view_only)
        };
        self.last_fit = None;
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
    pub(super) fn with_engine(&mut self, generation: u32, f: impl FnOnce(&mut Engine) -> Result<(), RfbError>) {
        if generation != self.generation || !self.socket_live {
            return;
        }
        let Some(rfb) = self.rfb.as_mut() else { return };
        rfb.set_time((self.clock)());
        let result = f(rfb);
        self.after_engine(result);
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

    /// An animation frame: true when the host may paint now, because what the engine
    /// holds is a whole update. Inside an update, false: the engine stops at the update's
    /// end and asks with [`Work::PaintNow`], so the screen never shows part of an update.
    pub fn frame_due(&mut self, generation: u32) -> bool {
        match self.rfb.as_mut() {
            Some(rfb) if generation == self.generation && self.socket_live && !rfb.between_updates() => {
                rfb.hold_for_paint();
                false
            }
            _ => true,
        }
    }

    /// The host drew the damage it was asked to (first time: the console runs).
    pub fn painted(&mut self, generation: u32) {
        if generation != self.generation {
            return;
        }
        self.paint_pending = false;
        self.paint_now_asked = false;
        let now = (self.clock)();
        if let (true, Some(rfb)) = (self.socket_live, self.rfb.as_mut()) {
            let held = rfb.is_holding();
            // What the engine decoded is on screen: a WebMKS server's updates are acknowledged.
            rfb.painted(now);
            self.flush();
            if held {
                // It stopped at the update's end for this paint: on with what came after.
                self.with_engine(generation, |rfb| rfb.receive(&[]));
            }
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

    // --- Inside ------------------------------------------------------------------------

    /// Bytes the engine wants sent go out on the current socket.
    pub(super) fn flush(&mut self) {
        let Some(rfb) = self.rfb.as_mut() else { return };
        let bytes = rfb.take_transmit();
        if !bytes.is_empty() && self.socket_live {
            self.work.push_back(Work::Send { generation: self.generation, bytes });
        }
    }

    /// Says goodbye on a live socket (SessionClose where taken) and closes it.
    pub(super) fn end_socket(&mut self) {
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
    pub(super) fn schedule_retry(&mut self) {
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

    pub(super) fn start_step_timer(&mut self) {
        let ms = self.options.step_timeout_seconds.max(1).saturating_mul(1000);
        self.work.push_back(Work::StartTimer { generation: self.generation, timer: Timer::Step, ms });
    }

    pub(super) fn fail(&mut self, code: ErrorCode, sentence: String) {
        self.status.step = Step::Failed;
        self.status.message = Some(sentence.clone());
        self.work.push_back(Work::CancelTimer { timer: Timer::Step });
        self.host(HostEvent::Error { code, sentence });
        self.changed();
    }

    pub(super) fn advance_ticket(&mut self, ev: TicketEvent) {
        if let Ok(next) = self.ticket.apply(ev) {
            self.ticket = next;
            self.status.ticket = self.ticket.name();
            self.host(HostEvent::TicketState { state: self.ticket.name() });
            self.changed();
        }
    }

    pub(super) fn host(&mut self, ev: HostEvent) {
        self.work.push_back(Work::Host(ev));
    }

    pub(super) fn changed(&mut self) {
        self.status_dirty = true;
    }
}
