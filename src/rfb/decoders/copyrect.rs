//! CopyRect (1): copy a rectangle from elsewhere in the framebuffer.

use super::{Ctx, Progress};
use crate::rfb::framebuffer::Rect;
use crate::rfb::reader::{Parsed, Reader};

pub fn decode(r: &mut Reader, t: &mut Ctx) -> Parsed<Progress> {
    let (sx, sy) = (r.u16()?, r.u16()?);
    // The source must lie inside the framebuffer too.
    t.fb.check(sx, sy, t.rect.w as u16, t.rect.h as u16)?;
    t.fb.copy_within(sx as u32, sy as u32, t.rect);
    Ok(Progress::Done)
}

/// The region the copy reads, peeked before anything is drawn: what only the canvas
/// holds there must be read back first.
pub fn source(r: &Reader, rect: Rect) -> Parsed<Rect> {
    let p = r.peek(4)?;
    Ok(Rect::new(u16::from_be_bytes([p[0], p[1]]).into(), u16::from_be_bytes([p[2], p[3]]).into(), rect.w, rect.h))
}
