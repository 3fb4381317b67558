//! The RGBA framebuffer and the damage since the last draw.

use super::error::RfbError;
use super::limits::{MAX_AREA, MAX_CANVAS_ONLY_RECTS, MAX_DAMAGE_RECTS, MAX_SIDE};
use super::pixels::store;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rect {
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
}

impl Rect {
    pub fn new(x: u32, y: u32, w: u32, h: u32) -> Self {
        Rect { x, y, w, h }
    }

    pub fn union(&self, o: &Rect) -> Rect {
        let x0 = self.x.min(o.x);
        let y0 = self.y.min(o.y);
        let x1 = (self.x + self.w).max(o.x + o.w);
        let y1 = (self.y + self.h).max(o.y + o.h);
        Rect::new(x0, y0, x1 - x0, y1 - y0)
    }

    pub fn area(&self) -> u64 {
        self.w as u64 * self.h as u64
    }

    /// The pixels the two share, if any.
    pub fn intersection(&self, o: &Rect) -> Option<Rect> {
        if !self.intersects(o) {
            return None;
        }
        let x0 = self.x.max(o.x);
        let y0 = self.y.max(o.y);
        let x1 = (self.x + self.w).min(o.x + o.w);
        let y1 = (self.y + self.h).min(o.y + o.h);
        Some(Rect::new(x0, y0, x1 - x0, y1 - y0))
    }

    /// What is left of `self` once `cut` is taken away: up to four rectangles (a band
    /// above, one below, and the two sides between them), none of them empty.
    pub fn minus(&self, cut: &Rect) -> Vec<Rect> {
        let Some(i) = self.intersection(cut) else { return vec![*self] };
        let (x1, y1) = (self.x + self.w, self.y + self.h);
        let (ix1, iy1) = (i.x + i.w, i.y + i.h);
        [
            Rect::new(self.x, self.y, self.w, i.y - self.y),
            Rect::new(self.x, iy1, self.w, y1 - iy1),
            Rect::new(self.x, i.y, i.x - self.x, i.h),
            Rect::new(ix1, i.y, x1 - ix1, i.h),
        ]
        .into_iter()
        .filter(|r| r.w > 0 && r.h > 0)
        .collect()
    }

    /// The two share at least one pixel (u64: a hostile header cannot overflow).
    pub fn intersects(&self, o: &Rect) -> bool {
        let (ax, ay, bx, by) = (self.x as u64, self.y as u64, o.x as u64, o.y as u64);
        ax < bx + o.w as u64 && bx < ax + self.w as u64 && ay < by + o.h as u64 && by < ay + self.h as u64
    }
}

/// `rects` less every rectangle of `cuts`.
fn subtract_all(rects: Vec<Rect>, cuts: &[Rect]) -> Vec<Rect> {
    cuts.iter().fold(rects, |acc, cut| acc.iter().flat_map(|r| r.minus(cut)).collect())
}

#[derive(Clone, Debug)]
pub struct Framebuffer {
    width: u32,
    height: u32,
    /// Row-major RGBA, alpha always 255.
    pixels: Vec<u8>,
    damage: Vec<Rect>,
    /// Regions whose right pixels are on the host's canvas only (images the browser
    /// drew straight there): this buffer's pixels under them are stale. Empty unless the
    /// host answers images with `Engine::image_drawn`.
    ///
    /// Invariants the painter relies on: no damage rectangle overlaps one (drawing the
    /// damage from here never shows a stale pixel), and outside them this buffer is right.
    canvas_only: Vec<Rect>,
    /// Pixels written so far, for the engine's work budget.
    work: u64,
}

/// From this width on, a fill copies its first row into the others (see `fill_within`).
const WIDE_FILL: u32 = 32;

impl Framebuffer {
    pub fn new(width: u32, height: u32) -> Result<Self, RfbError> {
        check_size(width, height)?;
        let mut pixels = vec![0u8; (width * height * 4) as usize];
        for px in pixels.chunks_exact_mut(4) {
            px[3] = 255;
        }
        Ok(Framebuffer { width, height, pixels, damage: vec![Rect::new(0, 0, width, height)], canvas_only: Vec::new(), work: 0 })
    }

    /// Pixels written since the framebuffer was made (fills, copies, decoded rows).
    pub fn work(&self) -> u64 {
        self.work
    }

    pub fn area(&self) -> u64 {
        self.width as u64 * self.height as u64
    }

    pub fn width(&self) -> u32 {
        self.width
    }

