//! The seed cases of pixcodec's exactness promise, run end to end:
//! `cargo run --release --example demo` (or `make demo`).

use pixcodec::{DecodeOptions, EncodeOptions, Fidelity, Image, Layout, Registry, Volume};

fn main() -> pixcodec::Result<()> {
    let reg = Registry::global();
    println!("== codecs (highest priority first)");
    for c in reg.codecs() {
        let d = c.descriptor();
        let caps = c.capabilities();
        let exact = caps.encode.iter().filter(|c| c.fidelity == Fidelity::Exact).count();
        println!(
            "  {:<13} format {:<5} .{:<24} priority {:>3}  encodes {} pixel formats ({exact} exact)",
            d.name,
            d.format,
            d.extensions.join(" ."),
            d.priority,
            caps.encode.len(),
        );
    }

    println!("\n== a 2x2 RGB image through JPEG, PNG and TIFF");
    let rgb = Image::from_samples::<u8>(2, 2, Layout::Rgb, &[255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 200, 30])?;
    println!("  original: {:?}", rgb.as_slice::<u8>()?);
    for target in ["jpeg", "png", "tiff"] {
        let enc = reg.encode(rgb.as_ref(), target, &EncodeOptions::new())?;
        let back = reg.decode(&enc.data, &DecodeOptions::new())?;
        println!(
            "  {:<5} {:>4} bytes, {}: {:?}",
            target,
            enc.report.bytes_written,
            enc.report.lossy_reason.as_deref().unwrap_or("exact"),
            back.as_slice::<u8>()?
        );
    }
    match reg.encode(rgb.as_ref(), "jpeg", &EncodeOptions::new().require_exact(true)) {
        Err(e) => println!("{}", wrap(&format!("  jpeg with require_exact: refused: {e}"))),
        Ok(_) => println!("  jpeg with require_exact: unexpectedly accepted"),
    }

    println!("\n== a uint32 label volume (5 slices of 64x64, labels up to 70000)");
    let mut labels: Vec<u32> = (0..64 * 64 * 5u32).map(|i| (i * 2713) % 70_001).collect();
    labels[4321] = 70_000;
    let vol = Volume::from_samples(64, 64, 5, Layout::Gray, &labels)?;
    let mut tiff = Vec::new();
    let report = reg.encode_pages_into(
        &vol.pages(),
        "tiff",
        &EncodeOptions::new().compression("deflate"),
        &mut tiff,
    )?;
    let back = reg.decode_volume(&tiff, &DecodeOptions::new())?;
    println!(
        "  tiff: {} pages, {} bytes, exact: {}, identical after decode: {}",
        report.pages,
        report.bytes_written,
        report.exact,
        back == vol
    );
    match reg.encode(vol.page(0), "png", &EncodeOptions::new()) {
        Err(e) => println!("{}", wrap(&format!("  png: refused: {e}"))),
        Ok(_) => println!("  png: unexpectedly accepted"),
    }
    Ok(())
}

/// `text` broken at spaces into lines of at most 160 characters (continuations indented).
fn wrap(text: &str) -> String {
    let body = text.trim_start();
    let mut out = String::new();
    let mut line = text[..text.len() - body.len()].to_string();
    let mut fresh = true;
    for word in body.split(' ') {
        if !fresh && line.chars().count() + 1 + word.chars().count() > 160 {
            out.push_str(&line);
            out.push('\n');
            line = "    ".to_string();
            fresh = true;
        }
        if !fresh {
            line.push(' ');
        }
        line.push_str(word);
        fresh = false;
    }
    out.push_str(&line);
    out
}
