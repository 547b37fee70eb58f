//! Shrink-on-load's choice of JPEG DCT scale: the largest reduction whose result stays within
//! the caller's stated tolerance ([`LoadOptions::shrink_min_psnr`](super::LoadOptions::shrink_min_psnr))
//! of a full decode followed by the same resize.
//!
//! How far a scaled decode moves the result depends on the filter and on how much the scaled
//! image still exceeds the resize's output (the remaining ratio). `bench/rust/shrink_psnr.rs`
//! measures it on the corpus photos (bench/README.md, "Shrink-on-load
//! tolerance"); [`worst_psnr`] holds those measurements, and a scale is taken only when every
//! measured case with at least its remaining ratio stayed within the tolerance.

/// Remaining ratios (scaled decode / resize output, the smaller of the two axes) that the
/// tolerance table distinguishes.
pub const SHRINK_RATIOS: [f64; 6] = [1.0, 1.25, 1.5, 2.0, 3.0, 4.0];

use super::resize::{Interpolation, ResizeOptions};

/// The default tolerance of shrink-on-load: 40 dB PSNR against the full decode.
pub const DEFAULT_SHRINK_MIN_PSNR: f64 = 40.0;

/// `db` as a shrink-on-load tolerance, or an error when it is NaN (any number of dB is one:
/// at or below the table's lowest value every scale qualifies, above its highest none).
/// Loading and datasets check it; the C setters call it to refuse at once.
pub fn check_shrink_min_psnr(db: f64) -> crate::Result<f64> {
    if db.is_nan() {
        return Err(crate::Error::invalid(
            "the shrink-on-load tolerance is NaN (a PSNR in dB)",
        ));
    }
    Ok(db)
}

/// The worst PSNR (dB, 0..255 scale) against a full decode + the same resize measured among
/// the cases whose remaining ratio was at least [`SHRINK_RATIOS`]`[k]`, for each `k`
/// (`bench/rust/shrink_psnr.rs`: the corpus' four Kodak photos and the diagram as q90 4:2:0
/// JPEG, ten target sizes each, DCT scales 1/2, 1/4, 1/8; 2026-12-06).
fn worst_psnr(resize: &ResizeOptions) -> [f64; 6] {
    use Interpolation::*;
    match (resize.interpolation, resize.antialias) {
        (Bilinear, true) => [36.7, 40.1, 42.9, 46.4, 53.9, 57.0],
        (Bilinear, false) => [23.9, 24.1, 25.0, 26.6, 33.1, 33.1],
        (Bicubic, true) => [38.6, 38.7, 41.1, 48.3, 53.9, 56.2],
        (Bicubic, false) => [23.8, 23.9, 24.7, 26.3, 31.4, 32.0],
        (Lanczos3, true) => [36.8, 38.2, 40.7, 48.4, 53.7, 55.9],
        (Lanczos3, false) => [23.7, 23.7, 24.4, 25.9, 30.2, 30.8],
        (Hamming, true) => [35.6, 36.0, 38.5, 45.0, 52.4, 55.2],
        (Hamming, false) => [23.8, 24.0, 25.2, 26.6, 32.2, 32.2],
        (Box, true) => [31.2, 31.9, 32.0, 35.8, 36.9, 39.9],
        (Box, false) => [22.8, 23.2, 23.8, 23.8, 29.3, 29.5],
        // Nearest has no antialias: both measured rows are the same within 0.1 dB.
        (Nearest, _) => [22.8, 23.2, 23.8, 23.8, 29.3, 29.5],
    }
}

/// The least remaining ratio at which every measured case of this filter stayed within
/// `min_psnr` dB of the full decode, or `None` when none did (no shrinking).
pub(crate) fn least_ratio(resize: &ResizeOptions, min_psnr: f64) -> Option<f64> {
    let worst = worst_psnr(resize);
    SHRINK_RATIOS
        .iter()
        .zip(worst)
        .find(|&(_, db)| db >= min_psnr)
        .map(|(&r, _)| r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tolerance_picks_the_least_ratio_measured_within_it() {
        let aa = ResizeOptions::new()
            .interpolation(Interpolation::Bilinear)
            .antialias(true);
        assert_eq!(least_ratio(&aa, 40.0), Some(1.25));
        assert_eq!(least_ratio(&aa, 45.0), Some(2.0));
        assert_eq!(least_ratio(&aa, 0.0), Some(1.0));
        assert_eq!(least_ratio(&aa, 60.0), None);
        // Keras' dataset filter (no antialias) never stays within 40 dB: no shrinking.
        let keras = ResizeOptions::new()
            .interpolation(Interpolation::Bilinear)
            .antialias(false);
        assert_eq!(least_ratio(&keras, DEFAULT_SHRINK_MIN_PSNR), None);
        assert_eq!(least_ratio(&keras, 30.0), Some(3.0));
        // Every table rises with the ratio (a larger ratio never allows a looser tolerance).
        for i in Interpolation::ALL {
            for a in [true, false] {
                let w = worst_psnr(&ResizeOptions::new().interpolation(i).antialias(a));
                assert!(w.windows(2).all(|p| p[0] <= p[1]), "{i:?} {a}: {w:?}");
            }
        }
    }
}
