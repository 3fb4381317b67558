//! Transport-neutral HTTP request and response values.

use std::fmt;

use crate::secret::Secret;

/// The header that carries the session id, in both directions.
pub const SESSION_HEADER: &str = "vmware-api-session-id";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        }
    }
}

/// A request for the transport to send. The body may hold a password, so `Debug`
/// shows only its length; `session` is a [`Secret`].
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: Method,
    /// Path and query, relative to the configured API origin (e.g. `/sdk/vim25/8.0.1.0/...`).
    pub path: String,
    /// Sent as `vmware-api-session-id` when present.
    pub session: Option<Secret>,
    /// Extra headers, e.g. `Authorization` for the Automation API.
    pub headers: Vec<(String, Secret)>,
    /// A JSON document, sent with `Content-Type: application/json`.
    pub body: Option<String>,
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("session", &self.session)
            .field("headers", &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>())
            .field("body_len", &self.body.as_ref().map(String::len))
            .finish()
    }
}

/// What the transport got back. `session` is the `vmware-api-session-id` response header.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub content_type: Option<String>,
    pub session: Option<Secret>,
    pub body: String,
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("content_type", &self.content_type)
            .field("session", &self.session)
            .field("body_len", &self.body.len())
            .finish()
    }
}

impl HttpResponse {
    pub fn is_json(&self) -> bool {
        self.content_type.as_deref().map(|c| c.to_ascii_lowercase().starts_with("application/json")).unwrap_or(false)
    }
}
