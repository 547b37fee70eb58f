//! The facts of `.npy` arrays that the image model leaves out (`Metadata::npy`: a channel or
//! page axis of length 1, the `bool` dtype): recorded on decode, written back by the npy
//! encoder byte-identical to the files numpy.save wrote (tests/data/npy, made by
//! make_npy.py), reported dropped by the codecs that store images, and refused on bool
//! samples other than 0 and 1.

use pixcodec::metadata::NpyArray;
use pixcodec::{
    DecodeOptions, EncodeOptions, ErrorKind, Image, Layout, Metadata, MetadataItem, MetadataPolicy, PixelFormat,
    Registry, SampleType,
};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/npy");

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DIR}/{name}.npy")).unwrap()
}

/// (dtype, shape) of an npy file's header, read from its text.
fn header(data: &[u8]) -> (String, Vec<usize>) {
    let hlen = u16::from_le_bytes([data[8], data[9]]) as usize;
    let text = std::str::from_utf8(&data[10..10 + hlen]).unwrap();
    let descr = text.split("'descr': '").nth(1).unwrap().split('\'').next().unwrap();
    let dims = text.split("'shape': (").nth(1).unwrap().split(')').next().unwrap();
    let shape = dims
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| d.parse().unwrap())
        .collect();
    (descr.to_string(), shape)
}

fn npy(channel_axis: bool, page_axis: bool, bool_dtype: bool) -> NpyArray {
    let mut f = NpyArray::default();
    f.channel_axis = channel_axis;
    f.page_axis = page_axis;
    f.bool_dtype = bool_dtype;
    f
}

fn with_npy(facts: NpyArray) -> Metadata {
    let mut m = Metadata::default();
    m.npy = facts;
    m
}

#[test]
fn decode_records_only_the_facts_the_image_leaves_out() {
    let reg = Registry::with_builtins();
    // (file, its shape, channel axis of 1, page axis of 1, bool)
    let cases = [
        ("u1_hw", "(5, 7)", false, false, false),
        ("u1_hwc1", "(5, 6, 1)", true, false, false),
        ("bool_hw", "(4, 7)", false, false, true),
        ("bool_hwc1", "(4, 6, 1)", true, false, true),
        ("f4_1hw", "(1, 3, 6)", false, true, false),
        ("u2_1hwc3", "(1, 2, 5, 3)", false, true, false),
        ("i2_nhwc1", "(2, 3, 6, 1)", true, false, false),
        ("i8_nhwc1", "(2, 3, 3, 1)", true, false, false),
        ("bool_1hwc1", "(1, 3, 5, 1)", true, true, true),
        ("u4_labels_nhw", "(3, 5, 9)", false, false, false),
        ("f4_hwc4", "(3, 5, 4)", false, false, false),
        ("i1_hwc2", "(3, 5, 2)", false, false, false),
    ];
    for (name, shape, c, p, b) in cases {
        let data = read(name);
        assert!(
            String::from_utf8_lossy(&data[..128]).contains(&format!("'shape': {shape}")),
            "{name}"
        );
        let m = reg.probe(&data, &DecodeOptions::new()).unwrap().metadata;
        assert_eq!(m.npy, npy(c, p, b), "{name}");
        assert_eq!(m.is_empty(), !(c || p || b), "{name}");
    }
    let m = reg.probe(&read("bool_1hwc1"), &DecodeOptions::new()).unwrap().metadata;
    assert_eq!(m.present(), ["npy_channel_axis", "npy_page_axis", "npy_bool"]);
    assert_eq!(
        m.items(),
        [
            MetadataItem::NpyChannelAxis,
            MetadataItem::NpyPageAxis,
            MetadataItem::NpyBool
        ]
    );
    assert_eq!(
        m.items().iter().map(|i| i.to_string()).collect::<Vec<_>>(),
        ["npy channel axis", "npy page axis", "npy bool dtype"]
    );
}

#[test]
fn the_image_alone_is_written_without_the_metadata_and_numpys_bytes_with_it() {
    let reg = Registry::with_builtins();
    for (name, bare_descr, bare_shape) in [
        ("u1_hwc1", "|u1", vec![5, 6]),
        ("bool_hw", "|u1", vec![4, 7]),
        ("bool_1hwc1", "|u1", vec![3, 5]),
        ("f4_1hw", "<f4", vec![3, 6]),
        ("i2_nhwc1", "<i2", vec![2, 3, 6]),
    ] {
        let data = read(name);
        let pages = reg.decode_pages(&data, &DecodeOptions::new()).unwrap();
        let views: Vec<_> = pages.iter().map(|p| p.as_ref()).collect();
        let mut bare = Vec::new();
        reg.encode_pages_into(&views, "npy", &EncodeOptions::new(), &mut bare)
            .unwrap();
        if cfg!(target_endian = "little") {
            assert_eq!(header(&bare), (bare_descr.to_string(), bare_shape), "{name}");
        }
        // The same samples after the header.
        let n: usize = pages.iter().map(|p| p.as_bytes().len()).sum();
        assert_eq!(bare[bare.len() - n..], data[data.len() - n..], "{name}");
        let meta = reg.probe(&data, &DecodeOptions::new()).unwrap().metadata;
        let mut again = Vec::new();
        let report = reg
            .encode_pages_into(&views, "npy", &EncodeOptions::new().metadata(meta), &mut again)
            .unwrap();
        assert!(report.metadata_dropped.is_empty(), "{name}");
        if cfg!(target_endian = "little") {
            assert_eq!(again, data, "{name}: not numpy.save's bytes");
        }
    }
}

