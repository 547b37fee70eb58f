//! Metadata kept, written and reported: each item round-trips through PNG, JPEG and TIFF
//! byte for byte, conversions between them keep ICC/EXIF/XMP and the resolution, a 70 KB ICC
//! profile spans several JPEG APP2 markers, every drop is reported (and fails under the strict
//! policy before anything is written), and corrupt metadata is reported while pixels decode.
#![cfg(all(feature = "png", feature = "jpeg-turbo", feature = "tiff"))]

use pixcodec::metadata::exif;
use pixcodec::{
    EncodeOptions, ErrorKind, Image, ImageInfo, Layout, Metadata, MetadataItem, MetadataPolicy, Resolution,
    ResolutionUnit, TextEntry,
};

/// A TIFF-structured EXIF block (big-endian, as many cameras write it): IFD0 with Make,
/// Orientation 6 and an EXIF sub-IFD pointer; the sub-IFD holds ExposureTime 1/250.
fn camera_exif() -> Vec<u8> {
    let mut v = b"MM\0*".to_vec();
    v.extend_from_slice(&8u32.to_be_bytes());
    let entry = |v: &mut Vec<u8>, tag: u16, ty: u16, count: u32, value: [u8; 4]| {
        v.extend_from_slice(&tag.to_be_bytes());
        v.extend_from_slice(&ty.to_be_bytes());
        v.extend_from_slice(&count.to_be_bytes());
        v.extend_from_slice(&value);
    };
    // IFD0 at 8: 3 entries (8 + 2 + 36 + 4 = 50), then "Cam\0" at 50, sub-IFD at 54.
    v.extend_from_slice(&3u16.to_be_bytes());
    entry(&mut v, 0x010F, 2, 4, *b"Cam\0"); // Make, inline
    entry(&mut v, 0x0112, 3, 1, [0, 6, 0, 0]); // Orientation 6
    entry(&mut v, 0x8769, 4, 1, 50u32.to_be_bytes()); // ExifIFD
    v.extend_from_slice(&0u32.to_be_bytes());
    // EXIF IFD at 50: ExposureTime RATIONAL at 68.
    v.extend_from_slice(&1u16.to_be_bytes());
    entry(&mut v, 0x829A, 5, 1, 68u32.to_be_bytes());
    v.extend_from_slice(&0u32.to_be_bytes());
    v.extend_from_slice(&1u32.to_be_bytes());
    v.extend_from_slice(&250u32.to_be_bytes());
    assert_eq!(exif::check(&v), Ok(Some(6)));
    v
}

/// An ICC-like profile of `n` bytes (content is carried, never interpreted).
fn icc(n: usize) -> Vec<u8> {
    let mut v: Vec<u8> = (0..n).map(|i| (i * 7 % 251) as u8).collect();
    v[..4].copy_from_slice(&(n as u32).to_be_bytes());
    v[36..40].copy_from_slice(b"acsp");
    v
}

fn xmp() -> Vec<u8> {
    br#"<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:format="image/png"/></rdf:RDF></x:xmpmeta><?xpacket end="w"?>"#.to_vec()
}

fn full() -> Metadata {
    let mut m = Metadata::default();
    m.icc_profile = Some(icc(3000));
    m.exif = Some(camera_exif());
    m.orientation = Some(6);
    m.xmp = Some(xmp());
    m.resolution = Some(Resolution::new(100.0, 50.0, ResolutionUnit::Centimeter));
    m.text = vec![
        TextEntry::new("Software", "pixcodec tests"),
        TextEntry::new("Comment", "caf\u{e9} latin-1"),
        TextEntry {
            keyword: "Title".into(),
            value: "\u{732b} UTF-8".into(),
            language: Some("ja".into()),
        },
    ];
    m
}

fn image(layout: Layout) -> Image {
    let ch = layout.channels();
    let px: Vec<u8> = (0..40 * 24 * ch).map(|i| (i * 13 % 256) as u8).collect();
    Image::from_samples(40, 24, layout, &px).unwrap()
}

