//! The app's screens as a reducer: Loading → Login → VM list → Console.

use std::rc::Rc;

use yew::Reducible;

use crate::api::inventory::VmSummary;
use crate::web::config::AppConfig;

#[derive(Clone, Debug, PartialEq)]
pub enum Screen {
    Loading,
    Login,
    Vms,
    Console(VmSummary),
}

#[derive(Clone, Debug, PartialEq)]
pub struct AppState {
    pub screen: Screen,
    pub config: Option<Rc<AppConfig>>,
    pub busy: bool,
    /// A failure to show, as a sentence.
    pub error: Option<String>,
    pub user: Option<String>,
    pub api_version: Option<String>,
    pub server_message: Option<String>,
    pub vms: Vec<VmSummary>,
    /// Where to go back to after a new login (kept when the session is lost), and whose
    /// console it was: only that user returns to it.
    pub resume: Option<(String, VmSummary)>,
    /// Locales the server supports, offered at login.
    pub locales: Vec<String>,
    /// The moId of the VM being powered on.
    pub powering: Option<String>,
    /// The VM the page's address links to (`#/vm/<moId>`): its console opens once the
    /// list is loaded, after login or a session regained.
    pub link: Option<String>,
}

impl Default for AppState {
    fn default() -> Self {
        AppState {
            screen: Screen::Loading,
            config: None,
            busy: false,
            error: None,
            user: None,
            api_version: None,
            server_message: None,
            vms: Vec::new(),
            resume: None,
            locales: Vec::new(),
            powering: None,
            link: None,
        }
    }
}

pub enum AppAction {
    Ready {
        config: AppConfig,
        api_version: Option<String>,
        error: Option<String>,
        locales: Vec<String>,
    },
    ServerMessage(String),
    LoginStarted,
    LoginFailed(String),
    LoggedIn {
        user: String,
    },
    VmsLoaded(Vec<VmSummary>),
    VmsFailed(String),
    OpenConsole(VmSummary),
    PowerOnStarted(String),
    /// The address now links to this VM (or to the list).
    Link(Option<String>),
    /// The power-on task failed: the sentence, on the list.
    PowerOnFailed(String),
    CloseConsole,
    /// The server says the session is gone: back to login, remembering the console.
    SessionLost(String),
    LoggedOut,
}

impl Reducible for AppState {
    type Action = AppAction;

    fn reduce(self: Rc<Self>, action: AppAction) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            AppAction::ServerMessage(m) => s.server_message = Some(m),
            AppAction::Ready { config, api_version, error, locales } => {
                s.locales = locales;
                s.config = Some(Rc::new(config));
                s.api_version = api_version;
                s.error = error;
                s.screen = Screen::Login;
            }
            AppAction::LoginStarted => {
                s.busy = true;
                s.error = None;
            }
            AppAction::LoginFailed(e) => {
                s.busy = false;
                s.error = Some(e);
                s.screen = Screen::Login;
            }
            AppAction::LoggedIn { user } => {
                s.user = Some(user);
            }
            AppAction::VmsLoaded(vms) => {
                s.busy = false;
                s.error = None;
                s.vms = vms;
                // A console the person opened while the list was loading stays open.
                if !matches!(s.screen, Screen::Console(_)) {
                    s.screen = match s.resume.take() {
                        Some((owner, vm)) if s.user.as_deref() == Some(owner.as_str()) => Screen::Console(vm),
                        _ => Screen::Vms,
                    };
                    if s.screen == Screen::Vms {
                        s.follow_link();
                    }
                }
            }
            AppAction::VmsFailed(e) => {
                s.busy = false;
                s.error = Some(e);
                s.screen = Screen::Vms;
            }
            AppAction::OpenConsole(vm) => {
                s.error = None;
                s.powering = None;
                s.link = Some(vm.vm.value.clone());
                s.screen = Screen::Console(vm);
            }
            AppAction::Link(link) => {
                s.link = link;
                let on_it = matches!((&s.screen, &s.link), (Screen::Console(vm), Some(m)) if vm.vm.value == *m);
                match (&s.screen, &s.link) {
                    (Screen::Console(_), None) => s.screen = Screen::Vms,
                    (Screen::Vms | Screen::Console(_), Some(_)) if !on_it => s.follow_link(),
                    _ => {}
                }
            }
            AppAction::PowerOnStarted(moid) => {
                s.error = None;
                s.powering = Some(moid);
            }
            AppAction::PowerOnFailed(e) => {
                s.powering = None;
                s.error = Some(e);
                s.screen = Screen::Vms;
            }
            AppAction::CloseConsole => {
                s.screen = Screen::Vms;
                s.link = None;
            }
            AppAction::SessionLost(msg) => {
                if let (Screen::Console(vm), Some(user)) = (&s.screen, &s.user) {
                    s.resume = Some((user.clone(), vm.clone()));
                }
                s.busy = false;
                s.error = Some(msg);
                s.user = None;
                s.vms.clear();
                s.screen = Screen::Login;
            }
            AppAction::LoggedOut => {
                s.server_message = None;
                s.busy = false;
                s.user = None;
                s.vms.clear();
                s.resume = None;
                s.link = None;
                s.error = None;
                s.screen = Screen::Login;
            }
        }
        Rc::new(s)
    }
}

impl AppState {
    /// Opens the linked VM's console if the list has it and it is on; otherwise stays
    /// on the list and says why.
    fn follow_link(&mut self) {
        let Some(moid) = self.link.clone() else { return };
        match self.vms.iter().find(|v| v.vm.value == moid) {
            Some(vm) => match vm.console_unavailable_reason() {
                None => self.screen = Screen::Console(vm.clone()),
                Some(why) => {
                    self.link = None;
                    self.screen = Screen::Vms;
                    self.error = Some(format!("The link is to {}. {why}", vm.name));
                }
            },
            None => {
                self.link = None;
                self.screen = Screen::Vms;
                self.error = Some(format!(
                    "The link is to a VM ({moid}) that is not in your list. It may be gone, or you may not have access to it."
                ));
            }
        }
    }
}
