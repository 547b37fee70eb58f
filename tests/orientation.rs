//! EXIF orientation: `convert::orient` / `apply_orientation` against hand-rotated pixels and a
//! reference by formula on every pixel format, the orientation reset in the metadata (field,
//! EXIF bytes, XMP, resolution), and `ml::load` with and without `orient`.

use pixcodec::convert::{apply_orientation, orient, oriented_size};
use pixcodec::metadata::{exif, xmp};
use pixcodec::ml::{self, LoadOptions};
use pixcodec::testkit::generate;
use pixcodec::{EncodeOptions, ErrorKind, Image, ImageRef, Layout, Metadata, PixelFormat, Resolution, ResolutionUnit};

/// The 3x2 image 1 2 3 / 4 5 6 as each orientation displays it, by hand: (width, rows). The
/// same rows come out of Pillow 13.0's `ImageOps.exif_transpose` on that image with EXIF
/// orientation 1..8 (checked when this table was written).
const HAND: [(u32, [u8; 6]); 8] = [
    (3, [1, 2, 3, 4, 5, 6]), // 1: as stored
    (3, [3, 2, 1, 6, 5, 4]), // 2: mirrored left-right
    (3, [6, 5, 4, 3, 2, 1]), // 3: rotated 180°
    (3, [4, 5, 6, 1, 2, 3]), // 4: mirrored top-bottom
    (2, [1, 4, 2, 5, 3, 6]), // 5: transposed (columns become rows)
    (2, [4, 1, 5, 2, 6, 3]), // 6: rotated 90° clockwise (left column, bottom up, on top)
    (2, [6, 3, 5, 2, 4, 1]), // 7: transversed
    (2, [3, 6, 2, 5, 1, 4]), // 8: rotated 90° counter-clockwise (right column on top)
];

#[test]
fn all_eight_orientations_match_hand_rotated_pixels() {
    let img = Image::from_samples::<u8>(3, 2, Layout::Gray, &[1, 2, 3, 4, 5, 6]).unwrap();
    for (i, (w, want)) in HAND.iter().enumerate() {
        let o = i as u16 + 1;
        let out = orient(&img.as_ref(), o).unwrap();
        assert_eq!((out.width(), out.height()), (*w, 6 / w), "orientation {o}");
        assert_eq!(out.to_vec::<u8>().unwrap(), want, "orientation {o}");
        assert_eq!((out.width(), out.height()), oriented_size(3, 2, o));
    }
    // RGB pixels move whole: channel order inside a pixel is kept.
    let rgb: Vec<u16> = (1..=6).flat_map(|v| [v, 100 + v, 1000 + v]).collect();
    let img = Image::from_samples(3, 2, Layout::Rgb, &rgb).unwrap();
    for (i, (_, want)) in HAND.iter().enumerate() {
        let out = orient(&img.as_ref(), i as u16 + 1).unwrap();
        let want: Vec<u16> = want
            .iter()
            .flat_map(|&v| [v as u16, 100 + v as u16, 1000 + v as u16])
            .collect();
        assert_eq!(out.to_vec::<u16>().unwrap(), want, "orientation {}", i + 1);
    }
}

/// Output pixel (x, y) of orientation `o` is input pixel `source(o, x, y)`.
fn source(o: u16, x: usize, y: usize, w: usize, h: usize) -> (usize, usize) {
    match o {
        1 => (x, y),
        2 => (w - 1 - x, y),
        3 => (w - 1 - x, h - 1 - y),
        4 => (x, h - 1 - y),
        5 => (y, x),
        6 => (y, h - 1 - x),
        7 => (w - 1 - y, h - 1 - x),
        _ => (w - 1 - y, x),
    }
}

#[test]
fn every_pixel_format_moves_bit_exactly_with_padded_rows() {
    // 70x37: larger than one 32-pixel tile both ways, neither a multiple of it.
    let (w, h) = (70usize, 37usize);
    for format in PixelFormat::all() {
        let img = generate(w as u32, h as u32, format, 5);
        let n = format.bytes_per_pixel();
        let stride = w * n + 8 * format.sample.size(); // padding of 8 samples
        let mut padded = vec![0xAB; stride * h];
        for y in 0..h {
            padded[y * stride..y * stride + w * n].copy_from_slice(img.row(y as u32));
        }
        let view = ImageRef::new(&padded, w as u32, h as u32, format, stride).unwrap();
        for o in 1..=8u16 {
            let out = orient(&view, o).unwrap();
            assert_eq!(out.format(), format);
            let (ow, oh) = oriented_size(w as u32, h as u32, o);
            assert_eq!((out.width(), out.height()), (ow, oh));
            for y in 0..oh as usize {
                for x in 0..ow as usize {
                    let (sx, sy) = source(o, x, y, w, h);
                    assert_eq!(
                        &out.row(y as u32)[x * n..x * n + n],
                        &img.row(sy as u32)[sx * n..sx * n + n],
                        "{format} orientation {o} at x={x}, y={y}"
                    );
                }
            }
        }
    }
}