fn encode(m: &Metadata, target: &str, layout: Layout) -> pixcodec::Encoded {
    let opts = EncodeOptions::new().metadata(m.clone());
    pixcodec::encode(image(layout).as_ref(), target, &opts).unwrap()
}

fn probe(data: &[u8]) -> ImageInfo {
    pixcodec::probe(data).unwrap()
}

fn dropped(r: &pixcodec::EncodeReport) -> Vec<String> {
    r.metadata_dropped.iter().map(|n| n.to_string()).collect()
}

#[test]
fn png_round_trips_every_item() {
    let m = full();
    let e = encode(&m, "png", Layout::Rgb);
    assert!(e.report.metadata_dropped.is_empty(), "{:?}", dropped(&e.report));
    let got = probe(&e.data).metadata;
    assert_eq!(got.icc_profile, m.icc_profile);
    assert_eq!(got.exif, m.exif);
    assert_eq!(got.orientation, Some(6));
    assert_eq!(got.xmp, m.xmp);
    let r = got.resolution.unwrap();
    assert_eq!(r, Resolution::new(10000.0, 5000.0, ResolutionUnit::Meter));
    assert!(r.same_density(&m.resolution.unwrap()));
    assert_eq!(got.text, m.text);
    assert!(got.unreadable.is_empty());
    // tEXt for Latin-1 without language, iTXt otherwise; pixels untouched.
    assert!(e.data.windows(4).any(|w| w == b"tEXt") && e.data.windows(4).any(|w| w == b"iTXt"));
    assert_eq!(pixcodec::decode(&e.data).unwrap(), image(Layout::Rgb));
}

#[test]
fn jpeg_round_trips_icc_exif_xmp_density_and_reports_text() {
    let m = full();
    let e = encode(&m, "jpeg", Layout::Rgb);
    let d = dropped(&e.report);
    assert_eq!(d.len(), 3, "{d:?}");
    assert!(d.iter().all(|t| t.starts_with("text '")), "{d:?}");
    let got = probe(&e.data).metadata;
    assert_eq!(got.icc_profile, m.icc_profile);
    assert_eq!(got.exif, m.exif);
    assert_eq!(got.orientation, Some(6));
    assert_eq!(got.xmp, m.xmp);
    assert_eq!(got.resolution, m.resolution);
    assert!(got.text.is_empty());
    // Pixels equal an encode without metadata: only segments were added.
    let plain = pixcodec::encode(image(Layout::Rgb).as_ref(), "jpeg", &EncodeOptions::new()).unwrap();
    assert_eq!(
        pixcodec::decode(&e.data).unwrap(),
        pixcodec::decode(&plain.data).unwrap()
    );
    assert!(e.data.len() > plain.data.len() + 3000);
}

#[test]
fn tiff_round_trips_icc_xmp_resolution_orientation_text() {
    let mut m = full();
    m.text = vec![
        TextEntry::new("ImageDescription", "a test"),
        TextEntry::new("Software", "pixcodec"),
        TextEntry::new("DateTime", "2026:12:05 08:00:00"),
        TextEntry::new("Artist", "me"),
        TextEntry::new("Copyright", "none"),
        TextEntry::new("Comment", "no tag for this"),
    ];
    let e = encode(&m, "tiff", Layout::Rgb);
    let d = dropped(&e.report);
    assert_eq!(d.len(), 2, "{d:?}");
    assert!(
        d[0].starts_with(
            "exif: tiff keeps EXIF as an EXIF IFD, and this block cannot be one: its IFD0 holds tags (0x010f)"
        ),
        "{d:?}"
    );
    assert!(d[1].starts_with("text 'Comment': tiff has no tag"), "{d:?}");
    let got = probe(&e.data).metadata;
    assert_eq!(got.icc_profile, m.icc_profile);
    assert_eq!(got.xmp, m.xmp);
    assert_eq!(got.orientation, Some(6));
    assert_eq!(got.resolution, m.resolution);
    assert_eq!(got.text, m.text[..5]);
    assert_eq!(got.exif, None);
    assert_eq!(pixcodec::decode(&e.data).unwrap(), image(Layout::Rgb));
}

