//! The console session core, driven natively: ticket → policy → socket → RFB → paint,
//! generations, backoff, timeouts, disconnect, and no secret in any host event.

#![cfg(not(target_arch = "wasm32"))]

use serde_json::json;
use vsphere_console::console::{backoff_secs, ticket_from_json, AcquireError, ConsoleCore, ConsoleOptions, HostEvent, Step, Timer, Work};
use vsphere_console::rfb::encoding as enc;
use vsphere_console::rfb::KeyInput;
use vsphere_console::rfb::{caps, KeyMode};

#[path = "common/console.rs"]
mod console_helpers;
use console_helpers::*;

#[test]
fn the_whole_path_in_order() {
    let mut c = core(options());
    c.connect();
    let w = drain(&mut c);
    assert!(w.contains(&Work::AcquireTicket { generation: 1 }));
    assert_eq!(names(&w), ["connecting", "ticketstate"]);
    assert_eq!(c.status().step, Step::Ticket);

    c.ticket_acquired(1, Ok(ticket("esx01.example.com")), NOW);
    let w = drain(&mut c);
    let opened: Vec<_> = w
        .iter()
        .filter_map(|w| if let Work::OpenSocket { generation, url } = w { Some((*generation, url.expose().to_owned())) } else { None })
        .collect();
    assert_eq!(opened, [(1, format!("wss://esx01.example.com/ticket/{SECRET}"))]);
    let states: Vec<_> =
        host_events(&w).into_iter().filter_map(|e| if let HostEvent::TicketState { state } = e { Some(state) } else { None }).collect();
    assert_eq!(states, ["issued", "validated", "connecting"]);
    assert!(w.contains(&Work::StartTimer { generation: 1, timer: Timer::Step, ms: 20_000 }));
    assert_eq!(c.status().step, Step::Connecting);
    assert_eq!(c.status().trust.as_ref().unwrap().redacted_url, "wss://esx01.example.com/ticket/<ticket>");

    c.socket_opened(1);
    assert_eq!(c.status().step, Step::Handshake);
    assert_eq!(c.status().ticket, "in-use");
    c.received(1, &server_init(4, 2));
    let w = drain(&mut c);
    assert!(w.contains(&Work::Resize { width: 4, height: 2 }));
    assert_eq!(names(&w), ["ticketstate", "desktopname", "resize"], "in-use, then the desktop");
    assert!(!sent(&w).is_empty(), "SetEncodings and an update request go out");
    assert_eq!(c.status().step, Step::WaitingForPicture);

    c.received(1, &raw_update(0, 0, 4, 2, [255, 0, 0, 0]));
    let w = drain(&mut c);
    assert!(w.contains(&Work::Paint { generation: 1 }));
    assert!(!c.take_damage().is_empty(), "damage waits for the painter");
    assert_eq!(&c.framebuffer().unwrap().pixels()[..4], &[255, 0, 0, 255]);
    c.painted(1);
    let w = drain(&mut c);
    assert_eq!(names(&w), ["connect"]);
    assert!(w.contains(&Work::CancelTimer { timer: Timer::Step }));
    assert!(c.status().running());
}

#[test]
fn updates_that_change_no_status_send_no_status() {
    let mut c = core(options());
    to_running(&mut c);
    drain(&mut c);
    // A status goes to the host page as a JSON object and a DOM event: not per update.
    for i in 0..5u8 {
        c.received(1, &raw_update(0, 0, 4, 2, [i, 0, 0, 0]));
        let w = drain(&mut c);
        assert!(w.contains(&Work::Paint { generation: 1 }), "the picture is painted");
        assert!(!w.contains(&Work::Status), "update {i} changed no status, yet one was sent: {w:?}");
        c.painted(1);
        assert!(!drain(&mut c).contains(&Work::Status));
    }
    // A change that arrives in a message is still reported.
    c.received(1, &[2]); // Bell changes no status either
    assert!(!drain(&mut c).contains(&Work::Status));
    c.received(1, &[3, 0, 0, 0, 0, 0, 0, 2, b'h', b'i']);
    let w = drain(&mut c);
    assert!(w.contains(&Work::Status), "ServerCutText changes the status: {w:?}");
    assert_eq!(c.status().clipboard.as_deref(), Some("hi"));
}

