//! "Type text": a string as key presses, each with its keysym and, for the chosen
//! guest layout, the scan code with Shift or AltGr around it. The engine sends scan
//! codes where the server takes them (so the guest's layout must match the one chosen
//! here) and keysyms elsewhere.

use crate::rfb::KeyInput;

use super::keysym::char_keysym;
use super::layouts::{DEAD, KEYS, LAYOUTS, SCANCODES};

const SHIFT: u16 = 0x2a;
const ALTGR: u16 = 0x138;
const SHIFT_SYM: u32 = 0xffe1;
const ALTGR_SYM: u32 = 0xfe03;
/// Dead key `n` is U+E000 + n in the generated tables.
const DEAD_BASE: u32 = 0xe000;

/// A guest keyboard layout from the generated tables (`input::layouts`, from xkb-data).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Layout(usize);

/// One key press: the scan code, the level (0 plain, 1 Shift, 2 AltGr, 3 Shift+AltGr)
/// and the keysym it types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stroke {
    scancode: u16,
    level: usize,
    keysym: u32,
}

impl Layout {
    /// A layout by our name (`de-ch`) or xkb's (`ch`), any case; `None` when unknown.
    pub fn from_name(name: &str) -> Option<Layout> {
        let name = name.trim().to_ascii_lowercase();
        let name = match name.as_str() {
            "gb" | "en-gb" => "uk",
            "en-us" | "en" => "us",
            "german" | "de-de" => "de",
            other => other,
        };
        LAYOUTS.iter().position(|(ours, xkb, _)| *ours == name || *xkb == name).map(Layout)
    }

    /// Every layout: (name, label), in menu order.
    pub fn all() -> impl Iterator<Item = (&'static str, &'static str)> {
        LAYOUTS.iter().map(|(ours, _, label)| (*ours, *label))
    }

    pub fn name(self) -> &'static str {
        LAYOUTS[self.0].0
    }

    /// (key index, level) of every character this layout types directly.
    fn keys(self) -> impl Iterator<Item = (usize, usize, char)> {
        KEYS[self.0].chars().enumerate().filter(|(_, c)| *c != '\0').map(|(i, c)| (i / 4, i % 4, c))
    }

    /// The one key that types `c`, at its lowest level.
    fn direct(self, c: char) -> Option<Stroke> {
        self.keys().find(|(_, _, x)| *x == c).map(|(k, level, _)| Stroke { scancode: SCANCODES[k], level, keysym: char_keysym(c) })
    }

    /// The key presses for `c`: its own key, or a dead key then a base that compose to it.
    fn strokes(self, c: char) -> Option<Vec<Stroke>> {
        match c {
            '\n' => return Some(vec![Stroke { scancode: 0x1c, level: 0, keysym: 0xff0d }]),
            '\t' => return Some(vec![Stroke { scancode: 0x0f, level: 0, keysym: 0xff09 }]),
            _ => {}
        }
        if let Some(s) = self.direct(c) {
            return Some(vec![s]);
        }
        for (k, level, d) in self.keys() {
            let n = (d as u32).wrapping_sub(DEAD_BASE) as usize;
            let Some((dead_sym, pairs)) = DEAD.get(n).filter(|_| (d as u32) >= DEAD_BASE) else { continue };
            let pairs: Vec<char> = pairs.chars().collect();
            let Some(base) = pairs.chunks(2).find(|p| p.len() == 2 && p[1] == c).map(|p| p[0]) else { continue };
            if let Some(second) = self.direct(base) {
                return Some(vec![Stroke { scancode: SCANCODES[k], level, keysym: *dead_sym }, second]);
            }
        }
        None
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
        push_strokes(&mut out, &layout.strokes(c).ok_or(Untypable(c))?);
    }
    Ok(out)
}

