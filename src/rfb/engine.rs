//! The RFB client engine: bytes in, events and bytes out.
//!
//! [`Engine::receive`] buffers what arrived and processes every complete unit: a
//! handshake message (`handshake.rs`), a server message (`server.rs`) or one rectangle of
//! an update (`update.rs`). Each unit is parsed whole or not at all: a unit that needs
//! more bytes is parsed again from its start when they come. Input from the page goes out
//! through `client.rs`.

use std::collections::VecDeque;

use super::decoders::{ImageFormat, RectState, Streams};
use super::dialect::Dialect;
use super::encoding as enc;
use super::error::RfbError;
use super::event::{Event, KeyMode};
use super::framebuffer::{Framebuffer, Rect};
use super::handshake::{Handshake, ServerInit};
use super::limits::{MAX_BUFFERED, MAX_MESSAGE, MAX_UPDATE_SCREENS};
use super::messages;
use super::pixel_format::PixelFormat;
use super::reader::{Reader, Stop};
use crate::secret::Secret;

/// A finished update of a WebMKS server, waiting to be acknowledged.
#[derive(Clone, Copy, Debug)]
pub(super) struct Unacked {
    /// The id from the FramebufferUpdate's padding byte.
    pub id: u8,
    /// Its number ([`Engine::updates_begun`]), which its images carry.
    pub update: u64,
    /// The host's clock when its header came.
    pub began_ms: f64,
    /// The host painted after it was decoded.
    pub painted: bool,
}

#[derive(Clone, Debug)]
pub struct EngineConfig {
    /// Encodings to advertise, most preferred first.
    pub encodings: Vec<i32>,
    /// ClientInit shared flag.
    pub shared: bool,
    /// Password for VNC Authentication on plain VNC servers.
    pub password: Option<Secret>,
    /// Ask a server whose pixels are not 32-bit RGBX or BGRX for RGBX with SetPixelFormat.
    /// The engine reads any true-colour format; those two it reads at full speed, and a
    /// WebMKS server is never asked (VMware's client never sends SetPixelFormat).
    pub set_pixel_format: bool,
    /// Decodes JPEG/PNG rectangles in place (natively). `None`: the engine emits
    /// [`Event::DecodeImage`] and waits for [`Engine::image_decoded`] (the browser).
    pub image_decoder: Option<ImageDecoder>,
    /// Pixels one [`Engine::receive`] call may draw before it stops and leaves the rest
    /// for the next call ([`Engine::has_more_work`]), so a page stays responsive. `None`:
    /// everything at once (native callers).
    pub work_budget: Option<u64>,
    /// Take the server's clipboard text (a page may forbid it): when false, the engine
    /// never asks for it and drops what arrives.
    pub clipboard_from_server: bool,
    /// A WebMKS server's update is acknowledged once it is on screen, as VMware's client
    /// does: the host says so with [`Engine::painted`]. Off (native hosts, with no
    /// screen), an update is acknowledged as soon as it is decoded.
    pub ack_after_paint: bool,
}

/// A synchronous image decoder: format, bytes, expected size → RGBA.
pub type ImageDecoder = fn(ImageFormat, &[u8], u32, u32) -> Result<Vec<u8>, String>;

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            encodings: enc::default_encodings(),
            shared: true,
            password: None,
            set_pixel_format: true,
            image_decoder: None,
            clipboard_from_server: true,
            work_budget: None,
            ack_after_paint: false,
        }
    }
}

/// Where the engine stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Phase {
    Handshake,
    /// Between server messages.
    Normal,
    /// Inside a FramebufferUpdate, with this many rectangles to come (0xFFFF: until LastRect).
    InUpdate {
        remaining: u16,
    },
    Failed,
}

/// An image handed to the host: where it goes, and the update it belongs to.
#[derive(Clone, Copy, Debug)]
pub(super) struct PendingImage {
    pub rect: Rect,
    /// The update's number ([`Engine::updates_begun`] when its header came).
    pub update: u64,
    /// Into this update-cache slot, not onto the screen.
    pub slot: Option<u16>,
}

/// The rectangle being decoded: header read, body in progress.
#[derive(Clone, Debug)]
pub(super) struct CurrentRect {
    pub x: u16,
    pub y: u16,
    pub w: u16,
    pub h: u16,
    pub encoding: i32,
    pub state: RectState,
}

