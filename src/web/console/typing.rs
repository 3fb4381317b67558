//! "Type text": planned key strokes sent one at a time, `typingDelayMs` apart, until
//! done, cancelled, or the console closes. One typing job at a time per console.

use std::cell::Cell;
use std::rc::Rc;

use crate::rfb::KeyInput;
use crate::web::timers::sleep_ms;

use super::driver::{act, WeakShared};

/// The current job's number; a newer job or `cancel` makes older ones stop.
#[derive(Default)]
pub struct Typing {
    current: Rc<Cell<u32>>,
}

impl Typing {
    pub fn cancel(&self) {
        self.current.set(self.current.get().wrapping_add(1));
    }

    /// Sends `keys`; resolves to `Err(sentence)` when cancelled or the console closed.
    pub(super) fn run(
        &self,
        shared: WeakShared,
        keys: Vec<KeyInput>,
        delay_ms: u32,
        progress: impl Fn(usize, usize) + 'static,
    ) -> impl std::future::Future<Output = Result<(), String>> {
        self.cancel();
        let mine = self.current.get();
        let current = self.current.clone();
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
