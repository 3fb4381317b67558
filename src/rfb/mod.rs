//! A sans-IO RFB client engine with VMware's WebMKS extensions.
//!
//! [`Engine::receive`] takes bytes from the console socket; [`Engine::poll_event`]
//! and [`Engine::take_transmit`] hand out what happened and what to send; the
//! [`Framebuffer`] holds RGBA pixels and the damage since the last draw. The same
//! engine runs in the browser, in native tests against Xvnc and QEMU, in the fuzzer
//! and in `cargo xtask replay`. Spec: <https://github.com/rfbproto/rfbproto>.
//!
//! The engine is split as IronRDP splits a connector from its session: the handshake
//! (`handshake.rs`) ends in a ServerInit; then the engine (`engine.rs`) reads server
//! messages (`server.rs`) and the rectangles of updates (`update.rs`), each through the
//! one decoder table (`decoders`); what the page sends goes out through `client.rs`;
//! update flow control is `flow.rs`; every bound is in `limits.rs`. Where VMware's own
//! client reads the protocol differently from rfbproto, `webmks.rs` says which applies.

mod client;
pub mod clipboard;
mod cursor;
mod decoders;
mod dialect;
pub mod encoding;
mod engine;
mod error;
mod event;
mod flow;
mod framebuffer;
mod handshake;
mod image_header;
pub mod limits;
mod messages;
mod pixel_format;
mod pixels;
mod reader;
pub mod replay;
mod server;
mod update;
pub mod update_cache;
mod vnc_auth;
mod webmks;
mod zlib;

#[cfg(not(target_arch = "wasm32"))]
pub mod native_images;

// The surface: what the browser side, the tools and the tests use. The modules behind
// it (the reader, the decoders, the handshake, the flow) are the engine's own.
pub use cursor::CursorImage;
pub use decoders::tight::rebuild_diff_jpeg;
pub use dialect::{caps, Dialect};
pub use engine::{Engine, EngineConfig};
pub use engine::{ImageDecoder, Stats};
pub use error::RfbError;
pub use event::{ClipboardSent, Event, KeyInput, KeyMode};
pub use framebuffer::{Framebuffer, Rect};
pub use handshake::ServerInit;
pub use image_header::ImageFormat;
pub use pixel_format::PixelFormat;
