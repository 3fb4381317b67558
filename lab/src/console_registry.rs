//! What each live lab console shows, for `GET /lab/consoles` (the e2e tests' witness).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsoleView {
    /// The console's number: each new console has a higher one.
    pub id: u64,
    pub vm: String,
    pub typed: String,
    pub pointer: (u16, u16),
    pub buttons: u8,
    pub key_events: u64,
    /// sha256 of the RGBA pixels of the typed-text line, as the lab drew it.
    pub typed_region_sha256: String,
    /// Where that line is: x, y, width, height.
    pub typed_region: (u32, u32, u32, u32),
    /// The last scan-code key events (VMware 127/0), e.g. "1d+" down, "153-" up.
    pub scancodes: Vec<String>,
    /// Whether the client sent VMware SessionClose before leaving.
    pub session_close: bool,
    /// Left-button presses.
    pub clicks: u64,
    /// The last text the client put on the VM's clipboard (ClientCutText).
    pub clipboard: String,
    /// VMware KeyEvent2 messages (Unicode code points or keyCodes) received.
    pub key_events2: u64,
    /// Wheel turns as they arrived: RFB buttons 4–7 pressed, or VMware PointerEvent2.
    pub wheel: Wheel,
    /// VMware PointerEvent2 messages with relative motion.
    pub relative_moves: u64,
    /// The client's ClientCaps (127/3).
    pub client_caps: u32,
    /// UpdateAcks (127/4) received, and the last one's time field, `(ms + 2) × 10`.
    pub update_acks: u64,
    pub last_render_time: u16,
    /// The encodings the client advertised, in its order.
    pub encodings: Vec<i32>,
    /// The desktop's size now.
    pub size: (u32, u32),
    /// Websocket payload bytes each way.
    pub bytes_to_client: u64,
    pub bytes_from_client: u64,
    /// How the console ended (closed consoles only): `ClientClosed` (the client's close
    /// frame, answered), `ServerClosed`, `Gone` (no close frame), `Dropped`, `Protocol(…)`.
    pub ended: String,
    /// The pointer buttons last seen (for counting RFB wheel presses).
    #[serde(skip)]
    pub buttons_seen: u8,
}

/// Wheel turns by direction.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Wheel {
    pub up: u64,
    pub down: u64,
    pub left: u64,
    pub right: u64,
}

impl Wheel {
    pub fn count(&mut self, up: bool, down: bool, left: bool, right: bool) {
        self.up += up as u64;
        self.down += down as u64;
        self.left += left as u64;
        self.right += right as u64;
    }
}

/// How many closed consoles the lab remembers.
pub const CLOSED_KEPT: usize = 32;

#[derive(Clone)]
pub struct ConsoleRegistry {
    inner: Arc<Mutex<(u64, BTreeMap<u64, ConsoleView>)>>,
    /// The last consoles that closed, newest last, so a test can see how a client left.
    closed: Arc<Mutex<std::collections::VecDeque<ConsoleView>>>,
    /// Bumped to make every live synthetic console close, as a server-side disconnect:
    /// (generation, drop) where `drop` means no close frame, as a network failure.
    kick: Arc<tokio::sync::watch::Sender<(u64, bool)>>,
    /// Bumped to make every live synthetic console copy this text, as a guest's
    /// application copying (ServerCutText): (generation, text).
    copy: Arc<tokio::sync::watch::Sender<(u64, String)>>,
}

impl Default for ConsoleRegistry {
    fn default() -> Self {
        ConsoleRegistry {
            inner: Arc::default(),
            closed: Arc::default(),
            kick: Arc::new(tokio::sync::watch::channel((0, false)).0),
            copy: Arc::new(tokio::sync::watch::channel((0, String::new())).0),
        }
    }
}

impl ConsoleRegistry {
    pub fn kick_receiver(&self) -> tokio::sync::watch::Receiver<(u64, bool)> {
        self.kick.subscribe()
    }

    /// Closes every live synthetic console: with a reason, or dropped without a word.
    pub fn kick_all(&self, drop_connection: bool) {
        self.kick.send_modify(|(generation, drop)| {
            *generation += 1;
            *drop = drop_connection;
        });
    }

    pub fn copy_receiver(&self) -> tokio::sync::watch::Receiver<(u64, String)> {
        self.copy.subscribe()
    }

    /// Every live synthetic console's guest copies `text`.
    pub fn copy_all(&self, text: String) {
        self.copy.send_modify(|(generation, t)| {
            *generation += 1;
            *t = text;
        });
    }

    pub fn open(&self, vm: &str) -> u64 {
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        g.0 += 1;
        let id = g.0;
        g.1.insert(id, ConsoleView { id, vm: vm.to_owned(), ..Default::default() });
        id
    }

    pub fn update(&self, id: u64, view: ConsoleView) {
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        g.1.insert(id, ConsoleView { id, ..view });
    }

    /// The console ended, and how.
    pub fn close(&self, id: u64, how: &str) {
        let view = self.inner.lock().unwrap_or_else(|e| e.into_inner()).1.remove(&id);
        if let Some(mut v) = view {
            v.ended = how.to_owned();
            let mut closed = self.closed.lock().unwrap_or_else(|e| e.into_inner());
            if closed.len() == CLOSED_KEPT {
                closed.pop_front();
            }
            closed.push_back(v);
        }
    }

    /// Consoles that have closed, oldest first (at most [`CLOSED_KEPT`]).
    pub fn closed(&self) -> Vec<ConsoleView> {
        self.closed.lock().unwrap_or_else(|e| e.into_inner()).iter().cloned().collect()
    }

    pub fn list(&self) -> Vec<ConsoleView> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).1.values().cloned().collect()
    }
}
