//! Keys as a guest OS sees them: scan codes through the VM's keyboard layout. Plain RFB
//! KeyEvents (keysyms) are first turned into the scan codes of a US keyboard, as ESXi
//! reads them (a guest with another layout then types what that layout has on those keys).

/// Scan codes to characters through the VM's keyboard layout.
#[derive(Default)]
pub struct Keyboard {
    pub layout: String,
    shift: bool,
    altgr: bool,
    /// The last scan-code events, e.g. "1d+" down, "153-" up.
    pub log: Vec<String>,
}

impl Keyboard {
    pub fn new(layout: &str) -> Self {
        Keyboard { layout: layout.to_owned(), ..Keyboard::default() }
    }

    /// Tracks modifiers; returns the keysym a key press types, if any.
    pub fn scan(&mut self, sc: u16, down: bool) -> Option<u32> {
        self.log.push(format!("{sc:x}{}", if down { '+' } else { '-' }));
        if self.log.len() > 32 {
            self.log.remove(0);
        }
        match sc {
            0x2a | 0x36 => self.shift = down,
            0x138 => self.altgr = down,
            _ => {}
        }
        if !down {
            return None;
        }
        match sc {
            0x0e => return Some(0xff08),
            0x1c | 0x11c => return Some(0xff0d),
            0x39 => return Some(0x20),
            _ => {}
        }
        layout_char(&self.layout, sc, self.shift, self.altgr).map(|c| if (c as u32) < 0x100 { c as u32 } else { 0x0100_0000 + c as u32 })
    }

    /// A plain RFB KeyEvent, read as ESXi reads it: the keysym's key on a US keyboard
    /// (with Shift where US needs it), then that key through the VM's own layout.
    pub fn keysym(&mut self, keysym: u32, down: bool) -> Option<u32> {
        let (sc, shift) = us_key(keysym)?;
        if shift && !self.shift {
            self.scan(0x2a, true);
            let typed = self.scan(sc, down);
            self.scan(0x2a, false);
            return typed;
        }
        self.scan(sc, down)
    }
}

/// The US keyboard's key for a keysym, and whether it needs Shift.
fn us_key(keysym: u32) -> Option<(u16, bool)> {
    match keysym {
        0xff08 => return Some((0x0e, false)),
        0xff09 => return Some((0x0f, false)),
        0xff0d | 0xff8d => return Some((0x1c, false)),
        0xff1b => return Some((0x01, false)),
        0x20 => return Some((0x39, false)),
        0xffe1 => return Some((0x2a, false)),
        0xffe2 => return Some((0x36, false)),
        0xffe3 => return Some((0x1d, false)),
        0xffe9 => return Some((0x38, false)),
        0xfe03 | 0xffea => return Some((0x138, false)),
        _ => {}
    }
    let c = char::from_u32(keysym)?;
    for (row, start) in [(0usize, 0x02u16), (1, 0x10), (2, 0x1e), (3, 0x2b)] {
        if let Some(i) = US.0[row].chars().position(|k| k == c) {
            return Some((start + i as u16, false));
        }
        if let Some(i) = US.1[row].chars().position(|k| k == c) {
            return Some((start + i as u16, true));
        }
    }
    None
}

/// The US layout's rows of the PC keyboard from scan code 0x02, 0x10, 0x1e and 0x2b.
const US: ([&str; 4], [&str; 4]) =
    (["1234567890-=", "qwertyuiop[]", "asdfghjkl;'`", "\\zxcvbnm,./"], ["!@#$%^&*()_+", "QWERTYUIOP{}", "ASDFGHJKL:\"~", "|ZXCVBNM<>?"]);

/// The character a key types in a layout: rows of the PC keyboard from scan code 0x02,
/// 0x10, 0x1e and 0x2b.
fn layout_char(layout: &str, sc: u16, shift: bool, altgr: bool) -> Option<char> {
    let (rows, shifted, alt): ([&str; 4], [&str; 4], &[(u16, char)]) = match layout {
        "de" => (
            ["1234567890ß´", "qwertzuiopü+", "asdfghjklöä^", "#yxcvbnm,.-"],
            ["!\"§$%&/()=?`", "QWERTZUIOPÜ*", "ASDFGHJKLÖÄ°", "'YXCVBNM;:_"],
            &[(0x10, '@'), (0x12, '€'), (0x08, '{'), (0x09, '['), (0x0a, ']'), (0x0b, '}'), (0x0c, '\\'), (0x1b, '~')],
        ),
        _ => (US.0, US.1, &[]),
    };
    if altgr {
        return alt.iter().find(|(k, _)| *k == sc).map(|(_, c)| *c);
    }
    let table = if shift { shifted } else { rows };
    let (row, start) = match sc {
        0x02..=0x0d => (0, 0x02),
        0x10..=0x1b => (1, 0x10),
        0x1e..=0x29 => (2, 0x1e),
        0x2b..=0x35 => (3, 0x2b),
        0x56 if layout == "de" => return Some(if shift { '>' } else { '<' }),
        _ => return None,
    };
    table[row].chars().nth((sc - start) as usize)
}

/// What a typed keysym does to the typed line (Backspace, Enter, a character).
pub fn apply_key(typed: &mut String, log: &mut Vec<String>, keysym: u32) {
    match keysym {
        0xff08 => {
            typed.pop();
        }
        0xff0d | 0xff8d => {
            let line = typed.rsplit(" | ").next().unwrap_or("").to_owned();
            log.push(line);
            if log.len() > 64 {
                log.remove(0);
            }
            typed.push_str(" | ");
        }
        0x20..=0x7e | 0xa0..=0xff => typed.push(char::from_u32(keysym).unwrap_or('?')),
        k if (0x0100_0000..0x0111_0000).contains(&k) => typed.push(char::from_u32(k - 0x0100_0000).unwrap_or('?')),
        _ => {}
    }
    if typed.chars().count() > 200 {
        let drop = typed.chars().count() - 200;
        *typed = typed.chars().skip(drop).collect();
    }
}

/// A Unicode code point typed as one (VMware's KeyEvent2): its character, or Backspace
/// and Enter by their control codes.
pub fn unicode_keysym(code: u32) -> Option<u32> {
    match code {
        8 => Some(0xff08),
        10 | 13 => Some(0xff0d),
        c if c < 0x20 || c == 0x7f => None,
        c if c < 0x100 => Some(c),
        c => char::from_u32(c).map(|_| 0x0100_0000 + c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keysyms_are_read_as_a_us_keyboard_then_through_the_guest_layout() {
        let mut us = Keyboard::new("us");
        assert_eq!(us.keysym('y' as u32, true), Some('y' as u32));
        assert_eq!(us.keysym('A' as u32, true), Some('A' as u32), "Shift is pressed for it");
        let mut de = Keyboard::new("de");
        assert_eq!(de.keysym('y' as u32, true), Some('z' as u32), "a German guest types z on the US y key");
        assert_eq!(de.keysym('@' as u32, true), Some('"' as u32), "Shift+2 on a German keyboard");
    }
}
