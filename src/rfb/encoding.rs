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

/// What we advertise by default, most preferred first.
pub fn default_encodings() -> Vec<i32> {
    vec![
        COPY_RECT,
        RAW,
        DESKTOP_SIZE,
        LAST_RECT,
        CURSOR,
        VMW_DEFINE_CURSOR,
        VMW_CURSOR_STATE,
        VMW_CURSOR_POSITION,
        VMW_TYPEMATIC_INFO,
        VMW_LED_STATE,
        VMW_SERVER_CAPS,
    ]
}
