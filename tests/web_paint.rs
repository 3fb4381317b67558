//! The painting path ends on the framebuffer's picture: every committed recording is
//! replayed through the console runner as the product runs it (its socket adapter,
//! painter and the browser's image decoder), on a socket stand-in, and the canvas must
//! then hold exactly the framebuffer's pixels.

#![cfg(target_arch = "wasm32")]

use std::rc::Rc;

use js_sys::{Array, Promise, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use vsphere_console::api::wire::{MoRef, VirtualMachineTicket};
use vsphere_console::console::ConsoleOptions;
use vsphere_console::rfb::replay::{parse_recording, recording_text};
use vsphere_console::ticket::ConsolePolicy;
use vsphere_console::web::console::{ConsoleRunner, RunnerHooks};

wasm_bindgen_test_configure!(run_in_browser);

/// Every file in `tests/recordings/` (a native test checks that none is missing).
const RECORDINGS: &[(&str, &[u8])] = &[
    ("qemu-bios-tightpng.js", include_bytes!("recordings/qemu-bios-tightpng.js")),
    ("qemu-bios-zlib.js", include_bytes!("recordings/qemu-bios-zlib.js")),
    ("xvnc-xterm-tight.js", include_bytes!("recordings/xvnc-xterm-tight.js")),
    ("xvnc-xterm-zrle.js", include_bytes!("recordings/xvnc-xterm-zrle.js")),
    ("xvnc-1024x768-copyrect.js.gz", include_bytes!("recordings/xvnc-1024x768-copyrect.js.gz")),
    ("xvnc-1024x768-hextile.js.gz", include_bytes!("recordings/xvnc-1024x768-hextile.js.gz")),
    ("xvnc-1024x768-raw.js.gz", include_bytes!("recordings/xvnc-1024x768-raw.js.gz")),
    ("xvnc-1024x768-rre.js.gz", include_bytes!("recordings/xvnc-1024x768-rre.js.gz")),
    ("xvnc-1024x768-tight.js.gz", include_bytes!("recordings/xvnc-1024x768-tight.js.gz")),
    ("xvnc-1024x768-tightjpeg.js.gz", include_bytes!("recordings/xvnc-1024x768-tightjpeg.js.gz")),
    ("xvnc-1024x768-zrle.js.gz", include_bytes!("recordings/xvnc-1024x768-zrle.js.gz")),
    ("xvnc-1920x1080-copyrect.js.gz", include_bytes!("recordings/xvnc-1920x1080-copyrect.js.gz")),
    ("xvnc-1920x1080-hextile.js.gz", include_bytes!("recordings/xvnc-1920x1080-hextile.js.gz")),
    ("xvnc-1920x1080-raw.js.gz", include_bytes!("recordings/xvnc-1920x1080-raw.js.gz")),
    ("xvnc-1920x1080-rre.js.gz", include_bytes!("recordings/xvnc-1920x1080-rre.js.gz")),
    ("xvnc-1920x1080-tight.js.gz", include_bytes!("recordings/xvnc-1920x1080-tight.js.gz")),
    ("xvnc-1920x1080-tightjpeg.js.gz", include_bytes!("recordings/xvnc-1920x1080-tightjpeg.js.gz")),
    ("xvnc-1920x1080-zrle.js.gz", include_bytes!("recordings/xvnc-1920x1080-zrle.js.gz")),
];

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
        acquire: Rc::new(move || {
            let t = ticket.clone();
            Box::pin(async move { Ok(t) })
        }),
        on_status: Rc::new(|_| {}),
        on_host_event: Rc::new(|_| {}),
        on_session_lost: Rc::new(|_| {}),
    }
}

async fn replay_and_compare(name: &str, file: &[u8]) -> Result<(), String> {
    let frames = parse_recording(&recording_text(file)?)?;
    let server = Array::new();
    for f in frames.iter().filter(|f| f.from_server) {
        server.push(&Uint8Array::from(&f.data[..]));
    }
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let canvas: HtmlCanvasElement = document.create_element("canvas").map_err(|_| "canvas")?.unchecked_into();
    document.body().ok_or("no body")?.append_child(&canvas).map_err(|_| "append")?;
    let options = ConsoleOptions {
        policy: ConsolePolicy { allow_insecure: true, allowed_hosts: vec!["127.0.0.1".into()], allowed_ports: vec![9], ..Default::default() },
        requested_from: "http://127.0.0.1:9".into(),
        reconnect: false,
        step_timeout_seconds: 300,
        ..Default::default()
    };
    let runner = ConsoleRunner::start(canvas.clone(), MoRef { kind: "VirtualMachine".into(), value: "vm-paint".into() }, options, hooks())?;
    let replay: js_sys::Function = js_sys::Reflect::get(&web_sys::window().ok_or("window")?.into(), &"__replay".into()).map_err(|_| "replay")?.unchecked_into();
    let delivered: Promise = replay.call1(&JsValue::UNDEFINED, &server).map_err(|_| "replay call")?.unchecked_into();
    JsFuture::from(delivered).await.map_err(|e| format!("{name}: {e:?}"))?;
    JsFuture::from(runner.settled()).await.map_err(|_| "settled")?;
    let (w, h, fb) = runner
        .act(|c| c.framebuffer().map(|f| (f.width(), f.height(), f.pixels().to_vec())))
        .ok_or(format!("{name}: no framebuffer after the replay ({})", runner.status().message.unwrap_or_default()))?;
    let ctx: CanvasRenderingContext2d = canvas.get_context("2d").ok().flatten().ok_or("2d")?.unchecked_into();
    let shown = ctx.get_image_data(0.0, 0.0, w as f64, h as f64).map_err(|_| "getImageData")?.data().0;
    drop(runner);
    canvas.remove();
    if (canvas.width(), canvas.height()) != (w, h) {
        return Err(format!("{name}: canvas {}x{}, framebuffer {w}x{h}", canvas.width(), canvas.height()));
    }
    let differ = shown.chunks_exact(4).zip(fb.chunks_exact(4)).filter(|(a, b)| a != b).count();
    if differ > 0 {
        return Err(format!("{name}: {differ} of {} pixels on the canvas differ from the framebuffer", w * h));
    }
    Ok(())
}

#[wasm_bindgen_test]
async fn every_recording_paints_the_framebuffers_picture() {
    install_socket();
    let mut failures = Vec::new();
    for (name, file) in RECORDINGS {
        if let Err(e) = replay_and_compare(name, file).await {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
