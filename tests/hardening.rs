//! Corruption sweeps over every decoder: for every corpus file, every file under
//! `tests/data` and `tests/regression`, and files generated with every built-in encoder
//! (all codecs of `Registry::with_builtins()`, so new codecs are covered automatically):
//!
//! - every prefix (all of the first bytes, then a stride of prefixes for large files),
//! - single-bit flips and random byte overwrites at seeded positions,
//!
//! each decoded through content sniffing (all pages) and, for a few mutants, with every
//! codec forced. Every decode must return pixels or an error — never panic — and finish
//! well inside a hang guard (each file's mutants run in a worker thread that must report
//! progress at least every [`HANG_GUARD`]).

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use pixcodec::codec::Fidelity;
use pixcodec::testkit::generate;
use pixcodec::{
    DecodeOptions, EncodeOptions, Image, Layout, Limits, OptionKind, OptionValue, PixelFormat, Registry, SampleType,
};

/// A single decode taking longer than this is reported as a hang.
const HANG_GUARD: Duration = Duration::from_secs(10);
/// Limits used for every sweep decode: small enough that a corrupted header claiming a huge
/// image is refused instead of allocating gigabytes.
fn sweep_limits() -> Limits {
    let mut l = Limits::default();
    l.max_alloc_bytes = 256 << 20;
    l.max_pages = 1000;
    l
}

/// Seeded xorshift64*.
struct Rng(u64);
impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One corrupted input.
struct Mutant {
    what: String,
    data: Vec<u8>,
    /// Also decode it with every codec forced.
    force_all: bool,
}

/// The mutants of one input. The amount of work is bounded by the input size: small
/// files get every prefix, large ones a stride.
fn mutants(data: &[u8], seed: u64) -> Vec<Mutant> {
    let len = data.len();
    let mut out = Vec::new();
    // Prefixes: all of the first 64 (headers), then about `n` evenly spaced.
    let n = (400_000 / len.max(1)).clamp(12, 128);
    let mut cuts: Vec<usize> = (0..len.min(64)).collect();
    if len > 64 {
        let step = ((len - 64) / n).max(1);
        cuts.extend((64..len).step_by(step));
        cuts.push(len - 1);
    }
    cuts.dedup();
    for (i, &c) in cuts.iter().enumerate() {
        out.push(Mutant {
            what: format!("prefix of {c} bytes"),
            data: data[..c].to_vec(),
            force_all: i % 16 == 5,
        });
    }
    if len == 0 {
        return out;
    }
    let mut rng = Rng::new(seed);
    let flips = (n / 2).clamp(8, 64);
    // Half of the positions in the first 512 bytes (headers, chunk tables), half anywhere.
    for i in 0..flips {
        let pos = if i % 2 == 0 {
            rng.below(len.min(512))
        } else {
            rng.below(len)
        };
        let bit = rng.below(8);
        let mut d = data.to_vec();
        d[pos] ^= 1 << bit;
        out.push(Mutant {
            what: format!("bit {bit} of byte {pos} flipped"),
            data: d,
            force_all: i % 16 == 3,
        });
    }
    for i in 0..flips {
        let mut d = data.to_vec();
        let k = 1 + rng.below(4);
        let mut where_ = Vec::new();
        for _ in 0..k {
            let pos = if i % 2 == 0 {
                rng.below(len.min(512))
            } else {
                rng.below(len)
            };
            // Interesting values more often than uniform noise: 0, 0xFF, 0x7F, 0x80.
            let v = match rng.below(6) {
                0 => 0x00,
                1 => 0xFF,
                2 => 0x7F,
                3 => 0x80,
                _ => rng.next() as u8,
            };
            d[pos] = v;
            where_.push(format!("{pos}={v:#04x}"));
        }
        out.push(Mutant {
            what: format!("bytes overwritten ({})", where_.join(" ")),
            data: d,
            force_all: false,
        });
    }
    out
}

/// Outcome of sweeping one input.
struct FileReport {
    decodes: usize,
    panics: Vec<String>,
    slowest: Duration,
    total: Duration,
}

/// Decodes one buffer every way the sweep cares about; returns the number of decodes.
fn decode_all_ways(reg: &Registry, names: &[String], data: &[u8], force_all: bool) -> usize {
    let limits = sweep_limits();
    let opts = DecodeOptions::new().limits(limits);
    let _ = reg.probe(data, &opts);
    let _ = reg.decode_pages(data, &opts);
    let mut n = 2;
    if force_all {
        for name in names {
            let o = DecodeOptions::new().limits(limits).codec(name);
            let _ = reg.decode_pages(data, &o);
            n += 1;
        }
    }
    n
}

