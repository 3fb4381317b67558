//! Every bound the engine keeps, in one place. A hostile server meets one of these, and
//! the engine stops with a sentence; it never gets an allocation or work beyond them.

/// Largest ServerCutText, desktop name, VMware message or compressed rectangle we accept.
pub const MAX_MESSAGE: usize = 16 * 1024 * 1024;

/// Bytes buffered beyond which no legal unit can still be incomplete: the stream is hostile.
pub const MAX_BUFFERED: usize = MAX_MESSAGE + 64 * 1024 * 1024;

/// Longest refusal or failure reason a server may send during the handshake.
pub const MAX_REASON: usize = 64 * 1024;

/// Widest and tallest framebuffer, and its largest area (a 32-bit RGBA buffer of 128 MiB).
pub const MAX_SIDE: u32 = 8192;
pub const MAX_AREA: u64 = 8192 * 4096;

/// Images out for decoding at once. ESXi sends a moving picture as many small JPEG
/// tiles (192 in a 1024x768 update, 510 at 1920x1080), and the browser decodes them
/// side by side (VMware's client hands it all of them). `cargo xtask bench --only wmks`,
/// the lab's moving photo: 16 out took 8.6 s at 1024x768 (wmks.js 6.0 s), 256 took
/// 3.0 s; at 1920x1080 256 took 6.7 s and 1024 4.6 s (wmks.js 6.1 and 6.8 s).
pub const MAX_IMAGES_IN_FLIGHT: usize = 1024;

/// Pixels out for decoding at once (decoded, each costs 4 bytes in the browser): no
/// new image goes out while those out already cover this much, so large images are
/// decoded a few at a time.
pub const MAX_IMAGE_PIXELS_IN_FLIGHT: u64 = 4 * 1920 * 1080;

/// One FramebufferUpdate may draw at most this many screens' worth of pixels: real
/// updates draw one or two; more is a server asking for absurd work.
pub const MAX_UPDATE_SCREENS: u64 = 64;

/// Canvas-only regions kept apart before all of them are read back into the framebuffer.
pub const MAX_CANVAS_ONLY_RECTS: usize = 32;

/// Damage rectangles kept apart before they are merged into their bounding box.
pub const MAX_DAMAGE_RECTS: usize = 64;

/// How many times over RRE sub-rectangles may cover their rectangle.
pub const RRE_MAX_OVERDRAW: u64 = 16;

/// Tight rectangles with basic compression are at most this wide (the Tight spec).
pub const TIGHT_MAX_WIDTH: u32 = 2048;

/// A cursor wider or taller than this is skipped, never decoded: browsers show CSS cursors
/// of at most 128×128, and Windows' largest pointers are 256×256.
pub const MAX_CURSOR_SIDE: u32 = 256;

/// What the client announces in UpdateCacheInfo (127/11), and holds to: slots, and KiB
/// of pictures in them.
pub const UPDATE_CACHE_ENTRIES: u16 = 1024;
pub const UPDATE_CACHE_KB: u32 = 32 * 1024;

/// The most one console holds in memory, whatever its server sends: the framebuffer at
/// its largest, the input buffered at most, VMware's update cache full, and (in the
/// browser, for a moment) a read-back of the whole screen. All consoles of a page share
/// one WebAssembly memory of at most 4 GiB, which never shrinks; eight consoles at the
/// largest screen fit in it.
pub const MAX_CONSOLE_BYTES: u64 = MAX_AREA * 4 + MAX_BUFFERED as u64 + UPDATE_CACHE_KB as u64 * 1024 + MAX_AREA * 4;

const _: () = assert!(8 * MAX_CONSOLE_BYTES < 4 << 30, "eight consoles fit in a 4 GiB WebAssembly memory");
