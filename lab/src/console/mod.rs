//! An RFB 3.8 server (security None) for the synthetic desktop, over the ticket websocket.
//!
//! It honours SetPixelFormat (any true-colour format), sends only the 64×64 tiles that
//! changed since the last update, as Raw rectangles, and answers FramebufferUpdateRequests
//! one update at a time, as a VNC server does.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::ws::{Message, WebSocket};
use sha2::{Digest, Sha256};

use crate::console_registry::{ConsoleRegistry, ConsoleView};
use crate::desktop::{self, Desktop, HEIGHT, WIDTH};

const TILE: u32 = 64;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct PixelFormat {
    bpp: u8,
    big_endian: bool,
    max: [u16; 3],
    shift: [u8; 3],
}

impl PixelFormat {
    /// ESXi's native format: 32 bpp little-endian, red shift 16.
    const NATIVE: PixelFormat = PixelFormat { bpp: 32, big_endian: false, max: [255, 255, 255], shift: [16, 8, 0] };

    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&[self.bpp, if self.bpp == 32 { 24 } else { self.bpp }, self.big_endian as u8, 1]);
        for m in self.max {
            out.extend_from_slice(&m.to_be_bytes());
        }
        out.extend_from_slice(&[self.shift[0], self.shift[1], self.shift[2], 0, 0, 0]);
    }

    fn pack(&self, rgba: &[u8], out: &mut Vec<u8>) {
        let mut v: u32 = 0;
        for ((&c, &max), &shift) in rgba.iter().zip(&self.max).zip(&self.shift) {
            v |= ((c as u32 * max as u32 + 127) / 255) << shift;
        }
        match (self.bpp, self.big_endian) {
            (8, _) => out.push(v as u8),
            (16, false) => out.extend_from_slice(&(v as u16).to_le_bytes()),
            (16, true) => out.extend_from_slice(&(v as u16).to_be_bytes()),
            (_, false) => out.extend_from_slice(&v.to_le_bytes()),
            (_, true) => out.extend_from_slice(&v.to_be_bytes()),
        }
    }
}

