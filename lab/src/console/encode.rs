//! FramebufferUpdates as ESXi builds them, for what the client advertised:
//! - TightPNG (when the client takes it and VMware's cursor): each changed 64×64 tile a
//!   fill (three bytes R, G, B), a PNG (few colours), or a JPEG (a photo), the JPEG as a
//!   diff-JPEG against the last one when the client takes TightDiffComp; CopyRect for the
//!   log's scroll (ESXi sends CopyRect only to such clients); the static palette through
//!   the update cache when the client has one;
//! - otherwise Raw, the whole changed area as one rectangle (one large message).
//!
//! The padding byte of every FramebufferUpdate carries an update id.

use super::client::PixelFormat;
use super::desktop::{self, LOG, LOG_LINE, PALETTE};

pub const COPY_RECT: i32 = 1;
pub const RAW: i32 = 0;
pub const TIGHT_PNG: i32 = -260;
pub const DESKTOP_SIZE: i32 = -223;
pub const VMW_DEFINE_CURSOR: i32 = 0x574d_5664;
pub const VMW_CURSOR_STATE: i32 = 0x574d_5665;
pub const VMW_TYPEMATIC_INFO: i32 = 0x574d_5667;
pub const VMW_LED_STATE: i32 = 0x574d_5668;
pub const VMW_SERVER_CAPS: i32 = 0x574d_567a;
pub const VMW_SERVER_PUSH2: i32 = 0x574d_567b;
pub const VMW_UPDATE_CACHE: i32 = 0x574d_567f;
pub const VMW_TIGHT_DIFF_COMP: i32 = 0x574d_5616;
pub const JPEG_QUALITY_LOWEST: i32 = -32;
pub const JPEG_QUALITY_HIGHEST: i32 = -23;

const TILE: u32 = 64;
/// A tile with at most this many colours goes as PNG.
const PNG_COLOURS: usize = 64;
/// JPEG quality for each of the client's quality levels 0–9.
const JPEG_QUALITY: [u8; 10] = [20, 30, 40, 50, 60, 70, 75, 80, 85, 90];

/// One rendered frame.
pub struct Frame {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

impl Frame {
    fn tile(&self, x: u32, y: u32, w: u32, h: u32) -> Vec<u8> {
        desktop::region(&self.rgba, self.width, (x, y, w, h))
    }

    fn differs(&self, prev: &Frame, x: u32, y: u32, w: u32, h: u32) -> bool {
        (y..y + h).any(|row| {
            let o = ((row * self.width + x) * 4) as usize;
            self.rgba[o..o + (w * 4) as usize] != prev.rgba[o..o + (w * 4) as usize]
        })
    }

    /// The frame after the client applied a CopyRect from (`x`, `sy`) to (`x`, `dy`).
    fn copied(&self, (x, sy, w, h): (u32, u32, u32, u32), dy: u32) -> Frame {
        let mut rgba = self.rgba.clone();
        for row in 0..h {
            let s = (((sy + row) * self.width + x) * 4) as usize;
            let d = (((dy + row) * self.width + x) * 4) as usize;
            rgba.copy_within(s..s + (w * 4) as usize, d);
        }
        Frame { width: self.width, height: self.height, rgba }
    }
}

/// What the client advertised and asked for, and what the encoder remembers of it.
#[derive(Default)]
pub struct Encoder {
    pub encodings: Vec<i32>,
    pub pf: Option<PixelFormat>,
    /// The last JPEG sent (or rebuilt by the client from a diff), the base of the next diff.
    last_jpeg: Option<Vec<u8>>,
    /// The client's update cache: slots it takes, once UpdateCacheInfo came.
    pub cache_slots: u16,
    cache_init_sent: bool,
    palette_cached: bool,
    /// The cursor and the other VMware pseudo-encodings went with the first update.
    pseudo_sent: bool,
}

/// Extra rectangles an update starts with.
pub struct Extras {
    /// The desktop was resized: DesktopSize first.
    pub resized: bool,
    /// The log scrolled by this many lines since `prev`.
    pub log_scrolled: u32,
}

impl Encoder {
    pub fn takes(&self, encoding: i32) -> bool {
        self.encodings.contains(&encoding)
    }

    /// TightPNG tiles and VMware's cursor: what ESXi needs before it sends anything but Raw.
    fn tight_png(&self) -> bool {
        self.takes(TIGHT_PNG) && self.takes(VMW_DEFINE_CURSOR)
    }

