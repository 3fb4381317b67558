//! Images drawn straight onto the canvas (as the browser driver does) keep the canvas and
//! the framebuffer consistent: a model host, with a canvas of its own, answers images
//! with `image_drawn` and read-backs from that canvas, and after every server message
//! its canvas must show exactly what an engine fed the decoded pixels holds.

#![cfg(not(target_arch = "wasm32"))]

use std::collections::VecDeque;

use vsphere_console::rfb::encoding as enc;
use vsphere_console::rfb::native_images::decode;
use vsphere_console::rfb::replay::{parse_recording, recording_text};
use vsphere_console::rfb::{Engine, EngineConfig, Event, ImageFormat, Rect};

#[path = "common/rfb_stream.rs"]
mod rfb_stream;
use rfb_stream::{fbu, server_init};

/// The page's side: a canvas, and the images decoded and not yet drawn, oldest first.
struct ModelHost {
    width: u32,
    canvas: Vec<u8>,
    images: VecDeque<(Rect, Vec<u8>)>,
    read_backs: usize,
    drawn: usize,
}

impl ModelHost {
    fn new() -> Self {
        ModelHost { width: 0, canvas: Vec::new(), images: VecDeque::new(), read_backs: 0, drawn: 0 }
    }

    /// Setting a canvas's size clears it.
    fn resize(&mut self, w: u32, h: u32) {
        self.width = w;
        self.canvas = vec![0; (w * h * 4) as usize];
    }

    fn put(&mut self, r: Rect, rgba: &[u8]) {
        for row in 0..r.h as usize {
            let off = ((r.y as usize + row) * self.width as usize + r.x as usize) * 4;
            let src = row * r.w as usize * 4;
            self.canvas[off..off + r.w as usize * 4].copy_from_slice(&rgba[src..src + r.w as usize * 4]);
        }
    }

    fn read(&self, r: Rect) -> Vec<u8> {
        let mut out = Vec::new();
        for row in 0..r.h as usize {
            let off = ((r.y as usize + row) * self.width as usize + r.x as usize) * 4;
            out.extend_from_slice(&self.canvas[off..off + r.w as usize * 4]);
        }
        out
    }

    /// The painter: the damage, from the framebuffer.
    fn paint(&mut self, s: &mut Engine) {
        let damage = s.take_damage();
        let Some(fb) = s.framebuffer() else { return };
        for r in damage {
            let px = fb.read_rect(r);
            self.put(r, &px);
        }
    }

    /// Handles the engine's events; images wait in `images` until `draw_images`.
    fn events(&mut self, s: &mut Engine) {
        while let Some(ev) = s.poll_event() {
            match ev {
                Event::Connected { width, height, .. } | Event::Resized { width, height } => self.resize(width, height),
                Event::DecodeImage { format, data, x, y, width, height, .. } => {
                    let rgba = decode(format, &data, width, height).expect("the recording's images decode");
                    self.images.push_back((Rect::new(x, y, width, height), rgba));
                }
                Event::ReadBack { rects } => {
                    self.read_backs += 1;
                    let px = rects.iter().map(|r| self.read(*r)).collect();
                    s.canvas_read(Ok(px)).expect("a read-back is taken");
                }
                _ => {}
            }
        }
    }

    /// Draws every decoded image in order, each after the damage before it.
    fn draw_images(&mut self, s: &mut Engine) {
        while let Some((r, rgba)) = self.images.pop_front() {
            self.paint(s);
            self.put(r, &rgba);
            self.drawn += 1;
            s.image_drawn(Ok(())).expect("an image is taken");
            self.events(s);
        }
    }
}

