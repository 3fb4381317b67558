//! Raw encoding (0): `w*h` pixels in the engine's pixel format, drawn row by row as
//! they arrive so a large rectangle needs no large buffer.

use super::{Ctx, Progress, RectState};
use crate::rfb::framebuffer::Rect;
use crate::rfb::reader::{Parsed, Reader, Stop};

pub fn decode(r: &mut Reader, t: &mut Ctx) -> Parsed<Progress> {
    let bpp = t.pf.bytes_per_pixel();
    let row_bytes = t.rect.w as usize * bpp;
    let start = match t.state {
        RectState::Raw { row } => *row,
        _ => 0,
    };
    if row_bytes == 0 || t.rect.h == 0 {
        return Ok(Progress::Done);
    }
    let rows = ((r.remaining() / row_bytes) as u32).min(t.rect.h - start);
    if rows == 0 {
        return Err(Stop::NeedMore);
    }
    for i in 0..rows {
        let src = r.bytes(row_bytes)?;
        let dst = t.fb.row_mut(t.rect, start + i);
        t.pf.to_rgba(src, dst);
    }
    t.fb.add_damage(Rect::new(t.rect.x, t.rect.y + start, t.rect.w, rows));
    if start + rows == t.rect.h {
        Ok(Progress::Done)
    } else {
        *t.state = RectState::Raw { row: start + rows };
        Ok(Progress::Partial)
    }
}
