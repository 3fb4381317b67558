//! Client-to-server messages (rfbproto 7.5) and VMware's type 127 messages.

use super::pixel_format::PixelFormat;

pub fn set_pixel_format(out: &mut Vec<u8>, pf: &PixelFormat) {
    out.extend_from_slice(&[0, 0, 0, 0]);
    pf.write(out);
}

pub fn set_encodings(out: &mut Vec<u8>, encodings: &[i32]) {
    out.extend_from_slice(&[2, 0]);
    out.extend_from_slice(&(encodings.len() as u16).to_be_bytes());
    for e in encodings {
        out.extend_from_slice(&e.to_be_bytes());
    }
}

pub fn framebuffer_update_request(out: &mut Vec<u8>, incremental: bool, x: u16, y: u16, w: u16, h: u16) {
    framebuffer_update_request_with_byte(out, incremental as u8, x, y, w, h)
}

/// A FramebufferUpdateRequest whose incremental byte carries a WebMKS update id.
pub fn framebuffer_update_request_with_byte(out: &mut Vec<u8>, incremental: u8, x: u16, y: u16, w: u16, h: u16) {
    out.extend_from_slice(&[3, incremental]);
    for v in [x, y, w, h] {
        out.extend_from_slice(&v.to_be_bytes());
    }
}

pub fn key_event(out: &mut Vec<u8>, down: bool, keysym: u32) {
    out.extend_from_slice(&[4, down as u8, 0, 0]);
    out.extend_from_slice(&keysym.to_be_bytes());
}

pub fn pointer_event(out: &mut Vec<u8>, buttons: u8, x: u16, y: u16) {
    out.extend_from_slice(&[5, buttons]);
    out.extend_from_slice(&x.to_be_bytes());
    out.extend_from_slice(&y.to_be_bytes());
}

/// ClientCutText: Latin-1 text; characters outside Latin-1 become `?`.
pub fn client_cut_text(out: &mut Vec<u8>, text: &str) {
    let bytes: Vec<u8> = text.chars().map(|c| if (c as u32) < 256 { c as u8 } else { b'?' }).collect();
    out.extend_from_slice(&[6, 0, 0, 0]);
    out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
    out.extend_from_slice(&bytes);
}

/// QEMU extended key event (message 255, subtype 0): keysym plus XT scan code.
pub fn qemu_extended_key_event(out: &mut Vec<u8>, down: bool, keysym: u32, xt_scancode: u32) {
    out.extend_from_slice(&[255, 0]);
    out.extend_from_slice(&(down as u16).to_be_bytes());
    out.extend_from_slice(&keysym.to_be_bytes());
    out.extend_from_slice(&xt_scancode.to_be_bytes());
}

/// VMware messages: `u8 127, u8 subtype, u16 total length`.
pub mod vmware {
    pub const KEY_EVENT: u8 = 0;
    pub const POINTER_EVENT2: u8 = 2;
    pub const CLIENT_CAPS: u8 = 3;
    pub const UPDATE_ACK: u8 = 4;
    pub const REQUEST_RESOLUTION: u8 = 5;
    pub const KEY_EVENT2: u8 = 6;
    pub const AUDIO_ACK: u8 = 7;
    pub const UPDATE_CACHE_INFO: u8 = 11;
    pub const SESSION_CLOSE: u8 = 12;

    /// Pause's vscan in VMware's table: not a set-1 make code (Pause sends E1 1D 45), so
    /// a server that takes plain set-1 codes needs another number for it.
    pub const VSCAN_PAUSE: u16 = 0x100;

    fn header(out: &mut Vec<u8>, sub: u8, len: u16) {
        out.extend_from_slice(&[127, sub]);
        out.extend_from_slice(&len.to_be_bytes());
    }

    /// 127/0: PC set-1 scan code, 0x100 added for E0-prefixed keys.
    pub fn key_event(out: &mut Vec<u8>, vscan: u16, down: bool) {
        header(out, KEY_EVENT, 8);
        out.extend_from_slice(&vscan.to_be_bytes());
        out.extend_from_slice(&[down as u8, 0]);
    }

