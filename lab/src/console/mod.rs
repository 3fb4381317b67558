//! The lab's console: the synthetic desktop over the ticket websocket, in ESXi's WebMKS
//! dialect as the public clients that work against ESXi report it.
//!
//! - The start: `RFB 003.008\n` as its own websocket message, security None only, each
//!   handshake step its own message, ServerInit at 32 bpp, depth 24, little-endian,
//!   shifts 16/8/0, named after the VM. With `webmksStart: "serverInit"` the stream
//!   starts at ServerInit instead (VMware's client accepts both).
//! - ServerCaps (127/0) for a client that advertises it; ClientCaps, UpdateAck,
//!   RequestResolution, KeyEvent2 and SessionClose taken; Heartbeat and a reconnect
//!   token sent to a client that says it takes them.
//! - Updates pushed as the desktop changes, paced by UpdateAck, for a client that
//!   advertises ServerPush2; otherwise one per FramebufferUpdateRequest. What goes in
//!   them is `encode.rs`'s.
//! - A close frame from the client is answered before the connection closes.

mod client;
pub mod desktop;
mod encode;
mod keyboard;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::ws::{Message, WebSocket};
use sha2::{Digest, Sha256};

use crate::console_registry::{ConsoleRegistry, ConsoleView};
use client::{ClientMsg, Parsed, PixelFormat};
use desktop::Desktop;
use encode::{Encoder, Extras, Frame};
use keyboard::Keyboard;

/// ServerCaps: scan-code keys, ClientCaps wanted, UpdateAck, RequestResolution,
/// KeyEvent2 (Unicode and keyCode), UpdateCacheInfo wanted, SessionClose.
const SERVER_CAPS: u32 = 0x2 | 0x8 | 0x20 | 0x80 | 0x100 | 0x200 | 0x2000 | 0x20000;
/// ClientCaps bits the lab acts on: Heartbeat, SetReconnectToken.
const CLIENT_HEARTBEAT: u32 = 0x100;
const CLIENT_RECONNECT_TOKEN: u32 = 0x4000;
const HEARTBEAT_EVERY: Duration = Duration::from_secs(5);
/// A moving desktop's photo pans this many pixels this often.
const MOTION_EVERY_MS: u64 = 40;
const MOTION_STEP_PX: u64 = 8;
/// The smallest and largest desktop RequestResolution may ask for.
const MIN_SIZE: (u16, u16) = (320, 200);
const MAX_SIDE: u16 = 4096;

/// How a console session is set up.
pub struct Settings {
    pub vm: crate::config::Vm,
    /// Start at ServerInit, with no handshake.
    pub direct_start: bool,
    /// The clock the desktop shows, in seconds of the day; `None`: the real time.
    pub frozen_clock: Option<u64>,
}

/// Why a session ended, for the lab's log (never the ticket).
#[derive(Debug)]
enum End {
    /// The client sent a close frame, answered.
    ClientClosed,
    /// The connection went away without a close frame.
    Gone,
    /// The lab dropped the connection on purpose (a simulated network failure).
    Dropped,
    /// The lab closed the console (a test hook): its close frame went out.
    ServerClosed,
    Protocol(&'static str),
}

/// What the session knows about its client and its desktop.
struct Session {
    desktop: Desktop,
    width: u32,
    height: u32,
    encoder: Encoder,
    keys: Keyboard,
    view: ConsoleView,
    client_caps: u32,
    update_id: u8,
    /// The frame the client has (after the last update sent).
    shown: Option<Frame>,
    /// Log lines when the shown frame was drawn, so a scroll becomes a CopyRect.
    shown_log_len: usize,
    /// The desktop size changed since the last update.
    resized: bool,
    /// The client asked for an update: incremental or not.
    asked: Option<bool>,
    /// Push mode: the id of the update not yet acknowledged.
    in_flight: Option<u8>,
}

impl Session {
    fn push_mode(&self) -> bool {
        self.encoder.takes(encode::VMW_SERVER_PUSH2)
    }
}

pub async fn serve(mut socket: WebSocket, settings: Settings, registry: ConsoleRegistry) {
    let vm_name = settings.vm.name.clone();
    let id = registry.open(&vm_name);
    let end = run(&mut socket, &settings, &registry, id).await;
    registry.close(id, &format!("{end:?}"));
    match end {
        // Abort the TCP connection without a websocket close.
        End::Dropped => drop(socket),
        End::Protocol(why) => {
            eprintln!("lab console for {vm_name} ended: {why}");
            let _ = socket.send(Message::Close(None)).await;
            finish_close(&mut socket).await;
        }
        _ => {}
    }
}

/// After a close frame went out (either way): reads until the peer's answer or the end,
/// so the closing handshake completes before the connection closes.
async fn finish_close(socket: &mut WebSocket) {
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        while let Some(Ok(m)) = socket.recv().await {
            if matches!(m, Message::Close(_)) {
                break;
            }
        }
    })
    .await;
}

