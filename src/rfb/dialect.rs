//! Which reading of RFB applies: rfbproto's, or VMware's client's where a WebMKS
//! server is on the other end (`webmks.rs` has when a server counts as one), and the
//! capability bits VMware's dialect trades.

/// Which reading applies where rfbproto and VMware's client disagree.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Dialect {
    /// Standard RFB.
    #[default]
    Rfb,
    /// VMware's WebMKS.
    WebMks,
}

/// VMware ServerCaps bits (127/0), and the ClientCaps we answer with (127/3).
pub mod caps {
    /// Keys as 127/0 scan codes.
    pub const KEY_EVENT: u32 = 0x2;
    /// The server wants ClientCaps.
    pub const CLIENT_CAPS_WANTED: u32 = 0x8;
    /// Updates are acknowledged with 127/4 instead of requested.
    pub const UPDATE_ACK: u32 = 0x20;
    pub const REQUEST_RESOLUTION: u32 = 0x80;
    /// KeyEvent2 (127/6) with a Unicode code point, and with a JavaScript keyCode.
    pub const KEY_EVENT2_UNICODE: u32 = 0x100;
    pub const KEY_EVENT2_JS_KEY_CODE: u32 = 0x200;
    /// Audio clips are acknowledged with 127/7.
    pub const AUDIO_ACK: u32 = 0x400;
    /// The server wants UpdateCacheInfo (127/11).
    pub const UPDATE_CACHE_INFO: u32 = 0x2000;
    pub const SESSION_CLOSE: u32 = 0x20000;

    /// ClientCaps: the client answers Heartbeat, acknowledges audio clips, takes a
    /// reconnect token (VMware's client always says these three) and says goodbye with
    /// SessionClose.
    pub const CLIENT_HEARTBEAT: u32 = 0x100;
    pub const CLIENT_AUDIO_ACK: u32 = 0x1000;
    pub const CLIENT_SET_RECONNECT_TOKEN: u32 = 0x4000;
    pub const CLIENT_SESSION_CLOSE: u32 = 0x8000;
    pub const CLIENT: u32 = CLIENT_HEARTBEAT | CLIENT_AUDIO_ACK | CLIENT_SET_RECONNECT_TOKEN | CLIENT_SESSION_CLOSE;
}
