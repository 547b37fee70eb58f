//! `pixcodec check FILE --as FORMAT`

use std::path::PathBuf;

use pixcodec::convert::Surface;
use pixcodec::{DecodeOptions, EncodeOptions, ErrorKind, Image, ImageRef, Registry};

use crate::conversions::{Applied, Conversions};
use crate::text::wrap;
use crate::{Failure, EXIT_NOT_EXACT};

/// Arguments of `check`.
#[derive(clap::Args)]
pub struct Args {
    /// The image to check.
    file: PathBuf,
    /// The format (codec name, format, extension or MIME type) to check against.
    #[arg(long = "as", value_name = "FORMAT")]
    target: String,
    /// The same explicit conversions as `convert`: check the converted pixels instead.
    #[command(flatten)]
    conv: Conversions,
    /// A codec option as KEY=VALUE (repeatable), e.g. `-O lossless=true` for an exact JPEG.
    #[arg(long = "option", short = 'O', value_name = "KEY=VALUE")]
    options: Vec<String>,
}

fn no(args: &Args, why: &str) -> Result<(), Failure> {
    println!("{}", wrap(&format!("no: {}: {why}", args.file.display()), "  "));
    Err(Failure {
        code: EXIT_NOT_EXACT,
        message: String::new(),
    })
}

/// Runs `check`: encodes in memory (nothing is written anywhere), decodes and compares.
pub fn run(args: Args) -> Result<(), Failure> {
    args.conv.validate()?;
    let reg = Registry::global();
    let (info, pages) = reg.read_pages_with_info(&args.file, &DecodeOptions::new())?;
    let refs: Vec<&Image> = pages.iter().collect();
    let mut meta = info.metadata;
    let Applied {
        pages: converted,
        steps,
        notes,
    } = match args.conv.apply_pages(&refs, &mut meta, info.significant_bits) {
        Ok(a) => a,
        Err(e) if e.kind() == ErrorKind::NotExact => return no(&args, &e.message_for(Surface::Cli)),
        Err(e) => return Err(e.into()),
    };
    for note in notes {
        eprintln!("{}", wrap(&format!("note: {note}"), "  "));
    }
    let views: Vec<ImageRef> = if converted.is_empty() { &pages } else { &converted }
        .iter()
        .map(|p| p.as_ref())
        .collect();
    let first = views[0].format();
    let after = if steps.is_empty() {
        String::new()
    } else {
        format!(" (checked after the conversions: {})", steps.join(", "))
    };
    let mut opts = EncodeOptions::new().verify(true);
    for kv in &args.options {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| Failure::msg(format!("--option '{kv}' should be KEY=VALUE")))?;
        opts = opts.set(k.trim(), v.trim());
    }
    match reg.encode_pages_to(&views, &args.target, &opts, &mut std::io::sink()) {
        Ok(r) if r.exact => {
            let yes = format!(
                "yes: {} ({} page{}, {}) survives {} exactly (codec {}, verified by decoding){}",
                args.file.display(),
                pages.len(),
                if pages.len() == 1 { "" } else { "s" },
                first,
                args.target,
                r.codec,
                if steps.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; after the conversions {}, which change the input's pixels",
                        steps.join(", ")
                    )
                }
            );
            println!("{}", wrap(&yes, "  "));
            Ok(())
        }
        Ok(r) => {
            let with = reg
                .by_name(&r.codec)
                .and_then(|c| c.capabilities().encode_row(first).and_then(|row| row.exact_with))
                .map(|w| format!("; -O {} makes {} exact", w.replace(',', " -O "), r.codec))
                .unwrap_or_default();
            let alt = reg
                .exact_formats_text(first)
                .map(|f| format!("{with}; {f} store {first} exactly"))
                .unwrap_or(with);
            let reason = r.lossy_reason.as_deref().unwrap_or("lossy").to_string();
            no(
                &args,
                &format!("{} is lossy for {first}: {reason}{alt}{after}", r.codec),
            )
        }
        Err(e) if matches!(e.kind(), ErrorKind::NotExact | ErrorKind::Unsupported) => {
            no(&args, &format!("{}{after}", e.message_for(Surface::Cli)))
        }
        Err(e) => Err(e.into()),
    }
}