#[test]
fn conversions_keep_icc_exif_xmp_and_resolution() {
    let mut m = full();
    m.text.clear();
    // JPEG -> PNG -> JPEG: ICC, EXIF, XMP byte-identical, density equal.
    let j1 = encode(&m, "jpeg", Layout::Rgb);
    let m1 = probe(&j1.data).metadata;
    let p = encode(&m1, "png", Layout::Rgb);
    assert!(p.report.metadata_dropped.is_empty(), "{:?}", dropped(&p.report));
    let m2 = probe(&p.data).metadata;
    let j2 = encode(&m2, "jpeg", Layout::Rgb);
    assert!(j2.report.metadata_dropped.is_empty(), "{:?}", dropped(&j2.report));
    let m3 = probe(&j2.data).metadata;
    for got in [&m1, &m2, &m3] {
        assert_eq!(got.icc_profile, m.icc_profile);
        assert_eq!(got.exif, m.exif);
        assert_eq!(got.xmp, m.xmp);
        assert!(got.resolution.unwrap().same_density(&m.resolution.unwrap()));
    }
    assert_eq!(m3.resolution, m.resolution);
    // PNG -> TIFF -> PNG and TIFF -> JPEG: ICC and XMP identical, resolution equal.
    let t = encode(&m2, "tiff", Layout::Rgb);
    assert_eq!(dropped(&t.report), ["exif: tiff keeps EXIF as an EXIF IFD, and this block cannot be one: its IFD0 holds tags (0x010f) that would have to be merged into the page's own tags; it is not written (the orientation is kept as tag 274)"]);
    let mt = probe(&t.data).metadata;
    for target in ["png", "jpeg", "tiff"] {
        let e = encode(&mt, target, Layout::Rgb);
        assert!(
            e.report.metadata_dropped.is_empty(),
            "{target}: {:?}",
            dropped(&e.report)
        );
        let back = probe(&e.data).metadata;
        assert_eq!(back.icc_profile, m.icc_profile, "{target}");
        assert_eq!(back.xmp, m.xmp, "{target}");
        assert_eq!(back.orientation, Some(6), "{target}");
        assert!(
            back.resolution.unwrap().same_density(&m.resolution.unwrap()),
            "{target}"
        );
    }
}

/// The APP2 ICC_PROFILE segments of a JPEG: (sequence number, count, payload length).
fn icc_segments(jpeg: &[u8]) -> Vec<(u8, u8, usize)> {
    let mut v = Vec::new();
    let mut i = 2;
    while i + 4 <= jpeg.len() && jpeg[i] == 0xFF && jpeg[i + 1] != 0xDA {
        let len = u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]) as usize;
        let seg = &jpeg[i + 4..i + 2 + len];
        if jpeg[i + 1] == 0xE2 && seg.starts_with(b"ICC_PROFILE\0") {
            v.push((seg[12], seg[13], seg.len() - 14));
        }
        i += 2 + len;
    }
    v
}

#[test]
fn a_70k_icc_profile_spans_several_app2_markers() {
    let mut m = Metadata::default();
    m.icc_profile = Some(icc(70_000));
    let e = encode(&m, "jpeg", Layout::Rgb);
    assert!(e.report.metadata_dropped.is_empty());
    assert_eq!(icc_segments(&e.data), [(1, 2, 65519), (2, 2, 70_000 - 65519)]);
    assert_eq!(probe(&e.data).metadata.icc_profile, m.icc_profile);
    // Same through the banded (parallel) encoder of a large image.
    let px = vec![77u8; 1024 * 768 * 3];
    let big = Image::from_samples(1024, 768, Layout::Rgb, &px).unwrap();
    let e = pixcodec::encode(big.as_ref(), "jpeg", &EncodeOptions::new().metadata(m.clone())).unwrap();
    assert_eq!(icc_segments(&e.data).len(), 2);
    assert_eq!(probe(&e.data).metadata.icc_profile, m.icc_profile);
    assert_eq!(pixcodec::decode(&e.data).unwrap().width(), 1024);
}

