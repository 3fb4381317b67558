//! Clipboard both ways through the console core: Extended Clipboard (Unicode) with a
//! server that speaks it, Latin-1 ClientCutText otherwise, and a page's policy that
//! forbids one direction.

#![cfg(not(target_arch = "wasm32"))]

use vsphere_console::console::ClipboardPolicy;
use vsphere_console::console::{ConsoleCore, ConsoleOptions, HostEvent, Work};
use vsphere_console::rfb::clipboard::{self, ServerMessage};

#[path = "common/console.rs"]
mod console_helpers;
use console_helpers::{core, drain, options, sent, to_running};

fn session(clip: ClipboardPolicy) -> ConsoleCore {
    let mut c = core(ConsoleOptions { clipboard: clip, ..options() });
    to_running(&mut c);
    assert!(c.status().running(), "the console runs");
    c
}

fn clipboard_texts(w: &[Work]) -> Vec<String> {
    w.iter().filter_map(|w| if let Work::Host(HostEvent::Clipboard { text }) = w { Some(text.clone()) } else { None }).collect()
}

/// A server's extended message: the client-side builders with the server's type (3).
fn from_server(build: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut m = Vec::new();
    build(&mut m);
    m[0] = 3;
    m
}

fn server_caps() -> Vec<u8> {
    let mut m = vec![3, 0, 0, 0];
    let flags = clipboard::CAPS | clipboard::REQUEST | clipboard::PEEK | clipboard::NOTIFY | clipboard::PROVIDE | clipboard::FORMAT_TEXT;
    let payload = [flags.to_be_bytes(), 1_048_576u32.to_be_bytes()].concat();
    m.extend_from_slice(&(-(payload.len() as i32)).to_be_bytes());
    m.extend_from_slice(&payload);
    m
}

/// The extended messages in what the client sent.
fn client_messages(bytes: &[u8]) -> Vec<ServerMessage> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while rest.len() >= 8 && rest[0] == 6 {
        let len = i32::from_be_bytes(rest[4..8].try_into().unwrap());
        let n = len.unsigned_abs() as usize;
        if len < 0 {
            out.push(clipboard::parse(&rest[8..8 + n]).unwrap());
        }
        rest = &rest[8 + n..];
    }
    out
}

#[test]
fn unicode_both_ways_with_extended_clipboard() {
    let mut c = session(ClipboardPolicy::default());
    c.received(c.generation(), &server_caps());
    let caps = client_messages(&sent(&drain(&mut c)));
    assert!(matches!(caps.as_slice(), [ServerMessage::Caps { formats: 1, .. }]), "our caps answer the server's: {caps:?}");

    // The VM copied: the server notifies, we request, it provides, the page hears it.
    c.received(c.generation(), &from_server(|m| clipboard::notify(m, true)));
    assert_eq!(client_messages(&sent(&drain(&mut c))), [ServerMessage::Request { formats: 1 }]);
    c.received(c.generation(), &from_server(|m| clipboard::provide(m, "grüße ✓\nпривет")));
    assert_eq!(clipboard_texts(&drain(&mut c)), ["grüße ✓\nпривет"]);

    // The person pastes: we notify, the server requests, we provide the text whole.
    assert_eq!(c.clipboard_paste("naïve ✓"), Ok(None));
    assert_eq!(client_messages(&sent(&drain(&mut c))), [ServerMessage::Notify { formats: 1 }]);
    c.received(c.generation(), &from_server(clipboard::request));
    assert_eq!(client_messages(&sent(&drain(&mut c))), [ServerMessage::Provide { text: Some("naïve ✓".into()) }]);
}

#[test]
fn latin1_servers_get_latin1_and_the_page_is_told_what_was_lost() {
    let mut c = session(ClipboardPolicy::default());
    let note = c.clipboard_paste("café ✓✓").unwrap().expect("a sentence about the lost characters");
    assert!(note.contains("2 characters became \"?\""), "{note}");
    assert_eq!(sent(&drain(&mut c)), [&[6, 0, 0, 0, 0, 0, 0, 7][..], b"caf\xe9 ??"].concat());
    assert_eq!(c.clipboard_paste("plain"), Ok(None));
}

