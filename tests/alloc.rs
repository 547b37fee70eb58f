//! A counting allocator shows that encoding into a reused buffer allocates nothing per call
//! once warmed up: the PNG encoder keeps its deflate stream, row and IDAT buffers per thread;
//! the JPEG encoder keeps its libjpeg-turbo compressor and output buffer; the TIFF writer keeps
//! its strip and IFD buffers; the registry keeps a warm encoder per thread. Only allocations
//! made by Rust code on the calling thread are counted (libjpeg-turbo's own C `malloc`s are
//! not visible here; it reuses its output buffer once large enough).

use std::alloc::{GlobalAlloc, Layout as AllocLayout, System};
use std::cell::Cell;

use pixcodec::{EncodeOptions, Image, Layout, PixelFormat, Registry, SampleType};

struct Counting;

thread_local! {
    static COUNT: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: AllocLayout) -> *mut u8 {
        let _ = COUNT.try_with(|c| c.set((c.get().0 + 1, c.get().1 + l.size() as u64)));
        System.alloc(l)
    }
    unsafe fn dealloc(&self, p: *mut u8, l: AllocLayout) {
        System.dealloc(p, l)
    }
    unsafe fn realloc(&self, p: *mut u8, l: AllocLayout, new: usize) -> *mut u8 {
        let _ = COUNT.try_with(|c| c.set((c.get().0 + 1, c.get().1 + new as u64)));
        System.realloc(p, l, new)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// (allocations, bytes) made by `f` on this thread.
fn counted(f: impl FnOnce()) -> (u64, u64) {
    let before = COUNT.with(|c| c.get());
    f();
    let after = COUNT.with(|c| c.get());
    (after.0 - before.0, after.1 - before.1)
}

fn image(w: u32, h: u32, format: PixelFormat) -> Image {
    let mut img = Image::new(w, h, format).unwrap();
    for y in 0..h {
        for (i, b) in img.row_mut(y).iter_mut().enumerate() {
            *b = (i as u32 * 7 + y * 3 + (i as u32 * y) % 13) as u8;
        }
    }
    img
}

/// Allocations of five encodes through one encoder object into one reused buffer, after two
/// warm-up calls; also checks the output decodes back (PNG) or has the JPEG markers.
fn encoder_allocs(codec: &str, format: PixelFormat, opts: EncodeOptions) -> (u64, u64) {
    let reg = Registry::global();
    let c = reg.by_name(codec).unwrap();
    let resolved = opts.resolve(codec, c.encode_options()).unwrap();
    let img = image(320, 240, format);
    let mut enc = c.encoder().unwrap();
    let mut buf = Vec::new();
    let mut once = |buf: &mut Vec<u8>| {
        buf.clear();
        enc.encode(&[img.as_ref()], &resolved, buf).unwrap();
    };
    once(&mut buf);
    once(&mut buf);
    let n = counted(|| {
        for _ in 0..5 {
            once(&mut buf);
        }
    });
    if codec == "png" {
        assert!(pixcodec::decode(&buf).unwrap().as_ref().pixels_eq(&img.as_ref()));
    } else {
        assert_eq!(&buf[..2], &[0xff, 0xd8]);
    }
    n
}

#[test]
fn png_encode_into_a_reused_buffer_allocates_nothing() {
    for format in [
        PixelFormat::new(Layout::Rgb, SampleType::U8),
        PixelFormat::new(Layout::Rgba, SampleType::U16),
        PixelFormat::new(Layout::Gray, SampleType::U8),
    ] {
        for opts in [EncodeOptions::new(), EncodeOptions::new().level(1).set("filter", "up")] {
            let (n, bytes) = encoder_allocs("png", format, opts);
            assert_eq!((n, bytes), (0, 0), "{format}: allocations in 5 warm encodes");
        }
    }
}

#[test]
fn jpeg_encode_into_a_reused_buffer_allocates_nothing() {
    // The encoder keeps its libjpeg-turbo compressor, its output buffer and the lossy
    // reason it reported last (shared text, handed out again while the settings stay).
    for layout in [Layout::Rgb, Layout::Gray] {
        let (n, bytes) = encoder_allocs(
            "jpeg-turbo",
            PixelFormat::new(layout, SampleType::U8),
            EncodeOptions::new(),
        );
        assert_eq!((n, bytes), (0, 0), "{layout}: allocations in 5 warm encodes");
    }
}

/// Allocations of 5 calls of `pixcodec::encode_into` (global registry, reused buffer) after
/// two warm-up calls, and the report of the last call.
fn registry_allocs(target: &str, img: &Image, opts: &EncodeOptions) -> ((u64, u64), pixcodec::EncodeReport) {
    let mut buf = Vec::new();
    for _ in 0..2 {
        pixcodec::encode_into(img.as_ref(), target, opts, &mut buf).unwrap();
    }
    let mut report = None;
    let n = counted(|| {
        for _ in 0..5 {
            report = Some(pixcodec::encode_into(img.as_ref(), target, opts, &mut buf).unwrap());
        }
    });
    let report = report.unwrap();
    let back = pixcodec::decode(&buf).unwrap();
    assert_eq!(
        (back.width(), back.height(), back.format()),
        (img.width(), img.height(), img.format())
    );
    if report.exact {
        assert!(back.as_ref().pixels_eq(&img.as_ref()), "{target}: round trip differs");
    }
    (n, report)
}

#[test]
fn registry_encode_into_allocates_nothing_after_the_first_call() {
    // The whole public path: codec lookup (under the registry's read lock, no snapshot),
    // the per-thread encoder and validated options, the report's shared texts.
    let rgb8 = PixelFormat::new(Layout::Rgb, SampleType::U8);
    let cases: Vec<(&str, PixelFormat, EncodeOptions)> = vec![
        ("png", rgb8, EncodeOptions::new()),
        (
            "png",
            PixelFormat::new(Layout::Gray, SampleType::U16),
            EncodeOptions::new().level(1),
        ),
        (".PNG", rgb8, EncodeOptions::new().set("filter", "up")),
        ("image/png", rgb8, EncodeOptions::new().level(1)),
        ("jpeg", rgb8, EncodeOptions::new()),
        (
            "jpg",
            PixelFormat::new(Layout::Gray, SampleType::U8),
            EncodeOptions::new().quality(75),
        ),
        (
            "jpeg",
            rgb8,
            EncodeOptions::new().quality(80).subsampling("444").progressive(true),
        ),
        (
            "jpeg",
            PixelFormat::new(Layout::Gray, SampleType::U16),
            EncodeOptions::new().set("lossless", true).set("predictor", 4),
        ),
        ("npy", rgb8, EncodeOptions::new()),
        (
            "npy",
            PixelFormat::new(Layout::Gray, SampleType::F32),
            EncodeOptions::new(),
        ),
    ];
    for (target, format, opts) in cases {
        let img = image(320, 240, format);
        let ((n, bytes), report) = registry_allocs(target, &img, &opts);
        assert_eq!(
            (n, bytes),
            (0, 0),
            "{target} {format} {opts:?}: allocations in 5 warm encode_into calls"
        );
        assert_eq!(report.exact, report.lossy_reason.is_none());
        assert!(report.bytes_written > 0);
    }
}

#[test]
fn registry_reuses_encoders_without_carrying_state_between_calls() {
    // A reused encoder must write what a fresh one writes, whatever the previous call
    // asked for: alternate settings through the registry and compare with new encoders.
    let reg = Registry::global();
    let rgb = image(97, 61, PixelFormat::new(Layout::Rgb, SampleType::U8));
    let gray16 = image(97, 61, PixelFormat::new(Layout::Gray, SampleType::U16));
    let cases: Vec<(&str, &Image, EncodeOptions)> = vec![
        (
            "jpeg-turbo",
            &rgb,
            EncodeOptions::new().progressive(true).set("arithmetic", true),
        ),
        ("jpeg-turbo", &rgb, EncodeOptions::new()),
        (
            "jpeg-turbo",
            &rgb,
            EncodeOptions::new().set("optimize", true).quality(40),
        ),
        ("jpeg-turbo", &rgb, EncodeOptions::new().subsampling("444")),
        ("png", &rgb, EncodeOptions::new().level(9).set("filter", "paeth")),
        ("png", &gray16, EncodeOptions::new()),
        ("png", &rgb, EncodeOptions::new().level(1).set("filter", "sub")),
        (
            "tiff",
            &gray16,
            EncodeOptions::new().compression("deflate").predictor(true),
        ),
        ("tiff", &rgb, EncodeOptions::new()),
        ("tiff", &rgb, EncodeOptions::new().compression("lzw")),
        ("npy", &gray16, EncodeOptions::new()),
        ("npy", &rgb, EncodeOptions::new()),
    ];
    let mut buf = Vec::new();
    for round in 0..2 {
        for (codec, img, opts) in &cases {
            let report = pixcodec::encode_into(img.as_ref(), codec, opts, &mut buf).unwrap();
            let c = reg.by_name(codec).unwrap();
            let resolved = opts.resolve(codec, c.encode_options()).unwrap();
            let mut fresh = Vec::new();
            let reason = c
                .encoder()
                .unwrap()
                .encode(&[img.as_ref()], &resolved, &mut fresh)
                .unwrap();
            assert!(
                buf == fresh,
                "round {round}, {codec} {opts:?}: reused encoder wrote other bytes"
            );
            assert_eq!(report.lossy_reason, reason, "{codec} {opts:?}");
            assert_eq!(&*report.codec, *codec);
            assert_eq!(report.bytes_written, buf.len() as u64);
        }
    }
}

#[test]
fn registry_tiff_encode_into_allocates_nothing_after_the_first_call() {
    // The TIFF writer keeps its strip list, coded strips and IFD buffers in the (reused)
    // encoder, so a warm encode allocates nothing, for every compression, with and without
    // the predictor. 64x48 is one strip, coded on the calling thread. 512x400 has 2-3 strips,
    // coded on rayon's pool: those calls are measured on a pool thread, because a job sent
    // into the pool from outside goes through rayon's global queue, which allocates one block
    // per 63 jobs (amortised, and not pixcodec's to avoid).
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    for (w, h) in [(64, 48), (512, 400)] {
        for (layout, sample) in [(Layout::Rgb, SampleType::U8), (Layout::Gray, SampleType::U16)] {
            let img = image(w, h, PixelFormat::new(layout, sample));
            for (compression, predictor) in [
                ("none", false),
                ("none", true),
                ("lzw", false),
                ("lzw", true),
                ("deflate", false),
                ("deflate", true),
                ("packbits", false),
            ] {
                let opts = EncodeOptions::new()
                    .set("compression", compression)
                    .set("predictor", predictor);
                let ((n, bytes), _) = if w == 64 {
                    registry_allocs("tiff", &img, &opts)
                } else {
                    pool.install(|| registry_allocs("tiff", &img, &opts))
                };
                assert_eq!(
                    (n, bytes),
                    (0, 0),
                    "tiff {w}x{h} {layout:?} {sample:?} compression={compression} predictor={predictor}"
                );
            }
        }
    }
}
