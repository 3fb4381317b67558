//! The local clipboard, touched only by a person's act (`console::consent`): the VM's
//! text is written when it answers the person's copy shortcut or when they press the
//! copy control, and local text is read only on their paste (the `paste` event, in
//! `input.rs`) or their "Paste as typing".

use wasm_bindgen_futures::{spawn_local, JsFuture};

/// Writes the VM's text to the local clipboard (best effort: the page may lack focus).
pub fn write_local(text: &str) {
    let Some(clipboard) = web_sys::window().map(|w| w.navigator().clipboard()) else { return };
    let promise = clipboard.write_text(text);
    spawn_local(async move {
        let _ = JsFuture::from(promise).await;
    });
}

/// The local clipboard's text, asking the browser if need be (call from a click: the
/// browser prompts once and remembers). `None` when refused or empty.
pub async fn read_local() -> Option<String> {
    let clipboard = web_sys::window()?.navigator().clipboard();
    JsFuture::from(clipboard.read_text()).await.ok()?.as_string().filter(|t| !t.is_empty())
}
