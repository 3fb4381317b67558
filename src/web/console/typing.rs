//! "Type text": planned key strokes sent one at a time, `typingDelayMs` apart, until
//! done, cancelled, or the console closes. One typing job at a time per console.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use crate::input::text::HeldKeys;
use crate::rfb::KeyInput;
use crate::web::timers::sleep_ms;

use super::driver::{act, WeakShared};

/// The current job's number; a newer job or `cancel` makes older ones stop.
#[derive(Default)]
pub struct Typing {
    current: Rc<Cell<u32>>,
    /// What the running job has pressed and not released.
    held: Rc<RefCell<HeldKeys>>,
}

impl Typing {
    /// Stops the running job, and releases at once what it held (before a newer job
    /// types anything, so its first letter is not shifted).
    pub fn cancel(&self, shared: &WeakShared) {
        let ups = self.stop();
        if let (false, Some(rc)) = (ups.is_empty(), shared.upgrade()) {
            act(&rc, |c| c.keys(&ups));
        }
    }

    /// Stops the running job and hands back the releases of what it held, to send.
    pub fn stop(&self) -> Vec<KeyInput> {
        self.current.set(self.current.get().wrapping_add(1));
        self.held.borrow_mut().release_all()
    }

    /// Sends `keys`; resolves to `Err(sentence)` when cancelled or the console closed.
    pub(super) fn run(
        &self,
        shared: WeakShared,
        keys: Vec<KeyInput>,
        delay_ms: u32,
        progress: impl Fn(usize, usize) + 'static,
    ) -> impl std::future::Future<Output = Result<(), String>> {
        self.cancel(&shared);
        let mine = self.current.get();
        let (current, held) = (self.current.clone(), self.held.clone());
        async move {
            let total = keys.len();
            for (i, k) in keys.into_iter().enumerate() {
                if current.get() != mine {
                    return Err("Typing cancelled.".into());
                }
                let Some(rc) = shared.upgrade() else { return Err("Typing stopped: the console closed.".into()) };
                let running = act(&rc, |c| {
                    let ok = c.status().input_allowed();
                    c.keys(&[k]);
                    ok
                });
                held.borrow_mut().sent(k);
                drop(rc);
                if !running {
                    return Err("Typing stopped: the console is not running.".into());
                }
                progress(i + 1, total);
                sleep_ms(delay_ms).await;
            }
            Ok(())
        }
    }
}

/// Composed text's keys (input methods, touch keyboards), sent in order, a typing delay
/// apart. Unlike a typing job nothing cancels them: each word the person composes joins
/// the queue behind the last, and so do keys pressed while it is not empty (an Enter
/// pressed after a word must not overtake it). The pause matters: an X server gives a
/// character without a key a spare key of its own, and reuses it for the next one, so
/// keys sent back to back are read with the wrong character.
pub struct KeyQueue {
    shared: WeakShared,
    items: Rc<RefCell<VecDeque<Queued>>>,
    running: Rc<Cell<bool>>,
}

/// A key of composed text, or a key the person pressed (with the lock states and the
/// `KeyboardEvent.code` that `ConsoleCore::key` takes).
pub enum Queued {
    Composed(KeyInput),
    Pressed(KeyInput, Option<(bool, bool)>, String),
}

impl KeyQueue {
    /// A queue for the console `shared`.
    pub fn new(shared: WeakShared) -> Self {
        KeyQueue { shared, items: Rc::default(), running: Rc::default() }
    }

    /// Something is waiting or being sent.
    pub fn busy(&self) -> bool {
        self.running.get()
    }

    /// Queues composed text's keys.
    pub fn push(&self, keys: Vec<KeyInput>, delay_ms: u32) {
        self.push_items(keys.into_iter().map(Queued::Composed), delay_ms);
    }

    /// Queues items and starts sending, if not sending already, once the caller is done
    /// with the core (the first goes on the next microtask).
    pub fn push_items(&self, items: impl IntoIterator<Item = Queued>, delay_ms: u32) {
        self.items.borrow_mut().extend(items);
        if self.running.replace(true) {
            return;
        }
        let (shared, queue, running) = (self.shared.clone(), self.items.clone(), self.running.clone());
        wasm_bindgen_futures::spawn_local(async move {
            loop {
                let Some(item) = queue.borrow_mut().pop_front() else { break };
                let Some(rc) = shared.upgrade() else {
                    queue.borrow_mut().clear();
                    break;
                };
                act(&rc, |c| match item {
                    Queued::Composed(k) => c.keys(&[k]),
                    Queued::Pressed(k, locks, code) => c.key(k, locks, &code),
                });
                drop(rc);
                sleep_ms(delay_ms).await;
            }
            running.set(false);
        });
    }
}