/// Replays `name` into a reference engine (images decoded in place) and into an engine
/// whose images the model host draws on its canvas; answers images only every other
/// message, so the engine reads past them. Returns (images drawn, read-backs).
fn replay_both(name: &str) -> (usize, usize) {
    let path = format!("{}/tests/recordings/{name}", env!("CARGO_MANIFEST_DIR"));
    let frames = parse_recording(&recording_text(&std::fs::read(&path).unwrap()).unwrap()).unwrap();
    let config = EngineConfig { set_pixel_format: false, ..EngineConfig::default() };
    let mut reference = Engine::new(EngineConfig { image_decoder: Some(decode), ..config.clone() });
    let mut engine = Engine::new(config);
    let mut host = ModelHost::new();
    for (i, f) in frames.iter().enumerate() {
        if !f.from_server {
            reference.assume_client_messages(&f.data).unwrap();
            engine.assume_client_messages(&f.data).unwrap();
            continue;
        }
        reference.receive(&f.data).unwrap();
        while reference.poll_event().is_some() {}
        engine.receive(&f.data).unwrap();
        host.events(&mut engine);
        if i % 2 == 0 {
            continue;
        }
        host.draw_images(&mut engine);
        host.paint(&mut engine);
        if engine.is_waiting_for_image() {
            continue;
        }
        let want = reference.framebuffer().unwrap();
        assert_eq!(host.canvas.len(), want.pixels().len(), "{name}: frame {i}: canvas size");
        if host.canvas != want.pixels() {
            let at = host.canvas.iter().zip(want.pixels()).position(|(a, b)| a != b).unwrap() / 4;
            panic!("{name}: frame {i}: the canvas differs from the picture at ({}, {})", at as u32 % host.width, at as u32 / host.width);
        }
    }
    host.draw_images(&mut engine);
    host.paint(&mut engine);
    assert_eq!(host.canvas, reference.framebuffer().unwrap().pixels(), "{name}: the last picture");
    (host.drawn, host.read_backs)
}

#[test]
fn recordings_with_images_show_the_right_picture_after_every_message() {
    let (drawn, _) = replay_both("xvnc-1024x768-tightjpeg.js.gz");
    assert!(drawn > 100, "the JPEG recording draws its images on the canvas ({drawn})");
    let (drawn, _) = replay_both("qemu-bios-tightpng.js");
    assert!(drawn > 0, "the PNG recording draws its images on the canvas ({drawn})");
    // Lossless recordings never hand the canvas anything.
    assert_eq!(replay_both("xvnc-xterm-tight.js"), (0, 0));
}

// --- Synthetic streams: the cases a recording may not hold ---------------------------

/// A TightPNG rectangle body: a PNG of one colour.
fn png_rect(w: u32, h: u32, rgb: [u8; 3]) -> Vec<u8> {
    let mut png = Vec::new();
    {
        let mut e = png::Encoder::new(&mut png, w, h);
        e.set_color(png::ColorType::Rgb);
        let mut wr = e.write_header().unwrap();
        wr.write_image_data(&rgb.repeat((w * h) as usize)).unwrap();
    }
    let mut body = vec![0xA0];
    let n = png.len();
    body.push((n & 0x7f) as u8 | 0x80);
    body.push(((n >> 7) & 0x7f) as u8 | 0x80);
    body.push((n >> 14) as u8);
    body.extend_from_slice(&png);
    body
}

fn fill(rgb: [u8; 3]) -> Vec<u8> {
    vec![0x80, rgb[0], rgb[1], rgb[2]]
}

fn copy_from(x: u16, y: u16) -> Vec<u8> {
    [x.to_be_bytes(), y.to_be_bytes()].concat()
}

/// Feeds `messages` into both engines as one host would, comparing after each.
fn check_stream(messages: &[Vec<u8>]) -> ModelHost {
    let config = EngineConfig { encodings: vec![enc::TIGHT_PNG, enc::COPY_RECT], set_pixel_format: false, ..EngineConfig::default() };
    let mut reference = Engine::new(EngineConfig { image_decoder: Some(decode), ..config.clone() });
    let mut engine = Engine::new(config);
    let mut host = ModelHost::new();
    for (i, m) in messages.iter().enumerate() {
        reference.receive(m).unwrap();
        while reference.poll_event().is_some() {}
        engine.receive(m).unwrap();
        host.events(&mut engine);
        host.draw_images(&mut engine);
        host.paint(&mut engine);
        assert!(!engine.is_waiting_for_image(), "message {i}: nothing left waiting");
        assert_eq!(host.canvas, reference.framebuffer().unwrap().pixels(), "message {i}: the canvas shows the picture");
    }
    host
}

