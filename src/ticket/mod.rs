//! Webmks tickets: their life cycle and the policy every console URL must pass.
//!
//! A ticket is a one-time bearer credential. [`TicketState`] makes sure it is
//! handed to exactly one websocket, once, and never after its lifetime;
//! [`resolve`] turns a `VirtualMachineTicket` into the one URL that may be
//! opened, or a [`Rejection`] a person can read.

mod lifecycle;
mod policy;
mod url_parts;

pub use lifecycle::{TicketEvent, TicketState, TransitionError, DEFAULT_LIFETIME_MS};
pub use policy::{host_allowed, resolve, ConsolePolicy, ConsoleUrl, OnMismatch, Rejection, RequestedFrom};
#[cfg(not(target_arch = "wasm32"))]
pub use url_parts::NativeUrlParser;
pub use url_parts::{UrlParser, UrlParts};
