//! UpdateCache (0x574D567F): `u8 operation, u16 slot, u16 length`, then `length` bytes
//! (Init's 14-byte body, or a bitmap); `update_cache.rs` holds the slots.

use super::{Ctx, Progress};
use crate::rfb::error::RfbError;
use crate::rfb::reader::{Parsed, Reader};
use crate::rfb::update_cache::Op;

pub fn decode(r: &mut Reader, t: &mut Ctx) -> Parsed<Progress> {
    let (op, slot, len) = (r.u8()?, r.u16()?, r.u16()?);
    let data = r.bytes(len as usize)?;
    let op = match op {
        // Init: 4 bytes unused, u32 flags, u16 entries, 4 bytes unused.
        0 if len == 14 => {
            Op::Init { flags: u32::from_be_bytes([data[4], data[5], data[6], data[7]]), entries: u16::from_be_bytes([data[8], data[9]]) }
        }
        0 => return Err(RfbError::Malformed("update cache: Init is not 14 bytes").into()),
        1 => Op::Begin { slot, evict: data },
        2 => Op::End { slot, mask: data },
        3 => Op::Replay { slot, mask: data },
        _ => return Err(RfbError::Malformed("update cache: unknown operation").into()),
    };
    // Tiles drawn over what only the canvas holds: read it back first.
    if let Some(region) = t.streams.cache.region(&op, t.rect, t.fb) {
        let stale: Vec<_> = t.fb.canvas_only().iter().filter_map(|c| c.intersection(&region)).collect();
        if !stale.is_empty() {
            return Ok(Progress::ReadBack(stale));
        }
    }
    t.streams.cache.apply(op, t.rect, t.fb)?;
    Ok(Progress::Done)
}
