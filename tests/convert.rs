//! Tests for the explicit conversions (`pixcodec::convert`).

use pixcodec::convert::{self, Alpha, Scale};
use pixcodec::{ErrorKind, Image, ImageRef, Layout, PixelFormat, Sample, SampleType};
use proptest::prelude::*;

fn gray<T: Sample>(w: u32, h: u32, v: &[T]) -> Image {
    Image::from_samples(w, h, Layout::Gray, v).unwrap()
}

fn not_exact_message(r: pixcodec::Result<Image>) -> String {
    let e = r.expect_err("conversion should fail");
    assert_eq!(e.kind(), ErrorKind::NotExact, "{e}");
    e.to_string()
}

/// A copy of `img` with `pad` bytes of 0xAB after every row, and the view on it.
fn padded(img: &Image, pad: usize) -> (Vec<u8>, usize) {
    let rb = img.row_bytes();
    let stride = rb + pad;
    let mut buf = vec![0xABu8; stride * img.height() as usize];
    for y in 0..img.height() {
        let s = y as usize * stride;
        buf[s..s + rb].copy_from_slice(img.row(y));
    }
    (buf, stride)
}

#[test]
fn cast_u16_to_u8_ok_when_all_fit() {
    let img = gray::<u16>(3, 2, &[0, 1, 255, 7, 128, 254]);
    let out = convert::cast(&img.as_ref(), SampleType::U8).unwrap();
    assert_eq!(out.format(), PixelFormat::new(Layout::Gray, SampleType::U8));
    assert_eq!(out.to_vec::<u8>().unwrap(), vec![0, 1, 255, 7, 128, 254]);
    assert_eq!(out.stride(), 3);
}

#[test]
fn cast_u16_to_u8_names_first_offender() {
    // 300 at x=1, y=1 comes before 999 at x=2, y=1 in scan order.
    let img = Image::from_samples::<u16>(
        3,
        2,
        Layout::Rgb,
        &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 300, 15, 999, 1, 1],
    )
    .unwrap();
    let msg = not_exact_message(convert::cast(&img.as_ref(), SampleType::U8));
    assert!(msg.contains("value 300 "), "{msg}");
    assert!(msg.contains("x=1, y=1, channel 1 (G)"), "{msg}");
    assert!(msg.contains("0..=255"), "{msg}");
    assert!(!msg.contains("999"), "{msg}");
    // check_cast reports the same thing without producing an image.
    let e = convert::check_cast(&img.as_ref(), SampleType::U8).unwrap_err();
    assert_eq!(e.to_string(), msg);
    assert!(convert::check_cast(&img.as_ref(), SampleType::U32).is_ok());
}

#[test]
fn cast_negative_i16_to_u16_fails() {
    let img = gray::<i16>(2, 2, &[0, 5, 32767, -3]);
    let msg = not_exact_message(convert::cast(&img.as_ref(), SampleType::U16));
    assert!(msg.contains("value -3 at x=1, y=1, channel 0 (gray)"), "{msg}");
    let ok = gray::<i16>(2, 1, &[0, 32767]);
    assert_eq!(
        convert::cast(&ok.as_ref(), SampleType::U16)
            .unwrap()
            .to_vec::<u16>()
            .unwrap(),
        vec![0, 32767]
    );
}

#[test]
fn cast_float_to_int_requires_integers() {
    let img = gray::<f32>(2, 1, &[2.0, 1.5]);
    let msg = not_exact_message(convert::cast(&img.as_ref(), SampleType::U8));
    assert!(msg.contains("value 1.5 at x=1, y=0"), "{msg}");
    assert!(msg.contains("not an integer"), "{msg}");

    let img = gray::<f32>(3, 1, &[2.0, 0.0, 255.0]);
    assert_eq!(
        convert::cast(&img.as_ref(), SampleType::U8)
            .unwrap()
            .to_vec::<u8>()
            .unwrap(),
        vec![2, 0, 255]
    );

    for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        let img = gray::<f32>(1, 1, &[bad]);
        let msg = not_exact_message(convert::cast(&img.as_ref(), SampleType::I64));
        assert!(msg.contains("not finite"), "{msg}");
    }
    let img = gray::<f32>(1, 1, &[256.0]);
    assert!(not_exact_message(convert::cast(&img.as_ref(), SampleType::U8)).contains("value 256 "));
}

