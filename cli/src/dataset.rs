//! `pixcodec dataset DIR`: Keras' `image_dataset_from_directory`, batches written as `.npy`.
//!
//! With `--out DIR`, batch `k` goes to `DIR/images_{k:05}.npy` with shape `(N, H, W, C)`
//! (float32 or uint8) and, with labels, `DIR/labels_{k:05}.npy`: int32 `(N,)`, or float32
//! `(N, K)` (categorical) / `(N, 1)` (binary), exactly the shapes Keras yields
//! (`numpy.load` reads them back as such). `--subset both` writes `DIR/training/` and
//! `DIR/validation/`. `DIR/class_names.txt` lists the classes, one per line, index = label.

use std::path::{Path, PathBuf};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use pixcodec::ml::{ColorMode, Dataset, DatasetOptions, Fit, Interpolation, LabelMode, OnError, Subset};
use pixcodec::{DctMethod, SampleType};

use crate::load::{parse_size, usage};
use crate::Failure;

/// Arguments of `dataset`.
#[derive(clap::Args)]
pub struct Args {
    /// Folder with one sub-folder per class.
    dir: PathBuf,
    /// HEIGHTxWIDTH of every image (default 256x256, as Keras).
    #[arg(long, value_name = "HxW", default_value = "256x256")]
    image_size: String,
    /// Images per batch.
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    /// Shuffle the files (NumPy RandomState(seed) order, as Keras).
    #[arg(long)]
    shuffle: bool,
    /// Shuffle seed (0..4294967295); required with --shuffle and --validation-split.
    #[arg(long)]
    seed: Option<u32>,
    /// Fraction of files for validation (the last int(split * n) after the shuffle).
    #[arg(long)]
    validation_split: Option<f64>,
    /// training, validation or both.
    #[arg(long)]
    subset: Option<String>,
    /// gray, rgb (default) or rgba.
    #[arg(long, default_value = "rgb")]
    color_mode: String,
    /// bilinear (default), nearest, bicubic, lanczos3, box, hamming.
    #[arg(long, default_value = "bilinear")]
    interpolation: String,
    /// stretch (default), crop (crop_to_aspect_ratio), pad (pad_to_aspect_ratio).
    #[arg(long, default_value = "stretch")]
    fit: String,
    /// Antialias when downscaling (Keras' datasets do not).
    #[arg(long)]
    antialias: bool,
    #[command(flatten)]
    shrink: crate::shrink::ShrinkArgs,
    /// Turn the image upright by its EXIF orientation before resizing (off by default: Keras
    /// loads the pixels as stored).
    #[arg(long)]
    orient: bool,
    /// JPEG inverse DCT: fast (default: TensorFlow's, so Keras' pixels) or accurate (as
    /// `load`, Pillow and load_img); TensorFlow's INTEGER_FAST / INTEGER_ACCURATE also accepted.
    #[arg(long, value_name = "METHOD", default_value = "fast")]
    dct_method: String,
    /// int (default), categorical, binary or none.
    #[arg(long, default_value = "int")]
    label_mode: String,
    /// Class folders to use, comma-separated, in label order.
    #[arg(long, value_delimiter = ',')]
    class_names: Option<Vec<String>>,
    /// Enter symlinked folders.
    #[arg(long)]
    follow_links: bool,
    /// float32 (default, 0..255 as Keras) or uint8.
    #[arg(long, default_value = "float32")]
    dtype: String,
    /// Leave unreadable files out (listed on stderr) instead of failing.
    #[arg(long)]
    skip_errors: bool,
    /// Write the batches here as .npy files (otherwise only decode and report speed).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print every file in dataset order with its label (tab-separated) before decoding.
    #[arg(long)]
    list: bool,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j')]
    jobs: Option<usize>,
}

