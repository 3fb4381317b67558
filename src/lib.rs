//! vsphere-console: a browser console for vSphere virtual machines.
//!
//! The pure layers ([`api`], [`ticket`], [`rfb`], [`input`], and the console
//! core [`console`]) never touch the browser
//! and are tested natively; the adapters ([`web`]), the Yew UI ([`ui`]) and the
//! host-page API ([`embed`]) exist only in the wasm build. See `docs/architecture.md`.

pub mod api;
pub mod base64;
pub mod console;
pub mod input;
pub mod link;
pub mod rfb;
pub mod secret;
pub mod ticket;

/// Fuzz entry points: native only (the fuzz targets and `tests/fuzz_regressions.rs`),
/// never in the shipped WebAssembly.
#[doc(hidden)]
#[cfg(not(target_arch = "wasm32"))]
pub mod fuzzing;

#[cfg(target_arch = "wasm32")]
pub mod embed;
#[cfg(all(target_arch = "wasm32", feature = "app"))]
pub mod ui;
#[cfg(target_arch = "wasm32")]
pub mod web;

/// talc in place of std's dlmalloc: about 2 KB gzip smaller, and no slower on the bench
/// (the console allocates little: framebuffers, inflate windows, message buffers).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