async fn run(socket: &mut WebSocket, settings: &Settings, registry: &ConsoleRegistry, id: u64) -> End {
    let mut inbuf: Vec<u8> = Vec::new();
    let vm_name = settings.vm.name.as_str();
    let mut s = Session {
        desktop: Desktop { vm_name: vm_name.to_owned(), ..Default::default() },
        width: desktop::WIDTH,
        height: desktop::HEIGHT,
        encoder: Encoder::default(),
        keys: Keyboard::new(settings.vm.keyboard_layout.as_deref().unwrap_or("us")),
        view: ConsoleView { vm: vm_name.to_owned(), ..Default::default() },
        client_caps: 0,
        update_id: 0,
        shown: None,
        shown_log_len: 0,
        resized: false,
        asked: None,
        in_flight: None,
    };
    if let Err(end) = start(socket, &mut inbuf, &mut s, settings.direct_start).await {
        return end;
    }
    let mut kicked = registry.kick_receiver();
    let mut copied = registry.copy_receiver();
    // A moving desktop changes every 40 ms; a still one only for its clock.
    let mut tick = tokio::time::interval(Duration::from_millis(if settings.vm.motion { MOTION_EVERY_MS } else { 250 }));
    let began = std::time::Instant::now();
    let mut heartbeat = tokio::time::interval(HEARTBEAT_EVERY);
    let mut beats: u16 = 0;

    loop {
        loop {
            match client::parse(&inbuf) {
                Parsed::NeedMore => break,
                Parsed::Bad(why) => return End::Protocol(why),
                Parsed::Msg(len, msg) => {
                    inbuf.drain(..len);
                    if let Err(end) = handle(socket, &mut s, msg).await {
                        return end;
                    }
                }
            }
        }

        if settings.vm.motion {
            s.desktop.motion = Some((began.elapsed().as_millis() as u64 / MOTION_EVERY_MS * MOTION_STEP_PX) as u32);
        }
        // An update: asked for (classic flow), or pushed when nothing is in flight.
        let due = match (s.push_mode(), s.shown.is_some()) {
            (_, false) => s.asked.is_some(),
            (true, true) => s.in_flight.is_none(),
            (false, true) => s.asked.is_some(),
        };
        if due {
            let secs =
                settings.frozen_clock.unwrap_or_else(|| SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0));
            let frame = Frame { width: s.width, height: s.height, rgba: s.desktop.render(s.width, s.height, secs) };
            let full = s.asked == Some(false) || s.resized;
            let extras = Extras { resized: s.resized, log_scrolled: s.desktop.log_scrolled_since(s.shown_log_len) };
            s.update_id = s.update_id.wrapping_add(1).max(1);
            let prev = if full { None } else { s.shown.as_ref() };
            if let Some(update) = s.encoder.update(s.update_id, &frame, prev, extras) {
                if send(socket, &mut s.view, update).await.is_err() {
                    return End::Gone;
                }
                s.resized = false;
                s.asked = None;
                s.shown_log_len = s.desktop.log.len();
                if s.push_mode() {
                    s.in_flight = Some(s.update_id);
                }
                s.shown = Some(frame);
            } else if s.asked == Some(true) {
                // Nothing changed: the request waits for a change.
            }
        }
        publish(registry, id, &mut s);

        tokio::select! {
            msg = socket.recv() => match msg {
                Some(Ok(Message::Binary(b))) => {
                    s.view.bytes_from_client += b.len() as u64;
                    inbuf.extend_from_slice(&b);
                }
                Some(Ok(Message::Close(_))) => {
                    // Answered before the connection closes (RFC 6455 5.5.1).
                    finish_close(socket).await;
                    return End::ClientClosed;
                }
                None | Some(Err(_)) => return End::Gone,
                Some(Ok(_)) => {}
            },
            _ = kicked.changed() => {
                if kicked.borrow().1 {
                    // Dropped without a close frame: the browser sees the network fail.
                    return End::Dropped;
                }
                let frame = crate::close_frame(4002, "the lab operator closed this console");
                let _ = socket.send(Message::Close(Some(frame))).await;
                finish_close(socket).await;
                return End::ServerClosed;
            }
            _ = copied.changed() => {
                // The guest copied: ServerCutText, UTF-8 as ESXi sends it.
                let text = copied.borrow().1.clone();
                let mut m = vec![3, 0, 0, 0];
                m.extend_from_slice(&(text.len() as u32).to_be_bytes());
                m.extend_from_slice(text.as_bytes());
                if send(socket, &mut s.view, m).await.is_err() {
                    return End::Gone;
                }
            }
            _ = heartbeat.tick() => {
                if s.client_caps & CLIENT_HEARTBEAT != 0 {
                    beats = beats.wrapping_add(1);
                    let mut m = vec![127, 4, 0, 6];
                    m.extend_from_slice(&beats.to_be_bytes());
                    if send(socket, &mut s.view, m).await.is_err() {
                        return End::Gone;
                    }
                }
            }
            _ = tick.tick() => {}
        }
        if inbuf.len() > 1 << 20 {
            return End::Protocol("client sent more than 1 MiB without a complete message");
        }
    }
}

