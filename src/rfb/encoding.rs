//! Encoding and pseudo-encoding numbers (rfbproto "Encodings", VMware's registered range).

pub const RAW: i32 = 0;
pub const COPY_RECT: i32 = 1;
pub const RRE: i32 = 2;
pub const HEXTILE: i32 = 5;
pub const ZLIB: i32 = 6;
pub const TIGHT: i32 = 7;
pub const ZRLE: i32 = 16;
pub const TIGHT_PNG: i32 = -260;

pub const JPEG_QUALITY_HIGHEST: i32 = -23;
pub const JPEG_QUALITY_LOWEST: i32 = -32;
pub const COMPRESS_LEVEL_0: i32 = -256;
pub const DESKTOP_SIZE: i32 = -223;
pub const LAST_RECT: i32 = -224;
pub const CURSOR: i32 = -239;
pub const QEMU_EXTENDED_KEY_EVENT: i32 = -258;
pub const QEMU_LED_STATE: i32 = -261;
pub const EXTENDED_DESKTOP_SIZE: i32 = -308;

pub const VMW_DEFINE_CURSOR: i32 = 0x574d_5664;
pub const VMW_CURSOR_STATE: i32 = 0x574d_5665;
pub const VMW_CURSOR_POSITION: i32 = 0x574d_5666;
pub const VMW_TYPEMATIC_INFO: i32 = 0x574d_5667;
pub const VMW_LED_STATE: i32 = 0x574d_5668;
pub const VMW_SERVER_CAPS: i32 = 0x574d_567a;

/// JPEG quality 6 of 0–9, as noVNC; the server may send JPEG only after this.
pub const JPEG_QUALITY_DEFAULT: i32 = JPEG_QUALITY_LOWEST + 6;
/// zlib compression level 2 of 0–9, as noVNC.
pub const COMPRESS_LEVEL_DEFAULT: i32 = COMPRESS_LEVEL_0 + 2;

/// What we advertise by default, most preferred first. TightPNG first is what ESXi's
/// own client does; plain VNC servers fall through to Tight, ZRLE and the rest.
pub fn default_encodings() -> Vec<i32> {
    vec![
        COPY_RECT,
        TIGHT_PNG,
        TIGHT,
        ZRLE,
        HEXTILE,
        ZLIB,
        RRE,
        RAW,
        JPEG_QUALITY_DEFAULT,
        COMPRESS_LEVEL_DEFAULT,
        DESKTOP_SIZE,
        EXTENDED_DESKTOP_SIZE,
        LAST_RECT,
        CURSOR,
        VMW_DEFINE_CURSOR,
        VMW_CURSOR_STATE,
        VMW_CURSOR_POSITION,
        VMW_TYPEMATIC_INFO,
        VMW_LED_STATE,
        VMW_SERVER_CAPS,
        QEMU_EXTENDED_KEY_EVENT,
        QEMU_LED_STATE,
        super::clipboard::PSEUDO_ENCODING,
    ]
}

/// Only the given encoding (and Raw, which every server may use) plus the pseudo-encodings:
/// how tests force a server to use one encoding.
pub fn only(encoding: i32) -> Vec<i32> {
    let mut v = vec![encoding];
    if encoding != RAW {
        v.push(RAW);
    }
    v.extend(default_encodings().into_iter().filter(|e| *e < -1 || *e > 0x1000));
    v
}
