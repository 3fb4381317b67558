//! VMware's small pseudo-encodings: cursor state, cursor position, typematic info,
//! keyboard LEDs and frame stamps; and H.264, skipped. Their numbers are in VMware's
//! range (`0x574D56xx`, "WMV").

use super::{Ctx, Effect, Progress};
use crate::rfb::dialect::Dialect;
use crate::rfb::error::RfbError;
use crate::rfb::event::{Event, KeyMode};
use crate::rfb::limits::MAX_MESSAGE;
use crate::rfb::reader::{Parsed, Reader};

/// VMWCursorState: `u16` flags; bit 0 visible, and (rfbproto) bit 1 an absolute pointer.
/// VMware's client reads bit 0 only: to a WebMKS server the pointer is absolute, and
/// relative motion is the person's choice, never the server's. As in VMware's client,
/// the rectangle also turns keys into VMware scan codes: only VMware's servers send it
/// (TigerVNC sends VMware's cursor, position and LEDs, never its cursor state).
pub fn cursor_state(r: &mut Reader, t: &mut Ctx) -> Parsed<Progress> {
    let flags = r.u16()?;
    let absolute = t.dialect == Dialect::WebMks || flags & 2 != 0;
    t.effects.push(Effect::Event(Event::CursorState { visible: flags & 1 != 0, absolute }));
    t.effects.push(Effect::KeyMode(KeyMode::VmwareScancode));
    Ok(Progress::Done)
}

/// VMWCursorPosition: the rectangle's x, y are where the guest put the pointer; no body.
pub fn cursor_position(_: &mut Reader, _: &mut Ctx) -> Parsed<Progress> {
    Ok(Progress::Done)
}

/// VMWTypematicInfo: `u16 state, u32 period, u32 delay` (µs).
pub fn typematic_info(r: &mut Reader, t: &mut Ctx) -> Parsed<Progress> {
    let (on, period, delay) = (r.u16()?, r.u32()?, r.u32()?);
    t.effects.push(Effect::Event(Event::Typematic { enabled: on != 0, period_us: period, delay_us: delay }));
    Ok(Progress::Done)
}

/// VMWLEDState: `u32`, bit 0 Scroll, 1 Num, 2 Caps.
pub fn led_state(r: &mut Reader, t: &mut Ctx) -> Parsed<Progress> {
    let f = r.u32()?;
    t.effects.push(Effect::Event(Event::Leds { scroll: f & 1 != 0, num: f & 2 != 0, caps: f & 4 != 0 }));
    Ok(Progress::Done)
}

/// VMWFrameStamp: `u32 lo, u32 hi`, a timestamp for audio/video sync. The console plays
/// no audio, so it is read and let go.
pub fn frame_stamp(r: &mut Reader, _: &mut Ctx) -> Parsed<Progress> {
    r.skip(8)?;
    Ok(Progress::Done)
}

/// H.264, raw or as fragmented MP4: `u16 reset, u16 stream, u32 length` and the data.
/// Never advertised (VMware's client keeps both off by default); a server that sends it
/// anyway is skipped past, and the screen keeps what it had.
pub fn h264_skipped(r: &mut Reader, _: &mut Ctx) -> Parsed<Progress> {
    let (_reset, _stream, len) = (r.u16()?, r.u16()?, r.u32()? as usize);
    if len > MAX_MESSAGE {
        return Err(RfbError::MessageTooLarge(len).into());
    }
    r.skip(len)?;
    Ok(Progress::Done)
}
