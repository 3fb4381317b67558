//! The built-in synthetic desktop: recognisable, deterministic and cheap to draw, at any
//! size the client asks for.
//!
//! It shows the VM's name, a clock (frozen in tests), the pointer, a line that echoes
//! what was typed, the lines finished with Enter (a log that scrolls), a photo-like
//! gradient (JPEG's job), a static palette of 16×16 tiles (what the update cache
//! holds) and colour bars. Pixels are RGBA, rows top to bottom.

use font8x8::UnicodeFonts;

pub const WIDTH: u32 = 1024;
pub const HEIGHT: u32 = 768;
/// The typed-text line: x, y, width, height.
pub const TYPED_REGION: (u32, u32, u32, u32) = (32, 240, 960, 40);
/// The static palette the update cache holds: x, y, width, height (on the 64-pixel grid).
pub const PALETTE: (u32, u32, u32, u32) = (448, 320, 512, 128);
/// The photo-like gradient.
pub const PHOTO: (u32, u32, u32, u32) = (32, 336, 384, 192);
/// The log of finished lines: x, y, width, height; one line is `LOG_LINE` pixels.
pub const LOG: (u32, u32, u32, u32) = (448, 464, 512, 80);
pub const LOG_LINE: u32 = 16;
const LOG_LINES: usize = 5;

const BACKGROUND: [u8; 3] = [0x1e, 0x3a, 0x5f];
const TITLE: [u8; 3] = [0x0b, 0x5c, 0xad];
const WHITE: [u8; 3] = [0xff, 0xff, 0xff];
const TYPED_BG: [u8; 3] = [0x10, 0x10, 0x10];
const TYPED_FG: [u8; 3] = [0x7c, 0xfc, 0x00];

#[derive(Clone, Debug, Default)]
pub struct Desktop {
    pub vm_name: String,
    pub typed: String,
    /// Lines finished with Enter, oldest first; the log shows the last five.
    pub log: Vec<String>,
    pub pointer: (u16, u16),
    pub buttons: u8,
    pub clipboard: String,
    /// `Some(phase)`: the moving photo covers the desktop, panned by `phase` pixels.
    pub motion: Option<u32>,
}

impl Desktop {
    /// Draws the desktop at `width`×`height` with the clock at `secs` (seconds of the day).
    pub fn render(&self, width: u32, height: u32, secs: u64) -> Vec<u8> {
        let mut c = Canvas { px: vec![0; (width * height * 4) as usize], width, height };
        c.rect(0, 0, width, height, BACKGROUND);
        c.rect(0, 0, width, 64, TITLE);
        c.text(24, 20, 3, &format!("{}  (vsphere-console lab)", self.vm_name), WHITE, None);
        let t = secs % 86_400;
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
            c.text(32, 290, 2, &format!("Clipboard: {clip}"), WHITE, None);
        }
        c.put(PALETTE.0, PALETTE.1, &palette(), PALETTE.2);
        c.put(PHOTO.0, PHOTO.1, &photo(PHOTO.2, PHOTO.3, 0), PHOTO.2);
        let (lx, ly, lw, lh) = LOG;
        c.rect(lx, ly, lw, lh, TYPED_BG);
        for (i, line) in self.log.iter().rev().take(LOG_LINES).rev().enumerate() {
            let line: String = line.chars().take(64).collect();
            c.text(lx, ly + i as u32 * LOG_LINE, 1, &line, TYPED_FG, Some(TYPED_BG));
        }
        let bars = [[255, 255, 255], [255, 255, 0], [0, 255, 255], [0, 255, 0], [255, 0, 255], [255, 0, 0], [0, 0, 255], [0, 0, 0]];
        let bw = width / bars.len() as u32;
        for (i, col) in bars.iter().enumerate() {
            c.rect(i as u32 * bw, 560, bw, 160, *col);
        }
        c.text(24, height.saturating_sub(32), 2, "Type here: keys and pointer reach this desktop.", WHITE, None);
        if let Some(phase) = self.motion {
            let body = height.saturating_sub(64);
            c.put(0, 64, &photo(width, body, phase), width);
        }
        c.px
    }

    /// How many lines the log has scrolled since it held `before` lines.
    pub fn log_scrolled_since(&self, before: usize) -> u32 {
        let visible = |n: usize| n.saturating_sub(LOG_LINES);
        (visible(self.log.len()) - visible(before.min(self.log.len()))) as u32
    }
}

/// The palette: 16×16 tiles of colours that step across and down, so every tile is its
/// own and a tile drawn in the wrong place shows.
pub fn palette() -> Vec<u8> {
    let (_, _, w, h) = PALETTE;
    let mut px = Vec::with_capacity((w * h * 4) as usize);
    for y in 0..h {
        for x in 0..w {
            let (tx, ty) = (x / 16, y / 16);
            px.extend_from_slice(&[(tx * 8) as u8, (ty * 32) as u8, (255 - tx * 8) as u8, 255]);
        }
    }
    px
}

/// A smooth gradient with fine ripples: many colours, as a photo has; `phase` pans it.
fn photo(w: u32, h: u32, phase: u32) -> Vec<u8> {
    let mut px = Vec::with_capacity((w * h * 4) as usize);
    for y in 0..h {
        for x in 0..w {
            let x = (x + phase) % w.max(1);
            let ripple = ((x * 7 + y * 13) % 17) as u8;
            px.extend_from_slice(&[
                (x * 255 / w) as u8 ^ ripple,
                (y * 255 / h) as u8,
                ((x + y) * 255 / (w + h)) as u8 ^ (ripple << 2),
                255,
            ]);
        }
    }
    px
}

struct Canvas {
    px: Vec<u8>,
    width: u32,
    height: u32,
}

impl Canvas {
    fn rect(&mut self, x: u32, y: u32, w: u32, h: u32, rgb: [u8; 3]) {
        for yy in y..(y + h).min(self.height) {
            for xx in x..(x + w).min(self.width) {
                let o = ((yy * self.width + xx) * 4) as usize;
                self.px[o..o + 4].copy_from_slice(&[rgb[0], rgb[1], rgb[2], 255]);
            }
        }
    }

    /// An RGBA picture `w` wide at `x`,`y`, clipped to the canvas.
    fn put(&mut self, x: u32, y: u32, picture: &[u8], w: u32) {
        let h = picture.len() as u32 / 4 / w;
        for row in 0..h.min(self.height.saturating_sub(y)) {
            let cols = w.min(self.width.saturating_sub(x));
            let src = (row * w * 4) as usize;
            let dst = (((y + row) * self.width + x) * 4) as usize;
            self.px[dst..dst + cols as usize * 4].copy_from_slice(&picture[src..src + cols as usize * 4]);
        }
    }

    fn text(&mut self, x: u32, y: u32, scale: u32, s: &str, fg: [u8; 3], bg: Option<[u8; 3]>) {
        let mut cx = x;
        for ch in s.chars() {
            if cx + 8 * scale > self.width {
                break;
            }
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
        }
    }
}

/// The RGBA bytes of a region of a `width`-wide frame, rows top to bottom.
pub fn region(px: &[u8], width: u32, (x, y, w, h): (u32, u32, u32, u32)) -> Vec<u8> {
    let mut out = Vec::with_capacity((w * h * 4) as usize);
    for row in y..y + h {
        let o = ((row * width + x) * 4) as usize;
        if let Some(src) = px.get(o..o + (w * 4) as usize) {
            out.extend_from_slice(src);
        }
    }
    out
}
