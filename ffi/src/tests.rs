//! Unit tests of the boundary: status values, NULL handling, last error, panics, and the
//! version macros of the committed header.

use std::ffi::{c_char, CStr};
use std::ptr::{null, null_mut};

use crate::boundary::{last_error, pxc_status};
use crate::decode::{pxc_decode, pxc_image, pxc_image_free, pxc_image_width};
use crate::encode::{pxc_bytes, pxc_bytes_free, pxc_encode};
use crate::registry::{pxc_registry_free, pxc_registry_new, registry};
use crate::types::{pxc_image_view, pxc_layout, pxc_sample};
use crate::*;

#[test]
fn status_values_never_change() {
    assert_eq!(pxc_status::Ok as i32, 0);
    assert_eq!(pxc_status::NullArgument as i32, 1);
    assert_eq!(pxc_status::InvalidArgument as i32, 2);
    assert_eq!(pxc_status::UnknownFormat as i32, 3);
    assert_eq!(pxc_status::Unsupported as i32, 4);
    assert_eq!(pxc_status::NotExact as i32, 5);
    assert_eq!(pxc_status::Decode as i32, 6);
    assert_eq!(pxc_status::Encode as i32, 7);
    assert_eq!(pxc_status::Limits as i32, 8);
    assert_eq!(pxc_status::Io as i32, 9);
    assert_eq!(pxc_status::BufferTooSmall as i32, 10);
    assert_eq!(pxc_status::Panic as i32, 11);
    assert_eq!(pxc_status::ALL.len(), 12);
    for (i, s) in pxc_status::ALL.iter().enumerate() {
        assert_eq!(*s as usize, i);
        assert_eq!(pxc_status::from_raw(i as i64), Some(*s));
    }
    assert_eq!(pxc_status::from_raw(12), None);
    assert_eq!(pxc_status::from_raw(-1), None);
}

#[test]
fn enum_values_never_change() {
    assert_eq!(
        [
            pxc_layout::Gray,
            pxc_layout::GrayAlpha,
            pxc_layout::Rgb,
            pxc_layout::Rgba,
            pxc_layout::Cmyk
        ]
        .map(|l| l as u32),
        [0, 1, 2, 3, 4]
    );
    assert_eq!(pxc_sample::U8 as u32, 0);
    assert_eq!(pxc_sample::I8 as u32, 4);
    assert_eq!(pxc_sample::F64 as u32, 9);
    assert_eq!(pxc_sample::F16 as u32, 10);
    for (i, s) in pixcodec::SampleType::ALL.into_iter().enumerate() {
        assert_eq!(types::sample_to(s), i as u32);
        assert_eq!(types::sample_from(i as u32).unwrap(), s);
    }
    assert_eq!(types::sample_from(11).unwrap_err().status, pxc_status::InvalidArgument);
    assert_eq!(types::layout_from(5).unwrap_err().status, pxc_status::InvalidArgument);
    for (i, l) in pixcodec::Layout::ALL.into_iter().enumerate() {
        assert_eq!(types::layout_to(l), i as u32);
        assert_eq!(types::layout_from(i as u32).unwrap(), l);
    }
    // The generated converters keep the messages C callers have seen.
    assert_eq!(
        types::layout_from(5).unwrap_err().message,
        "layout 5 is not a pxc_layout value (0 = GRAY .. 4 = CMYK)"
    );
    assert_eq!(
        types::sample_from(11).unwrap_err().message,
        "sample type 11 is not a pxc_sample value (0 = U8 .. 9 = F64, 10 = F16)"
    );
    // NONE is a fidelity value but never a capability.
    use pixcodec::Fidelity;
    assert_eq!(types::fidelity_to(None), 0);
    assert_eq!(types::fidelity_to(Some(Fidelity::Exact)), 1);
    assert_eq!(types::fidelity_to(Some(Fidelity::Lossy)), 2);
    assert_eq!(types::fidelity_from(2).unwrap(), Fidelity::Lossy);
    assert_eq!(
        types::fidelity_from(0).unwrap_err().message,
        "fidelity 0 is not PXC_FIDELITY_EXACT (1) or PXC_FIDELITY_LOSSY (2)"
    );
}