#[test]
fn a_stale_attempt_never_touches_a_newer_one() {
    let mut c = core(options());
    to_running(&mut c);
    c.reconnect();
    let w = drain(&mut c);
    assert!(w.contains(&Work::CloseSocket { generation: 1 }), "the old socket is closed");
    assert!(w.contains(&Work::AcquireTicket { generation: 2 }));
    // Everything of generation 1 that still arrives is ignored.
    c.ticket_acquired(1, Ok(ticket("esx01.example.com")), NOW);
    c.socket_opened(1);
    c.received(1, &server_init(8, 8));
    c.image_decoded(1, Ok(vec![0; 4]));
    c.socket_closed(1, 1006, "", false);
    c.timer_fired(1, Timer::Step);
    c.painted(1);
    assert!(drain(&mut c).is_empty(), "no work from a stale generation");
    assert_eq!(c.status().step, Step::Ticket);
    assert_eq!(c.status().generation, 2);
    // The new attempt proceeds normally.
    c.ticket_acquired(2, Ok(ticket("esx01.example.com")), NOW);
    assert!(drain(&mut c).iter().any(|w| matches!(w, Work::OpenSocket { generation: 2, .. })));
}

#[test]
fn a_ticket_outside_the_policy_opens_nothing() {
    let mut c = core(options());
    c.connect();
    drain(&mut c);
    c.ticket_acquired(1, Ok(ticket("esx-untrusted.example.net")), NOW);
    let w = drain(&mut c);
    assert!(!w.iter().any(|w| matches!(w, Work::OpenSocket { .. })));
    assert!(host_events(&w).iter().any(|e| matches!(e, HostEvent::Error { code, .. } if code == "host")));
    assert_eq!(c.status().ticket, "rejected");
    assert_eq!(c.status().step, Step::Failed);
    assert!(c.status().message.as_ref().unwrap().contains("esx-untrusted.example.net is not on this site's list"));
}

#[test]
fn a_vm_that_is_off_is_marked_so_the_page_can_offer_power_on() {
    let mut c = core(options());
    c.connect();
    let err = AcquireError { vm_not_running: true, ..AcquireError::new("The virtual machine is not in a state that allows this.") };
    c.ticket_acquired(1, Err(err), NOW);
    assert_eq!(c.status().step, Step::Failed);
    assert!(c.status().vm_not_running);
    c.connect();
    assert!(!c.status().vm_not_running, "a new attempt starts clean");
}

#[test]
fn a_lost_api_session_goes_back_to_login() {
    let mut c = core(options());
    c.connect();
    drain(&mut c);
    c.ticket_acquired(1, Err(AcquireError { session_lost: true, ..AcquireError::new("Your session has ended.") }), NOW);
    let w = drain(&mut c);
    assert!(w.contains(&Work::SessionLost("Your session has ended.".into())));
    c.connect();
    c.ticket_acquired(2, Err(AcquireError::new("NoPermission")), NOW);
    let w = drain(&mut c);
    assert!(host_events(&w)
        .iter()
        .any(|e| matches!(e, HostEvent::Error { code, sentence } if code == "ticket" && sentence == "NoPermission")));
}

#[test]
fn a_drop_reconnects_with_backoff_while_the_network_stays_down_then_gives_up() {
    assert_eq!((0..=6).map(backoff_secs).collect::<Vec<_>>(), [None, Some(1), Some(2), Some(4), Some(8), Some(16), None]);
    let mut c = core(options());
    to_running(&mut c);
    let g = c.generation();
    c.socket_closed(g, 1006, "", false);
    let mut schedule = Vec::new();
    loop {
        let w = drain(&mut c);
        let g = c.generation();
        let Some(ms) = w.iter().find_map(|w| if let Work::StartTimer { timer: Timer::Reconnect, ms, .. } = w { Some(*ms) } else { None })
        else {
            break;
        };
        schedule.push(ms);
        assert!(c.status().message.as_ref().unwrap().contains(&format!("in {} s (attempt {} of 5)", ms / 1000, schedule.len())));
        c.timer_fired(g, Timer::Reconnect);
        assert!(drain(&mut c).contains(&Work::AcquireTicket { generation: g + 1 }));
        // The network is still down: the fresh ticket's socket never opens.
        c.ticket_acquired(g + 1, Ok(ticket("esx01.example.com")), NOW);
        drain(&mut c);
        c.socket_closed(g + 1, 1006, "", false);
    }
    assert_eq!(schedule, [1000, 2000, 4000, 8000, 16000]);
    assert!(c.status().message.as_ref().unwrap().contains("keeps dropping"));
    assert_eq!(c.status().step, Step::Failed);
}

