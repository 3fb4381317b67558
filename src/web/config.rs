//! `www/config.json`: where the API is and the console policy.

use serde::Deserialize;

use crate::api::client::DEFAULT_RELEASE;
use crate::api::ApiError;
use crate::console::{ClipboardPolicy, ConsoleOptions};
use crate::ticket::ConsolePolicy;

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AppConfig {
    /// Origin of the VI/JSON API; empty means the page's own origin (a reverse proxy).
    pub api_base: String,
    /// The `/sdk/vim25/{release}` segment to start with.
    pub release: String,
    pub console_policy: ConsolePolicy,
    /// Shown on the login page, e.g. "Lab demo: demo@vsphere.local / demo".
    pub login_hint: Option<String>,
    /// `viJson` (vCenter 8.0U1+) or `rest` (the Automation API, vCenter 7.x).
    pub api_flavor: ApiFlavor,
    /// How LoginByToken carries a SAML token: VI/JSON documents no transport, so both
    /// the header and the value form (`{token}` is replaced) are settings.
    pub token_header: String,
    pub token_template: String,
    /// The guest's keyboard layout for "Type text" with scan codes (`us`, `de-ch`, …);
    /// the person's choice per VM overrides it.
    pub keyboard_layout: String,
    /// Which ways the clipboard may go: `{"toVm": true, "fromVm": true}`.
    pub clipboard: ClipboardPolicy,
    /// Pause between typed key events; ESXi hangs on fast pasted input.
    pub typing_delay_ms: u32,
    /// How long an issued ticket may wait before it is used; older ones are never used.
    pub ticket_lifetime_seconds: u32,
    /// How long each step before the console runs may take (socket, handshake, picture).
    pub step_timeout_seconds: u32,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ApiFlavor {
    #[default]
    ViJson,
    Rest,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            api_base: String::new(),
            release: DEFAULT_RELEASE.into(),
            console_policy: ConsolePolicy::default(),
            login_hint: None,
            api_flavor: ApiFlavor::ViJson,
            token_header: "Authorization".into(),
            token_template: "Bearer {token}".into(),
            keyboard_layout: "us".into(),
            clipboard: ClipboardPolicy::default(),
            typing_delay_ms: 25,
            ticket_lifetime_seconds: 60,
            step_timeout_seconds: 20,
        }
    }
}

impl AppConfig {
    /// The console's options from this config; the ticket is requested from `apiBase`.
    pub fn console_options(&self) -> ConsoleOptions {
        ConsoleOptions {
            policy: self.console_policy.clone(),
            requested_from: self.api_base.clone(),
            keyboard_layout: self.keyboard_layout.clone(),
            clipboard: self.clipboard,
            typing_delay_ms: self.typing_delay_ms,
            ticket_lifetime_seconds: self.ticket_lifetime_seconds,
            step_timeout_seconds: self.step_timeout_seconds,
            ..ConsoleOptions::default()
        }
    }
}

pub async fn load(url: &str) -> Result<AppConfig, String> {
    let resp = gloo_net::http::Request::get(url).send().await.map_err(|e| ApiError::Transport(e.to_string()).sentence())?;
    if !resp.ok() {
        return Err(format!("The configuration file {url} could not be loaded (HTTP {}).", resp.status()));
    }
    let text = resp.text().await.map_err(|e| e.to_string())?;
    serde_json::from_str(&text).map_err(|e| format!("The configuration file {url} is not valid: {e}."))
}
