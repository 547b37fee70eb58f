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
//!
//! One file per concept: the options and their validation (`options.rs`), the directory
//! index and the training / validation split (`index.rs`), decoding one batch into caller-
//! reusable buffers (`batch.rs`), and the background iterator with bounded prefetch
//! (`prefetch.rs`). This file holds [`Dataset`] itself: construction and accessors.

mod batch;
mod index;
mod options;
mod prefetch;

pub use batch::Batch;
pub use options::{DatasetOptions, LabelMode, Labels, OnError, Subset, DEFAULT_EXTENSIONS};
pub use prefetch::{Batches, Recycler};

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{Error, Result};
use index::{index_directory, split, Inner};

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
}
