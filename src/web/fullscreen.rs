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
