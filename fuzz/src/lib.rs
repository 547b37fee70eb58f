//! Shared helpers of the pixcodec fuzz targets.

use std::sync::{Arc, OnceLock};

use pixcodec::codec::{Capability, Codec, Fidelity};
use pixcodec::{DecodeOptions, EncodeOptions, Image, ImageMut, ImageRef, Limits, OptionKind, OptionValue, Registry};

/// The registry every target uses (built-ins, so new built-in codecs are fuzzed too).
pub fn registry() -> &'static Registry {
    static REG: OnceLock<Registry> = OnceLock::new();
    REG.get_or_init(Registry::with_builtins)
}

/// Limits for fuzzing: a hostile header may claim at most 64 MiB (libFuzzer's default
/// `-rss_limit_mb=2048` then catches any allocation the limits failed to stop).
pub fn limits() -> Limits {
    let mut l = Limits::default();
    l.max_alloc_bytes = 64 << 20;
    l.max_pages = 64;
    l
}

/// Decodes `data` every way a user can (probe, all pages, first page into caller memory
/// with padded rows) and checks the invariants that must hold for any input:
/// no panic (libFuzzer reports it), probe agrees with the decoded image, and
/// `decode_into` never writes row padding.
pub fn decode_everything(data: &[u8], codec: Option<&str>) {
    let reg = registry();
    let mut opts = DecodeOptions::new().limits(limits());
    if let Some(c) = codec {
        opts = opts.codec(c);
    }
    let probed = reg.probe(data, &opts);
    let pages = reg.decode_pages(data, &opts);
    if let (Ok(info), Ok(pages)) = (&probed, &pages) {
        let first = &pages[0];
        assert_eq!(
            (info.width, info.height, info.format),
            (first.width(), first.height(), first.format()),
            "probe disagrees with the decoded first page"
        );
        assert!(pages.len() as u32 <= limits().max_pages, "page limit ignored");
        if info.codec == "npy" {
            check_npy_facts(info, pages);
        }
    }
    let Ok(info) = probed else { return };
    // Padded caller buffer: one extra sample of padding per row, filled with a canary.
    let size = info.format.sample.size();
    let row = info.width as usize * info.format.bytes_per_pixel();
    let stride = row + size;
    let Some(total) = stride.checked_mul(info.height as usize) else {
        return;
    };
    if total as u64 > limits().max_alloc_bytes {
        return;
    }
    let mut buf = vec![0xA5u8; total];
    let Ok(out) = ImageMut::new(&mut buf, info.width, info.height, info.format, stride) else {
        return;
    };
    let into = reg.decode_into(data, out, &opts);
    for y in 0..info.height as usize {
        assert!(
            buf[y * stride + row..(y + 1) * stride].iter().all(|&b| b == 0xA5),
            "decode_into wrote into row padding (row {y})"
        );
    }
    // When both succeed, decode_into and decode must give the same pixels.
    if into.is_ok() {
        if let Ok(pages) = &pages {
            let img: &Image = &pages[0];
            for y in 0..info.height {
                let s = y as usize * stride;
                assert_eq!(&buf[s..s + row], img.row(y), "decode_into and decode differ at row {y}");
            }
        }
    }
}

/// npy: the decoded pages, encoded with the probed metadata (the array facts of
/// `Metadata::npy`), decode to the same pages with the same facts. Encoding may refuse only a
/// bool array holding samples other than 0 and 1.
fn check_npy_facts(info: &pixcodec::ImageInfo, pages: &[Image]) {
    let reg = registry();
    let views: Vec<_> = pages.iter().map(|p| p.as_ref()).collect();
    let opts = EncodeOptions::new().metadata(info.metadata.clone());
    let mut out = Vec::new();
    match reg.encode_pages_into(&views, "npy", &opts, &mut out) {
        Ok(report) => assert!(report.metadata_dropped.is_empty(), "npy dropped its own facts"),
        Err(e) => {
            assert!(info.metadata.npy.bool_dtype, "npy re-encode failed: {e}");
            return;
        }
    }
    let dopts = DecodeOptions::new().limits(limits()).codec("npy");
    let again = reg.decode_pages(&out, &dopts).expect("re-encoded npy decodes");
    assert_eq!(again.as_slice(), pages, "re-encoded npy pages differ");
    let facts = reg.probe(&out, &dopts).expect("re-encoded npy probes").metadata.npy;
    assert_eq!(facts, info.metadata.npy, "re-encoded npy lost its facts");
}

/// The registry's codecs that encode (non-empty encode table and an encoder), in registry
/// order, so round-trip targets cover codecs added later without a change here.
pub fn encoding_codecs() -> Vec<Arc<dyn Codec>> {
    registry()
        .codecs()
        .into_iter()
        .filter(|c| !c.capabilities().encode.is_empty() && c.encoder().is_ok())
        .collect()
}

