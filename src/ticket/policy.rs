//! The console URL policy: nothing connects until its URL has passed here.
//!
//! The URL is rebuilt from the ticket's fields with the API reference's rule
//! (`vim.HostServiceTicket`: an omitted host means the host we asked, an omitted port
//! the port we asked). A `url` field, when present, must agree with the rebuilt URL
//! unless the policy says which one wins. The chosen URL must then be `wss` (or `ws`
//! when insecure consoles are allowed), carry no userinfo, query or fragment, name an
//! allowed host and port, and have the path `/ticket/<ticket>` exactly.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::api::client::encode_segment;
use crate::api::wire::VirtualMachineTicket;
use crate::secret::Secret;

use super::url_parts::{UrlParser, UrlParts};

/// Longest ticket we accept; real ones are well under 100 characters.
pub const MAX_TICKET_LEN: usize = 256;
/// Shortest ticket we accept. Real ones are 32+ random characters; shorter ones could
/// collide with the rest of the URL, which redaction relies on not happening.
pub const MIN_TICKET_LEN: usize = 8;

/// Which URL wins when the ticket's `url` disagrees with its host/port fields.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum OnMismatch {
    /// Refuse to connect (the default).
    #[default]
    Reject,
    /// Use the `url` field (it must still pass every rule).
    PreferUrl,
    /// Use the URL rebuilt from host and port.
    PreferFields,
}

/// The policy, as written in `config.json` under `consolePolicy`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConsolePolicy {
    /// Allow `ws://` consoles. Only for the lab demo; the page shows a warning.
    pub allow_insecure: bool,
    /// Exact names, `*.suffix` wildcards, IP literals and CIDR ranges; `*` alone allows any
    /// host (a well-formed one: the URL's other checks still apply).
    pub allowed_hosts: Vec<String>,
    /// Allowed ports; ESXi serves webmks on 443.
    pub allowed_ports: Vec<u16>,
    /// Any port (what VMware's SDK accepts; `createWMKS`'s default).
    pub any_port: bool,
    /// Also allow the host and port the ticket was requested from (the API reference's default target).
    pub allow_request_origin: bool,
    pub on_mismatch: OnMismatch,
    /// Optional same-origin proxy, e.g. `wss://portal.example/console/{host}/{port}/ticket/{ticket}`,
    /// applied after validation.
    pub proxy_template: Option<String>,
}

impl Default for ConsolePolicy {
    fn default() -> Self {
        ConsolePolicy {
            allow_insecure: false,
            allowed_hosts: Vec::new(),
            allowed_ports: vec![443],
            any_port: false,
            allow_request_origin: false,
            on_mismatch: OnMismatch::Reject,
            proxy_template: None,
        }
    }
}

/// Where the ticket was requested from: the origin of the VI/JSON API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestedFrom {
    /// `https` or `http`.
    pub scheme: String,
    pub host: String,
    pub port: u16,
}

impl RequestedFrom {
    /// From an origin such as `https://vc.example:443`.
    pub fn from_origin(origin: &str, parser: &dyn UrlParser) -> Option<Self> {
        let p = parser.parse(origin)?;
        let port = p.port.or_else(|| default_port(&p.scheme))?;
        Some(RequestedFrom { scheme: p.scheme, host: p.host, port })
    }
}

/// Why a console URL was refused. Each has a sentence for the person.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum Rejection {
    #[error("ticket is shorter than 8, longer than 256, or has characters outside [A-Za-z0-9._-]")]
    BadTicket,
    #[error("port {0} is not a valid port")]
    BadPort(i64),
    #[error("the url has whitespace, control characters or backslashes")]
    UnsafeCharacters,
    #[error("the url could not be parsed")]
    Unparsable,
    #[error("scheme {0} is not allowed")]
    Scheme(String),
    #[error("insecure ws consoles are not allowed")]
    Insecure,
    #[error("the url carries a user name or password")]
    UserInfo,
    #[error("the url carries a query or fragment")]
    QueryOrFragment,
    #[error("host {0} is not in the allow-list")]
    Host(String),
    #[error("port {0} is not allowed")]
    Port(u16),
    #[error("the path is not /ticket/<ticket>")]
    Path,
    #[error("the url field does not match the ticket's host and port")]
    Mismatch,
    #[error("the proxy template is not valid")]
    ProxyTemplate,
    #[error("the host or port is written in an unusual form")]
    OddForm,
    #[error("the ticket's host is present but empty")]
    EmptyHost,
    #[error("host {0} is neither a DNS name nor an IP address")]
    HostCharacters(String),
}

impl Rejection {
    /// Every code [`Self::code`] gives.
    pub const CODES: [&'static str; 16] = [
        "bad-ticket",
        "bad-port",
        "unsafe-characters",
        "unparsable",
        "scheme",
        "insecure",
        "userinfo",
        "query-or-fragment",
        "host",
        "port",
        "path",
        "mismatch",
        "proxy-template",
        "odd-form",
        "bad-host",
        "host-characters",
    ];

