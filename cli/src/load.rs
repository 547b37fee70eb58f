//! `pixcodec load FILE -o OUT`: Keras' `load_img` + `img_to_array` from the command line.

use std::path::PathBuf;

use pixcodec::ml::{self, ChannelOrder, ColorMode, Fit, Interpolation, LoadOptions, SaveOptions};
use pixcodec::SampleType;

use crate::Failure;

/// Arguments of `load`.
#[derive(clap::Args)]
pub struct Args {
    /// Image file to load.
    file: PathBuf,
    /// Output: `.npy` writes the array (see --dtype, --channels-first); any other extension
    /// saves the loaded image under the exact encode rules.
    #[arg(short = 'o', long)]
    output: PathBuf,
    /// Resize to HEIGHTxWIDTH (Keras' target_size order), e.g. 224x224.
    #[arg(long, value_name = "HxW")]
    target_size: Option<String>,
    /// nearest (default, as load_img), bilinear, bicubic, lanczos3, box, hamming.
    #[arg(long, default_value = "nearest")]
    interpolation: String,
    /// gray, rgb (default) or rgba.
    #[arg(long, default_value = "rgb")]
    color_mode: String,
    /// stretch (default), keep (load_img keep_aspect_ratio), crop (smart_resize), pad.
    #[arg(long, default_value = "stretch")]
    fit: String,
    /// Resize with a fixed-size kernel as tf.image.resize (default: antialias as Pillow).
    #[arg(long)]
    no_antialias: bool,
    #[command(flatten)]
    shrink: crate::shrink::ShrinkArgs,
    /// Turn the image upright by its EXIF orientation before resizing (off by default: Keras
    /// loads the pixels as stored).
    #[arg(long)]
    orient: bool,
    /// JPEG inverse DCT: accurate (default, as Pillow and so load_img) or fast (TensorFlow's
    /// decode_jpeg default); INTEGER_ACCURATE / INTEGER_FAST also accepted.
    #[arg(long, value_name = "METHOD", default_value = "accurate")]
    dct_method: String,
    /// Array type for .npy output: float32 (default, as img_to_array) or keep (the file's own).
    #[arg(long, default_value = "float32")]
    dtype: String,
    /// Write (C, H, W) instead of (H, W, C).
    #[arg(long)]
    channels_first: bool,
}

/// Parses `HxW` (also `H,W`) into (height, width).
pub fn parse_size(s: &str) -> Result<(u32, u32), Failure> {
    let bad = || Failure {
        code: 2,
        message: format!("size '{s}' must be HEIGHTxWIDTH, e.g. 224x224"),
    };
    let (h, w) = s.split_once(['x', 'X', ',']).ok_or_else(bad)?;
    let h: u32 = h.trim().parse().map_err(|_| bad())?;
    let w: u32 = w.trim().parse().map_err(|_| bad())?;
    if h == 0 || w == 0 {
        return Err(bad());
    }
    Ok((h, w))
}

/// A usage error (exit 2) from a library parse error, e.g. an unknown option value; the
/// message lists the accepted values.
pub fn usage(e: pixcodec::Error) -> Failure {
    Failure {
        code: 2,
        message: e.to_string(),
    }
}

/// Runs `load`.
pub fn run(args: Args) -> Result<(), Failure> {
    let interp: Interpolation = args.interpolation.parse().map_err(usage)?;
    let mode: ColorMode = args.color_mode.parse().map_err(usage)?;
    let mut opts = LoadOptions::new()
        .color_mode(mode)
        .interpolation(interp)
        .fit(args.fit.parse::<Fit>().map_err(usage)?)
        .antialias(!args.no_antialias)
        .shrink_on_load(args.shrink.on())
        .shrink_min_psnr(args.shrink.min_psnr())
        .orient(args.orient)
        .dct_method(args.dct_method.parse::<pixcodec::DctMethod>().map_err(usage)?);
    if let Some(s) = &args.target_size {
        let (h, w) = parse_size(s)?;
        opts = opts.target_size(h, w);
    }
    let img = ml::load(&args.file, &opts)?;
    let is_npy = args.output.extension().is_some_and(|e| e.eq_ignore_ascii_case("npy"));
    if is_npy {
        let dtype = match args.dtype.as_str() {
            "float32" | "f32" => SampleType::F32,
            "keep" => img.format().sample,
            other => {
                return Err(Failure {
                    code: 2,
                    message: format!("unknown --dtype '{other}' (float32, keep)"),
                })
            }
        };
        let order = if args.channels_first {
            ChannelOrder::First
        } else {
            ChannelOrder::Last
        };
        let arr = ml::to_array(&img.as_ref(), dtype, order)?;
        arr.write_npy(&args.output)?;
        println!(
            "{}: array {:?} {} from {}",
            args.output.display(),
            arr.shape(),
            arr.dtype(),
            args.file.display()
        );
    } else {
        let report = ml::save(&img.as_ref(), &args.output, &SaveOptions::new())?;
        println!(
            "{}: {}x{} {} ({}, {})",
            args.output.display(),
            img.width(),
            img.height(),
            img.format(),
            report.codec,
            if report.exact { "exact" } else { "lossy" }
        );
    }
    Ok(())
}
