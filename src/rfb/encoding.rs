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
/// The client takes pushed updates, paced by UpdateAck.
pub const VMW_SERVER_PUSH2: i32 = 0x574d_567b;
/// An update's timestamp (audio/video sync).
pub const VMW_FRAME_STAMP: i32 = 0x574d_567c;
/// Copies between the client's offscreen canvases; not advertised.
pub const VMW_OFFSCREEN_COPY_RECT: i32 = 0x574d_567e;
/// The update cache (`update_cache.rs`).
pub const VMW_UPDATE_CACHE: i32 = 0x574d_567f;
/// TightPNG may send diff-JPEG (0xB_), a JPEG built from the previous one.
pub const VMW_TIGHT_DIFF_COMP: i32 = 0x574d_5616;
/// H.264 in rectangles, raw or as fragmented MP4: never advertised, skipped when sent.
pub const VMW_H264_RECT: i32 = 0x574d_5614;
pub const VMW_H264_MP4: i32 = 0x574d_5618;

/// JPEG quality 9 of 0–9, what VMware's client asks for; the server may send JPEG
/// only after a quality level.
pub const JPEG_QUALITY_DEFAULT: i32 = JPEG_QUALITY_HIGHEST;
/// zlib compression level 2 of 0–9, as noVNC.
pub const COMPRESS_LEVEL_DEFAULT: i32 = COMPRESS_LEVEL_0 + 2;

/// What we advertise by default, most preferred first. VMware's client's own list comes
/// first (CopyRect, TightPNG with diff-JPEG, its cursor, state, push, caps, frame stamps
/// and the update cache: ESXi sends CopyRect only to a client that also takes TightPNG
/// and VMware's cursor); plain VNC servers fall through to Tight, ZRLE and the rest.
pub fn default_encodings() -> Vec<i32> {
    vec![
        COPY_RECT,
        VMW_TIGHT_DIFF_COMP,
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
        VMW_SERVER_PUSH2,
        VMW_SERVER_CAPS,
        VMW_FRAME_STAMP,
        VMW_UPDATE_CACHE,
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
