//! What the engine said, turned into the console's status, host events and work: the
//! desktop, frames, the cursor, LEDs, key modes, the clipboard (by the person's consent),
//! SessionClose, and a failure's sentence.

use super::core::ConsoleCore;
use super::status::Step;
use super::work::{ErrorCode, HostEvent, Timer, Work};
use crate::rfb::{Engine, Event, RfbError};

impl ConsoleCore {
    pub(super) fn after_engine(&mut self, result: Result<(), RfbError>) {
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
        // The engine stopped at an update's end for the frame's paint, and that update is
        // whole (its images drawn): paint now.
        if let (Some(rfb), false) = (self.rfb.as_ref(), self.paint_now_asked) {
            if rfb.is_holding() && rfb.between_updates() {
                self.paint_now_asked = true;
                self.work.push_back(Work::PaintNow { generation: self.generation });
            }
        }
        if status_changed {
            self.changed();
        }
    }
}
