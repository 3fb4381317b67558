//! Drives one console: the websocket (subprotocol `binary`) feeds the sans-IO
//! [`Session`]; its bytes go back out; damage is drawn at most once per animation
//! frame with `putImageData` straight from wasm memory.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use js_sys::{ArrayBuffer, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{BinaryType, CanvasRenderingContext2d, CloseEvent, HtmlCanvasElement, ImageData, MessageEvent, WebSocket};

use crate::rfb::ImageFormat;

use crate::api::Secret;
use crate::rfb::session::KeyMode;
use crate::rfb::{Event, KeyInput, Session, SessionConfig};

/// What the console reports to the UI. Carries no secrets.
#[derive(Clone, Debug, PartialEq)]
pub enum DriverEvent {
    SocketOpen,
    Connected { width: u32, height: u32, name: String },
    Resized { width: u32, height: u32 },
    FirstFrame,
    /// The socket closed; `was_open` tells a refused connection from a dropped one.
    Closed { code: u16, reason: String, was_open: bool },
    /// The server sent bytes the engine could not accept; the socket is closed.
    ProtocolError(String),
    Bell,
    ServerCutText(String),
    KeyMode(KeyMode),
    Leds { scroll: bool, num: bool, caps: bool },
    ServerClosed(u32),
}

type Listener = Rc<dyn Fn(DriverEvent)>;

struct Inner {
    session: Session,
    ws: WebSocket,
    canvas: HtmlCanvasElement,
    ctx: CanvasRenderingContext2d,
    on_event: Listener,
    opened: bool,
    finished: bool,
    first_frame: bool,
    raf_pending: bool,
    raf: Option<Closure<dyn FnMut(f64)>>,
    handlers: Vec<Closure<dyn FnMut(JsValue)>>,
    buttons: u8,
    /// The guest wants relative mouse motion (VMware cursor state): pointer lock.
    relative: bool,
    /// Itself, for the image decoder's continuation.
    me: Weak<RefCell<Inner>>,
}

/// A running console. Dropping it says goodbye to the server and closes the socket.
pub struct ConsoleDriver {
    inner: Rc<RefCell<Inner>>,
}

impl ConsoleDriver {
    /// Opens `url` (already checked by the ticket policy) and draws into `canvas`.
    pub fn connect(url: &Secret, canvas: HtmlCanvasElement, on_event: Listener) -> Result<Self, String> {
        let ctx = canvas
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
            .ok_or("This browser cannot draw on a canvas.")?;
        let protocols = js_sys::Array::of1(&JsValue::from_str("binary"));
        let ws = WebSocket::new_with_str_sequence(url.expose(), &protocols)
            .map_err(|_| "The browser refused to open the console connection.".to_string())?;
        ws.set_binary_type(BinaryType::Arraybuffer);
        let inner = Rc::new(RefCell::new(Inner {
            session: Session::new(SessionConfig::default()),
            ws: ws.clone(),
            canvas,
            ctx,
            on_event,
            opened: false,
            finished: false,
            first_frame: false,
            raf_pending: false,
            raf: None,
            handlers: Vec::new(),
            buttons: 0,
            relative: false,
            me: Weak::new(),
        }));
        inner.borrow_mut().me = Rc::downgrade(&inner);
        install_handlers(&inner, &ws);
        Ok(ConsoleDriver { inner })
    }

    /// A key from the page (`KeyboardEvent.code` / `.key`), already translated.
    pub fn key(&self, key: KeyInput) {
        self.with(|i| i.session.send_key(key));
    }

    /// Several keys in order, e.g. Ctrl+Alt+Del.
    pub fn keys(&self, keys: &[KeyInput]) {
        self.with(|i| keys.iter().for_each(|k| i.session.send_key(*k)));
    }

    /// Pointer at client coordinates with the DOM `buttons` mask (1 left, 2 right, 4 middle).
    pub fn pointer(&self, client_x: f64, client_y: f64, dom_buttons: u16) {
        self.with(|i| {
            let Some((x, y)) = i.to_framebuffer(client_x, client_y) else { return };
            let b = rfb_buttons(dom_buttons);
            i.buttons = b;
            i.session.send_pointer(x, y, b);
        });
    }

