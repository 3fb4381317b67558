//! The console screen as a PNG download.

use wasm_bindgen::JsCast;

/// Saves the screen as a PNG file.
pub fn download_png(canvas: &web_sys::HtmlCanvasElement, vm: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    let Ok(url) = canvas.to_data_url_with_type("image/png") else { return };
    let Ok(a) = doc.create_element("a") else { return };
    let _ = a.set_attribute("href", &url);
    let _ = a.set_attribute("download", &format!("{vm}-screen.png"));
    if let Ok(a) = a.dyn_into::<web_sys::HtmlElement>() {
        a.click();
    }
}
