//! Thin browser adapters: the console runner and its adapters (socket, painter, image
//! decoder, cursor, input, typing), URL parsing, timers, fullscreen; with the `app`
//! feature also HTTP (gloo-net), config loading and screenshots.
//! They make no protocol decisions; those live in the pure layers.

#[cfg(feature = "app")]
pub mod config;
pub mod console;
pub mod fullscreen;
#[cfg(feature = "app")]
pub mod http;
#[cfg(feature = "app")]
pub mod location;
#[cfg(feature = "app")]
pub mod prefs;
#[cfg(feature = "app")]
pub mod screenshot;
pub mod timers;
pub mod url_parser;

/// Drops `value` on the next microtask. For closures the browser may be running right
/// now (a console destroyed from inside one of its own event callbacks): freeing them
/// at once would make the running callback's closure invalid.
pub fn drop_later<T: 'static>(value: T) {
    wasm_bindgen_futures::spawn_local(async move { drop(value) });
}

/// Milliseconds since the epoch, from the browser clock.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// The page's origin, e.g. `https://portal.example`.
pub fn page_origin() -> String {
    web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default()
}
