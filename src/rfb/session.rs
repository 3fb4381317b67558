//! The RFB client state machine: handshake, server messages, rectangles, input.
//!
//! Phases are named after what they expect next (rustls style). Each step consumes
//! one unit (a handshake message, an FBU header, one rectangle, one server message)
//! or nothing; partial input waits in the buffer for the next [`Session::receive`].

use std::collections::VecDeque;

use super::clipboard;
use super::cursor::CursorImage;
use super::decoders::{self, ImageFormat, Progress, RectState, Streams, Target};
use super::encoding as enc;
use super::error::RfbError;
use super::framebuffer::{check_size, Framebuffer, Rect};
use super::messages::{self, vmware};
use super::pixel_format::PixelFormat;
use super::reader::{Incomplete, Reader};
use crate::api::Secret;

/// Largest ServerCutText / desktop name / VMware message we accept.
pub const MAX_MESSAGE: usize = 16 * 1024 * 1024;

/// VMware ServerCaps bits (webmks-console.md §1.7).
pub mod caps {
    pub const KEY_EVENT: u32 = 0x2;
    pub const CLIENT_CAPS_WANTED: u32 = 0x8;
    pub const UPDATE_ACK: u32 = 0x20;
    pub const REQUEST_RESOLUTION: u32 = 0x80;
    pub const SESSION_CLOSE: u32 = 0x20000;
    /// ClientCaps we announce: SessionClose.
    pub const CLIENT_SESSION_CLOSE: u32 = 0x8000;
}

#[derive(Clone, Debug)]
pub struct SessionConfig {
    /// Encodings to advertise, most preferred first.
    pub encodings: Vec<i32>,
    /// ClientInit shared flag.
    pub shared: bool,
    /// Password for VNC Authentication on plain VNC servers.
    pub password: Option<Secret>,
    /// Ask for 32-bpp RGBX with SetPixelFormat (never on the WebMKS variant).
    pub set_pixel_format: bool,
    /// Decodes JPEG/PNG rectangles in place (natively). `None`: the engine emits
    /// [`Event::DecodeImage`] and waits for [`Session::image_decoded`] (the browser).
    pub image_decoder: Option<ImageDecoder>,
    /// Pixels one [`Session::receive`] call may draw before it stops and leaves the rest
    /// for the next call ([`Session::has_more_work`]), so a page stays responsive. `None`:
    /// everything at once (native callers).
    pub work_budget: Option<u64>,
    /// Take the server's clipboard text (a page may forbid it): when false, the engine
    /// never asks for it and drops what arrives.
    pub clipboard_from_server: bool,
}

/// Images out for decoding at once: enough to keep the browser's decoders busy, few
/// enough that their bytes stay small.
const MAX_IMAGES_IN_FLIGHT: usize = 16;

/// One FramebufferUpdate may draw at most this many screens' worth of pixels: real
/// updates draw one or two; more is a server asking for absurd work.
pub const MAX_UPDATE_SCREENS: u64 = 64;

/// A synchronous image decoder: format, bytes, expected size → RGBA.
pub type ImageDecoder = fn(ImageFormat, &[u8], u32, u32) -> Result<Vec<u8>, String>;

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            encodings: enc::default_encodings(),
            shared: true,
            password: None,
            set_pixel_format: true,
            image_decoder: None,
            clipboard_from_server: true,
            work_budget: None,
        }
    }
}

/// Key input: the keysym for plain RFB and, when known, the PC scan code
/// (set 1, 0x100 added for E0-prefixed keys) for VMware and QEMU servers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyInput {
    pub keysym: u32,
    pub scancode: Option<u16>,
    pub down: bool,
}

/// How key events go out; decided by what the server announced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyMode {
    Keysym,
    QemuExtended,
    VmwareScancode,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// ServerInit arrived: the desktop exists.
    Connected {
        width: u32,
        height: u32,
        name: String,
    },
    Resized {
        width: u32,
        height: u32,
    },
    /// A FramebufferUpdate is complete; the damage is ready to draw.
    FrameComplete,
    Bell,
    ServerCutText(String),
    Cursor(CursorImage),
    /// VMware cursor state: visible, and whether the guest uses an absolute pointer.
    CursorState {
        visible: bool,
        absolute: bool,
    },
    /// Keyboard LEDs: scroll, num, caps.
    Leds {
        scroll: bool,
        num: bool,
        caps: bool,
    },
    /// VMware typematic info: the client generates repeats (period and delay in µs).
    Typematic {
        enabled: bool,
        period_us: u32,
        delay_us: u32,
    },
    ServerCaps(u32),
    KeyMode(KeyMode),
    /// The server closed the session (VMware SessionClose) with its reason code.
    ServerClosed(u32),
    /// Decode this image for the rectangle at `x`,`y`, then answer, oldest first, with
    /// [`Session::image_decoded`] (its `width*height` RGBA pixels) or, having drawn it
    /// onto the canvas, [`Session::image_drawn`] (the picture then lives on the canvas
    /// only until read back; damage under it is older and dropped). What overlaps the
    /// image waits for the answer. A host that paints the damage just before drawing
    /// lets the engine keep its canvas-only regions few (see `Framebuffer::hand_to_canvas`).
    DecodeImage {
        format: ImageFormat,
        data: Vec<u8>,
        x: u32,
        y: u32,
        width: u32,
        height: u32,
    },
    /// The engine needs this buffer right under `rects`, which only the canvas holds
    /// (a CopyRect from an image, a resize, too many scattered regions): answer with
    /// [`Session::canvas_read`], each rectangle's RGBA read from the canvas, in order.
    /// Nothing is processed until then.
    ReadBack {
        rects: Vec<Rect>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    ExpectFirstBytes,
    ExpectSecurityTypes,
    ExpectSecurityType33,
    ExpectSecurityResult,
    ExpectVncChallenge,
    ExpectServerInit,
    Normal,
    InUpdate { remaining: u16 },
    Failed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Version {
    V3_3,
    V3_7,
    V3_8,
}

pub struct Session {
    config: SessionConfig,
    phase: Phase,
    version: Version,
    /// The WebMKS variant that starts at ServerInit.
    webmks_short: bool,
    inbuf: Vec<u8>,
    out: Vec<u8>,
    events: VecDeque<Event>,
    fb: Option<Framebuffer>,
    pf: PixelFormat,
    name: String,
    server_caps: u32,
    key_mode: KeyMode,
    update_id: u8,
    buttons: u8,
    last_pointer: (u16, u16),
    /// The rectangle being decoded: header read, body in progress.
    current: Option<CurrentRect>,
    streams: Streams,
    /// Images handed to the host and waiting for their pixels, oldest first. The host
    /// answers them in this order.
    pending_images: VecDeque<Rect>,
    /// Canvas-only regions asked for with [`Event::ReadBack`] and not yet answered.
    read_back: Vec<Rect>,
    stats: Stats,
    /// The framebuffer's work counter when the current update began.
    update_work_start: u64,
    /// The last `receive` stopped at its work budget with input left.
    more: bool,
    /// The server's Extended Clipboard actions, once its caps arrived (text format only).
    ext_clipboard: Option<u32>,
    /// Our text, announced with notify and waiting for the server's request.
    clipboard_out: Option<String>,
}

/// How text for the VM's clipboard went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClipboardSent {
    /// As Unicode (Extended Clipboard).
    Unicode,
    /// As Latin-1 ClientCutText; `lost` characters had no Latin-1 form and became `?`.
    Latin1 {
        lost: usize,
    },
    NotConnected,
}

