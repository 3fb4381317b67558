//! One persistent zlib stream, as RFB's Zlib, ZRLE and Tight encodings need.
//!
//! The output is bounded by the caller: a stream that inflates without end is an error,
//! not an allocation. The output buffer is kept between rectangles (up to `KEEP_BYTES`),
//! so a rectangle costs no allocation and no zeroing.
//!
//! The 2-byte zlib header is read here and the deflate data inflated raw: an RFB stream
//! never ends, so the Adler-32 that zlib keeps for the stream's end is never checked,
//! and computing it took some 10 % of inflating.

use zlib_rs::{Inflate, InflateError, InflateFlush, Status};

use super::error::RfbError;

/// The most output buffer a stream keeps between rectangles: servers split their updates
/// into rectangles well below this; a whole-screen Zlib rectangle allocates as it comes.
const KEEP_BYTES: usize = 1 << 20;

pub struct ZStream {
    /// Raw deflate: the zlib header is `header`'s.
    state: Inflate,
    header: Header,
    out: Vec<u8>,
}

/// A stream begins with two header bytes (CMF, FLG), which may come in two messages.
#[derive(Clone, Copy)]
enum Header {
    /// The bytes so far and how many.
    Reading([u8; 2], usize),
    Checked,
}

const NO_HEADER_YET: Header = Header::Reading([0; 2], 0);

impl Default for ZStream {
    fn default() -> Self {
        ZStream { state: Inflate::new(false, 15), header: NO_HEADER_YET, out: Vec::new() }
    }
}

impl ZStream {
    pub fn reset(&mut self) {
        self.state.reset(false);
        self.header = NO_HEADER_YET;
    }

