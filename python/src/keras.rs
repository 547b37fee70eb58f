//! Keras-style helpers (`pixcodec.keras` wraps these): `load_img`, conversions and the directory
//! dataset with its batch iterator.

use pixcodec::convert::{self, Scale};
use pixcodec::metadata::NpyArray;
use pixcodec::ml::{self, Dataset, DatasetOptions, LabelMode, Labels, LoadOptions, Recycler, Subset};
use pixcodec::Error;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use std::sync::Mutex;

use crate::{array_in::*, dtype::*, errors::*, input::*, metadata, owned::*};

/// _load_img(path_or_data, color_mode, target_size, interpolation, keep_aspect_ratio, shrink_on_load,
/// shrink_min_psnr)
#[pyfunction]
#[pyo3(signature = (path, color_mode, target_size, interpolation, keep_aspect_ratio, shrink_on_load,
                    shrink_min_psnr=ml::DEFAULT_SHRINK_MIN_PSNR, limits=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn _load_img<'py>(
    py: Python<'py>,
    path: &Bound<'py, PyAny>,
    color_mode: &str,
    target_size: Option<(u32, u32)>,
    interpolation: &str,
    keep_aspect_ratio: bool,
    shrink_on_load: bool,
    shrink_min_psnr: f64,
    limits: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let dopts = decode_options(None, limits, None)?;
    let mut opts = LoadOptions::new()
        .color_mode(color_mode.parse().py()?)
        .interpolation(interpolation.parse().py()?)
        .shrink_on_load(shrink_on_load)
        .shrink_min_psnr(shrink_min_psnr)
        .decode(dopts.clone());
    if let Some((h, w)) = target_size {
        opts = opts.target_size(h, w);
    }
    if keep_aspect_ratio {
        opts = opts.fit(ml::Fit::KeepAspectRatio);
    }
    let img = if let Some(p) = as_path(path)? {
        py.detach(|| ml::load(&p, &opts)).py()?
    } else {
        let input = Input::get(path, &dopts.limits)?;
        let bytes = input.slice();
        py.detach(|| ml::load_bytes(bytes, &opts)).py()?
    };
    image_to_numpy(py, img, NpyArray::default())
}

/// _convert(array, dtype, scale, lo, hi, layout) -> numpy array: exact cast (scale None),
/// min-max ("minmax") or fixed range ("range", lo, hi) into `dtype`.
#[pyfunction]
#[pyo3(signature = (array, dtype, scale=None, lo=0.0, hi=1.0))]
pub(crate) fn _convert<'py>(
    py: Python<'py>,
    array: &Bound<'py, PyAny>,
    dtype: &Bound<'py, PyAny>,
    scale: Option<&str>,
    lo: f64,
    hi: f64,
) -> PyResult<Bound<'py, PyAny>> {
    let to = dtype_arg(dtype)?;
    let a = InArray::get(array, None)?;
    if a.boolean {
        return Err(bool_refused());
    }
    let img = a.image()?;
    let out = py
        .detach(|| match scale {
            None => convert::cast(&img, to),
            Some("minmax") => convert::scale(&img, to, Scale::MinMax),
            Some("range") => convert::scale(&img, to, Scale::range(lo, hi)),
            Some(other) => Err(Error::invalid(format!("unknown scale '{other}'"))),
        })
        .py()?;
    image_to_numpy(py, out, NpyArray::default())
}

/// invert(array, *, layout=None, significant_bits=None, metadata=None) -> numpy.ndarray or
/// (numpy.ndarray, dict)
///
/// A new array of the same dtype and shape whose colour samples are ``max - v`` (``max`` the
/// dtype's maximum, or ``2**significant_bits - 1``); alpha (the last channel of gray_alpha and
/// rgba) is copied. The channels mean what they mean to ``encode``: ``(H, W)`` and
/// ``(H, W, 1)`` gray, 2 gray_alpha, 3 rgb, 4 rgba unless ``layout="cmyk"``. Unsigned integer
/// dtypes only: float and signed arrays raise ``UnsupportedError``; a sample above
/// ``2**significant_bits - 1`` raises ``NotExactError`` naming it. With ``metadata`` (the dict
/// of ``ImageInfo.metadata``) it is ``convert::apply_invert``: the same picture stored in the
/// other photometric convention, returned as ``(array, metadata)`` where the new dict is a copy
/// whose ``photometric`` is flipped (absent <-> ``"white-is-zero"`` for gray,
/// ``"adobe-inverted-cmyk"`` for cmyk); rgb/rgba, or a convention that does not describe the
/// layout, raise ``InvalidArgumentError``. The GIL is released while inverting.
#[pyfunction]
#[pyo3(signature = (array, *, layout=None, significant_bits=None, metadata=None))]
pub(crate) fn invert<'py>(
    py: Python<'py>,
    array: &Bound<'py, PyAny>,
    layout: Option<&str>,
    significant_bits: Option<i64>,
    metadata: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let a = InArray::get(array, layout)?;
    if a.boolean {
        return Err(bool_refused());
    }
    let bits = match significant_bits {
        None => None,
        Some(b) => Some(u8::try_from(b).map_err(|_| {
            let t = a.format.sample;
            invalid(format!(
                "invert: significant_bits = {b} for {t} samples (expected 1..={})",
                t.bits()
            ))
        })?),
    };
    let img = a.image()?;
    let mut npy = NpyArray::default();
    npy.channel_axis = a.channel_axis;
    let Some(md) = metadata else {
        let out = py
            .detach(|| match bits {
                Some(b) => convert::invert_bits(&img, u32::from(b)),
                None => convert::invert(&img),
            })
            .py()?;
        return image_to_numpy(py, out, npy);
    };
    let mut m = metadata::from_py(md)?;
    let out = py.detach(|| convert::apply_invert(&img, &mut m, bits)).py()?;
    let arr = image_to_numpy(py, out, npy)?;
    // A copy of the caller's dict (other items as given) with the convention flipped.
    let new = md.copy()?;
    match m.photometric {
        Some(p) => new.set_item("photometric", p.to_string())?,
        None if new.contains("photometric")? => new.del_item("photometric")?,
        None => {}
    }
    Ok(PyTuple::new(py, [arr, new.into_any()])?.into_any())
}

