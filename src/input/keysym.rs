//! `KeyboardEvent.key` → X keysym (for servers without scan-code input).

/// Keysym of a key value; named keys by table, characters by Unicode rule
/// (Latin-1 directly, others as `0x0100_0000 + code point`).
pub fn from_key(key: &str, code: &str) -> u32 {
    if let Some(k) = named(key, code) {
        return k;
    }
    let mut chars = key.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => char_keysym(c),
        _ => 0,
    }
}

/// The keysym that types `c`.
pub fn char_keysym(c: char) -> u32 {
    let cp = c as u32;
    match cp {
        0x0a | 0x0d => 0xff0d,
        0x09 => 0xff09,
        0x08 => 0xff08,
        0x20..=0x7e | 0xa0..=0xff => cp,
        _ => 0x0100_0000 + cp,
    }
}

fn named(key: &str, code: &str) -> Option<u32> {
    let right = code.ends_with("Right");
    Some(match key {
        "Backspace" => 0xff08,
        "Tab" => 0xff09,
        "Enter" => {
            if code == "NumpadEnter" {
                0xff8d
            } else {
                0xff0d
            }
        }
        "Escape" => 0xff1b,
        "Delete" => 0xffff,
        "Home" => 0xff50,
        "ArrowLeft" => 0xff51,
        "ArrowUp" => 0xff52,
        "ArrowRight" => 0xff53,
        "ArrowDown" => 0xff54,
        "PageUp" => 0xff55,
        "PageDown" => 0xff56,
        "End" => 0xff57,
        "Insert" => 0xff63,
        "Pause" => 0xff13,
        "ScrollLock" => 0xff14,
        "PrintScreen" => 0xff61,
        "ContextMenu" => 0xff67,
        "NumLock" => 0xff7f,
        "CapsLock" => 0xffe5,
        "Shift" => {
            if right {
                0xffe2
            } else {
                0xffe1
            }
        }
        "Control" => {
            if right {
                0xffe4
            } else {
                0xffe3
            }
        }
        "Alt" => {
            if right {
                0xffea
            } else {
                0xffe9
            }
        }
        "AltGraph" => 0xfe03,
        "Meta" | "OS" => {
            if right {
                0xffec
            } else {
                0xffeb
            }
        }
        "Dead" => return None,
        f if f.len() >= 2 && f.starts_with('F') => {
            let n: u32 = f[1..].parse().ok()?;
            if (1..=35).contains(&n) {
                0xffbd + n
            } else {
                return None;
            }
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_and_named_keys() {
        assert_eq!(from_key("a", "KeyA"), 0x61);
        assert_eq!(from_key("Enter", "Enter"), 0xff0d);
        assert_eq!(from_key("F1", "F1"), 0xffbe);
        assert_eq!(from_key("F12", "F12"), 0xffc9);
        assert_eq!(from_key("Control", "ControlRight"), 0xffe4);
        assert_eq!(from_key("é", "Digit2"), 0xe9);
        assert_eq!(from_key("€", "KeyE"), 0x0100_20ac);
        assert_eq!(from_key("Dead", "BracketLeft"), 0);
    }
}
