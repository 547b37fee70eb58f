//! Keras-style loading (`ml::load_bytes_with`, `ml::load_into`: what `load_img`, datasets, the
//! CLI `load`/`dataset` and the C ABI's `pxc_load_into` run per file) on arbitrary bytes. The
//! first four input bytes choose the options, the rest is the file:
//!
//! - bytes 0, 1: the target width and height (1..=64);
//! - byte 2: the filter (bits 0-2, Keras' six), antialias (bit 3), shrink-on-load (bit 4), the
//!   fit (bits 5-6: stretch, keep aspect, crop, pad), the fast IDCT (bit 7);
//! - byte 3: the colour mode (bits 0-1: gray, rgb, rgba) and shrink-on-load's tolerance in dB
//!   (bits 2-7: 0..=63).
//!
//! Invariants: no panic; a loaded image has the target size and the colour mode's layout; when
//! its samples are `U8`, `U16` or `F32`, `load_into` an `F32` buffer with padded rows succeeds
//! too, leaves the padding untouched, and equals the loaded image for `F32` files (the same
//! resize) and for 8/16-bit ones loaded without resizing filters that round (nearest).
#![no_main]

use libfuzzer_sys::fuzz_target;
use pixcodec::ml::{self, ColorMode, Fit, Interpolation, LoadOptions};
use pixcodec::{DctMethod, DecodeOptions, ImageMut, Layout, PixelFormat, SampleType};

const MODES: [ColorMode; 3] = [ColorMode::Gray, ColorMode::Rgb, ColorMode::Rgba];

fuzz_target!(|data: &[u8]| {
    let Some((head, file)) = data.split_first_chunk::<4>() else {
        return;
    };
    let (w, h) = (u32::from(head[0] % 64) + 1, u32::from(head[1] % 64) + 1);
    let flags = head[2];
    let mode = MODES[usize::from(head[3] & 3) % 3];
    let opts = LoadOptions::new()
        .target_size(h, w)
        .interpolation(Interpolation::ALL[usize::from(flags & 7) % Interpolation::ALL.len()])
        .antialias(flags & 8 != 0)
        .shrink_on_load(flags & 16 != 0)
        .fit(Fit::ALL[usize::from(flags >> 5) & 3])
        .dct_method(if flags & 128 != 0 {
            DctMethod::Fast
        } else {
            DctMethod::Accurate
        })
        .color_mode(mode)
        .shrink_min_psnr(f64::from(head[3] >> 2))
        .decode(DecodeOptions::new().limits(pixcodec_fuzz::limits()));
    let reg = pixcodec_fuzz::registry();
    let Ok(img) = ml::load_bytes_with(reg, file, &opts) else {
        return;
    };
    let layout = match mode {
        ColorMode::Gray => Layout::Gray,
        ColorMode::Rgb => Layout::Rgb,
        ColorMode::Rgba => Layout::Rgba,
    };
    assert_eq!(
        (img.width(), img.height(), img.format().layout),
        (w, h, layout),
        "load: size or layout"
    );
    let sample = img.format().sample;
    if !matches!(sample, SampleType::U8 | SampleType::U16 | SampleType::F32) {
        return;
    }
    // F32 into a buffer whose rows carry 3 samples of padding (a marker value).
    let c = layout.channels();
    let stride = (w as usize * c + 3) * 4;
    let mut buf = vec![0xA5u8; stride * h as usize];
    let out = ImageMut::new(&mut buf, w, h, PixelFormat::new(layout, SampleType::F32), stride).expect("buffer");
    ml::load_into(reg, file, out, &opts).expect("load succeeded, load_into an F32 buffer must too");
    for row in buf.chunks_exact(stride) {
        assert!(
            row[w as usize * c * 4..].iter().all(|&b| b == 0xA5),
            "load_into wrote row padding"
        );
    }
    let same_arithmetic = sample == SampleType::F32 || opts.resize.interpolation == Interpolation::Nearest;
    if same_arithmetic {
        let want = pixcodec::convert::cast(&img.as_ref(), SampleType::F32).expect("widening cast");
        for (y, row) in buf.chunks_exact(stride).enumerate() {
            assert_eq!(
                &row[..w as usize * c * 4],
                want.row(y as u32),
                "load_into differs from load, row {y}"
            );
        }
    }
});
