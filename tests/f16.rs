//! `SampleType::F16` in the pixel model: the type itself, `cast` (range and NaN rules both
//! ways), `narrow` (the F16 < F32 < F64 ladder), `scale` and `compare`, with the special
//! values (NaN, ±infinity, subnormals, -0.0) checked bit for bit.

use pixcodec::convert::{self, Scale};
use pixcodec::{f16, ErrorKind, Image, Layout, PixelFormat, Sample, SampleType};

fn gray<T: Sample>(v: &[T]) -> Image {
    Image::from_samples(v.len() as u32, 1, Layout::Gray, v).unwrap()
}

fn halves(bits: &[u16]) -> Vec<f16> {
    bits.iter().map(|&b| f16::from_bits(b)).collect()
}

fn bits(img: &Image) -> Vec<u16> {
    img.to_vec::<f16>().unwrap().iter().map(|h| h.to_bits()).collect()
}

fn not_exact(r: pixcodec::Result<Image>) -> String {
    let e = r.expect_err("conversion should fail");
    assert_eq!(e.kind(), ErrorKind::NotExact, "{e}");
    e.to_string()
}

/// +0, -0, smallest and largest subnormal, smallest normal, 1, -2.5, largest finite (65504),
/// its negative, +inf, -inf.
const SPECIAL: [u16; 11] = [
    0x0000, 0x8000, 0x0001, 0x03ff, 0x0400, 0x3c00, 0xc100, 0x7bff, 0xfbff, 0x7c00, 0xfc00,
];

#[test]
fn the_type() {
    let t = SampleType::F16;
    assert_eq!(
        (t.size(), t.bits(), t.name(), t.is_float(), t.is_signed_int()),
        (2, 16, "F16", true, false)
    );
    assert_eq!(t.range(), (-65504.0, 65504.0));
    assert_eq!("f16".parse::<SampleType>().unwrap(), t);
    assert_eq!(
        *SampleType::ALL.last().unwrap(),
        t,
        "appended, the others keep their values"
    );
    assert_eq!(t as u8, 10);
    assert_eq!(<f16 as Sample>::TYPE, t);
    assert_eq!(pixcodec::with_sample_type!(t, T => std::mem::size_of::<T>()), 2);
    assert_eq!("Rgb F16".parse::<PixelFormat>().unwrap().bytes_per_pixel(), 6);
    let e = "f8".parse::<SampleType>().unwrap_err().to_string();
    assert!(e.contains("F16"), "{e}");
}

#[test]
fn widening_is_bit_exact_for_special_values() {
    let mut v = SPECIAL.to_vec();
    v.push(0x7e00); // quiet NaN
    let img = gray(&halves(&v));
    let f32s = convert::cast(&img.as_ref(), SampleType::F32)
        .unwrap()
        .to_vec::<f32>()
        .unwrap();
    let f64s = convert::cast(&img.as_ref(), SampleType::F64)
        .unwrap()
        .to_vec::<f64>()
        .unwrap();
    // Reference values from the IEEE layout: sign, 5-bit exponent (bias 15), 10-bit fraction.
    let reference = |b: u16| -> f64 {
        let sign = if b & 0x8000 != 0 { -1.0 } else { 1.0 };
        let (e, m) = (i32::from((b >> 10) & 0x1f), f64::from(b & 0x3ff));
        match e {
            0 => sign * m * 2f64.powi(-24),
            31 if m == 0.0 => sign * f64::INFINITY,
            31 => f64::NAN,
            _ => sign * (1.0 + m / 1024.0) * 2f64.powi(e - 15),
        }
    };
    for (i, &b) in v.iter().enumerate() {
        let r = reference(b);
        if r.is_nan() {
            assert!(f32s[i].is_nan() && f64s[i].is_nan(), "{b:#06x}");
        } else {
            assert_eq!(f64s[i].to_bits(), r.to_bits(), "{b:#06x}");
            assert_eq!(f32s[i].to_bits(), (r as f32).to_bits(), "{b:#06x}");
        }
    }
    assert_eq!(f64s[2], 2f64.powi(-24));
    assert_eq!(f64s[7], 65504.0);
    // And back: every value (NaN included) narrows to the same bits.
    for wide in [SampleType::F32, SampleType::F64] {
        let w = convert::cast(&img.as_ref(), wide).unwrap();
        let back = convert::cast(&w.as_ref(), SampleType::F16).unwrap();
        assert_eq!(bits(&back), v, "{wide}");
    }
}

