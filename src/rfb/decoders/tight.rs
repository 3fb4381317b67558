//! Tight (7) and TightPNG (-260).
//!
//! Tight's control byte resets zlib streams (bits 0–3) and picks the method: 0x8_ fill,
//! 0x9_ JPEG, else basic compression with stream id in bits 4–5 and an optional filter:
//! copy, palette or gradient.
//!
//! TightPNG is VMware's (and QEMU's) variant, read as VMware's client reads it: only the
//! control's high nibble counts; 0x8_ is a fill of three bytes R, G, B whatever the pixel
//! format; 0xA_ a PNG; 0xB_ a diff-JPEG, rebuilt from the previous JPEG; anything else a
//! JPEG. JPEG and PNG go to the host's image decoder, at any width.

use super::{rgb_to_rgba, store, tpixel, tpixel_len, Ctx, ImageFormat, Progress, Streams};
use crate::rfb::error::RfbError;
use crate::rfb::limits::TIGHT_MAX_WIDTH;
use crate::rfb::reader::{Parsed, Reader};

/// Tight (7).
pub fn decode(r: &mut Reader, t: &mut Ctx) -> Parsed<Progress> {
    if t.rect.w > TIGHT_MAX_WIDTH {
        return Err(RfbError::Malformed("tight: rectangle wider than 2048").into());
    }
    let control = r.u8()?;
    let method = control >> 4;
    // Resets are applied only once the whole rectangle is here (see the end).
    let resets = control & 0x0f;
    let result = match method {
        0x8 => fill(r, t, tpixel_len(t.pf))?,
        0x9 => image(r, ImageFormat::Jpeg, t.streams, false)?,
        m if m & 0x8 == 0 => basic(r, t, control, resets)?,
        _ => return Err(RfbError::Malformed("tight: unknown compression control").into()),
    };
    if method & 0x8 != 0 {
        reset(t.streams, resets);
    }
    Ok(result)
}

/// TightPNG (-260).
pub fn decode_png(r: &mut Reader, t: &mut Ctx) -> Parsed<Progress> {
    match r.u8()? >> 4 {
        0x8 => fill(r, t, 3),
        0xA => image(r, ImageFormat::Png, t.streams, false),
        0xB => diff_jpeg(r, t.streams),
        // 0x9, and anything else VMware's client takes for a JPEG too.
        _ => image(r, ImageFormat::Jpeg, t.streams, true),
    }
}

/// The control byte picks an image the host decodes (JPEG), not pixels.
pub fn is_image(control: u8) -> bool {
    control >> 4 == 0x9
}

/// TightPNG: everything but a fill is an image the host decodes.
pub fn png_is_image(control: u8) -> bool {
    control >> 4 != 0x8
}

fn reset(streams: &mut Streams, resets: u8) {
    for (i, s) in streams.tight.iter_mut().enumerate() {
        if resets & (1 << i) != 0 {
            s.reset();
        }
    }
}

/// A fill: one TPIXEL (Tight) or three bytes R, G, B (TightPNG).
fn fill(r: &mut Reader, t: &mut Ctx, len: usize) -> Parsed<Progress> {
    let b = r.bytes(len)?;
    let c = if len == 3 { [b[0], b[1], b[2], 255] } else { tpixel(t.pf, b) };
    t.fb.fill(t.rect, c);
    Ok(Progress::Done)
}

/// 1–3 bytes, 7 bits each, little end first; the high bit says another byte follows.
fn compact_length(r: &mut Reader) -> Parsed<usize> {
    let b0 = r.u8()?;
    let mut len = (b0 & 0x7f) as usize;
    if b0 & 0x80 != 0 {
        let b1 = r.u8()?;
        len |= ((b1 & 0x7f) as usize) << 7;
        if b1 & 0x80 != 0 {
            len |= (r.u8()? as usize) << 14;
        }
    }
    Ok(len)
}

