//! Keyboard, mouse, wheel and touch on the console canvas, turned into core input, and
//! the page events that must release held keys (page hide, hidden, pointer-lock loss).
//! Listeners are added with `addEventListener` and removed on drop, so the Yew console
//! and the JavaScript API share them.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, EventTarget, HtmlCanvasElement, KeyboardEvent, MouseEvent, TouchEvent, WheelEvent};

use crate::console::ConsoleCore;
use crate::input;
use crate::input::wheel::WheelAccumulator;

use super::driver::{act_weak, WeakShared};
use super::text_field::{self, TextField};
use super::typing::{KeyQueue, Queued};

/// DOM `buttons` (1 left, 2 right, 4 middle) to the RFB mask (bit 0 left, 1 middle, 2 right).
pub fn rfb_buttons(dom: u16) -> u8 {
    (dom & 1) as u8 | ((dom & 4) >> 1) as u8 | ((dom & 2) << 1) as u8
}

/// Client coordinates to framebuffer pixels, whatever the canvas's CSS size.
fn to_framebuffer(canvas: &HtmlCanvasElement, client_x: f64, client_y: f64) -> Option<(i32, i32)> {
    let r = canvas.get_bounding_client_rect();
    let (w, h) = (canvas.width() as f64, canvas.height() as f64);
    if r.width() <= 0.0 || r.height() <= 0.0 || w <= 0.0 || h <= 0.0 {
        return None;
    }
    Some((((client_x - r.left()) * w / r.width()).floor() as i32, ((client_y - r.top()) * h / r.height()).floor() as i32))
}

struct InputState {
    buttons: u8,
    /// A touch in progress: start x, y and time.
    touch: Option<(f64, f64, f64)>,
    wheel: WheelAccumulator,
    /// Ctrl/Cmd+V went down and its V is held back: the browser's `paste` event, which
    /// follows, first gives the VM the person's clipboard text, then the V goes.
    paste_key: Option<(crate::rfb::KeyInput, (bool, bool))>,
    /// The way out by keyboard (`input::leave`).
    leave: input::leave::LeaveChord,
    /// The screen's text field, for composed text (`text_field.rs`).
    field: Option<TextField>,
    /// Composed text's keys on their way, paced.
    queue: KeyQueue,
    /// The person asked for text input (the console's Keyboard control): a click on the
    /// screen keeps the focus in the text field, so an input method stays on.
    text_input: bool,
}

/// The modifiers an event says are held.
fn modifiers(e: &KeyboardEvent) -> input::leave::Modifiers {
    input::leave::Modifiers { ctrl: e.ctrl_key(), alt: e.alt_key(), shift: e.shift_key(), meta: e.meta_key() }
}

/// The person's chord to leave the screen was completed with this event: let go of every
/// key, and move the focus out.
fn leave_chord(c: &mut ConsoleCore, canvas: &HtmlCanvasElement, st: &mut InputState, e: &KeyboardEvent, down: bool) -> bool {
    let Some(chord) = input::leave::Modifiers::parse(&c.options().leave_keys) else { return false };
    if !st.leave.key(chord, &e.code(), down, modifiers(e)) {
        return false;
    }
    c.release_keys();
    leave_screen(canvas);
    true
}

/// Focus goes to the page's chosen place (an element with `data-vsc-leave` in the
/// console's section, or its first control: the app's toolbar), else to the next control after
/// the screen, else it just leaves the screen.
fn leave_screen(canvas: &HtmlCanvasElement) {
    let focusable = format!(
        "a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]):not([{}]), [tabindex]:not([tabindex='-1'])",
        text_field::MARK
    );
    let focusable = focusable.as_str();
    let target = canvas
        .closest(".vc-console")
        .ok()
        .flatten()
        .and_then(|s| s.query_selector("[data-vsc-leave]").ok().flatten())
        .and_then(|t| if t.matches(focusable).unwrap_or(false) { Some(t) } else { t.query_selector(focusable).ok().flatten() });
    let target = target.or_else(|| {
        let doc = canvas.owner_document()?;
        let all = doc.query_selector_all(focusable).ok()?;
        let list: Vec<Element> = (0..all.length()).filter_map(|i| all.item(i)).filter_map(|n| n.dyn_into::<Element>().ok()).collect();
        let at = list.iter().position(|el| el == &***canvas)?;
        list.into_iter().skip(at + 1).find(|el| !canvas.contains(Some(el)))
    });
    match target.and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()) {
        Some(t) => {
            let _ = t.focus();
        }
        None => {
            let _ = canvas.blur();
        }
    }
}

/// Releases every key held (the core knows which): on blur, page hide, a hidden page and
/// pointer-lock loss.
fn release_held(c: &mut ConsoleCore, _: &mut InputState) {
    c.release_keys();
}

