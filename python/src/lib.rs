//! `pixcodec._pixcodec`: the native half of the `pixcodec` Python package.
//!
//! A thin layer over the public Rust API of the `pixcodec` crate: it turns Python buffers
//! and numpy arrays into [`ImageRef`]s, calls the registry or the `ml` module with the GIL
//! released, and hands the decoded [`Image`] / [`Volume`] / [`Batch`] memory to numpy without
//! copying (the array's base object owns the Rust buffer). No codec logic lives here; the
//! Python side (`pixcodec/__init__.py`, `pixcodec/keras.py`) defines the exception classes
//! and the documented signatures.

mod array_in;
mod codecs;
mod decode;
mod dtype;
mod encode;
mod errors;
mod info;
mod input;
mod keras;
mod metadata;
mod owned;

use pyo3::prelude::*;

/// The native module; `pixcodec/__init__.py` re-exports it.
#[pymodule]
fn _pixcodec(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(decode::decode, m)?)?;
    m.add_function(wrap_pyfunction!(decode::decode_pages, m)?)?;
    m.add_function(wrap_pyfunction!(decode::decode_volume, m)?)?;
    m.add_function(wrap_pyfunction!(decode::imread, m)?)?;
    m.add_function(wrap_pyfunction!(info::probe, m)?)?;
    m.add_function(wrap_pyfunction!(encode::encode, m)?)?;
    m.add_function(wrap_pyfunction!(encode::encode_report, m)?)?;
    m.add_function(wrap_pyfunction!(encode::encode_into, m)?)?;
    m.add_function(wrap_pyfunction!(encode::encode_pages, m)?)?;
    m.add_function(wrap_pyfunction!(encode::imwrite, m)?)?;
    m.add_function(wrap_pyfunction!(codecs::codecs, m)?)?;
    m.add_function(wrap_pyfunction!(keras::_load_img, m)?)?;
    m.add_function(wrap_pyfunction!(keras::_convert, m)?)?;
    m.add_function(wrap_pyfunction!(keras::invert, m)?)?;
    m.add_function(wrap_pyfunction!(keras::_dataset, m)?)?;
    m.add_class::<info::ImageInfo>()?;
    m.add_class::<encode::EncodeReport>()?;
    m.add_class::<keras::ImageDataset>()?;
    m.add_class::<keras::BatchIter>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    // The default of keras.load_img / image_dataset_from_directory's shrink_min_psnr.
    m.add("DEFAULT_SHRINK_MIN_PSNR", pixcodec::ml::DEFAULT_SHRINK_MIN_PSNR)?;
    Ok(())
}
