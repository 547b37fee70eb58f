//! [`Batch`] and [`Dataset::batch`] / [`Dataset::fill_batch`]: one batch decoded, converted
//! and resized straight into its slot of a contiguous `(N, H, W, C)` buffer, images in
//! parallel on rayon's pool, with its labels encoded as the label mode asks.

use std::path::PathBuf;

use rayon::prelude::*;

use super::{Dataset, LabelMode, OnError};
use crate::error::{Error, Result};
use crate::format::PixelFormat;
use crate::image::ImageMut;
use crate::registry::Registry;

use crate::ml::array::Array;
use crate::ml::load::{load_into, with_file, LoadOptions};

/// One batch: images `(N, H, W, C)` and labels, plus the files that went into it.
#[derive(Debug, Clone)]
pub struct Batch {
    /// Images, shape `(N, H, W, C)`, contiguous, of [`DatasetOptions::dtype`](super::DatasetOptions::dtype).
    pub images: Array,
    /// Labels: `I32 (N,)`, `F32 (N, K)` or `F32 (N, 1)`; `None` without labels.
    pub labels: Option<Array>,
    /// Indexes into [`Dataset::paths`] of the images, in batch order.
    pub indices: Vec<usize>,
    /// Files left out of this batch with [`OnError::Skip`], with the reason.
    pub skipped: Vec<(PathBuf, String)>,
}

impl Dataset {
    fn load_options(&self) -> LoadOptions {
        let o = &self.inner.opts;
        LoadOptions::new()
            .color_mode(o.color_mode)
            .shrink_on_load(o.shrink_on_load)
            .shrink_min_psnr(o.shrink_min_psnr)
            .orient(o.orient)
            .decode(o.decode.clone().dct_method(o.dct_method))
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
}