/// What one listener does with the core, the canvas and the input state.
type Handler = Box<dyn Fn(&mut ConsoleCore, &HtmlCanvasElement, &mut InputState, JsValue)>;

/// A listener as added: its target, the event's name and the closure.
type Listener = (EventTarget, &'static str, Closure<dyn FnMut(JsValue)>);

pub struct InputListeners {
    listeners: Vec<Listener>,
    state: Rc<RefCell<InputState>>,
    canvas: HtmlCanvasElement,
}

impl InputListeners {
    pub(super) fn attach(canvas: &HtmlCanvasElement, shared: WeakShared) -> Self {
        let state = Rc::new(RefCell::new(InputState {
            buttons: 0,
            touch: None,
            wheel: WheelAccumulator::default(),
            paste_key: None,
            leave: input::leave::LeaveChord::default(),
            field: TextField::attach(canvas),
            queue: KeyQueue::new(shared.clone()),
            text_input: false,
        }));
        let mut listeners: Vec<Listener> = Vec::new();
        let window: Option<EventTarget> = web_sys::window().map(Into::into);
        let document: Option<EventTarget> = web_sys::window().and_then(|w| w.document()).map(Into::into);
        let mut on_target = |target: &EventTarget, name: &'static str, f: Handler| {
            let (shared, canvas, state) = (shared.clone(), canvas.clone(), state.clone());
            listeners.push((
                target.clone(),
                name,
                Closure::<dyn FnMut(JsValue)>::new(move |ev: JsValue| {
                    let Ok(mut st) = state.try_borrow_mut() else { return };
                    act_weak(&shared, |c| f(c, &canvas, &mut st, ev));
                }),
            ));
        };
        let canvas_target: EventTarget = canvas.clone().into();
        let field_target: Option<EventTarget> = state.borrow().field.as_ref().map(|f| f.element().clone().into());
        // Keys, the person's paste and focus loss: the same on the canvas and on the text field.
        for target in std::iter::once(&canvas_target).chain(field_target.as_ref()) {
            on_target(target, "keydown", Box::new(key_down));
            on_target(target, "keyup", Box::new(key_up));
            on_target(target, "paste", Box::new(paste));
            on_target(target, "blur", Box::new(|c, _, st, _| release_held(c, st)));
        }
        if let Some(target) = &field_target {
            on_target(target, "compositionend", Box::new(composition_end));
            on_target(target, "input", Box::new(text_input));
        }
        let mut on = |name: &'static str, f: Handler| on_target(&canvas_target, name, f);
        on(
            "mousedown",
            Box::new(|c, canvas, st, ev| {
                let Ok(e) = ev.dyn_into::<MouseEvent>() else { return };
                match st.field.as_ref().filter(|_| st.text_input) {
                    Some(f) => f.focus(),
                    None => {
                        let _ = canvas.focus();
                    }
                }
                e.prevent_default();
                if c.status().input_allowed() && c.wants_pointer_lock() {
                    canvas.request_pointer_lock();
                }
                pointer(c, canvas, st, &e);
            }),
        );
        for name in ["mouseup", "mousemove"] {
            on(
                name,
                Box::new(|c, canvas, st, ev| {
                    if let Ok(e) = ev.dyn_into::<MouseEvent>() {
                        pointer(c, canvas, st, &e);
                    }
                }),
            );
        }
        on(
            "wheel",
            Box::new(|c, canvas, st, ev| {
                let Ok(e) = ev.dyn_into::<WheelEvent>() else { return };
                if !c.status().input_allowed() {
                    return;
                }
                e.prevent_default();
                let Some((x, y)) = to_framebuffer(canvas, e.client_x() as f64, e.client_y() as f64) else { return };
                let (dy, dx) = st.wheel.add(e.delta_x(), e.delta_y(), e.delta_mode());
                if dy != 0 || dx != 0 {
                    c.wheel(x, y, st.buttons, dy, dx);
                }
            }),
        );
        on(
            "contextmenu",
            Box::new(|_, _, _, ev| {
                if let Ok(e) = ev.dyn_into::<web_sys::Event>() {
                    e.prevent_default();
                }
            }),
        );
        // Touch: a tap is a click, two fingers dragged up or down scroll.
        on(
            "touchstart",
            Box::new(|c, _, st, ev| {
                let Ok(e) = ev.dyn_into::<TouchEvent>() else { return };
                let t = e.touches();
                if let Some(first) = t.get(0) {
                    let y = match (t.length(), t.get(1)) {
                        (2, Some(s)) => (first.client_y() + s.client_y()) as f64 / 2.0,
                        _ => first.client_y() as f64,
                    };
                    st.touch = Some((first.client_x() as f64, y, super::super::now_ms()));
                }
                // In actual size the browser pans (one finger) and zooms (two): the view moves,
                // not the VM's pointer. A tap still clicks (touchend below).
                if !pans_natively(c) {
                    e.prevent_default();
                }
            }),
        );
        on(
            "touchmove",
            Box::new(|c, canvas, st, ev| {
                let Ok(e) = ev.dyn_into::<TouchEvent>() else { return };
                if pans_natively(c) {
                    return;
                }
                e.prevent_default();
                let t = e.touches();
                let (Some(a), Some(b), Some((x0, y0, t0))) = (t.get(0), t.get(1), st.touch) else { return };
                let y = (a.client_y() + b.client_y()) as f64 / 2.0;
                let dy = y - y0;
                if dy.abs() >= 30.0 {
                    if let Some((x, yy)) = to_framebuffer(canvas, x0, y0) {
                        c.wheel(x, yy, st.buttons, -dy.signum() as i32, 0);
                    }
                    st.touch = Some((x0, y, t0));
                }
            }),
        );
        on(
            "touchend",
            Box::new(|c, canvas, st, ev| {
                let Ok(e) = ev.dyn_into::<TouchEvent>() else { return };
                e.prevent_default();
                let (Some((x, y, t0)), Some(end)) = (st.touch.take(), e.changed_touches().get(0)) else { return };
                let moved = ((end.client_x() as f64 - x).powi(2) + (end.client_y() as f64 - y).powi(2)).sqrt();
                if moved < 12.0 && super::super::now_ms() - t0 < 500.0 {
                    if let Some((fx, fy)) = to_framebuffer(canvas, x, y) {
                        c.pointer(fx, fy, 0);
                        c.pointer(fx, fy, 1);
                        c.pointer(fx, fy, 0);
                    }
                }
            }),
        );
        if let Some(w) = &window {
            on_target(w, "pagehide", Box::new(|c, _, st, _| release_held(c, st)));
        }
        if let Some(d) = &document {
            on_target(
                d,
                "visibilitychange",
                Box::new(|c, _, st, _| {
                    let hidden = web_sys::window()
                        .and_then(|w| w.document())
                        .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Hidden);
                    if hidden {
                        release_held(c, st);
                    }
                }),
            );
            on_target(
                d,
                "pointerlockchange",
                Box::new(|c, canvas, st, _| {
                    let locked = web_sys::window()
                        .and_then(|w| w.document())
                        .and_then(|d| d.pointer_lock_element())
                        .is_some_and(|el: Element| el == ***canvas);
                    if !locked {
                        release_held(c, st);
                    }
                }),
            );
        }
        for (target, name, cb) in &listeners {
            let _ = target.add_event_listener_with_callback(name, cb.as_ref().unchecked_ref());
        }
        InputListeners { listeners, state, canvas: canvas.clone() }
    }

    /// Text input on (the focus to the text field, which opens a touch device's keyboard
    /// and lets an input method compose) or off (the focus back to the canvas). False
    /// where the screen has no text field.
    pub fn set_text_input(&self, on: bool) -> bool {
        let Ok(mut st) = self.state.try_borrow_mut() else { return false };
        let Some(field) = &st.field else { return false };
        if on {
            field.reset();
            field.focus();
        } else {
            let _ = self.canvas.focus();
        }
        st.text_input = on;
        true
    }
}

