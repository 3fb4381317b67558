//! `ConsoleHandle`: one console for host pages, on the same runner and core as the app.
//! The package's `VSphereConsole` (an `EventTarget`) wraps it; host pages use that.

use std::rc::Rc;

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::HtmlCanvasElement;

use crate::api::wire::MoRef;
use crate::console::{ticket_from_json, AcquireError, ConsoleOptions, ConsoleStatus, HostEvent, IssuedTicket, EMBEDDED_VM};
use crate::input;
use crate::rfb::KeyInput;
use crate::web::console::{ConsoleRunner, RunnerHooks, TicketFuture};

#[wasm_bindgen]
pub struct ConsoleHandle {
    runner: Option<ConsoleRunner>,
}

/// Calls `on_event(name, detail)`; the detail is a plain object.
fn emit(on_event: &Function, name: &str, detail: &serde_json::Value) {
    let detail = super::plain::to_js(detail);
    let _ = on_event.call2(&JsValue::NULL, &JsValue::from_str(name), &detail);
}

fn status_json(s: &ConsoleStatus) -> serde_json::Value {
    serde_json::json!({
        "step": s.step.as_str(),
        "text": s.step.text(),
        "message": s.message,
        "ticket": s.ticket,
        "width": s.desktop.as_ref().map(|d| d.0),
        "height": s.desktop.as_ref().map(|d| d.1),
        "name": s.desktop.as_ref().map(|d| d.2.clone()),
        "keyMode": s.key_mode.as_str(),
        "viewOnly": s.view_only,
        "keyboardLayout": s.keyboard_layout,
        "insecure": s.insecure,
        "retryIn": s.retry_in,
        "scale": s.scale.as_str(),
        "clipboardWaiting": s.clipboard_waiting,
        "trustUrl": s.trust.as_ref().map(|t| t.trust_url.clone()),
        "redactedUrl": s.trust.as_ref().map(|t| t.redacted_url.clone()),
    })
}

/// A ticket from the package's `acquire()`: a promise of `{ticket, issuedAt}`, where
/// `ticket` is what the page handed in or its `acquireTicket` gave, and `issuedAt` when.
fn acquire_ticket_from(f: Function) -> Rc<dyn Fn() -> TicketFuture> {
    Rc::new(move || {
        let called = f.call0(&JsValue::NULL);
        Box::pin(async move {
            let value = match called {
                Ok(v) => JsFuture::from(Promise::resolve(&v)).await,
                Err(e) => Err(e),
            };
            let value = value.map_err(|e| AcquireError::new(format!("The page could not get a console ticket: {}.", error_text(&e))))?;
            let issued_at_ms = js_sys::Reflect::get(&value, &"issuedAt".into()).ok().and_then(|v| v.as_f64());
            let ticket = js_sys::Reflect::get(&value, &"ticket".into()).unwrap_or(JsValue::UNDEFINED);
            let json: serde_json::Value =
                super::plain::from_js(&ticket).map_err(|_| AcquireError::new("The console ticket the page handed in is not an object."))?;
            let ticket = ticket_from_json(json)
                .map_err(|e| AcquireError::new(format!("The console ticket the page handed in is not usable: {e}.")))?;
            Ok(IssuedTicket { ticket, issued_at_ms })
        })
    })
}

/// An error's `message`, or its string form; never the object itself.
fn error_text(e: &JsValue) -> String {
    js_sys::Reflect::get(e, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "it failed".into())
}

