//! [`ConsoleRunner`]: one console core running in a canvas, with the input
//! listeners and the typing job around it; what the Yew console and the JavaScript
//! `ConsoleHandle` hold.

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

use web_sys::HtmlCanvasElement;

use crate::api::wire::MoRef;
use crate::console::{ConsoleCore, ConsoleOptions, ConsoleStatus, Scale, Work};
use crate::rfb::KeyInput;
use crate::web::page_origin;
use crate::web::url_parser::BrowserUrlParser;

use super::cursor::CursorStyle;
use super::driver::{act, RunnerHooks, Shared};
use super::input::InputListeners;
use super::painter::Painter;
use super::typing;

/// What became of text for the VM's clipboard: sent (whole, or with a sentence on what
/// a Latin-1 server lost), or not, with why.
pub struct Pasted {
    pub sent: bool,
    pub sentence: Option<String>,
}

impl Pasted {
    /// The line a page shows for it.
    pub fn note(&self) -> String {
        self.sentence.clone().unwrap_or_else(|| "Sent to the VM's clipboard.".into())
    }
}

/// One console running in a canvas. Dropping it says goodbye to the server (VMware
/// SessionClose), closes the socket and removes its listeners.
pub struct ConsoleRunner {
    shared: Rc<RefCell<Shared>>,
    input: InputListeners,
    typing: typing::Typing,
}

impl ConsoleRunner {
    /// Starts the first attempt at once. `fresh_tickets`: `hooks.acquire_ticket` gives a fresh
    /// ticket each time (a refused or dropped console is then tried again).
    pub fn start(
        canvas: HtmlCanvasElement,
        vm: MoRef,
        options: ConsoleOptions,
        hooks: RunnerHooks,
        fresh_tickets: bool,
    ) -> Result<Self, String> {
        let painter = Painter::new(canvas.clone())?;
        if let Some(chord) = crate::input::leave::Modifiers::parse(&options.leave_keys) {
            let _ = canvas.set_attribute("aria-keyshortcuts", &chord.aria());
        }
        let mut core = ConsoleCore::new(vm, options, page_origin(), Box::new(BrowserUrlParser), Box::new(crate::web::now_ms));
        core.set_fresh_tickets(fresh_tickets);
        let screen = super::screen::Screen::new(&canvas);
        let shared = Shared::new(core, painter, screen, CursorStyle::new(canvas.clone()), hooks);
        let input = InputListeners::attach(&canvas, Rc::downgrade(&shared));
        let runner = ConsoleRunner { shared, input, typing: typing::Typing::default() };
        runner.act(|c| c.connect());
        Ok(runner)
    }

    /// Runs `f` on the core, then does the work it produced. Private: the Yew console and
    /// the JavaScript handle go through the methods below, so each job has one owner.
    fn act<T>(&self, f: impl FnOnce(&mut ConsoleCore) -> T) -> T {
        act(&self.shared, f)
    }

    /// How the desktop fits its container (`fit`, `actual`, or `remote`: the guest takes
    /// the container's size, or, where the server cannot, back to `fit` with a sentence).
    pub fn set_scale(&self, scale: Scale) {
        self.act(|c| c.set_scale(scale));
    }

    /// A key combination by its menu label (`"Ctrl+Alt+F2"`, any case); false when unknown.
    pub fn send_combo(&self, label: &str) -> bool {
        let Some((_, keys)) = crate::input::combos().into_iter().find(|(l, _)| l.eq_ignore_ascii_case(label)) else { return false };
        self.keys(&crate::input::combo(&keys));
        true
    }

    /// Text for the VM's clipboard, and what became of it.
    pub fn paste_to_vm(&self, text: &str) -> Pasted {
        match self.act(|c| c.clipboard_paste(text)) {
            Ok(sentence) => Pasted { sent: true, sentence },
            Err(why) => Pasted { sent: false, sentence: Some(why) },
        }
    }

    /// Asks the guest for this resolution (VMware); false when the server cannot.
    pub fn request_resolution(&self, width: u32, height: u32) -> bool {
        self.act(|c| c.request_resolution(width, height))
    }