/// Issue 20, item 8: while reconnecting, a ticket that cannot be had (the portal's
/// backend is behind the same dead network) and a socket that opens and drops in the
/// handshake do not end the schedule. Before, either ended it after one retry.
#[test]
fn the_backoff_goes_on_through_failed_ticket_fetches_and_handshake_drops() {
    let mut c = core(options());
    to_running(&mut c);
    c.socket_closed(c.generation(), 1006, "", false);
    let retry_ms =
        |w: &[Work]| w.iter().find_map(|w| if let Work::StartTimer { timer: Timer::Reconnect, ms, .. } = w { Some(*ms) } else { None });
    assert_eq!(retry_ms(&drain(&mut c)), Some(1000));
    c.timer_fired(c.generation(), Timer::Reconnect);
    drain(&mut c);
    c.ticket_acquired(c.generation(), Err(AcquireError::new("The portal could not be reached.")), NOW);
    assert_eq!(retry_ms(&drain(&mut c)), Some(2000), "a failed ticket fetch: the next retry");
    assert_eq!(c.status().retry_in, Some(2));
    c.timer_fired(c.generation(), Timer::Reconnect);
    drain(&mut c);
    let g = c.generation();
    c.ticket_acquired(g, Ok(ticket("esx01.example.com")), NOW);
    c.socket_opened(g);
    c.received(g, b"RFB 003.008\n");
    drain(&mut c);
    c.socket_closed(g, 1006, "", false);
    assert_eq!(retry_ms(&drain(&mut c)), Some(4000), "a drop in the handshake: the next retry");
    // And disconnect() during the wait cancels it and says so (item 7).
    c.disconnect();
    let w = drain(&mut c);
    assert!(w.contains(&Work::CancelTimer { timer: Timer::Reconnect }));
    assert!(host_events(&w).iter().any(|e| matches!(e, HostEvent::Disconnect { clean: true, .. })));
    assert_eq!((c.status().step, c.status().retry_in), (Step::Closed, None));
    c.timer_fired(c.generation(), Timer::Reconnect);
    assert!(!drain(&mut c).iter().any(|w| matches!(w, Work::AcquireTicket { .. })), "no reconnect after disconnect()");
}

#[test]
fn a_picture_resets_the_backoff() {
    let mut c = core(options());
    to_running(&mut c);
    c.socket_closed(1, 1006, "", false);
    drain(&mut c);
    assert_eq!(c.status().drops, 1);
    c.timer_fired(1, Timer::Reconnect);
    let g = c.generation();
    c.ticket_acquired(g, Ok(ticket("esx01.example.com")), NOW);
    c.socket_opened(g);
    c.received(g, &server_init(4, 2));
    c.received(g, &raw_update(0, 0, 1, 1, [0, 0, 0, 0]));
    drain(&mut c);
    c.painted(g);
    assert_eq!((c.status().drops, c.status().retry_in), (0, None));
    c.socket_closed(g, 1006, "", false);
    assert!(drain(&mut c).iter().any(|w| matches!(w, Work::StartTimer { timer: Timer::Reconnect, ms: 1000, .. })));
}

#[test]
fn no_automatic_reconnect_when_turned_off() {
    let mut c = core(ConsoleOptions { reconnect: false, ..options() });
    to_running(&mut c);
    c.socket_closed(1, 1006, "", false);
    assert!(!drain(&mut c).iter().any(|w| matches!(w, Work::StartTimer { timer: Timer::Reconnect, .. })));
    assert_eq!(c.status().step, Step::Closed);
}

#[test]
fn a_step_that_takes_too_long_fails_with_a_sentence() {
    let mut c = core(ConsoleOptions { step_timeout_seconds: 7, ..options() });
    c.connect();
    c.ticket_acquired(1, Ok(ticket("esx01.example.com")), NOW);
    c.socket_opened(1);
    drain(&mut c);
    c.timer_fired(1, Timer::Step);
    let w = drain(&mut c);
    assert!(w.contains(&Work::CloseSocket { generation: 1 }));
    assert!(host_events(&w).iter().any(|e| matches!(e, HostEvent::Error { code, .. } if code == "timeout")));
    assert_eq!(c.status().step, Step::Failed);
    assert_eq!(c.status().message.as_deref(), Some("Nothing happened for 7 s: the console server did not finish setting up the console. Reconnect to try again with a fresh ticket."));
    assert_eq!(c.status().ticket, "used");
    // A running console ignores the timer.
    let mut c = core(options());
    to_running(&mut c);
    c.timer_fired(1, Timer::Step);
    assert!(c.status().running());
}

#[test]
fn garbage_from_the_server_fails_and_closes() {
    let mut c = core(options());
    c.connect();
    c.ticket_acquired(1, Ok(ticket("esx01.example.com")), NOW);
    c.socket_opened(1);
    drain(&mut c);
    c.received(1, b"HTTP/1.1 400 Bad Request\r\n\r\n");
    let w = drain(&mut c);
    assert!(w.contains(&Work::CloseSocket { generation: 1 }));
    assert!(host_events(&w).iter().any(|e| matches!(e, HostEvent::Error { code, .. } if code == "protocol")));
    assert_eq!(c.status().step, Step::Failed);
    assert!(c.status().message.as_ref().unwrap().ends_with("Reconnect to try again with a fresh ticket."));
    // The socket had opened: the certificate is not the problem, so no certificate help.
    c.socket_closed(1, 1006, "", false);
    assert!(!c.status().certificate_suspected, "a protocol failure never points at the certificate");
}