#[wasm_bindgen]
impl ConsoleHandle {
    /// Starts a console in `canvas`. `options` has the shape of `ConsoleOptions` (camelCase);
    /// `acquire_ticket()` returns a promise of `{ticket, issuedAt}` for each attempt;
    /// `fresh_tickets`: it can give a fresh one each time (the page has `acquireTicket`);
    /// `on_event(name, detail)` gets every event, and `status` after each change.
    #[wasm_bindgen(constructor)]
    pub fn new(
        canvas: HtmlCanvasElement,
        options: JsValue,
        acquire_ticket: Function,
        on_event: Function,
        fresh_tickets: bool,
    ) -> Result<ConsoleHandle, JsValue> {
        let options: ConsoleOptions = if options.is_undefined() || options.is_null() {
            ConsoleOptions::default()
        } else {
            super::plain::from_js(&options)
                .map_err(|_| JsValue::from_str("The console options are not valid: see ConsoleOptions in the README."))?
        };
        let (events, status_events) = (on_event.clone(), on_event);
        let hooks = RunnerHooks {
            acquire_ticket: acquire_ticket_from(acquire_ticket),
            on_status: Rc::new(move |s: ConsoleStatus| emit(&status_events, "status", &status_json(&s))),
            on_host_event: Rc::new(move |e: HostEvent| emit(&events, e.name(), &e.detail())),
            on_session_lost: Rc::new(|_| {}),
        };
        let runner = ConsoleRunner::start(canvas, MoRef::new("VirtualMachine", EMBEDDED_VM), options, hooks, fresh_tickets)
            .map_err(|e| JsValue::from_str(&e))?;
        Ok(ConsoleHandle { runner: Some(runner) })
    }

    fn with<T: Default>(&self, f: impl FnOnce(&ConsoleRunner) -> T) -> T {
        self.runner.as_ref().map(f).unwrap_or_default()
    }

    /// The current status: `{step, text, message, ticket, width, height, name, keyMode, viewOnly, …}`.
    pub fn status(&self) -> JsValue {
        self.runner.as_ref().map(|r| super::plain::to_js(&status_json(&r.status()))).unwrap_or(JsValue::NULL)
    }

    /// SessionClose (where the server takes it), then the socket closes.
    pub fn disconnect(&self) {
        self.with(ConsoleRunner::disconnect)
    }

    /// A new attempt with a fresh ticket.
    pub fn reconnect(&self) {
        self.with(ConsoleRunner::reconnect)
    }

    #[wasm_bindgen(js_name = sendCtrlAltDel)]
    pub fn send_ctrl_alt_del(&self) {
        self.with(|r| r.keys(&input::ctrl_alt_del()))
    }

    /// A combination by its menu label, e.g. `"Ctrl+Alt+F2"`; false when unknown.
    #[wasm_bindgen(js_name = sendCombo)]
    pub fn send_combo(&self, label: &str) -> bool {
        self.with(|r| r.send_combo(label))
    }

    /// noVNC's `sendKey(keysym, code, down)`: `code` is a `KeyboardEvent.code` or null;
    /// without `down`, a press and a release.
    #[wasm_bindgen(js_name = sendKey)]
    pub fn send_key(&self, keysym: u32, code: Option<String>, down: Option<bool>) {
        let scancode = code.as_deref().and_then(input::scancode::from_code);
        let keysym = if keysym == 0 { code.as_deref().map(|c| input::keysym::from_key("", c)).unwrap_or(0) } else { keysym };
        let keys: Vec<KeyInput> = match down {
            Some(d) => vec![KeyInput { keysym, scancode, down: d }],
            None => vec![KeyInput { keysym, scancode, down: true }, KeyInput { keysym, scancode, down: false }],
        };
        self.with(|r| r.keys(&keys))
    }

    /// VMware's `sendKeyCodes(keyCodes, vscanCodes)` with vscans: each pressed in order,
    /// then each released in the same order, as VMware's client sends them.
    #[wasm_bindgen(js_name = sendVscans)]
    pub fn send_vscans(&self, vscans: Vec<u16>) {
        let key = |sc: u16, down: bool| KeyInput { keysym: input::keysym_of_scancode(sc), scancode: Some(sc), down };
        let keys: Vec<KeyInput> = vscans.iter().map(|&sc| key(sc, true)).chain(vscans.iter().map(|&sc| key(sc, false))).collect();
        self.with(|r| r.keys(&keys))
    }

    /// VMware's `sendKeyCodes`: JavaScript keyCodes, a negated code point last; false when
    /// an entry is unknown (nothing is sent then).
    #[wasm_bindgen(js_name = sendKeyCodes)]
    pub fn send_key_codes(&self, codes: Vec<i32>) -> bool {
        let Some(keys) = input::key_codes(&codes) else { return false };
        self.with(|r| r.keys(&keys));
        true
    }

