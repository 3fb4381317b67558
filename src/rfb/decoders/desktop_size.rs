//! DesktopSize (-223) and ExtendedDesktopSize (-308): the desktop's new size is the
//! rectangle's width and height.

use super::{Ctx, Effect, Progress};
use crate::rfb::reader::{Parsed, Reader};

/// DesktopSize: no body.
pub fn decode(_: &mut Reader, t: &mut Ctx) -> Parsed<Progress> {
    resize(t)
}

/// ExtendedDesktopSize: `u8 screens`, 3 padding, 16 bytes per screen. The rectangle's
/// `y` is the status: only a successful change (0) resizes.
pub fn decode_extended(r: &mut Reader, t: &mut Ctx) -> Parsed<Progress> {
    let n = r.u8()?;
    r.skip(3 + n as usize * 16)?;
    if t.rect.y != 0 {
        return Ok(Progress::Done);
    }
    resize(t)
}

/// What only the canvas holds is read back first, so the resized framebuffer keeps it.
fn resize(t: &mut Ctx) -> Parsed<Progress> {
    if !t.fb.canvas_only().is_empty() {
        return Ok(Progress::ReadBack(t.fb.canvas_only().to_vec()));
    }
    t.effects.push(Effect::Resize { width: t.rect.w, height: t.rect.h });
    Ok(Progress::Done)
}
