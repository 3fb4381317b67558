//! The way out of the console by keyboard (WCAG 2.1.2, No Keyboard Trap): once the
//! screen has the focus every key goes to the VM, Tab included, so a chord of modifiers
//! pressed together and released with no other key between moves the focus out. The
//! default, Ctrl+Alt+Shift, is a chord no guest needs on its own (Guacamole opens its
//! menu with the same); pages may choose another (`leaveKeys`, e.g. `"Ctrl+Shift"`) or
//! none (`""`).

/// The modifiers of a chord, as `KeyboardEvent`'s flags name them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Modifiers {
    pub ctrl: bool,
    pub alt: bool,
    pub shift: bool,
    pub meta: bool,
}

pub const DEFAULT: &str = "Ctrl+Alt+Shift";

impl Modifiers {
    /// `"Ctrl+Alt+Shift"` (any order, any case; `Control`, `Cmd` and `Meta` too). `None`
    /// for an empty chord (no way out by keyboard) or a name that is not a modifier.
    pub fn parse(text: &str) -> Option<Modifiers> {
        let mut m = Modifiers::default();
        for part in text.split('+').map(str::trim).filter(|p| !p.is_empty()) {
            match part.to_ascii_lowercase().as_str() {
                "ctrl" | "control" => m.ctrl = true,
                "alt" | "option" => m.alt = true,
                "shift" => m.shift = true,
                "meta" | "cmd" | "command" | "super" | "win" => m.meta = true,
                _ => return None,
            }
        }
        (m != Modifiers::default()).then_some(m)
    }

    /// As `aria-keyshortcuts` writes it: `Control+Alt+Shift`.
    pub fn aria(self) -> String {
        let names = [(self.ctrl, "Control"), (self.alt, "Alt"), (self.shift, "Shift"), (self.meta, "Meta")];
        names.iter().filter(|(on, _)| *on).map(|(_, n)| *n).collect::<Vec<_>>().join("+")
    }

    /// Whether a `KeyboardEvent.code` is a modifier key.
    fn is_modifier(code: &str) -> bool {
        matches!(
            code,
            "ControlLeft"
                | "ControlRight"
                | "AltLeft"
                | "AltRight"
                | "ShiftLeft"
                | "ShiftRight"
                | "MetaLeft"
                | "MetaRight"
                | "OSLeft"
                | "OSRight"
        )
    }

    /// Every modifier of `self` is held in `now`.
    fn held_in(self, now: Modifiers) -> bool {
        (!self.ctrl || now.ctrl) && (!self.alt || now.alt) && (!self.shift || now.shift) && (!self.meta || now.meta)
    }
}

/// Watches key events for the chord.
#[derive(Debug, Default)]
pub struct LeaveChord {
    /// Every modifier of the chord was held at once.
    armed: bool,
    /// Another key went down meanwhile: a shortcut, not the way out.
    spoiled: bool,
}

impl LeaveChord {
    /// One key event with the modifiers held after it; true when the chord is complete:
    /// its first modifier was released with no other key pressed since it was armed.
    pub fn key(&mut self, chord: Modifiers, code: &str, down: bool, now: Modifiers) -> bool {
        let modifier = Modifiers::is_modifier(code);
        if down {
            if !modifier {
                self.spoiled = true;
            } else if chord.held_in(now) && !self.armed {
                self.armed = true;
                self.spoiled = false;
            }
            return false;
        }
        let leave = modifier && self.armed && !self.spoiled;
        if !chord.held_in(now) {
            self.armed = false;
        }
        if now == Modifiers::default() {
            self.spoiled = false;
        }
        if leave {
            self.armed = false;
        }
        leave
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: Modifiers = Modifiers { ctrl: false, alt: false, shift: false, meta: false };

    fn m(ctrl: bool, alt: bool, shift: bool) -> Modifiers {
        Modifiers { ctrl, alt, shift, meta: false }
    }

    #[test]
    fn the_chord_alone_leaves_a_shortcut_does_not() {
        let chord = Modifiers::parse(DEFAULT).unwrap();
        let mut l = LeaveChord::default();
        assert!(!l.key(chord, "ControlLeft", true, m(true, false, false)));
        assert!(!l.key(chord, "AltLeft", true, m(true, true, false)));
        assert!(!l.key(chord, "ShiftLeft", true, m(true, true, true)));
        assert!(l.key(chord, "ShiftLeft", false, m(true, true, false)), "released with nothing between: out");
        assert!(!l.key(chord, "AltLeft", false, m(true, false, false)), "once");
        assert!(!l.key(chord, "ControlLeft", false, NONE));
        // Ctrl+Alt+Shift+T is a guest's shortcut.
        l.key(chord, "ControlLeft", true, m(true, false, false));
        l.key(chord, "AltLeft", true, m(true, true, false));
        l.key(chord, "ShiftLeft", true, m(true, true, true));
        l.key(chord, "KeyT", true, m(true, true, true));
        l.key(chord, "KeyT", false, m(true, true, true));
        assert!(!l.key(chord, "ShiftLeft", false, m(true, true, false)));
        assert!(!l.key(chord, "AltLeft", false, m(true, false, false)));
        assert!(!l.key(chord, "ControlLeft", false, NONE));
        // Ctrl+Alt alone (AltGr on Windows) is not the chord.
        l.key(chord, "ControlLeft", true, m(true, false, false));
        l.key(chord, "AltRight", true, m(true, true, false));
        assert!(!l.key(chord, "AltRight", false, m(true, false, false)));
    }

    #[test]
    fn chords_parse() {
        assert_eq!(Modifiers::parse("ctrl+shift"), Some(m(true, false, true)));
        assert_eq!(Modifiers::parse(" Control + Alt + Shift "), Some(m(true, true, true)));
        assert_eq!(Modifiers::parse(""), None, "none: no way out by keyboard");
        assert_eq!(Modifiers::parse("Ctrl+Q"), None, "modifiers only");
        assert_eq!(Modifiers::parse(DEFAULT).unwrap().aria(), "Control+Alt+Shift");
    }
}
