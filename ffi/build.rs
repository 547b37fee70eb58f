//! Build script of pixcodec-ffi: gives the shared library its SONAME.
//!
//! On ELF systems `libpixcodec.so` is linked with SONAME `libpixcodec.so.MAJOR` (MAJOR from
//! this crate's version, 0 while the version is 0.x; see `ffi/README.md` "ABI policy"), so
//! programs record that name and keep running with any later library of the same MAJOR.
//! `make install` installs the file as `libpixcodec.so.MAJOR.MINOR.PATCH` with the links
//! `libpixcodec.so.MAJOR` and `libpixcodec.so`.

use std::env;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let major = env::var("CARGO_PKG_VERSION_MAJOR").expect("cargo sets CARGO_PKG_VERSION_MAJOR");
    let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let elf = matches!(
        os.as_str(),
        "linux" | "android" | "freebsd" | "netbsd" | "openbsd" | "dragonfly" | "solaris" | "illumos"
    );
    if elf {
        // Only the cdylib gets it: the staticlib and the crate's test binaries are unaffected.
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libpixcodec.so.{major}");
    }
}
