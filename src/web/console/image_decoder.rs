//! JPEG and PNG rectangles through the browser's own decoder (`createImageBitmap`),
//! read back as RGBA for the framebuffer.

use js_sys::Uint8Array;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use crate::rfb::ImageFormat;

/// Decodes `data`; fails unless the picture is exactly `width`×`height`.
pub async fn decode(format: ImageFormat, data: &[u8], width: u32, height: u32) -> Result<Vec<u8>, String> {
    let window = web_sys::window().ok_or("no window")?;
    let parts = js_sys::Array::of1(&Uint8Array::from(data).into());
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(format.mime());
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts).map_err(|_| "blob")?;
    let promise = window.create_image_bitmap_with_blob(&blob).map_err(|_| "createImageBitmap")?;
    let bitmap: web_sys::ImageBitmap = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|_| format!("the browser could not decode a {} rectangle", format.mime()))?
        .dyn_into()
        .map_err(|_| "not an ImageBitmap")?;
    if (bitmap.width(), bitmap.height()) != (width, height) {
        return Err(format!("image is {}x{}, its rectangle {width}x{height}", bitmap.width(), bitmap.height()));
    }
    let document = window.document().ok_or("no document")?;
    let scratch: HtmlCanvasElement = document.create_element("canvas").map_err(|_| "canvas")?.dyn_into().map_err(|_| "canvas")?;
    scratch.set_width(width);
    scratch.set_height(height);
    let ctx: CanvasRenderingContext2d = scratch.get_context("2d").ok().flatten().and_then(|c| c.dyn_into().ok()).ok_or("no 2d context")?;
    ctx.draw_image_with_image_bitmap(&bitmap, 0.0, 0.0).map_err(|_| "drawImage")?;
    bitmap.close();
    let image = ctx.get_image_data(0.0, 0.0, width as f64, height as f64).map_err(|_| "getImageData")?;
    Ok(image.data().0)
}
