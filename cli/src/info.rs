//! `pixcodec info FILE...`: the header of each file with its values (ICC profile size and
//! description, resolution with its unit, orientation, EXIF and XMP sizes, text keys, items
//! that could not be read, every page's size and pixel format).

use std::path::{Path, PathBuf};

use pixcodec::metadata::{icc, FrameTiming};
use pixcodec::{DecodeOptions, ImageInfo, PixelFormat, Registry, Resolution, ResolutionUnit};
use serde_json::json;

use crate::text::wrap;
use crate::Failure;

/// Arguments of `info`.
#[derive(clap::Args)]
pub struct Args {
    /// Files to inspect.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Print JSON (one array with an object per file).
    #[arg(long)]
    json: bool,
}

/// Pages listed at most (headers only; no pixels are decoded).
const MAX_PAGES_LISTED: u32 = 10_000;

/// One page's header: size, pixel format and animation timing.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Page {
    width: u32,
    height: u32,
    format: PixelFormat,
    frame: Option<FrameTiming>,
}

/// Every page's header, read by stepping the decoder without decoding pixels; `None` when a
/// later page cannot be read (the first page's facts are reported anyway).
fn pages(reg: &Registry, path: &Path, info: &ImageInfo) -> Option<Vec<Page>> {
    let first = Page {
        width: info.width,
        height: info.height,
        format: info.format,
        frame: info.metadata.frame,
    };
    if info.pages <= 1 {
        return Some(vec![first]);
    }
    let mut dec = reg.decoder_for_path(path, &DecodeOptions::new()).ok()?;
    let mut v = vec![first];
    while (v.len() as u32) < info.pages.min(MAX_PAGES_LISTED) && dec.next_page().ok()? {
        let i = dec.info();
        v.push(Page {
            width: i.width,
            height: i.height,
            format: i.format,
            frame: i.metadata.frame,
        });
    }
    Some(v)
}

/// Runs of pages of equal timing as text: `0: 100 ms keep; 1-2: 70 ms background`.
fn frames_text(pages: &[Page]) -> String {
    let mut runs: Vec<String> = Vec::new();
    let mut start = 0;
    for i in 1..=pages.len() {
        if i == pages.len() || pages[i].frame != pages[start].frame {
            let range = if i - 1 == start {
                start.to_string()
            } else {
                format!("{start}-{}", i - 1)
            };
            if let Some(t) = pages[start].frame {
                runs.push(format!("{range}: {} ms {}", t.delay_ms, t.disposal));
            }
            start = i;
        }
    }
    runs.join("; ")
}

/// Runs of equal pages as text: `0-4: 64x64 Gray U32; 5: 32x32 Gray U8`.
fn pages_text(pages: &[Page]) -> String {
    let mut runs: Vec<String> = Vec::new();
    let mut start = 0;
    for i in 1..=pages.len() {
        let shape = |p: &Page| (p.width, p.height, p.format);
        if i == pages.len() || shape(&pages[i]) != shape(&pages[start]) {
            let p = pages[start];
            let range = if i - 1 == start {
                start.to_string()
            } else {
                format!("{start}-{}", i - 1)
            };
            runs.push(format!("{range}: {}x{} {}", p.width, p.height, p.format));
            start = i;
        }
    }
    runs.join("; ")
}

/// The meaning of an EXIF orientation value.
fn orientation_text(v: u16) -> &'static str {
    match v {
        1 => "normal",
        2 => "mirrored horizontally",
        3 => "rotated 180°",
        4 => "mirrored vertically",
        5 => "mirrored horizontally, then rotated 270° clockwise",
        6 => "rotated 90° clockwise to display",
        7 => "mirrored horizontally, then rotated 90° clockwise",
        8 => "rotated 270° clockwise to display",
        _ => "not a valid orientation (1..8)",
    }
}

/// The JSON name of a resolution unit.
fn unit_name(u: ResolutionUnit) -> &'static str {
    match u {
        ResolutionUnit::None => "none",
        ResolutionUnit::Inch => "inch",
        ResolutionUnit::Centimeter => "centimetre",
        ResolutionUnit::Meter => "metre",
    }
}

