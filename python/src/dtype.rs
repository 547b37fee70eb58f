//! Sample types: numpy dtypes to and from `SampleType`.

use pixcodec::{Error, Layout, SampleType};
use pyo3::prelude::*;

use crate::errors::*;

pub(crate) fn dtype_name(t: SampleType) -> &'static str {
    match t {
        SampleType::U8 => "uint8",
        SampleType::U16 => "uint16",
        SampleType::U32 => "uint32",
        SampleType::U64 => "uint64",
        SampleType::I8 => "int8",
        SampleType::I16 => "int16",
        SampleType::I32 => "int32",
        SampleType::I64 => "int64",
        SampleType::F32 => "float32",
        SampleType::F64 => "float64",
        SampleType::F16 => "float16",
    }
}

/// The sample type of a dtype given as a string, a numpy dtype or a numpy scalar type,
/// resolved by `numpy.dtype` itself, so typecodes mean what they mean in numpy (`"u8"` is
/// `uint64`, `"f4"` is `float32`).
pub(crate) fn dtype_arg(obj: &Bound<'_, PyAny>) -> PyResult<SampleType> {
    let np = obj.py().import("numpy")?;
    let dt = np
        .getattr("dtype")?
        .call1((obj,))
        .map_err(|e| invalid(format!("not a numpy dtype: {e}")))?;
    let name = dt.getattr("name")?.extract::<String>()?;
    SampleType::ALL
        .into_iter()
        .find(|&t| dtype_name(t) == name)
        .ok_or_else(|| {
            py_err(Error::Unsupported(format!(
                "dtype {name} has no pixcodec sample type; use uint8..uint64, int8..int64, float16, float32 or float64"
            )))
        })
}

pub(crate) fn layout_name(l: Layout) -> &'static str {
    match l {
        Layout::Gray => "gray",
        Layout::GrayAlpha => "gray_alpha",
        Layout::Rgb => "rgb",
        Layout::Rgba => "rgba",
        Layout::Cmyk => "cmyk",
    }
}
