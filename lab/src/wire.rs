//! VI/JSON and REST on the wire, for every handler: the session header, answers and
//! faults as vCenter shapes them, the JSON-only rule for request bodies, times as
//! `xsd:dateTime`, and base64.

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::state::{Lab, Session};

pub const SESSION_HEADER: &str = "vmware-api-session-id";

/// A VI/JSON fault: HTTP 500 with a `MethodFault` body.
pub fn fault(type_name: &str, message: &str, extra: Value) -> Response {
    let mut body = json!({
        "_typeName": type_name,
        "faultMessage": [{"_typeName": "LocalizableMessage", "key": format!("vim.fault.{type_name}"), "message": message}],
        "faultstring": message,
    });
    if let (Some(b), Value::Object(extra)) = (body.as_object_mut(), extra) {
        b.extend(extra);
    }
    json_response(StatusCode::INTERNAL_SERVER_ERROR, &body)
}

pub fn json_response(status: StatusCode, body: &Value) -> Response {
    (status, [("content-type", "application/json")], body.to_string()).into_response()
}

pub fn ok(body: Value) -> Response {
    json_response(StatusCode::OK, &body)
}

pub fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

pub fn moref(kind: &str, value: &str) -> Value {
    json!({"_typeName": "ManagedObjectReference", "type": kind, "value": value})
}

/// `ManagedObjectNotFound` for `kind`/`moid`.
pub fn object_not_found(kind: &str, moid: &str) -> Response {
    fault(
        "ManagedObjectNotFound",
        "The object has already been deleted or has not been completely created.",
        json!({"obj": moref(kind, moid)}),
    )
}

/// `NotAuthenticated` is a `NoPermission`: it names the object and the privilege.
pub fn not_authenticated(mo_type: &str, moid: &str) -> Response {
    fault("NotAuthenticated", "The session is not authenticated.", json!({"object": moref(mo_type, moid), "privilegeId": "System.View"}))
}

pub fn unsupported_media_type() -> Response {
    let body = json!({"_typeName": "InvalidRequest", "faultstring": "The request body must be application/json."});
    (StatusCode::UNSUPPORTED_MEDIA_TYPE, [("content-type", "application/json")], body.to_string()).into_response()
}

pub fn has_privilege(lab: &Lab, session: &Session, privilege: &str) -> bool {
    lab.config.users.iter().find(|u| u.name == session.user).is_some_and(|u| u.privileges.iter().any(|p| p == privilege))
}

pub fn no_permission(kind: &str, moid: &str, privilege: &str) -> Response {
    fault(
        "NoPermission",
        &format!(
            "Permission to perform this operation was denied. Required privilege '{privilege}' on managed object with id '{kind}-{moid}'."
        ),
        json!({"object": moref(kind, moid), "privilegeId": privilege}),
    )
}

/// The request says its body is JSON (`application/json`, with or without parameters).
pub fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json")))
}

pub fn now_rfc3339() -> String {
    rfc3339(std::time::SystemTime::now())
}

/// A UTC `xsd:dateTime`, as VI/JSON writes times.
pub fn rfc3339(t: std::time::SystemTime) -> String {
    let secs = t.duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Days since 1970-01-01 to (year, month, day), Howard Hinnant's algorithm.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + (m <= 2) as i64, m, d)
}

pub fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let bytes: Vec<u8> = s.bytes().filter(|&c| c != b'=').collect();
    let mut out = Vec::new();
    for chunk in bytes.chunks(4) {
        let v: Vec<u8> = chunk.iter().map(|&c| val(c)).collect::<Option<_>>()?;
        let n = v.iter().enumerate().fold(0u32, |n, (i, &x)| n | (x as u32) << (18 - 6 * i));
        out.extend_from_slice(&n.to_be_bytes()[1..v.len()]);
    }
    Some(out)
}

/// Standard base64 with padding. The lab keeps its own codec rather than the client
/// crate's, so a bug on one side cannot cancel out on the other.
pub fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | (b as u32) << (16 - 8 * i));
        for i in 0..4 {
            out.push(if i <= chunk.len() { T[(n >> (18 - 6 * i) & 63) as usize] as char } else { '=' });
        }
    }
    out
}