/// A resolution as text: `300 x 300 per inch`, `2835 x 2835 per metre (72.01 x 72.01 dpi)`,
/// `1 x 2 (no unit: pixel aspect ratio only)`.
fn resolution_text(r: &Resolution) -> String {
    let n = |v: f64| format!("{}", (v * 100.0).round() / 100.0);
    match (r.unit, r.dpi()) {
        (ResolutionUnit::None, _) | (_, None) => {
            format!("{} x {} (no unit: pixel aspect ratio only)", n(r.x), n(r.y))
        }
        (ResolutionUnit::Inch, _) => format!("{} x {} per inch", n(r.x), n(r.y)),
        (u, Some((x, y))) => format!("{} x {} per {u} ({} x {} dpi)", n(r.x), n(r.y), n(x), n(y)),
    }
}

/// The JSON description of one file's header; numbers are JSON numbers.
pub fn info_json(info: &ImageInfo) -> serde_json::Value {
    let m = &info.metadata;
    json!({
        "format": info.format_name,
        "codec": info.codec,
        "width": info.width,
        "height": info.height,
        "layout": info.format.layout.name(),
        "sample_type": info.format.sample.name(),
        "pixel_format": info.format.to_string(),
        "bits_per_sample": info.format.sample.bits(),
        "significant_bits": info.significant_bits,
        "pages": info.pages,
        "lossy_source": info.lossy_source,
        "metadata": m.present(),
        "icc_profile": m.icc_profile.as_deref().map(|p| {
            let s = icc::summarize(p);
            json!({"bytes": s.bytes, "description": s.description, "color_space": s.color_space, "version": s.version})
        }),
        "resolution": m.resolution.map(|r| json!({"x": r.x, "y": r.y, "unit": unit_name(r.unit)})),
        "dpi": m.dpi().map(|(x, y)| json!([x, y])),
        "orientation": m.orientation.map(|o| json!({"value": o, "meaning": orientation_text(o)})),
        "photometric": m.photometric.map(|p| p.to_string()),
        "frame": m.frame.map(|t| json!({"delay_ms": t.delay_ms, "disposal": t.disposal.to_string()})),
        "loop_count": m.loop_count,
        "exif_bytes": m.exif.as_ref().map(Vec::len),
        "xmp_bytes": m.xmp.as_ref().map(Vec::len),
        "text_keys": m.text_keys(),
        "tiff_tags": m.tiff_tags.iter().map(|t| {
            json!({"tag": t.tag, "type": t.field_type, "count": t.count, "bytes": t.value.len()})
        }).collect::<Vec<_>>(),
        "unreadable": m.unreadable,
        "note": info.content_note,
    })
}

/// The detail lines under a file's summary line (empty when there is nothing to add).
fn detail_lines(info: &ImageInfo, pages: Option<&[Page]>) -> Vec<String> {
    let m = &info.metadata;
    let mut v = Vec::new();
    if let Some(p) = &m.icc_profile {
        let s = icc::summarize(p);
        let mut line = format!("icc profile: {} bytes", s.bytes);
        if let Some(d) = &s.description {
            line.push_str(&format!(", \"{d}\""));
        }
        let facts: Vec<String> = [s.color_space.clone(), s.version.as_ref().map(|v| format!("v{v}"))]
            .into_iter()
            .flatten()
            .collect();
        if !facts.is_empty() {
            line.push_str(&format!(" ({})", facts.join(", ")));
        }
        v.push(line);
    }
    if let Some(r) = &m.resolution {
        v.push(format!("resolution: {}", resolution_text(r)));
    }
    if let Some(o) = m.orientation {
        v.push(format!("orientation: {o} ({})", orientation_text(o)));
    }
    if let Some(p) = m.photometric {
        v.push(format!(
            "photometric: {p} (samples as stored; --invert gives the plain convention)"
        ));
    }
    if let Some(n) = m.loop_count {
        v.push(match n {
            0 => "loop: forever".to_string(),
            n => format!("loop: {n} play{}", if n == 1 { "" } else { "s" }),
        });
    }
    match pages.filter(|p| p.len() > 1 && p.iter().all(|p| p.frame.is_some())) {
        Some(p) => v.push(format!("frames {}", frames_text(p))),
        None => {
            if let Some(t) = m.frame {
                v.push(format!("frame: {} ms, disposal {}", t.delay_ms, t.disposal));
            }
        }
    }
    if let Some(e) = &m.exif {
        v.push(format!("exif: {} bytes", e.len()));
    }
    if let Some(x) = &m.xmp {
        v.push(format!("xmp: {} bytes", x.len()));
    }
    if !m.text.is_empty() {
        v.push(format!("text keys: {}", m.text_keys().join(", ")));
    }
    if !m.tiff_tags.is_empty() {
        let tags: Vec<String> = m.tiff_tags.iter().map(|t| t.tag.to_string()).collect();
        v.push(format!("tiff tags: {} ({})", tags.join(", "), tags.len()));
    }
    for u in &m.unreadable {
        v.push(format!("unreadable: {u}"));
    }
    if info.pages > 1 {
        match pages {
            Some(p) if p.len() as u32 == info.pages => v.push(format!("pages {}", pages_text(p))),
            Some(p) => v.push(format!("pages (first {} of {}) {}", p.len(), info.pages, pages_text(p))),
            None => v.push("pages: the headers after the first could not be read".to_string()),
        }
    }
    v
}

