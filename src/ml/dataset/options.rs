//! [`DatasetOptions`] (Keras' `image_dataset_from_directory` arguments, with Keras'
//! defaults) and the enums it holds, plus the check that rejects inconsistent options before
//! any file is listed.

use crate::codec::DctMethod;
use crate::error::{Error, Result};
use crate::io::DecodeOptions;
use crate::sample::SampleType;

use crate::ml::resize::{ColorMode, Fit, Interpolation};

/// Where labels come from (Keras' `labels`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Labels {
    /// From the sub-folder names (`"inferred"`, the default).
    #[default]
    Inferred,
    /// One integer label per file, in the order of the sorted file paths (walk order of the
    /// whole directory). The class names are the sorted distinct labels as text.
    Explicit(Vec<i32>),
    /// No labels (`None`); the whole directory tree is walked.
    None,
}

// Explicit labels have no text form: build `Labels::Explicit`.
crate::ml::parse::from_names!(Labels, "labels", { Labels::Inferred => ["inferred"], Labels::None => ["none"] });

/// How labels are encoded (Keras' `label_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LabelMode {
    /// `I32` of shape `(N,)` (`"int"`, the default).
    #[default]
    Int,
    /// One-hot `F32` of shape `(N, num_classes)` (`"categorical"`).
    Categorical,
    /// `F32` 0.0 / 1.0 of shape `(N, 1)`; exactly two classes (`"binary"`).
    Binary,
    /// No labels.
    None,
}

crate::ml::parse::from_names!(LabelMode, "label mode", {
    LabelMode::Int => ["int"],
    LabelMode::Categorical => ["categorical"],
    LabelMode::Binary => ["binary"],
    LabelMode::None => ["none"],
});

/// Which part of a validation split (Keras' `subset`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subset {
    /// All but the last `int(split * n)` files.
    Training,
    /// The last `int(split * n)` files.
    Validation,
    /// Both, from one index ([`Dataset::from_directory_both`](super::Dataset::from_directory_both)).
    Both,
}

crate::ml::parse::from_names!(Subset, "subset", {
    Subset::Training => ["training"],
    Subset::Validation => ["validation"],
    Subset::Both => ["both"],
});

/// What happens to a file that cannot be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnError {
    /// The batch fails with an error naming the file (the default).
    #[default]
    Fail,
    /// The file is left out of its batch (which is then shorter) and listed in
    /// [`Batch::skipped`](super::Batch::skipped).
    Skip,
}

crate::ml::parse::from_names!(OnError, "on-error policy", { OnError::Fail => ["fail"], OnError::Skip => ["skip"] });

/// The extensions Keras accepts (`bmp gif jpeg jpg png`) plus `tif` and `tiff`.
pub const DEFAULT_EXTENSIONS: [&str; 7] = ["bmp", "gif", "jpeg", "jpg", "png", "tif", "tiff"];

/// Options of [`Dataset::from_directory`](super::Dataset::from_directory); the defaults are
/// Keras' (`image_size` 256x256, `batch_size` 32, shuffle on, bilinear without antialias,
/// `F32` batches holding 0..255).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DatasetOptions {
    /// Label source.
    pub labels: Labels,
    /// Label encoding.
    pub label_mode: LabelMode,
    /// Class folders to use, in this order (only with [`Labels::Inferred`]; must be a subset
    /// of the sub-folders).
    pub class_names: Option<Vec<String>>,
    /// Channels of the batches.
    pub color_mode: ColorMode,
    /// `(height, width)` of every image in a batch.
    pub image_size: (u32, u32),
    /// Images per batch (the last batch may be shorter).
    pub batch_size: usize,
    /// Shuffle the file list with NumPy's `RandomState(seed)` permutation.
    pub shuffle: bool,
    /// Seed (0..=2^32-1, as NumPy). Required with `shuffle` and a validation split.
    pub seed: Option<u32>,
    /// Fraction of files for validation (0 < split < 1).
    pub validation_split: Option<f64>,
    /// Which subset to return (required with `validation_split`).
    pub subset: Option<Subset>,
    /// Resize filter (default bilinear).
    pub interpolation: Interpolation,
    /// Aspect handling: [`Fit::CropToAspectRatio`] or [`Fit::PadToAspectRatio`] as Keras.
    pub fit: Fit,
    /// Antialias (default off, as `tf.image.resize` in Keras' datasets).
    pub antialias: bool,
    /// Enter symlinked folders while walking.
    pub follow_links: bool,
    /// Allowed file extensions, lower-case without dot.
    pub extensions: Vec<String>,
    /// Sample type of the batches: `F32` (default, values 0..255 as Keras) or the files' own
    /// type (e.g. `U8`; files that do not fit exactly fail).
    pub dtype: SampleType,
    /// Unreadable files: fail or skip.
    pub on_error: OnError,
    /// Batches decoded ahead of the consumer by [`Dataset::batches`](super::Dataset::batches) (at least 1).
    pub prefetch: usize,
    /// Shrink-on-load for JPEG (see
    /// [`LoadOptions::shrink_on_load`](crate::ml::LoadOptions::shrink_on_load)); default off (Keras' pixels).
    pub shrink_on_load: bool,
    /// Shrink-on-load's tolerance in dB PSNR (see
    /// [`LoadOptions::shrink_min_psnr`](crate::ml::LoadOptions::shrink_min_psnr)); default 40,
    /// at which Keras' bilinear without antialias never shrinks (measured 24-33 dB): set it
    /// lower (e.g. 20) to shrink anyway.
    pub shrink_min_psnr: f64,
    /// Turn each image upright by its EXIF orientation before resizing (see
    /// [`LoadOptions::orient`](crate::ml::LoadOptions::orient)); default off, as Keras (which
    /// ignores the orientation).
    pub orient: bool,
    /// The inverse DCT of lossy JPEG files (Keras' `tf.io.decode_image` has no argument for it
    /// and decodes with TensorFlow's default, the fast one: [`DctMethod::Fast`] is the default
    /// here too, so JPEG batches hold Keras' pixels; [`DctMethod::Accurate`] decodes as
    /// [`load`](crate::ml::load()), Pillow and `load_img` do). It replaces
    /// [`DecodeOptions::dct_method`] of [`DatasetOptions::decode`].
    pub dct_method: DctMethod,
    /// Limits (and a forced codec) for each file.
    pub decode: DecodeOptions,
}

