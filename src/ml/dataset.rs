//! `Dataset`: Keras' `image_dataset_from_directory`, decoded and resized in parallel.
//!
//! Indexing follows Keras' `index_directory` step by step: class sub-folders in sorted
//! (code-point) order, hidden ones (`.name`) skipped, or the `class_names` given in their
//! order; files found by walking each class folder recursively (`os.walk` semantics: folders
//! visited in sorted path order, files sorted by name, symlinked folders entered only with
//! `follow_links`), kept when their lower-cased name ends with an allowed extension. The
//! seeded shuffle is NumPy's `RandomState(seed).shuffle`, reproduced exactly, so the same seed
//! gives the same file order and the same training / validation membership as Keras (Keras'
//! `tf.data` pipeline additionally reshuffles elements each epoch inside a buffer with
//! TensorFlow's own generator; that per-epoch order cannot be reproduced and is not attempted).
//! The split comes after the shuffle: validation = the last `int(split * n)` files.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TryRecvError};
use std::sync::Arc;
use std::thread::JoinHandle;

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::format::PixelFormat;
use crate::image::ImageMut;
use crate::io::DecodeOptions;
use crate::registry::Registry;
use crate::sample::SampleType;

use super::array::Array;
use super::load::{load_into, with_file, LoadOptions};
use super::mt19937::numpy_shuffle_permutation;
use super::resize::{ColorMode, Fit, Interpolation};

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
super::parse::from_names!(Labels, "labels", { Labels::Inferred => ["inferred"], Labels::None => ["none"] });

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

super::parse::from_names!(LabelMode, "label mode", {
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
    /// Both, from one index ([`Dataset::from_directory_both`]).
    Both,
}

super::parse::from_names!(Subset, "subset", {
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
    /// [`Batch::skipped`].
    Skip,
}

super::parse::from_names!(OnError, "on-error policy", { OnError::Fail => ["fail"], OnError::Skip => ["skip"] });

/// The extensions Keras accepts (`bmp gif jpeg jpg png`) plus `tif` and `tiff`.
pub const DEFAULT_EXTENSIONS: [&str; 7] = ["bmp", "gif", "jpeg", "jpg", "png", "tif", "tiff"];

/// Options of [`Dataset::from_directory`]; the defaults are Keras' (`image_size` 256x256,
/// `batch_size` 32, shuffle on, bilinear without antialias, `F32` batches holding 0..255).
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
    /// Batches decoded ahead of the consumer by [`Dataset::batches`] (at least 1).
    pub prefetch: usize,
    /// Shrink-on-load for JPEG (see [`LoadOptions::shrink_on_load`]); default off (Keras' pixels).
    pub shrink_on_load: bool,
    /// Limits for each file.
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

/// One batch: images `(N, H, W, C)` and labels, plus the files that went into it.
#[derive(Debug, Clone)]
pub struct Batch {
    /// Images, shape `(N, H, W, C)`, contiguous, of [`DatasetOptions::dtype`].
    pub images: Array,
    /// Labels: `I32 (N,)`, `F32 (N, K)` or `F32 (N, 1)`; `None` without labels.
    pub labels: Option<Array>,
    /// Indexes into [`Dataset::paths`] of the images, in batch order.
    pub indices: Vec<usize>,
    /// Files left out of this batch with [`OnError::Skip`], with the reason.
    pub skipped: Vec<(PathBuf, String)>,
}

struct Inner {
    paths: Vec<PathBuf>,
    labels: Option<Vec<i32>>,
    class_names: Vec<String>,
    summary: Vec<String>,
    opts: DatasetOptions,
}

/// An indexed image directory, ready to produce batches. Cheap to clone (shared).
#[derive(Clone)]
pub struct Dataset {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Dataset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dataset")
            .field("files", &self.inner.paths.len())
            .field("class_names", &self.inner.class_names)
            .finish_non_exhaustive()
    }
}

/// Keras' `os.walk` + sort: (folder, sorted file names) for every folder under `top`.
fn walk(top: &Path, follow_links: bool, out: &mut Vec<(PathBuf, Vec<String>)>, is_top: bool) -> Result<()> {
    let entries = match std::fs::read_dir(top) {
        Ok(e) => e,
        // os.walk ignores folders it cannot list (onerror=None), except that the caller's
        // own folder must exist.
        Err(e) if !is_top => {
            let _ = e;
            return Ok(());
        }
        Err(e) => return Err(with_file(Error::Io(e), top)),
    };
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        let is_link = entry.file_type().map(|t| t.is_symlink()).unwrap_or(false);
        if path.is_dir() {
            if !is_link || follow_links {
                dirs.push(path);
            }
        } else {
            files.push(name);
        }
    }
    files.sort();
    out.push((top.to_path_buf(), files));
    for d in dirs {
        walk(&d, follow_links, out, false)?;
    }
    Ok(())
}

