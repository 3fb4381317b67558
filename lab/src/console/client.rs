//! What a client sends, parsed: rfbproto's messages and VMware's type 127.

/// A client's pixel format (SetPixelFormat), for Raw rectangles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PixelFormat {
    pub bpp: u8,
    pub big_endian: bool,
    pub max: [u16; 3],
    pub shift: [u8; 3],
}

impl PixelFormat {
    /// ESXi's own format: 32 bpp little-endian, red shift 16 (B, G, R, X in memory).
    pub const NATIVE: PixelFormat = PixelFormat { bpp: 32, big_endian: false, max: [255, 255, 255], shift: [16, 8, 0] };

    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&[self.bpp, if self.bpp == 32 { 24 } else { self.bpp }, self.big_endian as u8, 1]);
        for m in self.max {
            out.extend_from_slice(&m.to_be_bytes());
        }
        out.extend_from_slice(&[self.shift[0], self.shift[1], self.shift[2], 0, 0, 0]);
    }

    pub fn pack(&self, rgba: &[u8], out: &mut Vec<u8>) {
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

pub enum ClientMsg {
    SetPixelFormat(PixelFormat),
    Encodings(Vec<i32>),
    Update {
        incremental: u8,
    },
    Key {
        down: bool,
        keysym: u32,
    },
    Pointer {
        buttons: u8,
        x: u16,
        y: u16,
    },
    CutText(String),
    /// 127/0: a scan code.
    ScanKey {
        down: bool,
        scancode: u16,
    },
    /// 127/2: absolute or relative pointer with buttons and wheel (+1 up, +1 right).
    Pointer2 {
        absolute: bool,
        x: i32,
        y: i32,
        buttons: u32,
        wheel_y: i8,
        wheel_x: i8,
    },
    /// 127/3.
    ClientCaps(u32),
    /// 127/4: the update id and `(ms + 2) × 10`.
    UpdateAck {
        id: u8,
        render: u16,
    },
    /// 127/5.
    RequestResolution {
        width: u16,
        height: u16,
    },
    /// 127/6: a Unicode code point (`raw` false) or a JavaScript keyCode.
    Key2 {
        code: u32,
        down: bool,
        raw: bool,
    },
    /// 127/11: the client's update cache.
    CacheInfo {
        flags: u32,
        entries: u16,
        size_kb: u32,
    },
    /// 127/12.
    SessionClose,
    Ignored,
}

pub enum Parsed {
    NeedMore,
    Bad(&'static str),
    Msg(usize, ClientMsg),
}

pub fn parse(b: &[u8]) -> Parsed {
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
            Parsed::Msg(10, ClientMsg::Update { incremental: b[1] })
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
            let msg = match (b[1], len) {
                (0, 8) => ClientMsg::ScanKey { down: b[6] != 0, scancode: be16(4) },
                (2, 19) => ClientMsg::Pointer2 {
                    absolute: b[4] != 0,
                    x: be32(5) as i32,
                    y: be32(9) as i32,
                    buttons: be32(13),
                    wheel_y: b[17] as i8,
                    wheel_x: b[18] as i8,
                },
                (3, 8) => ClientMsg::ClientCaps(be32(4)),
                (4, 8) => ClientMsg::UpdateAck { id: b[4], render: be16(6) },
                (5, 8) => ClientMsg::RequestResolution { width: be16(4), height: be16(6) },
                (6, 10) => ClientMsg::Key2 { code: be32(4), down: b[8] != 0, raw: b[9] != 0 },
                (11, 14) => ClientMsg::CacheInfo { flags: be32(4), entries: be16(8), size_kb: be32(10) },
                (12, _) => ClientMsg::SessionClose,
                (0 | 2 | 3 | 4 | 5 | 6 | 11, _) => return Parsed::Bad("vmware message of the wrong length"),
                _ => ClientMsg::Ignored,
            };
            Parsed::Msg(len, msg)
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
