//! What a host page or the app's config chooses for one console.

use serde::{Deserialize, Serialize};

use crate::input::text::Layout;
use crate::ticket::ConsolePolicy;
use crate::ticket::DEFAULT_LIFETIME_MS;

/// How the desktop fits its container.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Scale {
    /// Scaled to the container, aspect kept.
    #[default]
    Fit,
    /// One framebuffer pixel per device pixel, with scrolling.
    Actual,
    /// Ask the guest to take the container's size (VMware RequestResolution).
    Remote,
}

impl Scale {
    pub fn as_str(self) -> &'static str {
        match self {
            Scale::Fit => "fit",
            Scale::Actual => "actual",
            Scale::Remote => "remote",
        }
    }

    /// `fit`, `actual` or `remote`; anything else is `None`.
    pub fn from_name(name: &str) -> Option<Scale> {
        match name {
            "fit" => Some(Scale::Fit),
            "actual" => Some(Scale::Actual),
            "remote" => Some(Scale::Remote),
            _ => None,
        }
    }
}

/// Which ways clipboard text may go (`{"toVm": true, "fromVm": true}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ClipboardPolicy {
    /// Text the person pastes or copies locally may reach the VM.
    pub to_vm: bool,
    /// Text copied in the VM may reach the page (and the local clipboard).
    pub from_vm: bool,
}

impl Default for ClipboardPolicy {
    fn default() -> Self {
        ClipboardPolicy { to_vm: true, from_vm: true }
    }
}

/// Options of one console, in the JavaScript API's spelling (camelCase).
/// One set of options with one set of defaults: the JavaScript API takes them as they
/// are (`CORE_OPTIONS` in `js/index.js`), and the app's `config.json` carries them beside
/// its own fields (`tests/js_contract.rs` holds the three together).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConsoleOptions {
    /// The URL policy every ticket must pass (`consolePolicy` in config.json).
    pub policy: ConsolePolicy,
    /// The origin the ticket was requested from (the API's), for the API reference's rule on an
    /// omitted host or port. Empty: the page's own origin.
    pub requested_from: String,
    pub scale: Scale,
    pub view_only: bool,
    /// The guest's layout for typed text sent as scan codes (`input::text::Layout::all`).
    pub keyboard_layout: String,
    /// Which ways the clipboard may go; some sites forbid one or both.
    pub clipboard: ClipboardPolicy,
    /// Pause between typed key events; ESXi hangs on fast pasted input.
    pub typing_delay_ms: u32,
    /// Reconnect by itself (with a fresh ticket) after the network drops.
    pub reconnect: bool,
    /// An issued ticket older than this is never used.
    pub ticket_lifetime_seconds: u32,
    /// Seconds allowed for each step before the console runs (socket open, handshake).
    pub step_timeout_seconds: u32,
    /// The chord of modifiers that moves the focus out of the screen (`input::leave`);
    /// empty: none.
    pub leave_keys: String,
    /// Composed text (input methods, on-screen keyboards) goes as the characters
    /// themselves where a WebMKS server takes that (VMware KeyEvent2), not as key presses
    /// on the guest's layout. `createWMKS` maps `useUnicodeKeyboardInput` here.
    pub unicode_keys: bool,
}

impl Default for ConsoleOptions {
    fn default() -> Self {
        ConsoleOptions {
            policy: ConsolePolicy::default(),
            requested_from: String::new(),
            scale: Scale::Fit,
            view_only: false,
            keyboard_layout: "us".into(),
            clipboard: ClipboardPolicy::default(),
            typing_delay_ms: 25,
            reconnect: true,
            ticket_lifetime_seconds: 60,
            step_timeout_seconds: 20,
            leave_keys: crate::input::leave::DEFAULT.into(),
            unicode_keys: true,
        }
    }
}

impl ConsoleOptions {
    pub fn lifetime_ms(&self) -> f64 {
        if self.ticket_lifetime_seconds > 0 {
            self.ticket_lifetime_seconds as f64 * 1000.0
        } else {
            DEFAULT_LIFETIME_MS
        }
    }

    pub fn layout(&self) -> Layout {
        Layout::from_name(&self.keyboard_layout).unwrap_or_default()
    }
}
