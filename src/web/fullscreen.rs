//! Fullscreen and Keyboard Lock.

use wasm_bindgen::JsCast;

/// Fullscreen on the console section, toggled.
pub fn toggle(element: &web_sys::Element) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    if doc.fullscreen_element().is_some() {
        doc.exit_fullscreen();
        return;
    }
    let _ = enter(element);
}

/// Fullscreen with the keyboard locked where the browser has any form of it, so Escape,
/// Alt+Tab and the Windows key reach the VM: the fullscreen request's
/// `keyboardLock: "browser"` (Firefox, Safari; browsers without it ignore the member)
/// and `navigator.keyboard.lock()` (Chromium). The request's promise.
pub fn enter(element: &web_sys::Element) -> js_sys::Promise {
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"keyboardLock".into(), &"browser".into());
    let request = js_sys::Reflect::get(element, &"requestFullscreen".into()).ok().and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let promise = match request.map(|f| f.call1(element, &options)) {
        Some(Ok(p)) => p.dyn_into::<js_sys::Promise>().unwrap_or_else(|_| js_sys::Promise::resolve(&wasm_bindgen::JsValue::UNDEFINED)),
        _ => js_sys::Promise::reject(&"This browser has no fullscreen.".into()),
    };
    if let Some(nav) = web_sys::window().map(|w| w.navigator()) {
        let keyboard = js_sys::Reflect::get(&nav, &"keyboard".into()).unwrap_or(wasm_bindgen::JsValue::UNDEFINED);
        if let Ok(lock) = js_sys::Reflect::get(&keyboard, &"lock".into()).and_then(|f| f.dyn_into::<js_sys::Function>()) {
            if let Ok(p) = lock.call0(&keyboard).and_then(|p| p.dyn_into::<js_sys::Promise>()) {
                // A refused lock (not fullscreen yet, or not allowed) changes nothing.
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
                });
            }
        }
    }
    promise
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
