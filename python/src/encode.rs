//! Encoding: `encode`, `encode_into`, `encode_pages`, `imwrite` and `EncodeReport`.

use pixcodec::{EncodeOptions, EncodeReport as RsReport, OptionValue, PixelFormat, Registry};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyList, PyTuple};
use std::cell::RefCell;

use crate::{array_in::*, errors::*, input::*, metadata};

/// What an encode did (``pixcodec.encode_into``, ``imwrite``, ``keras.save_img``).
#[pyclass(frozen, get_all, module = "pixcodec")]
pub(crate) struct EncodeReport {
    /// True when decoding the result gives back exactly the input samples.
    exact: bool,
    /// Why the result is not exact (``None`` when exact).
    lossy_reason: Option<String>,
    /// Codec used (``"png"``, ``"jpeg-turbo"``, ``"tiff"``, ...).
    codec: String,
    /// Format written (``"png"``, ``"jpeg"``, ``"tiff"``, ...).
    format: String,
    /// Bytes written.
    bytes: u64,
    /// Pages written.
    pages: u32,
    /// With ``verify=True``: ``{"identical": bool, "max_abs_diff": float, "psnr_db": float}``.
    verification: Option<Py<PyDict>>,
    /// Metadata items given with ``metadata=`` that the output does not hold, each as
    /// ``"item: reason"``.
    metadata_dropped: Vec<String>,
}

#[pymethods]
impl EncodeReport {
    fn __repr__(&self) -> String {
        format!(
            "EncodeReport(codec='{}', format='{}', bytes={}, pages={}, exact={}, lossy_reason={})",
            self.codec,
            self.format,
            self.bytes,
            self.pages,
            if self.exact { "True" } else { "False" },
            match &self.lossy_reason {
                Some(r) => format!("{r:?}"),
                None => "None".into(),
            }
        )
    }
}

pub(crate) fn report_to_py(py: Python<'_>, r: RsReport) -> PyResult<EncodeReport> {
    let verification = match r.verification {
        Some(v) => {
            let d = PyDict::new(py);
            d.set_item("identical", v.identical)?;
            d.set_item("max_abs_diff", v.max_abs_diff)?;
            d.set_item("psnr_db", v.psnr_db)?;
            Some(d.unbind())
        }
        None => None,
    };
    Ok(EncodeReport {
        exact: r.exact,
        lossy_reason: r.lossy_reason.map(|s| s.to_string()),
        codec: r.codec.to_string(),
        format: r.format.to_string(),
        bytes: r.bytes_written,
        pages: r.pages,
        verification,
        metadata_dropped: r.metadata_dropped.iter().map(|n| n.to_string()).collect(),
    })
}