#[test]
fn cast_float_precision_checks() {
    // f64 -> f32 only when exactly representable; NaN and infinities carry over.
    let img = gray::<f64>(4, 1, &[0.5, -2.0, f64::INFINITY, f64::NAN]);
    let out = convert::cast(&img.as_ref(), SampleType::F32)
        .unwrap()
        .to_vec::<f32>()
        .unwrap();
    assert_eq!(&out[..3], &[0.5, -2.0, f32::INFINITY]);
    assert!(out[3].is_nan());
    let img = gray::<f64>(2, 1, &[0.5, 0.1]);
    let msg = not_exact_message(convert::cast(&img.as_ref(), SampleType::F32));
    assert!(msg.contains("value 0.1 at x=1") && msg.contains("F32"), "{msg}");
    let img = gray::<f64>(1, 1, &[1e300]);
    not_exact_message(convert::cast(&img.as_ref(), SampleType::F32));

    // Integers into floats: 2^24 + 1 is not an f32, 2^53 + 1 not an f64.
    let img = gray::<u32>(2, 1, &[1 << 24, (1 << 24) + 1]);
    let msg = not_exact_message(convert::cast(&img.as_ref(), SampleType::F32));
    assert!(msg.contains("value 16777217 at x=1"), "{msg}");
    assert_eq!(
        convert::cast(&img.as_ref(), SampleType::F64)
            .unwrap()
            .to_vec::<f64>()
            .unwrap(),
        vec![16777216.0, 16777217.0]
    );
    let img = gray::<u64>(3, 1, &[1 << 53, (1 << 53) + 1, u64::MAX]);
    let msg = not_exact_message(convert::cast(&img.as_ref(), SampleType::F64));
    assert!(msg.contains("value 9007199254740993 at x=1"), "{msg}");
    let img = gray::<u64>(1, 1, &[u64::MAX]);
    not_exact_message(convert::cast(&img.as_ref(), SampleType::F64));
    // Around 2^63 and 2^64, where float-to-int conversions saturate.
    let img = gray::<u64>(2, 1, &[1 << 63, u64::MAX - 1023]);
    let v = convert::cast(&img.as_ref(), SampleType::F64).unwrap_err().to_string();
    assert!(v.contains(&format!("value {} at x=1", u64::MAX - 1023)), "{v}");
    let img = gray::<u64>(2, 1, &[1 << 63, (1 << 63) + (1 << 40)]);
    assert_eq!(
        convert::cast(&img.as_ref(), SampleType::F32)
            .unwrap()
            .to_vec::<f32>()
            .unwrap(),
        vec![9223372036854775808.0, 9223373136366403584.0]
    );
    let img = gray::<i64>(2, 1, &[i64::MIN, i64::MAX]);
    let msg = not_exact_message(convert::cast(&img.as_ref(), SampleType::F32));
    assert!(msg.contains(&format!("value {} at x=1", i64::MAX)), "{msg}");
    let img = gray::<i64>(1, 1, &[i64::MIN]);
    assert_eq!(
        convert::cast(&img.as_ref(), SampleType::F64)
            .unwrap()
            .to_vec::<f64>()
            .unwrap(),
        vec![-9223372036854775808.0]
    );
    // The extremes of the 64-bit types are handled without overflow.
    let img = gray::<i64>(2, 1, &[i64::MIN, i64::MAX]);
    assert!(not_exact_message(convert::cast(&img.as_ref(), SampleType::U64)).contains(&i64::MIN.to_string()));
    let img = gray::<u64>(1, 1, &[u64::MAX]);
    assert!(not_exact_message(convert::cast(&img.as_ref(), SampleType::I64)).contains(&u64::MAX.to_string()));
    // f64 2^63 is one above i64::MAX.
    let img = gray::<f64>(2, 1, &[-9223372036854775808.0, 9223372036854775808.0]);
    let msg = not_exact_message(convert::cast(&img.as_ref(), SampleType::I64));
    assert!(msg.contains("x=1"), "{msg}");
    let img = gray::<f64>(1, 1, &[-0.0]);
    assert_eq!(
        convert::cast(&img.as_ref(), SampleType::U8)
            .unwrap()
            .to_vec::<u8>()
            .unwrap(),
        vec![0]
    );
}

