//! The short free functions over the process-wide [`Registry`] (decode, probe, read,
//! encode, write), and [`write_atomic_with`], which every file write goes through: it
//! replaces files atomically and carefully ([`WriteRules`]: no replacing what the caller may
//! not write, symlinks written through, permission bits kept). The work
//! itself is done by the registry (`src/registry/`).

use std::fmt;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use crate::codec::EncodeReport;
use crate::error::{Error, Result};
use crate::image::{Image, ImageMut, ImageRef};
use crate::info::ImageInfo;
use crate::options::EncodeOptions;
use crate::registry::Registry;

pub use crate::registry::decode::DecodeOptions;
pub use crate::registry::encode::Encoded;

/// How a file write treats what is already at the destination. The defaults are the careful
/// ones, as `cp` behaves: a file the caller may not write is not replaced, a symlink is
/// written through (the link stays, its target gets the new data), and a replaced file keeps
/// its permission bits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WriteRules {
    /// Replace the destination even when the caller has no write permission on it (the
    /// folder must still allow creating and renaming files).
    pub overwrite_readonly: bool,
    /// Replace a symlink at the destination by a regular file instead of writing through it.
    pub replace_symlink: bool,
}

impl WriteRules {
    /// The careful defaults (see [`WriteRules`]).
    pub fn new() -> Self {
        Self::default()
    }
    /// Replaces a destination the caller may not write.
    pub fn overwrite_readonly(mut self, yes: bool) -> Self {
        self.overwrite_readonly = yes;
        self
    }
    /// Replaces a symlink at the destination instead of writing through it.
    pub fn replace_symlink(mut self, yes: bool) -> Self {
        self.replace_symlink = yes;
        self
    }
}

/// The error inside [`Error::Io`] (kind `PermissionDenied`) when the destination exists and
/// the caller may not write it: nothing was written. Front ends find it with
/// `io_error.get_ref().and_then(|e| e.downcast_ref::<ReadOnlyDestination>())` to name their
/// own override (`--force`, a C setter).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOnlyDestination {
    /// The path as the caller gave it.
    pub path: PathBuf,
    /// The file's permission bits (0 where the platform has none).
    pub mode: u32,
}

impl fmt::Display for ReadOnlyDestination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is not writable by this user (mode {:04o}); not replaced, nothing was written \
             (to replace it anyway: EncodeOptions::overwrite_readonly(true))",
            self.path.display(),
            self.mode
        )
    }
}

impl std::error::Error for ReadOnlyDestination {}

/// The error inside [`Error::Io`] (kind `NotFound`) when the destination is a symlink whose
/// target does not exist: like `cp`, a write does not go through a dangling symlink, and
/// nothing was written. Found the same way as [`ReadOnlyDestination`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DanglingSymlink {
    /// The path as the caller gave it.
    pub path: PathBuf,
    /// What the link points to.
    pub target: PathBuf,
}

impl fmt::Display for DanglingSymlink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot write {}: it is a symlink to {}, which does not exist; not writing through a \
             dangling symlink, nothing was written (to replace the link itself: \
             EncodeOptions::replace_symlink(true))",
            self.path.display(),
            self.target.display()
        )
    }
}

impl std::error::Error for DanglingSymlink {}

/// An I/O error whose message names the user's `path` (never the temporary file).
fn path_error(path: &Path, what: &str, e: &std::io::Error) -> Error {
    // Errors from `tempfile` carry the temporary file's name in their text; keep only the
    // operating system's own message or, for wrapped errors, the kind.
    let why = if e.raw_os_error().is_some() || e.get_ref().is_none() {
        e.to_string()
    } else {
        std::io::Error::from(e.kind()).to_string()
    };
    Error::Io(std::io::Error::new(
        e.kind(),
        format!("{what} {}: {why}", path.display()),
    ))
}