#[test]
fn floats_to_f16_only_when_exact() {
    // Exact: halves of every kind, including the smallest subnormal and -0.0.
    let ok = gray::<f32>(&[-0.0, 2f32.powi(-24), 65504.0, -1.5, f32::INFINITY, f32::NAN]);
    let out = convert::cast(&ok.as_ref(), SampleType::F16).unwrap();
    let b = bits(&out);
    assert_eq!(&b[..5], &[0x8000, 0x0001, 0x7bff, 0xbe00, 0x7c00]);
    assert!(f16::from_bits(b[5]).is_nan());
    // Too precise, too large (65520 would round to infinity), below the smallest subnormal.
    for (values, first) in [
        (vec![1.0f32, 0.1, 0.3], "value 0.1 at x=1, y=0"),
        (vec![2.0, 65520.0], "value 65520 at x=1"),
        (vec![0.5, 1e-8], "value 0.00000001 at x=1"),
        (vec![2049.0], "value 2049 at x=0"),
    ] {
        let msg = not_exact(convert::cast(&gray(&values).as_ref(), SampleType::F16));
        assert!(msg.contains(first), "{msg}");
        assert!(msg.contains("F16") && msg.contains("65504"), "{msg}");
    }
    let msg = not_exact(convert::cast(
        &gray::<f64>(&[1.0 + 2f64.powi(-11)]).as_ref(),
        SampleType::F16,
    ));
    assert!(msg.contains("x=0"), "{msg}");
}

#[test]
fn f16_to_integers_is_range_checked() {
    let img = gray(&[
        f16::from_f32(3.0),
        f16::from_f32(-0.0),
        f16::from_f32(65504.0),
        f16::from_f32(2048.0),
    ]);
    let out = convert::cast(&img.as_ref(), SampleType::U16).unwrap();
    assert_eq!(out.to_vec::<u16>().unwrap(), vec![3, 0, 65504, 2048]);
    let out = convert::cast(&img.as_ref(), SampleType::I32).unwrap();
    assert_eq!(out.to_vec::<i32>().unwrap(), vec![3, 0, 65504, 2048]);
    // 65504 does not fit U8 or I16; the first offender is named.
    let msg = not_exact(convert::cast(&img.as_ref(), SampleType::U8));
    assert!(
        msg.contains("value 2048 at x=2") || msg.contains("value 65504 at x=2"),
        "{msg}"
    );
    assert!(msg.contains("0..=255"), "{msg}");
    let msg = not_exact(convert::cast(&img.as_ref(), SampleType::I16));
    assert!(msg.contains("x=2"), "{msg}");
    for (v, why) in [
        (2.5f32, "is not an integer"),
        (f32::NAN, "is not finite"),
        (f32::NEG_INFINITY, "is not finite"),
        (-1.0, "outside the U64 range"),
    ] {
        let img = gray(&[f16::from_f32(1.0), f16::from_f32(v)]);
        let msg = not_exact(convert::cast(&img.as_ref(), SampleType::U64));
        assert!(msg.contains("at x=1, y=0") && msg.contains(why), "{v}: {msg}");
    }
    let sub = gray(&halves(&[0x0001]));
    assert!(not_exact(convert::cast(&sub.as_ref(), SampleType::I8)).contains("is not an integer"));
}

#[test]
fn integers_to_f16_only_when_representable() {
    // Every integer up to 2048 is a half; above, only multiples of growing powers of two.
    let img = gray::<u16>(&[0, 2048, 4096, 4100, 65504]);
    let out = convert::cast(&img.as_ref(), SampleType::F16).unwrap();
    assert_eq!(
        out.to_vec::<f16>()
            .unwrap()
            .iter()
            .map(|h| h.to_f64())
            .collect::<Vec<_>>(),
        vec![0.0, 2048.0, 4096.0, 4100.0, 65504.0]
    );
    for (values, first) in [
        (vec![2048u32, 2049, 7], "value 2049 at x=1"),
        (vec![1, 4098], "value 4098 at x=1"),
        (vec![65504, 65535], "value 65535 at x=1"),
        (vec![u32::MAX], "value 4294967295 at x=0"),
    ] {
        let msg = not_exact(convert::cast(&gray(&values).as_ref(), SampleType::F16));
        assert!(
            msg.contains(first) && msg.contains("not exactly representable in F16"),
            "{msg}"
        );
    }
    let img = gray::<i64>(&[-2048, -65504, i64::MIN]);
    let msg = not_exact(convert::cast(&img.as_ref(), SampleType::F16));
    assert!(msg.contains(&format!("value {} at x=2", i64::MIN)), "{msg}");
    let img = gray::<u64>(&[u64::MAX]);
    not_exact(convert::cast(&img.as_ref(), SampleType::F16));
    // check_cast agrees without allocating.
    assert!(convert::check_cast(&gray::<i8>(&[-128, 127]).as_ref(), SampleType::F16).is_ok());
    assert!(convert::check_cast(&gray::<u16>(&[2049]).as_ref(), SampleType::F16).is_err());
}

