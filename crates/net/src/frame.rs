//! Frames: a 4-byte big-endian length, then that many bytes of postcard. The length is checked
//! against [`MAX_FRAME`] before a byte of the body is read, and the body's memory grows with the
//! bytes that arrive, not with the length a peer claims.

use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{Read, Write};

/// The largest frame either side sends or accepts: a batch is cut well below it.
pub const MAX_FRAME: u32 = 32 << 20;

/// The protocol this build speaks.
pub const PROTOCOL: u32 = 4;

/// Per origin device, the last change a replica holds.
pub type Vector = BTreeMap<String, i64>;

/// Who is speaking, first thing on a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    pub protocol: u32,
    /// The book's schema, and the oldest schema this side can still exchange changes with.
    pub schema: i64,
    pub min_schema: i64,
    /// An opaque tag of the book (both sides must hold the same book).
    pub book: [u8; 32],
    /// The device id and name.
    pub device: String,
    pub name: String,
    pub vector: Vector,
    /// Per device of `vector`, the chain link of the change its number ends at: a side whose
    /// link differs holds other changes under the same numbers (a copied book used on).
    pub tips: BTreeMap<String, Vec<u8>>,
    /// This side's wall clock, Unix ms.
    pub wall_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Frame {
    Hello(Hello),
    /// "Send me what I lack": the asker's vector.
    Want(Vector),
    /// A batch of changes (encoded by the replica) holding `changes` field changes, and whether
    /// more follow.
    Txs {
        payload: Vec<u8>,
        changes: u64,
        more: bool,
    },
    /// The batch was applied: the receiver's vector now.
    Ack(Vector),
    /// Ends a session, saying why.
    Refused(String),
    /// Pairing: a SPAKE2 message, then a confirmation.
    Spake(Vec<u8>),
    Confirm(Vec<u8>),
    /// Pairing: the joining desktop's id, name and the Ed25519 public key (hex) it will sign its
    /// changes with.
    Join {
        device: String,
        name: String,
        signing_key: String,
    },
    /// Pairing: the book follows, `size` bytes of a snapshot encrypted under `key`, in chunks;
    /// `code` is the joiner's order-number code.
    Book {
        key: Vec<u8>,
        code: String,
        size: u64,
    },
    /// A piece of the snapshot.
    Chunk(Vec<u8>),
    /// Live sync: "tell me when you hold something beyond this vector" (the watcher's).
    Watch(Vector),
    /// Live sync: the watched side holds something the watcher lacks (it pulls with a round):
    /// its vector now.
    News(Vector),
    /// Live sync: nothing new within the wait; the watcher asks again.
    Quiet,
    /// Pairing: "still at it", sent every few seconds while one side works before its next frame
    /// (the inviter making the snapshot, the joiner checking what it received), so the other
    /// side's idle timeout never ends a join of a large book; `done` of `total` bytes (0 of 0
    /// when the work has no measure).
    Progress {
        done: u64,
        total: u64,
    },
}

impl Frame {
    pub fn name(&self) -> &'static str {
        match self {
            Frame::Hello(_) => "Hello",
            Frame::Want(_) => "Want",
            Frame::Txs { .. } => "Txs",
            Frame::Ack(_) => "Ack",
            Frame::Refused(_) => "Refused",
            Frame::Spake(_) => "Spake",
            Frame::Confirm(_) => "Confirm",
            Frame::Join { .. } => "Join",
            Frame::Book { .. } => "Book",
            Frame::Chunk(_) => "Chunk",
            Frame::Watch(_) => "Watch",
            Frame::News(_) => "News",
            Frame::Quiet => "Quiet",
            Frame::Progress { .. } => "Progress",
        }
    }
}

pub fn write(w: &mut impl Write, frame: &Frame) -> Result<()> {
    let body = postcard::to_allocvec(frame).map_err(|e| Error::Malformed(e.to_string()))?;
    if body.len() as u64 > MAX_FRAME as u64 {
        return Err(Error::TooLarge(body.len() as u64));
    }
    w.write_all(&(body.len() as u32).to_be_bytes())?;
    w.write_all(&body)?;
    w.flush()?;
    Ok(())
}

/// Reads one frame; a length over [`MAX_FRAME`] is refused before the body is read.
pub fn read(r: &mut impl Read) -> Result<Frame> {
    let mut len = [0u8; 4];
    r.read_exact(&mut len)?;
    let len = u32::from_be_bytes(len);
    if len > MAX_FRAME {
        return Err(Error::TooLarge(len as u64));
    }
    // Memory follows the bytes that actually arrive, not the length a peer claims.
    let mut body = Vec::with_capacity((len as usize).min(64 * 1024));
    r.take(len as u64).read_to_end(&mut body)?;
    if body.len() != len as usize {
        return Err(Error::Io(std::io::ErrorKind::UnexpectedEof.into()));
    }
    decode(&body)
}

/// A frame's body.
pub fn decode(body: &[u8]) -> Result<Frame> {
    postcard::from_bytes(body).map_err(|e| Error::Malformed(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_reads_back_and_an_oversized_length_is_refused_before_its_body() {
        let f = Frame::Txs { payload: vec![1, 2, 3], changes: 3, more: true };
        let mut buf = Vec::new();
        write(&mut buf, &f).unwrap();
        assert_eq!(read(&mut buf.as_slice()).unwrap(), f);
        // A length of 4 GB with no body: refused at once, nothing allocated or waited for.
        let huge = u32::MAX.to_be_bytes();
        assert!(matches!(read(&mut huge.as_slice()), Err(Error::TooLarge(_))));
        // Garbage of a plausible length.
        let mut junk = 5u32.to_be_bytes().to_vec();
        junk.extend([0xff; 5]);
        assert!(matches!(read(&mut junk.as_slice()), Err(Error::Malformed(_))));
    }
}
