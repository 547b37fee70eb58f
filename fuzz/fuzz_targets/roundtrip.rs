//! Arbitrary small image (any codec of `Registry::with_builtins()` that encodes, any format
//! of its capability table, 1..=3 pages, padded rows) + arbitrary options -> encode ->
//! decode. With default options the encode must succeed (the table says the codec can hold
//! the format); whenever the report says exact, decoding must give the same pixels bit for
//! bit; a lossy result must still decode to the same geometry.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use pixcodec::codec::Fidelity;
use pixcodec::{DecodeOptions, EncodeOptions, ImageRef, Limits, OptionKind, OptionValue};

#[derive(Debug, Arbitrary)]
struct Input {
    codec: u8,
    format: u8,
    width: u8,
    height: u8,
    pages: u8,
    pad: u8,
    options: Vec<(u8, u8)>,
    pixels: Vec<u8>,
}

fuzz_target!(|inp: Input| {
    let reg = pixcodec_fuzz::registry();
    let codecs: Vec<_> = reg
        .codecs()
        .into_iter()
        .filter(|c| !c.capabilities().encode.is_empty() && c.encoder().is_ok())
        .collect();
    if codecs.is_empty() {
        return;
    }
    let codec = &codecs[inp.codec as usize % codecs.len()];
    let name = codec.descriptor().name.clone();
    let caps = codec.capabilities();
    let cap = caps.encode[inp.format as usize % caps.encode.len()];
    let format = cap.format;
    let (w, h) = (1 + inp.width as u32 % 33, 1 + inp.height as u32 % 33);
    let n_pages = if caps.multi_page_encode {
        1 + inp.pages as usize % 3
    } else {
        1
    };
    let size = format.sample.size();
    let row = w as usize * format.bytes_per_pixel();
    let stride = row + (inp.pad as usize % 3) * size;

    // Pixel bytes: the fuzzer's bytes, cycled; every page different.
    let mut bufs = Vec::new();
    for p in 0..n_pages {
        let mut buf = vec![0u8; stride * h as usize];
        for (i, b) in buf.iter_mut().enumerate() {
            *b = if inp.pixels.is_empty() {
                0
            } else {
                inp.pixels[(i + p * 7) % inp.pixels.len()].wrapping_add(p as u8)
            };
        }
        bufs.push(buf);
    }
    let pages: Vec<ImageRef<'_>> = bufs
        .iter()
        .map(|b| ImageRef::new(b, w, h, format, stride).expect("valid geometry"))
        .collect();

    let mut opts = EncodeOptions::new().codec(&name);
    let specs = codec.encode_options();
    if !specs.is_empty() {
        for &(si, vi) in inp.options.iter().take(4) {
            let spec = &specs[si as usize % specs.len()];
            let v = match &spec.kind {
                OptionKind::Bool => OptionValue::Bool(vi & 1 == 1),
                OptionKind::Int { min, max } => {
                    let span = (*max as i128 - *min as i128 + 1).max(1);
                    OptionValue::Int((*min as i128 + vi as i128 % span) as i64)
                }
                OptionKind::Float { min, max } => OptionValue::Float(min + (max - min) * vi as f64 / 255.0),
                OptionKind::Choice(c) => OptionValue::Str(c[vi as usize % c.len()].clone()),
            };
            opts = opts.set(&spec.name, v);
        }
    }
    let defaults = opts.params.is_empty();
    let mut data = Vec::new();
    let report = match reg.encode_pages_into(&pages, &name, &opts, &mut data) {
        Ok(r) => r,
        Err(e) => {
            assert!(
                !defaults,
                "{name} lists {format} but failed to encode it with default options: {e}"
            );
            return;
        }
    };
    if cap.fidelity == Fidelity::Exact && defaults {
        assert!(
            report.exact,
            "{name} lists {format} as exact but reported a lossy encode"
        );
    }
    let dopts = DecodeOptions::new().codec(&name).limits(Limits::unlimited());
    let decoded = reg
        .decode_pages(&data, &dopts)
        .unwrap_or_else(|e| panic!("{name} cannot decode its own {format} output: {e}"));
    assert_eq!(decoded.len(), n_pages, "{name}: page count changed");
    for (i, (a, b)) in pages.iter().zip(&decoded).enumerate() {
        assert_eq!((b.width(), b.height()), (w, h), "{name}: page {i} geometry changed");
        if report.exact {
            assert!(
                a.pixels_eq(&b.as_ref()),
                "{name} reported an exact encode of {format} but page {i} decodes to different pixels"
            );
        }
    }
});