/// Key presses for `text`: scan codes for `layout` where it has the character, its
/// keysym alone (no scan code) where it does not. For servers that take both, such as
/// QEMU's extended key events beside plain RFB key events (an X server maps a Unicode
/// keysym to a key of its own).
pub fn plan_mixed(text: &str, layout: Layout) -> Vec<KeyInput> {
    let mut out = Vec::with_capacity(text.len() * 4);
    for c in text.chars().filter(|&c| c != '\r') {
        match layout.strokes(c) {
            Some(strokes) => push_strokes(&mut out, &strokes),
            None => out.extend(keysym_press(c)),
        }
    }
    out
}

/// One character's strokes, each with Shift or AltGr around it as its level needs.
fn push_strokes(out: &mut Vec<KeyInput>, strokes: &[Stroke]) {
    for s in strokes {
        let modifiers: &[(u32, u16)] = match s.level {
            0 => &[],
            1 => &[(SHIFT_SYM, SHIFT)],
            2 => &[(ALTGR_SYM, ALTGR)],
            _ => &[(ALTGR_SYM, ALTGR), (SHIFT_SYM, SHIFT)],
        };
        for &(keysym, sc) in modifiers {
            out.push(KeyInput { keysym, scancode: Some(sc), down: true });
        }
        out.push(KeyInput { keysym: s.keysym, scancode: Some(s.scancode), down: true });
        out.push(KeyInput { keysym: s.keysym, scancode: Some(s.scancode), down: false });
        for &(keysym, sc) in modifiers.iter().rev() {
            out.push(KeyInput { keysym, scancode: Some(sc), down: false });
        }
    }
}

/// Key presses for `text` as keysyms only (servers without scan-code input): any
/// character has one, and the server maps it.
pub fn plan_keysyms(text: &str) -> Vec<KeyInput> {
    text.chars().filter(|&c| c != '\r').flat_map(keysym_press).collect()
}

/// One character pressed and released by its keysym alone, no scan code.
pub fn keysym_press(c: char) -> [KeyInput; 2] {
    let keysym = char_keysym(c);
    [KeyInput { keysym, scancode: None, down: true }, KeyInput { keysym, scancode: None, down: false }]
}

/// The keys a paced typing job has pressed and not yet released, so that a job stopped
/// half-way (cancelled, or replaced by a newer one) lets go of Shift or AltGr instead of
/// leaving them held in the guest.
#[derive(Debug, Default)]
pub struct HeldKeys(Vec<KeyInput>);

impl HeldKeys {
    /// One key as it was sent.
    pub fn sent(&mut self, k: KeyInput) {
        if k.down {
            self.0.push(k);
        } else if let Some(i) = self.0.iter().rposition(|h| h.keysym == k.keysym && h.scancode == k.scancode) {
            self.0.remove(i);
        }
    }

