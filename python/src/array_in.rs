//! Arrays in: a numpy array as an `ImageRef`, through the array's strides when the layout allows.

use numpy::{PyArrayDescrMethods, PyUntypedArray, PyUntypedArrayMethods};
use pixcodec::{EncodeOptions, Error, ImageRef, Layout, PixelFormat, Registry, SampleType};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use crate::{dtype::*, errors::*};

/// A numpy array pinned for the duration of a call, with the geometry of the image it holds.
pub(crate) struct InArray<'py> {
    pub(crate) arr: Bound<'py, PyUntypedArray>,
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) format: PixelFormat,
    pub(crate) stride: usize,
    pub(crate) len: usize,
    /// The array's dtype is `bool` (held as U8 0/1; only npy stores it, see [`npy_facts`]).
    pub(crate) boolean: bool,
    /// The array is `(H, W, 1)`.
    pub(crate) channel_axis: bool,
}

/// The sample type of an array's dtype; `bool` is U8 (its bytes are 0 and 1).
pub(crate) fn sample_of(arr: &Bound<'_, PyUntypedArray>) -> PyResult<SampleType> {
    let dt = arr.dtype();
    let kind = dt.kind();
    let size = dt.itemsize();
    Ok(match (kind, size) {
        (b'u', 1) => SampleType::U8,
        (b'u', 2) => SampleType::U16,
        (b'u', 4) => SampleType::U32,
        (b'u', 8) => SampleType::U64,
        (b'i', 1) => SampleType::I8,
        (b'i', 2) => SampleType::I16,
        (b'i', 4) => SampleType::I32,
        (b'i', 8) => SampleType::I64,
        (b'f', 4) => SampleType::F32,
        (b'f', 8) => SampleType::F64,
        (b'f', 2) => SampleType::F16,
        (b'b', 1) => SampleType::U8,
        _ => {
            // Only here: the name is a property that builds a new string.
            let name: String = dt.getattr("name")?.extract()?;
            return Err(py_err(Error::Unsupported(format!(
                "dtype {name} has no pixcodec sample type; images hold uint8..uint64, int8..int64, float16, float32 or float64"
            ))));
        }
    })
}

pub(crate) fn layout_for(channels: usize, layout: Option<&str>, shape: &[usize]) -> PyResult<Layout> {
    if let Some(name) = layout {
        let l: Layout = name.parse().py()?;
        if l.channels() != channels {
            return Err(invalid(format!(
                "layout {} has {} channel(s) but the array of shape {shape:?} has {channels}",
                layout_name(l),
                l.channels()
            )));
        }
        return Ok(l);
    }
    Ok(match channels {
        1 => Layout::Gray,
        2 => Layout::GrayAlpha,
        3 => Layout::Rgb,
        4 => Layout::Rgba,
        c => {
            return Err(invalid(format!(
                "an image array has shape (H, W) or (H, W, C) with C in 1..4; got {c} channels in shape {shape:?}"
            )))
        }
    })
}

impl<'py> InArray<'py> {
    /// `obj` as an image: (H, W) or (H, W, C). Arrays whose pixels and channels are packed
    /// within each row are used in place with their row stride; others (channel- or
    /// column-strided, negative strides, unaligned, byte-swapped) are copied to C order first.
    pub(crate) fn get(obj: &Bound<'py, PyAny>, layout: Option<&str>) -> PyResult<InArray<'py>> {
        let py = obj.py();
        // numpy is imported only when an array has to be made or copied (an import through
        // the import machinery costs about a microsecond, a per-call cost on small images).
        let np = || py.import("numpy");
        let arr = match obj.cast::<PyUntypedArray>() {
            Ok(a) => a.clone(),
            Err(_) => np()?
                .getattr("asarray")?
                .call1((obj,))
                .map_err(|e| invalid(format!("expected a numpy array: {}", e.value(py))))?
                .cast_into::<PyUntypedArray>()
                .map_err(|_| invalid("expected a numpy array"))?,
        };
        let sample = sample_of(&arr)?;
        let shape = arr.shape().to_vec();
        if shape.len() != 2 && shape.len() != 3 {
            return Err(invalid(format!(
                "an image array has shape (H, W) or (H, W, C); got {}-D shape {shape:?}",
                shape.len()
            )));
        }
        if shape.contains(&0) {
            return Err(invalid(format!(
                "zero-size array of shape {shape:?}: an image has at least 1x1 pixels"
            )));
        }
        let channels = if shape.len() == 3 { shape[2] } else { 1 };
        let layout = layout_for(channels, layout, &shape)?;
        let (h, w) = (shape[0], shape[1]);
        let width = u32::try_from(w).map_err(|_| invalid(format!("array width {w} is above 2**32-1")))?;
        let height = u32::try_from(h).map_err(|_| invalid(format!("array height {h} is above 2**32-1")))?;
        let size = sample.size();
        let native = arr.dtype().is_native_byteorder().unwrap_or(true);
        let strides = arr.strides().to_vec();
        let packed_pixels = if shape.len() == 3 {
            (channels == 1 || strides[2] == size as isize) && (w == 1 || strides[1] == (channels * size) as isize)
        } else {
            w == 1 || strides[1] == size as isize
        };
        let row = w * channels * size;
        let row_ok = h == 1 || (strides[0] > 0 && strides[0] as usize >= row && strides[0] as usize % size == 0);
        let arr = if native && packed_pixels && row_ok && arr.is_aligned() {
            arr
        } else {
            // numpy.array(..., dtype=native, order="C") is a value-preserving copy.
            let dt = arr.dtype().getattr("newbyteorder")?.call1(("=",))?;
            let kw = PyDict::new(py);
            kw.set_item("dtype", dt)?;
            kw.set_item("order", "C")?;
            kw.set_item("copy", true)?;
            np()?
                .getattr("array")?
                .call((&arr,), Some(&kw))?
                .cast_into::<PyUntypedArray>()
                .map_err(|_| invalid("expected a numpy array"))?
        };
        let stride = if h == 1 { row } else { arr.strides()[0] as usize };
        let len = stride * (h - 1) + row;
        let boolean = arr.dtype().kind() == b'b';
        Ok(InArray {
            arr,
            width,
            height,
            format: PixelFormat::new(layout, sample),
            stride,
            len,
            boolean,
            channel_axis: shape.len() == 3 && channels == 1,
        })
    }

    pub(crate) fn image(&self) -> PyResult<ImageRef<'_>> {
        // SAFETY: the array is alive (and its memory with it) for as long as `self` lives;
        // `len` = stride * (h - 1) + row bytes lies within its data (checked strides above).
        let data = unsafe { std::slice::from_raw_parts((*self.arr.as_array_ptr()).fields.data as *const u8, self.len) };
        ImageRef::new(data, self.width, self.height, self.format, self.stride).py()
    }
}

