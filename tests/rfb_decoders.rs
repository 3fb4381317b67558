//! Exact bytes in, exact pixels out: every decoder and message, through the whole
//! session (ServerInit first, as WebMKS does, so the server's pixel format stays).

#![cfg(not(target_arch = "wasm32"))]

use miniz_oxide::deflate::core::{compress, create_comp_flags_from_zip_params, CompressorOxide, TDEFLFlush};
use proptest::prelude::*;
use vsphere_console::rfb::encoding as enc;
use vsphere_console::rfb::{Engine, EngineConfig, Event, ImageFormat, KeyInput, PixelFormat, Rect, RfbError};

const BGRX: PixelFormat = PixelFormat::BGRX8888;

fn server_init(w: u16, h: u16, pf: PixelFormat, name: &str) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&w.to_be_bytes());
    v.extend_from_slice(&h.to_be_bytes());
    pf.write(&mut v);
    v.extend_from_slice(&(name.len() as u32).to_be_bytes());
    v.extend_from_slice(name.as_bytes());
    v
}

/// An engine after an RFB 3.8 handshake (security None) with a plain VNC server whose
/// pixel format the engine keeps, so the encodings are read in that format.
fn session(w: u16, h: u16, pf: PixelFormat) -> Engine {
    let mut s = Engine::new(EngineConfig { set_pixel_format: false, ..EngineConfig::default() });
    let mut start = b"RFB 003.008\n".to_vec();
    start.extend_from_slice(&[1, 1, 0, 0, 0, 0]);
    start.extend_from_slice(&server_init(w, h, pf, "test"));
    s.receive(&start).unwrap();
    let _ = s.take_transmit();
    while s.poll_event().is_some() {}
    s
}

#[path = "common/rfb_stream.rs"]
mod rfb_stream;
use rfb_stream::fbu;

fn px(s: &Engine, x: u32, y: u32) -> [u8; 4] {
    let p = s.framebuffer().unwrap().read_rect(Rect::new(x, y, 1, 1));
    [p[0], p[1], p[2], p[3]]
}

/// BGRX pixel bytes for an RGB colour.
fn bgrx(r: u8, g: u8, b: u8) -> [u8; 4] {
    [b, g, r, 0]
}

fn events(s: &mut Engine) -> Vec<Event> {
    std::iter::from_fn(|| s.poll_event()).collect()
}

fn deflate_parts(parts: &[&[u8]]) -> Vec<Vec<u8>> {
    let mut c = CompressorOxide::new(create_comp_flags_from_zip_params(6, 1, 0));
    parts
        .iter()
        .map(|p| {
            let mut buf = vec![0u8; p.len() * 2 + 1024];
            let (_, _, n) = compress(&mut c, p, &mut buf, TDEFLFlush::Sync);
            buf[..n].to_vec()
        })
        .collect()
}

const RED: [u8; 4] = [255, 0, 0, 255];
const GREEN: [u8; 4] = [0, 255, 0, 255];
const BLUE: [u8; 4] = [0, 0, 255, 255];

