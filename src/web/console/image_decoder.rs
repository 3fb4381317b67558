//! JPEG and PNG rectangles through the browser's own decoder (`createImageBitmap`),
//! read back as RGBA for the framebuffer through one reused scratch canvas. The engine
//! has already checked each image's header against its rectangle.

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
    let ctx = scratch(width, height)?;
    ctx.draw_image_with_image_bitmap(&bitmap, 0.0, 0.0).map_err(|_| "drawImage")?;
    bitmap.close();
    let image = ctx.get_image_data(0.0, 0.0, width as f64, height as f64).map_err(|_| "getImageData")?;
    Ok(image.data().0)
}

thread_local! {
    /// One scratch canvas for every image of the page, grown as needed, rather than a
    /// new canvas (and its backing store) per rectangle.
    static SCRATCH: std::cell::RefCell<Option<(HtmlCanvasElement, CanvasRenderingContext2d)>> = const { std::cell::RefCell::new(None) };
}

/// The scratch canvas's context, at least `width`×`height`, with that area clear.
fn scratch(width: u32, height: u32) -> Result<CanvasRenderingContext2d, String> {
    SCRATCH.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
            let canvas: HtmlCanvasElement = document.create_element("canvas").map_err(|_| "canvas")?.dyn_into().map_err(|_| "canvas")?;
            let ctx = canvas
                .get_context_with_context_options("2d", &js_sys::JSON::parse(r#"{"willReadFrequently":true}"#).unwrap_or(wasm_bindgen::JsValue::NULL))
                .ok()
                .flatten()
                .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
                .ok_or("no 2d context")?;
            *slot = Some((canvas, ctx));
        }
        let (canvas, ctx) = slot.as_ref().ok_or("no scratch canvas")?;
        if canvas.width() < width || canvas.height() < height {
            canvas.set_width(canvas.width().max(width));
            canvas.set_height(canvas.height().max(height));
        }
        // An image with transparency must not show what an earlier one left.
        ctx.clear_rect(0.0, 0.0, width as f64, height as f64);
        Ok(ctx.clone())
    })
}