/// Sweeps one input in a worker thread with a hang guard; panics are collected.
fn sweep_one(reg: &Arc<Registry>, label: &str, data: Vec<u8>, seed: u64) -> FileReport {
    let (tx, rx) = mpsc::channel::<(String, Duration, usize, Option<String>)>();
    let reg2 = reg.clone();
    let names: Vec<String> = reg.codecs().iter().map(|c| c.descriptor().name.clone()).collect();
    let start = Instant::now();
    let worker = std::thread::spawn(move || {
        let mut all = vec![Mutant {
            what: "unmodified".into(),
            data: data.clone(),
            force_all: true,
        }];
        all.extend(mutants(&data, seed));
        for m in all {
            let t = Instant::now();
            let r = catch_unwind(AssertUnwindSafe(|| {
                decode_all_ways(&reg2, &names, &m.data, m.force_all)
            }));
            let (n, panic) = match r {
                Ok(n) => (n, None),
                Err(p) => (
                    1,
                    Some(
                        p.downcast_ref::<String>()
                            .cloned()
                            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                            .unwrap_or_default(),
                    ),
                ),
            };
            if tx.send((m.what, t.elapsed(), n, panic)).is_err() {
                return;
            }
        }
    });
    let mut rep = FileReport {
        decodes: 0,
        panics: Vec::new(),
        slowest: Duration::ZERO,
        total: Duration::ZERO,
    };
    loop {
        match rx.recv_timeout(HANG_GUARD) {
            Ok((what, took, n, panic)) => {
                rep.decodes += n;
                rep.slowest = rep.slowest.max(took);
                if took > HANG_GUARD {
                    panic!("{label}: decoding the mutant '{what}' took {took:?} (> {HANG_GUARD:?})");
                }
                if let Some(msg) = panic {
                    rep.panics.push(format!("{label}: {what}: panicked: {msg}"));
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                panic!("{label}: a decode made no progress for {HANG_GUARD:?} (hang); see the mutant after the last one reported")
            }
        }
    }
    worker.join().expect("sweep worker");
    rep.total = start.elapsed();
    rep
}

/// Sweeps a set of named inputs and asserts no panics; prints timings.
fn sweep(set: &str, inputs: Vec<(String, Vec<u8>)>) {
    let reg = Arc::new(Registry::with_builtins());
    let start = Instant::now();
    let mut panics = Vec::new();
    let mut decodes = 0;
    let mut slowest = (Duration::ZERO, String::new());
    let mut slowest_file = (Duration::ZERO, String::new());
    let files = inputs.len();
    for (i, (label, data)) in inputs.into_iter().enumerate() {
        let rep = sweep_one(&reg, &label, data, 0x5EED ^ i as u64);
        decodes += rep.decodes;
        panics.extend(rep.panics);
        if rep.slowest > slowest.0 {
            slowest = (rep.slowest, label.clone());
        }
        if rep.total > slowest_file.0 {
            slowest_file = (rep.total, label);
        }
    }
    eprintln!(
        "sweep {set}: {files} inputs, {decodes} decodes in {:?}; slowest single decode {:?} ({}); slowest file {:?} ({})",
        start.elapsed(),
        slowest.0,
        slowest.1,
        slowest_file.0,
        slowest_file.1
    );
    assert!(
        panics.is_empty(),
        "{} panics in sweep {set}:\n{}",
        panics.len(),
        panics.join("\n")
    );
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn load(root: &Path, files: Vec<PathBuf>) -> Vec<(String, Vec<u8>)> {
    files
        .into_iter()
        .map(|p| {
            let label = p.strip_prefix(root).unwrap_or(&p).display().to_string();
            let data = std::fs::read(&p).unwrap();
            (label, data)
        })
        .collect()
}

/// The corpus files whose top-level folder is `sub`, or every file when `sub` is "".
fn corpus_inputs(sub: &str) -> Option<Vec<(String, Vec<u8>)>> {
    let root = common::corpus_dir()?;
    Some(load(&root, files_under(&root.join(sub))))
}

#[test]
fn sweep_corpus_png() {
    if let Some(inputs) = corpus_inputs("png") {
        sweep("corpus/png", inputs);
    }
}

#[test]
fn sweep_corpus_tiff() {
    if let Some(inputs) = corpus_inputs("tiff") {
        sweep("corpus/tiff", inputs);
    }
}

#[test]
fn sweep_corpus_jpeg_and_photos() {
    let Some(mut inputs) = corpus_inputs("jpeg") else {
        return;
    };
    inputs.extend(corpus_inputs("photos").unwrap_or_default());
    sweep("corpus/jpeg+photos", inputs);
}

#[test]
fn sweep_corpus_other_folders() {
    // Any folder added to the corpus later (and its top-level files) is swept too.
    let Some(root) = common::corpus_dir() else {
        return;
    };
    let known = ["png", "tiff", "jpeg", "photos"];
    let files: Vec<PathBuf> = files_under(&root)
        .into_iter()
        .filter(|p| {
            let first = p.strip_prefix(&root).ok().and_then(|r| r.components().next());
            let first = first.map(|c| c.as_os_str().to_string_lossy().to_string());
            !(first.is_some_and(|f| known.contains(&f.as_str())) && p.parent() != Some(root.as_path()))
        })
        .collect();
    sweep("corpus/other", load(&root, files));
}

#[test]
fn sweep_project_test_data_and_regressions() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut files = files_under(&root.join("data"));
    files.extend(files_under(&root.join("regression")));
    files.retain(|p| p.extension().is_none_or(|e| e != "md" && e != "txt"));
    sweep("tests/data+regression", load(&root, files));
}

/// Files made by every built-in encoder: a spread of its exact and lossy formats, each
/// choice of each choice option, each boolean option turned on, and a multi-page file
/// for multi-page codecs.
fn generated_inputs() -> Vec<(String, Vec<u8>)> {
    let reg = Registry::with_builtins();
    let mut out = Vec::new();
    for codec in reg.codecs() {
        let name = codec.descriptor().name.clone();
        if codec.encoder().is_err() {
            continue;
        }
        let caps = codec.capabilities().clone();
        if caps.encode.is_empty() {
            continue;
        }
        // Up to 8 formats spread over the table, plus every layout once.
        let step = caps.encode.len().div_ceil(8);
        let mut formats: Vec<_> = caps.encode.iter().step_by(step).map(|c| c.format).collect();
        for c in &caps.encode {
            if !formats.iter().any(|f| f.layout == c.format.layout) {
                formats.push(c.format);
            }
        }
        let opts = EncodeOptions::new().codec(&name);
        for (i, f) in formats.iter().enumerate() {
            let img = generate(13, 7, *f, 17 + i as u64);
            if let Ok(e) = reg.encode(img.as_ref(), &name, &opts) {
                out.push((format!("generated {name} {f}"), e.data));
            }
        }
        // Rows that are exact only with options (lossless JPEG): files made with them.
        for c in caps.encode.iter().step_by(step) {
            let Some(with) = c.exact_with else { continue };
            let mut o = opts.clone();
            for (k, v) in with.split(',').filter_map(|p| p.split_once('=')) {
                o = o.set(k.trim(), v.trim());
            }
            let img = generate(13, 7, c.format, 41);
            if let Ok(e) = reg.encode(img.as_ref(), &name, &o) {
                out.push((format!("generated {name} {} with {with}", c.format), e.data));
            }
        }
        // Option variants on the first format.
        let f0 = formats[0];
        let img = generate(21, 11, f0, 99);
        for spec in codec.encode_options() {
            let values: Vec<OptionValue> = match &spec.kind {
                OptionKind::Choice(c) => c.iter().map(|v| OptionValue::Str(v.clone())).collect(),
                OptionKind::Bool => vec![OptionValue::Bool(true), OptionValue::Bool(false)],
                OptionKind::Int { min, max } => vec![OptionValue::Int(*min), OptionValue::Int(*max)],
                OptionKind::Float { min, max } => vec![OptionValue::Float(*min), OptionValue::Float(*max)],
            };
            for v in values {
                let o = opts.clone().set(&spec.name, v.clone());
                if let Ok(e) = reg.encode(img.as_ref(), &name, &o) {
                    out.push((format!("generated {name} {f0} {}={v}", spec.name), e.data));
                }
            }
        }
        if name == "tiff" {
            // Packed integer and ZSTD pages (issue 17): pixcodec's packed-sample reader and
            // the ZSTD strips.
            use pixcodec::{Image, Layout, PixelFormat, SampleType};
            for (layout, sample, bits, comp, pred) in [
                (Layout::Gray, SampleType::U16, 12i64, "none", false),
                (Layout::Rgb, SampleType::U16, 10, "deflate", true),
                (Layout::Gray, SampleType::I32, 24, "zstd", true),
                (Layout::Rgba, SampleType::U8, 3, "lzw", false),
                (Layout::Gray, SampleType::U8, 1, "packbits", false),
                (Layout::Rgb, SampleType::U16, 16, "zstd", false),
            ] {
                let f = PixelFormat::new(layout, sample);
                // Samples spread over `bits` bits.
                let n = 23 * 9 * layout.channels();
                let offset = if sample.is_signed_int() { 1i64 << (bits - 1) } else { 0 };
                let vals: Vec<i64> = (0..n as i64)
                    .map(|i| (i * 2_654_435_761) % (1i64 << bits) - offset)
                    .collect();
                let img = match sample {
                    SampleType::U8 => {
                        Image::from_samples(23, 9, layout, &vals.iter().map(|&v| v as u8).collect::<Vec<_>>())
                    }
                    SampleType::U16 => {
                        Image::from_samples(23, 9, layout, &vals.iter().map(|&v| v as u16).collect::<Vec<_>>())
                    }
                    _ => Image::from_samples(23, 9, layout, &vals.iter().map(|&v| v as i32).collect::<Vec<_>>()),
                }
                .unwrap();
                let o = opts
                    .clone()
                    .set("significant_bits", bits)
                    .set("compression", comp)
                    .set("predictor", pred);
                let e = reg
                    .encode(img.as_ref(), &name, &o)
                    .unwrap_or_else(|e| panic!("{f} {bits} bits: {e}"));
                out.push((format!("generated tiff {f} {bits}-bit {comp} predictor={pred}"), e.data));
            }
        }
        if caps.multi_page_encode {
            let exact = caps
                .encode
                .iter()
                .find(|c| c.fidelity == Fidelity::Exact)
                .map(|c| c.format);
            if let Some(f) = exact {
                let pages: Vec<_> = (0..3).map(|s| generate(9, 5, f, s)).collect();
                let refs: Vec<_> = pages.iter().map(|p| p.as_ref()).collect();
                let mut buf = Vec::new();
                if reg.encode_pages_into(&refs, &name, &opts, &mut buf).is_ok() {
                    out.push((format!("generated {name} {f} 3 pages"), buf));
                }
            }
        }
    }
    out
}

/// Lossless JPEG at low, 12 and 16 bits, and 12-bit lossy JPEG (U16 values below 4096).
fn jpeg_depth_inputs() -> Vec<(String, Vec<u8>)> {
    let reg = Registry::with_builtins();
    if reg.by_name("jpeg-turbo").is_none() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for layout in [Layout::Gray, Layout::Rgb] {
        let u16img = generate(17, 9, PixelFormat::new(layout, SampleType::U16), 5);
        let v12: Vec<u16> = u16img.to_vec::<u16>().unwrap().iter().map(|v| v & 0x0FFF).collect();
        let img12 = Image::from_samples(17, 9, layout, &v12).unwrap();
        let u8img = generate(17, 9, PixelFormat::new(layout, SampleType::U8), 5);
        let v4: Vec<u8> = u8img.to_vec::<u8>().unwrap().iter().map(|v| v & 0x0F).collect();
        let img4 = Image::from_samples(17, 9, layout, &v4).unwrap();
        let lossless = |p: i64, psv: i64| {
            EncodeOptions::new()
                .set("lossless", true)
                .set("precision", p)
                .set("predictor", psv)
        };
        for (label, img, opts) in [
            ("lossless 16-bit", &u16img, lossless(16, 7)),
            ("lossless 12-bit", &img12, lossless(12, 4)),
            ("lossless 4-bit", &img4, lossless(4, 2)),
            ("12-bit lossy", &img12, EncodeOptions::new()),
            (
                "12-bit lossy progressive",
                &img12,
                EncodeOptions::new().progressive(true),
            ),
        ] {
            let e = reg.encode(img.as_ref(), "jpeg-turbo", &opts).unwrap();
            out.push((format!("jpeg-turbo {label} {layout:?}"), e.data));
        }
    }
    out
}

#[test]
fn sweep_lossless_and_12_bit_jpeg() {
    let inputs = jpeg_depth_inputs();
    if inputs.is_empty() {
        eprintln!("skipping: jpeg-turbo is not built in");
        return;
    }
    // Whole files decode; every prefix cut inside the data is an error, never a partial image.
    let reg = Registry::with_builtins();
    for (label, data) in &inputs {
        reg.decode(data, &DecodeOptions::new())
            .unwrap_or_else(|e| panic!("{label}: {e}"));
        for cut in (2..data.len() - 2).step_by(7).chain([data.len() - 2, data.len() - 1]) {
            assert!(
                reg.decode(&data[..cut], &DecodeOptions::new()).is_err(),
                "{label}: the first {cut} of {} bytes decoded",
                data.len()
            );
        }
    }
    sweep("generated lossless and 12-bit jpeg", inputs);
}

#[test]
fn sweep_generated_every_codec() {
    let inputs = generated_inputs();
    let reg = Registry::with_builtins();
    for codec in reg.codecs() {
        let name = &codec.descriptor().name;
        if codec.encoder().is_ok() && !codec.capabilities().encode.is_empty() {
            assert!(
                inputs.iter().any(|(l, _)| l.starts_with(&format!("generated {name} "))),
                "no generated input for codec {name}"
            );
        }
    }
    sweep("generated", inputs);
}
