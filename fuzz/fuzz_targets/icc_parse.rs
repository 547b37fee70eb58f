//! The ICC profile summary (`pixcodec::metadata::icc`: header fields and the `desc` tag, v2
//! `textDescriptionType` and v4 `multiLocalizedUnicodeType`) and the XMP orientation digit
//! (`pixcodec::metadata::xmp`) on arbitrary bytes: no panic, the size is the input's, a
//! description is never empty and holds no control characters, and setting the XMP
//! orientation keeps the length, changes only orientation digits and reads back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pixcodec::metadata::{icc, xmp};

fuzz_target!(|data: &[u8]| {
    let s = icc::summarize(data);
    assert_eq!(s.bytes, data.len());
    assert_eq!(s.description, icc::description(data));
    if let Some(d) = &s.description {
        assert!(!d.is_empty() && !d.chars().any(char::is_control), "{d:?}");
    }
    if let Some(c) = &s.color_space {
        assert!(!c.is_empty() && c.len() <= 4 && c.chars().all(|c| c.is_ascii_graphic()));
    }

    let o = 1 + u16::from(data.last().copied().unwrap_or(0)) % 8;
    let mut x = data.to_vec();
    let n = xmp::set_orientation(&mut x, o);
    assert_eq!(x.len(), data.len());
    assert_eq!(n > 0, xmp::orientation(data).is_some());
    if n > 0 {
        assert_eq!(xmp::orientation(&x), Some(o));
    }
    let changed = data.iter().zip(&x).filter(|(a, b)| a != b).count();
    assert!(changed <= n);
});
