//! JPEG and PNG rectangles through the browser's own decoder (`createImageBitmap`, off
//! the main thread in Chromium). The driver draws the bitmap straight onto the console's
//! canvas; the engine has already checked each image's header against its rectangle.

use js_sys::Uint8Array;
use wasm_bindgen::JsCast;
use web_sys::ImageBitmap;

use crate::rfb::ImageFormat;

/// Decodes `data`; fails unless the picture is exactly `width`×`height`.
pub async fn decode(format: ImageFormat, data: &[u8], width: u32, height: u32) -> Result<ImageBitmap, String> {
    let window = web_sys::window().ok_or("no window")?;
    let parts = js_sys::Array::of1(&Uint8Array::from(data).into());
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(format.mime());
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts).map_err(|_| "blob")?;
    let promise = window.create_image_bitmap_with_blob(&blob).map_err(|_| "createImageBitmap")?;
    let bitmap: ImageBitmap = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|_| format!("the browser could not decode a {} rectangle", format.mime()))?
        .dyn_into()
        .map_err(|_| "not an ImageBitmap")?;
    if (bitmap.width(), bitmap.height()) != (width, height) {
        let sentence = format!("image is {}x{}, its rectangle {width}x{height}", bitmap.width(), bitmap.height());
        bitmap.close();
        return Err(sentence);
    }
    Ok(bitmap)
}
