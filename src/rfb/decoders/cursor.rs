//! The server's cursor shape: rfbproto's Cursor pseudo-encoding (-239) and VMware's
//! VMWDefineCursor. The rectangle's x, y are the hotspot, its w, h the cursor's size.

use super::{Ctx, Effect, Progress};
use crate::rfb::cursor::CursorImage;
use crate::rfb::dialect::Dialect;
use crate::rfb::error::RfbError;
use crate::rfb::event::Event;
use crate::rfb::limits::{MAX_CURSOR_SIDE, MAX_MESSAGE};
use crate::rfb::reader::{Parsed, Reader};

/// Cursor (-239): pixels in the engine's pixel format, then a 1-bpp mask.
pub fn decode_rich(r: &mut Reader, t: &mut Ctx) -> Parsed<Progress> {
    let (w, h) = (t.rect.w as usize, t.rect.h as usize);
    let bpp = t.pf.bytes_per_pixel();
    let mask_row = w.div_ceil(8);
    if too_large(t) {
        skip(r, w * h * bpp + mask_row * h)?;
        return Ok(Progress::Done);
    }
    let pixels = r.bytes(w * h * bpp)?;
    let mask = r.bytes(mask_row * h)?;
    let mut rgba = vec![0u8; w * h * 4];
    t.pf.to_rgba(pixels, &mut rgba);
    for row in 0..h {
        for col in 0..w {
            let bit = mask[row * mask_row + col / 8] & (0x80 >> (col % 8));
            rgba[(row * w + col) * 4 + 3] = if bit != 0 { 255 } else { 0 };
        }
    }
    push(t, rgba);
    Ok(Progress::Done)
}

/// VMWDefineCursor: `u8 type, u8 padding`, then type 0 (an AND mask, then XOR pixels)
/// or type 1 (pixels with alpha). Two readings disagree, and the dialect decides:
/// - WebMKS, as VMware's client reads it: four bytes a pixel whatever the pixel format;
///   type 0 B, G, R, X, where AND all ones and XOR zero is transparent, AND all ones and
///   XOR not zero (an inverting pixel) opaque black, anything else the XOR colour;
///   type 1 B, G, R, A (a 1×1 cursor with alpha 0 gets alpha 1).
/// - rfbproto (TigerVNC sends this pseudo-encoding too): type 0 in the pixel format,
///   transparent where AND is set and XOR zero; type 1 R, G, B, A.
pub fn decode_vmware(r: &mut Reader, t: &mut Ctx) -> Parsed<Progress> {
    let n = t.rect.w as usize * t.rect.h as usize;
    let kind = r.u8()?;
    r.skip(1)?;
    let bpp = match t.dialect {
        Dialect::WebMks => 4,
        Dialect::Rfb => t.pf.bytes_per_pixel(),
    };
    let len = match kind {
        0 => n * bpp * 2,
        1 => n * 4,
        _ => return Err(RfbError::Malformed("vmware cursor type").into()),
    };
    if too_large(t) {
        skip(r, len)?;
        return Ok(Progress::Done);
    }
    let body = r.bytes(len)?;
    let rgba: Vec<u8> = match (kind, t.dialect) {
        (0, Dialect::WebMks) => {
            let (and, xor) = body.split_at(n * 4);
            and.chunks_exact(4)
                .zip(xor.chunks_exact(4))
                .flat_map(|(a, x)| match (a == [255; 4], x == [0; 4]) {
                    (true, true) => [0, 0, 0, 0],
                    (true, false) => [0, 0, 0, 255],
                    (false, _) => [x[2], x[1], x[0], 255],
                })
                .collect()
        }
        (0, Dialect::Rfb) => {
            let (and, xor) = body.split_at(n * bpp);
            and.chunks_exact(bpp)
                .zip(xor.chunks_exact(bpp))
                .flat_map(|(a, x)| {
                    let (a, xv) = (t.pf.value(a), t.pf.value(x));
                    let px = t.pf.rgba(xv);
                    [px[0], px[1], px[2], if a != 0 && xv == 0 { 0 } else { 255 }]
                })
                .collect()
        }
        (_, Dialect::WebMks) => {
            let mut px: Vec<u8> = body.chunks_exact(4).flat_map(|p| [p[2], p[1], p[0], p[3]]).collect();
            if n == 1 && px[3] == 0 {
                px[3] = 1;
            }
            px
        }
        (_, Dialect::Rfb) => body.to_vec(),
    };
    push(t, rgba);
    Ok(Progress::Done)
}

/// A cursor larger than a page can show (browsers take at most 128×128 CSS cursors) is
/// read past, never into memory: the page keeps the cursor it had.
fn too_large(t: &Ctx) -> bool {
    t.rect.w > MAX_CURSOR_SIDE || t.rect.h > MAX_CURSOR_SIDE
}

/// Skips a body no legal message could be larger than.
fn skip(r: &mut Reader, len: usize) -> Parsed {
    if len > MAX_MESSAGE {
        return Err(RfbError::MessageTooLarge(len).into());
    }
    Ok(r.skip(len)?)
}

fn push(t: &mut Ctx, rgba: Vec<u8>) {
    let (width, height) = (t.rect.w, t.rect.h);
    t.effects.push(Effect::Event(Event::Cursor(CursorImage {
        width,
        height,
        hotspot_x: t.rect.x.min(width.saturating_sub(1)),
        hotspot_y: t.rect.y.min(height.saturating_sub(1)),
        rgba,
    })));
}
