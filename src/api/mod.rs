//! The vSphere VI/JSON API, sans IO: request builders and response parsers.
//!
//! Nothing here performs HTTP. [`client::ViClient`] turns each call into an
//! [`http::HttpRequest`] and turns the [`http::HttpResponse`] the transport got back
//! into typed values or an [`error::ApiError`]. The browser transport lives in
//! `web::http`; tests feed documented JSON straight in.

pub mod client;
pub mod error;
pub mod fault;
pub mod http;
pub mod inventory;
pub mod rest;
pub mod task;
mod vm_calls;
pub mod wire;

/// Secrets are the crate's (`crate::secret`); the API is where most of them come from.
pub use crate::secret::{Secret, SessionId};
pub use client::ViClient;
pub use error::ApiError;
pub use fault::{Fault, FaultKind};
