//! RRE (2): a background pixel and solid sub-rectangles.

use super::{pixel, Ctx, Progress};
use crate::rfb::error::RfbError;
use crate::rfb::framebuffer::Rect;
use crate::rfb::limits::RRE_MAX_OVERDRAW;
use crate::rfb::reader::{Parsed, Reader};

/// More sub-rectangles than pixels cannot be honest.
pub fn decode(r: &mut Reader, t: &mut Ctx) -> Parsed<Progress> {
    let bpp = t.pf.bytes_per_pixel();
    let n = r.u32()?;
    if n as u64 > t.rect.area().max(1) {
        return Err(RfbError::Malformed("rre: more sub-rectangles than pixels").into());
    }
    let body = r.bytes(bpp + n as usize * (bpp + 8))?;
    // Honest sub-rectangles tile their rectangle; overlapping ones cost sub-rectangles ×
    // area (200,000 full-size ones froze a page for minutes). Checked before drawing.
    let drawn: u64 = body[bpp..]
        .chunks_exact(bpp + 8)
        .map(|sub| {
            let v = |i: usize| u16::from_be_bytes([sub[bpp + i], sub[bpp + i + 1]]) as u64;
            v(4) * v(6)
        })
        .sum();
    if drawn > RRE_MAX_OVERDRAW * t.rect.area().max(1) {
        return Err(RfbError::AbsurdWork("rre sub-rectangles cover their rectangle many times over").into());
    }
    let bg = pixel(t.pf, &body[..bpp]);
    t.fb.fill(t.rect, bg);
    for sub in body[bpp..].chunks_exact(bpp + 8) {
        let colour = pixel(t.pf, &sub[..bpp]);
        let v = |i: usize| u16::from_be_bytes([sub[bpp + i], sub[bpp + i + 1]]) as u32;
        let (x, y, w, h) = (v(0), v(2), v(4), v(6));
        if x + w > t.rect.w || y + h > t.rect.h {
            return Err(RfbError::Malformed("rre: sub-rectangle outside its rectangle").into());
        }
        t.fb.fill(Rect::new(t.rect.x + x, t.rect.y + y, w, h), colour);
    }
    Ok(Progress::Done)
}