    /// A short machine-readable code for the JS API.
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::BadTicket => "bad-ticket",
            Rejection::BadPort(_) => "bad-port",
            Rejection::UnsafeCharacters => "unsafe-characters",
            Rejection::Unparsable => "unparsable",
            Rejection::Scheme(_) => "scheme",
            Rejection::Insecure => "insecure",
            Rejection::UserInfo => "userinfo",
            Rejection::QueryOrFragment => "query-or-fragment",
            Rejection::Host(_) => "host",
            Rejection::Port(_) => "port",
            Rejection::Path => "path",
            Rejection::Mismatch => "mismatch",
            Rejection::ProxyTemplate => "proxy-template",
            Rejection::OddForm => "odd-form",
            Rejection::EmptyHost => "bad-host",
            Rejection::HostCharacters(_) => "host-characters",
        }
    }

    pub fn sentence(&self) -> String {
        let what = match self {
            Rejection::BadTicket => "the ticket has an unexpected form".to_owned(),
            Rejection::BadPort(p) => format!("the ticket names port {p}, which is not a port"),
            Rejection::UnsafeCharacters => "its address contains spaces, control characters or backslashes".into(),
            Rejection::Unparsable => "its address is not a valid URL".into(),
            Rejection::Scheme(s) => format!("its address uses \"{s}:\" instead of a secure websocket (wss:)"),
            Rejection::Insecure => "it is an unencrypted websocket (ws:), which this site does not allow".into(),
            Rejection::UserInfo => "its address carries a user name or password".into(),
            Rejection::QueryOrFragment => "its address carries a query or fragment".into(),
            Rejection::Host(h) => format!("the host {h} is not on this site's list of allowed console hosts"),
            Rejection::Port(p) => format!("port {p} is not an allowed console port"),
            Rejection::Path => "its address does not have the form /ticket/<ticket>".into(),
            Rejection::Mismatch => "its url field points somewhere other than its host and port fields".into(),
            Rejection::ProxyTemplate => "the console proxy setting is not valid".into(),
            Rejection::OddForm => "its host or port is written in an unusual form (encoded, padded or abbreviated)".into(),
            Rejection::EmptyHost => "the ticket names an empty host".into(),
            Rejection::HostCharacters(h) => format!("its host {h} is neither a DNS name nor an IP address"),
        };
        format!("The console was not opened because {what}. Ask your administrator to check the console policy.")
    }
}

/// A URL that passed the policy, ready for exactly one websocket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsoleUrl {
    /// The URL to open; it holds the ticket.
    pub url: Secret,
    /// The same URL with the ticket replaced, for display.
    pub redacted: String,
    /// The ESXi host and port the ticket is for (before any proxy rewrite).
    pub host: String,
    pub port: u16,
    /// `ws:` rather than `wss:`: the page must show a warning.
    pub insecure: bool,
    /// `https://host:port/`, to open in a tab and trust the host's certificate.
    pub trust_url: String,
    /// SHA-1 `sslThumbprint` and the `certThumbprintList` entries, for comparison by a person.
    pub thumbprints: Vec<(String, String)>,
}

