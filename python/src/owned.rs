//! Rust memory handed to numpy without a copy: the array's base object owns the decoded buffer.

use numpy::ndarray::{ArrayView, IxDyn, ShapeBuilder};
use numpy::{PyArray, PyArrayMethods};
use pixcodec::metadata::NpyArray;
use pixcodec::ml::{self, Batch, Recycler};
use pixcodec::{Image, Layout, SampleType, Volume};
use pyo3::prelude::*;

use crate::{dtype::*, errors::*};

/// Owns decoded pixels while numpy arrays view them (it is their `base`). A dataset batch
/// goes back to its iterator for reuse when the last array viewing it is freed.
#[pyclass(frozen, module = "pixcodec._pixcodec")]
pub(crate) struct Buffer {
    data: Owned,
}

pub(crate) enum Owned {
    Image(Image),
    Volume(Volume),
    Array(ml::Array),
    Batch(Option<Box<Batch>>, Option<Recycler>),
}

impl Drop for Buffer {
    fn drop(&mut self) {
        if let Owned::Batch(b, Some(r)) = &mut self.data {
            if let Some(batch) = b.take() {
                r.recycle(*batch);
            }
        }
    }
}

impl Buffer {
    pub(crate) fn bytes(&self) -> &[u8] {
        match &self.data {
            Owned::Image(i) => i.as_bytes(),
            Owned::Volume(v) => v.as_bytes(),
            Owned::Array(a) => a.as_bytes(),
            Owned::Batch(b, _) => b.as_ref().map_or(&[], |b| b.images.as_bytes()),
        }
    }
}

/// A numpy array of `shape` (row stride `row_stride` bytes for the first axis when given,
/// otherwise C-contiguous) viewing the memory of `owner`.
pub(crate) fn view<'py>(
    py: Python<'py>,
    data: Owned,
    shape: &[usize],
    sample: SampleType,
    row_stride: Option<usize>,
) -> PyResult<Bound<'py, PyAny>> {
    let owner = Bound::new(py, Buffer { data })?;
    let bytes = owner.get().bytes();
    pixcodec::with_sample_type!(sample, T => {
        let size = std::mem::size_of::<T>();
        let n: usize = shape.iter().product();
        // Element strides: C order, except for a padded first axis.
        let mut strides = vec![1usize; shape.len()];
        for i in (0..shape.len().saturating_sub(1)).rev() {
            strides[i] = strides[i + 1] * shape[i + 1];
        }
        if let (Some(rs), true) = (row_stride, shape.len() > 1) {
            strides[0] = rs / size;
        }
        let need = if n == 0 {
            0
        } else {
            shape.iter().zip(&strides).map(|(d, s)| (d - 1) * s).sum::<usize>() + 1
        };
        let typed: &[T] = bytemuck_slice::<T>(&bytes[..need * size])?;
        let v = ArrayView::from_shape(IxDyn(shape).strides(IxDyn(&strides)), typed)
            .map_err(|e| invalid(format!("array view: {e}")))?;
        // SAFETY: `owner` becomes the array's base object and owns the memory, which is never
        // reallocated or mutated from Rust while it lives.
        let arr = unsafe { PyArray::<T, _>::borrow_from_array(&v, owner.clone().into_any()) };
        Ok(arr.into_any())
    })
}

pub(crate) fn bytemuck_slice<T: pixcodec::Sample>(b: &[u8]) -> PyResult<&[T]> {
    // Image, Volume and Array storage is 8-byte aligned, so this cast cannot fail on them.
    pixcodec_cast(b).ok_or_else(|| invalid("internal: decoded buffer is not aligned for its sample type"))
}

pub(crate) fn pixcodec_cast<T: pixcodec::Sample>(b: &[u8]) -> Option<&[T]> {
    let size = std::mem::size_of::<T>();
    if b.len() % size != 0 || (b.as_ptr() as usize) % std::mem::align_of::<T>() != 0 {
        return None;
    }
    // SAFETY: alignment and length checked above; every bit pattern is a valid sample (Pod).
    Some(unsafe { std::slice::from_raw_parts(b.as_ptr().cast::<T>(), b.len() / size) })
}

pub(crate) fn image_shape(width: u32, height: u32, layout: Layout) -> Vec<usize> {
    let c = layout.channels();
    if c == 1 {
        vec![height as usize, width as usize]
    } else {
        vec![height as usize, width as usize, c]
    }
}

/// [`image_shape`] with the channel axis of length 1 of an `.npy` array that had one.
pub(crate) fn array_shape(width: u32, height: u32, layout: Layout, npy: NpyArray) -> Vec<usize> {
    let mut shape = image_shape(width, height, layout);
    if npy.channel_axis && layout.channels() == 1 {
        shape.push(1);
    }
    shape
}

/// The numpy dtype name of decoded samples: `bool` for an `.npy` bool array (U8 0/1).
pub(crate) fn array_dtype(sample: SampleType, npy: NpyArray) -> &'static str {
    if npy.bool_dtype && sample == SampleType::U8 {
        "bool"
    } else {
        dtype_name(sample)
    }
}

/// `arr` viewed as numpy `bool` (no copy) when `npy` says the array was one.
pub(crate) fn as_array_dtype<'py>(
    arr: Bound<'py, PyAny>,
    sample: SampleType,
    npy: NpyArray,
) -> PyResult<Bound<'py, PyAny>> {
    if array_dtype(sample, npy) == "bool" {
        arr.call_method1("view", ("bool",))
    } else {
        Ok(arr)
    }
}

/// A decoded image as numpy, shaped and typed as the `.npy` array it came from (`npy`).
pub(crate) fn image_to_numpy(py: Python<'_>, img: Image, npy: NpyArray) -> PyResult<Bound<'_, PyAny>> {
    let f = img.format();
    let shape = array_shape(img.width(), img.height(), f.layout, npy);
    let stride = img.stride();
    as_array_dtype(
        view(py, Owned::Image(img), &shape, f.sample, Some(stride))?,
        f.sample,
        npy,
    )
}

/// A new C-contiguous numpy array of `shape` and `sample`'s dtype whose memory is not
/// initialised, with the address and byte length of its data. The caller writes every byte
/// before handing the array to Python (it owns the only reference until then).
pub(crate) fn new_array<'py>(
    py: Python<'py>,
    shape: &[usize],
    sample: SampleType,
) -> PyResult<(Bound<'py, PyAny>, *mut u8, usize)> {
    pixcodec::with_sample_type!(sample, T => {
        let n = shape
            .iter()
            .try_fold(1usize, |n, &d| n.checked_mul(d))
            .and_then(|n| n.checked_mul(std::mem::size_of::<T>()))
            .ok_or_else(|| invalid("image size overflows usize"))?;
        // SAFETY: the memory is uninitialised; the caller's contract (above) covers it.
        let arr = unsafe { PyArray::<T, IxDyn>::new(py, IxDyn(shape), false) };
        let ptr = arr.data().cast::<u8>();
        Ok((arr.into_any(), ptr, n))
    })
}
