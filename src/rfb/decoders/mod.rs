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
    Raw { row: u32 },
    Hextile { tile: u32, bg: [u8; 4], fg: [u8; 4] },
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
    if is_tight_rgb(pf) { 3 } else { pf.bytes_per_pixel() }
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
