//! TIFF LZW (compression 5): MSB-first codes of 9 to 12 bits, ClearCode 256, EndOfInformation
//! 257, and the "early change" of libtiff (the code width grows one code before the table
//! needs it).
//!
//! Hand-rolled because weezl, the well-kept crate used before, is general (any minimum code
//! size, either bit order, streaming through an internal buffer, string tables walked byte by
//! byte) and the TIFF case is narrow: a strip always decodes into one contiguous buffer, so a
//! code's string is an earlier substring of that buffer. The decoder keeps (offset, length)
//! per code and copies each string from earlier output (one 8-byte word for short ones); the
//! encoder is a single open-addressing hash table of `(prefix code, byte) -> code`, cleared
//! with one `memset` per table reset. It encodes and decodes several times faster than weezl
//! on the bench images (measurements and the command that makes them: `bench/README.md`,
//! section "TIFF LZW").
//!
//! Behaviour matches the weezl-based strip decoder it replaces (checked by differential tests):
//! a stream may start without a ClearCode; a code past the next free one, or a first code
//! after a clear that is not a literal, is an error; decoding stops once the strip is full
//! (data after it is ignored, as libtiff does) or at EndOfInformation or the end of the input
//! (the caller reports a short strip); once all 4096 codes are in use the table stays as it
//! is until the next ClearCode.

/// ClearCode: resets the string table and the code width.
const CLEAR: u32 = 256;
/// EndOfInformation: ends the strip.
const EOI: u32 = 257;
/// The first code the table assigns after a ClearCode.
const FIRST: u32 = 258;
/// Number of codes with 12-bit codes.
const CODES: usize = 4096;
/// The encoder resets the table once this code would be assigned (libtiff's `CODE_MAX - 1`),
/// so the decoder's one-code-early width switch never asks for 13 bits.
const ENC_LIMIT: u32 = 4094;

/// An LZW stream that holds a code the table does not define.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct InvalidCode {
    /// Bytes decoded into the output before the invalid code.
    pub(super) filled: usize,
}

impl std::fmt::Display for InvalidCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid code in LZW stream after {} decoded bytes", self.filled)
    }
}

/// MSB-first bit reader over a byte slice with a 64-bit buffer refilled up to 8 bytes at once.
struct Bits<'a> {
    src: &'a [u8],
    pos: usize,
    /// Unread bits, left-aligned; everything below the top `n` bits is zero or a copy of the
    /// bits that follow in `src`.
    buf: u64,
    n: u32,
}

impl<'a> Bits<'a> {
    fn new(src: &'a [u8]) -> Self {
        Bits {
            src,
            pos: 0,
            buf: 0,
            n: 0,
        }
    }

    /// Tops the buffer up to at least 56 bits, or with whatever input is left.
    #[inline(always)]
    fn refill(&mut self) {
        if let Some(b) = self.src.get(self.pos..self.pos + 8) {
            let v = u64::from_be_bytes(b.try_into().expect("8 bytes"));
            self.buf |= v >> self.n;
            self.pos += ((63 - self.n) >> 3) as usize;
            self.n |= 56;
        } else {
            while self.n <= 56 && self.pos < self.src.len() {
                self.buf |= u64::from(self.src[self.pos]) << (56 - self.n);
                self.pos += 1;
                self.n += 8;
            }
        }
    }

    /// The next `width`-bit code, or `None` when the input holds fewer bits.
    #[inline(always)]
    fn take(&mut self, width: u32) -> Option<u32> {
        if self.n < width {
            self.refill();
            if self.n < width {
                return None;
            }
        }
        let c = (self.buf >> (64 - width)) as u32;
        self.buf <<= width;
        self.n -= width;
        Some(c)
    }
}

/// Copies `len` bytes of earlier output at `off` to `pos` (`off + len <= pos`): a string of
/// up to 8 bytes as one 8-byte word (the bytes past `len` are overwritten later, so
/// `pos + 8 <= dst.len()` must hold), a longer one with `memmove`.
#[inline(always)]
fn copy_fast(dst: &mut [u8], off: usize, pos: usize, len: usize) {
    if len <= 8 {
        let v: [u8; 8] = dst[off..off + 8].try_into().expect("8 bytes");
        dst[pos..pos + 8].copy_from_slice(&v);
    } else {
        dst.copy_within(off..off + len, pos);
    }
}

/// A TIFF LZW strip decoder; holds the string table so it is allocated once per thread.
pub(super) struct Decoder {
    /// Per code >= 258: `offset << 16 | length` of its string in the output.
    table: Box<[u64]>,
}

impl Decoder {
    /// A decoder with an empty table.
    pub(super) fn new() -> Self {
        Decoder {
            table: vec![0u64; CODES].into_boxed_slice(),
        }
    }

