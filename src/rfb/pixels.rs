//! Writing RGBA pixels fast: the two loops every decoder and the framebuffer share.

/// Writes one RGBA pixel into a 4-byte chunk as a single store. Decoders call this per
/// pixel; inlined by force, since the bundle's size-first optimisation would otherwise
/// leave a call and a 4-byte `memcpy` per pixel.
#[inline(always)]
pub(crate) fn store(o: &mut [u8], px: [u8; 4]) {
    if let Ok(o) = <&mut [u8; 4]>::try_from(o) {
        *o = px;
    }
}

/// R, G, B byte triples to RGBA with alpha 255. Four pixels at a time: three 4-byte loads
/// and four 4-byte stores instead of twelve byte loads, the inner loop of Tight and ZRLE.
pub(crate) fn rgb_to_rgba(src: &[u8], out: &mut [u8]) {
    const A: u32 = 0xff00_0000;
    let word = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    let mut s4 = src.chunks_exact(12);
    let mut o4 = out.chunks_exact_mut(16);
    for (s, o) in (&mut s4).zip(&mut o4) {
        // Little-endian words: w0 = R0 G0 B0 R1, w1 = G1 B1 R2 G2, w2 = B2 R3 G3 B3.
        let (w0, w1, w2) = (word(&s[0..4]), word(&s[4..8]), word(&s[8..12]));
        store(&mut o[0..4], (w0 | A).to_le_bytes());
        store(&mut o[4..8], ((w0 >> 24) | (w1 << 8) | A).to_le_bytes());
        store(&mut o[8..12], ((w1 >> 16) | (w2 << 16) | A).to_le_bytes());
        store(&mut o[12..16], ((w2 >> 8) | A).to_le_bytes());
    }
    for (c, o) in s4.remainder().chunks_exact(3).zip(o4.into_remainder().chunks_exact_mut(4)) {
        store(o, [c[0], c[1], c[2], 255]);
    }
}

#[cfg(test)]
mod tests {
    use super::rgb_to_rgba;

    #[test]
    fn rgb_to_rgba_matches_one_pixel_at_a_time_for_every_length() {
        for n in 0..40usize {
            let src: Vec<u8> = (0..n * 3).map(|i| (i * 37 + 11) as u8).collect();
            let mut fast = vec![0u8; n * 4];
            rgb_to_rgba(&src, &mut fast);
            let slow: Vec<u8> = src.chunks_exact(3).flat_map(|c| [c[0], c[1], c[2], 255]).collect();
            assert_eq!(fast, slow, "{n} pixels");
        }
    }
}
