//! One decoder per encoding, behind one interface (noVNC's `decodeRect`, in Rust), and
//! [`find`], the one table that maps an encoding number to its decoder. A new encoding
//! is one file here and one row in [`TABLE`].
//!
//! A decoder reads its rectangle's body and either draws into the framebuffer or says
//! what the rectangle means (a cursor, a new size, LEDs) through [`Ctx::effects`]. It
//! finishes ([`Progress::Done`]), keeps partial progress in its [`RectState`]
//! ([`Progress::Partial`], e.g. Raw rows or Hextile tiles), hands a JPEG or PNG to the
//! host ([`Progress::Image`]), or needs pixels only the canvas holds
//! ([`Progress::ReadBack`]). `Err(Stop::NeedMore)` means more bytes are needed: whatever
//! it read is read again then, so it must not have changed anything before.

pub mod copyrect;
pub mod cursor;
pub mod desktop_size;
pub mod hextile;
pub mod qemu;
pub mod raw;
pub mod rre;
pub mod tight;
pub mod update_cache;
pub mod vmware;
pub mod zlib;
pub mod zrle;

use super::dialect::Dialect;
use super::encoding as enc;
use super::event::{Event, KeyMode};
use super::framebuffer::{Framebuffer, Rect};
use super::pixel_format::PixelFormat;
use super::reader::{Parsed, Reader};
use super::update_cache::UpdateCache;
use super::zlib::ZStream;

pub(crate) use super::pixels::{rgb_to_rgba, store};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Progress {
    Done,
    Partial,
    /// An image for the host to decode; its pixels go in before anything later is drawn.
    Image(ImageFormat, Vec<u8>),
    /// The canvas's pixels under these regions are needed first (the engine asks the
    /// host, then calls the decoder again, from the start of its body).
    ReadBack(Vec<Rect>),
}

pub use super::image_header::ImageFormat;

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
    /// VMware's update cache: pictures the server draws again by number.
    pub cache: UpdateCache,
}

/// What a rectangle means besides pixels: the engine applies these once the decoder
/// has finished.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    Event(Event),
    /// The desktop's new size (DesktopSize, ExtendedDesktopSize).
    Resize {
        width: u32,
        height: u32,
    },
    /// The update ends here (LastRect).
    EndUpdate,
    KeyMode(KeyMode),
}

/// What a decoder works with.
pub struct Ctx<'a> {
    /// The rectangle's header. For [`Kind::Pixels`] it lies inside the framebuffer
    /// (checked before the decoder runs); for the others its fields mean what the
    /// encoding says (a cursor's hotspot, a new size).
    pub rect: Rect,
    pub fb: &'a mut Framebuffer,
    pub pf: &'a PixelFormat,
    /// Whose reading applies where rfbproto and VMware's client disagree.
    pub dialect: Dialect,
    pub state: &'a mut RectState,
    pub streams: &'a mut Streams,
    pub effects: &'a mut Vec<Effect>,
}

/// The one decoder signature.
pub type Decode = fn(&mut Reader, &mut Ctx) -> Parsed<Progress>;

/// What kind of rectangle an encoding carries, which decides what the engine does
/// before and around its decoder.
#[derive(Clone, Copy)]
pub enum Kind {
    /// Pixels inside its rectangle. `image`, given the body's first byte: does it hand
    /// an image to the host instead of drawing? `source`: the framebuffer region it reads
    /// (a CopyRect's), peeked before anything is drawn.
    Pixels { image: Option<fn(u8) -> bool>, source: Option<fn(&Reader, Rect) -> Parsed<Rect>> },
    /// No pixels of the screen: a cursor, a size, LEDs, capabilities.
    Pseudo,
    /// LastRect: the update ends; it may be read while images decode.
    EndOfUpdate,
}

pub struct Decoder {
    pub encoding: i32,
    pub kind: Kind,
    pub decode: Decode,
}

const fn pixels(encoding: i32, decode: Decode) -> Decoder {
    Decoder { encoding, kind: Kind::Pixels { image: None, source: None }, decode }
}

const fn pseudo(encoding: i32, decode: Decode) -> Decoder {
    Decoder { encoding, kind: Kind::Pseudo, decode }
}

/// Every encoding the engine reads, by number.
pub static TABLE: &[Decoder] = &[
    pixels(enc::RAW, raw::decode),
    Decoder { encoding: enc::COPY_RECT, kind: Kind::Pixels { image: None, source: Some(copyrect::source) }, decode: copyrect::decode },
    pixels(enc::RRE, rre::decode),
    pixels(enc::HEXTILE, hextile::decode),
    pixels(enc::ZLIB, zlib::decode),
    pixels(enc::ZRLE, zrle::decode),
    Decoder { encoding: enc::TIGHT, kind: Kind::Pixels { image: Some(tight::is_image), source: None }, decode: tight::decode },
    Decoder { encoding: enc::TIGHT_PNG, kind: Kind::Pixels { image: Some(tight::png_is_image), source: None }, decode: tight::decode_png },
    Decoder { encoding: enc::LAST_RECT, kind: Kind::EndOfUpdate, decode: last_rect },
    pseudo(enc::DESKTOP_SIZE, desktop_size::decode),
    pseudo(enc::EXTENDED_DESKTOP_SIZE, desktop_size::decode_extended),
    pseudo(enc::CURSOR, cursor::decode_rich),
    pseudo(enc::VMW_DEFINE_CURSOR, cursor::decode_vmware),
    pseudo(enc::VMW_CURSOR_STATE, vmware::cursor_state),
    pseudo(enc::VMW_CURSOR_POSITION, vmware::cursor_position),
    pseudo(enc::VMW_TYPEMATIC_INFO, vmware::typematic_info),
    pseudo(enc::VMW_LED_STATE, vmware::led_state),
    pseudo(enc::VMW_FRAME_STAMP, vmware::frame_stamp),
    pseudo(enc::VMW_UPDATE_CACHE, update_cache::decode),
    pseudo(enc::VMW_H264_RECT, vmware::h264_skipped),
    pseudo(enc::VMW_H264_MP4, vmware::h264_skipped),
    pseudo(enc::QEMU_LED_STATE, qemu::led_state),
    pseudo(enc::QEMU_EXTENDED_KEY_EVENT, qemu::extended_key_event),
];

/// The decoder for an encoding, if the engine reads it.
pub fn find(encoding: i32) -> Option<&'static Decoder> {
    TABLE.iter().find(|d| d.encoding == encoding)
}

/// LastRect (-224): no body; the update ends.
fn last_rect(_: &mut Reader, t: &mut Ctx) -> Parsed<Progress> {
    t.effects.push(Effect::EndUpdate);
    Ok(Progress::Done)
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

/// A PIXEL in the engine's pixel format as RGBA.
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
    use super::*;

    #[test]
    fn every_encoding_has_one_row() {
        for (i, d) in TABLE.iter().enumerate() {
            assert!(TABLE[i + 1..].iter().all(|o| o.encoding != d.encoding), "encoding {} twice", d.encoding);
            assert_eq!(find(d.encoding).map(|f| f.encoding), Some(d.encoding));
        }
        assert!(find(12345).is_none());
    }
}
