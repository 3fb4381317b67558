//! What the page sends: keys, pointer, wheel, clipboard text, a resolution, goodbye.
//! Each goes out the way the server understands best; the bytes themselves are written
//! by `messages.rs`.

use super::clipboard;
use super::dialect::{caps, Dialect};
use super::engine::Engine;
use super::error::RfbError;
use super::event::{ClipboardSent, KeyInput, KeyMode};
use super::messages::{self, vmware};
use super::pixel_format::PixelFormat;
use super::reader::Reader;

/// The Unicode code point a keysym types: Latin-1 keysyms are their code points, and
/// 0x0100_0000 + a code point is that code point (X11's rule).
fn keysym_char(keysym: u32) -> Option<u32> {
    match keysym {
        0x20..=0x7e | 0xa0..=0xff => Some(keysym),
        0x0100_0100..=0x0110_ffff => Some(keysym - 0x0100_0000).filter(|&cp| char::from_u32(cp).is_some()),
        _ => None,
    }
}

impl Engine {
    /// Sends a key the way the server understands best.
    pub fn send_key(&mut self, key: KeyInput) {
        if !self.is_connected() {
            return;
        }
        // A character without a key: as itself where the server takes that (VMware's
        // client never sends a WebMKS server RFB key events).
        if let Some(cp) = key.scancode.is_none().then(|| keysym_char(key.keysym)).flatten().filter(|_| self.takes_unicode_keys()) {
            return vmware::unicode_key_event(&mut self.out, cp, key.down);
        }
        match (self.key_mode, key.scancode) {
            (KeyMode::VmwareScancode, Some(sc)) => vmware::key_event(&mut self.out, sc, key.down),
            (KeyMode::QemuExtended, Some(sc)) => {
                // QEMU's key numbers: set-1 codes, 0x80 for E0-prefixed keys; Pause is 0xC6.
                let xt = match sc {
                    vmware::VSCAN_PAUSE => 0xc6,
                    sc if sc & 0x100 != 0 => (sc as u32 & 0x7f) | 0x80,
                    sc => sc as u32,
                };
                messages::qemu_extended_key_event(&mut self.out, key.down, key.keysym, xt)
            }
            _ if key.keysym != 0 => messages::key_event(&mut self.out, key.down, key.keysym),
            _ => {}
        }
    }

    /// The server takes characters as themselves (VMware KeyEvent2 with a code point):
    /// a WebMKS server whose ServerCaps has both KeyEvent2 bits, as VMware's client requires.
    pub fn takes_unicode_keys(&self) -> bool {
        const BOTH: u32 = caps::KEY_EVENT2_UNICODE | caps::KEY_EVENT2_JS_KEY_CODE;
        self.dialect == Dialect::WebMks && self.server_caps & BOTH == BOTH
    }

    /// Pointer position in framebuffer pixels and the buttons held (bit 0 left, 1 middle, 2 right).
    pub fn send_pointer(&mut self, x: i32, y: i32, buttons: u8) {
        let Some(fb) = &self.fb else { return };
        // A 0×0 desktop (legal in ServerInit) has nowhere to point.
        if !self.is_connected() || fb.width() == 0 || fb.height() == 0 {
            return;
        }
        let x = x.clamp(0, fb.width() as i32 - 1) as u16;
        let y = y.clamp(0, fb.height() as i32 - 1) as u16;
        self.buttons = buttons & 0x07;
        self.last_pointer = (x, y);
        messages::pointer_event(&mut self.out, self.buttons, x, y);
    }

    /// Relative pointer motion (VMware PointerEvent2 with isAbsolute=0), for guests whose
    /// cursor state says they use a relative mouse. `buttons` is the RFB mask (bit 0 left,
    /// 1 middle, 2 right); VMware's client sends relative buttons as left 1, right 2,
    /// middle 4, and so does this.
    pub fn send_relative_pointer(&mut self, dx: i32, dy: i32, buttons: u8) {
        if self.is_connected() {
            self.buttons = buttons & 0x07;
            let b = self.buttons;
            let relative_buttons = (b & 1) | ((b & 4) >> 1) | ((b & 2) << 1);
            vmware::pointer_event2(&mut self.out, false, dx, dy, relative_buttons as u32, 0, 0);
        }
    }