/// A server that refuses the credentials in the RFB handshake (SecurityResult failed)
/// is an `authentication` error, which createWMKS reports as `authenticationfailed`.
#[test]
fn a_refused_security_handshake_is_an_authentication_error() {
    let mut c = core(options());
    c.connect();
    c.ticket_acquired(1, Ok(ticket("esx01.example.com")), NOW);
    c.socket_opened(1);
    drain(&mut c);
    let mut refusal = b"RFB 003.008\n".to_vec();
    refusal.extend_from_slice(&[1, 1, 0, 0, 0, 1]);
    refusal.extend_from_slice(&(14u32).to_be_bytes());
    refusal.extend_from_slice(b"ticket refused");
    c.received(1, &refusal);
    let w = drain(&mut c);
    assert!(host_events(&w).iter().any(|e| matches!(e, HostEvent::Error { code, .. } if code == "authentication")), "{w:?}");
    assert_eq!(c.status().step, Step::Failed);
}

#[test]
fn a_socket_refused_before_opening_points_at_the_certificate() {
    let mut c = core(options());
    c.connect();
    c.ticket_acquired(1, Ok(ticket("esx01.example.com")), NOW);
    drain(&mut c);
    c.socket_closed(1, 1006, "", false);
    let w = drain(&mut c);
    assert_eq!(c.status().step, Step::Failed);
    assert!(c.status().message.as_ref().unwrap().contains("open https://esx01.example.com:443/ in a new tab"));
    assert!(c.status().certificate_suspected);
    assert!(host_events(&w).contains(&HostEvent::Disconnect { clean: false, code: 1006, reason: String::new() }));
    assert!(!w.iter().any(|w| matches!(w, Work::StartTimer { timer: Timer::Reconnect, .. })), "no automatic retry");
}

#[test]
fn disconnect_says_goodbye_with_session_close() {
    let mut c = core(options());
    c.connect();
    c.ticket_acquired(1, Ok(ticket("esx01.example.com")), NOW);
    c.socket_opened(1);
    c.received(1, &server_init(4, 2));
    c.received(1, &server_caps(caps::SESSION_CLOSE | caps::KEY_EVENT));
    c.received(1, &raw_update(0, 0, 4, 2, [0, 0, 0, 0]));
    drain(&mut c);
    c.painted(1);
    drain(&mut c);
    assert_eq!(c.key_mode(), KeyMode::VmwareScancode);
    c.disconnect();
    let w = drain(&mut c);
    let bytes = sent(&w);
    // Client-to-server SessionClose is 127/12 (docs/protocol.md), reason 23: the client left.
    assert_eq!(bytes, [127, 12, 0, 8, 0, 0, 0, 23], "VMware SessionClose goes out");
    let close_at = w.iter().position(|w| *w == Work::CloseSocket { generation: 1 }).unwrap();
    let send_at = w.iter().position(|w| matches!(w, Work::Send { .. })).unwrap();
    assert!(send_at < close_at, "SessionClose is sent before the socket closes");
    assert_eq!(c.status().step, Step::Closed);
    assert_eq!(c.status().ticket, "used");
    // `disconnect` waits for the close, and says whether the closing handshake completed.
    assert!(!names(&w).contains(&"disconnect"), "nothing is reported before the socket closed");
    c.socket_closed(1, 1000, "", true);
    assert_eq!(host_events(&drain(&mut c)), [HostEvent::Disconnect { clean: true, code: 1000, reason: String::new() }]);
    // A close the server never answers is not clean.
    let mut c = core(options());
    to_running(&mut c);
    c.disconnect();
    let w = drain(&mut c);
    assert!(w.contains(&Work::StartTimer { generation: 1, timer: Timer::Close, ms: 5_000 }));
    c.timer_fired(1, Timer::Close);
    assert_eq!(host_events(&drain(&mut c)), [HostEvent::Disconnect { clean: false, code: 1006, reason: String::new() }]);
    c.socket_closed(1, 1006, "", false);
    assert!(host_events(&drain(&mut c)).is_empty(), "reported once");
}

#[test]
fn the_server_saying_goodbye_is_a_clean_close() {
    let mut c = core(options());
    to_running(&mut c);
    let mut m = vec![127, 7, 0, 8];
    m.extend_from_slice(&3u32.to_be_bytes());
    c.received(1, &m);
    c.socket_closed(1, 1000, "", true);
    let w = drain(&mut c);
    assert_eq!(c.status().step, Step::Closed);
    assert!(c.status().message.as_ref().unwrap().contains("reason 3"));
    assert!(host_events(&w).contains(&HostEvent::Disconnect { clean: true, code: 1000, reason: String::new() }));
}

