//! `pixcodec meta FILE [--icc OUT] [--exif OUT] [--xmp OUT]`: writes metadata items of FILE's
//! first page to files, byte for byte as the file stores them (the EXIF block TIFF-structured,
//! without JPEG's `Exif\0\0` prefix). Without an output flag it lists the items. Every asked
//! item must be present, else nothing is written and the error names what the file has;
//! files are written atomically (`pixcodec::io::write_atomic`).

use std::path::{Path, PathBuf};

use pixcodec::{DecodeOptions, Metadata, Registry};

use crate::text::wrap;
use crate::Failure;

/// Arguments of `meta`.
#[derive(clap::Args)]
pub struct Args {
    /// Image file to read.
    file: PathBuf,
    /// Write the embedded ICC profile here.
    #[arg(long, value_name = "OUT")]
    icc: Option<PathBuf>,
    /// Write the EXIF block here (TIFF-structured bytes, as stored).
    #[arg(long, value_name = "OUT")]
    exif: Option<PathBuf>,
    /// Write the XMP packet here.
    #[arg(long, value_name = "OUT")]
    xmp: Option<PathBuf>,
}

/// The byte items of `m`: name, the flag that extracts it, and the bytes.
fn items(m: &Metadata) -> [(&'static str, &'static str, Option<&[u8]>); 3] {
    [
        ("icc profile", "--icc", m.icc_profile.as_deref()),
        ("exif", "--exif", m.exif.as_deref()),
        ("xmp", "--xmp", m.xmp.as_deref()),
    ]
}

/// The name `Metadata::unreadable` entries use for the item called `name` here.
fn unreadable_key(name: &str) -> &str {
    match name {
        "icc profile" => "icc_profile: ",
        "exif" => "exif: ",
        _ => "xmp: ",
    }
}

/// What the file holds, for listings and errors: `icc profile (3144 bytes), exif (26 bytes)`.
fn holdings(m: &Metadata) -> String {
    let v: Vec<String> = items(m)
        .iter()
        .filter_map(|(name, _, b)| b.map(|b| format!("{name} ({} bytes)", b.len())))
        .collect();
    if v.is_empty() {
        "no icc profile, exif or xmp".to_string()
    } else {
        v.join(", ")
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

/// Runs `meta`.
pub fn run(args: Args) -> Result<(), Failure> {
    let info = Registry::global().probe_path(&args.file, &DecodeOptions::new())?;
    let m = &info.metadata;
    let file = args.file.display();
    let asked: Vec<(&str, &str, Option<&[u8]>, &PathBuf)> = items(m)
        .into_iter()
        .zip([&args.icc, &args.exif, &args.xmp])
        .filter_map(|((name, flag, bytes), out)| out.as_ref().map(|o| (name, flag, bytes, o)))
        .collect();
    if asked.is_empty() {
        println!("{}", wrap(&format!("{file}: {}", holdings(m)), "  "));
        for u in &m.unreadable {
            println!("{}", wrap(&format!("  unreadable: {u}"), "    "));
        }
        return Ok(());
    }
    // Everything is checked before anything is written.
    for (i, (name, flag, bytes, out)) in asked.iter().enumerate() {
        if bytes.is_none() {
            let why: Vec<&str> = m
                .unreadable
                .iter()
                .filter_map(|u| u.strip_prefix(unreadable_key(name)))
                .collect();
            let unreadable = match why.is_empty() {
                true => String::new(),
                false => format!(" (its {name} could not be read: {})", why.join("; ")),
            };
            return Err(Failure::msg(format!(
                "{file} has no {name} to write with {flag}{unreadable}; it has {}",
                holdings(m)
            )));
        }
        if same_file(out, &args.file) {
            return Err(Failure::usage(format!("{flag} {} is the input file", out.display())));
        }
        if asked[..i].iter().any(|(_, _, _, o)| *o == *out || same_file(o, out)) {
            return Err(Failure::usage(format!("{} is given for two items", out.display())));
        }
    }
    for (name, _, bytes, out) in asked {
        let bytes = bytes.unwrap_or_default();
        pixcodec::io::write_atomic(out, |w| w.write_all(bytes).map_err(pixcodec::Error::Io))?;
        println!(
            "{}",
            wrap(
                &format!("{}: {name}, {} bytes from {file}", out.display(), bytes.len()),
                "  "
            )
        );
    }
    Ok(())
}