fn index_subdirectory(dir: &Path, opts: &DatasetOptions) -> Result<Vec<PathBuf>> {
    let mut folders = Vec::new();
    walk(dir, opts.follow_links, &mut folders, true)?;
    folders.sort_by(|a, b| {
        a.0.as_os_str()
            .as_encoded_bytes()
            .cmp(b.0.as_os_str().as_encoded_bytes())
    });
    let mut out = Vec::new();
    for (root, files) in folders {
        for f in files {
            let lower = f.to_ascii_lowercase();
            if opts.extensions.iter().any(|e| lower.ends_with(&format!(".{e}"))) {
                out.push(root.join(f));
            }
        }
    }
    Ok(out)
}

fn check_options(opts: &DatasetOptions) -> Result<()> {
    let (h, w) = opts.image_size;
    if h == 0 || w == 0 {
        return Err(Error::invalid("image_size must be at least 1x1"));
    }
    if opts.batch_size == 0 {
        return Err(Error::invalid("batch_size must be at least 1"));
    }
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

/// The full (unsplit) index: paths, labels, class names, summary lines.
fn index_directory(dir: &Path, opts: &DatasetOptions) -> Result<Inner> {
    check_options(opts)?;
    let mut paths = Vec::new();
    let mut labels: Option<Vec<i32>>;
    let mut class_names: Vec<String>;
    match &opts.labels {
        Labels::Inferred => {
            let mut subdirs = Vec::new();
            let entries = std::fs::read_dir(dir).map_err(|e| with_file(Error::Io(e), dir))?;
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if entry.path().is_dir() && !name.starts_with('.') {
                    subdirs.push(name);
                }
            }
            subdirs.sort();
            if let Some(given) = &opts.class_names {
                if let Some(bad) = given.iter().find(|g| !subdirs.contains(g)) {
                    return Err(Error::invalid(format!(
                        "class_names did not match the sub-folders of {}: '{bad}' is not one of {subdirs:?}",
                        dir.display()
                    )));
                }
                subdirs = given.clone();
            }
            let found: Vec<Result<Vec<PathBuf>>> = subdirs
                .par_iter()
                .map(|s| index_subdirectory(&dir.join(s), opts))
                .collect();
            let mut l = Vec::new();
            for (k, f) in found.into_iter().enumerate() {
                let f = f?;
                l.extend(std::iter::repeat_n(k as i32, f.len()));
                paths.extend(f);
            }
            labels = Some(l);
            class_names = subdirs;
        }
        Labels::None => {
            paths = index_subdirectory(dir, opts)?;
            labels = None;
            class_names = Vec::new();
        }
        Labels::Explicit(given) => {
            paths = index_subdirectory(dir, opts)?;
            if given.len() != paths.len() {
                return Err(Error::invalid(format!(
                    "expected the number of labels to match the number of files in {}: {} labels, {} files",
                    dir.display(),
                    given.len(),
                    paths.len()
                )));
            }
            let mut distinct = given.clone();
            distinct.sort();
            distinct.dedup();
            class_names = distinct.iter().map(|v| v.to_string()).collect();
            labels = Some(given.clone());
        }
    }
    let summary = vec![if labels.is_none() {
        format!("Found {} files.", paths.len())
    } else {
        format!(
            "Found {} files belonging to {} classes.",
            paths.len(),
            class_names.len()
        )
    }];
    if paths.is_empty() {
        return Err(Error::invalid(format!(
            "no images found in directory {}. Allowed formats: {}",
            dir.display(),
            opts.extensions.join(", ")
        )));
    }
    let mut label_mode = opts.label_mode;
    if labels.is_none() {
        label_mode = LabelMode::None;
    }
    if label_mode == LabelMode::Binary && class_names.len() != 2 {
        return Err(Error::invalid(format!(
            "label_mode binary needs exactly 2 class names, got {class_names:?}"
        )));
    }
    if label_mode == LabelMode::Categorical {
        if let Some(l) = &labels {
            if let Some(bad) = l.iter().find(|&&v| v < 0 || v as usize >= class_names.len()) {
                return Err(Error::invalid(format!(
                    "label {bad} is outside 0..{} (the number of classes); categorical labels must index a class",
                    class_names.len()
                )));
            }
        }
    }
    if label_mode == LabelMode::None {
        labels = None;
    }
    if opts.shuffle {
        let seed = opts.seed.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos() ^ d.as_secs() as u32)
                .unwrap_or(0)
        });
        let perm = numpy_shuffle_permutation(paths.len(), seed);
        paths = perm.iter().map(|&i| paths[i].clone()).collect();
        labels = labels.map(|l| perm.iter().map(|&i| l[i]).collect());
    }
    if label_mode == LabelMode::None {
        class_names.clear();
    }
    let mut o = opts.clone();
    o.label_mode = label_mode;
    Ok(Inner {
        paths,
        labels,
        class_names,
        summary,
        opts: o,
    })
}

