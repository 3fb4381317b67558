//! The browser's own WHATWG URL parser behind the policy's [`UrlParser`] interface,
//! so the policy checks exactly what the websocket will open.

use crate::ticket::{UrlParser, UrlParts};

#[derive(Clone, Copy, Debug, Default)]
pub struct BrowserUrlParser;

impl UrlParser for BrowserUrlParser {
    fn parse(&self, input: &str) -> Option<UrlParts> {
        let u = web_sys::Url::new(input).ok()?;
        let strip = |s: String, c: char| s.strip_prefix(c).map(str::to_owned).unwrap_or(s);
        let search = u.search();
        let hash = u.hash();
        // `search`/`hash` are "" both for "no ?" and for a bare "?": look at the href too.
        let href = u.href();
        let before_hash = href.split('#').next().unwrap_or("");
        let port = u.port();
        Some(UrlParts {
            scheme: u.protocol().trim_end_matches(':').to_owned(),
            username: u.username(),
            password: u.password(),
            host: u.hostname(),
            port: if port.is_empty() { None } else { port.parse().ok() },
            path: u.pathname(),
            query: if search.is_empty() && !before_hash.contains('?') { None } else { Some(strip(search, '?')) },
            fragment: if hash.is_empty() && !href.contains('#') { None } else { Some(strip(hash, '#')) },
            href,
        })
    }
}
