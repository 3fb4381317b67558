//! The console core: one owner for everything that happens between "open this
//! VM's console" and "the console is closed", with no I/O.
//!
//! [`ConsoleCore`] owns the ticket life cycle, the URL policy decision, the RFB
//! [`Engine`](crate::rfb::Engine), reconnect backoff and the status sentences. It
//! takes inputs (`ticket_acquired`, `socket_opened`, `received`, `socket_closed`,
//! `image_decoded`, `timer_fired`, user actions) and hands out [`Work`] through
//! [`ConsoleCore::poll`], quinn-proto style. Every attempt carries a generation:
//! input that names an older generation is ignored, so a stale socket, timer or image
//! can never touch a newer attempt.
//!
//! The browser runner (`web::console`), the Yew console and the JavaScript API all
//! drive this one type; it is tested natively in `tests/console_core.rs`.

mod actions;
mod close;
mod consent;
mod core;
mod events;
mod options;
mod status;
mod ticket_input;
mod work;

pub use self::core::{ConsoleCore, EMBEDDED_VM};
pub use consent::COPY_WINDOW_MS;
pub use options::{ClipboardPolicy, ConsoleOptions, Scale};
pub use status::{backoff_secs, ConsoleStatus, Step, TrustHelp};
pub use ticket_input::ticket_from_json;
pub use work::{AcquireError, ErrorCode, HostEvent, IssuedTicket, Timer, Work};
