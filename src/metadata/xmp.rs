//! The orientation inside an XMP packet (`tiff:Orientation`, as attribute `tiff:Orientation="6"`
//! or element `<tiff:Orientation>6</tiff:Orientation>`): read, and set in place by changing its
//! one digit, so the packet keeps its length and every other byte. The packet is not parsed
//! as XML; only these two spellings are recognised.

/// The spellings before the digit.
const PREFIXES: [&[u8]; 2] = [b"tiff:Orientation=\"", b"<tiff:Orientation>"];

/// Offsets of every orientation digit (`1`..=`8` directly after a recognised prefix).
fn digits(xmp: &[u8]) -> Vec<usize> {
    let mut v = Vec::new();
    for p in PREFIXES {
        let mut from = 0;
        while let Some(i) = xmp.get(from..).and_then(|s| s.windows(p.len()).position(|w| w == p)) {
            let at = from + i + p.len();
            if xmp.get(at).is_some_and(|c| (b'1'..=b'8').contains(c)) {
                v.push(at);
            }
            from = at;
        }
    }
    v.sort_unstable();
    v
}

/// The first orientation the packet states (1..=8).
pub fn orientation(xmp: &[u8]) -> Option<u16> {
    digits(xmp).first().map(|&at| u16::from(xmp[at] - b'0'))
}

/// Sets every orientation the packet states to `o` (1..=8; others are ignored) and returns
/// how many it changed or confirmed.
pub fn set_orientation(xmp: &mut [u8], o: u16) -> usize {
    if !(1..=8).contains(&o) {
        return 0;
    }
    let at = digits(xmp);
    for &i in &at {
        xmp[i] = b'0' + o as u8;
    }
    at.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_spellings_are_found_and_set_in_place() {
        let mut a = b"<rdf:Description tiff:Orientation=\"6\" tiff:Make=\"x\"/>".to_vec();
        assert_eq!(orientation(&a), Some(6));
        let len = a.len();
        assert_eq!(set_orientation(&mut a, 1), 1);
        assert_eq!(a.len(), len);
        assert_eq!(a, b"<rdf:Description tiff:Orientation=\"1\" tiff:Make=\"x\"/>".to_vec());
        let mut b = b"<x><tiff:Orientation>8</tiff:Orientation></x>".to_vec();
        assert_eq!(orientation(&b), Some(8));
        assert_eq!(set_orientation(&mut b, 1), 1);
        assert_eq!(orientation(&b), Some(1));
        let mut c = b"tiff:Orientation=\"9\" <tiff:Orientation>".to_vec();
        assert_eq!((orientation(&c), set_orientation(&mut c, 1)), (None, 0));
        assert_eq!(set_orientation(&mut b, 0), 0);
    }
}
