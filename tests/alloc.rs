//! A counting allocator shows that encoding into a reused buffer allocates nothing per call
//! once warmed up: the PNG encoder keeps its deflate stream, row and IDAT buffers per thread;
//! the JPEG encoder keeps its libjpeg-turbo compressor and output buffer. Only allocations
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
fn jpeg_encode_into_a_reused_buffer_allocates_only_the_lossy_reason() {
    let (n, bytes) = encoder_allocs(
        "jpeg-turbo",
        PixelFormat::new(Layout::Rgb, SampleType::U8),
        EncodeOptions::new(),
    );
    // One small String per call: the lossy reason the Encoder trait returns by value.
    assert!(
        n <= 5 && bytes <= 5 * 64,
        "{n} allocations, {bytes} bytes in 5 warm encodes"
    );
}

#[test]
fn registry_encode_into_allocations_do_not_grow_with_the_image() {
    // Through the registry, each call does a constant amount of bookkeeping (codec lookup,
    // option resolution, the report's strings); none of it depends on the pixels.
    let fmt = PixelFormat::new(Layout::Rgb, SampleType::U8);
    let per_call = |w, h| {
        let img = image(w, h, fmt);
        let mut buf = Vec::new();
        let opts = EncodeOptions::new();
        for _ in 0..2 {
            pixcodec::encode_into(img.as_ref(), "png", &opts, &mut buf).unwrap();
        }
        counted(|| {
            pixcodec::encode_into(img.as_ref(), "png", &opts, &mut buf).unwrap();
        })
    };
    let small = per_call(64, 48);
    let large = per_call(640, 480);
    assert_eq!(small.0, large.0, "allocation count depends on the image size");
    assert!(large.1 < 16 * 1024, "{} bytes allocated per call", large.1);
    eprintln!(
        "registry encode_into(png): {} allocations, {} bytes per call",
        large.0, large.1
    );
}
