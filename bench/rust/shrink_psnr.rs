//! How far shrink-on-load moves the pixels, by how much the DCT-scaled decode still exceeds
//! the resize's output: the measurement behind shrink-on-load's choice of scale
//! (`src/ml/shrink.rs`, bench/README.md "Shrink-on-load tolerance").
//!
//! ```sh
//! cargo bench --bench shrink_psnr -- CORPUS
//! ```
//!
//! Every RGB corpus image at least 256 wide (`photos/*.png`) is written as a q90 4:2:0 JPEG, then
//! loaded to a range of target sizes twice: decoded at full size, and decoded at each DCT
//! scale (1/2, 1/4, 1/8) whose output still covers the target; both are resized the same way
//! (every filter, with and without antialias) in `f32`.
//! Printed per case: the remaining ratio (scaled decode / target, the smaller axis) and the
//! PSNR of the scaled result against the full one on the 0..255 scale; then, per filter, the
//! worst PSNR among the cases with at least each of `ml::SHRINK_RATIOS`.

use pixcodec::ml::{self, Interpolation, ResizeOptions};
use pixcodec::{convert, EncodeOptions, Image, Layout, Registry, SampleType};

fn psnr(a: &[f32], b: &[f32]) -> f64 {
    let mse = a.iter().zip(b).map(|(x, y)| f64::from(x - y).powi(2)).sum::<f64>() / a.len() as f64;
    if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (255.0f64 * 255.0 / mse).log10()
    }
}

/// Decodes `jpg` (drafted to `1/denom` of its size when `denom > 1`) and resizes it in `f32`.
fn load(jpg: &[u8], denom: u32, (tw, th): (u32, u32), opts: &ResizeOptions) -> Vec<f32> {
    let registry = Registry::global();
    let mut dec = registry.decoder(jpg, &Default::default()).expect("open");
    let (w, h) = (dec.info().width, dec.info().height);
    if denom > 1 {
        assert!(dec.draft(w.div_ceil(denom), h.div_ceil(denom)).expect("draft"));
    }
    let info = dec.info().clone();
    let mut img = Image::new(info.width, info.height, info.format).expect("image");
    dec.decode_into(img.as_mut()).expect("decode");
    let f = convert::cast(&img.as_ref(), SampleType::F32).expect("cast");
    let out = ml::resize(&f.as_ref(), tw, th, opts).expect("resize");
    out.as_slice::<f32>().expect("f32").to_vec()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let [corpus] = &args[..] else {
        eprintln!("usage: shrink_psnr CORPUS");
        std::process::exit(2);
    };
    let filters: Vec<(String, ResizeOptions)> = [
        Interpolation::Bilinear,
        Interpolation::Bicubic,
        Interpolation::Lanczos3,
        Interpolation::Hamming,
        Interpolation::Box,
        Interpolation::Nearest,
    ]
    .into_iter()
    .flat_map(|i| {
        [true, false].map(|aa| {
            let name = format!("{i:?}{}", if aa { "+aa" } else { "" }).to_lowercase();
            (name, ResizeOptions::new().interpolation(i).antialias(aa))
        })
    })
    .collect();
    // (filter, least ratio) -> worst PSNR of the cases with at least that ratio
    let least = ml::SHRINK_RATIOS;
    let mut worst = vec![vec![f64::INFINITY; least.len()]; filters.len()];
    let mut dir: Vec<_> = std::fs::read_dir(std::path::Path::new(corpus).join("photos"))
        .expect("photos")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    dir.sort();
    println!("file\tfilter\ttarget\tscale\tratio\tpsnr_db");
    for path in dir {
        let img = pixcodec::read(&path).expect("read");
        if img.format().layout != Layout::Rgb || img.width() < 256 {
            continue;
        }
        let jpg = pixcodec::encode(
            img.as_ref(),
            "jpeg",
            &EncodeOptions::new().set("quality", 90i64).set("subsampling", "420"),
        )
        .expect("encode")
        .data;
        let (w, h) = (img.width(), img.height());
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        for div in [2.0f64, 2.5, 3.0, 3.43, 4.0, 5.0, 6.0, 8.0, 10.0, 12.0] {
            let target = ((f64::from(w) / div).round() as u32, (f64::from(h) / div).round() as u32);
            for (fi, (fname, opts)) in filters.iter().enumerate() {
                let full = load(&jpg, 1, target, opts);
                for denom in [2u32, 4, 8] {
                    let (sw, sh) = (w.div_ceil(denom), h.div_ceil(denom));
                    if sw < target.0 || sh < target.1 {
                        continue;
                    }
                    let ratio = (f64::from(sw) / f64::from(target.0)).min(f64::from(sh) / f64::from(target.1));
                    let db = psnr(&load(&jpg, denom, target, opts), &full);
                    println!(
                        "{name}\t{fname}\t{}x{}\t1/{denom}\t{ratio:.2}\t{db:.2}",
                        target.0, target.1
                    );
                    for (k, &r) in least.iter().enumerate() {
                        if ratio >= r {
                            worst[fi][k] = worst[fi][k].min(db);
                        }
                    }
                }
            }
        }
    }
    println!("\nworst PSNR (dB) of the cases whose remaining ratio is at least:");
    let heads: Vec<String> = least.iter().map(|r| format!(">={r}")).collect();
    println!("filter\t{}", heads.join("\t"));
    for (fi, (fname, _)) in filters.iter().enumerate() {
        let cells: Vec<String> = worst[fi].iter().map(|v| format!("{v:.1}")).collect();
        println!("{fname}\t{}", cells.join("\t"));
    }
}