    pub fn height(&self) -> u32 {
        self.height
    }

    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// Resizes, keeping the overlapping pixels (DesktopSize / ExtendedDesktopSize). The
    /// engine reads canvas-only regions back first: the new buffer is right everywhere.
    pub fn resize(&mut self, width: u32, height: u32) -> Result<(), RfbError> {
        let mut next = Framebuffer::new(width, height)?;
        let w = self.width.min(width) as usize;
        for y in 0..self.height.min(height) as usize {
            let src = y * self.width as usize * 4;
            let dst = y * width as usize * 4;
            next.pixels[dst..dst + w * 4].copy_from_slice(&self.pixels[src..src + w * 4]);
        }
        // The count goes on: the engine measures an update's work as a difference.
        next.work = self.work;
        *self = next;
        Ok(())
    }

    /// Fails unless the rectangle lies inside the framebuffer.
    pub fn check(&self, x: u16, y: u16, w: u16, h: u16) -> Result<Rect, RfbError> {
        let r = Rect::new(x as u32, y as u32, w as u32, h as u32);
        if r.x + r.w > self.width || r.y + r.h > self.height {
            return Err(RfbError::RectOutside { x, y, w, h, fb_w: self.width, fb_h: self.height });
        }
        Ok(r)
    }

    pub fn add_damage(&mut self, r: Rect) {
        if r.w == 0 || r.h == 0 {
            return;
        }
        self.damage.push(r);
        if self.damage.len() > MAX_DAMAGE_RECTS {
            let all = self.damage.iter().skip(1).fold(self.damage[0], |a, b| a.union(b));
            // The damage overlaps no canvas-only region, so it lies inside the box less them.
            self.damage = subtract_all(vec![all], &self.canvas_only);
        }
    }

    /// Regions whose right pixels are only on the canvas (see the field).
    pub fn canvas_only(&self) -> &[Rect] {
        &self.canvas_only
    }

    /// `r` is about to be written here in full: it is no longer canvas-only.
    pub fn claim(&mut self, r: Rect) {
        if self.canvas_only.iter().any(|c| c.intersects(&r)) {
            self.canvas_only = subtract_all(std::mem::take(&mut self.canvas_only), &[r]);
        }
    }

    /// The host drew `r`'s right pixels straight onto its canvas. Damage still under `r`
    /// is older and would paint stale pixels over them, so it goes. When the host painted
    /// all damage first (none is left), the canvas is right everywhere, and the list may
    /// be simplified to its bounding box.
    pub fn hand_to_canvas(&mut self, r: Rect) {
        if r.w == 0 || r.h == 0 {
            return;
        }
        if self.damage.iter().any(|d| d.intersects(&r)) {
            self.damage = subtract_all(std::mem::take(&mut self.damage), &[r]);
        }
        self.canvas_only.push(r);
        if self.canvas_only.len() > MAX_CANVAS_ONLY_RECTS && self.damage.is_empty() {
            let all = self.canvas_only.iter().skip(1).fold(self.canvas_only[0], |a, b| a.union(b));
            self.canvas_only = vec![all];
        }
    }

    /// The canvas's pixels of `r` (read back by the host): this buffer is right there again.
    /// The canvas already shows them, so no damage.
    pub fn put_from_canvas(&mut self, r: Rect, rgba: &[u8]) {
        if r.w == 0 || r.h == 0 {
            return;
        }
        self.write_rows(r, rgba);
        self.canvas_only = subtract_all(std::mem::take(&mut self.canvas_only), &[r]);
    }

    /// The damaged rectangles since the last call, for the renderer.
    pub fn take_damage(&mut self) -> Vec<Rect> {
        std::mem::take(&mut self.damage)
    }

    pub fn has_damage(&self) -> bool {
        !self.damage.is_empty()
    }

    /// Writes RGBA rows into `r` (already checked). `rgba` is `r.w * r.h * 4` bytes.
    pub fn put_rgba(&mut self, r: Rect, rgba: &[u8]) {
        // An empty rectangle is legal RFB and draws nothing.
        if r.w == 0 || r.h == 0 {
            return;
        }
        self.work += r.area();
        self.write_rows(r, rgba);
        self.add_damage(r);
    }

    /// Copies tightly packed RGBA rows into `r` (already checked, not empty).
    fn write_rows(&mut self, r: Rect, rgba: &[u8]) {
        let row = r.w as usize * 4;
        for (i, src) in rgba.chunks_exact(row).take(r.h as usize).enumerate() {
            let off = ((r.y as usize + i) * self.width as usize + r.x as usize) * 4;
            self.pixels[off..off + row].copy_from_slice(src);
        }
    }

