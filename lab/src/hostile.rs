//! Hostile console servers, for the fault-injection tests: a VM whose config names a
//! `hostile` scenario gets one of these behind its ticket instead of the desktop.
//! Each sends its bytes without waiting for the client (an RFB client answers in
//! order anyway) and ignores what the client sends.

use std::time::Duration;

use axum::extract::ws::{Message, WebSocket};

/// The scenarios, by the name a VM's `hostile` field gives.
pub const SCENARIOS: &[&str] = &[
    "garbage-version",
    "silence",
    "rect-outside",
    "drop-mid-rect",
    "unknown-message",
    "zlib-bomb",
    "huge-cut-text",
    "amplify-rre",
    "amplify-copyrect",
    "amplify-hextile",
    "slow-drip",
];

const W: u16 = 1024;
const H: u16 = 768;

/// Version, security None, SecurityResult OK, ServerInit 1024×768 RGBX.
fn handshake() -> Vec<u8> {
    let mut v = b"RFB 003.008\n".to_vec();
    v.extend_from_slice(&[1, 1, 0, 0, 0, 0]);
    v.extend_from_slice(&W.to_be_bytes());
    v.extend_from_slice(&H.to_be_bytes());
    // 32 bpp, depth 24, little endian, true colour, max 255, shifts 0/8/16, padding.
    v.extend_from_slice(&[32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 0, 8, 16, 0, 0, 0]);
    v.extend_from_slice(&7u32.to_be_bytes());
    v.extend_from_slice(b"hostile");
    v
}

fn update(rects: u16) -> Vec<u8> {
    let mut v = vec![0, 0];
    v.extend_from_slice(&rects.to_be_bytes());
    v
}

fn rect(v: &mut Vec<u8>, x: u16, y: u16, w: u16, h: u16, encoding: i32) {
    for n in [x, y, w, h] {
        v.extend_from_slice(&n.to_be_bytes());
    }
    v.extend_from_slice(&encoding.to_be_bytes());
}

/// What the scenario sends after the handshake (the handshake itself for most).
fn payload(scenario: &str) -> Vec<u8> {
    let mut v = if matches!(scenario, "garbage-version" | "silence") { Vec::new() } else { handshake() };
    match scenario {
        "garbage-version" => v.extend_from_slice(b"HTTP/1.1 400 Bad Request\r\n\r\n"),
        "silence" => {}
        "rect-outside" => {
            v.extend(update(1));
            rect(&mut v, 2000, 2000, 16, 16, 0);
            v.extend(std::iter::repeat_n(0u8, 16 * 16 * 4));
        }
        "unknown-message" => v.push(200),
        "zlib-bomb" => {
            // 64 MiB of zeros compress to a few dozen KiB; the rectangle needs 4 KiB.
            let bomb = miniz_oxide::deflate::compress_to_vec_zlib(&vec![0u8; 64 << 20], 9);
            v.extend(update(1));
            rect(&mut v, 0, 0, 32, 32, 6);
            v.extend_from_slice(&(bomb.len() as u32).to_be_bytes());
            v.extend_from_slice(&bomb);
        }
        "huge-cut-text" => {
            // ServerCutText claiming 1 GiB.
            v.extend_from_slice(&[3, 0, 0, 0]);
            v.extend_from_slice(&(1u32 << 30).to_be_bytes());
            v.extend(std::iter::repeat_n(b'x', 64 * 1024));
        }
        "amplify-rre" => {
            let n = 200_000u32;
            v.extend(update(1));
            rect(&mut v, 0, 0, W, H, 2);
            v.extend_from_slice(&n.to_be_bytes());
            v.extend_from_slice(&[0, 0, 0, 0]);
            for _ in 0..n {
                v.extend_from_slice(&[255, 0, 0, 0, 0, 0, 0, 0]);
                v.extend_from_slice(&W.to_be_bytes());
                v.extend_from_slice(&H.to_be_bytes());
            }
        }
        "amplify-copyrect" => {
            // 16 bytes a rectangle, a whole screen moved by each.
            v.extend(update(20_000));
            for i in 0..20_000u32 {
                rect(&mut v, 0, 0, W - 1, H, 1);
                v.extend_from_slice(&[0, (i % 2) as u8, 0, 0]);
            }
        }
        "amplify-hextile" => {
            // Every 16×16 tile: 255 coloured sub-rectangles covering the whole tile.
            v.extend(update(1));
            rect(&mut v, 0, 0, W, H, 5);
            for _ in 0..(W as usize / 16) * (H as usize / 16) {
                v.extend_from_slice(&[0x08 | 0x10, 255]);
                for _ in 0..255 {
                    v.extend_from_slice(&[0, 0, 255, 0, 0x00, 0xFF]);
                }
            }
        }
        _ => {}
    }
    v
}

pub async fn serve(mut socket: WebSocket, scenario: String) {
    match scenario.as_str() {
        "drop-mid-rect" => {
            let mut v = handshake();
            v.extend(update(1));
            rect(&mut v, 0, 0, W, H, 0);
            v.extend(std::iter::repeat_n(7u8, 1000));
            let _ = socket.send(Message::Binary(v.into())).await;
            tokio::time::sleep(Duration::from_millis(300)).await;
            // Dropped without a close frame, mid-rectangle.
            drop(socket);
        }
        "slow-drip" => {
            // A whole raw screen, one byte every 10 ms: it would take hours.
            let mut v = handshake();
            v.extend(update(1));
            rect(&mut v, 0, 0, W, H, 0);
            for b in v {
                if socket.send(Message::Binary(vec![b].into())).await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            loop {
                if socket.send(Message::Binary(vec![0x55].into())).await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
        other => {
            let bytes = payload(other);
            // Sent in websocket messages of 64 KiB, as a real server's writes would be.
            for chunk in bytes.chunks(64 * 1024) {
                if socket.send(Message::Binary(chunk.to_vec().into())).await.is_err() {
                    return;
                }
            }
            // Then keep the connection open, ignoring what the client says.
            while let Some(Ok(msg)) = socket.recv().await {
                if matches!(msg, Message::Close(_)) {
                    return;
                }
            }
        }
    }
}
