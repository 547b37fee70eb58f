//! `pixcodec convert IN... OUT`

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use pixcodec::{DecodeOptions, EncodeOptions, EncodeReport, Image, ImageInfo, ImageRef, Registry};
use rayon::prelude::*;

use crate::conversions::{Applied, Conversions};
use crate::sbits::Carry;
use crate::text::wrap;
use crate::Failure;

/// Arguments of `convert`.
#[derive(clap::Args)]
pub struct Args {
    /// Input files, then the output file (or, for several inputs, an output folder).
    #[arg(required = true, num_args = 2..)]
    paths: Vec<PathBuf>,
    /// Output format (codec name, format, extension or MIME type); default: OUT's extension.
    #[arg(long)]
    format: Option<String>,
    /// Use this codec by name (e.g. jpeg-turbo).
    #[arg(long)]
    codec: Option<String>,
    /// Quality 1..100 (JPEG).
    #[arg(long)]
    quality: Option<u8>,
    /// Chroma subsampling (JPEG): 444, 422, 420, 440, 411, gray.
    #[arg(long)]
    subsampling: Option<String>,
    /// Compression (TIFF: none, lzw, deflate, packbits).
    #[arg(long)]
    compression: Option<String>,
    /// Compression level (PNG 0..9, TIFF deflate 1..9).
    #[arg(long)]
    level: Option<i64>,
    /// Horizontal predictor (TIFF).
    #[arg(long)]
    predictor: bool,
    /// Progressive JPEG.
    #[arg(long)]
    progressive: bool,
    /// Any codec option as KEY=VALUE (repeatable); validated against the codec's option table.
    #[arg(long = "option", short = 'O', value_name = "KEY=VALUE")]
    options: Vec<String>,
    /// Fail (exit 3, nothing written) unless the output is bit-exact.
    #[arg(long)]
    require_exact: bool,
    /// Decode the output again and compare it with the input.
    #[arg(long)]
    verify: bool,
    /// Convert only this page (0-based) of a multi-page input.
    #[arg(long)]
    page: Option<usize>,
    /// Replace an output file you may not write (read-only), and allow converting a file onto
    /// itself when that is lossy or drops pages or metadata.
    #[arg(long)]
    force: bool,
    /// Replace a symlink at OUT by a regular file (default: write to the link's target, keep the link).
    #[arg(long)]
    replace_symlink: bool,
    /// Write --format/--codec content under OUT's extension when it names another format
    /// (refused by default, so a .png file never holds TIFF bytes unnoticed).
    #[arg(long)]
    force_extension: bool,
    /// Metadata (ICC, EXIF, XMP, resolution, text, npy array facts): keep what OUT can hold and note the rest,
    /// strict (exit 3, nothing written, when any item would be dropped) or strip.
    #[arg(long, value_name = "keep|strict|strip", default_value = "keep")]
    metadata: String,
    /// Parallel workers for many inputs (default: all cores).
    #[arg(long, short = 'j')]
    jobs: Option<usize>,
    #[command(flatten)]
    conv: Conversions,
}

fn encode_options(args: &Args) -> Result<EncodeOptions, Failure> {
    let mut o = EncodeOptions::new()
        .require_exact(args.require_exact)
        .verify(args.verify)
        .overwrite_readonly(args.force)
        .replace_symlink(args.replace_symlink)
        .metadata_policy(pixcodec::MetadataPolicy::parse(&args.metadata).ok_or_else(|| {
            Failure::msg(format!(
                "--metadata '{}': expected keep, strict or strip",
                args.metadata
            ))
        })?);
    if let Some(c) = &args.codec {
        o = o.codec(c);
    }
    if let Some(q) = args.quality {
        o = o.quality(q);
    }
    if let Some(s) = &args.subsampling {
        o = o.subsampling(s);
    }
    if let Some(c) = &args.compression {
        o = o.compression(c);
    }
    if let Some(l) = args.level {
        o = o.level(l);
    }
    if args.predictor {
        o = o.predictor(true);
    }
    if args.progressive {
        o = o.progressive(true);
    }
    for kv in &args.options {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| Failure::msg(format!("--option '{kv}' should be KEY=VALUE")))?;
        o = o.set(k.trim(), v.trim());
    }
    Ok(o)
}