#[test]
fn view_only_sends_no_input() {
    let mut c = core(ConsoleOptions { view_only: true, ..options() });
    to_running(&mut c);
    c.key(KeyInput { keysym: 0x61, scancode: Some(0x1e), down: true }, None, "KeyA");
    c.pointer(1, 1, 1);
    assert!(c.clipboard_paste("x").is_err(), "view only: nothing goes, and the page is told");
    assert!(sent(&drain(&mut c)).is_empty());
    c.set_view_only(false);
    c.key(KeyInput { keysym: 0x61, scancode: Some(0x1e), down: true }, None, "KeyA");
    // The stream starts at ServerInit, so the server is WebMKS: a scan code, as VMware's
    // client sends it (127/0).
    assert_eq!(sent(&drain(&mut c)), [127, 0, 0, 8, 0, 0x1e, 1, 0]);
}

#[test]
fn caps_lock_follows_the_person_s_keyboard() {
    let mut c = core(options());
    to_running(&mut c);
    // The guest says Caps Lock is off (VMware LED state pseudo-encoding in an update).
    let mut m = vec![0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0];
    m.extend_from_slice(&enc::VMW_LED_STATE.to_be_bytes());
    m.extend_from_slice(&0u32.to_be_bytes());
    c.received(1, &m);
    drain(&mut c);
    c.key(KeyInput { keysym: 0x41, scancode: None, down: true }, Some((true, false)), "KeyA");
    // A WebMKS server (it started at ServerInit): Caps Lock as scan code 0x3a down and up
    // (127/0), then the key, which has no scan code, as a keysym.
    let bytes = sent(&drain(&mut c));
    assert_eq!(
        bytes,
        [127, 0, 0, 8, 0, 0x3a, 1, 0, 127, 0, 0, 8, 0, 0x3a, 0, 0, 4, 1, 0, 0, 0, 0, 0, 0x41],
        "Caps Lock pressed and released, then the key"
    );
}

#[test]
fn a_hidden_cursor_comes_back() {
    let mut c = core(options());
    to_running(&mut c);
    let state = |flags: u16| {
        let mut m = vec![0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0];
        m.extend_from_slice(&enc::VMW_CURSOR_STATE.to_be_bytes());
        m.extend_from_slice(&flags.to_be_bytes());
        m
    };
    c.received(1, &state(2));
    assert!(drain(&mut c).contains(&Work::CursorVisible(false)));
    c.received(1, &state(3));
    assert!(drain(&mut c).contains(&Work::CursorVisible(true)));
}

#[test]
fn typed_text_is_planned_for_the_layout_or_refused() {
    let mut c = core(ConsoleOptions { keyboard_layout: "de".into(), ..options() });
    to_running(&mut c);
    assert!(c.plan_text("z").is_ok(), "keysym mode types anything");
    c.received(1, &server_caps(caps::KEY_EVENT));
    drain(&mut c);
    let z = c.plan_text("z").unwrap();
    assert_eq!(z[0].scancode, Some(0x15), "a German z is the key right of T");
    assert_eq!(
        c.plan_text("✓").unwrap_err(),
        "Nothing was typed: the character '✓' cannot be typed with this keyboard layout. Remove it, or type it on the keyboard."
    );
}

#[test]
fn no_host_event_or_status_carries_the_ticket() {
    let mut c = core(options());
    let mut work = to_running(&mut c);
    c.socket_closed(1, 1006, "", false);
    work.extend(drain(&mut c));
    c.disconnect();
    work.extend(drain(&mut c));
    for e in host_events(&work) {
        let text = e.detail().to_string();
        assert!(!text.contains(SECRET), "{} carries the ticket", e.name());
    }
    assert!(!format!("{:?}", c.status()).contains(SECRET));
    assert!(!format!("{work:?}").contains(SECRET), "work prints the URL redacted");
}

#[test]
fn tickets_are_read_in_both_shapes() {
    let vi = ticket_from_json(
        json!({"_typeName": "VirtualMachineTicket", "ticket": SECRET, "cfgFile": "x.vmx", "host": "esx01.example.com", "port": 443}),
    )
    .unwrap();
    assert_eq!((vi.host.as_deref(), vi.port), (Some("esx01.example.com"), Some(443)));
    let rest = ticket_from_json(json!({"ticket": format!("wss://esx01.example.com:443/ticket/{SECRET}")})).unwrap();
    assert_eq!((rest.ticket.expose(), rest.host.as_deref(), rest.port), (SECRET, Some("esx01.example.com"), Some(443)));
    let err = ticket_from_json(json!({"nope": SECRET})).unwrap_err();
    assert!(!err.contains(SECRET));
    // Both pass the same policy.
    for t in [vi, rest] {
        let mut c = core(options());
        c.connect();
        c.ticket_acquired(1, Ok(t), NOW);
        assert!(drain(&mut c).iter().any(|w| matches!(w, Work::OpenSocket { .. })));
    }
}