/// Checks a ticket against the policy and returns the URL to open, or why not.
pub fn resolve(
    ticket: &VirtualMachineTicket,
    from: &RequestedFrom,
    policy: &ConsolePolicy,
    parser: &dyn UrlParser,
) -> Result<ConsoleUrl, Rejection> {
    let secret = ticket.ticket.expose();
    if !is_ticket_shaped(secret) {
        return Err(Rejection::BadTicket);
    }

    // The API reference's rule: omitted host means the host we asked, omitted port the port we asked.
    // A present but empty host is malformed, not omitted.
    let host = match ticket.host.as_deref() {
        Some("") => return Err(Rejection::EmptyHost),
        Some(h) => h.to_owned(),
        None => from.host.clone(),
    };
    let port = match ticket.port {
        Some(p) if (1..=65535).contains(&p) => p as u16,
        Some(p) => return Err(Rejection::BadPort(p)),
        None => from.port,
    };
    let ws_scheme = if from.scheme == "http" { "ws" } else { "wss" };
    let host_in_url = if host.contains(':') && !host.starts_with('[') { format!("[{host}]") } else { host.clone() };
    let rebuilt = format!("{ws_scheme}://{host_in_url}:{port}/ticket/{secret}");

    let chosen = match ticket.url.as_ref().map(|u| u.expose()) {
        None => rebuilt.clone(),
        Some(url) => {
            let agree = same_target(url, &rebuilt, parser);
            match (agree, policy.on_mismatch) {
                (true, _) => url.to_owned(),
                (false, OnMismatch::Reject) => {
                    // Still explain a plainly bad url before calling it a mismatch.
                    check_url(url, secret, from, policy, parser)?;
                    return Err(Rejection::Mismatch);
                }
                (false, OnMismatch::PreferUrl) => url.to_owned(),
                (false, OnMismatch::PreferFields) => rebuilt.clone(),
            }
        }
    };

    let parts = check_url(&chosen, secret, from, policy, parser)?;
    let target_port = parts.port.or_else(|| default_port(&parts.scheme)).unwrap_or(port);
    let target_host = parts.host.clone();

    let final_parts = match &policy.proxy_template {
        None => parts,
        Some(t) => proxy_url(t, &target_host, target_port, secret, policy, parser)?,
    };
    // Whatever is finally opened decides the warning.
    let insecure = final_parts.scheme == "ws";
    let final_url = final_parts.href;

    let mut thumbprints = Vec::new();
    if let Some(t) = &ticket.ssl_thumbprint {
        thumbprints.push(("SHA-1".to_owned(), t.clone()));
    }
    for t in &ticket.cert_thumbprint_list {
        let alg = t.hash_algorithm.clone().unwrap_or_else(|| "sha256".into()).to_ascii_uppercase().replace("SHA", "SHA-");
        thumbprints.push((alg, t.thumbprint.clone()));
    }

    Ok(ConsoleUrl {
        redacted: redact(&final_url, secret),
        url: Secret::new(final_url),
        trust_url: format!("https://{target_host}:{target_port}/"),
        host: target_host,
        port: target_port,
        insecure,
        thumbprints,
    })
}

/// The proxy rewrite. Each value is percent-encoded for a path segment, and the result
/// is parsed and checked again: the scheme, no userinfo, no query or fragment unless the
/// template has them, and written exactly as the parser writes it (so no value can add
/// a segment, a query or another host).
fn proxy_url(
    template: &str,
    host: &str,
    port: u16,
    ticket: &str,
    policy: &ConsolePolicy,
    parser: &dyn UrlParser,
) -> Result<UrlParts, Rejection> {
    let bare_host = host.trim_start_matches('[').trim_end_matches(']');
    let u = template
        .replace("{host}", &encode_segment(bare_host))
        .replace("{port}", &port.to_string())
        .replace("{ticket}", &encode_segment(ticket));
    let p = parser.parse(&u).ok_or(Rejection::ProxyTemplate)?;
    let scheme_ok = p.scheme == "wss" || (p.scheme == "ws" && policy.allow_insecure);
    let userinfo = !p.username.is_empty() || !p.password.is_empty();
    let query = p.query.is_some() && !template.contains('?');
    let fragment = p.fragment.is_some() && !template.contains('#');
    if !scheme_ok || userinfo || query || fragment || p.href != u || !p.path.contains(ticket) {
        return Err(Rejection::ProxyTemplate);
    }
    Ok(p)
}

/// A host a console may have: an IP literal, or a DNS name of non-empty labels of
/// letters, digits, hyphens and (as some internal names have) underscores. WHATWG
/// parsers keep `& = ; , ( ) * + ! ~ $ '` and empty labels in hosts, which could
/// otherwise smuggle text into a proxy URL.
fn is_host_shaped(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if bare.parse::<IpAddr>().is_ok() {
        return true;
    }
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|l| !l.is_empty() && l.len() <= 63 && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
}

/// The ticket alphabet: letters, digits, `.`, `_`, `-`; 8 to 256 characters, not all dots.
pub fn is_ticket_shaped(t: &str) -> bool {
    (MIN_TICKET_LEN..=MAX_TICKET_LEN).contains(&t.len())
        && !t.bytes().all(|b| b == b'.')
        && t.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Replaces every occurrence of the ticket with `<ticket>`.
pub fn redact(url: &str, ticket: &str) -> String {
    if ticket.is_empty() {
        return url.to_owned();
    }
    url.replace(ticket, "<ticket>")
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "wss" | "https" => Some(443),
        "ws" | "http" => Some(80),
        _ => None,
    }
}

fn same_target(a: &str, b: &str, parser: &dyn UrlParser) -> bool {
    match (parser.parse(a), parser.parse(b)) {
        (Some(x), Some(y)) => {
            x.scheme == y.scheme
                && x.host == y.host
                && x.port.or_else(|| default_port(&x.scheme)) == y.port.or_else(|| default_port(&y.scheme))
                && x.path == y.path
                && x.username.is_empty()
                && x.password.is_empty()
                && x.query.is_none()
                && x.fragment.is_none()
        }
        _ => false,
    }
}

