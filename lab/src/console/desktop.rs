//! The built-in synthetic desktop: recognisable, deterministic and cheap to draw.
//!
//! It shows the VM's name, a clock, the pointer position and a line that echoes what
//! was typed, above colour bars. Pixels are RGBA, rows top to bottom.

use font8x8::UnicodeFonts;

pub const WIDTH: u32 = 1024;
pub const HEIGHT: u32 = 768;
/// The typed-text line: x, y, width, height.
pub const TYPED_REGION: (u32, u32, u32, u32) = (32, 240, 960, 40);

const BACKGROUND: [u8; 3] = [0x1e, 0x3a, 0x5f];
const TITLE: [u8; 3] = [0x0b, 0x5c, 0xad];
const WHITE: [u8; 3] = [0xff, 0xff, 0xff];
const TYPED_BG: [u8; 3] = [0x10, 0x10, 0x10];
const TYPED_FG: [u8; 3] = [0x7c, 0xfc, 0x00];

#[derive(Clone, Debug, Default)]
pub struct Desktop {
    pub vm_name: String,
    pub typed: String,
    pub pointer: (u16, u16),
    pub buttons: u8,
    pub clipboard: String,
}

impl Desktop {
    /// Draws the desktop at `unix_secs` into RGBA.
    pub fn render(&self, unix_secs: u64) -> Vec<u8> {
        let mut c = Canvas { px: vec![0; (WIDTH * HEIGHT * 4) as usize] };
        c.rect(0, 0, WIDTH, HEIGHT, BACKGROUND);
        c.rect(0, 0, WIDTH, 64, TITLE);
        c.text(24, 20, 3, &format!("{}  (vsphere-console lab)", self.vm_name), WHITE, None);
        let t = unix_secs % 86_400;
        c.text(32, 100, 2, &format!("Clock   {:02}:{:02}:{:02} UTC", t / 3600, t % 3600 / 60, t % 60), WHITE, None);
        let (x, y) = self.pointer;
        c.text(32, 150, 2, &format!("Pointer {x},{y}  buttons {:03b}", self.buttons), WHITE, None);
        c.text(32, 210, 2, "Typed:", WHITE, None);
        let (tx, ty, tw, th) = TYPED_REGION;
        c.rect(tx, ty, tw, th, TYPED_BG);
        let shown: String = {
            let chars: Vec<char> = self.typed.chars().collect();
            let keep = 56;
            chars[chars.len().saturating_sub(keep)..].iter().collect()
        };
        c.text(tx + 12, ty + 12, 2, &format!("{shown}_"), TYPED_FG, Some(TYPED_BG));
        if !self.clipboard.is_empty() {
            let clip: String = self.clipboard.chars().take(56).collect();
            c.text(32, 310, 2, &format!("Clipboard: {clip}"), WHITE, None);
        }
        let bars = [[255, 255, 255], [255, 255, 0], [0, 255, 255], [0, 255, 0], [255, 0, 255], [255, 0, 0], [0, 0, 255], [0, 0, 0]];
        let bw = WIDTH / bars.len() as u32;
        for (i, col) in bars.iter().enumerate() {
            c.rect(i as u32 * bw, 560, bw, 160, *col);
        }
        c.text(24, 736, 2, "Type here: keys and pointer reach this desktop.", WHITE, None);
        c.px
    }
}

struct Canvas {
    px: Vec<u8>,
}

impl Canvas {
    fn rect(&mut self, x: u32, y: u32, w: u32, h: u32, rgb: [u8; 3]) {
        for yy in y..(y + h).min(HEIGHT) {
            for xx in x..(x + w).min(WIDTH) {
                let o = ((yy * WIDTH + xx) * 4) as usize;
                self.px[o..o + 4].copy_from_slice(&[rgb[0], rgb[1], rgb[2], 255]);
            }
        }
    }

    fn text(&mut self, x: u32, y: u32, scale: u32, s: &str, fg: [u8; 3], bg: Option<[u8; 3]>) {
        let mut cx = x;
        for ch in s.chars() {
            let glyph = font8x8::BASIC_FONTS.get(ch).or_else(|| font8x8::LATIN_FONTS.get(ch)).unwrap_or([0xff; 8]);
            for (row, bits) in glyph.iter().enumerate() {
                for col in 0..8u32 {
                    let on = bits & (1 << col) != 0;
                    let colour = if on { Some(fg) } else { bg };
                    if let Some(rgb) = colour {
                        self.rect(cx + col * scale, y + row as u32 * scale, scale, scale, rgb);
                    }
                }
            }
            cx += 8 * scale;
            if cx + 8 * scale > WIDTH {
                break;
            }
        }
    }
}

/// The RGBA bytes of a region, rows top to bottom.
pub fn region(px: &[u8], (x, y, w, h): (u32, u32, u32, u32)) -> Vec<u8> {
    let mut out = Vec::with_capacity((w * h * 4) as usize);
    for row in y..y + h {
        let o = ((row * WIDTH + x) * 4) as usize;
        out.extend_from_slice(&px[o..o + (w * 4) as usize]);
    }
    out
}