    /// True when the guest uses a relative mouse: the page should lock the pointer.
    pub fn wants_pointer_lock(&self) -> bool {
        self.inner.try_borrow().map(|i| i.relative).unwrap_or(false)
    }

    /// Mouse motion while the pointer is locked (`movementX/Y`).
    pub fn pointer_motion(&self, dx: i32, dy: i32, dom_buttons: u16) {
        self.with(|i| {
            i.session.send_relative_pointer(dx, dy, rfb_buttons(dom_buttons));
        });
    }

    pub fn wheel(&self, client_x: f64, client_y: f64, dy: f64, dx: f64) {
        self.with(|i| {
            if let Some((x, y)) = i.to_framebuffer(client_x, client_y) {
                let b = i.buttons;
                i.session.send_pointer(x, y, b);
            }
            i.session.send_wheel(dy.signum() as i32, dx.signum() as i32);
        });
    }

    /// How keys go out, as the server announced (keysyms, QEMU or VMware scan codes).
    pub fn key_mode(&self) -> KeyMode {
        self.inner.try_borrow().map(|i| i.session.key_mode()).unwrap_or(KeyMode::Keysym)
    }

    /// Asks the guest to resize (VMware RequestResolution); false when the server cannot.
    pub fn request_resolution(&self, w: u32, h: u32) -> bool {
        let mut ok = false;
        self.with(|i| ok = i.session.request_resolution(w.min(8192) as u16, h.min(8192) as u16));
        ok
    }

    /// The framebuffer size, once known.
    pub fn size(&self) -> Option<(u32, u32)> {
        let i = self.inner.try_borrow().ok()?;
        i.session.framebuffer().map(|f| (f.width(), f.height()))
    }

    pub fn clipboard(&self, text: &str) {
        self.with(|i| i.session.send_clipboard(text));
    }

    /// Ends the session now (also done on drop).
    pub fn disconnect(&self) {
        let mut i = self.inner.borrow_mut();
        i.shutdown();
    }

    fn with(&self, f: impl FnOnce(&mut Inner)) {
        let Ok(mut i) = self.inner.try_borrow_mut() else { return };
        if i.finished {
            return;
        }
        f(&mut i);
        i.flush();
    }
}

impl Drop for ConsoleDriver {
    fn drop(&mut self) {
        if let Ok(mut i) = self.inner.try_borrow_mut() {
            i.shutdown();
        }
    }
}

impl Inner {
    fn flush(&mut self) {
        let out = self.session.take_transmit();
        if !out.is_empty() && self.ws.ready_state() == WebSocket::OPEN {
            let _ = self.ws.send_with_u8_array(&out);
        }
    }

    fn shutdown(&mut self) {
        if self.finished {
            return;
        }
        self.finished = true;
        self.session.close();
        self.flush();
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        self.ws.set_onerror(None);
        let _ = self.ws.close();
    }

    fn to_framebuffer(&self, client_x: f64, client_y: f64) -> Option<(i32, i32)> {
        let fb = self.session.framebuffer()?;
        let r = self.canvas.get_bounding_client_rect();
        if r.width() <= 0.0 || r.height() <= 0.0 {
            return None;
        }
        let x = ((client_x - r.left()) * fb.width() as f64 / r.width()).floor() as i32;
        let y = ((client_y - r.top()) * fb.height() as f64 / r.height()).floor() as i32;
        Some((x, y))
    }

    /// Puts the damaged rectangles; returns true when something was drawn.
    fn draw(&mut self) -> bool {
        let damage = self.session.take_damage();
        let Some(fb) = self.session.framebuffer() else { return false };
        if damage.is_empty() {
            return false;
        }
        let (w, h) = (fb.width(), fb.height());
        // A view of wasm memory, built right before use (memory growth detaches old views).
        let Ok(image) = ImageData::new_with_u8_clamped_array_and_sh(Clamped(fb.pixels()), w, h) else { return false };
        for r in damage {
            let _ = self.ctx.put_image_data_with_dirty_x_and_dirty_y_and_dirty_width_and_dirty_height(
                &image, 0.0, 0.0, r.x as f64, r.y as f64, r.w as f64, r.h as f64,
            );
        }
        true
    }
}

