//! What the engine tells its host, and the input it takes from the page.

use super::cursor::CursorImage;
use super::framebuffer::Rect;
use super::image_header::ImageFormat;

/// Key input: the keysym for plain RFB and, when known, the PC scan code
/// (set 1, 0x100 added for E0-prefixed keys) for VMware and QEMU servers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyInput {
    pub keysym: u32,
    pub scancode: Option<u16>,
    pub down: bool,
}

/// How key events go out; decided by what the server announced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyMode {
    Keysym,
    QemuExtended,
    VmwareScancode,
}

impl KeyMode {
    pub const ALL: [KeyMode; 3] = [KeyMode::Keysym, KeyMode::QemuExtended, KeyMode::VmwareScancode];

    /// The mode's stable name for JavaScript (`keyMode`, `data-keys`).
    pub fn as_str(self) -> &'static str {
        match self {
            KeyMode::Keysym => "Keysym",
            KeyMode::QemuExtended => "QemuExtended",
            KeyMode::VmwareScancode => "VmwareScancode",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// ServerInit arrived: the desktop exists.
    Connected {
        width: u32,
        height: u32,
        name: String,
    },
    Resized {
        width: u32,
        height: u32,
    },
    /// A FramebufferUpdate is complete; the damage is ready to draw.
    FrameComplete,
    Bell,
    ServerCutText(String),
    Cursor(CursorImage),
    /// VMware cursor state: visible, and whether the guest uses an absolute pointer.
    CursorState {
        visible: bool,
        absolute: bool,
    },
    /// Keyboard LEDs: scroll, num, caps.
    Leds {
        scroll: bool,
        num: bool,
        caps: bool,
    },
    /// VMware typematic info: the client generates repeats (period and delay in µs).
    Typematic {
        enabled: bool,
        period_us: u32,
        delay_us: u32,
    },
    ServerCaps(u32),
    /// VMware Heartbeat (127/4): the server is alive; the value is its own.
    Heartbeat(u16),
    KeyMode(KeyMode),
    /// The server closed the session (VMware SessionClose) with its reason code.
    ServerClosed(u32),
    /// Decode this image for the rectangle at `x`,`y`, then answer, oldest first, with
    /// [`Engine::image_decoded`](super::Engine::image_decoded) (its `width*height`
    /// RGBA pixels) or, having drawn it onto the canvas,
    /// [`Engine::image_drawn`](super::Engine::image_drawn) (the picture then lives on
    /// the canvas only until read back; damage under it is older and dropped). What
    /// overlaps the image waits for the answer. A host that paints the damage just
    /// before drawing lets the engine keep its canvas-only regions few (see
    /// `Framebuffer::hand_to_canvas`). With `keep`, the picture is for VMware's update
    /// cache, not the screen: answer with its pixels (`image_decoded`), never draw it.
    DecodeImage {
        format: ImageFormat,
        data: Vec<u8>,
        x: u32,
        y: u32,
        width: u32,
        height: u32,
        keep: bool,
    },
    /// The engine needs this buffer right under `rects`, which only the canvas holds
    /// (a CopyRect from an image, a resize, too many scattered regions): answer with
    /// [`Engine::canvas_read`](super::Engine::canvas_read), each rectangle's RGBA read
    /// from the canvas, in order. Nothing is processed until then.
    ReadBack {
        rects: Vec<Rect>,
    },
}

/// How text for the VM's clipboard went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClipboardSent {
    /// As Unicode (Extended Clipboard).
    Unicode,
    /// As Latin-1 ClientCutText; `lost` characters had no Latin-1 form and became `?`.
    Latin1 {
        lost: usize,
    },
    NotConnected,
}