#[test]
fn raw_in_32_16_and_8_bpp() {
    let mut s = session(2, 1, BGRX);
    let body = [bgrx(255, 0, 0), bgrx(0, 0, 255)].concat();
    s.receive(&fbu(&[(0, 0, 2, 1, enc::RAW, body)])).unwrap();
    assert_eq!((px(&s, 0, 0), px(&s, 1, 0)), (RED, BLUE));
    assert!(events(&mut s).contains(&Event::FrameComplete));
    assert_eq!(&s.take_transmit()[..2], &[3, 1], "an incremental update request follows");

    let rgb565be = PixelFormat {
        bits_per_pixel: 16,
        depth: 16,
        big_endian: true,
        true_colour: true,
        red_max: 31,
        green_max: 63,
        blue_max: 31,
        red_shift: 11,
        green_shift: 5,
        blue_shift: 0,
    };
    let mut s = session(2, 1, rgb565be);
    s.receive(&fbu(&[(0, 0, 2, 1, enc::RAW, vec![0xf8, 0x00, 0x07, 0xe0])])).unwrap();
    assert_eq!((px(&s, 0, 0), px(&s, 1, 0)), (RED, GREEN));

    let bgr233 = PixelFormat {
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
    let mut s = session(1, 1, bgr233);
    s.receive(&fbu(&[(0, 0, 1, 1, enc::RAW, vec![0b11_000_000])])).unwrap();
    assert_eq!(px(&s, 0, 0), BLUE);
}

#[test]
fn raw_arriving_byte_by_byte() {
    let mut s = session(3, 2, BGRX);
    let body: Vec<u8> = (0..6).flat_map(|i| bgrx(i * 40, 0, 0)).collect();
    for b in fbu(&[(0, 0, 3, 2, enc::RAW, body)]) {
        s.receive(&[b]).unwrap();
    }
    assert_eq!(px(&s, 2, 1), [200, 0, 0, 255]);
}

#[test]
fn copyrect_and_out_of_bounds_source() {
    let mut s = session(4, 1, BGRX);
    s.receive(&fbu(&[(0, 0, 1, 1, enc::RAW, bgrx(0, 255, 0).to_vec()), (3, 0, 1, 1, enc::COPY_RECT, vec![0, 0, 0, 0])])).unwrap();
    assert_eq!(px(&s, 3, 0), GREEN);
    assert!(s.receive(&fbu(&[(0, 0, 2, 1, enc::COPY_RECT, vec![0, 3, 0, 0])])).is_err());
}

#[test]
fn rre_background_and_subrects() {
    let mut s = session(4, 4, BGRX);
    let mut body = 1u32.to_be_bytes().to_vec();
    body.extend_from_slice(&bgrx(0, 0, 255));
    body.extend_from_slice(&bgrx(255, 0, 0));
    body.extend_from_slice(&[0, 1, 0, 1, 0, 2, 0, 2]);
    s.receive(&fbu(&[(0, 0, 4, 4, enc::RRE, body)])).unwrap();
    assert_eq!((px(&s, 0, 0), px(&s, 1, 1), px(&s, 2, 2), px(&s, 3, 3)), (BLUE, RED, RED, BLUE));
    let mut bad = 1u32.to_be_bytes().to_vec();
    bad.extend_from_slice(&[0; 8]);
    bad.extend_from_slice(&[0, 3, 0, 3, 0, 2, 0, 2]);
    assert!(s.receive(&fbu(&[(0, 0, 4, 4, enc::RRE, bad)])).is_err(), "a sub-rectangle outside is an error");
}

#[test]
fn hextile_tiles_keep_background_and_foreground() {
    let mut s = session(20, 16, BGRX);
    let mut body = Vec::new();
    // Tile 1 (16x16): background blue, foreground red, one subrect at 2,3 size 1x2.
    body.push(2 | 4 | 8);
    body.extend_from_slice(&bgrx(0, 0, 255));
    body.extend_from_slice(&bgrx(255, 0, 0));
    body.extend_from_slice(&[1, 0x23, 0x01]);
    // Tile 2 (4x16): nothing new: same background, one subrect in the old foreground.
    body.push(8);
    body.extend_from_slice(&[1, 0x00, 0x00]);
    s.receive(&fbu(&[(0, 0, 20, 16, enc::HEXTILE, body)])).unwrap();
    assert_eq!((px(&s, 0, 0), px(&s, 2, 3), px(&s, 2, 4), px(&s, 2, 5)), (BLUE, RED, RED, BLUE));
    assert_eq!((px(&s, 16, 0), px(&s, 17, 0)), (RED, BLUE));

    // A raw tile, then a tile with coloured subrects.
    let mut s = session(16, 32, BGRX);
    let mut body = vec![1];
    body.extend((0..256).flat_map(|_| bgrx(0, 255, 0)));
    body.push(2 | 8 | 16);
    body.extend_from_slice(&bgrx(0, 0, 0));
    body.push(1);
    body.extend_from_slice(&bgrx(255, 0, 0));
    body.extend_from_slice(&[0xff, 0x00]);
    s.receive(&fbu(&[(0, 0, 16, 32, enc::HEXTILE, body)])).unwrap();
    assert_eq!((px(&s, 5, 5), px(&s, 15, 15), px(&s, 15, 31), px(&s, 14, 16)), (GREEN, GREEN, RED, [0, 0, 0, 255]));
}

#[test]
fn zlib_keeps_one_stream_across_rectangles() {
    let mut s = session(2, 1, BGRX);
    let parts = deflate_parts(&[&[bgrx(255, 0, 0), bgrx(255, 0, 0)].concat(), &[bgrx(0, 255, 0), bgrx(0, 255, 0)].concat()]);
    let body = |z: &Vec<u8>| [(z.len() as u32).to_be_bytes().to_vec(), z.clone()].concat();
    s.receive(&fbu(&[(0, 0, 2, 1, enc::ZLIB, body(&parts[0]))])).unwrap();
    assert_eq!(px(&s, 1, 0), RED);
    s.receive(&fbu(&[(0, 0, 2, 1, enc::ZLIB, body(&parts[1]))])).unwrap();
    assert_eq!(px(&s, 1, 0), GREEN);
}

#[test]
fn zrle_sub_encodings() {
    // 3-byte CPIXELs for 32-bpp depth-24 BGRX: its low three bytes, little-endian: B, G, R.
    let c = |r: u8, g: u8, b: u8| vec![b, g, r];
    let tiles: Vec<Vec<u8>> = vec![
        // Solid.
        [vec![1], c(255, 0, 0)].concat(),
        // Packed palette, 2 colours, 1 bit per pixel, rows padded: 0b1010_0000, 0b0101_0000.
        [vec![2], c(0, 0, 255), c(0, 255, 0), vec![0b1010_0000, 0b0101_0000]].concat(),
        // Plain RLE: 5 red, 3 blue.
        [vec![128], c(255, 0, 0), vec![4], c(0, 0, 255), vec![2]].concat(),
        // Palette RLE: palette [green, red]; index 0 run 6, then index 1 twice (no run).
        [vec![130], c(0, 255, 0), c(255, 0, 0), vec![128, 5, 1, 1]].concat(),
        // Raw.
        [vec![0], (0..8).flat_map(|_| c(0, 0, 255)).collect()].concat(),
        // A run past its tile: an error.
        [vec![128], c(1, 2, 3), vec![9]].concat(),
    ];
    // One zlib stream across all rectangles, as a server sends it.
    let refs: Vec<&[u8]> = tiles.iter().map(|t| t.as_slice()).collect();
    let bodies: Vec<Vec<u8>> = deflate_parts(&refs).into_iter().map(|z| [(z.len() as u32).to_be_bytes().to_vec(), z].concat()).collect();
    let mut s = session(4, 2, BGRX);
    let send = |i: usize, s: &mut Engine| s.receive(&fbu(&[(0, 0, 4, 2, enc::ZRLE, bodies[i].clone())]));
    send(0, &mut s).unwrap();
    assert_eq!(px(&s, 3, 1), RED);
    send(1, &mut s).unwrap();
    assert_eq!((px(&s, 0, 0), px(&s, 1, 0), px(&s, 0, 1), px(&s, 1, 1)), (GREEN, BLUE, BLUE, GREEN));
    send(2, &mut s).unwrap();
    assert_eq!((px(&s, 0, 1), px(&s, 1, 1)), (RED, BLUE));
    send(3, &mut s).unwrap();
    assert_eq!((px(&s, 1, 1), px(&s, 2, 1), px(&s, 3, 1)), (GREEN, RED, RED));
    send(4, &mut s).unwrap();
    assert_eq!(px(&s, 2, 0), BLUE);
    assert!(send(5, &mut s).is_err());
}

/// Tight in the engine's own RGBX format, so TPIXELs are R, G, B.
fn tight_session(w: u16, h: u16) -> Engine {
    session(w, h, PixelFormat::RGBX8888)
}

#[test]
fn tight_fill_copy_palette_gradient() {
    let mut s = tight_session(4, 2);
    s.receive(&fbu(&[(0, 0, 4, 2, enc::TIGHT, vec![0x80, 255, 0, 0])])).unwrap();
    assert_eq!(px(&s, 3, 1), RED);
    // Basic copy, under 12 bytes: sent uncompressed (1x2 pixels = 6 bytes).
    s.receive(&fbu(&[(1, 0, 1, 2, enc::TIGHT, vec![0x00, 0, 255, 0, 0, 0, 255])])).unwrap();
    assert_eq!((px(&s, 1, 0), px(&s, 1, 1)), (GREEN, BLUE));
    // Palette filter, 2 colours: 1 bit per pixel; 4x2 → 2 bytes, uncompressed.
    s.receive(&fbu(&[(0, 0, 4, 2, enc::TIGHT, vec![0x40, 1, 1, 255, 0, 0, 0, 0, 255, 0b0101_0000, 0b1010_0000])])).unwrap();
    assert_eq!((px(&s, 0, 0), px(&s, 1, 0), px(&s, 0, 1)), (RED, BLUE, BLUE));
    // Palette filter, 3 colours, compressed on stream 1: 8 indexes (8 bytes < 12: raw).
    s.receive(&fbu(&[(0, 0, 4, 2, enc::TIGHT, vec![0x50, 1, 2, 255, 0, 0, 0, 255, 0, 0, 0, 255, 0, 1, 2, 0, 1, 2, 0, 1])])).unwrap();
    assert_eq!((px(&s, 1, 0), px(&s, 2, 0), px(&s, 1, 1)), (GREEN, BLUE, BLUE));
    // Copy filter, compressed (24 bytes ≥ 12): stream 0 via zlib with a compact length.
    let raw: Vec<u8> = (0..8).flat_map(|i| if i < 4 { [255, 0, 0] } else { [0, 255, 0] }).collect();
    let z = deflate_parts(&[&raw]).remove(0);
    let mut body = vec![0x00, z.len() as u8];
    body.extend_from_slice(&z);
    s.receive(&fbu(&[(0, 0, 4, 2, enc::TIGHT, body)])).unwrap();
    assert_eq!((px(&s, 3, 0), px(&s, 0, 1)), (RED, GREEN));
    // Gradient filter: 2x2; the data is the difference from left + up − up-left.
    // Pixels: (10,20,30) (20,20,30) / (10,40,30) (20,40,30): diffs as computed below.
    let pix = [[10u8, 20, 30], [20, 20, 30], [10, 40, 30], [20, 40, 30]];
    let pred = |x: usize, y: usize, c: usize| -> u8 {
        let get = |x: isize, y: isize| if x < 0 || y < 0 { 0i32 } else { pix[(y * 2 + x) as usize][c] as i32 };
        (get(x as isize - 1, y as isize) + get(x as isize, y as isize - 1) - get(x as isize - 1, y as isize - 1)).clamp(0, 255) as u8
    };
    let data: Vec<u8> = (0..4)
        .flat_map(|i| {
            let (x, y) = (i % 2, i / 2);
            (0..3).map(move |c| pix[i][c].wrapping_sub(pred(x, y, c)))
        })
        .collect();
    let z = deflate_parts(&[&data]).remove(0);
    let mut body = vec![0x40 | 0x20, 2, z.len() as u8];
    body.extend_from_slice(&z);
    s.receive(&fbu(&[(0, 0, 2, 2, enc::TIGHT, body)])).unwrap();
    assert_eq!(px(&s, 1, 1), [20, 40, 30, 255]);
    assert_eq!(px(&s, 0, 1), [10, 40, 30, 255]);
}

#[test]
fn tight_png_fill_png_and_basic_refused() {
    let mut s = Engine::new(EngineConfig { image_decoder: Some(vsphere_console::rfb::native_images::decode), ..EngineConfig::default() });
    s.receive(&server_init(2, 2, PixelFormat::RGBX8888, "t")).unwrap();
    s.receive(&fbu(&[(0, 0, 2, 2, enc::TIGHT_PNG, vec![0x80, 0, 0, 255])])).unwrap();
    assert_eq!(px(&s, 1, 1), BLUE);
    let png = png_bytes(2, 1, &[255, 0, 0, 255, 0, 255, 0, 255]);
    let mut body = vec![0xA0, png.len() as u8];
    body.extend_from_slice(&png);
    s.receive(&fbu(&[(0, 1, 2, 1, enc::TIGHT_PNG, body)])).unwrap();
    assert_eq!((px(&s, 0, 1), px(&s, 1, 1), px(&s, 0, 0)), (RED, GREEN, BLUE));
    assert!(s.receive(&fbu(&[(0, 0, 1, 1, enc::TIGHT_PNG, vec![0x00, 1, 2, 3])])).is_err(), "no basic compression in TightPNG");
}

fn png_bytes(w: u32, h: u32, rgba: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut e = png::Encoder::new(&mut out, w, h);
        e.set_color(png::ColorType::Rgba);
        e.set_depth(png::BitDepth::Eight);
        let mut wr = e.write_header().unwrap();
        wr.write_image_data(rgba).unwrap();
    }
    out
}

