//! Server messages between updates (rfbproto 7.6): the FramebufferUpdate header,
//! SetColourMapEntries, Bell, ServerCutText and the Extended Clipboard, and VMware's
//! type-127 messages.

use super::clipboard;
use super::engine::{Engine, Phase};
use super::error::RfbError;
use super::event::{Event, KeyMode};
use super::framebuffer::Framebuffer;
use super::limits::MAX_MESSAGE;
use super::messages::{self, vmware};
use super::reader::{Parsed, Reader};

/// VMware ServerCaps bits (127/0), and the ClientCaps we answer with.
pub mod caps {
    pub const KEY_EVENT: u32 = 0x2;
    pub const CLIENT_CAPS_WANTED: u32 = 0x8;
    pub const UPDATE_ACK: u32 = 0x20;
    pub const REQUEST_RESOLUTION: u32 = 0x80;
    pub const SESSION_CLOSE: u32 = 0x20000;
    /// ClientCaps we announce: SessionClose.
    pub const CLIENT_SESSION_CLOSE: u32 = 0x8000;
}

impl Engine {
    pub(super) fn server_message(&mut self, r: &mut Reader) -> Parsed {
        match r.u8()? {
            0 => {
                let (id, n) = (r.u8()?, r.u16()?);
                self.update_id = id;
                self.phase = Phase::InUpdate { remaining: n };
                self.update_work_start = self.fb.as_ref().map_or(0, Framebuffer::work);
                if n == 0 {
                    self.finish_update();
                }
            }
            1 => {
                let (_, _first, n) = (r.u8()?, r.u16()?, r.u16()?);
                r.skip(n as usize * 6)?;
            }
            2 => self.events.push_back(Event::Bell),
            3 => {
                r.skip(3)?;
                let len = r.i32()?;
                let extended = len < 0;
                let len = len.unsigned_abs() as usize;
                if len > MAX_MESSAGE {
                    return Err(RfbError::MessageTooLarge(len).into());
                }
                let text = r.bytes(len)?;
                if extended {
                    let message = clipboard::parse(text)?;
                    self.extended_clipboard(message);
                } else if self.config.clipboard_from_server {
                    // Latin-1 by the spec.
                    self.events.push_back(Event::ServerCutText(text.iter().map(|&b| b as char).collect()));
                }
            }
            127 => self.vmware_message(r)?,
            other => return Err(RfbError::UnknownMessage(other).into()),
        }
        Ok(())
    }

    /// VMware's messages: `u8 subtype, u16 length` (the whole message), payload.
    fn vmware_message(&mut self, r: &mut Reader) -> Parsed {
        let (sub, len) = (r.u8()?, r.u16()?);
        if len < 4 {
            return Err(RfbError::Malformed("vmware message length").into());
        }
        let mut p = Reader::new(r.bytes(len as usize - 4)?);
        match sub {
            0 => {
                let caps = p.u32().map_err(|_| RfbError::Malformed("vmware server caps"))?;
                self.server_caps = caps;
                self.events.push_back(Event::ServerCaps(caps));
                if caps & caps::CLIENT_CAPS_WANTED != 0 {
                    vmware::client_caps(&mut self.out, caps::CLIENT_SESSION_CLOSE);
                }
                if caps & caps::KEY_EVENT != 0 {
                    self.set_key_mode(KeyMode::VmwareScancode);
                }
            }
            3 => {
                // Audio: `dataLen` bytes follow beyond the declared length.
                let data_len = p.u32().map_err(|_| RfbError::Malformed("vmware audio"))? as usize;
                if data_len > MAX_MESSAGE {
                    return Err(RfbError::MessageTooLarge(data_len).into());
                }
                r.skip(data_len)?;
            }
            7 => {
                let reason = p.u32().unwrap_or(0);
                self.events.push_back(Event::ServerClosed(reason));
            }
            // Heartbeat, reconnect token, mixer and anything newer: skipped by length.
            _ => {}
        }
        Ok(())
    }

    pub(super) fn set_key_mode(&mut self, mode: KeyMode) {
        // VMware scan codes win over QEMU's when both are offered.
        if self.key_mode == KeyMode::VmwareScancode || self.key_mode == mode {
            return;
        }
        self.key_mode = mode;
        self.events.push_back(Event::KeyMode(mode));
    }

    /// One update is complete: ask for the next (flow control), or acknowledge it with
    /// VMware UpdateAck, echoing the id from the FramebufferUpdate's padding byte, where
    /// the server announced UpdateAck.
    pub(super) fn finish_update(&mut self) {
        self.stats.updates += 1;
        self.phase = Phase::Normal;
        self.events.push_back(Event::FrameComplete);
        if self.server_caps & caps::UPDATE_ACK != 0 {
            vmware::update_ack(&mut self.out, self.update_id, 0);
        } else if let Some(fb) = &self.fb {
            let (w, h) = (fb.width() as u16, fb.height() as u16);
            messages::framebuffer_update_request(&mut self.out, true, 0, 0, w, h);
        }
    }

    /// The server's side of the Extended Clipboard conversation.
    fn extended_clipboard(&mut self, message: clipboard::ServerMessage) {
        use clipboard::ServerMessage as M;
        let actions = self.ext_clipboard.unwrap_or(0);
        match message {
            M::Caps { formats, actions } => {
                // Without the text format there is nothing we can exchange this way.
                self.ext_clipboard = (formats & clipboard::FORMAT_TEXT != 0).then_some(actions);
                clipboard::client_caps(&mut self.out);
            }
            M::Request { formats } if formats & clipboard::FORMAT_TEXT != 0 && actions & clipboard::PROVIDE != 0 => {
                if let Some(text) = self.clipboard_out.take() {
                    clipboard::provide(&mut self.out, &text);
                }
            }
            M::Peek if actions & clipboard::NOTIFY != 0 => clipboard::notify(&mut self.out, self.clipboard_out.is_some()),
            M::Notify { formats }
                if formats & clipboard::FORMAT_TEXT != 0 && actions & clipboard::REQUEST != 0 && self.config.clipboard_from_server =>
            {
                clipboard::request(&mut self.out);
            }
            M::Provide { text: Some(text) } if self.config.clipboard_from_server => {
                self.events.push_back(Event::ServerCutText(text));
            }
            _ => {}
        }
    }
}