#[test]
fn every_error_kind_maps_to_its_status() {
    use pixcodec::Error;
    let cases: Vec<(Error, pxc_status)> = vec![
        (Error::UnknownFormat("x".into()), pxc_status::UnknownFormat),
        (Error::Unsupported("x".into()), pxc_status::Unsupported),
        (Error::NotExact("x".into()), pxc_status::NotExact),
        (Error::decode("c", "x"), pxc_status::Decode),
        (Error::encode("c", "x"), pxc_status::Encode),
        (Error::Limits("x".into()), pxc_status::Limits),
        (Error::Io(std::io::Error::other("x")), pxc_status::Io),
        (Error::invalid("x"), pxc_status::InvalidArgument),
        (Error::BufferTooSmall { needed: 2, got: 1 }, pxc_status::BufferTooSmall),
    ];
    for (e, s) in cases {
        let msg = e.to_string();
        let f = boundary::Failure::from(e);
        assert_eq!(f.status, s);
        assert_eq!(f.message, msg);
    }
}

fn message() -> String {
    let mut needed = 0usize;
    let mut buf = vec![0 as c_char; 1024];
    assert_eq!(
        unsafe { pxc_last_error_message(buf.as_mut_ptr(), buf.len(), &mut needed) },
        pxc_status::Ok
    );
    let s = unsafe { CStr::from_ptr(buf.as_ptr()) }.to_string_lossy().into_owned();
    assert_eq!(s.len() + 1, needed);
    s
}

#[test]
fn null_arguments_are_named_and_out_params_untouched() {
    let sentinel = std::ptr::dangling_mut::<pxc_image>();
    let mut img = sentinel; // must stay as is
    let st = unsafe { pxc_decode(null(), null(), 4, null(), &mut img) };
    assert_eq!(st, pxc_status::NullArgument);
    assert_eq!(img, sentinel);
    assert_eq!(message(), "argument 'data' must not be NULL");
    let st = unsafe { pxc_decode(null(), b"abcd".as_ptr(), 4, null(), null_mut()) };
    assert_eq!(st, pxc_status::NullArgument);
    assert!(message().contains("'out_image'"));
    assert_eq!(unsafe { pxc_image_width(null()) }, 0);
    assert!(last_error().contains("'image'"));
    unsafe { pxc_image_free(null_mut()) };
    unsafe { pxc_bytes_free(null_mut()) };
    unsafe { pxc_registry_free(null_mut()) };
}

#[test]
fn last_error_is_truncated_safely_and_per_thread() {
    let st = unsafe { pxc_decode(null(), b"\x01\x02\x03".as_ptr(), 3, null(), &mut null_mut()) };
    assert_eq!(st, pxc_status::UnknownFormat);
    let full = message();
    let mut small = [0x7f as c_char; 6];
    let mut needed = 0;
    assert_eq!(
        unsafe { pxc_last_error_message(small.as_mut_ptr(), small.len(), &mut needed) },
        pxc_status::Ok
    );
    assert_eq!(needed, full.len() + 1);
    assert_eq!(small[5], 0);
    assert_eq!(
        unsafe { CStr::from_ptr(small.as_ptr()) }.to_bytes(),
        &full.as_bytes()[..5]
    );
    // Another thread has its own (empty) message.
    let other = std::thread::spawn(last_error).join().unwrap();
    assert_eq!(other, "");
    assert_eq!(last_error(), full);
}

#[test]
fn status_str_is_static_and_total() {
    for s in pxc_status::ALL {
        let p = pxc_status_str(s as i32);
        assert!(!unsafe { CStr::from_ptr(p) }.to_bytes().is_empty());
    }
    assert_eq!(
        unsafe { CStr::from_ptr(pxc_status_str(77)) }.to_str().unwrap(),
        "unknown status"
    );
}

#[test]
fn panic_in_a_rust_codec_becomes_panic_status_and_the_process_goes_on() {
    let reg = pxc_registry_new(false);
    unsafe { registry(reg) }
        .register(std::sync::Arc::new(testing::PanickingCodec::default()))
        .unwrap();
    for _ in 0..2 {
        let mut img = null_mut();
        let data = b"PXCPANIC and more";
        let st = unsafe { pxc_decode(reg, data.as_ptr(), data.len(), null(), &mut img) };
        assert_eq!(st, pxc_status::Panic);
        assert!(img.is_null());
        assert!(message().contains("deliberate panic in Decoder::info"), "{}", message());
    }
    let px = [1u8, 2, 3, 4];
    let view = pxc_image_view {
        data: px.as_ptr().cast(),
        stride: 0,
        width: 2,
        height: 2,
        layout: 0,
        sample: 0,
    };
    let mut out = pxc_bytes {
        data: null_mut(),
        len: 0,
        capacity: 0,
    };
    let st = unsafe { pxc_encode(reg, &view, c"panic".as_ptr(), null(), &mut out, null_mut()) };
    assert_eq!(st, pxc_status::Panic);
    assert!(out.data.is_null());
    unsafe { pxc_registry_free(reg) };
}

