//! "Type text": planned key strokes sent one at a time, `typingDelayMs` apart, until
//! done, cancelled, or the console closes. One typing job at a time per console.

use std::cell::{Cell, RefCell};
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