pub(crate) fn encode_options(
    codec: Option<String>,
    require_exact: bool,
    verify: bool,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<EncodeOptions> {
    let mut o = EncodeOptions::new().require_exact(require_exact).verify(verify);
    if let Some(c) = codec {
        o = o.codec(&c);
    }
    if let Some(d) = options {
        for (k, v) in d.iter() {
            let key: String = k.extract()?;
            // Not codec options: the metadata to write and what to do with it.
            if key == "metadata" {
                let md = v.cast::<PyDict>().map_err(|_| invalid("metadata= expects a dict"))?;
                o = o
                    .metadata(metadata::from_py(md)?)
                    .frame_timings(metadata::frame_timings(md)?);
                continue;
            }
            if key == "metadata_policy" {
                o = o.metadata_policy(metadata::policy(&v.extract::<String>()?)?);
                continue;
            }
            let value = if v.is_instance_of::<pyo3::types::PyBool>() {
                OptionValue::Bool(v.extract()?)
            } else if v.is_instance_of::<pyo3::types::PyInt>() {
                OptionValue::Int(
                    v.extract()
                        .map_err(|_| invalid(format!("option {key}: {v} does not fit in 64 bits")))?,
                )
            } else if v.is_instance_of::<pyo3::types::PyFloat>() {
                OptionValue::Float(v.extract()?)
            } else if let Ok(s) = v.extract::<String>() {
                OptionValue::Str(s)
            } else {
                return Err(invalid(format!(
                    "option {key}: expected bool, int, float or str, got {}",
                    v.get_type().name()?
                )));
            };
            o = o.set(&key, value);
        }
    }
    Ok(o)
}

/// What an encode to `bytes` wrote: the target and each page's width, height and format.
type Kind = (String, Vec<(u32, u32, PixelFormat)>);

/// This thread's last encode to `bytes` (see `LAST`).
struct Last {
    kind: Kind,
    len: usize,
    repeated: bool,
}

thread_local! {
    /// Encode output, reused by the next encode on this thread.
    static OUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    /// What this thread's last encode to `bytes` wrote (target and page sizes and formats), how
    /// many bytes came out, and whether the encode before it, of the same kind, gave as many:
    /// then the next encode of that kind writes into a `bytes` object of that length (see
    /// [`encode_to_bytes`]).
    static LAST: RefCell<Last> = const { RefCell::new(Last { kind: (String::new(), Vec::new()), len: 0, repeated: false }) };
}

/// Encodes into this thread's reusable buffer (GIL released), then hands the bytes to `f`.
pub(crate) fn encode_with<R>(
    py: Python<'_>,
    pages: &[InArray<'_>],
    target: &str,
    opts: &EncodeOptions,
    f: impl FnOnce(&[u8]) -> PyResult<R>,
) -> PyResult<(R, RsReport)> {
    let refs = pages.iter().map(|p| p.image()).collect::<PyResult<Vec<_>>>()?;
    let report = py
        .detach(|| OUT.with(|b| Registry::global().encode_pages_into(&refs, target, opts, &mut b.borrow_mut())))
        .py()?;
    OUT.with(|b| {
        let mut b = b.borrow_mut();
        let r = f(&b);
        if b.capacity() > 64 << 20 {
            *b = Vec::new();
        }
        r.map(|r| (r, report))
    })
}

/// A new `bytes` object of `len` uninitialised bytes and the address of its data; the caller
/// writes all of them before Python sees the object.
fn new_bytes(py: Python<'_>, len: usize) -> PyResult<(Bound<'_, PyBytes>, *mut u8)> {
    let len = pyo3::ffi::Py_ssize_t::try_from(len).map_err(|_| invalid("encoded output too large"))?;
    // SAFETY: a null source asks CPython for an uninitialised bytes object of `len` bytes (the
    // documented use); the pointer is checked before use and owned by the `Bound` returned.
    unsafe {
        let obj = pyo3::ffi::PyBytes_FromStringAndSize(std::ptr::null(), len);
        let obj = Bound::from_owned_ptr_or_err(py, obj)?.cast_into_unchecked::<PyBytes>();
        let data = pyo3::ffi::PyBytes_AsString(obj.as_ptr()).cast::<u8>();
        Ok((obj, data))
    }
}

/// Writes into a `bytes` object's (uninitialised) memory while it fits, then into a spill
/// buffer.
struct Direct<'a> {
    /// The `bytes` object's data, `cap` bytes, written only through this pointer.
    buf: *mut u8,
    cap: usize,
    pos: usize,
    spill: &'a mut Vec<u8>,
}

impl std::io::Write for Direct<'_> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if self.spill.is_empty() && data.len() <= self.cap - self.pos {
            // SAFETY: `pos + data.len() <= cap`, inside the `bytes` object's data, which nothing
            // else references while the encode runs; `data` is another allocation.
            unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), self.buf.add(self.pos), data.len()) };
            self.pos += data.len();
        } else {
            self.spill.extend_from_slice(data);
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Encodes `pages` into a new `bytes` object (GIL released while encoding). An encode goes into
/// the thread's reusable buffer and is copied into `bytes`, unless the thread's last two
/// encodes were of the same kind (target, page sizes and formats) and as long as each other
/// (an uncompressed format, the same array shape): then it is written straight into a `bytes`
/// object of that length, with no copy when its length comes out the same again, and one copy
/// into a `bytes` object of the right length otherwise (the Python C API offers no way to
/// shrink a `bytes` object in place), after which the buffer is used again until two lengths
/// repeat. So compressed outputs, whose length varies, keep the one buffered copy.
pub(crate) fn encode_to_bytes<'py>(
    py: Python<'py>,
    pages: &[InArray<'_>],
    target: &str,
    opts: &EncodeOptions,
) -> PyResult<(Bound<'py, PyBytes>, RsReport)> {
    let refs = pages.iter().map(|p| p.image()).collect::<PyResult<Vec<_>>>()?;
    let kind: Vec<_> = refs.iter().map(|r| (r.width(), r.height(), r.format())).collect();
    let guess = LAST.with(|l| {
        let l = l.borrow();
        (l.repeated && l.kind.0 == target && l.kind.1 == kind).then_some(l.len)
    });
    let remember = |len: usize| {
        LAST.with(|l| {
            let mut l = l.borrow_mut();
            let same = l.kind.0 == target && l.kind.1 == kind;
            l.repeated = same && l.len == len;
            if !same {
                l.kind.0.clear();
                l.kind.0.push_str(target);
                l.kind.1.clone_from(&kind);
            }
            l.len = len;
        })
    };
    let Some(guess) = guess else {
        let (bytes, report) = encode_with(py, pages, target, opts, |b| Ok(PyBytes::new(py, b)))?;
        remember(bytes.as_bytes().len());
        return Ok((bytes, report));
    };
    let (obj, data) = new_bytes(py, guess)?;
    let data = data as usize; // a plain address across `detach`; `obj` stays alive here
    let (report, pos) = py.detach(|| {
        OUT.with(|b| {
            let mut spill = b.borrow_mut();
            spill.clear();
            // The data of the new bytes object `obj`, `guess` bytes long, referenced by nothing
            // else until this function returns.
            let mut w = Direct {
                buf: data as *mut u8,
                cap: guess,
                pos: 0,
                spill: &mut spill,
            };
            let r = Registry::global().encode_pages_to(&refs, target, opts, &mut w);
            (r, w.pos)
        })
    });
    let report = report.py()?;
    OUT.with(|b| {
        let mut spill = b.borrow_mut();
        let len = pos + spill.len();
        remember(len);
        let out = if len == guess {
            debug_assert!(spill.is_empty(), "a spill means the output outgrew the guess");
            obj
        } else {
            let (out, dst) = new_bytes(py, len)?;
            // SAFETY: `dst` holds `len` = `pos` + spill bytes, `data` `pos` written bytes; the
            // two objects are distinct allocations.
            unsafe {
                std::ptr::copy_nonoverlapping(data as *const u8, dst, pos);
                std::ptr::copy_nonoverlapping(spill.as_ptr(), dst.add(pos), spill.len());
            }
            out
        };
        if spill.capacity() > 64 << 20 {
            *spill = Vec::new();
        }
        Ok((out, report))
    })
}

/// The array of `encode`, `encode_report` and `encode_into` as an image view, and `opts`
/// with what npy keeps of it (a channel axis of 1, `bool`).
fn one_array<'py>(
    array: &Bound<'py, PyAny>,
    layout: Option<&str>,
    format: &str,
    opts: EncodeOptions,
) -> PyResult<(InArray<'py>, EncodeOptions)> {
    let img = InArray::get(array, layout)?;
    let opts = npy_facts(std::slice::from_ref(&img), format, opts, false)?;
    Ok((img, opts))
}