impl Drop for InputListeners {
    fn drop(&mut self) {
        for (target, name, cb) in &self.listeners {
            let _ = target.remove_event_listener_with_callback(name, cb.as_ref().unchecked_ref());
        }
        // A page may destroy the console from inside one of these listeners.
        crate::web::drop_later(std::mem::take(&mut self.listeners));
    }
}

/// A key an input method or an on-screen keyboard is composing with: what it makes comes
/// as text (`composition_end`, `text_input`), not as this key.
fn composing(e: &KeyboardEvent) -> bool {
    e.is_composing() || e.key_code() == 229
}

fn key_down(c: &mut ConsoleCore, canvas: &HtmlCanvasElement, st: &mut InputState, ev: JsValue) {
    let Ok(e) = ev.dyn_into::<KeyboardEvent>() else { return };
    leave_chord(c, canvas, st, &e, true);
    if composing(&e) || !c.status().input_allowed() {
        return;
    }
    let key = input::key_input(&e.code(), &e.key(), true);
    let locks = (e.get_modifier_state("CapsLock"), e.get_modifier_state("NumLock"));
    if e.code() == "KeyV" && (e.ctrl_key() || e.meta_key()) && c.clipboard_policy().to_vm {
        // The person pastes: the browser's `paste` event follows with their
        // text (not prevented, so it comes); the V waits for it.
        st.paste_key = Some((key, locks));
        return;
    }
    e.prevent_default();
    press(c, st, key, Some(locks), e.code());
}