/// Issue 11, item 2: a costly update is drawn over several turns; the core asks the host
/// for a zero-delay `Timer::Continue` instead of drawing it all at once.
#[test]
fn a_costly_update_continues_on_later_turns() {
    let mut c = core(options());
    c.connect();
    c.ticket_acquired(1, Ok(ticket("esx01.example.com")), NOW);
    c.socket_opened(1);
    c.received(1, &server_init(1024, 768));
    drain(&mut c);
    let mut update = vec![0, 0, 0, 20];
    for i in 0..20u16 {
        for n in [0u16, 0, 1023, 768] {
            update.extend_from_slice(&n.to_be_bytes());
        }
        update.extend_from_slice(&enc::COPY_RECT.to_be_bytes());
        update.extend_from_slice(&[0, (i % 2) as u8, 0, 0]);
    }
    c.received(1, &update);
    let mut turns = 1;
    loop {
        let w = drain(&mut c);
        if !w.contains(&Work::StartTimer { generation: 1, timer: Timer::Continue, ms: 0 }) {
            assert!(w.contains(&Work::Paint { generation: 1 }), "the finished update is painted");
            break;
        }
        turns += 1;
        assert!(turns < 50, "it finishes");
        c.timer_fired(1, Timer::Continue);
    }
    assert!(turns >= 3, "20 screens of drawing took {turns} turns");
    // A stale generation's continuation does nothing.
    c.timer_fired(0, Timer::Continue);
    assert!(drain(&mut c).is_empty());
}

/// Issue 11, item 4: a key-up sends what its key-down sent (Shift may have changed
/// `key` in between), and held keys are let go when asked (blur, page hide, …).
#[test]
fn a_key_up_matches_its_key_down_and_held_keys_are_released() {
    let mut c = core(options());
    to_running(&mut c);
    let keysyms = |c: &mut ConsoleCore| -> Vec<(bool, u32)> {
        sent(&drain(c)).chunks(8).map(|k| (k[1] == 1, u32::from_be_bytes([k[4], k[5], k[6], k[7]]))).collect()
    };
    // Down as "a"; Shift pressed meanwhile makes the key-up report "A": "a" goes up.
    c.key(KeyInput { keysym: 0x61, scancode: None, down: true }, None, "KeyA");
    c.key(KeyInput { keysym: 0x41, scancode: None, down: false }, None, "KeyA");
    assert_eq!(keysyms(&mut c), [(true, 0x61), (false, 0x61)]);
    // Held keys let go together; their late key-ups then send nothing.
    c.key(KeyInput { keysym: 0xffe1, scancode: None, down: true }, None, "ShiftLeft");
    c.key(KeyInput { keysym: 0x62, scancode: None, down: true }, None, "KeyB");
    keysyms(&mut c);
    c.release_keys();
    let mut up = keysyms(&mut c);
    up.sort();
    assert_eq!(up, [(false, 0x62), (false, 0xffe1)]);
    c.key(KeyInput { keysym: 0xffe1, scancode: None, down: false }, None, "ShiftLeft");
    assert!(keysyms(&mut c).is_empty(), "a key-up after the release sends nothing");
}

#[test]
fn a_console_refused_before_its_first_picture_is_never_a_clean_disconnect_and_is_tried_once_more() {
    let mut c = core(options());
    c.connect();
    c.ticket_acquired(1, Ok(ticket("esx01.example.com")), NOW);
    c.socket_opened(1);
    drain(&mut c);
    // A spent or expired ticket: the lab closes with 4001 before anything else.
    c.socket_closed(1, 4001, "ticket invalid or already used", true);
    let w = drain(&mut c);
    let events = host_events(&w);
    assert!(events.contains(&HostEvent::Disconnect { clean: false, code: 4001, reason: "ticket invalid or already used".into() }));
    assert!(events.contains(&HostEvent::TicketState { state: "rejected" }), "{events:?}");
    assert!(events.iter().any(|e| matches!(e, HostEvent::Error { code, .. } if code == "refused")));
    assert!(w.contains(&Work::AcquireTicket { generation: 2 }), "tried once more with a fresh ticket");
    // Refused again: no third try, and the page is told.
    c.ticket_acquired(2, Ok(ticket("esx01.example.com")), NOW);
    c.socket_opened(2);
    c.received(2, &server_init(4, 2));
    drain(&mut c);
    c.socket_closed(2, 4001, "ticket invalid or already used", true);
    let w = drain(&mut c);
    assert!(!w.iter().any(|w| matches!(w, Work::AcquireTicket { .. })));
    assert_eq!(c.status().step, Step::Failed);
    assert!(c.status().message.as_ref().unwrap().contains("refused the ticket"));
    assert!(host_events(&w).iter().any(|e| matches!(e, HostEvent::Error { code, .. } if code == "refused")));
    // A socket that just ends before the first picture (1006: no close frame) is a broken
    // connection, not a refusal: said as such, and not tried again on its own.
    let mut c = core(options());
    c.connect();
    c.ticket_acquired(1, Ok(ticket("esx01.example.com")), NOW);
    c.socket_opened(1);
    c.received(1, &server_init(4, 2));
    drain(&mut c);
    c.socket_closed(1, 1006, "", false);
    let w = drain(&mut c);
    assert!(!w.iter().any(|w| matches!(w, Work::AcquireTicket { .. })));
    assert!(host_events(&w).contains(&HostEvent::Disconnect { clean: false, code: 1006, reason: String::new() }));
    assert!(!host_events(&w).iter().any(|e| matches!(e, HostEvent::TicketState { state: "rejected" })));
    assert!(c.status().message.as_ref().unwrap().contains("code 1006"), "{:?}", c.status().message);
}