#[test]
fn images_are_drawn_in_order_with_the_hosts_decoder() {
    let mut s = session(2, 1, PixelFormat::RGBX8888);
    let png = png_bytes(2, 1, &[0, 255, 0, 255, 0, 255, 0, 255]);
    let mut img = vec![0xA0, png.len() as u8];
    img.extend_from_slice(&png);
    // An image, then a fill over its right half: the fill must land after the image.
    s.receive(&fbu(&[(0, 0, 2, 1, enc::TIGHT_PNG, img), (1, 0, 1, 1, enc::TIGHT_PNG, vec![0x80, 255, 0, 0])])).unwrap();
    let ev = events(&mut s);
    let Some(Event::DecodeImage { format, data, width, height, .. }) = ev.into_iter().find(|e| matches!(e, Event::DecodeImage { .. }))
    else {
        panic!("the engine hands the image out")
    };
    assert_eq!((format, width, height), (ImageFormat::Png, 2, 1));
    assert!(s.is_waiting_for_image());
    assert_eq!(px(&s, 1, 0), [0, 0, 0, 255], "nothing later is drawn before the image");
    let rgba = vsphere_console::rfb::native_images::decode(format, &data, width, height).unwrap();
    s.image_decoded(Ok(rgba)).unwrap();
    assert_eq!((px(&s, 0, 0), px(&s, 1, 0)), (GREEN, RED));
    assert!(events(&mut s).contains(&Event::FrameComplete));
    // A wrong-size answer from the decoder ends the session with an error, not a panic.
    let mut s2 = session(2, 1, PixelFormat::RGBX8888);
    let mut img = vec![0xA0, png.len() as u8];
    img.extend_from_slice(&png);
    s2.receive(&fbu(&[(0, 0, 2, 1, enc::TIGHT_PNG, img)])).unwrap();
    assert!(s2.image_decoded(Ok(vec![0; 4])).is_err());
}