/// encode(array, format, *, layout=None, codec=None, require_exact=False, verify=False, **options) -> bytes
#[pyfunction]
#[pyo3(signature = (array, format, *, layout=None, codec=None, require_exact=false, verify=false, **options))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn encode<'py>(
    py: Python<'py>,
    array: &Bound<'py, PyAny>,
    format: &str,
    layout: Option<&str>,
    codec: Option<String>,
    require_exact: bool,
    verify: bool,
    options: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let (bytes, _) = encode_one(py, array, format, layout, codec, require_exact, verify, options)?;
    Ok(bytes)
}

/// encode_report(array, format, ...) -> (bytes, EncodeReport)
#[pyfunction]
#[pyo3(signature = (array, format, *, layout=None, codec=None, require_exact=false, verify=false, **options))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn encode_report<'py>(
    py: Python<'py>,
    array: &Bound<'py, PyAny>,
    format: &str,
    layout: Option<&str>,
    codec: Option<String>,
    require_exact: bool,
    verify: bool,
    options: Option<&Bound<'py, PyDict>>,
) -> PyResult<(Bound<'py, PyBytes>, EncodeReport)> {
    let (bytes, r) = encode_one(py, array, format, layout, codec, require_exact, verify, options)?;
    Ok((bytes, report_to_py(py, r)?))
}

