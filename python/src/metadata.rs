//! Metadata between Python dicts and `pixcodec::Metadata`: what `probe` reports
//! (`ImageInfo.metadata`) and what the encode functions take as `metadata=` (the same keys),
//! with `metadata_policy="keep"|"strict"|"strip"`.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

use pixcodec::metadata::{Disposal, FrameTiming, Photometric, TiffTag};
use pixcodec::{Metadata, MetadataPolicy, Resolution, ResolutionUnit, TextEntry};

fn unit_name(u: ResolutionUnit) -> &'static str {
    match u {
        ResolutionUnit::None => "none",
        ResolutionUnit::Inch => "inch",
        ResolutionUnit::Centimeter => "cm",
        ResolutionUnit::Meter => "m",
    }
}

/// The dict of `ImageInfo.metadata`: `icc_profile`, `exif`, `xmp` (bytes), `orientation`
/// (int), `dpi` ((x, y)), `resolution` ((x, y, unit) with unit `none|inch|cm|m`), `text`
/// (list of (keyword, value, language or None)), `unreadable` (list of str), and the `.npy`
/// array facts `npy_channel_axis`, `npy_page_axis`, `npy_bool` (True when set), `photometric`
/// (`"white-is-zero"` or `"adobe-inverted-cmyk"`: the samples are stored inverted), the page's
/// animation timing `frame_delay_ms` (int) and `frame_disposal` (`"keep"`, `"background"`,
/// `"previous"`), `loop_count` (total plays, 0 forever; first page), `tiff_tags` (list of
/// dicts `{"tag": int, "type": int, "count": int, "value": bytes}`, the TIFF tags kept as
/// stored, values in the machine's byte order); absent items are missing.
pub(crate) fn to_py<'py>(py: Python<'py>, m: &Metadata) -> PyResult<Bound<'py, PyDict>> {
    let md = PyDict::new(py);
    if let Some(icc) = &m.icc_profile {
        md.set_item("icc_profile", PyBytes::new(py, icc))?;
    }
    if let Some(exif) = &m.exif {
        md.set_item("exif", PyBytes::new(py, exif))?;
    }
    if let Some(o) = m.orientation {
        md.set_item("orientation", o)?;
    }
    if let Some(d) = m.dpi() {
        md.set_item("dpi", d)?;
    }
    if let Some(x) = &m.xmp {
        md.set_item("xmp", PyBytes::new(py, x))?;
    }
    if let Some(r) = &m.resolution {
        md.set_item("resolution", (r.x, r.y, unit_name(r.unit)))?;
    }
    if !m.text.is_empty() {
        let items: Vec<(String, String, Option<String>)> = m
            .text
            .iter()
            .map(|t| (t.keyword.clone(), t.value.clone(), t.language.clone()))
            .collect();
        md.set_item("text", PyList::new(py, items)?)?;
    }
    if !m.unreadable.is_empty() {
        md.set_item("unreadable", PyList::new(py, &m.unreadable)?)?;
    }
    if let Some(p) = m.photometric {
        md.set_item("photometric", p.to_string())?;
    }
    if let Some(t) = m.frame {
        md.set_item("frame_delay_ms", t.delay_ms)?;
        md.set_item("frame_disposal", t.disposal.to_string())?;
    }
    if let Some(n) = m.loop_count {
        md.set_item("loop_count", n)?;
    }
    if !m.tiff_tags.is_empty() {
        let tags = PyList::empty(py);
        for t in &m.tiff_tags {
            let e = PyDict::new(py);
            e.set_item("tag", t.tag)?;
            e.set_item("type", t.field_type)?;
            e.set_item("count", t.count)?;
            e.set_item("value", PyBytes::new(py, &t.value))?;
            tags.append(e)?;
        }
        md.set_item("tiff_tags", tags)?;
    }
    for (key, set) in [
        ("npy_channel_axis", m.npy.channel_axis),
        ("npy_page_axis", m.npy.page_axis),
        ("npy_bool", m.npy.bool_dtype),
    ] {
        if set {
            md.set_item(key, true)?;
        }
    }
    Ok(md)
}

