//! Keras-style loading for machine learning over the C ABI: the enum values the options
//! take (this file, with their converters), `pxc_load_options` and `pxc_load_into` /
//! `pxc_load_file_into` (decode + convert + resize in one call, straight into caller
//! memory; `load.rs`), and the directory dataset `pxc_dataset` (Keras'
//! `image_dataset_from_directory`; options in `dataset_options.rs`) whose batches and labels
//! are written into caller-provided buffers (`dataset.rs`).

use pixcodec::ml::{ColorMode, Fit, Interpolation, LabelMode, Subset};
use pixcodec::DctMethod;

use crate::types::c_enum_conversions;

// cbindgen writes the functions in the order it reads them: loading first, as before.
pub mod load;

pub mod dataset_options;

pub mod dataset;

/// Channels of a loaded image (Keras' `color_mode`; values of `uint32_t color_mode`).
/// Never renumbered.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum pxc_color_mode {
    /// One channel: colour becomes ITU-R BT.601 luma (as Pillow's `convert("L")`), alpha is
    /// dropped.
    Gray = 0,
    /// Three channels (the default): gray is replicated, alpha is dropped.
    Rgb = 1,
    /// Four channels: images without alpha get an opaque alpha.
    Rgba = 2,
}

/// Resampling filters (values of `uint32_t interpolation`). Never renumbered.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum pxc_interpolation {
    /// Nearest neighbour (half-pixel centres, as Pillow and `tf.image.resize`).
    Nearest = 0,
    /// Triangle filter (Pillow `BILINEAR`, TF `bilinear`).
    Bilinear = 1,
    /// Catmull-Rom cubic, a = -0.5 (Pillow `BICUBIC`, TF `bicubic`).
    Bicubic = 2,
    /// Lanczos, 3 lobes (Pillow `LANCZOS`, TF `lanczos3`).
    Lanczos3 = 3,
    /// Box filter (Pillow `BOX`, TF `area`).
    Box = 4,
    /// Hamming filter (Pillow `HAMMING`).
    Hamming = 5,
}

/// Aspect-ratio handling when resizing (values of `uint32_t fit`). Never renumbered.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum pxc_fit {
    /// Stretch to the target size (the default).
    Stretch = 0,
    /// Centre-crop to the target aspect first, with `load_img(keep_aspect_ratio=True)`'s box.
    KeepAspectRatio = 1,
    /// Centre-crop to the target aspect first, with Keras' `smart_resize` arithmetic.
    CropToAspectRatio = 2,
    /// Resize to fit and pad with zeros, as `tf.image.resize_with_pad`.
    PadToAspectRatio = 3,
}

/// How dataset labels are encoded (Keras' `label_mode`; values of `uint32_t label_mode`).
/// Never renumbered.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum pxc_label_mode {
    /// One `int32_t` class index per image (the default).
    Int = 0,
    /// One-hot `float` rows of `class_count` values per image.
    Categorical = 1,
    /// One `float` 0.0 / 1.0 per image; exactly two classes.
    Binary = 2,
    /// No labels.
    None = 3,
}

/// Which part of a validation split (Keras' `subset`; values of `uint32_t subset`). Never
/// renumbered.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum pxc_subset {
    /// All but the last `(size_t)(split * n)` files of the (shuffled) list.
    Training = 0,
    /// The last `(size_t)(split * n)` files.
    Validation = 1,
    /// Both: only with `pxc_dataset_open_both`.
    Both = 2,
}

/// The inverse DCT of lossy JPEG decodes (values of `uint32_t dct_method`). Never renumbered.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum pxc_dct_method {
    /// libjpeg's accurate integer IDCT, as Pillow and Keras' `load_img` (the default of
    /// `pxc_load_options`).
    Accurate = 0,
    /// libjpeg's fast integer IDCT, TensorFlow's `decode_jpeg` default and so Keras'
    /// `image_dataset_from_directory`'s (the default of `pxc_dataset_options`).
    Fast = 1,
}

c_enum_conversions!(pxc_dct_method <=> DctMethod, "DCT method",
    "a pxc_dct_method value (0 = ACCURATE, 1 = FAST)", dct_method_from, dct_method_to, [Accurate, Fast]);
c_enum_conversions!(pxc_color_mode <=> ColorMode, "color mode",
    "a pxc_color_mode value (0 = GRAY, 1 = RGB, 2 = RGBA)", color_mode_from, color_mode_to, [Gray, Rgb, Rgba]);
