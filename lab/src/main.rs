//! `vsphere-lab`: a stand-in for vCenter and ESXi, and the app's demo server.
//!
//! ```text
//! vsphere-lab [--listen ADDR] [--config FILE] [--app-dir DIR]
//! ```
//! The first line on stdout is the base URL, so scripts can start it and read where it is.

mod config;
mod console;
mod console_registry;
mod gateway;
mod host_check;
mod hostile;
mod properties;
mod rest;
mod state;
mod tasks;
mod vim;
mod wire;

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::extract::ws::{CloseFrame, Message, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Json, Router};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

use config::LabConfig;
use state::Lab;

const USAGE: &str =
    "usage: vsphere-lab [--listen ADDR] [--config FILE] [--app-dir DIR] [--allow-host NAME]... [--test-hooks] [--exit-with-stdin]

  --listen ADDR      where to listen (default 127.0.0.1:8080; port 0 picks a free port)
  --config FILE      users, hosts and VMs as JSON (default: the built-in demo inventory)
  --app-dir DIR      the folder holding index.html, www/ and pkg/ (default: the repository root)
  --allow-host NAME  also answer requests whose Host is NAME (IP addresses and localhost always pass)
  --test-hooks       serve /lab/consoles… (what each console shows, close and drop them): tests only
  --exit-with-stdin  exit when standard input closes (so a parent that dies takes the lab along)
  --app-config FILE  serve FILE as the app's www/config.json (default: www/config.lab.json)

The first line on stdout is the base URL.";

struct Args {
    listen: SocketAddr,
    config: Option<PathBuf>,
    app_dir: PathBuf,
    allowed_hosts: Vec<String>,
    test_hooks: bool,
    exit_with_stdin: bool,
    app_config: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        listen: "127.0.0.1:8080".parse().map_err(|_| "bad default address")?,
        config: None,
        app_dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."),
        allowed_hosts: Vec::new(),
        test_hooks: false,
        exit_with_stdin: false,
        app_config: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match a.as_str() {
            "--listen" => args.listen = value("--listen")?.parse().map_err(|e| format!("--listen: {e}"))?,
            "--config" => args.config = Some(PathBuf::from(value("--config")?)),
            "--app-dir" => args.app_dir = PathBuf::from(value("--app-dir")?),
            "--allow-host" => args.allowed_hosts.push(value("--allow-host")?),
            "--test-hooks" => args.test_hooks = true,
            "--exit-with-stdin" => args.exit_with_stdin = true,
            "--app-config" => args.app_config = Some(PathBuf::from(value("--app-config")?)),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

fn load_config(path: &Option<PathBuf>) -> Result<LabConfig, String> {
    let Some(p) = path else { return Ok(LabConfig::default()) };
    let text = std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
    let config: LabConfig = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))?;
    if let Some(bad) = config.vms.iter().filter_map(|v| v.hostile.as_deref()).find(|h| !hostile::SCENARIOS.contains(h)) {
        return Err(format!("{}: unknown hostile scenario {bad:?} (known: {})", p.display(), hostile::SCENARIOS.join(", ")));
    }
    Ok(config)
}

#[tokio::main]
async fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("vsphere-lab: {e}");
            }
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    };
    let config = match load_config(&args.config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("vsphere-lab: {e}");
            std::process::exit(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(args.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("vsphere-lab: cannot listen on {}: {e}", args.listen);
            std::process::exit(1);
        }
    };
    let addr = listener.local_addr().unwrap_or(args.listen);
    if args.exit_with_stdin {
        // The demo's xtask holds our stdin; when it dies (even by SIGKILL) the pipe closes.
        std::thread::spawn(|| {
            let mut sink = Vec::new();
            let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut sink);
            std::process::exit(0);
        });
    }
    let lab = Lab::new(config, addr.port());
    {
        // Expired tickets, idle sessions and what belonged to them do not pile up.
        let lab = lab.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
            loop {
                tick.tick().await;
                tasks::settle(&lab);
                lab.purge();
            }
        });
    }
    let app_config = args.app_config.clone().unwrap_or_else(|| args.app_dir.join("www/config.lab.json"));
    let app = router(lab, &args.app_dir, &app_config, args.test_hooks, host_check::AllowedHosts(args.allowed_hosts.clone()));
    println!("http://{addr}/");
    eprintln!("vsphere-lab: serving the app from {} and VI/JSON under /sdk", args.app_dir.display());
    if let Err(e) = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await {
        eprintln!("vsphere-lab: {e}");
        std::process::exit(1);
    }
}

