//! `validateConsoleUrl`: the URL policy for host pages that open sockets themselves.

use wasm_bindgen::prelude::*;

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
    let ticket: crate::api::wire::VirtualMachineTicket = match super::plain::from_js(&ticket) {
        Ok(t) => t,
        Err(_) => return fail("bad-input", "The ticket is not a VirtualMachineTicket object.".into()),
    };
    let policy: ConsolePolicy = if policy.is_undefined() || policy.is_null() {
        ConsolePolicy::default()
    } else {
        match super::plain::from_js(&policy) {
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