#[test]
fn moves_compose_as_the_dihedral_group() {
    let img = generate(9, 4, PixelFormat::new(Layout::Rgba, pixcodec::SampleType::F32), 1);
    let r = |i: &Image, o| orient(&i.as_ref(), o).unwrap();
    assert_eq!(r(&r(&img, 6), 8), img);
    assert_eq!(r(&r(&img, 3), 3), img);
    for o in [2, 4, 5, 7] {
        assert_eq!(r(&r(&img, o), o), img, "{o} is its own inverse");
    }
    assert_eq!(r(&r(&img, 6), 6), r(&img, 3));
    for o in [0, 9, u16::MAX] {
        let e = orient(&img.as_ref(), o).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(e.to_string().contains(&format!("orientation {o} is not")), "{e}");
    }
}

/// A big-endian EXIF block: IFD0 with Make ("Canon") and Orientation `o`.
fn exif_block(o: u16) -> Vec<u8> {
    let mut b = b"MM\0*".to_vec();
    b.extend_from_slice(&8u32.to_be_bytes());
    b.extend_from_slice(&2u16.to_be_bytes());
    for (tag, ty, count, value) in [(0x010Fu16, 2u16, 6u32, 38u32), (0x0112, 3, 1, u32::from(o) << 16)] {
        b.extend_from_slice(&tag.to_be_bytes());
        b.extend_from_slice(&ty.to_be_bytes());
        b.extend_from_slice(&count.to_be_bytes());
        b.extend_from_slice(&value.to_be_bytes());
    }
    b.extend_from_slice(&0u32.to_be_bytes());
    b.extend_from_slice(b"Canon\0");
    b
}

#[test]
fn apply_orientation_resets_the_field_the_exif_bytes_the_xmp_and_swaps_resolution() {
    let img = Image::from_samples::<u8>(3, 2, Layout::Gray, &[1, 2, 3, 4, 5, 6]).unwrap();
    let block = exif_block(6);
    assert_eq!(exif::check(&block), Ok(Some(6)));
    let mut m = Metadata::default();
    m.exif = Some(block.clone());
    m.orientation = Some(6);
    m.xmp = Some(b"<x:xmpmeta><rdf:Description tiff:Orientation=\"6\"/></x:xmpmeta>".to_vec());
    m.resolution = Some(Resolution::new(300.0, 72.0, ResolutionUnit::Inch));
    let out = apply_orientation(&img.as_ref(), &mut m).unwrap();
    assert_eq!(out.to_vec::<u8>().unwrap(), HAND[5].1);
    assert_eq!(m.orientation, Some(1));
    let e = m.exif.as_ref().unwrap();
    assert_eq!(exif::orientation(e), Some(1));
    // Only the two value bytes changed (big-endian SHORT 6 -> 1).
    let diff: Vec<usize> = (0..block.len()).filter(|&i| block[i] != e[i]).collect();
    assert_eq!((e.len(), diff), (block.len(), vec![31]));
    assert_eq!(&e[38..44], b"Canon\0");
    assert_eq!(xmp::orientation(m.xmp.as_ref().unwrap()), Some(1));
    assert_eq!(m.resolution, Some(Resolution::new(72.0, 300.0, ResolutionUnit::Inch)));

    // The orientation only in the EXIF block: read from there, reset there.
    let mut m = Metadata::default();
    m.exif = Some(exif_block(3));
    let out = apply_orientation(&img.as_ref(), &mut m).unwrap();
    assert_eq!(out.to_vec::<u8>().unwrap(), HAND[2].1);
    assert_eq!(
        (m.orientation, exif::orientation(m.exif.as_ref().unwrap())),
        (None, Some(1))
    );

    // None at all: a copy, metadata untouched; a bad value: an error, metadata untouched.
    let mut m = Metadata::default();
    m.resolution = Some(Resolution::new(300.0, 72.0, ResolutionUnit::Inch));
    let before = m.clone();
    assert_eq!(apply_orientation(&img.as_ref(), &mut m).unwrap(), img);
    assert_eq!(m, before);
    m.orientation = Some(9);
    let before = m.clone();
    assert!(apply_orientation(&img.as_ref(), &mut m).is_err());
    assert_eq!(m, before);
}

#[test]
fn oriented_and_reset_metadata_survives_an_encode() {
    let img = generate(5, 3, PixelFormat::new(Layout::Rgb, pixcodec::SampleType::U8), 2);
    let mut m = Metadata::default();
    m.exif = Some(exif_block(8));
    m.orientation = Some(8);
    let out = apply_orientation(&img.as_ref(), &mut m).unwrap();
    for codec in ["png", "tiff", "jpeg"] {
        let e = pixcodec::encode(out.as_ref(), codec, &EncodeOptions::new().metadata(m.clone())).unwrap();
        let info = pixcodec::probe(&e.data).unwrap();
        assert_eq!((info.width, info.height), (3, 5), "{codec}");
        assert_eq!(exif::effective_orientation(&info.metadata), Some(1), "{codec}");
    }
}

