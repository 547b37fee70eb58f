//! TIFF tags kept as stored (issue 16 item 1): GeoTIFF's georeferencing and the other tags of
//! a page that are neither its structure nor another metadata item come back from a TIFF
//! with their types and values (a big-endian source's values turned into the machine's
//! order), are written back by TIFF, and are reported dropped by every other format. Tags
//! that point into the source file, or have unknown types, are named as unreadable.

use pixcodec::metadata::{MetadataItem, TiffTag};
use pixcodec::{EncodeOptions, ErrorKind, Image, Layout, Metadata, MetadataPolicy, PixelFormat, SampleType};

/// A big-endian classic TIFF of a 3x2 gray U8 image with `extra` entries (tag, type, count,
/// value bytes in big-endian order) besides its structure; values longer than 4 bytes are
/// placed after the IFD.
fn big_endian_tiff(extra: &[(u16, u16, u32, Vec<u8>)]) -> Vec<u8> {
    let pixels = [1u8, 2, 3, 4, 5, 6];
    let be16 = |v: u16| v.to_be_bytes().to_vec();
    let be32 = |v: u32| v.to_be_bytes().to_vec();
    let mut entries: Vec<(u16, u16, u32, Vec<u8>)> = vec![
        (256, 3, 1, be16(3)),
        (257, 3, 1, be16(2)),
        (258, 3, 1, be16(8)),
        (259, 3, 1, be16(1)),
        (262, 3, 1, be16(1)),
        (273, 4, 1, be32(8)), // the pixels right after the header
        (277, 3, 1, be16(1)),
        (278, 4, 1, be32(2)),
        (279, 4, 1, be32(6)),
    ];
    entries.extend(extra.iter().cloned());
    entries.sort_by_key(|e| e.0);
    let ifd_at = 8 + pixels.len() as u32 + 2; // word-aligned
    let mut data_at = ifd_at + 2 + 12 * entries.len() as u32 + 4;
    let mut f = b"MM\0*".to_vec();
    f.extend(be32(ifd_at));
    f.extend(pixels);
    f.extend([0, 0]);
    f.extend(be16(entries.len() as u16));
    let mut data = Vec::new();
    for (tag, ty, count, value) in &entries {
        f.extend(be16(*tag));
        f.extend(be16(*ty));
        f.extend(be32(*count));
        if value.len() <= 4 {
            let mut field = value.clone();
            field.resize(4, 0);
            f.extend(field);
        } else {
            f.extend(be32(data_at));
            data.extend(value);
            if value.len() % 2 == 1 {
                data.push(0);
            }
            data_at += value.len().next_multiple_of(2) as u32;
        }
    }
    f.extend(be32(0));
    f.extend(data);
    f
}

fn doubles_be(v: &[f64]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_be_bytes()).collect()
}

fn doubles_ne(v: &[f64]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_ne_bytes()).collect()
}

fn shorts(v: &[u16], be: bool) -> Vec<u8> {
    v.iter()
        .flat_map(|x| if be { x.to_be_bytes() } else { x.to_ne_bytes() })
        .collect()
}

/// A GeoTIFF page's georeferencing: pixel scale, one tie point, the key directory (WGS 84
/// geographic), the ASCII parameters, and a camera's Make; plus a GPS IFD pointer and an
/// entry of unknown type, which are not carried.
fn geotiff() -> Vec<u8> {
    let keys = [1u16, 1, 0, 2, 1024, 0, 1, 2, 2048, 0, 1, 4326];
    big_endian_tiff(&[
        (271, 2, 6, b"Acme\0\0".to_vec()),
        (33550, 12, 3, doubles_be(&[0.5, 0.25, 0.0])),
        (33922, 12, 6, doubles_be(&[0.0, 0.0, 0.0, 10.0, 50.0, 0.0])),
        (34735, 3, keys.len() as u32, shorts(&keys, true)),
        (34737, 2, 7, b"WGS 84|".to_vec()),
        (34853, 4, 1, 12345u32.to_be_bytes().to_vec()),
        (50000, 99, 1, vec![1, 2, 3, 4]),
    ])
}

fn expected_tags() -> Vec<TiffTag> {
    let keys = [1u16, 1, 0, 2, 1024, 0, 1, 2, 2048, 0, 1, 4326];
    vec![
        TiffTag::new(271, 2, 6, b"Acme\0\0".to_vec()).unwrap(),
        TiffTag::new(33550, 12, 3, doubles_ne(&[0.5, 0.25, 0.0])).unwrap(),
        TiffTag::new(33922, 12, 6, doubles_ne(&[0.0, 0.0, 0.0, 10.0, 50.0, 0.0])).unwrap(),
        TiffTag::new(34735, 3, keys.len() as u64, shorts(&keys, false)).unwrap(),
        TiffTag::new(34737, 2, 7, b"WGS 84|".to_vec()).unwrap(),
    ]
}

fn gray() -> Image {
    let mut img = Image::new(3, 2, PixelFormat::new(Layout::Gray, SampleType::U8)).unwrap();
    img.as_bytes_mut().copy_from_slice(&[1, 2, 3, 4, 5, 6]);
    img
}