#[test]
fn drops_are_reported_and_strict_fails_before_writing() {
    let m = full();
    let img = image(Layout::Rgb);
    let e = encode(&m, "npy", Layout::Rgb);
    let d = dropped(&e.report);
    assert_eq!(d.len(), m.items().len());
    assert_eq!(d[0], "icc_profile: npy cannot store metadata");
    assert_eq!(e.report.metadata_dropped[0].item, MetadataItem::IccProfile);

    for opts in [
        EncodeOptions::new()
            .metadata(m.clone())
            .metadata_policy(MetadataPolicy::Strict),
        EncodeOptions::new().metadata(m.clone()).require_exact(true),
    ] {
        let mut buf = Vec::new();
        let err = pixcodec::encode_into(img.as_ref(), "npy", &opts, &mut buf).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotExact);
        assert!(
            err.to_string().contains("icc_profile: npy cannot store metadata"),
            "{err}"
        );
        assert!(buf.is_empty());
        let err = pixcodec::encode(img.as_ref(), "tiff", &opts).unwrap_err();
        assert!(
            err.to_string().contains("exif: tiff keeps EXIF as an EXIF IFD"),
            "{err}"
        );
    }
    // Empty byte items are never written, and say so.
    let mut empty = Metadata::default();
    empty.icc_profile = Some(Vec::new());
    for target in ["png", "jpeg", "tiff"] {
        let e = encode(&empty, target, Layout::Rgb);
        assert_eq!(
            dropped(&e.report),
            ["icc_profile: it is empty and is not written"],
            "{target}"
        );
        assert!(probe(&e.data).metadata.is_empty(), "{target}");
    }
    // Strict with what fits: written.
    let mut fits = full();
    fits.text.truncate(1);
    let opts = EncodeOptions::new()
        .metadata(fits)
        .metadata_policy(MetadataPolicy::Strict);
    assert!(pixcodec::encode(img.as_ref(), "png", &opts).is_ok());
    // Strip: nothing written, nothing reported.
    let opts = EncodeOptions::new().metadata(m).metadata_policy(MetadataPolicy::Strip);
    for target in ["png", "jpeg", "tiff", "npy"] {
        let e = pixcodec::encode(img.as_ref(), target, &opts).unwrap();
        assert!(e.report.metadata_dropped.is_empty());
        let got = probe(&e.data).metadata;
        assert!(
            got.icc_profile.is_none() && got.exif.is_none() && got.xmp.is_none(),
            "{target}"
        );
    }
}

#[test]
fn resolution_rounding_is_reported() {
    let mut m = Metadata::default();
    m.resolution = Some(Resolution::new(300.0, 300.0, ResolutionUnit::Inch));
    let e = encode(&m, "png", Layout::Gray);
    assert_eq!(
        dropped(&e.report),
        ["resolution: png stores whole pixels per metre: 300 x 300 per inch written as 11811 x 11811 per metre"]
    );
    let (x, _) = probe(&e.data).metadata.dpi().unwrap();
    assert!((x - 299.9994).abs() < 1e-3);
    // JPEG and TIFF hold 300 dpi exactly.
    for t in ["jpeg", "tiff"] {
        let e = encode(&m, t, Layout::Gray);
        assert!(e.report.metadata_dropped.is_empty());
        assert_eq!(probe(&e.data).metadata.resolution, m.resolution);
    }
}

