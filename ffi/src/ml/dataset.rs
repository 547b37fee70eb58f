//! The directory dataset over the C ABI: `pxc_dataset` (Keras'
//! `image_dataset_from_directory`: index, shuffle, split) and `pxc_dataset_fill_batch`,
//! which decodes a batch in parallel and writes images and labels into caller buffers, plus
//! the text queries (class names, paths, summary, skipped files).

use std::ffi::{c_char, c_void};
use std::os::unix::ffi::OsStrExt;
use std::sync::{Mutex, MutexGuard};

use pixcodec::ml::{Batch, Dataset, DatasetOptions, LabelMode, Subset};
use pixcodec::SampleType;

use super::dataset_options::{dataset_options, pxc_dataset_options};
use crate::args::{c_path, caller_buffer, copy_text, put};
use crate::boundary::{ffi, pxc_status, Failure, FfiResult};
use crate::types::sample_to;

/// An indexed image directory (Keras' `image_dataset_from_directory`): no image is decoded
/// until `pxc_dataset_fill_batch`. Free with `pxc_dataset_free`.
///
/// Thread safety: a handle is internally synchronised. Any function may be called on it
/// from several threads at once; concurrent `pxc_dataset_fill_batch` calls on one handle
/// run one after the other (each already decodes its images in parallel on all cores), and
/// the skipped-file list describes the most recent fill. Use one handle per thread for
/// independent skipped lists.
#[allow(non_camel_case_types)]
pub struct pxc_dataset {
    inner: Dataset,
    /// The batch reused by every fill (its buffers grow to the largest batch, then stay).
    batch: Mutex<Option<Batch>>,
}

impl pxc_dataset {
    fn boxed(ds: Dataset) -> *mut pxc_dataset {
        Box::into_raw(Box::new(pxc_dataset {
            inner: ds,
            batch: Mutex::new(None),
        }))
    }

    fn batch(&self) -> MutexGuard<'_, Option<Batch>> {
        // A panic during a fill leaves a batch that the next fill overwrites entirely.
        self.batch.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `(sample type, values per image)` of the labels; 0 values without labels.
    fn label_shape(&self) -> (SampleType, usize) {
        if self.inner.labels().is_none() {
            return (SampleType::I32, 0);
        }
        match self.inner.options().label_mode {
            LabelMode::Int => (SampleType::I32, 1),
            LabelMode::Categorical => (SampleType::F32, self.inner.class_names().len()),
            LabelMode::Binary => (SampleType::F32, 1),
            LabelMode::None => (SampleType::I32, 0),
        }
    }

    fn image_bytes(&self) -> usize {
        let [h, w, c] = self.inner.image_shape();
        h * w * c * self.inner.options().dtype.size()
    }
}

/// Indexes the directory `dir` as `image_dataset_from_directory` does (class sub-folders in
/// sorted order, files sorted, the seeded shuffle, the split) and returns the whole set or
/// the chosen subset in `*out_dataset`. Subset BOTH needs `pxc_dataset_open_both`. `opts`
/// may be NULL (Keras' defaults). No image is decoded here; `pxc_dataset_summary` gives
/// Keras' "Found N files belonging to K classes." line.
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_open(
    dir: *const c_char,
    opts: *const pxc_dataset_options,
    out_dataset: *mut *mut pxc_dataset,
) -> pxc_status {
    ffi!(nonnull(dir, out_dataset) {
        let default = DatasetOptions::new();
        let o = unsafe { dataset_options(opts, &default) };
        if o.subset == Some(Subset::Both) {
            return Err(Failure::invalid(
                "subset BOTH gives two datasets: use pxc_dataset_open_both",
            ));
        }
        let ds = Dataset::from_directory(unsafe { c_path(dir) }, o)?;
        unsafe { out_dataset.write(pxc_dataset::boxed(ds)) };
        Ok(())
    })
}

