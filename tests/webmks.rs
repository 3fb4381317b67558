//! The engine reads and writes WebMKS as VMware's own client does. A set of inputs
//! (`cases`) and what VMware's wmks.js 2.1 makes of each are kept in
//! `tests/fixtures/webmks/oracle.json`, and its key table in `vscan.json`; the wmks.js
//! end-to-end suite (`tests/e2e/wmks.mjs`) checks both files against wmks.js itself on
//! every run.
//! Each test here runs the same inputs through the engine and compares. Where the
//! engine differs on purpose, the test says so and why.

#![cfg(not(target_arch = "wasm32"))]

use serde_json::Value;
use vsphere_console::input::scancode;
use vsphere_console::rfb::encoding as enc;
use vsphere_console::rfb::rebuild_diff_jpeg;
use vsphere_console::rfb::update_cache::{Op, UpdateCache};
use vsphere_console::rfb::{caps, Dialect, Engine, EngineConfig, Event, Framebuffer, KeyInput, KeyMode, Rect};

#[path = "common/rfb_stream.rs"]
mod rfb_stream;
use rfb_stream::{fbu, server_init};

fn oracle() -> Value {
    serde_json::from_str(include_str!("fixtures/webmks/oracle.json")).unwrap()
}

fn bytes(v: &Value) -> Vec<u8> {
    v.as_array().unwrap().iter().map(|n| n.as_u64().unwrap() as u8).collect()
}

fn ints(v: &Value) -> Vec<i64> {
    v.as_array().unwrap().iter().map(|n| n.as_i64().unwrap()).collect()
}

/// An engine connected to a WebMKS server (started at ServerInit, as ESXi does), with
/// its opening messages taken.
fn webmks(w: u16, h: u16) -> Engine {
    webmks_with(w, h, EngineConfig::default())
}

fn webmks_with(w: u16, h: u16, config: EngineConfig) -> Engine {
    let mut e = Engine::new(config);
    e.receive(&server_init(w, h)).unwrap();
    assert_eq!(e.dialect(), Dialect::WebMks);
    e.take_transmit();
    while e.poll_event().is_some() {}
    e
}

fn server_caps(bits: u32) -> Vec<u8> {
    let mut m = vec![127, 0, 0, 8];
    m.extend_from_slice(&bits.to_be_bytes());
    m
}

#[test]
fn diff_jpeg_is_rebuilt_as_vmwares_client_rebuilds_it() {
    let o = oracle();
    for (i, case) in o["cases"]["diffJpeg"].as_array().unwrap().iter().enumerate() {
        assert_eq!(rebuild_diff_jpeg(&bytes(&case["ops"]), &bytes(&case["prev"])).unwrap(), bytes(&o["diffJpeg"][i]), "case {i}");
    }
}

#[test]
fn vmware_cursors_read_as_vmwares_client_reads_them() {
    let o = oracle();
    for (i, case) in o["cases"]["cursors"].as_array().unwrap().iter().enumerate() {
        let mut e = webmks(64, 64);
        // The oracle's body is what follows the type and padding bytes.
        let mut rect = vec![case["type"].as_u64().unwrap() as u8, 0];
        rect.extend_from_slice(&bytes(&case["body"]));
        let (w, h) = (case["width"].as_u64().unwrap() as u16, case["height"].as_u64().unwrap() as u16);
        e.receive(&fbu(&[(0, 0, w, h, enc::VMW_DEFINE_CURSOR, rect)])).unwrap();
        let cursor = std::iter::from_fn(|| e.poll_event())
            .find_map(|ev| if let Event::Cursor(c) = ev { Some(c) } else { None })
            .unwrap_or_else(|| panic!("case {i}: a cursor"));
        assert_eq!(cursor.rgba, bytes(&o["cursors"][i]), "case {i}");
    }
}

#[test]
fn server_cut_text_is_utf8_from_a_webmks_server() {
    let o = oracle();
    for (i, text) in o["cases"]["cutText"].as_array().unwrap().iter().enumerate() {
        let text = text.as_str().unwrap();
        assert_eq!(o["cutText"][i].as_str(), Some(text), "VMware's client reads case {i} as UTF-8");
        let mut e = webmks(64, 64);
        let mut m = vec![3, 0, 0, 0];
        m.extend_from_slice(&(text.len() as u32).to_be_bytes());
        m.extend_from_slice(text.as_bytes());
        e.receive(&m).unwrap();
        let got = std::iter::from_fn(|| e.poll_event()).find_map(|ev| if let Event::ServerCutText(t) = ev { Some(t) } else { None });
        assert_eq!(got.as_deref(), Some(text), "case {i}");
    }
}

