//! The server's cursor shape: rfbproto's Cursor pseudo-encoding (-239) and VMware's
//! VMWDefineCursor. The rectangle's x, y are the hotspot, its w, h the cursor's size.

use super::{Ctx, Effect, Progress};
use crate::rfb::cursor::CursorImage;
use crate::rfb::error::RfbError;
use crate::rfb::event::Event;
use crate::rfb::framebuffer::check_size;
use crate::rfb::reader::{Parsed, Reader};

/// Cursor (-239): pixels in the engine's pixel format, then a 1-bpp mask.
pub fn decode_rich(r: &mut Reader, t: &mut Ctx) -> Parsed<Progress> {
    let (w, h) = (t.rect.w as usize, t.rect.h as usize);
    check_size(t.rect.w, t.rect.h)?;
    let bpp = t.pf.bytes_per_pixel();
    let mask_row = w.div_ceil(8);
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

/// VMWDefineCursor: `u8 type, u8 padding`; type 0 is AND/XOR masks in the pixel format,
/// type 1 is RGBA.
pub fn decode_vmware(r: &mut Reader, t: &mut Ctx) -> Parsed<Progress> {
    check_size(t.rect.w, t.rect.h)?;
    let n = t.rect.w as usize * t.rect.h as usize;
    let (kind, _) = (r.u8()?, r.u8()?);
    let rgba = match kind {
        0 => {
            let bpp = t.pf.bytes_per_pixel();
            let and = r.bytes(n * bpp)?;
            let xor = r.bytes(n * bpp)?;
            let mut out = vec![0u8; n * 4];
            for i in 0..n {
                let a = t.pf.value(&and[i * bpp..(i + 1) * bpp]);
                let xv = t.pf.value(&xor[i * bpp..(i + 1) * bpp]);
                let px = t.pf.rgba(xv);
                // AND all ones keeps the screen: transparent (inverting pixels shown black).
                let transparent = a != 0 && xv == 0;
                out[i * 4..i * 4 + 4].copy_from_slice(&[px[0], px[1], px[2], if transparent { 0 } else { 255 }]);
            }
            out
        }
        1 => r.bytes(n * 4)?.to_vec(),
        _ => return Err(RfbError::Malformed("vmware cursor type").into()),
    };
    push(t, rgba);
    Ok(Progress::Done)
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