#[test]
fn without_a_way_to_get_fresh_tickets_a_refused_or_dropped_console_is_not_tried_again() {
    let mut c = core(options());
    c.set_fresh_tickets(false);
    c.connect();
    c.ticket_acquired(1, Ok(ticket("esx01.example.com")), NOW);
    c.socket_opened(1);
    c.socket_closed(1, 4001, "ticket invalid or already used", true);
    let w = drain(&mut c);
    assert!(!w.iter().any(|w| matches!(w, Work::AcquireTicket { generation: 2 })));
    assert_eq!(c.status().step, Step::Failed);
    let mut c = core(options());
    c.set_fresh_tickets(false);
    to_running(&mut c);
    c.socket_closed(1, 1006, "", false);
    assert!(!drain(&mut c).iter().any(|w| matches!(w, Work::StartTimer { timer: Timer::Reconnect, .. })));
}

/// Issue 20, item 9: a ticket's lifetime counts from when it was issued (or handed in),
/// not from when the core saw it. Before, both ends used the same `now`, so no ticket
/// could ever be too old.
#[test]
fn a_ticket_older_than_its_lifetime_is_never_used() {
    let clock = std::rc::Rc::new(std::cell::Cell::new(NOW));
    let mut c = core_with_clock(ConsoleOptions { ticket_lifetime_seconds: 60, ..options() }, clock);
    c.connect();
    drain(&mut c);
    c.ticket_acquired(1, Ok(ticket("esx01.example.com")), NOW - 61_000.0);
    let w = drain(&mut c);
    assert!(!w.iter().any(|w| matches!(w, Work::OpenSocket { .. })), "no socket for a stale ticket");
    assert!(host_events(&w).iter().any(|e| matches!(e, HostEvent::Error { code, .. } if code == "ticket-expired")));
    assert_eq!(c.status().ticket, "expired");
    let mut c = core(ConsoleOptions { ticket_lifetime_seconds: 60, ..options() });
    c.connect();
    c.ticket_acquired(1, Ok(ticket("esx01.example.com")), NOW - 59_000.0);
    assert!(drain(&mut c).iter().any(|w| matches!(w, Work::OpenSocket { .. })), "a ticket within its lifetime is used");
}

/// One owner for "the guest takes the container's size": the core rounds and remembers
/// what it asked, and falls back to Fit with a sentence where the server cannot resize.
#[test]
fn remote_scale_asks_the_guest_for_the_container_size_once_and_falls_back_to_fit() {
    use vsphere_console::console::Scale;
    let mut c = core(ConsoleOptions { scale: Scale::Remote, ..options() });
    c.fit_guest(1000, 700);
    assert!(sent(&drain(&mut c)).is_empty(), "nothing before the console runs");
    to_running(&mut c);
    let g = c.generation();
    c.received(g, &server_caps(caps::REQUEST_RESOLUTION));
    drain(&mut c);
    c.fit_guest(1001, 703);
    assert_eq!(sent(&drain(&mut c)), [127, 5, 0, 8, 0x03, 0xe8, 0x02, 0xb8], "1000x696: multiples of 8");
    c.fit_guest(1002, 700);
    assert!(sent(&drain(&mut c)).is_empty(), "the same size is not asked twice");
    c.fit_guest(100, 100);
    assert_eq!(sent(&drain(&mut c)), [127, 5, 0, 8, 0x01, 0x40, 0x00, 0xf0], "at least 320x240");
    assert_eq!(c.status().scale, Scale::Remote);
    // A server without RequestResolution: Fit, and a sentence.
    let mut c = core(ConsoleOptions { scale: Scale::Remote, ..options() });
    to_running(&mut c);
    c.fit_guest(800, 600);
    assert_eq!(c.status().scale, Scale::Fit);
    assert!(c.status().message.as_deref().unwrap_or_default().contains("cannot change the guest's resolution"));
    c.set_scale(Scale::Actual);
    assert_eq!(c.status().scale, Scale::Actual);
}

