//! The console's canvas, and a back canvas for decoded images. The screen shows only
//! whole updates: an update's JPEG/PNG rectangles arrive over several tasks, so they are
//! drawn into the back canvas (with the framebuffer's damage put before each, to keep
//! the order), and `show` flips what changed there to the visible canvas at the update's
//! end. Damage shown while no image waits goes straight from a view of wasm memory to
//! the visible canvas with `putImageData`, as it always did: streams without images never
//! touch the back canvas (whose backing store the browser then never allocates), and the
//! back canvas catches up from the visible one before its next use. Read-backs read the
//! back canvas.

use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlImageElement, ImageData};

use crate::rfb::{Framebuffer, Rect};

/// Above this many rectangles a list is merged to its bounding box.
const MAX_RECTS: usize = 64;

pub struct Painter {
    canvas: HtmlCanvasElement,
    ctx: CanvasRenderingContext2d,
    back: HtmlCanvasElement,
    back_ctx: CanvasRenderingContext2d,
    /// Changed in the back canvas since the last show.
    unshown: Vec<Rect>,
    /// Shown straight on the visible canvas, not yet in the back canvas.
    behind: Vec<Rect>,
}

fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok().flatten().and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
}

/// A canvas in `document`, not in the page.
fn offscreen(document: Option<web_sys::Document>) -> Option<HtmlCanvasElement> {
    document?.create_element("canvas").ok()?.dyn_into().ok()
}

/// `rects`, merged to their bounding box when there are many.
fn bounded(rects: &mut Vec<Rect>) {
    if rects.len() > MAX_RECTS {
        let all = rects.iter().skip(1).fold(rects[0], |a, r| a.union(r));
        *rects = vec![all];
    }
}

/// Copies `rects` from `from` onto `to`, replacing (not blending) what was there.
fn copy(to: &CanvasRenderingContext2d, from: &HtmlCanvasElement, rects: &mut Vec<Rect>) {
    bounded(rects);
    for r in rects.drain(..) {
        let (x, y, w, h) = (r.x as f64, r.y as f64, r.w as f64, r.h as f64);
        to.clear_rect(x, y, w, h);
        let _ = to.draw_image_with_html_canvas_element_and_sw_and_sh_and_dx_and_dy_and_dw_and_dh(from, x, y, w, h, x, y, w, h);
    }
}

/// The damaged rectangles of `fb` into `ctx`, from a view of wasm memory.
fn put(ctx: &CanvasRenderingContext2d, fb: &Framebuffer, damage: &[Rect]) {
    // Built right before use (memory growth detaches old views).
    let Ok(image) = ImageData::new_with_u8_clamped_array_and_sh(Clamped(fb.pixels()), fb.width(), fb.height()) else { return };
    for r in damage {
        let _ = ctx.put_image_data_with_dirty_x_and_dirty_y_and_dirty_width_and_dirty_height(
            &image, 0.0, 0.0, r.x as f64, r.y as f64, r.w as f64, r.h as f64,
        );
    }
}

impl Painter {
    pub fn new(canvas: HtmlCanvasElement) -> Result<Self, String> {
        const NO_CANVAS: &str = "This browser cannot draw on a canvas.";
        let ctx = context(&canvas).ok_or(NO_CANVAS)?;
        let back = offscreen(canvas.owner_document()).ok_or(NO_CANVAS)?;
        let back_ctx = context(&back).ok_or(NO_CANVAS)?;
        Ok(Painter { canvas, ctx, back, back_ctx, unshown: Vec::new(), behind: Vec::new() })
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
        self.unshown.clear();
        self.behind.clear();
    }

    /// The back canvas catches up with what was shown straight on the visible one.
    fn catch_up(&mut self) {
        if !self.behind.is_empty() {
            copy(&self.back_ctx, &self.canvas, &mut self.behind);
        }
    }

    /// The damage so far into the back canvas, inside an update (before an image that
    /// must land on top of it).
    pub fn paint_back(&mut self, fb: &Framebuffer, damage: &[Rect]) {
        if damage.is_empty() {
            return;
        }
        self.catch_up();
        put(&self.back_ctx, fb, damage);
        self.unshown.extend_from_slice(damage);
    }

    /// Shows a whole update: its remaining damage, and what its images changed in the
    /// back canvas. Call it only when the framebuffer and the back canvas hold a whole
    /// update (the core says when).
    pub fn show(&mut self, fb: &Framebuffer, damage: &[Rect]) {
        if self.unshown.is_empty() {
            put(&self.ctx, fb, damage);
            self.behind.extend_from_slice(damage);
            bounded(&mut self.behind);
        } else {
            self.paint_back(fb, damage);
            copy(&self.ctx, &self.back, &mut self.unshown);
        }
    }

    /// Draws a decoded image at `x`,`y`. A picture that may be transparent replaces what
    /// was there, as the engine's own pixels would, rather than blending over it.
    pub fn draw_image(&mut self, img: &HtmlImageElement, x: u32, y: u32, may_be_transparent: bool) -> Result<(), String> {
        self.catch_up();
        let (w, h) = (img.natural_width(), img.natural_height());
        if may_be_transparent {
            self.back_ctx.clear_rect(x as f64, y as f64, w as f64, h as f64);
        }
        self.unshown.push(Rect::new(x, y, w, h));
        self.back_ctx
            .draw_image_with_html_image_element(img, x as f64, y as f64)
            .map_err(|_| "the browser could not draw a decoded image".to_owned())
    }

    /// The back canvas's RGBA under each rectangle, in order.
    pub fn read(&mut self, rects: &[Rect]) -> Result<Vec<Vec<u8>>, String> {
        self.catch_up();
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
    let canvas = offscreen(web_sys::window().and_then(|w| w.document())).ok_or_else(fail)?;
    canvas.set_width(w);
    canvas.set_height(h);
    let ctx = context(&canvas).ok_or_else(fail)?;
    ctx.draw_image_with_html_image_element(img, 0.0, 0.0).map_err(|_| fail())?;
    ctx.get_image_data(0.0, 0.0, w as f64, h as f64).map(|d| d.data().0).map_err(|_| fail())
}
