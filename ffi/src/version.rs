//! The library version as one number, so that a program can compare at run time the
//! `libpixcodec` it loaded with the header it was compiled against
//! (`pxc_version() == PXC_VERSION_NUMBER`), as `pxc_version_string` does for text.

use crate::boundary::ffi;
use crate::{PXC_VERSION_MAJOR, PXC_VERSION_MINOR, PXC_VERSION_PATCH};

/// `MAJOR * 10000 + MINOR * 100 + PATCH` of the header (0.1.0 is 100); what `pxc_version()`
/// returns when the loaded library is the one the header came from.
pub const PXC_VERSION_NUMBER: u32 = PXC_VERSION_MAJOR * 10000 + PXC_VERSION_MINOR * 100 + PXC_VERSION_PATCH;

// The encoding above needs MINOR and PATCH below 100.
const _: () = assert!(PXC_VERSION_MINOR < 100 && PXC_VERSION_PATCH < 100);

/// The loaded library's version as `MAJOR * 10000 + MINOR * 100 + PATCH` (equal to
/// `PXC_VERSION_NUMBER` of its own header; see `ffi/README.md` for the ABI policy: a
/// program built against MAJOR.MINOR runs with any library of the same MAJOR and a
/// MINOR at least as high).
#[no_mangle]
pub extern "C" fn pxc_version() -> u32 {
    ffi!(or 0; nonnull() { Ok(PXC_VERSION_NUMBER) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_matches_the_package_version() {
        let text = format!("{}", pxc_version() / 10000)
            + &format!(".{}", pxc_version() / 100 % 100)
            + &format!(".{}", pxc_version() % 100);
        assert_eq!(text, env!("CARGO_PKG_VERSION"));
        // SAFETY: pxc_version_string returns a static NUL-terminated string.
        let s = unsafe { std::ffi::CStr::from_ptr(crate::pxc_version_string()) };
        assert_eq!(s.to_str().unwrap(), text);
    }
}