#[test]
fn cast_same_type_is_a_copy_and_keeps_layout() {
    let img = Image::from_samples::<u8>(2, 1, Layout::Rgba, &[1, 2, 3, 4, 5, 6, 7, 8]).unwrap();
    assert_eq!(convert::cast(&img.as_ref(), SampleType::U8).unwrap(), img);
    let wide = convert::cast(&img.as_ref(), SampleType::I16).unwrap();
    assert_eq!(wide.format(), PixelFormat::new(Layout::Rgba, SampleType::I16));
    assert_eq!(wide.to_vec::<i16>().unwrap(), vec![1, 2, 3, 4, 5, 6, 7, 8]);
}

#[test]
fn narrow_labels() {
    let labels: Vec<u32> = (1..=36).collect();
    let img = Image::from_samples(6, 6, Layout::Gray, &labels).unwrap();
    assert_eq!(convert::narrowest_type(&img.as_ref()), SampleType::U8);
    let n = convert::narrow(&img.as_ref()).unwrap();
    assert_eq!(n.format().sample, SampleType::U8);
    assert_eq!(n.to_vec::<u8>().unwrap(), (1..=36).collect::<Vec<u8>>());

    let mut big = labels.clone();
    big[20] = 70000;
    let img = Image::from_samples(6, 6, Layout::Gray, &big).unwrap();
    let n = convert::narrow(&img.as_ref()).unwrap();
    assert_eq!(n.format().sample, SampleType::U32);
    assert_eq!(n.to_vec::<u32>().unwrap(), big);
    let msg = not_exact_message(convert::narrow_to(&img.as_ref(), SampleType::U16));
    assert!(msg.contains("narrowing"), "{msg}");
    assert!(msg.contains("value 70000 at x=2, y=3"), "{msg}");

    // 300 fits U16 but not U8.
    big[20] = 300;
    let img = Image::from_samples(6, 6, Layout::Gray, &big).unwrap();
    assert_eq!(convert::narrow(&img.as_ref()).unwrap().format().sample, SampleType::U16);
    assert_eq!(
        convert::narrow_to(&img.as_ref(), SampleType::U16)
            .unwrap()
            .to_vec::<u16>()
            .unwrap(),
        big.iter().map(|&v| v as u16).collect::<Vec<_>>()
    );
}

#[test]
fn narrow_keeps_kind() {
    let img = gray::<i32>(3, 1, &[-100, 0, 127]);
    assert_eq!(convert::narrowest_type(&img.as_ref()), SampleType::I8);
    let img = gray::<i64>(2, 1, &[0, 40000]);
    assert_eq!(convert::narrowest_type(&img.as_ref()), SampleType::I32);
    let img = gray::<i16>(2, 1, &[0, 128]);
    assert_eq!(convert::narrowest_type(&img.as_ref()), SampleType::I16);
    // Floats climb F16 < F32 < F64 (tests/f16.rs covers the F16 rung).
    let img = gray::<f64>(2, 1, &[0.25, -3e5]);
    assert_eq!(
        convert::narrow(&img.as_ref()).unwrap().to_vec::<f32>().unwrap(),
        vec![0.25, -3e5]
    );
    let img = gray::<f64>(2, 1, &[0.25, 0.1]);
    assert_eq!(convert::narrow(&img.as_ref()).unwrap().format().sample, SampleType::F64);
    let img = gray::<u8>(1, 1, &[9]);
    assert_eq!(convert::narrow(&img.as_ref()).unwrap(), img);
}