/// The error for a `bool` array given to a codec other than npy.
pub(crate) fn bool_refused() -> PyErr {
    py_err(Error::Unsupported(
        "dtype bool has no pixcodec sample type outside npy (which writes it as numpy's bool); use array.astype(numpy.uint8) (0/1) or * 255 on purpose"
            .into(),
    ))
}

/// `opts` with the facts of the arrays that an image leaves out (`Metadata::npy`: a channel
/// axis of length 1, a page axis of length 1 when `page_axis`, the bool dtype) added to its
/// metadata when the codec chosen for `target` writes npy, so that npy writes what
/// `numpy.save` writes; other codecs store images, and refuse bool arrays.
pub(crate) fn npy_facts(
    pages: &[InArray<'_>],
    target: &str,
    opts: EncodeOptions,
    page_axis: bool,
) -> PyResult<EncodeOptions> {
    let boolean = pages.iter().any(|p| p.boolean);
    let channel_axis = pages.first().is_some_and(|p| p.channel_axis);
    if !(boolean || channel_axis || page_axis) {
        return Ok(opts);
    }
    let format = pages.first().map(|p| p.format);
    let npy = format.is_some_and(|f| {
        Registry::global()
            .choose_encoder(target, opts.codec.as_deref(), f)
            .is_ok_and(|c| c.descriptor().format == "npy")
    });
    if !npy {
        return if boolean { Err(bool_refused()) } else { Ok(opts) };
    }
    let mut m = opts.metadata.as_deref().cloned().unwrap_or_default();
    m.npy.channel_axis |= channel_axis;
    m.npy.page_axis |= page_axis;
    m.npy.bool_dtype |= boolean;
    Ok(opts.metadata(m))
}

/// The format `imwrite` writes: `format`, or the extension of `path`.
pub(crate) fn target_of(path: &std::path::Path, format: &Option<String>) -> String {
    format.clone().unwrap_or_else(|| {
        path.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default()
    })
}

/// Pages to encode: a list/tuple of (H, W[, C]) arrays, or one array (N, H, W) / (N, H, W, C).
pub(crate) fn pages_arg<'py>(obj: &Bound<'py, PyAny>, layout: Option<&str>) -> PyResult<Vec<InArray<'py>>> {
    Ok(pages_and_axis(obj, layout)?.0)
}

/// [`pages_arg`], and whether the pages came as one array with a page axis of length 1.
pub(crate) fn pages_and_axis<'py>(
    obj: &Bound<'py, PyAny>,
    layout: Option<&str>,
) -> PyResult<(Vec<InArray<'py>>, bool)> {
    let py = obj.py();
    let mut page_axis = false;
    let items: Vec<Bound<'py, PyAny>> = if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        obj.try_iter()?.collect::<PyResult<_>>()?
    } else {
        let arr = py.import("numpy")?.getattr("asarray")?.call1((obj,))?;
        let nd: usize = arr.getattr("ndim")?.extract()?;
        if nd != 3 && nd != 4 {
            return Err(invalid(format!(
                "encode_pages takes a list of (H, W[, C]) arrays or one (N, H, W[, C]) volume; got a {nd}-D array"
            )));
        }
        let items: Vec<_> = arr.try_iter()?.collect::<PyResult<_>>()?;
        page_axis = items.len() == 1;
        items
    };
    if items.is_empty() {
        return Err(py_err(Error::invalid("nothing to encode: no pages given")));
    }
    let pages = items.iter().map(|a| InArray::get(a, layout)).collect::<PyResult<_>>()?;
    Ok((pages, page_axis))
}
