//! The console's screen in the page: how the canvas sits in its container for each
//! scale (through CSSOM: a strict CSP refuses style attributes), and the container's
//! size, watched with a `ResizeObserver`, for the core's `Remote` scale. One owner for
//! both the Yew console and the JavaScript API.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{HtmlCanvasElement, HtmlElement, ResizeObserver};

use crate::console::Scale;

use super::driver::{act_weak, WeakShared};

/// The observer and the callback it calls, kept together.
type Watch = (ResizeObserver, Closure<dyn FnMut(JsValue)>);

pub struct Screen {
    container: Option<HtmlElement>,
    canvas: HtmlCanvasElement,
    /// What the styles were last set for.
    applied: Option<(Scale, Option<(u32, u32)>)>,
    observer: Option<Watch>,
}

impl Screen {
    /// The canvas's parent is the container it fits.
    pub fn new(canvas: &HtmlCanvasElement) -> Screen {
        let container = canvas.parent_element().and_then(|p| p.dyn_into::<HtmlElement>().ok());
        Screen { container, canvas: canvas.clone(), applied: None, observer: None }
    }

    /// Starts reporting the container's size to the core, which asks the guest for it
    /// in `Remote` scale.
    pub fn watch(&mut self, shared: WeakShared) {
        let Some(container) = self.container.clone() else { return };
        let cb = Closure::<dyn FnMut(JsValue)>::new(move |_| {
            let (w, h) = (container.client_width().max(0) as u32, container.client_height().max(0) as u32);
            act_weak(&shared, |c| c.fit_guest(w, h));
        });
        if let Ok(observer) = ResizeObserver::new(cb.as_ref().unchecked_ref()) {
            if let Some(c) = &self.container {
                observer.observe(c);
            }
            self.observer = Some((observer, cb));
        }
    }

    /// The container's size in CSS pixels.
    pub fn size(&self) -> (u32, u32) {
        self.container.as_ref().map_or((0, 0), |c| (c.client_width().max(0) as u32, c.client_height().max(0) as u32))
    }

    /// Styles for `scale` and the desktop's size: in actual size one framebuffer pixel per
    /// device pixel (crisp on HiDPI) in a container that scrolls, where touch pans and
    /// pinch-zooms the view; otherwise the canvas fitted and centred.
    pub fn apply(&mut self, scale: Scale, desktop: Option<(u32, u32)>) {
        if self.applied == Some((scale, desktop)) {
            return;
        }
        self.applied = Some((scale, desktop));
        let c = self.canvas.style();
        let set = |s: &web_sys::CssStyleDeclaration, k: &str, v: &str| {
            let _ = s.set_property(k, v);
        };
        let actual = scale == Scale::Actual;
        match (actual, desktop) {
            (true, Some((w, h))) => {
                let dpr = web_sys::window().map(|w| w.device_pixel_ratio()).unwrap_or(1.0).max(1.0);
                set(&c, "max-width", "none");
                set(&c, "max-height", "none");
                set(&c, "width", &format!("{}px", w as f64 / dpr));
                set(&c, "height", &format!("{}px", h as f64 / dpr));
            }
            _ => {
                set(&c, "max-width", "100%");
                set(&c, "max-height", "100%");
                set(&c, "width", "auto");
                set(&c, "height", "auto");
            }
        }
        if let Some(container) = &self.container {
            let s = container.style();
            set(&s, "overflow", if actual { "auto" } else { "hidden" });
            set(&s, "align-items", if actual { "flex-start" } else { "center" });
            set(&s, "justify-content", if actual { "flex-start" } else { "center" });
            set(&s, "touch-action", if actual { "pan-x pan-y pinch-zoom" } else { "" });
        }
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        if let Some((observer, cb)) = self.observer.take() {
            observer.disconnect();
            // The browser may be running the callback: freed on the next microtask.
            crate::web::drop_later(cb);
        }
    }
}