pub struct Engine {
    pub(super) config: EngineConfig,
    pub(super) phase: Phase,
    /// `Some` until ServerInit.
    handshake: Option<Handshake>,
    inbuf: Vec<u8>,
    pub(super) out: Vec<u8>,
    pub(super) events: VecDeque<Event>,
    pub(super) fb: Option<Framebuffer>,
    pub(super) pf: PixelFormat,
    pub(super) dialect: Dialect,
    name: String,
    pub(super) server_caps: u32,
    pub(super) key_mode: KeyMode,
    pub(super) update_id: u8,
    pub(super) buttons: u8,
    pub(super) last_pointer: (u16, u16),
    pub(super) current: Option<CurrentRect>,
    pub(super) streams: Streams,
    /// Images handed to the host and waiting for their pixels, oldest first. The host
    /// answers them in this order.
    pub(super) pending_images: VecDeque<PendingImage>,
    /// Updates whose headers have come (the current one's number).
    pub(super) updates_begun: u64,
    /// The host's clock when the current update's header came.
    pub(super) update_began_ms: f64,
    /// Finished updates of a WebMKS server not yet acknowledged, oldest first.
    pub(super) unacked: VecDeque<Unacked>,
    /// The host's clock ([`Engine::set_time`]): the engine never reads one itself.
    pub(super) now_ms: f64,
    /// Canvas-only regions asked for with [`Event::ReadBack`] and not yet answered.
    pub(super) read_back: Vec<Rect>,
    pub(super) stats: Stats,
    /// The framebuffer's work counter when the current update began.
    pub(super) update_work_start: u64,
    /// The last `receive` stopped at its work budget with input left.
    more: bool,
    /// The host wants to paint: parsing stops at the next update's end, so the picture it
    /// paints is a whole update ([`Engine::hold_for_paint`]).
    hold: bool,
    /// The server's Extended Clipboard actions, once its caps arrived (text format only).
    pub(super) ext_clipboard: Option<u32>,
    /// Our text, announced with notify and waiting for the server's request.
    pub(super) clipboard_out: Option<String>,
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

    pub(super) fn count(&mut self, encoding: i32) {
        match self.rects.iter_mut().find(|(e, _)| *e == encoding) {
            Some((_, n)) => *n += 1,
            None => self.rects.push((encoding, 1)),
        }
    }
}

impl Engine {
    pub fn new(config: EngineConfig) -> Self {
        Engine {
            handshake: Some(Handshake::new(config.password.clone(), config.shared)),
            config,
            phase: Phase::Handshake,
            inbuf: Vec::new(),
            out: Vec::new(),
            events: VecDeque::new(),
            fb: None,
            pf: PixelFormat::RGBX8888,
            dialect: Dialect::Rfb,
            name: String::new(),
            server_caps: 0,
            key_mode: KeyMode::Keysym,
            update_id: 0,
            buttons: 0,
            last_pointer: (0, 0),
            current: None,
            streams: Streams::default(),
            pending_images: VecDeque::new(),
            updates_begun: 0,
            update_began_ms: 0.0,
            unacked: VecDeque::new(),
            now_ms: 0.0,
            read_back: Vec::new(),
            stats: Stats::default(),
            update_work_start: 0,
            more: false,
            hold: false,
            ext_clipboard: None,
            clipboard_out: None,
        }
    }

    /// The last `receive` stopped at its work budget: call `receive(&[])` again, on a
    /// later turn of the event loop, to go on.
    pub fn has_more_work(&self) -> bool {
        self.more && self.phase != Phase::Failed
    }

    /// Between two updates, with every image of the last one drawn and nothing asked of
    /// the canvas: the framebuffer and the canvas hold the picture at the end of a whole
    /// FramebufferUpdate (or of the handshake).
    pub fn between_updates(&self) -> bool {
        self.phase == Phase::Normal && !self.is_waiting_for_image()
    }

    /// The host wants to paint but the engine is inside an update: no byte past the
    /// update's end is parsed until [`Engine::painted`], and once its images are drawn
    /// the engine is [`Engine::between_updates`] and the host paints.
    pub fn hold_for_paint(&mut self) {
        self.hold = true;
    }

    /// Parsing waits for the host's paint ([`Engine::hold_for_paint`]).
    pub fn is_holding(&self) -> bool {
        self.hold
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
        let Some(image) = self.pending_images.pop_front() else { return Ok(()) };
        let rect = image.rect;
        let result = match rgba {
            Ok(px) if px.len() as u64 == rect.area() * 4 => match image.slot {
                Some(slot) => self.streams.cache.keep(slot, rect.w, rect.h, px),
                None => {
                    if let Some(fb) = self.fb.as_mut() {
                        fb.claim(rect);
                        fb.put_rgba(rect, &px);
                    }
                    Ok(())
                }
            },
            Ok(_) => Err(RfbError::Malformed("image: decoded size differs from its rectangle")),
            Err(e) => Err(RfbError::Image(e)),
        };
        self.go_on(result)
    }

