//! VMware's update cache (pseudo-encoding `0x574D567F`): the server keeps pictures in
//! numbered slots on the client and later draws them, or parts of them, again by
//! number. Read as VMware's client reads it (`docs/protocol.md`, "Update cache").
//!
//! - Init: every slot is emptied, and the number of slots set.
//! - Begin: some slots are emptied (a run-length bitmap), and the images that follow
//!   (TightPNG JPEG or PNG) go into one slot instead of onto the screen.
//! - End: the slot's picture is drawn, in 16×16 tiles taken in row order, onto the tiles
//!   of a region (the rectangle, or the whole screen) whose bit is set in a mask.
//! - Replay: the tiles set both in the mask End stored and in a new one are drawn again.
//!
//! Bitmaps are run lengths, most significant bit first: the first bit is the state of
//! the first run, then each run's length is an Elias-gamma number, runs alternating.
//! The pictures' pixels live here (RGBA), within the size the client announced.

use super::error::RfbError;
use super::framebuffer::{Framebuffer, Rect};

pub use super::limits::{UPDATE_CACHE_ENTRIES as MAX_ENTRIES, UPDATE_CACHE_KB as MAX_SIZE_KB};
/// UpdateCacheInfo flags: Replay, no offscreen surface, sub-rectangles.
const CLIENT_FLAGS: u32 = 0x4 | 0x2 | SUB_RECTANGLE;
/// Init's flag (and ours): End draws into its rectangle, not the whole screen.
const SUB_RECTANGLE: u32 = 0x100;
const TILE: u32 = 16;

#[derive(Default)]
pub struct UpdateCache {
    slots: Vec<Slot>,
    sub_rectangles: bool,
    /// Between Begin and End: the slot images go into.
    filling: Option<u16>,
    /// Bytes of pictures held.
    bytes: usize,
}

#[derive(Default)]
struct Slot {
    /// The picture's size as Begin gave it: the tiles are counted from this.
    width: u32,
    height: u32,
    /// The picture: width, height and RGBA, once its image has arrived.
    picture: Option<(u32, u32, Vec<u8>)>,
    /// What End drew: its region and mask, for Replay.
    drawn: Option<(Rect, Vec<u8>)>,
}