#[test]
fn geotiff_tags_decode_in_machine_order_and_pointers_are_named() {
    let file = geotiff();
    assert_eq!(pixcodec::decode(&file).unwrap(), gray());
    let m = pixcodec::probe(&file).unwrap().metadata;
    assert_eq!(m.tiff_tags, expected_tags());
    assert!(m.present().contains(&"tiff_tags"));
    let unreadable = m.unreadable.join("; ");
    assert!(unreadable.contains("tiff tag 34853: its value points"), "{unreadable}");
    assert!(
        unreadable.contains("tiff tag 50000: its field type 99 is unknown"),
        "{unreadable}"
    );
    // The same from a file, read through the decoder's reader (no whole-file buffer).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("geo.tif");
    std::fs::write(&path, &file).unwrap();
    let streamed = pixcodec::Registry::global()
        .probe_path(&path, &pixcodec::DecodeOptions::new())
        .unwrap();
    assert_eq!(streamed.metadata.tiff_tags, expected_tags());
}

#[test]
fn tiff_writes_them_back_and_other_formats_report_them() {
    let m = pixcodec::probe(&geotiff()).unwrap().metadata;
    for big in [false, true] {
        let opts = EncodeOptions::new().metadata(m.clone()).set("bigtiff", big);
        let out = pixcodec::encode(gray().as_ref(), "tiff", &opts).unwrap();
        assert!(
            out.report.metadata_dropped.is_empty(),
            "{:?}",
            out.report.metadata_dropped
        );
        let back = pixcodec::probe(&out.data).unwrap().metadata;
        assert_eq!(back.tiff_tags, expected_tags(), "bigtiff {big}");
        assert!(back.unreadable.is_empty(), "{:?}", back.unreadable);
        // TIFF -> TIFF again: unchanged.
        let again = pixcodec::encode(gray().as_ref(), "tiff", &EncodeOptions::new().metadata(back)).unwrap();
        assert_eq!(
            pixcodec::probe(&again.data).unwrap().metadata.tiff_tags,
            expected_tags()
        );
    }
    for target in ["png", "jpeg", "npy"] {
        let out = pixcodec::encode(gray().as_ref(), target, &EncodeOptions::new().metadata(m.clone())).unwrap();
        let dropped: Vec<MetadataItem> = out
            .report
            .metadata_dropped
            .iter()
            .map(|n| n.item.clone())
            .filter(|i| matches!(i, MetadataItem::TiffTag(_)))
            .collect();
        let want: Vec<MetadataItem> = expected_tags().iter().map(|t| MetadataItem::TiffTag(t.tag)).collect();
        assert_eq!(dropped, want, "{target}");
        assert!(pixcodec::probe(&out.data).unwrap().metadata.tiff_tags.is_empty());
        let strict = EncodeOptions::new()
            .metadata(m.clone())
            .metadata_policy(MetadataPolicy::Strict);
        let e = pixcodec::encode(gray().as_ref(), target, &strict).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotExact, "{e}");
        assert!(e.to_string().contains("tiff tag 33550"), "{e}");
    }
}

#[test]
fn tags_a_page_cannot_hold_as_given_are_reported_and_the_rest_written() {
    let mut m = Metadata::default();
    let kept = TiffTag::new(42113, 2, 4, b"255\0".to_vec()).unwrap();
    m.tiff_tags = vec![
        kept.clone(),
        // The image size: written from the image.
        TiffTag::new(256, 3, 1, shorts(&[99], false)).unwrap(),
        // A second GDAL_NODATA: the first wins.
        TiffTag::new(42113, 2, 2, b"0\0".to_vec()).unwrap(),
        // A BigTIFF-only type.
        TiffTag::new(65000, 16, 1, 7u64.to_ne_bytes().to_vec()).unwrap(),
        // Built by hand with a wrong length.
        TiffTag {
            tag: 65001,
            field_type: 3,
            count: 2,
            value: vec![1, 2, 3],
        },
        // A pointer to a GPS IFD.
        TiffTag::new(34853, 4, 1, 8u32.to_ne_bytes().to_vec()).unwrap(),
    ];
    let out = pixcodec::encode(gray().as_ref(), "tiff", &EncodeOptions::new().metadata(m)).unwrap();
    let notes: Vec<String> = out.report.metadata_dropped.iter().map(|n| n.to_string()).collect();
    let expect = [
        "tiff tag 256: the encoder writes this tag",
        "tiff tag 42113: it is given more than once",
        "tiff tag 65000: its field type 16 (LONG8/SLONG8)",
        "tiff tag 65001: 3 value bytes are not 2 values of type 3",
        "tiff tag 34853: its value points",
    ];
    assert_eq!(notes.len(), expect.len(), "{notes:?}");
    for (n, e) in notes.iter().zip(expect) {
        assert!(n.starts_with(e), "{n} (expected {e})");
    }
    let back = pixcodec::probe(&out.data).unwrap();
    assert_eq!(back.metadata.tiff_tags, vec![kept]);
    assert_eq!((back.width, back.height), (3, 2));
    assert!(
        TiffTag::new(1, 13, 1, vec![0; 4]).is_err(),
        "IFD pointers are not values"
    );
    assert!(TiffTag::new(1, 3, 2, vec![0; 3]).is_err(), "3 bytes are not 2 SHORTs");
}