/// Batches of a dataset: `(images, labels)` numpy pairs, decoded ahead on all cores.
#[pyclass(module = "pixcodec.keras")]
pub(crate) struct BatchIter {
    batches: Mutex<Option<ml::Batches>>,
    recycler: Recycler,
    unbatched: bool,
    pending: Vec<Py<PyAny>>,
}

#[pymethods]
impl BatchIter {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&mut self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        if self.unbatched {
            if let Some(x) = self.pending.pop() {
                return Ok(Some(x));
            }
        }
        let next = {
            let mut guard = self.batches.lock().map_err(|_| invalid("dataset iterator poisoned"))?;
            let Some(b) = guard.as_mut() else { return Ok(None) };
            py.detach(|| b.next())
        };
        let batch = match next {
            None => {
                *self.batches.lock().map_err(|_| invalid("dataset iterator poisoned"))? = None;
                return Ok(None);
            }
            Some(r) => r.py()?,
        };
        let shape = batch.images.shape().to_vec();
        let dtype = batch.images.dtype();
        let labels = match &batch.labels {
            Some(l) => Some(view(py, Owned::Array(l.clone()), l.shape(), l.dtype(), None)?),
            None => None,
        };
        let images = view(
            py,
            Owned::Batch(Some(Box::new(batch)), Some(self.recycler.clone())),
            &shape,
            dtype,
            None,
        )?;
        if self.unbatched {
            let n = shape[0];
            for i in (0..n).rev() {
                let x = images.get_item(i)?;
                let item = match &labels {
                    Some(l) => PyTuple::new(py, [x, l.get_item(i)?])?.into_any(),
                    _ => x,
                };
                self.pending.push(item.unbind());
            }
            return Ok(self.pending.pop());
        }
        Ok(Some(match labels {
            Some(l) => PyTuple::new(py, [images, l])?.into_any().unbind(),
            _ => images.unbind(),
        }))
    }
}

/// A directory of images indexed as Keras' `image_dataset_from_directory` does.
#[pyclass(frozen, module = "pixcodec.keras")]
pub(crate) struct ImageDataset {
    ds: Dataset,
    unbatched: bool,
}

#[pymethods]
impl ImageDataset {
    /// Class names, in label order.
    #[getter]
    fn class_names(&self) -> Vec<String> {
        self.ds.class_names().to_vec()
    }
    /// File paths, in dataset order.
    #[getter]
    fn file_paths(&self) -> Vec<String> {
        self.ds.paths().iter().map(|p| p.display().to_string()).collect()
    }
    /// Integer labels per file, in dataset order (None without labels).
    #[getter]
    fn labels(&self) -> Option<Vec<i32>> {
        self.ds.labels().map(|l| l.to_vec())
    }
    /// Number of batches (number of images when batch_size is None).
    fn __len__(&self) -> usize {
        if self.unbatched {
            self.ds.len()
        } else {
            self.ds.num_batches()
        }
    }
    fn __iter__(&self) -> BatchIter {
        let batches = self.ds.batches();
        let recycler = batches.recycler();
        BatchIter {
            batches: Mutex::new(Some(batches)),
            recycler,
            unbatched: self.unbatched,
            pending: Vec::new(),
        }
    }
    fn __repr__(&self) -> String {
        format!(
            "ImageDataset(files={}, classes={:?}, batches={})",
            self.ds.len(),
            self.ds.class_names(),
            self.ds.num_batches()
        )
    }
}