c_enum_conversions!(pxc_interpolation <=> Interpolation, "interpolation",
    "a pxc_interpolation value (0 = NEAREST .. 5 = HAMMING)", interpolation_from, interpolation_to,
    [Nearest, Bilinear, Bicubic, Lanczos3, Box, Hamming]);
c_enum_conversions!(pxc_fit <=> Fit, "fit", "a pxc_fit value (0 = STRETCH .. 3 = PAD_TO_ASPECT_RATIO)",
    fit_from, fit_to, [Stretch, KeepAspectRatio, CropToAspectRatio, PadToAspectRatio]);
c_enum_conversions!(pxc_label_mode <=> LabelMode, "label mode", "a pxc_label_mode value (0 = INT .. 3 = NONE)",
    label_mode_from, label_mode_to, [Int, Categorical, Binary, None]);
c_enum_conversions!(pxc_subset <=> Subset, "subset",
    "a pxc_subset value (0 = TRAINING, 1 = VALIDATION, 2 = BOTH)", subset_from, subset_to,
    [Training, Validation, Both]);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boundary::pxc_status;

    #[test]
    fn ml_enum_values_never_change_and_only_they_convert() {
        assert_eq!(
            [
                pxc_color_mode::Gray as u32,
                pxc_color_mode::Rgb as u32,
                pxc_color_mode::Rgba as u32
            ],
            [0, 1, 2]
        );
        assert_eq!(
            [
                pxc_interpolation::Nearest as u32,
                pxc_interpolation::Bilinear as u32,
                pxc_interpolation::Bicubic as u32,
                pxc_interpolation::Lanczos3 as u32,
                pxc_interpolation::Box as u32,
                pxc_interpolation::Hamming as u32
            ],
            [0, 1, 2, 3, 4, 5]
        );
        assert_eq!(
            [
                pxc_fit::Stretch as u32,
                pxc_fit::KeepAspectRatio as u32,
                pxc_fit::CropToAspectRatio as u32,
                pxc_fit::PadToAspectRatio as u32
            ],
            [0, 1, 2, 3]
        );
        assert_eq!(
            [
                pxc_label_mode::Int as u32,
                pxc_label_mode::Categorical as u32,
                pxc_label_mode::Binary as u32,
                pxc_label_mode::None as u32
            ],
            [0, 1, 2, 3]
        );
        assert_eq!(
            [
                pxc_subset::Training as u32,
                pxc_subset::Validation as u32,
                pxc_subset::Both as u32
            ],
            [0, 1, 2]
        );
        // Every value converts to its variant and back; the next value is refused, naming
        // the C enum.
        macro_rules! round_trip {
            ($from:ident, $to:ident, $n:expr, $name:literal) => {
                for v in 0..$n {
                    assert_eq!($to($from(v).unwrap()), v);
                }
                for bad in [$n, u32::MAX] {
                    let f = $from(bad).unwrap_err();
                    assert_eq!(f.status, pxc_status::InvalidArgument);
                    assert!(
                        f.message.contains(&format!("{bad} is not a {}", $name)),
                        "{}",
                        f.message
                    );
                }
            };
        }
        round_trip!(color_mode_from, color_mode_to, 3, "pxc_color_mode");
        round_trip!(interpolation_from, interpolation_to, 6, "pxc_interpolation");
        round_trip!(fit_from, fit_to, 4, "pxc_fit");
        round_trip!(label_mode_from, label_mode_to, 4, "pxc_label_mode");
        round_trip!(subset_from, subset_to, 3, "pxc_subset");
        assert_eq!([pxc_dct_method::Accurate as u32, pxc_dct_method::Fast as u32], [0, 1]);
        round_trip!(dct_method_from, dct_method_to, 2, "pxc_dct_method");
        assert_eq!(color_mode_from(2).unwrap(), ColorMode::Rgba);
        assert_eq!(interpolation_from(3).unwrap(), Interpolation::Lanczos3);
        assert_eq!(fit_from(1).unwrap(), Fit::KeepAspectRatio);
        assert_eq!(label_mode_from(1).unwrap(), LabelMode::Categorical);
        assert_eq!(subset_from(1).unwrap(), Subset::Validation);
        assert_eq!(
            color_mode_from(3).unwrap_err().message,
            "color mode 3 is not a pxc_color_mode value (0 = GRAY, 1 = RGB, 2 = RGBA)"
        );
    }
}