fn check_url(raw: &str, ticket: &str, from: &RequestedFrom, policy: &ConsolePolicy, parser: &dyn UrlParser) -> Result<UrlParts, Rejection> {
    // Parsers silently strip or convert these, so refuse them before parsing.
    if raw.chars().any(|c| c.is_whitespace() || c.is_control() || c == '\\') {
        return Err(Rejection::UnsafeCharacters);
    }
    let p = parser.parse(raw).ok_or(Rejection::Unparsable)?;
    match p.scheme.as_str() {
        "wss" => {}
        "ws" if policy.allow_insecure => {}
        "ws" => return Err(Rejection::Insecure),
        other => return Err(Rejection::Scheme(other.to_owned())),
    }
    if !p.username.is_empty() || !p.password.is_empty() || raw.contains('@') {
        return Err(Rejection::UserInfo);
    }
    if p.query.is_some() || p.fragment.is_some() || raw.contains('?') || raw.contains('#') {
        return Err(Rejection::QueryOrFragment);
    }
    check_written_form(raw, &p)?;
    if !is_host_shaped(&p.host) {
        return Err(Rejection::HostCharacters(p.host.clone()));
    }
    let port = p.port.or_else(|| default_port(&p.scheme)).unwrap_or(0);
    let from_origin = policy.allow_request_origin && p.host == from.host;
    if !from_origin && !host_allowed(&p.host, &policy.allowed_hosts, parser) {
        return Err(Rejection::Host(p.host.clone()));
    }
    let port_ok = policy.any_port || policy.allowed_ports.contains(&port) || (from_origin && port == from.port);
    if !port_ok {
        return Err(Rejection::Port(port));
    }
    if p.path != format!("/ticket/{ticket}") {
        return Err(Rejection::Path);
    }
    Ok(p)
}

/// The host, port and path must be written as the parser writes them: no hex or short IPv4,
/// no percent-encoding, no leading zeros, no missing `//`. Parsers accept all of these
/// silently, and each has been used to make a URL look like it goes elsewhere.
fn check_written_form(raw: &str, p: &UrlParts) -> Result<(), Rejection> {
    let after_scheme = raw.get(p.scheme.len()..).unwrap_or("");
    let Some(rest) = after_scheme.strip_prefix("://") else { return Err(Rejection::OddForm) };
    let authority = rest.split('/').next().unwrap_or("");
    let (host, port) = if authority.starts_with('[') {
        match authority.split_once(']') {
            Some((h, tail)) => (format!("{h}]"), tail.strip_prefix(':')),
            None => return Err(Rejection::OddForm),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((h, port)) => (h.to_owned(), Some(port)),
            None => (authority.to_owned(), None),
        }
    };
    if host.to_ascii_lowercase() != p.host {
        return Err(Rejection::OddForm);
    }
    if let Some(port) = port {
        let digits_ok = !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit());
        if !digits_ok || port.starts_with('0') {
            return Err(Rejection::OddForm);
        }
    }
    // The path as written: dot segments and encodings the parser would rewrite are refused.
    if rest[authority.len()..] != p.path {
        return Err(Rejection::Path);
    }
    Ok(())
}

/// Is a parsed (normalised) host matched by one of the patterns?
pub fn host_allowed(host: &str, patterns: &[String], parser: &dyn UrlParser) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let ip: Option<IpAddr> = bare.parse().ok();
    patterns.iter().any(|pat| {
        let pat = pat.trim();
        if pat == "*" {
            return true;
        }
        if let Some((net, bits)) = pat.split_once('/') {
            return match (ip, net.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>(), bits.parse::<u8>()) {
                (Some(a), Ok(n), Ok(b)) => in_cidr(a, n, b),
                _ => false,
            };
        }
        if let Some(suffix) = pat.strip_prefix("*.") {
            let Some(norm) = normalise_host(suffix, parser) else { return false };
            return ip.is_none() && bare.len() > norm.len() + 1 && bare.ends_with(&format!(".{norm}"));
        }
        match normalise_host(pat, parser) {
            Some(norm) => norm == host,
            None => false,
        }
    })
}

/// Normalises a host the way the URL parser does (case, IDNA, IPv4 forms).
fn normalise_host(h: &str, parser: &dyn UrlParser) -> Option<String> {
    let h = h.trim_end_matches('.');
    let wrapped = if h.contains(':') && !h.starts_with('[') { format!("[{h}]") } else { h.to_owned() };
    parser.parse(&format!("wss://{wrapped}/")).map(|p| p.host)
}

fn in_cidr(addr: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (addr, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) if bits <= 32 => {
            let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits) };
            (u32::from(a) & mask) == (u32::from(n) & mask)
        }
        (IpAddr::V6(a), IpAddr::V6(n)) if bits <= 128 => {
            let mask = if bits == 0 { 0 } else { u128::MAX << (128 - bits) };
            (u128::from(a) & mask) == (u128::from(n) & mask)
        }
        _ => false,
    }
}
