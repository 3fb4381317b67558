//! The lab is safe to run as the demo: no DNS rebinding, test hooks only on request,
//! ticket URLs for the host the browser asked for, close reasons that fit a close frame
//! and name no internal address, and no orphan lab when its parent dies.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::Lab;
use tungstenite::client::IntoClientRequest;

#[test]
fn only_ip_literals_localhost_and_allowed_names_are_answered() {
    let lab = Lab::start_exactly(&["--allow-host", "lab.example.test"]);
    let port = lab.addr.rsplit(':').next().unwrap().to_owned();
    let content = "/sdk/vim25/8.0.1.0/ServiceInstance/ServiceInstance/content";
    for host in [lab.addr.clone(), format!("localhost:{port}"), format!("lab.example.test:{port}")] {
        assert_eq!(lab.http_as(&host, "GET", content, None, &[], None).status, 200, "{host}");
    }
    // A name that an attacker's DNS points at 127.0.0.1: refused.
    let r = lab.http_as(&format!("rebind.attacker.example:{port}"), "GET", content, None, &[], None);
    assert_eq!(r.status, 421, "{}", r.body);
    assert!(r.body.contains("--allow-host"));
}

#[test]
fn test_hooks_exist_only_with_the_flag() {
    let plain = Lab::start_exactly(&[]);
    for path in ["/lab/consoles", "/lab/consoles/closed"] {
        assert_eq!(plain.http("GET", path, None, None).status, 404, "{path} without --test-hooks");
    }
    assert_eq!(plain.http("POST", "/lab/consoles/close", None, None).status, 404);
    let hooked = Lab::start_with(&[]);
    assert_eq!(hooked.http("GET", "/lab/consoles", None, None).status, 200);
}

#[test]
fn ticket_urls_use_the_host_the_browser_asked_for() {
    let lab = Lab::start();
    let port = lab.addr.rsplit(':').next().unwrap().to_owned();
    let sid = lab.login("demo@vsphere.local", "demo");
    for host in [format!("localhost:{port}"), format!("127.0.0.2:{port}")] {
        let r = lab.http_as(
            &host,
            "POST",
            "/sdk/vim25/8.0.1.0/VirtualMachine/vm-101/AcquireTicket",
            Some(&sid),
            &[],
            Some(r#"{"ticketType":"webmks"}"#),
        );
        assert_eq!(r.status, 200, "{}", r.body);
        let t = r.json();
        let name = host.rsplit_once(':').unwrap().0;
        assert_eq!(t["host"], name, "the host field");
        assert_eq!(t["port"], port.parse::<i64>().unwrap());
        assert!(t["url"].as_str().unwrap().starts_with(&format!("ws://{host}/ticket/")), "{}", t["url"]);
    }
}

#[test]
fn an_unreachable_console_server_is_not_named_to_the_browser() {
    // Port 1 on loopback: nothing listens there.
    let config = std::env::temp_dir().join(format!("lab-safety-{}.json", std::process::id()));
    std::fs::write(&config, r#"{"vms":[{"moid":"vm-9","name":"gone","powerState":"poweredOn","host":"host-10","vnc":"127.0.0.1:1"}]}"#)
        .unwrap();
    let lab = Lab::start_with(&["--config", config.to_str().unwrap()]);
    let sid = lab.login("demo@vsphere.local", "demo");
    let r = lab.vim("POST", "VirtualMachine/vm-9/AcquireTicket", Some(&sid), Some(r#"{"ticketType":"webmks"}"#));
    let ticket = r.json()["ticket"].as_str().unwrap().to_owned();
    let mut req = format!("ws://{}/ticket/{ticket}", lab.addr).into_client_request().unwrap();
    req.headers_mut().insert("Sec-WebSocket-Protocol", "binary".parse().unwrap());
    let (mut ws, _) = tungstenite::connect(req).expect("websocket");
    let frame = loop {
        match ws.read() {
            Ok(tungstenite::Message::Close(f)) => break f.expect("a close frame"),
            Ok(_) => continue,
            Err(e) => panic!("no close frame: {e}"),
        }
    };
    let reason = frame.reason.to_string();
    assert_eq!(u16::from(frame.code), 1011);
    assert!(reason.len() <= 123, "{reason}");
    assert!(!reason.contains("127.0.0.1") && !reason.contains(":1"), "the reason names no internal address: {reason}");
    let _ = std::fs::remove_file(config);
}

#[test]
fn the_lab_exits_when_its_parent_goes_away() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vsphere-lab"))
        .args(["--listen", "127.0.0.1:0", "--exit-with-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert!(line.starts_with("http://127.0.0.1:"));
    // What happens to the pipe when the xtask that holds it dies.
    drop(child.stdin.take());
    let end = Instant::now() + Duration::from_secs(5);
    while Instant::now() < end {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success());
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the lab kept running after its stdin closed");
}

/// A POST with `content-type` and `body`, written by hand (the support helper always
/// says JSON): the status and whether a session id came back.
fn post_as(lab: &Lab, path: &str, content_type: &str, body: &str) -> (u16, bool) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(&lab.addr).unwrap();
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}",
        lab.addr,
        body.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let status = raw.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, raw.to_ascii_lowercase().contains("vmware-api-session-id:"))
}

/// Issue 20: any web page can post a form or text/plain to the lab across sites (no
/// preflight); before, the lab parsed it as JSON and logged in. Now only JSON is read.
#[test]
fn only_json_bodies_are_read() {
    let lab = Lab::start();
    let login = "/sdk/vim25/8.0.1.0/SessionManager/SessionManager/Login";
    let body = r#"{"userName":"demo@vsphere.local","password":"demo"}"#;
    for ct in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"] {
        assert_eq!(post_as(&lab, login, ct, body), (415, false), "{ct}");
    }
    assert_eq!(post_as(&lab, login, "application/json; charset=utf-8", body), (200, true));
    assert_eq!(post_as(&lab, "/api/vcenter/vm/vm-101/console/tickets", "text/plain", r#"{"type":"WEBMKS"}"#).0, 415);
}
