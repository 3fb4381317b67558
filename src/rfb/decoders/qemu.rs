//! QEMU's pseudo-encodings: extended key events (the server takes scan codes) and LEDs.

use super::{Ctx, Effect, Progress};
use crate::rfb::event::{Event, KeyMode};
use crate::rfb::reader::{Parsed, Reader};

/// QEMU extended key event (-258): no body; keys may go as scan codes.
pub fn extended_key_event(_: &mut Reader, t: &mut Ctx) -> Parsed<Progress> {
    t.effects.push(Effect::KeyMode(KeyMode::QemuExtended));
    Ok(Progress::Done)
}

/// QEMU LED state (-261): `u8`, bit 0 Scroll, 1 Num, 2 Caps.
pub fn led_state(r: &mut Reader, t: &mut Ctx) -> Parsed<Progress> {
    let f = r.u8()?;
    t.effects.push(Effect::Event(Event::Leds { scroll: f & 1 != 0, num: f & 2 != 0, caps: f & 4 != 0 }));
    Ok(Progress::Done)
}
