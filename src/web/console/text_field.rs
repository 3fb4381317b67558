//! The screen's text field: a hidden textarea beside the canvas for text a canvas cannot
//! receive, because browsers give composed text only to editable elements: input methods
//! (Japanese, Chinese, Korean) and on-screen keyboards, which compose every word. The
//! screen's key listeners are on it too, so keys keep going as keys while it has the
//! focus; what it adds is composed text (`compositionend`, `input` with `insertText`),
//! which `ConsoleCore::plan_composed` turns into keys, sent paced.
//!
//! It always holds a few placeholder characters, so an on-screen keyboard's Backspace has
//! something to delete and fires `input` (`deleteContentBackward`) instead of nothing.

use wasm_bindgen::JsCast;
use web_sys::{HtmlCanvasElement, HtmlElement, HtmlTextAreaElement};

/// What the field holds between inputs.
const PLACEHOLDER: &str = "________";

/// The attribute that marks the field (the way out by keyboard skips it).
pub const MARK: &str = "data-vsc-text-field";

pub struct TextField {
    el: HtmlTextAreaElement,
}

impl TextField {
    /// A field after the canvas in the canvas's container, or `None` where the canvas has
    /// no container (the console then takes keys only).
    pub fn attach(canvas: &HtmlCanvasElement) -> Option<TextField> {
        let container = canvas.parent_element()?;
        let doc = canvas.owner_document()?;
        let el: HtmlTextAreaElement = doc.create_element("textarea").ok()?.dyn_into().ok()?;
        for (k, v) in [
            (MARK, ""),
            ("aria-label", "Text input to the VM (input methods and on-screen keyboards)"),
            ("autocomplete", "off"),
            ("autocapitalize", "off"),
            ("autocorrect", "off"),
            ("spellcheck", "false"),
            ("tabindex", "-1"),
        ] {
            let _ = el.set_attribute(k, v);
        }
        // CSSOM, not a style attribute: a strict CSP refuses those. Out of sight but not
        // `display: none`, which could not take the focus; at the screen's top left, where
        // an input method puts its candidate window.
        let s = el.style();
        for (k, v) in [
            ("position", "absolute"),
            ("left", "0"),
            ("top", "0"),
            ("width", "1px"),
            ("height", "1px"),
            ("opacity", "0"),
            ("border", "0"),
            ("padding", "0"),
            ("margin", "0"),
            ("resize", "none"),
            ("overflow", "hidden"),
            ("pointer-events", "none"),
        ] {
            let _ = s.set_property(k, v);
        }
        let positioned = web_sys::window()
            .and_then(|w| w.get_computed_style(&container).ok().flatten())
            .and_then(|cs| cs.get_property_value("position").ok())
            .is_some_and(|p| p != "static");
        if !positioned {
            if let Some(c) = container.dyn_ref::<HtmlElement>() {
                let _ = c.style().set_property("position", "relative");
            }
        }
        container.append_child(&el).ok()?;
        let field = TextField { el };
        field.reset();
        Some(field)
    }

    pub fn element(&self) -> &HtmlTextAreaElement {
        &self.el
    }

    /// Takes the focus, which opens a touch device's on-screen keyboard.
    pub fn focus(&self) {
        let _ = self.el.focus();
    }

    /// Back to the placeholder, the caret at its end.
    pub fn reset(&self) {
        self.el.set_value(PLACEHOLDER);
        let end = PLACEHOLDER.len() as u32;
        let _ = self.el.set_selection_range(end, end);
    }
}

impl Drop for TextField {
    fn drop(&mut self) {
        self.el.remove();
    }
}
