//! The painting path ends on the right picture: every committed recording is replayed
//! through the console runner as the product runs it (its socket adapter, painter, and
//! JPEG/PNG rectangles drawn into its back canvas), on a socket stand-in, and the
//! canvas must then hold exactly the picture of a reference: the engine alone, fed each
//! image's pixels as the browser decodes them (read back from a canvas of its own).

#![cfg(target_arch = "wasm32")]

use std::rc::Rc;

use js_sys::{Array, Promise, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use vsphere_console::api::wire::{MoRef, VirtualMachineTicket};
use vsphere_console::console::ConsoleOptions;
use vsphere_console::rfb::replay::{parse_recording, recording_text, RecordedFrame};
use vsphere_console::rfb::{Engine, EngineConfig, Event, ImageFormat};
use vsphere_console::ticket::ConsolePolicy;
use vsphere_console::web::console::{ConsoleRunner, RunnerHooks};

wasm_bindgen_test_configure!(run_in_browser);

/// One browser test per recording, so none holds the page for long: every file in
/// `tests/recordings/` (a native test checks that none is missing).
macro_rules! paints {
    ($($test:ident: $name:literal => $bytes:expr;)*) => {
        $(
            #[wasm_bindgen_test]
            async fn $test() {
                install_socket();
                if let Err(e) = replay_and_compare($name, $bytes).await {
                    panic!("{e}");
                }
            }
        )*
    };
}

paints! {
    qemu_bios_tightpng: "qemu-bios-tightpng.js" => include_bytes!("recordings/qemu-bios-tightpng.js");
    qemu_bios_zlib: "qemu-bios-zlib.js" => include_bytes!("recordings/qemu-bios-zlib.js");
    xvnc_xterm_tight: "xvnc-xterm-tight.js" => include_bytes!("recordings/xvnc-xterm-tight.js");
    xvnc_xterm_zrle: "xvnc-xterm-zrle.js" => include_bytes!("recordings/xvnc-xterm-zrle.js");
    xvnc_1024x768_copyrect: "xvnc-1024x768-copyrect.js.gz" => include_bytes!("recordings/xvnc-1024x768-copyrect.js.gz");
    xvnc_1024x768_hextile: "xvnc-1024x768-hextile.js.gz" => include_bytes!("recordings/xvnc-1024x768-hextile.js.gz");
    xvnc_1024x768_raw: "xvnc-1024x768-raw.js.gz" => include_bytes!("recordings/xvnc-1024x768-raw.js.gz");
    xvnc_1024x768_rre: "xvnc-1024x768-rre.js.gz" => include_bytes!("recordings/xvnc-1024x768-rre.js.gz");
    xvnc_1024x768_tight: "xvnc-1024x768-tight.js.gz" => include_bytes!("recordings/xvnc-1024x768-tight.js.gz");
    xvnc_1024x768_tightjpeg: "xvnc-1024x768-tightjpeg.js.gz" => include_bytes!("recordings/xvnc-1024x768-tightjpeg.js.gz");
    xvnc_1024x768_zrle: "xvnc-1024x768-zrle.js.gz" => include_bytes!("recordings/xvnc-1024x768-zrle.js.gz");
    xvnc_1920x1080_copyrect: "xvnc-1920x1080-copyrect.js.gz" => include_bytes!("recordings/xvnc-1920x1080-copyrect.js.gz");
    xvnc_1920x1080_hextile: "xvnc-1920x1080-hextile.js.gz" => include_bytes!("recordings/xvnc-1920x1080-hextile.js.gz");
    xvnc_1920x1080_raw: "xvnc-1920x1080-raw.js.gz" => include_bytes!("recordings/xvnc-1920x1080-raw.js.gz");
    xvnc_1920x1080_rre: "xvnc-1920x1080-rre.js.gz" => include_bytes!("recordings/xvnc-1920x1080-rre.js.gz");
    xvnc_1920x1080_tight: "xvnc-1920x1080-tight.js.gz" => include_bytes!("recordings/xvnc-1920x1080-tight.js.gz");
    xvnc_1920x1080_tightjpeg: "xvnc-1920x1080-tightjpeg.js.gz" => include_bytes!("recordings/xvnc-1920x1080-tightjpeg.js.gz");
    xvnc_1920x1080_zrle: "xvnc-1920x1080-zrle.js.gz" => include_bytes!("recordings/xvnc-1920x1080-zrle.js.gz");
}

/// A `WebSocket` the runner opens as it would a real one; `__replay(frames)` hands each
/// frame over in its own task.
const REPLAY_SOCKET: &str = r#"
if (!window.__replay) {
  const channel = new MessageChannel();
  const tasks = [];
  channel.port1.onmessage = () => tasks.shift()?.();
  const nextTask = () => new Promise((r) => { tasks.push(r); channel.port2.postMessage(0); });
  window.WebSocket = class {
    constructor() {
      this.readyState = 0; this.protocol = "binary"; this.binaryType = "blob";
      this.onopen = this.onmessage = this.onclose = this.onerror = null;
      window.__socket = this;
      queueMicrotask(() => { this.readyState = 1; this.onopen?.(new Event("open")); });
    }
    send() {}
    close() { this.readyState = 3; this.closed = true; }
  };
  window.__replay = async (frames) => {
    while (!window.__socket || window.__socket.readyState !== 1) await nextTask();
    const sock = window.__socket;
    for (const f of frames) {
      await nextTask();
      if (sock.closed) throw new Error("the console closed its socket during the replay");
      sock.onmessage?.(new MessageEvent("message", { data: f.slice().buffer }));
    }
  };
}
"#;

fn install_socket() {
    js_sys::Function::new_no_args(REPLAY_SOCKET).call0(&JsValue::UNDEFINED).expect("the replay socket installs");
}

fn hooks() -> RunnerHooks {
    let ticket: VirtualMachineTicket = serde_json::from_str(
        r#"{"ticket":"paint-replay-ticket","cfgFile":"x","host":"127.0.0.1","port":9,"url":"ws://127.0.0.1:9/ticket/paint-replay-ticket"}"#,
    )
    .expect("ticket");
    RunnerHooks {
        acquire_ticket: Rc::new(move || {
            let t = ticket.clone();
            Box::pin(async move { Ok(t.into()) })
        }),
        on_status: Rc::new(|_| {}),
        on_host_event: Rc::new(|_| {}),
        on_session_lost: Rc::new(|_| {}),
    }
}

/// The browser's decoding of one image as RGBA, read back from a scratch canvas.
async fn browser_decode(format: ImageFormat, data: &[u8], width: u32, height: u32) -> Result<Vec<u8>, String> {
    let window = web_sys::window().ok_or("no window")?;
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(format.mime());
    let blob =
        web_sys::Blob::new_with_u8_array_sequence_and_options(&Array::of1(&Uint8Array::from(data).into()), &opts).map_err(|_| "blob")?;
    let bitmap: web_sys::ImageBitmap = JsFuture::from(window.create_image_bitmap_with_blob(&blob).map_err(|_| "createImageBitmap")?)
        .await
        .map_err(|_| "decode")?
        .unchecked_into();
    let document = window.document().ok_or("no document")?;
    let canvas: HtmlCanvasElement = document.create_element("canvas").map_err(|_| "canvas")?.unchecked_into();
    canvas.set_width(width);
    canvas.set_height(height);
    let ctx: CanvasRenderingContext2d = canvas.get_context("2d").ok().flatten().ok_or("2d")?.unchecked_into();
    ctx.draw_image_with_image_bitmap(&bitmap, 0.0, 0.0).map_err(|_| "drawImage")?;
    Ok(ctx.get_image_data(0.0, 0.0, width as f64, height as f64).map_err(|_| "getImageData")?.data().0)
}

/// The reference picture: the engine alone, each image's pixels handed to it in order.
async fn reference_picture(frames: &[RecordedFrame]) -> Result<(u32, u32, Vec<u8>), String> {
    let s = reference_run(frames, |_, _| {}).await?;
    let fb = s.framebuffer().ok_or("no framebuffer")?;
    Ok((fb.width(), fb.height(), fb.pixels().to_vec()))
}

/// The server's frames as the runner must see them. The recording client asked for a
/// pixel format (SetPixelFormat), and the server's bytes are in it; the runner sends
/// none to a server whose own format is 32-bit RGBX or BGRX. So the ServerInit is made
/// to announce the format the recording client asked for, as a server whose own format
/// it is would: then the runner reads the bytes as they were recorded. (RFB 3.8 with
/// security None, as every recording is: version, types, result, then ServerInit.)
fn server_frames(frames: &[RecordedFrame]) -> Result<Vec<Vec<u8>>, String> {
    let mut server: Vec<Vec<u8>> = frames.iter().filter(|f| f.from_server).map(|f| f.data.clone()).collect();
    let asked = frames
        .iter()
        .filter(|f| !f.from_server)
        .find_map(|f| (f.data.first() == Some(&0) && f.data.len() >= 20).then(|| f.data[4..20].to_vec()));
    let Some(format) = asked else { return Ok(server) };
    let stream: Vec<u8> = server.concat();
    if !stream.starts_with(b"RFB 003.008\n") {
        return Err("a recording that is not RFB 3.8".into());
    }
    let types = *stream.get(12).ok_or("a recording without security types")? as usize;
    let at = 12 + 1 + types + 4 + 4;
    let mut patched = stream.get(..at + 16).ok_or("a recording without ServerInit")?.to_vec();
    patched[at..].copy_from_slice(&format);
    patched.extend_from_slice(&stream[at + 16..]);
    let mut rest = &patched[..];
    for frame in server.iter_mut() {
        let (head, tail) = rest.split_at(frame.len());
        *frame = head.to_vec();
        rest = tail;
    }
    Ok(server)
}

/// A console runner on a fresh canvas in the page, and the replay socket's `__replay`.
fn start_console(vm: &str) -> Result<(HtmlCanvasElement, ConsoleRunner, js_sys::Function), String> {
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let canvas: HtmlCanvasElement = document.create_element("canvas").map_err(|_| "canvas")?.unchecked_into();
    document.body().ok_or("no body")?.append_child(&canvas).map_err(|_| "append")?;
    let options = ConsoleOptions {
        policy: ConsolePolicy {
            allow_insecure: true,
            allowed_hosts: vec!["127.0.0.1".into()],
            allowed_ports: vec![9],
            ..Default::default()
        },
        requested_from: "http://127.0.0.1:9".into(),
        reconnect: false,
        step_timeout_seconds: 300,
        ..Default::default()
    };
    let runner = ConsoleRunner::start(canvas.clone(), MoRef { kind: "VirtualMachine".into(), value: vm.into() }, options, hooks(), false)?;
    let replay: js_sys::Function =
        js_sys::Reflect::get(&web_sys::window().ok_or("window")?.into(), &"__replay".into()).map_err(|_| "replay")?.unchecked_into();
    Ok((canvas, runner, replay))
}

async fn replay_and_compare(name: &str, file: &[u8]) -> Result<(), String> {
    let frames = parse_recording(&recording_text(file)?)?;
    let server = Array::new();
    for f in server_frames(&frames)? {
        server.push(&Uint8Array::from(&f[..]));
    }
    let (canvas, runner, replay) = start_console("vm-paint")?;
    let delivered: Promise = replay.call1(&JsValue::UNDEFINED, &server).map_err(|_| "replay call")?.unchecked_into();
    JsFuture::from(delivered).await.map_err(|e| format!("{name}: {e:?}"))?;
    JsFuture::from(runner.settled()).await.map_err(|_| "settled")?;
    let status = runner.status();
    status.desktop.as_ref().ok_or(format!("{name}: no desktop after the replay ({})", status.message.clone().unwrap_or_default()))?;
    let (w, h, fb) = reference_picture(&frames).await.map_err(|e| format!("{name}: the reference: {e}"))?;
    let ctx: CanvasRenderingContext2d = canvas.get_context("2d").ok().flatten().ok_or("2d")?.unchecked_into();
    let shown = ctx.get_image_data(0.0, 0.0, w as f64, h as f64).map_err(|_| "getImageData")?.data().0;
    drop(runner);
    canvas.remove();
    if (canvas.width(), canvas.height()) != (w, h) {
        return Err(format!("{name}: canvas {}x{}, framebuffer {w}x{h}", canvas.width(), canvas.height()));
    }
    let differ = shown.chunks_exact(4).zip(fb.chunks_exact(4)).filter(|(a, b)| a != b).count();
    if differ > 0 {
        return Err(format!("{name}: {differ} of {} pixels on the canvas differ from the reference picture", w * h));
    }
    Ok(())
}

/// The reference engine over a recording's frames (client frames assumed as sent), each
/// image decoded as the browser decodes it. `visit` sees the engine after each server
/// frame, by that frame's number among the server's; the engine at the end is returned.
async fn reference_run(frames: &[RecordedFrame], mut visit: impl FnMut(usize, &Engine)) -> Result<Engine, String> {
    let mut s = Engine::new(EngineConfig { set_pixel_format: false, ..EngineConfig::default() });
    let mut n = 0;
    for f in frames {
        if !f.from_server {
            s.assume_client_messages(&f.data).map_err(|e| e.to_string())?;
            continue;
        }
        s.receive(&f.data).map_err(|e| e.to_string())?;
        let mut images = std::collections::VecDeque::new();
        loop {
            while let Some(ev) = s.poll_event() {
                if let Event::DecodeImage { format, data, width, height, .. } = ev {
                    images.push_back(browser_decode(format, &data, width, height).await);
                }
            }
            let Some(rgba) = images.pop_front() else { break };
            s.image_decoded(rgba).map_err(|e| e.to_string())?;
        }
        visit(n, &s);
        n += 1;
    }
    Ok(s)
}

/// Resolves after two animation frames: whatever the console would paint has been painted.
async fn two_frames() {
    let p = js_sys::Function::new_no_args("return new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));")
        .call0(&JsValue::UNDEFINED)
        .map(|p| p.unchecked_into::<Promise>());
    if let Ok(p) = p {
        let _ = JsFuture::from(p).await;
    }
}

/// A picture's fingerprint (FNV-1a over 64-bit words: the test build is unoptimised, and
/// it fingerprints every whole picture of a recording).
fn fingerprint(rgba: &[u8]) -> u64 {
    rgba.chunks(8).fold(0xcbf2_9ce4_8422_2325u64, |h, w| {
        let mut word = [0u8; 8];
        word[..w.len()].copy_from_slice(w);
        (h ^ u64::from_le_bytes(word)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Only whole updates reach the screen. The recording is replayed up to an update of many
/// rectangles that comes in one server message, and that message's first half comes in
/// the same socket message as the end of the update before (so the animation frame that
/// paints that one falls inside this one), then the stream stalls; then the rest comes in pieces, one per task with
/// animation frames in between (a slow socket). Each time the canvas must hold the picture
/// at the end of some whole update of the reference, and at the end the one after it.
async fn whole_updates_only(name: &str, file: &[u8]) -> Result<(), String> {
    let frames = parse_recording(&recording_text(file)?)?;
    let server = server_frames(&frames)?;
    let mut between = Vec::new();
    let mut whole = std::collections::HashSet::new();
    reference_run(&frames, |_, e| {
        let at_end = e.between_updates() && e.framebuffer().is_some();
        between.push(at_end);
        if let (true, Some(fb)) = (at_end, e.framebuffer()) {
            whole.insert(fingerprint(fb.pixels()));
        }
    })
    .await?;
    let rects = |m: &[u8]| if m.len() > 4096 && m[0] == 0 { u16::from_be_bytes([m[2], m[3]]) } else { 0 };
    let cut = (1..server.len())
        .filter(|&i| between[i - 1] && between[i] && rects(&server[i]) >= 4)
        .max_by_key(|&i| rects(&server[i]))
        .ok_or(format!("{name}: no message that is one whole update of several rectangles"))?;
    let mut after = Vec::new();
    reference_run(&frames, |n, e| {
        if n == cut {
            after = e.framebuffer().map(|fb| fb.pixels().to_vec()).unwrap_or_default();
        }
    })
    .await?;
    let (canvas, runner, replay) = start_console("vm-whole")?;
    let send = |pieces: &[&[u8]]| {
        let arr = Array::new();
        for p in pieces {
            arr.push(&Uint8Array::from(*p));
        }
        replay.call1(&JsValue::UNDEFINED, &arr).map(|p| p.unchecked_into::<Promise>()).map_err(|_| "replay call".to_owned())
    };
    let shown = || -> Result<Vec<u8>, String> {
        let ctx: CanvasRenderingContext2d = canvas.get_context("2d").ok().flatten().ok_or("2d")?.unchecked_into();
        Ok(ctx.get_image_data(0.0, 0.0, canvas.width() as f64, canvas.height() as f64).map_err(|_| "getImageData")?.data().0)
    };
    let message = &server[cut];
    let half = message.len() / 2;
    // The update before it ends in the same socket message that starts it: its paint is
    // due while this update is half read.
    let joined: Vec<u8> = [&server[cut - 1][..], &message[..half]].concat();
    let mut first: Vec<&[u8]> = server[..cut - 1].iter().map(|f| &f[..]).collect();
    first.push(&joined);
    JsFuture::from(send(&first)?).await.map_err(|e| format!("{name}: {e:?}"))?;
    JsFuture::from(runner.settled()).await.map_err(|_| "settled")?;
    two_frames().await;
    if !whole.contains(&fingerprint(&shown()?)) {
        return Err(format!("{name}: a stream stalled inside an update shows part of it"));
    }
    let pieces: Vec<&[u8]> = message[half..].chunks(message[half..].len().div_ceil(8)).collect();
    for (k, piece) in pieces.iter().enumerate() {
        JsFuture::from(send(&[piece])?).await.map_err(|e| format!("{name}: {e:?}"))?;
        two_frames().await;
        if !whole.contains(&fingerprint(&shown()?)) {
            return Err(format!("{name}: after piece {} of {}, part of an update is on screen", k + 1, pieces.len()));
        }
    }
    JsFuture::from(runner.settled()).await.map_err(|_| "settled")?;
    let last = shown()?;
    drop(runner);
    canvas.remove();
    if last != after {
        let differ = last.chunks_exact(4).zip(after.chunks_exact(4)).filter(|(a, b)| a != b).count();
        return Err(format!("{name}: after the whole update {differ} pixels differ from the reference picture"));
    }
    Ok(())
}

#[wasm_bindgen_test]
async fn whole_updates_only_tight() {
    install_socket();
    if let Err(e) = whole_updates_only("xvnc-1024x768-tight.js.gz", include_bytes!("recordings/xvnc-1024x768-tight.js.gz")).await {
        panic!("{e}");
    }
}

#[wasm_bindgen_test]
async fn whole_updates_only_tight_jpeg() {
    install_socket();
    if let Err(e) = whole_updates_only("xvnc-1024x768-tightjpeg.js.gz", include_bytes!("recordings/xvnc-1024x768-tightjpeg.js.gz")).await {
        panic!("{e}");
    }
}