    /// Wheel steps: negative is up (or left). Plain RFB: button 4/5 (up/down) or 6/7
    /// (left/right) clicks at the pointer. WebMKS, as VMware's client sends it: one
    /// PointerEvent2 at the pointer with no buttons, each axis -1, 0 or +1, +1 up and right.
    pub fn send_wheel(&mut self, dy: i32, dx: i32) {
        if !self.is_connected() {
            return;
        }
        let (x, y) = self.last_pointer;
        if self.dialect == Dialect::WebMks {
            if dy != 0 || dx != 0 {
                vmware::pointer_event2(&mut self.out, true, x as i32, y as i32, 0, -dy.signum() as i8, dx.signum() as i8);
            }
            return;
        }
        let clicks = [(dy < 0, 0x08u8, dy), (dy > 0, 0x10, dy), (dx < 0, 0x20, dx), (dx > 0, 0x40, dx)];
        for (active, bit, n) in clicks {
            if !active {
                continue;
            }
            for _ in 0..n.unsigned_abs().min(10) {
                messages::pointer_event(&mut self.out, self.buttons | bit, x, y);
                messages::pointer_event(&mut self.out, self.buttons, x, y);
            }
        }
    }

    /// Text for the VM's clipboard: Unicode where the server speaks Extended Clipboard
    /// (announced, then provided when the server asks), Latin-1 otherwise.
    pub fn send_clipboard(&mut self, text: &str) -> ClipboardSent {
        if !self.is_connected() {
            return ClipboardSent::NotConnected;
        }
        match self.ext_clipboard {
            Some(actions) if actions & clipboard::NOTIFY != 0 => {
                self.clipboard_out = Some(text.to_owned());
                clipboard::notify(&mut self.out, true);
                ClipboardSent::Unicode
            }
            Some(actions) if actions & clipboard::PROVIDE != 0 => {
                clipboard::provide(&mut self.out, text);
                ClipboardSent::Unicode
            }
            _ => {
                messages::client_cut_text(&mut self.out, text);
                ClipboardSent::Latin1 { lost: text.chars().filter(|&c| c as u32 > 0xff).count() }
            }
        }
    }

    /// Asks the guest for a new resolution (VMware RequestResolution) when it can.
    pub fn request_resolution(&mut self, w: u16, h: u16) -> bool {
        if self.is_connected() && self.server_caps & caps::REQUEST_RESOLUTION != 0 {
            vmware::request_resolution(&mut self.out, w, h);
            return true;
        }
        false
    }

    /// Says goodbye: VMware SessionClose where the server takes it, so the slot is freed.
    pub fn close(&mut self) {
        if self.is_connected() && self.server_caps & caps::SESSION_CLOSE != 0 {
            vmware::session_close(&mut self.out, 23);
        }
    }

    /// A full (non-incremental) update request, e.g. after the canvas was lost.
    pub fn refresh(&mut self) {
        if let (true, Some(fb)) = (self.is_connected(), &self.fb) {
            let (w, h) = (fb.width() as u16, fb.height() as u16);
            messages::framebuffer_update_request(&mut self.out, false, 0, 0, w, h);
        }
    }

    /// Replay: takes the recorded client's messages as if this engine had sent them,
    /// so a SetPixelFormat changes how later pixels are read.
    pub fn assume_client_messages(&mut self, bytes: &[u8]) -> Result<(), RfbError> {
        if !self.is_connected() {
            return Ok(());
        }
        let mut r = Reader::new(bytes);
        while r.remaining() > 0 {
            let Ok(kind) = r.u8() else { break };
            let len = match kind {
                0 => {
                    let Ok(_) = r.skip(3) else { break };
                    let Ok(pf) = PixelFormat::read(&mut r) else { break };
                    pf.validate()?;
                    self.pf = pf;
                    continue;
                }
                2 => {
                    let (Ok(_), Ok(n)) = (r.u8(), r.u16()) else { break };
                    n as usize * 4
                }
                3 => 9,
                4 => 7,
                5 => 5,
                6 => {
                    let (Ok(_), Ok(n)) = (r.skip(3), r.u32()) else { break };
                    n as usize
                }
                127 => {
                    let (Ok(_), Ok(n)) = (r.u8(), r.u16()) else { break };
                    (n as usize).saturating_sub(4)
                }
                255 => 11,
                // Anything else: its length is unknown, the rest of the frame is skipped.
                _ => break,
            };
            if r.skip(len).is_err() {
                break;
            }
        }
        Ok(())
    }
}