/// Why a session ended, for the lab's log (never the ticket).
#[derive(Debug)]
enum End {
    ClientClosed,
    /// The lab dropped the connection on purpose (a simulated network failure).
    Dropped,
    Protocol(&'static str),
}

pub async fn serve(mut socket: WebSocket, vm: crate::config::Vm, registry: ConsoleRegistry) {
    let vm_name = vm.name.clone();
    let id = registry.open(&vm_name);
    let layout = vm.keyboard_layout.clone().unwrap_or_else(|| "us".into());
    let end = run(&mut socket, &vm_name, &layout, &registry, id).await;
    registry.close(id);
    if let End::Dropped = end {
        // Abort the TCP connection without a websocket close.
        drop(socket);
        return;
    }
    if let End::Protocol(why) = end {
        eprintln!("lab console for {vm_name} ended: {why}");
        let _ = socket.send(Message::Close(None)).await;
    }
}

async fn run(socket: &mut WebSocket, vm_name: &str, layout: &str, registry: &ConsoleRegistry, id: u64) -> End {
    let mut inbuf: Vec<u8> = Vec::new();
    if send(socket, b"RFB 003.008\n".to_vec()).await.is_err() {
        return End::ClientClosed;
    }
    // Version, security type choice, ClientInit: 12 + 1 + 1 bytes, with replies between.
    let Some(version) = read_exact(socket, &mut inbuf, 12).await else { return End::ClientClosed };
    if !version.starts_with(b"RFB 003.") {
        return End::Protocol("client did not send an rfb version");
    }
    if send(socket, vec![1, 1]).await.is_err() {
        return End::ClientClosed;
    }
    let Some(choice) = read_exact(socket, &mut inbuf, 1).await else { return End::ClientClosed };
    if choice[0] != 1 {
        return End::Protocol("client chose a security type we did not offer");
    }
    if send(socket, 0u32.to_be_bytes().to_vec()).await.is_err() {
        return End::ClientClosed;
    }
    if read_exact(socket, &mut inbuf, 1).await.is_none() {
        return End::ClientClosed;
    }
    let mut init = Vec::new();
    init.extend_from_slice(&(WIDTH as u16).to_be_bytes());
    init.extend_from_slice(&(HEIGHT as u16).to_be_bytes());
    PixelFormat::NATIVE.write(&mut init);
    init.extend_from_slice(&(vm_name.len() as u32).to_be_bytes());
    init.extend_from_slice(vm_name.as_bytes());
    if send(socket, init).await.is_err() {
        return End::ClientClosed;
    }

    let mut desktop = Desktop { vm_name: vm_name.to_owned(), ..Default::default() };
    let mut pf = PixelFormat::NATIVE;
    let mut last_sent: Option<Vec<u8>> = None;
    let mut pending: Option<bool> = None; // Some(incremental) while a request waits
    let mut key_events = 0u64;
    let mut keys = Keyboard { layout: layout.to_owned(), ..Keyboard::default() };
    let mut caps_sent = false;
    let mut kicked = registry.kick_receiver();
    let mut tick = tokio::time::interval(Duration::from_millis(250));

    loop {
        // Parse every complete client message in the buffer.
        loop {
            match parse_client_message(&inbuf) {
                Parsed::NeedMore => break,
                Parsed::Bad(why) => return End::Protocol(why),
                Parsed::Msg(len, msg) => {
                    inbuf.drain(..len);
                    match msg {
                        ClientMsg::SetPixelFormat(p) => {
                            pf = p;
                            last_sent = None;
                        }
                        ClientMsg::Update { incremental } => {
                            pending = Some(pending.map(|p| p && incremental).unwrap_or(incremental));
                        }
                        ClientMsg::Key { down, keysym } => {
                            key_events += 1;
                            if down {
                                apply_key(&mut desktop.typed, keysym);
                            }
                        }
                        ClientMsg::ScanKey { down, scancode } => {
                            key_events += 1;
                            if let Some(c) = keys.event(scancode, down) {
                                apply_key(&mut desktop.typed, c);
                            }
                        }
                        ClientMsg::Encodings(list) => {
                            // ServerCaps only for a client that asked (0x574d567a), as ESXi does.
                            if list.contains(&0x574d_567a) && !caps_sent {
                                caps_sent = true;
                                // Scan-code keys, ClientCaps wanted, SessionClose.
                                let caps: u32 = 0x2 | 0x8 | 0x20000;
                                let mut m = vec![127, 0, 0, 8];
                                m.extend_from_slice(&caps.to_be_bytes());
                                if send(socket, m).await.is_err() {
                                    return End::ClientClosed;
                                }
                            }
                        }
                        ClientMsg::SessionClose => {
                            keys.session_close = true;
                            registry.note_session_close(id);
                        }
                        ClientMsg::Pointer { buttons, x, y } => {
                            if buttons & 1 != 0 && desktop.buttons & 1 == 0 {
                                keys.clicks += 1;
                            }
                            desktop.pointer = (x, y);
                            desktop.buttons = buttons;
                        }
                        ClientMsg::CutText(t) => desktop.clipboard = t,
                        ClientMsg::Ignored => {}
                    }
                }
            }
        }

        if let Some(incremental) = pending {
            let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
            let frame = desktop.render(now);
            let prev = if incremental { last_sent.as_deref() } else { None };
            let update = encode_update(&frame, prev, &pf);
            if let Some(update) = update {
                publish(registry, id, &desktop, &frame, key_events, &keys);
                if send(socket, update).await.is_err() {
                    return End::ClientClosed;
                }
                last_sent = Some(frame);
                pending = None;
            }
        }

        tokio::select! {
            msg = socket.recv() => match msg {
                Some(Ok(Message::Binary(b))) => inbuf.extend_from_slice(&b),
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return End::ClientClosed,
                Some(Ok(_)) => {}
            },
            _ = kicked.changed() => {
                if kicked.borrow().1 {
                    // Dropped without a close frame: the browser sees the network fail.
                    return End::Dropped;
                }
                let frame = crate::close_frame(4002, "the lab operator closed this console");
                let _ = socket.send(Message::Close(Some(frame))).await;
                return End::ClientClosed;
            }
            _ = tick.tick() => {}
        }
        if inbuf.len() > 1 << 20 {
            return End::Protocol("client sent more than 1 MiB without a complete message");
        }
    }
}

fn publish(registry: &ConsoleRegistry, id: u64, d: &Desktop, frame: &[u8], key_events: u64, keys: &Keyboard) {
    let region = desktop::region(frame, desktop::TYPED_REGION);
    let hash = Sha256::digest(&region);
    registry.update(
        id,
        ConsoleView {
            vm: d.vm_name.clone(),
            typed: d.typed.clone(),
            pointer: d.pointer,
            buttons: d.buttons,
            key_events,
            typed_region_sha256: hash.iter().map(|b| format!("{b:02x}")).collect(),
            typed_region: desktop::TYPED_REGION,
            scancodes: keys.log.clone(),
            session_close: keys.session_close,
            clicks: keys.clicks,
            clipboard: d.clipboard.clone(),
        },
    );
}

/// Scan codes to characters through the VM's keyboard layout, as a guest OS would.
#[derive(Default)]
struct Keyboard {
    layout: String,
    shift: bool,
    altgr: bool,
    log: Vec<String>,
    session_close: bool,
    clicks: u64,
}

impl Keyboard {
    /// Tracks modifiers; returns the keysym a key press types, if any.
    fn event(&mut self, sc: u16, down: bool) -> Option<u32> {
        self.log.push(format!("{sc:x}{}", if down { '+' } else { '-' }));
        if self.log.len() > 32 {
            self.log.remove(0);
        }
        match sc {
            0x2a | 0x36 => self.shift = down,
            0x138 => self.altgr = down,
            _ => {}
        }
        if !down {
            return None;
        }
        match sc {
            0x0e => return Some(0xff08),
            0x1c | 0x11c => return Some(0xff0d),
            0x39 => return Some(0x20),
            _ => {}
        }
        layout_char(&self.layout, sc, self.shift, self.altgr).map(|c| if (c as u32) < 0x100 { c as u32 } else { 0x0100_0000 + c as u32 })
    }
}

/// The character a key types in a layout: rows of the PC keyboard from scan code 0x02,
/// 0x10, 0x1e and 0x2b.
fn layout_char(layout: &str, sc: u16, shift: bool, altgr: bool) -> Option<char> {
    let (rows, shifted, alt): ([&str; 4], [&str; 4], &[(u16, char)]) = match layout {
        "de" => (
            ["1234567890ß´", "qwertzuiopü+", "asdfghjklöä^", "#yxcvbnm,.-"],
            ["!\"§$%&/()=?`", "QWERTZUIOPÜ*", "ASDFGHJKLÖÄ°", "'YXCVBNM;:_"],
            &[(0x10, '@'), (0x12, '€'), (0x08, '{'), (0x09, '['), (0x0a, ']'), (0x0b, '}'), (0x0c, '\\'), (0x1b, '~')],
        ),
        _ => (
            ["1234567890-=", "qwertyuiop[]", "asdfghjkl;'`", "\\zxcvbnm,./"],
            ["!@#$%^&*()_+", "QWERTYUIOP{}", "ASDFGHJKL:\"~", "|ZXCVBNM<>?"],
            &[],
        ),
    };
    if altgr {
        return alt.iter().find(|(k, _)| *k == sc).map(|(_, c)| *c);
    }
    let table = if shift { shifted } else { rows };
    let (row, start) = match sc {
        0x02..=0x0d => (0, 0x02),
        0x10..=0x1b => (1, 0x10),
        0x1e..=0x29 => (2, 0x1e),
        0x2b..=0x35 => (3, 0x2b),
        0x56 if layout == "de" => return Some(if shift { '>' } else { '<' }),
        _ => return None,
    };
    table[row].chars().nth((sc - start) as usize)
}

fn apply_key(typed: &mut String, keysym: u32) {
    match keysym {
        0xff08 => {
            typed.pop();
        }
        0xff0d | 0xff8d => typed.push_str(" | "),
        0x20..=0x7e | 0xa0..=0xff => typed.push(char::from_u32(keysym).unwrap_or('?')),
        k if (0x0100_0000..0x0111_0000).contains(&k) => typed.push(char::from_u32(k - 0x0100_0000).unwrap_or('?')),
        _ => {}
    }
    if typed.chars().count() > 200 {
        let drop = typed.chars().count() - 200;
        *typed = typed.chars().skip(drop).collect();
    }
}

/// A FramebufferUpdate with the changed 64×64 tiles, or `None` when nothing changed.
fn encode_update(frame: &[u8], prev: Option<&[u8]>, pf: &PixelFormat) -> Option<Vec<u8>> {
    let mut rects = Vec::new();
    for ty in (0..HEIGHT).step_by(TILE as usize) {
        for tx in (0..WIDTH).step_by(TILE as usize) {
            let (w, h) = (TILE.min(WIDTH - tx), TILE.min(HEIGHT - ty));
            let changed = match prev {
                None => true,
                Some(p) => (ty..ty + h).any(|y| {
                    let o = ((y * WIDTH + tx) * 4) as usize;
                    frame[o..o + (w * 4) as usize] != p[o..o + (w * 4) as usize]
                }),
            };
            if changed {
                rects.push((tx, ty, w, h));
            }
        }
    }
    if rects.is_empty() {
        return None;
    }
    let mut out = vec![0, 0];
    out.extend_from_slice(&(rects.len() as u16).to_be_bytes());
    for (x, y, w, h) in rects {
        for v in [x, y, w, h] {
            out.extend_from_slice(&(v as u16).to_be_bytes());
        }
        out.extend_from_slice(&0i32.to_be_bytes());
        for row in y..y + h {
            let o = ((row * WIDTH + x) * 4) as usize;
            for px in frame[o..o + (w * 4) as usize].chunks_exact(4) {
                pf.pack(px, &mut out);
            }
        }
    }
    Some(out)
}

enum ClientMsg {
    SetPixelFormat(PixelFormat),
    Update { incremental: bool },
    Key { down: bool, keysym: u32 },
    ScanKey { down: bool, scancode: u16 },
    Pointer { buttons: u8, x: u16, y: u16 },
    CutText(String),
    Encodings(Vec<i32>),
    SessionClose,
    Ignored,
}

enum Parsed {
    NeedMore,
    Bad(&'static str),
    Msg(usize, ClientMsg),
}

fn parse_client_message(b: &[u8]) -> Parsed {
    let Some(&kind) = b.first() else { return Parsed::NeedMore };
    let be16 = |o: usize| u16::from_be_bytes([b[o], b[o + 1]]);
    let be32 = |o: usize| u32::from_be_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]);
    let need = |n: usize| b.len() < n;
    match kind {
        0 => {
            if need(20) {
                return Parsed::NeedMore;
            }
            let p = &b[4..20];
            if p[3] == 0 || !matches!(p[0], 8 | 16 | 32) {
                return Parsed::Bad("client asked for a pixel format the lab cannot serve");
            }
            let max = [u16::from_be_bytes([p[4], p[5]]), u16::from_be_bytes([p[6], p[7]]), u16::from_be_bytes([p[8], p[9]])];
            Parsed::Msg(20, ClientMsg::SetPixelFormat(PixelFormat { bpp: p[0], big_endian: p[2] != 0, max, shift: [p[10], p[11], p[12]] }))
        }
        2 => {
            if need(4) {
                return Parsed::NeedMore;
            }
            let n = be16(2) as usize;
            if need(4 + 4 * n) {
                return Parsed::NeedMore;
            }
            let list = (0..n).map(|i| be32(4 + 4 * i) as i32).collect();
            Parsed::Msg(4 + 4 * n, ClientMsg::Encodings(list))
        }
        3 => {
            if need(10) {
                return Parsed::NeedMore;
            }
            Parsed::Msg(10, ClientMsg::Update { incremental: b[1] != 0 })
        }
        4 => {
            if need(8) {
                return Parsed::NeedMore;
            }
            Parsed::Msg(8, ClientMsg::Key { down: b[1] != 0, keysym: be32(4) })
        }
        5 => {
            if need(6) {
                return Parsed::NeedMore;
            }
            Parsed::Msg(6, ClientMsg::Pointer { buttons: b[1], x: be16(2), y: be16(4) })
        }
        6 => {
            if need(8) {
                return Parsed::NeedMore;
            }
            let n = be32(4) as usize;
            if n > 1 << 20 {
                return Parsed::Bad("client cut text too long");
            }
            if need(8 + n) {
                return Parsed::NeedMore;
            }
            Parsed::Msg(8 + n, ClientMsg::CutText(b[8..8 + n].iter().map(|&c| c as char).collect()))
        }
        127 => {
            if need(4) {
                return Parsed::NeedMore;
            }
            let len = be16(2) as usize;
            if len < 4 {
                return Parsed::Bad("vmware message shorter than its header");
            }
            if need(len) {
                return Parsed::NeedMore;
            }
            if b[1] == 0 && len >= 8 {
                return Parsed::Msg(len, ClientMsg::ScanKey { down: b[6] != 0, scancode: be16(4) });
            }
            if b[1] == 12 {
                return Parsed::Msg(len, ClientMsg::SessionClose);
            }
            Parsed::Msg(len, ClientMsg::Ignored)
        }
        255 => {
            if need(12) {
                return Parsed::NeedMore;
            }
            Parsed::Msg(12, ClientMsg::Key { down: be16(2) != 0, keysym: be32(4) })
        }
        _ => Parsed::Bad("unknown client message type"),
    }
}

async fn send(socket: &mut WebSocket, bytes: Vec<u8>) -> Result<(), axum::Error> {
    socket.send(Message::Binary(bytes.into())).await
}

async fn read_exact(socket: &mut WebSocket, buf: &mut Vec<u8>, n: usize) -> Option<Vec<u8>> {
    while buf.len() < n {
        match tokio::time::timeout(Duration::from_secs(30), socket.recv()).await {
            Ok(Some(Ok(Message::Binary(b)))) => buf.extend_from_slice(&b),
            Ok(Some(Ok(Message::Close(_)))) | Ok(None) | Ok(Some(Err(_))) | Err(_) => return None,
            Ok(Some(Ok(_))) => {}
        }
    }
    Some(buf.drain(..n).collect())
}
