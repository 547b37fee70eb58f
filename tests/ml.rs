//! The Keras-style ML layer: load, resize, to_array / from_array, save, datasets.

mod common;

use std::path::{Path, PathBuf};

use pixcodec::compare::compare;
use pixcodec::convert;
use pixcodec::ml::{
    self, from_array, load, save, to_array, Array, ChannelOrder, ColorMode, Dataset, DatasetOptions, Fit,
    Interpolation, LabelMode, Labels, LoadOptions, OnError, ResizeOptions, SaveOptions, ScalePolicy, Subset,
};
use pixcodec::{DctMethod, EncodeOptions, ErrorKind, Image, Layout, PixelFormat, Registry, SampleType};

fn fmt(l: Layout, s: SampleType) -> PixelFormat {
    PixelFormat::new(l, s)
}

/// A smooth test picture (gradients plus a soft blob), any U8/U16/F32 format.
fn smooth(w: u32, h: u32, format: PixelFormat) -> Image {
    let mut img = Image::new(w, h, format).unwrap();
    let ch = format.channels();
    let max = match format.sample {
        SampleType::U8 => 255.0,
        SampleType::U16 => 65535.0,
        _ => 1.0,
    };
    for y in 0..h {
        for x in 0..w {
            for c in 0..ch {
                let fx = x as f64 / w as f64;
                let fy = y as f64 / h as f64;
                let blob = (-((fx - 0.4).powi(2) + (fy - 0.6).powi(2)) * 8.0).exp();
                let v = match c {
                    0 => 0.2 + 0.6 * fx,
                    1 => 0.1 + 0.5 * fy + 0.3 * blob,
                    2 => 0.9 - 0.5 * blob,
                    _ => 0.5 + 0.5 * fx * fy,
                };
                let v = (v * max).round();
                let i = (x as usize * ch + c) * format.sample.size();
                let row = img.row_mut(y);
                match format.sample {
                    SampleType::U8 => row[i] = v as u8,
                    SampleType::U16 => row[i..i + 2].copy_from_slice(&(v as u16).to_ne_bytes()),
                    _ => row[i..i + 4].copy_from_slice(&((v / max) as f32).to_ne_bytes()),
                }
            }
        }
    }
    img
}

fn write_png(path: &Path, img: &Image) {
    pixcodec::write(img.as_ref(), path, &EncodeOptions::default()).unwrap();
}

fn write_jpeg(path: &Path, img: &Image, quality: u8) {
    pixcodec::write(img.as_ref(), path, &EncodeOptions::new().quality(quality)).unwrap();
}

fn psnr(a: &Image, b: &Image) -> f64 {
    compare(&a.as_ref(), &b.as_ref()).unwrap().psnr_db
}

// ------------------------------------------------------------------------------------------
// load
// ------------------------------------------------------------------------------------------

#[test]
fn load_without_resize_is_exact_in_every_color_mode() {
    let dir = tempfile::tempdir().unwrap();
    let rgb = common::random_image(37, 23, fmt(Layout::Rgb, SampleType::U8), 1);
    let p = dir.path().join("rgb.png");
    write_png(&p, &rgb);
    assert_eq!(load(&p, &LoadOptions::new()).unwrap(), rgb);
    let gray = load(&p, &LoadOptions::new().color_mode(ColorMode::Gray)).unwrap();
    assert_eq!(gray, convert::to_gray(&rgb.as_ref()).unwrap());
    let rgba = load(&p, &LoadOptions::new().color_mode(ColorMode::Rgba)).unwrap();
    assert_eq!(rgba.format(), fmt(Layout::Rgba, SampleType::U8));
    let px = rgba.as_slice::<u8>().unwrap();
    assert!(px.chunks(4).all(|p| p[3] == 255));
    assert_eq!(convert::drop_alpha(&rgba.as_ref()).unwrap(), rgb);
}

#[test]
fn load_gray_alpha_and_16_bit_sources() {
    let dir = tempfile::tempdir().unwrap();
    // Gray source as RGB: replicated.
    let gray = common::random_image(9, 5, fmt(Layout::Gray, SampleType::U8), 2);
    let p = dir.path().join("g.png");
    write_png(&p, &gray);
    let rgb = load(&p, &LoadOptions::new()).unwrap();
    assert_eq!(rgb, convert::gray_to_rgb(&gray.as_ref()).unwrap());
    // RGBA source as RGB: alpha dropped, colour untouched (no compositing), as Pillow.
    let rgba = common::random_image(11, 7, fmt(Layout::Rgba, SampleType::U8), 3);
    let p = dir.path().join("a.png");
    write_png(&p, &rgba);
    assert_eq!(
        load(&p, &LoadOptions::new()).unwrap(),
        convert::drop_alpha(&rgba.as_ref()).unwrap()
    );
    assert_eq!(load(&p, &LoadOptions::new().color_mode(ColorMode::Rgba)).unwrap(), rgba);
    // GrayAlpha as Gray: alpha dropped.
    let ga = common::random_image(6, 6, fmt(Layout::GrayAlpha, SampleType::U8), 4);
    let p = dir.path().join("ga.png");
    write_png(&p, &ga);
    let g = load(&p, &LoadOptions::new().color_mode(ColorMode::Gray)).unwrap();
    assert_eq!(g, convert::drop_alpha(&ga.as_ref()).unwrap());
    // 16-bit stays 16-bit, resized in 16 bits.
    let deep = smooth(40, 30, fmt(Layout::Rgb, SampleType::U16));
    let p = dir.path().join("d.png");
    write_png(&p, &deep);
    let l = load(&p, &LoadOptions::new()).unwrap();
    assert_eq!(l, deep);
    let r = load(
        &p,
        &LoadOptions::new()
            .target_size(15, 20)
            .interpolation(Interpolation::Bilinear),
    )
    .unwrap();
    assert_eq!(r.format(), fmt(Layout::Rgb, SampleType::U16));
    assert_eq!((r.width(), r.height()), (20, 15));
    let expect = ml::resize(&deep.as_ref(), 20, 15, &ResizeOptions::new()).unwrap();
    assert_eq!(r, expect);
    assert!(r.as_slice::<u16>().unwrap().iter().any(|&v| v > 255));
}