/// A cache operation, from the rectangle's body.
pub enum Op<'a> {
    Init { flags: u32, entries: u16 },
    Begin { slot: u16, evict: &'a [u8] },
    End { slot: u16, mask: &'a [u8] },
    Replay { slot: u16, mask: &'a [u8] },
}

fn bad(what: &'static str) -> RfbError {
    RfbError::Malformed(what)
}

impl UpdateCache {
    /// UpdateCacheInfo (127/11): what this client takes.
    pub fn announce(&self, out: &mut Vec<u8>) {
        super::messages::vmware::update_cache_info(out, CLIENT_FLAGS, MAX_ENTRIES, MAX_SIZE_KB);
    }

    /// The slot images go into right now (between Begin and End).
    pub fn filling(&self) -> Option<u16> {
        self.filling
    }

    /// The region an operation draws into, which must hold the right pixels first.
    pub fn region(&self, op: &Op, rect: Rect, fb: &Framebuffer) -> Option<Rect> {
        match op {
            Op::End { .. } => Some(if self.sub_rectangles { rect } else { Rect::new(0, 0, fb.width(), fb.height()) }),
            Op::Replay { slot, .. } => self.slots.get(*slot as usize).and_then(|s| s.drawn.as_ref()).map(|(r, _)| *r),
            _ => None,
        }
    }

    /// Applies one operation; End and Replay draw into `fb`.
    pub fn apply(&mut self, op: Op, rect: Rect, fb: &mut Framebuffer) -> Result<(), RfbError> {
        match op {
            Op::Init { flags, entries } => {
                if entries > MAX_ENTRIES {
                    return Err(bad("update cache: more slots than the client announced"));
                }
                *self = UpdateCache {
                    slots: (0..entries).map(|_| Slot::default()).collect(),
                    sub_rectangles: flags & SUB_RECTANGLE != 0,
                    ..Self::default()
                };
            }
            Op::Begin { slot, evict } => {
                if self.slots.is_empty() || self.filling.is_some() || slot as usize >= self.slots.len() {
                    return Err(bad("update cache: Begin out of place"));
                }
                let mut bits = BitReader::new(evict);
                let mut set = bits.bit() == 0;
                let mut at = 0usize;
                loop {
                    let run = bits.gamma();
                    set = !set;
                    if set {
                        for i in at..(at + run).min(self.slots.len()) {
                            self.evict(i);
                        }
                    }
                    at += run;
                    if at >= self.slots.len() || bits.overflow {
                        break;
                    }
                }
                self.evict(slot as usize);
                let s = &mut self.slots[slot as usize];
                (s.width, s.height) = (rect.w, rect.h);
                self.filling = Some(slot);
            }
            Op::End { slot, mask } => {
                if self.slots.is_empty() || self.filling != Some(slot) {
                    return Err(bad("update cache: End without its Begin"));
                }
                self.filling = None;
                let region = if self.sub_rectangles { rect } else { Rect::new(0, 0, fb.width(), fb.height()) };
                let s = &mut self.slots[slot as usize];
                draw_end(s, region, mask, fb)?;
                s.drawn = Some((region, mask.to_vec()));
            }
            Op::Replay { slot, mask } => {
                let s = self.slots.get(slot as usize).ok_or(bad("update cache: no such slot"))?;
                // A slot End never drew has nothing to replay.
                if s.drawn.is_none() {
                    return Ok(());
                }
                if self.filling.is_some() {
                    return Err(bad("update cache: Replay inside Begin and End"));
                }
                draw_replay(s, mask, fb)?;
            }
        }
        Ok(())
    }

    /// The picture of the slot being filled (a TightPNG image between Begin and End).
    pub fn keep(&mut self, slot: u16, width: u32, height: u32, rgba: Vec<u8>) -> Result<(), RfbError> {
        let held = self.bytes - self.slots.get(slot as usize).and_then(|s| s.picture.as_ref()).map_or(0, |p| p.2.len());
        if held + rgba.len() > MAX_SIZE_KB as usize * 1024 {
            return Err(bad("update cache: the server cached more than the client announced it takes"));
        }
        let s = self.slots.get_mut(slot as usize).ok_or(bad("update cache: no such slot"))?;
        self.bytes = held + rgba.len();
        s.picture = Some((width, height, rgba));
        Ok(())
    }

    fn evict(&mut self, i: usize) {
        if let Some(s) = self.slots.get_mut(i) {
            self.bytes -= s.picture.as_ref().map_or(0, |p| p.2.len());
            *s = Slot::default();
        }
    }
}

/// End: the picture's tiles, in row order, onto the region's tiles whose bit is set.
fn draw_end(s: &Slot, region: Rect, mask: &[u8], fb: &mut Framebuffer) -> Result<(), RfbError> {
    let picture = s.picture.as_ref().ok_or(bad("update cache: End before its picture arrived"))?;
    let per_row = s.width.div_ceil(TILE);
    let (across, down) = (region.w.div_ceil(TILE), region.h.div_ceil(TILE));
    if per_row == 0 {
        return Err(bad("update cache: an empty picture"));
    }
    let mut bits = BitReader::new(mask);
    let mut set = bits.bit() == 0;
    let (mut run, mut f, mut g, mut j, mut k) = (0u32, 0u32, 0u32, 0u32, 0u32);
    while g < down && !bits.overflow {
        if run == 0 {
            run = bits.gamma() as u32;
            set = !set;
        }
        let n = (per_row - j).min(across - f).min(run);
        if set {
            blit(picture, j * TILE, k * TILE, n * TILE, region.x + f * TILE, region.y + g * TILE, fb);
            j += n;
            if j == per_row {
                j = 0;
                k += 1;
            }
        }
        f += n;
        if f == across {
            f = 0;
            g += 1;
        }
        run -= n;
    }
    Ok(())
}

/// Replay: the tiles set both in End's mask and in this one, drawn again from the same
/// tiles of the picture.
fn draw_replay(s: &Slot, mask: &[u8], fb: &mut Framebuffer) -> Result<(), RfbError> {
    let (Some(picture), Some((region, stored))) = (s.picture.as_ref(), s.drawn.as_ref()) else { return Ok(()) };
    let per_row = s.width.div_ceil(TILE);
    let (across, down) = (region.w.div_ceil(TILE), region.h.div_ceil(TILE));
    if per_row == 0 {
        return Err(bad("update cache: an empty picture"));
    }
    let (mut old, mut new) = (BitReader::new(stored), BitReader::new(mask));
    let (mut old_set, mut new_set) = (old.bit() == 0, new.bit() == 0);
    let (mut old_run, mut new_run) = (0u32, 0u32);
    let (mut d, mut e, mut i, mut j) = (0u32, 0u32, 0u32, 0u32);
    while e < down && !old.overflow && !new.overflow {
        if old_run == 0 {
            old_run = old.gamma() as u32;
            old_set = !old_set;
        }
        if new_run == 0 {
            new_run = new.gamma() as u32;
            new_set = !new_set;
        }
        let mut h = (across - d).min(old_run);
        if old_set {
            h = h.min(per_row - i).min(new_run);
            if new_set {
                blit(picture, i * TILE, j * TILE, h * TILE, region.x + d * TILE, region.y + e * TILE, fb);
            }
            i += h;
            if i == per_row {
                i = 0;
                j += 1;
            }
            new_run -= h;
        }
        d += h;
        if d == across {
            d = 0;
            e += 1;
        }
        old_run -= h;
    }
    Ok(())
}

/// One row of tiles (`w`×16 at `sx`,`sy` of the picture) at `dx`,`dy`, clipped to the
/// picture and to the screen, as a canvas clips `drawImage`.
fn blit(picture: &(u32, u32, Vec<u8>), sx: u32, sy: u32, w: u32, dx: u32, dy: u32, fb: &mut Framebuffer) {
    let (pw, ph, rgba) = picture;
    let w = w.min(pw.saturating_sub(sx)).min(fb.width().saturating_sub(dx));
    let h = TILE.min(ph.saturating_sub(sy)).min(fb.height().saturating_sub(dy));
    if w == 0 || h == 0 {
        return;
    }
    let dst = Rect::new(dx, dy, w, h);
    for row in 0..h {
        let from = (((sy + row) * pw + sx) * 4) as usize;
        fb.row_mut(dst, row).copy_from_slice(&rgba[from..from + w as usize * 4]);
    }
    fb.add_damage(dst);
}

/// Bits, most significant first, as VMware's client reads them: past the end it reads
/// zeros and says `overflow`.
struct BitReader<'a> {
    data: &'a [u8],
    at: usize,
    overflow: bool,
}

impl<'a> BitReader<'a> {
    fn new(data: &'a [u8]) -> Self {
        BitReader { data, at: 0, overflow: false }
    }

    fn bit(&mut self) -> u32 {
        match self.data.get(self.at / 8) {
            Some(b) => {
                let bit = (b >> (7 - self.at % 8)) & 1;
                self.at += 1;
                bit as u32
            }
            None => {
                self.overflow = true;
                0
            }
        }
    }

    fn bits(&mut self, n: u32) -> usize {
        (0..n).fold(0usize, |v, _| (v << 1) | self.bit() as usize)
    }

    /// Elias gamma: n zeros, then a one and n more bits.
    fn gamma(&mut self) -> usize {
        let mut zeros = 0;
        while !self.overflow && self.bit() == 0 {
            zeros += 1;
        }
        // A hostile run of zeros cannot make a number past the slots or tiles anyway.
        let zeros = zeros.min(24);
        (1 << zeros) | self.bits(zeros)
    }
}

#[cfg(test)]
mod tests {
    use super::BitReader;

    #[test]
    fn elias_gamma_reads_as_the_sdk_reads_it() {
        // 1 → 1; 010 → 2; 011 → 3; 00100 → 4; then zeros past the end, with overflow.
        let mut b = BitReader::new(&[0b1010_0110, 0b0100_0000]);
        assert_eq!([b.gamma(), b.gamma(), b.gamma(), b.gamma()], [1, 2, 3, 4]);
        assert!(!b.overflow);
        let mut end = BitReader::new(&[0b0000_0001]);
        assert_eq!(end.gamma(), 128, "seven zeros, the one, then seven bits past the end");
        assert!(end.overflow);
    }
}
