//! The URL parser behind the policy, as a small interface.
//!
//! In the browser it is `web_sys::Url`, the parser the websocket itself uses, so the
//! policy and the socket never disagree. Natively it is the WHATWG-conformant `url`
//! crate ([`NativeUrlParser`]); it is not linked into the wasm bundle.

/// The components of a parsed URL, as a WHATWG parser reports them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlParts {
    /// Lowercase, without the trailing `:`.
    pub scheme: String,
    pub username: String,
    pub password: String,
    /// Normalised: lowercase, punycode, IPv6 in brackets.
    pub host: String,
    /// `None` when absent or equal to the scheme's default port.
    pub port: Option<u16>,
    pub path: String,
    /// Without the leading `?`; `None` when there is no `?`.
    pub query: Option<String>,
    /// Without the leading `#`; `None` when there is no `#`.
    pub fragment: Option<String>,
    /// The parser's own serialisation of the whole URL.
    pub href: String,
}

pub trait UrlParser {
    /// `None` when the input is not a valid absolute URL.
    fn parse(&self, input: &str) -> Option<UrlParts>;
}

#[cfg(not(target_arch = "wasm32"))]
pub use native::NativeUrlParser;

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use super::{UrlParser, UrlParts};

    /// WHATWG URL parsing with the `url` crate, for native callers and tests.
    #[derive(Clone, Copy, Debug, Default)]
    pub struct NativeUrlParser;

    impl UrlParser for NativeUrlParser {
        fn parse(&self, input: &str) -> Option<UrlParts> {
            let u = url::Url::parse(input).ok()?;
            Some(UrlParts {
                scheme: u.scheme().to_owned(),
                username: u.username().to_owned(),
                password: u.password().unwrap_or("").to_owned(),
                // The host as the WHATWG serialiser writes it (IPv6 in hex pieces, as a
                // browser does: `[::ffff:a14:1]`, not Rust's `[::ffff:10.20.0.1]`).
                // `javascript:` and friends have none; the scheme check refuses them.
                host: u.host_str().unwrap_or("").to_owned(),
                port: u.port(),
                path: u.path().to_owned(),
                query: u.query().map(str::to_owned),
                fragment: u.fragment().map(str::to_owned),
                href: u.as_str().to_owned(),
            })
        }
    }
}
