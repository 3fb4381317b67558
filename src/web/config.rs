//! `www/config.json`: where the API is and the console policy.

use serde::Deserialize;

use crate::api::client::DEFAULT_RELEASE;
use crate::api::ApiError;
use crate::console::ConsoleOptions;
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
    /// The console's own options, at the top level of config.json beside these
    /// (`keyboardLayout`, `clipboard`, `typingDelayMs`, …), with the console's defaults;
    /// its `policy` and `requestedFrom` come from `consolePolicy` and `apiBase`.
    #[serde(flatten)]
    pub console: ConsoleOptions,
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
            console: ConsoleOptions::default(),
        }
    }
}

impl AppConfig {
    /// The console's options from this config; the ticket is requested from `apiBase`.
    pub fn console_options(&self) -> ConsoleOptions {
        ConsoleOptions { policy: self.console_policy.clone(), requested_from: self.api_base.clone(), ..self.console.clone() }
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
