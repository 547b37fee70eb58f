//! The `.npy` header: the dictionary parser for reading and the one writer, byte for byte
//! as `numpy.save` lays it out.

use std::io::Write;

use super::{bad, MAGIC};
use crate::error::{Error, Result};
use crate::sample::SampleType;

/// The parsed header dictionary.
#[derive(Debug, PartialEq)]
pub(super) struct Header {
    pub(super) sample: SampleType,
    /// The dtype is `bool` (`b1`), read as U8 0/1.
    pub(super) boolean: bool,
    pub(super) big_endian: bool,
    pub(super) fortran: bool,
    pub(super) shape: Vec<usize>,
}

/// Parses a dtype string such as `<u4`, `>f8`, `|b1`: (sample type, big endian).
fn parse_descr(descr: &str) -> Result<(SampleType, bool)> {
    // `split_at_checked`: the first character may be multi-byte in a hostile header.
    let (order, rest) = descr.split_at_checked(1).unwrap_or(("", descr));
    let big_endian = match order {
        "<" | "|" => false,
        ">" => true,
        "=" => cfg!(target_endian = "big"),
        _ => return Err(bad(format!("dtype '{descr}' has no byte-order prefix"))),
    };
    let sample = match rest {
        "u1" | "b1" => SampleType::U8,
        "u2" => SampleType::U16,
        "u4" => SampleType::U32,
        "u8" => SampleType::U64,
        "i1" => SampleType::I8,
        "i2" => SampleType::I16,
        "i4" => SampleType::I32,
        "i8" => SampleType::I64,
        "f4" => SampleType::F32,
        "f8" => SampleType::F64,
        "f2" => SampleType::F16,
        _ => {
            return Err(Error::Unsupported(format!(
                "npy dtype '{descr}' is not an image sample type (supported: u1 u2 u4 u8 i1 i2 i4 i8 f2 f4 f8 b1)"
            )))
        }
    };
    Ok((sample, big_endian))
}

/// A tiny parser for the Python dict literal of an `.npy` header.
struct Lit<'s> {
    s: &'s [u8],
    i: usize,
}

impl<'s> Lit<'s> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }
    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn expect(&mut self, c: u8) -> Result<()> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(bad(format!(
                "malformed header: expected '{}' at byte {}",
                c as char, self.i
            )))
        }
    }
    fn string(&mut self) -> Result<&'s str> {
        self.ws();
        let q = *self
            .s
            .get(self.i)
            .ok_or_else(|| bad("malformed header: unexpected end"))?;
        if q != b'\'' && q != b'"' {
            return Err(bad(format!("malformed header: expected a string at byte {}", self.i)));
        }
        let start = self.i + 1;
        let len = self.s[start..]
            .iter()
            .position(|&c| c == q)
            .ok_or_else(|| bad("malformed header: unterminated string"))?;
        self.i = start + len + 1;
        std::str::from_utf8(&self.s[start..start + len]).map_err(|_| bad("malformed header: not UTF-8"))
    }
    fn word(&mut self) -> &'s str {
        self.ws();
        let start = self.i;
        while self.i < self.s.len() && (self.s[self.i].is_ascii_alphanumeric() || self.s[self.i] == b'_') {
            self.i += 1;
        }
        std::str::from_utf8(&self.s[start..self.i]).unwrap_or("")
    }
    fn shape(&mut self) -> Result<Vec<usize>> {
        self.expect(b'(')?;
        let mut dims = Vec::new();
        loop {
            if self.eat(b')') {
                return Ok(dims);
            }
            let w = self.word();
            let w = w.strip_suffix('L').unwrap_or(w);
            dims.push(
                w.parse::<usize>()
                    .map_err(|_| bad(format!("malformed shape entry '{w}'")))?,
            );
            if dims.len() > 32 {
                return Err(bad("shape has more than 32 dimensions"));
            }
            if !self.eat(b',') {
                self.expect(b')')?;
                return Ok(dims);
            }
        }
    }
}