#[test]
fn several_images_decode_at_once_and_land_in_order() {
    let mut s = session(4, 1, PixelFormat::RGBX8888);
    let png = |rgba: &[u8]| {
        let p = png_bytes(2, 1, rgba);
        let mut body = vec![0xA0, p.len() as u8];
        body.extend_from_slice(&p);
        body
    };
    // Two images side by side, a fill beside neither (it need not wait), another image
    // over the first (it lands after it), then a CopyRect (it must wait for all).
    s.receive(&fbu(&[
        (0, 0, 2, 1, enc::TIGHT_PNG, png(&[0, 255, 0, 255, 0, 255, 0, 255])),
        (2, 0, 1, 1, enc::TIGHT_PNG, vec![0x80, 255, 0, 0]),
        (2, 0, 2, 1, enc::TIGHT_PNG, png(&[0, 0, 255, 255, 0, 0, 255, 255])),
        (0, 0, 2, 1, enc::TIGHT_PNG, png(&[255, 0, 0, 255, 255, 0, 0, 255])),
        (3, 0, 1, 1, enc::COPY_RECT, vec![0, 0, 0, 0]),
    ]))
    .unwrap();
    let images: Vec<_> = events(&mut s)
        .into_iter()
        .filter_map(|e| match e {
            Event::DecodeImage { format, data, width, height, .. } => Some((format, data, width, height)),
            _ => None,
        })
        .collect();
    assert_eq!(images.len(), 3, "all three images are out before the first comes back");
    for (format, data, width, height) in images {
        let rgba = vsphere_console::rfb::native_images::decode(format, &data, width, height).unwrap();
        assert!(!events(&mut s).contains(&Event::FrameComplete), "the update is not complete while an image is out");
        s.image_decoded(Ok(rgba)).unwrap();
    }
    assert!(events(&mut s).contains(&Event::FrameComplete));
    assert_eq!([px(&s, 0, 0), px(&s, 1, 0), px(&s, 2, 0), px(&s, 3, 0)], [RED, RED, BLUE, RED], "in order; CopyRect after every image");
}

