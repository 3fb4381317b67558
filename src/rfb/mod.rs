//! A sans-IO RFB client engine with VMware's WebMKS extensions.
//!
//! [`Session::receive`] takes bytes from the console socket; [`Session::poll_event`]
//! and [`Session::take_transmit`] hand out what happened and what to send; the
//! [`Framebuffer`] holds RGBA pixels and the damage since the last draw. The same
//! engine runs in the browser, in native tests against Xvnc and QEMU, in the fuzzer
//! and in `cargo xtask replay`. Spec: <https://github.com/rfbproto/rfbproto>.

pub mod clipboard;
pub mod cursor;
pub mod decoders;
pub mod encoding;
pub mod error;
pub mod framebuffer;
pub mod image_header;
pub mod messages;
pub mod pixel_format;
pub mod reader;
pub mod replay;
pub mod session;
pub mod vnc_auth;
pub mod zlib;

#[cfg(not(target_arch = "wasm32"))]
pub mod native_images;

pub use decoders::ImageFormat;
pub use error::RfbError;
pub use framebuffer::{Framebuffer, Rect};
pub use pixel_format::PixelFormat;
pub use session::{ClipboardSent, Event, KeyInput, Session, SessionConfig};