/// A PNG of `img` carrying orientation `o` (an eXIf chunk).
fn png_with_orientation(img: &Image, o: u16) -> Vec<u8> {
    let mut m = Metadata::default();
    m.exif = Some(exif_block(o));
    m.orientation = Some(o);
    pixcodec::encode(img.as_ref(), "png", &EncodeOptions::new().metadata(m))
        .unwrap()
        .data
}

#[test]
fn ml_load_orients_only_when_asked() {
    let img = generate(40, 24, PixelFormat::new(Layout::Rgb, pixcodec::SampleType::U8), 3);
    for o in 1..=8u16 {
        let png = png_with_orientation(&img, o);
        // Default (Keras): as stored.
        assert_eq!(ml::load_bytes(&png, &LoadOptions::new()).unwrap(), img, "{o}");
        let up = ml::load_bytes(&png, &LoadOptions::new().orient(true)).unwrap();
        assert_eq!(up, orient(&img.as_ref(), o).unwrap(), "{o}");
        // A target size is the upright image's: resizing to the upright size changes nothing.
        let (w, h) = oriented_size(40, 24, o);
        let sized = ml::load_bytes(&png, &LoadOptions::new().orient(true).target_size(h, w)).unwrap();
        assert_eq!(sized, up, "{o}");
        let gray = ml::load_bytes(&png, &LoadOptions::new().orient(true).color_mode(ml::ColorMode::Gray)).unwrap();
        assert_eq!((gray.width(), gray.height()), (w, h));
    }
    // From a file, and a TIFF's own tag 274 (no EXIF block).
    let dir = tempfile::tempdir().unwrap();
    let mut m = Metadata::default();
    m.orientation = Some(6);
    let tiff = pixcodec::encode(img.as_ref(), "tiff", &EncodeOptions::new().metadata(m)).unwrap();
    let path = dir.path().join("six.tif");
    std::fs::write(&path, &tiff.data).unwrap();
    assert_eq!(pixcodec::probe(&tiff.data).unwrap().metadata.orientation, Some(6));
    let up = ml::load(&path, &LoadOptions::new().orient(true)).unwrap();
    assert_eq!(up, orient(&img.as_ref(), 6).unwrap());
    assert_eq!(ml::load(&path, &LoadOptions::new()).unwrap(), img);
}

#[test]
fn ml_load_orients_a_jpeg_with_shrink_on_load() {
    // 400x200 stored, orientation 6: upright 200x400; shrinking to 50x100 drafts at 1/4.
    let img = generate(400, 200, PixelFormat::new(Layout::Rgb, pixcodec::SampleType::U8), 4);
    let mut m = Metadata::default();
    m.exif = Some(exif_block(6));
    let jpeg = pixcodec::encode(img.as_ref(), "jpeg", &EncodeOptions::new().metadata(m))
        .unwrap()
        .data;
    let opts = LoadOptions::new().orient(true).target_size(100, 50);
    let full = ml::load_bytes(&jpeg, &opts).unwrap();
    // Tolerance 0: nearest would not shrink within the default 40 dB.
    let shrunk = ml::load_bytes(&jpeg, &opts.clone().shrink_on_load(true).shrink_min_psnr(0.0)).unwrap();
    assert_eq!((full.width(), full.height()), (50, 100));
    assert_eq!((shrunk.width(), shrunk.height()), (50, 100));
    let decoded = pixcodec::decode(&jpeg).unwrap();
    let upright = orient(&decoded.as_ref(), 6).unwrap();
    let want = ml::resize(&upright.as_ref(), 50, 100, &opts.resize).unwrap();
    assert_eq!(full, want);
}

#[test]
fn dataset_orients_only_when_asked() {
    use pixcodec::ml::{Dataset, DatasetOptions};
    let img = generate(40, 24, PixelFormat::new(Layout::Rgb, pixcodec::SampleType::U8), 6);
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("a")).unwrap();
    std::fs::write(dir.path().join("a/six.png"), png_with_orientation(&img, 6)).unwrap();
    // Upright the image is 24x40 (width x height); the batch asks for exactly that size.
    let base = DatasetOptions::new()
        .shuffle(false)
        .image_size(40, 24)
        .dtype(pixcodec::SampleType::U8);
    let upright = orient(&img.as_ref(), 6).unwrap();
    let b = Dataset::from_directory(dir.path(), &base.clone().orient(true))
        .unwrap()
        .batch(0)
        .unwrap();
    assert_eq!(b.images.shape(), &[1, 40, 24, 3]);
    assert_eq!(b.images.as_bytes(), upright.as_bytes());
    let b = Dataset::from_directory(dir.path(), &base).unwrap().batch(0).unwrap();
    // As stored, stretched to 24x40 with the dataset's filter (bilinear, no antialias).
    let o = LoadOptions::new()
        .target_size(40, 24)
        .interpolation(ml::Interpolation::Bilinear)
        .antialias(false);
    let stretched = ml::load_bytes(&png_with_orientation(&img, 6), &o).unwrap();
    assert_eq!(b.images.as_bytes(), stretched.as_bytes());
    assert_ne!(b.images.as_bytes(), upright.as_bytes());
}
