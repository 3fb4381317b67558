//! The ticket life cycle: allowed transitions, and the invariants that keep a one-time
//! credential one-time.

#![cfg(not(target_arch = "wasm32"))]

use vsphere_console::api::wire::MoRef;
use vsphere_console::api::Secret;
use vsphere_console::ticket::{ConsoleUrl, TicketEvent, TicketState, TransitionError};

const LIFETIME: f64 = 60_000.0;

fn vm(id: &str) -> MoRef {
    MoRef::new("VirtualMachine", id)
}

fn url() -> ConsoleUrl {
    ConsoleUrl {
        url: Secret::new("wss://esx01.example.com/ticket/0123456789abcdef"),
        redacted: "wss://esx01.example.com/ticket/<ticket>".into(),
        host: "esx01.example.com".into(),
        port: 443,
        insecure: false,
        trust_url: "https://esx01.example.com:443/".into(),
        thumbprints: vec![],
    }
}

fn validated(at: f64) -> TicketState {
    TicketState::requested(vm("vm-1"))
        .apply(TicketEvent::Issued { at_ms: at })
        .and_then(|s| s.apply(TicketEvent::Validated(url())))
        .unwrap()
}

#[test]
fn the_happy_path() {
    let mut s = validated(1000.0);
    assert_eq!(s.name(), "validated");
    let secret = s.take_for_connect(&vm("vm-1"), 2000.0, LIFETIME).unwrap();
    assert_eq!(secret.expose(), "wss://esx01.example.com/ticket/0123456789abcdef");
    assert_eq!(s.name(), "connecting");
    let s = s.apply(TicketEvent::Opened).unwrap();
    assert_eq!(s.name(), "in-use");
    let s = s.apply(TicketEvent::Closed).unwrap();
    assert_eq!(s.name(), "used");
    assert!(s.is_final());
}

#[test]
fn a_ticket_reaches_one_websocket_once() {
    let mut s = validated(1000.0);
    assert!(s.take_for_connect(&vm("vm-1"), 1001.0, LIFETIME).is_ok());
    assert!(matches!(s.take_for_connect(&vm("vm-1"), 1002.0, LIFETIME), Err(TransitionError::NotAllowed { .. })));
    let mut used = s.apply(TicketEvent::Opened).unwrap().apply(TicketEvent::Closed).unwrap();
    assert!(used.take_for_connect(&vm("vm-1"), 1003.0, LIFETIME).is_err(), "a closed console never reuses its ticket");
}

#[test]
fn an_old_ticket_is_never_used() {
    let mut s = validated(1000.0);
    assert_eq!(s.take_for_connect(&vm("vm-1"), 1000.0 + LIFETIME + 1.0, LIFETIME), Err(TransitionError::Expired));
    assert_eq!(s.name(), "expired");
    assert!(s.take_for_connect(&vm("vm-1"), 1001.0, LIFETIME).is_err(), "expired stays expired");
    // A clock that went backwards is not trusted either.
    let mut s = validated(5000.0);
    assert_eq!(s.take_for_connect(&vm("vm-1"), 4000.0, LIFETIME), Err(TransitionError::Expired));
}

#[test]
fn a_ticket_for_one_vm_is_never_used_for_another() {
    let mut s = validated(1000.0);
    assert_eq!(s.take_for_connect(&vm("vm-2"), 1001.0, LIFETIME), Err(TransitionError::WrongVm));
    assert_eq!(s.name(), "validated", "refusing the wrong VM does not burn the ticket");
}

#[test]
fn transitions_outside_the_diagram_are_errors() {
    let requested = TicketState::requested(vm("vm-1"));
    let not_allowed: Vec<(TicketState, TicketEvent)> = vec![
        (requested.clone(), TicketEvent::Validated(url())),
        (requested.clone(), TicketEvent::Opened),
        (requested.clone(), TicketEvent::Closed),
        (requested.clone(), TicketEvent::Rejected("x".into())),
        (validated(0.0), TicketEvent::Opened),
        (validated(0.0), TicketEvent::Issued { at_ms: 1.0 }),
        (validated(0.0), TicketEvent::Closed),
        (requested.apply(TicketEvent::Issued { at_ms: 0.0 }).unwrap(), TicketEvent::Opened),
        (requested.apply(TicketEvent::Issued { at_ms: 0.0 }).unwrap(), TicketEvent::Issued { at_ms: 1.0 }),
        (TicketState::Used { vm: vm("vm-1") }, TicketEvent::Opened),
        (TicketState::Used { vm: vm("vm-1") }, TicketEvent::Validated(url())),
        (TicketState::Expired { vm: vm("vm-1") }, TicketEvent::Opened),
        (TicketState::Rejected { vm: vm("vm-1"), reason: "r".into() }, TicketEvent::Validated(url())),
        (TicketState::Failed { vm: vm("vm-1"), reason: "r".into() }, TicketEvent::Issued { at_ms: 0.0 }),
    ];
    for (state, event) in not_allowed {
        let before = state.clone();
        assert!(matches!(state.apply(event.clone()), Err(TransitionError::NotAllowed { .. })), "{} + {event:?}", state.name());
        assert_eq!(state, before, "a refused event changes nothing");
    }
    let rejected = TicketState::requested(vm("vm-1"))
        .apply(TicketEvent::Issued { at_ms: 0.0 })
        .unwrap()
        .apply(TicketEvent::Rejected("host".into()))
        .unwrap();
    assert_eq!(rejected.name(), "rejected");
    assert!(rejected.is_final());
}

#[test]
fn debug_output_never_shows_the_url() {
    let s = validated(0.0);
    assert!(!format!("{s:?}").contains("0123456789abcdef"));
}
