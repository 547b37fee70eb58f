//! Files fuzzing findings as regression inputs: `regress <target> <artifact>...` copies
//! each input of a target over image files to `tests/regression/<format>/<kind>-<target>-<hash>`
//! (kind: crash, leak, timeout, oom, ... as libFuzzer named it), without the target's option
//! bytes, so `tests/hardening_regression.rs` decodes it in `make test` from then on. The
//! format is the forced codec's (`decode_<codec>`, the codec byte of `decode_codec` and
//! `python_decode`), else the first codec that sniffs the bytes, else `unknown`. Round-trip
//! findings are structured inputs, not files: they stay in `fuzz/artifacts/<target>/` and
//! are replayed with the target binary.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((target, artifacts)) = args.split_first() else {
        eprintln!("usage: regress <target> <artifact>...");
        std::process::exit(2);
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/regression");
    let codecs = pixcodec_fuzz::registry().codecs();
    for a in artifacts {
        if !pixcodec_fuzz::takes_files(target) {
            println!("regress: {a} is a structured {target} input; replay it with the {target} binary");
            continue;
        }
        let data = match std::fs::read(a) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("regress: cannot read {a}: {e}");
                std::process::exit(1);
            }
        };
        let skip = pixcodec_fuzz::prefix_len(target).min(data.len());
        let file = &data[skip..];
        let forced = match (target.as_str(), data.first()) {
            ("decode_codec", Some(&b)) => Some(&codecs[b as usize % codecs.len()]),
            ("python_decode", Some(&b)) => codecs.get(b as usize % (codecs.len() + 1)),
            _ => pixcodec_fuzz::forced_codec(target).map(|i| &codecs[i]),
        };
        let head = &file[..file.len().min(64)];
        let format = forced
            .or_else(|| codecs.iter().find(|c| c.sniff(head)))
            .map_or("unknown".to_string(), |c| c.descriptor().format.clone());
        let kind = Path::new(a)
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.split('-').next())
            .unwrap_or("finding");
        let mut h = DefaultHasher::new();
        file.hash(&mut h);
        let dir: PathBuf = root.join(&format);
        let dest = dir.join(format!("{kind}-{target}-{:016x}", h.finish()));
        if let Err(e) = std::fs::create_dir_all(&dir).and_then(|_| std::fs::write(&dest, file)) {
            eprintln!("regress: cannot write {}: {e}", dest.display());
            std::process::exit(1);
        }
        println!("regress: {a} -> {}", dest.display());
    }
}
