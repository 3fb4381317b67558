//! The console's canvas: the framebuffer's damage goes in with `putImageData`, straight
//! from a view of wasm memory, at most once per animation frame (the runner schedules
//! it); decoded JPEG/PNG rectangles are drawn straight in, and read back only when the
//! engine asks.

use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlImageElement, ImageData};

use crate::rfb::{Framebuffer, Rect};

pub struct Painter {
    canvas: HtmlCanvasElement,
    ctx: CanvasRenderingContext2d,
}

impl Painter {
    pub fn new(canvas: HtmlCanvasElement) -> Result<Self, String> {
        let ctx = canvas
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
            .ok_or("This browser cannot draw on a canvas.")?;
        Ok(Painter { canvas, ctx })
    }

    pub fn canvas(&self) -> &HtmlCanvasElement {
        &self.canvas
    }

    /// The desktop's size; the canvas's backing store follows it.
    pub fn resize(&self, width: u32, height: u32) {
        self.canvas.set_width(width);
        self.canvas.set_height(height);
    }

    /// Puts the damaged rectangles; true when something was drawn.
    pub fn paint(&self, fb: &Framebuffer, damage: &[Rect]) -> bool {
        if damage.is_empty() {
            return false;
        }
        // A view of wasm memory, built right before use (memory growth detaches old views).
        let Ok(image) = ImageData::new_with_u8_clamped_array_and_sh(Clamped(fb.pixels()), fb.width(), fb.height()) else { return false };
        for r in damage {
            let _ = self.ctx.put_image_data_with_dirty_x_and_dirty_y_and_dirty_width_and_dirty_height(
                &image, 0.0, 0.0, r.x as f64, r.y as f64, r.w as f64, r.h as f64,
            );
        }
        true
    }

    /// Draws a decoded image at `x`,`y`. A picture that may be transparent replaces what
    /// was there, as the engine's own pixels would, rather than blending over it.
    pub fn draw_image(&self, img: &HtmlImageElement, x: u32, y: u32, may_be_transparent: bool) -> Result<(), String> {
        if may_be_transparent {
            self.ctx.clear_rect(x as f64, y as f64, img.natural_width() as f64, img.natural_height() as f64);
        }
        self.ctx
            .draw_image_with_html_image_element(img, x as f64, y as f64)
            .map_err(|_| "the browser could not draw a decoded image".to_owned())
    }

    /// The canvas's RGBA under each rectangle, in order.
    pub fn read(&self, rects: &[Rect]) -> Result<Vec<Vec<u8>>, String> {
        rects
            .iter()
            .map(|r| {
                self.ctx
                    .get_image_data(r.x as f64, r.y as f64, r.w as f64, r.h as f64)
                    .map(|d| d.data().0)
                    .map_err(|_| "the browser would not read the console's canvas".to_owned())
            })
            .collect()
    }
}

/// A decoded image's RGBA, read through a scratch canvas of its size (for the update
/// cache, whose pictures the engine keeps).
pub fn pixels_of(img: &HtmlImageElement) -> Result<Vec<u8>, String> {
    let fail = || "the browser would not read a decoded image's pixels".to_owned();
    let (w, h) = (img.natural_width(), img.natural_height());
    let canvas = web_sys::window().and_then(|w| w.document()).and_then(|d| d.create_element("canvas").ok()).ok_or_else(fail)?;
    let canvas: HtmlCanvasElement = canvas.dyn_into().map_err(|_| fail())?;
    canvas.set_width(w);
    canvas.set_height(h);
    let ctx = canvas.get_context("2d").ok().flatten().and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok()).ok_or_else(fail)?;
    ctx.draw_image_with_html_image_element(img, 0.0, 0.0).map_err(|_| fail())?;
    ctx.get_image_data(0.0, 0.0, w as f64, h as f64).map(|d| d.data().0).map_err(|_| fail())
}