/// Converts one file; returns the report and the explicit conversions applied. Errors name
/// the input and output.
fn convert_one(
    reg: &Registry,
    input: &Path,
    output: &Path,
    target: &str,
    args: &Args,
    opts: &EncodeOptions,
) -> Result<(EncodeReport, Vec<String>), Failure> {
    let context = |mut f: Failure| {
        f.message = format!("{} -> {}: {}", input.display(), output.display(), f.message);
        f
    };
    let (infos, pages): (Vec<ImageInfo>, Vec<Image>) = reg
        .read_pages_with_infos(input, &DecodeOptions::new())
        .map_err(|e| context(e.into()))?
        .into_iter()
        .unzip();
    let info = infos[0].clone();
    // Each chosen page's animation timing (GIF, WebP frames), for encoders that write it.
    let timings: Option<Vec<_>> = match args.page {
        Some(k) => infos.get(k).map(|i| i.metadata.frame.into_iter().collect()),
        None => infos.iter().map(|i| i.metadata.frame).collect(),
    };
    let chosen: Vec<&Image> = match args.page {
        Some(k) => vec![pages.get(k).ok_or_else(|| {
            context(Failure::msg(format!(
                "the input has {} page(s); --page {k} does not exist",
                pages.len()
            )))
        })?],
        None => pages.iter().collect(),
    };
    let mut meta = info.metadata;
    let Applied {
        pages: converted,
        steps,
        notes,
    } = args
        .conv
        .apply_pages(&chosen, &mut meta, info.significant_bits)
        .map_err(|e| context(e.into()))?;
    for note in notes {
        eprintln!("{}", wrap(&format!("note: {}: {note}", input.display()), "  "));
    }
    let views: Vec<ImageRef> = if converted.is_empty() {
        chosen.iter().map(|p| p.as_ref()).collect()
    } else {
        converted.iter().map(|p| p.as_ref()).collect()
    };
    let opts = &opts.clone().metadata(meta).frame_timings(timings.unwrap_or_default());
    let bits = Carry::new(
        reg,
        target,
        opts,
        info.significant_bits,
        !steps.is_empty(),
        input,
        output,
    );
    if args.force || !same_file(input, output) {
        return bits
            .encode(opts, output, |o| reg.write_pages_as(&views, output, target, o))
            .map(|r| (r, steps))
            .map_err(|e| context(e.into()));
    }
    // In place: encode in memory first and replace the input only when nothing is lost.
    let mut buf = Vec::new();
    let report = bits
        .encode(opts, output, |o| {
            buf.clear();
            reg.encode_pages_into(&views, target, o, &mut buf)
        })
        .map_err(|e| context(e.into()))?;
    let mut lost = Vec::new();
    if let Some(reason) = &report.lossy_reason {
        lost.push(format!("would be lossy ({reason})"));
    }
    if !steps.is_empty() {
        lost.push(format!(
            "would replace its pixels by converted ones ({})",
            steps.join(", ")
        ));
    }
    if views.len() < pages.len() {
        lost.push(format!("would keep {} of its {} pages", views.len(), pages.len()));
    }
    if !report.metadata_dropped.is_empty() {
        let items: Vec<String> = report.metadata_dropped.iter().map(|n| n.to_string()).collect();
        lost.push(format!("would drop its metadata ({})", items.join("; ")));
    }
    if !lost.is_empty() {
        return Err(context(Failure {
            code: crate::EXIT_NOT_EXACT,
            message: format!(
                "OUT is the input file itself, and converting it in place {}; nothing was written \
                 (pass --force to replace it anyway)",
                lost.join(" and ")
            ),
        }));
    }
    pixcodec::io::write_atomic_with(output, opts.write_rules(), |w| {
        w.write_all(&buf)?;
        Ok((report, steps))
    })
    .map_err(|e| context(e.into()))
}

/// Refuses content of one format under another format's extension (`convert a.png x.png
/// --codec tiff`) unless `--force-extension`; an absent or unknown extension is not checked.
fn check_extension(reg: &Registry, out: &Path, args: &Args) -> Result<(), Failure> {
    if args.force_extension || (args.format.is_none() && args.codec.is_none()) {
        return Ok(());
    }
    let Some(ext) = out.extension().and_then(|e| e.to_str()) else {
        return Ok(());
    };
    let by_ext = reg.by_extension(ext);
    if by_ext.is_empty() {
        return Ok(());
    }
    let content = match (&args.codec, &args.format) {
        (Some(name), _) => reg.by_name(name).map(|c| c.descriptor().format.clone()),
        (None, Some(f)) => reg.resolve(f)?.first().map(|c| c.descriptor().format.clone()),
        (None, None) => None,
    };
    let Some(content) = content else {
        return Ok(());
    };
    if by_ext.iter().any(|c| c.descriptor().format == content) {
        return Ok(());
    }
    let ext_format = by_ext[0].descriptor().format.clone();
    let own: Vec<String> = reg
        .by_format(&content)
        .first()
        .map(|c| c.descriptor().extensions.iter().map(|e| format!(".{e}")).collect())
        .unwrap_or_default();
    let flag = match (&args.codec, &args.format) {
        (Some(c), _) => format!("--codec {c}"),
        (None, Some(f)) => format!("--format {f}"),
        (None, None) => unreachable!("checked above"),
    };
    Err(Failure::msg(format!(
        "{}: .{ext} is the extension of {ext_format}, but {flag} would write {content} into it; nothing was \
         written (name the file {} instead, or add --force-extension to keep the name)",
        out.display(),
        if own.is_empty() {
            format!("for {content}")
        } else {
            own.join(" or ")
        }
    )))
}

