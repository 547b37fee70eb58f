//! Builds the seed corpora of the fuzz targets under `<out>/<target>/` from a corpus folder
//! (`/work/shared/corpus` or `$PIXCODEC_CORPUS`), `tests/regression/`, NumPy's files in
//! `tests/data/npy/` and files generated with every built-in encoder. Usage:
//! `gen_seeds <corpus-dir-or-empty> <out-dir> <target>...` (`fuzz/fuzz.mk` passes its
//! `FUZZ_TARGETS`).
//!
//! Seeds follow from the target's name (see [`seeds_for`]): `decode_<codec>` gets the files
//! that codec sniffs (`pixcodec_fuzz::forced_codec`), `decode_codec` and `python_decode` get files behind their option bytes,
//! `roundtrip*` gets byte strings for its structured input, `icc_parse` the ICC profiles and
//! XMP packets found in the files plus generated profiles, and any other target gets every
//! file as it is, which is right for a new target over raw file bytes.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use pixcodec::codec::Codec;
use pixcodec::testkit::generate;
use pixcodec::{EncodeOptions, Image, OptionKind, OptionValue, SampleType};

/// Largest seed kept: libFuzzer works best on small inputs (`-max_len` is set from this).
const MAX_SEED: usize = 256 << 10;

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn put(out: &Path, target: &str, data: &[u8]) {
    let dir = out.join(target);
    std::fs::create_dir_all(&dir).expect("create seed dir");
    let mut h = DefaultHasher::new();
    data.hash(&mut h);
    std::fs::write(dir.join(format!("{:016x}", h.finish())), data).expect("write seed");
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (corpus, out, targets) = match args.as_slice() {
        [_, c, o, t @ ..] => (c.clone(), PathBuf::from(o), t.to_vec()),
        _ => {
            eprintln!("usage: gen_seeds <corpus-dir-or-empty> <out-dir> <target>...");
            std::process::exit(2);
        }
    };
    let reg = pixcodec_fuzz::registry();
    let codecs = reg.codecs();
    let mut inputs: Vec<Vec<u8>> = Vec::new();

    let mut files = Vec::new();
    if !corpus.is_empty() && Path::new(&corpus).is_dir() {
        files_under(Path::new(&corpus), &mut files);
    } else {
        eprintln!("gen_seeds: corpus '{corpus}' not found; using generated seeds only");
    }
    let regression = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/regression");
    files_under(&regression, &mut files);
    // NumPy's own .npy files (tests/data/npy, made by make_npy.py): every dtype, both byte
    // orders, Fortran order, versions 2 and 3, and the axes of length 1 and bool dtype that
    // decode carries as `Metadata::npy`.
    let mut numpy = Vec::new();
    let numpy_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/npy");
    files_under(&numpy_dir, &mut numpy);
    files.extend(numpy.into_iter().filter(|p| p.extension().is_some_and(|e| e == "npy")));
    for f in files {
        if let Ok(d) = std::fs::read(&f) {
            if d.len() <= MAX_SEED {
                inputs.push(d);
            }
        }
    }

    // Generated: every codec that encodes, a spread of formats and every option value.
    for codec in &codecs {
        let name = codec.descriptor().name.clone();
        let caps = codec.capabilities();
        if caps.encode.is_empty() || codec.encoder().is_err() {
            continue;
        }
        let opts = EncodeOptions::new().codec(&name);
        for (i, cap) in caps.encode.iter().enumerate() {
            let img = generate(3 + i as u32 % 9, 2 + i as u32 % 5, cap.format, i as u64);
            match reg.encode(img.as_ref(), &name, &opts) {
                Ok(e) => inputs.push(e.data),
                // A lossy U16 row that refuses full-range values (12-bit JPEG): 12-bit values.
                Err(_) if cap.format.sample == SampleType::U16 => {
                    let v: Vec<u16> = img
                        .to_vec::<u16>()
                        .unwrap_or_default()
                        .iter()
                        .map(|v| v & 0x0FFF)
                        .collect();
                    let low = Image::from_samples(img.width(), img.height(), cap.format.layout, &v);
                    if let Ok(e) = low.and_then(|low| reg.encode(low.as_ref(), &name, &opts)) {
                        inputs.push(e.data);
                    }
                }
                Err(_) => {}
            }
            // Rows exact only with options (lossless JPEG): files made with those options.
            if let Some(with) = cap.exact_with {
                let mut o = opts.clone();
                for (k, v) in with.split(',').filter_map(|p| p.split_once('=')) {
                    o = o.set(k.trim(), v.trim());
                }
                if let Ok(e) = reg.encode(img.as_ref(), &name, &o) {
                    inputs.push(e.data);
                }
            }
        }
        let img = generate(17, 9, caps.encode[0].format, 7);
        for spec in codec.encode_options() {
            let values: Vec<OptionValue> = match &spec.kind {
                OptionKind::Choice(c) => c.iter().map(|v| OptionValue::Str(v.clone())).collect(),
                OptionKind::Bool => vec![OptionValue::Bool(true)],
                OptionKind::Int { min, max } => vec![OptionValue::Int(*min), OptionValue::Int(*max)],
                OptionKind::Float { min, max } => vec![OptionValue::Float(*min), OptionValue::Float(*max)],
            };
            for v in values {
                if let Ok(e) = reg.encode(img.as_ref(), &name, &opts.clone().set(&spec.name, v)) {
                    inputs.push(e.data);
                }
            }
        }
        if name == "tiff" {
            // Packed integer samples (1..=32 bits, pixcodec's own reader) and ZSTD strips.
            use pixcodec::Layout;
            for (bits, comp, pred) in [(12i64, "none", false), (10, "deflate", true), (3, "lzw", false), (24, "zstd", true)] {
                let n = 17 * 9 * 3;
                let vals: Vec<u32> = (0..n as u32).map(|i| i.wrapping_mul(2_654_435_761) % (1 << bits)).collect();
                let img = match bits {
                    1..=8 => Image::from_samples(17, 9, Layout::Rgb, &vals.iter().map(|&v| v as u8).collect::<Vec<_>>()),
                    9..=16 => Image::from_samples(17, 9, Layout::Rgb, &vals.iter().map(|&v| v as u16).collect::<Vec<_>>()),
                    _ => Image::from_samples(17, 9, Layout::Rgb, &vals),
                }
                .expect("packed seed image");
                let o = opts
                    .clone()
                    .set("significant_bits", bits)
                    .set("compression", comp)
                    .set("predictor", pred);
                if let Ok(e) = reg.encode(img.as_ref(), &name, &o) {
                    inputs.push(e.data);
                }
            }
        }
        // Half floats take coder paths of their own (TIFF's floating-point predictor): an F16
        // image with every choice option value, the predictor on where the codec has one.
        if let Some(cap) = caps.encode.iter().find(|c| c.format.sample == SampleType::F16) {
            let img = generate(17, 9, cap.format, 11);
            let base = if codec.encode_options().iter().any(|s| s.name == "predictor") {
                opts.clone().set("predictor", OptionValue::Bool(true))
            } else {
                opts.clone()
            };
            for spec in codec.encode_options() {
                if let OptionKind::Choice(c) = &spec.kind {
                    for v in c {
                        let o = base.clone().set(&spec.name, OptionValue::Str(v.clone()));
                        if let Ok(e) = reg.encode(img.as_ref(), &name, &o) {
                            inputs.push(e.data);
                        }
                    }
                }
            }
        }
        if caps.multi_page_encode {
            let f = caps.encode[0].format;
            let pages: Vec<_> = (0..3).map(|s| generate(5, 4, f, s)).collect();
            let refs: Vec<_> = pages.iter().map(|p| p.as_ref()).collect();
            let mut buf = Vec::new();
            if reg.encode_pages_into(&refs, &name, &opts, &mut buf).is_ok() {
                inputs.push(buf);
            }
        }
    }

    if targets.is_empty() {
        eprintln!("gen_seeds: no targets given");
        std::process::exit(2);
    }
    for t in &targets {
        let seeds = seeds_for(t, &inputs, &codecs);
        if seeds.is_empty() {
            // An empty corpus would let a target "pass" smoke runs without running anything.
            eprintln!("gen_seeds: no seeds for target '{t}'");
            std::process::exit(1);
        }
        for d in &seeds {
            put(&out, t, d);
        }
        println!("{t}: {} seeds", seeds.len());
    }
}

