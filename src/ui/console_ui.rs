//! The console component's own state: the core's status snapshot plus what only the
//! page decides (the typing line, notes, the toolbar's state).

use std::rc::Rc;

use yew::Reducible;

use crate::console::ConsoleStatus;

#[derive(Clone, Debug, PartialEq)]
pub struct UiState {
    pub status: ConsoleStatus,
    pub typing: Option<String>,
    pub note: Option<String>,
    /// What became of the last clipboard send or paste as typing.
    pub clipboard_note: Option<String>,
    /// The toolbar is collapsed to its handle.
    pub bar_collapsed: bool,
    /// The console section is fullscreen.
    pub fullscreen: bool,
}

impl UiState {
    pub fn new(view_only: bool) -> Self {
        UiState {
            status: ConsoleStatus::initial(view_only),
            typing: None,
            note: None,
            clipboard_note: None,
            bar_collapsed: false,
            fullscreen: false,
        }
    }
}

pub enum UiAction {
    Status(ConsoleStatus),
    Typing(Option<String>),
    Note(Option<String>),
    ClipboardNote(Option<String>),
    CollapseBar(bool),
    /// Fullscreen began or ended: the toolbar starts behind its handle in fullscreen.
    Fullscreen(bool),
}

impl Reducible for UiState {
    type Action = UiAction;

    fn reduce(self: Rc<Self>, action: UiAction) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            UiAction::Status(status) => s.status = status,
            UiAction::Typing(t) => s.typing = t,
            UiAction::Note(n) => s.note = n,
            UiAction::ClipboardNote(n) => s.clipboard_note = n,
            UiAction::CollapseBar(c) => s.bar_collapsed = c,
            UiAction::Fullscreen(f) => {
                s.fullscreen = f;
                s.bar_collapsed = f;
            }
        }
        Rc::new(s)
    }
}
