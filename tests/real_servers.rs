//! The engine against real servers nobody here wrote: TigerVNC's Xvnc with an xterm
//! drawing, forced to one encoding at a time, and QEMU's websocket VNC. For every
//! lossless encoding the framebuffer must equal, pixel for pixel, the one Raw gives.
//! Needs `tigervnc-standalone-server`, `xterm` and `qemu-system-x86` (`cargo xtask setup --test`).

#![cfg(not(target_arch = "wasm32"))]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use vsphere_console::rfb::encoding::{self as enc, only};
use vsphere_console::rfb::{Engine, EngineConfig, Event};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(cmd: &mut Command, what: &str) -> Proc {
    Proc(
        cmd.stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {what}: {e}. Install the test packages with `cargo xtask setup --test`.")),
    )
}

fn wait_for_port(port: u16) {
    let end = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < end, "nothing listens on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Xvnc on a free display and port, with an xterm that has drawn some text.
struct Xvnc {
    port: u16,
    display: u32,
    _xterm: Proc,
    _server: Proc,
}

/// Display numbers handed out once per process, so parallel tests never share one.
static NEXT_DISPLAY: AtomicU32 = AtomicU32::new(60);

fn xvnc(extra: &[&str]) -> Xvnc {
    let display = loop {
        let n = NEXT_DISPLAY.fetch_add(1, Ordering::SeqCst);
        assert!(n < 400, "no free X display number");
        if !std::path::Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() && !std::path::Path::new(&format!("/tmp/.X{n}-lock")).exists() {
            break n;
        }
    };
    let port = free_port();
    let server = spawn(
        Command::new("Xvnc")
            .arg(format!(":{display}"))
            .args(["-rfbport", &port.to_string(), "-localhost", "-geometry", "640x400", "-depth", "24", "-ac", "-nolisten", "tcp"])
            .args(extra),
        "Xvnc",
    );
    wait_for_port(port);
    let xterm = spawn(
        Command::new("xterm").env("DISPLAY", format!(":{display}")).args([
            "-geometry",
            "80x20+10+10",
            "-bg",
            "#203040",
            "-fg",
            "#f0e0a0",
            "-e",
            "sh",
            "-c",
            "ls -la /usr/bin | head -40; printf '\\033[41m red \\033[42m green \\033[44m blue \\033[0m\\n'; sleep 600",
        ]),
        "xterm",
    );
    std::thread::sleep(Duration::from_millis(1500));
    Xvnc { port, display, _xterm: xterm, _server: server }
}

/// Connects over TCP with the given encodings and returns the session after the first
/// complete update of the whole screen.
fn capture(port: u16, encodings: Vec<i32>, password: Option<&str>) -> Engine {
    let mut s = Engine::new(EngineConfig {
        encodings,
        password: password.map(vsphere_console::api::Secret::new),
        image_decoder: Some(vsphere_console::rfb::native_images::decode),
        ..EngineConfig::default()
    });
    let mut sock = TcpStream::connect(("127.0.0.1", port)).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut buf = vec![0u8; 1 << 16];
    let end = Instant::now() + Duration::from_secs(20);
    loop {
        let out = s.take_transmit();
        if !out.is_empty() {
            sock.write_all(&out).unwrap();
        }
        let n = sock.read(&mut buf).expect("read from the server");
        assert!(n > 0, "the server closed the connection");
        s.receive(&buf[..n]).unwrap_or_else(|e| panic!("engine error: {e}"));
        let mut done = false;
        while let Some(ev) = s.poll_event() {
            done |= ev == Event::FrameComplete;
        }
        // The first complete update of a drawn screen (the server may still be starting).
        if done && !is_blank(&s) {
            return s;
        }
        assert!(Instant::now() < end, "no complete update of a drawn screen");
    }
}

fn pixels(s: &Engine) -> &[u8] {
    s.framebuffer().unwrap().pixels()
}

fn is_blank(s: &Engine) -> bool {
    let px = pixels(s);
    px.len() < 4 || px.chunks_exact(4).all(|p| p == &px[..4])
}

fn not_blank(s: &Engine) {
    assert!(!is_blank(s), "the screen is one colour: nothing was drawn");
}

/// Pixel-for-pixel equality, reported as a count and the first difference.
fn assert_same(a: &Engine, b: &Engine, what: &str) {
    let (fa, fb) = (a.framebuffer().unwrap(), b.framebuffer().unwrap());
    assert_eq!((fa.width(), fa.height()), (fb.width(), fb.height()), "{what}: sizes");
    let diffs: Vec<usize> =
        fa.pixels().chunks_exact(4).zip(fb.pixels().chunks_exact(4)).enumerate().filter(|(_, (x, y))| x != y).map(|(i, _)| i).collect();
    if let Some(&first) = diffs.first() {
        let w = fa.width() as usize;
        panic!("{what}: {} of {} pixels differ, first at {},{}", diffs.len(), fa.pixels().len() / 4, first % w, first / w);
    }
}

#[test]
fn xvnc_every_lossless_encoding_equals_raw() {
    let x = xvnc(&["-SecurityTypes", "None"]);
    let raw = capture(x.port, only(enc::RAW), None);
    not_blank(&raw);
    assert!(raw.stats().rects_of(enc::RAW) > 0);
    let lossless =
        |e: i32| only(e).into_iter().filter(|p| !(enc::JPEG_QUALITY_LOWEST..=enc::JPEG_QUALITY_HIGHEST).contains(p)).collect::<Vec<_>>();
    for (name, encoding) in [("RRE", enc::RRE), ("Hextile", enc::HEXTILE), ("ZRLE", enc::ZRLE), ("Tight lossless", enc::TIGHT)] {
        let s = capture(x.port, lossless(encoding), None);
        assert!(s.stats().rects_of(encoding) > 0, "{name}: the server used it ({:?})", s.stats().rects);
        assert_same(&s, &raw, &format!("{name} against Raw"));
    }
}

#[test]
fn xvnc_tight_jpeg_is_close_to_raw() {
    let x = xvnc(&["-SecurityTypes", "None"]);
    let raw = capture(x.port, only(enc::RAW), None);
    let mut encodings = only(enc::TIGHT);
    encodings.push(enc::JPEG_QUALITY_LOWEST + 5);
    let s = capture(x.port, encodings, None);
    assert!(s.stats().rects_of(enc::TIGHT) > 0);
    let (a, b) = (pixels(&s), pixels(&raw));
    let diff: u64 = a.iter().zip(b).map(|(x, y)| (*x as i32 - *y as i32).unsigned_abs() as u64).sum();
    let mean = diff as f64 / a.len() as f64;
    assert!(mean < 8.0, "mean difference per channel {mean:.2} is small for JPEG");
}

#[test]
fn xvnc_copyrect_after_scrolling_matches_raw() {
    let x = xvnc(&["-SecurityTypes", "None"]);
    let display_port = x.port;
    // Scroll: a second xterm prints many lines while a CopyRect+Raw client watches.
    let mut s = Engine::new(EngineConfig { encodings: only(enc::COPY_RECT), ..EngineConfig::default() });
    let mut sock = TcpStream::connect(("127.0.0.1", display_port)).unwrap();
    sock.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
    let mut scroller: Option<Proc> = None;
    let mut buf = vec![0u8; 1 << 16];
    let end = Instant::now() + Duration::from_secs(8);
    while Instant::now() < end {
        let out = s.take_transmit();
        if !out.is_empty() {
            sock.write_all(&out).unwrap();
        }
        match sock.read(&mut buf) {
            Ok(0) => panic!("closed"),
            Ok(n) => s.receive(&buf[..n]).unwrap(),
            Err(_) => {}
        }
        while s.poll_event().is_some() {}
        if scroller.is_none() && s.stats().updates > 0 {
            scroller = Some(spawn(
                Command::new("xterm").env("DISPLAY", format!(":{}", x.display)).args([
                    "-geometry",
                    "60x15+300+150",
                    "-e",
                    "sh",
                    "-c",
                    "for i in $(seq 1 120); do echo scrolling line $i; sleep 0.01; done; sleep 600",
                ]),
                "xterm",
            ));
        }
        if s.stats().rects_of(enc::COPY_RECT) > 3 {
            break;
        }
    }
    assert!(s.stats().rects_of(enc::COPY_RECT) > 0, "the server scrolled with CopyRect ({:?})", s.stats().rects);
    std::thread::sleep(Duration::from_millis(2500));
    // Drain the last updates, then compare with a fresh Raw view.
    let settle = Instant::now() + Duration::from_secs(2);
    while Instant::now() < settle {
        let out = s.take_transmit();
        if !out.is_empty() {
            sock.write_all(&out).unwrap();
        }
        if let Ok(n) = sock.read(&mut buf) {
            if n > 0 {
                s.receive(&buf[..n]).unwrap();
            }
        }
        while s.poll_event().is_some() {}
    }
    let raw = capture(display_port, only(enc::RAW), None);
    assert_same(&s, &raw, "after CopyRect scrolling, against Raw");
}

#[test]
fn xvnc_with_a_vnc_password() {
    let dir = std::env::temp_dir().join(format!("vnc-pass-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("passwd");
    let out = Command::new("vncpasswd")
        .arg("-f")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            c.stdin.take().unwrap().write_all(b"s3cret-pw\n")?;
            c.wait_with_output()
        })
        .expect("vncpasswd");
    std::fs::write(&file, out.stdout).unwrap();
    let x = xvnc(&["-SecurityTypes", "VncAuth", "-PasswordFile", file.to_str().unwrap()]);
    let s = capture(x.port, only(enc::RAW), Some("s3cret-pw"));
    not_blank(&s);
    // A wrong password is refused with the server's reason.
    let mut bad = Engine::new(EngineConfig { password: Some(vsphere_console::api::Secret::new("wrong")), ..EngineConfig::default() });
    let mut sock = TcpStream::connect(("127.0.0.1", x.port)).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut buf = [0u8; 4096];
    let err = loop {
        let out = bad.take_transmit();
        if !out.is_empty() {
            sock.write_all(&out).unwrap();
        }
        let n = sock.read(&mut buf).unwrap();
        assert!(n > 0, "closed without a reason");
        if let Err(e) = bad.receive(&buf[..n]) {
            break e;
        }
    };
    assert!(matches!(err, vsphere_console::rfb::RfbError::AuthFailed(_)), "{err:?}");
}

/// QEMU with no disk: SeaBIOS draws its boot messages on a VGA text screen.
fn qemu() -> (u16, Proc) {
    let vnc_display = (20..90).find(|n| TcpListener::bind(("127.0.0.1", 5900 + n)).is_ok()).unwrap();
    let ws = free_port();
    let p = spawn(
        Command::new("qemu-system-x86_64").args([
            "-display",
            "none",
            "-nodefaults",
            "-vga",
            "std",
            "-m",
            "64",
            "-boot",
            "menu=off",
            "-vnc",
            &format!("127.0.0.1:{vnc_display},websocket={ws}"),
        ]),
        "qemu-system-x86_64",
    );
    wait_for_port(ws);
    // SeaBIOS needs a few seconds under emulation to print its boot messages.
    std::thread::sleep(Duration::from_millis(5000));
    (ws, p)
}

fn capture_ws(port: u16, encodings: Vec<i32>) -> (Engine, Vec<Event>) {
    use tungstenite::client::IntoClientRequest;
    let mut req = format!("ws://127.0.0.1:{port}/").into_client_request().unwrap();
    req.headers_mut().insert("Sec-WebSocket-Protocol", "binary".parse().unwrap());
    let (mut ws, resp) = tungstenite::connect(req).expect("qemu websocket");
    assert_eq!(resp.headers().get("sec-websocket-protocol").map(|v| v.to_str().unwrap()), Some("binary"));
    let mut s = Engine::new(EngineConfig {
        encodings,
        image_decoder: Some(vsphere_console::rfb::native_images::decode),
        ..EngineConfig::default()
    });
    let mut seen = Vec::new();
    let end = Instant::now() + Duration::from_secs(20);
    loop {
        let out = s.take_transmit();
        if !out.is_empty() {
            ws.send(tungstenite::Message::Binary(out.into())).unwrap();
        }
        if let tungstenite::Message::Binary(b) = ws.read().unwrap() {
            s.receive(&b).unwrap_or_else(|e| panic!("engine error: {e}"));
        }
        let mut done = false;
        while let Some(ev) = s.poll_event() {
            done |= ev == Event::FrameComplete;
            seen.push(ev);
        }
        if done && !is_blank(&s) {
            return (s, seen);
        }
        assert!(Instant::now() < end, "no complete update from qemu");
    }
}

#[test]
fn qemu_websocket_tightpng_zlib_and_extensions() {
    let (port, _qemu) = qemu();
    let (raw, events) = capture_ws(port, only(enc::RAW));
    not_blank(&raw);
    assert!(events.contains(&Event::KeyMode(vsphere_console::rfb::KeyMode::QemuExtended)), "qemu offers extended key events");
    assert!(events.iter().any(|e| matches!(e, Event::Leds { .. })), "qemu reports its LED state ({events:?})");
    let lossless =
        |e: i32| only(e).into_iter().filter(|p| !(enc::JPEG_QUALITY_LOWEST..=enc::JPEG_QUALITY_HIGHEST).contains(p)).collect::<Vec<_>>();
    // The BIOS screen may still change while it boots, so each encoding is compared with
    // a Raw capture taken just before and one just after; it must equal one of them.
    let mut before = raw;
    for (name, encoding) in [("TightPNG", enc::TIGHT_PNG), ("Zlib", enc::ZLIB), ("Hextile", enc::HEXTILE), ("ZRLE", enc::ZRLE)] {
        let (s, _) = capture_ws(port, lossless(encoding));
        let (after, _) = capture_ws(port, only(enc::RAW));
        assert!(s.stats().rects_of(encoding) > 0, "{name}: qemu used it ({:?})", s.stats().rects);
        if pixels(&s) != pixels(&before) {
            assert_same(&s, &after, &format!("{name} over qemu's websocket, against Raw"));
        }
        before = after;
    }
}
