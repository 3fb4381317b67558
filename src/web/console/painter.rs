//! Draws the framebuffer's damage into the canvas with `putImageData`, straight from a
//! view of wasm memory, at most once per animation frame (the runner schedules it).

use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

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
}