#[test]
fn files_read_and_written_with_their_metadata_stay_byte_identical() {
    // The path of `pixcodec convert in.npy out.npy`: read the pages, carry the probed metadata.
    let reg = Registry::with_builtins();
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "u1_hwc1",
        "bool_hw",
        "bool_hwc1",
        "f4_1hw",
        "u2_1hwc3",
        "i2_nhwc1",
        "bool_1hwc1",
    ] {
        let src = format!("{DIR}/{name}.npy");
        let out = dir.path().join(format!("{name}.npy"));
        let pages = reg.read_pages(&src, &DecodeOptions::new()).unwrap();
        let views: Vec<_> = pages.iter().map(|p| p.as_ref()).collect();
        let meta = reg.probe_path(&src, &DecodeOptions::new()).unwrap().metadata;
        let opts = EncodeOptions::new()
            .metadata(meta)
            .metadata_policy(MetadataPolicy::Strict);
        let report = reg.write_pages_as(&views, &out, "npy", &opts).unwrap();
        assert!(report.exact && report.metadata_dropped.is_empty(), "{name}");
        if cfg!(target_endian = "little") {
            assert_eq!(std::fs::read(&out).unwrap(), read(name), "{name}");
        }
    }
}

#[test]
fn codecs_that_store_images_report_each_fact_dropped() {
    let reg = Registry::with_builtins();
    let data = read("bool_1hwc1");
    let img = reg.decode(&data, &DecodeOptions::new()).unwrap();
    let meta = reg.probe(&data, &DecodeOptions::new()).unwrap().metadata;
    for target in ["png", "tiff", "jpeg"] {
        let enc = reg
            .encode(img.as_ref(), target, &EncodeOptions::new().metadata(meta.clone()))
            .unwrap();
        let codec = enc.report.codec.to_string();
        let notes: Vec<String> = enc.report.metadata_dropped.iter().map(|n| n.to_string()).collect();
        assert_eq!(
            notes,
            [
                format!("npy channel axis: {codec} stores images, not arrays: the shape reads back as (H, W), not (H, W, 1)"),
                format!("npy page axis: {codec} stores images, not arrays: the shape reads back as (H, W[, C]), not (1, H, W[, C])"),
                format!("npy bool dtype: {codec} has no bool samples: the 0/1 values are written as U8"),
            ],
            "{target}"
        );
        if target != "jpeg" {
            assert_eq!(reg.decode(&enc.data, &DecodeOptions::new()).unwrap(), img, "{target}");
        }
    }
    // Codecs that store no metadata drop the facts with every other item.
    let mut gray = with_npy(npy(true, false, false));
    gray.icc_profile = Some(vec![1, 2, 3]);
    let enc = reg
        .encode(img.as_ref(), "pgm", &EncodeOptions::new().metadata(gray))
        .unwrap();
    let items: Vec<MetadataItem> = enc.report.metadata_dropped.iter().map(|n| n.item.clone()).collect();
    assert_eq!(items, [MetadataItem::IccProfile, MetadataItem::NpyChannelAxis]);
    // Strict refuses before writing; strip writes the image and reports nothing.
    let mut out = Vec::new();
    let opts = EncodeOptions::new().metadata(meta.clone());
    let err = reg
        .encode_into(
            img.as_ref(),
            "png",
            &opts.clone().metadata_policy(MetadataPolicy::Strict),
            &mut out,
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotExact);
    assert!(
        err.to_string().contains("npy bool dtype: png has no bool samples"),
        "{err}"
    );
    assert!(out.is_empty());
    let strip = reg
        .encode(img.as_ref(), "png", &opts.metadata_policy(MetadataPolicy::Strip))
        .unwrap();
    assert!(strip.report.metadata_dropped.is_empty());
}

