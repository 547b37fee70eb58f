//! The ML loader's side of `make bench` (issue 5): shrink-on-load and dataset throughput.
//!
//! `cargo bench --bench ml -- CORPUS BENCH_DIR OUT.json`
//!
//! - Inputs: `BENCH_DIR/inputs/rgb8_4000x3000.jpg` (made by `bench/prepare.py`) when present,
//!   else the same picture made here with pixcodec (kodim23 upscaled with Lanczos3, JPEG q90
//!   4:2:0) into `BENCH_DIR/ml_inputs/`; and, once, 1000 JPEGs of 640x480 (q90 4:2:0) in
//!   `BENCH_DIR/ml_dataset/<class>/`: four classes, one per corpus photo, each file a seeded
//!   random crop of its photo resized to 640x480 plus seeded noise, so no two files are equal.
//! - Rows: `ml::load` of the 4000x3000 JPEG to 224x224 bilinear with shrink-on-load on and
//!   off (and the PSNR between the two results), and a full epoch of
//!   `ml::Dataset::from_directory` with Keras' defaults (224x224, batches of 32, F32, bilinear
//!   without antialias, fast IDCT: Keras' pixels) on all cores, on one core, and with
//!   shrink-on-load. `bench/ml_peers.py` adds the peers (Keras itself, alternated with the
//!   `pixcodec dataset` CLI) and the target rows and writes `rows-ml.json`.
//!
//! Timing: the same rule as `bench/rust/report.rs` (one warm-up, then repeats until `BENCH_BUDGET`
//! seconds, at least 3 and at most 200; median).

use std::hint::black_box;
use std::path::{Path, PathBuf};

use pixcodec::ml::{self, Dataset, DatasetOptions, Interpolation, LoadOptions, ResizeOptions};
use pixcodec::{EncodeOptions, ImageRef};
use rayon::prelude::*;
use serde_json::{json, Value};

mod common;
use common::time;

const CLASSES: [&str; 4] = ["kodim02", "kodim07", "kodim17", "kodim23"];
const FILES: usize = 1000;
const SIDE: u32 = 224;

fn jpeg_opts() -> EncodeOptions {
    EncodeOptions::new().set("quality", 90i64).set("subsampling", "420")
}

/// The 4000x3000 input: prepare.py's file if `make bench` made it, else one made here.
fn big_jpeg(corpus: &Path, bench: &Path) -> (PathBuf, &'static str) {
    let shared = bench.join("inputs/rgb8_4000x3000.jpg");
    if shared.is_file() {
        return (
            shared,
            "bench/prepare.py (Pillow Lanczos upscale of kodim23, q90 4:2:0)",
        );
    }
    let own = bench.join("ml_inputs/rgb8_4000x3000.jpg");
    if !own.is_file() {
        std::fs::create_dir_all(own.parent().unwrap()).expect("create ml_inputs");
        let photo = ml::load(corpus.join("photos/kodim23.png"), &LoadOptions::new()).expect("load kodim23");
        let opts = ResizeOptions::new().interpolation(Interpolation::Lanczos3);
        let big = ml::resize(&photo.as_ref(), 4000, 3000, &opts).expect("upscale");
        pixcodec::write(big.as_ref(), &own, &jpeg_opts()).expect("write 4000x3000 JPEG");
    }
    (
        own,
        "made by bench/rust/ml.rs (pixcodec Lanczos3 upscale of kodim23, q90 4:2:0)",
    )
}

/// Small seeded generator (xorshift64*) for crops and noise.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u32) -> u32 {
        (self.next() >> 33) as u32 % n.max(1)
    }
}

/// Writes the 1000-file dataset once (a `.complete` marker records that it finished).
fn dataset_dir(corpus: &Path, bench: &Path) -> PathBuf {
    let dir = bench.join("ml_dataset");
    if dir.join(".complete").is_file() {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    let photos: Vec<_> = CLASSES
        .iter()
        .map(|c| {
            ml::load(corpus.join(format!("photos/{c}.png")), &LoadOptions::new())
                .unwrap_or_else(|e| panic!("load corpus photo {c}: {e}"))
        })
        .collect();
    for c in CLASSES {
        std::fs::create_dir_all(dir.join(c)).expect("create class folder");
    }
    (0..FILES).into_par_iter().for_each(|i| {
        let class = i % CLASSES.len();
        let photo = &photos[class];
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (i as u64 + 1).wrapping_mul(0x1234_5678_9abc_def1));
        for _ in 0..4 {
            rng.next();
        }
        // A 4:3 crop covering 50..100 % of the photo's limiting side, at a random place.
        let (pw, ph) = (photo.width(), photo.height());
        let max_w = pw.min(ph * 4 / 3);
        let cw = (max_w / 2 + rng.below(max_w / 2 + 1)).max(8);
        let ch = cw * 3 / 4;
        let (x0, y0) = (rng.below(pw - cw + 1), rng.below(ph - ch + 1));
        let bpp = photo.format().bytes_per_pixel();
        let off = y0 as usize * photo.stride() + x0 as usize * bpp;
        let crop = ImageRef::new(&photo.as_bytes()[off..], cw, ch, photo.format(), photo.stride()).expect("crop view");
        let opts = ResizeOptions::new().interpolation(Interpolation::Bilinear);
        let mut img = ml::resize(&crop, 640, 480, &opts).expect("resize crop");
        for v in img.as_bytes_mut() {
            let n = rng.below(17) as i32 - 8;
            *v = (i32::from(*v) + n).clamp(0, 255) as u8;
        }
        let path = dir.join(CLASSES[class]).join(format!("{i:04}.jpg"));
        pixcodec::write(img.as_ref(), &path, &jpeg_opts()).expect("write dataset JPEG");
    });
    std::fs::write(dir.join(".complete"), format!("{FILES} files\n")).expect("write marker");
    dir
}

