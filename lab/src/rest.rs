//! The vSphere Automation REST subset for vCenter 7.x clients, and release negotiation.
//! Sessions are shared with VI/JSON (a REST token is a session id).

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::config::PRIV_CONSOLE;
use crate::state::{random_hex, Lab, Session};
use crate::wire::{decode_base64, has_privilege, is_json, SESSION_HEADER};

fn error(status: StatusCode, kind: &str, message: &str) -> Response {
    let body =
        json!({"error_type": kind, "messages": [{"args": [], "default_message": message, "id": format!("vapi.{}", kind.to_lowercase())}]});
    (status, [("content-type", "application/json")], body.to_string()).into_response()
}

fn json_ok(status: StatusCode, v: Value) -> Response {
    (status, [("content-type", "application/json")], v.to_string()).into_response()
}

fn session_of(lab: &Lab, headers: &HeaderMap) -> Option<(String, Session)> {
    let id = headers.get(SESSION_HEADER)?.to_str().ok()?.to_owned();
    lab.touch_session(&id).map(|s| (id, s))
}

/// `POST /api/session` with Basic auth: the token, as a JSON string.
pub async fn create_session(State(lab): State<Lab>, headers: HeaderMap) -> Response {
    let creds = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(decode_base64)
        .and_then(|b| String::from_utf8(b).ok());
    let Some((user, password)) = creds.as_deref().and_then(|c| c.split_once(':')) else {
        return error(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", "Authentication required.");
    };
    if !lab.config.users.iter().any(|u| u.name == user && u.password == password) {
        return error(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", "Authentication required.");
    }
    let id = random_hex(20);
    let mut inner = lab.lock();
    if !inner.room_for_session(lab.idle_limit()) {
        return error(StatusCode::SERVICE_UNAVAILABLE, "SERVICE_UNAVAILABLE", "The lab holds as many sessions as it allows.");
    }
    inner.sessions.insert(
        id.clone(),
        Session {
            user: user.to_owned(),
            key: random_hex(8),
            login_time: crate::wire::now_rfc3339(),
            last_active: Instant::now(),
            last_active_at: std::time::SystemTime::now(),
            locale: "en".into(),
        },
    );
    json_ok(StatusCode::CREATED, json!(id))
}

pub async fn delete_session(State(lab): State<Lab>, headers: HeaderMap) -> Response {
    match session_of(&lab, &headers) {
        Some((id, _)) => {
            lab.lock().sessions.remove(&id);
            StatusCode::NO_CONTENT.into_response()
        }
        None => error(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", "Authentication required."),
    }
}

pub async fn list_vms(State(lab): State<Lab>, headers: HeaderMap) -> Response {
    if session_of(&lab, &headers).is_none() {
        return error(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", "Authentication required.");
    }
    let vms: Vec<Value> = lab
        .vms
        .iter()
        .take(4000) // the REST API caps the list at 4,000
        .map(|v| {
            let power = match crate::tasks::power_state(&lab, v).as_str() {
                "poweredOn" => "POWERED_ON",
                "suspended" => "SUSPENDED",
                _ => "POWERED_OFF",
            };
            json!({"vm": v.moid, "name": v.name, "power_state": power, "cpu_count": 2, "memory_size_MiB": 4096})
        })
        .collect();
    json_ok(StatusCode::OK, json!(vms))
}

/// `POST /api/vcenter/vm/{vm}/console/tickets {"type":"WEBMKS"}`.
pub async fn console_ticket(State(lab): State<Lab>, Path(vm): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    if !is_json(&headers) {
        return error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "INVALID_ARGUMENT", "The request body must be application/json.");
    }
    let authority = headers.get(axum::http::header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("127.0.0.1").to_owned();
    let Some((_, session)) = session_of(&lab, &headers) else {
        return error(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", "Authentication required.");
    };
    let spec: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if spec.get("type").and_then(Value::as_str) != Some("WEBMKS") {
        return error(StatusCode::BAD_REQUEST, "INVALID_ARGUMENT", "Only WEBMKS tickets are supported by the lab.");
    }
    let Some(v) = lab.vm(&vm).cloned() else {
        return error(StatusCode::NOT_FOUND, "NOT_FOUND", "The virtual machine does not exist.");
    };
    if !has_privilege(&lab, &session, PRIV_CONSOLE) {
        return error(StatusCode::FORBIDDEN, "UNAUTHORIZED", "The user lacks VirtualMachine.Interact.ConsoleInteract.");
    }
    if crate::tasks::power_state(&lab, &v) != "poweredOn" {
        return error(StatusCode::BAD_REQUEST, "NOT_ALLOWED_IN_CURRENT_STATE", "A WEBMKS ticket needs a powered-on virtual machine.");
    }
    let t = lab.issue_ticket(&v);
    json_ok(StatusCode::CREATED, json!({"ticket": lab.ticket_url(&v, &t, &authority)}))
}

/// `POST /api/vcenter/system?action=hello` (from vSphere API 8.0.2.0).
pub async fn hello(State(lab): State<Lab>, headers: HeaderMap, body: Bytes) -> Response {
    if !body.is_empty() && !is_json(&headers) {
        return error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "INVALID_ARGUMENT", "The request body must be application/json.");
    }
    if version_key(&lab.config.api_version) < version_key("8.0.2.0") {
        return (StatusCode::NOT_FOUND, "").into_response();
    }
    let asked: Vec<String> = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v["api_releases"].as_array().map(|a| a.iter().filter_map(|r| r.as_str().map(str::to_owned)).collect()))
        .unwrap_or_default();
    let best = asked
        .into_iter()
        .filter(|r| version_key(r) <= version_key(&lab.config.api_version))
        .max_by_key(|r| version_key(r))
        .unwrap_or_default();
    json_ok(StatusCode::OK, json!({"api_release": best}))
}

fn version_key(v: &str) -> Vec<u32> {
    v.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}