    fn jpeg_quality(&self) -> u8 {
        let level = self.encodings.iter().filter(|e| (JPEG_QUALITY_LOWEST..=JPEG_QUALITY_HIGHEST).contains(e)).max();
        level.map_or(JPEG_QUALITY[7], |l| JPEG_QUALITY[(l - JPEG_QUALITY_LOWEST) as usize])
    }

    /// An update of everything that changed since `prev` (all of it when `prev` is
    /// `None`), or `None` when nothing did.
    pub fn update(&mut self, id: u8, frame: &Frame, prev: Option<&Frame>, extras: Extras) -> Option<Vec<u8>> {
        let mut rects: Vec<Vec<u8>> = Vec::new();
        if extras.resized && self.takes(DESKTOP_SIZE) {
            rects.push(header(0, 0, frame.width, frame.height, DESKTOP_SIZE));
        }
        if !self.pseudo_sent {
            self.pseudo_sent = true;
            rects.extend(self.pseudo_encodings());
        }
        let tight = self.tight_png();
        // The log scrolled: CopyRect it up, and diff against what the client then shows.
        let mut shifted = None;
        if let (Some(prev), true) = (prev, tight && self.takes(COPY_RECT) && extras.log_scrolled > 0) {
            let d = extras.log_scrolled * LOG_LINE;
            let (x, y, w, h) = LOG;
            if d < h && y + h <= frame.height && x + w <= frame.width {
                let mut r = header(x, y, w, h - d, COPY_RECT);
                r.extend_from_slice(&(x as u16).to_be_bytes());
                r.extend_from_slice(&((y + d) as u16).to_be_bytes());
                rects.push(r);
                shifted = Some(prev.copied((x, y + d, w, h - d), y));
            }
        }
        let prev = shifted.as_ref().or(prev);
        // The palette through the update cache, on every full frame.
        let cached = tight && self.cache_slots > 0 && prev.is_none() && fits(PALETTE, frame);
        if cached {
            rects.extend(self.palette_from_cache());
        }
        let changed = changed_tiles(frame, prev, cached);
        if tight {
            for (x, y, w, h) in &changed {
                let mut r = header(*x, *y, *w, *h, TIGHT_PNG);
                r.extend(self.tile(&frame.tile(*x, *y, *w, *h), *w, *h));
                rects.push(r);
            }
        } else if let Some(b) = bounding_box(&changed) {
            rects.push(self.raw(frame, b));
        }
        if rects.is_empty() {
            return None;
        }
        let mut out = vec![0, id];
        out.extend_from_slice(&(rects.len() as u16).to_be_bytes());
        rects.into_iter().for_each(|r| out.extend(r));
        Some(out)
    }

    /// One Raw rectangle in the client's pixel format.
    fn raw(&self, frame: &Frame, (x, y, w, h): (u32, u32, u32, u32)) -> Vec<u8> {
        let pf = self.pf.unwrap_or(PixelFormat::NATIVE);
        let mut r = header(x, y, w, h, RAW);
        for row in y..y + h {
            let o = ((row * frame.width + x) * 4) as usize;
            for px in frame.rgba[o..o + (w * 4) as usize].chunks_exact(4) {
                pf.pack(px, &mut r);
            }
        }
        r
    }

    /// A TightPNG tile's body: a fill, a PNG, a JPEG or a diff-JPEG.
    fn tile(&mut self, rgba: &[u8], w: u32, h: u32) -> Vec<u8> {
        let first = &rgba[..4];
        if rgba.chunks_exact(4).all(|p| p == first) {
            return vec![0x80, first[0], first[1], first[2]];
        }
        let rgb: Vec<u8> = rgba.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
        let mut colours = std::collections::HashSet::new();
        let few = rgb.chunks_exact(3).all(|p| {
            colours.insert([p[0], p[1], p[2]]);
            colours.len() <= PNG_COLOURS
        });
        if few {
            return with_length(0xA0, &png(&rgb, w, h));
        }
        let jpeg = jpeg(&rgb, w, h, self.jpeg_quality());
        let body = match (&self.last_jpeg, self.takes(VMW_TIGHT_DIFF_COMP)) {
            (Some(prev), true) => with_length(0xB0, &diff_ops(&jpeg, prev)),
            _ => with_length(0x90, &jpeg),
        };
        self.last_jpeg = Some(jpeg);
        body
    }

