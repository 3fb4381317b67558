//! `vsphere-lab`: a stand-in for vCenter and ESXi, and the app's demo server.
//!
//! ```text
//! vsphere-lab [--listen ADDR] [--config FILE] [--app-dir DIR]
//! ```
//! The first line on stdout is the base URL, so scripts can start it and read where it is.

mod config;
mod console_registry;
mod desktop;
mod gateway;
mod rest;
mod rfb_server;
mod state;
mod vim;

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

const USAGE: &str = "usage: vsphere-lab [--listen ADDR] [--config FILE] [--app-dir DIR]

  --listen ADDR   where to listen (default 127.0.0.1:8080; port 0 picks a free port)
  --config FILE   users, hosts and VMs as JSON (default: the built-in demo inventory)
  --app-dir DIR   the folder holding index.html, www/ and pkg/ (default: the repository root)

The first line on stdout is the base URL.";

struct Args {
    listen: SocketAddr,
    config: Option<PathBuf>,
    app_dir: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        listen: "127.0.0.1:8080".parse().map_err(|_| "bad default address")?,
        config: None,
        app_dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."),
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match a.as_str() {
            "--listen" => args.listen = value("--listen")?.parse().map_err(|e| format!("--listen: {e}"))?,
            "--config" => args.config = Some(PathBuf::from(value("--config")?)),
            "--app-dir" => args.app_dir = PathBuf::from(value("--app-dir")?),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

fn load_config(path: &Option<PathBuf>) -> Result<LabConfig, String> {
    let Some(p) = path else { return Ok(LabConfig::default()) };
    let text = std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))
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
    let lab = Lab::new(config, addr.port());
    let app = router(lab, &args.app_dir);
    println!("http://{addr}/");
    eprintln!("vsphere-lab: serving the app from {} and VI/JSON under /sdk", args.app_dir.display());
    if let Err(e) = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await {
        eprintln!("vsphere-lab: {e}");
        std::process::exit(1);
    }
}

fn router(lab: Lab, app_dir: &std::path::Path) -> Router {
    let no_store = SetResponseHeaderLayer::overriding(
        axum::http::header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    );
    // The demo's console policy (insecure ws to the lab allowed) replaces the shipped one.
    let demo_config = ServeFile::new(app_dir.join("www/config.lab.json"));
    Router::new()
        .route("/sdk/vim25/{release}/{mo_type}/{moid}/{method}", any(vim::handle))
        .route("/ticket/{ticket}", get(ticket_socket))
        .route("/lab/consoles", get(consoles))
        .route("/lab/consoles/closed", get(closed_consoles))
        .route("/lab/consoles/close", axum::routing::post(close_consoles))
        .route("/lab/consoles/drop", axum::routing::post(drop_consoles))
        .route("/api/session", axum::routing::post(rest::create_session).delete(rest::delete_session))
        .route("/api/vcenter/vm", get(rest::list_vms))
        .route("/api/vcenter/vm/{vm}/console/tickets", axum::routing::post(rest::console_ticket))
        .route("/api/vcenter/system", axum::routing::post(rest::hello))
        .route_service("/www/config.json", demo_config)
        .route_service("/", ServeFile::new(app_dir.join("index.html")))
        .route_service("/index.html", ServeFile::new(app_dir.join("index.html")))
        .nest_service("/www", ServeDir::new(app_dir.join("www")))
        .nest_service("/pkg", ServeDir::new(app_dir.join("pkg")))
        .layer(no_store)
        .with_state(lab)
}

/// What the lab's consoles show now (typed text, pointer, a hash of the typed line).
async fn consoles(State(lab): State<Lab>) -> Json<Vec<console_registry::ConsoleView>> {
    Json(lab.consoles.list())
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

/// `/ticket/<ticket>`: accepts each ticket once, within its lifetime, over subprotocol `binary`.
async fn ticket_socket(
    State(lab): State<Lab>,
    Path(ticket): Path<String>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
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
        Some(t) if t.issued.elapsed() <= lifetime => match t.vm.vnc.clone() {
            Some(target) => ws.on_upgrade(move |socket| gateway::proxy(socket, target)),
            None => {
                let registry = lab.consoles.clone();
                ws.on_upgrade(move |socket| rfb_server::serve(socket, t.vm, registry))
            }
        },
        other => {
            let reason = if other.is_some() { "ticket expired" } else { "ticket invalid or already used" };
            ws.on_upgrade(move |mut socket| async move {
                let frame = CloseFrame { code: 4001, reason: reason.into() };
                let _ = socket.send(Message::Close(Some(frame))).await;
            })
        }
    }
}