/// Metadata from a dict with the keys of [`to_py`] (`dpi` means a resolution per inch;
/// `unreadable` is ignored; `frame_delay_ms` and `frame_disposal` given as lists, one entry
/// per page, are read by [`frame_timings`] instead).
pub(crate) fn from_py(d: &Bound<'_, PyDict>) -> PyResult<Metadata> {
    let mut m = Metadata::default();
    for (k, v) in d.iter() {
        let key: String = k.extract()?;
        match key.as_str() {
            "icc_profile" => m.icc_profile = Some(v.extract()?),
            "exif" => m.exif = Some(v.extract()?),
            "xmp" => m.xmp = Some(v.extract()?),
            "orientation" => m.orientation = Some(v.extract()?),
            "dpi" => {
                let (x, y): (f64, f64) = v.extract()?;
                m.resolution = Some(Resolution::new(x, y, ResolutionUnit::Inch));
            }
            "resolution" => {
                let (x, y, u): (f64, f64, String) = v.extract()?;
                let unit = match u.as_str() {
                    "none" => ResolutionUnit::None,
                    "inch" => ResolutionUnit::Inch,
                    "cm" => ResolutionUnit::Centimeter,
                    "m" => ResolutionUnit::Meter,
                    other => {
                        return Err(crate::errors::invalid(format!(
                            "metadata resolution unit '{other}': expected none, inch, cm or m"
                        )))
                    }
                };
                m.resolution = Some(Resolution::new(x, y, unit));
            }
            "text" => {
                for item in v.try_iter()? {
                    let item = item?;
                    let (keyword, value, language): (String, String, Option<String>) = match item.extract() {
                        Ok(t) => t,
                        Err(_) => {
                            let (k, v): (String, String) = item.extract()?;
                            (k, v, None)
                        }
                    };
                    m.text.push(TextEntry {
                        keyword,
                        value,
                        language,
                    });
                }
            }
            "unreadable" => {}
            "npy_channel_axis" => m.npy.channel_axis = v.extract()?,
            "npy_page_axis" => m.npy.page_axis = v.extract()?,
            "npy_bool" => m.npy.bool_dtype = v.extract()?,
            "frame_delay_ms" | "frame_disposal" if v.is_instance_of::<PyList>() => {}
            "frame_delay_ms" => m.frame.get_or_insert_default().delay_ms = v.extract()?,
            "frame_disposal" => m.frame.get_or_insert_default().disposal = disposal(&v.extract::<String>()?)?,
            "loop_count" => m.loop_count = v.extract()?,
            "tiff_tags" => m.tiff_tags = tiff_tags(&v)?,
            "photometric" => {
                let p: Option<String> = v.extract()?;
                m.photometric = match p.as_deref() {
                    None => None,
                    Some("white-is-zero") => Some(Photometric::WhiteIsZero),
                    Some("adobe-inverted-cmyk") => Some(Photometric::AdobeInvertedCmyk),
                    Some(other) => {
                        return Err(crate::errors::invalid(format!(
                            "metadata photometric '{other}': expected white-is-zero, adobe-inverted-cmyk or None"
                        )))
                    }
                };
            }
            other => {
                return Err(crate::errors::invalid(format!(
                "unknown metadata key '{other}': expected icc_profile, exif, xmp, orientation, dpi, resolution, text, npy_channel_axis, npy_page_axis, npy_bool, photometric, frame_delay_ms, frame_disposal, loop_count or tiff_tags"
            )))
            }
        }
    }
    Ok(m)
}

