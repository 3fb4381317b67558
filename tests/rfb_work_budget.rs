//! Issue 11, item 2: work per call is bounded. Costly but valid streams are drawn over
//! several calls (the page answers input in between); streams that ask for absurd work
//! fail fast with a sentence.

#![cfg(not(target_arch = "wasm32"))]

use std::time::{Duration, Instant};

use vsphere_console::rfb::encoding as enc;
use vsphere_console::rfb::{Engine, EngineConfig, Event, RfbError};

#[path = "common/rfb_stream.rs"]
mod rfb_stream;
use rfb_stream::server_init;

fn session(budget: Option<u64>) -> Engine {
    let mut s = Engine::new(EngineConfig { work_budget: budget, ..EngineConfig::default() });
    s.receive(&server_init(1024, 768)).unwrap();
    while s.poll_event().is_some() {}
    s
}

fn rect_header(v: &mut Vec<u8>, x: u16, y: u16, w: u16, h: u16, e: i32) {
    for n in [x, y, w, h] {
        v.extend_from_slice(&n.to_be_bytes());
    }
    v.extend_from_slice(&e.to_be_bytes());
}

/// One update of `n` almost full-screen CopyRects (16 bytes each), sources alternating.
fn copyrect_storm(n: u16) -> Vec<u8> {
    let mut v = vec![0, 0];
    v.extend_from_slice(&n.to_be_bytes());
    for i in 0..n {
        rect_header(&mut v, 0, 0, 1023, 768, enc::COPY_RECT);
        v.extend_from_slice(&[0, (i % 2) as u8, 0, 0]);
    }
    v
}

#[test]
fn overlapping_rre_subrectangles_fail_fast() {
    let mut v = vec![0, 0, 0, 1];
    rect_header(&mut v, 0, 0, 1024, 768, enc::RRE);
    let n = 200_000u32;
    v.extend_from_slice(&n.to_be_bytes());
    v.extend_from_slice(&[0, 0, 0, 0]);
    for _ in 0..n {
        v.extend_from_slice(&[255, 0, 0, 0, 0, 0, 0, 0, 0x04, 0x00, 0x03, 0x00]);
    }
    let started = Instant::now();
    let r = session(None).receive(&v);
    assert!(matches!(r, Err(RfbError::AbsurdWork(_))), "{r:?}");
    assert!(started.elapsed() < Duration::from_secs(1), "refused before drawing ({:?})", started.elapsed());
    assert!(r.unwrap_err().sentence().contains("far more drawing than any screen needs"));
}

#[test]
fn a_copyrect_storm_in_one_update_fails_fast() {
    let started = Instant::now();
    let r = session(None).receive(&copyrect_storm(10_000));
    assert!(matches!(r, Err(RfbError::AbsurdWork(_))), "{r:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "stopped after 64 screens ({:?})", started.elapsed());
}

#[test]
fn a_costly_update_is_drawn_over_several_calls_to_the_same_picture() {
    let update = copyrect_storm(20);
    let mut whole = session(None);
    whole.receive(&update).unwrap();
    let mut budgeted = session(Some(2 * 1024 * 768));
    budgeted.receive(&update).unwrap();
    let mut calls = 1;
    while budgeted.has_more_work() {
        budgeted.receive(&[]).unwrap();
        calls += 1;
        assert!(calls < 100, "it finishes");
    }
    assert!(calls >= 6, "20 screens at 2 a call take several calls, took {calls}");
    assert!(std::iter::from_fn(|| budgeted.poll_event()).any(|e| e == Event::FrameComplete));
    assert_eq!(budgeted.framebuffer().unwrap().pixels(), whole.framebuffer().unwrap().pixels());
}

/// The work count survives a resize: an update's work is a difference of two counts, and
/// a new, smaller framebuffer starting again at zero once made that difference wrap, so
/// the first update after the guest took the page's size failed as absurd.
#[test]
fn an_update_after_a_resize_is_not_counted_as_absurd() {
    let mut s = session(None);
    for _ in 0..3 {
        s.receive(&copyrect_storm(30)).unwrap();
    }
    let mut v = vec![0, 0, 0, 2];
    rect_header(&mut v, 0, 0, 800, 600, enc::DESKTOP_SIZE);
    rect_header(&mut v, 0, 0, 799, 600, enc::COPY_RECT);
    v.extend_from_slice(&[0, 1, 0, 0]);
    s.receive(&v).unwrap();
    let events: Vec<Event> = std::iter::from_fn(|| s.poll_event()).collect();
    assert!(events.contains(&Event::Resized { width: 800, height: 600 }), "{events:?}");
    assert!(events.contains(&Event::FrameComplete), "{events:?}");
}