/// True when `a` and `b` name the same existing file after resolving links.
fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (std::fs::metadata(a), std::fs::metadata(b)) {
            (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
            (Ok(x), Ok(y)) => x == y,
            _ => false,
        }
    }
}

fn describe(input: &Path, output: &Path, r: &EncodeReport, steps: &[String]) -> String {
    let mut s = format!(
        "{} -> {}: {} bytes, {} page{}, codec {}",
        input.display(),
        output.display(),
        r.bytes_written,
        r.pages,
        if r.pages == 1 { "" } else { "s" },
        r.codec
    );
    if !steps.is_empty() {
        s.push_str(&format!(", converted ({}), not the input's pixels", steps.join(", ")));
    }
    if let Some(v) = &r.verification {
        if v.identical {
            s.push_str(", verified identical");
        } else {
            s.push_str(&format!(
                ", verified: max difference {}, PSNR {:.2} dB",
                v.max_abs_diff, v.psnr_db
            ));
        }
    }
    s
}

/// Runs `convert`.
pub fn run(args: Args) -> Result<(), Failure> {
    let reg = Registry::global();
    args.conv.validate()?;
    let opts = encode_options(&args)?;
    let (out, inputs) = args.paths.split_last().expect("clap requires two paths");
    let single = inputs.len() == 1 && !out.is_dir();
    if single {
        let target = match &args.format {
            Some(f) => f.clone(),
            None => out
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_string)
                .ok_or_else(|| Failure::msg(format!("{} has no extension; give --format", out.display())))?,
        };
        check_extension(reg, out, &args)?;
        let (r, steps) = convert_one(reg, &inputs[0], out, &target, &args, &opts)?;
        println!("{}", wrap(&describe(&inputs[0], out, &r, &steps), "  "));
        for n in &r.metadata_dropped {
            let n = pixcodec::convert::for_surface(&n.to_string(), pixcodec::convert::Surface::Cli);
            eprintln!("{}", wrap(&format!("note: {} does not keep {n}", out.display()), "  "));
        }
        if let Some(reason) = &r.lossy_reason {
            eprintln!("{}", wrap(&format!("note: {} is lossy: {reason}", out.display()), "  "));
        }
        return Ok(());
    }
    // Many inputs into a folder.
    let target = args
        .format
        .clone()
        .ok_or_else(|| Failure::msg("several inputs go into a folder: give the output format with --format"))?;
    let codec = reg
        .resolve(&target)?
        .into_iter()
        .next()
        .expect("resolve returns at least one codec");
    let ext = codec
        .descriptor()
        .extensions
        .first()
        .cloned()
        .unwrap_or_else(|| target.clone());
    std::fs::create_dir_all(out).map_err(|e| Failure::msg(format!("cannot create {}: {e}", out.display())))?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.unwrap_or(0))
        .build()
        .map_err(|e| Failure::msg(e.to_string()))?;
    let bar = indicatif::ProgressBar::new(inputs.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed_precise} {msg}")
            .expect("static template"),
    );
    let failed = AtomicUsize::new(0);
    let not_exact = AtomicUsize::new(0);
    let lossy = AtomicUsize::new(0);
    pool.install(|| {
        inputs.par_iter().for_each(|input| {
            let stem = input
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let output = out.join(format!("{stem}.{ext}"));
            match convert_one(reg, input, &output, &target, &args, &opts) {
                Ok((r, steps)) => {
                    if r.lossy_reason.is_some() {
                        lossy.fetch_add(1, Ordering::Relaxed);
                    }
                    bar.suspend(|| {
                        println!("{}", wrap(&describe(input, &output, &r, &steps), "  "));
                        for n in &r.metadata_dropped {
                            let n = pixcodec::convert::for_surface(&n.to_string(), pixcodec::convert::Surface::Cli);
                            eprintln!(
                                "{}",
                                wrap(&format!("note: {} does not keep {n}", output.display()), "  ")
                            );
                        }
                    });
                }
                Err(f) => {
                    if f.code == crate::EXIT_NOT_EXACT {
                        not_exact.fetch_add(1, Ordering::Relaxed);
                    }
                    failed.fetch_add(1, Ordering::Relaxed);
                    bar.suspend(|| eprintln!("{}", wrap(&format!("error: {}", f.message), "  ")));
                }
            }
            bar.inc(1);
        })
    });
    bar.finish_and_clear();
    let (failed, not_exact, lossy) = (failed.into_inner(), not_exact.into_inner(), lossy.into_inner());
    println!(
        "converted {} of {} files into {}",
        inputs.len() - failed,
        inputs.len(),
        out.display()
    );
    if lossy > 0 {
        eprintln!("note: {lossy} output file(s) are lossy ({target})");
    }
    if failed > 0 {
        return Err(Failure {
            code: if not_exact == failed { crate::EXIT_NOT_EXACT } else { 1 },
            message: format!("{failed} file(s) failed"),
        });
    }
    Ok(())
}