/// The training and validation subsets from one index (Keras' `subset="both"`); needs a
/// validation split (its `subset` argument is ignored here). Both handles are set only on
/// success and are freed separately.
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_open_both(
    dir: *const c_char,
    opts: *const pxc_dataset_options,
    out_training: *mut *mut pxc_dataset,
    out_validation: *mut *mut pxc_dataset,
) -> pxc_status {
    ffi!(nonnull(dir, out_training, out_validation) {
        let default = DatasetOptions::new();
        let o = unsafe { dataset_options(opts, &default) };
        if o.validation_split.is_none() {
            return Err(Failure::invalid(
                "pxc_dataset_open_both needs a validation split (pxc_dataset_options_set_validation_split)",
            ));
        }
        let (train, val) = Dataset::from_directory_both(unsafe { c_path(dir) }, o)?;
        unsafe {
            out_training.write(pxc_dataset::boxed(train));
            out_validation.write(pxc_dataset::boxed(val));
        }
        Ok(())
    })
}

/// Frees a dataset and its reused batch memory (NULL is ignored).
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_free(ds: *mut pxc_dataset) {
    ffi!(or (); nonnull() {
        if !ds.is_null() {
            drop(unsafe { Box::from_raw(ds) });
        }
        Ok(())
    })
}

/// Number of files in the dataset.
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_len(ds: *const pxc_dataset, out_len: *mut usize) -> pxc_status {
    ffi!(nonnull(ds, out_len) {
        unsafe { out_len.write((*ds).inner.len()) };
        Ok(())
    })
}

/// Number of batches, `ceil(len / batch_size)`.
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_num_batches(ds: *const pxc_dataset, out_count: *mut usize) -> pxc_status {
    ffi!(nonnull(ds, out_count) {
        unsafe { out_count.write((*ds).inner.num_batches()) };
        Ok(())
    })
}

/// Number of classes (0 with label mode NONE).
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_class_count(ds: *const pxc_dataset, out_count: *mut usize) -> pxc_status {
    ffi!(nonnull(ds, out_count) {
        unsafe { out_count.write((*ds).inner.class_names().len()) };
        Ok(())
    })
}

/// Copies the name of class `index` (label value `index`) into `buf` (`cap` bytes) with a
/// NUL. `*out_needed` (may be NULL) receives the size needed, NUL included, also on
/// `PXC_STATUS_BUFFER_TOO_SMALL` (then `buf` may be NULL with `cap` 0). An index out of
/// range is `PXC_STATUS_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_class_name(
    ds: *const pxc_dataset,
    index: usize,
    buf: *mut c_char,
    cap: usize,
    out_needed: *mut usize,
) -> pxc_status {
    ffi!(nonnull(ds) {
        let names = unsafe { &*ds }.inner.class_names();
        let name = names.get(index).ok_or_else(|| {
            Failure::invalid(format!("class {index} does not exist ({} classes)", names.len()))
        })?;
        unsafe { copy_text(name.as_bytes(), "the class name", buf, cap, out_needed) }
    })
}

/// Copies the path of file `index` (dataset order, after shuffle and split) like
/// `pxc_dataset_class_name`.
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_file_path(
    ds: *const pxc_dataset,
    index: usize,
    buf: *mut c_char,
    cap: usize,
    out_needed: *mut usize,
) -> pxc_status {
    ffi!(nonnull(ds) {
        let paths = unsafe { &*ds }.inner.paths();
        let p = paths.get(index).ok_or_else(|| {
            Failure::invalid(format!("file {index} does not exist ({} files)", paths.len()))
        })?;
        unsafe { copy_text(p.as_os_str().as_bytes(), "the path", buf, cap, out_needed) }
    })
}

/// The integer label (class index) of file `index`; `PXC_STATUS_INVALID_ARGUMENT` when the
/// dataset has no labels or the index is out of range.
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_file_label(
    ds: *const pxc_dataset,
    index: usize,
    out_label: *mut i32,
) -> pxc_status {
    ffi!(nonnull(ds, out_label) {
        let labels = unsafe { &*ds }
            .inner
            .labels()
            .ok_or_else(|| Failure::invalid("the dataset has no labels (label mode NONE)"))?;
        let l = labels.get(index).ok_or_else(|| {
            Failure::invalid(format!("file {index} does not exist ({} files)", labels.len()))
        })?;
        unsafe { out_label.write(*l) };
        Ok(())
    })
}

