//! The app's RFB engine against the lab's console, over a real websocket:
//! one-time tickets, the `binary` subprotocol, pixels and typed keys.

mod support;

use std::net::TcpStream;

use support::Lab;
use tungstenite::client::IntoClientRequest;
use tungstenite::{Message, WebSocket};
use vsphere_console::input;
use vsphere_console::rfb::{Engine, EngineConfig, Event};

fn ticket(lab: &Lab, session: &str) -> String {
    ticket_for(lab, session, "vm-101")
}

fn ticket_for(lab: &Lab, session: &str, vm: &str) -> String {
    let r = lab.vim("POST", &format!("VirtualMachine/{vm}/AcquireTicket"), Some(session), Some(r#"{"ticketType":"webmks"}"#));
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["ticket"].as_str().unwrap().to_owned()
}

fn connect(lab: &Lab, ticket: &str) -> WebSocket<tungstenite::stream::MaybeTlsStream<TcpStream>> {
    let mut req = format!("ws://{}/ticket/{ticket}", lab.addr).into_client_request().unwrap();
    req.headers_mut().insert("Sec-WebSocket-Protocol", "binary".parse().unwrap());
    let (ws, resp) = tungstenite::connect(req).expect("websocket");
    assert_eq!(resp.headers().get("sec-websocket-protocol").unwrap(), "binary");
    ws
}

/// Pumps socket bytes into the engine until `done` says stop; sends what the engine queues.
fn pump(ws: &mut WebSocket<tungstenite::stream::MaybeTlsStream<TcpStream>>, s: &mut Engine, mut done: impl FnMut(&Event, &Engine) -> bool) {
    for _ in 0..500 {
        let out = s.take_transmit();
        if !out.is_empty() {
            ws.send(Message::Binary(out.into())).unwrap();
        }
        match ws.read().expect("read") {
            Message::Binary(b) => s.receive(&b).expect("engine accepts the lab's bytes"),
            Message::Close(f) => panic!("closed: {f:?}"),
            _ => continue,
        }
        while let Some(ev) = s.poll_event() {
            if done(&ev, s) {
                let out = s.take_transmit();
                if !out.is_empty() {
                    ws.send(Message::Binary(out.into())).unwrap();
                }
                return;
            }
        }
    }
    panic!("the expected event never came");
}

#[test]
fn engine_draws_the_lab_desktop_and_types_into_it() {
    let lab = Lab::start();
    let sid = lab.login("demo@vsphere.local", "demo");
    let t = ticket(&lab, &sid);
    let mut ws = connect(&lab, &t);
    // ESXi's dialect sends PNG and JPEG tiles: decoded here, as the browser would.
    let mut s = Engine::new(EngineConfig { image_decoder: Some(vsphere_console::rfb::native_images::decode), ..EngineConfig::default() });
    let mut name = String::new();
    pump(&mut ws, &mut s, |ev, _| {
        if let Event::Connected { name: n, width, height } = ev {
            assert_eq!((*width, *height), (1024, 768));
            name = n.clone();
        }
        matches!(ev, Event::FrameComplete)
    });
    assert_eq!(name, "web-01");
    let fb = s.framebuffer().unwrap();
    assert_eq!(&fb.pixels()[..4], &[0x0b, 0x5c, 0xad, 255], "title bar colour");

    for c in "ok1".chars() {
        let k = input::key_input("", &c.to_string(), true);
        s.send_key(k);
        s.send_key(vsphere_console::rfb::KeyInput { down: false, ..k });
    }
    pump(&mut ws, &mut s, |ev, _| matches!(ev, Event::FrameComplete));
    let mut typed = String::new();
    for _ in 0..50 {
        typed = lab.consoles()[0]["typed"].as_str().unwrap_or_default().to_owned();
        if typed == "ok1" {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(typed, "ok1");
}

#[test]
fn a_ticket_works_once() {
    let lab = Lab::start();
    let sid = lab.login("demo@vsphere.local", "demo");
    let t = ticket(&lab, &sid);
    let mut first = connect(&lab, &t);
    assert!(matches!(first.read().unwrap(), Message::Binary(b) if &b[..] == b"RFB 003.008\n"));
    let mut second = connect(&lab, &t);
    match second.read() {
        Ok(Message::Close(Some(f))) => assert!(f.reason.contains("already used"), "{f:?}"),
        other => panic!("a reused ticket must be refused, got {other:?}"),
    }
}

#[test]
fn without_the_binary_subprotocol_the_socket_is_refused() {
    let lab = Lab::start();
    let sid = lab.login("demo@vsphere.local", "demo");
    let t = ticket(&lab, &sid);
    let req = format!("ws://{}/ticket/{t}", lab.addr).into_client_request().unwrap();
    assert!(tungstenite::connect(req).is_err());
}

/// `motion`: the photo covers the desktop and pans, so update after update changes the
/// picture, mostly in JPEG tiles (what the bench records as an ESXi stream).
#[test]
fn a_moving_desktop_keeps_changing_in_jpeg_tiles() {
    let cfg = std::env::temp_dir().join(format!("lab-motion-{}.json", std::process::id()));
    std::fs::write(&cfg, r#"{"vms":[{"moid":"vm-301","name":"moving","powerState":"poweredOn","host":"host-10","motion":true}]}"#).unwrap();
    let lab = Lab::start_with(&["--config", cfg.to_str().unwrap()]);
    let sid = lab.login("demo@vsphere.local", "demo");
    let t = ticket_for(&lab, &sid, "vm-301");
    let mut ws = connect(&lab, &t);
    // A still desktop would send nothing more: fail, do not wait.
    if let tungstenite::stream::MaybeTlsStream::Plain(tcp) = ws.get_mut() {
        tcp.set_read_timeout(Some(std::time::Duration::from_secs(5))).unwrap();
    }
    let mut s = Engine::new(EngineConfig { image_decoder: Some(vsphere_console::rfb::native_images::decode), ..EngineConfig::default() });
    let mut pictures = std::collections::HashSet::new();
    let started = std::time::Instant::now();
    for _ in 0..6 {
        pump(&mut ws, &mut s, |ev, _| matches!(ev, Event::FrameComplete));
        pictures.insert(s.framebuffer().unwrap().pixels().to_vec());
    }
    assert!(pictures.len() >= 5, "{} different pictures in 6 updates", pictures.len());
    let stats = s.stats();
    assert!(stats.bytes > 6 * 100_000, "a moving 1024x768 photo is large: {} bytes in 6 updates", stats.bytes);
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    let _ = std::fs::remove_file(cfg);
}
