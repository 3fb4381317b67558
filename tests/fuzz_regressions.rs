//! Every crash a fuzzer found, replayed through its oracle: it must stay fixed.
//! Inputs live in `tests/fuzz-regressions/<target>/`.

#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;

fn replay(target: &str, oracle: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions").join(target);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')) {
            continue;
        }
        oracle(&std::fs::read(&path).unwrap());
        n += 1;
    }
    n
}

#[test]
fn rfb_stream_regressions() {
    assert!(replay("rfb_stream", vsphere_console::fuzzing::rfb_stream) >= 1);
}

#[test]
fn api_response_regressions() {
    replay("api_response", vsphere_console::fuzzing::api_response);
}

#[test]
fn ticket_policy_regressions() {
    replay("ticket_policy", vsphere_console::fuzzing::ticket_policy);
}

/// The first fuzzer find: a 0×0 desktop (the WebMKS variant, straight to ServerInit)
/// made `send_pointer` clamp with an empty range and panic.
#[test]
fn zero_size_desktop_takes_input_without_panicking() {
    use vsphere_console::rfb::{Engine, EngineConfig};
    let mut s = Engine::new(EngineConfig::default());
    let mut init = Vec::new();
    init.extend_from_slice(&[0, 0, 0, 0]);
    init.extend_from_slice(&[32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0]);
    init.extend_from_slice(&0u32.to_be_bytes());
    s.receive(&init).unwrap();
    s.send_pointer(5, 5, 1);
    s.send_wheel(1, 0);
}