/// ESXi sends a moving picture as many small JPEG tiles: a whole 1024x768 update (192
/// tiles) goes out for decoding at once, as VMware's client sends them all; large images
/// go out only while those out cover less than four 1920x1080 screens.
#[test]
fn a_screen_of_tiles_goes_out_at_once_and_large_images_a_few_at_a_time() {
    let count_out = |s: &mut vsphere_console::rfb::Engine| events(s).iter().filter(|e| matches!(e, Event::DecodeImage { .. })).count();
    let png = |w: u32, h: u32| {
        let p = png_bytes(w, h, &vec![255; (w * h * 4) as usize]);
        let n = p.len();
        assert!(n < 1 << 21);
        let mut body = vec![0xA0, 0x80 | (n & 0x7f) as u8, 0x80 | (n >> 7 & 0x7f) as u8, (n >> 14) as u8];
        body.extend_from_slice(&p);
        body
    };
    let mut s = session(1024, 768, PixelFormat::RGBX8888);
    let tile = png(64, 64);
    let tiles: Vec<_> = (0..192u16).map(|i| ((i % 16) * 64, (i / 16) * 64, 64, 64, enc::TIGHT_PNG, tile.clone())).collect();
    s.receive(&fbu(&tiles)).unwrap();
    assert_eq!(count_out(&mut s), 192, "every tile of the update is out before the first comes back");

    let mut s = session(1920, 1080, PixelFormat::RGBX8888);
    let screen = png(1920, 1080);
    s.receive(&fbu(&vec![(0, 0, 1920, 1080, enc::TIGHT_PNG, screen); 6])).unwrap();
    assert_eq!(count_out(&mut s), 4, "four screens of pixels out at once, not six");
    s.image_decoded(Ok(vec![255; 1920 * 1080 * 4])).unwrap();
    assert_eq!(count_out(&mut s), 1, "one more goes out when one comes back");
}