impl Default for DatasetOptions {
    fn default() -> Self {
        DatasetOptions {
            labels: Labels::Inferred,
            label_mode: LabelMode::Int,
            class_names: None,
            color_mode: ColorMode::Rgb,
            image_size: (256, 256),
            batch_size: 32,
            shuffle: true,
            seed: None,
            validation_split: None,
            subset: None,
            interpolation: Interpolation::Bilinear,
            fit: Fit::Stretch,
            antialias: false,
            follow_links: false,
            extensions: DEFAULT_EXTENSIONS.iter().map(|s| s.to_string()).collect(),
            dtype: SampleType::F32,
            on_error: OnError::Fail,
            prefetch: 2,
            shrink_on_load: false,
            shrink_min_psnr: crate::ml::DEFAULT_SHRINK_MIN_PSNR,
            orient: false,
            dct_method: DctMethod::Fast,
            decode: DecodeOptions::default(),
        }
    }
}

macro_rules! setter {
    ($(#[$m:meta] $name:ident: $t:ty => $field:ident $(= $wrap:ident)?;)*) => {$(
        #[$m]
        pub fn $name(mut self, v: $t) -> Self {
            self.$field = setter!(@wrap v $(, $wrap)?);
            self
        }
    )*};
    (@wrap $v:ident) => { $v };
    (@wrap $v:ident, Some) => { Some($v) };
}

impl DatasetOptions {
    /// Keras' defaults.
    pub fn new() -> Self {
        Self::default()
    }
    setter! {
        /// Sets the label source.
        labels: Labels => labels;
        /// Sets the label encoding.
        label_mode: LabelMode => label_mode;
        /// Uses these class folders, in this order.
        class_names: Vec<String> => class_names = Some;
        /// Sets the colour mode.
        color_mode: ColorMode => color_mode;
        /// Sets the batch size.
        batch_size: usize => batch_size;
        /// Enables or disables shuffling.
        shuffle: bool => shuffle;
        /// Sets the shuffle seed.
        seed: u32 => seed = Some;
        /// Sets the validation fraction.
        validation_split: f64 => validation_split = Some;
        /// Sets the subset.
        subset: Subset => subset = Some;
        /// Sets the resize filter.
        interpolation: Interpolation => interpolation;
        /// Sets the aspect handling.
        fit: Fit => fit;
        /// Sets antialiasing.
        antialias: bool => antialias;
        /// Enters symlinked folders.
        follow_links: bool => follow_links;
        /// Sets the batch sample type.
        dtype: SampleType => dtype;
        /// Fail on or skip unreadable files.
        on_error: OnError => on_error;
        /// Sets how many batches are decoded ahead.
        prefetch: usize => prefetch;
        /// Enables or disables shrink-on-load.
        shrink_on_load: bool => shrink_on_load;
        /// Sets shrink-on-load's tolerance in dB PSNR.
        shrink_min_psnr: f64 => shrink_min_psnr;
        /// Turns images upright by their EXIF orientation (default off, as Keras).
        orient: bool => orient;
        /// Sets the JPEG inverse DCT (default fast, as TensorFlow).
        dct_method: DctMethod => dct_method;
    }
    /// Sets `(height, width)` of the images.
    pub fn image_size(mut self, height: u32, width: u32) -> Self {
        self.image_size = (height, width);
        self
    }
    /// Sets the allowed extensions (lower-case, without dot).
    pub fn extensions(mut self, exts: &[&str]) -> Self {
        self.extensions = exts
            .iter()
            .map(|e| e.trim_start_matches('.').to_ascii_lowercase())
            .collect();
        self
    }
}

pub(super) fn check_options(opts: &DatasetOptions) -> Result<()> {
    let (h, w) = opts.image_size;
    if h == 0 || w == 0 {
        return Err(Error::invalid("image_size must be at least 1x1"));
    }
    if opts.batch_size == 0 {
        return Err(Error::invalid("batch_size must be at least 1"));
    }
    crate::ml::check_shrink_min_psnr(opts.shrink_min_psnr)?;
    if let Some(s) = opts.validation_split {
        if !(s > 0.0 && s < 1.0) {
            return Err(Error::invalid(format!(
                "validation_split must be between 0 and 1, received: {s}"
            )));
        }
    }
    if opts.validation_split.is_some() != opts.subset.is_some() {
        return Err(Error::invalid(
            "if subset is set, validation_split must be set, and inversely",
        ));
    }
    if opts.validation_split.is_some() && opts.shuffle && opts.seed.is_none() {
        return Err(Error::invalid(
            "when using validation_split and shuffling the data, a seed must be given, so that the training and \
             validation subsets do not overlap",
        ));
    }
    if opts.class_names.is_some() && opts.labels != Labels::Inferred {
        return Err(Error::invalid(
            "class_names can only be given with inferred labels (explicit labels take the sorted label values as \
             class names)",
        ));
    }
    if !matches!(opts.dtype, SampleType::U8 | SampleType::U16 | SampleType::F32) {
        return Err(Error::invalid(format!(
            "dataset batches are U8, U16 or F32, not {}",
            opts.dtype
        )));
    }
    Ok(())
}
