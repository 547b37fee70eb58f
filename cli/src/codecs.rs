//! `pixcodec codecs`: a compact table of the registry (codec, format, priority, pages,
//! decode and encode summarised as layouts × sample types), `--verbose` for the full lists,
//! `--json` with typed values. No line is longer than [`MAX_LINE`] characters.

use std::collections::BTreeMap;

use pixcodec::{Capability, Fidelity, OptionKind, OptionValue, Registry, SampleType};
use serde_json::json;

use crate::text::{wrap, MAX_LINE};
use crate::Failure;

/// Arguments of `codecs`.
#[derive(clap::Args)]
pub struct Args {
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// Every codec in full: description, extensions, MIME types, each capability, options.
    #[arg(long, short = 'v')]
    verbose: bool,
}

fn caps_json(caps: &[Capability]) -> serde_json::Value {
    caps.iter()
        .map(|c| json!({"layout": c.format.layout.name(), "sample_type": c.format.sample.name(), "fidelity": c.fidelity.to_string(), "exact_with": c.exact_with}))
        .collect()
}

fn value_json(v: &OptionValue) -> serde_json::Value {
    match v {
        OptionValue::Bool(b) => json!(b),
        OptionValue::Int(i) => json!(i),
        OptionValue::Float(f) => json!(f),
        OptionValue::Str(s) => json!(s),
    }
}

/// An option's kind as typed JSON fields: `kind`, and `min`/`max` or `choices`.
fn kind_json(k: &OptionKind) -> serde_json::Value {
    match k {
        OptionKind::Bool => json!({"kind": "bool"}),
        OptionKind::Int { min, max } => json!({"kind": "int", "min": min, "max": max}),
        OptionKind::Float { min, max } => json!({"kind": "float", "min": min, "max": max}),
        OptionKind::Choice(c) => json!({"kind": "choice", "choices": c}),
        #[allow(unreachable_patterns)]
        other => json!({"kind": other.to_string()}),
    }
}

/// Sample types as a short list: runs of one kind's full ladder shortened (`U8..U64`).
fn samples_text(types: &[SampleType]) -> String {
    let mut out: Vec<String> = Vec::new();
    let ladders: [&[SampleType]; 2] = [
        &[SampleType::U8, SampleType::U16, SampleType::U32, SampleType::U64],
        &[SampleType::I8, SampleType::I16, SampleType::I32, SampleType::I64],
    ];
    let mut rest: Vec<SampleType> = types.to_vec();
    for ladder in ladders {
        if ladder.iter().all(|t| rest.contains(t)) {
            rest.retain(|t| !ladder.contains(t));
            out.push(format!("{}..{}", ladder[0], ladder[3]));
        }
    }
    // Keep the table's order: the shortened ladders where their first type stood.
    let mut ordered: Vec<(usize, String)> = Vec::new();
    for t in &rest {
        ordered.push((types.iter().position(|x| x == t).unwrap_or(0), t.to_string()));
    }
    for s in out {
        let first = if s.starts_with('U') {
            SampleType::U8
        } else {
            SampleType::I8
        };
        ordered.push((types.iter().position(|x| *x == first).unwrap_or(0), s));
    }
    ordered.sort_by_key(|(i, _)| *i);
    ordered.into_iter().map(|(_, s)| s).collect::<Vec<_>>().join(",")
}

