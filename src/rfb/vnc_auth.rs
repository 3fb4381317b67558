//! VNC Authentication (security type 2): the 16-byte challenge DES-encrypted with the
//! password as key, each key byte's bits reversed (rfbproto 7.2.2 and every VNC server).

use des::cipher::generic_array::GenericArray;
use des::cipher::{BlockEncrypt, KeyInit};

pub fn response(password: &str, challenge: &[u8; 16]) -> [u8; 16] {
    let mut key = [0u8; 8];
    for (k, b) in key.iter_mut().zip(password.bytes()) {
        *k = b.reverse_bits();
    }
    let cipher = des::Des::new(GenericArray::from_slice(&key));
    let mut out = *challenge;
    for block in out.chunks_exact_mut(8) {
        cipher.encrypt_block(GenericArray::from_mut_slice(block));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_first_eight_password_bytes_count() {
        let c = [7u8; 16];
        assert_eq!(response("12345678", &c), response("123456789abc", &c));
        assert_ne!(response("12345678", &c), response("12345679", &c));
        // Identical challenge halves give identical halves (ECB), as servers expect.
        let r = response("secret", &c);
        assert_eq!(r[..8], r[8..]);
    }
}
