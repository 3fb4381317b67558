//! `cargo xtask replay FILE`: a websockify recording through the engine; prints the
//! final framebuffer's size and sha256 (RGBA8, rows top to bottom) and the decode time.

use std::time::Instant;

use sha2::{Digest, Sha256};
use vsphere_console::rfb::replay::{parse_recording, recording_text, replay};

use crate::util::Result;

pub struct Outcome {
    pub width: u32,
    pub height: u32,
    pub sha256: String,
    pub millis: f64,
    pub server_bytes: u64,
}

pub fn run_file(path: &str) -> Result<Outcome> {
    let file = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    let text = recording_text(&file).map_err(|e| format!("{path}: {e}"))?;
    let frames = parse_recording(&text).map_err(|e| format!("{path}: {e}"))?;
    let t = Instant::now();
    let s = replay(&frames, Some(vsphere_console::rfb::native_images::decode)).map_err(|e| format!("{path}: {e}"))?;
    let millis = t.elapsed().as_secs_f64() * 1000.0;
    let fb = s.framebuffer().ok_or(format!("{path}: the recording never reaches ServerInit"))?;
    let sha256 = Sha256::digest(fb.pixels()).iter().map(|b| format!("{b:02x}")).collect();
    Ok(Outcome { width: fb.width(), height: fb.height(), sha256, millis, server_bytes: s.stats().bytes })
}

pub fn run(path: &str) -> Result {
    let o = run_file(path)?;
    println!("{}x{} sha256={}", o.width, o.height, o.sha256);
    let build = if cfg!(debug_assertions) { "debug build; time a release build for real figures" } else { "release build" };
    println!("decoded {} server bytes in {:.2} ms ({build})", o.server_bytes, o.millis);
    Ok(())
}
