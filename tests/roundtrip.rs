//! Every built-in codec against its own capability table: each (layout, sample) pair
//! marked exact must round-trip bit-exactly through memory, a file and a stream, for
//! random images including 1x1, 1xN, Nx1, odd widths and views with row padding.

mod common;

use std::io::Cursor;
use std::sync::Arc;

use pixcodec::{Codec, DecodeOptions, EncodeOptions, Fidelity, ImageMut, ImageRef, PixelFormat, Registry};
use proptest::prelude::*;

fn exact_pairs(reg: &Registry) -> Vec<(Arc<dyn Codec>, PixelFormat)> {
    let mut v = Vec::new();
    for c in reg.codecs() {
        for cap in &c.capabilities().encode {
            if cap.fidelity == Fidelity::Exact {
                v.push((c.clone(), cap.format));
            }
        }
    }
    v
}

fn check_pair(reg: &Registry, codec: &dyn Codec, format: PixelFormat, w: u32, h: u32, pad: usize, seed: u64) {
    let name = &codec.descriptor().name;
    let img = common::random_image(w, h, format, seed);
    let (buf, stride) = common::padded_copy(&img, pad);
    let view = ImageRef::new(&buf, w, h, format, stride).unwrap();
    let opts = EncodeOptions::new().codec(name);
    let dopts = DecodeOptions::new().codec(name);
    let ctx = format!("codec {name}, {format}, {w}x{h}, pad {pad}");

    // Memory.
    let enc = reg
        .encode(view, name, &opts)
        .unwrap_or_else(|e| panic!("{ctx}: encode: {e}"));
    assert!(
        enc.report.exact,
        "{ctx}: report says lossy: {:?}",
        enc.report.lossy_reason
    );
    assert_eq!(enc.report.bytes_written as usize, enc.data.len(), "{ctx}");
    let back = reg
        .decode(&enc.data, &dopts)
        .unwrap_or_else(|e| panic!("{ctx}: decode: {e}"));
    assert_eq!(back, img, "{ctx}: memory round trip differs");

    // Into a caller buffer with padding: pixel bytes written, padding untouched.
    let (mut out, out_stride) = common::padded_copy(&img, pad + 3);
    out.iter_mut().for_each(|b| *b = 0x5A);
    let info = reg
        .decode_into(
            &enc.data,
            ImageMut::new(&mut out, w, h, format, out_stride).unwrap(),
            &dopts,
        )
        .unwrap_or_else(|e| panic!("{ctx}: decode_into: {e}"));
    assert_eq!((info.width, info.height, info.format), (w, h, format));
    for y in 0..h as usize {
        let row = &out[y * out_stride..(y + 1) * out_stride];
        assert_eq!(&row[..img.row_bytes()], img.row(y as u32), "{ctx}: decode_into row {y}");
        assert!(
            row[img.row_bytes()..].iter().all(|&b| b == 0x5A),
            "{ctx}: padding of row {y} was written"
        );
    }

    // File (atomic write, extension from the codec).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("img.{}", codec.descriptor().extensions[0]));
    reg.write_as(view, &path, name, &opts)
        .unwrap_or_else(|e| panic!("{ctx}: write: {e}"));
    let back = reg.read(&path, &dopts).unwrap_or_else(|e| panic!("{ctx}: read: {e}"));
    assert_eq!(back, img, "{ctx}: file round trip differs");

    // Stream.
    let mut sink = Cursor::new(Vec::new());
    reg.encode_to(view, name, &opts, &mut sink).unwrap();
    let back = reg.read_from(&mut Cursor::new(sink.into_inner()), &dopts).unwrap();
    assert_eq!(back, img, "{ctx}: stream round trip differs");
}

#[test]
fn every_exact_pair_has_a_codec_test() {
    let reg = Registry::with_builtins();
    let pairs = exact_pairs(&reg);
    assert!(
        pairs.len() >= 8 + 50,
        "expected png (8) and tiff (50) exact pairs, got {}",
        pairs.len()
    );
}

#[test]
fn edge_shapes_round_trip_for_every_exact_pair() {
    let reg = Registry::with_builtins();
    for (codec, format) in exact_pairs(&reg) {
        for (w, h) in [(1, 1), (1, 7), (7, 1), (3, 2)] {
            check_pair(&reg, codec.as_ref(), format, w, h, 0, w as u64 * 31 + h as u64);
            check_pair(&reg, codec.as_ref(), format, w, h, 5, w as u64 * 17 + h as u64);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]
    #[test]
    fn random_images_round_trip_exactly(w in 1u32..40, h in 1u32..24, pad in 0usize..9, seed in any::<u64>()) {
        let reg = Registry::with_builtins();
        for (codec, format) in exact_pairs(&reg) {
            check_pair(&reg, codec.as_ref(), format, w, h, pad, seed);
        }
    }
}
