//! `.npy` files written by NumPy itself (tests/data/npy, made by make_npy.py) decode to
//! the expected values; re-encoding C-order little-endian arrays with their probed metadata
//! (the array facts of `Metadata::npy`) reproduces NumPy's bytes.

use pixcodec::{DecodeOptions, EncodeOptions, ErrorKind, ImageMut, Layout, Registry, SampleType, Volume};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/npy");

/// (name, pages, height, width, layout, sample, numpy's bytes are reproduced on re-encode
/// with the probed metadata)
const CASES: &[(&str, u32, u32, u32, Layout, SampleType, bool)] = &[
    ("u1_hw", 1, 5, 7, Layout::Gray, SampleType::U8, true),
    ("u2be_hwc3", 1, 4, 6, Layout::Rgb, SampleType::U16, false),
    ("u4_labels_nhw", 3, 5, 9, Layout::Gray, SampleType::U32, true),
    ("u8_hw", 1, 3, 4, Layout::Gray, SampleType::U64, true),
    ("i1_hwc2", 1, 3, 5, Layout::GrayAlpha, SampleType::I8, true),
    ("i2_fortran_hw", 1, 6, 5, Layout::Gray, SampleType::I16, false),
    ("i4be_hw", 1, 4, 4, Layout::Gray, SampleType::I32, false),
    ("i8_nhwc1", 2, 3, 3, Layout::Gray, SampleType::I64, true),
    ("f4_hwc4", 1, 3, 5, Layout::Rgba, SampleType::F32, true),
    ("f8be_fortran_hwc3", 1, 4, 3, Layout::Rgb, SampleType::F64, false),
    ("f4_nhwc3_fortran", 2, 3, 5, Layout::Rgb, SampleType::F32, false),
    ("bool_hw", 1, 4, 7, Layout::Gray, SampleType::U8, true),
    ("u2_v2", 1, 3, 8, Layout::Gray, SampleType::U16, false),
    ("u1_v3", 1, 2, 9, Layout::Gray, SampleType::U8, false),
    ("f2_hwc3", 1, 4, 5, Layout::Rgb, SampleType::F16, true),
    ("f2be_hw", 1, 3, 6, Layout::Gray, SampleType::F16, false),
    ("u1_hwc1", 1, 5, 6, Layout::Gray, SampleType::U8, true),
    ("bool_hwc1", 1, 4, 6, Layout::Gray, SampleType::U8, true),
    ("f4_1hw", 1, 3, 6, Layout::Gray, SampleType::F32, true),
    ("u2_1hwc3", 1, 2, 5, Layout::Rgb, SampleType::U16, true),
    ("i2_nhwc1", 2, 3, 6, Layout::Gray, SampleType::I16, true),
    ("bool_1hwc1", 1, 3, 5, Layout::Gray, SampleType::U8, true),
];

fn le_to_native(bytes: &[u8], sample: SampleType) -> Vec<u8> {
    let mut v = bytes.to_vec();
    if cfg!(target_endian = "big") {
        v.chunks_exact_mut(sample.size()).for_each(|c| c.reverse());
    }
    v
}

#[test]
fn numpy_written_files_decode_to_expected_values() {
    let reg = Registry::with_builtins();
    for &(name, pages, h, w, layout, sample, _) in CASES {
        let data = std::fs::read(format!("{DIR}/{name}.npy")).unwrap();
        let expected = le_to_native(&std::fs::read(format!("{DIR}/{name}.bin")).unwrap(), sample);
        let info = reg.probe(&data, &DecodeOptions::new()).unwrap();
        assert_eq!(info.codec, "npy", "{name}");
        assert_eq!((info.pages, info.height, info.width), (pages, h, w), "{name}");
        assert_eq!((info.format.layout, info.format.sample), (layout, sample), "{name}");
        let imgs = reg.decode_pages(&data, &DecodeOptions::new()).unwrap();
        assert_eq!(imgs.len() as u32, pages, "{name}");
        let got: Vec<u8> = imgs.iter().flat_map(|i| i.as_bytes().to_vec()).collect();
        assert_eq!(got, expected, "{name}: decoded values differ from NumPy's");
    }
}

