//! The console websocket (subprotocol `binary`, ArrayBuffer frames) as a value:
//! dropping it detaches its handlers and closes it.

use js_sys::{ArrayBuffer, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

use crate::api::Secret;

/// What the socket reports.
pub enum SocketEvent {
    Open,
    Bytes(Vec<u8>),
    /// `clean`: the closing handshake completed (`CloseEvent.wasClean`).
    Closed {
        code: u16,
        reason: String,
        clean: bool,
    },
}

/// The socket's open, message and close handlers, kept alive while it is.
type Handlers = [Closure<dyn FnMut(JsValue)>; 3];

pub struct ConsoleSocket {
    ws: WebSocket,
    /// The attempt this socket belongs to.
    pub generation: u32,
    handlers: Option<Handlers>,
}

impl ConsoleSocket {
    /// Opens `url` (already through the ticket policy). `on_event` runs from the event loop.
    pub fn open(url: &Secret, generation: u32, on_event: impl Fn(SocketEvent) + 'static) -> Result<Self, String> {
        let protocols = js_sys::Array::of1(&JsValue::from_str("binary"));
        let ws = WebSocket::new_with_str_sequence(url.expose(), &protocols)
            .map_err(|_| "The browser refused to open the console connection.".to_string())?;
        ws.set_binary_type(BinaryType::Arraybuffer);
        let on_event = std::rc::Rc::new(on_event);
        let open = {
            let f = on_event.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |_| f(SocketEvent::Open))
        };
        let message = {
            let f = on_event.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |ev: JsValue| {
                let Ok(msg) = ev.dyn_into::<MessageEvent>() else { return };
                let Ok(buf) = msg.data().dyn_into::<ArrayBuffer>() else { return };
                f(SocketEvent::Bytes(Uint8Array::new(&buf).to_vec()))
            })
        };
        let close = Closure::<dyn FnMut(JsValue)>::new(move |ev: JsValue| {
            let (code, reason, clean) =
                ev.dyn_into::<CloseEvent>().map(|c| (c.code(), c.reason(), c.was_clean())).unwrap_or((1006, String::new(), false));
            on_event(SocketEvent::Closed { code, reason, clean })
        });
        ws.set_onopen(Some(open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(close.as_ref().unchecked_ref()));
        Ok(ConsoleSocket { ws, generation, handlers: Some([open, message, close]) })
    }

    pub fn send(&self, bytes: &[u8]) {
        if self.ws.ready_state() == WebSocket::OPEN {
            let _ = self.ws.send_with_u8_array(bytes);
        }
    }

    /// Starts the closing handshake (a normal closure); the close is still reported.
    pub fn close(&self) {
        let _ = self.ws.close_with_code(1000);
    }
}

impl Drop for ConsoleSocket {
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        let _ = self.ws.close();
        // The socket may be dropped from inside one of these handlers.
        crate::web::drop_later(self.handlers.take());
    }
}