fn options(args: &Args) -> Result<DatasetOptions, Failure> {
    let (h, w) = parse_size(&args.image_size)?;
    let bad = |m: String| Failure { code: 2, message: m };
    let mut o = DatasetOptions::new()
        .image_size(h, w)
        .batch_size(args.batch_size)
        .shuffle(args.shuffle)
        .color_mode(args.color_mode.parse::<ColorMode>().map_err(usage)?)
        .interpolation(args.interpolation.parse::<Interpolation>().map_err(usage)?)
        .fit(args.fit.parse::<Fit>().map_err(usage)?)
        .antialias(args.antialias)
        .shrink_on_load(args.shrink.on())
        .shrink_min_psnr(args.shrink.min_psnr())
        .orient(args.orient)
        .dct_method(args.dct_method.parse::<DctMethod>().map_err(usage)?)
        .follow_links(args.follow_links)
        .on_error(if args.skip_errors { OnError::Skip } else { OnError::Fail })
        .label_mode(args.label_mode.parse::<LabelMode>().map_err(usage)?)
        .dtype(match args.dtype.as_str() {
            "float32" | "f32" => SampleType::F32,
            "uint8" | "u8" => SampleType::U8,
            d => return Err(bad(format!("unknown --dtype '{d}' (float32, uint8)"))),
        });
    if let Some(s) = args.seed {
        o = o.seed(s);
    }
    if let Some(v) = args.validation_split {
        o = o.validation_split(v);
    }
    if let Some(s) = &args.subset {
        o = o.subset(s.parse::<Subset>().map_err(usage)?);
    }
    if let Some(c) = &args.class_names {
        o = o.class_names(c.clone());
    }
    Ok(o)
}

/// Runs `dataset`.
pub fn run(args: Args) -> Result<(), Failure> {
    if let Some(j) = args.jobs {
        rayon::ThreadPoolBuilder::new()
            .num_threads(j.max(1))
            .build_global()
            .map_err(|e| Failure::msg(format!("cannot start {j} worker threads: {e}")))?;
    }
    let opts = options(&args)?;
    let sets: Vec<(Dataset, Option<&str>)> = if opts.subset == Some(Subset::Both) {
        let (t, v) = Dataset::from_directory_both(&args.dir, &opts)?;
        vec![(t, Some("training")), (v, Some("validation"))]
    } else {
        vec![(Dataset::from_directory(&args.dir, &opts)?, None)]
    };
    for (ds, sub) in sets {
        println!("{}", ds.summary());
        let out = match (&args.out, sub) {
            (Some(o), Some(s)) => Some(o.join(s)),
            (Some(o), None) => Some(o.clone()),
            _ => None,
        };
        if args.list {
            for (i, p) in ds.paths().iter().enumerate() {
                let label = ds.labels().map(|l| l[i].to_string()).unwrap_or_default();
                println!("{label}\t{}", p.display());
            }
        }
        run_one(&ds, out.as_deref())?;
    }
    Ok(())
}

fn run_one(ds: &Dataset, out: Option<&Path>) -> Result<(), Failure> {
    if let Some(o) = out {
        std::fs::create_dir_all(o).map_err(|e| Failure::msg(format!("cannot create {}: {e}", o.display())))?;
        if !ds.class_names().is_empty() {
            let mut text = ds.class_names().join("\n");
            text.push('\n');
            std::fs::write(o.join("class_names.txt"), text)
                .map_err(|e| Failure::msg(format!("cannot write class_names.txt: {e}")))?;
        }
    }
    let bar = ProgressBar::new(ds.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} images {per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let start = Instant::now();
    let (mut images, mut skipped, mut batches) = (0usize, 0usize, 0usize);
    let it = ds.batches();
    let recycler = it.recycler();
    for (k, b) in it.enumerate() {
        let b = b?;
        for (path, why) in &b.skipped {
            bar.suspend(|| eprintln!("skipped {}: {why}", path.display()));
        }
        if let Some(o) = out {
            b.images.write_npy(o.join(format!("images_{k:05}.npy")))?;
            if let Some(l) = &b.labels {
                l.write_npy(o.join(format!("labels_{k:05}.npy")))?;
            }
        }
        images += b.indices.len();
        skipped += b.skipped.len();
        batches += 1;
        bar.inc((b.indices.len() + b.skipped.len()) as u64);
        recycler.recycle(b);
    }
    bar.finish_and_clear();
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{images} images in {batches} batches{}{} in {secs:.2} s ({:.0} images/s)",
        if skipped > 0 {
            format!(", {skipped} skipped")
        } else {
            String::new()
        },
        out.map(|o| format!(", written to {}", o.display())).unwrap_or_default(),
        images as f64 / secs.max(1e-9)
    );
    Ok(())
}