#[test]
fn decode_into_padded_rows_matches_and_leaves_padding() {
    // Every case (C order and Fortran order, both byte orders) into rows with 13 samples of
    // padding: the first page's pixels are NumPy's, the padding keeps its bytes.
    let reg = Registry::with_builtins();
    for &(name, _, h, w, _, sample, _) in CASES {
        let data = std::fs::read(format!("{DIR}/{name}.npy")).unwrap();
        let expected = le_to_native(&std::fs::read(format!("{DIR}/{name}.bin")).unwrap(), sample);
        let info = reg.probe(&data, &DecodeOptions::new()).unwrap();
        let rb = w as usize * info.format.bytes_per_pixel();
        let stride = rb + 13 * sample.size();
        let mut buf = vec![0xEEu8; stride * h as usize];
        let out = ImageMut::new(&mut buf, w, h, info.format, stride).unwrap();
        reg.decode_into(&data, out, &DecodeOptions::new()).unwrap();
        for y in 0..h as usize {
            let row = &buf[y * stride..(y + 1) * stride];
            assert_eq!(&row[..rb], &expected[y * rb..(y + 1) * rb], "{name}: row {y}");
            assert!(row[rb..].iter().all(|&b| b == 0xEE), "{name}: padding of row {y}");
        }
    }
}

#[test]
fn c_order_little_endian_arrays_re_encode_to_numpys_bytes() {
    let reg = Registry::with_builtins();
    for &(name, _, _, _, _, _, identical) in CASES.iter().filter(|c| c.6) {
        let data = std::fs::read(format!("{DIR}/{name}.npy")).unwrap();
        let vol: Volume = reg.decode_volume(&data, &DecodeOptions::new()).unwrap();
        let meta = reg.probe(&data, &DecodeOptions::new()).unwrap().metadata;
        let mut out = Vec::new();
        let report = reg
            .encode_pages_into(&vol.pages(), "npy", &EncodeOptions::new().metadata(meta), &mut out)
            .unwrap();
        assert!(report.exact && identical);
        assert!(
            report.metadata_dropped.is_empty(),
            "{name}: {:?}",
            report.metadata_dropped
        );
        assert_eq!(out, data, "{name}: re-encoded bytes differ from numpy.save's");
    }
}

/// The `shape` of an npy file's header, read from its text.
fn npy_shape(data: &[u8]) -> Vec<usize> {
    let hlen = u16::from_le_bytes([data[8], data[9]]) as usize;
    let header = std::str::from_utf8(&data[10..10 + hlen]).unwrap();
    let dims = header.split("'shape': (").nth(1).unwrap().split(')').next().unwrap();
    dims.split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| d.parse().unwrap())
        .collect()
}

/// `ml::Array::to_npy` and the npy encoder share one header writer: both reproduce
/// numpy.save's files byte for byte, so they agree with each other.
#[test]
fn array_to_npy_and_the_npy_encoder_write_numpys_bytes() {
    let reg = Registry::with_builtins();
    for &(name, _, _, _, _, sample, _) in CASES.iter().filter(|c| c.6) {
        let data = std::fs::read(format!("{DIR}/{name}.npy")).unwrap();
        let meta = reg.probe(&data, &DecodeOptions::new()).unwrap().metadata;
        if meta.npy.bool_dtype {
            continue; // `ml::Array` has no bool dtype
        }
        let shape = npy_shape(&data);
        let mut arr = pixcodec::ml::Array::zeros(&shape, sample).unwrap();
        let payload = &data[data.len() - arr.as_bytes().len()..];
        arr.as_bytes_mut().copy_from_slice(&le_to_native(payload, sample));
        let from_array = arr.to_npy();
        let vol: Volume = reg.decode_volume(&data, &DecodeOptions::new()).unwrap();
        let mut from_codec = Vec::new();
        reg.encode_pages_into(
            &vol.pages(),
            "npy",
            &EncodeOptions::new().metadata(meta),
            &mut from_codec,
        )
        .unwrap();
        assert_eq!(
            from_array, from_codec,
            "{name}: Array::to_npy and the npy encoder differ"
        );
        assert_eq!(
            from_array, data,
            "{name}: Array::to_npy differs from numpy.save's bytes"
        );
    }
    // 1-D labels, as a dataset writes them: numpy.save(np.array([1, 0, 2], np.int32)).
    let labels = pixcodec::ml::Array::from_slice(&[3], &[1i32, 0, 2]).unwrap();
    let mut want = b"\x93NUMPY\x01\x00\x76\x00{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }".to_vec();
    want.resize(127, b' ');
    want.push(b'\n');
    for v in [1i32, 0, 2] {
        want.extend_from_slice(&v.to_le_bytes());
    }
    if cfg!(target_endian = "little") {
        assert_eq!(labels.to_npy(), want);
    }
}

