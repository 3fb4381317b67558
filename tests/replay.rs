//! Recordings made with `cargo xtask record` from real Xvnc and QEMU replay to the exact
//! framebuffer the live client saw (the hashes `record` printed when they were made).

#![cfg(not(target_arch = "wasm32"))]

use sha2::{Digest, Sha256};
use vsphere_console::rfb::replay::{parse_recording, recording_text, replay};

fn replay_hash(name: &str) -> (u32, u32, String) {
    let path = format!("{}/tests/recordings/{name}", env!("CARGO_MANIFEST_DIR"));
    let frames = parse_recording(&recording_text(&std::fs::read(&path).unwrap()).unwrap()).unwrap();
    let s = replay(&frames, Some(vsphere_console::rfb::native_images::decode)).unwrap();
    let fb = s.framebuffer().unwrap();
    (fb.width(), fb.height(), Sha256::digest(fb.pixels()).iter().map(|b| format!("{b:02x}")).collect())
}

#[test]
fn xvnc_recordings_replay_to_the_live_picture() {
    let want = "fdb64228a227bc047f3cea407920cf833b57be5f35185d75b06b2c7a91da54d2";
    assert_eq!(replay_hash("xvnc-xterm-tight.js"), (640, 400, want.to_owned()));
    assert_eq!(replay_hash("xvnc-xterm-zrle.js"), (640, 400, want.to_owned()), "ZRLE ends on the same screen as Tight");
}

#[test]
fn qemu_recordings_replay_to_the_live_picture() {
    assert_eq!(
        replay_hash("qemu-bios-tightpng.js"),
        (720, 400, "4341a2add1d1bb514bffb24b43557eea756f7717decbe10ed05e81a76c90ab7f".to_owned())
    );
    assert_eq!(replay_hash("qemu-bios-zlib.js"), (720, 400, "ceebae84706c19fe0861a816f61cedea3633c5d5fc9b1fb8b138187b3c0e2b3a".to_owned()));
}

/// Every recording in `tests/recordings/HASHES` (the benchmark set; `record` printed
/// each line when it filmed the file) replays to the picture its live client saw.
#[test]
fn every_benchmark_recording_replays_to_the_live_picture() {
    let dir = format!("{}/tests/recordings", env!("CARGO_MANIFEST_DIR"));
    let manifest = std::fs::read_to_string(format!("{dir}/HASHES")).unwrap();
    let mut checked = 0;
    for line in manifest.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let mut parts = line.split_whitespace();
        let (name, size, hash) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
        let (w, h, got) = replay_hash(name);
        assert_eq!((format!("{w}x{h}"), format!("sha256={got}")), (size.to_owned(), hash.to_owned()), "{name}");
        checked += 1;
    }
    let files = std::fs::read_dir(&dir).unwrap().filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().ends_with(".js.gz")).count();
    assert_eq!(checked, files, "every compressed recording has its line in HASHES");
}

#[test]
fn a_damaged_recording_is_an_error_not_a_panic() {
    assert!(parse_recording("var VNC_frame_data = ['{1{\\q'];").is_err());
    assert!(parse_recording("nothing").is_err());
    let text = std::fs::read_to_string(format!("{}/tests/recordings/qemu-bios-zlib.js", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let mut frames = parse_recording(&text).unwrap();
    // Cut the server's bytes short and flip some: the engine reports, never panics.
    for f in frames.iter_mut().filter(|f| f.from_server).skip(3) {
        for b in f.data.iter_mut().step_by(97) {
            *b ^= 0x5a;
        }
    }
    let _ = replay(&frames, Some(vsphere_console::rfb::native_images::decode));
}

/// The browser test that paints every recording (`tests/web_paint.rs`) names each file.
#[test]
fn the_painting_test_covers_every_recording() {
    let root = env!("CARGO_MANIFEST_DIR");
    let painting = std::fs::read_to_string(format!("{root}/tests/web_paint.rs")).unwrap();
    for entry in std::fs::read_dir(format!("{root}/tests/recordings")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.ends_with(".js") || name.ends_with(".js.gz") {
            assert!(painting.contains(&format!("include_bytes!(\"recordings/{name}\")")), "{name} is not in tests/web_paint.rs");
        }
    }
}
