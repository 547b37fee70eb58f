//! Shared helpers for integration tests.

/// The conformance corpus folder: `PIXCODEC_CORPUS`, else `<manifest>/../shared/corpus`.
pub fn corpus_dir() -> Option<std::path::PathBuf> {
    let p = std::env::var_os("PIXCODEC_CORPUS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("skipping: corpus not found at {}", p.display());
        None
    }
}