#[test]
fn version_macros_in_the_committed_header_match_cargo_toml() {
    let header = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../include/pixcodec.h"))
        .expect("include/pixcodec.h is committed");
    for (name, value) in [
        ("PXC_VERSION_MAJOR", env!("CARGO_PKG_VERSION_MAJOR")),
        ("PXC_VERSION_MINOR", env!("CARGO_PKG_VERSION_MINOR")),
        ("PXC_VERSION_PATCH", env!("CARGO_PKG_VERSION_PATCH")),
    ] {
        let line = format!("#define {name} {value}\n");
        assert!(header.contains(&line), "header lacks `{}`", line.trim());
    }
    let v = unsafe { CStr::from_ptr(pxc_version_string()) }.to_str().unwrap();
    assert_eq!(v, env!("CARGO_PKG_VERSION"));
    assert_eq!(
        format!("{PXC_VERSION_MAJOR}.{PXC_VERSION_MINOR}.{PXC_VERSION_PATCH}"),
        env!("CARGO_PKG_VERSION")
    );
}

#[test]
fn vtable_struct_size_is_checked_before_reading_the_rest() {
    // Only the first 4 bytes are valid: a struct_size that does not match must be refused
    // without reading further.
    let short: [u32; 2] = [8, ccodec::PXC_CODEC_ABI_VERSION];
    let st = unsafe { ccodec::pxc_registry_register_codec(null_mut(), short.as_ptr().cast()) };
    assert_eq!(st, pxc_status::InvalidArgument);
    assert!(message().contains("struct_size is 8"));
}

#[test]
fn metadata_enum_values_never_change() {
    use crate::metadata::{policy_from, pxc_metadata_item as I, pxc_metadata_policy as P, unit_from, unit_to};
    use pixcodec::{MetadataPolicy, ResolutionUnit};
    assert_eq!(
        [
            I::IccProfile,
            I::Exif,
            I::Orientation,
            I::Xmp,
            I::Resolution,
            I::Text,
            I::Photometric,
            I::FrameTiming,
            I::LoopCount
        ]
        .map(|i| i as u32),
        [0, 1, 2, 3, 4, 5, 6, 7, 8]
    );
    use crate::metadata::pxc_photometric as Ph;
    assert_eq!(
        [Ph::Plain, Ph::WhiteIsZero, Ph::AdobeInvertedCmyk].map(|p| p as u32),
        [0, 1, 2]
    );
    assert_eq!([P::Keep, P::Strict, P::Strip].map(|p| p as u32), [0, 1, 2]);
    use crate::metadata::{disposal_from, disposal_to};
    use pixcodec::metadata::Disposal;
    for (i, d) in [Disposal::Keep, Disposal::Background, Disposal::Previous]
        .into_iter()
        .enumerate()
    {
        assert_eq!(disposal_to(d), i as u32);
        assert_eq!(disposal_from(i as u32).unwrap(), d);
    }
    assert_eq!(
        disposal_from(3).unwrap_err().message,
        "disposal 3 is not a pxc_disposal value (0 = KEEP .. 2 = PREVIOUS)"
    );
    assert_eq!(policy_from(2).unwrap(), MetadataPolicy::Strip);
    let units = [
        ResolutionUnit::None,
        ResolutionUnit::Inch,
        ResolutionUnit::Centimeter,
        ResolutionUnit::Meter,
    ];
    for (i, u) in units.into_iter().enumerate() {
        assert_eq!(unit_to(u), i as u32);
        assert_eq!(unit_from(i as u32).unwrap(), u);
    }
    assert_eq!(
        unit_from(4).unwrap_err().message,
        "resolution unit 4 is not a pxc_resolution_unit value (0 = NONE .. 3 = METER)"
    );
}