/// A JPEG or PNG; TightPNG keeps its last JPEG, the base of the next diff-JPEG (plain
/// Tight keeps no copy).
fn image(r: &mut Reader, format: ImageFormat, streams: &mut Streams, remember: bool) -> Parsed<Progress> {
    let len = compact_length(r)?;
    let data = r.bytes(len)?;
    if remember {
        streams.last_jpeg = data.to_vec();
    }
    Ok(Progress::Image(format, data.to_vec()))
}

/// The diff-JPEG op stream builds at most this much of the JPEG (its header); the rest
/// always comes whole after op 3.
const DIFF_HEADER: usize = 1024;

/// VMware's diff-JPEG (0xB_), exactly as VMware's client rebuilds it. One position
/// serves the output and the previous JPEG; the ops are single bytes with one-byte
/// counts:
/// - 1 `n`: the previous JPEG's bytes at the same position;
/// - 2 `n` and n bytes: those bytes (the previous JPEG's are skipped, not kept);
/// - 3: the output so far, then every byte left in the op stream; the end;
/// - anything else: ignored.
///
/// Ops that end without a 3 give the output so far. Bytes asked of the previous JPEG (or
/// of the op stream) beyond its end are zeros.
pub fn rebuild_diff_jpeg(ops: &[u8], prev: &[u8]) -> Result<Vec<u8>, RfbError> {
    let mut out = vec![0u8; DIFF_HEADER];
    let (mut pos, mut at) = (0usize, 0usize);
    let too_long = || RfbError::Malformed("tight: diff-jpeg builds more than its 1024-byte header");
    let copy = |out: &mut [u8], pos: usize, n: usize, from: &[u8]| -> Result<(), RfbError> {
        let dst = out.get_mut(pos..pos + n).ok_or_else(too_long)?;
        let src = from.get(pos.min(from.len())..(pos + n).min(from.len())).unwrap_or(&[]);
        dst[..src.len()].copy_from_slice(src);
        Ok(())
    };
    while at < ops.len() {
        let op = ops[at];
        at += 1;
        match op {
            1 => {
                let n = ops.get(at).copied().unwrap_or(0) as usize;
                at += 1;
                copy(&mut out, pos, n, prev)?;
                pos += n;
            }
            2 => {
                let n = ops.get(at).copied().unwrap_or(0) as usize;
                at += 1;
                let literal = ops.get(at.min(ops.len())..(at + n).min(ops.len())).unwrap_or(&[]);
                let dst = out.get_mut(pos..pos + n).ok_or_else(too_long)?;
                dst[..literal.len()].copy_from_slice(literal);
                at += n;
                pos += n;
            }
            3 => {
                out.truncate(pos);
                out.extend_from_slice(ops.get(at..).unwrap_or(&[]));
                return Ok(out);
            }
            _ => {}
        }
    }
    out.truncate(pos);
    Ok(out)
}

fn diff_jpeg(r: &mut Reader, streams: &mut Streams) -> Parsed<Progress> {
    let len = compact_length(r)?;
    let ops = r.bytes(len)?;
    if streams.last_jpeg.is_empty() {
        return Err(RfbError::Malformed("tight: diff-jpeg with no JPEG before it").into());
    }
    let jpeg = rebuild_diff_jpeg(ops, &streams.last_jpeg)?;
    streams.last_jpeg = jpeg.clone();
    Ok(Progress::Image(ImageFormat::Jpeg, jpeg))
}