    /// The releases for every key still held, last pressed first; nothing is held after.
    pub fn release_all(&mut self) -> Vec<KeyInput> {
        self.0.drain(..).rev().map(|k| KeyInput { down: false, ..k }).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_stopped_half_way_releases_its_modifiers() {
        let plan = plan("A", Layout::from_name("us").unwrap()).unwrap();
        assert_eq!(plan.len(), 4, "Shift down, A down, A up, Shift up");
        let mut held = HeldKeys::default();
        held.sent(plan[0]);
        held.sent(plan[1]);
        let ups = held.release_all();
        assert_eq!(ups, [KeyInput { down: false, ..plan[1] }, KeyInput { down: false, ..plan[0] }]);
        assert!(held.release_all().is_empty());
        for k in &plan {
            held.sent(*k);
        }
        assert!(held.release_all().is_empty(), "a whole plan holds nothing");
    }

    fn us() -> Layout {
        Layout::from_name("us").unwrap()
    }

    fn codes(v: &[KeyInput]) -> Vec<(u16, bool)> {
        v.iter().map(|k| (k.scancode.unwrap(), k.down)).collect()
    }

    #[test]
    fn us_letters_shift_and_enter() {
        let p = plan("aB\n", us()).unwrap();
        assert_eq!(
            codes(&p),
            vec![(0x1e, true), (0x1e, false), (0x2a, true), (0x30, true), (0x30, false), (0x2a, false), (0x1c, true), (0x1c, false)]
        );
    }

    #[test]
    fn german_layout_swaps_y_and_z_and_has_umlauts_and_altgr() {
        let de = Layout::from_name("de").unwrap();
        assert_eq!(codes(&plan("z", de).unwrap())[0], (0x15, true));
        assert_eq!(codes(&plan("y", de).unwrap())[0], (0x2c, true));
        assert_eq!(codes(&plan("ü", de).unwrap())[0], (0x1a, true));
        assert_eq!(codes(&plan("@", de).unwrap())[..2], [(0x138, true), (0x10, true)]);
    }

    #[test]
    fn dead_keys_compose_accents_the_layout_has_no_key_for() {
        // French: ê is dead circumflex (the key right of P) then e.
        let fr = Layout::from_name("fr").unwrap();
        let p = plan("ê", fr).unwrap();
        assert_eq!(codes(&p), vec![(0x1a, true), (0x1a, false), (0x12, true), (0x12, false)]);
        assert_eq!(p[0].keysym, 0xfe52, "the dead key's own keysym");
        // German: ^ itself is dead circumflex then space.
        let de = Layout::from_name("de").unwrap();
        assert_eq!(codes(&plan("^", de).unwrap()), vec![(0x29, true), (0x29, false), (0x39, true), (0x39, false)]);
        // Swiss German: é is on its own key, no dead key needed.
        assert_eq!(codes(&plan("é", Layout::from_name("de-ch").unwrap()).unwrap()).len(), 4, "Shift + key");
    }

    #[test]
    fn every_layout_has_a_name_a_label_and_types_its_digits() {
        let names: Vec<_> = Layout::all().map(|(n, _)| n).collect();
        for n in [
            "us", "uk", "de", "de-ch", "fr", "fr-ch", "be", "es", "it", "pt", "pt-br", "nl", "se", "no", "dk", "fi", "pl", "cz", "hu",
            "tr", "ru", "jp",
        ] {
            assert!(names.contains(&n), "{n}");
            let l = Layout::from_name(n).unwrap();
            assert_eq!(l.name(), n);
            assert!(plan("1 2\n", l).is_ok(), "{n} types digits, space and Enter");
        }
        assert_eq!(Layout::from_name("gb"), Layout::from_name("uk"));
        assert_eq!(Layout::from_name("klingon"), None);
        // Russian types Cyrillic, not Latin: its first group has no Latin letters.
        let ru = Layout::from_name("ru").unwrap();
        assert!(plan("привет", ru).is_ok());
        assert_eq!(plan("a", ru), Err(Untypable('a')));
        // Shift+AltGr is AltGr, then Shift, released in reverse.
        let pl = Layout::from_name("pl").unwrap();
        let p = plan("Ą", pl).unwrap();
        assert_eq!(codes(&p), vec![(0x138, true), (0x2a, true), (0x1e, true), (0x1e, false), (0x2a, false), (0x138, false)]);
    }

    #[test]
    fn untypable_characters_are_named_before_anything_is_sent() {
        assert_eq!(plan("ok ✓", us()), Err(Untypable('✓')));
        assert_eq!(plan("ü", us()), Err(Untypable('ü')));
        assert_eq!(plan_keysyms("✓").len(), 2);
    }

    #[test]
    fn mixed_plans_take_the_layout_where_it_can_and_the_keysym_elsewhere() {
        let p = plan_mixed("a日", us());
        assert_eq!(p[..2], plan("a", us()).unwrap()[..]);
        assert_eq!(
            p[2..],
            [KeyInput { keysym: 0x0100_65e5, scancode: None, down: true }, KeyInput { keysym: 0x0100_65e5, scancode: None, down: false }]
        );
    }
}