    /// VMware's cursor (an arrow, B, G, R, A), its state (visible, absolute), the LEDs
    /// (Num Lock on) and typematic info, for a client that takes each.
    fn pseudo_encodings(&self) -> Vec<Vec<u8>> {
        let mut v = Vec::new();
        if self.takes(VMW_DEFINE_CURSOR) {
            let (w, h) = (8u32, 12u32);
            let mut r = header(0, 0, w, h, VMW_DEFINE_CURSOR);
            r.extend_from_slice(&[1, 0]);
            for y in 0..h {
                for x in 0..w {
                    let inside = x <= y && x + y / 2 < 10;
                    let edge = inside && (x == 0 || x == y || x + y / 2 == 9 || y == h - 1);
                    let bgra: [u8; 4] = match (inside, edge) {
                        (true, true) => [0, 0, 0, 255],
                        (true, false) => [255, 255, 255, 255],
                        _ => [0, 0, 0, 0],
                    };
                    r.extend_from_slice(&bgra);
                }
            }
            v.push(r);
        }
        if self.takes(VMW_CURSOR_STATE) {
            let mut r = header(0, 0, 0, 0, VMW_CURSOR_STATE);
            r.extend_from_slice(&3u16.to_be_bytes());
            v.push(r);
        }
        if self.takes(VMW_LED_STATE) {
            let mut r = header(0, 0, 0, 0, VMW_LED_STATE);
            r.extend_from_slice(&2u32.to_be_bytes());
            v.push(r);
        }
        if self.takes(VMW_TYPEMATIC_INFO) {
            let mut r = header(0, 0, 0, 0, VMW_TYPEMATIC_INFO);
            r.extend_from_slice(&1u16.to_be_bytes());
            r.extend_from_slice(&33_333u32.to_be_bytes());
            r.extend_from_slice(&500_000u32.to_be_bytes());
            v.push(r);
        }
        v
    }

