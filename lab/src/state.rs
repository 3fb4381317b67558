//! Live lab state: sessions, one-time tickets, container views and paging tokens.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::config::{LabConfig, Vm};
use crate::console_registry::ConsoleRegistry;

#[derive(Clone, Debug)]
pub struct Session {
    pub user: String,
    pub key: String,
    pub login_time: String,
    pub last_active: Instant,
    pub locale: String,
}

#[derive(Clone, Debug)]
pub struct Ticket {
    pub vm: Vm,
    pub issued: Instant,
}

#[derive(Default)]
pub struct Inner {
    pub sessions: HashMap<String, Session>,
    pub tickets: HashMap<String, Ticket>,
    pub views: HashMap<String, Vec<(String, String)>>,
    /// Paging token → the objects still to send (type, moid).
    pub pages: HashMap<String, Vec<(String, String)>>,
    /// Clone ticket → the session it clones (one-time).
    pub clone_tickets: HashMap<String, String>,
    pub counter: u64,
}

#[derive(Clone)]
pub struct Lab {
    pub config: Arc<LabConfig>,
    pub vms: Arc<Vec<Vm>>,
    pub inner: Arc<Mutex<Inner>>,
    /// Port the lab listens on, for ticket URLs.
    pub port: u16,
    pub consoles: ConsoleRegistry,
}

impl Lab {
    pub fn new(config: LabConfig, port: u16) -> Self {
        let vms = config.all_vms();
        Lab { config: Arc::new(config), vms: Arc::new(vms), inner: Arc::default(), port, consoles: ConsoleRegistry::default() }
    }

    pub fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A poisoned lock only means another request panicked; the data is still usable.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn idle_limit(&self) -> Duration {
        Duration::from_secs(self.config.session_idle_seconds)
    }

    pub fn ticket_lifetime(&self) -> Duration {
        Duration::from_secs(self.config.ticket_lifetime_seconds)
    }

    pub fn vm(&self, moid: &str) -> Option<&Vm> {
        self.vms.iter().find(|v| v.moid == moid)
    }

    /// The session for an id, its idle clock restarted; `None` when unknown or idle
    /// too long (then it is gone). VI/JSON and REST share sessions.
    pub fn touch_session(&self, id: &str) -> Option<Session> {
        let mut inner = self.lock();
        let limit = self.idle_limit();
        let s = inner.sessions.get_mut(id)?;
        if s.last_active.elapsed() > limit {
            inner.sessions.remove(id);
            return None;
        }
        s.last_active = Instant::now();
        Some(s.clone())
    }

    /// A new one-time webmks ticket for `vm`, remembered until used or expired.
    pub fn issue_ticket(&self, vm: &Vm) -> String {
        let ticket = random_hex(16);
        self.lock().tickets.insert(ticket.clone(), Ticket { vm: vm.clone(), issued: Instant::now() });
        ticket
    }

    /// Fills a ticket-override template: `{ticket}` and `{port}` (the lab's port).
    pub fn fill(&self, template: &str, ticket: &str) -> String {
        template.replace("{ticket}", ticket).replace("{port}", &self.port.to_string())
    }

    /// The websocket URL of a ticket: the VM's override, or the lab's own `/ticket/`.
    pub fn ticket_url(&self, vm: &Vm, ticket: &str) -> String {
        match vm.ticket.url.as_deref() {
            Some(u) => self.fill(u, ticket),
            None => format!("ws://127.0.0.1:{}/ticket/{ticket}", self.port),
        }
    }
}

/// A random token of `bytes` random bytes, hex encoded.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    // getrandom only fails when the OS has no entropy source at all.
    getrandom::fill(&mut buf).expect("the operating system has no random source");
    buf.iter().map(|b| format!("{b:02x}")).collect()
}
