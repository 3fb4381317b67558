//! The server's cursor as the canvas's CSS cursor (set through CSSOM, which a strict
//! `style-src` allows), hidden and shown again as the server says.

use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

use crate::rfb::CursorImage;

pub struct CursorStyle {
    canvas: HtmlCanvasElement,
    /// The CSS `cursor` value of the server's shape; shown whenever the cursor is visible.
    shape: String,
    visible: bool,
}

impl CursorStyle {
    pub fn new(canvas: HtmlCanvasElement) -> Self {
        CursorStyle { canvas, shape: "default".into(), visible: true }
    }

    /// A PNG data URL with its hotspot. Browsers ignore cursors over 128 px; those fall
    /// back to the default.
    pub fn set_image(&mut self, img: &CursorImage) {
        self.shape = css_cursor(img).unwrap_or_else(|| "default".into());
        self.apply();
    }

    pub fn set_visible(&mut self, visible: bool) {
        self.visible = visible;
        self.apply();
    }

    fn apply(&self) {
        let value = if self.visible { self.shape.as_str() } else { "none" };
        let _ = self.canvas.style().set_property("cursor", value);
    }
}

fn css_cursor(img: &CursorImage) -> Option<String> {
    if img.width == 0 || img.height == 0 || img.width > 128 || img.height > 128 {
        return None;
    }
    let doc = web_sys::window()?.document()?;
    let scratch = doc.create_element("canvas").ok()?.unchecked_into::<HtmlCanvasElement>();
    scratch.set_width(img.width);
    scratch.set_height(img.height);
    let ctx = scratch.get_context("2d").ok()??.dyn_into::<CanvasRenderingContext2d>().ok()?;
    let data = ImageData::new_with_u8_clamped_array_and_sh(Clamped(&img.rgba), img.width, img.height).ok()?;
    ctx.put_image_data(&data, 0.0, 0.0).ok()?;
    let url = scratch.to_data_url_with_type("image/png").ok()?;
    Some(format!("url(\"{url}\") {} {}, default", img.hotspot_x, img.hotspot_y))
}