/// Issue 11, item 7: an image whose header does not match its rectangle (or is no image
/// at all) is refused before any decoder sees it: no DecodeImage, no decode.
#[test]
fn images_that_do_not_fit_their_rectangle_never_reach_a_decoder() {
    for (what, png) in [
        ("a 3x1 png for a 2x1 rectangle", png_bytes(3, 1, &[0; 12])),
        ("a huge claim", {
            let mut p = png_bytes(2, 1, &[0; 8]);
            p[16..20].copy_from_slice(&30000u32.to_be_bytes());
            p
        }),
    ] {
        let mut s = session(2, 1, PixelFormat::RGBX8888);
        let mut img = vec![0xA0, 0x80 | (png.len() & 0x7f) as u8, (png.len() >> 7) as u8];
        img.extend_from_slice(&png);
        let r = s.receive(&fbu(&[(0, 0, 2, 1, enc::TIGHT_PNG, img)]));
        assert!(matches!(r, Err(RfbError::Malformed(_))), "{what}: {r:?}");
        assert!(!events(&mut s).iter().any(|e| matches!(e, Event::DecodeImage { .. })), "{what}: never handed out");
    }
    let mut s = session(2, 1, PixelFormat::RGBX8888);
    assert!(s.receive(&fbu(&[(0, 0, 2, 1, enc::TIGHT_PNG, vec![0x90, 3, 1, 2, 3])])).is_err(), "three bytes are no JPEG");
}

#[test]
fn pseudo_encodings_and_limits() {
    let mut s = session(4, 4, BGRX);
    s.receive(&fbu(&[(0, 0, 8, 6, enc::DESKTOP_SIZE, vec![])])).unwrap();
    assert!(events(&mut s).contains(&Event::Resized { width: 8, height: 6 }));
    assert_eq!(s.framebuffer().unwrap().width(), 8);
    // LastRect ends an update announced with 0xFFFF rectangles.
    let mut v = vec![0, 0, 0xff, 0xff];
    v.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0]);
    v.extend_from_slice(&enc::LAST_RECT.to_be_bytes());
    s.receive(&v).unwrap();
    assert!(events(&mut s).contains(&Event::FrameComplete));
    // VMware LED state and cursor state.
    s.receive(&fbu(&[(0, 0, 0, 0, enc::VMW_LED_STATE, 4u32.to_be_bytes().to_vec()), (0, 0, 0, 0, enc::VMW_CURSOR_STATE, vec![0, 3])]))
        .unwrap();
    let ev = events(&mut s);
    assert!(ev.contains(&Event::Leds { scroll: false, num: false, caps: true }));
    assert!(ev.contains(&Event::CursorState { visible: true, absolute: true }));
    // A VMware RGBA cursor with its hotspot.
    let mut cur = vec![1, 0];
    cur.extend_from_slice(&[9, 8, 7, 255, 1, 2, 3, 0]);
    s.receive(&fbu(&[(1, 0, 2, 1, enc::VMW_DEFINE_CURSOR, cur)])).unwrap();
    assert!(events(&mut s)
        .iter()
        .any(|e| matches!(e, Event::Cursor(c) if c.hotspot_x == 1 && c.width == 2 && c.rgba[..4] == [9, 8, 7, 255])));
    // Absurd sizes and rectangles outside are errors.
    assert!(matches!(session(4, 4, BGRX).receive(&fbu(&[(0, 0, 50000, 50000, enc::DESKTOP_SIZE, vec![])])), Err(RfbError::TooLarge(..))));
    assert!(matches!(session(4, 4, BGRX).receive(&fbu(&[(3, 3, 2, 2, enc::RAW, vec![0; 16])])), Err(RfbError::RectOutside { .. })));
    assert!(matches!(session(4, 4, BGRX).receive(&fbu(&[(0, 0, 1, 1, 12345, vec![])])), Err(RfbError::UnknownEncoding(12345))));
}

