//! Browser timers as values: dropping one cancels it.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// A repeating timer (`setInterval`).
pub struct Interval {
    id: i32,
    _cb: Closure<dyn FnMut()>,
}

impl Interval {
    pub fn new(ms: i32, f: impl FnMut() + 'static) -> Option<Interval> {
        let cb = Closure::<dyn FnMut()>::new(f);
        let id = web_sys::window()?.set_interval_with_callback_and_timeout_and_arguments_0(cb.as_ref().unchecked_ref(), ms).ok()?;
        Some(Interval { id, _cb: cb })
    }
}

impl Drop for Interval {
    fn drop(&mut self) {
        if let Some(w) = web_sys::window() {
            w.clear_interval_with_handle(self.id);
        }
    }
}

/// A one-shot timer that is cancelled when dropped.
pub struct Timeout {
    id: i32,
    _cb: Closure<dyn FnMut()>,
}

impl Timeout {
    pub fn new(ms: i32, f: impl FnOnce() + 'static) -> Option<Timeout> {
        let mut f = Some(f);
        let cb = Closure::<dyn FnMut()>::new(move || {
            if let Some(f) = f.take() {
                f();
            }
        });
        let id = web_sys::window()?.set_timeout_with_callback_and_timeout_and_arguments_0(cb.as_ref().unchecked_ref(), ms).ok()?;
        Some(Timeout { id, _cb: cb })
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        if let Some(w) = web_sys::window() {
            w.clear_timeout_with_handle(self.id);
        }
    }
}

/// Waits `ms` milliseconds (a `setTimeout` promise).
pub async fn sleep_ms(ms: u32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
}
