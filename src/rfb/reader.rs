//! A cursor over received bytes that reports "need more" instead of failing, and the
//! result every parsing step returns.

use super::error::RfbError;

/// Not enough bytes yet: parsing is retried when more arrive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Incomplete;

/// Why a parsing step stopped short of a whole unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stop {
    /// Not enough bytes yet. Whatever the step read is read again when more arrive, so a
    /// step that stops here must not have changed anything that lasts.
    NeedMore,
    /// The stream is broken or hostile: the engine stops.
    Failed(RfbError),
}

impl From<Incomplete> for Stop {
    fn from(_: Incomplete) -> Self {
        Stop::NeedMore
    }
}

impl From<RfbError> for Stop {
    fn from(e: RfbError) -> Self {
        Stop::Failed(e)
    }
}

/// What a parsing step gives: its value, or why it stopped. `?` works on the reader's
/// `Incomplete` and on `RfbError` alike.
pub type Parsed<T = ()> = Result<T, Stop>;

/// Cloning it is cheap: parse a unit on a clone, keep the clone only if it completed.
#[derive(Clone)]
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Reader { data, pos: 0 }
    }

    pub fn pos(&self) -> usize {
        self.pos
    }

    pub fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    pub fn has(&self, n: usize) -> bool {
        self.remaining() >= n
    }

    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], Incomplete> {
        if !self.has(n) {
            return Err(Incomplete);
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    pub fn skip(&mut self, n: usize) -> Result<(), Incomplete> {
        self.bytes(n).map(|_| ())
    }

    pub fn u8(&mut self) -> Result<u8, Incomplete> {
        Ok(self.bytes(1)?[0])
    }

    pub fn u16(&mut self) -> Result<u16, Incomplete> {
        let b = self.bytes(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    pub fn u32(&mut self) -> Result<u32, Incomplete> {
        let b = self.bytes(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub fn i32(&mut self) -> Result<i32, Incomplete> {
        Ok(self.u32()? as i32)
    }

    pub fn peek(&self, n: usize) -> Result<&'a [u8], Incomplete> {
        if !self.has(n) {
            return Err(Incomplete);
        }
        Ok(&self.data[self.pos..self.pos + n])
    }
}
