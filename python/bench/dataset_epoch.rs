//! The Rust API rows of the Python benchmark (python/bench/bench.py, `make bench`'s Python
//! section): prints JSON timings (seconds, medians) of
//!
//! - `dataset DIR H W BATCH REPEATS`: one epoch of `ml::Dataset` with Keras' defaults (no
//!   shuffle), images `(BATCH, H, W, 3)` `F32`, batches recycled as the Python iterator does;
//! - `decode FILE BUDGET`: `pixcodec::decode` of one file's bytes (a new image per call, as
//!   `pixcodec.decode` returns a new array);
//! - `encode FILE FORMAT BUDGET [KEY=VALUE ...]`: `pixcodec::encode` (a new `Vec` per call, as
//!   `pixcodec.encode` returns new bytes) of the image FILE holds, with those options (an
//!   integer value is an int option, anything else a string); also prints the output's size.
//!
//! Timing rule of bench.py: one warm-up, then calls until BUDGET seconds have passed, at least 5
//! and at most 200; the median. BUDGET 0 times only the minimum.

use std::time::Instant;

use pixcodec::ml::{Dataset, DatasetOptions};
use pixcodec::{EncodeOptions, OptionValue};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// bench.py's `timeit`: warm-up, then at least 5 runs and until `budget` s (at most 200).
fn timeit(budget: f64, mut f: impl FnMut() -> pixcodec::Result<()>) -> pixcodec::Result<(f64, usize)> {
    f()?;
    let mut times = Vec::new();
    let start = Instant::now();
    while times.len() < 5 || (start.elapsed().as_secs_f64() < budget && times.len() < 200) {
        let t = Instant::now();
        f()?;
        times.push(t.elapsed().as_secs_f64());
    }
    let n = times.len();
    Ok((median(times), n))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("dataset") if args.len() == 6 => {
            let (h, w): (u32, u32) = (args[2].parse()?, args[3].parse()?);
            let opts = DatasetOptions::new()
                .image_size(h, w)
                .batch_size(args[4].parse()?)
                .shuffle(false);
            let ds = Dataset::from_directory(&args[1], &opts)?;
            let epoch = || -> pixcodec::Result<()> {
                let mut n = 0;
                let mut it = ds.batches();
                let recycler = it.recycler();
                for b in &mut it {
                    let b = b?;
                    n += b.images.shape()[0];
                    recycler.recycle(b);
                }
                assert_eq!(n, ds.len());
                Ok(())
            };
            epoch()?; // warm-up, as bench.py's epochs
            let mut times = Vec::new();
            for _ in 0..args[5].parse::<usize>()? {
                let t = Instant::now();
                epoch()?;
                times.push(t.elapsed().as_secs_f64());
            }
            println!("{{\"dataset_epoch_s\": {}}}", median(times));
        }
        Some("decode") if args.len() == 3 => {
            let data = std::fs::read(&args[1])?;
            let (s, n) = timeit(args[2].parse()?, || {
                std::hint::black_box(pixcodec::decode(std::hint::black_box(&data))?);
                Ok(())
            })?;
            println!("{{\"seconds\": {s}, \"runs\": {n}}}");
        }
        Some("encode") if args.len() >= 4 => {
            let img = pixcodec::decode(&std::fs::read(&args[1])?)?;
            let format = args[2].as_str();
            let mut opts = EncodeOptions::new();
            for kv in &args[4..] {
                let (k, v) = kv.split_once('=').ok_or("options are KEY=VALUE")?;
                let value = match v.parse::<i64>() {
                    Ok(i) => OptionValue::Int(i),
                    Err(_) => OptionValue::Str(v.to_string()),
                };
                opts = opts.set(k, value);
            }
            let mut bytes = 0;
            let (s, n) = timeit(args[3].parse()?, || {
                let out = pixcodec::encode(std::hint::black_box(img.as_ref()), format, &opts)?;
                bytes = out.data.len();
                std::hint::black_box(out);
                Ok(())
            })?;
            println!("{{\"seconds\": {s}, \"runs\": {n}, \"bytes\": {bytes}}}");
        }
        _ => {
            eprintln!(
                "usage: dataset_epoch dataset DIR H W BATCH REPEATS | decode FILE BUDGET | \
                 encode FILE FORMAT BUDGET [KEY=VALUE ...]"
            );
            std::process::exit(2);
        }
    }
    Ok(())
}
