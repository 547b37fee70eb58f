//! Helpers shared by the CLI integration tests: running the binary, its output with the line
//! wrapping undone, paths as arguments and the repository's test fixtures. Each test crate
//! uses some of them, so unused ones are allowed.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `pixcodec` binary cargo built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_pixcodec");

/// Runs the binary with `args` and collects its output.
pub fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("run pixcodec")
}

/// Output with the CLI's line wrapping (at 160 characters) undone: words joined by one space.
pub fn unwrapped(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A path as a command-line argument.
pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The fixture `name` in the repository's `tests/data/<dir>/`.
pub fn fixture(dir: &str, name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/data")
        .join(dir)
        .join(name)
}
