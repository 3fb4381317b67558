//! A console core driven to Running natively, for the console tests.

#![allow(dead_code)]

use serde_json::json;
use vsphere_console::api::wire::{MoRef, VirtualMachineTicket};
use vsphere_console::console::{ConsoleCore, ConsoleOptions, HostEvent, Work};
use vsphere_console::rfb::encoding as enc;
use vsphere_console::ticket::ConsolePolicy;
use vsphere_console::ticket::NativeUrlParser;

#[path = "rfb_stream.rs"]
mod rfb_stream;

pub const SECRET: &str = "0123456789abcdefSECRET";
pub const NOW: f64 = 1_000_000.0;

pub fn options() -> ConsoleOptions {
    ConsoleOptions {
        policy: ConsolePolicy { allowed_hosts: vec!["esx01.example.com".into()], ..ConsolePolicy::default() },
        requested_from: "https://vc.example.com".into(),
        ..ConsoleOptions::default()
    }
}

pub fn core(opts: ConsoleOptions) -> ConsoleCore {
    core_with_clock(opts, std::rc::Rc::new(std::cell::Cell::new(NOW)))
}

/// A core whose clock the test moves.
pub fn core_with_clock(opts: ConsoleOptions, clock: std::rc::Rc<std::cell::Cell<f64>>) -> ConsoleCore {
    ConsoleCore::new(
        MoRef::new("VirtualMachine", "vm-1"),
        opts,
        "https://portal.example",
        Box::new(NativeUrlParser),
        Box::new(move || clock.get()),
    )
}

pub fn ticket(host: &str) -> VirtualMachineTicket {
    serde_json::from_value(json!({"ticket": SECRET, "host": host, "port": 443, "sslThumbprint": "AA:BB"})).unwrap()
}

pub fn drain(c: &mut ConsoleCore) -> Vec<Work> {
    std::iter::from_fn(|| c.poll()).collect()
}

pub fn host_events(work: &[Work]) -> Vec<HostEvent> {
    work.iter().filter_map(|w| if let Work::Host(e) = w { Some(e.clone()) } else { None }).collect()
}

pub fn names(work: &[Work]) -> Vec<&'static str> {
    work.iter().filter_map(|w| if let Work::Host(e) = w { Some(e.name()) } else { None }).collect()
}

pub fn sent(work: &[Work]) -> Vec<u8> {
    work.iter().flat_map(|w| if let Work::Send { bytes, .. } = w { bytes.clone() } else { vec![] }).collect()
}

pub fn server_init(w: u16, h: u16) -> Vec<u8> {
    rfb_stream::server_init_named(w, h, "desk")
}

/// One raw rectangle of one colour.
pub fn raw_update(x: u16, y: u16, w: u16, h: u16, rgbx: [u8; 4]) -> Vec<u8> {
    let mut v = vec![0, 0, 0, 1];
    for n in [x, y, w, h] {
        v.extend_from_slice(&n.to_be_bytes());
    }
    v.extend_from_slice(&enc::RAW.to_be_bytes());
    for _ in 0..(w as usize * h as usize) {
        v.extend_from_slice(&rgbx);
    }
    v
}

/// VMware ServerCaps (127/0) with the given bits.
pub fn server_caps(bits: u32) -> Vec<u8> {
    let mut v = vec![127, 0, 0, 8];
    v.extend_from_slice(&bits.to_be_bytes());
    v
}

/// Drives a core to Running; returns the work seen on the way.
pub fn to_running(c: &mut ConsoleCore) -> Vec<Work> {
    c.connect();
    let mut all = drain(c);
    let g = c.generation();
    c.ticket_acquired(g, Ok(ticket("esx01.example.com")), NOW);
    all.extend(drain(c));
    c.socket_opened(g);
    c.received(g, &server_init(4, 2));
    c.received(g, &raw_update(0, 0, 4, 2, [255, 0, 0, 0]));
    all.extend(drain(c));
    c.painted(g);
    all.extend(drain(c));
    all
}
