//! Issue 20, item 11: one hostile console cannot take the page down. The engine's own
//! allocations, measured by a counting allocator while a server sends the largest
//! screen, a full-screen Raw update, the largest cut text and oversized cursors, stay
//! under `limits::MAX_CONSOLE_BYTES`, the bound the README states (eight consoles fit
//! in one 4 GiB WebAssembly memory).

#![cfg(not(target_arch = "wasm32"))]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use vsphere_console::rfb::encoding as enc;
use vsphere_console::rfb::limits::{MAX_AREA, MAX_CONSOLE_BYTES, MAX_MESSAGE};
use vsphere_console::rfb::{Engine, EngineConfig};

#[path = "common/rfb_stream.rs"]
mod rfb_stream;
use rfb_stream::server_init;

struct Counting;
static NOW: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = NOW.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        unsafe { System.dealloc(p, layout) };
        NOW.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Feeds `bytes` in websocket-sized pieces, as the browser delivers them.
fn feed(e: &mut Engine, bytes: &[u8]) {
    for piece in bytes.chunks(1 << 20) {
        e.receive(piece).unwrap();
    }
    while e.poll_event().is_some() {}
    e.take_damage();
    e.take_transmit();
}

fn rect(v: &mut Vec<u8>, w: u16, h: u16, encoding: i32) {
    for n in [0, 0, w, h] {
        v.extend_from_slice(&n.to_be_bytes());
    }
    v.extend_from_slice(&encoding.to_be_bytes());
}

#[test]
fn a_hostile_server_at_the_largest_screen_stays_within_the_bound() {
    let start = NOW.load(Ordering::Relaxed);
    PEAK.store(start, Ordering::Relaxed);
    let mut e = Engine::new(EngineConfig::default());
    // The largest screen the engine takes (its area is MAX_AREA).
    e.receive(&server_init(8192, 4096)).unwrap();
    assert_eq!(8192 * 4096, MAX_AREA);
    // A full-screen Raw update, streamed.
    let mut v = vec![0, 0, 0, 1];
    rect(&mut v, 8192, 4096, enc::RAW);
    feed(&mut e, &v);
    let row = vec![7u8; 8192 * 4];
    for _ in 0..4096 {
        e.receive(&row).unwrap();
    }
    while e.poll_event().is_some() {}
    e.take_damage();
    // The largest cut text, whole, then cursors past what a page shows.
    let mut cut = vec![3, 0, 0, 0];
    cut.extend_from_slice(&(MAX_MESSAGE as u32).to_be_bytes());
    cut.resize(8 + MAX_MESSAGE, b'x');
    feed(&mut e, &cut);
    for side in [256u16, 1024] {
        let mut v = vec![0, 0, 0, 1];
        rect(&mut v, side, side, enc::VMW_DEFINE_CURSOR);
        v.extend_from_slice(&[1, 0]);
        v.resize(v.len() + side as usize * side as usize * 4, 0x80);
        feed(&mut e, &v);
    }
    let peak = (PEAK.load(Ordering::Relaxed) - start) as u64;
    assert!(peak <= MAX_CONSOLE_BYTES, "peak {} MiB over the bound {} MiB", peak >> 20, MAX_CONSOLE_BYTES >> 20);
    assert!(peak >= MAX_AREA * 4, "the framebuffer itself was counted ({} MiB)", peak >> 20);
    eprintln!("one console at 8192x4096 under a hostile stream: peak {} MiB of a {} MiB bound", peak >> 20, MAX_CONSOLE_BYTES >> 20);
}
