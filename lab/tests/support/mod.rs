//! Starts the real `vsphere-lab` binary and talks to it over real sockets.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

pub struct Lab {
    child: Child,
    pub addr: String,
}

impl Lab {
    pub fn start() -> Lab {
        Lab::start_with(&[])
    }

    /// With the test hooks (`/lab/consoles…`) and `args`.
    pub fn start_with(args: &[&str]) -> Lab {
        let mut all = vec!["--test-hooks"];
        all.extend_from_slice(args);
        Lab::start_exactly(&all)
    }

    /// With exactly `args` after `--listen 127.0.0.1:0`.
    pub fn start_exactly(args: &[&str]) -> Lab {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vsphere-lab"))
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start vsphere-lab");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("read url");
        let addr = line.trim().trim_start_matches("http://").trim_end_matches('/').to_owned();
        Lab { child, addr }
    }

    /// One HTTP/1.1 request; returns status, headers (lowercase names) and body.
    pub fn http(&self, method: &str, path: &str, session: Option<&str>, body: Option<&str>) -> Response {
        self.http_with_headers(method, path, session, &[], body)
    }

    pub fn http_with_headers(
        &self,
        method: &str,
        path: &str,
        session: Option<&str>,
        extra: &[(String, String)],
        body: Option<&str>,
    ) -> Response {
        self.http_as(&self.addr, method, path, session, extra, body)
    }

    /// A request whose `Host` header is `host` (the connection still goes to the lab).
    pub fn http_as(
        &self,
        host: &str,
        method: &str,
        path: &str,
        session: Option<&str>,
        extra: &[(String, String)],
        body: Option<&str>,
    ) -> Response {
        let mut s = TcpStream::connect(&self.addr).expect("connect");
        let body = body.unwrap_or("");
        let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
        if !body.is_empty() {
            req.push_str("Content-Type: application/json\r\n");
        }
        if let Some(id) = session {
            req.push_str(&format!("vmware-api-session-id: {id}\r\n"));
        }
        for (k, v) in extra {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str("\r\n");
        req.push_str(body);
        s.write_all(req.as_bytes()).expect("write");
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).expect("read");
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").expect("http response");
        let mut lines = head.lines();
        let status: u16 = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).expect("status");
        let headers = lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned())).collect();
        Response { status, headers, body: body.to_owned() }
    }

    pub fn vim(&self, method: &str, tail: &str, session: Option<&str>, body: Option<&str>) -> Response {
        self.http(method, &format!("/sdk/vim25/8.0.1.0/{tail}"), session, body)
    }

    pub fn login(&self, user: &str, password: &str) -> String {
        let r = self.vim(
            "POST",
            "SessionManager/SessionManager/Login",
            None,
            Some(&serde_json::json!({"userName": user, "password": password}).to_string()),
        );
        assert_eq!(r.status, 200, "login: {}", r.body);
        r.header("vmware-api-session-id").expect("session header").to_owned()
    }

    pub fn consoles(&self) -> Value {
        self.http("GET", "/lab/consoles", None, None).json()
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("json body ({e}): {}", self.body))
    }

    /// As the app's transport would hand it to the sans-IO client.
    pub fn to_client(&self) -> vsphere_console::api::http::HttpResponse {
        vsphere_console::api::http::HttpResponse {
            status: self.status,
            content_type: self.header("content-type").map(str::to_owned),
            session: self.header("vmware-api-session-id").map(vsphere_console::api::Secret::new),
            body: self.body.clone(),
        }
    }
}

/// Sends a request the app's sans-IO client built, with its session and extra headers.
pub fn send(lab: &Lab, req: &vsphere_console::api::http::HttpRequest) -> vsphere_console::api::http::HttpResponse {
    use vsphere_console::api::http::Method;
    let method = match req.method {
        Method::Get => "GET",
        Method::Post => "POST",
        Method::Delete => "DELETE",
    };
    let session = req.session.as_ref().map(|s| s.expose().to_owned());
    let extra: Vec<(String, String)> = req.headers.iter().map(|(k, v)| (k.clone(), v.expose().to_owned())).collect();
    lab.http_with_headers(method, &req.path, session.as_deref(), &extra, req.body.as_deref()).to_client()
}