/// Shape of one image in a batch, `(height, width, channels)`, and its `pxc_sample` value.
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_image_shape(
    ds: *const pxc_dataset,
    out_height: *mut usize,
    out_width: *mut usize,
    out_channels: *mut usize,
    out_sample: *mut u32,
) -> pxc_status {
    ffi!(nonnull(ds, out_height, out_width, out_channels, out_sample) {
        let d = &unsafe { &*ds }.inner;
        let [h, w, c] = d.image_shape();
        unsafe {
            out_height.write(h);
            out_width.write(w);
            out_channels.write(c);
            out_sample.write(sample_to(d.options().dtype));
        }
        Ok(())
    })
}

/// Labels of one image: `*out_per_image` values (1 for INT and BINARY, the class count for
/// CATEGORICAL, 0 without labels) of `pxc_sample` `*out_sample` (I32 for INT, F32 otherwise).
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_label_shape(
    ds: *const pxc_dataset,
    out_per_image: *mut usize,
    out_sample: *mut u32,
) -> pxc_status {
    ffi!(nonnull(ds, out_per_image, out_sample) {
        let (s, n) = unsafe { &*ds }.label_shape();
        unsafe {
            out_per_image.write(n);
            out_sample.write(sample_to(s));
        }
        Ok(())
    })
}

/// Copies Keras' messages ("Found N files belonging to K classes." and, with a split,
/// "Using M files for training." on a second line) like `pxc_dataset_class_name`.
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_summary(
    ds: *const pxc_dataset,
    buf: *mut c_char,
    cap: usize,
    out_needed: *mut usize,
) -> pxc_status {
    ffi!(nonnull(ds) {
        let s = unsafe { &*ds }.inner.summary();
        unsafe { copy_text(s.as_bytes(), "the summary", buf, cap, out_needed) }
    })
}

