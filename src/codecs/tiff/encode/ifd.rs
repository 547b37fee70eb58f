//! The TIFF header and IFD bytes: [`Out`] tracks the file offset as the file is written front
//! to back, and [`Ifd`] collects one page's entries and lays them out (sorted tags, inline or
//! out-of-line values, classic or BigTIFF field widths) in native byte order.

use std::io::Write;

use super::enc_err;
use crate::error::Result;

/// The output stream and the file offset reached.
pub(super) struct Out<'w> {
    pub(super) w: &'w mut dyn Write,
    pub(super) pos: u64,
    pub(super) big: bool,
}

impl Out<'_> {
    pub(super) fn put(&mut self, bytes: &[u8]) -> Result<()> {
        self.w.write_all(bytes)?;
        self.pos += bytes.len() as u64;
        Ok(())
    }

    /// The header in native byte order, pointing at the first IFD right after it.
    pub(super) fn header(&mut self) -> Result<()> {
        let order = if cfg!(target_endian = "little") { b"II" } else { b"MM" };
        let mut h = [0u8; 16];
        h[..2].copy_from_slice(order);
        let len = if self.big {
            h[2..4].copy_from_slice(&43u16.to_ne_bytes());
            h[4..6].copy_from_slice(&8u16.to_ne_bytes());
            h[6..8].copy_from_slice(&0u16.to_ne_bytes());
            h[8..16].copy_from_slice(&16u64.to_ne_bytes());
            16
        } else {
            h[2..4].copy_from_slice(&42u16.to_ne_bytes());
            h[4..8].copy_from_slice(&8u32.to_ne_bytes());
            8
        };
        self.put(&h[..len])
    }
}

/// TIFF field types used by the encoder.
const SHORT: u16 = 3;
const LONG: u16 = 4;
const LONG8: u16 = 16;

/// One IFD entry: tag, field type, count and where its native-endian value bytes are in
/// [`Ifd::values`].
#[derive(Clone, Copy)]
struct Entry {
    tag: u16,
    ty: u16,
    count: u64,
    start: usize,
    len: usize,
}

/// One IFD under construction; its buffers are reused from page to page.
#[derive(Default)]
pub(super) struct Ifd {
    pub(super) big: bool,
    entries: Vec<Entry>,
    values: Vec<u8>,
    /// Out-of-line values while writing.
    extra: Vec<u8>,
}

impl Ifd {
    pub(super) fn reset(&mut self, big: bool) {
        self.big = big;
        self.entries.clear();
        self.values.clear();
    }

    fn push(&mut self, tag: u16, ty: u16, count: u64, start: usize) {
        let len = self.values.len() - start;
        self.entries.push(Entry {
            tag,
            ty,
            count,
            start,
            len,
        });
    }

    /// `n` SHORT values all equal to `v`.
    pub(super) fn shorts(&mut self, tag: u16, v: u16, n: usize) {
        let start = self.values.len();
        for _ in 0..n {
            self.values.extend_from_slice(&v.to_ne_bytes());
        }
        self.push(tag, SHORT, n as u64, start);
    }

    pub(super) fn short(&mut self, tag: u16, v: u16) {
        self.shorts(tag, v, 1);
    }

    pub(super) fn long(&mut self, tag: u16, v: u32) {
        let start = self.values.len();
        self.values.extend_from_slice(&v.to_ne_bytes());
        self.push(tag, LONG, 1, start);
    }

    /// Any field type: `count` values given as their native-endian `bytes`.
    pub(super) fn raw(&mut self, tag: u16, ty: u16, count: u64, bytes: &[u8]) {
        let start = self.values.len();
        self.values.extend_from_slice(bytes);
        self.push(tag, ty, count, start);
    }

    /// Strip offsets or byte counts: LONG in classic TIFF, LONG8 in BigTIFF.
    pub(super) fn offsets(&mut self, tag: u16, v: &[u64]) -> Result<()> {
        let start = self.values.len();
        if self.big {
            for &x in v {
                self.values.extend_from_slice(&x.to_ne_bytes());
            }
        } else {
            for &x in v {
                let x = u32::try_from(x).map_err(|_| enc_err("the file passed 4 GiB; write it with bigtiff=true"))?;
                self.values.extend_from_slice(&x.to_ne_bytes());
            }
        }
        self.push(tag, if self.big { LONG8 } else { LONG }, v.len() as u64, start);
        Ok(())
    }

    /// Sets the value of an offset entry made by [`Ifd::offsets`] with one value.
    pub(super) fn set_offset(&mut self, tag: u16, v: u64) {
        if let Some(e) = self.entries.iter().find(|e| e.tag == tag) {
            let bytes = &mut self.values[e.start..e.start + e.len];
            if bytes.len() == 8 {
                bytes.copy_from_slice(&v.to_ne_bytes());
            } else {
                bytes.copy_from_slice(&(v as u32).to_ne_bytes());
            }
        }
    }

    /// Removes the last entry (and its value bytes).
    pub(super) fn pop(&mut self) {
        if let Some(e) = self.entries.pop() {
            self.values.truncate(e.start);
        }
    }

    /// Bytes of the value field inside an entry (values up to this size are stored inline).
    fn inline(&self) -> usize {
        if self.big {
            8
        } else {
            4
        }
    }

    /// Size of the IFD with its out-of-line values (each padded to an even length).
    pub(super) fn len(&self) -> u64 {
        let (head, entry, next) = if self.big { (8, 20, 8) } else { (2, 12, 4) };
        let extra: usize = self
            .entries
            .iter()
            .filter(|e| e.len > self.inline())
            .map(|e| e.len.next_multiple_of(2))
            .sum();
        (head + entry * self.entries.len() + next + extra) as u64
    }

    /// Writes into `out` the IFD as placed at file offset `at` (even), followed by its
    /// out-of-line values; `next` is the offset of the next IFD (0 for the last).
    pub(super) fn write(&mut self, at: u64, next: u64, out: &mut Vec<u8>) {
        self.entries.sort_unstable_by_key(|e| e.tag);
        let inline = self.inline();
        let big = self.big;
        let (head, entry, next_len) = if big { (8, 20, 8) } else { (2, 12, 4) };
        let mut extra_at = at + (head + entry * self.entries.len() + next_len) as u64;
        out.clear();
        self.extra.clear();
        let word = |out: &mut Vec<u8>, v: u64| {
            if big {
                out.extend_from_slice(&v.to_ne_bytes());
            } else {
                // Counts and offsets of a classic file were checked to fit 32 bits.
                out.extend_from_slice(&(v as u32).to_ne_bytes());
            }
        };
        if big {
            out.extend_from_slice(&(self.entries.len() as u64).to_ne_bytes());
        } else {
            out.extend_from_slice(&(self.entries.len() as u16).to_ne_bytes());
        }
        for e in &self.entries {
            let value = &self.values[e.start..e.start + e.len];
            out.extend_from_slice(&e.tag.to_ne_bytes());
            out.extend_from_slice(&e.ty.to_ne_bytes());
            word(out, e.count);
            if value.len() <= inline {
                out.extend_from_slice(value);
                out.resize(out.len() + inline - value.len(), 0);
            } else {
                word(out, extra_at);
                self.extra.extend_from_slice(value);
                if value.len() % 2 == 1 {
                    self.extra.push(0);
                }
                extra_at += value.len().next_multiple_of(2) as u64;
            }
        }
        word(out, next);
        out.extend_from_slice(&self.extra);
    }
}
