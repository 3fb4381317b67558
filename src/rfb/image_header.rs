//! The size a JPEG or PNG says it has, read from its header before anything decodes it,
//! so an image that does not fit its rectangle (or claims to be huge) is refused
//! without handing it to a decoder.

/// The two image formats a rectangle may carry (Tight and TightPNG).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageFormat {
    Jpeg,
    Png,
}

impl ImageFormat {
    pub fn mime(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Png => "image/png",
        }
    }
}

/// Width and height from the header, or `None` when there is no readable header.
pub fn dimensions(format: ImageFormat, data: &[u8]) -> Option<(u32, u32)> {
    match format {
        ImageFormat::Png => png(data),
        ImageFormat::Jpeg => jpeg(data),
    }
}

/// PNG: the signature, then IHDR first with big-endian width and height.
fn png(d: &[u8]) -> Option<(u32, u32)> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    if d.get(..8)? != SIGNATURE || d.get(12..16)? != b"IHDR" {
        return None;
    }
    let be = |i: usize| d.get(i..i + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
    Some((be(16)?, be(20)?))
}

/// JPEG: walks the marker segments from SOI to the first start-of-frame.
fn jpeg(d: &[u8]) -> Option<(u32, u32)> {
    if d.get(..2)? != [0xFF, 0xD8] {
        return None;
    }
    let mut i = 2;
    loop {
        // Fill bytes (0xFF) may pad before a marker.
        while *d.get(i)? == 0xFF && *d.get(i + 1)? == 0xFF {
            i += 1;
        }
        if *d.get(i)? != 0xFF {
            return None;
        }
        let marker = *d.get(i + 1)?;
        let len = u16::from_be_bytes([*d.get(i + 2)?, *d.get(i + 3)?]) as usize;
        // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
        if (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            let h = u16::from_be_bytes([*d.get(i + 5)?, *d.get(i + 6)?]) as u32;
            let w = u16::from_be_bytes([*d.get(i + 7)?, *d.get(i + 8)?]) as u32;
            return Some((w, h));
        }
        // Start of scan or end of image before any frame header: no size.
        if marker == 0xDA || marker == 0xD9 || len < 2 {
            return None;
        }
        i += 2 + len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_png_and_jpeg_headers() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&640u32.to_be_bytes());
        png.extend_from_slice(&480u32.to_be_bytes());
        assert_eq!(dimensions(ImageFormat::Png, &png), Some((640, 480)));
        // SOI, an APP0 segment, then SOF0 with height 2, width 3.
        let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 1, 2, 0xFF, 0xC0, 0, 11, 8, 0, 2, 0, 3, 1, 1, 0x11, 0];
        assert_eq!(dimensions(ImageFormat::Jpeg, &jpeg), Some((3, 2)));
        assert_eq!(dimensions(ImageFormat::Jpeg, &[0xFF, 0xD8, 0xFF, 0xDA, 0, 2]), None);
        assert_eq!(dimensions(ImageFormat::Png, b"GIF89a"), None);
        assert_eq!(dimensions(ImageFormat::Jpeg, &[0xFF, 0xD8, 0xFF]), None, "truncated: no panic, no size");
    }
}
