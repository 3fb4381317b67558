//! The JavaScript API for host pages.
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
/// (for `LoginByToken`). These stay in wasm memory only.
#[wasm_bindgen]
pub fn mount(element: Element, options: JsValue) -> ConsoleApp {
    let get = |k: &str| js_sys::Reflect::get(&options, &JsValue::from_str(k)).ok().and_then(|v| v.as_string()).filter(|s| !s.is_empty());
    let config_url = get("configUrl").unwrap_or_else(|| "www/config.json".into());
    use crate::api::Secret;
    use crate::ui::ops::HandedIn;
    let handed_in = get("cloneTicket")
        .map(|t| HandedIn::CloneTicket(Secret::new(t)))
        .or_else(|| get("sessionId").map(|t| HandedIn::SessionId(Secret::new(t))))
        .or_else(|| get("samlToken").map(|t| HandedIn::SamlToken(Secret::new(t))));
    let props = AppProps { config_url: config_url.into(), handed_in };
    ConsoleApp { handle: Some(yew::Renderer::<App>::with_root_and_props(element, props).render()) }
}

/// `validateConsoleUrl(ticket, requestedFrom, policy)`: checks a `VirtualMachineTicket`
/// (as vCenter returned it) against a console policy, with the browser's URL parser.
///
/// `requestedFrom` is the origin the ticket was requested from, e.g.
/// `"https://vc.example.com"`; `policy` has the shape of `consolePolicy` in config.json.
/// Returns `{ok: true, url, redacted, host, port, insecure, trustUrl, thumbprints}` or
/// `{ok: false, code, reason}`. `url` carries the ticket: hand it to one websocket only.
#[wasm_bindgen(js_name = validateConsoleUrl)]
pub fn validate_console_url(ticket: JsValue, requested_from: &str, policy: JsValue) -> JsValue {
    use crate::ticket::{resolve, ConsolePolicy, RequestedFrom};
    use crate::web::url_parser::BrowserUrlParser;
    let fail = |code: &str, reason: String| {
        let o = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&o, &"ok".into(), &false.into());
        let _ = js_sys::Reflect::set(&o, &"code".into(), &code.into());
        let _ = js_sys::Reflect::set(&o, &"reason".into(), &reason.into());
        o.into()
    };
    let ticket: crate::api::wire::VirtualMachineTicket = match serde_wasm_bindgen::from_value(ticket) {
        Ok(t) => t,
        Err(_) => return fail("bad-input", "The ticket is not a VirtualMachineTicket object.".into()),
    };
    let policy: ConsolePolicy = if policy.is_undefined() || policy.is_null() {
        ConsolePolicy::default()
    } else {
        match serde_wasm_bindgen::from_value(policy) {
            Ok(p) => p,
            Err(e) => return fail("bad-input", format!("The policy is not valid: {e}.")),
        }
    };
    let Some(from) = RequestedFrom::from_origin(requested_from, &BrowserUrlParser) else {
        return fail("bad-input", "requestedFrom is not an origin such as https://vc.example.com.".into());
    };
    match resolve(&ticket, &from, &policy, &BrowserUrlParser) {
        Err(r) => fail(r.code(), r.sentence()),
        Ok(u) => {
            let o = js_sys::Object::new();
            let set = |k: &str, v: JsValue| {
                let _ = js_sys::Reflect::set(&o, &k.into(), &v);
            };
            set("ok", true.into());
            set("url", u.url.expose().into());
            set("redacted", u.redacted.as_str().into());
            set("host", u.host.as_str().into());
            set("port", u.port.into());
            set("insecure", u.insecure.into());
            set("trustUrl", u.trust_url.as_str().into());
            let list = js_sys::Array::new();
            for (alg, tp) in &u.thumbprints {
                let t = js_sys::Object::new();
                let _ = js_sys::Reflect::set(&t, &"algorithm".into(), &alg.as_str().into());
                let _ = js_sys::Reflect::set(&t, &"thumbprint".into(), &tp.as_str().into());
                list.push(&t);
            }
            set("thumbprints", list.into());
            o.into()
        }
    }
}

/// `sessionIsActive(apiBase, callerSessionId, sessionId, userName)`: asks vCenter whether a
/// session is active (`SessionManager.SessionIsActive`), for a host page that wants to
/// check one. The caller's own session needs `Sessions.ValidateSession`. `apiBase` `""`
/// means the page's origin. Resolves to `true`/`false`; rejects with a sentence.
#[wasm_bindgen(js_name = sessionIsActive)]
pub async fn session_is_active(api_base: String, caller_session_id: String, session_id: String, user_name: String) -> Result<bool, JsValue> {
    use crate::api::{Secret, ViClient};
    use crate::web::http::send;
    let fail = |e: crate::api::ApiError| JsValue::from_str(&e.sentence());
    let mut client = ViClient::new(crate::api::client::DEFAULT_RELEASE);
    let resp = send(&api_base, &client.content_request()).await.map_err(fail)?;
    client.parse_content(&resp).map_err(fail)?;
    client.adopt_session(Secret::new(caller_session_id));
    let req = client.session_is_active_request(&Secret::new(session_id), &user_name).map_err(fail)?;
    let resp = send(&api_base, &req).await.map_err(fail)?;
    client.parse_bool(&resp).map_err(fail)
}
