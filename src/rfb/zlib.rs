//! One persistent zlib stream, as RFB's Zlib, ZRLE and Tight encodings need.
//!
//! The output is bounded by the caller: a stream that inflates without end is an error,
//! not an allocation.

use miniz_oxide::inflate::stream::{inflate, InflateState};
use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};

use super::error::RfbError;

pub struct ZStream {
    state: Box<InflateState>,
}

impl Default for ZStream {
    fn default() -> Self {
        ZStream { state: InflateState::new_boxed(DataFormat::Zlib) }
    }
}

impl ZStream {
    pub fn reset(&mut self) {
        self.state = InflateState::new_boxed(DataFormat::Zlib);
    }

    /// Inflates all of `input`, producing at most `limit` bytes.
    pub fn inflate(&mut self, input: &[u8], limit: usize) -> Result<Vec<u8>, RfbError> {
        // A first guess from the input (desktop data inflates some 8 times), grown by
        // doubling: a small rectangle should not zero a large buffer.
        let mut out = vec![0u8; input.len().saturating_mul(8).clamp(4096, 64 * 1024).min(limit.max(1))];
        let mut written = 0;
        let mut consumed = 0;
        loop {
            if written == out.len() {
                if out.len() >= limit {
                    // Full: only fine if the input is used up and nothing more comes out.
                    let mut probe = [0u8; 1];
                    let r = inflate(&mut self.state, &input[consumed..], &mut probe, MZFlush::Sync);
                    if r.bytes_written > 0 {
                        return Err(RfbError::Zlib(format!("inflates beyond {limit} bytes")));
                    }
                    break;
                }
                let grow = out.len().min(limit - out.len());
                out.resize(out.len() + grow, 0);
            }
            let r = inflate(&mut self.state, &input[consumed..], &mut out[written..], MZFlush::Sync);
            consumed += r.bytes_consumed;
            written += r.bytes_written;
            match r.status {
                Ok(MZStatus::StreamEnd) => break,
                Ok(_) => {}
                Err(MZError::Buf) => {
                    if consumed >= input.len() && written < out.len() {
                        break;
                    }
                }
                Err(e) => return Err(RfbError::Zlib(format!("{e:?}"))),
            }
            if consumed >= input.len() && written < out.len() && r.bytes_written == 0 {
                break;
            }
        }
        out.truncate(written);
        Ok(out)
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
