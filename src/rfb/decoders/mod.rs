//! One decoder per encoding, behind one interface (noVNC's `decodeRect`, in Rust).
//!
//! A decoder is atomic: it either consumes a whole rectangle's bytes and draws it, or
//! returns [`Progress::NeedMore`] having consumed nothing it cannot re-read.

pub mod copyrect;
pub mod raw;

use super::error::RfbError;
use super::framebuffer::{Framebuffer, Rect};
use super::pixel_format::PixelFormat;
use super::reader::Reader;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    Done,
    NeedMore,
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