#[test]
fn narrow_climbs_the_float_ladder() {
    // Every value (specials included) is a half: F64 and F32 narrow to F16, bit-exact.
    let specials: Vec<f64> = halves(&SPECIAL).iter().map(|h| h.to_f64()).chain([f64::NAN]).collect();
    let img = gray(&specials);
    assert_eq!(convert::narrowest_type(&img.as_ref()), SampleType::F16);
    let n = convert::narrow(&img.as_ref()).unwrap();
    assert_eq!(n.format().sample, SampleType::F16);
    let b = bits(&n);
    assert_eq!(&b[..SPECIAL.len()], &SPECIAL);
    assert!(f16::from_bits(b[SPECIAL.len()]).is_nan());
    let f32s: Vec<f32> = specials.iter().map(|&v| v as f32).collect();
    assert_eq!(convert::narrowest_type(&gray(&f32s).as_ref()), SampleType::F16);
    // 1e5 is past the half range, 0.1f32 has too many significant bits: F32.
    assert_eq!(
        convert::narrowest_type(&gray::<f64>(&[0.5, 1e5]).as_ref()),
        SampleType::F32
    );
    assert_eq!(
        convert::narrowest_type(&gray::<f64>(&[0.1f32 as f64]).as_ref()),
        SampleType::F32
    );
    assert_eq!(
        convert::narrowest_type(&gray::<f32>(&[0.5, 0.1]).as_ref()),
        SampleType::F32
    );
    assert_eq!(convert::narrowest_type(&gray::<f64>(&[0.1]).as_ref()), SampleType::F64);
    // F16 has nothing below it; narrow_to names the first value that does not fit.
    let h = gray(&halves(&[0x3c00, 0x0001]));
    assert_eq!(convert::narrow(&h.as_ref()).unwrap(), h);
    let msg = not_exact(convert::narrow_to(&gray::<f32>(&[1.0, 1e-3]).as_ref(), SampleType::F16));
    assert!(msg.contains("narrowing") && msg.contains("value 0.001 at x=1"), "{msg}");
}

