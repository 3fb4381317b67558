//! The `Host` header check: a page on another site cannot reach the lab through DNS
//! rebinding (a name of the attacker's that resolves to 127.0.0.1), because the lab
//! answers only for IP literals, `localhost`, and names given with `--allow-host`.

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Names the lab answers for besides IP literals and `localhost`.
#[derive(Clone, Debug, Default)]
pub struct AllowedHosts(pub Vec<String>);

/// The host part of a `Host` header value: `name`, `1.2.3.4` or `[::1]`, lowercased.
pub fn host_name(value: &str) -> String {
    let v = value.trim().to_ascii_lowercase();
    if let Some(end) = v.strip_prefix('[').and_then(|r| r.find(']')) {
        return v[..end + 2].to_owned();
    }
    v.rsplit_once(':').map(|(h, _)| h.to_owned()).unwrap_or(v)
}

impl AllowedHosts {
    pub fn allows(&self, host_header: &str) -> bool {
        let name = host_name(host_header);
        let bare = name.trim_start_matches('[').trim_end_matches(']');
        // Rebinding needs a name; an IP literal names only itself.
        bare.parse::<std::net::IpAddr>().is_ok() || name == "localhost" || self.0.iter().any(|h| h.eq_ignore_ascii_case(&name))
    }
}

pub async fn check(State(allowed): State<AllowedHosts>, req: Request, next: Next) -> Response {
    let host = req.headers().get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !allowed.allows(host) {
        return (StatusCode::MISDIRECTED_REQUEST, "this lab answers only for IP addresses, localhost and names given with --allow-host")
            .into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_literals_localhost_and_allowed_names_pass() {
        let a = AllowedHosts(vec!["lab.example.test".into()]);
        for ok in ["127.0.0.1:8080", "localhost:1", "[::1]:9", "10.1.2.3", "LAB.example.test:443", "localhost"] {
            assert!(a.allows(ok), "{ok}");
        }
        for bad in ["evil.example.com:8080", "127.0.0.1.nip.io", "", "localhost.evil.com", "lab.example.test.evil"] {
            assert!(!a.allows(bad), "{bad}");
        }
    }
}