    /// Takes what is still missing of the zlib header from the front of `input` and checks
    /// it (RFC 1950: deflate, a window of at most 32 KiB, no preset dictionary); the rest.
    fn skip_header<'a>(&mut self, mut input: &'a [u8]) -> Result<&'a [u8], RfbError> {
        let Header::Reading(mut bytes, mut have) = self.header else { return Ok(input) };
        while have < 2 {
            let Some((&b, rest)) = input.split_first() else {
                self.header = Header::Reading(bytes, have);
                return Ok(input);
            };
            bytes[have] = b;
            have += 1;
            input = rest;
        }
        let [cmf, flg] = bytes;
        if cmf & 0x0f != 8 || cmf >> 4 > 7 || (u16::from(cmf) << 8 | u16::from(flg)) % 31 != 0 || flg & 0x20 != 0 {
            return Err(RfbError::Zlib("not a zlib stream (bad header)".to_owned()));
        }
        self.header = Header::Checked;
        Ok(input)
    }

    /// One call: (consumed, written, status).
    fn step(&mut self, input: &[u8], out: &mut [u8]) -> (usize, usize, Result<Status, InflateError>) {
        let (i0, o0) = (self.state.total_in(), self.state.total_out());
        let r = self.state.decompress(input, out, InflateFlush::SyncFlush);
        ((self.state.total_in() - i0) as usize, (self.state.total_out() - o0) as usize, r)
    }

    /// Inflates all of `input`, producing at most `limit` bytes.
    pub fn inflate(&mut self, input: &[u8], limit: usize) -> Result<&[u8], RfbError> {
        if self.out.len() > KEEP_BYTES {
            self.out = Vec::new();
        }
        let input = self.skip_header(input)?;
        let mut out = std::mem::take(&mut self.out);
        let r = self.inflate_into(input, limit, &mut out);
        self.out = out;
        Ok(&self.out[..r?])
    }

    /// Inflates into `out` (grown by doubling, never past `limit`); returns the bytes written.
    fn inflate_into(&mut self, input: &[u8], limit: usize, out: &mut Vec<u8>) -> Result<usize, RfbError> {
        // A first size from the input (desktop data inflates some 8 times): a small
        // rectangle should not zero a large buffer.
        let first = input.len().saturating_mul(8).clamp(4096, 64 * 1024).min(limit);
        if out.len() < first {
            out.resize(first, 0);
        }
        let mut written = 0;
        let mut consumed = 0;
        loop {
            // A buffer kept from a bigger rectangle may be longer than this one's limit.
            let room = out.len().min(limit);
            if written == room {
                if room == limit {
                    // Full: only fine if the input is used up and nothing more comes out.
                    let mut probe = [0u8; 1];
                    let (_, w, _) = self.step(&input[consumed..], &mut probe);
                    if w > 0 {
                        return Err(RfbError::Zlib(format!("inflates beyond {limit} bytes")));
                    }
                    break;
                }
                out.resize(out.len().saturating_mul(2).clamp(1, limit), 0);
                continue;
            }
            let (c, w, status) = self.step(&input[consumed..], &mut out[written..room]);
            consumed += c;
            written += w;
            match status {
                Ok(Status::StreamEnd) => break,
                Ok(Status::Ok) => {}
                Ok(Status::BufError) => {
                    if consumed >= input.len() && written < room {
                        break;
                    }
                }
                Err(e) => return Err(RfbError::Zlib(e.as_str().to_owned())),
            }
            if consumed >= input.len() && written < room && w == 0 {
                break;
            }
        }
        Ok(written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use miniz_oxide::deflate::core::{compress, create_comp_flags_from_zip_params, CompressorOxide, TDEFLFlush};

    /// A zlib stream split in two sync-flushed parts, like an RFB server sends it.
    fn two_parts(a: &[u8], b: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let mut c = CompressorOxide::new(create_comp_flags_from_zip_params(6, 1, 0));
        let mut buf = vec![0u8; 4096];
        let (_, _, n1) = compress(&mut c, a, &mut buf, TDEFLFlush::Sync);
        let first = buf[..n1].to_vec();
        let (_, _, n2) = compress(&mut c, b, &mut buf, TDEFLFlush::Sync);
        (first, buf[..n2].to_vec())
    }

    #[test]
    fn persistent_stream_across_messages() {
        let (p1, p2) = two_parts(b"hello hello hello", b"hello world");
        let mut z = ZStream::default();
        assert_eq!(z.inflate(&p1, 100).unwrap(), b"hello hello hello");
        assert_eq!(z.inflate(&p2, 100).unwrap(), b"hello world");
    }

    #[test]
    fn a_header_split_across_messages_is_read_whole() {
        let (p1, p2) = two_parts(b"hello hello hello", b"hello world");
        let mut z = ZStream::default();
        assert_eq!(z.inflate(&p1[..1], 100).unwrap(), b"");
        assert_eq!(z.inflate(&p1[1..], 100).unwrap(), b"hello hello hello");
        assert_eq!(z.inflate(&p2, 100).unwrap(), b"hello world");
        // After a reset the next stream brings its own header again.
        z.reset();
        assert_eq!(z.inflate(&p1, 100).unwrap(), b"hello hello hello");
    }

    #[test]
    fn a_stream_without_a_zlib_header_is_an_error() {
        let (p1, _) = two_parts(b"hello", b"");
        // Raw deflate data where the header belongs; a preset dictionary; another method.
        for bad in [&p1[2..], &[0x78, 0xbb, 0, 0, 0, 0][..], &[0x79, 0x9c][..]] {
            assert!(matches!(ZStream::default().inflate(bad, 100), Err(RfbError::Zlib(_))), "{bad:?}");
        }
    }

    #[test]
    fn output_beyond_the_limit_is_an_error() {
        let big = vec![7u8; 100_000];
        let (p1, _) = two_parts(&big, b"");
        let mut z = ZStream::default();
        assert!(matches!(z.inflate(&p1, 1000), Err(RfbError::Zlib(_))));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let mut z = ZStream::default();
        assert!(z.inflate(&[0x78, 0x9c, 0xff, 0xff, 0xff, 0xff], 100).is_err() || z.inflate(&[1, 2, 3], 100).is_err());
    }
}