    /// Decodes the LZW stream `src` into `dst` and returns how many bytes it wrote: all of
    /// `dst` once it is full, fewer when EndOfInformation or the end of `src` came first.
    pub(super) fn decode(&mut self, src: &[u8], dst: &mut [u8]) -> Result<usize, InvalidCode> {
        let table = &mut self.table[..CODES];
        let end = dst.len();
        let mut bits = Bits::new(src);
        let mut pos = 0usize;
        'clear: loop {
            if pos >= end {
                return Ok(pos);
            }
            let mut width = 9u32;
            let mut bump_at = (1u32 << width) - 1;
            let mut next = FIRST;
            // The first code after a clear (or at the start) is a literal with no predecessor.
            let first = loop {
                match bits.take(width) {
                    None | Some(EOI) => return Ok(pos),
                    Some(CLEAR) => continue,
                    Some(c) if c < CLEAR => break c,
                    Some(_) => return Err(InvalidCode { filled: pos }),
                }
            };
            dst[pos] = first as u8;
            let mut prev_off = pos;
            let mut prev_len = 1usize;
            pos += 1;
            while pos < end {
                let Some(code) = bits.take(width) else {
                    return Ok(pos);
                };
                let len;
                if code < CLEAR {
                    dst[pos] = code as u8;
                    len = 1;
                } else if code.wrapping_sub(FIRST) < next - FIRST {
                    let e = table[code as usize];
                    let off = (e >> 16) as usize;
                    len = (e & 0xffff) as usize;
                    if pos + len + 8 <= end {
                        copy_fast(dst, off, pos, len);
                    } else {
                        let n = len.min(end - pos);
                        dst.copy_within(off..off + n, pos);
                        if n < len {
                            return Ok(end);
                        }
                    }
                } else if code == next {
                    // KwKwK: the previous string plus its own first byte.
                    len = prev_len + 1;
                    if pos + len + 8 <= end {
                        copy_fast(dst, prev_off, pos, prev_len);
                        dst[pos + prev_len] = dst[prev_off];
                    } else {
                        let n = prev_len.min(end - pos);
                        dst.copy_within(prev_off..prev_off + n, pos);
                        if n < prev_len || pos + prev_len == end {
                            return Ok(end);
                        }
                        dst[pos + prev_len] = dst[prev_off];
                    }
                } else if code == CLEAR {
                    continue 'clear;
                } else if code == EOI {
                    return Ok(pos);
                } else {
                    return Err(InvalidCode { filled: pos });
                }
                // The new code: the previous string plus the first byte of this one, which
                // follows it in the output.
                if (next as usize) < CODES {
                    table[next as usize] = ((prev_off as u64) << 16) | (prev_len as u64 + 1);
                    next += 1;
                    if next == bump_at {
                        width += 1;
                        bump_at = if width < 12 { (1 << width) - 1 } else { 0 };
                    }
                }
                prev_off = pos;
                prev_len = len;
                pos += len;
            }
            return Ok(pos);
        }
    }
}

/// Slots of the encoder's hash table (a power of two, about four times the codes in use).
const HASH_BITS: u32 = 14;

/// A TIFF LZW strip encoder; holds the hash table so it is allocated once per thread.
pub(super) struct Encoder {
    /// `code << 20 | key` per slot, 0 when empty; `key = (prefix << 8 | byte) + 1` (never 0,
    /// at most 4093 << 8 | 255 + 1, so 20 bits).
    table: Box<[u32]>,
}

/// MSB-first bit writer into a slice sized for the worst case (plus 8 bytes of slack).
struct Sink<'a> {
    out: &'a mut [u8],
    at: usize,
    /// Pending bits, left-aligned, `n < 8` after each flush.
    acc: u64,
    n: u32,
}

impl Sink<'_> {
    #[inline(always)]
    fn put(&mut self, code: u32, width: u32) {
        self.acc |= u64::from(code) << (64 - self.n - width);
        self.n += width;
        self.out[self.at..self.at + 8].copy_from_slice(&self.acc.to_be_bytes());
        let whole = self.n & !7;
        self.at += (whole >> 3) as usize;
        self.acc <<= whole;
        self.n -= whole;
    }

    /// Writes the last partial byte; returns the stream length.
    fn finish(self) -> usize {
        self.at + usize::from(self.n > 0)
    }
}

impl Encoder {
    /// An encoder with an empty table.
    pub(super) fn new() -> Self {
        Encoder {
            table: vec![0u32; 1 << HASH_BITS].into_boxed_slice(),
        }
    }

    /// Appends the LZW stream of `src` to `out`: ClearCode, the codes, EndOfInformation.
    pub(super) fn encode(&mut self, src: &[u8], out: &mut Vec<u8>) {
        // One code per input byte at most, 12 bits each, a clear every 3836 codes, and slack
        // for the 8-byte stores of the bit writer.
        let worst = src.len() / 2 * 3 + src.len() % 2 * 2 + src.len() / 2048 + 24;
        let start = out.len();
        out.resize(start + worst, 0);
        let mut sink = Sink {
            out: &mut out[start..],
            at: 0,
            acc: 0,
            n: 0,
        };
        let table = &mut self.table[..1 << HASH_BITS];
        table.fill(0);
        let mask = (1usize << HASH_BITS) - 1;
        let mut width = 9u32;
        sink.put(CLEAR, width);
        if let Some((&first, rest)) = src.split_first() {
            let mut free = FIRST;
            let mut ent = u32::from(first);
            'bytes: for &b in rest {
                let key = ((ent << 8) | u32::from(b)) + 1;
                // The prefix code feeds the next lookup, so it only gets a shift and an xor; the byte,
                // read ahead, is spread over all bits by a multiply.
                let mut h = (((u32::from(b) + 1).wrapping_mul(0x9E37_79B1) >> (32 - HASH_BITS)) ^ (ent << 2)) as usize;
                loop {
                    let e = table[h];
                    if e & 0xF_FFFF == key {
                        ent = e >> 20;
                        continue 'bytes;
                    }
                    if e == 0 {
                        break;
                    }
                    h = (h + 1) & mask;
                }
                sink.put(ent, width);
                table[h] = (free << 20) | key;
                free += 1;
                ent = u32::from(b);
                if free == ENC_LIMIT {
                    sink.put(CLEAR, width);
                    table.fill(0);
                    free = FIRST;
                    width = 9;
                } else if free == 1 << width {
                    width += 1;
                }
            }
            sink.put(ent, width);
            // The decoder adds a code for the last one too and may widen before EOI.
            if free + 1 == 1 << width {
                width += 1;
            }
        }
        sink.put(EOI, width);
        let len = sink.finish();
        out.truncate(start + len);
    }
}

#[cfg(test)]
mod tests;