#[test]
fn orientation_alone_or_changed_is_written_into_exif() {
    let mut m = Metadata::default();
    m.orientation = Some(8);
    for t in ["png", "jpeg", "tiff"] {
        let got = probe(&encode(&m, t, Layout::Rgb).data).metadata;
        assert_eq!(got.orientation, Some(8), "{t}");
    }
    // EXIF alone: TIFF takes its orientation as tag 274.
    let mut m = Metadata::default();
    m.exif = Some(camera_exif());
    assert_eq!(
        probe(&encode(&m, "tiff", Layout::Rgb).data).metadata.orientation,
        Some(6)
    );
    m.orientation = Some(1);
    let got = probe(&encode(&m, "jpeg", Layout::Rgb).data).metadata;
    assert_eq!(got.orientation, Some(1));
    let e = got.exif.unwrap();
    assert_eq!(e.len(), camera_exif().len());
    assert_eq!(exif::check(&e), Ok(Some(1)));
}

/// Replaces the first segment `marker` starting with `id` by `new` (whole segment bytes).
fn replace_segment(jpeg: &[u8], marker: u8, id: &[u8], new: &[u8]) -> Vec<u8> {
    let mut i = 2;
    loop {
        let len = u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]) as usize;
        if jpeg[i + 1] == marker && jpeg[i + 4..].starts_with(id) {
            return [&jpeg[..i], new, &jpeg[i + 2 + len..]].concat();
        }
        i += 2 + len;
    }
}

#[test]
fn corrupt_metadata_is_reported_and_pixels_decode() {
    // JPEG: the second of two ICC chunks removed.
    let mut m = Metadata::default();
    m.icc_profile = Some(icc(70_000));
    let j = encode(&m, "jpeg", Layout::Rgb).data;
    let first_len = 2 + 14 + 65519;
    let at = 2 + 18 + 2 + first_len; // SOI, JFIF APP0 (18 bytes), first APP2
    assert_eq!(&j[at..at + 2], [0xFF, 0xE2]);
    let len2 = u16::from_be_bytes([j[at + 2], j[at + 3]]) as usize;
    let cut = [&j[..at], &j[at + 2 + len2..]].concat();
    let info = probe(&cut);
    assert!(info.metadata.icc_profile.is_none());
    assert!(
        info.metadata.unreadable[0].starts_with("icc_profile: the APP2 ICC_PROFILE chunks are incomplete"),
        "{:?}",
        info.metadata.unreadable
    );
    assert_eq!(pixcodec::decode(&cut).unwrap().width(), 40);

    // JPEG: EXIF whose IFD0 offset points outside the segment.
    let mut bad = camera_exif();
    bad[4..8].copy_from_slice(&4000u32.to_be_bytes());
    let mut m = Metadata::default();
    m.exif = Some(camera_exif());
    let j = encode(&m, "jpeg", Layout::Rgb).data;
    let seg = [
        &[0xFF, 0xE1],
        &((2 + 6 + bad.len()) as u16).to_be_bytes()[..],
        b"Exif\0\0",
        &bad,
    ]
    .concat();
    let j = replace_segment(&j, 0xE1, b"Exif\0\0", &seg);
    let info = probe(&j);
    assert_eq!(info.metadata.exif, None);
    assert_eq!(info.metadata.orientation, None);
    assert_eq!(
        info.metadata.unreadable,
        ["exif: IFD0 offset 4000 is outside the 76-byte block"]
    );
    assert_eq!(pixcodec::decode(&j).unwrap().width(), 40);

    // PNG: an iCCP chunk whose zlib stream is cut short (CRC kept valid).
    let mut m = Metadata::default();
    m.icc_profile = Some(icc(3000));
    let p = encode(&m, "png", Layout::Rgb).data;
    let at = p.windows(4).position(|w| w == b"iCCP").unwrap() - 4;
    let len = u32::from_be_bytes(p[at..at + 4].try_into().unwrap()) as usize;
    let body = &p[at + 8..at + 8 + len / 2];
    let mut crc = crc32fast::Hasher::new();
    crc.update(b"iCCP");
    crc.update(body);
    let chunk = [
        &(body.len() as u32).to_be_bytes()[..],
        b"iCCP",
        body,
        &crc.finalize().to_be_bytes(),
    ]
    .concat();
    let p = [&p[..at], &chunk[..], &p[at + 12 + len..]].concat();
    let info = probe(&p);
    assert!(info.metadata.icc_profile.is_none());
    assert!(
        info.metadata.unreadable[0].starts_with("icc_profile: the iCCP chunk is corrupt"),
        "{:?}",
        info.metadata.unreadable
    );
    assert_eq!(pixcodec::decode(&p).unwrap(), image(Layout::Rgb));
}

