//! Thin browser adapters: HTTP, the console websocket + canvas driver, config, URL
//! parsing, timers, fullscreen and screenshots.
//! They make no protocol decisions; those live in the pure layers.

pub mod config;
pub mod console_driver;
pub mod fullscreen;
pub mod screenshot;
pub mod timers;
pub mod http;
pub mod url_parser;

/// Milliseconds since the epoch, from the browser clock.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// The page's origin, e.g. `https://portal.example`.
pub fn page_origin() -> String {
    web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default()
}