fn split(full: &Inner, subset: Subset) -> Result<Inner> {
    let Some(frac) = full.opts.validation_split else {
        return Ok(Inner {
            paths: full.paths.clone(),
            labels: full.labels.clone(),
            class_names: full.class_names.clone(),
            summary: full.summary.clone(),
            opts: full.opts.clone(),
        });
    };
    let n = full.paths.len();
    let n_val = (frac * n as f64) as usize;
    if n_val == 0 {
        return Err(Error::invalid(format!(
            "validation_split {frac} of {n} files gives no validation file (Keras would then put every file in \
             both subsets); use a larger split or more files"
        )));
    }
    let (range, line) = match subset {
        Subset::Training => (0..n - n_val, format!("Using {} files for training.", n - n_val)),
        Subset::Validation => (n - n_val..n, format!("Using {n_val} files for validation.")),
        Subset::Both => return Err(Error::invalid("split needs training or validation")),
    };
    let mut summary = full.summary.clone();
    summary.push(line);
    Ok(Inner {
        paths: full.paths[range.clone()].to_vec(),
        labels: full.labels.as_ref().map(|l| l[range].to_vec()),
        class_names: full.class_names.clone(),
        summary,
        opts: full.opts.clone(),
    })
}

impl Dataset {
    /// Indexes `dir` as `image_dataset_from_directory` does and returns the whole set, or the
    /// training or validation subset. Use [`Dataset::from_directory_both`] for
    /// [`Subset::Both`]. No image is decoded here.
    pub fn from_directory(dir: impl AsRef<Path>, opts: &DatasetOptions) -> Result<Dataset> {
        let subset = match opts.subset {
            Some(Subset::Both) => {
                return Err(Error::invalid(
                    "subset both returns two datasets: use Dataset::from_directory_both",
                ))
            }
            Some(s) => s,
            None => Subset::Training,
        };
        let full = index_directory(dir.as_ref(), opts)?;
        Ok(Dataset {
            inner: Arc::new(split(&full, subset)?),
        })
    }

    /// The training and validation subsets from one index (Keras' `subset="both"`); needs
    /// `validation_split`.
    pub fn from_directory_both(dir: impl AsRef<Path>, opts: &DatasetOptions) -> Result<(Dataset, Dataset)> {
        let mut o = opts.clone();
        o.subset = Some(Subset::Both);
        let full = index_directory(dir.as_ref(), &o)?;
        let train = split(&full, Subset::Training)?;
        let mut val = split(&full, Subset::Validation)?;
        val.summary = vec![val.summary[val.summary.len() - 1].clone()];
        Ok((Dataset { inner: Arc::new(train) }, Dataset { inner: Arc::new(val) }))
    }