    /// Types `text` at the configured pace. Resolves when typed; rejects with a sentence
    /// when a character cannot be typed (nothing sent), or typing was cancelled.
    #[wasm_bindgen(js_name = typeText)]
    pub fn type_text(&self, text: &str) -> Promise {
        let Some(r) = self.runner.as_ref() else { return Promise::reject(&JsValue::from_str("The console was destroyed.")) };
        match r.type_text(text, |_, _| {}) {
            Ok(fut) => future_to_promise(async move { fut.await.map(|_| JsValue::UNDEFINED).map_err(|e| JsValue::from_str(&e)) }),
            Err(sentence) => Promise::reject(&JsValue::from_str(&sentence)),
        }
    }

    /// Resolves once everything received so far is drawn on the canvas.
    pub fn settled(&self) -> Promise {
        match self.runner.as_ref() {
            Some(r) => r.settled(),
            None => Promise::resolve(&JsValue::UNDEFINED),
        }
    }

    #[wasm_bindgen(js_name = cancelTyping)]
    pub fn cancel_typing(&self) {
        self.with(ConsoleRunner::cancel_typing)
    }

    /// The guest's layout for `typeText`; false for a layout the tables do not have.
    #[wasm_bindgen(js_name = setKeyboardLayout)]
    pub fn set_keyboard_layout(&self, name: &str) -> bool {
        self.with(|r| r.set_keyboard_layout(name))
    }

    #[wasm_bindgen(js_name = setViewOnly)]
    pub fn set_view_only(&self, view_only: bool) {
        self.with(|r| r.set_view_only(view_only))
    }

    /// `fit`, `actual` or `remote` (the guest takes the element's size); false for another name.
    #[wasm_bindgen(js_name = setScale)]
    pub fn set_scale(&self, mode: &str) -> bool {
        let Some(scale) = crate::console::Scale::from_name(mode) else { return false };
        self.with(|r| r.set_scale(scale));
        true
    }

    /// Text input on (the screen's text field takes the focus: a touch keyboard opens, an
    /// input method composes) or off; false where the screen has no text field.
    #[wasm_bindgen(js_name = setTextInput)]
    pub fn set_text_input(&self, on: bool) -> bool {
        self.with(|r| r.set_text_input(on))
    }

    /// Asks the guest for this resolution (VMware); false when the server cannot.
    #[wasm_bindgen(js_name = requestResolution)]
    pub fn request_resolution(&self, width: u32, height: u32) -> bool {
        self.with(|r| r.request_resolution(width, height))
    }

    /// Text for the VM's clipboard: `{sent, sentence}`, where `sentence` says what was
    /// lost (a Latin-1 server) or why nothing went.
    #[wasm_bindgen(js_name = clipboardPaste)]
    pub fn clipboard_paste(&self, text: &str) -> JsValue {
        let (sent, sentence) = match self.runner.as_ref().map(|r| r.paste_to_vm(text)) {
            Some(p) => (p.sent, p.sentence),
            None => (false, Some("The console has been destroyed.".to_owned())),
        };
        super::plain::to_js(&serde_json::json!({ "sent": sent, "sentence": sentence }))
    }

    /// Fullscreen on `element` with the keyboard locked where the browser can
    /// (`web::fullscreen::enter`). Call from the person's click or key.
    #[wasm_bindgen(js_name = enterFullscreen)]
    pub fn enter_fullscreen(&self, element: web_sys::Element) -> Promise {
        crate::web::fullscreen::enter(&element)
    }

    /// The person's copy control: the VM's waiting text goes to the local clipboard.
    /// Call from their click. False when no text waits.
    #[wasm_bindgen(js_name = copyFromVm)]
    pub fn copy_from_vm(&self) -> bool {
        self.runner.as_ref().is_some_and(ConsoleRunner::copy_waiting_clipboard)
    }

    /// Disconnects and lets go of the canvas and every listener.
    pub fn destroy(&mut self) {
        self.runner = None;
    }
}
