//! Update flow control: what the client says when an update is complete.
//!
//! - rfbproto (noVNC's way): the next incremental FramebufferUpdateRequest, as soon as
//!   the update is decoded.
//! - WebMKS, as VMware's client does it: once everything of the update is on screen
//!   (decoded, its images drawn, its damage painted), an UpdateAck (127/4) echoing the
//!   update's id from the FramebufferUpdate's padding byte, with the time drawing took as
//!   `(ms + 2) × 10`; the server pushes the next (ServerPush2). A WebMKS server without
//!   UpdateAck gets a FramebufferUpdateRequest whose incremental byte is that id.

use super::dialect::{caps, Dialect};
use super::engine::{Engine, Unacked};
use super::event::Event;
use super::messages::{self, vmware};
use crate::rfb::engine::Phase;

impl Engine {
    /// A FramebufferUpdate's header: `u8 id, u16 rectangles`.
    pub(super) fn begin_update(&mut self, id: u8, rects: u16) {
        self.update_id = id;
        self.updates_begun += 1;
        self.update_began_ms = self.now_ms;
        self.phase = Phase::InUpdate { remaining: rects };
        self.update_work_start = self.fb.as_ref().map_or(0, super::framebuffer::Framebuffer::work);
        if rects == 0 {
            self.finish_update();
        }
    }

    /// Every rectangle of the update has been read.
    pub(super) fn finish_update(&mut self) {
        self.stats.updates += 1;
        self.phase = Phase::Normal;
        self.events.push_back(Event::FrameComplete);
        match self.dialect {
            Dialect::Rfb => {
                if let Some(fb) = &self.fb {
                    let (w, h) = (fb.width() as u16, fb.height() as u16);
                    messages::framebuffer_update_request(&mut self.out, true, 0, 0, w, h);
                }
            }
            Dialect::WebMks => {
                let u = Unacked { id: self.update_id, update: self.updates_begun, began_ms: self.update_began_ms, painted: false };
                self.unacked.push_back(u);
                self.send_acks();
            }
        }
    }

    /// Acknowledges, oldest first, every update that is on screen: none of its images is
    /// still out, and (where the host paints) it has been painted.
    pub(super) fn send_acks(&mut self) {
        while let Some(u) = self.unacked.front().copied() {
            let images_out = self.pending_images.iter().any(|p| p.update == u.update);
            if images_out || (self.config.ack_after_paint && !u.painted) {
                return;
            }
            self.unacked.pop_front();
            if self.server_caps & caps::UPDATE_ACK != 0 {
                vmware::update_ack(&mut self.out, u.id, render_time(self.now_ms - u.began_ms));
            } else if let Some(fb) = &self.fb {
                let (w, h) = (fb.width() as u16, fb.height() as u16);
                messages::framebuffer_update_request_with_byte(&mut self.out, u.id, 0, 0, w, h);
            }
        }
    }
}

/// UpdateAck's time field as VMware's client computes it: `(ms + 2) × 10`, so at least 20.
pub fn render_time(elapsed_ms: f64) -> u16 {
    let ms = if elapsed_ms.is_finite() { elapsed_ms.max(0.0).floor() } else { 0.0 };
    ((ms + 2.0) * 10.0).min(u16::MAX as f64) as u16
}

#[cfg(test)]
mod tests {
    use super::render_time;

    #[test]
    fn render_time_is_ms_plus_two_times_ten() {
        assert_eq!(render_time(0.0), 20);
        assert_eq!(render_time(13.7), 150);
        assert_eq!(render_time(-5.0), 20, "a clock that went back counts as no time");
        assert_eq!(render_time(1e9), u16::MAX);
    }
}
