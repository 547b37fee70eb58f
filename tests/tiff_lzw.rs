//! pixcodec's TIFF LZW coder against the `tiff` crate (weezl inside), both directions: files
//! pixcodec writes decode identically with the crate, files the crate writes decode
//! identically with pixcodec, for every sample type, with and without the predictor, on
//! noise (table resets every few thousand bytes), long runs (long strings) and smooth data.

mod common;

use pixcodec::{EncodeOptions, Image, Layout, PixelFormat, SampleType};
use proptest::prelude::*;
use tiff::encoder::{colortype, Compression, Predictor, TiffEncoder};

/// The tiff crate's decode of the first page, as native-endian bytes.
fn crate_bytes(data: &[u8]) -> Vec<u8> {
    let mut dec = tiff::decoder::Decoder::new(std::io::Cursor::new(data)).expect("tiff crate opens");
    common::tiff_crate_bytes(dec.read_image().expect("tiff crate decodes")).expect("a pixcodec sample type")
}

/// A gray image of `sample` written by the tiff crate with LZW (and the predictor for
/// integer samples when asked).
fn crate_lzw(img: &Image, predictor: bool) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let enc = TiffEncoder::new(&mut out)
        .expect("encoder")
        .with_compression(Compression::Lzw);
    let mut enc = if predictor {
        enc.with_predictor(Predictor::Horizontal)
    } else {
        enc
    };
    let (w, h, b) = (img.width(), img.height(), img.as_bytes());
    macro_rules! write {
        ($c:ty, $t:ty) => {
            enc.write_image::<$c>(w, h, bytemuck::cast_slice::<u8, $t>(b))
        };
    }
    match img.format().sample {
        SampleType::U8 => write!(colortype::Gray8, u8),
        SampleType::U16 => write!(colortype::Gray16, u16),
        SampleType::U32 => write!(colortype::Gray32, u32),
        SampleType::U64 => write!(colortype::Gray64, u64),
        SampleType::I8 => write!(colortype::GrayI8, i8),
        SampleType::I16 => write!(colortype::GrayI16, i16),
        SampleType::I32 => write!(colortype::GrayI32, i32),
        SampleType::I64 => write!(colortype::GrayI64, i64),
        SampleType::F32 => write!(colortype::Gray32Float, f32),
        SampleType::F64 => write!(colortype::Gray64Float, f64),
        SampleType::F16 => write!(Gray16Float, u16),
    }
    .expect("tiff crate writes LZW");
    out.into_inner()
}

/// Gray IEEE half samples for the tiff crate's encoder, which has no such color type: the
/// samples go in as their `u16` bits, and the horizontal predictor (when asked) differences
/// those bits as integers, as libtiff's predictor 2 does for 16-bit floats.
struct Gray16Float;

impl colortype::ColorType for Gray16Float {
    type Inner = u16;
    const TIFF_VALUE: tiff::tags::PhotometricInterpretation = tiff::tags::PhotometricInterpretation::BlackIsZero;
    const BITS_PER_SAMPLE: &'static [u16] = &[16];
    const SAMPLE_FORMAT: &'static [tiff::tags::SampleFormat] = &[tiff::tags::SampleFormat::IEEEFP];

    fn horizontal_predict(row: &[u16], result: &mut Vec<u16>) {
        result.extend(row.first());
        result.extend(row.windows(2).map(|w| w[1].wrapping_sub(w[0])));
    }
}

/// Noise, long runs and a smooth ramp with a little noise, `width` x `height`.
fn contents(width: u32, height: u32, format: PixelFormat, seed: u64) -> Vec<(&'static str, Image)> {
    let noise = common::random_image(width, height, format, seed);
    let mut runs = Image::new(width, height, format).expect("image");
    let mut smooth = Image::new(width, height, format).expect("image");
    let size = format.sample.size();
    for y in 0..height {
        let n = noise.row(y).to_vec();
        for (i, b) in runs.row_mut(y).iter_mut().enumerate() {
            // Runs of whole samples a few hundred pixels long.
            *b = ((i / size / 300) as u8).wrapping_add((y / 40) as u8);
        }
        for (i, b) in smooth.row_mut(y).iter_mut().enumerate() {
            *b = if i % size == size - 1 || format.sample.is_float() && i % size > 1 {
                ((i / size + y as usize) / 7) as u8 ^ (n[i] & 1)
            } else {
                0
            };
        }
    }
    vec![("noise", noise), ("runs", runs), ("smooth", smooth)]
}

