//! Fullscreen and Keyboard Lock.

use wasm_bindgen::JsCast;

/// Fullscreen on the console section, with Keyboard Lock where the browser offers it
/// (so Escape, Alt+Tab and friends reach the VM).
pub fn toggle(element: &web_sys::Element) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    if doc.fullscreen_element().is_some() {
        doc.exit_fullscreen();
        return;
    }
    let _ = element.request_fullscreen();
    if let Some(nav) = web_sys::window().map(|w| w.navigator()) {
        let keyboard = js_sys::Reflect::get(&nav, &"keyboard".into()).unwrap_or(wasm_bindgen::JsValue::UNDEFINED);
        if let Ok(lock) = js_sys::Reflect::get(&keyboard, &"lock".into()).and_then(|f| f.dyn_into::<js_sys::Function>()) {
            let _ = lock.call0(&keyboard);
        }
    }
}

/// Calls `f` with the fullscreen element (or `None`) on every `fullscreenchange`,
/// until dropped.
pub fn on_change(f: impl Fn(Option<web_sys::Element>) + 'static) -> Option<ChangeListener> {
    let doc = web_sys::window()?.document()?;
    let doc2 = doc.clone();
    let cb = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || f(doc2.fullscreen_element()));
    doc.add_event_listener_with_callback("fullscreenchange", cb.as_ref().unchecked_ref()).ok()?;
    Some(ChangeListener { doc, cb })
}

pub struct ChangeListener {
    doc: web_sys::Document,
    cb: wasm_bindgen::closure::Closure<dyn FnMut()>,
}

impl Drop for ChangeListener {
    fn drop(&mut self) {
        let _ = self.doc.remove_event_listener_with_callback("fullscreenchange", self.cb.as_ref().unchecked_ref());
    }
}
