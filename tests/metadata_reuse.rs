//! Repeated encodes with the same options reuse the metadata work (issue 16: writing metadata
//! costs under 1 %): the registry keeps the metadata notes with the cached options, and the
//! TIFF encoder keeps the first page's EXIF IFD. What is reused must still follow the page
//! format, the metadata value and the file offset, call after call on one thread.

use pixcodec::metadata::{MetadataItem, Photometric};
use pixcodec::{EncodeOptions, ErrorKind, Image, Layout, Metadata, MetadataPolicy, PixelFormat, SampleType};

fn image(width: u32, height: u32, sample: SampleType) -> Image {
    let mut img = Image::new(width, height, PixelFormat::new(Layout::Gray, sample)).unwrap();
    for (i, b) in img.as_bytes_mut().iter_mut().enumerate() {
        *b = (i * 31 % 251) as u8;
    }
    img
}

/// The testkit's EXIF block (the shape a TIFF page holds: orientation in IFD0, an EXIF IFD
/// with a LONG 0xA002) with that LONG set to `value`.
fn exif_with(value: u32) -> Vec<u8> {
    let mut exif = pixcodec::testkit::sample_metadata().exif.unwrap();
    assert_eq!(&exif[..2], b"II", "the kit's block is little-endian on this machine");
    let entry = exif
        .windows(8)
        .position(|w| w == [0x02, 0xA0, 4, 0, 1, 0, 0, 0])
        .expect("the kit's EXIF IFD has a single LONG 0xA002");
    exif[entry + 8..entry + 12].copy_from_slice(&value.to_le_bytes());
    exif
}

fn dropped_items(report: &pixcodec::EncodeReport) -> Vec<MetadataItem> {
    report.metadata_dropped.iter().map(|n| n.item.clone()).collect()
}

#[test]
fn notes_follow_the_page_format_with_the_same_options() {
    let mut m = Metadata::default();
    m.photometric = Some(Photometric::WhiteIsZero);
    let keep = EncodeOptions::new().metadata(m);
    let (gray8, gray32f) = (image(8, 4, SampleType::U8), image(8, 4, SampleType::F32));
    for _ in 0..2 {
        let r = pixcodec::encode(gray8.as_ref(), "tiff", &keep).unwrap().report;
        assert!(r.metadata_dropped.is_empty(), "{:?}", r.metadata_dropped);
        let r = pixcodec::encode(gray32f.as_ref(), "tiff", &keep).unwrap().report;
        assert_eq!(dropped_items(&r), [MetadataItem::Photometric]);
    }
    // Strict refuses the float page only, also when the same options passed just before
    // and pass again just after.
    let strict = keep.clone().metadata_policy(MetadataPolicy::Strict);
    for _ in 0..2 {
        pixcodec::encode(gray8.as_ref(), "tiff", &strict).unwrap();
        let e = pixcodec::encode(gray32f.as_ref(), "tiff", &strict).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotExact, "{e}");
        assert!(e.to_string().contains("white-is-zero"), "{e}");
    }
    // New metadata in the same options' place is checked afresh.
    let plain = EncodeOptions::new().metadata(Metadata::default());
    let r = pixcodec::encode(gray32f.as_ref(), "tiff", &plain).unwrap().report;
    assert!(r.metadata_dropped.is_empty(), "{:?}", r.metadata_dropped);
}

#[test]
fn tiff_exif_ifd_follows_the_metadata_and_the_offset() {
    let base = pixcodec::testkit::sample_metadata();
    let with = |value: u32| {
        let mut m = base.clone();
        m.exif = Some(exif_with(value));
        m
    };
    let (first, second) = (
        EncodeOptions::new().metadata(with(16)),
        EncodeOptions::new().metadata(with(17)),
    );
    let small = image(16, 8, SampleType::U8);
    let large = image(40, 30, SampleType::U16);
    let steps = [
        (&first, &small, false, 16),
        (&first, &small, false, 16),
        (&second, &small, false, 17),
        // The same metadata with the EXIF IFD at another offset (larger strips), then in a
        // BigTIFF file, then back.
        (&second, &large, false, 17),
        (&second, &large, true, 17),
        (&second, &small, false, 17),
        (&first, &large, false, 16),
    ];
    for (i, (opts, img, big, value)) in steps.into_iter().enumerate() {
        let opts = opts.clone().set("bigtiff", big);
        let out = pixcodec::encode(img.as_ref(), "tiff", &opts).unwrap();
        assert!(out.report.metadata_dropped.iter().all(|n| n.item != MetadataItem::Exif));
        let back = pixcodec::probe(&out.data).unwrap().metadata;
        assert_eq!(back.exif, Some(exif_with(value)), "step {i}: the EXIF block read back");
        assert_eq!(pixcodec::decode(&out.data).unwrap(), *img, "step {i}: pixels");
    }
}