#[test]
fn a_page_can_forbid_either_direction() {
    let mut c = session(ClipboardPolicy { to_vm: false, from_vm: false });
    assert!(c.clipboard_paste("secret").unwrap_err().contains("does not allow"));
    c.received(c.generation(), &server_caps());
    drain(&mut c);
    c.received(c.generation(), &from_server(|m| clipboard::notify(m, true)));
    assert!(client_messages(&sent(&drain(&mut c))).is_empty(), "no request for the VM's text");
    c.received(c.generation(), &from_server(|m| clipboard::provide(m, "unasked")));
    c.received(c.generation(), &[3, 0, 0, 0, 0, 0, 0, 3, b'a', b'b', b'c']);
    assert!(clipboard_texts(&drain(&mut c)).is_empty(), "nothing the VM copied reaches the page");
    assert_eq!(c.status().clipboard, None);
}

fn cut_text(text: &str) -> Vec<u8> {
    let mut m = vec![3, 0, 0, 0];
    m.extend_from_slice(&(text.len() as u32).to_be_bytes());
    m.extend_from_slice(text.as_bytes());
    m
}

fn local_writes(w: &[Work]) -> Vec<String> {
    w.iter().filter_map(|w| if let Work::WriteLocalClipboard { text } = w { Some(text.clone()) } else { None }).collect()
}

/// Issue 20: the VM's text reaches the local clipboard only by the person's act. Before,
/// every ServerCutText was written there at once ("pastejacking").
#[test]
fn the_vms_text_reaches_the_local_clipboard_only_after_the_persons_copy() {
    use vsphere_console::console::COPY_WINDOW_MS;
    use vsphere_console::rfb::KeyInput;
    let clock = std::rc::Rc::new(std::cell::Cell::new(console_helpers::NOW));
    let mut c = console_helpers::core_with_clock(options(), clock.clone());
    to_running(&mut c);
    let g = c.generation();
    // Unasked: the page is told, the text waits, nothing is written.
    c.received(g, &cut_text("unasked"));
    let w = drain(&mut c);
    assert_eq!(clipboard_texts(&w), ["unasked"], "the host page still gets the event");
    assert!(local_writes(&w).is_empty(), "no write to the local clipboard without the person");
    assert!(c.status().clipboard_waiting);
    // The person's copy control takes it.
    assert_eq!(c.take_waiting_clipboard().as_deref(), Some("unasked"));
    assert!(!c.status().clipboard_waiting);
    assert_eq!(c.take_waiting_clipboard(), None, "once");
    // Ctrl+C in the console: the VM's answer is written, once.
    let key = |c: &mut ConsoleCore, code: &str, down: bool| c.key(KeyInput { keysym: 0x63, scancode: None, down }, None, code);
    key(&mut c, "ControlLeft", true);
    key(&mut c, "KeyC", true);
    key(&mut c, "KeyC", false);
    key(&mut c, "ControlLeft", false);
    drain(&mut c);
    clock.set(console_helpers::NOW + 500.0);
    c.received(g, &cut_text("asked"));
    assert_eq!(local_writes(&drain(&mut c)), ["asked"]);
    assert!(!c.status().clipboard_waiting);
    c.received(g, &cut_text("again"));
    assert!(local_writes(&drain(&mut c)).is_empty(), "a second text is not the answer to the same copy");
    // Too late after the shortcut: it waits.
    key(&mut c, "ControlLeft", true);
    key(&mut c, "Insert", true);
    clock.set(console_helpers::NOW + 500.0 + COPY_WINDOW_MS + 1.0);
    c.received(g, &cut_text("late"));
    assert!(local_writes(&drain(&mut c)).is_empty());
    assert!(c.status().clipboard_waiting);
}
