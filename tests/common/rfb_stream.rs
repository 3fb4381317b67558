//! Server bytes for the engine's tests: WebMKS's ServerInit-first start (the shortest
//! way to a framebuffer) and FramebufferUpdates.

#![allow(dead_code)]

use vsphere_console::rfb::PixelFormat;

/// ServerInit at `w`×`h`, 32-bpp RGBX, desktop `name`.
pub fn server_init_named(w: u16, h: u16, name: &str) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&w.to_be_bytes());
    v.extend_from_slice(&h.to_be_bytes());
    PixelFormat::RGBX8888.write(&mut v);
    v.extend_from_slice(&(name.len() as u32).to_be_bytes());
    v.extend_from_slice(name.as_bytes());
    v
}

pub fn server_init(w: u16, h: u16) -> Vec<u8> {
    server_init_named(w, h, "x")
}

/// A rectangle as it goes on the wire: x, y, w, h, encoding, body.
pub type WireRect = (u16, u16, u16, u16, i32, Vec<u8>);

/// One FramebufferUpdate of these rectangles.
pub fn fbu(rects: &[WireRect]) -> Vec<u8> {
    let mut v = vec![0, 0];
    v.extend_from_slice(&(rects.len() as u16).to_be_bytes());
    for (x, y, w, h, e, body) in rects {
        for n in [x, y, w, h] {
            v.extend_from_slice(&n.to_be_bytes());
        }
        v.extend_from_slice(&e.to_be_bytes());
        v.extend_from_slice(body);
    }
    v
}
