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
    /// The same moment on the wall clock, for `UserSession.lastActiveTime`.
    pub last_active_at: std::time::SystemTime,
    pub locale: String,
}

/// A power task (`tasks.rs` runs them): which VM, the state it ends in, when it began.
#[derive(Clone, Debug)]
pub struct LabTask {
    pub vm: String,
    /// The power state the VM ends in on success.
    pub target: &'static str,
    pub started: Instant,
    pub queued_at: std::time::SystemTime,
    /// `None`: the VM powers on; otherwise the fault the task ends with.
    pub fault: Option<serde_json::Value>,
    /// Its power change has been made. Each task changes the power state once, when it
    /// ends; an old task must not undo a newer one.
    pub applied: bool,
}

#[derive(Clone, Debug)]
pub struct Ticket {
    pub vm: Vm,
    pub issued: Instant,
}

/// Objects as (type, moid), owned by the session that created them: a container
/// view's contents, or the rest of a paged result. They end with their session.
#[derive(Clone, Debug)]
pub struct Owned {
    pub session: String,
    pub objects: Vec<(String, String)>,
}

/// What the lab holds at most, so that no caller can grow it without end: sessions, SSPI
/// handshakes in progress, and each session's container views and result pages.
pub const MAX_SESSIONS: usize = 1000;
pub const MAX_SSPI_CHALLENGES: usize = 256;
pub const MAX_OWNED_PER_SESSION: usize = 64;
/// An SSPI challenge not answered within this is forgotten.
pub const SSPI_CHALLENGE_LIFETIME: Duration = Duration::from_secs(60);

#[derive(Default)]
pub struct Inner {
    pub sessions: HashMap<String, Session>,
    pub tickets: HashMap<String, Ticket>,
    pub views: HashMap<String, Owned>,
    /// Paging token → the objects still to send.
    pub pages: HashMap<String, Owned>,
    /// Clone ticket → the session it clones (one-time).
    pub clone_tickets: HashMap<String, String>,
    /// SSPI handshakes in progress: challenge → user, and when it was issued.
    pub sspi_challenges: HashMap<String, (String, Instant)>,
    /// Power states changed since start (moid → state); the config holds the rest.
    pub power: HashMap<String, String>,
    /// Tasks by moid (`task-N`).
    pub tasks: HashMap<String, LabTask>,
    pub counter: u64,
}

impl Inner {
    /// Room for one more session: idle ones go first; false when the lab is full.
    pub fn room_for_session(&mut self, idle: Duration) -> bool {
        if self.sessions.len() >= MAX_SESSIONS {
            self.sessions.retain(|_, s| s.last_active.elapsed() <= idle);
        }
        self.sessions.len() < MAX_SESSIONS
    }

    /// Keeps `map` (views or pages) at most [`MAX_OWNED_PER_SESSION`] for `session`,
    /// dropping one of its entries to make room for a new one.
    pub fn make_room(map: &mut HashMap<String, Owned>, session: &str) {
        let mine: Vec<String> = map.iter().filter(|(_, o)| o.session == session).map(|(k, _)| k.clone()).collect();
        if mine.len() >= MAX_OWNED_PER_SESSION {
            if let Some(k) = mine.first() {
                map.remove(k);
            }
        }
    }

    /// A new SSPI challenge for `user`; the oldest is forgotten when too many wait.
    pub fn add_sspi_challenge(&mut self, nonce: String, user: String) {
        if self.sspi_challenges.len() >= MAX_SSPI_CHALLENGES {
            let oldest = self.sspi_challenges.iter().min_by_key(|(_, (_, at))| *at).map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                self.sspi_challenges.remove(&k);
            }
        }
        self.sspi_challenges.insert(nonce, (user, Instant::now()));
    }
}

#[cfg(test)]
impl Inner {
    /// Counts of what the lab holds, for tests of the purge.
    pub fn sizes(&self) -> [usize; 5] {
        [self.sessions.len(), self.tickets.len(), self.views.len(), self.pages.len(), self.clone_tickets.len()]
    }
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

    /// The desktop clock's frozen time of day in seconds, from `frozenClock` ("HH:MM:SS").
    pub fn frozen_clock(&self) -> Option<u64> {
        let text = self.config.frozen_clock.as_deref()?;
        let parts: Vec<u64> = text.split(':').map(|p| p.parse().ok()).collect::<Option<_>>()?;
        match parts[..] {
            [h, m, s] if h < 24 && m < 60 && s < 60 => Some(h * 3600 + m * 60 + s),
            _ => None,
        }
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
        s.last_active_at = std::time::SystemTime::now();
        Some(s.clone())
    }