/// The dropped list belongs to the thread that encoded: another thread sees its own (empty).
#[test]
fn dropped_list_is_per_thread() {
    use crate::metadata::*;
    let count = || {
        let mut n = usize::MAX;
        assert_eq!(unsafe { pxc_last_encode_dropped_count(&mut n) }, pxc_status::Ok);
        n
    };
    let m = pxc_metadata_new();
    assert_eq!(unsafe { pxc_metadata_set_orientation(m, 3) }, pxc_status::Ok);
    let opts = crate::encode::pxc_encode_options_new();
    assert_eq!(unsafe { pxc_encode_options_set_metadata(opts, m) }, pxc_status::Ok);
    let px = [7u8; 4];
    let view = pxc_image_view {
        data: px.as_ptr().cast(),
        stride: 0,
        width: 2,
        height: 2,
        layout: pxc_layout::Gray as u32,
        sample: pxc_sample::U8 as u32,
    };
    let mut out = pxc_bytes {
        data: null_mut(),
        len: 0,
        capacity: 0,
    };
    let st = unsafe { pxc_encode(null(), &view, c"npy".as_ptr(), opts, &mut out, null_mut()) };
    assert_eq!(st, pxc_status::Ok);
    assert_eq!(count(), 1);
    assert_eq!(std::thread::spawn(count).join().unwrap(), 0);
    let mut buf = [0 as c_char; 32];
    let st = unsafe { pxc_last_encode_dropped_item(0, buf.as_mut_ptr(), buf.len(), null_mut()) };
    assert_eq!(st, pxc_status::Ok);
    assert_eq!(unsafe { CStr::from_ptr(buf.as_ptr()) }, c"orientation");
    unsafe {
        pxc_bytes_free(&mut out);
        crate::encode::pxc_encode_options_free(opts);
        pxc_metadata_free(m);
    }
}

/// Third-party files (PngSuite) through `pxc_probe_metadata_file`: iTXt with language, zTXt,
/// pHYs, compared with the chunks as stored. Skips without the corpus.
#[test]
fn corpus_png_metadata_through_the_c_abi() {
    use crate::metadata::*;
    let dir = std::env::var_os("PIXCODEC_CORPUS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"))
        .join("png/pngsuite");
    if !dir.is_dir() {
        eprintln!("skipping: corpus not found at {}", dir.display());
        return;
    }
    let probe = |name: &str| {
        let path = std::ffi::CString::new(dir.join(name).into_os_string().into_encoded_bytes()).unwrap();
        let mut m = null_mut();
        assert_eq!(
            unsafe { pxc_probe_metadata_file(null(), path.as_ptr(), null(), &mut m) },
            pxc_status::Ok
        );
        m
    };
    type Get = unsafe extern "C" fn(*const pxc_metadata, usize, *mut c_char, usize, *mut usize) -> pxc_status;
    let text = |m: *const pxc_metadata, i: usize, get: Get| {
        let mut needed = 0usize;
        assert_eq!(
            unsafe { get(m, i, null_mut(), 0, &mut needed) },
            pxc_status::BufferTooSmall
        );
        let mut buf = vec![0 as c_char; needed];
        assert_eq!(
            unsafe { get(m, i, buf.as_mut_ptr(), needed, null_mut()) },
            pxc_status::Ok
        );
        unsafe { CStr::from_ptr(buf.as_ptr()) }.to_str().unwrap().to_string()
    };
    let count = |m: *const pxc_metadata| {
        let mut n = 0usize;
        assert_eq!(unsafe { pxc_metadata_text_count(m, &mut n) }, pxc_status::Ok);
        n
    };
    // iTXt: keyword, language "ja", the translated keyword dropped, the UTF-8 text kept.
    let m = probe("ctjn0g04.png");
    assert_eq!(count(m), 6);
    assert_eq!(text(m, 0, pxc_metadata_text_keyword), "Title");
    assert_eq!(text(m, 0, pxc_metadata_text_value), "PngSuite");
    assert_eq!(text(m, 0, pxc_metadata_text_language), "ja");
    assert_eq!(text(m, 5, pxc_metadata_text_keyword), "Disclaimer");
    assert_eq!(
        text(m, 5, pxc_metadata_text_value),
        "\u{30d5}\u{30ea}\u{30fc}\u{30a6}\u{30a7}\u{30a2}\u{3002}"
    );
    unsafe { pxc_metadata_free(m) };
    // zTXt decompressed, tEXt as is, no language.
    let m = probe("ctzn0g04.png");
    assert_eq!(count(m), 6);
    assert_eq!(text(m, 2, pxc_metadata_text_keyword), "Copyright");
    assert_eq!(
        text(m, 2, pxc_metadata_text_value),
        "Copyright Willem van Schaik, Singapore 1995-96"
    );
    assert_eq!(text(m, 2, pxc_metadata_text_language), "");
    assert_eq!(text(m, 5, pxc_metadata_text_value), "Freeware.");
    unsafe { pxc_metadata_free(m) };
    // pHYs 1000 x 1000 per metre.
    let m = probe("cdun2c08.png");
    let (mut x, mut y, mut unit) = (0.0, 0.0, 9u32);
    assert_eq!(
        unsafe { pxc_metadata_resolution(m, &mut x, &mut y, &mut unit) },
        pxc_status::Ok
    );
    assert_eq!((x, y, unit), (1000.0, 1000.0, pxc_resolution_unit::Meter as u32));
    assert_eq!(count(m), 0);
    unsafe { pxc_metadata_free(m) };
}