fn row(op: &str, image: &str, variant: &str, tool: &str, threads: usize, secs: f64, mpix: f64) -> Value {
    json!({"format": "jpeg", "op": op, "image": image, "variant": variant, "tool": tool, "lang": "rust",
           "threads": threads, "seconds": secs, "mpix_s": mpix / secs, "bytes": null, "mpix": mpix})
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let [corpus, bench, out] = &args[..] else {
        eprintln!("usage: cargo bench --bench ml -- CORPUS BENCH_DIR OUT.json");
        std::process::exit(2);
    };
    let (corpus, bench) = (Path::new(corpus), Path::new(bench));
    let mut rows = Vec::new();
    let cores = rayon::current_num_threads();

    // 1. Shrink-on-load.
    let (big, origin) = big_jpeg(corpus, bench);
    let load = |shrink: bool| {
        let o = LoadOptions::new()
            .target_size(SIDE, SIDE)
            .interpolation(Interpolation::Bilinear)
            .shrink_on_load(shrink);
        ml::load(&big, &o).expect("ml::load")
    };
    let (fast, full) = (load(true), load(false));
    let db = pixcodec::compare::compare(&fast.as_ref(), &full.as_ref())
        .expect("compare")
        .psnr_db;
    let variant = "to 224x224 bilinear (antialias on); MP/s = source megapixels/s";
    // One thread each, as the rows say: on a one-thread pool the full decode is one pass
    // (from outside a pool a large JPEG decodes as two bands on two cores).
    let single = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
    let t_shrink = single.install(|| {
        time(|| {
            black_box(load(true));
        })
    });
    let t_full = single.install(|| {
        time(|| {
            black_box(load(false));
        })
    });
    for (tool, secs) in [("pixcodec", t_shrink), ("pixcodec-no-shrink", t_full)] {
        let mut r = row("ml-load", "rgb8_4000x3000", variant, tool, 1, secs, 12.0);
        r["psnr_db"] = json!(db);
        r["input"] = json!(big.display().to_string());
        r["input_origin"] = json!(origin);
        rows.push(r);
    }
    eprintln!(
        "shrink-on-load: {:.1} ms vs full decode + resize {:.1} ms ({:.2}x), PSNR {db:.2} dB",
        t_shrink * 1e3,
        t_full * 1e3,
        t_full / t_shrink
    );

    // 2. Dataset throughput.
    let dir = dataset_dir(corpus, bench);
    // Keras' image_dataset_from_directory arguments (bilinear without antialias, F32, the fast
    // IDCT: Keras' pixels to the bit), with and without shrink-on-load; its bilinear without
    // antialias stays within 20 dB, not the default 40, of the full decode (ml::shrink), so the
    // shrinking row states a 20 dB tolerance.
    let dopts = |shrink: bool| {
        DatasetOptions::new()
            .image_size(SIDE, SIDE)
            .batch_size(32)
            .shuffle(false)
            .shrink_on_load(shrink)
            .shrink_min_psnr(20.0)
    };
    let ds = Dataset::from_directory(&dir, &dopts(false)).expect("dataset");
    let ds_shrink = Dataset::from_directory(&dir, &dopts(true)).expect("dataset");
    eprintln!("{}", ds.summary());
    assert_eq!(ds.len(), FILES, "dataset file count");
    let epoch = |ds: &Dataset| {
        let it = ds.batches();
        let recycler = it.recycler();
        let mut n = 0;
        for b in it {
            let b = b.expect("batch");
            n += b.indices.len();
            black_box(&b.images);
            recycler.recycle(b);
        }
        assert_eq!(n, FILES);
    };
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
    let epoch_one = |ds: &Dataset| {
        one.install(|| {
            let mut b = ds.batch(0).expect("batch");
            for i in 1..ds.num_batches() {
                ds.fill_batch(i, &mut b).expect("batch");
                black_box(&b.images);
            }
        })
    };
    let variant = "1000 JPEGs 640x480 to 224x224, Keras' defaults (bilinear without antialias, fast IDCT: \
                   Keras' pixels), batches of 32, F32, full epoch; MP/s column = images/s";
    let image = "dataset-1000x640x480";
    let runs: [(&str, usize, f64); 3] = [
        ("pixcodec", cores, time(|| epoch(&ds))),
        ("pixcodec-1thread", 1, time(|| epoch_one(&ds))),
        ("pixcodec-shrink", cores, time(|| epoch(&ds_shrink))),
    ];
    for (tool, threads, secs) in runs {
        eprintln!(
            "dataset {tool} ({threads} threads): {:.0} images/s",
            FILES as f64 / secs
        );
        let mut r = row("ml-dataset", image, variant, tool, threads, secs, FILES as f64);
        r["dataset"] = json!(dir.display().to_string());
        rows.push(r);
    }
    std::fs::write(out, serde_json::to_string_pretty(&rows).unwrap()).expect("write rows");
}