/// What the engine has seen, for tests and benchmarks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub updates: u64,
    /// Rectangles per encoding (pseudo-encodings included).
    pub rects: Vec<(i32, u64)>,
    pub bytes: u64,
}

impl Stats {
    pub fn rects_of(&self, encoding: i32) -> u64 {
        self.rects.iter().find(|(e, _)| *e == encoding).map(|(_, n)| *n).unwrap_or(0)
    }

    fn count(&mut self, encoding: i32) {
        match self.rects.iter_mut().find(|(e, _)| *e == encoding) {
            Some((_, n)) => *n += 1,
            None => self.rects.push((encoding, 1)),
        }
    }
}

#[derive(Clone, Debug)]
struct CurrentRect {
    x: u16,
    y: u16,
    w: u16,
    h: u16,
    encoding: i32,
    state: RectState,
}

impl Session {
    pub fn new(config: SessionConfig) -> Self {
        Session {
            config,
            phase: Phase::ExpectFirstBytes,
            version: Version::V3_8,
            webmks_short: false,
            inbuf: Vec::new(),
            out: Vec::new(),
            events: VecDeque::new(),
            fb: None,
            pf: PixelFormat::RGBX8888,
            name: String::new(),
            server_caps: 0,
            key_mode: KeyMode::Keysym,
            update_id: 0,
            buttons: 0,
            last_pointer: (0, 0),
            current: None,
            streams: Streams::default(),
            pending_images: VecDeque::new(),
            read_back: Vec::new(),
            stats: Stats::default(),
            update_work_start: 0,
            more: false,
            ext_clipboard: None,
            clipboard_out: None,
        }
    }

    /// The last `receive` stopped at its work budget: call `receive(&[])` again, on a
    /// later turn of the event loop, to go on.
    pub fn has_more_work(&self) -> bool {
        self.more && self.phase != Phase::Failed
    }

    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// True while an image handed out with [`Event::DecodeImage`], or a read-back asked
    /// for with [`Event::ReadBack`], has not been answered.
    pub fn is_waiting_for_image(&self) -> bool {
        !self.pending_images.is_empty() || !self.read_back.is_empty()
    }

    /// The pixels of the oldest image handed out and not yet answered, then everything
    /// that waited behind it.
    pub fn image_decoded(&mut self, rgba: Result<Vec<u8>, String>) -> Result<(), RfbError> {
        let Some(rect) = self.pending_images.pop_front() else { return Ok(()) };
        let result = match rgba {
            Ok(px) if px.len() as u64 == rect.area() * 4 => {
                if let Some(fb) = self.fb.as_mut() {
                    fb.claim(rect);
                    fb.put_rgba(rect, &px);
                }
                Ok(())
            }
            Ok(_) => Err(RfbError::Malformed("image: decoded size differs from its rectangle")),
            Err(e) => Err(RfbError::Image(e)),
        };
        self.image_answered(result)
    }

    /// The oldest image handed out and not yet answered is on the canvas: its pixels
    /// live there, not here, until read back.
    pub fn image_drawn(&mut self, drawn: Result<(), String>) -> Result<(), RfbError> {
        let Some(rect) = self.pending_images.pop_front() else { return Ok(()) };
        let result = drawn.map_err(RfbError::Image).map(|()| {
            if let Some(fb) = self.fb.as_mut() {
                fb.hand_to_canvas(rect);
            }
        });
        self.image_answered(result)
    }

    /// The canvas's RGBA under each rectangle of the last [`Event::ReadBack`], in order.
    pub fn canvas_read(&mut self, pixels: Result<Vec<Vec<u8>>, String>) -> Result<(), RfbError> {
        let rects = std::mem::take(&mut self.read_back);
        let result = match pixels {
            Ok(px) if px.len() == rects.len() && rects.iter().zip(&px).all(|(r, p)| p.len() as u64 == r.area() * 4) => {
                if let Some(fb) = self.fb.as_mut() {
                    for (r, p) in rects.iter().zip(&px) {
                        fb.put_from_canvas(*r, p);
                    }
                }
                Ok(())
            }
            Ok(_) => Err(RfbError::Malformed("read-back: pixels differ from the rectangles asked for")),
            Err(e) => Err(RfbError::Image(e)),
        };
        match result {
            Ok(()) => self.receive(&[]),
            Err(e) => self.fail(e),
        }
    }

    /// An image's answer: go on with what waited behind it, or fail.
    fn image_answered(&mut self, result: Result<(), RfbError>) -> Result<(), RfbError> {
        match result {
            Ok(()) => self.receive(&[]),
            Err(e) => self.fail(e),
        }
    }

    fn fail(&mut self, e: RfbError) -> Result<(), RfbError> {
        self.phase = Phase::Failed;
        self.inbuf.clear();
        Err(e)
    }

