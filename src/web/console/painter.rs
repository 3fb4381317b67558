//! The console's canvas, behind a back canvas: the framebuffer's damage goes into the
//! back canvas with `putImageData`, straight from a view of wasm memory, and decoded
//! JPEG/PNG rectangles are drawn into it as they come; `flip` copies what changed to the
//! visible canvas only when the engine holds a whole update, so the screen never shows
//! part of one (an update's images arrive over several tasks, and a stream may stall
//! inside an update). Read-backs read the back canvas.

use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlImageElement, ImageData};

use crate::rfb::{Framebuffer, Rect};

/// Above this many changed rectangles a flip copies their bounding box instead.
const MAX_FLIP_RECTS: usize = 64;

pub struct Painter {
    canvas: HtmlCanvasElement,
    ctx: CanvasRenderingContext2d,
    back: HtmlCanvasElement,
    back_ctx: CanvasRenderingContext2d,
    /// What changed in the back canvas since the last flip.
    changed: Vec<Rect>,
}

fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok().flatten().and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
}

impl Painter {
    pub fn new(canvas: HtmlCanvasElement) -> Result<Self, String> {
        const NO_CANVAS: &str = "This browser cannot draw on a canvas.";
        let ctx = context(&canvas).ok_or(NO_CANVAS)?;
        let back: HtmlCanvasElement =
            canvas.owner_document().and_then(|d| d.create_element("canvas").ok()).and_then(|c| c.dyn_into().ok()).ok_or(NO_CANVAS)?;
        let back_ctx = context(&back).ok_or(NO_CANVAS)?;
        Ok(Painter { canvas, ctx, back, back_ctx, changed: Vec::new() })
    }

    pub fn canvas(&self) -> &HtmlCanvasElement {
        &self.canvas
    }

    /// The desktop's size; both canvases' backing stores follow it (and start blank).
    pub fn resize(&mut self, width: u32, height: u32) {
        for c in [&self.canvas, &self.back] {
            c.set_width(width);
            c.set_height(height);
        }
        self.changed.clear();
    }

    /// Puts the damaged rectangles into the back canvas; true when something was drawn.
    pub fn paint(&mut self, fb: &Framebuffer, damage: &[Rect]) -> bool {
        if damage.is_empty() {
            return false;
        }
        // A view of wasm memory, built right before use (memory growth detaches old views).
        let Ok(image) = ImageData::new_with_u8_clamped_array_and_sh(Clamped(fb.pixels()), fb.width(), fb.height()) else { return false };
        for r in damage {
            let _ = self.back_ctx.put_image_data_with_dirty_x_and_dirty_y_and_dirty_width_and_dirty_height(
                &image, 0.0, 0.0, r.x as f64, r.y as f64, r.w as f64, r.h as f64,
            );
        }
        self.changed.extend_from_slice(damage);
        true
    }

    /// Shows what changed in the back canvas since the last flip. Call it only when the
    /// back canvas holds a whole update.
    pub fn flip(&mut self) {
        if self.changed.len() > MAX_FLIP_RECTS {
            let all = self.changed.iter().skip(1).fold(self.changed[0], |a, r| a.union(r));
            self.changed = vec![all];
        }
        for r in self.changed.drain(..) {
            let (x, y, w, h) = (r.x as f64, r.y as f64, r.w as f64, r.h as f64);
            // Replaced, not blended: what the back canvas holds is the picture.
            self.ctx.clear_rect(x, y, w, h);
            let _ =
                self.ctx.draw_image_with_html_canvas_element_and_sw_and_sh_and_dx_and_dy_and_dw_and_dh(&self.back, x, y, w, h, x, y, w, h);
        }
    }

    /// Draws a decoded image at `x`,`y`. A picture that may be transparent replaces what
    /// was there, as the engine's own pixels would, rather than blending over it.
    pub fn draw_image(&mut self, img: &HtmlImageElement, x: u32, y: u32, may_be_transparent: bool) -> Result<(), String> {
        let (w, h) = (img.natural_width(), img.natural_height());
        if may_be_transparent {
            self.back_ctx.clear_rect(x as f64, y as f64, w as f64, h as f64);
        }
        self.changed.push(Rect::new(x, y, w, h));
        self.back_ctx
            .draw_image_with_html_image_element(img, x as f64, y as f64)
            .map_err(|_| "the browser could not draw a decoded image".to_owned())
    }

    /// The back canvas's RGBA under each rectangle, in order.
    pub fn read(&self, rects: &[Rect]) -> Result<Vec<Vec<u8>>, String> {
        rects
            .iter()
            .map(|r| {
                self.back_ctx
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