/// True when the calling process may write the existing file `path` (effective ids, as the
/// kernel decides for `open`; root may write any file on a writable file system).
#[cfg(unix)]
fn may_write(path: &Path) -> std::io::Result<bool> {
    use rustix::fs::{accessat, Access, AtFlags, CWD};
    match accessat(CWD, path, Access::WRITE_OK, AtFlags::EACCESS) {
        Ok(()) => Ok(true),
        Err(rustix::io::Errno::ACCESS) | Err(rustix::io::Errno::ROFS) | Err(rustix::io::Errno::PERM) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// True when `path` is not marked read-only (platforms without `access`).
#[cfg(not(unix))]
fn may_write(path: &Path) -> std::io::Result<bool> {
    Ok(!std::fs::metadata(path)?.permissions().readonly())
}

/// Where the data of a write to `path` really goes: the symlink's target when `path` is a
/// symlink (unless `rules.replace_symlink`), else `path`. Also checks the destination's folder
/// and refuses a destination the caller may not write. Errors name `path`.
fn resolve_destination(path: &Path, rules: WriteRules) -> Result<(PathBuf, Option<std::fs::Metadata>)> {
    let link = std::fs::symlink_metadata(path).ok();
    let real = match &link {
        Some(m) if m.file_type().is_symlink() && !rules.replace_symlink => {
            std::fs::canonicalize(path).map_err(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    let target = std::fs::read_link(path).unwrap_or_default();
                    let dangling = DanglingSymlink {
                        path: path.to_path_buf(),
                        target,
                    };
                    Error::Io(std::io::Error::new(e.kind(), dangling))
                } else {
                    path_error(path, "cannot resolve the symlink", &e)
                }
            })?
        }
        _ => path.to_path_buf(),
    };
    let existing = if real.as_path() == path {
        link.filter(|m| !m.file_type().is_symlink())
    } else {
        std::fs::metadata(&real).ok()
    };
    if let Some(m) = &existing {
        if m.is_dir() {
            return Err(Error::Io(std::io::Error::new(
                std::io::ErrorKind::IsADirectory,
                format!("cannot write {}: it is a folder", path.display()),
            )));
        }
        if !rules.overwrite_readonly && !may_write(&real).map_err(|e| path_error(path, "cannot check", &e))? {
            #[cfg(unix)]
            let mode = std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o7777;
            #[cfg(not(unix))]
            let mode = 0;
            return Err(Error::Io(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                ReadOnlyDestination {
                    path: path.to_path_buf(),
                    mode,
                },
            )));
        }
    } else {
        let dir = folder_of(&real);
        match std::fs::metadata(dir) {
            Ok(d) if d.is_dir() => {}
            Ok(_) => {
                return Err(Error::Io(std::io::Error::new(
                    std::io::ErrorKind::NotADirectory,
                    format!("cannot write {}: {} is not a folder", path.display(), dir.display()),
                )))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::Io(std::io::Error::new(
                    e.kind(),
                    format!(
                        "cannot write {}: the folder {} does not exist",
                        path.display(),
                        dir.display()
                    ),
                )))
            }
            Err(e) => return Err(path_error(path, "cannot write", &e)),
        }
    }
    Ok((real, existing))
}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// [`write_atomic_with`] under the careful default [`WriteRules`].
pub fn write_atomic<R>(path: &Path, f: impl FnOnce(&mut dyn Write) -> Result<R>) -> Result<R> {
    write_atomic_with(path, WriteRules::default(), f)
}

/// Runs `f` with a writer on a temporary file beside the destination and renames it over the
/// destination on success. On any error the destination is untouched and the temporary file
/// removed. Following `rules`: a symlink at `path` is written through to its target (the link
/// stays); an existing file the caller may not write is refused ([`ReadOnlyDestination`]);
/// a replaced file keeps its permission bits, and its owner and group where the caller may
/// set them (a new file gets `0o644` less the umask).
/// Error messages name `path`, never the temporary file.
pub fn write_atomic_with<R>(path: &Path, rules: WriteRules, f: impl FnOnce(&mut dyn Write) -> Result<R>) -> Result<R> {
    let (real, existing) = resolve_destination(path, rules)?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".pixcodec-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let mut tmp = builder
        .tempfile_in(folder_of(&real))
        .map_err(|e| path_error(path, "cannot write", &e))?;
    if let Some(m) = &existing {
        // Keep the owner and group where allowed (root; or a group the caller is in), as an
        // overwrite in place would; a refused change leaves the caller's own ids. Then the
        // mode: the creation mode passed through the umask, so set the old bits exactly.
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let _ = std::os::unix::fs::fchown(tmp.as_file(), Some(m.uid()), Some(m.gid()))
                .or_else(|_| std::os::unix::fs::fchown(tmp.as_file(), None, Some(m.gid())));
        }
        tmp.as_file()
            .set_permissions(m.permissions())
            .map_err(|e| path_error(path, "cannot keep the permissions of", &e))?;
    }
    let result = {
        let mut w = BufWriter::with_capacity(1 << 16, tmp.as_file_mut());
        let r = f(&mut w)?;
        w.flush().map_err(|e| path_error(path, "cannot write", &e))?;
        r
    };
    tmp.persist(&real)
        .map_err(|e| path_error(path, "cannot replace", &e.error))?;
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
