//! "Type text": a string as key presses, each with its keysym and, for the chosen
//! guest layout, the scan code with Shift or AltGr around it. The engine sends scan
//! codes where the server takes them (so the guest's layout must match the one chosen
//! here) and keysyms elsewhere.

use crate::rfb::KeyInput;

use super::keysym::char_keysym;

const SHIFT: u16 = 0x2a;
const ALTGR: u16 = 0x138;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Layout {
    #[default]
    Us,
    De,
}

impl Layout {
    pub fn from_name(name: &str) -> Layout {
        match name.to_ascii_lowercase().as_str() {
            "de" | "de-de" | "german" => Layout::De,
            _ => Layout::Us,
        }
    }

    /// Rows of the PC keyboard starting at scan codes 0x02, 0x10, 0x1e, 0x2b; plain and
    /// shifted; then AltGr keys.
    fn tables(self) -> ([&'static str; 4], [&'static str; 4], &'static [(u16, char)]) {
        match self {
            Layout::Us => (
                ["1234567890-=", "qwertyuiop[]", "asdfghjkl;'`", "\\zxcvbnm,./"],
                ["!@#$%^&*()_+", "QWERTYUIOP{}", "ASDFGHJKL:\"~", "|ZXCVBNM<>?"],
                &[],
            ),
            Layout::De => (
                ["1234567890ß´", "qwertzuiopü+", "asdfghjklöä^", "#yxcvbnm,.-"],
                ["!\"§$%&/()=?`", "QWERTZUIOPÜ*", "ASDFGHJKLÖÄ°", "'YXCVBNM;:_"],
                &[(0x10, '@'), (0x12, '€'), (0x08, '{'), (0x09, '['), (0x0a, ']'), (0x0b, '}'), (0x0c, '\\'), (0x1b, '~'), (0x56, '|')],
            ),
        }
    }

    /// The key for a character: scan code and modifier, or `None` if it cannot be typed.
    fn key_for(self, c: char) -> Option<(u16, Option<u16>)> {
        match c {
            ' ' => return Some((0x39, None)),
            '\n' => return Some((0x1c, None)),
            '\t' => return Some((0x0f, None)),
            '<' if self == Layout::De => return Some((0x56, None)),
            '>' if self == Layout::De => return Some((0x56, Some(SHIFT))),
            _ => {}
        }
        let (plain, shifted, alt) = self.tables();
        let starts = [0x02u16, 0x10, 0x1e, 0x2b];
        for (row, start) in starts.iter().enumerate() {
            if let Some(i) = plain[row].chars().position(|x| x == c) {
                return Some((start + i as u16, None));
            }
            if let Some(i) = shifted[row].chars().position(|x| x == c) {
                return Some((start + i as u16, Some(SHIFT)));
            }
        }
        alt.iter().find(|(_, x)| *x == c).map(|(sc, _)| (*sc, Some(ALTGR)))
    }
}

/// A character the chosen layout has no key for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the character {0:?} cannot be typed with this keyboard layout")]
pub struct Untypable(pub char);

/// Key presses for `text` with scan codes for `layout`; fails on the first character
/// the layout cannot type, before anything is sent.
pub fn plan(text: &str, layout: Layout) -> Result<Vec<KeyInput>, Untypable> {
    let mut out = Vec::with_capacity(text.len() * 4);
    for c in text.chars().filter(|&c| c != '\r') {
        let (sc, modifier) = layout.key_for(c).ok_or(Untypable(c))?;
        let keysym = char_keysym(c);
        if let Some(m) = modifier {
            let msym = if m == SHIFT { 0xffe1 } else { 0xfe03 };
            out.push(KeyInput { keysym: msym, scancode: Some(m), down: true });
            out.push(KeyInput { keysym, scancode: Some(sc), down: true });
            out.push(KeyInput { keysym, scancode: Some(sc), down: false });
            out.push(KeyInput { keysym: msym, scancode: Some(m), down: false });
        } else {
            out.push(KeyInput { keysym, scancode: Some(sc), down: true });
            out.push(KeyInput { keysym, scancode: Some(sc), down: false });
        }
    }
    Ok(out)
}

/// Key presses for `text` as keysyms only (servers without scan-code input): any
/// character has one, and the server maps it.
pub fn plan_keysyms(text: &str) -> Vec<KeyInput> {
    text.chars()
        .filter(|&c| c != '\r')
        .flat_map(|c| {
            let keysym = char_keysym(c);
            [KeyInput { keysym, scancode: None, down: true }, KeyInput { keysym, scancode: None, down: false }]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(v: &[KeyInput]) -> Vec<(u16, bool)> {
        v.iter().map(|k| (k.scancode.unwrap(), k.down)).collect()
    }

    #[test]
    fn us_letters_shift_and_enter() {
        let p = plan("aB\n", Layout::Us).unwrap();
        assert_eq!(codes(&p), vec![(0x1e, true), (0x1e, false), (0x2a, true), (0x30, true), (0x30, false), (0x2a, false), (0x1c, true), (0x1c, false)]);
    }

    #[test]
    fn german_layout_swaps_y_and_z_and_has_umlauts_and_altgr() {
        assert_eq!(codes(&plan("z", Layout::De).unwrap())[0], (0x15, true));
        assert_eq!(codes(&plan("y", Layout::De).unwrap())[0], (0x2c, true));
        assert_eq!(codes(&plan("ü", Layout::De).unwrap())[0], (0x1a, true));
        assert_eq!(codes(&plan("@", Layout::De).unwrap())[..2], [(0x138, true), (0x10, true)]);
    }

    #[test]
    fn untypable_characters_are_named_before_anything_is_sent() {
        assert_eq!(plan("ok ✓", Layout::Us), Err(Untypable('✓')));
        assert_eq!(plan("ü", Layout::Us), Err(Untypable('ü')));
        assert_eq!(plan_keysyms("✓").len(), 2);
    }
}