/// The bytes and report of `encode` and `encode_report`: one array into a new `bytes` object.
#[allow(clippy::too_many_arguments)]
fn encode_one<'py>(
    py: Python<'py>,
    array: &Bound<'py, PyAny>,
    format: &str,
    layout: Option<&str>,
    codec: Option<String>,
    require_exact: bool,
    verify: bool,
    options: Option<&Bound<'py, PyDict>>,
) -> PyResult<(Bound<'py, PyBytes>, RsReport)> {
    let (img, opts) = one_array(
        array,
        layout,
        format,
        encode_options(codec, require_exact, verify, options)?,
    )?;
    encode_to_bytes(py, std::slice::from_ref(&img), format, &opts)
}

/// encode_into(array, format, out, ...) -> EncodeReport; `out` (a bytearray) is resized to
/// the encoded length and overwritten.
#[pyfunction]
#[pyo3(signature = (array, format, out, *, layout=None, codec=None, require_exact=false, verify=false, **options))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn encode_into<'py>(
    py: Python<'py>,
    array: &Bound<'py, PyAny>,
    format: &str,
    out: &Bound<'py, PyAny>,
    layout: Option<&str>,
    codec: Option<String>,
    require_exact: bool,
    verify: bool,
    options: Option<&Bound<'py, PyDict>>,
) -> PyResult<EncodeReport> {
    let out = out.cast::<PyByteArray>().map_err(|_| {
        invalid(format!(
            "encode_into: out must be a bytearray, got {}",
            out.get_type().name().map(|n| n.to_string()).unwrap_or_default()
        ))
    })?;
    let (img, opts) = one_array(
        array,
        layout,
        format,
        encode_options(codec, require_exact, verify, options)?,
    )?;
    let ((), r) = encode_with(py, std::slice::from_ref(&img), format, &opts, |b| {
        out.resize(b.len())?;
        // SAFETY: no other reference to the bytearray's memory exists while the GIL is held
        // and no Python code runs between resize and copy.
        unsafe { out.as_bytes_mut() }.copy_from_slice(b);
        Ok(())
    })?;
    report_to_py(py, r)
}

/// encode_pages(arrays_or_volume, format, ...) -> (bytes, EncodeReport)
#[pyfunction]
#[pyo3(signature = (pages, format, *, layout=None, codec=None, require_exact=false, verify=false, **options))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn encode_pages<'py>(
    py: Python<'py>,
    pages: &Bound<'py, PyAny>,
    format: &str,
    layout: Option<&str>,
    codec: Option<String>,
    require_exact: bool,
    verify: bool,
    options: Option<&Bound<'py, PyDict>>,
) -> PyResult<(Bound<'py, PyBytes>, EncodeReport)> {
    let opts = encode_options(codec, require_exact, verify, options)?;
    let (pages, page_axis) = pages_and_axis(pages, layout)?;
    let opts = npy_facts(&pages, format, opts, page_axis)?;
    let (bytes, r) = encode_to_bytes(py, &pages, format, &opts)?;
    Ok((bytes, report_to_py(py, r)?))
}

/// imwrite(path, array, *, format=None, layout=None, codec=None, require_exact=False, verify=False, **options) -> EncodeReport
///
/// Writes ``array`` (or a list of pages) to ``path`` atomically: a temporary file in the same
/// folder renamed over ``path`` only on success, so a refused or failed write leaves no file and
/// keeps an existing one. The format comes from the extension unless ``format`` is given.
#[pyfunction]
#[pyo3(signature = (path, array, *, format=None, layout=None, codec=None, require_exact=false, verify=false, **options))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn imwrite(
    py: Python<'_>,
    path: &Bound<'_, PyAny>,
    array: &Bound<'_, PyAny>,
    format: Option<String>,
    layout: Option<&str>,
    codec: Option<String>,
    require_exact: bool,
    verify: bool,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<EncodeReport> {
    let path = as_path(path)?.ok_or_else(|| invalid("imwrite: path must be a str or os.PathLike"))?;
    let opts = encode_options(codec, require_exact, verify, options)?;
    let pages = if array.is_instance_of::<PyList>() || array.is_instance_of::<PyTuple>() {
        pages_arg(array, layout)?
    } else {
        vec![InArray::get(array, layout)?]
    };
    let opts = npy_facts(&pages, &target_of(&path, &format), opts, false)?;
    let refs = pages.iter().map(|p| p.image()).collect::<PyResult<Vec<_>>>()?;
    let r = py
        .detach(|| {
            let reg = Registry::global();
            match &format {
                Some(f) => reg.write_pages_as(&refs, &path, f, &opts),
                None => reg.write_pages(&refs, &path, &opts),
            }
        })
        .py()?;
    report_to_py(py, r)
}