    /// The files, in dataset order.
    pub fn paths(&self) -> &[PathBuf] {
        &self.inner.paths
    }

    /// Integer label of each file (class index), in dataset order; `None` without labels.
    pub fn labels(&self) -> Option<&[i32]> {
        self.inner.labels.as_deref()
    }

    /// Class names, index = label.
    pub fn class_names(&self) -> &[String] {
        &self.inner.class_names
    }

    /// Keras' messages: `Found N files belonging to K classes.` (or `Found N files.`) and,
    /// with a split, `Using M files for training.` / `... for validation.`.
    pub fn summary(&self) -> String {
        self.inner.summary.join("\n")
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.inner.paths.len()
    }

    /// True when there is no file.
    pub fn is_empty(&self) -> bool {
        self.inner.paths.is_empty()
    }

    /// Number of batches (`ceil(len / batch_size)`).
    pub fn num_batches(&self) -> usize {
        self.len().div_ceil(self.inner.opts.batch_size)
    }

    /// The options in force (label mode `None` when there are no labels).
    pub fn options(&self) -> &DatasetOptions {
        &self.inner.opts
    }

    /// Shape of one image `(H, W, C)`.
    pub fn image_shape(&self) -> [usize; 3] {
        let (h, w) = self.inner.opts.image_size;
        [h as usize, w as usize, self.inner.opts.color_mode.layout().channels()]
    }

    fn load_options(&self) -> LoadOptions {
        let o = &self.inner.opts;
        LoadOptions::new()
            .color_mode(o.color_mode)
            .shrink_on_load(o.shrink_on_load)
            .decode(o.decode.clone())
            .interpolation(o.interpolation)
            .fit(o.fit)
            .antialias(o.antialias)
    }

    /// Decodes batch `index` into a new [`Batch`].
    pub fn batch(&self, index: usize) -> Result<Batch> {
        let mut b = Batch {
            images: Array::zeros(&[0], self.inner.opts.dtype)?,
            labels: None,
            indices: Vec::new(),
            skipped: Vec::new(),
        };
        self.fill_batch(index, &mut b)?;
        Ok(b)
    }

    /// Decodes batch `index` into `batch`, reusing its buffers when they are large enough:
    /// every image is read, decoded, converted and resized straight into its slot of the
    /// contiguous `(N, H, W, C)` buffer, in parallel on rayon's pool.
    pub fn fill_batch(&self, index: usize, batch: &mut Batch) -> Result<()> {
        let o = &self.inner.opts;
        let n = self.len();
        let start = index
            .checked_mul(o.batch_size)
            .filter(|&s| s < n)
            .ok_or_else(|| Error::invalid(format!("batch {index} does not exist ({} batches)", self.num_batches())))?;
        let end = (start + o.batch_size).min(n);
        let [h, w, c] = self.image_shape();
        let shape = [end - start, h, w, c];
        if batch.images.dtype() != o.dtype || batch.images.reshape_within(&shape).is_err() {
            batch.images = Array::zeros(&shape, o.dtype)?;
        }
        let format = PixelFormat::new(o.color_mode.layout(), o.dtype);
        let slot = h * w * format.bytes_per_pixel();
        let lopts = self.load_options();
        let registry = Registry::global();
        let paths = &self.inner.paths;
        let results: Vec<Result<()>> = batch
            .images
            .as_bytes_mut()
            .par_chunks_mut(slot)
            .enumerate()
            .map(|(k, bytes)| {
                let path = &paths[start + k];
                let run = |bytes: &mut [u8]| -> Result<()> {
                    let data = std::fs::read(path)?;
                    let out = ImageMut::new(bytes, w as u32, h as u32, format, w * format.bytes_per_pixel())?;
                    load_into(registry, &data, out, &lopts)
                };
                run(bytes).map_err(|e| with_file(e, path))
            })
            .collect();
        batch.indices.clear();
        batch.skipped.clear();
        let mut kept = 0;
        for (k, r) in results.into_iter().enumerate() {
            match r {
                Ok(()) => {
                    if kept != k {
                        batch
                            .images
                            .as_bytes_mut()
                            .copy_within(k * slot..(k + 1) * slot, kept * slot);
                    }
                    batch.indices.push(start + k);
                    kept += 1;
                }
                Err(e) if o.on_error == OnError::Skip => batch.skipped.push((paths[start + k].clone(), e.to_string())),
                Err(e) => return Err(e),
            }
        }
        if kept != shape[0] {
            batch.images.reshape_within(&[kept, h, w, c])?;
        }
        batch.labels = self.labels_for(&batch.indices)?;
        Ok(())
    }

