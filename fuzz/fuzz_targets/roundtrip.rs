//! Arbitrary small image (any codec of `Registry::with_builtins()` that encodes, any format
//! of its capability table, 1..=3 pages, padded rows) + arbitrary options -> encode ->
//! decode. With default options the encode must succeed (the table says the codec can hold
//! the format); whenever the report says exact, decoding must give the same pixels bit for
//! bit; a lossy result must still decode to the same geometry. `roundtrip_parallel` does the
//! same above the codecs' parallel thresholds.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use pixcodec::ImageRef;

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
    let codecs = pixcodec_fuzz::encoding_codecs();
    if codecs.is_empty() {
        return;
    }
    let codec = &codecs[inp.codec as usize % codecs.len()];
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
    let opts = pixcodec_fuzz::encode_options(codec.as_ref(), &inp.options, 4);
    pixcodec_fuzz::check_roundtrip(codec.as_ref(), cap, &pages, &opts);
});
