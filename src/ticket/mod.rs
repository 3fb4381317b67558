//! Webmks tickets: their life cycle and the policy every console URL must pass.
//!
//! A ticket is a one-time bearer credential. [`lifecycle::TicketState`] makes sure it is
//! handed to exactly one websocket, once, and never after its lifetime;
//! [`policy::resolve`] turns a `VirtualMachineTicket` into the one URL that may be
//! opened, or a [`policy::Rejection`] a person can read.

pub mod lifecycle;
pub mod policy;
pub mod url_parts;

pub use lifecycle::{TicketEvent, TicketState, TransitionError};
pub use policy::{resolve, ConsolePolicy, ConsoleUrl, Rejection, RequestedFrom};
pub use url_parts::{UrlParser, UrlParts};
