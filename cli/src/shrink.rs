//! Shrink-on-load flags shared by `load` and `dataset` (`--shrink`, `--no-shrink`,
//! `--shrink-min-psnr`).

/// Whether JPEG decoding may shrink by DCT scaling, and within which tolerance.
#[derive(clap::Args, Debug, Clone)]
pub struct ShrinkArgs {
    /// Shrink-on-load: let JPEG decoding shrink by 1/2, 1/4 or 1/8 (DCT scaling), as far as
    /// --shrink-min-psnr allows. Faster, but the pixels differ from Keras' (off by default).
    #[arg(long, conflicts_with = "no_shrink")]
    shrink: bool,
    /// Decode at full size (the default; kept for scripts written before --shrink).
    #[arg(long)]
    no_shrink: bool,
    /// Shrink-on-load's tolerance: the least PSNR (dB) against a full decode that the chosen
    /// filter kept at the chosen scale in pixcodec's measurements (default 40; filters without
    /// antialias, such as a dataset's bilinear, measured 22.8-33.1 dB and shrink only at or
    /// below that).
    #[arg(long, value_name = "DB", default_value_t = pixcodec::ml::DEFAULT_SHRINK_MIN_PSNR)]
    shrink_min_psnr: f64,
}

impl ShrinkArgs {
    /// Whether shrink-on-load was asked for.
    pub fn on(&self) -> bool {
        self.shrink && !self.no_shrink
    }

    /// The tolerance in dB.
    pub fn min_psnr(&self) -> f64 {
        self.shrink_min_psnr
    }
}
