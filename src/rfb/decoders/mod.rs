//! One decoder per encoding, behind one interface (noVNC's `decodeRect`, in Rust).
//!
//! A decoder either finishes a rectangle ([`Progress::Done`]), makes progress it keeps
//! in its [`RectState`] ([`Progress::Partial`], e.g. a Hextile tile or Raw rows), asks
//! for more bytes having consumed nothing it cannot re-read ([`Progress::NeedMore`]),
//! or hands a JPEG/PNG to the host's image decoder ([`Progress::Image`]).

pub mod copyrect;
pub mod hextile;
pub mod raw;
pub mod rre;
pub mod tight;
pub mod zlib;
pub mod zrle;

use super::error::RfbError;
use super::framebuffer::{Framebuffer, Rect};
use super::pixel_format::PixelFormat;
use super::reader::Reader;
use super::zlib::ZStream;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Progress {
    Done,
    Partial,
    NeedMore,
    /// An image for the host to decode; its pixels go in before anything later is drawn.
    Image(ImageFormat, Vec<u8>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageFormat {
    Jpeg,
    Png,
}

impl ImageFormat {
    pub fn mime(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Png => "image/png",
        }
    }
}

/// Per-rectangle progress of the incremental decoders.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum RectState {
    #[default]
    Fresh,
    Raw {
        row: u32,
    },
    Hextile {
        tile: u32,
        bg: [u8; 4],
        fg: [u8; 4],
    },
}

/// Zlib streams and memory that live across rectangles.
#[derive(Default)]
pub struct Streams {
    pub zlib: ZStream,
    pub zrle: ZStream,
    pub tight: [ZStream; 4],
    /// The last JPEG of a TightPNG stream, the base of VMware's diff-JPEG.
    pub last_jpeg: Vec<u8>,
}

/// What a decoder draws into.
pub struct Target<'a> {
    pub fb: &'a mut Framebuffer,
    pub pf: &'a PixelFormat,
    /// The rectangle, already checked to lie inside the framebuffer.
    pub rect: Rect,
}

pub type DecodeResult = Result<Progress, RfbError>;

/// Reads `n` bytes or reports that more are needed.
pub(crate) fn need<'a>(r: &mut Reader<'a>, n: usize) -> Option<&'a [u8]> {
    r.bytes(n).ok()
}

/// Writes one RGBA pixel into a 4-byte chunk as a single store. Decoders call this per
/// pixel; inlined by force, since the bundle's size-first optimisation would otherwise
/// leave a call and a 4-byte `memcpy` per pixel.
#[inline(always)]
pub(crate) fn store(o: &mut [u8], px: [u8; 4]) {
    if let Ok(o) = <&mut [u8; 4]>::try_from(o) {
        *o = px;
    }
}

/// R, G, B byte triples to RGBA with alpha 255. Four pixels at a time: three 4-byte loads
/// and four 4-byte stores instead of twelve byte loads, the inner loop of Tight and ZRLE.
pub(crate) fn rgb_to_rgba(src: &[u8], out: &mut [u8]) {
    const A: u32 = 0xff00_0000;
    let word = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    let mut s4 = src.chunks_exact(12);
    let mut o4 = out.chunks_exact_mut(16);
    for (s, o) in (&mut s4).zip(&mut o4) {
        // Little-endian words: w0 = R0 G0 B0 R1, w1 = G1 B1 R2 G2, w2 = B2 R3 G3 B3.
        let (w0, w1, w2) = (word(&s[0..4]), word(&s[4..8]), word(&s[8..12]));
        store(&mut o[0..4], (w0 | A).to_le_bytes());
        store(&mut o[4..8], ((w0 >> 24) | (w1 << 8) | A).to_le_bytes());
        store(&mut o[8..12], ((w1 >> 16) | (w2 << 16) | A).to_le_bytes());
        store(&mut o[12..16], ((w2 >> 8) | A).to_le_bytes());
    }
    for (c, o) in s4.remainder().chunks_exact(3).zip(o4.into_remainder().chunks_exact_mut(4)) {
        store(o, [c[0], c[1], c[2], 255]);
    }
}