#[test]
fn mixed_stream_decodes() {
    let mut s = Engine::new(EngineConfig::default());
    s.receive(&mixed_stream()).unwrap();
    assert_eq!(px(&s, 19, 0), [7, 7, 7, 255]);
}

#[test]
fn a_zlib_bomb_is_an_error() {
    let mut s = session(2, 2, BGRX);
    let z = deflate_parts(&[&vec![0u8; 1 << 20]]).remove(0);
    let body = [(z.len() as u32).to_be_bytes().to_vec(), z].concat();
    assert!(matches!(s.receive(&fbu(&[(0, 0, 2, 2, enc::ZLIB, body)])), Err(RfbError::Zlib(_))));
}

#[test]
fn vmware_messages_caps_keys_and_unknown_subtypes() {
    let mut s = session(4, 4, BGRX);
    // ServerCaps: scan-code keys, ClientCaps wanted, RequestResolution, SessionClose.
    let caps: u32 = 0x2 | 0x8 | 0x80 | 0x20000;
    let mut m = vec![127, 0, 0, 8];
    m.extend_from_slice(&caps.to_be_bytes());
    // An unknown subtype with a payload, skipped by its length, then a Bell.
    m.extend_from_slice(&[127, 99, 0, 7, 1, 2, 3, 2]);
    s.receive(&m).unwrap();
    let ev = events(&mut s);
    assert!(ev.contains(&Event::ServerCaps(caps)));
    assert!(ev.contains(&Event::Bell));
    // As VMware's client: Heartbeat 0x100, AudioAck 0x1000, SetReconnectToken 0x4000; and SessionClose 0x8000.
    assert_eq!(s.take_transmit(), vec![127, 3, 0, 8, 0, 0, 0xd1, 0], "ClientCaps");
    s.send_key(KeyInput { keysym: 0xffff, scancode: Some(0x153), down: true });
    assert_eq!(s.take_transmit(), vec![127, 0, 0, 8, 1, 0x53, 1, 0]);
    assert!(s.request_resolution(1280, 720));
    assert_eq!(s.take_transmit(), vec![127, 5, 0, 8, 5, 0, 2, 208]);
    s.close();
    assert_eq!(s.take_transmit(), vec![127, 12, 0, 8, 0, 0, 0, 23]);
}

#[test]
fn update_ack_echoes_the_padding_byte_when_announced() {
    let mut s = session(2, 2, BGRX);
    let mut m = vec![127, 0, 0, 8];
    m.extend_from_slice(&0x20u32.to_be_bytes());
    s.receive(&m).unwrap();
    let _ = s.take_transmit();
    // A FramebufferUpdate whose padding byte carries update id 7, no rectangles.
    s.receive(&[0, 7, 0, 0]).unwrap();
    // The time field as VMware's client computes it: (ms + 2) × 10, here no time at all.
    assert_eq!(s.take_transmit(), vec![127, 4, 0, 8, 7, 0, 0, 20], "UpdateAck with id 7 instead of an update request");
}