    /// The palette from the update cache: the first time Init (once), Begin, its PNG and
    /// End into slot 0; afterwards a Replay of slot 0.
    fn palette_from_cache(&mut self) -> Vec<Vec<u8>> {
        let (x, y, w, h) = PALETTE;
        let tiles = (w / 16) * (h / 16);
        let all = bitmap(&[(true, tiles as usize)]);
        let mut v = Vec::new();
        if !self.cache_init_sent {
            self.cache_init_sent = true;
            let mut body = vec![0u8; 4];
            body.extend_from_slice(&0x100u32.to_be_bytes());
            body.extend_from_slice(&self.cache_slots.to_be_bytes());
            body.extend_from_slice(&[0; 4]);
            v.push(cache_op(0, 0, 0, 0, 0, 0, &body));
        }
        if self.palette_cached {
            v.push(cache_op(x, y, w, h, 3, 0, &all));
            return v;
        }
        self.palette_cached = true;
        v.push(cache_op(x, y, w, h, 1, 0, &bitmap(&[(false, self.cache_slots as usize)])));
        let rgb: Vec<u8> = desktop::palette().chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
        let mut r = header(x, y, w, h, TIGHT_PNG);
        r.extend(with_length(0xA0, &png(&rgb, w, h)));
        v.push(r);
        v.push(cache_op(x, y, w, h, 2, 0, &all));
        v
    }
}

fn fits((x, y, w, h): (u32, u32, u32, u32), f: &Frame) -> bool {
    x + w <= f.width && y + h <= f.height
}

/// The 64×64 tiles (clipped) that differ from `prev`; the palette's when it comes from
/// the cache are left out.
fn changed_tiles(frame: &Frame, prev: Option<&Frame>, palette_cached: bool) -> Vec<(u32, u32, u32, u32)> {
    let mut out = Vec::new();
    let (px, py, pw, ph) = PALETTE;
    for ty in (0..frame.height).step_by(TILE as usize) {
        for tx in (0..frame.width).step_by(TILE as usize) {
            let (w, h) = (TILE.min(frame.width - tx), TILE.min(frame.height - ty));
            if palette_cached && tx >= px && tx + w <= px + pw && ty >= py && ty + h <= py + ph {
                continue;
            }
            let changed = match prev {
                Some(p) if p.width == frame.width && p.height == frame.height => frame.differs(p, tx, ty, w, h),
                _ => true,
            };
            if changed {
                out.push((tx, ty, w, h));
            }
        }
    }
    out
}

fn bounding_box(tiles: &[(u32, u32, u32, u32)]) -> Option<(u32, u32, u32, u32)> {
    let x0 = tiles.iter().map(|t| t.0).min()?;
    let y0 = tiles.iter().map(|t| t.1).min()?;
    let x1 = tiles.iter().map(|t| t.0 + t.2).max()?;
    let y1 = tiles.iter().map(|t| t.1 + t.3).max()?;
    Some((x0, y0, x1 - x0, y1 - y0))
}

pub fn header(x: u32, y: u32, w: u32, h: u32, encoding: i32) -> Vec<u8> {
    let mut v = Vec::with_capacity(12);
    for n in [x, y, w, h] {
        v.extend_from_slice(&(n as u16).to_be_bytes());
    }
    v.extend_from_slice(&encoding.to_be_bytes());
    v
}

/// An UpdateCache rectangle: `u8 op, u16 slot, u16 length` and the data.
fn cache_op(x: u32, y: u32, w: u32, h: u32, op: u8, slot: u16, data: &[u8]) -> Vec<u8> {
    let mut r = header(x, y, w, h, VMW_UPDATE_CACHE);
    r.push(op);
    r.extend_from_slice(&slot.to_be_bytes());
    r.extend_from_slice(&(data.len() as u16).to_be_bytes());
    r.extend_from_slice(data);
    r
}

/// Runs as VMware's bitmaps have them, most significant bit first: the first run's state,
/// then each run's length in Elias gamma.
pub fn bitmap(runs: &[(bool, usize)]) -> Vec<u8> {
    let mut bits: Vec<bool> = vec![runs.first().is_some_and(|r| r.0)];
    for &(_, n) in runs {
        let width = usize::BITS - n.leading_zeros();
        bits.extend(std::iter::repeat_n(false, width as usize - 1));
        bits.extend((0..width).rev().map(|i| n >> i & 1 == 1));
    }
    bits.chunks(8).map(|c| c.iter().enumerate().fold(0u8, |b, (i, &on)| b | ((on as u8) << (7 - i)))).collect()
}

/// A TightPNG control byte, the compact length and the data.
fn with_length(control: u8, data: &[u8]) -> Vec<u8> {
    let mut v = vec![control];
    let n = data.len();
    if n < 0x80 {
        v.push(n as u8);
    } else if n < 0x4000 {
        v.extend_from_slice(&[(n & 0x7f) as u8 | 0x80, (n >> 7) as u8]);
    } else {
        v.extend_from_slice(&[(n & 0x7f) as u8 | 0x80, ((n >> 7) & 0x7f) as u8 | 0x80, (n >> 14) as u8]);
    }
    v.extend_from_slice(data);
    v
}

fn png(rgb: &[u8], w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut e = png::Encoder::new(&mut out, w, h);
    e.set_color(png::ColorType::Rgb);
    e.set_depth(png::BitDepth::Eight);
    if let Ok(mut writer) = e.write_header() {
        let _ = writer.write_image_data(rgb);
    }
    out
}

fn jpeg(rgb: &[u8], w: u32, h: u32, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = jpeg_encoder::Encoder::new(&mut out, quality).encode(rgb, w as u16, h as u16, jpeg_encoder::ColorType::Rgb);
    out
}

/// A diff-JPEG's ops, as VMware's client rebuilds them: over the first 1024 bytes, runs
/// equal to the previous JPEG at the same place (op 1) or new bytes (op 2), then op 3 and
/// the rest of the new JPEG.
pub fn diff_ops(jpeg: &[u8], prev: &[u8]) -> Vec<u8> {
    let head = jpeg.len().min(1024);
    let mut ops = Vec::new();
    let mut pos = 0;
    while pos < head {
        let same = |p: usize| prev.get(p) == Some(&jpeg[p]);
        let run_same = same(pos);
        let mut end = pos;
        while end < head && end - pos < 255 && same(end) == run_same {
            end += 1;
        }
        if run_same {
            ops.extend_from_slice(&[1, (end - pos) as u8]);
        } else {
            ops.extend_from_slice(&[2, (end - pos) as u8]);
            ops.extend_from_slice(&jpeg[pos..end]);
        }
        pos = end;
    }
    ops.push(3);
    ops.extend_from_slice(&jpeg[head..]);
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitmaps_are_runs_in_elias_gamma() {
        // Set, 4: "1" + "00100"; then clear, 1: "1"; padded.
        assert_eq!(bitmap(&[(true, 4), (false, 1)]), vec![0b1001_0010]);
        assert_eq!(bitmap(&[(true, 256)]), vec![0b1000_0000, 0b0100_0000, 0b0000_0000]);
    }

    #[test]
    fn diff_ops_rebuild_the_jpeg_with_the_clients_rule() {
        let prev: Vec<u8> = (0..2000u32).map(|i| (i % 251) as u8).collect();
        let mut next = prev.clone();
        next[3] = 99;
        next[600] = 7;
        next.truncate(1500);
        let ops = diff_ops(&next, &prev);
        assert_eq!(vsphere_console::rfb::rebuild_diff_jpeg(&ops, &prev).unwrap(), next);
    }
}
