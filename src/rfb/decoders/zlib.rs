//! Zlib (6): a length, then Raw pixels through one persistent zlib stream.

use super::{Ctx, Progress};
use crate::rfb::error::RfbError;
use crate::rfb::limits::MAX_MESSAGE;
use crate::rfb::reader::{Parsed, Reader};

pub fn decode(r: &mut Reader, t: &mut Ctx) -> Parsed<Progress> {
    let len = r.u32()? as usize;
    if len > MAX_MESSAGE {
        return Err(RfbError::MessageTooLarge(len).into());
    }
    let data = r.bytes(len)?;
    let bpp = t.pf.bytes_per_pixel();
    let want = t.rect.w as usize * t.rect.h as usize * bpp;
    let raw = t.streams.zlib.inflate(data, want)?;
    if raw.len() != want {
        return Err(RfbError::Malformed("zlib: rectangle data has the wrong size").into());
    }
    let row = t.rect.w as usize * bpp;
    if row > 0 {
        for (i, src) in raw.chunks_exact(row).enumerate() {
            t.pf.to_rgba(src, t.fb.row_mut(t.rect, i as u32));
        }
    }
    t.fb.add_damage(t.rect);
    Ok(Progress::Done)
}
