//! The Extended Clipboard pseudo-encoding (0xC0A1E5CE), as TigerVNC and noVNC speak it:
//! UTF-8 text both ways instead of ServerCutText/ClientCutText's Latin-1.
//!
//! An extended message is a cut-text message with a negative length. Its payload starts
//! with a `u32` of flags: formats in the low 16 bits (bit 0 is text), actions in the top
//! 8 (caps, request, peek, notify, provide). Caps carry one `u32` size per format;
//! provide carries one zlib stream holding, per format, a `u32` length and the data (text
//! is UTF-8 with CRLF line ends and a closing NUL).

use super::error::RfbError;
use super::zlib::ZStream;

pub const PSEUDO_ENCODING: i32 = 0xC0A1_E5CE_u32 as i32;

pub const FORMAT_TEXT: u32 = 1;
pub const CAPS: u32 = 1 << 24;
pub const REQUEST: u32 = 1 << 25;
pub const PEEK: u32 = 1 << 26;
pub const NOTIFY: u32 = 1 << 27;
pub const PROVIDE: u32 = 1 << 28;
const ACTIONS: u32 = 0xff00_0000;

/// Largest text taken from the server (inflated), as the page would hold it.
pub const MAX_TEXT: usize = 4 * 1024 * 1024;

/// One extended clipboard message from the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServerMessage {
    /// The server's formats and actions; the client answers with its own.
    Caps { formats: u32, actions: u32 },
    /// The server asks for our text.
    Request { formats: u32 },
    /// The server asks which formats we have.
    Peek,
    /// The server has new clipboard content in `formats`.
    Notify { formats: u32 },
    /// The server's text (`None` when it provided other formats only).
    Provide { text: Option<String> },
}

/// Reads an extended message's payload (after the negative length).
pub fn parse(payload: &[u8]) -> Result<ServerMessage, RfbError> {
    let malformed = || RfbError::Malformed("extended clipboard message");
    let flags = u32::from_be_bytes(payload.get(..4).ok_or_else(malformed)?.try_into().map_err(|_| malformed())?);
    let (formats, actions) = (flags & 0xffff, flags & ACTIONS);
    if actions & CAPS != 0 {
        // One size per format follows; the sizes limit unsolicited provides, which we
        // never send, so they are only checked for presence.
        if payload.len() < 4 + 4 * formats.count_ones() as usize {
            return Err(malformed());
        }
        return Ok(ServerMessage::Caps { formats, actions });
    }
    Ok(match actions {
        REQUEST => ServerMessage::Request { formats },
        PEEK => ServerMessage::Peek,
        NOTIFY => ServerMessage::Notify { formats },
        PROVIDE => ServerMessage::Provide { text: provided_text(formats, &payload[4..])? },
        _ => return Err(malformed()),
    })
}

/// The text in a provide's zlib stream: each format's length and bytes, in bit order.
fn provided_text(formats: u32, stream: &[u8]) -> Result<Option<String>, RfbError> {
    if formats & FORMAT_TEXT == 0 {
        return Ok(None);
    }
    // We ask for text only, so the stream holds its length and bytes and nothing more;
    // anything that inflates beyond the largest text we take is refused.
    let mut z = ZStream::default();
    let data = z.inflate(stream, 4 + MAX_TEXT + 1)?;
    let len = u32::from_be_bytes(data.get(..4).ok_or(RfbError::Malformed("extended clipboard text length"))?.try_into().unwrap_or_default())
        as usize;
    if len > MAX_TEXT {
        return Err(RfbError::MessageTooLarge(len));
    }
    let bytes = data.get(4..4 + len).ok_or(RfbError::Malformed("extended clipboard text"))?;
    let text = String::from_utf8_lossy(bytes);
    Ok(Some(text.trim_end_matches('\0').replace("\r\n", "\n")))
}

fn message(out: &mut Vec<u8>, payload: &[u8]) {
    out.extend_from_slice(&[6, 0, 0, 0]);
    out.extend_from_slice(&(-(payload.len() as i32)).to_be_bytes());
    out.extend_from_slice(payload);
}

/// Our caps: text, with every action; size 0 (we take no unsolicited provides).
pub fn client_caps(out: &mut Vec<u8>) {
    let flags = CAPS | REQUEST | PEEK | NOTIFY | PROVIDE | FORMAT_TEXT;
    let mut p = flags.to_be_bytes().to_vec();
    p.extend_from_slice(&0u32.to_be_bytes());
    message(out, &p);
}

