//! Raw encoding (0): `w*h` pixels in the session's pixel format.

use super::{need, DecodeResult, Progress, Target};
use crate::rfb::reader::Reader;

pub fn decode(r: &mut Reader, t: Target) -> DecodeResult {
    let bpp = t.pf.bytes_per_pixel();
    let row_bytes = t.rect.w as usize * bpp;
    let Some(data) = need(r, row_bytes * t.rect.h as usize) else { return Ok(Progress::NeedMore) };
    if row_bytes == 0 {
        return Ok(Progress::Done);
    }
    for (i, src) in data.chunks_exact(row_bytes).enumerate() {
        let dst = t.fb.row_mut(t.rect, i as u32);
        t.pf.to_rgba(src, dst);
    }
    t.fb.add_damage(t.rect);
    Ok(Progress::Done)
}