/// A key the person pressed or released: now, or behind composed text still on its way.
fn press(c: &mut ConsoleCore, st: &mut InputState, key: crate::rfb::KeyInput, locks: Option<(bool, bool)>, code: String) {
    if st.queue.busy() {
        st.queue.push_items([Queued::Pressed(key, locks, code)], c.options().typing_delay_ms);
    } else {
        c.key(key, locks, &code);
    }
}

fn key_up(c: &mut ConsoleCore, canvas: &HtmlCanvasElement, st: &mut InputState, ev: JsValue) {
    let Ok(e) = ev.dyn_into::<KeyboardEvent>() else { return };
    if leave_chord(c, canvas, st, &e, false) {
        e.prevent_default();
        return;
    }
    if composing(&e) || !c.status().input_allowed() {
        return;
    }
    e.prevent_default();
    if e.code() == "KeyV" {
        // No paste event came (nothing to paste): the V goes now.
        if let Some((key, locks)) = st.paste_key.take() {
            c.key(key, Some(locks), "KeyV");
        }
    }
    // A key-up whose key-down went to an input method finds no key down: the core drops it.
    press(c, st, input::key_input(&e.code(), &e.key(), false), None, e.code());
}

/// The only way local text reaches the VM besides the page's own controls: the
/// person's paste into the console (Ctrl/Cmd+V, or the browser's Paste). Never on
/// focus: what they copied for another program stays theirs.
fn paste(c: &mut ConsoleCore, _: &HtmlCanvasElement, st: &mut InputState, ev: JsValue) {
    let Ok(e) = ev.dyn_into::<web_sys::ClipboardEvent>() else { return };
    e.prevent_default();
    let text = e.clipboard_data().and_then(|d| d.get_data("text/plain").ok()).unwrap_or_default();
    if !text.is_empty() && c.status().input_allowed() {
        let _ = c.clipboard_paste(&text);
    }
    if let Some((key, locks)) = st.paste_key.take() {
        c.key(key, Some(locks), "KeyV");
    }
}

/// Composed text's keys join the queue; a refusal is in the status already (the core
/// puts it there).
fn send_composed(c: &mut ConsoleCore, st: &mut InputState, text: &str) {
    if let Ok(keys) = c.plan_composed(text) {
        st.queue.push(keys, c.options().typing_delay_ms);
    }
}

/// An input method's or on-screen keyboard's word, committed.
fn composition_end(c: &mut ConsoleCore, _: &HtmlCanvasElement, st: &mut InputState, ev: JsValue) {
    let Ok(e) = ev.dyn_into::<web_sys::CompositionEvent>() else { return };
    if let Some(text) = e.data().filter(|t| !t.is_empty()) {
        send_composed(c, st, &text);
    }
    if let Some(f) = &st.field {
        f.reset();
    }
}

/// Text put in the field without a composition (an emoji or a suggestion picked, a
/// keyboard that commits at once), and the soft keyboard's Enter and Backspace. While a
/// composition runs its steps are not text yet: `composition_end` sends the result.
fn text_input(c: &mut ConsoleCore, _: &HtmlCanvasElement, st: &mut InputState, ev: JsValue) {
    let Ok(e) = ev.dyn_into::<web_sys::InputEvent>() else { return };
    if e.is_composing() {
        return;
    }
    match e.input_type().as_str() {
        "insertText" | "insertReplacementText" => {
            if let Some(text) = e.data().filter(|t| !t.is_empty()) {
                send_composed(c, st, &text);
            }
        }
        "insertLineBreak" | "insertParagraph" => {
            send_composed(c, st, "\n");
        }
        // Behind any text still on its way, or the wrong letter goes.
        "deleteContentBackward" => st.queue.push(input::combo(&[("Backspace", "Backspace")]), c.options().typing_delay_ms),
        "deleteContentForward" => st.queue.push(input::combo(&[("Delete", "Delete")]), c.options().typing_delay_ms),
        _ => {}
    }
    if let Some(f) = &st.field {
        f.reset();
    }
}

/// Actual-size mode (the screen's container scrolls): touch pans and zooms the view.
fn pans_natively(c: &ConsoleCore) -> bool {
    c.status().scale == crate::console::Scale::Actual
}

fn pointer(c: &mut ConsoleCore, canvas: &HtmlCanvasElement, st: &mut InputState, e: &MouseEvent) {
    let buttons = rfb_buttons(e.buttons());
    st.buttons = buttons;
    let locked =
        web_sys::window().and_then(|w| w.document()).and_then(|d| d.pointer_lock_element()).is_some_and(|el: Element| el == ***canvas);
    if locked {
        c.pointer_motion(e.movement_x(), e.movement_y(), buttons);
    } else if let Some((x, y)) = to_framebuffer(canvas, e.client_x() as f64, e.client_y() as f64) {
        c.pointer(x, y, buttons);
    }
}
