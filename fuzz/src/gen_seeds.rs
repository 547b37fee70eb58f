//! Builds the seed corpora of the fuzz targets under `<out>/<target>/` from a corpus folder
//! (`/work/shared/corpus` or `$PIXCODEC_CORPUS`) plus files generated with every built-in
//! encoder. Usage: `gen_seeds <corpus-dir-or-empty> <out-dir>`.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use pixcodec::testkit::generate;
use pixcodec::{EncodeOptions, OptionKind, OptionValue};

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
    let (corpus, out) = match args.as_slice() {
        [_, c, o] => (c.clone(), PathBuf::from(o)),
        _ => {
            eprintln!("usage: gen_seeds <corpus-dir-or-empty> <out-dir>");
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
            if let Ok(e) = reg.encode(img.as_ref(), &name, &opts) {
                inputs.push(e.data);
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

    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for d in &inputs {
        put(&out, "sniff", d);
        *counts.entry("sniff".into()).or_default() += 1;
        let head = &d[..d.len().min(64)];
        for (i, c) in codecs.iter().enumerate() {
            if c.sniff(head) {
                let target = format!("decode_{}", c.descriptor().name.replace('-', "_"));
                put(&out, &target, d);
                *counts.entry(target).or_default() += 1;
                let mut tagged = vec![i as u8];
                tagged.extend_from_slice(d);
                put(&out, "decode_codec", &tagged);
                *counts.entry("decode_codec".into()).or_default() += 1;
            }
        }
    }
    // The round-trip target takes structured input; a few byte strings get it started.
    for i in 0u8..16 {
        let seed: Vec<u8> = (0..64u8).map(|b| b.wrapping_mul(i).wrapping_add(i)).collect();
        put(&out, "roundtrip", &seed);
    }
    for (t, n) in counts {
        println!("{t}: {n} seeds");
    }
}