/// The seeds of one target, chosen by its name (module docs).
fn seeds_for(target: &str, inputs: &[Vec<u8>], codecs: &[Arc<dyn Codec>]) -> Vec<Vec<u8>> {
    let head = |d: &[u8]| d[..d.len().min(64)].to_vec();
    let sniffed = |i: usize| inputs.iter().filter(move |d| codecs[i].sniff(&head(d)));
    let tagged = |tag: &[u8], d: &[u8]| [tag, d].concat();
    if target.starts_with("roundtrip") {
        // Structured input (arbitrary::Unstructured): byte strings get it started.
        return (0u8..16)
            .map(|i| (0..64u8).map(|b| b.wrapping_mul(i).wrapping_add(i)).collect())
            .collect();
    }
    match target {
        // One byte picks the codec.
        "decode_codec" => (0..codecs.len())
            .flat_map(|i| sniffed(i).map(move |d| tagged(&[i as u8], d)))
            .collect(),
        // Codec (n = sniff), page, limit mask, limit value: defaults for every file, its own
        // codec forced on page 1, and tight limits.
        // ICC profiles and XMP packets found in the files, and profiles with v2 and v4
        // descriptions (one damaged).
        "icc_parse" => {
            let reg = pixcodec_fuzz::registry();
            let opts = pixcodec::DecodeOptions::new().limits(pixcodec_fuzz::limits());
            let mut v: Vec<Vec<u8>> = inputs
                .iter()
                .filter_map(|d| reg.probe(d, &opts).ok())
                .flat_map(|i| [i.metadata.icc_profile, i.metadata.xmp])
                .flatten()
                .collect();
            use pixcodec::metadata::icc;
            let v2 = icc::with_desc_tag(&icc::text_description_tag("sRGB IEC61966-2.1"), 2, b"RGB ");
            let v4 = icc::multi_localized_tag(&[(b"de", b"DE", "Anzeige"), (b"en", b"US", "Display P3")]);
            let mut cut = v2.clone();
            cut.truncate(150);
            v.extend([v2, icc::with_desc_tag(&v4, 4, b"RGB "), cut]);
            v.push(
                b"<x:xmpmeta><rdf:Description tiff:Orientation=\"6\"/><tiff:Orientation>3</tiff:Orientation>".to_vec(),
            );
            v
        }
        "python_decode" => {
            let n = codecs.len() as u8;
            let mut v: Vec<Vec<u8>> = inputs.iter().map(|d| tagged(&[n, 0, 0, 0], d)).collect();
            for i in 0..codecs.len() {
                v.extend(sniffed(i).take(8).map(|d| tagged(&[i as u8, 1, 0, 0], d)));
            }
            v.extend(inputs.iter().take(16).map(|d| tagged(&[n, 0, 0x1F, 4], d)));
            v
        }
        // Target size, filter flags, colour mode + tolerance: Keras' defaults (nearest) and a
        // dataset's (bilinear without antialias) at a few sizes, shrink-on-load at 0 dB and
        // 40 dB, every fit, for the first files.
        "ml_load" => {
            let heads: [[u8; 4]; 6] = [
                [223, 223, 0, 1],
                [31, 23, 1, 1],
                [15, 15, 1 | 16, 1],
                [63, 47, 1 | 8 | 16, 1 | (40 << 2)],
                [20, 40, 2 | 8 | 32 | 128, 2],
                [9, 5, 5 | 64 | 96, 0],
            ];
            inputs
                .iter()
                .take(48)
                .enumerate()
                .map(|(k, d)| tagged(&heads[k % heads.len()], d))
                .collect()
        }
        _ => match pixcodec_fuzz::forced_codec(target) {
            Some(i) => sniffed(i).cloned().collect(),
            None => inputs.to_vec(),
        },
    }
}
