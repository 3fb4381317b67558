//! The page address's fragment: read, set, and watched (`hashchange`).

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// `location.hash`, `None` when there is no window or it is empty.
pub fn fragment() -> Option<String> {
    web_sys::window()?.location().hash().ok().filter(|h| !h.is_empty())
}

/// Sets the fragment when it differs (a new history entry, so Back returns).
pub fn set_fragment(fragment: &str) {
    let Some(w) = web_sys::window() else { return };
    let now = w.location().hash().unwrap_or_default();
    // "#/" and no fragment at all both mean the list: do not add an entry for that.
    if now == fragment || (fragment == "#/" && now.is_empty()) {
        return;
    }
    let _ = w.location().set_hash(fragment);
}

/// Calls `f` with the new fragment on every `hashchange`, until dropped.
pub fn on_fragment_change(f: impl Fn(String) + 'static) -> Option<FragmentListener> {
    let window = web_sys::window()?;
    let cb = Closure::<dyn FnMut()>::new(move || f(fragment().unwrap_or_default()));
    window.add_event_listener_with_callback("hashchange", cb.as_ref().unchecked_ref()).ok()?;
    Some(FragmentListener { cb })
}

pub struct FragmentListener {
    cb: Closure<dyn FnMut()>,
}

impl Drop for FragmentListener {
    fn drop(&mut self) {
        if let Some(w) = web_sys::window() {
            let _ = w.remove_event_listener_with_callback("hashchange", self.cb.as_ref().unchecked_ref());
        }
    }
}