    /// 127/2: the pointer with buttons and wheel. Absolute: x, y in framebuffer pixels;
    /// relative: the motion. Wheel +1 is up (away from the person) and right.
    pub fn pointer_event2(out: &mut Vec<u8>, absolute: bool, x: i32, y: i32, buttons: u32, wheel_y: i8, wheel_x: i8) {
        header(out, POINTER_EVENT2, 19);
        out.push(absolute as u8);
        out.extend_from_slice(&x.to_be_bytes());
        out.extend_from_slice(&y.to_be_bytes());
        out.extend_from_slice(&buttons.to_be_bytes());
        out.extend_from_slice(&[wheel_y as u8, wheel_x as u8]);
    }

    pub fn client_caps(out: &mut Vec<u8>, caps: u32) {
        header(out, CLIENT_CAPS, 8);
        out.extend_from_slice(&caps.to_be_bytes());
    }

    /// 127/4: acknowledges the update whose id came in the FramebufferUpdate padding byte.
    pub fn update_ack(out: &mut Vec<u8>, update_id: u8, render_tenths_ms: u16) {
        header(out, UPDATE_ACK, 8);
        out.extend_from_slice(&[update_id, 0]);
        out.extend_from_slice(&render_tenths_ms.to_be_bytes());
    }

    /// 127/6 with `raw` 0: a key that types the Unicode code point `code`, down or up.
    pub fn unicode_key_event(out: &mut Vec<u8>, code: u32, down: bool) {
        header(out, KEY_EVENT2, 10);
        out.extend_from_slice(&code.to_be_bytes());
        out.extend_from_slice(&[down as u8, 0]);
    }

    pub fn request_resolution(out: &mut Vec<u8>, w: u16, h: u16) {
        header(out, REQUEST_RESOLUTION, 8);
        out.extend_from_slice(&w.to_be_bytes());
        out.extend_from_slice(&h.to_be_bytes());
    }

    pub fn session_close(out: &mut Vec<u8>, reason: u32) {
        header(out, SESSION_CLOSE, 8);
        out.extend_from_slice(&reason.to_be_bytes());
    }

    /// 127/7: an audio clip's timestamp, echoed.
    pub fn audio_ack(out: &mut Vec<u8>, timestamp_lo: u32, timestamp_hi: u32) {
        header(out, AUDIO_ACK, 12);
        out.extend_from_slice(&timestamp_lo.to_be_bytes());
        out.extend_from_slice(&timestamp_hi.to_be_bytes());
    }

    /// 127/11: what the client's update cache takes.
    pub fn update_cache_info(out: &mut Vec<u8>, flags: u32, max_entries: u16, max_size_kb: u32) {
        header(out, UPDATE_CACHE_INFO, 14);
        out.extend_from_slice(&flags.to_be_bytes());
        out.extend_from_slice(&max_entries.to_be_bytes());
        out.extend_from_slice(&max_size_kb.to_be_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_bytes() {
        let mut v = Vec::new();
        key_event(&mut v, true, 0xff0d);
        assert_eq!(v, [4, 1, 0, 0, 0, 0, 0xff, 0x0d]);
        v.clear();
        pointer_event(&mut v, 1, 300, 2);
        assert_eq!(v, [5, 1, 1, 44, 0, 2]);
        v.clear();
        framebuffer_update_request(&mut v, true, 0, 0, 800, 600);
        assert_eq!(v, [3, 1, 0, 0, 0, 0, 3, 32, 2, 88]);
        v.clear();
        vmware::key_event(&mut v, 0x153, true);
        assert_eq!(v, [127, 0, 0, 8, 1, 0x53, 1, 0]);
        v.clear();
        vmware::pointer_event2(&mut v, true, 10, 20, 1, -1, 0);
        assert_eq!(v.len(), 19);
        assert_eq!(&v[..4], &[127, 2, 0, 19]);
    }
}