#[test]
fn labels_go_npy_to_tiff_to_npy_with_identical_bytes() {
    let reg = Registry::with_builtins();
    let data = std::fs::read(format!("{DIR}/u4_labels_nhw.npy")).unwrap();
    let vol = reg.decode_volume(&data, &DecodeOptions::new()).unwrap();
    let mut tiff = Vec::new();
    reg.encode_pages_into(&vol.pages(), "tiff", &EncodeOptions::new(), &mut tiff)
        .unwrap();
    let back = reg.decode_volume(&tiff, &DecodeOptions::new()).unwrap();
    let mut npy = Vec::new();
    reg.encode_pages_into(&back.pages(), "npy", &EncodeOptions::new(), &mut npy)
        .unwrap();
    assert_eq!(npy, data);
    let err = reg.encode(vol.page(0), "png", &EncodeOptions::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotExact);
}

#[test]
fn truncated_and_malformed_npy_are_errors() {
    let reg = Registry::with_builtins();
    let data = std::fs::read(format!("{DIR}/f4_hwc4.npy")).unwrap();
    for len in 0..data.len() {
        let r = reg.decode_pages(&data[..len], &DecodeOptions::new().codec("npy"));
        assert!(r.is_err(), "prefix of {len} bytes decoded");
    }
    let mut bad = data.clone();
    bad[6] = 9; // version 9.0
    assert_eq!(
        reg.decode(&bad, &DecodeOptions::new()).unwrap_err().kind(),
        ErrorKind::Unsupported
    );
    let mut bomb = b"\x93NUMPY\x01\x00".to_vec();
    let dict = b"{'descr': '<u4', 'fortran_order': False, 'shape': (100000, 100000), }\n";
    bomb.extend_from_slice(&(dict.len() as u16).to_le_bytes());
    bomb.extend_from_slice(dict);
    assert_eq!(
        reg.decode(&bomb, &DecodeOptions::new()).unwrap_err().kind(),
        ErrorKind::Limits
    );
}

#[test]
fn float16_special_values_are_bit_exact_in_both_byte_orders() {
    // make_npy.py puts +0, -0, both subnormal extremes, 65504, -inf and a NaN with payload
    // 0x7e5a first; the little-endian file re-encodes to NumPy's bytes, the big-endian one to
    // the same values in native order.
    let specials = [0x0000u16, 0x8000, 0x0001, 0x03ff, 0x7bff, 0xfc00, 0x7e5a];
    for name in ["f2_hwc3", "f2be_hw"] {
        let data = std::fs::read(format!("{DIR}/{name}.npy")).unwrap();
        let img = pixcodec::decode(&data).unwrap();
        let bits: Vec<u16> = img
            .to_vec::<pixcodec::f16>()
            .unwrap()
            .iter()
            .map(|h| h.to_bits())
            .collect();
        assert_eq!(&bits[..7], &specials, "{name}");
        let again = pixcodec::encode(img.as_ref(), "npy", &EncodeOptions::new()).unwrap();
        let header_end = again.data.len() - img.as_bytes().len();
        assert!(
            String::from_utf8_lossy(&again.data[..header_end]).contains(if cfg!(target_endian = "little") {
                "'<f2'"
            } else {
                "'>f2'"
            }),
            "{name}"
        );
        assert_eq!(pixcodec::decode(&again.data).unwrap(), img, "{name}");
    }
}
