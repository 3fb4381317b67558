//! The handshake, from the first byte to ServerInit: the protocol version, the security
//! type (None, or VNC Authentication), the security result and ClientInit (rfbproto 7.1
//! and 7.2). It ends in a [`ServerInit`]; the engine's active part starts from there.
//!
//! A WebMKS server may skip it all and start at ServerInit; the first four bytes tell:
//! a handshake starts with `RFB `.

use super::error::RfbError;
use super::framebuffer::check_size;
use super::limits::{MAX_MESSAGE, MAX_REASON};
use super::pixel_format::PixelFormat;
use super::reader::{Parsed, Reader};
use crate::secret::Secret;

/// What the server said about its desktop, the end of the handshake.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerInit {
    pub width: u16,
    pub height: u16,
    pub format: PixelFormat,
    pub name: String,
    /// The stream started at ServerInit with no handshake (WebMKS's short start).
    pub direct: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Version {
    V3_3,
    V3_7,
    V3_8,
}

/// Where the handshake stands: named after what it expects next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    FirstBytes,
    SecurityTypes,
    SecurityType33,
    SecurityResult,
    VncChallenge,
    ServerInit,
}

pub struct Handshake {
    expect: Expect,
    version: Version,
    direct: bool,
    /// Password for VNC Authentication on plain VNC servers.
    password: Option<Secret>,
    /// ClientInit's shared flag.
    shared: bool,
}

impl Handshake {
    pub fn new(password: Option<Secret>, shared: bool) -> Self {
        Handshake { expect: Expect::FirstBytes, version: Version::V3_8, direct: false, password, shared }
    }

    /// One handshake message: consumes it, writes the answer to `out`, and gives the
    /// ServerInit once it has come.
    pub fn step(&mut self, r: &mut Reader, out: &mut Vec<u8>) -> Parsed<Option<ServerInit>> {
        match self.expect {
            Expect::FirstBytes => self.first_bytes(r, out)?,
            Expect::SecurityTypes => self.security_types(r, out)?,
            Expect::SecurityType33 => self.security_type_33(r, out)?,
            Expect::SecurityResult => self.security_result(r, out)?,
            Expect::VncChallenge => self.vnc_challenge(r, out)?,
            Expect::ServerInit => return self.server_init(r).map(Some),
        }
        Ok(None)
    }

    fn first_bytes(&mut self, r: &mut Reader, out: &mut Vec<u8>) -> Parsed {
        if r.peek(4)? != b"RFB " {
            // WebMKS short variant: the stream starts at ServerInit.
            self.direct = true;
            self.expect = Expect::ServerInit;
            return Ok(());
        }
        let v = r.bytes(12)?;
        let text = String::from_utf8_lossy(v).into_owned();
        if v[11] != b'\n' || v[7] != b'.' {
            return Err(RfbError::NotRfb(text.trim_end().to_owned()).into());
        }
        let num = |s: &[u8]| std::str::from_utf8(s).ok().and_then(|s| s.parse::<u32>().ok());
        let (Some(major), Some(minor)) = (num(&v[4..7]), num(&v[8..11])) else {
            return Err(RfbError::NotRfb(text.trim_end().to_owned()).into());
        };
        let version = match (major, minor) {
            (3, m) if m >= 8 => Version::V3_8,
            (3, 7) => Version::V3_7,
            (3, 3..=6) => Version::V3_3,
            (4 | 5, _) => Version::V3_8,
            _ => return Err(RfbError::UnsupportedVersion(text.trim_end().to_owned()).into()),
        };
        self.version = version;
        out.extend_from_slice(match version {
            Version::V3_3 => b"RFB 003.003\n",
            Version::V3_7 => b"RFB 003.007\n",
            Version::V3_8 => b"RFB 003.008\n",
        });
        self.expect = if version == Version::V3_3 { Expect::SecurityType33 } else { Expect::SecurityTypes };
        Ok(())
    }

    fn security_types(&mut self, r: &mut Reader, out: &mut Vec<u8>) -> Parsed {
        let n = r.u8()?;
        if n == 0 {
            return Err(RfbError::ServerRefused(read_reason(r)?).into());
        }
        let types = r.bytes(n as usize)?;
        if types.contains(&1) {
            out.push(1);
            self.after_none_security(out);
        } else if types.contains(&2) {
            if self.password.is_none() {
                return Err(RfbError::PasswordRequired.into());
            }
            out.push(2);
            self.expect = Expect::VncChallenge;
        } else {
            return Err(RfbError::NoSupportedSecurity(types.to_vec()).into());
        }
        Ok(())
    }

    fn security_type_33(&mut self, r: &mut Reader, out: &mut Vec<u8>) -> Parsed {
        match r.u32()? {
            0 => Err(RfbError::ServerRefused(read_reason(r)?).into()),
            1 => {
                self.after_none_security(out);
                Ok(())
            }
            2 if self.password.is_none() => Err(RfbError::PasswordRequired.into()),
            2 => {
                self.expect = Expect::VncChallenge;
                Ok(())
            }
            other => Err(RfbError::NoSupportedSecurity(vec![other.min(255) as u8]).into()),
        }
    }

    /// None security: 3.8 sends a SecurityResult, older versions go straight to ClientInit.
    fn after_none_security(&mut self, out: &mut Vec<u8>) {
        if self.version == Version::V3_8 {
            self.expect = Expect::SecurityResult;
        } else {
            self.client_init(out);
        }
    }

    /// VNC Authentication: DES-encrypt the 16-byte challenge with the password.
    fn vnc_challenge(&mut self, r: &mut Reader, out: &mut Vec<u8>) -> Parsed {
        let challenge = r.bytes(16)?;
        let password = self.password.as_ref().ok_or(RfbError::PasswordRequired)?;
        let mut c = [0u8; 16];
        c.copy_from_slice(challenge);
        out.extend_from_slice(&super::vnc_auth::response(password.expose(), &c));
        // VNC auth always ends with a SecurityResult, in every version.
        self.expect = Expect::SecurityResult;
        Ok(())
    }

    fn security_result(&mut self, r: &mut Reader, out: &mut Vec<u8>) -> Parsed {
        match r.u32()? {
            0 => {
                self.client_init(out);
                Ok(())
            }
            _ if self.version == Version::V3_8 => Err(RfbError::AuthFailed(read_reason(r)?).into()),
            2 => Err(RfbError::AuthFailed("too many attempts".into()).into()),
            _ => Err(RfbError::AuthFailed("refused".into()).into()),
        }
    }

    fn client_init(&mut self, out: &mut Vec<u8>) {
        out.push(self.shared as u8);
        self.expect = Expect::ServerInit;
    }

    fn server_init(&mut self, r: &mut Reader) -> Parsed<ServerInit> {
        let (width, height) = (r.u16()?, r.u16()?);
        let format = PixelFormat::read(r)?;
        let name_len = r.u32()? as usize;
        if name_len > MAX_MESSAGE {
            return Err(RfbError::MessageTooLarge(name_len).into());
        }
        let name = r.bytes(name_len)?;
        check_size(width as u32, height as u32)?;
        Ok(ServerInit { width, height, format, name: String::from_utf8_lossy(name).into_owned(), direct: self.direct })
    }
}

/// `u32 length` + reason string.
fn read_reason(r: &mut Reader) -> Parsed<String> {
    let len = r.u32()? as usize;
    if len > MAX_REASON {
        return Err(RfbError::MessageTooLarge(len).into());
    }
    Ok(String::from_utf8_lossy(r.bytes(len)?).into_owned())
}
