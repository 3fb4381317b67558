//! Keyboard and pointer translation, free of the DOM.
//!
//! `KeyboardEvent.code` names a physical key: it maps to a PC scan code, so the
//! guest's own layout applies (VMware 127/0, QEMU extended key events).
//! `KeyboardEvent.key` names the character: it maps to an X keysym for plain RFB.

pub mod keycode;
pub mod keysym;
pub mod layouts;
pub mod leave;
pub mod scancode;
pub mod text;
pub mod wheel;

use crate::rfb::KeyInput;

/// The keysym of a scan code's key on a US keyboard (unshifted), for a plain RFB server
/// when a page sends VMware scan codes; 0 when the key has none.
pub fn keysym_of_scancode(sc: u16) -> u32 {
    scancode::TABLE.iter().find(|(_, s)| *s == sc).map_or(0, |(code, _)| keysym::from_key("", code))
}

/// A browser key event, reduced to what translation needs.
pub fn key_input(code: &str, key: &str, down: bool) -> KeyInput {
    KeyInput { keysym: keysym::from_key(key, code), scancode: scancode::from_code(code), down }
}

/// WMKS `sendKeyCodes`: JavaScript keyCodes pressed in order and released in reverse; a
/// negative last entry is a negated Unicode code point typed as a character with them.
/// `None` when an entry has no known key.
pub fn key_codes(codes: &[i32]) -> Option<Vec<KeyInput>> {
    let mut keys = Vec::new();
    let mut ch = None;
    for (i, &c) in codes.iter().enumerate() {
        if c < 0 {
            // Only the last entry may be a character.
            if i + 1 != codes.len() {
                return None;
            }
            ch = Some(char::from_u32(c.unsigned_abs())?);
        } else {
            keys.push(keycode::from_key_code(c as u32)?);
        }
    }
    let mut out: Vec<KeyInput> = keys.iter().map(|(c, k)| key_input(c, k, true)).collect();
    if let Some(ch) = ch {
        let sym = keysym::char_keysym(ch);
        let scancode = text::plan(&ch.to_string(), text::Layout::default())
            .ok()
            .and_then(|p| p.iter().find(|k| k.keysym == sym).and_then(|k| k.scancode));
        out.push(KeyInput { keysym: sym, scancode, down: true });
        out.push(KeyInput { keysym: sym, scancode, down: false });
    }
    out.extend(keys.iter().rev().map(|(c, k)| key_input(c, k, false)));
    Some(out)
}

/// Ctrl+Alt+Del as scan codes with keysyms: presses in order, then releases in reverse.
pub fn ctrl_alt_del() -> Vec<KeyInput> {
    combo(&[("ControlLeft", "Control"), ("AltLeft", "Alt"), ("Delete", "Delete")])
}

/// Presses the keys in order and releases them in reverse order.
pub fn combo(keys: &[(&str, &str)]) -> Vec<KeyInput> {
    let mut out: Vec<KeyInput> = keys.iter().map(|(c, k)| key_input(c, k, true)).collect();
    out.extend(keys.iter().rev().map(|(c, k)| key_input(c, k, false)));
    out
}

/// The key combinations a browser would otherwise take, for the console's "Send keys" menu:
/// a label and the keys as (`KeyboardEvent.code`, `KeyboardEvent.key`).
pub fn combos() -> Vec<(String, Vec<(&'static str, &'static str)>)> {
    const CTRL: (&str, &str) = ("ControlLeft", "Control");
    const ALT: (&str, &str) = ("AltLeft", "Alt");
    const F: [(&str, &str); 12] = [
        ("F1", "F1"),
        ("F2", "F2"),
        ("F3", "F3"),
        ("F4", "F4"),
        ("F5", "F5"),
        ("F6", "F6"),
        ("F7", "F7"),
        ("F8", "F8"),
        ("F9", "F9"),
        ("F10", "F10"),
        ("F11", "F11"),
        ("F12", "F12"),
    ];
    let mut v = vec![
        ("Ctrl+Alt+Del".to_owned(), vec![CTRL, ALT, ("Delete", "Delete")]),
        ("Ctrl+Alt+Backspace".to_owned(), vec![CTRL, ALT, ("Backspace", "Backspace")]),
        ("Alt+Tab".to_owned(), vec![ALT, ("Tab", "Tab")]),
        ("Windows key".to_owned(), vec![("MetaLeft", "Meta")]),
        ("PrintScreen".to_owned(), vec![("PrintScreen", "PrintScreen")]),
    ];
    for (i, f) in F.iter().enumerate() {
        v.push((format!("Ctrl+Alt+F{}", i + 1), vec![CTRL, ALT, *f]));
    }
    v
}