#[test]
fn bool_samples_other_than_0_and_1_are_refused_naming_the_first() {
    let reg = Registry::with_builtins();
    let opts = EncodeOptions::new().metadata(with_npy(npy(false, false, true)));
    let gray = Image::from_samples(3, 2, Layout::Gray, &[0u8, 1, 1, 0, 1, 2]).unwrap();
    let mut out = Vec::new();
    let err = reg.encode_into(gray.as_ref(), "npy", &opts, &mut out).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotExact);
    let msg = err.to_string();
    assert!(
        msg.contains("sample 2 at x=2, y=1 of page 0 is neither 0 nor 1"),
        "{msg}"
    );
    assert!(msg.contains("nothing was written"), "{msg}");
    assert!(out.is_empty());
    let rgb = Image::from_samples(2, 1, Layout::Rgb, &[1u8, 0, 1, 1, 255, 0]).unwrap();
    let msg = reg.encode(rgb.as_ref(), "npy", &opts).unwrap_err().to_string();
    assert!(msg.contains("sample 255 at x=1, y=0, channel 1 of page 0"), "{msg}");
    // Two pages: the second one holds the offending sample.
    let ok = Image::from_samples(3, 2, Layout::Gray, &[0u8, 1, 1, 0, 1, 0]).unwrap();
    let err = reg
        .encode_pages_into(&[ok.as_ref(), gray.as_ref()], "npy", &opts, &mut out)
        .unwrap_err();
    assert!(err.to_string().contains("of page 1"), "{err}");
    // 0/1 samples are written as numpy's bool.
    let enc = reg.encode(ok.as_ref(), "npy", &opts).unwrap();
    assert_eq!(header(&enc.data), ("|b1".to_string(), vec![2, 3]));
    assert_eq!(&enc.data[enc.data.len() - 6..], &[0, 1, 1, 0, 1, 0]);
    let back = reg.probe(&enc.data, &DecodeOptions::new()).unwrap();
    assert_eq!(back.metadata.npy, npy(false, false, true));
}

#[test]
fn facts_the_image_cannot_take_are_reported_and_left_out() {
    let reg = Registry::with_builtins();
    let all = with_npy(npy(true, false, true));
    let rgb16 = pixcodec::testkit::generate(4, 3, PixelFormat::new(Layout::Rgb, SampleType::U16), 7);
    let enc = reg
        .encode(rgb16.as_ref(), "npy", &EncodeOptions::new().metadata(all.clone()))
        .unwrap();
    let notes: Vec<String> = enc.report.metadata_dropped.iter().map(|n| n.to_string()).collect();
    assert_eq!(
        notes,
        [
            "npy channel axis: the image is Rgb, so its channel axis has length 3, not 1",
            "npy bool dtype: bool arrays hold U8 0/1 and the samples are U16; they are written as U16",
        ]
    );
    if cfg!(target_endian = "little") {
        assert_eq!(header(&enc.data), ("<u2".to_string(), vec![3, 4, 3]));
    }
    let strict = EncodeOptions::new().metadata(all).require_exact(true);
    assert_eq!(
        reg.encode(rgb16.as_ref(), "npy", &strict).unwrap_err().kind(),
        ErrorKind::NotExact
    );
    // Items other than the facts: npy stores none, and still writes the facts.
    let mut m = with_npy(npy(true, false, false));
    m.text.push(pixcodec::TextEntry::new("Title", "x"));
    let gray = Image::from_samples(5, 2, Layout::Gray, &[7u8; 10]).unwrap();
    let enc = reg
        .encode(gray.as_ref(), "npy", &EncodeOptions::new().metadata(m))
        .unwrap();
    let notes: Vec<String> = enc.report.metadata_dropped.iter().map(|n| n.to_string()).collect();
    assert_eq!(notes, ["text 'Title': npy cannot store metadata"]);
    assert_eq!(header(&enc.data), ("|u1".to_string(), vec![2, 5, 1]));
}

#[test]
fn a_page_axis_before_a_narrow_gray_width_brings_its_channel_axis() {
    // (1, H, 3) would read back as one H x 3 image of... 3 channels; (1, H, 3, 1) is unambiguous.
    let reg = Registry::with_builtins();
    let gray = Image::from_samples(3, 4, Layout::Gray, &(0u8..12).collect::<Vec<_>>()).unwrap();
    let enc = reg
        .encode(
            gray.as_ref(),
            "npy",
            &EncodeOptions::new().metadata(with_npy(npy(false, true, false))),
        )
        .unwrap();
    assert_eq!(header(&enc.data), ("|u1".to_string(), vec![1, 4, 3, 1]));
    assert_eq!(reg.decode(&enc.data, &DecodeOptions::new()).unwrap(), gray);
    let info = reg.probe(&enc.data, &DecodeOptions::new()).unwrap();
    assert_eq!(info.metadata.npy, npy(true, true, false));
}