/// DOM `buttons` (1 left, 2 right, 4 middle) to the RFB mask (bit 0 left, 1 middle, 2 right).
fn rfb_buttons(dom: u16) -> u8 {
    (dom & 1) as u8 | ((dom & 4) >> 1) as u8 | ((dom & 2) << 1) as u8
}

fn emit(inner: &Rc<RefCell<Inner>>, events: Vec<DriverEvent>) {
    if events.is_empty() {
        return;
    }
    let listener = inner.borrow().on_event.clone();
    for e in events {
        listener(e);
    }
}

fn install_handlers(inner: &Rc<RefCell<Inner>>, ws: &WebSocket) {
    let weak = Rc::downgrade(inner);
    let on_open = handler(&weak, |i, _| {
        i.opened = true;
        vec![DriverEvent::SocketOpen]
    });
    let on_message = handler(&weak, |i, ev| {
        let Ok(msg) = ev.dyn_into::<MessageEvent>() else { return vec![] };
        let Ok(buf) = msg.data().dyn_into::<ArrayBuffer>() else { return vec![] };
        let bytes = Uint8Array::new(&buf).to_vec();
        receive(i, &bytes)
    });
    let on_close = handler(&weak, |i, ev| {
        let (code, reason) = ev.dyn_into::<CloseEvent>().map(|c| (c.code(), c.reason())).unwrap_or((1006, String::new()));
        let was_open = i.opened;
        i.finished = true;
        vec![DriverEvent::Closed { code, reason, was_open }]
    });
    ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    let weak_raf = weak.clone();
    let raf = Closure::<dyn FnMut(f64)>::new(move |_t: f64| {
        let Some(inner) = weak_raf.upgrade() else { return };
        let first = {
            let mut i = inner.borrow_mut();
            i.raf_pending = false;
            let drew = i.draw();
            let first = drew && !i.first_frame;
            if first {
                i.first_frame = true;
            }
            first
        };
        if first {
            emit(&inner, vec![DriverEvent::FirstFrame]);
        }
    });
    let mut i = inner.borrow_mut();
    i.handlers = vec![on_open, on_message, on_close];
    i.raf = Some(raf);
}

fn handler(
    weak: &Weak<RefCell<Inner>>,
    f: impl Fn(&mut Inner, JsValue) -> Vec<DriverEvent> + 'static,
) -> Closure<dyn FnMut(JsValue)> {
    let weak = weak.clone();
    Closure::<dyn FnMut(JsValue)>::new(move |ev: JsValue| {
        let Some(inner) = weak.upgrade() else { return };
        let events = {
            let Ok(mut i) = inner.try_borrow_mut() else { return };
            f(&mut i, ev)
        };
        emit(&inner, events);
    })
}

fn receive(i: &mut Inner, bytes: &[u8]) -> Vec<DriverEvent> {
    let result = i.session.receive(bytes);
    after_engine(i, result)
}

/// Turns what the engine did into events, sends its bytes, schedules a draw, and starts
/// the browser's decoder for an image the engine is waiting on.
fn after_engine(i: &mut Inner, result: Result<(), crate::rfb::RfbError>) -> Vec<DriverEvent> {
    let mut out = Vec::new();
    if let Err(e) = result {
        out.push(DriverEvent::ProtocolError(e.sentence()));
        i.shutdown();
        return out;
    }
    let mut frame = false;
    while let Some(ev) = i.session.poll_event() {
        match ev {
            Event::Connected { width, height, name } => {
                i.canvas.set_width(width);
                i.canvas.set_height(height);
                out.push(DriverEvent::Connected { width, height, name });
            }
            Event::Resized { width, height } => {
                i.canvas.set_width(width);
                i.canvas.set_height(height);
                out.push(DriverEvent::Resized { width, height });
            }
            Event::FrameComplete => frame = true,
            Event::Bell => out.push(DriverEvent::Bell),
            Event::ServerCutText(t) => out.push(DriverEvent::ServerCutText(t)),
            Event::KeyMode(m) => out.push(DriverEvent::KeyMode(m)),
            Event::Leds { scroll, num, caps } => out.push(DriverEvent::Leds { scroll, num, caps }),
            Event::ServerClosed(r) => out.push(DriverEvent::ServerClosed(r)),
            Event::DecodeImage { format, data, width, height } => {
                if let Some(me) = i.me.upgrade() {
                    wasm_bindgen_futures::spawn_local(decode_image(me, format, data, width, height));
                }
            }
            Event::Cursor(img) => set_css_cursor(&i.canvas, &img),
            Event::CursorState { visible, absolute } => {
                i.relative = !absolute;
                if !visible {
                    let _ = i.canvas.style().set_property("cursor", "none");
                }
            }
            Event::Typematic { .. } | Event::ServerCaps(_) => {}
        }
    }
    i.flush();
    if frame && !i.raf_pending {
        if let (Some(w), Some(raf)) = (web_sys::window(), i.raf.as_ref()) {
            if w.request_animation_frame(raf.as_ref().unchecked_ref()).is_ok() {
                i.raf_pending = true;
            }
        }
    }
    out
}