    /// Asks the host for the canvas's pixels under `rects`; the caller then stops
    /// (returns `Incomplete`) and is called again once they are here.
    fn wait_for_canvas(&mut self, rects: Vec<Rect>) {
        self.events.push_back(Event::ReadBack { rects: rects.clone() });
        self.read_back = rects;
    }

    pub fn framebuffer(&self) -> Option<&Framebuffer> {
        self.fb.as_ref()
    }

    pub fn framebuffer_mut(&mut self) -> Option<&mut Framebuffer> {
        self.fb.as_mut()
    }

    pub fn desktop_name(&self) -> &str {
        &self.name
    }

    pub fn pixel_format(&self) -> PixelFormat {
        self.pf
    }

    pub fn key_mode(&self) -> KeyMode {
        self.key_mode
    }

    pub fn server_caps(&self) -> u32 {
        self.server_caps
    }

    pub fn is_connected(&self) -> bool {
        matches!(self.phase, Phase::Normal | Phase::InUpdate { .. })
    }

    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Bytes to send to the server, in order.
    pub fn take_transmit(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.out)
    }

    /// Feeds bytes from the server and processes every complete unit.
    pub fn receive(&mut self, bytes: &[u8]) -> Result<(), RfbError> {
        if self.phase == Phase::Failed {
            return Err(RfbError::AlreadyFailed);
        }
        self.stats.bytes += bytes.len() as u64;
        self.more = false;
        let turn_start = self.fb.as_ref().map_or(0, Framebuffer::work);
        // With nothing buffered (the usual case) the bytes are read where they are, and
        // only what is left over is copied: one copy fewer of every byte of Raw.
        let mut owned = std::mem::take(&mut self.inbuf);
        let buffered = !owned.is_empty();
        if buffered {
            owned.extend_from_slice(bytes);
        }
        let buf: &[u8] = if buffered { &owned } else { bytes };
        let mut pos = 0;
        let result = loop {
            let mut r = Reader::new(&buf[pos..]);
            match self.step(&mut r) {
                Ok(true) => pos += r.pos(),
                Ok(false) => break Ok(()),
                Err(e) => break Err(e),
            }
            let Some(fb) = &self.fb else { continue };
            if matches!(self.phase, Phase::InUpdate { .. }) && fb.work() - self.update_work_start > MAX_UPDATE_SCREENS * fb.area().max(1) {
                break Err(RfbError::AbsurdWork("one update draws the whole screen more than 64 times"));
            }
            if self.config.work_budget.is_some_and(|budget| fb.work() - turn_start > budget) {
                self.more = pos < buf.len();
                break Ok(());
            }
        };
        if buffered {
            owned.drain(..pos);
        } else {
            owned.extend_from_slice(&bytes[pos..]);
        }
        self.inbuf = owned;
        match result {
            Err(e) => self.fail(e),
            // More buffered than any legal unit can need: the stream is hostile.
            Ok(()) if self.inbuf.len() > MAX_MESSAGE + 64 * 1024 * 1024 => self.fail(RfbError::MessageTooLarge(MAX_MESSAGE)),
            Ok(()) => Ok(()),
        }
    }

    /// One unit. `Ok(false)`: not enough bytes yet (nothing consumed).
    fn step(&mut self, r: &mut Reader) -> Result<bool, RfbError> {
        if !self.read_back.is_empty() {
            return Ok(false);
        }
        if !self.pending_images.is_empty() && !self.may_parse_past_images(r) {
            return Ok(false);
        }
        let res = match self.phase {
            Phase::ExpectFirstBytes => self.first_bytes(r),
            Phase::ExpectSecurityTypes => self.security_types(r),
            Phase::ExpectSecurityType33 => self.security_type_33(r),
            Phase::ExpectSecurityResult => self.security_result(r),
            Phase::ExpectVncChallenge => self.vnc_challenge(r),
            Phase::ExpectServerInit => self.server_init(r),
            Phase::Normal => self.server_message(r),
            Phase::InUpdate { remaining } => self.rectangle(r, remaining),
            Phase::Failed => return Err(RfbError::AlreadyFailed),
        };
        match res {
            Ok(Ok(())) => Ok(true),
            Ok(Err(Incomplete)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    // --- Handshake -----------------------------------------------------------------

    fn first_bytes(&mut self, r: &mut Reader) -> Result<Result<(), Incomplete>, RfbError> {
        let Ok(head) = r.peek(4) else { return Ok(Err(Incomplete)) };
        if head != b"RFB " {
            // WebMKS short variant: the stream starts at ServerInit.
            self.webmks_short = true;
            self.phase = Phase::ExpectServerInit;
            return Ok(Ok(()));
        }
        let Ok(v) = r.bytes(12) else { return Ok(Err(Incomplete)) };
        let text = String::from_utf8_lossy(v).into_owned();
        if v[11] != b'\n' || v[7] != b'.' {
            return Err(RfbError::NotRfb(text.trim_end().to_owned()));
        }
        let num = |s: &[u8]| std::str::from_utf8(s).ok().and_then(|s| s.parse::<u32>().ok());
        let (Some(major), Some(minor)) = (num(&v[4..7]), num(&v[8..11])) else {
            return Err(RfbError::NotRfb(text.trim_end().to_owned()));
        };
        let version = match (major, minor) {
            (3, m) if m >= 8 => Version::V3_8,
            (3, 7) => Version::V3_7,
            (3, 3..=6) => Version::V3_3,
            (4 | 5, _) => Version::V3_8,
            _ => return Err(RfbError::UnsupportedVersion(text.trim_end().to_owned())),
        };
        self.version = version;
        self.out.extend_from_slice(match version {
            Version::V3_3 => b"RFB 003.003\n",
            Version::V3_7 => b"RFB 003.007\n",
            Version::V3_8 => b"RFB 003.008\n",
        });
        self.phase = if version == Version::V3_3 { Phase::ExpectSecurityType33 } else { Phase::ExpectSecurityTypes };
        Ok(Ok(()))
    }

    fn security_types(&mut self, r: &mut Reader) -> Result<Result<(), Incomplete>, RfbError> {
        let Ok(n) = r.u8() else { return Ok(Err(Incomplete)) };
        if n == 0 {
            return match read_reason(r)? {
                Ok(reason) => Err(RfbError::ServerRefused(reason)),
                Err(i) => Ok(Err(i)),
            };
        }
        let Ok(types) = r.bytes(n as usize) else { return Ok(Err(Incomplete)) };
        if types.contains(&1) {
            self.out.push(1);
            self.after_none_security();
        } else if types.contains(&2) {
            if self.config.password.is_none() {
                return Err(RfbError::PasswordRequired);
            }
            self.out.push(2);
            self.phase = Phase::ExpectVncChallenge;
        } else {
            return Err(RfbError::NoSupportedSecurity(types.to_vec()));
        }
        Ok(Ok(()))
    }

    fn security_type_33(&mut self, r: &mut Reader) -> Result<Result<(), Incomplete>, RfbError> {
        let Ok(t) = r.u32() else { return Ok(Err(Incomplete)) };
        match t {
            0 => match read_reason(r)? {
                Ok(reason) => Err(RfbError::ServerRefused(reason)),
                Err(i) => Ok(Err(i)),
            },
            1 => {
                self.after_none_security();
                Ok(Ok(()))
            }
            2 if self.config.password.is_none() => Err(RfbError::PasswordRequired),
            2 => {
                self.phase = Phase::ExpectVncChallenge;
                Ok(Ok(()))
            }
            other => Err(RfbError::NoSupportedSecurity(vec![other.min(255) as u8])),
        }
    }

    /// None security: 3.8 sends a SecurityResult, older versions go straight to ClientInit.
    fn after_none_security(&mut self) {
        if self.version == Version::V3_8 {
            self.phase = Phase::ExpectSecurityResult;
        } else {
            self.client_init();
        }
    }

    /// VNC Authentication: DES-encrypt the 16-byte challenge with the password.
    fn vnc_challenge(&mut self, r: &mut Reader) -> Result<Result<(), Incomplete>, RfbError> {
        let Ok(challenge) = r.bytes(16) else { return Ok(Err(Incomplete)) };
        let password = self.config.password.as_ref().ok_or(RfbError::PasswordRequired)?;
        let mut c = [0u8; 16];
        c.copy_from_slice(challenge);
        self.out.extend_from_slice(&super::vnc_auth::response(password.expose(), &c));
        // VNC auth always ends with a SecurityResult, in every version.
        self.phase = Phase::ExpectSecurityResult;
        Ok(Ok(()))
    }

    fn security_result(&mut self, r: &mut Reader) -> Result<Result<(), Incomplete>, RfbError> {
        let Ok(status) = r.u32() else { return Ok(Err(Incomplete)) };
        match status {
            0 => {
                self.client_init();
                Ok(Ok(()))
            }
            _ if self.version == Version::V3_8 => match read_reason(r)? {
                Ok(reason) => Err(RfbError::AuthFailed(reason)),
                Err(i) => Ok(Err(i)),
            },
            2 => Err(RfbError::AuthFailed("too many attempts".into())),
            _ => Err(RfbError::AuthFailed("refused".into())),
        }
    }

    fn client_init(&mut self) {
        self.out.push(self.config.shared as u8);
        self.phase = Phase::ExpectServerInit;
    }

    fn server_init(&mut self, r: &mut Reader) -> Result<Result<(), Incomplete>, RfbError> {
        let (Ok(w), Ok(h)) = (r.u16(), r.u16()) else { return Ok(Err(Incomplete)) };
        let Ok(pf) = PixelFormat::read(r) else { return Ok(Err(Incomplete)) };
        let Ok(name_len) = r.u32() else { return Ok(Err(Incomplete)) };
        if name_len as usize > MAX_MESSAGE {
            return Err(RfbError::MessageTooLarge(name_len as usize));
        }
        let Ok(name) = r.bytes(name_len as usize) else { return Ok(Err(Incomplete)) };
        check_size(w as u32, h as u32)?;
        self.name = String::from_utf8_lossy(name).into_owned();
        let ask_rgbx = self.config.set_pixel_format && !self.webmks_short;
        if ask_rgbx {
            self.pf = PixelFormat::RGBX8888;
            messages::set_pixel_format(&mut self.out, &self.pf);
        } else {
            pf.validate()?;
            self.pf = pf;
        }
        self.fb = Some(Framebuffer::new(w as u32, h as u32)?);
        messages::set_encodings(&mut self.out, &self.config.encodings);
        messages::framebuffer_update_request(&mut self.out, false, 0, 0, w, h);
        self.events.push_back(Event::Connected { width: w as u32, height: h as u32, name: self.name.clone() });
        self.phase = Phase::Normal;
        Ok(Ok(()))
    }

    // --- Server messages ---------------------------------------------------------

    fn server_message(&mut self, r: &mut Reader) -> Result<Result<(), Incomplete>, RfbError> {
        let Ok(kind) = r.u8() else { return Ok(Err(Incomplete)) };
        match kind {
            0 => {
                let (Ok(id), Ok(n)) = (r.u8(), r.u16()) else { return Ok(Err(Incomplete)) };
                self.update_id = id;
                self.phase = Phase::InUpdate { remaining: n };
                self.update_work_start = self.fb.as_ref().map_or(0, Framebuffer::work);
                if n == 0 {
                    self.finish_update();
                }
            }
            1 => {
                let (Ok(_), Ok(_first), Ok(n)) = (r.u8(), r.u16(), r.u16()) else { return Ok(Err(Incomplete)) };
                if r.skip(n as usize * 6).is_err() {
                    return Ok(Err(Incomplete));
                }
            }
            2 => self.events.push_back(Event::Bell),
            3 => {
                let (Ok(_), Ok(len)) = (r.skip(3), r.i32()) else { return Ok(Err(Incomplete)) };
                let extended = len < 0;
                let len = len.unsigned_abs() as usize;
                if len > MAX_MESSAGE {
                    return Err(RfbError::MessageTooLarge(len));
                }
                let Ok(text) = r.bytes(len) else { return Ok(Err(Incomplete)) };
                if extended {
                    let message = clipboard::parse(text)?;
                    self.extended_clipboard(message);
                } else if self.config.clipboard_from_server {
                    // Latin-1 by the spec.
                    self.events.push_back(Event::ServerCutText(text.iter().map(|&b| b as char).collect()));
                }
            }
            127 => return self.vmware_message(r),
            other => return Err(RfbError::UnknownMessage(other)),
        }
        Ok(Ok(()))
    }

    fn vmware_message(&mut self, r: &mut Reader) -> Result<Result<(), Incomplete>, RfbError> {
        let (Ok(sub), Ok(len)) = (r.u8(), r.u16()) else { return Ok(Err(Incomplete)) };
        if len < 4 {
            return Err(RfbError::Malformed("vmware message length"));
        }
        let Ok(payload) = r.bytes(len as usize - 4) else { return Ok(Err(Incomplete)) };
        let mut p = Reader::new(payload);
        match sub {
            0 => {
                let caps = p.u32().map_err(|_| RfbError::Malformed("vmware server caps"))?;
                self.server_caps = caps;
                self.events.push_back(Event::ServerCaps(caps));
                if caps & caps::CLIENT_CAPS_WANTED != 0 {
                    vmware::client_caps(&mut self.out, caps::CLIENT_SESSION_CLOSE);
                }
                if caps & caps::KEY_EVENT != 0 {
                    self.set_key_mode(KeyMode::VmwareScancode);
                }
            }
            3 => {
                // Audio: `dataLen` bytes follow beyond the declared length.
                let data_len = p.u32().map_err(|_| RfbError::Malformed("vmware audio"))? as usize;
                if data_len > MAX_MESSAGE {
                    return Err(RfbError::MessageTooLarge(data_len));
                }
                if r.skip(data_len).is_err() {
                    return Ok(Err(Incomplete));
                }
            }
            7 => {
                let reason = p.u32().unwrap_or(0);
                self.events.push_back(Event::ServerClosed(reason));
            }
            // Heartbeat, reconnect token, mixer and anything newer: skipped by length.
            _ => {}
        }
        Ok(Ok(()))
    }

    fn set_key_mode(&mut self, mode: KeyMode) {
        // VMware scan codes win over QEMU's when both are offered.
        if self.key_mode == KeyMode::VmwareScancode || self.key_mode == mode {
            return;
        }
        self.key_mode = mode;
        self.events.push_back(Event::KeyMode(mode));
    }

    /// One update is complete: ask for the next (flow control), or acknowledge it with
    /// VMware UpdateAck, echoing the id from the FramebufferUpdate's padding byte, where
    /// the server announced UpdateAck.
    fn finish_update(&mut self) {
        self.stats.updates += 1;
        self.phase = Phase::Normal;
        self.events.push_back(Event::FrameComplete);
        if self.server_caps & caps::UPDATE_ACK != 0 {
            vmware::update_ack(&mut self.out, self.update_id, 0);
        } else if let Some(fb) = &self.fb {
            let (w, h) = (fb.width() as u16, fb.height() as u16);
            messages::framebuffer_update_request(&mut self.out, true, 0, 0, w, h);
        }
    }

    // --- Rectangles ----------------------------------------------------------------

    fn rectangle(&mut self, r: &mut Reader, _remaining: u16) -> Result<Result<(), Incomplete>, RfbError> {
        let Some(cur) = self.current.clone() else {
            let (Ok(x), Ok(y), Ok(w), Ok(h), Ok(encoding)) = (r.u16(), r.u16(), r.u16(), r.u16(), r.i32()) else {
                return Ok(Err(Incomplete));
            };
            self.current = Some(CurrentRect { x, y, w, h, encoding, state: RectState::Fresh });
            self.stats.count(encoding);
            return Ok(Ok(()));
        };
        let CurrentRect { x, y, w, h, encoding, mut state } = cur;
        let progress = match encoding {
            enc::LAST_RECT => {
                self.current = None;
                self.finish_update();
                return Ok(Ok(()));
            }
            enc::DESKTOP_SIZE => {
                if self.read_back_canvas_only() {
                    return Ok(Err(Incomplete));
                }
                self.resize(w as u32, h as u32)?;
                Progress::Done
            }
            enc::EXTENDED_DESKTOP_SIZE => {
                let Ok(n) = r.u8() else { return Ok(Err(Incomplete)) };
                if r.skip(3 + n as usize * 16).is_err() {
                    return Ok(Err(Incomplete));
                }
                // y is the status; only a successful change resizes.
                if y == 0 && self.read_back_canvas_only() {
                    return Ok(Err(Incomplete));
                }
                if y == 0 {
                    self.resize(w as u32, h as u32)?;
                }
                Progress::Done
            }
            enc::CURSOR => self.rich_cursor(r, x, y, w, h)?,
            enc::VMW_DEFINE_CURSOR => self.vmware_cursor(r, x, y, w, h)?,
            enc::VMW_CURSOR_STATE => {
                let Ok(flags) = r.u16() else { return Ok(Err(Incomplete)) };
                self.events.push_back(Event::CursorState { visible: flags & 1 != 0, absolute: flags & 2 != 0 });
                Progress::Done
            }
            enc::VMW_CURSOR_POSITION => Progress::Done,
            enc::VMW_TYPEMATIC_INFO => {
                let (Ok(on), Ok(period), Ok(delay)) = (r.u16(), r.u32(), r.u32()) else { return Ok(Err(Incomplete)) };
                self.events.push_back(Event::Typematic { enabled: on != 0, period_us: period, delay_us: delay });
                Progress::Done
            }
            enc::VMW_LED_STATE => {
                let Ok(f) = r.u32() else { return Ok(Err(Incomplete)) };
                self.events.push_back(Event::Leds { scroll: f & 1 != 0, num: f & 2 != 0, caps: f & 4 != 0 });
                Progress::Done
            }
            enc::QEMU_LED_STATE => {
                let Ok(f) = r.u8() else { return Ok(Err(Incomplete)) };
                self.events.push_back(Event::Leds { scroll: f & 1 != 0, num: f & 2 != 0, caps: f & 4 != 0 });
                Progress::Done
            }
            enc::QEMU_EXTENDED_KEY_EVENT => {
                self.set_key_mode(KeyMode::QemuExtended);
                Progress::Done
            }
            _ => {
                let fb = self.fb.as_mut().ok_or(RfbError::Malformed("rectangle before ServerInit"))?;
                let rect = fb.check(x, y, w, h)?;
                if state == RectState::Fresh && !fb.canvas_only().is_empty() {
                    match self.make_right_for(r, rect, encoding) {
                        Ok(true) => {}
                        Ok(false) => return Ok(Err(Incomplete)),
                        Err(e) => return Err(e),
                    }
                }
                let Some(fb) = self.fb.as_mut() else { return Err(RfbError::Malformed("rectangle before ServerInit")) };
                let t = Target { fb, pf: &self.pf, rect };
                match encoding {
                    enc::RAW => decoders::raw::decode(r, t, &mut state)?,
                    enc::COPY_RECT => decoders::copyrect::decode(r, t)?,
                    enc::RRE => decoders::rre::decode(r, t)?,
                    enc::HEXTILE => decoders::hextile::decode(r, t, &mut state)?,
                    enc::ZLIB => decoders::zlib::decode(r, t, &mut self.streams)?,
                    enc::ZRLE => decoders::zrle::decode(r, t, &mut self.streams)?,
                    enc::TIGHT => decoders::tight::decode(r, t, &mut self.streams, false)?,
                    enc::TIGHT_PNG => decoders::tight::decode(r, t, &mut self.streams, true)?,
                    other => return Err(RfbError::UnknownEncoding(other)),
                }
            }
        };
        match progress {
            Progress::NeedMore => return Ok(Err(Incomplete)),
            Progress::Partial => {
                self.current = Some(CurrentRect { x, y, w, h, encoding, state });
                return Ok(Ok(()));
            }
            Progress::Image(format, data) => {
                let rect = Rect::new(x as u32, y as u32, w as u32, h as u32);
                self.current = None;
                // Checked before any decoder sees it: an image that says it is another size
                // (or huge) would cost a decode for nothing, or be a decompression bomb.
                if super::image_header::dimensions(format, &data) != Some((rect.w, rect.h)) {
                    return Err(RfbError::Malformed("image: its header does not match its rectangle"));
                }
                match self.config.image_decoder {
                    Some(decode) => {
                        let rgba = decode(format, &data, rect.w, rect.h).map_err(RfbError::Image)?;
                        if rgba.len() as u64 != rect.area() * 4 {
                            return Err(RfbError::Malformed("image: decoded size differs from its rectangle"));
                        }
                        if let Some(fb) = self.fb.as_mut() {
                            fb.put_rgba(rect, &rgba);
                        }
                    }
                    None => {
                        // Counted now: its update may end, and the next be read, while it
                        // decodes (noVNC's render queue does the same).
                        self.pending_images.push_back(rect);
                        self.events.push_back(Event::DecodeImage { format, data, x: rect.x, y: rect.y, width: rect.w, height: rect.h });
                    }
                }
            }
            Progress::Done => self.current = None,
        }
        self.after_rect();
        Ok(Ok(()))
    }

    /// Before a rectangle that draws here while the canvas alone holds some regions: a
    /// CopyRect needs its source right here (read back what only the canvas has); any
    /// other rectangle but an image will write all of its area, which stops being
    /// canvas-only; past too many scattered regions (`MAX_CANVAS_ONLY_RECTS`), all are read back.
    /// `Ok(false)`: wait (for bytes, or for the read-back).
    fn make_right_for(&mut self, r: &Reader, rect: Rect, encoding: i32) -> Result<bool, RfbError> {
        let Some(fb) = self.fb.as_mut() else { return Ok(true) };
        if encoding == enc::COPY_RECT {
            let Ok([a, b, c, d]) = r.peek(4).map(|p| [p[0], p[1], p[2], p[3]]) else { return Ok(false) };
            let src = fb.check(u16::from_be_bytes([a, b]), u16::from_be_bytes([c, d]), rect.w as u16, rect.h as u16)?;
            let stale: Vec<Rect> = fb.canvas_only().iter().filter_map(|c| c.intersection(&src)).collect();
            if !stale.is_empty() {
                self.wait_for_canvas(stale);
                return Ok(false);
            }
        }
        let image = match encoding {
            enc::TIGHT | enc::TIGHT_PNG => {
                let Ok(&[control]) = r.peek(1) else { return Ok(false) };
                decoders::tight::is_image(control, encoding == enc::TIGHT_PNG)
            }
            _ => false,
        };
        if !image {
            fb.claim(rect);
        }
        if fb.canvas_only().len() > super::framebuffer::MAX_CANVAS_ONLY_RECTS {
            self.read_back_canvas_only();
            return Ok(false);
        }
        Ok(true)
    }

    /// Asks for every canvas-only region back (before a resize, so the resized buffer
    /// keeps the right pixels; or when they are too many). True: the caller waits.
    fn read_back_canvas_only(&mut self) -> bool {
        let Some(all) = self.fb.as_ref().map(|fb| fb.canvas_only().to_vec()).filter(|a| !a.is_empty()) else { return false };
        self.wait_for_canvas(all);
        true
    }

    /// While images are out for decoding, what follows may still be read (the browser
    /// decodes several at once) when the result cannot depend on order: the next
    /// FramebufferUpdate's header, LastRect, more images, which land in order, or a
    /// rectangle of pixels that overlaps no image still out. Anything else (CopyRect, a
    /// resize, a cursor, another message) waits.
    fn may_parse_past_images(&self, r: &Reader) -> bool {
        if self.pending_images.len() >= MAX_IMAGES_IN_FLIGHT {
            return false;
        }
        match self.phase {
            Phase::Normal => return r.peek(1) == Ok(&[0]),
            Phase::InUpdate { .. } => {}
            _ => return false,
        }
        if self.current.is_some() {
            // Only a rectangle admitted below can be in progress.
            return true;
        }
        let Ok(head) = r.peek(12) else { return false };
        let encoding = i32::from_be_bytes([head[8], head[9], head[10], head[11]]);
        if encoding == enc::LAST_RECT {
            return true;
        }
        let Ok(head) = r.peek(13) else { return false };
        let [x0, x1, y0, y1, w0, w1, h0, h1, _, _, _, _, control] = *head else { return false };
        let image = match encoding {
            enc::TIGHT | enc::TIGHT_PNG => decoders::tight::is_image(control, encoding == enc::TIGHT_PNG),
            enc::RAW | enc::RRE | enc::HEXTILE | enc::ZLIB | enc::ZRLE => false,
            _ => return false,
        };
        let rect = Rect::new(
            u16::from_be_bytes([x0, x1]).into(),
            u16::from_be_bytes([y0, y1]).into(),
            u16::from_be_bytes([w0, w1]).into(),
            u16::from_be_bytes([h0, h1]).into(),
        );
        image || self.pending_images.iter().all(|p| !p.intersects(&rect))
    }

    /// One rectangle is complete: count it, and end the update after the last one.
    fn after_rect(&mut self) {
        let Phase::InUpdate { remaining } = self.phase else { return };
        // 0xFFFF rectangles means "until LastRect".
        let remaining = if remaining == u16::MAX { remaining } else { remaining - 1 };
        if remaining == 0 {
            self.finish_update();
        } else {
            self.phase = Phase::InUpdate { remaining };
        }
    }

    fn resize(&mut self, w: u32, h: u32) -> Result<(), RfbError> {
        match &mut self.fb {
            Some(fb) => fb.resize(w, h)?,
            None => self.fb = Some(Framebuffer::new(w, h)?),
        }
        self.events.push_back(Event::Resized { width: w, height: h });
        Ok(())
    }

    /// Cursor pseudo-encoding (-239): pixels, then a 1-bpp mask.
    fn rich_cursor(&mut self, r: &mut Reader, x: u16, y: u16, w: u16, h: u16) -> Result<Progress, RfbError> {
        let (w32, h32) = (w as u32, h as u32);
        check_size(w32, h32)?;
        let bpp = self.pf.bytes_per_pixel();
        let mask_row = (w as usize).div_ceil(8);
        let Ok(pixels) = r.bytes(w as usize * h as usize * bpp) else { return Ok(Progress::NeedMore) };
        let Ok(mask) = r.bytes(mask_row * h as usize) else { return Ok(Progress::NeedMore) };
        let mut rgba = vec![0u8; w as usize * h as usize * 4];
        self.pf.to_rgba(pixels, &mut rgba);
        for row in 0..h as usize {
            for col in 0..w as usize {
                let bit = mask[row * mask_row + col / 8] & (0x80 >> (col % 8));
                rgba[(row * w as usize + col) * 4 + 3] = if bit != 0 { 255 } else { 0 };
            }
        }
        self.push_cursor(w32, h32, x as u32, y as u32, rgba);
        Ok(Progress::Done)
    }

    /// VMware DefineCursor: type 0 is AND/XOR masks in the pixel format, type 1 is RGBA.
    fn vmware_cursor(&mut self, r: &mut Reader, x: u16, y: u16, w: u16, h: u16) -> Result<Progress, RfbError> {
        let (w32, h32) = (w as u32, h as u32);
        check_size(w32, h32)?;
        let n = w as usize * h as usize;
        let (Ok(kind), Ok(_)) = (r.u8(), r.u8()) else { return Ok(Progress::NeedMore) };
        let rgba = match kind {
            0 => {
                let bpp = self.pf.bytes_per_pixel();
                let Ok(and) = r.bytes(n * bpp) else { return Ok(Progress::NeedMore) };
                let Ok(xor) = r.bytes(n * bpp) else { return Ok(Progress::NeedMore) };
                let mut out = vec![0u8; n * 4];
                for i in 0..n {
                    let a = self.pf.value(&and[i * bpp..(i + 1) * bpp]);
                    let xv = self.pf.value(&xor[i * bpp..(i + 1) * bpp]);
                    let px = self.pf.rgba(xv);
                    // AND all ones keeps the screen: transparent (inverting pixels shown black).
                    let transparent = a != 0 && xv == 0;
                    out[i * 4..i * 4 + 4].copy_from_slice(&[px[0], px[1], px[2], if transparent { 0 } else { 255 }]);
                }
                out
            }
            1 => {
                let Ok(data) = r.bytes(n * 4) else { return Ok(Progress::NeedMore) };
                data.to_vec()
            }
            _ => return Err(RfbError::Malformed("vmware cursor type")),
        };
        self.push_cursor(w32, h32, x as u32, y as u32, rgba);
        Ok(Progress::Done)
    }

    fn push_cursor(&mut self, width: u32, height: u32, hotspot_x: u32, hotspot_y: u32, rgba: Vec<u8>) {
        self.events.push_back(Event::Cursor(CursorImage {
            width,
            height,
            hotspot_x: hotspot_x.min(width.saturating_sub(1)),
            hotspot_y: hotspot_y.min(height.saturating_sub(1)),
            rgba,
        }));
    }

    // --- Input ---------------------------------------------------------------------

    /// Sends a key the way the server understands best.
    pub fn send_key(&mut self, key: KeyInput) {
        if !self.is_connected() {
            return;
        }
        match (self.key_mode, key.scancode) {
            (KeyMode::VmwareScancode, Some(sc)) => vmware::key_event(&mut self.out, sc, key.down),
            (KeyMode::QemuExtended, Some(sc)) => {
                let xt = if sc & 0x100 != 0 { (sc as u32 & 0x7f) | 0x80 } else { sc as u32 };
                messages::qemu_extended_key_event(&mut self.out, key.down, key.keysym, xt)
            }
            _ if key.keysym != 0 => messages::key_event(&mut self.out, key.down, key.keysym),
            _ => {}
        }
    }

    /// Pointer position in framebuffer pixels and the buttons held (bit 0 left, 1 middle, 2 right).
    pub fn send_pointer(&mut self, x: i32, y: i32, buttons: u8) {
        let Some(fb) = &self.fb else { return };
        // A 0×0 desktop (legal in ServerInit) has nowhere to point.
        if !self.is_connected() || fb.width() == 0 || fb.height() == 0 {
            return;
        }
        let x = x.clamp(0, fb.width() as i32 - 1) as u16;
        let y = y.clamp(0, fb.height() as i32 - 1) as u16;
        self.buttons = buttons & 0x07;
        self.last_pointer = (x, y);
        messages::pointer_event(&mut self.out, self.buttons, x, y);
    }

    /// Relative pointer motion (VMware PointerEvent2 with isAbsolute=0), for guests whose
    /// cursor state says they use a relative mouse.
    pub fn send_relative_pointer(&mut self, dx: i32, dy: i32, buttons: u8) {
        if self.is_connected() {
            self.buttons = buttons & 0x07;
            vmware::pointer_event2(&mut self.out, false, dx, dy, self.buttons as u32, 0, 0);
        }
    }

    /// Wheel steps: negative is up. Sent as button 4/5 (up/down) or 6/7 (left/right) clicks.
    pub fn send_wheel(&mut self, dy: i32, dx: i32) {
        if !self.is_connected() {
            return;
        }
        let (x, y) = self.last_pointer;
        let clicks = [(dy < 0, 0x08u8, dy), (dy > 0, 0x10, dy), (dx < 0, 0x20, dx), (dx > 0, 0x40, dx)];
        for (active, bit, n) in clicks {
            if !active {
                continue;
            }
            for _ in 0..n.unsigned_abs().min(10) {
                messages::pointer_event(&mut self.out, self.buttons | bit, x, y);
                messages::pointer_event(&mut self.out, self.buttons, x, y);
            }
        }
    }

    /// Text for the VM's clipboard: Unicode where the server speaks Extended Clipboard
    /// (announced, then provided when the server asks), Latin-1 otherwise.
    pub fn send_clipboard(&mut self, text: &str) -> ClipboardSent {
        if !self.is_connected() {
            return ClipboardSent::NotConnected;
        }
        match self.ext_clipboard {
            Some(actions) if actions & clipboard::NOTIFY != 0 => {
                self.clipboard_out = Some(text.to_owned());
                clipboard::notify(&mut self.out, true);
                ClipboardSent::Unicode
            }
            Some(actions) if actions & clipboard::PROVIDE != 0 => {
                clipboard::provide(&mut self.out, text);
                ClipboardSent::Unicode
            }
            _ => {
                messages::client_cut_text(&mut self.out, text);
                ClipboardSent::Latin1 { lost: text.chars().filter(|&c| c as u32 > 0xff).count() }
            }
        }
    }

    /// The server's side of the Extended Clipboard conversation.
    fn extended_clipboard(&mut self, message: clipboard::ServerMessage) {
        use clipboard::ServerMessage as M;
        let actions = self.ext_clipboard.unwrap_or(0);
        match message {
            M::Caps { formats, actions } => {
                // Without the text format there is nothing we can exchange this way.
                self.ext_clipboard = (formats & clipboard::FORMAT_TEXT != 0).then_some(actions);
                clipboard::client_caps(&mut self.out);
            }
            M::Request { formats } if formats & clipboard::FORMAT_TEXT != 0 && actions & clipboard::PROVIDE != 0 => {
                if let Some(text) = self.clipboard_out.take() {
                    clipboard::provide(&mut self.out, &text);
                }
            }
            M::Peek if actions & clipboard::NOTIFY != 0 => clipboard::notify(&mut self.out, self.clipboard_out.is_some()),
            M::Notify { formats }
                if formats & clipboard::FORMAT_TEXT != 0 && actions & clipboard::REQUEST != 0 && self.config.clipboard_from_server =>
            {
                clipboard::request(&mut self.out);
            }
            M::Provide { text: Some(text) } if self.config.clipboard_from_server => {
                self.events.push_back(Event::ServerCutText(text));
            }
            _ => {}
        }
    }

    /// Asks the guest for a new resolution (VMware RequestResolution) when it can.
    pub fn request_resolution(&mut self, w: u16, h: u16) -> bool {
        if self.is_connected() && self.server_caps & caps::REQUEST_RESOLUTION != 0 {
            vmware::request_resolution(&mut self.out, w, h);
            return true;
        }
        false
    }

    /// Replay: takes the recorded client's messages as if this engine had sent them,
    /// so a SetPixelFormat changes how later pixels are read.
    pub fn assume_client_messages(&mut self, bytes: &[u8]) -> Result<(), RfbError> {
        if !self.is_connected() {
            return Ok(());
        }
        let mut r = Reader::new(bytes);
        while r.remaining() > 0 {
            let Ok(kind) = r.u8() else { break };
            let len = match kind {
                0 => {
                    let Ok(_) = r.skip(3) else { break };
                    let Ok(pf) = PixelFormat::read(&mut r) else { break };
                    pf.validate()?;
                    self.pf = pf;
                    continue;
                }
                2 => {
                    let (Ok(_), Ok(n)) = (r.u8(), r.u16()) else { break };
                    n as usize * 4
                }
                3 => 9,
                4 => 7,
                5 => 5,
                6 => {
                    let (Ok(_), Ok(n)) = (r.skip(3), r.u32()) else { break };
                    n as usize
                }
                127 => {
                    let (Ok(_), Ok(n)) = (r.u8(), r.u16()) else { break };
                    (n as usize).saturating_sub(4)
                }
                255 => 11,
                // Anything else: its length is unknown, the rest of the frame is skipped.
                _ => break,
            };
            if r.skip(len).is_err() {
                break;
            }
        }
        Ok(())
    }

    /// Says goodbye: VMware SessionClose where the server takes it, so the slot is freed.
    pub fn close(&mut self) {
        if self.is_connected() && self.server_caps & caps::SESSION_CLOSE != 0 {
            vmware::session_close(&mut self.out, 23);
        }
    }

    /// A full (non-incremental) update request, e.g. after the canvas was lost.
    pub fn refresh(&mut self) {
        if let (true, Some(fb)) = (self.is_connected(), &self.fb) {
            let (w, h) = (fb.width() as u16, fb.height() as u16);
            messages::framebuffer_update_request(&mut self.out, false, 0, 0, w, h);
        }
    }

    /// The damage of the framebuffer, for the renderer.
    pub fn take_damage(&mut self) -> Vec<Rect> {
        self.fb.as_mut().map(Framebuffer::take_damage).unwrap_or_default()
    }
}

/// `u32 length` + reason string; Incomplete inside Ok when more bytes are needed.
fn read_reason(r: &mut Reader) -> Result<Result<String, Incomplete>, RfbError> {
    let Ok(len) = r.u32() else { return Ok(Err(Incomplete)) };
    if len as usize > 64 * 1024 {
        return Err(RfbError::MessageTooLarge(len as usize));
    }
    let Ok(b) = r.bytes(len as usize) else { return Ok(Err(Incomplete)) };
    Ok(Ok(String::from_utf8_lossy(b).into_owned()))
}
