//! The full app for host pages (feature `app`): `mount` and `sessionIsActive`.
//!
//! ```js
//! import init, { mount } from "./pkg/vsphere_console.js";
//! await init();
//! const app = mount(document.getElementById("console"), { configUrl: "www/config.json" });
//! // later: app.destroy();
//! ```

use wasm_bindgen::prelude::*;
use web_sys::Element;
use yew::AppHandle;

use crate::ui::app::{App, AppProps};

/// A mounted app; `destroy()` unmounts it and closes any console.
#[wasm_bindgen]
pub struct ConsoleApp {
    handle: Option<AppHandle<App>>,
}

#[wasm_bindgen]
impl ConsoleApp {
    pub fn destroy(&mut self) {
        if let Some(h) = self.handle.take() {
            h.destroy();
        }
    }
}

/// Mounts the app into `element`.
///
/// `options.configUrl` names the config file. A host page whose backend already has a
/// vCenter session can skip the login form with one of `options.cloneTicket` (from
/// `AcquireCloneTicket`: the browser gets its own session, no password involved),
/// `options.sessionId` (an existing `vmware-api-session-id`) or `options.samlToken`
/// (for `LoginByToken`), or `options.sspi`, a function that turns each `LoginBySSPI`
/// challenge (null at first) into the next base64 token. These stay in wasm memory only.
#[wasm_bindgen]
pub fn mount(element: Element, options: JsValue) -> ConsoleApp {
    let get = |k: &str| js_sys::Reflect::get(&options, &JsValue::from_str(k)).ok().and_then(|v| v.as_string()).filter(|s| !s.is_empty());
    let config_url = get("configUrl").unwrap_or_else(|| "www/config.json".into());
    use crate::api::Secret;
    use crate::ui::ops::HandedIn;
    use wasm_bindgen::JsCast;
    let sspi = js_sys::Reflect::get(&options, &JsValue::from_str("sspi")).ok().and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let handed_in = get("cloneTicket")
        .map(|t| HandedIn::CloneTicket(Secret::new(t)))
        .or_else(|| get("sessionId").map(|t| HandedIn::SessionId(Secret::new(t))))
        .or_else(|| get("samlToken").map(|t| HandedIn::SamlToken(Secret::new(t))))
        .or_else(|| sspi.map(HandedIn::Sspi));
    let props = AppProps { config_url: config_url.into(), handed_in };
    ConsoleApp { handle: Some(yew::Renderer::<App>::with_root_and_props(element, props).render()) }
}

/// `sessionIsActive(apiBase, callerSessionId, sessionKey, userName)`: asks vCenter
/// whether a session is active (`SessionManager.SessionIsActive`). `sessionKey` is the
/// other session's `UserSession.key`, as its `currentSession` or `sessionList` shows it;
/// never a session token. `callerSessionId` authenticates the call and needs
/// `Sessions.ValidateSession`. `apiBase` `""` means the page's origin. Resolves to
/// `true`/`false`; rejects with a sentence.
#[wasm_bindgen(js_name = sessionIsActive)]
pub async fn session_is_active(
    api_base: String,
    caller_session_id: String,
    session_key: String,
    user_name: String,
) -> Result<bool, JsValue> {
    use crate::api::{Secret, ViClient};
    use crate::web::http::send;
    let fail = |e: crate::api::ApiError| JsValue::from_str(&e.sentence());
    let mut client = ViClient::new(crate::api::client::DEFAULT_RELEASE);
    let resp = send(&api_base, &client.content_request()).await.map_err(fail)?;
    client.parse_content(&resp).map_err(fail)?;
    client.adopt_session(Secret::new(caller_session_id));
    let req = client.session_is_active_request(&Secret::new(session_key), &user_name).map_err(fail)?;
    let resp = send(&api_base, &req).await.map_err(fail)?;
    client.parse_bool(&resp).map_err(fail)
}