pub(super) fn parse_header(dict: &[u8]) -> Result<Header> {
    let mut p = Lit { s: dict, i: 0 };
    p.expect(b'{')?;
    let (mut descr, mut fortran, mut shape) = (None, None, None);
    loop {
        if p.eat(b'}') {
            break;
        }
        let key = p.string()?;
        p.expect(b':')?;
        match key {
            "descr" => {
                p.ws();
                if p.s.get(p.i) == Some(&b'[') {
                    return Err(Error::Unsupported(
                        "structured npy dtypes (records) are not images".into(),
                    ));
                }
                let d = p.string()?;
                let (sample, big_endian) = parse_descr(d)?;
                descr = Some((d, sample, big_endian));
            }
            "fortran_order" => {
                fortran = Some(match p.word() {
                    "True" => true,
                    "False" => false,
                    w => return Err(bad(format!("fortran_order is '{w}', expected True or False"))),
                })
            }
            "shape" => shape = Some(p.shape()?),
            other => return Err(bad(format!("unexpected header key '{other}'"))),
        }
        if !p.eat(b',') {
            p.expect(b'}')?;
            break;
        }
    }
    let (descr, sample, big_endian) = descr.ok_or_else(|| bad("header lacks 'descr'"))?;
    Ok(Header {
        sample,
        boolean: descr.ends_with("b1"),
        big_endian,
        fortran: fortran.ok_or_else(|| bad("header lacks 'fortran_order'"))?,
        shape: shape.ok_or_else(|| bad("header lacks 'shape'"))?,
    })
}

/// Image geometry implied by a shape: (pages, height, width, channels).
pub(super) fn geometry(shape: &[usize]) -> Result<(usize, usize, usize, usize)> {
    let g = match *shape {
        [h, w] => (1, h, w, 1),
        [h, w, c] if (1..=4).contains(&c) => (1, h, w, c),
        [n, h, w] => (n, h, w, 1),
        [n, h, w, c] if (1..=4).contains(&c) => (n, h, w, c),
        _ => {
            return Err(Error::Unsupported(format!(
                "npy shape {shape:?} is not an image: expected (H, W), (H, W, C), (N, H, W) or (N, H, W, C) with C in 1..=4"
            )))
        }
    };
    if g.0 == 0 || g.1 == 0 || g.2 == 0 {
        return Err(Error::Unsupported(format!("npy shape {shape:?} holds no pixels")));
    }
    if g.1 > u32::MAX as usize || g.2 > u32::MAX as usize || g.0 > u32::MAX as usize {
        return Err(Error::Limits(format!("npy shape {shape:?} is too large")));
    }
    Ok(g)
}

/// An npy header exactly as `numpy.save` lays it out. Built on the stack whenever it fits
/// 256 bytes (every shape of up to 4 dimensions: at most 20 digits each keep the dictionary
/// under 150 bytes), so encoding an image allocates nothing; longer shapes go to the heap.
pub(crate) struct NpyHeader {
    inline: [u8; 256],
    len: usize,
    heap: Vec<u8>,
}

impl std::ops::Deref for NpyHeader {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        if self.heap.is_empty() {
            &self.inline[..self.len]
        } else {
            &self.heap
        }
    }
}

/// The header dictionary, e.g. `{'descr': '<u4', 'fortran_order': False, 'shape': (5, 64), }`;
/// `boolean` writes `|b1` for U8.
fn write_dict(w: &mut impl Write, sample: SampleType, boolean: bool, shape: &[usize]) -> std::io::Result<()> {
    let kind = if boolean && sample == SampleType::U8 {
        'b'
    } else if sample.is_float() {
        'f'
    } else if sample.is_signed_int() {
        'i'
    } else {
        'u'
    };
    let order = if sample.size() == 1 {
        '|'
    } else if cfg!(target_endian = "big") {
        '>'
    } else {
        '<'
    };
    write!(
        w,
        "{{'descr': '{order}{kind}{}', 'fortran_order': False, 'shape': (",
        sample.size()
    )?;
    for (i, d) in shape.iter().enumerate() {
        if i == 0 {
            write!(w, "{d}")?;
        } else {
            write!(w, ", {d}")?;
        }
    }
    w.write_all(if shape.len() == 1 { b",), }" } else { b"), }" })
}