/// VMware's client says Heartbeat, audio acks and the reconnect token; the engine also
/// says SessionClose (0x8000), because it sends SessionClose when it disconnects from a
/// server that announced it, and a server may rely on the cap to expect that message.
#[test]
fn client_caps_are_vmwares_and_session_close() {
    let theirs = bytes(&oracle()["clientCaps"]);
    let mut e = webmks(64, 64);
    e.receive(&server_caps(caps::CLIENT_CAPS_WANTED)).unwrap();
    let ours = e.take_transmit();
    assert_eq!(ours[..4], theirs[..4], "the same header");
    let bits = |m: &[u8]| u32::from_be_bytes([m[4], m[5], m[6], m[7]]);
    assert_eq!(bits(&ours), bits(&theirs) | caps::CLIENT_SESSION_CLOSE);
}

/// The acknowledgement goes after the update is painted, with `(ms + 2) × 10`. Where
/// that passes 65535 (a paint of over 6.5 s), VMware's client lets it wrap (6552 ms
/// says 4, a fast client); the engine says 65535, the slowest it can: the server paces
/// by this number, and a struggling page must not ask for more.
#[test]
fn update_acks_are_vmwares_after_the_paint() {
    let o = oracle();
    let want = &o["updateAck"];
    let webmks = |w, h| webmks_with(w, h, EngineConfig { ack_after_paint: true, ..EngineConfig::default() });
    for (i, case) in o["cases"]["updateAck"].as_array().unwrap().iter().enumerate().take(2) {
        let (ms, id) = (case[0].as_f64().unwrap(), case[1].as_u64().unwrap() as u8);
        let mut e = webmks(64, 64);
        e.receive(&server_caps(caps::UPDATE_ACK)).unwrap();
        e.take_transmit();
        e.set_time(1000.0);
        let mut update = fbu(&[(0, 0, 1, 1, enc::RAW, vec![1, 2, 3, 0])]);
        update[1] = id;
        e.receive(&update).unwrap();
        let early = e.take_transmit();
        assert!(early.is_empty(), "case {i}: nothing before the paint: {early:?}");
        e.painted(1000.0 + ms);
        assert_eq!(e.take_transmit(), bytes(&want[i]), "case {i}");
    }
    assert_eq!(o["cases"]["updateAck"][2], serde_json::json!([6552, 3]));
    let wrapped = bytes(&want[2]);
    assert_eq!(wrapped[6..], [0, 4], "VMware's client wraps 65540 to 4");
    let mut e = webmks(64, 64);
    e.receive(&server_caps(caps::UPDATE_ACK)).unwrap();
    e.take_transmit();
    e.set_time(0.0);
    let mut update = fbu(&[(0, 0, 1, 1, enc::RAW, vec![1, 2, 3, 0])]);
    update[1] = 3;
    e.receive(&update).unwrap();
    e.painted(6552.0);
    assert_eq!(e.take_transmit(), vec![127, 4, 0, 8, 3, 0, 0xff, 0xff]);
}

/// Wheel turns: the engine takes DOM-like steps (positive down and right), VMware's
/// client's widget passes +1 for up; the bytes are the same.
#[test]
fn the_wheel_is_vmwares_pointer_event2() {
    let o = oracle();
    for (i, case) in o["cases"]["wheel"].as_array().unwrap().iter().enumerate() {
        let [x, y, wheel_x, wheel_y] = ints(case)[..] else { panic!("case {i}: x, y, wheelX, wheelY") };
        let mut e = webmks(1024, 768);
        e.send_pointer(x as i32, y as i32, 0);
        e.take_transmit();
        e.send_wheel(-wheel_y as i32, wheel_x as i32);
        assert_eq!(e.take_transmit(), bytes(&o["wheel"][i]), "case {i}");
    }
}

/// Everything VMware's client asks for, but OffscreenCopyRect (not implemented: ESXi
/// then never sends it), with VMware's first choices first.
#[test]
fn set_encodings_asks_for_what_vmwares_client_asks_for() {
    let theirs = bytes(&oracle()["setEncodings"]);
    let n = u16::from_be_bytes([theirs[2], theirs[3]]) as usize;
    let theirs: Vec<i32> = (0..n).map(|i| i32::from_be_bytes(theirs[4 + 4 * i..8 + 4 * i].try_into().unwrap())).collect();
    let ours = enc::default_encodings();
    for e in &theirs {
        if *e == enc::VMW_OFFSCREEN_COPY_RECT {
            assert!(!ours.contains(e));
            continue;
        }
        assert!(ours.contains(e), "VMware's client asks for {e:#x}");
    }
    assert_eq!(ours[..3], [enc::COPY_RECT, enc::VMW_TIGHT_DIFF_COMP, enc::TIGHT_PNG]);
    assert_eq!(theirs[..4], [enc::COPY_RECT, enc::VMW_OFFSCREEN_COPY_RECT, enc::VMW_TIGHT_DIFF_COMP, enc::TIGHT_PNG]);
}