    /// The oldest image handed out and not yet answered is on the canvas: its pixels
    /// live there, not here, until read back.
    pub fn image_drawn(&mut self, drawn: Result<(), String>) -> Result<(), RfbError> {
        let Some(image) = self.pending_images.pop_front() else { return Ok(()) };
        let result = match (drawn, image.slot) {
            (Err(e), _) => Err(RfbError::Image(e)),
            // Asked for with `keep`: its pixels belong in the update cache.
            (Ok(()), Some(_)) => Err(RfbError::Image("an image for the update cache was drawn instead of handed back".into())),
            (Ok(()), None) => {
                if let Some(fb) = self.fb.as_mut() {
                    fb.hand_to_canvas(image.rect);
                }
                Ok(())
            }
        };
        self.go_on(result)
    }

    /// The host's clock, in milliseconds: set it before each input, so an update's
    /// acknowledgement can say how long drawing it took.
    pub fn set_time(&mut self, now_ms: f64) {
        self.now_ms = now_ms;
    }

    /// Everything decoded so far is on screen (the host painted the damage): the updates
    /// of a WebMKS server that waited for it are acknowledged.
    pub fn painted(&mut self, now_ms: f64) {
        self.now_ms = now_ms;
        self.hold = false;
        for u in self.unacked.iter_mut() {
            u.painted = true;
        }
        self.send_acks();
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
        self.go_on(result)
    }

    /// An answer from the host: go on with what waited behind it, or fail.
    fn go_on(&mut self, result: Result<(), RfbError>) -> Result<(), RfbError> {
        match result {
            Ok(()) => {
                self.send_acks();
                self.receive(&[])
            }
            Err(e) => self.fail(e),
        }
    }

    pub(super) fn fail(&mut self, e: RfbError) -> Result<(), RfbError> {
        self.phase = Phase::Failed;
        self.inbuf.clear();
        Err(e)
    }

    /// Asks the host for the canvas's pixels under `rects`; the caller then stops
    /// (`Stop::NeedMore`) and is called again once they are here.
    pub(super) fn wait_for_canvas(&mut self, rects: Vec<Rect>) {
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

    /// Whose reading of the protocol applies: rfbproto, or VMware's client once the server
    /// has shown it speaks WebMKS.
    pub fn dialect(&self) -> Dialect {
        self.dialect
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

    /// The damage of the framebuffer, for the renderer.
    pub fn take_damage(&mut self) -> Vec<Rect> {
        self.fb.as_mut().map(Framebuffer::take_damage).unwrap_or_default()
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
            Ok(()) if self.inbuf.len() > MAX_BUFFERED => self.fail(RfbError::MessageTooLarge(MAX_MESSAGE)),
            Ok(()) => Ok(()),
        }
    }

    /// One unit. `Ok(false)`: not enough bytes yet (nothing consumed).
    fn step(&mut self, r: &mut Reader) -> Result<bool, RfbError> {
        if !self.read_back.is_empty() || (self.hold && self.phase == Phase::Normal) {
            return Ok(false);
        }
        if !self.pending_images.is_empty() && !self.may_parse_past_images(r) {
            return Ok(false);
        }
        let parsed = match self.phase {
            Phase::Handshake => self.handshake_step(r),
            Phase::Normal => self.server_message(r),
            Phase::InUpdate { .. } => self.rectangle(r),
            Phase::Failed => return Err(RfbError::AlreadyFailed),
        };
        match parsed {
            Ok(()) => Ok(true),
            Err(Stop::NeedMore) => Ok(false),
            Err(Stop::Failed(e)) => Err(e),
        }
    }

    fn handshake_step(&mut self, r: &mut Reader) -> Result<(), Stop> {
        let Some(handshake) = self.handshake.as_mut() else { return Err(RfbError::AlreadyFailed.into()) };
        if let Some(init) = handshake.step(r, &mut self.out)? {
            self.handshake = None;
            self.start(init)?;
        }
        Ok(())
    }

    /// ServerInit came: the pixel format, the encodings, the first (full) update request.
    fn start(&mut self, init: ServerInit) -> Result<(), RfbError> {
        let ServerInit { width, height, format, name, direct } = init;
        self.name = name;
        if direct {
            // Only a WebMKS server starts at ServerInit.
            self.enter_webmks();
        }
        // 32-bit RGBX and BGRX (ESXi's and most VNC servers' own) are read as they come.
        let read_as_is = format == PixelFormat::RGBX8888 || format == PixelFormat::BGRX8888;
        if self.config.set_pixel_format && !direct && !read_as_is {
            self.pf = PixelFormat::RGBX8888;
            messages::set_pixel_format(&mut self.out, &self.pf);
        } else {
            format.validate()?;
            self.pf = format;
        }
        self.fb = Some(Framebuffer::new(width as u32, height as u32)?);
        messages::set_encodings(&mut self.out, &self.config.encodings);
        messages::framebuffer_update_request(&mut self.out, false, 0, 0, width, height);
        self.events.push_back(Event::Connected { width: width as u32, height: height as u32, name: self.name.clone() });
        self.phase = Phase::Normal;
        Ok(())
    }
}
