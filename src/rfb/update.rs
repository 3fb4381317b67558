//! The rectangles of a FramebufferUpdate: each header is looked up in the decoder table
//! ([`decoders::find`]), the rectangle is made safe to draw (canvas-only regions read
//! back or claimed), and the decoder's result is applied: pixels, an image for the host,
//! or what a pseudo-encoding means.

use super::decoders::{self, Ctx, Effect, Kind, Progress, RectState};
use super::engine::{CurrentRect, Engine, PendingImage, Phase};
use super::error::RfbError;
use super::event::Event;
use super::framebuffer::{Framebuffer, Rect};
use super::image_header;
use super::limits::{MAX_CANVAS_ONLY_RECTS, MAX_IMAGES_IN_FLIGHT, MAX_IMAGE_PIXELS_IN_FLIGHT};
use super::reader::{Parsed, Reader, Stop};

impl Engine {
    /// One rectangle: its header, then (on later calls if need be) its body.
    pub(super) fn rectangle(&mut self, r: &mut Reader) -> Parsed {
        let Some(cur) = self.current.clone() else {
            let (x, y, w, h, encoding) = (r.u16()?, r.u16()?, r.u16()?, r.u16()?, r.i32()?);
            self.current = Some(CurrentRect { x, y, w, h, encoding, state: RectState::Fresh });
            self.stats.count(encoding);
            return Ok(());
        };
        let CurrentRect { x, y, w, h, encoding, mut state } = cur;
        let decoder = decoders::find(encoding).ok_or(RfbError::UnknownEncoding(encoding))?;
        let fb = self.fb.as_mut().ok_or(RfbError::Malformed("rectangle before ServerInit"))?;
        let mut rect = Rect::new(x.into(), y.into(), w.into(), h.into());
        if let Kind::Pixels { image, source } = decoder.kind {
            rect = fb.check(x, y, w, h)?;
            if state == RectState::Fresh && !fb.canvas_only().is_empty() {
                self.make_right_for(r, rect, image, source)?;
            }
        }
        let mut effects = Vec::new();
        let Some(fb) = self.fb.as_mut() else { return Err(RfbError::Malformed("rectangle before ServerInit").into()) };
        let mut cx =
            Ctx { rect, fb, pf: &self.pf, dialect: self.dialect, state: &mut state, streams: &mut self.streams, effects: &mut effects };
        match (decoder.decode)(r, &mut cx)? {
            Progress::Partial => {
                self.current = Some(CurrentRect { x, y, w, h, encoding, state });
                return Ok(());
            }
            Progress::ReadBack(rects) => {
                self.wait_for_canvas(rects);
                return Err(Stop::NeedMore);
            }
            Progress::Image(format, data) => {
                self.current = None;
                self.image(rect, format, data)?;
            }
            Progress::Done => self.current = None,
        }
        let mut ended = false;
        for effect in effects {
            match effect {
                Effect::Event(e) => self.events.push_back(e),
                Effect::Resize { width, height } => self.resize(width, height)?,
                Effect::KeyMode(mode) => self.set_key_mode(mode),
                Effect::EndUpdate => ended = true,
            }
        }
        if ended {
            self.finish_update();
        } else {
            self.after_rect();
        }
        Ok(())
    }

