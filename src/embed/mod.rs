//! What host pages call, through `#[wasm_bindgen]`.
//!
//! - [`console_handle::ConsoleHandle`]: one console in a canvas, on the console session
//!   core. The npm package's JavaScript (`VSphereConsole`, the `RFB`- and
//!   `createWMKS`-shaped layers, `<vsphere-console>`) wraps it; see `js/`.
//! - [`validate::validate_console_url`]: the URL policy on its own.
//! - [`plain`]: plain JavaScript objects to and from JSON values, for both.
//! - With the `app` feature, [`app::mount`] (the whole app) and
//!   [`app::session_is_active`].

pub mod console_handle;
pub mod plain;
pub mod validate;

#[cfg(feature = "app")]
pub mod app;

#[cfg(feature = "app")]
pub use app::{mount, session_is_active, ConsoleApp};
pub use console_handle::ConsoleHandle;
pub use validate::validate_console_url;