#[test]
fn scale_to_and_from_f16() {
    let img = gray::<u8>(&[0, 51, 255]);
    let out = convert::scale(&img.as_ref(), SampleType::F16, Scale::MinMax).unwrap();
    // Float targets get 0..1, each value the nearest half.
    assert_eq!(
        out.to_vec::<f16>().unwrap(),
        vec![f16::ZERO, f16::from_f64(0.2), f16::ONE]
    );
    let img = gray(&[f16::from_f32(-1.0), f16::from_f32(0.0), f16::from_f32(1.0)]);
    let out = convert::scale(&img.as_ref(), SampleType::U8, Scale::range(-1.0, 1.0)).unwrap();
    assert_eq!(out.to_vec::<u8>().unwrap(), vec![0, 128, 255]);
    let out = convert::scale(&img.as_ref(), SampleType::F16, Scale::range(-1.0, 1.0).to(0.0, 60000.0)).unwrap();
    assert_eq!(
        out.to_vec::<f16>().unwrap(),
        vec![f16::ZERO, f16::from_f32(30000.0), f16::from_f32(60000.0)]
    );
    // An output range outside the half range is refused; NaN input is named.
    let e = convert::scale(&img.as_ref(), SampleType::F16, Scale::range(-1.0, 1.0).to(0.0, 1e5)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
    assert!(e.to_string().contains("65504"), "{e}");
    let nan = gray(&[f16::ONE, f16::NAN]);
    let msg = not_exact(convert::scale(&nan.as_ref(), SampleType::U8, Scale::MinMax));
    assert!(msg.contains("NaN at x=1, y=0"), "{msg}");
}

#[test]
fn compare_f16() {
    let a = gray(&halves(&[0x3c00, 0x0001, 0x8000]));
    let v = pixcodec::compare::compare(&a.as_ref(), &a.as_ref()).unwrap();
    assert!(v.identical);
    // -0.0 and +0.0 differ in bits, by 0 in value; 1.0 -> 1.5 differs by 0.5.
    let b = gray(&halves(&[0x3e00, 0x0001, 0x0000]));
    let v = pixcodec::compare::compare(&a.as_ref(), &b.as_ref()).unwrap();
    assert!(!v.identical);
    assert_eq!(v.max_abs_diff, 0.5);
    assert!(
        (v.psnr_db - 10.0 * (1.0 / (0.25 / 3.0f64)).log10()).abs() < 1e-9,
        "{}",
        v.psnr_db
    );
    let c = gray(&halves(&[0x7e00, 0x0001, 0x8000]));
    assert_eq!(
        pixcodec::compare::compare(&a.as_ref(), &c.as_ref())
            .unwrap()
            .max_abs_diff,
        f64::INFINITY
    );
}

/// A finite Rgb F16 image (the conformance kit's generator keeps halves finite).
fn rgb_halves(w: u32, h: u32) -> Image {
    pixcodec::testkit::generate(w, h, PixelFormat::new(Layout::Rgb, SampleType::F16), 5)
}

#[test]
fn ml_load_widens_f16_to_f32_when_resizing() {
    use pixcodec::ml::{self, LoadOptions, ResizeOptions};
    let img = rgb_halves(40, 30);
    let tif = pixcodec::encode(img.as_ref(), "tiff", &pixcodec::EncodeOptions::new())
        .unwrap()
        .data;
    // Without a target size the file's own type comes back.
    assert_eq!(ml::load_bytes(&tif, &LoadOptions::new()).unwrap(), img);
    let wide = convert::cast(&img.as_ref(), SampleType::F32).unwrap();
    // A target size of the file's own size: F32, the exact widening of every value.
    let same = ml::load_bytes(&tif, &LoadOptions::new().target_size(30, 40)).unwrap();
    assert_eq!(same, wide);
    // Resized: F32, as resizing the widened image directly.
    let small = ml::load_bytes(&tif, &LoadOptions::new().target_size(12, 17)).unwrap();
    assert_eq!(small.format(), PixelFormat::new(Layout::Rgb, SampleType::F32));
    let want = ml::resize(&wide.as_ref(), 17, 12, &LoadOptions::new().resize).unwrap();
    assert_eq!(small, want);
    // Resizing F16 directly says what to do.
    let e = ml::resize(&img.as_ref(), 17, 12, &ResizeOptions::new()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert!(e.to_string().contains("cast to F32"), "{e}");
    // img_to_array into F32: exact, channels last and first.
    let a = ml::to_array(&img.as_ref(), SampleType::F32, ml::ChannelOrder::Last).unwrap();
    assert_eq!(a.as_bytes(), wide.as_bytes());
    let a = ml::to_array(&img.as_ref(), SampleType::F32, ml::ChannelOrder::First).unwrap();
    assert_eq!(a.shape(), [3, 30, 40]);
}

#[test]
fn ml_dataset_of_f16_tiffs_gives_f32_batches() {
    use pixcodec::ml::{Dataset, DatasetOptions};
    let dir = tempfile::tempdir().unwrap();
    let mut images = Vec::new();
    for (class, seed) in [("a", 1u64), ("b", 2)] {
        std::fs::create_dir(dir.path().join(class)).unwrap();
        let img = pixcodec::testkit::generate(8, 6, PixelFormat::new(Layout::Rgb, SampleType::F16), seed);
        pixcodec::write(
            img.as_ref(),
            dir.path().join(class).join("x.tif"),
            &pixcodec::EncodeOptions::new(),
        )
        .unwrap();
        images.push(img);
    }
    let opts = DatasetOptions::new().image_size(6, 8).shuffle(false).batch_size(2);
    let ds = Dataset::from_directory(dir.path(), &opts).unwrap();
    let batch = ds.batch(0).unwrap();
    assert_eq!(batch.images.dtype(), SampleType::F32);
    assert_eq!(batch.images.shape(), [2, 6, 8, 3]);
    let want: Vec<u8> = images
        .iter()
        .flat_map(|i| convert::cast(&i.as_ref(), SampleType::F32).unwrap().as_bytes().to_vec())
        .collect();
    assert_eq!(batch.images.as_bytes(), want);
}