#[test]
fn qemu_extended_keys_and_keysym_fallback() {
    let mut s = session(4, 4, BGRX);
    s.send_key(KeyInput { keysym: 0x61, scancode: Some(0x1e), down: true });
    assert_eq!(s.take_transmit(), vec![4, 1, 0, 0, 0, 0, 0, 0x61], "keysyms until the server says otherwise");
    s.receive(&fbu(&[(0, 0, 0, 0, enc::QEMU_EXTENDED_KEY_EVENT, vec![])])).unwrap();
    let _ = s.take_transmit();
    s.send_key(KeyInput { keysym: 0xff52, scancode: Some(0x148), down: false });
    assert_eq!(s.take_transmit()[..2], [255, 0]);
}

#[test]
fn handshakes_33_37_38_and_refusals() {
    for (version, reply, security) in [
        (&b"RFB 003.003\n"[..], &b"RFB 003.003\n"[..], vec![0, 0, 0, 1]),
        (b"RFB 003.007\n", b"RFB 003.007\n", vec![1, 1]),
        (b"RFB 003.008\n", b"RFB 003.008\n", vec![1, 1, 0, 0, 0, 0]),
        (b"RFB 003.889\n", b"RFB 003.008\n", vec![1, 1, 0, 0, 0, 0]),
    ] {
        let mut s = Engine::new(EngineConfig::default());
        s.receive(version).unwrap();
        assert_eq!(&s.take_transmit()[..], reply);
        s.receive(&security).unwrap();
        s.receive(&server_init(2, 2, BGRX, "vm")).unwrap();
        assert!(s.is_connected(), "{}", String::from_utf8_lossy(version));
    }
    let mut s = Engine::new(EngineConfig::default());
    s.receive(b"RFB 003.008\n").unwrap();
    let mut refuse = vec![0, 0, 0, 0, 4];
    refuse.extend_from_slice(b"busy");
    assert_eq!(s.receive(&refuse), Err(RfbError::ServerRefused("busy".into())));
    let mut s = Engine::new(EngineConfig::default());
    s.receive(b"RFB 003.008\n").unwrap();
    assert_eq!(s.receive(&[1, 2]), Err(RfbError::PasswordRequired));
    // Not RFB: read as a WebMKS stream that starts at ServerInit, whose name length is absurd.
    assert!(Engine::new(EngineConfig::default()).receive(b"HTTP/1.1 400 Bad Request\r\n\r\n").is_err());
    assert!(matches!(Engine::new(EngineConfig::default()).receive(b"RFB 004x001\n"), Err(RfbError::NotRfb(_))));
}

/// One stream of several encodings, used for the chunking property.
fn mixed_stream() -> Vec<u8> {
    let mut v = server_init(20, 16, BGRX, "mix");
    v.extend(fbu(&[(0, 0, 20, 16, enc::RAW, (0..320).flat_map(|i| bgrx(i as u8, 3, 9)).collect())]));
    let mut hex = vec![2 | 4 | 8];
    hex.extend_from_slice(&bgrx(1, 2, 3));
    hex.extend_from_slice(&bgrx(9, 9, 9));
    hex.extend_from_slice(&[2, 0x11, 0x11, 0x55, 0x00]);
    hex.extend_from_slice(&[1]);
    hex.extend((0..64).flat_map(|_| bgrx(7, 7, 7)));
    v.extend(fbu(&[(0, 0, 20, 16, enc::HEXTILE, hex), (2, 2, 4, 4, enc::COPY_RECT, vec![0, 10, 0, 10])]));
    let z = deflate_parts(&[&(0..12).flat_map(|i| bgrx(i, i, i)).collect::<Vec<u8>>()]).remove(0);
    v.extend(fbu(&[(5, 5, 4, 3, enc::ZLIB, [(z.len() as u32).to_be_bytes().to_vec(), z].concat())]));
    v
}

proptest! {
    /// However the bytes are split, the framebuffer comes out the same.
    #[test]
    fn any_chunking_gives_the_same_framebuffer(cuts in proptest::collection::vec(1usize..200, 1..40)) {
        let stream = mixed_stream();
        let mut whole = Engine::new(EngineConfig::default());
        whole.receive(&stream).unwrap();
        let mut chunked = Engine::new(EngineConfig::default());
        let mut at = 0;
        for c in cuts.iter().cycle() {
            if at >= stream.len() { break; }
            let end = (at + c).min(stream.len());
            chunked.receive(&stream[at..end]).unwrap();
            at = end;
        }
        prop_assert_eq!(whole.framebuffer().unwrap().pixels(), chunked.framebuffer().unwrap().pixels());
    }
}
