//! `pixcodec info FILE...`

use std::path::PathBuf;

use pixcodec::{DecodeOptions, ImageInfo, Registry};
use serde_json::json;

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

/// The JSON description of one file's header.
pub fn info_json(info: &ImageInfo) -> serde_json::Value {
    json!({
        "format": info.format_name,
        "codec": info.codec,
        "width": info.width,
        "height": info.height,
        "layout": info.format.layout.name(),
        "sample_type": info.format.sample.name(),
        "pixel_format": info.format.to_string(),
        "pages": info.pages,
        "lossy_source": info.lossy_source,
        "metadata": info.metadata.present(),
        "note": info.content_note,
    })
}

/// Runs `info`.
pub fn run(args: Args) -> Result<(), Failure> {
    let reg = Registry::global();
    let mut out = Vec::new();
    let mut failed = 0;
    for path in &args.files {
        match reg.probe_path(path, &DecodeOptions::new()) {
            Ok(info) => {
                if args.json {
                    let mut v = info_json(&info);
                    v["file"] = json!(path.display().to_string());
                    out.push(v);
                } else {
                    let meta = info.metadata.present();
                    println!(
                        "{}: {} (codec {}), {}x{} {}, {} page{}, {} source, metadata: {}",
                        path.display(),
                        info.format_name,
                        info.codec,
                        info.width,
                        info.height,
                        info.format,
                        info.pages,
                        if info.pages == 1 { "" } else { "s" },
                        if info.lossy_source { "lossy" } else { "exact" },
                        if meta.is_empty() {
                            "none".to_string()
                        } else {
                            meta.join(", ")
                        }
                    );
                    if let Some(note) = &info.content_note {
                        println!("  note: {note}");
                    }
                }
            }
            Err(e) => {
                failed += 1;
                if args.json {
                    out.push(json!({"file": path.display().to_string(), "error": e.to_string()}));
                } else {
                    eprintln!("{}: error: {e}", path.display());
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