    /// An image rectangle: decoded here (natively) or handed to the host. Between an
    /// update-cache Begin and End it goes into the cache's slot, not onto the screen.
    fn image(&mut self, rect: Rect, format: decoders::ImageFormat, data: Vec<u8>) -> Result<(), RfbError> {
        // Checked before any decoder sees it: an image that says it is another size
        // (or huge) would cost a decode for nothing, or be a decompression bomb.
        if image_header::dimensions(format, &data) != Some((rect.w, rect.h)) {
            return Err(RfbError::Malformed("image: its header does not match its rectangle"));
        }
        let slot = self.streams.cache.filling();
        match self.config.image_decoder {
            Some(decode) => {
                let rgba = decode(format, &data, rect.w, rect.h).map_err(RfbError::Image)?;
                if rgba.len() as u64 != rect.area() * 4 {
                    return Err(RfbError::Malformed("image: decoded size differs from its rectangle"));
                }
                match slot {
                    Some(slot) => self.streams.cache.keep(slot, rect.w, rect.h, rgba)?,
                    None => {
                        if let Some(fb) = self.fb.as_mut() {
                            fb.put_rgba(rect, &rgba);
                        }
                    }
                }
            }
            None => {
                // Counted now: its update may end, and the next be read, while it
                // decodes (noVNC's render queue does the same).
                self.pending_images.push_back(PendingImage { rect, update: self.updates_begun, slot });
                let (x, y, width, height) = (rect.x, rect.y, rect.w, rect.h);
                self.events.push_back(Event::DecodeImage { format, data, x, y, width, height, keep: slot.is_some() });
            }
        }
        Ok(())
    }

    /// Before a rectangle that draws here while the canvas alone holds some regions: a
    /// rectangle that reads the framebuffer (CopyRect) needs its source right here (read
    /// back what only the canvas has); any other rectangle but an image will write all of
    /// its area, which stops being canvas-only; past too many scattered regions
    /// (`MAX_CANVAS_ONLY_RECTS`), all are read back. `Stop::NeedMore`: wait (for bytes,
    /// or for the read-back).
    fn make_right_for(
        &mut self,
        r: &Reader,
        rect: Rect,
        image: Option<fn(u8) -> bool>,
        source: Option<fn(&Reader, Rect) -> Parsed<Rect>>,
    ) -> Parsed {
        let Some(fb) = self.fb.as_mut() else { return Ok(()) };
        if let Some(source) = source {
            let src = source(r, rect)?;
            let src = fb.check(src.x as u16, src.y as u16, src.w as u16, src.h as u16)?;
            let stale: Vec<Rect> = fb.canvas_only().iter().filter_map(|c| c.intersection(&src)).collect();
            if !stale.is_empty() {
                self.wait_for_canvas(stale);
                return Err(Stop::NeedMore);
            }
        }
        let is_image = match image {
            Some(is_image) => is_image(r.peek(1)?[0]),
            None => false,
        };
        if !is_image {
            fb.claim(rect);
        }
        if fb.canvas_only().len() > MAX_CANVAS_ONLY_RECTS {
            self.read_back_canvas_only();
            return Err(Stop::NeedMore);
        }
        Ok(())
    }

    /// Asks for every canvas-only region back (when they are too many).
    fn read_back_canvas_only(&mut self) {
        if let Some(all) = self.fb.as_ref().map(|fb| fb.canvas_only().to_vec()).filter(|a| !a.is_empty()) {
            self.wait_for_canvas(all);
        }
    }

    /// While images are out for decoding, what follows may still be read (the browser
    /// decodes several at once) when the result cannot depend on order: the next
    /// FramebufferUpdate's header, LastRect, more images, which land in order, or a
    /// rectangle of pixels that reads nothing and overlaps no image still out. Anything
    /// else (CopyRect, a resize, a cursor, another message) waits.
    pub(super) fn may_parse_past_images(&self, r: &Reader) -> bool {
        let pixels: u64 = self.pending_images.iter().map(|p| p.rect.w as u64 * p.rect.h as u64).sum();
        if self.pending_images.len() >= MAX_IMAGES_IN_FLIGHT || pixels >= MAX_IMAGE_PIXELS_IN_FLIGHT {
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
        let Some(decoder) = decoders::find(encoding) else { return false };
        let image = match decoder.kind {
            Kind::EndOfUpdate => return true,
            Kind::Pixels { image: None, source: None } => false,
            Kind::Pixels { image: Some(is_image), source: None } => {
                let Ok(head) = r.peek(13) else { return false };
                is_image(head[12])
            }
            _ => return false,
        };
        let be = |i: usize| u32::from(u16::from_be_bytes([head[i], head[i + 1]]));
        let rect = Rect::new(be(0), be(2), be(4), be(6));
        image || self.pending_images.iter().all(|p| !p.rect.intersects(&rect))
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
}