#[test]
fn every_sample_type_both_directions() {
    for sample in SampleType::ALL {
        let format = PixelFormat::new(Layout::Gray, sample);
        // Several 256 KiB strips with a short last one.
        let (w, h) = (613, 3 + (1 << 19) as u32 / (613 * sample.size() as u32));
        for (what, img) in contents(w, h, format, sample.size() as u64) {
            for predictor in [false, true] {
                if predictor && sample.is_float() {
                    continue;
                }
                let opts = EncodeOptions::new().compression("lzw").predictor(predictor);
                let ours = pixcodec::encode(img.as_ref(), "tiff", &opts).expect("encode");
                let back = pixcodec::decode(&ours.data).expect("decode ours");
                assert!(
                    back.as_ref().pixels_eq(&img.as_ref()),
                    "{sample:?} {what} pred={predictor}"
                );
                assert!(
                    crate_bytes(&ours.data) == img.as_bytes(),
                    "tiff crate reads our LZW differently: {sample:?} {what} pred={predictor}"
                );
                let theirs = crate_lzw(&img, predictor);
                let back = pixcodec::decode(&theirs).expect("decode tiff crate's");
                assert!(
                    back.as_ref().pixels_eq(&img.as_ref()),
                    "we read the tiff crate's LZW differently: {sample:?} {what} pred={predictor}"
                );
            }
        }
    }
}

#[test]
fn rgb_and_rgba_round_trip() {
    for layout in [Layout::Rgb, Layout::Rgba] {
        for sample in [SampleType::U8, SampleType::U16, SampleType::F32] {
            let format = PixelFormat::new(layout, sample);
            for (what, img) in contents(301, 419, format, 7) {
                let opts = EncodeOptions::new().compression("lzw");
                let ours = pixcodec::encode(img.as_ref(), "tiff", &opts).expect("encode");
                let back = pixcodec::decode(&ours.data).expect("decode");
                assert!(back.as_ref().pixels_eq(&img.as_ref()), "{format} {what}");
                assert!(crate_bytes(&ours.data) == img.as_bytes(), "{format} {what}");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Random sizes and contents (a random alphabet size steers the string lengths).
    #[test]
    fn random_images_round_trip(
        w in 1u32..300,
        h in 1u32..300,
        sample in 0usize..SampleType::ALL.len(),
        seed in any::<u64>(),
        alphabet in 1u8..=255,
        predictor in any::<bool>(),
    ) {
        let sample = SampleType::ALL[sample];
        let format = PixelFormat::new(Layout::Gray, sample);
        let mut img = common::random_image(w, h, format, seed);
        let size = sample.size();
        for y in 0..h {
            for (i, b) in img.row_mut(y).iter_mut().enumerate() {
                // Keep floats finite: only reduce the low bytes of each sample.
                if !sample.is_float() || i % size < size - 2 {
                    *b %= alphabet;
                }
            }
        }
        let predictor = predictor && !sample.is_float();
        let opts = EncodeOptions::new().compression("lzw").predictor(predictor);
        let ours = pixcodec::encode(img.as_ref(), "tiff", &opts).expect("encode");
        let back = pixcodec::decode(&ours.data).expect("decode");
        prop_assert!(back.as_ref().pixels_eq(&img.as_ref()));
        prop_assert!(crate_bytes(&ours.data) == img.as_bytes());
        let theirs = crate_lzw(&img, predictor);
        let back = pixcodec::decode(&theirs).expect("decode tiff crate's");
        prop_assert!(back.as_ref().pixels_eq(&img.as_ref()));
    }
}
