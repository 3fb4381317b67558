//! The console in the page: [`runner::ConsoleRunner`] runs the sans-IO console
//! core ([`ConsoleCore`](crate::console::ConsoleCore)) with one adapter per job.

pub mod clipboard;
pub mod cursor;
pub mod driver;
pub mod image_decoder;
pub mod input;
pub mod painter;
pub mod runner;
pub mod screen;
pub mod socket;
mod text_field;
pub mod typing;

pub use driver::{RunnerHooks, TicketFuture};
pub use runner::ConsoleRunner;
