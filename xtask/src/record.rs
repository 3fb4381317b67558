//! `cargo xtask record`: makes a websockify `--record` file from a real server, with the
//! engine as the client, for replay tests and benchmarks.
//!
//! ```text
//! cargo xtask record --server xvnc|qemu --encoding raw|hextile|zrle|tight|tightpng|zlib|rre --out FILE [--seconds N]
//! ```

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tungstenite::client::IntoClientRequest;
use tungstenite::stream::MaybeTlsStream;
use vsphere_console::rfb::encoding::{self as enc, only};
use vsphere_console::rfb::{Engine, EngineConfig};

use crate::util::Result;

struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(cmd: &mut Command) -> Result<Kill> {
    cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().map(Kill).map_err(|e| format!("{cmd:?}: {e}"))
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?.local_addr().map_err(|e| e.to_string())?.port())
}

fn wait_port(port: u16) -> Result {
    let end = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > end {
            return Err(format!("nothing listens on {port}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

fn encoding(name: &str) -> Result<Vec<i32>> {
    let (e, jpeg) = match name {
        "raw" => (enc::RAW, false),
        "copyrect" => (enc::COPY_RECT, false),
        "rre" => (enc::RRE, false),
        "hextile" => (enc::HEXTILE, false),
        "zlib" => (enc::ZLIB, false),
        "zrle" => (enc::ZRLE, false),
        "tight" => (enc::TIGHT, false),
        "tightjpeg" => (enc::TIGHT, true),
        "tightpng" => (enc::TIGHT_PNG, false),
        other => return Err(format!("unknown encoding {other}")),
    };
    // Lossless unless JPEG is asked for (a lossless replay is exact); and no
    // pseudo-encodings noVNC cannot decode, so both clients can replay the file.
    Ok(only(e)
        .into_iter()
        .filter(|p| jpeg || !(enc::JPEG_QUALITY_LOWEST..=enc::JPEG_QUALITY_HIGHEST).contains(p))
        .filter(|p| *p < 0x574d_5600 && *p != enc::QEMU_LED_STATE)
        .collect())
}

/// What the recorded desktop does.
pub struct Scene {
    /// Xvnc's screen, `WIDTHxHEIGHT` (QEMU's is what its firmware sets).
    pub size: String,
    /// `text`: a moving window beside scrolling text; `photo`: the window also pans a photo-like picture.
    pub kind: String,
}

pub fn run(server: &str, encoding_name: &str, out: &str, seconds: u64, scene: &Scene) -> Result {
    let encodings = encoding(encoding_name)?;
    let vnc_port;
    // The server, then the programs that make activity (stopped before the recording ends).
    let (_server, mut actors): (Kill, Vec<Kill>) = match server {
        "xvnc" => {
            let display = (70..200).find(|n| !std::path::Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()).ok_or("no free display")?;
            vnc_port = free_port()?;
            let x = spawn(Command::new("Xvnc").arg(format!(":{display}")).args([
                "-rfbport",
                &vnc_port.to_string(),
                "-localhost",
                "-geometry",
                &scene.size,
                "-depth",
                "24",
                "-SecurityTypes",
                "None",
                "-ac",
                "-nolisten",
                "tcp",
            ]))?;
            wait_port(vnc_port)?;
            let rows = scene.size.split('x').nth(1).and_then(|h| h.parse::<u32>().ok()).unwrap_or(400) / 15;
            let script = "for i in $(seq 1 100000); do echo \"line $i: $(ls /usr/share/doc | sed -n \"$((i % 400 + 1))p\") scrolls by in a terminal\"; sleep 0.04; done; sleep 600".to_string();
            let t = spawn(Command::new("xterm").env("DISPLAY", format!(":{display}")).args([
                "-geometry",
                &format!("72x{rows}+4+4"),
                "-bg",
                "#102030",
                "-fg",
                "#e0e0c0",
                "-e",
                "sh",
                "-c",
                &script,
            ]))?;
            let scene_py = crate::util::root().join("bench/scene.py");
            let p = spawn(
                Command::new("/usr/bin/python3")
                    .env("DISPLAY", format!(":{display}"))
                    .arg(scene_py)
                    .arg(&scene.kind)
                    .arg(seconds.to_string()),
            )?;
            // The clients map their windows before the recording starts.
            std::thread::sleep(Duration::from_millis(1500));
            (x, vec![t, p])
        }
        "qemu" => {
            let n = (30..99).find(|n| TcpListener::bind(("127.0.0.1", 5900 + n)).is_ok()).ok_or("no free vnc display")?;
            vnc_port = 5900 + n;
            let q = spawn(Command::new("qemu-system-x86_64").args([
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
                &format!("127.0.0.1:{n}"),
            ]))?;
            wait_port(vnc_port)?;
            (q, Vec::new())
        }
        other => return Err(format!("unknown server {other}")),
    };
    let dir = std::env::temp_dir().join(format!("vsc-record-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let ws_port = free_port()?;
    let ws = spawn(
        Command::new("websockify")
            .arg("--record")
            .arg(dir.join("rec"))
            .arg(format!("127.0.0.1:{ws_port}"))
            .arg(format!("127.0.0.1:{vnc_port}")),
    )?;
    wait_port(ws_port)?;
    let mut req = format!("ws://127.0.0.1:{ws_port}/").into_client_request().map_err(|e| e.to_string())?;
    req.headers_mut().insert("Sec-WebSocket-Protocol", "binary".parse().map_err(|_| "header")?);
    let (mut sock, _) = tungstenite::connect(req).map_err(|e| format!("websocket: {e}"))?;
    if let MaybeTlsStream::Plain(s) = sock.get_mut() {
        let _ = s.set_read_timeout(Some(Duration::from_millis(100)));
    }
    let mut s = Engine::new(EngineConfig {
        encodings,
        image_decoder: Some(vsphere_console::rfb::native_images::decode),
        ..EngineConfig::default()
    });
    let end = Instant::now() + Duration::from_secs(seconds);
    // After `seconds` the activity stops, and the recording goes on until the server has
    // been quiet for a second: the file then ends where the live client ended, with no
    // bytes the client never read (a replay must reach the picture the client saw).
    let mut last_data = Instant::now();
    let mut frozen = Vec::new();
    while Instant::now() < end || last_data.elapsed() < Duration::from_secs(1) {
        if Instant::now() >= end && !actors.is_empty() {
            // Frozen, not killed: their windows stay, so the last picture shows them.
            for a in actors.drain(..) {
                let _ = Command::new("kill").args(["-STOP", &a.0.id().to_string()]).status();
                frozen.push(a);
            }
        }
        let out = s.take_transmit();
        if !out.is_empty() {
            sock.send(tungstenite::Message::Binary(out.into())).map_err(|e| e.to_string())?;
        }
        match sock.read() {
            Ok(tungstenite::Message::Binary(b)) => {
                last_data = Instant::now();
                s.receive(&b).map_err(|e| e.to_string())?
            }
            Ok(_) => {}
            Err(tungstenite::Error::Io(e)) if e.kind() == std::io::ErrorKind::WouldBlock || e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(e) => return Err(e.to_string()),
        }
        while s.poll_event().is_some() {}
    }
    let _ = sock.close(None);
    std::thread::sleep(Duration::from_millis(500));
    drop(ws);
    let rec = std::fs::read_dir(&dir)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .next()
        .ok_or("websockify wrote no recording")?;
    std::fs::copy(&rec, out).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!("xtask: recorded {} updates ({} server bytes) to {out}", s.stats().updates, s.stats().bytes);
    if let Some(fb) = s.framebuffer() {
        use sha2::Digest;
        let hash: String = sha2::Sha256::digest(fb.pixels()).iter().map(|b| format!("{b:02x}")).collect();
        // The live client's final picture: a replay of the file must end on the same one.
        println!("{}x{} sha256={hash}", fb.width(), fb.height());
    }
    Ok(())
}