/// _dataset(directory, options dict) -> ImageDataset or (training, validation)
#[pyfunction]
#[pyo3(signature = (directory, labels, label_mode, class_names, color_mode, batch_size, image_size, shuffle, seed,
                    validation_split, subset, interpolation, follow_links, crop_to_aspect_ratio,
                    pad_to_aspect_ratio, verbose, shrink_on_load, dtype, prefetch, dct_method,
                    shrink_min_psnr=ml::DEFAULT_SHRINK_MIN_PSNR))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn _dataset<'py>(
    py: Python<'py>,
    directory: &Bound<'py, PyAny>,
    labels: &Bound<'py, PyAny>,
    label_mode: Option<&str>,
    class_names: Option<Vec<String>>,
    color_mode: &str,
    batch_size: Option<usize>,
    image_size: (u32, u32),
    shuffle: bool,
    seed: Option<u64>,
    validation_split: Option<f64>,
    subset: Option<&str>,
    interpolation: &str,
    follow_links: bool,
    crop_to_aspect_ratio: bool,
    pad_to_aspect_ratio: bool,
    verbose: bool,
    shrink_on_load: bool,
    dtype: &Bound<'py, PyAny>,
    prefetch: usize,
    dct_method: &str,
    shrink_min_psnr: f64,
) -> PyResult<Bound<'py, PyAny>> {
    let dir = as_path(directory)?.ok_or_else(|| invalid("directory must be a str or os.PathLike"))?;
    let labels = if labels.is_none() {
        Labels::None
    } else if let Ok(s) = labels.extract::<String>() {
        if s != "inferred" {
            return Err(invalid(format!(
                "labels must be \"inferred\", None, or a list of integers; got {s:?}"
            )));
        }
        Labels::Inferred
    } else {
        Labels::Explicit(
            labels
                .extract::<Vec<i32>>()
                .map_err(|_| invalid("labels must be \"inferred\", None, or a list of integers"))?,
        )
    };
    let label_mode = match label_mode {
        None => LabelMode::None,
        Some("int") => LabelMode::Int,
        Some("categorical") => LabelMode::Categorical,
        Some("binary") => LabelMode::Binary,
        Some(other) => {
            return Err(invalid(format!(
                "label_mode must be \"int\", \"categorical\", \"binary\" or None; got {other:?}"
            )))
        }
    };
    if crop_to_aspect_ratio && pad_to_aspect_ratio {
        return Err(invalid(
            "crop_to_aspect_ratio and pad_to_aspect_ratio cannot both be True",
        ));
    }
    let mut o = DatasetOptions::new()
        .labels(labels)
        .label_mode(label_mode)
        .color_mode(color_mode.parse().py()?)
        .batch_size(batch_size.unwrap_or(1).max(1))
        .shuffle(shuffle)
        .interpolation(interpolation.parse().py()?)
        .follow_links(follow_links)
        .shrink_on_load(shrink_on_load)
        .shrink_min_psnr(shrink_min_psnr)
        .dct_method(dct_method.parse().py()?)
        .dtype(dtype_arg(dtype)?)
        .prefetch(prefetch.max(1))
        .image_size(image_size.0, image_size.1);
    if let Some(c) = class_names {
        o = o.class_names(c);
    }
    if let Some(s) = seed {
        let s = u32::try_from(s).map_err(|_| invalid(format!("seed {s} must be in 0..2**32-1 (as numpy)")))?;
        o = o.seed(s);
    } else if shuffle {
        // Keras draws a random seed when none is given.
        let s = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| (d.as_nanos() % (1u128 << 32)) as u32)
            .unwrap_or(1337);
        o = o.seed(s);
    }
    if let Some(v) = validation_split {
        o = o.validation_split(v);
    }
    if let Some(s) = subset {
        o = o.subset(match s {
            "training" => Subset::Training,
            "validation" => Subset::Validation,
            "both" => Subset::Both,
            other => {
                return Err(invalid(format!(
                    "subset must be \"training\", \"validation\" or \"both\"; got {other:?}"
                )))
            }
        });
    }
    if crop_to_aspect_ratio {
        o = o.fit(ml::Fit::CropToAspectRatio);
    } else if pad_to_aspect_ratio {
        o = o.fit(ml::Fit::PadToAspectRatio);
    }
    let unbatched = batch_size.is_none();
    let wrap = |ds: Dataset| -> PyResult<Bound<'py, PyAny>> {
        if verbose {
            py.import("builtins")?.getattr("print")?.call1((ds.summary(),))?;
        }
        Ok(Bound::new(py, ImageDataset { ds, unbatched })?.into_any())
    };
    if subset == Some("both") {
        let (t, v) = py.detach(|| Dataset::from_directory_both(&dir, &o)).py()?;
        let t = wrap(t)?;
        let v = wrap(v)?;
        Ok(PyTuple::new(py, [t, v])?.into_any())
    } else {
        let ds = py.detach(|| Dataset::from_directory(&dir, &o)).py()?;
        wrap(ds)
    }
}
