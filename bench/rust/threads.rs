//! Throughput of the codecs that can split one image over rayon's pool, with one and with two
//! calling threads, internal parallelism allowed (the default) and ruled out (each caller runs
//! its calls inside a one-thread pool of its own, where pixcodec's parallelism rule always
//! says "sequential"). The table is the measurement behind `src/parallel.rs`; see
//! `bench/README.md`, section "Parallelism".
//!
//! Run: `cargo bench --bench threads` (knobs: `BENCH_BUDGET`, seconds per row, default 1.5;
//! `BENCH_CASE`, only the cases whose name contains it, e.g. `jpeg decode`).

use std::sync::Barrier;
use std::time::{Duration, Instant};

use pixcodec::{EncodeOptions, Image, Layout, PixelFormat, SampleType};

/// A photo-like RGB8 picture: gradients, a soft pattern and pseudo-random texture.
fn photo(width: u32, height: u32) -> Image {
    let mut img = Image::new(width, height, PixelFormat::new(Layout::Rgb, SampleType::U8)).expect("image");
    let (w, h) = (width as f32, height as f32);
    for y in 0..height {
        for (x, px) in img.row_mut(y).chunks_exact_mut(3).enumerate() {
            let (fx, fy) = (x as f32 / w, y as f32 / h);
            let n = ((x as u32).wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503)) >> 28;
            px[0] = (255.0 * fx) as u8 ^ (n as u8);
            px[1] = (255.0 * fy) as u8;
            px[2] = (128.0 + 100.0 * (fx * 12.0).sin() * (fy * 9.0).cos()) as u8;
        }
    }
    img
}

/// Makes, for one calling thread, the timed operation with its own reused buffers.
type Op = Box<dyn Fn() -> Box<dyn FnMut() + Send> + Sync>;

/// Calls `op` on `callers` threads at once for `budget`, each inside its own one-thread pool
/// when `sequential`; returns the total images per second.
fn run(op: &Op, callers: usize, sequential: bool, budget: Duration) -> f64 {
    let start = Barrier::new(callers);
    let counts: Vec<(u64, f64)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..callers)
            .map(|_| {
                s.spawn(|| {
                    let pool =
                        sequential.then(|| rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool"));
                    let mut one = op();
                    let mut call = || match &pool {
                        Some(p) => p.install(&mut one),
                        None => one(),
                    };
                    call(); // warm-up: caches, encoder slots, pool threads
                    start.wait();
                    let t = Instant::now();
                    let mut n = 0u64;
                    while t.elapsed() < budget {
                        call();
                        n += 1;
                    }
                    (n, t.elapsed().as_secs_f64())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("caller")).collect()
    });
    counts.iter().map(|&(n, secs)| n as f64 / secs).sum()
}

fn main() {
    let budget = Duration::from_secs_f64(
        std::env::var("BENCH_BUDGET")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1.5),
    );
    let _ = rayon::ThreadPoolBuilder::new().build_global();
    let big = photo(1920, 1080);
    let small = photo(640, 480);
    let encoded =
        |img: &Image, fmt: &str, opts: &EncodeOptions| pixcodec::encode(img.as_ref(), fmt, opts).expect("encode").data;
    let deflate = EncodeOptions::new().compression("deflate");
    let lzw = EncodeOptions::new().compression("lzw");
    let jpeg_big = encoded(&big, "jpeg", &EncodeOptions::new());
    let jpeg_small = encoded(&small, "jpeg", &EncodeOptions::new());
    let tiff_deflate = encoded(&big, "tiff", &deflate);
    let tiff_lzw = encoded(&big, "tiff", &lzw);

    let encode_op = |img: &'static Image, fmt: &'static str, opts: EncodeOptions| -> Op {
        Box::new(move || -> Box<dyn FnMut() + Send> {
            let (opts, mut buf) = (opts.clone(), Vec::new());
            Box::new(move || {
                pixcodec::encode_into(img.as_ref(), fmt, &opts, &mut buf).expect("encode");
            })
        })
    };
    let decode_op = |data: Vec<u8>, w: u32, h: u32| -> Op {
        let data: &'static [u8] = data.leak();
        Box::new(move || -> Box<dyn FnMut() + Send> {
            let mut out = Image::new(w, h, PixelFormat::new(Layout::Rgb, SampleType::U8)).expect("image");
            Box::new(move || {
                pixcodec::decode_into(data, out.as_mut()).expect("decode");
            })
        })
    };
    let big: &'static Image = Box::leak(Box::new(big));
    let small: &'static Image = Box::leak(Box::new(small));
    let cases: Vec<(&str, u32, u32, Op)> = vec![
        (
            "png encode (level 6)",
            1920,
            1080,
            encode_op(big, "png", EncodeOptions::new()),
        ),
        (
            "png encode (level 6)",
            640,
            480,
            encode_op(small, "png", EncodeOptions::new()),
        ),
        (
            "jpeg encode (q90 4:2:0)",
            1920,
            1080,
            encode_op(big, "jpeg", EncodeOptions::new()),
        ),
        (
            "jpeg encode (q90 4:2:0)",
            640,
            480,
            encode_op(small, "jpeg", EncodeOptions::new()),
        ),
        ("jpeg decode", 1920, 1080, decode_op(jpeg_big, 1920, 1080)),
        ("jpeg decode", 640, 480, decode_op(jpeg_small, 640, 480)),
        ("tiff encode (deflate)", 1920, 1080, encode_op(big, "tiff", deflate)),
        ("tiff decode (deflate)", 1920, 1080, decode_op(tiff_deflate, 1920, 1080)),
        ("tiff encode (lzw)", 1920, 1080, encode_op(big, "tiff", lzw)),
        ("tiff decode (lzw)", 1920, 1080, decode_op(tiff_lzw, 1920, 1080)),
    ];
    println!(
        "rayon pool: {} threads; {:.1} s per row; MP/s summed over the calling threads",
        rayon::current_num_threads(),
        budget.as_secs_f64()
    );
    println!();
    println!("| case | image | callers | parallel allowed | sequential | allowed / sequential |");
    println!("|---|---|---|---|---|---|");
    let only = std::env::var("BENCH_CASE").unwrap_or_default();
    for (name, w, h, op) in cases.iter().filter(|c| c.0.contains(only.as_str())) {
        let mpix = f64::from(*w) * f64::from(*h) / 1e6;
        for callers in [1, 2] {
            let par = run(op, callers, false, budget) * mpix;
            let seq = run(op, callers, true, budget) * mpix;
            println!(
                "| {name} | {w}x{h} | {callers} | {par:.0} | {seq:.0} | {:.2} |",
                par / seq
            );
        }
    }
}
