//! The Rust reference rows of `make bench-python`: prints JSON timings (seconds, medians) of
//!
//! - `dataset DIR H W BATCH REPEATS`: one epoch of `ml::Dataset` with Keras' defaults (no
//!   shuffle), images `(BATCH, H, W, 3)` `F32`, batches recycled as the Python iterator does;
//! - `decode FILE REPEATS`: `pixcodec::decode` of one file.

use std::time::Instant;

use pixcodec::ml::{Dataset, DatasetOptions};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
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
            let mut times = Vec::new();
            for _ in 0..args[5].parse::<usize>()? {
                let t = Instant::now();
                let mut n = 0;
                let mut it = ds.batches();
                let recycler = it.recycler();
                for b in &mut it {
                    let b = b?;
                    n += b.images.shape()[0];
                    recycler.recycle(b);
                }
                assert_eq!(n, ds.len());
                times.push(t.elapsed().as_secs_f64());
            }
            println!("{{\"dataset_epoch_s\": {}}}", median(times));
        }
        Some("decode") if args.len() == 3 => {
            let data = std::fs::read(&args[1])?;
            let mut times = Vec::new();
            for _ in 0..args[2].parse::<usize>()? {
                let t = Instant::now();
                std::hint::black_box(pixcodec::decode(&data)?);
                times.push(t.elapsed().as_secs_f64());
            }
            println!("{{\"decode_s\": {}}}", median(times));
        }
        _ => {
            eprintln!("usage: dataset_epoch dataset DIR H W BATCH REPEATS | decode FILE REPEATS");
            std::process::exit(2);
        }
    }
    Ok(())
}