/// A capability list as layouts × sample types: `Gray/Rgb/Rgba U8,U16; Cmyk U8`, lossy
/// groups marked `(lossy)`.
pub fn summary(caps: &[Capability]) -> String {
    if caps.is_empty() {
        return "-".to_string();
    }
    let mut groups: Vec<String> = Vec::new();
    for fidelity in [Fidelity::Exact, Fidelity::Lossy] {
        // layout -> its sample types, in table order.
        let mut by_layout: BTreeMap<usize, (pixcodec::Layout, Vec<SampleType>)> = BTreeMap::new();
        for (i, c) in caps.iter().enumerate().filter(|(_, c)| c.fidelity == fidelity) {
            let key = caps
                .iter()
                .position(|d| d.format.layout == c.format.layout && d.fidelity == fidelity)
                .unwrap_or(i);
            by_layout
                .entry(key)
                .or_insert_with(|| (c.format.layout, Vec::new()))
                .1
                .push(c.format.sample);
        }
        // Layouts with the same sample list share one group.
        let mut merged: Vec<(Vec<String>, Vec<SampleType>)> = Vec::new();
        for (_, (layout, samples)) in by_layout {
            match merged.iter_mut().find(|(_, s)| *s == samples) {
                Some((layouts, _)) => layouts.push(layout.to_string()),
                None => merged.push((vec![layout.to_string()], samples)),
            }
        }
        for (layouts, samples) in merged {
            let mut g = format!("{} {}", layouts.join("/"), samples_text(&samples));
            if fidelity == Fidelity::Lossy {
                // The options that make every row of this group exact, when they all share them.
                let rows = caps.iter().filter(|c| {
                    c.fidelity == fidelity
                        && samples.contains(&c.format.sample)
                        && layouts.contains(&c.format.layout.to_string())
                });
                let mut with = rows.map(|c| c.exact_with);
                match with.next() {
                    Some(Some(w)) if with.all(|o| o == Some(w)) => g.push_str(&format!(" (lossy; exact with {w})")),
                    _ => g.push_str(" (lossy)"),
                }
            }
            groups.push(g);
        }
    }
    groups.join("; ")
}

/// `items` joined with ", " after `prefix`, wrapped to [`MAX_LINE`] with `indent`.
fn wrapped(prefix: &str, items: &[String], indent: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = prefix.to_string();
    let mut fresh = true;
    for (i, item) in items.iter().enumerate() {
        let piece = if i + 1 < items.len() {
            format!("{item},")
        } else {
            item.clone()
        };
        if !fresh && line.len() + 1 + piece.len() > MAX_LINE {
            lines.push(line);
            line = indent.to_string();
            fresh = true;
        }
        if !fresh {
            line.push(' ');
        }
        line.push_str(&piece);
        fresh = false;
    }
    lines.push(line);
    lines
}

fn print_json(reg: &Registry) {
    let v: Vec<serde_json::Value> = reg
        .codecs()
        .iter()
        .map(|c| {
            let d = c.descriptor();
            json!({
                "name": d.name, "format": d.format, "description": d.description,
                "extensions": d.extensions, "mime_types": d.mime_types, "priority": d.priority,
                "multi_page_decode": c.capabilities().multi_page_decode,
                "multi_page_encode": c.capabilities().multi_page_encode,
                "decode": caps_json(&c.capabilities().decode),
                "encode": caps_json(&c.capabilities().encode),
                "options": c.encode_options().iter().map(|o| {
                    let mut v = kind_json(&o.kind);
                    v["name"] = json!(o.name);
                    v["default"] = value_json(&o.default);
                    v["doc"] = json!(o.doc);
                    v
                }).collect::<Vec<_>>(),
            })
        })
        .collect();
    println!("{}", serde_json::to_string_pretty(&v).expect("JSON values serialise"));
}

fn print_verbose(reg: &Registry) {
    for c in reg.codecs() {
        let d = c.descriptor();
        let caps = c.capabilities();
        let heading = format!(
            "{} — {} (format {}, priority {})",
            d.name, d.description, d.format, d.priority
        );
        println!("{}", wrap(&heading, "    "));
        println!(
            "  extensions: .{}   MIME: {}",
            d.extensions.join(" ."),
            d.mime_types.join(", ")
        );
        let items = |v: &[Capability]| -> Vec<String> {
            if v.is_empty() {
                vec!["none".to_string()]
            } else {
                v.iter()
                    .map(|c| format!("{} ({})", c.format, c.fidelity_text()))
                    .collect()
            }
        };
        let pages = |multi: bool| if multi { " [multi-page]" } else { "" };
        for line in wrapped(
            &format!("  decodes{}: ", pages(caps.multi_page_decode)),
            &items(&caps.decode),
            "    ",
        ) {
            println!("{line}");
        }
        for line in wrapped(
            &format!("  encodes{}: ", pages(caps.multi_page_encode)),
            &items(&caps.encode),
            "    ",
        ) {
            println!("{line}");
        }
        for o in c.encode_options() {
            let text = format!("  option {} ({}, default {}): {}", o.name, o.kind, o.default, o.doc);
            println!("{}", wrap(&text, "    "));
        }
    }
}

