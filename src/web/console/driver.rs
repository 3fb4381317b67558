//! The running console's heart: the core in a `RefCell`, and the pump that does the
//! core's [`Work`] with the adapters (socket, painter, image decoder, cursor, timers)
//! and feeds what they report back, tagged with the attempt's generation. The input
//! listeners, the typing job and the runner all reach the core through [`act`].
//!
//! No `RefCell` borrow is held while a host callback runs, so a callback may call back
//! into the console (a page's `disconnect` handler calling `reconnect()`, say).

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;

use crate::console::{AcquireError, ConsoleCore, ConsoleStatus, HostEvent, IssuedTicket, Timer, Work};
use crate::rfb::ImageFormat;
use crate::web::now_ms;
use crate::web::timers::Timeout;

use super::cursor::CursorStyle;
use super::image_decoder;
use super::painter::Painter;
use super::screen::Screen;
use super::socket::{ConsoleSocket, SocketEvent};

pub type TicketFuture = Pin<Box<dyn Future<Output = Result<IssuedTicket, AcquireError>>>>;

/// What the runner needs from whoever embeds it.
#[derive(Clone)]
pub struct RunnerHooks {
    /// Gets a ticket for each attempt (vCenter, a portal's backend, or one handed in).
    pub acquire_ticket: Rc<dyn Fn() -> TicketFuture>,
    pub on_status: Rc<dyn Fn(ConsoleStatus)>,
    pub on_host_event: Rc<dyn Fn(HostEvent)>,
    /// The API session is gone (the app returns to its login).
    pub on_session_lost: Rc<dyn Fn(String)>,
}

pub struct Shared {
    pub(super) core: ConsoleCore,
    pub(super) painter: Painter,
    pub(super) screen: Screen,
    pub(super) cursor: CursorStyle,
    pub(super) socket: Option<ConsoleSocket>,
    /// Sockets closing at the page's request, kept until their close is reported.
    pub(super) closing: Vec<ConsoleSocket>,
    /// One running timer of each kind; dropping one cancels it.
    pub(super) timers: HashMap<Timer, Timeout>,
    pub(super) raf: Option<Closure<dyn FnMut(f64)>>,
    /// The animation frame asked for and not yet run.
    pub(super) raf_id: Option<i32>,
    pub(super) hooks: RunnerHooks,
    /// `settled()` promises to resolve once the core is settled and nothing is left to paint.
    pub(super) settle_waiters: Vec<js_sys::Function>,
    pub(super) images: ImagesInFlight,
}

/// Images decoding side by side; each is drawn, and the core told, in the order it
/// handed them out.
#[derive(Default)]
pub(super) struct ImagesInFlight {
    /// Numbers handed out so far; the next answer due is `answered + 1`.
    issued: u64,
    answered: u64,
    /// Slot `i` is image `answered + 1 + i`: `Some` once decoded, waiting for its turn.
    done: VecDeque<Option<DecodedImage>>,
}

pub(super) struct DecodedImage {
    generation: u32,
    x: u32,
    y: u32,
    format: ImageFormat,
    /// For the update cache: its pixels go back to the core, it is never drawn.
    keep: bool,
    image: Result<web_sys::HtmlImageElement, String>,
}

/// What becomes of a decoded image, in its turn.
enum Answer {
    Drawn(Result<(), String>),
    Pixels(Result<Vec<u8>, String>),
}

/// Draws every decoded image whose turn it is, and tells the core. The damage so far is
/// painted first: the engine drops what lies under the image either way, but with none
/// left it can merge its canvas-only regions instead of asking for read-backs.
fn draw_images_in_order(rc: &Rc<RefCell<Shared>>) {
    loop {
        let (generation, answer) = {
            let Ok(mut s) = rc.try_borrow_mut() else { return };
            let Some(Some(_)) = s.images.done.front() else { return };
            let Some(Some(image)) = s.images.done.pop_front() else { return };
            s.images.answered += 1;
            let current = image.generation == s.core.generation();
            let answer = match image.image {
                Err(e) if image.keep => Answer::Pixels(Err(e)),
                Err(e) => Answer::Drawn(Err(e)),
                Ok(img) => {
                    let answer = match (image.keep, current) {
                        (true, _) => Answer::Pixels(super::painter::pixels_of(&img)),
                        // An older attempt's image never touches the canvas.
                        (false, false) => Answer::Drawn(Ok(())),
                        (false, true) => {
                            s.paint_damage();
                            Answer::Drawn(s.painter.draw_image(&img, image.x, image.y, image.format == ImageFormat::Png))
                        }
                    };
                    // Lets the browser free the decoded picture now (as noVNC does).
                    img.set_src("");
                    answer
                }
            };
            (image.generation, answer)
        };
        match answer {
            Answer::Drawn(drawn) => act(rc, |c| c.image_drawn(generation, drawn)),
            Answer::Pixels(rgba) => act(rc, |c| c.image_decoded(generation, rgba)),
        }
    }
}

