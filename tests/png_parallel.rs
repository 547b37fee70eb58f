//! Large PNGs are deflated in parallel segments (pigz-style): the result must decode to the
//! same pixels and be one valid zlib stream (checked with a strict inflater, Adler-32 included).
//! The segmented layout does not depend on where the segments ran (the parallelism rule).

use std::io::Read;

use pixcodec::{EncodeOptions, Image, Layout, PixelFormat, SampleType};

fn idat_stream(png: &[u8]) -> Vec<u8> {
    let mut at = 8;
    let mut z = Vec::new();
    while at + 8 <= png.len() {
        let len = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
        if &png[at + 4..at + 8] == b"IDAT" {
            z.extend_from_slice(&png[at + 8..at + 8 + len]);
        }
        at += 12 + len;
    }
    z
}

#[test]
fn parallel_segments_make_one_valid_stream() {
    let _ = rayon::ThreadPoolBuilder::new().num_threads(2).build_global();
    assert!(
        rayon::current_num_threads() >= 2,
        "the segmented path needs a pool of two threads"
    );
    let one_thread = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    for (w, h, format) in [
        (1200, 900, PixelFormat::new(Layout::Rgb, SampleType::U8)),
        (700, 500, PixelFormat::new(Layout::Rgba, SampleType::U16)),
        (4096, 300, PixelFormat::new(Layout::Gray, SampleType::U8)),
    ] {
        let mut img = Image::new(w, h, format).unwrap();
        let mut s = 1u32;
        for y in 0..h {
            for (i, b) in img.row_mut(y).iter_mut().enumerate() {
                s = s.wrapping_mul(1_103_515_245).wrapping_add(12345);
                *b = ((i as u32 / 4 + y / 2) as u8).wrapping_add((s >> 30) as u8);
            }
        }
        for opts in [
            EncodeOptions::new(),
            EncodeOptions::new().level(1).set("filter", "up"),
            EncodeOptions::new().level(9),
        ] {
            let enc = pixcodec::encode(img.as_ref(), "png", &opts).unwrap();
            let back = pixcodec::decode(&enc.data).unwrap();
            assert!(back.as_ref().pixels_eq(&img.as_ref()), "{w}x{h} {format}");
            let mut raw = Vec::new();
            flate2::read::ZlibDecoder::new(&idat_stream(&enc.data)[..])
                .read_to_end(&mut raw)
                .expect("strict zlib decode with Adler-32 check");
            assert_eq!(raw.len(), (img.row_bytes() + 1) * h as usize);
            // The layout depends on the option and the size only: from a pool thread (where
            // the rule runs the segments one after another) the bytes are the same; each
            // segment but the last ends with a sync flush, an empty stored block 00 00 FF FF.
            // parallel=false is the one sequential stream.
            let on_pool = one_thread.install(|| pixcodec::encode(img.as_ref(), "png", &opts).unwrap());
            assert!(enc.data == on_pool.data, "{w}x{h} {format}: pool thread");
            let sequential = pixcodec::encode(img.as_ref(), "png", &opts.clone().set("parallel", false)).unwrap();
            assert!(enc.data != sequential.data, "{w}x{h} {format}: not segmented");
            let back = pixcodec::decode(&sequential.data).unwrap();
            assert!(
                back.as_ref().pixels_eq(&img.as_ref()),
                "{w}x{h} {format}: parallel=false"
            );
            let sync = idat_stream(&enc.data)
                .windows(4)
                .filter(|x| x == &[0, 0, 0xFF, 0xFF])
                .count();
            assert!(sync >= 1, "{w}x{h} {format}: no sync flush");
        }
    }
}