/// Tells the server we have text (or nothing, with `has_text` false).
pub fn notify(out: &mut Vec<u8>, has_text: bool) {
    message(out, &(NOTIFY | if has_text { FORMAT_TEXT } else { 0 }).to_be_bytes());
}

/// Asks the server for its text.
pub fn request(out: &mut Vec<u8>) {
    message(out, &(REQUEST | FORMAT_TEXT).to_be_bytes());
}

/// Our text, in a zlib stream of stored blocks.
pub fn provide(out: &mut Vec<u8>, text: &str) {
    let mut body = text.replace("\r\n", "\n").replace('\r', "\n").replace('\n', "\r\n").into_bytes();
    body.push(0);
    let mut raw = (body.len() as u32).to_be_bytes().to_vec();
    raw.extend_from_slice(&body);
    let mut p = (PROVIDE | FORMAT_TEXT).to_be_bytes().to_vec();
    p.extend_from_slice(&zlib_stored(&raw));
    message(out, &p);
}

/// A zlib stream of stored (uncompressed) deflate blocks. Clipboard text is small, and
/// a compressor would add its code to every page's bundle for no visible gain.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut z = vec![0x78, 0x01];
    let mut chunks = data.chunks(0xffff).peekable();
    if chunks.peek().is_none() {
        z.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(chunk) = chunks.next() {
        z.push(u8::from(chunks.peek().is_none()));
        let len = chunk.len() as u16;
        z.extend_from_slice(&len.to_le_bytes());
        z.extend_from_slice(&(!len).to_le_bytes());
        z.extend_from_slice(chunk);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + byte as u32) % 65521;
        b = (b + a) % 65521;
    }
    z.extend_from_slice(&((b << 16) | a).to_be_bytes());
    z
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The payload of the message `f` writes (after type, padding and the negative length).
    fn payload(f: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
        let mut out = Vec::new();
        f(&mut out);
        assert_eq!(out[0], 6);
        let len = i32::from_be_bytes(out[4..8].try_into().unwrap());
        assert!(len < 0, "extended messages have a negative length");
        assert_eq!(out.len() - 8, len.unsigned_abs() as usize);
        out[8..].to_vec()
    }

    #[test]
    fn provide_round_trips_unicode_with_crlf_and_nul() {
        let p = payload(|o| provide(o, "grüße\nпривет ✓"));
        match parse(&p).unwrap() {
            ServerMessage::Provide { text } => assert_eq!(text.as_deref(), Some("grüße\nпривет ✓")),
            other => panic!("{other:?}"),
        }
        // The stream itself holds CRLF and the closing NUL, as the protocol says.
        let mut z = ZStream::default();
        let raw = z.inflate(&p[4..], 1 << 20).unwrap();
        assert!(raw.ends_with(b"\xe2\x9c\x93\0") && raw.windows(2).any(|w| w == b"\r\n"));
    }

    #[test]
    fn long_text_spans_several_stored_blocks() {
        let text = "x".repeat(200_000);
        let p = payload(|o| provide(o, &text));
        assert!(matches!(parse(&p).unwrap(), ServerMessage::Provide { text: Some(t) } if t == text));
    }

    #[test]
    fn caps_notify_request_peek() {
        let caps = payload(client_caps);
        assert_eq!(parse(&caps).unwrap(), ServerMessage::Caps { formats: 1, actions: CAPS | REQUEST | PEEK | NOTIFY | PROVIDE });
        assert_eq!(parse(&payload(request)).unwrap(), ServerMessage::Request { formats: 1 });
        assert_eq!(parse(&payload(|o| notify(o, true))).unwrap(), ServerMessage::Notify { formats: 1 });
        assert_eq!(parse(&payload(|o| notify(o, false))).unwrap(), ServerMessage::Notify { formats: 0 });
        assert_eq!(parse(&PEEK.to_be_bytes()).unwrap(), ServerMessage::Peek);
    }

    #[test]
    fn malformed_messages_are_errors_not_panics() {
        assert!(parse(&[]).is_err());
        assert!(parse(&[0, 0]).is_err());
        assert!(parse(&(CAPS | 3).to_be_bytes()).is_err(), "caps without their sizes");
        assert!(parse(&(PROVIDE | 1).to_be_bytes()).is_err(), "provide without a stream");
        let mut bad = (PROVIDE | 1).to_be_bytes().to_vec();
        bad.extend_from_slice(&[0x78, 0x01, 1, 8, 0, 0xf7, 0xff, 0xff, 0xff, 0xff, 0x7f]);
        assert!(parse(&bad).is_err(), "a text length beyond the stream");
        assert!(parse(&(NOTIFY | REQUEST).to_be_bytes()).is_err(), "two actions at once");
    }
}