fn basic(r: &mut Reader, t: &mut Ctx, control: u8, resets: u8) -> Parsed<Progress> {
    let stream = ((control >> 4) & 3) as usize;
    let filter = if control & 0x40 != 0 { r.u8()? } else { 0 };
    let tp = tpixel_len(t.pf);
    let (w, h) = (t.rect.w as usize, t.rect.h as usize);
    let mut palette = Vec::new();
    let size = match filter {
        0 => w * h * tp,
        1 => {
            let n = r.u8()? as usize + 1;
            let p = r.bytes(n * tp)?;
            palette = p.chunks_exact(tp).map(|c| tpixel(t.pf, c)).collect();
            if n == 2 {
                w.div_ceil(8) * h
            } else {
                w * h
            }
        }
        2 => {
            if tp != 3 {
                return Err(RfbError::Malformed("tight: gradient filter needs 24-bit pixels").into());
            }
            w * h * 3
        }
        _ => return Err(RfbError::Malformed("tight: unknown filter").into()),
    };
    let data: &[u8] = if size < 12 {
        let d = r.bytes(size)?;
        reset(t.streams, resets);
        d
    } else {
        let len = compact_length(r)?;
        let z = r.bytes(len)?;
        // The whole rectangle is here: resets apply before this rectangle's data.
        reset(t.streams, resets);
        let d = t.streams.tight[stream].inflate(z, size)?;
        if d.len() != size {
            return Err(RfbError::Malformed("tight: compressed data has the wrong size").into());
        }
        d
    };
    if w == 0 || h == 0 {
        return Ok(Progress::Done);
    }
    // Each loop converts one row of `data` straight into the framebuffer's row, with
    // iterators: no index arithmetic, no bounds check per byte. `data` has exactly `size`
    // bytes (checked above), so each filter's rows split it evenly.
    let rows = data.chunks_exact(size / h);
    match filter {
        0 if tp == 3 => {
            for (y, src) in rows.enumerate() {
                rgb_to_rgba(src, t.fb.row_mut(t.rect, y as u32));
            }
        }
        0 => {
            for (y, src) in rows.enumerate() {
                for (c, o) in src.chunks_exact(tp).zip(t.fb.row_mut(t.rect, y as u32).chunks_exact_mut(4)) {
                    store(o, tpixel(t.pf, c));
                }
            }
        }
        1 if palette.len() == 2 => {
            let (p0, p1) = (palette[0], palette[1]);
            for (y, bits) in rows.enumerate() {
                // Eight pixels per byte, the high bit first; the last byte may be partial.
                for (&b, o) in bits.iter().zip(t.fb.row_mut(t.rect, y as u32).chunks_mut(32)) {
                    for (i, px) in o.chunks_exact_mut(4).enumerate() {
                        store(px, if b & (0x80 >> i) != 0 { p1 } else { p0 });
                    }
                }
            }
        }
        1 => {
            // Indices are checked once, so the loop reads a 256-entry table unchecked.
            if data.iter().any(|&i| i as usize >= palette.len()) {
                return Err(RfbError::Malformed("tight: palette index out of range").into());
            }
            let mut table = [[0u8; 4]; 256];
            table[..palette.len()].copy_from_slice(&palette);
            for (y, src) in rows.enumerate() {
                for (&idx, o) in src.iter().zip(t.fb.row_mut(t.rect, y as u32).chunks_exact_mut(4)) {
                    store(o, table[idx as usize]);
                }
            }
        }
        _ => {
            // Gradient: each channel is its prediction left + up − up-left (clamped) plus the data.
            let mut prev_row = vec![[0u8; 3]; w];
            for (y, drow) in rows.enumerate() {
                let orow = t.fb.row_mut(t.rect, y as u32);
                let mut left = [0u8; 3];
                let mut up_left = [0u8; 3];
                for ((d, o), up_cell) in drow.chunks_exact(3).zip(orow.chunks_exact_mut(4)).zip(prev_row.iter_mut()) {
                    let up = *up_cell;
                    let mut px = [0u8; 3];
                    for c in 0..3 {
                        let pred = (left[c] as i32 + up[c] as i32 - up_left[c] as i32).clamp(0, 255) as u8;
                        px[c] = pred.wrapping_add(d[c]);
                    }
                    store(o, [px[0], px[1], px[2], 255]);
                    up_left = up;
                    left = px;
                    *up_cell = px;
                }
            }
        }
    }
    t.fb.add_damage(t.rect);
    Ok(Progress::Done)
}
