//! The registry: `codecs()` and the capability tables.

use pixcodec::{Fidelity, OptionKind, OptionValue, Registry};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::dtype::*;

pub(crate) fn fidelity_name(f: Fidelity) -> &'static str {
    match f {
        Fidelity::Exact => "exact",
        Fidelity::Lossy => "lossy",
    }
}

pub(crate) fn option_value(py: Python<'_>, v: &OptionValue) -> PyResult<Py<PyAny>> {
    Ok(match v {
        OptionValue::Bool(b) => b.into_pyobject(py)?.to_owned().into_any().unbind(),
        OptionValue::Int(i) => i.into_pyobject(py)?.into_any().unbind(),
        OptionValue::Float(x) => x.into_pyobject(py)?.into_any().unbind(),
        OptionValue::Str(s) => s.into_pyobject(py)?.into_any().unbind(),
    })
}

/// codecs() -> list[dict]
///
/// Every registered codec: name, format, extensions, MIME types, priority, its capability
/// table (``decode`` / ``encode`` rows ``(layout, dtype, "exact" | "lossy")``), the lossy
/// encode rows that options make exact (``exact_with`` rows ``(layout, dtype, "lossless=true")``
/// for JPEG), multi-page support and encode options (name, kind, choices or range, default, doc).
#[pyfunction]
pub(crate) fn codecs(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    let out = PyList::empty(py);
    for c in Registry::global().codecs() {
        let d = c.descriptor();
        let caps = c.capabilities();
        let item = PyDict::new(py);
        item.set_item("name", &d.name)?;
        item.set_item("format", &d.format)?;
        item.set_item("description", &d.description)?;
        item.set_item("extensions", &d.extensions)?;
        item.set_item("mime_types", &d.mime_types)?;
        item.set_item("priority", d.priority)?;
        for (key, list) in [("decode", &caps.decode), ("encode", &caps.encode)] {
            let rows = PyList::empty(py);
            for cap in list {
                rows.append((
                    layout_name(cap.format.layout),
                    dtype_name(cap.format.sample),
                    fidelity_name(cap.fidelity),
                ))?;
            }
            item.set_item(key, rows)?;
        }
        // Encode rows that are exact only with options: (layout, dtype, "KEY=VALUE,...").
        let exact_with = PyList::empty(py);
        for cap in caps.encode.iter().filter(|c| c.fidelity == Fidelity::Lossy) {
            if let Some(with) = cap.exact_with {
                exact_with.append((layout_name(cap.format.layout), dtype_name(cap.format.sample), with))?;
            }
        }
        item.set_item("exact_with", exact_with)?;
        item.set_item("multi_page_decode", caps.multi_page_decode)?;
        item.set_item("multi_page_encode", caps.multi_page_encode)?;
        let opts = PyList::empty(py);
        for s in c.encode_options() {
            let o = PyDict::new(py);
            o.set_item("name", &s.name)?;
            let (kind, choices, range) = match &s.kind {
                OptionKind::Bool => ("bool", None, None),
                OptionKind::Int { min, max } => ("int", None, Some((*min as f64, *max as f64))),
                OptionKind::Float { min, max } => ("float", None, Some((*min, *max))),
                OptionKind::Choice(c) => ("choice", Some(c.clone()), None),
            };
            o.set_item("kind", kind)?;
            o.set_item("choices", choices)?;
            o.set_item("range", range)?;
            o.set_item("default", option_value(py, &s.default)?)?;
            o.set_item("doc", &s.doc)?;
            opts.append(o)?;
        }
        item.set_item("options", opts)?;
        out.append(item)?;
    }
    Ok(out)
}
