//! The clipboard moves only by a person's act. Text the VM copies is written to the
//! local clipboard only when the person asked for it in the console, with a copy
//! shortcut just before (Ctrl or Cmd with C, Ctrl+Shift+C, Ctrl+Insert), once per
//! shortcut; otherwise it waits, and the page shows that it waits until the person
//! takes it with a copy control. (Text for the VM goes only on an explicit paste; the
//! browser adapter holds that rule, as only it sees the paste.) A hostile guest can
//! neither read what the person copied for another program nor keep replacing it.

/// How long after a copy shortcut the VM's text counts as the answer to it.
pub const COPY_WINDOW_MS: f64 = 3000.0;

/// Whether text from the VM may go to the local clipboard now.
#[derive(Debug, Default)]
pub struct CopyConsent {
    /// A copy shortcut opened the window until then.
    until_ms: Option<f64>,
}

/// Is this key, with these modifiers held, a copy shortcut?
pub fn is_copy_shortcut(code: &str, ctrl_or_meta: bool) -> bool {
    ctrl_or_meta && matches!(code, "KeyC" | "Insert")
}

impl CopyConsent {
    /// A key went down in the console.
    pub fn key_down(&mut self, code: &str, ctrl_or_meta: bool, now_ms: f64) {
        if is_copy_shortcut(code, ctrl_or_meta) {
            self.until_ms = Some(now_ms + COPY_WINDOW_MS);
        }
    }

    /// Text came from the VM: true when it answers a copy shortcut, which it then uses up.
    pub fn text_arrived(&mut self, now_ms: f64) -> bool {
        self.until_ms.take().is_some_and(|until| now_ms <= until)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_recent_copy_shortcut_lets_one_text_through() {
        let mut c = CopyConsent::default();
        assert!(!c.text_arrived(0.0), "no shortcut, no write");
        c.key_down("KeyC", false, 0.0);
        assert!(!c.text_arrived(10.0), "C alone is typing");
        c.key_down("KeyC", true, 100.0);
        assert!(c.text_arrived(200.0));
        assert!(!c.text_arrived(300.0), "one text per shortcut");
        c.key_down("Insert", true, 1000.0);
        assert!(!c.text_arrived(1000.0 + COPY_WINDOW_MS + 1.0), "too late");
    }
}