/// The start: the handshake as ESXi sends it (each step its own message), or straight
/// to ServerInit.
async fn start(socket: &mut WebSocket, inbuf: &mut Vec<u8>, s: &mut Session, direct: bool) -> Result<(), End> {
    if !direct {
        send(socket, &mut s.view, b"RFB 003.008\n".to_vec()).await.map_err(|_| End::Gone)?;
        let version = read_exact(socket, inbuf, 12).await.ok_or(End::Gone)?;
        if !version.starts_with(b"RFB 003.") {
            return Err(End::Protocol("client did not send an rfb version"));
        }
        send(socket, &mut s.view, vec![1, 1]).await.map_err(|_| End::Gone)?;
        let choice = read_exact(socket, inbuf, 1).await.ok_or(End::Gone)?;
        if choice[0] != 1 {
            return Err(End::Protocol("client chose a security type we did not offer"));
        }
        send(socket, &mut s.view, 0u32.to_be_bytes().to_vec()).await.map_err(|_| End::Gone)?;
        read_exact(socket, inbuf, 1).await.ok_or(End::Gone)?;
    }
    let mut init = Vec::new();
    init.extend_from_slice(&(s.width as u16).to_be_bytes());
    init.extend_from_slice(&(s.height as u16).to_be_bytes());
    PixelFormat::NATIVE.write(&mut init);
    init.extend_from_slice(&(s.desktop.vm_name.len() as u32).to_be_bytes());
    init.extend_from_slice(s.desktop.vm_name.as_bytes());
    send(socket, &mut s.view, init).await.map_err(|_| End::Gone)
}

/// One client message.
async fn handle(socket: &mut WebSocket, s: &mut Session, msg: ClientMsg) -> Result<(), End> {
    match msg {
        ClientMsg::SetPixelFormat(p) => {
            s.encoder.pf = Some(p);
            s.shown = None;
        }
        ClientMsg::Encodings(list) => {
            // ServerCaps only for a client that asked for them, as ESXi does.
            let first = s.encoder.encodings.is_empty();
            s.encoder.encodings = list;
            s.view.encodings = s.encoder.encodings.clone();
            if first && s.encoder.takes(encode::VMW_SERVER_CAPS) {
                let mut m = vec![127, 0, 0, 8];
                m.extend_from_slice(&SERVER_CAPS.to_be_bytes());
                send(socket, &mut s.view, m).await.map_err(|_| End::Gone)?;
            }
        }
        ClientMsg::Update { incremental } => {
            // Incremental only if every waiting request was (VMware's client sends the
            // update id here, 0 being a full request).
            let inc = incremental != 0;
            s.asked = Some(s.asked.map_or(inc, |a| a && inc));
        }
        ClientMsg::Key { down, keysym } => {
            s.view.key_events += 1;
            if let Some(k) = s.keys.keysym(keysym, down) {
                keyboard::apply_key(&mut s.desktop.typed, &mut s.desktop.log, k);
            }
        }
        ClientMsg::ScanKey { down, scancode } => {
            s.view.key_events += 1;
            if let Some(k) = s.keys.scan(scancode, down) {
                keyboard::apply_key(&mut s.desktop.typed, &mut s.desktop.log, k);
            }
        }
        ClientMsg::Key2 { code, down, raw } => {
            s.view.key_events += 1;
            s.view.key_events2 += 1;
            let keysym = if raw { keyboard_code_keysym(code) } else { keyboard::unicode_keysym(code) };
            if let (true, Some(k)) = (down, keysym) {
                keyboard::apply_key(&mut s.desktop.typed, &mut s.desktop.log, k);
            }
        }
        ClientMsg::Pointer { buttons, x, y } => {
            pointer(s, buttons, x, y);
            // RFB's wheel: buttons 4 to 7, counted as they go down.
            let pressed = buttons & !s.view.buttons_seen;
            s.view.wheel.count(pressed & 0x08 != 0, pressed & 0x10 != 0, pressed & 0x20 != 0, pressed & 0x40 != 0);
            s.view.buttons_seen = buttons;
        }
        ClientMsg::Pointer2 { absolute, x, y, buttons, wheel_y, wheel_x } => {
            if absolute {
                let clamp = |v: i32, max: u32| v.clamp(0, max.saturating_sub(1) as i32) as u16;
                pointer(s, (buttons & 7) as u8, clamp(x, s.width), clamp(y, s.height));
            } else {
                s.view.relative_moves += 1;
            }
            s.view.wheel.count(wheel_y > 0, wheel_y < 0, wheel_x < 0, wheel_x > 0);
        }
        ClientMsg::CutText(t) => s.desktop.clipboard = t,
        ClientMsg::ClientCaps(caps) => {
            s.client_caps = caps;
            s.view.client_caps = caps;
            if caps & CLIENT_RECONNECT_TOKEN != 0 {
                let token = crate::state::random_hex(16);
                let mut m = vec![127, 6];
                m.extend_from_slice(&((4 + token.len()) as u16).to_be_bytes());
                m.extend_from_slice(token.as_bytes());
                send(socket, &mut s.view, m).await.map_err(|_| End::Gone)?;
            }
        }
        ClientMsg::UpdateAck { id, render } => {
            s.view.update_acks += 1;
            s.view.last_render_time = render;
            if s.in_flight == Some(id) {
                s.in_flight = None;
            }
        }
        ClientMsg::RequestResolution { width, height } => {
            let (w, h) = (width.clamp(MIN_SIZE.0, MAX_SIDE) as u32, height.clamp(MIN_SIZE.1, MAX_SIDE) as u32);
            if (w, h) != (s.width, s.height) {
                (s.width, s.height) = (w, h);
                s.resized = true;
                s.view.size = (w, h);
            }
        }
        ClientMsg::CacheInfo { flags, entries, size_kb } => {
            // The lab caches its palette with sub-rectangles, if the client has room for it.
            let (_, _, w, h) = desktop::PALETTE;
            let room = size_kb as u64 * 1024 >= (w * h * 4) as u64;
            if flags & 0x100 != 0 && entries > 0 && room && s.encoder.takes(encode::VMW_UPDATE_CACHE) {
                s.encoder.cache_slots = entries.min(8);
            }
        }
        ClientMsg::SessionClose => {
            s.view.session_close = true;
        }
        ClientMsg::Ignored => {}
    }
    Ok(())
}

