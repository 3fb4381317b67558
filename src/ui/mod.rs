//! Yew function components. Coarse state lives in reducers; the API client, the
//! ticket and the console engine live outside Yew state (`use_mut_ref`).

pub mod app;
pub mod clipboard_panel;
pub mod console;
pub mod console_ui;
pub mod login;
pub mod ops;
pub mod state;
pub mod toolbar;
pub mod vm_list;

use std::cell::RefCell;
use std::rc::Rc;

use crate::api::rest::RestClient;
use crate::api::ViClient;

/// The shared API clients (VI/JSON, and REST for vCenter 7.x), compared by identity so
/// they can be a prop. They hold the session id, in memory only.
#[derive(Clone)]
pub struct ClientRef(pub Rc<RefCell<ViClient>>, pub Rc<RefCell<RestClient>>);

impl PartialEq for ClientRef {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}
