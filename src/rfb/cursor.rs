//! The remote cursor as its own RGBA image with a hotspot.

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CursorImage {
    pub width: u32,
    pub height: u32,
    pub hotspot_x: u32,
    pub hotspot_y: u32,
    /// RGBA, straight alpha.
    pub rgba: Vec<u8>,
}