/// The `tiff_tags` list: dicts with `tag`, `type`, `value` (bytes, the values in the machine's
/// byte order) and `count` (optional: the number of values in `value`), each checked by
/// [`TiffTag::new`], whose message the error carries. A tag number given twice is an error.
fn tiff_tags(v: &Bound<'_, PyAny>) -> PyResult<Vec<TiffTag>> {
    let mut tags: Vec<TiffTag> = Vec::new();
    for (i, item) in v.try_iter()?.enumerate() {
        let item = item?;
        let e = item.cast::<PyDict>().map_err(|_| {
            crate::errors::invalid(format!(
                "metadata tiff_tags[{i}] is not a dict with tag, type, count, value"
            ))
        })?;
        let mut tag = None;
        let mut field_type = None;
        let mut count = None;
        let mut value = None;
        for (k, x) in e.iter() {
            let key: String = k.extract()?;
            match key.as_str() {
                "tag" => tag = Some(x.extract::<u16>()?),
                "type" => field_type = Some(x.extract::<u16>()?),
                "count" => count = Some(x.extract::<u64>()?),
                "value" => value = Some(x.extract::<Vec<u8>>()?),
                other => {
                    return Err(crate::errors::invalid(format!(
                        "metadata tiff_tags[{i}]: unknown key '{other}': expected tag, type, count, value"
                    )))
                }
            }
        }
        let missing = |what: &str| crate::errors::invalid(format!("metadata tiff_tags[{i}] has no '{what}'"));
        let tag = tag.ok_or_else(|| missing("tag"))?;
        let field_type = field_type.ok_or_else(|| missing("type"))?;
        let value = value.ok_or_else(|| missing("value"))?;
        let count = match count {
            Some(c) => c,
            None => {
                let size = pixcodec::metadata::tiff_tags::element_size(field_type).unwrap_or(1) as u64;
                value.len() as u64 / size
            }
        };
        if tags.iter().any(|t| t.tag == tag) {
            return Err(crate::errors::invalid(format!(
                "metadata tiff_tags: tag {tag} is given twice"
            )));
        }
        tags.push(TiffTag::new(tag, field_type, count, value).map_err(crate::errors::invalid)?);
    }
    Ok(tags)
}

/// The policy named `keep`, `strict` or `strip`.
pub(crate) fn policy(s: &str) -> PyResult<MetadataPolicy> {
    MetadataPolicy::parse(s)
        .ok_or_else(|| crate::errors::invalid(format!("metadata_policy '{s}': expected keep, strict or strip")))
}

fn disposal(s: &str) -> PyResult<Disposal> {
    Disposal::parse(s).ok_or_else(|| {
        crate::errors::invalid(format!(
            "metadata frame_disposal '{s}': expected keep, background or previous"
        ))
    })
}

/// Each page's animation timing when the dict gives `frame_delay_ms` as a list (one entry per
/// page; `frame_disposal` a list of the same length, one name for every page, or absent for
/// keep); empty otherwise.
pub(crate) fn frame_timings(d: &Bound<'_, PyDict>) -> PyResult<Vec<FrameTiming>> {
    let Some(delays) = d.get_item("frame_delay_ms")? else {
        return Ok(Vec::new());
    };
    if !delays.is_instance_of::<PyList>() {
        return Ok(Vec::new());
    }
    let delays: Vec<u32> = delays.extract()?;
    let disposals: Vec<Disposal> = match d.get_item("frame_disposal")? {
        None => vec![Disposal::Keep; delays.len()],
        Some(v) if v.is_instance_of::<PyList>() => {
            let names: Vec<String> = v.extract()?;
            if names.len() != delays.len() {
                return Err(crate::errors::invalid(format!(
                    "metadata frame_disposal has {} entries and frame_delay_ms {}",
                    names.len(),
                    delays.len()
                )));
            }
            names.iter().map(|n| disposal(n)).collect::<PyResult<_>>()?
        }
        Some(v) => vec![disposal(&v.extract::<String>()?)?; delays.len()],
    };
    Ok(delays
        .into_iter()
        .zip(disposals)
        .map(|(delay_ms, disposal)| FrameTiming { delay_ms, disposal })
        .collect())
}
