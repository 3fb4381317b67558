//! How an attempt ends: the socket's close, read as the page's own disconnect, the
//! server's goodbye, a refusal of the ticket, or a drop to reconnect from.

use super::core::ConsoleCore;
use super::status::{close_sentence, Step};
use super::work::{ErrorCode, HostEvent, Timer, Work};
use crate::ticket::TicketEvent;

impl ConsoleCore {
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
}