/// The oracle's tile colours (`tileColour` in wmks-oracle.mjs).
fn tile_colour(i: i64) -> [u8; 4] {
    [(i * 24 + 7) as u8, (200 - i * 16) as u8, (90 + i * 5) as u8, 255]
}

/// Which picture tile is at the centre of each 16×16 tile of the screen (-1: none).
fn tiles(fb: &Framebuffer) -> Vec<i64> {
    let mut map = Vec::new();
    for y in (8..fb.height()).step_by(16) {
        for x in (8..fb.width()).step_by(16) {
            let o = ((y * fb.width() + x) * 4) as usize;
            let px = &fb.pixels()[o..o + 4];
            map.push((0..64).find(|&i| tile_colour(i) == px).unwrap_or(-1));
        }
    }
    map
}

#[test]
fn the_update_cache_draws_and_replays_the_tiles_vmwares_client_does() {
    let o = oracle();
    let u32s = |v: &Value| ints(v).into_iter().map(|n| n as u32).collect::<Vec<u32>>();
    for (i, case) in o["cases"]["updateCache"].as_array().unwrap().iter().enumerate() {
        let (picture, screen, region) = (u32s(&case["picture"]), u32s(&case["screen"]), u32s(&case["region"]));
        let (pw, ph, sw, sh) = (picture[0], picture[1], screen[0], screen[1]);
        let mut pixels = vec![0u8; (pw * ph * 4) as usize];
        for y in 0..ph {
            for x in 0..pw {
                let o = ((y * pw + x) * 4) as usize;
                pixels[o..o + 4].copy_from_slice(&tile_colour((y / 16 * (pw / 16) + x / 16) as i64));
            }
        }
        let flags = if case["subRectangles"].as_bool().unwrap() { 0x100 } else { 0 };
        let mut cache = UpdateCache::default();
        let mut fb = Framebuffer::new(sw, sh).unwrap();
        let whole = Rect::new(0, 0, sw, sh);
        cache.apply(Op::Init { flags, entries: 4 }, whole, &mut fb).unwrap();
        // Begin evicts nothing: a first run of four slots, clear.
        cache.apply(Op::Begin { slot: 1, evict: &[0x10] }, Rect::new(0, 0, pw, ph), &mut fb).unwrap();
        cache.keep(1, pw, ph, pixels).unwrap();
        let rect = Rect::new(region[0], region[1], region[2], region[3]);
        cache.apply(Op::End { slot: 1, mask: &bytes(&case["end"]) }, rect, &mut fb).unwrap();
        assert_eq!(tiles(&fb), ints(&o["updateCache"][i]["end"]), "case {i}: End");
        let mut fb = Framebuffer::new(sw, sh).unwrap();
        cache.apply(Op::Replay { slot: 1, mask: &bytes(&case["replay"]) }, whole, &mut fb).unwrap();
        assert_eq!(tiles(&fb), ints(&o["updateCache"][i]["replay"]), "case {i}: Replay");
    }
}

/// After a full RFB handshake, VMware's client sends keys as scan codes once ServerCaps
/// says so or a VMWCursorState rectangle comes; never as RFB keysyms after that.
#[test]
fn a_cursor_state_rectangle_turns_keys_into_scan_codes() {
    let mut e = Engine::new(EngineConfig::default());
    let mut start = b"RFB 003.008\n".to_vec();
    start.extend_from_slice(&[1, 1, 0, 0, 0, 0]);
    start.extend_from_slice(&server_init(64, 64));
    e.receive(&start).unwrap();
    assert_eq!(e.key_mode(), KeyMode::Keysym, "a plain VNC server until it shows otherwise");
    e.receive(&fbu(&[(0, 0, 0, 0, enc::VMW_CURSOR_STATE, vec![0, 1])])).unwrap();
    assert_eq!(e.key_mode(), KeyMode::VmwareScancode);
    e.take_transmit();
    e.send_key(KeyInput { keysym: 0x61, scancode: Some(0x1e), down: true });
    assert_eq!(e.take_transmit(), vec![127, 0, 0, 8, 0, 0x1e, 1, 0], "A as VMware's scan code 0x1e");
}

#[test]
fn the_scan_code_table_is_vmwares() {
    let theirs: serde_json::Map<String, Value> = serde_json::from_str(include_str!("fixtures/webmks/vscan.json")).unwrap();
    assert_eq!(scancode::TABLE.len(), theirs.len(), "as many entries as VMware's");
    for (code, vscan) in scancode::TABLE {
        assert_eq!(theirs.get(*code).and_then(Value::as_u64), Some(*vscan as u64), "{code}");
        assert_eq!(scancode::from_code(code), Some(*vscan));
    }
}
