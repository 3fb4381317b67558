//! Server messages between updates (rfbproto 7.6): the FramebufferUpdate header,
//! SetColourMapEntries, Bell, ServerCutText and the Extended Clipboard; VMware's
//! type-127 messages go to `webmks.rs`.

use super::clipboard;
use super::dialect::Dialect;
use super::engine::Engine;
use super::error::RfbError;
use super::event::{Event, KeyMode};
use super::limits::MAX_MESSAGE;
use super::reader::{Parsed, Reader};

impl Engine {
    pub(super) fn server_message(&mut self, r: &mut Reader) -> Parsed {
        match r.u8()? {
            0 => {
                let (id, n) = (r.u8()?, r.u16()?);
                self.begin_update(id, n);
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
                    // Latin-1 by rfbproto; UTF-8 as VMware's client reads a WebMKS server's,
                    // which also ignores an empty one.
                    let text = match self.dialect {
                        Dialect::Rfb => Some(text.iter().map(|&b| b as char).collect()),
                        Dialect::WebMks => (!text.is_empty()).then(|| String::from_utf8_lossy(text).into_owned()),
                    };
                    if let Some(text) = text {
                        self.events.push_back(Event::ServerCutText(text));
                    }
                }
            }
            127 => self.vmware_message(r)?,
            other => return Err(RfbError::UnknownMessage(other).into()),
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