/// Decodes batch `index` (0 .. num_batches - 1) and writes it into caller memory: the
/// images as one contiguous `(N, H, W, C)` array of the dataset's sample type into
/// `images_buf` (`images_len` bytes), the labels (see `pxc_dataset_label_shape`) into
/// `labels_buf` (`labels_len` bytes), and N into `*out_count`. Every image is read,
/// decoded, converted and resized in parallel into a batch kept inside the handle and
/// reused by every call (no reallocation once it has reached the largest batch), then
/// copied out.
///
/// Sizes: `*out_needed_images` and `*out_needed_labels` (each may be NULL) receive the
/// bytes a full batch `index` needs, before any file is read. When either buffer is
/// smaller the call returns `PXC_STATUS_BUFFER_TOO_SMALL` having written both sizes (the
/// documented exception to "out-parameters only on success"); `images_buf` may then be
/// NULL with `images_len` 0. `labels_buf` may be NULL when no labels are needed.
///
/// A file that cannot be read or decoded fails the call with an error naming it; with
/// skip-errors it is left out instead, N is smaller than the batch size, and
/// `pxc_dataset_skipped_count` / `_path` / `_reason` list it until the next fill.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn pxc_dataset_fill_batch(
    ds: *const pxc_dataset,
    index: usize,
    images_buf: *mut c_void,
    images_len: usize,
    labels_buf: *mut c_void,
    labels_len: usize,
    out_count: *mut usize,
    out_needed_images: *mut usize,
    out_needed_labels: *mut usize,
) -> pxc_status {
    ffi!(nonnull(ds, out_count) {
        let d = unsafe { &*ds };
        let n = d.inner.len();
        let bs = d.inner.options().batch_size;
        let start = index.checked_mul(bs).filter(|&s| s < n).ok_or_else(|| {
            Failure::invalid(format!("batch {index} does not exist ({} batches)", d.inner.num_batches()))
        })?;
        let count = bs.min(n - start);
        let (label_sample, per_image) = d.label_shape();
        let need_images = count * d.image_bytes();
        let need_labels = count * per_image * label_sample.size();
        unsafe {
            put(out_needed_images, need_images);
            put(out_needed_labels, need_labels);
        }
        if images_len < need_images || labels_len < need_labels {
            return Err(Failure::new(
                pxc_status::BufferTooSmall,
                format!(
                    "batch {index} of {count} images needs {need_images} bytes of images and {need_labels} bytes of \
                     labels; the buffers have {images_len} and {labels_len}"
                ),
            ));
        }
        // Both sizes are checked above (one message for the pair); what is left is NULL.
        // SAFETY: each buffer is NULL or holds its length in writable bytes per the contract.
        let images = unsafe { caller_buffer(images_buf, images_len, need_images, "images_buf", String::new) }?;
        let labels = unsafe { caller_buffer(labels_buf, labels_len, need_labels, "labels_buf", String::new) }?;
        let mut guard = d.batch();
        match guard.as_mut() {
            Some(b) => d.inner.fill_batch(index, b)?,
            None => *guard = Some(d.inner.batch(index)?),
        }
        let b = guard.as_ref().expect("filled above");
        let img = b.images.as_bytes();
        let lab: &[u8] = b.labels.as_ref().map(|l| l.as_bytes()).unwrap_or(&[]);
        debug_assert!(img.len() <= need_images && lab.len() <= need_labels);
        // The needed sizes bound what a batch holds; `min` keeps a wrong bound from writing past.
        let (ni, nl) = (img.len().min(images.len()), lab.len().min(labels.len()));
        images[..ni].copy_from_slice(&img[..ni]);
        labels[..nl].copy_from_slice(&lab[..nl]);
        unsafe { out_count.write(b.indices.len()) };
        Ok(())
    })
}

/// Number of files left out of the most recent fill (always 0 without skip-errors).
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_skipped_count(ds: *const pxc_dataset, out_count: *mut usize) -> pxc_status {
    ffi!(nonnull(ds, out_count) {
        let n = unsafe { &*ds }.batch().as_ref().map_or(0, |b| b.skipped.len());
        unsafe { out_count.write(n) };
        Ok(())
    })
}

fn skipped_text(ds: &pxc_dataset, index: usize, reason: bool) -> FfiResult<Vec<u8>> {
    let guard = ds.batch();
    let skipped = guard.as_ref().map_or(&[][..], |b| &b.skipped[..]);
    let (p, why) = skipped.get(index).ok_or_else(|| {
        Failure::invalid(format!(
            "skipped file {index} does not exist (the last fill skipped {})",
            skipped.len()
        ))
    })?;
    Ok(if reason {
        why.as_bytes().to_vec()
    } else {
        p.as_os_str().as_bytes().to_vec()
    })
}

/// Copies the path of skipped file `index` of the most recent fill like
/// `pxc_dataset_class_name`.
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_skipped_path(
    ds: *const pxc_dataset,
    index: usize,
    buf: *mut c_char,
    cap: usize,
    out_needed: *mut usize,
) -> pxc_status {
    ffi!(nonnull(ds) {
        let t = skipped_text(unsafe { &*ds }, index, false)?;
        unsafe { copy_text(&t, "the path", buf, cap, out_needed) }
    })
}

/// Copies why skipped file `index` of the most recent fill was left out (the error
/// message, naming the file) like `pxc_dataset_class_name`.
#[no_mangle]
pub unsafe extern "C" fn pxc_dataset_skipped_reason(
    ds: *const pxc_dataset,
    index: usize,
    buf: *mut c_char,
    cap: usize,
    out_needed: *mut usize,
) -> pxc_status {
    ffi!(nonnull(ds) {
        let t = skipped_text(unsafe { &*ds }, index, true)?;
        unsafe { copy_text(&t, "the reason", buf, cap, out_needed) }
    })
}
