//! `pixcodec check FILE --as FORMAT`

use std::path::PathBuf;

use pixcodec::{DecodeOptions, EncodeOptions, ErrorKind, ImageRef, Registry};

use crate::{Failure, EXIT_NOT_EXACT};

/// Arguments of `check`.
#[derive(clap::Args)]
pub struct Args {
    /// The image to check.
    file: PathBuf,
    /// The format (codec name, format, extension or MIME type) to check against.
    #[arg(long = "as", value_name = "FORMAT")]
    target: String,
    /// A codec option as KEY=VALUE (repeatable), e.g. `-O lossless=true` for an exact JPEG.
    #[arg(long = "option", short = 'O', value_name = "KEY=VALUE")]
    options: Vec<String>,
}

/// Runs `check`: encodes in memory with `require_exact`, decodes and compares.
pub fn run(args: Args) -> Result<(), Failure> {
    let reg = Registry::global();
    let pages = reg.read_pages(&args.file, &DecodeOptions::new())?;
    let views: Vec<ImageRef> = pages.iter().map(|p| p.as_ref()).collect();
    let first = views[0].format();
    let mut opts = EncodeOptions::new().require_exact(true).verify(true);
    for kv in &args.options {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| Failure::msg(format!("--option '{kv}' should be KEY=VALUE")))?;
        opts = opts.set(k.trim(), v.trim());
    }
    match reg.encode_pages_to(&views, &args.target, &opts, &mut std::io::sink()) {
        Ok(r) => {
            println!(
                "yes: {} ({} page{}, {}) survives {} exactly (codec {}, verified by decoding)",
                args.file.display(),
                pages.len(),
                if pages.len() == 1 { "" } else { "s" },
                first,
                args.target,
                r.codec
            );
            Ok(())
        }
        Err(e) if matches!(e.kind(), ErrorKind::NotExact | ErrorKind::Unsupported) => {
            println!("no: {}: {e}", args.file.display());
            Err(Failure {
                code: EXIT_NOT_EXACT,
                message: String::new(),
            })
        }
        Err(e) => Err(e.into()),
    }
}
