//! The short free functions over the process-wide [`Registry`] (decode, probe, read,
//! encode, write), and [`write_atomic`], which every file write goes through. The work
//! itself is done by the registry (`src/registry/`).

use std::io::{BufWriter, Read, Write};
use std::path::Path;

use crate::codec::EncodeReport;
use crate::error::{Error, Result};
use crate::image::{Image, ImageMut, ImageRef};
use crate::info::ImageInfo;
use crate::options::EncodeOptions;
use crate::registry::Registry;

pub use crate::registry::decode::DecodeOptions;
pub use crate::registry::encode::Encoded;

/// Runs `f` with a writer on a temporary file beside `path` and renames it over `path`
/// on success. On any error the destination is untouched and the temporary file removed.
pub fn write_atomic<R>(path: &Path, f: impl FnOnce(&mut dyn Write) -> Result<R>) -> Result<R> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".pixcodec-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map(|m| m.permissions().mode() & 0o7777)
            .unwrap_or(0o644);
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    let mut tmp = builder.tempfile_in(dir)?;
    let result = {
        let mut w = BufWriter::with_capacity(1 << 16, tmp.as_file_mut());
        let r = f(&mut w)?;
        w.flush()?;
        r
    };
    tmp.persist(path).map_err(|e| Error::Io(e.error))?;
    Ok(result)
}

/// Probes bytes with the global registry.
pub fn probe(data: &[u8]) -> Result<ImageInfo> {
    Registry::global().probe(data, &DecodeOptions::default())
}

/// Decodes the first page of `data` with the global registry.
pub fn decode(data: &[u8]) -> Result<Image> {
    Registry::global().decode(data, &DecodeOptions::default())
}

/// Decodes the first page of `data` into caller memory (global registry).
pub fn decode_into(data: &[u8], out: ImageMut<'_>) -> Result<ImageInfo> {
    Registry::global().decode_into(data, out, &DecodeOptions::default())
}

/// Decodes every page of `data` (global registry).
pub fn decode_pages(data: &[u8]) -> Result<Vec<Image>> {
    Registry::global().decode_pages(data, &DecodeOptions::default())
}

/// Reads the first page of a file (global registry).
pub fn read(path: impl AsRef<Path>) -> Result<Image> {
    Registry::global().read(path, &DecodeOptions::default())
}

/// Reads every page of a file (global registry).
pub fn read_pages(path: impl AsRef<Path>) -> Result<Vec<Image>> {
    Registry::global().read_pages(path, &DecodeOptions::default())
}

/// Reads the first page from any reader (global registry).
pub fn read_from(mut reader: impl Read) -> Result<Image> {
    Registry::global().read_from(&mut reader, &DecodeOptions::default())
}

/// Encodes with the global registry; `target` is a format, extension, MIME type or codec name.
pub fn encode(image: ImageRef<'_>, target: &str, opts: &EncodeOptions) -> Result<Encoded> {
    Registry::global().encode(image, target, opts)
}

/// Encodes into a reused buffer (global registry).
pub fn encode_into(image: ImageRef<'_>, target: &str, opts: &EncodeOptions, buf: &mut Vec<u8>) -> Result<EncodeReport> {
    Registry::global().encode_into(image, target, opts, buf)
}

/// Encodes to any writer (global registry).
pub fn encode_to(image: ImageRef<'_>, target: &str, opts: &EncodeOptions, mut out: impl Write) -> Result<EncodeReport> {
    Registry::global().encode_to(image, target, opts, &mut out)
}

/// Writes a file atomically, the format from its extension (global registry).
pub fn write(image: ImageRef<'_>, path: impl AsRef<Path>, opts: &EncodeOptions) -> Result<EncodeReport> {
    Registry::global().write(image, path, opts)
}

/// Writes several pages to one file atomically (global registry).
pub fn write_pages(pages: &[ImageRef<'_>], path: impl AsRef<Path>, opts: &EncodeOptions) -> Result<EncodeReport> {
    Registry::global().write_pages(pages, path, opts)
}