#[test]
fn scale_minmax_is_keras() {
    let img = gray::<u32>(6, 1, &[0, 1, 2, 3, 4, 5]);
    let out = convert::scale(&img.as_ref(), SampleType::U8, Scale::MinMax).unwrap();
    assert_eq!(out.to_vec::<u8>().unwrap(), vec![0, 51, 102, 153, 204, 255]);
    // Offset data: min maps to 0, max to 255.
    let img = gray::<i16>(3, 1, &[-10, 0, 10]);
    let out = convert::scale(&img.as_ref(), SampleType::U8, Scale::MinMax).unwrap();
    assert_eq!(out.to_vec::<u8>().unwrap(), vec![0, 128, 255]); // 127.5 rounds half to even -> 128
                                                                // Float targets get 0..1.
    let out = convert::scale(&img.as_ref(), SampleType::F32, Scale::MinMax).unwrap();
    assert_eq!(out.to_vec::<f32>().unwrap(), vec![0.0, 0.5, 1.0]);
    // Signed targets get their full range.
    let out = convert::scale(&img.as_ref(), SampleType::I8, Scale::MinMax).unwrap();
    assert_eq!(out.to_vec::<i8>().unwrap(), vec![-128, 0, 127]); // -0.5 -> 0 (half to even)
                                                                 // Constant image maps to the low end (0), as Keras.
    let img = gray::<f32>(2, 1, &[7.5, 7.5]);
    let out = convert::scale(&img.as_ref(), SampleType::U8, Scale::MinMax).unwrap();
    assert_eq!(out.to_vec::<u8>().unwrap(), vec![0, 0]);
    // Non-finite data is an error naming it.
    let img = gray::<f32>(2, 1, &[1.0, f32::NAN]);
    let msg = not_exact_message(convert::scale(&img.as_ref(), SampleType::U8, Scale::MinMax));
    assert!(msg.contains("NaN at x=1, y=0"), "{msg}");
}

#[test]
fn scale_range_rounds_half_to_even_and_rejects_out_of_range() {
    let img = gray::<f32>(5, 1, &[0.0, 0.5, 1.0, 0.25, 0.75]);
    let out = convert::scale(&img.as_ref(), SampleType::U8, Scale::range(0.0, 1.0)).unwrap();
    // 127.5 -> 128, 63.75 -> 64, 191.25 -> 191.
    assert_eq!(out.to_vec::<u8>().unwrap(), vec![0, 128, 255, 64, 191]);
    // Half to even, not half away from zero: 0..4 -> 0..1 gives 0.5 and 2.5 at 1 and 5.
    let img = gray::<u8>(3, 1, &[1, 2, 5]);
    let out = convert::scale(&img.as_ref(), SampleType::U8, Scale::range(0.0, 10.0).to(0.0, 5.0)).unwrap();
    assert_eq!(out.to_vec::<u8>().unwrap(), vec![0, 1, 2]);
    // U16 full range onto U8 full range.
    let img = gray::<u16>(3, 1, &[0, 65535, 32896]);
    let out = convert::scale(&img.as_ref(), SampleType::U8, Scale::range(0.0, 65535.0)).unwrap();
    assert_eq!(out.to_vec::<u8>().unwrap(), vec![0, 255, 128]);

    let img = gray::<f32>(3, 2, &[0.0, 0.5, 1.0, 0.2, 1.25, -1.0]);
    let msg = not_exact_message(convert::scale(&img.as_ref(), SampleType::U8, Scale::range(0.0, 1.0)));
    assert!(msg.contains("value 1.25 at x=1, y=1"), "{msg}");
    assert!(msg.contains("clip"), "{msg}");
    // With clip the out-of-range values are clamped on purpose.
    let out = convert::scale(&img.as_ref(), SampleType::U8, Scale::range(0.0, 1.0).clip()).unwrap();
    assert_eq!(out.to_vec::<u8>().unwrap(), vec![0, 128, 255, 51, 255, 0]);
    // Bad ranges are invalid arguments.
    for bad in [
        Scale::range(1.0, 1.0),
        Scale::range(0.0, f64::NAN),
        Scale::range(0.0, 1.0).to(0.0, 300.0),
    ] {
        let e = convert::scale(&img.as_ref(), SampleType::U8, bad).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
    }
}