    /// The guest's layout for typed text; false for a layout the tables do not have.
    pub fn set_keyboard_layout(&self, name: &str) -> bool {
        self.act(|c| c.set_keyboard_layout(name))
    }

    pub fn set_view_only(&self, view_only: bool) {
        self.act(|c| c.set_view_only(view_only));
    }

    /// Text input on or off: on, the screen's text field has the focus, so a touch
    /// device's keyboard opens and an input method composes (`text_field.rs`); off, the
    /// canvas has it again. False where the screen has no text field.
    pub fn set_text_input(&self, on: bool) -> bool {
        self.input.set_text_input(on)
    }

    /// The person's copy control: the VM's waiting text goes to the local clipboard
    /// (call from their click). False when no text waits.
    pub fn copy_waiting_clipboard(&self) -> bool {
        match self.act(ConsoleCore::take_waiting_clipboard) {
            Some(text) => {
                super::clipboard::write_local(&text);
                true
            }
            None => false,
        }
    }

    pub fn status(&self) -> ConsoleStatus {
        self.shared.borrow().core.status().clone()
    }

    pub fn canvas(&self) -> HtmlCanvasElement {
        self.shared.borrow().painter.canvas().clone()
    }

    pub fn disconnect(&self) {
        self.typing.cancel(&Rc::downgrade(&self.shared));
        self.act(ConsoleCore::disconnect);
    }

    pub fn reconnect(&self) {
        self.typing.cancel(&Rc::downgrade(&self.shared));
        self.act(ConsoleCore::reconnect);
    }

    pub fn keys(&self, keys: &[KeyInput]) {
        self.act(|c| c.keys(keys));
    }

    /// Types `text` paced by `typingDelayMs`; refuses (sending nothing) a character the
    /// layout cannot type. `progress` gets (sent, total). A newer call or `cancel_typing`
    /// stops an older one.
    pub fn type_text(
        &self,
        text: &str,
        progress: impl Fn(usize, usize) + 'static,
    ) -> Result<impl Future<Output = Result<(), String>>, String> {
        let (keys, delay) = {
            let s = self.shared.borrow();
            (s.core.plan_text(text)?, s.core.options().typing_delay_ms)
        };
        Ok(self.typing.run(Rc::downgrade(&self.shared), keys, delay, progress))
    }

    pub fn cancel_typing(&self) {
        self.typing.cancel(&Rc::downgrade(&self.shared));
    }

    /// Resolves once everything received so far is drawn on the canvas (no image being
    /// decoded, no work left for a later turn, no paint pending): for screenshots,
    /// tests and benchmarks.
    pub fn settled(&self) -> js_sys::Promise {
        let shared = self.shared.clone();
        js_sys::Promise::new(&mut move |resolve, _reject| {
            shared.borrow_mut().settle_waiters.push(resolve);
            act(&shared, |_| ());
        })
    }
}

impl Drop for ConsoleRunner {
    fn drop(&mut self) {
        let ups = self.typing.stop();
        let mut waiters = Vec::new();
        if let Ok(mut s) = self.shared.try_borrow_mut() {
            // A destroyed console draws nothing more: whoever waits for it is done waiting.
            waiters = std::mem::take(&mut s.settle_waiters);
            s.core.keys(&ups);
            s.core.disconnect();
            // Only the goodbye and the close: the page that dropped us wants no events.
            while let Some(w) = s.core.poll() {
                match w {
                    Work::Send { .. } | Work::CloseSocket { .. } => s.execute(w),
                    _ => {}
                }
            }
            s.socket = None;
            s.closing.clear();
            s.timers.clear();
            if let (Some(id), Some(w)) = (s.raf_id.take(), web_sys::window()) {
                let _ = w.cancel_animation_frame(id);
            }
            crate::web::drop_later(s.raf.take());
        }
        for resolve in waiters {
            let _ = resolve.call0(&wasm_bindgen::JsValue::UNDEFINED);
        }
    }
}
