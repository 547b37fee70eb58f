//! `convert` carries the facts of `.npy` arrays (`Metadata::npy`): npy to npy gives numpy's
//! bytes back for `(1, H, W, 1)` bool arrays, npy to png notes each fact it drops, and
//! `--metadata strict` refuses.

use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_pixcodec");
const NPY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/npy/bool_1hwc1.npy");

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("run pixcodec")
}

#[test]
fn convert_keeps_npy_array_facts_and_notes_their_loss() {
    let dir = tempfile::tempdir().unwrap();
    let npy = dir.path().join("out.npy");
    let o = run(&["convert", NPY, npy.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(o.stderr.is_empty(), "{}", String::from_utf8_lossy(&o.stderr));
    if cfg!(target_endian = "little") {
        assert_eq!(std::fs::read(&npy).unwrap(), std::fs::read(NPY).unwrap());
    }
    let png = dir.path().join("out.png");
    let o = run(&["convert", NPY, png.to_str().unwrap()]);
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr).replace("\n  ", " ");
    for item in [
        "does not keep npy channel axis: png stores images, not arrays",
        "does not keep npy page axis: png stores images, not arrays",
        "does not keep npy bool dtype: png has no bool samples",
    ] {
        assert!(err.contains(item), "{item}: {err}");
    }
    let strict = dir.path().join("strict.png");
    let o = run(&["convert", NPY, strict.to_str().unwrap(), "--metadata", "strict"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(!strict.exists());
}