/// Runs `info`.
pub fn run(args: Args) -> Result<(), Failure> {
    let reg = Registry::global();
    let mut out = Vec::new();
    let mut failed = 0;
    for path in &args.files {
        match reg.probe_path(path, &DecodeOptions::new()) {
            Ok(info) => {
                let page_list = pages(reg, path, &info);
                if args.json {
                    let mut v = info_json(&info);
                    v["file"] = json!(path.display().to_string());
                    v["page_list"] = match &page_list {
                        Some(p) => p
                            .iter()
                            .map(|p| {
                                let mut j =
                                    json!({"width": p.width, "height": p.height, "pixel_format": p.format.to_string()});
                                if let Some(t) = p.frame {
                                    j["delay_ms"] = json!(t.delay_ms);
                                    j["disposal"] = json!(t.disposal.to_string());
                                }
                                j
                            })
                            .collect(),
                        None => serde_json::Value::Null,
                    };
                    out.push(v);
                } else {
                    let meta = info.metadata.present();
                    println!(
                        "{}: {} (codec {}), {}x{} {}{}, {} page{}, {} source, metadata: {}",
                        path.display(),
                        info.format_name,
                        info.codec,
                        info.width,
                        info.height,
                        info.format,
                        match info.significant_bits {
                            Some(b) => format!(" ({b}-bit samples stored)"),
                            None => String::new(),
                        },
                        info.pages,
                        if info.pages == 1 { "" } else { "s" },
                        if info.lossy_source { "lossy" } else { "exact" },
                        if meta.is_empty() {
                            "none".to_string()
                        } else {
                            meta.join(", ")
                        }
                    );
                    for line in detail_lines(&info, page_list.as_deref()) {
                        println!("{}", wrap(&format!("  {line}"), "    "));
                    }
                    if let Some(note) = &info.content_note {
                        println!("{}", wrap(&format!("  note: {note}"), "    "));
                    }
                }
            }
            Err(e) => {
                failed += 1;
                let message = e.message_for(pixcodec::convert::Surface::Cli);
                if args.json {
                    out.push(json!({"file": path.display().to_string(), "error": message}));
                } else {
                    eprintln!("{}", wrap(&format!("{}: error: {message}", path.display()), "  "));
                }
            }
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&out).expect("JSON values serialise"));
    }
    if failed > 0 {
        return Err(Failure {
            code: 1,
            message: format!("{failed} of {} files could not be read", args.files.len()),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use pixcodec::{Layout, SampleType};

    #[test]
    fn resolutions_show_their_unit() {
        let r = |x, y, u| resolution_text(&Resolution::new(x, y, u));
        assert_eq!(r(300.0, 300.0, ResolutionUnit::Inch), "300 x 300 per inch");
        assert_eq!(
            r(2835.0, 2835.0, ResolutionUnit::Meter),
            "2835 x 2835 per metre (72.01 x 72.01 dpi)"
        );
        assert_eq!(
            r(10.0, 20.0, ResolutionUnit::Centimeter),
            "10 x 20 per centimetre (25.4 x 50.8 dpi)"
        );
        assert_eq!(
            r(1.0, 2.0, ResolutionUnit::None),
            "1 x 2 (no unit: pixel aspect ratio only)"
        );
    }

    #[test]
    fn equal_pages_are_grouped() {
        let a = Page {
            width: 4,
            height: 2,
            format: PixelFormat::new(Layout::Gray, SampleType::U16),
            frame: None,
        };
        let b = Page { width: 2, ..a };
        assert_eq!(
            pages_text(&[a, a, a, b, a]),
            "0-2: 4x2 Gray U16; 3: 2x2 Gray U16; 4: 4x2 Gray U16"
        );
    }
}
