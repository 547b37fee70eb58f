//! PackBits decoding (TIFF 6.0 section 9, compression 32773) for the strips and tiles pixcodec
//! reads itself.

/// Decodes PackBits `src` into `dst` until either is exhausted and returns the bytes written.
/// A header byte n in 0..=127 copies the next n + 1 bytes, -127..=-1 repeats the next byte
/// 1 - n times, -128 is skipped. Packets cut short by the end of `src` fill what they can.
pub(super) fn unpack(src: &[u8], dst: &mut [u8]) -> usize {
    let (mut i, mut o) = (0, 0);
    while i < src.len() && o < dst.len() {
        let h = src[i] as i8;
        i += 1;
        if h >= 0 {
            let n = (h as usize + 1).min(src.len() - i).min(dst.len() - o);
            dst[o..o + n].copy_from_slice(&src[i..i + n]);
            i += h as usize + 1;
            o += n;
        } else if h != -128 {
            let Some(&b) = src.get(i) else { break };
            i += 1;
            let n = ((1 - h as isize) as usize).min(dst.len() - o);
            dst[o..o + n].fill(b);
            o += n;
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::unpack;

    #[test]
    fn packets_decode_as_the_spec_example() {
        // TIFF 6.0 section 9's example.
        let src = [
            0xFE, 0xAA, 0x02, 0x80, 0x00, 0x2A, 0xFD, 0xAA, 0x03, 0x80, 0x00, 0x2A, 0x22, 0xF7, 0xAA,
        ];
        let want = [
            0xAA, 0xAA, 0xAA, 0x80, 0x00, 0x2A, 0xAA, 0xAA, 0xAA, 0xAA, 0x80, 0x00, 0x2A, 0x22, 0xAA, 0xAA, 0xAA, 0xAA,
            0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA,
        ];
        let mut dst = [0u8; 24];
        assert_eq!(unpack(&src, &mut dst), 24);
        assert_eq!(dst, want);
        // Truncated input fills only what it holds; a short output stops early.
        let mut dst = [0u8; 24];
        assert_eq!(unpack(&src[..4], &mut dst), 4);
        let mut small = [0u8; 2];
        assert_eq!(unpack(&src, &mut small), 2);
    }
}