/// A little-endian classic TIFF whose IFD at 8 serves as an EXIF IFD: ExposureTime 1/250
/// (RATIONAL, out of line at 38) and ISO 200 (SHORT, inline).
fn tiff_exif_ifd_file() -> Vec<u8> {
    let mut f = b"II*\0".to_vec();
    f.extend_from_slice(&8u32.to_le_bytes());
    f.extend_from_slice(&2u16.to_le_bytes());
    for (tag, ty, count, value) in [(0x829Au16, 5u16, 1u32, 38u32), (0x8827, 3, 1, 200)] {
        f.extend_from_slice(&tag.to_le_bytes());
        f.extend_from_slice(&ty.to_le_bytes());
        f.extend_from_slice(&count.to_le_bytes());
        f.extend_from_slice(&value.to_le_bytes());
    }
    f.extend_from_slice(&0u32.to_le_bytes());
    f.extend_from_slice(&1u32.to_le_bytes());
    f.extend_from_slice(&250u32.to_le_bytes());
    f
}

#[test]
fn a_tiff_shaped_exif_block_round_trips_through_tiff_and_jpeg() {
    let (block, notes) = exif::from_tiff_ifd_bytes(&tiff_exif_ifd_file(), 8, Some(6)).unwrap();
    assert!(notes.is_empty());
    let mut m = Metadata::default();
    m.exif = Some(block.clone());
    m.icc_profile = Some(icc(1000));
    for (pages, big) in [(1, false), (2, false), (1, true)] {
        let img = image(Layout::Rgb);
        let all = vec![img.as_ref(); pages];
        let opts = EncodeOptions::new().metadata(m.clone()).set("bigtiff", big);
        let mut t = Vec::new();
        let r = pixcodec::Registry::global()
            .encode_pages_into(&all, "tiff", &opts, &mut t)
            .unwrap();
        assert!(r.metadata_dropped.is_empty(), "{:?}", dropped(&r));
        let got = probe(&t).metadata;
        assert_eq!(got.orientation, Some(6));
        assert_eq!(pixcodec::decode_pages(&t).unwrap().len(), pages);
        // BigTIFF too: its EXIF IFD holds the 8-byte RATIONAL in the entry, and reading it
        // back moves it behind the table again, as in the classic block.
        assert!(got.unreadable.is_empty(), "{:?}", got.unreadable);
        assert_eq!(got.exif.as_deref(), Some(&block[..]), "bigtiff {big}");
        assert_eq!(got.icc_profile, m.icc_profile);
        // TIFF -> JPEG -> TIFF: the same block.
        let j = encode(&got, "jpeg", Layout::Rgb);
        let back = encode(&probe(&j.data).metadata, "tiff", Layout::Rgb);
        assert_eq!(probe(&back.data).metadata.exif.as_deref(), Some(&block[..]));
        assert_eq!(pixcodec::decode(&back.data).unwrap(), image(Layout::Rgb));
    }
    // An orientation-only block is fully held by tag 274: nothing reported.
    let mut m = Metadata::default();
    m.exif = Some(exif::minimal(3));
    let e = encode(&m, "tiff", Layout::Gray);
    assert!(e.report.metadata_dropped.is_empty(), "{:?}", dropped(&e.report));
    assert_eq!(probe(&e.data).metadata.orientation, Some(3));
}