#[test]
fn to_gray_matches_pillow() {
    let triples: [[u8; 3]; 8] = [
        [255, 0, 0],
        [0, 255, 0],
        [0, 0, 255],
        [10, 20, 30],
        [255, 255, 255],
        [0, 0, 0],
        [128, 128, 128],
        [200, 100, 50],
    ];
    // Pillow: L = (R*19595 + G*38470 + B*7471 + 0x8000) >> 16
    let expected: Vec<u8> = vec![76, 150, 29, 18, 255, 0, 128, 124];
    let flat: Vec<u8> = triples.iter().flatten().copied().collect();
    let img = Image::from_samples(4, 2, Layout::Rgb, &flat).unwrap();
    let g = convert::to_gray(&img.as_ref()).unwrap();
    assert_eq!(g.format(), PixelFormat::new(Layout::Gray, SampleType::U8));
    assert_eq!(g.to_vec::<u8>().unwrap(), expected);

    // Rgba keeps alpha.
    let rgba: Vec<u8> = triples
        .iter()
        .zip(0u8..)
        .flat_map(|(t, a)| [t[0], t[1], t[2], a * 30])
        .collect();
    let img = Image::from_samples(8, 1, Layout::Rgba, &rgba).unwrap();
    let g = convert::to_gray(&img.as_ref()).unwrap();
    assert_eq!(g.format().layout, Layout::GrayAlpha);
    let v = g.to_vec::<u8>().unwrap();
    for (i, px) in v.chunks(2).enumerate() {
        assert_eq!(px, [expected[i], i as u8 * 30]);
    }

    // Extremes of other integer types stay in range; floats use the exact weights.
    let img = Image::from_samples::<u16>(2, 1, Layout::Rgb, &[65535, 65535, 65535, 65535, 0, 0]).unwrap();
    assert_eq!(
        convert::to_gray(&img.as_ref()).unwrap().to_vec::<u16>().unwrap(),
        vec![65535, 19595]
    );
    let img = Image::from_samples::<i64>(
        2,
        1,
        Layout::Rgb,
        &[i64::MIN, i64::MIN, i64::MIN, i64::MAX, i64::MAX, i64::MAX],
    )
    .unwrap();
    assert_eq!(
        convert::to_gray(&img.as_ref()).unwrap().to_vec::<i64>().unwrap(),
        vec![i64::MIN, i64::MAX]
    );
    let img = Image::from_samples::<f64>(1, 1, Layout::Rgb, &[1.0, 0.5, 0.25]).unwrap();
    let v = convert::to_gray(&img.as_ref()).unwrap().to_vec::<f64>().unwrap();
    assert_eq!(v, vec![0.299 + 0.587 * 0.5 + 0.114 * 0.25]);

    let img = gray::<u8>(1, 1, &[1]);
    assert_eq!(
        convert::to_gray(&img.as_ref()).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
}

#[test]
fn channel_conversions_are_exact() {
    let img = gray::<u16>(3, 1, &[1, 500, 65535]);
    let rgb = convert::gray_to_rgb(&img.as_ref()).unwrap();
    assert_eq!(rgb.format().layout, Layout::Rgb);
    assert_eq!(
        rgb.to_vec::<u16>().unwrap(),
        vec![1, 1, 1, 500, 500, 500, 65535, 65535, 65535]
    );
    // Gray of replicated gray is the same gray (weights sum to one).
    assert_eq!(convert::to_gray(&rgb.as_ref()).unwrap(), img);

    let ga = convert::add_alpha(&img.as_ref(), Alpha::Opaque).unwrap();
    assert_eq!(ga.format().layout, Layout::GrayAlpha);
    assert_eq!(ga.to_vec::<u16>().unwrap(), vec![1, 65535, 500, 65535, 65535, 65535]);
    assert_eq!(convert::drop_alpha(&ga.as_ref()).unwrap(), img);
    let rgba = convert::gray_to_rgb(&ga.as_ref()).unwrap();
    assert_eq!(rgba.format().layout, Layout::Rgba);
    assert_eq!(
        &rgba.to_vec::<u16>().unwrap()[..8],
        &[1, 1, 1, 65535, 500, 500, 500, 65535]
    );

    let rgb8 = Image::from_samples::<u8>(2, 1, Layout::Rgb, &[1, 2, 3, 4, 5, 6]).unwrap();
    let rgba8 = convert::add_alpha(&rgb8.as_ref(), Alpha::Value(7.0)).unwrap();
    assert_eq!(rgba8.to_vec::<u8>().unwrap(), vec![1, 2, 3, 7, 4, 5, 6, 7]);
    assert_eq!(convert::drop_alpha(&rgba8.as_ref()).unwrap(), rgb8);
    assert_eq!(
        convert::add_alpha(&rgb8.as_ref(), Alpha::Value(300.0))
            .unwrap_err()
            .kind(),
        ErrorKind::NotExact
    );
    let f = gray::<f32>(1, 1, &[0.25]);
    assert_eq!(
        convert::add_alpha(&f.as_ref(), Alpha::Opaque)
            .unwrap()
            .to_vec::<f32>()
            .unwrap(),
        vec![0.25, 1.0]
    );
    let i = gray::<i8>(1, 1, &[-5]);
    assert_eq!(
        convert::add_alpha(&i.as_ref(), Alpha::Opaque)
            .unwrap()
            .to_vec::<i8>()
            .unwrap(),
        vec![-5, 127]
    );

    // Wrong layouts are explicit errors.
    assert_eq!(
        convert::drop_alpha(&rgb8.as_ref()).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        convert::add_alpha(&rgba8.as_ref(), Alpha::Opaque).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        convert::gray_to_rgb(&rgb8.as_ref()).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );

    // swap_rb: RGB <-> BGR, twice is identity.
    let bgr = convert::swap_rb(&rgba8.as_ref()).unwrap();
    assert_eq!(bgr.to_vec::<u8>().unwrap(), vec![3, 2, 1, 7, 6, 5, 4, 7]);
    assert_eq!(convert::swap_rb(&bgr.as_ref()).unwrap(), rgba8);
    let rgb16 = Image::from_samples::<u16>(1, 1, Layout::Rgb, &[0x0102, 0x0304, 0x0506]).unwrap();
    assert_eq!(
        convert::swap_rb(&rgb16.as_ref()).unwrap().to_vec::<u16>().unwrap(),
        vec![0x0506, 0x0304, 0x0102]
    );
    assert_eq!(
        convert::swap_rb(&img.as_ref()).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
}

#[test]
fn to_layout_dispatches_and_rejects_cmyk() {
    let rgba = Image::from_samples::<u8>(2, 1, Layout::Rgba, &[255, 0, 0, 9, 10, 20, 30, 8]).unwrap();
    let check = |to: Layout, want: &[u8]| {
        let out = convert::to_layout(&rgba.as_ref(), to).unwrap();
        assert_eq!(out.format().layout, to);
        assert_eq!(out.to_vec::<u8>().unwrap(), want, "Rgba -> {to}");
    };
    check(Layout::Rgba, &[255, 0, 0, 9, 10, 20, 30, 8]);
    check(Layout::Rgb, &[255, 0, 0, 10, 20, 30]);
    check(Layout::GrayAlpha, &[76, 9, 18, 8]);
    check(Layout::Gray, &[76, 18]);
    let g = gray::<u8>(2, 1, &[3, 4]);
    let out = convert::to_layout(&g.as_ref(), Layout::Rgba).unwrap();
    assert_eq!(out.to_vec::<u8>().unwrap(), vec![3, 3, 3, 255, 4, 4, 4, 255]);
    let rgb = Image::from_samples::<u8>(1, 1, Layout::Rgb, &[10, 20, 30]).unwrap();
    let out = convert::to_layout(&rgb.as_ref(), Layout::GrayAlpha).unwrap();
    assert_eq!(out.to_vec::<u8>().unwrap(), vec![18, 255]);

    let cmyk = Image::from_samples::<u8>(1, 1, Layout::Cmyk, &[1, 2, 3, 4]).unwrap();
    for to in [Layout::Rgb, Layout::Gray, Layout::Rgba] {
        let e = convert::to_layout(&cmyk.as_ref(), to).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
        assert!(e.to_string().contains("Cmyk"), "{e}");
    }
    assert_eq!(
        convert::to_layout(&rgb.as_ref(), Layout::Cmyk).unwrap_err().kind(),
        ErrorKind::Unsupported
    );
    assert_eq!(
        convert::to_gray(&cmyk.as_ref()).unwrap_err().kind(),
        ErrorKind::Unsupported
    );
    // cast works channel-wise on any layout, Cmyk included.
    let c16 = convert::cast(&cmyk.as_ref(), SampleType::U16).unwrap();
    assert_eq!(c16.to_vec::<u16>().unwrap(), vec![1, 2, 3, 4]);
}

#[test]
fn padded_and_unaligned_inputs() {
    // Rgb u16, 3x2, with 6 bytes of padding per row, starting at an odd address.
    let img = Image::from_samples::<u16>(
        3,
        2,
        Layout::Rgb,
        &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 300],
    )
    .unwrap();
    let (buf, stride) = padded(&img, 6);
    let mut shifted = vec![0u8; buf.len() + 1];
    shifted[1..].copy_from_slice(&buf);
    for data in [&buf[..], &shifted[1..]] {
        let view = ImageRef::new(data, 3, 2, img.format(), stride).unwrap();
        assert_eq!(
            convert::cast(&view, SampleType::U32).unwrap().to_vec::<u32>().unwrap(),
            {
                img.to_vec::<u16>()
                    .unwrap()
                    .iter()
                    .map(|&v| v as u32)
                    .collect::<Vec<_>>()
            }
        );
        let msg = not_exact_message(convert::cast(&view, SampleType::U8));
        assert!(msg.contains("value 300 at x=2, y=1, channel 2 (B)"), "{msg}");
        assert_eq!(convert::narrowest_type(&view), SampleType::U16);
        let out = convert::to_gray(&view).unwrap();
        assert_eq!(out, convert::to_gray(&img.as_ref()).unwrap());
        assert_eq!(out.stride(), 6);
        let out = convert::add_alpha(&view, Alpha::Value(2.0)).unwrap();
        assert_eq!(convert::drop_alpha(&out.as_ref()).unwrap(), img);
        let out = convert::scale(&view, SampleType::U8, Scale::MinMax).unwrap();
        assert_eq!(out.to_vec::<u8>().unwrap()[0], 0);
        assert_eq!(out.to_vec::<u8>().unwrap()[17], 255);
        assert_eq!(
            convert::swap_rb(&view).unwrap().to_vec::<u16>().unwrap()[..3],
            [3, 2, 1]
        );
    }

    // swap_rb_in_place leaves row padding untouched.
    let mut buf = buf.clone();
    let mut view = pixcodec::ImageMut::new(&mut buf, 3, 2, img.format(), stride).unwrap();
    convert::swap_rb_in_place(&mut view).unwrap();
    assert!(buf[18..24].iter().all(|&b| b == 0xAB));
    let back = ImageRef::new(&buf, 3, 2, img.format(), stride).unwrap();
    assert_eq!(back.to_vec::<u16>().unwrap()[..6], [3, 2, 1, 6, 5, 4]);
}

macro_rules! roundtrip_prop {
    ($name:ident, $t:ty, $($wide:ident),+) => {
        proptest! {
            #[test]
            fn $name(w in 1u32..9, h in 1u32..5, seed in proptest::collection::vec(any::<$t>(), 32)) {
                let n = (w * h) as usize;
                let data: Vec<$t> = seed.iter().cycle().take(n).copied().collect();
                let img = Image::from_samples(w, h, Layout::Gray, &data).unwrap();
                for wide in [$(SampleType::$wide),+] {
                    let up = convert::cast(&img.as_ref(), wide).unwrap();
                    prop_assert_eq!(up.format().sample, wide);
                    let down = convert::cast(&up.as_ref(), <$t as Sample>::TYPE).unwrap();
                    prop_assert_eq!(&down, &img);
                    prop_assert_eq!(convert::narrow_to(&up.as_ref(), <$t as Sample>::TYPE).unwrap(), img.clone());
                }
            }
        }
    };
}
roundtrip_prop!(prop_u8_widen_and_back, u8, U16, U32, U64, I16, I32, I64, F32, F64);
roundtrip_prop!(prop_u16_widen_and_back, u16, U32, U64, I32, I64, F32, F64);
roundtrip_prop!(prop_u32_widen_and_back, u32, U64, I64, F64);
roundtrip_prop!(prop_i8_widen_and_back, i8, I16, I32, I64, F32, F64);
roundtrip_prop!(prop_i16_widen_and_back, i16, I32, I64, F32, F64);
roundtrip_prop!(prop_i32_widen_and_back, i32, I64, F64);

/// 64-bit sources have no wider integer type: check instead that a cast into every other
/// integer type succeeds exactly when every value fits (oracle: `TryFrom`), and round-trips.
macro_rules! fit_oracle_prop {
    ($name:ident, $t:ty) => {
        proptest! {
            #[test]
            fn $name(data in proptest::collection::vec(
                prop_oneof![any::<$t>(), (-300i64..70000).prop_map(|v| v as $t)], 1..24)) {
                let img = Image::from_samples(data.len() as u32, 1, Layout::Gray, &data).unwrap();
                macro_rules! check {
                    ($d:ty) => {{
                        let fits = data.iter().all(|&v| <$d>::try_from(v).is_ok());
                        let r = convert::cast(&img.as_ref(), <$d as Sample>::TYPE);
                        prop_assert_eq!(r.is_ok(), fits, "{:?} -> {}", &data, stringify!($d));
                        if let Ok(out) = r {
                            let want: Vec<$d> = data.iter().map(|&v| <$d>::try_from(v).unwrap()).collect();
                            prop_assert_eq!(out.to_vec::<$d>().unwrap(), want);
                            prop_assert_eq!(convert::cast(&out.as_ref(), <$t as Sample>::TYPE).unwrap(), img.clone());
                        }
                    }};
                }
                check!(u8); check!(u16); check!(u32); check!(u64);
                check!(i8); check!(i16); check!(i32); check!(i64);
                let narrow = convert::narrow(&img.as_ref()).unwrap();
                prop_assert_eq!(convert::cast(&narrow.as_ref(), <$t as Sample>::TYPE).unwrap(), img.clone());
            }
        }
    };
}
fit_oracle_prop!(prop_u64_cast_matches_try_from, u64);
fit_oracle_prop!(prop_i64_cast_matches_try_from, i64);
