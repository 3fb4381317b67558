//! CopyRect (1): copy a rectangle from elsewhere in the framebuffer.

use super::{DecodeResult, Progress, Target};
use crate::rfb::reader::Reader;

pub fn decode(r: &mut Reader, t: Target) -> DecodeResult {
    let (Ok(sx), Ok(sy)) = (r.u16(), r.u16()) else { return Ok(Progress::NeedMore) };
    // The source must lie inside the framebuffer too.
    t.fb.check(sx, sy, t.rect.w as u16, t.rect.h as u16)?;
    t.fb.copy_within(sx as u32, sy as u32, t.rect);
    Ok(Progress::Done)
}