/// Runs `f` on the core later (a future, a timer, a socket event), if the console
/// still exists by then.
pub(super) fn act_weak(weak: &WeakShared, f: impl FnOnce(&mut ConsoleCore)) {
    if let Some(rc) = weak.upgrade() {
        act(&rc, f);
    }
}

/// Runs `f` on the core of `rc` and pumps its work.
pub(super) fn act<T>(rc: &Rc<RefCell<Shared>>, f: impl FnOnce(&mut ConsoleCore) -> T) -> T {
    let out = f(&mut rc.borrow_mut().core);
    pump(rc);
    out
}

/// Does every piece of work the core has; host callbacks run with no borrow held.
fn pump(rc: &Rc<RefCell<Shared>>) {
    loop {
        let work = {
            let Ok(mut s) = rc.try_borrow_mut() else { return };
            s.core.poll()
        };
        let Some(work) = work else { return resolve_if_settled(rc) };
        // A hook is cloned out of the borrow only for the work that calls one.
        let hooks = || rc.borrow().hooks.clone();
        let weak = Rc::downgrade(rc);
        match work {
            Work::Host(ev) => (hooks().on_host_event)(ev),
            Work::WriteLocalClipboard { text } => super::clipboard::write_local(&text),
            Work::Status => {
                let status = rc.borrow().core.status().clone();
                sync_screen(rc, &status);
                (hooks().on_status)(status);
            }
            Work::SessionLost(sentence) => (hooks().on_session_lost)(sentence),
            Work::AcquireTicket { generation } => {
                let fut = (hooks().acquire_ticket)();
                spawn_local(async move {
                    let result = fut.await;
                    let now = now_ms();
                    let at = result.as_ref().ok().and_then(|t| t.issued_at_ms).unwrap_or(now);
                    act_weak(&weak, |c| c.ticket_acquired(generation, result.map(|t| t.ticket), at));
                });
            }
            Work::DecodeImage { generation, format, data, x, y, width, height, keep } => {
                // Decoded side by side, drawn in the order handed out (the engine's rule).
                let seq = {
                    let mut s = rc.borrow_mut();
                    s.images.issued += 1;
                    s.images.issued
                };
                spawn_local(async move {
                    let image = image_decoder::decode(format, &data, width, height).await;
                    let Some(rc) = weak.upgrade() else { return };
                    {
                        let mut s = rc.borrow_mut();
                        let slot = (seq - s.images.answered - 1) as usize;
                        if s.images.done.len() <= slot {
                            s.images.done.resize_with(slot + 1, || None);
                        }
                        s.images.done[slot] = Some(DecodedImage { generation, x, y, format, keep, image });
                    }
                    draw_images_in_order(&rc);
                });
            }
            Work::PaintNow { generation } => {
                // Shown at once, in this task: the engine waits at the update's end.
                rc.borrow_mut().show();
                act(rc, |c| c.painted(generation));
            }
            Work::ReadBack { generation, rects } => {
                let pixels = rc.borrow_mut().painter.read(&rects);
                act(rc, |c| c.canvas_read(generation, pixels));
            }
            Work::OpenSocket { generation, url } => {
                let opened = ConsoleSocket::open(&url, generation, move |ev| match ev {
                    SocketEvent::Open => act_weak(&weak, |c| c.socket_opened(generation)),
                    SocketEvent::Bytes(b) => act_weak(&weak, |c| c.received(generation, &b)),
                    SocketEvent::Closed { code, reason, clean } => {
                        if let Some(rc) = weak.upgrade() {
                            rc.borrow_mut().closing.retain(|s| s.generation != generation);
                            act(&rc, |c| c.socket_closed(generation, code, &reason, clean));
                        }
                    }
                });
                match opened {
                    Ok(sock) => rc.borrow_mut().socket = Some(sock),
                    // The browser refused the URL outright: the same as a socket that never opened.
                    Err(_) => act(rc, |c| c.socket_closed(generation, 1006, "", false)),
                }
            }
            Work::StartTimer { generation, timer, ms } => {
                let t = Timeout::new(ms.min(i32::MAX as u32) as i32, move || act_weak(&weak, |c| c.timer_fired(generation, timer)));
                let mut s = rc.borrow_mut();
                match t {
                    Some(t) => s.timers.insert(timer, t),
                    None => s.timers.remove(&timer),
                };
            }
            other => rc.borrow_mut().execute(other),
        }
    }
}

