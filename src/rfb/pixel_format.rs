//! PIXEL_FORMAT (rfbproto 7.4) and conversion of server pixels to RGBA.

use super::error::RfbError;
use super::pixels::store;
use super::reader::{Incomplete, Reader};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PixelFormat {
    pub bits_per_pixel: u8,
    pub depth: u8,
    pub big_endian: bool,
    pub true_colour: bool,
    pub red_max: u16,
    pub green_max: u16,
    pub blue_max: u16,
    pub red_shift: u8,
    pub green_shift: u8,
    pub blue_shift: u8,
}

impl PixelFormat {
    /// 32 bpp, little-endian, red in the lowest byte: pixels are RGBX in memory, so
    /// decoding is a copy. What we ask for with SetPixelFormat.
    pub const RGBX8888: PixelFormat = PixelFormat {
        bits_per_pixel: 32,
        depth: 24,
        big_endian: false,
        true_colour: true,
        red_max: 255,
        green_max: 255,
        blue_max: 255,
        red_shift: 0,
        green_shift: 8,
        blue_shift: 16,
    };

    /// ESXi's native format: 32 bpp little-endian, red shift 16 (BGRX in memory).
    pub const BGRX8888: PixelFormat = PixelFormat { red_shift: 16, blue_shift: 0, ..Self::RGBX8888 };

    pub fn read(r: &mut Reader) -> Result<Self, Incomplete> {
        let pf = PixelFormat {
            bits_per_pixel: r.u8()?,
            depth: r.u8()?,
            big_endian: r.u8()? != 0,
            true_colour: r.u8()? != 0,
            red_max: r.u16()?,
            green_max: r.u16()?,
            blue_max: r.u16()?,
            red_shift: r.u8()?,
            green_shift: r.u8()?,
            blue_shift: r.u8()?,
        };
        r.skip(3)?;
        Ok(pf)
    }

    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&[self.bits_per_pixel, self.depth, self.big_endian as u8, self.true_colour as u8]);
        out.extend_from_slice(&self.red_max.to_be_bytes());
        out.extend_from_slice(&self.green_max.to_be_bytes());
        out.extend_from_slice(&self.blue_max.to_be_bytes());
        out.extend_from_slice(&[self.red_shift, self.green_shift, self.blue_shift, 0, 0, 0]);
    }

    /// Rejects formats we cannot draw: colour maps and odd sizes.
    pub fn validate(&self) -> Result<(), RfbError> {
        if !matches!(self.bits_per_pixel, 8 | 16 | 32) {
            return Err(RfbError::PixelFormat(format!("{} bits per pixel", self.bits_per_pixel)));
        }
        if !self.true_colour {
            return Err(RfbError::PixelFormat("colour-map pixels".into()));
        }
        for (max, shift) in [(self.red_max, self.red_shift), (self.green_max, self.green_shift), (self.blue_max, self.blue_shift)] {
            if max == 0 || shift >= 32 {
                return Err(RfbError::PixelFormat("bad colour channel".into()));
            }
        }
        Ok(())
    }

    pub fn bytes_per_pixel(&self) -> usize {
        self.bits_per_pixel as usize / 8
    }

    /// The pixel value of `bytes` (exactly `bytes_per_pixel` long).
    #[inline]
    pub fn value(&self, bytes: &[u8]) -> u32 {
        match (bytes.len(), self.big_endian) {
            (1, _) => bytes[0] as u32,
            (2, false) => u16::from_le_bytes([bytes[0], bytes[1]]) as u32,
            (2, true) => u16::from_be_bytes([bytes[0], bytes[1]]) as u32,
            (3, false) => u32::from_le_bytes([bytes[0], bytes[1], bytes[2], 0]),
            (3, true) => u32::from_be_bytes([0, bytes[0], bytes[1], bytes[2]]),
            (_, false) => u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]),
            (_, true) => u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]),
        }
    }

    /// A pixel value to opaque RGBA.
    #[inline]
    pub fn rgba(&self, v: u32) -> [u8; 4] {
        [
            scale(v >> self.red_shift, self.red_max),
            scale(v >> self.green_shift, self.green_max),
            scale(v >> self.blue_shift, self.blue_max),
            255,
        ]
    }

    /// Converts a run of packed pixels to RGBA, `out` being 4 bytes per pixel.
    pub fn to_rgba(&self, src: &[u8], out: &mut [u8]) {
        let bpp = self.bytes_per_pixel();
        // One 4-byte store per pixel (`pixels::store`), the common formats without
        // the general shift-and-scale.
        if *self == Self::RGBX8888 {
            // Already RGBA but for alpha: one bulk copy (`memory.copy` in wasm), then alpha.
            let n = (src.len() / 4).min(out.len() / 4) * 4;
            out[..n].copy_from_slice(&src[..n]);
            for a in out[..n].chunks_exact_mut(4) {
                a[3] = 255;
            }
            return;
        }
        if *self == Self::BGRX8888 {
            for (s, d) in src.chunks_exact(4).zip(out.chunks_exact_mut(4)) {
                store(d, [s[2], s[1], s[0], 255]);
            }
            return;
        }
        for (s, d) in src.chunks_exact(bpp).zip(out.chunks_exact_mut(4)) {
            store(d, self.rgba(self.value(s)));
        }
    }
}

#[inline]
fn scale(v: u32, max: u16) -> u8 {
    let max = max as u32;
    let c = v & max_mask(max);
    if max == 255 {
        c as u8
    } else {
        ((c.min(max) * 255 + max / 2) / max) as u8
    }
}

#[inline]
fn max_mask(max: u32) -> u32 {
    // max is 2^n - 1 for every real format; masking with it keeps odd maxima safe too.
    max.checked_next_power_of_two().map(|p| if p == max + 1 { max } else { p - 1 }).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rgb565_big_and_little_endian() {
        let pf = PixelFormat {
            bits_per_pixel: 16,
            depth: 16,
            big_endian: false,
            true_colour: true,
            red_max: 31,
            green_max: 63,
            blue_max: 31,
            red_shift: 11,
            green_shift: 5,
            blue_shift: 0,
        };
        let mut out = [0u8; 4];
        pf.to_rgba(&0xF800u16.to_le_bytes(), &mut out);
        assert_eq!(out, [255, 0, 0, 255]);
        let be = PixelFormat { big_endian: true, ..pf };
        be.to_rgba(&0x07E0u16.to_be_bytes(), &mut out);
        assert_eq!(out, [0, 255, 0, 255]);
    }

    #[test]
    fn bgr233() {
        let pf = PixelFormat {
            bits_per_pixel: 8,
            depth: 8,
            big_endian: false,
            true_colour: true,
            red_max: 7,
            green_max: 7,
            blue_max: 3,
            red_shift: 0,
            green_shift: 3,
            blue_shift: 6,
        };
        let mut out = [0u8; 4];
        pf.to_rgba(&[0b11_000_111], &mut out);
        assert_eq!(out, [255, 0, 255, 255]);
    }

    #[test]
    fn write_read_round_trip() {
        let mut v = Vec::new();
        PixelFormat::BGRX8888.write(&mut v);
        assert_eq!(v.len(), 16);
        assert_eq!(PixelFormat::read(&mut Reader::new(&v)).unwrap(), PixelFormat::BGRX8888);
    }
}
