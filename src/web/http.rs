//! Sends an [`HttpRequest`] with the browser's fetch (gloo-net).

use gloo_net::http::{Method as GMethod, RequestBuilder};
use wasm_bindgen::JsCast;

use crate::api::http::{HttpRequest, HttpResponse, Method, SESSION_HEADER};
use crate::api::{ApiError, Secret};

/// Fires `req` with `keepalive`, so it survives the page closing (Logout on `pagehide`).
/// `sendBeacon` cannot carry the session header, so this is a keepalive fetch.
pub fn fire_keepalive(base: &str, req: &HttpRequest) {
    let Some(window) = web_sys::window() else { return };
    let Ok(headers) = web_sys::Headers::new() else { return };
    if let Some(s) = &req.session {
        let _ = headers.set(SESSION_HEADER, s.expose());
    }
    let init = web_sys::RequestInit::new();
    init.set_method(req.method.as_str());
    // web-sys has no setter for `keepalive`; it is a plain RequestInit member.
    let _ = js_sys::Reflect::set(&init, &"keepalive".into(), &true.into());
    init.set_headers(&headers);
    let url = format!("{}{}", base.trim_end_matches('/'), req.path);
    // The answer does not matter: the page is going away.
    let _ = window.fetch_with_str_and_init(&url, &init);
}

/// How long a request may take before it is abandoned as a transport error.
pub const TIMEOUT_MS: i32 = 30_000;

/// Sends `req` to `base` (empty: the page's own origin), abandoning it after [`TIMEOUT_MS`].
pub async fn send(base: &str, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let controller = web_sys::AbortController::new().ok();
    let timer = controller.as_ref().and_then(|c| {
        let c = c.clone();
        let cb = wasm_bindgen::closure::Closure::once_into_js(move || c.abort());
        web_sys::window()?.set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), TIMEOUT_MS).ok()
    });
    let result = send_with_signal(base, req, controller.as_ref().map(|c| c.signal())).await;
    if let (Some(id), Some(w)) = (timer, web_sys::window()) {
        w.clear_timeout_with_handle(id);
    }
    match result {
        Err(ApiError::Transport(_)) if controller.as_ref().is_some_and(|c| c.signal().aborted()) => {
            Err(ApiError::Transport(format!("no answer within {} s", TIMEOUT_MS / 1000)))
        }
        other => other,
    }
}

async fn send_with_signal(base: &str, req: &HttpRequest, signal: Option<web_sys::AbortSignal>) -> Result<HttpResponse, ApiError> {
    let url = format!("{}{}", base.trim_end_matches('/'), req.path);
    let mut b = RequestBuilder::new(&url)
        .method(match req.method {
            Method::Get => GMethod::GET,
            Method::Post => GMethod::POST,
            Method::Delete => GMethod::DELETE,
        })
        .header("Accept", "application/json")
        .abort_signal(signal.as_ref());
    if let Some(s) = &req.session {
        b = b.header(SESSION_HEADER, s.expose());
    }
    for (k, v) in &req.headers {
        b = b.header(k, v.expose());
    }
    let request = match &req.body {
        Some(body) => b.header("Content-Type", "application/json").body(body.clone()),
        None => b.build(),
    }
    .map_err(|e| ApiError::Transport(format!("could not build the request: {e}")))?;
    let resp = request.send().await.map_err(|e| ApiError::Transport(e.to_string()))?;
    let headers = resp.headers();
    Ok(HttpResponse {
        status: resp.status(),
        content_type: headers.get("content-type"),
        session: headers.get(SESSION_HEADER).map(Secret::new),
        body: resp.text().await.map_err(|e| ApiError::Transport(e.to_string()))?,
    })
}