    fn labels_for(&self, indices: &[usize]) -> Result<Option<Array>> {
        let Some(all) = &self.inner.labels else {
            return Ok(None);
        };
        let k = self.inner.class_names.len();
        Ok(Some(match self.inner.opts.label_mode {
            LabelMode::None => return Ok(None),
            LabelMode::Int => {
                let v: Vec<i32> = indices.iter().map(|&i| all[i]).collect();
                Array::from_slice(&[v.len()], &v)?
            }
            LabelMode::Binary => {
                let v: Vec<f32> = indices.iter().map(|&i| all[i] as f32).collect();
                Array::from_slice(&[v.len(), 1], &v)?
            }
            LabelMode::Categorical => {
                let mut v = vec![0f32; indices.len() * k];
                for (row, &i) in indices.iter().enumerate() {
                    v[row * k + all[i] as usize] = 1.0;
                }
                Array::from_slice(&[indices.len(), k], &v)?
            }
        }))
    }

    /// All batches in order, decoded by a background thread (each batch in parallel on
    /// rayon's pool) at most [`DatasetOptions::prefetch`] batches ahead. Hand finished batches
    /// back with [`Batches::recycle`] to reuse their memory.
    pub fn batches(&self) -> Batches {
        let prefetch = self.inner.opts.prefetch.max(1);
        let (tx, rx) = sync_channel::<Result<Batch>>(prefetch);
        let (free_tx, free_rx) = sync_channel::<Batch>(prefetch + 2);
        let ds = self.clone();
        let worker = std::thread::spawn(move || produce(ds, tx, free_rx));
        Batches {
            rx: Some(rx),
            free: free_tx,
            worker: Some(worker),
        }
    }
}

fn produce(ds: Dataset, tx: SyncSender<Result<Batch>>, free: Receiver<Batch>) {
    for i in 0..ds.num_batches() {
        let result = match free.try_recv() {
            Ok(mut b) => ds.fill_batch(i, &mut b).map(|()| b),
            Err(TryRecvError::Empty | TryRecvError::Disconnected) => ds.batch(i),
        };
        let failed = result.is_err();
        if tx.send(result).is_err() || failed {
            return;
        }
    }
}

/// Iterator over a dataset's batches with bounded prefetch (see [`Dataset::batches`]).
/// After an error the iterator ends.
pub struct Batches {
    rx: Option<Receiver<Result<Batch>>>,
    free: SyncSender<Batch>,
    worker: Option<JoinHandle<()>>,
}

impl Batches {
    /// Gives a consumed batch back so that its buffers are reused for a later batch.
    pub fn recycle(&self, batch: Batch) {
        let _ = self.free.try_send(batch);
    }

    /// A handle that recycles batches while the iterator is borrowed by a `for` loop.
    pub fn recycler(&self) -> Recycler {
        Recycler(self.free.clone())
    }
}

/// Hands consumed batches back to a [`Batches`] iterator (see [`Batches::recycler`]).
#[derive(Clone)]
pub struct Recycler(SyncSender<Batch>);

impl Recycler {
    /// Gives `batch` back for reuse (dropped if the iterator already holds enough spares).
    pub fn recycle(&self, batch: Batch) {
        let _ = self.0.try_send(batch);
    }
}

impl Iterator for Batches {
    type Item = Result<Batch>;
    fn next(&mut self) -> Option<Result<Batch>> {
        self.rx.as_ref()?.recv().ok()
    }
}

impl Drop for Batches {
    fn drop(&mut self) {
        // Closing the channel stops the producer after its current batch.
        self.rx.take();
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}
