//! The local clipboard, where the browser grants it: text the VM copies is written to
//! it, and text copied locally goes to the VM when the console gets focus (as a person
//! expects after copying in another window). Without permission nothing happens here,
//! and the page's clipboard panel is the way.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::HtmlCanvasElement;

use super::driver::{act, Shared};

/// The text last exchanged either way, so a focus does not send the VM back what it
/// just copied, or the same text twice.
#[derive(Default)]
pub struct LastText(RefCell<Option<String>>);

/// Writes the VM's text to the local clipboard (best effort: the page may lack focus).
pub fn write_local(text: &str, last: &Rc<LastText>) {
    *last.0.borrow_mut() = Some(text.to_owned());
    let Some(clipboard) = web_sys::window().map(|w| w.navigator().clipboard()) else { return };
    let promise = clipboard.write_text(text);
    spawn_local(async move {
        let _ = JsFuture::from(promise).await;
    });
}

/// Is `clipboard-read` granted already? Never asks: a prompt on every focus would be a nuisance.
async fn read_granted() -> bool {
    let Some(permissions) = web_sys::window().and_then(|w| w.navigator().permissions().ok()) else { return false };
    let descriptor = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&descriptor, &"name".into(), &"clipboard-read".into());
    let Ok(query) = permissions.query(&descriptor) else { return false };
    let Ok(status) = JsFuture::from(query).await else { return false };
    status.dyn_into::<web_sys::PermissionStatus>().is_ok_and(|s| s.state() == web_sys::PermissionState::Granted)
}

/// The focus listener that sends local clipboard text to the VM.
pub struct FocusPaste {
    canvas: HtmlCanvasElement,
    cb: Closure<dyn FnMut(JsValue)>,
}

impl FocusPaste {
    pub fn attach(canvas: &HtmlCanvasElement, shared: Weak<RefCell<Shared>>, last: Rc<LastText>) -> FocusPaste {
        let cb = Closure::<dyn FnMut(JsValue)>::new(move |_| {
            let (shared, last) = (shared.clone(), last.clone());
            let wanted = shared
                .upgrade()
                .is_some_and(|s| s.try_borrow().is_ok_and(|s| s.core.clipboard_policy().to_vm && s.core.status().input_allowed()));
            if !wanted {
                return;
            }
            spawn_local(async move {
                if !read_granted().await {
                    return;
                }
                let Some(clipboard) = web_sys::window().map(|w| w.navigator().clipboard()) else { return };
                let Ok(text) = JsFuture::from(clipboard.read_text()).await else { return };
                let Some(text) = text.as_string().filter(|t| !t.is_empty()) else { return };
                if last.0.borrow().as_deref() == Some(text.as_str()) {
                    return;
                }
                *last.0.borrow_mut() = Some(text.clone());
                if let Some(rc) = shared.upgrade() {
                    let _ = act(&rc, |c| c.clipboard_paste(&text));
                }
            });
        });
        let _ = canvas.add_event_listener_with_callback("focus", cb.as_ref().unchecked_ref());
        FocusPaste { canvas: canvas.clone(), cb }
    }
}

impl Drop for FocusPaste {
    fn drop(&mut self) {
        let _ = self.canvas.remove_event_listener_with_callback("focus", self.cb.as_ref().unchecked_ref());
    }
}

/// The local clipboard's text, asking the browser if need be (call from a click: the
/// browser prompts once and remembers). `None` when refused or empty.
pub async fn read_local() -> Option<String> {
    let clipboard = web_sys::window()?.navigator().clipboard();
    JsFuture::from(clipboard.read_text()).await.ok()?.as_string().filter(|t| !t.is_empty())
}
