//! Zlib (6): a length, then Raw pixels through one persistent zlib stream.

use super::{need, DecodeResult, Progress, Streams, Target};
use crate::rfb::error::RfbError;
use crate::rfb::reader::Reader;

pub fn decode(r: &mut Reader, t: Target, streams: &mut Streams) -> DecodeResult {
    let Ok(len) = r.u32() else { return Ok(Progress::NeedMore) };
    if len as usize > crate::rfb::session::MAX_MESSAGE {
        return Err(RfbError::MessageTooLarge(len as usize));
    }
    let Some(data) = need(r, len as usize) else { return Ok(Progress::NeedMore) };
    let bpp = t.pf.bytes_per_pixel();
    let want = t.rect.w as usize * t.rect.h as usize * bpp;
    let raw = streams.zlib.inflate(data, want)?;
    if raw.len() != want {
        return Err(RfbError::Malformed("zlib: rectangle data has the wrong size"));
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