/// The header of a C-ordered, native-endian array of `sample` with `shape`, as `numpy.save`
/// writes it (version 1.0, or 2.0 when the header does not fit 1.0's 16-bit length). The
/// one writer of npy headers: the codec's encoder and [`crate::ml::Array::to_npy`] use it.
pub(crate) fn header_bytes(sample: SampleType, shape: &[usize]) -> NpyHeader {
    header_bytes_with(sample, false, shape)
}

/// [`header_bytes`], with the dtype `|b1` (numpy's `bool`) when `boolean` is set and
/// `sample` is U8.
pub(super) fn header_bytes_with(sample: SampleType, boolean: bool, shape: &[usize]) -> NpyHeader {
    let mut small = [0u8; 240];
    let mut large = Vec::new();
    let mut w: &mut [u8] = &mut small;
    let dict: &[u8] = if write_dict(&mut w, sample, boolean, shape).is_ok() {
        let n = 240 - w.len();
        &small[..n]
    } else {
        // Writing into a Vec cannot fail.
        let _ = write_dict(&mut large, sample, boolean, shape);
        &large
    };
    let v1_total = (10 + dict.len() + 1).div_ceil(64) * 64;
    let (version, prefix) = if v1_total - 10 <= u16::MAX as usize {
        (1u8, 10)
    } else {
        (2u8, 12)
    };
    let total = (prefix + dict.len() + 1).div_ceil(64) * 64;
    let hlen = total - prefix;
    let mut out = NpyHeader {
        inline: [b' '; 256],
        len: total,
        heap: Vec::new(),
    };
    let buf: &mut [u8] = if total <= out.inline.len() {
        &mut out.inline[..total]
    } else {
        out.heap = vec![b' '; total];
        &mut out.heap
    };
    buf[..6].copy_from_slice(MAGIC);
    buf[6..8].copy_from_slice(&[version, 0]);
    if version == 1 {
        buf[8..10].copy_from_slice(&(hlen as u16).to_le_bytes());
    } else {
        buf[8..12].copy_from_slice(&(hlen as u32).to_le_bytes());
    }
    buf[prefix..prefix + dict.len()].copy_from_slice(dict);
    buf[total - 1] = b'\n';
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_matches_numpy_save_byte_for_byte() {
        // numpy.save(np.zeros((5, 64, 64), np.uint32)) header, 128 bytes in all.
        let h = header_bytes(SampleType::U32, &[5, 64, 64]);
        assert_eq!(h.len(), 128);
        assert_eq!(&h[..10], b"\x93NUMPY\x01\x00\x76\x00");
        let dict = "{'descr': '<u4', 'fortran_order': False, 'shape': (5, 64, 64), }";
        assert_eq!(&h[10..10 + dict.len()], dict.as_bytes());
        assert!(h[10 + dict.len()..127].iter().all(|&b| b == b' '));
        assert_eq!(h[127], b'\n');
        let h = header_bytes(SampleType::U8, &[3, 4]);
        assert!(String::from_utf8_lossy(&h).contains("'descr': '|u1'"));
        // numpy.save(np.zeros((3, 4, 1), bool)): the same layout with '|b1'.
        let h = header_bytes_with(SampleType::U8, true, &[3, 4, 1]);
        let dict = "{'descr': '|b1', 'fortran_order': False, 'shape': (3, 4, 1), }";
        assert_eq!((h.len(), &h[10..10 + dict.len()]), (128, dict.as_bytes()));
        // `boolean` means nothing for other sample types.
        assert_eq!(
            &*header_bytes_with(SampleType::U16, true, &[2, 2]),
            &*header_bytes(SampleType::U16, &[2, 2])
        );
        for (shape, text) in [
            (&[7][..], "'shape': (7,), }"),
            (&[2, 3, 4, 5][..], "'shape': (2, 3, 4, 5), }"),
            (
                &[usize::MAX; 4][..],
                "'shape': (18446744073709551615, 18446744073709551615, 18446744073709551615, 18446744073709551615), }",
            ),
        ] {
            let h = header_bytes(SampleType::F64, shape);
            let t = String::from_utf8_lossy(&h);
            assert!(t.contains(text), "{t}");
            assert!(h.len() % 64 == 0 && h[h.len() - 1] == b'\n', "{t}");
            assert_eq!(u16::from_le_bytes([h[8], h[9]]) as usize, h.len() - 10);
        }
    }

    #[test]
    fn long_shapes_get_a_heap_header_and_version_2_when_needed() {
        // 12 dimensions of 20 digits: past the inline buffer, still version 1.0.
        let h = header_bytes(SampleType::U16, &[usize::MAX; 12]);
        assert!(h.len() > 256 && h.len() % 64 == 0 && h[h.len() - 1] == b'\n');
        assert_eq!(&h[6..8], &[1, 0]);
        assert_eq!(u16::from_le_bytes([h[8], h[9]]) as usize, h.len() - 10);
        let dict = parse_header(h[10..].trim_ascii_end()).unwrap();
        assert_eq!(dict.shape, vec![usize::MAX; 12]);
        // A dictionary over 65535 bytes needs version 2.0 and a 32-bit length, as numpy writes.
        let shape = vec![123_456usize; 10_000];
        let h = header_bytes(SampleType::U8, &shape);
        assert_eq!(&h[6..8], &[2, 0]);
        assert_eq!(u32::from_le_bytes([h[8], h[9], h[10], h[11]]) as usize, h.len() - 12);
        assert!(h.len() % 64 == 0 && h[h.len() - 1] == b'\n');
        assert!(h[12..].starts_with(b"{'descr': '|u1', 'fortran_order': False, 'shape': (123456, 123456, "));
        assert!(h.trim_ascii_end().ends_with(b", 123456), }"));
    }

    #[test]
    fn header_parser_reads_what_numpy_writes() {
        let h = parse_header(b"{'descr': '>i2', 'fortran_order': True, 'shape': (3,), }").unwrap();
        assert_eq!(
            h,
            Header {
                sample: SampleType::I16,
                boolean: false,
                big_endian: true,
                fortran: true,
                shape: vec![3]
            }
        );
        let h = parse_header(b"{'descr': '|b1', 'fortran_order': False, 'shape': (2, 3, 1), }").unwrap();
        assert!(h.boolean && h.sample == SampleType::U8 && h.shape == [2, 3, 1]);
        assert!(
            !parse_header(b"{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }")
                .unwrap()
                .boolean
        );
        assert!(parse_header(b"{'descr': '<c8', 'fortran_order': False, 'shape': (2, 2), }").is_err());
        assert!(parse_header(b"{'descr': [('a', '<u1')], 'fortran_order': False, 'shape': (2,), }").is_err());
        assert!(parse_header(b"{'descr': '<u1', 'shape': (2, 2), }").is_err());
        assert!(parse_header(b"{'descr': '<u1'").is_err());
    }

    #[test]
    fn shapes_map_to_pages_and_layouts() {
        assert_eq!(geometry(&[4, 5]).unwrap(), (1, 4, 5, 1));
        assert_eq!(geometry(&[4, 5, 3]).unwrap(), (1, 4, 5, 3));
        assert_eq!(geometry(&[4, 5, 6]).unwrap(), (4, 5, 6, 1));
        assert_eq!(geometry(&[2, 4, 5, 2]).unwrap(), (2, 4, 5, 2));
        assert!(geometry(&[5]).is_err());
        assert!(geometry(&[2, 4, 5, 7]).is_err());
        assert!(geometry(&[0, 5]).is_err());
    }
}
