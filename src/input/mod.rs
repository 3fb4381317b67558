//! Keyboard and pointer translation, free of the DOM.
//!
//! `KeyboardEvent.code` names a physical key: it maps to a PC scan code, so the
//! guest's own layout applies (VMware 127/0, QEMU extended key events).
//! `KeyboardEvent.key` names the character: it maps to an X keysym for plain RFB.

pub mod keysym;
pub mod scancode;

use crate::rfb::KeyInput;

/// A browser key event, reduced to what translation needs.
pub fn key_input(code: &str, key: &str, down: bool) -> KeyInput {
    KeyInput { keysym: keysym::from_key(key, code), scancode: scancode::from_code(code), down }
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