    /// A mutable row slice of `r` (already checked), for decoders that convert in place.
    pub fn row_mut(&mut self, r: Rect, row: u32) -> &mut [u8] {
        self.work += r.w as u64;
        let off = (((r.y + row) * self.width + r.x) * 4) as usize;
        &mut self.pixels[off..off + r.w as usize * 4]
    }

    pub fn fill(&mut self, r: Rect, rgba: [u8; 4]) {
        self.fill_within(r, rgba);
        self.add_damage(r);
    }

    /// Fills `r` (already checked) without recording damage: for a decoder that adds
    /// the damage of the whole area it draws once (a Hextile tile and its sub-rectangles).
    pub fn fill_within(&mut self, r: Rect, rgba: [u8; 4]) {
        // A wide fill writes its first row and copies it into the others, one bulk copy
        // (`memory.copy`) each; narrow ones (Hextile's sub-rectangles, glyph pieces) are
        // cheaper pixel by pixel.
        let (len, stride) = (r.w as usize * 4, self.width as usize * 4);
        let first = (r.y as usize * self.width as usize + r.x as usize) * 4;
        for row in 0..r.h {
            if row > 0 && r.w >= WIDE_FILL {
                self.pixels.copy_within(first..first + len, first + row as usize * stride);
                self.work += r.w as u64;
            } else {
                for px in self.row_mut(r, row).chunks_exact_mut(4) {
                    store(px, rgba);
                }
            }
        }
    }

    /// CopyRect: copies `src` (top-left) to `dst`, overlapping allowed.
    pub fn copy_within(&mut self, src_x: u32, src_y: u32, dst: Rect) {
        self.work += dst.area();
        let row = dst.w as usize * 4;
        let stride = self.width as usize * 4;
        let rows: Box<dyn Iterator<Item = u32>> = if src_y < dst.y { Box::new((0..dst.h).rev()) } else { Box::new(0..dst.h) };
        for i in rows {
            let s = (src_y + i) as usize * stride + src_x as usize * 4;
            let d = (dst.y + i) as usize * stride + dst.x as usize * 4;
            self.pixels.copy_within(s..s + row, d);
        }
        self.add_damage(dst);
    }

    /// The pixels of a rectangle as tightly packed RGBA (for tests and screenshots).
    pub fn read_rect(&self, r: Rect) -> Vec<u8> {
        let mut out = Vec::with_capacity(r.area() as usize * 4);
        for row in 0..r.h {
            let off = (((r.y + row) * self.width + r.x) * 4) as usize;
            out.extend_from_slice(&self.pixels[off..off + r.w as usize * 4]);
        }
        out
    }
}

pub fn check_size(width: u32, height: u32) -> Result<(), RfbError> {
    if width > MAX_SIDE || height > MAX_SIDE || (width as u64 * height as u64) > MAX_AREA {
        return Err(RfbError::TooLarge(width, height));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absurd_size_is_an_error() {
        assert!(matches!(Framebuffer::new(100_000, 100_000), Err(RfbError::TooLarge(..))));
    }

    #[test]
    fn overlapping_copy_down() {
        let mut fb = Framebuffer::new(1, 3).unwrap();
        fb.fill(Rect::new(0, 0, 1, 1), [1, 2, 3, 255]);
        fb.fill(Rect::new(0, 1, 1, 1), [4, 5, 6, 255]);
        fb.copy_within(0, 0, Rect::new(0, 1, 1, 2));
        assert_eq!(fb.read_rect(Rect::new(0, 0, 1, 3)), vec![1, 2, 3, 255, 1, 2, 3, 255, 4, 5, 6, 255]);
    }

    #[test]
    fn empty_rectangles_draw_nothing() {
        let mut fb = Framebuffer::new(4, 4).unwrap();
        let _ = fb.take_damage();
        fb.put_rgba(Rect::new(1, 1, 0, 3), &[]);
        fb.put_rgba(Rect::new(1, 1, 3, 0), &[]);
        assert!(!fb.has_damage());
    }

    #[test]
    fn rect_outside_is_an_error() {
        let fb = Framebuffer::new(10, 10).unwrap();
        assert!(fb.check(5, 5, 6, 1).is_err());
        assert!(fb.check(0, 0, 10, 10).is_ok());
    }
}