/// Encode options from fuzzer bytes: up to `max` `(option, value)` pairs, each mapped onto
/// the codec's option table (every kind, every value in range).
pub fn encode_options(codec: &dyn Codec, picks: &[(u8, u8)], max: usize) -> EncodeOptions {
    let mut opts = EncodeOptions::new().codec(&codec.descriptor().name);
    let specs = codec.encode_options();
    if specs.is_empty() {
        return opts;
    }
    for &(si, vi) in picks.iter().take(max) {
        let spec = &specs[si as usize % specs.len()];
        let v = match &spec.kind {
            OptionKind::Bool => OptionValue::Bool(vi & 1 == 1),
            OptionKind::Int { min, max } => {
                let span = (*max as i128 - *min as i128 + 1).max(1);
                OptionValue::Int((*min as i128 + vi as i128 % span) as i64)
            }
            OptionKind::Float { min, max } => OptionValue::Float(min + (max - min) * vi as f64 / 255.0),
            OptionKind::Choice(c) => OptionValue::Str(c[vi as usize % c.len()].clone()),
        };
        opts = opts.set(&spec.name, v);
    }
    opts
}

/// Encodes `pages` with `codec` and `opts`, decodes the result and checks the promises:
/// with default options every format of the capability table encodes; a format listed
/// exact is reported exact; an exact report decodes bit for bit; a lossy one keeps the page
/// count and geometry.
pub fn check_roundtrip(codec: &dyn Codec, cap: Capability, pages: &[ImageRef<'_>], opts: &EncodeOptions) {
    let reg = registry();
    let name = &codec.descriptor().name;
    let format = cap.format;
    let defaults = opts.params.is_empty();
    let mut data = Vec::new();
    let report = match reg.encode_pages_into(pages, name, opts, &mut data) {
        Ok(r) => r,
        Err(e) => {
            // With default options every listed format encodes, except where the codec
            // refuses sample values it cannot hold (12-bit lossy JPEG: U16 above 4095).
            assert!(
                !defaults || e.kind() == pixcodec::ErrorKind::NotExact,
                "{name} lists {format} but failed to encode it with default options: {e}"
            );
            return;
        }
    };
    if cap.fidelity == Fidelity::Exact && defaults {
        assert!(
            report.exact,
            "{name} lists {format} as exact but reported a lossy encode"
        );
    }
    let dopts = DecodeOptions::new().codec(name).limits(Limits::unlimited());
    let decoded = reg
        .decode_pages(&data, &dopts)
        .unwrap_or_else(|e| panic!("{name} cannot decode its own {format} output: {e}"));
    assert_eq!(decoded.len(), pages.len(), "{name}: page count changed");
    let (w, h) = (pages[0].width(), pages[0].height());
    for (i, (a, b)) in pages.iter().zip(&decoded).enumerate() {
        assert_eq!((b.width(), b.height()), (w, h), "{name}: page {i} geometry changed");
        if report.exact {
            assert!(
                a.pixels_eq(&b.as_ref()),
                "{name} reported an exact encode of {format} but page {i} decodes to different pixels"
            );
        }
    }
}

/// The option bytes a target reads before the file itself (`decode_codec`: the codec;
/// `python_decode`: codec, page, limit mask, limit value; `ml_load`: target size, filter
/// flags, colour mode and tolerance). Shared by the seed generator,
/// which puts them in front of files, and `regress`, which takes them off.
pub fn prefix_len(target: &str) -> usize {
    match target {
        "decode_codec" => 1,
        "python_decode" | "ml_load" => 4,
        _ => 0,
    }
}

/// Whether a target's input is an image file (after [`prefix_len`] bytes); the round-trip
/// targets take structured input instead.
pub fn takes_files(target: &str) -> bool {
    !target.starts_with("roundtrip")
}

/// The codec a `decode_<name>` target forces, as an index into `registry().codecs()`:
/// `<name>` is the codec's name with `-` as `_` (`decode_jpeg_turbo`), or for the image-rs
/// fallbacks the format before `-image-rs` (`decode_bmp` forces `bmp-image-rs`).
pub fn forced_codec(target: &str) -> Option<usize> {
    let name = target.strip_prefix("decode_")?;
    let codecs = registry().codecs();
    let norm = |c: &Arc<dyn Codec>| c.descriptor().name.replace('-', "_");
    codecs
        .iter()
        .position(|c| norm(c) == name)
        .or_else(|| codecs.iter().position(|c| norm(c) == format!("{name}_image_rs")))
}