fn router(
    lab: Lab,
    app_dir: &std::path::Path,
    app_config: &std::path::Path,
    test_hooks: bool,
    allowed: host_check::AllowedHosts,
) -> Router {
    let no_store = SetResponseHeaderLayer::overriding(axum::http::header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // The demo's console policy (insecure ws to the lab allowed) replaces the shipped one.
    let demo_config = ServeFile::new(app_config);
    let mut app = Router::new()
        .route("/sdk/vim25/{release}/{mo_type}/{moid}/{method}", any(vim::handle))
        .route("/ticket/{ticket}", get(ticket_socket));
    if test_hooks {
        app = app
            .route("/lab/consoles", get(consoles))
            .route("/lab/consoles/closed", get(closed_consoles))
            .route("/lab/consoles/close", axum::routing::post(close_consoles))
            .route("/lab/consoles/drop", axum::routing::post(drop_consoles))
            .route("/lab/consoles/copy", axum::routing::post(copy_consoles));
    }
    app.route("/api/session", axum::routing::post(rest::create_session).delete(rest::delete_session))
        .route("/api/vcenter/vm", get(rest::list_vms))
        .route("/api/vcenter/vm/{vm}/console/tickets", axum::routing::post(rest::console_ticket))
        .route("/api/vcenter/system", axum::routing::post(rest::hello))
        .route_service("/www/config.json", demo_config)
        .route_service("/", ServeFile::new(app_dir.join("index.html")))
        .route_service("/index.html", ServeFile::new(app_dir.join("index.html")))
        .nest_service("/www", ServeDir::new(app_dir.join("www")))
        .nest_service("/pkg", ServeDir::new(app_dir.join("pkg")))
        .layer(no_store)
        .layer(axum::middleware::from_fn_with_state(allowed, host_check::check))
        .with_state(lab)
}

/// What the lab's consoles show now (typed text, pointer, a hash of the typed line).
async fn consoles(State(lab): State<Lab>) -> Json<Vec<console_registry::ConsoleView>> {
    Json(lab.consoles.list())
}

/// A websocket close frame; its reason is cut to the 123 bytes a close frame can carry.
pub fn close_frame(code: u16, reason: &str) -> CloseFrame {
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    CloseFrame { code, reason: reason[..end].to_owned().into() }
}

/// Consoles that have closed, oldest first: did the client say goodbye (SessionClose)?
async fn closed_consoles(State(lab): State<Lab>) -> Json<Vec<console_registry::ConsoleView>> {
    Json(lab.consoles.closed())
}

/// Closes every live console from the server side (for tests of a server disconnect).
async fn close_consoles(State(lab): State<Lab>) -> StatusCode {
    lab.consoles.kick_all(false);
    StatusCode::NO_CONTENT
}

/// Drops every live console's connection without a close frame (a network failure).
async fn drop_consoles(State(lab): State<Lab>) -> StatusCode {
    lab.consoles.kick_all(true);
    StatusCode::NO_CONTENT
}

/// Every live console's guest copies the text of `{"text": …}` (ServerCutText).
async fn copy_consoles(State(lab): State<Lab>, body: axum::Json<serde_json::Value>) -> StatusCode {
    let Some(text) = body.get("text").and_then(|t| t.as_str()) else { return StatusCode::BAD_REQUEST };
    lab.consoles.copy_all(text.to_owned());
    StatusCode::NO_CONTENT
}

/// `/ticket/<ticket>`: accepts each ticket once, within its lifetime, over subprotocol `binary`.
async fn ticket_socket(State(lab): State<Lab>, Path(ticket): Path<String>, headers: HeaderMap, ws: WebSocketUpgrade) -> Response {
    let offers_binary = headers
        .get_all("sec-websocket-protocol")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| p.trim() == "binary");
    if !offers_binary {
        // Like ESXi: without the `binary` subprotocol the connection fails at once.
        return (StatusCode::BAD_REQUEST, "the console websocket needs subprotocol \"binary\"").into_response();
    }
    let lifetime = lab.ticket_lifetime();
    let found = lab.lock().tickets.remove(&ticket);
    let ws = ws.protocols(["binary"]);
    match found {
        Some(t) if t.issued.elapsed() <= lifetime => match (t.vm.hostile.clone(), t.vm.vnc.clone()) {
            (Some(scenario), _) => ws.on_upgrade(move |socket| hostile::serve(socket, scenario)),
            (None, Some(target)) => ws.on_upgrade(move |socket| gateway::proxy(socket, target)),
            (None, None) => {
                let registry = lab.consoles.clone();
                let settings = console::Settings {
                    direct_start: t.vm.webmks_start.as_deref() == Some("serverInit"),
                    frozen_clock: lab.frozen_clock(),
                    vm: t.vm,
                };
                ws.on_upgrade(move |socket| console::serve(socket, settings, registry))
            }
        },
        other => {
            let reason = if other.is_some() { "ticket expired" } else { "ticket invalid or already used" };
            ws.on_upgrade(move |mut socket| async move {
                let frame = close_frame(4001, reason);
                let _ = socket.send(Message::Close(Some(frame))).await;
            })
        }
    }
}
