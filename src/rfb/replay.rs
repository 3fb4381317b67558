//! Replaying a websockify `--record` file (noVNC's playback format) through the engine.
//!
//! ```text
//! var VNC_frame_data = [
//! '{2{RFB 003.008\n',        server → client, at 2 ms
//! '}501}RFB 003.008\n',      client → server, at 501 ms
//! 'EOF'];
//! ```
//! The server's bytes depend on what the recording client asked for, so the recorded
//! client messages (SetPixelFormat above all) take the place of the engine's own.

use super::engine::ImageDecoder;
use super::{Engine, EngineConfig, RfbError};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedFrame {
    pub from_server: bool,
    pub ms: u64,
    pub data: Vec<u8>,
}

/// The text of a recording file, gunzipped when it is compressed (`NAME.js.gz`, as
/// large recordings are committed).
pub fn recording_text(file: &[u8]) -> Result<String, String> {
    let bytes = if file.starts_with(&[0x1f, 0x8b]) { gunzip(file)? } else { file.to_vec() };
    String::from_utf8(bytes).map_err(|_| "a recording is UTF-8 text".to_owned())
}

/// A gzip member (RFC 1952) with no extra fields but perhaps a name: what `gzip -n` writes.
fn gunzip(file: &[u8]) -> Result<Vec<u8>, String> {
    const FNAME: u8 = 0x08;
    let flags = *file.get(3).ok_or("a truncated gzip header")?;
    if file.get(2) != Some(&8) || flags & !FNAME != 0 {
        return Err("a gzip file this reader does not know (compress with gzip -n)".into());
    }
    let mut start = 10;
    if flags & FNAME != 0 {
        start += file.get(start..).and_then(|rest| rest.iter().position(|&b| b == 0)).ok_or("a gzip name without its end")? + 1;
    }
    let body = file.get(start..file.len().saturating_sub(8)).ok_or("a truncated gzip file")?;
    miniz_oxide::inflate::decompress_to_vec(body).map_err(|e| format!("a damaged gzip file ({:?})", e.status))
}

/// Parses the JavaScript of a recording.
pub fn parse_recording(text: &str) -> Result<Vec<RecordedFrame>, String> {
    let start = text.find('[').ok_or("not a recording: no `VNC_frame_data = [`")?;
    let mut frames = Vec::new();
    let mut rest = &text[start + 1..];
    while let Some(open) = rest.find('\'') {
        let (literal, after) = read_literal(&rest[open + 1..])?;
        rest = after;
        if literal == b"EOF" {
            break;
        }
        let dir = *literal.first().ok_or("empty frame")?;
        let from_server = match dir {
            b'{' => true,
            b'}' => false,
            other => return Err(format!("frame starts with {:?}, not {{ or }}", other as char)),
        };
        let close = literal[1..].iter().position(|&b| b == dir).ok_or("frame without a timestamp")? + 1;
        let ms = std::str::from_utf8(&literal[1..close]).ok().and_then(|s| s.parse().ok()).ok_or("bad timestamp")?;
        frames.push(RecordedFrame { from_server, ms, data: literal[close + 1..].to_vec() });
    }
    Ok(frames)
}

/// Reads a single-quoted literal (Python `unicode_escape` of latin-1), returns its bytes
/// and the text after it.
fn read_literal(s: &str) -> Result<(Vec<u8>, &str), String> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\'' => return Ok((out, &s[i + 1..])),
            b'\\' => {
                let e = *b.get(i + 1).ok_or("escape at end")?;
                i += 2;
                match e {
                    b'n' => out.push(b'\n'),
                    b'r' => out.push(b'\r'),
                    b't' => out.push(b'\t'),
                    b'0' => out.push(0),
                    b'\\' | b'\'' | b'"' => out.push(e),
                    b'x' => {
                        let hex = s.get(i..i + 2).ok_or("short \\x escape")?;
                        out.push(u8::from_str_radix(hex, 16).map_err(|_| "bad \\x escape")?);
                        i += 2;
                    }
                    b'u' => {
                        let hex = s.get(i..i + 4).ok_or("short \\u escape")?;
                        let cp = u32::from_str_radix(hex, 16).map_err(|_| "bad \\u escape")?;
                        out.push(u8::try_from(cp).map_err(|_| "\\u escape beyond latin-1")?);
                        i += 4;
                    }
                    other => return Err(format!("unknown escape \\{}", other as char)),
                }
            }
            c if c < 0x80 => {
                out.push(c);
                i += 1;
            }
            _ => {
                // A raw non-ASCII character: latin-1 code point.
                let ch = s[i..].chars().next().ok_or("bad utf-8")?;
                out.push(u8::try_from(ch as u32).map_err(|_| "character beyond latin-1")?);
                i += ch.len_utf8();
            }
        }
    }
    Err("unterminated string".into())
}

/// Feeds a recording to a fresh engine as if it were the client that made it.
pub fn replay(frames: &[RecordedFrame], image_decoder: Option<ImageDecoder>) -> Result<Engine, RfbError> {
    let mut s = Engine::new(EngineConfig { set_pixel_format: false, image_decoder, ..EngineConfig::default() });
    for f in frames {
        if f.from_server {
            s.receive(&f.data)?;
            while s.poll_event().is_some() {}
        } else {
            s.assume_client_messages(&f.data)?;
        }
        let _ = s.take_transmit();
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_plain_and_gzipped_recordings() {
        let text = "var VNC_frame_data = [\n'EOF'];\n";
        assert_eq!(recording_text(text.as_bytes()).unwrap(), text);
        // `printf '...' | gzip -n -9` of the same text.
        let gz = miniz_oxide::deflate::compress_to_vec(text.as_bytes(), 9);
        let mut file = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3];
        file.extend_from_slice(&gz);
        file.extend_from_slice(&[0; 8]);
        assert_eq!(recording_text(&file).unwrap(), text);
        assert!(recording_text(&file[..12]).is_err(), "a truncated file is an error");
    }

    #[test]
    fn parses_websockify_output() {
        let text = "var VNC_frame_data = [\n'{2{RFB 003.008\\n',\n'}501}\\x01\\'\\\\',\n'EOF'];\n";
        let f = parse_recording(text).unwrap();
        assert_eq!(f.len(), 2);
        assert_eq!(f[0], RecordedFrame { from_server: true, ms: 2, data: b"RFB 003.008\n".to_vec() });
        assert_eq!(f[1].data, vec![1, b'\'', b'\\']);
        assert!(!f[1].from_server);
    }
}