fn print_table(reg: &Registry) {
    let header = ["codec", "format", "prio", "pages", "decode", "encode"].map(str::to_string);
    let mut rows: Vec<[String; 6]> = vec![header];
    for c in reg.codecs() {
        let d = c.descriptor();
        let caps = c.capabilities();
        let pages = match (caps.multi_page_decode, caps.multi_page_encode) {
            (_, true) => "multi",
            (true, false) => "multi/1",
            _ => "1",
        };
        let decode = summary(&caps.decode);
        let encode = summary(&caps.encode);
        let encode = if encode == decode {
            "same as decode".to_string()
        } else {
            encode
        };
        rows.push([
            d.name.clone(),
            d.format.clone(),
            d.priority.to_string(),
            pages.to_string(),
            decode,
            encode,
        ]);
    }
    let width = |i: usize| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
    let w: Vec<usize> = (0..5).map(width).collect();
    let fixed: usize = w[..4].iter().sum::<usize>() + 4 * 2;
    for r in &rows {
        let left = format!(
            "{:<w0$}  {:<w1$}  {:>w2$}  {:<w3$}  ",
            r[0],
            r[1],
            r[2],
            r[3],
            w0 = w[0],
            w1 = w[1],
            w2 = w[2],
            w3 = w[3]
        );
        let one = format!("{left}{:<w4$}  {}", r[4], r[5], w4 = w[4]);
        if one.trim_end().chars().count() <= MAX_LINE {
            println!("{}", one.trim_end());
        } else {
            // Too wide for one line: encode goes under decode.
            println!("{left}{}", r[4]);
            println!("{:fixed$}encode: {}", "", r[5]);
        }
    }
    println!("pages: multi = reads and writes several pages, multi/1 = reads several, writes one; --verbose lists everything");
}

/// Runs `codecs`.
pub fn run(args: Args) -> Result<(), Failure> {
    let reg = Registry::global();
    if args.json {
        print_json(reg);
    } else if args.verbose {
        print_verbose(reg);
    } else {
        print_table(reg);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use pixcodec::{Layout, PixelFormat};

    fn cap(l: Layout, s: SampleType, fidelity: Fidelity) -> Capability {
        Capability::new(PixelFormat::new(l, s), fidelity)
    }

    #[test]
    fn summaries_group_layouts_with_equal_sample_lists() {
        use Layout::*;
        use SampleType::*;
        let mut caps = Vec::new();
        for l in [Gray, Rgb, Rgba] {
            for s in [U8, U16] {
                caps.push(cap(l, s, Fidelity::Exact));
            }
        }
        caps.push(cap(Cmyk, U8, Fidelity::Exact));
        caps.push(cap(Gray, F32, Fidelity::Lossy));
        assert_eq!(summary(&caps), "Gray/Rgb/Rgba U8,U16; Cmyk U8; Gray F32 (lossy)");
        let all: Vec<Capability> = SampleType::ALL.iter().map(|&s| cap(Gray, s, Fidelity::Exact)).collect();
        let text = summary(&all);
        assert!(
            text.starts_with("Gray U8..U64,I8..I64,") && text.contains("F32") && text.contains("F64"),
            "{text}"
        );
        let mut jpeg = vec![cap(Gray, U8, Fidelity::Lossy), cap(Rgb, U8, Fidelity::Lossy)];
        for c in &mut jpeg {
            c.exact_with = Some("lossless=true");
        }
        assert_eq!(summary(&jpeg), "Gray/Rgb U8 (lossy; exact with lossless=true)");
        jpeg[1].exact_with = None;
        // Rows that disagree on the options are not promised exact.
        assert_eq!(summary(&jpeg), "Gray/Rgb U8 (lossy)");
        assert_eq!(summary(&[]), "-");
        let long: Vec<String> = (0..100).map(|i| format!("item{i}")).collect();
        for line in wrapped("  list: ", &long, "    ") {
            assert!(line.len() <= MAX_LINE, "{line}");
        }
    }
}
