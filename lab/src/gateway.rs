//! The ticket websocket as a gateway to a real VNC server, as ESXi bridges a browser to
//! a VM's console: binary websocket messages ↔ TCP bytes, until either side closes.

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub async fn proxy(mut socket: WebSocket, target: String) {
    let tcp = match TcpStream::connect(&target).await {
        Ok(t) => t,
        Err(e) => {
            let reason = format!("the console server {target} is unreachable: {e}");
            let _ = socket.send(Message::Close(Some(CloseFrame { code: 1011, reason: reason.into() }))).await;
            return;
        }
    };
    let (mut rd, mut wr) = tcp.into_split();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        tokio::select! {
            msg = socket.recv() => match msg {
                Some(Ok(Message::Binary(b))) => {
                    if wr.write_all(&b).await.is_err() {
                        break;
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
            n = rd.read(&mut buf) => match n {
                Ok(0) | Err(_) => {
                    let frame = CloseFrame { code: 1000, reason: "the console server closed the session".into() };
                    let _ = socket.send(Message::Close(Some(frame))).await;
                    break;
                }
                Ok(n) => {
                    if socket.send(Message::Binary(buf[..n].to_vec().into())).await.is_err() {
                        break;
                    }
                }
            },
        }
    }
}