/// Decodes a JPEG/PNG rectangle with the browser (`createImageBitmap`), reads its pixels
/// back, and lets the engine continue with everything that waited behind it.
async fn decode_image(inner: Rc<RefCell<Inner>>, format: ImageFormat, data: Vec<u8>, width: u32, height: u32) {
    let rgba = browser_decode(format, &data, width, height).await;
    let events = {
        let Ok(mut i) = inner.try_borrow_mut() else { return };
        if i.finished {
            return;
        }
        let result = i.session.image_decoded(rgba);
        after_engine(&mut i, result)
    };
    emit(&inner, events);
}

async fn browser_decode(format: ImageFormat, data: &[u8], width: u32, height: u32) -> Result<Vec<u8>, String> {
    let window = web_sys::window().ok_or("no window")?;
    let parts = js_sys::Array::of1(&Uint8Array::from(data).into());
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(format.mime());
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts).map_err(|_| "blob")?;
    let promise = window.create_image_bitmap_with_blob(&blob).map_err(|_| "createImageBitmap")?;
    let bitmap: web_sys::ImageBitmap = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|_| format!("the browser could not decode a {} rectangle", format.mime()))?
        .dyn_into()
        .map_err(|_| "not an ImageBitmap")?;
    if (bitmap.width(), bitmap.height()) != (width, height) {
        return Err(format!("image is {}x{}, its rectangle {width}x{height}", bitmap.width(), bitmap.height()));
    }
    let document = window.document().ok_or("no document")?;
    let scratch: HtmlCanvasElement = document.create_element("canvas").map_err(|_| "canvas")?.dyn_into().map_err(|_| "canvas")?;
    scratch.set_width(width);
    scratch.set_height(height);
    let ctx: CanvasRenderingContext2d = scratch
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into().ok())
        .ok_or("no 2d context")?;
    ctx.draw_image_with_image_bitmap(&bitmap, 0.0, 0.0).map_err(|_| "drawImage")?;
    bitmap.close();
    let image = ctx.get_image_data(0.0, 0.0, width as f64, height as f64).map_err(|_| "getImageData")?;
    Ok(image.data().0)
}

/// The server's cursor image becomes the canvas's CSS cursor (a PNG data URL with its
/// hotspot). Browsers ignore cursors over 128 px; those fall back to the default.
fn set_css_cursor(canvas: &HtmlCanvasElement, img: &crate::rfb::cursor::CursorImage) {
    let style = canvas.style();
    if img.width == 0 || img.height == 0 || img.width > 128 || img.height > 128 {
        let _ = style.set_property("cursor", "default");
        return;
    }
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    let Ok(scratch) = doc.create_element("canvas").map(|e| e.unchecked_into::<HtmlCanvasElement>()) else { return };
    scratch.set_width(img.width);
    scratch.set_height(img.height);
    let Some(ctx) = scratch.get_context("2d").ok().flatten().and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok()) else { return };
    let Ok(data) = ImageData::new_with_u8_clamped_array_and_sh(Clamped(&img.rgba), img.width, img.height) else { return };
    let _ = ctx.put_image_data(&data, 0.0, 0.0);
    if let Ok(url) = scratch.to_data_url_with_type("image/png") {
        let _ = style.set_property("cursor", &format!("url(\"{url}\") {} {}, default", img.hotspot_x, img.hotspot_y));
    }
}