fn pointer(s: &mut Session, buttons: u8, x: u16, y: u16) {
    if buttons & 1 != 0 && s.desktop.buttons & 1 == 0 {
        s.view.clicks += 1;
    }
    s.desktop.pointer = (x, y);
    s.desktop.buttons = buttons & 7;
}

/// A JavaScript keyCode (VMware's KeyEvent2 with `raw`): letters, digits, Backspace,
/// Enter and Space.
fn keyboard_code_keysym(code: u32) -> Option<u32> {
    match code {
        8 => Some(0xff08),
        13 => Some(0xff0d),
        32 | 48..=57 => Some(code),
        65..=90 => Some(code + 32),
        _ => None,
    }
}

fn publish(registry: &ConsoleRegistry, id: u64, s: &mut Session) {
    let v = &mut s.view;
    v.typed = s.desktop.typed.clone();
    v.pointer = s.desktop.pointer;
    v.buttons = s.desktop.buttons;
    v.scancodes = s.keys.log.clone();
    v.clipboard = s.desktop.clipboard.clone();
    v.typed_region = desktop::TYPED_REGION;
    v.size = (s.width, s.height);
    if let Some(frame) = &s.shown {
        let region = desktop::region(&frame.rgba, frame.width, desktop::TYPED_REGION);
        v.typed_region_sha256 = Sha256::digest(&region).iter().map(|b| format!("{b:02x}")).collect();
    }
    registry.update(id, v.clone());
}

async fn send(socket: &mut WebSocket, view: &mut ConsoleView, bytes: Vec<u8>) -> Result<(), axum::Error> {
    view.bytes_to_client += bytes.len() as u64;
    socket.send(Message::Binary(bytes.into())).await
}

async fn read_exact(socket: &mut WebSocket, buf: &mut Vec<u8>, n: usize) -> Option<Vec<u8>> {
    while buf.len() < n {
        match tokio::time::timeout(Duration::from_secs(30), socket.recv()).await {
            Ok(Some(Ok(Message::Binary(b)))) => buf.extend_from_slice(&b),
            Ok(Some(Ok(Message::Close(_)))) => {
                finish_close(socket).await;
                return None;
            }
            Ok(None) | Ok(Some(Err(_))) | Err(_) => return None,
            Ok(Some(Ok(_))) => {}
        }
    }
    Some(buf.drain(..n).collect())
}