#[test]
fn a_copy_from_an_image_reads_the_canvas_back_first() {
    let host = check_stream(&[
        server_init(64, 32),
        fbu(&[(0, 0, 16, 16, enc::TIGHT_PNG, png_rect(16, 16, [200, 10, 10]))]),
        // Half of the copy's source is the image, half the framebuffer's own black.
        fbu(&[(24, 8, 16, 16, enc::COPY_RECT, copy_from(8, 0))]),
    ]);
    assert_eq!(host.read_backs, 1);
}

#[test]
fn pixels_drawn_over_part_of_an_image_land_on_top() {
    check_stream(&[
        server_init(64, 32),
        fbu(&[
            (0, 0, 32, 32, enc::TIGHT_PNG, png_rect(32, 32, [10, 200, 10])),
            // Later in the same update, over part of the image: waits for it, then wins.
            (8, 8, 8, 8, enc::TIGHT_PNG, fill([1, 2, 3])),
            // Beside it: read past the image while it decodes.
            (40, 0, 8, 8, enc::TIGHT_PNG, fill([4, 5, 6])),
        ]),
        // A copy whose source is now part image, part fill.
        fbu(&[(32, 8, 24, 24, enc::COPY_RECT, copy_from(0, 0))]),
    ]);
}

#[test]
fn a_resize_keeps_the_images_pixels() {
    let mut resize = vec![0, 0, 0, 1];
    resize.extend_from_slice(&[0, 0, 0, 0, 0, 48, 0, 24]);
    resize.extend_from_slice(&enc::DESKTOP_SIZE.to_be_bytes());
    let host = check_stream(&[server_init(64, 32), fbu(&[(4, 4, 40, 20, enc::TIGHT_PNG, png_rect(40, 20, [9, 9, 250]))]), resize]);
    assert_eq!(host.read_backs, 1, "the image is read back before the resize");
}

#[test]
fn many_scattered_images_are_read_back_before_they_pile_up() {
    // 40 small images, then a fill across all of them: the canvas-only regions stay few.
    let images: Vec<_> =
        (0..40u16).map(|i| ((i % 8) * 8, (i / 8) * 6, 6, 5, enc::TIGHT_PNG, png_rect(6, 5, [i as u8 * 6, 90, 200]))).collect();
    let holes: Vec<_> = (0..40u16).map(|i| ((i % 8) * 8 + 2, (i / 8) * 6 + 1, 2, 2, enc::TIGHT_PNG, fill([i as u8, 1, 1]))).collect();
    let host = check_stream(&[server_init(64, 32), fbu(&images), fbu(&holes), fbu(&[(0, 0, 64, 32, enc::COPY_RECT, copy_from(0, 0))])]);
    assert!(host.read_backs >= 1);
}

#[test]
fn damage_merged_around_an_image_never_paints_over_it() {
    // More small rectangles than the damage list keeps, all around an image: their
    // bounding box covers the image, whose pixels only the canvas has.
    let ring: Vec<_> = (0..80u16)
        .map(|i| (if i < 40 { i } else { i - 40 }, if i < 40 { 0 } else { 31 }, 1, 1, enc::TIGHT_PNG, fill([i as u8, 7, 7])))
        .collect();
    let host = check_stream(&[server_init(64, 32), fbu(&[(8, 8, 16, 16, enc::TIGHT_PNG, png_rect(16, 16, [250, 250, 0]))]), fbu(&ring)]);
    assert_eq!(host.read_backs, 0, "nothing needed reading back");
}

#[test]
fn a_failed_image_is_an_error_and_formats_still_match() {
    let mut s = Engine::new(EngineConfig { encodings: vec![enc::TIGHT_PNG], set_pixel_format: false, ..EngineConfig::default() });
    s.receive(&server_init(16, 16)).unwrap();
    s.receive(&fbu(&[(0, 0, 4, 4, enc::TIGHT_PNG, png_rect(4, 4, [1, 2, 3]))])).unwrap();
    let ev: Vec<_> = std::iter::from_fn(|| s.poll_event()).collect();
    assert!(ev.iter().any(|e| matches!(e, Event::DecodeImage { format: ImageFormat::Png, x: 0, y: 0, width: 4, height: 4, .. })));
    assert!(s.image_drawn(Err("the browser could not decode it".into())).is_err());
    assert!(s.canvas_read(Ok(vec![])).is_err(), "a failed engine takes nothing more");
}