#[test]
fn cmyk_and_unresizable_types_are_refused_clearly() {
    let img = common::random_image(8, 8, fmt(Layout::Rgb, SampleType::U32), 5);
    let e = ml::resize(&img.as_ref(), 4, 4, &ResizeOptions::new()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert!(e.to_string().contains("U8, U16 and F32"), "{e}");
}

#[test]
fn every_filter_keeps_a_constant_image_constant_in_every_sample_type() {
    let filters = Interpolation::ALL;
    for layout in [Layout::Gray, Layout::GrayAlpha, Layout::Rgb, Layout::Rgba] {
        for (sample, value) in [
            (SampleType::U8, 200.0),
            (SampleType::U16, 51000.0),
            (SampleType::F32, 0.25),
        ] {
            let n = 31 * 17 * layout.channels();
            let img = match sample {
                SampleType::U8 => Image::from_samples(31, 17, layout, &vec![value as u8; n]).unwrap(),
                SampleType::U16 => Image::from_samples(31, 17, layout, &vec![value as u16; n]).unwrap(),
                _ => Image::from_samples(31, 17, layout, &vec![value as f32; n]).unwrap(),
            };
            for f in filters {
                for antialias in [true, false] {
                    for (w, h) in [(7, 5), (64, 40), (31, 3)] {
                        let o = ResizeOptions::new().interpolation(f).antialias(antialias);
                        let r = ml::resize(&img.as_ref(), w, h, &o).unwrap();
                        assert_eq!((r.width(), r.height(), r.format()), (w, h, img.format()));
                        let v = compare(&r.as_ref(), &r.as_ref()).unwrap();
                        assert!(v.identical);
                        let cast = convert::cast(&r.as_ref(), SampleType::F64).unwrap();
                        for &s in cast.as_slice::<f64>().unwrap() {
                            assert!((s - value).abs() < 1e-4, "{layout} {sample} {f:?} aa={antialias}: {s}");
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn nearest_picks_floor_of_half_pixel_centres() {
    // 10 columns valued 0..9, downscaled to 4: sources floor((x + 0.5) * 2.5) = 1, 3, 6, 8.
    let src: Vec<u8> = (0..10).collect();
    let img = Image::from_samples(10, 1, Layout::Gray, &src).unwrap();
    let o = ResizeOptions::new().interpolation(Interpolation::Nearest);
    let r = ml::resize(&img.as_ref(), 4, 1, &o).unwrap();
    assert_eq!(r.as_slice::<u8>().unwrap(), &[1, 3, 6, 8]);
}

#[test]
fn antialias_on_averages_and_off_samples() {
    // A one-pixel checkerboard 0/255 halved 4x: Pillow-style convolution gives ~127 everywhere;
    // the fixed bilinear kernel at an integer phase sees the same mix, so compare on 3x.
    let mut v = vec![0u8; 60 * 60];
    for y in 0..60 {
        for x in 0..60 {
            v[y * 60 + x] = if (x + y) % 2 == 0 { 255 } else { 0 };
        }
    }
    let img = Image::from_samples(60, 60, Layout::Gray, &v).unwrap();
    let on = ml::resize(&img.as_ref(), 20, 20, &ResizeOptions::new().antialias(true)).unwrap();
    let off = ml::resize(&img.as_ref(), 20, 20, &ResizeOptions::new().antialias(false)).unwrap();
    let spread = |i: &Image| {
        let s = i.as_slice::<u8>().unwrap();
        (*s.iter().max().unwrap() as i32) - (*s.iter().min().unwrap() as i32)
    };
    assert!(spread(&on) <= 40, "antialiased spread {}", spread(&on));
    assert!(spread(&off) >= 200, "non-antialiased spread {}", spread(&off));
}

#[test]
fn keep_aspect_ratio_crops_the_centre_like_load_img() {
    // 30 wide, 10 high: left third 10, middle 20, right third 30; target 5x5 keeps the middle.
    let mut v = vec![0u8; 30 * 10];
    for y in 0..10 {
        for x in 0..30 {
            v[y * 30 + x] = [10, 20, 30][x / 10];
        }
    }
    let img = Image::from_samples(30, 10, Layout::Gray, &v).unwrap();
    for fit in [Fit::KeepAspectRatio, Fit::CropToAspectRatio] {
        let o = ResizeOptions::new().interpolation(Interpolation::Nearest).fit(fit);
        let r = ml::resize(&img.as_ref(), 5, 5, &o).unwrap();
        assert!(r.as_slice::<u8>().unwrap().iter().all(|&p| p == 20), "{fit:?}");
    }
    let stretch = ml::resize(
        &img.as_ref(),
        6,
        2,
        &ResizeOptions::new().interpolation(Interpolation::Nearest),
    )
    .unwrap();
    assert_eq!(&stretch.as_slice::<u8>().unwrap()[..6], &[10, 10, 20, 20, 30, 30]);
    // Through load, on an odd-sized file.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("band.png");
    write_png(&p, &img);
    let l = load(
        &p,
        &LoadOptions::new()
            .color_mode(ColorMode::Gray)
            .target_size(3, 3)
            .fit(Fit::KeepAspectRatio),
    )
    .unwrap();
    assert!(l.as_slice::<u8>().unwrap().iter().all(|&p| p == 20));
}

#[test]
fn pad_to_aspect_ratio_centres_with_zero_bars() {
    let img = Image::from_samples(40, 20, Layout::Rgb, &vec![100u8; 40 * 20 * 3]).unwrap();
    let o = ResizeOptions::new().fit(Fit::PadToAspectRatio).antialias(false);
    let r = ml::resize(&img.as_ref(), 10, 10, &o).unwrap();
    // ratio 4: content 10x5 at row 2 (floor((10 - 5) / 2)).
    for y in 0..10 {
        let expect = if (2..7).contains(&y) { 100 } else { 0 };
        assert!(r.row(y).iter().all(|&p| p == expect), "row {y}");
    }
    let f = convert::cast(&img.as_ref(), SampleType::F32).unwrap();
    let rf = ml::resize(&f.as_ref(), 9, 13, &o).unwrap();
    assert_eq!((rf.width(), rf.height()), (9, 13));
    // ratio max(40/9, 20/13) = 4.444: content 9 x 4 at row floor((13 - 4.5) / 2) = 4.
    for y in 0..13 {
        let v = rf.row_as_f32(y);
        let expect = if (4..8).contains(&y) { 100.0 } else { 0.0 };
        assert!(v.iter().all(|&p| (p - expect).abs() < 1e-3), "row {y}: {v:?}");
    }
}

trait RowF32 {
    fn row_as_f32(&self, y: u32) -> Vec<f32>;
}
impl RowF32 for Image {
    fn row_as_f32(&self, y: u32) -> Vec<f32> {
        self.as_ref().row_as::<f32>(y).unwrap().to_vec()
    }
}

#[test]
fn resize_into_strided_caller_memory_leaves_padding_alone() {
    let img = smooth(33, 21, fmt(Layout::Rgb, SampleType::U8));
    let expect = ml::resize(&img.as_ref(), 10, 7, &ResizeOptions::new()).unwrap();
    let stride = 10 * 3 + 5;
    let mut buf = vec![0xA5u8; stride * 7];
    let mut out = pixcodec::ImageMut::new(&mut buf, 10, 7, img.format(), stride).unwrap();
    ml::resize_into(&img.as_ref(), &mut out, &ResizeOptions::new()).unwrap();
    for y in 0..7 {
        assert_eq!(&buf[y * stride..y * stride + 30], expect.row(y as u32));
        assert!(buf[y * stride + 30..(y + 1) * stride].iter().all(|&b| b == 0xA5));
    }
}

#[test]
fn shrink_on_load_is_opt_in_so_defaults_give_keras_pixels() {
    assert!(!LoadOptions::default().shrink_on_load);
    assert!(!pixcodec::ml::DatasetOptions::default().shrink_on_load);
    let dir = tempfile::tempdir().unwrap();
    let big = smooth(1600, 1200, fmt(Layout::Rgb, SampleType::U8));
    let p = dir.path().join("big.jpg");
    write_jpeg(&p, &big, 92);
    let o = LoadOptions::new().target_size(224, 224);
    // The default decodes at full size: equal to the explicit full path, unequal to the draft.
    assert_eq!(
        load(&p, &o).unwrap(),
        load(&p, &o.clone().shrink_on_load(false)).unwrap()
    );
    assert_ne!(
        load(&p, &o).unwrap(),
        load(&p, &o.clone().shrink_on_load(true).shrink_min_psnr(0.0)).unwrap()
    );
    // load_img's default filter (nearest) never stayed within the default 40 dB: asking for
    // shrink-on-load with the default tolerance leaves the pixels alone.
    assert_eq!(
        load(&p, &o).unwrap(),
        load(&p, &o.clone().shrink_on_load(true)).unwrap()
    );
}

#[test]
fn shrink_on_load_takes_the_largest_scale_within_the_stated_tolerance() {
    let dir = tempfile::tempdir().unwrap();
    let big = smooth(1600, 1200, fmt(Layout::Rgb, SampleType::U8));
    let p = dir.path().join("big.jpg");
    write_jpeg(&p, &big, 92);
    let data = std::fs::read(&p).unwrap();
    let o = LoadOptions::new()
        .target_size(224, 224)
        .interpolation(Interpolation::Bilinear)
        .shrink_on_load(true);
    // The same pipeline by hand: decode at 1/denom, resize with the given options.
    let at = |denom: u32, resize: &ResizeOptions| {
        let mut dec = Registry::global().decoder(&data, &Default::default()).unwrap();
        if denom > 1 {
            assert!(dec.draft(1600 / denom, 1200 / denom).unwrap());
        }
        let mut img = Image::new(dec.info().width, dec.info().height, dec.info().format).unwrap();
        dec.decode_into(img.as_mut()).unwrap();
        ml::resize(&img.as_ref(), 224, 224, resize).unwrap()
    };
    // Bilinear with antialias (measured: >= 40.1 dB from a remaining ratio of 1.25, >= 46.4
    // dB from 2): 1/4 (400x300, ratio 1.34) at 40 dB, 1/2 (800x600, ratio 2.7) at 45 dB,
    // no shrinking at 60 dB; a tolerance of 0 takes 1/4, the largest scale covering 224x224.
    assert_eq!(load(&p, &o).unwrap(), at(4, &o.resize));
    assert_eq!(load(&p, &o.clone().shrink_min_psnr(45.0)).unwrap(), at(2, &o.resize));
    assert_eq!(load(&p, &o.clone().shrink_min_psnr(60.0)).unwrap(), at(1, &o.resize));
    assert_eq!(load(&p, &o.clone().shrink_min_psnr(0.0)).unwrap(), at(4, &o.resize));
    // Keras' dataset filter (no antialias): none at 40 dB, 1/4 at 20 dB.
    let keras = o.clone().antialias(false);
    assert_eq!(load(&p, &keras).unwrap(), at(1, &keras.resize));
    assert_eq!(
        load(&p, &keras.clone().shrink_min_psnr(20.0)).unwrap(),
        at(4, &keras.resize)
    );
    // A NaN tolerance is refused, by loading and by datasets, with or without shrink-on-load.
    for opts in [o.clone(), o.clone().shrink_on_load(false)] {
        let e = load(&p, &opts.shrink_min_psnr(f64::NAN)).unwrap_err();
        assert!(e.to_string().contains("tolerance is NaN"), "{e}");
    }
    let ds = Dataset::from_directory(dir.path(), &DatasetOptions::new().shrink_min_psnr(f64::NAN));
    assert!(ds.unwrap_err().to_string().contains("tolerance is NaN"));
}

#[test]
fn dataset_shrink_tolerance_reaches_the_loader() {
    // Keras' dataset filter (bilinear, no antialias) does not shrink at the default 40 dB and
    // does at 20: the batches show whether DatasetOptions::shrink_min_psnr got through.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("a")).unwrap();
    write_jpeg(
        &dir.path().join("a/big.jpg"),
        &smooth(1600, 1200, fmt(Layout::Rgb, SampleType::U8)),
        92,
    );
    let batch = |o: DatasetOptions| {
        let ds = Dataset::from_directory(dir.path(), &o.image_size(224, 224).batch_size(1)).unwrap();
        let b = ds.batches().next().unwrap().unwrap();
        b.images.as_slice::<f32>().unwrap().to_vec()
    };
    let full = batch(DatasetOptions::new());
    assert_eq!(batch(DatasetOptions::new().shrink_on_load(true)), full);
    assert_ne!(
        batch(DatasetOptions::new().shrink_on_load(true).shrink_min_psnr(20.0)),
        full
    );
}

#[test]
fn shrink_on_load_decodes_jpeg_at_dct_scale_and_stays_close() {
    let dir = tempfile::tempdir().unwrap();
    let big = smooth(1600, 1200, fmt(Layout::Rgb, SampleType::U8));
    let p = dir.path().join("big.jpg");
    write_jpeg(&p, &big, 92);
    let data = std::fs::read(&p).unwrap();
    // The decoder itself: 224x224 allows 1/4 (400x300), not 1/8 (200x150).
    let mut dec = Registry::global().decoder(&data, &Default::default()).unwrap();
    assert!(dec.draft(224, 224).unwrap());
    assert_eq!((dec.info().width, dec.info().height), (400, 300));
    let mut small = Image::new(400, 300, dec.info().format).unwrap();
    dec.decode_into(small.as_mut()).unwrap();
    // Drafting again chooses from the full size; a target above half the source keeps it.
    assert!(dec.draft(1000, 10).unwrap());
    assert_eq!((dec.info().width, dec.info().height), (1600, 1200));
    // Odd sizes round up as TJSCALED.
    let odd = smooth(1001, 333, fmt(Layout::Rgb, SampleType::U8));
    let po = dir.path().join("odd.jpg");
    write_jpeg(&po, &odd, 90);
    let od = std::fs::read(&po).unwrap();
    let mut dec = Registry::global().decoder(&od, &Default::default()).unwrap();
    dec.draft(100, 40).unwrap();
    assert_eq!((dec.info().width, dec.info().height), (126, 42));

    for interp in [Interpolation::Bilinear, Interpolation::Lanczos3] {
        let o = LoadOptions::new()
            .target_size(224, 224)
            .interpolation(interp)
            .shrink_on_load(true);
        let fast = load(&p, &o).unwrap();
        let full = load(&p, &o.clone().shrink_on_load(false)).unwrap();
        assert_eq!((fast.width(), fast.height()), (224, 224));
        let db = psnr(&fast, &full);
        // The default tolerance holds on this image (55.7 and 61.4 dB measured).
        assert!(db >= ml::DEFAULT_SHRINK_MIN_PSNR, "{interp:?}: PSNR {db:.1} dB");
        assert_ne!(fast, full, "the shrunk path must actually differ (a reduced decode)");
    }
    // Crop modes scale the request by the crop: still close to the full path.
    let o = LoadOptions::new()
        .target_size(100, 300)
        .fit(Fit::KeepAspectRatio)
        .interpolation(Interpolation::Bilinear)
        .shrink_on_load(true);
    let db = psnr(
        &load(&p, &o).unwrap(),
        &load(&p, &o.clone().shrink_on_load(false)).unwrap(),
    );
    assert!(
        db >= ml::DEFAULT_SHRINK_MIN_PSNR,
        "keep aspect: {db:.1} dB (53.7 measured)"
    );
    // PNG has no draft: identical with and without, at a tolerance that lets JPEG shrink.
    let pp = dir.path().join("big.png");
    write_png(&pp, &big);
    let o = LoadOptions::new()
        .target_size(100, 100)
        .shrink_on_load(true)
        .shrink_min_psnr(0.0);
    assert_eq!(
        load(&pp, &o).unwrap(),
        load(&pp, &o.clone().shrink_on_load(false)).unwrap()
    );
}

#[test]
fn an_empty_image_is_refused_when_opened_so_no_fit_panics() {
    // Found by the ml_load fuzz target (tests/regression/pnm): a PBM whose header says 0x1
    // opened (its info said 0x1), and shrink-on-load's geometry for crop_to_aspect_ratio then
    // clamped to an empty range and panicked. Opening now refuses the empty image, for probe
    // and decode as for loading.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regression/pnm/crash-ml_load-4d3a246dc531d181");
    let pbm = std::fs::read(path).unwrap();
    for e in [pixcodec::probe(&pbm).unwrap_err(), pixcodec::decode(&pbm).unwrap_err()] {
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert!(e.to_string().contains("the image is empty (0x1 pixels)"), "{e}");
    }
    for fit in Fit::ALL {
        for shrink in [false, true] {
            let o = LoadOptions::new().target_size(16, 10).fit(fit).shrink_on_load(shrink);
            let e = ml::load_bytes(&pbm, &o).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Decode, "{fit:?}");
            assert!(e.to_string().contains("the image is empty (0x1 pixels)"), "{e}");
        }
    }
}

#[test]
fn load_into_casts_to_f32_and_errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let img = smooth(50, 40, fmt(Layout::Rgb, SampleType::U8));
    let p = dir.path().join("x.png");
    write_png(&p, &img);
    let data = std::fs::read(&p).unwrap();
    let mut buf = vec![0f32; 20 * 10];
    let out = pixcodec::ImageMut::from_samples(&mut buf, 20, 10, Layout::Gray).unwrap();
    ml::load_into(
        Registry::global(),
        &data,
        out,
        &LoadOptions::new()
            .antialias(false)
            .interpolation(Interpolation::Bilinear),
    )
    .unwrap();
    let gray = convert::to_gray(&img.as_ref()).unwrap();
    let gf = convert::cast(&gray.as_ref(), SampleType::F32).unwrap();
    let expect = ml::resize(&gf.as_ref(), 20, 10, &ResizeOptions::new().antialias(false)).unwrap();
    assert_eq!(expect.as_slice::<f32>().unwrap(), &buf[..]);

    let bad = dir.path().join("broken.png");
    std::fs::write(&bad, &data[..data.len() / 2]).unwrap();
    let e = load(&bad, &LoadOptions::new()).unwrap_err();
    assert!(e.to_string().contains("broken.png"), "{e}");
    let e = load(dir.path().join("missing.png"), &LoadOptions::new()).unwrap_err();
    assert!(e.to_string().contains("missing.png"), "{e}");
}

// ------------------------------------------------------------------------------------------
// arrays and save
// ------------------------------------------------------------------------------------------

#[test]
fn to_array_channels_last_and_first() {
    let img = common::random_image(5, 3, fmt(Layout::Rgb, SampleType::U8), 9);
    let px = img.as_slice::<u8>().unwrap().to_vec();
    let last = to_array(&img.as_ref(), SampleType::F32, ChannelOrder::Last).unwrap();
    assert_eq!(last.shape(), &[3, 5, 3]);
    let v = last.as_slice::<f32>().unwrap();
    assert!(v.iter().zip(&px).all(|(&a, &b)| a == b as f32));
    let first = to_array(&img.as_ref(), SampleType::U8, ChannelOrder::First).unwrap();
    assert_eq!(first.shape(), &[3, 3, 5]);
    let f = first.as_slice::<u8>().unwrap();
    for c in 0..3 {
        for p in 0..15 {
            assert_eq!(f[c * 15 + p], px[p * 3 + c]);
        }
    }
    // Back, exactly, from both orders.
    assert_eq!(
        from_array(&first, ChannelOrder::First, SampleType::U8, ScalePolicy::None).unwrap(),
        img
    );
    assert_eq!(
        from_array(&last, ChannelOrder::Last, SampleType::U8, ScalePolicy::None).unwrap(),
        img
    );
    // Gray gets a channel axis of 1.
    let g = common::random_image(4, 2, fmt(Layout::Gray, SampleType::U16), 10);
    assert_eq!(
        to_array(&g.as_ref(), SampleType::F32, ChannelOrder::Last)
            .unwrap()
            .shape(),
        &[2, 4, 1]
    );
    // An impossible cast names the value.
    let f64img = Image::from_samples(2, 1, Layout::Gray, &[0.5f64, 0.1]).unwrap();
    let e = to_array(&f64img.as_ref(), SampleType::F32, ChannelOrder::Last).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotExact);
    assert!(e.to_string().contains("0.1"), "{e}");
}

#[test]
fn from_array_scale_policies_and_their_errors() {
    // None: exact or an error naming the first misfit.
    let a = Array::from_slice(&[1, 3], &[0.0f32, 0.5, 1.0]).unwrap();
    let e = from_array(&a, ChannelOrder::Last, SampleType::U8, ScalePolicy::None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotExact);
    assert!(e.to_string().contains("0.5"), "{e}");
    let a300 = Array::from_slice(&[1, 2], &[3.0f32, 300.0]).unwrap();
    let e = from_array(&a300, ChannelOrder::Last, SampleType::U8, ScalePolicy::None).unwrap_err();
    assert!(e.to_string().contains("300"), "{e}");
    let neg = Array::from_slice(&[2, 1], &[-1i32, 4]).unwrap();
    let e = from_array(&neg, ChannelOrder::Last, SampleType::U8, ScalePolicy::None).unwrap_err();
    assert!(e.to_string().contains("-1"), "{e}");
    // Range: 0..1 onto 0..255; out of range is an error naming the value.
    let img = from_array(&a, ChannelOrder::Last, SampleType::U8, ScalePolicy::Range(0.0, 1.0)).unwrap();
    assert_eq!(img.as_slice::<u8>().unwrap(), &[0, 128, 255]);
    let e = from_array(
        &a300,
        ChannelOrder::Last,
        SampleType::U8,
        ScalePolicy::Range(0.0, 255.0),
    )
    .unwrap_err();
    assert!(e.to_string().contains("300"), "{e}");
    // MinMax: label masks 0..5 spread over 0..255 (only on request).
    let labels = Array::from_slice(&[1, 6], &[0u8, 1, 2, 3, 4, 5]).unwrap();
    let m = from_array(&labels, ChannelOrder::Last, SampleType::U8, ScalePolicy::MinMax).unwrap();
    assert_eq!(m.as_slice::<u8>().unwrap(), &[0, 51, 102, 153, 204, 255]);
    let kept = from_array(&labels, ChannelOrder::Last, SampleType::U8, ScalePolicy::None).unwrap();
    assert_eq!(kept.as_slice::<u8>().unwrap(), &[0, 1, 2, 3, 4, 5]);
    let nan = Array::from_slice(&[1, 2], &[f32::NAN, 1.0]).unwrap();
    let e = from_array(&nan, ChannelOrder::Last, SampleType::U8, ScalePolicy::MinMax).unwrap_err();
    assert!(e.to_string().contains("NaN"), "{e}");
    // Shapes.
    let five = Array::zeros(&[2, 2, 5], SampleType::U8).unwrap();
    assert!(from_array(&five, ChannelOrder::Last, SampleType::U8, ScalePolicy::None).is_err());
    let ga = Array::zeros(&[2, 3, 4], SampleType::F32).unwrap();
    let i = from_array(&ga, ChannelOrder::First, SampleType::F32, ScalePolicy::None).unwrap();
    assert_eq!((i.width(), i.height(), i.format().layout), (4, 3, Layout::GrayAlpha));
}

#[test]
fn save_refuses_float_png_unless_a_scale_policy_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let f = smooth(8, 6, fmt(Layout::Rgb, SampleType::F32));
    let p = dir.path().join("f.png");
    let e = save(&f.as_ref(), &p, &SaveOptions::new()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotExact);
    let msg = e.to_string();
    assert!(msg.contains("ScalePolicy::MinMax") && msg.contains("Rgb F32"), "{msg}");
    assert!(!p.exists());
    let report = save(&f.as_ref(), &p, &SaveOptions::new().scale(ScalePolicy::Range(0.0, 1.0))).unwrap();
    assert!(report.exact);
    let back = pixcodec::read(&p).unwrap();
    assert_eq!(
        back,
        convert::scale(&f.as_ref(), SampleType::U8, convert::Scale::range(0.0, 1.0)).unwrap()
    );
    // 16-bit output on request.
    let p16 = dir.path().join("f16.png");
    save(
        &f.as_ref(),
        &p16,
        &SaveOptions::new().scale(ScalePolicy::MinMax).dtype(SampleType::U16),
    )
    .unwrap();
    assert_eq!(
        pixcodec::read(&p16).unwrap().format(),
        fmt(Layout::Rgb, SampleType::U16)
    );
    // Exact formats keep floats: TIFF and npy.
    let pt = dir.path().join("f.tiff");
    save(&f.as_ref(), &pt, &SaveOptions::new()).unwrap();
    assert_eq!(pixcodec::read(&pt).unwrap(), f);
    // JPEG only when asked, and reported lossy.
    let u8img = smooth(16, 16, fmt(Layout::Rgb, SampleType::U8));
    let r = save(&u8img.as_ref(), dir.path().join("x.jpg"), &SaveOptions::new()).unwrap();
    assert!(!r.exact);
    // save_array with a channels-first array.
    let arr = to_array(&u8img.as_ref(), SampleType::U8, ChannelOrder::First).unwrap();
    let pa = dir.path().join("a.png");
    ml::save_array(&arr, ChannelOrder::First, &pa, &SaveOptions::new()).unwrap();
    assert_eq!(pixcodec::read(&pa).unwrap(), u8img);
}

#[test]
fn array_to_npy_is_read_back_by_the_npy_codec() {
    let a = Array::from_slice(&[2, 3, 4, 3], &(0..72).map(|v| v as f32).collect::<Vec<_>>()).unwrap();
    let bytes = a.to_npy();
    assert_eq!(bytes.len() % 64, 72 * 4 % 64);
    let vol = pixcodec::Registry::global()
        .decode_volume(&bytes, &Default::default())
        .unwrap();
    assert_eq!((vol.depth(), vol.height(), vol.width()), (2, 3, 4));
    assert_eq!(vol.as_slice::<f32>().unwrap(), a.as_slice::<f32>().unwrap());
    let labels = Array::from_slice(&[5], &[1i32, 0, 2, 2, 1]).unwrap();
    let b = labels.to_npy();
    let header = String::from_utf8_lossy(&b[10..74]);
    assert!(
        header.contains("'shape': (5,)") && header.contains("'descr': '<i4'"),
        "{header}"
    );
    assert_eq!((10 + u16::from_le_bytes([b[8], b[9]]) as usize) % 64, 0);
}

// ------------------------------------------------------------------------------------------
// datasets
// ------------------------------------------------------------------------------------------

/// classes b (3 files), a (2), c (4), plus noise: a hidden folder, a text file, a nested
/// folder inside c, an upper-case extension.
fn make_tree(root: &Path) -> Vec<PathBuf> {
    let mk = |rel: &str, w: u32, h: u32, seed: u64| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        let mut img = smooth(w, h, fmt(Layout::Rgb, SampleType::U8));
        img.as_bytes_mut()[0] = seed as u8;
        if rel.to_ascii_lowercase().ends_with(".jpg") {
            write_jpeg(&p, &img, 90);
        } else {
            write_png(&p, &img);
        }
        p
    };
    let files = vec![
        mk("a/x2.png", 20, 10, 1),
        mk("a/x1.png", 13, 17, 2),
        mk("b/z.png", 16, 16, 3),
        mk("b/img10.png", 9, 31, 4),
        mk("b/img2.JPG", 40, 30, 5),
        mk("c/one.png", 21, 11, 6),
        mk("c/deep/two.png", 12, 12, 7),
        mk("c/deep/a.png", 33, 8, 8),
        mk("c/three.png", 8, 8, 9),
        mk(".hidden/h.png", 8, 8, 10),
    ];
    std::fs::write(root.join("a/readme.txt"), b"not an image").unwrap();
    files
}

fn rel(root: &Path, ds: &Dataset) -> Vec<String> {
    ds.paths()
        .iter()
        .map(|p| p.strip_prefix(root).unwrap().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn dataset_index_matches_keras_order_labels_and_summary() {
    let dir = tempfile::tempdir().unwrap();
    make_tree(dir.path());
    let ds = Dataset::from_directory(dir.path(), &DatasetOptions::new().shuffle(false)).unwrap();
    assert_eq!(ds.class_names(), &["a", "b", "c"]);
    // os.walk per class, folders in sorted path order, files sorted by code point.
    assert_eq!(
        rel(dir.path(), &ds),
        [
            "a/x1.png",
            "a/x2.png",
            "b/img10.png",
            "b/img2.JPG",
            "b/z.png",
            "c/one.png",
            "c/three.png",
            "c/deep/a.png",
            "c/deep/two.png"
        ]
    );
    assert_eq!(ds.labels().unwrap(), &[0, 0, 1, 1, 1, 2, 2, 2, 2]);
    assert_eq!(ds.summary(), "Found 9 files belonging to 3 classes.");
    assert_eq!(ds.num_batches(), 1);

    // class_names given: their order, a subset.
    let ds = Dataset::from_directory(
        dir.path(),
        &DatasetOptions::new()
            .shuffle(false)
            .class_names(vec!["c".into(), "a".into()]),
    )
    .unwrap();
    assert_eq!(ds.labels().unwrap(), &[0, 0, 0, 0, 1, 1]);
    assert_eq!(rel(dir.path(), &ds)[4], "a/x1.png");
    let e = Dataset::from_directory(dir.path(), &DatasetOptions::new().class_names(vec!["zz".into()])).unwrap_err();
    assert!(e.to_string().contains("zz"), "{e}");

    // Extension allow-list.
    let ds = Dataset::from_directory(dir.path(), &DatasetOptions::new().shuffle(false).extensions(&["jpg"])).unwrap();
    assert_eq!(rel(dir.path(), &ds), ["b/img2.JPG"]);
    assert_eq!(ds.summary(), "Found 1 files belonging to 3 classes.");
    let e = Dataset::from_directory(dir.path(), &DatasetOptions::new().extensions(&["webp"])).unwrap_err();
    assert!(e.to_string().contains("no images found"), "{e}");

    // No labels: the whole tree, hidden folders included (Keras only skips hidden class folders).
    let ds = Dataset::from_directory(dir.path(), &DatasetOptions::new().shuffle(false).labels(Labels::None)).unwrap();
    assert_eq!(ds.len(), 10);
    assert_eq!(ds.summary(), "Found 10 files.");
    assert!(ds.labels().is_none());
    assert_eq!(rel(dir.path(), &ds)[0], ".hidden/h.png");
}

#[test]
fn dataset_shuffle_and_split_follow_numpy_and_keras() {
    let dir = tempfile::tempdir().unwrap();
    make_tree(dir.path());
    let plain = Dataset::from_directory(dir.path(), &DatasetOptions::new().shuffle(false)).unwrap();
    let o = DatasetOptions::new().seed(1337);
    let sh = Dataset::from_directory(dir.path(), &o).unwrap();
    // l = list(range(9)); np.random.RandomState(1337).shuffle(l); l -> [6, 8, 2, 3, 1, 0, 4, 5, 7]
    let perm = [6usize, 8, 2, 3, 1, 0, 4, 5, 7];
    let expect: Vec<PathBuf> = perm.iter().map(|&i| plain.paths()[i].clone()).collect();
    assert_eq!(sh.paths(), &expect[..]);
    let expect_labels: Vec<i32> = perm.iter().map(|&i| plain.labels().unwrap()[i]).collect();
    assert_eq!(sh.labels().unwrap(), &expect_labels[..]);

    // Split after the shuffle: validation = last int(0.2 * 9) = 1 file.
    let o = DatasetOptions::new().seed(1337).validation_split(0.2);
    let train = Dataset::from_directory(dir.path(), &o.clone().subset(Subset::Training)).unwrap();
    let val = Dataset::from_directory(dir.path(), &o.clone().subset(Subset::Validation)).unwrap();
    assert_eq!((train.len(), val.len()), (8, 1));
    assert_eq!(train.paths(), &expect[..8]);
    assert_eq!(val.paths(), &expect[8..]);
    assert_eq!(
        train.summary(),
        "Found 9 files belonging to 3 classes.\nUsing 8 files for training."
    );
    let (t2, v2) = Dataset::from_directory_both(dir.path(), &o).unwrap();
    assert_eq!((t2.paths(), v2.paths()), (train.paths(), val.paths()));
    assert_eq!(v2.summary(), "Using 1 files for validation.");

    // Keras' argument checks.
    let no_seed = DatasetOptions::new().validation_split(0.2).subset(Subset::Training);
    assert!(Dataset::from_directory(dir.path(), &no_seed)
        .unwrap_err()
        .to_string()
        .contains("seed"));
    let no_subset = DatasetOptions::new().seed(1).validation_split(0.2);
    assert!(Dataset::from_directory(dir.path(), &no_subset).is_err());
    let tiny = DatasetOptions::new()
        .seed(1)
        .validation_split(0.05)
        .subset(Subset::Training);
    assert!(Dataset::from_directory(dir.path(), &tiny)
        .unwrap_err()
        .to_string()
        .contains("no validation file"));
    let bad = DatasetOptions::new()
        .seed(1)
        .validation_split(1.5)
        .subset(Subset::Training);
    assert!(Dataset::from_directory(dir.path(), &bad).is_err());
}

#[test]
fn dataset_batches_images_and_every_label_mode() {
    let dir = tempfile::tempdir().unwrap();
    make_tree(dir.path());
    let o = DatasetOptions::new().shuffle(false).image_size(7, 9).batch_size(4);
    let ds = Dataset::from_directory(dir.path(), &o).unwrap();
    assert_eq!(ds.num_batches(), 3);
    let mut seen = 0;
    let it = ds.batches();
    let recycler = it.recycler();
    let mut shapes = Vec::new();
    for b in it {
        let b = b.unwrap();
        shapes.push(b.images.shape().to_vec());
        assert_eq!(b.images.dtype(), SampleType::F32);
        let labels = b.labels.as_ref().unwrap();
        assert_eq!(labels.dtype(), SampleType::I32);
        assert_eq!(
            labels.as_slice::<i32>().unwrap(),
            &ds.labels().unwrap()[seen..seen + b.indices.len()]
        );
        // Each slot equals load_into of that file with the dataset's settings (JPEG: the fast
        // IDCT, TensorFlow's default, which the dataset uses unless told otherwise).
        for (k, &i) in b.indices.iter().enumerate() {
            let data = std::fs::read(&ds.paths()[i]).unwrap();
            let mut one = vec![0f32; 7 * 9 * 3];
            let out = pixcodec::ImageMut::from_samples(&mut one, 9, 7, Layout::Rgb).unwrap();
            let lo = LoadOptions::new()
                .interpolation(Interpolation::Bilinear)
                .antialias(false)
                .dct_method(DctMethod::Fast);
            ml::load_into(Registry::global(), &data, out, &lo).unwrap();
            assert_eq!(&b.images.as_slice::<f32>().unwrap()[k * 189..(k + 1) * 189], &one[..]);
        }
        seen += b.indices.len();
        recycler.recycle(b);
    }
    assert_eq!(seen, 9);
    assert_eq!(shapes, [vec![4, 7, 9, 3], vec![4, 7, 9, 3], vec![1, 7, 9, 3]]);

    // With the accurate IDCT the JPEG slot is what `load` gives by default (Pillow's IDCT).
    assert_eq!(DatasetOptions::new().dct_method, DctMethod::Fast);
    let acc = Dataset::from_directory(dir.path(), &o.clone().dct_method(DctMethod::Accurate)).unwrap();
    let jpg = acc.paths().iter().position(|p| p.ends_with("b/img2.JPG")).unwrap();
    let b = acc.batch(jpg / 4).unwrap();
    let mut one = vec![0f32; 7 * 9 * 3];
    let out = pixcodec::ImageMut::from_samples(&mut one, 9, 7, Layout::Rgb).unwrap();
    let lo = LoadOptions::new()
        .interpolation(Interpolation::Bilinear)
        .antialias(false);
    ml::load_into(Registry::global(), &std::fs::read(&acc.paths()[jpg]).unwrap(), out, &lo).unwrap();
    let k = jpg % 4;
    assert_eq!(&b.images.as_slice::<f32>().unwrap()[k * 189..(k + 1) * 189], &one[..]);

    let cat = Dataset::from_directory(dir.path(), &o.clone().label_mode(LabelMode::Categorical)).unwrap();
    let b = cat.batch(1).unwrap();
    let l = b.labels.unwrap();
    assert_eq!(l.shape(), &[4, 3]);
    assert_eq!(
        l.as_slice::<f32>().unwrap(),
        &[0., 1., 0., 0., 0., 1., 0., 0., 1., 0., 0., 1.]
    );

    let e = Dataset::from_directory(dir.path(), &o.clone().label_mode(LabelMode::Binary)).unwrap_err();
    assert!(e.to_string().contains("exactly 2"), "{e}");
    let bin = Dataset::from_directory(
        dir.path(),
        &o.clone()
            .label_mode(LabelMode::Binary)
            .class_names(vec!["b".into(), "a".into()]),
    )
    .unwrap();
    let l = bin.batch(0).unwrap().labels.unwrap();
    assert_eq!(l.shape(), &[4, 1]);
    assert_eq!(l.as_slice::<f32>().unwrap(), &[0., 0., 0., 1.]);

    let none = Dataset::from_directory(dir.path(), &o.clone().label_mode(LabelMode::None)).unwrap();
    assert!(none.batch(0).unwrap().labels.is_none());

    // Explicit labels: one per file of the whole tree (10 with the hidden folder).
    let given = vec![3, 1, 1, 0, 2, 2, 0, 1, 3, 3];
    let ex = Dataset::from_directory(dir.path(), &o.clone().labels(Labels::Explicit(given.clone()))).unwrap();
    assert_eq!(ex.class_names(), &["0", "1", "2", "3"]);
    assert_eq!(
        ex.batch(0).unwrap().labels.unwrap().as_slice::<i32>().unwrap(),
        &given[..4]
    );
    assert!(Dataset::from_directory(dir.path(), &o.clone().labels(Labels::Explicit(vec![1, 2]))).is_err());

    // U8 batches, gray, crop and pad modes produce the right shapes and types.
    for fit in [Fit::Stretch, Fit::CropToAspectRatio, Fit::PadToAspectRatio] {
        let u8o = o.clone().dtype(SampleType::U8).color_mode(ColorMode::Gray).fit(fit);
        let b = Dataset::from_directory(dir.path(), &u8o).unwrap().batch(0).unwrap();
        assert_eq!(b.images.shape(), &[4, 7, 9, 1]);
        assert_eq!(b.images.dtype(), SampleType::U8);
    }
    assert!(ds.batch(3).is_err());
}

#[test]
fn dataset_unreadable_files_fail_naming_them_or_are_skipped_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    make_tree(dir.path());
    std::fs::write(dir.path().join("b/broken.png"), b"\x89PNG\r\n\x1a\n garbage").unwrap();
    let o = DatasetOptions::new().shuffle(false).image_size(8, 8).batch_size(16);
    let ds = Dataset::from_directory(dir.path(), &o).unwrap();
    let e = ds.batch(0).unwrap_err();
    assert!(e.to_string().contains("broken.png"), "{e}");
    assert!(ds.batches().next().unwrap().is_err());

    let ds = Dataset::from_directory(dir.path(), &o.clone().on_error(OnError::Skip)).unwrap();
    let b = ds.batch(0).unwrap();
    assert_eq!(b.images.shape(), &[9, 8, 8, 3]);
    assert_eq!(b.skipped.len(), 1);
    assert!(b.skipped[0].0.ends_with("b/broken.png"));
    assert_eq!(
        b.labels.unwrap().as_slice::<i32>().unwrap(),
        &[0, 0, 1, 1, 1, 2, 2, 2, 2]
    );
    assert_eq!(b.indices, [0, 1, 3, 4, 5, 6, 7, 8, 9], "index 2 is b/broken.png");
}

#[cfg(unix)]
#[test]
fn dataset_follow_links_enters_symlinked_folders_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    make_tree(dir.path());
    let other = tempfile::tempdir().unwrap();
    std::fs::create_dir(other.path().join("more")).unwrap();
    write_png(
        &other.path().join("more/m.png"),
        &smooth(8, 8, fmt(Layout::Rgb, SampleType::U8)),
    );
    std::os::unix::fs::symlink(other.path().join("more"), dir.path().join("a/linked")).unwrap();
    let o = DatasetOptions::new().shuffle(false);
    assert_eq!(Dataset::from_directory(dir.path(), &o).unwrap().len(), 9);
    let ds = Dataset::from_directory(dir.path(), &o.clone().follow_links(true)).unwrap();
    assert_eq!(ds.len(), 10);
    assert!(rel(dir.path(), &ds).contains(&"a/linked/m.png".to_string()));
}

/// Samples decoded to fewer significant bits load as Keras (through Pillow) shows them: a
/// 1, 2 or 4-bit gray PNG or TIFF replicated to 0..=255, a PNG with sBIT replicated back to the
/// file's samples; a 12-bit TIFF keeps 0..=4095 (Pillow's `I;12`).
#[test]
fn significant_bits_load_as_pillow_shows_them() {
    let reg = Registry::global();
    let gray = LoadOptions::new().color_mode(ColorMode::Gray);
    for bits in [1u32, 2, 4] {
        let v: Vec<u8> = (0..6 * 4).map(|i| (i % (1 << bits)) as u8).collect();
        let img = Image::from_samples(6, 4, Layout::Gray, &v).unwrap();
        let scaled: Vec<u8> = v
            .iter()
            .map(|&x| (u32::from(x) * 255 / ((1 << bits) - 1)) as u8)
            .collect();
        for codec in ["png", "tiff"] {
            let opts = EncodeOptions::new().set("significant_bits", i64::from(bits));
            let data = reg.encode(img.as_ref(), codec, &opts).unwrap().data;
            assert!(reg.decode(&data, &Default::default()).unwrap() == img, "{codec} {bits}");
            let loaded = ml::load_bytes(&data, &gray).unwrap();
            assert_eq!(loaded.to_vec::<u8>().unwrap(), scaled, "{codec} {bits} bits");
        }
    }
    let v: Vec<u16> = vec![0, 1, 0xabc, 4095];
    let img = Image::from_samples(2, 2, Layout::Gray, &v).unwrap();
    let opts = EncodeOptions::new().set("significant_bits", 12i64);
    let png = reg.encode(img.as_ref(), "png", &opts).unwrap().data;
    let loaded = ml::load_bytes(&png, &gray).unwrap();
    let file: Vec<u16> = v.iter().map(|&x| (x << 4) | (x >> 8)).collect();
    assert_eq!(loaded.to_vec::<u16>().unwrap(), file);
    let tiff = reg.encode(img.as_ref(), "tiff", &opts).unwrap().data;
    assert_eq!(ml::load_bytes(&tiff, &gray).unwrap().to_vec::<u16>().unwrap(), v);
}

/// TensorFlow's `resize_bilinear` with half-pixel centres, written out per output sample in
/// `f32` (`tensorflow/core/kernels/image/resize_bilinear_op.cc`): the reference for Keras'
/// datasets, which resize with `tf.image.resize(..., antialias=False)`.
fn tf_bilinear(src: &[f32], (w, h, c): (usize, usize, usize), (ow, oh): (usize, usize)) -> Vec<f32> {
    let tap = |o: usize, out: usize, inp: usize| {
        let v = (o as f32 + 0.5) * (inp as f32 / out as f32) - 0.5;
        let lower = (v.floor() as i64).max(0) as usize;
        let upper = (v.ceil() as i64).min(inp as i64 - 1) as usize;
        (lower, upper, v - v.floor())
    };
    let mut out = Vec::with_capacity(ow * oh * c);
    for oy in 0..oh {
        let (t, b, yl) = tap(oy, oh, h);
        for ox in 0..ow {
            let (l, r, xl) = tap(ox, ow, w);
            for k in 0..c {
                let p = |y: usize, x: usize| src[(y * w + x) * c + k];
                let top = p(t, l) + (p(t, r) - p(t, l)) * xl;
                let bottom = p(b, l) + (p(b, r) - p(b, l)) * xl;
                out.push(top + (bottom - top) * yl);
            }
        }
    }
    out
}

#[test]
fn bilinear_without_antialias_into_f32_is_tensorflows_arithmetic_from_every_sample_type() {
    let dir = tempfile::tempdir().unwrap();
    for (w, h, ow, oh) in [
        (40u32, 30u32, 9u32, 7u32),
        (13, 17, 40, 33),
        (64, 48, 64, 20),
        (5, 3, 224, 224),
    ] {
        let mut img8 = smooth(w, h, fmt(Layout::Rgb, SampleType::U8));
        // Some texture, so that every weight matters.
        img8.as_bytes_mut()
            .iter_mut()
            .enumerate()
            .for_each(|(i, v)| *v = v.wrapping_add((i * 37 % 23) as u8));
        let f = convert::cast(&img8.as_ref(), SampleType::F32).unwrap();
        let want = tf_bilinear(
            f.as_slice::<f32>().unwrap(),
            (w as usize, h as usize, 3),
            (ow as usize, oh as usize),
        );
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let opts = LoadOptions::new()
            .interpolation(Interpolation::Bilinear)
            .antialias(false)
            .target_size(oh, ow);
        // From 8-bit and 16-bit files (no F32 copy of the source) and F32 to F32: bit for bit.
        let img16 = convert::cast(&img8.as_ref(), SampleType::U16).unwrap();
        for (name, src) in [("u8.png", &img8), ("u16.png", &img16)] {
            let p = dir.path().join(name);
            write_png(&p, src);
            let mut got = vec![0f32; (ow * oh * 3) as usize];
            let out = pixcodec::ImageMut::from_samples(&mut got, ow, oh, Layout::Rgb).unwrap();
            ml::load_into(Registry::global(), &std::fs::read(&p).unwrap(), out, &opts).unwrap();
            assert_eq!(bits(&got), bits(&want), "{name} {w}x{h} -> {ow}x{oh}");
        }
        let resized = ml::resize(&f.as_ref(), ow, oh, &ResizeOptions::new().antialias(false)).unwrap();
        assert_eq!(
            bits(resized.as_slice::<f32>().unwrap()),
            bits(&want),
            "f32 {w}x{h} -> {ow}x{oh}"
        );
    }
}
