//! Fuzz oracles: the logic of each fuzz target, in the library so it builds on stable
//! and regression inputs can be replayed by plain tests (`tests/fuzz_regressions.rs`).
//! The `fuzz/` crate's targets are one line each.

use crate::api::client::decode;
use crate::api::http::HttpResponse;
use crate::api::wire::{RetrieveResult, ServiceContent, UserSession, VirtualMachineTicket};
use crate::api::Fault;
use crate::rfb::{Engine, EngineConfig, KeyInput};

/// Server bytes into the RFB engine, split into chunks the input chooses; input sent
/// back now and then, and images answered. Must never panic; buffers stay within the
/// engine's limits.
pub fn rfb_stream(data: &[u8]) {
    let Some((&split, rest)) = data.split_first() else { return };
    let chunk = (split as usize % 61) + 1;
    let mut s = Engine::new(EngineConfig::default());
    for (i, piece) in rest.chunks(chunk).enumerate() {
        if s.receive(piece).is_err() {
            // Once failed, the engine refuses everything and holds nothing.
            assert!(s.receive(b"RFB 003.008\n").is_err());
            return;
        }
        // Answer images as a host would (pixels of the right size or the wrong one, drawn
        // on a canvas, or a failed decode, as the input picks), and read-backs from that
        // canvas, so what waits behind either is fuzzed too.
        let mut asked: std::collections::VecDeque<_> = std::iter::from_fn(|| s.poll_event()).collect();
        let mut answers = 0usize;
        while let Some(ev) = asked.pop_front() {
            let pick = split as usize + i + answers;
            answers += 1;
            let answered = match ev {
                crate::rfb::Event::DecodeImage { width, height, .. } => {
                    let area = width as usize * height as usize;
                    match pick % 4 {
                        0 if area <= 1 << 20 => s.image_decoded(Ok(vec![0x7f; area * 4])),
                        1 => s.image_decoded(Ok(vec![0; 4])),
                        2 => s.image_drawn(Ok(())),
                        _ => s.image_decoded(Err("the browser could not decode it".to_owned())),
                    }
                }
                crate::rfb::Event::ReadBack { rects } => {
                    let fits = rects.iter().all(|r| r.area() <= 1 << 20);
                    let px =
                        rects.iter().map(|r| if fits && pick % 5 != 0 { vec![0x3f; r.area() as usize * 4] } else { vec![0; 4] }).collect();
                    s.canvas_read(Ok(px))
                }
                _ => continue,
            };
            if answered.is_err() {
                assert!(s.receive(b"RFB 003.008\n").is_err());
                return;
            }
            asked.extend(std::iter::from_fn(|| s.poll_event()));
        }
        if i % 7 == 0 {
            s.send_key(KeyInput { keysym: 0x61, scancode: Some(0x1e), down: true });
            s.send_pointer(i as i32, -(i as i32), 1);
            s.send_wheel(1, -1);
        }
        let _ = s.take_transmit();
        let _ = s.take_damage();
    }
}

/// A response body and status into every parser the app uses.
pub fn api_response(data: &[u8]) {
    let Some((&status_pick, body)) = data.split_first() else { return };
    let status = [200u16, 204, 401, 403, 500, 502][status_pick as usize % 6];
    let resp = HttpResponse {
        status,
        content_type: (status_pick & 0x80 != 0).then(|| "application/json".to_owned()),
        session: None,
        body: String::from_utf8_lossy(body).into_owned(),
    };
    let _ = decode::<ServiceContent>(&resp);
    let _ = decode::<UserSession>(&resp);
    let _ = decode::<VirtualMachineTicket>(&resp);
    if let Ok(r) = decode::<RetrieveResult>(&resp) {
        let mut inv = crate::api::inventory::InventoryBuilder::default();
        inv.add_page(&r.objects);
        let _ = inv.finish();
    }
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(&resp.body) {
        if let Some(f) = Fault::from_json(&v) {
            let _ = f.sentence();
        }
    }
    if let Err(e) = decode::<serde_json::Value>(&resp) {
        let _ = e.sentence();
    }
}

/// A ticket (fields split by NUL) through the policy with the native WHATWG parser;
/// every accepted URL must keep the policy's invariants.
#[cfg(not(target_arch = "wasm32"))]
pub fn ticket_policy(data: &[u8]) {
    use crate::secret::Secret;
    use crate::ticket::NativeUrlParser;
    use crate::ticket::{resolve, ConsolePolicy, RequestedFrom, UrlParser};

    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\0');
    let (ticket, host, port, url) = (parts.next().unwrap_or(""), parts.next(), parts.next(), parts.next());
    let t = VirtualMachineTicket {
        ticket: Secret::new(ticket),
        cfg_file: String::new(),
        host: host.filter(|h| !h.is_empty()).map(str::to_owned),
        port: port.and_then(|p| p.parse().ok()),
        ssl_thumbprint: None,
        cert_thumbprint_list: Vec::new(),
        ssl_certificate: None,
        url: url.map(Secret::new),
    };
    let policy = ConsolePolicy {
        allowed_hosts: vec!["esx01.example.com".into(), "*.example.org".into(), "10.0.0.0/8".into(), "fd00::/8".into()],
        allowed_ports: vec![443, 8443],
        ..ConsolePolicy::default()
    };
    let from = RequestedFrom { scheme: "https".into(), host: "vc.example.com".into(), port: 443 };
    if let Ok(u) = resolve(&t, &from, &policy, &NativeUrlParser) {
        let p = NativeUrlParser.parse(u.url.expose()).expect("an accepted url parses");
        assert_eq!(p.scheme, "wss");
        assert!(crate::ticket::host_allowed(&p.host, &policy.allowed_hosts, &NativeUrlParser));
        assert!(policy.allowed_ports.contains(&p.port.unwrap_or(443)));
        assert_eq!(p.path, format!("/ticket/{ticket}"));
        assert!(p.username.is_empty() && p.password.is_empty() && p.query.is_none() && p.fragment.is_none());
        assert!(!u.redacted.contains(ticket));
    }
}