    /// Removes idle sessions, expired tickets, and the views, result pages and clone
    /// tickets of sessions that are gone. Runs every few seconds.
    pub fn purge(&self) {
        let (idle, lifetime) = (self.idle_limit(), self.ticket_lifetime());
        // Tasks are settled first (`tasks::settle`), so none ends unapplied here.
        let mut inner = self.lock();
        inner.tasks.retain(|_, t| t.started.elapsed() <= Duration::from_secs(600));
        inner.sspi_challenges.retain(|_, (_, at)| at.elapsed() <= SSPI_CHALLENGE_LIFETIME);
        inner.sessions.retain(|_, s| s.last_active.elapsed() <= idle);
        inner.tickets.retain(|_, t| t.issued.elapsed() <= lifetime);
        let Inner { sessions, views, pages, clone_tickets, .. } = &mut *inner;
        views.retain(|_, v| sessions.contains_key(&v.session));
        pages.retain(|_, p| sessions.contains_key(&p.session));
        clone_tickets.retain(|_, sid| sessions.contains_key(sid));
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

    /// The websocket URL of a ticket: the VM's override, or the lab's own `/ticket/` at
    /// the host the browser asked for (`authority`: the request's checked `Host`), so a
    /// lab listening on 0.0.0.0 hands out URLs the browser can reach.
    pub fn ticket_url(&self, vm: &Vm, ticket: &str, authority: &str) -> String {
        match vm.ticket.url.as_deref() {
            Some(u) => self.fill(u, ticket),
            None => format!("ws://{authority}/ticket/{ticket}"),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn session(user: &str) -> Session {
        Session {
            user: user.into(),
            key: random_hex(4),
            login_time: String::new(),
            last_active: Instant::now(),
            last_active_at: std::time::SystemTime::now(),
            locale: "en".into(),
        }
    }

    /// Issue 20: 60,000 SSPI negotiations grew the lab by 11 MB for good. Now at most
    /// 256 wait, and the purge forgets those older than a minute; sessions, views and
    /// pages are bounded too.
    #[test]
    fn what_callers_can_make_the_lab_hold_is_bounded() {
        let lab = Lab::new(LabConfig::default(), 1);
        let mut inner = lab.lock();
        for i in 0..(MAX_SSPI_CHALLENGES * 3) {
            inner.add_sspi_challenge(format!("n{i}"), "demo".into());
        }
        assert_eq!(inner.sspi_challenges.len(), MAX_SSPI_CHALLENGES);
        assert!(inner.sspi_challenges.contains_key(&format!("n{}", MAX_SSPI_CHALLENGES * 3 - 1)), "the newest stays");
        inner.sspi_challenges.insert("stale".into(), ("demo".into(), Instant::now() - SSPI_CHALLENGE_LIFETIME - Duration::from_secs(1)));
        for i in 0..(MAX_OWNED_PER_SESSION * 2) {
            Inner::make_room(&mut inner.views, "s1");
            inner.views.insert(format!("v{i}"), Owned { session: "s1".into(), objects: vec![] });
        }
        assert_eq!(inner.views.len(), MAX_OWNED_PER_SESSION);
        for i in 0..MAX_SESSIONS {
            inner.sessions.insert(format!("s{i}"), session("u"));
        }
        assert!(!inner.room_for_session(Duration::from_secs(60)), "full of live sessions");
        inner.sessions.get_mut("s0").unwrap().last_active = Instant::now() - Duration::from_secs(120);
        assert!(inner.room_for_session(Duration::from_secs(60)), "an idle one makes room");
        drop(inner);
        lab.purge();
        assert!(!lab.lock().sspi_challenges.contains_key("stale"), "the purge forgets old challenges");
    }

    #[test]
    fn purge_removes_what_expired_and_what_belonged_to_it() {
        let config = LabConfig { session_idle_seconds: 1, ticket_lifetime_seconds: 1, ..LabConfig::default() };
        let lab = Lab::new(config, 1);
        let vm = lab.vms[0].clone();
        {
            let mut inner = lab.lock();
            let mut old = session("old");
            old.last_active = Instant::now() - Duration::from_secs(5);
            inner.sessions.insert("old-sid".into(), old);
            inner.sessions.insert("live-sid".into(), session("live"));
            for (sid, name) in [("old-sid", "old"), ("live-sid", "live")] {
                let owned = Owned { session: sid.into(), objects: vec![("VirtualMachine".into(), "vm-1".into())] };
                inner.views.insert(format!("view-{name}"), owned.clone());
                inner.pages.insert(format!("page-{name}"), owned);
                inner.clone_tickets.insert(format!("clone-{name}"), sid.into());
            }
            inner.tickets.insert("stale".into(), Ticket { vm: vm.clone(), issued: Instant::now() - Duration::from_secs(5) });
            inner.tickets.insert("fresh".into(), Ticket { vm, issued: Instant::now() });
            assert_eq!(inner.sizes(), [2, 2, 2, 2, 2]);
        }
        lab.purge();
        let inner = lab.lock();
        assert_eq!(inner.sizes(), [1, 1, 1, 1, 1], "only the live session, its view, page, clone ticket, and the fresh ticket remain");
        assert!(inner.sessions.contains_key("live-sid") && inner.tickets.contains_key("fresh") && inner.views.contains_key("view-live"));
    }
}
