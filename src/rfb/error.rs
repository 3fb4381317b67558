//! Everything that stops the RFB engine, each explainable to a person.

use thiserror::Error;

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum RfbError {
    #[error("the server did not speak rfb (got {0:?})")]
    NotRfb(String),
    #[error("unsupported rfb version {0}")]
    UnsupportedVersion(String),
    #[error("the server refused the connection: {0}")]
    ServerRefused(String),
    #[error("no supported security type (offered {0:?})")]
    NoSupportedSecurity(Vec<u8>),
    #[error("the server needs a password")]
    PasswordRequired,
    #[error("authentication failed: {0}")]
    AuthFailed(String),
    #[error("desktop size {0}x{1} is beyond the limit")]
    TooLarge(u32, u32),
    #[error("rectangle {x},{y} {w}x{h} lies outside the {fb_w}x{fb_h} framebuffer")]
    RectOutside { x: u16, y: u16, w: u16, h: u16, fb_w: u32, fb_h: u32 },
    #[error("unsupported pixel format: {0}")]
    PixelFormat(String),
    #[error("unknown encoding {0}")]
    UnknownEncoding(i32),
    #[error("unknown server message type {0}")]
    UnknownMessage(u8),
    #[error("malformed {0}")]
    Malformed(&'static str),
    #[error("zlib stream error: {0}")]
    Zlib(String),
    #[error("a message is larger than the limit ({0} bytes)")]
    MessageTooLarge(usize),
    #[error("an image rectangle could not be decoded: {0}")]
    Image(String),
    #[error("the console connection has already failed")]
    AlreadyFailed,
    /// Valid bytes that ask for far more drawing than any real screen needs.
    #[error("the server asked for an absurd amount of drawing ({0})")]
    AbsurdWork(&'static str),
}

impl RfbError {
    /// The server refused us at the handshake (security types, a password, the result).
    pub fn is_authentication(&self) -> bool {
        matches!(self, RfbError::ServerRefused(_) | RfbError::PasswordRequired | RfbError::AuthFailed(_) | RfbError::NoSupportedSecurity(_))
    }

    /// A sentence for the status line.
    pub fn sentence(&self) -> String {
        match self {
            RfbError::ServerRefused(r) => format!("The console server refused the connection: {r}"),
            RfbError::PasswordRequired => "The console server asks for a VNC password, and none is configured.".into(),
            RfbError::AuthFailed(r) => format!("The console server did not accept the credentials: {r}"),
            RfbError::NoSupportedSecurity(_) => {
                "The console server asks for a kind of authentication this console does not support.".into()
            }
            RfbError::AbsurdWork(what) => format!(
                "The console stopped because the server asked for far more drawing than any screen needs ({what}), which would freeze this page."
            ),
            other => format!("The console stopped because the server sent data it could not understand ({other})."),
        }
    }
}
