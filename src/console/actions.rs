//! What the person does to a console: keys, pointer, wheel, clipboard, typing plans,
//! resolution and view-only, each checked against the console's state and options.

use super::core::ConsoleCore;
use super::options::Scale;
use crate::input;
use crate::rfb::{ClipboardSent, Engine, Framebuffer, KeyInput, KeyMode, Rect};

impl ConsoleCore {
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

    /// How the desktop fits its container. The runner styles the canvas by it; in
    /// `Remote` it reports the container's size with [`Self::fit_guest`].
    pub fn set_scale(&mut self, scale: Scale) {
        self.options.scale = scale;
        self.status.scale = scale;
        self.last_fit = None;
        self.changed();
    }

    /// The container is `width`×`height` CSS pixels. In `Remote` scale, while the console
    /// runs, the guest is asked for that size (at least 320×240, each side a multiple of
    /// 8, and only when it changed); a server that cannot change resolution turns the
    /// scale to `Fit`, and the status says why.
    pub fn fit_guest(&mut self, width: u32, height: u32) {
        if self.status.scale != Scale::Remote || !self.status.running() {
            return;
        }
        let size = (width.max(320) & !7, height.max(240) & !7);
        if self.last_fit == Some(size) {
            return;
        }
        self.last_fit = Some(size);
        if !self.request_resolution(size.0, size.1) {
            self.set_scale(Scale::Fit);
            self.status.message =
                Some("This console's server cannot change the guest's resolution, so the desktop is fitted to the window instead.".into());
        }
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

    /// The keys for text the person composed (an input method, an on-screen keyboard),
    /// for the page to send paced: characters without a key go as themselves where the
    /// server takes that and `unicode_keys` allows (VMware KeyEvent2, see
    /// `Engine::send_key`); as keysyms to servers without scan codes (an X server maps any
    /// Unicode keysym); as the guest layout's keys where the server takes scan codes, with
    /// keysyms for what the layout lacks where the server takes those too (QEMU's extended
    /// keys). On a server that takes only scan codes, text the layout cannot type gives no
    /// keys at all, and the status says which character and why.
    pub fn plan_composed(&mut self, text: &str) -> Result<Vec<KeyInput>, String> {
        let Some(rfb) = self.rfb.as_ref().filter(|_| self.status.input_allowed()) else {
            return Err("The console is not running (or is view only), so the text was not sent.".into());
        };
        if self.options.unicode_keys && rfb.takes_unicode_keys() {
            // Enter and Tab are keys, not characters, to every guest.
            let keys = text.chars().filter(|&c| c != '\r').flat_map(|c| match c {
                '\n' => input::combo(&[("Enter", "Enter")]),
                '\t' => input::combo(&[("Tab", "Tab")]),
                c => input::text::keysym_press(c).to_vec(),
            });
            return Ok(keys.collect());
        }
        match self.status.key_mode {
            KeyMode::Keysym => Ok(input::text::plan_keysyms(text)),
            KeyMode::QemuExtended => Ok(input::text::plan_mixed(text, self.options.layout())),
            KeyMode::VmwareScancode => input::text::plan(text, self.options.layout()).map_err(|e| {
                let sentence = format!(
                    "Nothing was typed: {e}, and this server takes only keys. Choose the guest's layout under \"Type text\", or type it with the guest's own input method."
                );
                self.status.message = Some(sentence.clone());
                self.changed();
                sentence
            }),
        }
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
        let Some(r) = self.rfb.as_ref() else { return !self.paint_pending };
        // A paint held for an update that waits for its bytes can wait for ever: what is
        // on screen is all there is to draw until they come.
        let waiting_for_bytes = r.is_holding() && !r.between_updates();
        (!self.paint_pending || waiting_for_bytes) && !r.has_more_work() && !r.is_waiting_for_image()
    }

    /// The damage since the last call, for the painter.
    pub fn take_damage(&mut self) -> Vec<Rect> {
        self.rfb.as_mut().map(Engine::take_damage).unwrap_or_default()
    }

    pub(super) fn keys_now(&mut self, keys: &[KeyInput]) {
        if let Some(rfb) = self.rfb.as_mut() {
            keys.iter().for_each(|k| rfb.send_key(*k));
            self.flush();
        }
    }
}