#[test]
fn composed_text_goes_as_characters_where_the_server_takes_them_else_by_layout_or_not_at_all() {
    let mut c = core(options());
    to_running(&mut c);
    // A WebMKS server with both KeyEvent2 bits (as VMware's client requires): each
    // character as itself (127/6, raw 0), Enter as its key.
    let all = caps::KEY_EVENT | caps::KEY_EVENT2_UNICODE | caps::KEY_EVENT2_JS_KEY_CODE;
    c.received(1, &server_caps(all));
    drain(&mut c);
    let keys = c.plan_composed("日\r\n").unwrap();
    c.keys(&keys);
    assert_eq!(
        sent(&drain(&mut c)),
        [
            127, 6, 0, 10, 0, 0, 0x65, 0xe5, 1, 0, 127, 6, 0, 10, 0, 0, 0x65, 0xe5, 0, 0, //
            127, 0, 0, 8, 0, 0x1c, 1, 0, 127, 0, 0, 8, 0, 0x1c, 0, 0
        ]
    );
    // Scan codes only: the guest layout's keys, or nothing and a sentence naming the character.
    c.received(1, &server_caps(caps::KEY_EVENT | caps::KEY_EVENT2_UNICODE));
    drain(&mut c);
    let keys = c.plan_composed("a").unwrap();
    c.keys(&keys);
    assert_eq!(sent(&drain(&mut c)), [127, 0, 0, 8, 0, 0x1e, 1, 0, 127, 0, 0, 8, 0, 0x1e, 0, 0]);
    let refused = c.plan_composed("a日").unwrap_err();
    assert!(refused.contains("'日'"), "{refused}");
    assert!(sent(&drain(&mut c)).is_empty(), "not even the a goes");
    assert_eq!(c.status().message.as_deref(), Some(refused.as_str()));
    // With `unicodeKeys` off the layout types even where the server takes characters.
    let mut c = core(ConsoleOptions { unicode_keys: false, ..options() });
    to_running(&mut c);
    c.received(1, &server_caps(all));
    drain(&mut c);
    let keys = c.plan_composed("a").unwrap();
    c.keys(&keys);
    assert_eq!(sent(&drain(&mut c)), [127, 0, 0, 8, 0, 0x1e, 1, 0, 127, 0, 0, 8, 0, 0x1e, 0, 0]);
    // View only: nothing goes.
    c.set_view_only(true);
    assert!(c.plan_composed("a").is_err());
    assert!(sent(&drain(&mut c)).is_empty());
}

#[test]
fn a_paint_asked_inside_an_update_waits_for_its_end_and_the_next_update_waits_for_the_paint() {
    let mut c = core(options());
    to_running(&mut c);
    let first_pixel = |c: &ConsoleCore| c.framebuffer().map(|fb| fb.pixels()[..3].to_vec()).unwrap_or_default();
    assert_eq!(first_pixel(&c), [255, 0, 0], "red after the first update");
    let (green, blue) = (raw_update(0, 0, 4, 2, [0, 255, 0, 0]), raw_update(0, 0, 4, 2, [0, 0, 255, 0]));
    // Half of the green update: an animation frame now would show half of it.
    c.received(1, &green[..20]);
    drain(&mut c);
    assert!(!c.frame_due(1), "inside an update: no paint");
    // The rest of it and the start of the blue one, in one message: the engine stops at
    // green's end and asks for the paint; blue waits.
    let mut rest = green[20..].to_vec();
    rest.extend_from_slice(&blue[..20]);
    c.received(1, &rest);
    let w = drain(&mut c);
    assert!(w.contains(&Work::PaintNow { generation: 1 }), "{:?}", names(&w));
    assert_eq!(first_pixel(&c), [0, 255, 0]);
    assert!(c.framebuffer().unwrap().pixels().chunks(4).all(|p| p[..3] == [0, 255, 0]), "all of green, none of blue");
    assert!(!c.is_settled(), "the paint it asked for is due");
    c.painted(1);
    drain(&mut c);
    c.received(1, &blue[20..]);
    drain(&mut c);
    assert!(c.framebuffer().unwrap().pixels().chunks(4).all(|p| p[..3] == [0, 0, 255]), "blue went on after the paint");
    assert!(c.frame_due(1), "between updates: paint now");
    // A stream that stalls inside an update: settled, the last whole picture stays.
    c.painted(1);
    c.received(1, &green[..20]);
    assert!(!c.frame_due(1));
    drain(&mut c);
    assert!(c.is_settled(), "nothing more can be drawn until the rest comes");
}
