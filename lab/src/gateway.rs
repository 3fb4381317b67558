//! The ticket websocket as a gateway to a real VNC server, as ESXi bridges a browser to
//! a VM's console: binary websocket messages ↔ TCP bytes, until either side closes.

use axum::extract::ws::{Message, WebSocket};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub async fn proxy(mut socket: WebSocket, target: String) {
    let tcp = match TcpStream::connect(&target).await {
        Ok(t) => t,
        Err(e) => {
            // The browser hears only that it failed; the address stays in the lab's log.
            eprintln!("vsphere-lab: console server {target} unreachable: {e}");
            let _ = socket.send(Message::Close(Some(crate::close_frame(1011, "the console server is unreachable")))).await;
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
                    let frame = crate::close_frame(1000, "the console server closed the session");
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
