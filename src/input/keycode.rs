//! Legacy JavaScript `keyCode`s (what VMware's `sendKeyCodes` takes) as
//! `KeyboardEvent.code` and `.key`, so they go out like real key presses.

/// The physical key (`code`) and its unshifted `key` for a US keyboard's `keyCode`.
pub fn from_key_code(kc: u32) -> Option<(String, String)> {
    let named = |code: &str, key: &str| Some((code.to_owned(), key.to_owned()));
    match kc {
        65..=90 => {
            let c = char::from_u32(kc)?;
            Some((format!("Key{c}"), c.to_ascii_lowercase().to_string()))
        }
        48..=57 => {
            let c = char::from_u32(kc)?;
            Some((format!("Digit{c}"), c.to_string()))
        }
        96..=105 => Some((format!("Numpad{}", kc - 96), (kc - 96).to_string())),
        112..=123 => {
            let f = format!("F{}", kc - 111);
            Some((f.clone(), f))
        }
        8 => named("Backspace", "Backspace"),
        9 => named("Tab", "Tab"),
        13 => named("Enter", "Enter"),
        16 => named("ShiftLeft", "Shift"),
        17 => named("ControlLeft", "Control"),
        18 => named("AltLeft", "Alt"),
        19 => named("Pause", "Pause"),
        20 => named("CapsLock", "CapsLock"),
        27 => named("Escape", "Escape"),
        32 => named("Space", " "),
        33 => named("PageUp", "PageUp"),
        34 => named("PageDown", "PageDown"),
        35 => named("End", "End"),
        36 => named("Home", "Home"),
        37 => named("ArrowLeft", "ArrowLeft"),
        38 => named("ArrowUp", "ArrowUp"),
        39 => named("ArrowRight", "ArrowRight"),
        40 => named("ArrowDown", "ArrowDown"),
        44 => named("PrintScreen", "PrintScreen"),
        45 => named("Insert", "Insert"),
        46 => named("Delete", "Delete"),
        91 => named("MetaLeft", "Meta"),
        92 => named("MetaRight", "Meta"),
        93 => named("ContextMenu", "ContextMenu"),
        106 => named("NumpadMultiply", "*"),
        107 => named("NumpadAdd", "+"),
        109 => named("NumpadSubtract", "-"),
        110 => named("NumpadDecimal", "."),
        111 => named("NumpadDivide", "/"),
        144 => named("NumLock", "NumLock"),
        145 => named("ScrollLock", "ScrollLock"),
        186 => named("Semicolon", ";"),
        187 => named("Equal", "="),
        188 => named("Comma", ","),
        189 => named("Minus", "-"),
        190 => named("Period", "."),
        191 => named("Slash", "/"),
        192 => named("Backquote", "`"),
        219 => named("BracketLeft", "["),
        220 => named("Backslash", "\\"),
        221 => named("BracketRight", "]"),
        222 => named("Quote", "'"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctrl_alt_del_as_wmks_sends_it() {
        let keys: Vec<_> = [17, 18, 46].iter().map(|k| from_key_code(*k).unwrap().0).collect();
        assert_eq!(keys, ["ControlLeft", "AltLeft", "Delete"]);
        assert_eq!(from_key_code(86), Some(("KeyV".into(), "v".into())));
        assert_eq!(from_key_code(0), None);
    }
}
