//! `pixcodec codecs`

use pixcodec::{Capability, Registry};
use serde_json::json;

use crate::Failure;

/// Arguments of `codecs`.
#[derive(clap::Args)]
pub struct Args {
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

fn caps_json(caps: &[Capability]) -> serde_json::Value {
    caps.iter()
        .map(|c| json!({"layout": c.format.layout.name(), "sample_type": c.format.sample.name(), "fidelity": c.fidelity.to_string(), "exact_with": c.exact_with}))
        .collect()
}

/// Runs `codecs`.
pub fn run(args: Args) -> Result<(), Failure> {
    let reg = Registry::global();
    let codecs = reg.codecs();
    if args.json {
        let v: Vec<serde_json::Value> = codecs
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
                    "options": c.encode_options().iter().map(|o| json!({
                        "name": o.name, "kind": o.kind.to_string(), "default": o.default.to_string(), "doc": o.doc
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&v).expect("JSON values serialise"));
        return Ok(());
    }
    for c in codecs {
        let d = c.descriptor();
        let caps = c.capabilities();
        println!(
            "{} — {} (format {}, priority {})",
            d.name, d.description, d.format, d.priority
        );
        println!(
            "  extensions: .{}   MIME: {}",
            d.extensions.join(" ."),
            d.mime_types.join(", ")
        );
        let list = |v: &[Capability]| {
            if v.is_empty() {
                "none".to_string()
            } else {
                v.iter()
                    .map(|c| format!("{} ({})", c.format, c.fidelity_text()))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        println!(
            "  decodes: {}{}",
            list(&caps.decode),
            if caps.multi_page_decode { " [multi-page]" } else { "" }
        );
        println!(
            "  encodes: {}{}",
            list(&caps.encode),
            if caps.multi_page_encode { " [multi-page]" } else { "" }
        );
        for o in c.encode_options() {
            println!("  option {} ({}, default {}): {}", o.name, o.kind, o.default, o.doc);
        }
    }
    Ok(())
}
