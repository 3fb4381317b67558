//! VMware's WebMKS dialect of RFB, read and written as VMware's own browser client
//! (the HTML Console SDK, wmks.js 2.1) does; `docs/protocol.md` has the dialect byte by
//! byte. Where that client and rfbproto disagree, the [`Dialect`] decides: rfbproto (and
//! noVNC's reading of it) for other servers, VMware's client for a WebMKS server.
//!
//! A server is taken to speak WebMKS once it proves it: it started at ServerInit with no
//! handshake, or it sent a type-127 message. VMware's pseudo-encodings prove nothing:
//! TigerVNC sends VMware's cursor and LED state too.

use super::dialect::{caps, Dialect};
use super::engine::Engine;
use super::error::RfbError;
use super::event::{Event, KeyMode};
use super::limits::MAX_MESSAGE;
use super::messages::vmware;
use super::reader::{Parsed, Reader};

/// VMware's server message subtypes (type 127).
mod sub {
    pub const SERVER_CAPS: u8 = 0;
    pub const AUDIO: u8 = 3;
    pub const HEARTBEAT: u8 = 4;
    pub const SET_RECONNECT_TOKEN: u8 = 6;
    pub const SESSION_CLOSE: u8 = 7;
    pub const AUDIO_MIXER: u8 = 8;
}

/// Audio clip flags: bit 0 asks for an acknowledgement.
const AUDIO_REQUEST_ACK: u32 = 1;

impl Engine {
    /// The server has shown it speaks WebMKS: from now on its dialect decides, and keys
    /// go as scan codes (VMware's client never sends RFB KeyEvents).
    pub(super) fn enter_webmks(&mut self) {
        if self.dialect == Dialect::WebMks {
            return;
        }
        self.dialect = Dialect::WebMks;
        self.set_key_mode(KeyMode::VmwareScancode);
    }

    /// A type-127 message: `u8 subtype, u16 length` (the whole message), then its payload.
    /// The lengths VMware's client checks are checked here too.
    pub(super) fn vmware_message(&mut self, r: &mut Reader) -> Parsed {
        self.enter_webmks();
        let (subtype, len) = (r.u8()?, r.u16()?);
        let required = match subtype {
            sub::SERVER_CAPS | sub::SESSION_CLOSE => Some(8),
            sub::HEARTBEAT => Some(6),
            sub::AUDIO => Some(36),
            sub::AUDIO_MIXER => Some(20),
            _ => None,
        };
        if len < 4 || required.is_some_and(|n| n != len) {
            return Err(RfbError::Malformed("vmware message of the wrong length").into());
        }
        let mut p = Reader::new(r.bytes(len as usize - 4)?);
        let bad = || RfbError::Malformed("vmware message");
        match subtype {
            sub::SERVER_CAPS => self.server_caps_message(p.u32().map_err(|_| bad())?),
            sub::AUDIO => {
                // Eight u32s; then `dataLength` bytes of audio that the length does not count.
                let mut field = || p.u32().map_err(|_| bad());
                let data_len = field()? as usize;
                let (_rate, _channels, _sample, _container) = (field()?, field()?, field()?, field()?);
                let (ts_lo, ts_hi, flags) = (field()?, field()?, field()?);
                if data_len > MAX_MESSAGE {
                    return Err(RfbError::MessageTooLarge(data_len).into());
                }
                r.skip(data_len)?;
                // The console plays no sound, but the server may pace clips by their acks.
                let ask = flags == 0 || flags & AUDIO_REQUEST_ACK != 0;
                if data_len > 0 && ask && self.server_caps & caps::AUDIO_ACK != 0 {
                    vmware::audio_ack(&mut self.out, ts_lo, ts_hi);
                }
            }
            sub::HEARTBEAT => self.events.push_back(Event::Heartbeat(p.u16().map_err(|_| bad())?)),
            // A reconnect token is a credential: it is read and dropped, never passed on.
            sub::SET_RECONNECT_TOKEN => {}
            sub::SESSION_CLOSE => self.events.push_back(Event::ServerClosed(p.u32().map_err(|_| bad())?)),
            // The audio mixer, and anything newer: skipped by length.
            _ => {}
        }
        Ok(())
    }

    /// ServerCaps: every flag is taken afresh from each message.
    fn server_caps_message(&mut self, bits: u32) {
        self.server_caps = bits;
        self.events.push_back(Event::ServerCaps(bits));
        if bits & caps::CLIENT_CAPS_WANTED != 0 {
            vmware::client_caps(&mut self.out, caps::CLIENT);
        }
        if bits & caps::UPDATE_CACHE_INFO != 0 {
            self.streams.cache.announce(&mut self.out);
        }
    }
}
