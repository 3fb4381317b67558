//! ZRLE (16): a length, then zlib data (one persistent stream) holding 64×64 tiles,
//! each raw, solid, packed palette, plain RLE or palette RLE, with CPIXELs.

use super::{cpixel, cpixel_len, rgb_to_rgba, store, three_bytes_are_rgb, Ctx, Progress};
use crate::rfb::error::RfbError;
use crate::rfb::framebuffer::Rect;
use crate::rfb::limits::MAX_MESSAGE;
use crate::rfb::reader::{Parsed, Reader};

pub fn decode(r: &mut Reader, t: &mut Ctx) -> Parsed<Progress> {
    let len = r.u32()? as usize;
    if len > MAX_MESSAGE {
        return Err(RfbError::MessageTooLarge(len).into());
    }
    let data = r.bytes(len)?;
    let cp = cpixel_len(t.pf);
    let (w, h) = (t.rect.w as usize, t.rect.h as usize);
    let tiles = w.div_ceil(64) * h.div_ceil(64);
    // The most a legal rectangle can need: raw tiles plus their headers, or RLE runs of 1.
    let limit = w * h * (cp + 2) + tiles * (1 + 127 * cp) + 64;
    let raw = t.streams.zrle.inflate(data, limit)?;
    let mut z = Reader::new(raw);
    let mut buf = vec![0u8; 64 * 64 * 4];
    for ty in (0..h).step_by(64) {
        for tx in (0..w).step_by(64) {
            let (tw, th) = (64.min(w - tx), 64.min(h - ty));
            let n = tw * th;
            tile(&mut z, t.pf, cp, n, tw, &mut buf[..n * 4])?;
            let rect = Rect::new(t.rect.x + tx as u32, t.rect.y + ty as u32, tw as u32, th as u32);
            t.fb.put_rgba(rect, &buf[..n * 4]);
        }
    }
    Ok(Progress::Done)
}

fn short() -> RfbError {
    RfbError::Malformed("zrle: tile data ends early")
}

fn tile(z: &mut Reader, pf: &crate::rfb::PixelFormat, cp: usize, n: usize, tw: usize, out: &mut [u8]) -> Result<(), RfbError> {
    let sub = z.u8().map_err(|_| short())?;
    let read_palette = |z: &mut Reader, size: usize| -> Result<Vec<[u8; 4]>, RfbError> {
        let b = z.bytes(size * cp).map_err(|_| short())?;
        Ok(b.chunks_exact(cp).map(|c| cpixel(pf, c)).collect())
    };
    match sub {
        0 => {
            let b = z.bytes(n * cp).map_err(|_| short())?;
            if cp == 3 && three_bytes_are_rgb(pf) {
                rgb_to_rgba(b, out);
            } else {
                for (c, o) in b.chunks_exact(cp).zip(out.chunks_exact_mut(4)) {
                    store(o, cpixel(pf, c));
                }
            }
        }
        1 => {
            let c = cpixel(pf, z.bytes(cp).map_err(|_| short())?);
            out.chunks_exact_mut(4).for_each(|o| store(o, c));
        }
        2..=16 => {
            let palette = read_palette(z, sub as usize)?;
            let bits = match sub {
                2 => 1,
                3..=4 => 2,
                _ => 4,
            };
            let th = n / tw;
            let row_bytes = (tw * bits).div_ceil(8);
            let packed = z.bytes(row_bytes * th).map_err(|_| short())?;
            for (row, orow) in packed.chunks_exact(row_bytes).zip(out.chunks_exact_mut(tw * 4)) {
                for (x, o) in orow.chunks_exact_mut(4).enumerate() {
                    let bit = x * bits;
                    let idx = (row[bit / 8] >> (8 - bits - bit % 8)) & ((1 << bits) - 1);
                    let c = *palette.get(idx as usize).ok_or(RfbError::Malformed("zrle: palette index out of range"))?;
                    store(o, c);
                }
            }
        }
        128 => {
            let mut i = 0;
            while i < n {
                let c = cpixel(pf, z.bytes(cp).map_err(|_| short())?);
                let run = run_length(z)?;
                if i + run > n {
                    return Err(RfbError::Malformed("zrle: run beyond its tile"));
                }
                out[i * 4..(i + run) * 4].chunks_exact_mut(4).for_each(|o| store(o, c));
                i += run;
            }
        }
        130..=255 => {
            let palette = read_palette(z, sub as usize - 128)?;
            let mut i = 0;
            while i < n {
                let idx = z.u8().map_err(|_| short())?;
                let run = if idx & 128 != 0 { run_length(z)? } else { 1 };
                let c = *palette.get((idx & 127) as usize).ok_or(RfbError::Malformed("zrle: palette index out of range"))?;
                if i + run > n {
                    return Err(RfbError::Malformed("zrle: run beyond its tile"));
                }
                out[i * 4..(i + run) * 4].chunks_exact_mut(4).for_each(|o| store(o, c));
                i += run;
            }
        }
        _ => return Err(RfbError::Malformed("zrle: unknown sub-encoding")),
    }
    Ok(())
}

/// 1 + the sum of bytes, where 255 means "another byte follows".
fn run_length(z: &mut Reader) -> Result<usize, RfbError> {
    let mut len = 1usize;
    loop {
        let b = z.u8().map_err(|_| short())?;
        len += b as usize;
        if b != 255 {
            return Ok(len);
        }
        if len > 64 * 64 {
            return Err(RfbError::Malformed("zrle: run longer than a tile"));
        }
    }
}