/// True when a 3-byte CPIXEL/TPIXEL is already R, G, B in that order (the 32-bpp
/// little-endian RGBX the engine asks servers for), so decoders can skip the general
/// conversion per pixel.
pub(crate) fn three_bytes_are_rgb(pf: &PixelFormat) -> bool {
    pf.true_colour
        && pf.bits_per_pixel == 32
        && !pf.big_endian
        && (pf.red_max, pf.green_max, pf.blue_max) == (255, 255, 255)
        && (pf.red_shift, pf.green_shift, pf.blue_shift) == (0, 8, 16)
}

/// A PIXEL in the session's format as RGBA.
pub(crate) fn pixel(pf: &PixelFormat, b: &[u8]) -> [u8; 4] {
    pf.rgba(pf.value(b))
}

/// Size of a ZRLE CPIXEL: 3 bytes when a 32-bpp true-colour pixel fits in 3 of its bytes.
pub(crate) fn cpixel_len(pf: &PixelFormat) -> usize {
    if pf.bits_per_pixel == 32 && pf.depth <= 24 && (fits_low(pf) || fits_high(pf)) {
        3
    } else {
        pf.bytes_per_pixel()
    }
}

fn colour_mask(pf: &PixelFormat) -> u64 {
    ((pf.red_max as u64) << pf.red_shift) | ((pf.green_max as u64) << pf.green_shift) | ((pf.blue_max as u64) << pf.blue_shift)
}

fn fits_low(pf: &PixelFormat) -> bool {
    colour_mask(pf) < (1 << 24)
}

fn fits_high(pf: &PixelFormat) -> bool {
    colour_mask(pf) & 0xff == 0
}

/// A CPIXEL as RGBA.
pub(crate) fn cpixel(pf: &PixelFormat, b: &[u8]) -> [u8; 4] {
    if b.len() != 3 {
        return pixel(pf, b);
    }
    // The 3 bytes are the pixel's low (or high) three bytes, in its byte order.
    let four = match (pf.big_endian, fits_low(pf)) {
        (false, true) => [b[0], b[1], b[2], 0],
        (true, true) => [0, b[0], b[1], b[2]],
        (false, false) => [0, b[0], b[1], b[2]],
        (true, false) => [b[0], b[1], b[2], 0],
    };
    pixel(pf, &four)
}

/// Size of a Tight TPIXEL: R, G, B when the format is 32 bpp, depth 24, 8-bit channels.
pub(crate) fn tpixel_len(pf: &PixelFormat) -> usize {
    if is_tight_rgb(pf) {
        3
    } else {
        pf.bytes_per_pixel()
    }
}

pub(crate) fn is_tight_rgb(pf: &PixelFormat) -> bool {
    pf.true_colour && pf.bits_per_pixel == 32 && pf.depth == 24 && pf.red_max == 255 && pf.green_max == 255 && pf.blue_max == 255
}

pub(crate) fn tpixel(pf: &PixelFormat, b: &[u8]) -> [u8; 4] {
    if b.len() == 3 && is_tight_rgb(pf) {
        [b[0], b[1], b[2], 255]
    } else {
        pixel(pf, b)
    }
}

#[cfg(test)]
mod tests {
    use super::rgb_to_rgba;

    #[test]
    fn rgb_to_rgba_matches_one_pixel_at_a_time_for_every_length() {
        for n in 0..40usize {
            let src: Vec<u8> = (0..n * 3).map(|i| (i * 37 + 11) as u8).collect();
            let mut fast = vec![0u8; n * 4];
            rgb_to_rgba(&src, &mut fast);
            let slow: Vec<u8> = src.chunks_exact(3).flat_map(|c| [c[0], c[1], c[2], 255]).collect();
            assert_eq!(fast, slow, "{n} pixels");
        }
    }
}