impl Shared {
    pub(super) fn new(core: ConsoleCore, painter: Painter, screen: Screen, cursor: CursorStyle, hooks: RunnerHooks) -> Rc<RefCell<Shared>> {
        let shared = Rc::new(RefCell::new(Shared {
            core,
            painter,
            screen,
            cursor,
            socket: None,
            closing: Vec::new(),
            timers: HashMap::new(),
            raf: None,
            raf_id: None,
            hooks,
            settle_waiters: Vec::new(),
            images: ImagesInFlight::default(),
        }));
        let weak = Rc::downgrade(&shared);
        shared.borrow_mut().screen.watch(weak.clone());
        shared.borrow_mut().raf = Some(Closure::<dyn FnMut(f64)>::new(move |_t: f64| {
            if let Some(rc) = weak.upgrade() {
                paint_now(&rc);
            }
        }));
        shared
    }

    /// Work that only touches the adapters.
    pub(super) fn execute(&mut self, work: Work) {
        match work {
            Work::Send { generation, bytes } => {
                if let Some(s) = self.socket.as_ref().filter(|s| s.generation == generation) {
                    s.send(&bytes);
                }
            }
            Work::CloseSocket { generation } => {
                if let Some(s) = self.socket.take_if(|s| s.generation == generation) {
                    s.close();
                    self.closing.push(s);
                }
            }
            Work::Resize { width, height } => {
                self.painter.resize(width, height);
                let scale = self.core.status().scale;
                self.screen.apply(scale, Some((width, height)));
            }
            Work::Paint { .. } => {
                if self.raf_id.is_none() {
                    if let (Some(w), Some(raf)) = (web_sys::window(), self.raf.as_ref()) {
                        self.raf_id = w.request_animation_frame(raf.as_ref().unchecked_ref()).ok();
                    }
                }
            }
            Work::CancelTimer { timer } => {
                self.timers.remove(&timer);
            }
            Work::Cursor(img) => self.cursor.set_image(&img),
            Work::CursorVisible(v) => self.cursor.set_visible(v),
            // Handled by `pump`, which needs the Rc.
            Work::Host(_)
            | Work::WriteLocalClipboard { .. }
            | Work::Status
            | Work::SessionLost(_)
            | Work::AcquireTicket { .. }
            | Work::DecodeImage { .. }
            | Work::ReadBack { .. }
            | Work::PaintNow { .. }
            | Work::OpenSocket { .. }
            | Work::StartTimer { .. } => {}
        }
    }

    /// Draws the damage now into the painter's back canvas (before showing it, or before
    /// an image that must land on top).
    fn paint_damage(&mut self) {
        let damage = self.core.take_damage();
        if let Some(fb) = self.core.framebuffer() {
            self.painter.paint_back(fb, &damage);
        }
    }

    /// The whole update the engine holds goes on screen.
    fn show(&mut self) {
        let damage = self.core.take_damage();
        if let Some(fb) = self.core.framebuffer() {
            self.painter.show(fb, &damage);
        }
    }
}

/// The screen follows the status: its styles for the scale, and in `Remote` scale, once
/// the console runs, the guest asked for the container's size (the `ResizeObserver`
/// reports later changes).
fn sync_screen(rc: &Rc<RefCell<Shared>>, status: &ConsoleStatus) {
    let size = {
        let Ok(mut s) = rc.try_borrow_mut() else { return };
        s.screen.apply(status.scale, status.desktop.as_ref().map(|d| (d.0, d.1)));
        s.screen.size()
    };
    if status.scale == crate::console::Scale::Remote && status.running() {
        act(rc, |c| c.fit_guest(size.0, size.1));
    }
}

/// Resolves the `settled()` promises once everything received is on the canvas.
fn resolve_if_settled(rc: &Rc<RefCell<Shared>>) {
    let waiters = {
        let Ok(mut s) = rc.try_borrow_mut() else { return };
        if s.settle_waiters.is_empty() || !s.core.is_settled() || s.raf_id.is_some() {
            return;
        }
        std::mem::take(&mut s.settle_waiters)
    };
    for resolve in waiters {
        let _ = resolve.call0(&JsValue::UNDEFINED);
    }
}

/// The animation frame: where the core says the engine holds a whole update, show it
/// and tell the core; otherwise the core asks again (`Work::PaintNow`) at the update's end.
fn paint_now(rc: &Rc<RefCell<Shared>>) {
    let generation = {
        let Ok(mut s) = rc.try_borrow_mut() else { return };
        s.raf_id = None;
        let generation = s.core.generation();
        if !s.core.frame_due(generation) {
            drop(s);
            // Waiting for the rest of an update may be all there is to do.
            return resolve_if_settled(rc);
        }
        s.show();
        generation
    };
    act(rc, |c| c.painted(generation));
}

pub(super) type WeakShared = Weak<RefCell<Shared>>;
