//! Failure modes of writes: a writer that fails after N bytes (disk full), one that writes a
//! byte at a time, and files written into a read-only folder or under a non-directory,
//! through `Registry::encode_to`, `Registry::write` and `io::write_atomic`. Every failure is
//! an `Err` (never a panic); a failed file write leaves the destination untouched and no
//! temporary file behind.

use std::io::{self, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use pixcodec::testkit::generate;
use pixcodec::{EncodeOptions, ErrorKind, Image, Layout, PixelFormat, Registry, SampleType};

/// Accepts `budget` bytes, then fails like a full disk.
struct FailAfter<W> {
    inner: W,
    budget: usize,
    written: usize,
}

impl<W: Write> Write for FailAfter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let left = self.budget - self.written;
        if left == 0 {
            return Err(io::Error::new(io::ErrorKind::StorageFull, "simulated disk full"));
        }
        let n = self.inner.write(&buf[..buf.len().min(left)])?;
        self.written += n;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        if self.written >= self.budget {
            return Err(io::Error::new(io::ErrorKind::StorageFull, "simulated disk full"));
        }
        self.inner.flush()
    }
}

/// Writes at most one byte per call (a legal, if slow, writer).
struct OneByte(Vec<u8>);

impl Write for OneByte {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match buf.first() {
            Some(&b) => {
                self.0.push(b);
                Ok(1)
            }
            None => Ok(0),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// One image per (codec, format): a spread of every encoding codec's table.
fn cases() -> Vec<(String, Image)> {
    let reg = Registry::with_builtins();
    let mut out = Vec::new();
    for codec in reg.codecs() {
        let caps = codec.capabilities();
        if caps.encode.is_empty() || codec.encoder().is_err() {
            continue;
        }
        let step = caps.encode.len().div_ceil(4);
        for (i, c) in caps.encode.iter().step_by(step).enumerate() {
            out.push((codec.descriptor().name.clone(), generate(23, 11, c.format, i as u64)));
        }
    }
    out
}

#[test]
fn writer_failing_after_n_bytes_is_an_error_for_every_codec() {
    let reg = Registry::with_builtins();
    let mut checked = 0;
    for (name, img) in cases() {
        let opts = EncodeOptions::new().codec(&name);
        let full = reg.encode(img.as_ref(), &name, &opts).unwrap().data;
        // Every N for small outputs, else about 200 cut points including the ends.
        let step = (full.len() / 200).max(1);
        let mut cuts: Vec<usize> = (0..full.len()).step_by(step).collect();
        cuts.extend([full.len().saturating_sub(1), full.len().saturating_sub(2)]);
        for n in cuts {
            for verify in [false, true] {
                let o = opts.clone().verify(verify);
                let r = catch_unwind(AssertUnwindSafe(|| {
                    let mut w = FailAfter {
                        inner: Vec::new(),
                        budget: n,
                        written: 0,
                    };
                    let r = reg.encode_to(img.as_ref(), &name, &o, &mut w);
                    (r, w.inner)
                }));
                let (r, got) = r.unwrap_or_else(|_| {
                    panic!(
                        "{name} {}: panicked when the writer failed after {n} bytes",
                        img.format()
                    )
                });
                let err = match r {
                    Ok(rep) => panic!(
                        "{name} {}: reported success ({} bytes) although the writer failed after {n} of {} bytes",
                        img.format(),
                        rep.bytes_written,
                        full.len()
                    ),
                    Err(e) => e,
                };
                assert_eq!(
                    err.kind(),
                    ErrorKind::Io,
                    "{name}: a failing writer must be an I/O error, got {err}"
                );
                assert!(got.len() <= n);
                assert_eq!(got, full[..got.len()], "{name}: bytes before the failure differ");
                checked += 1;
            }
        }
        // A writer that accepts one byte per call still gets the whole file.
        let mut w = OneByte(Vec::new());
        let rep = reg.encode_to(img.as_ref(), &name, &opts, &mut w).unwrap();
        assert_eq!(w.0, full, "{name} {}: one-byte writes change the output", img.format());
        assert_eq!(rep.bytes_written as usize, full.len());
    }
    eprintln!("{checked} failing-writer encodes checked");
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with(".pixcodec-") || n.ends_with(".tmp"))
        .collect()
}

#[test]
fn disk_full_inside_write_atomic_leaves_destination_and_no_temp_file() {
    let reg = Registry::with_builtins();
    let dir = tempfile::tempdir().unwrap();
    for (name, img) in cases() {
        let ext = reg.by_name(&name).unwrap().descriptor().extensions[0].clone();
        let dest = dir.path().join(format!("out-{name}.{ext}"));
        std::fs::write(&dest, b"previous contents").unwrap();
        let opts = EncodeOptions::new().codec(&name);
        let len = reg.encode(img.as_ref(), &name, &opts).unwrap().data.len();
        for n in [0, 1, len / 3, len / 2, len.saturating_sub(1)] {
            let r = pixcodec::io::write_atomic(&dest, |w| {
                let mut w = FailAfter {
                    inner: w,
                    budget: n,
                    written: 0,
                };
                reg.encode_to(img.as_ref(), &name, &opts, &mut w)
            });
            let e = r.expect_err("the disk filled up");
            assert_eq!(e.kind(), ErrorKind::Io);
            assert_eq!(
                std::fs::read(&dest).unwrap(),
                b"previous contents",
                "{name}: destination changed"
            );
            assert_eq!(
                leftovers(dir.path()),
                Vec::<String>::new(),
                "{name}: temp file left behind"
            );
        }
        // And the same path written for real replaces it atomically.
        reg.write(img.as_ref(), &dest, &opts).unwrap();
        assert_eq!(
            std::fs::read(&dest).unwrap(),
            reg.encode(img.as_ref(), &name, &opts).unwrap().data
        );
    }
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
}

#[test]
fn refused_encode_writes_no_file() {
    let reg = Registry::with_builtins();
    let dir = tempfile::tempdir().unwrap();
    // No PNG holds F64 RGB: NotExact, before any file is created.
    let img = generate(4, 4, PixelFormat::new(Layout::Rgb, SampleType::F64), 1);
    let dest = dir.path().join("x.png");
    let e = reg.write(img.as_ref(), &dest, &EncodeOptions::new()).unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::NotExact | ErrorKind::UnknownFormat),
        "{e}"
    );
    assert!(!dest.exists());
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
    // An existing destination survives the refusal.
    std::fs::write(&dest, b"keep").unwrap();
    reg.write(img.as_ref(), &dest, &EncodeOptions::new()).unwrap_err();
    assert_eq!(std::fs::read(&dest).unwrap(), b"keep");
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
}

#[test]
fn destination_that_is_a_directory_or_under_a_file_fails_cleanly() {
    let reg = Registry::with_builtins();
    let dir = tempfile::tempdir().unwrap();
    let img = generate(5, 3, PixelFormat::new(Layout::Gray, SampleType::U8), 2);
    let target = reg.codecs()[0].descriptor().extensions[0].clone();

    // Under a regular file: ENOTDIR, whoever runs the test (root included).
    let file = dir.path().join("plain.txt");
    std::fs::write(&file, b"not a folder").unwrap();
    let dest = file.join(format!("out.{target}"));
    let e = reg.write_as(img.as_ref(), &dest, &target, &EncodeOptions::new());
    let e = e.expect_err("writing under a regular file must fail");
    assert_eq!(e.kind(), ErrorKind::Io, "{e}");
    assert_eq!(std::fs::read(&file).unwrap(), b"not a folder");

    // The destination is an existing directory: the rename fails, the temp file is removed.
    let sub = dir.path().join(format!("folder.{target}"));
    std::fs::create_dir(&sub).unwrap();
    std::fs::write(sub.join("inside"), b"x").unwrap();
    let e = reg.write_as(img.as_ref(), &sub, &target, &EncodeOptions::new());
    assert_eq!(e.expect_err("cannot replace a directory").kind(), ErrorKind::Io);
    assert!(sub.is_dir() && sub.join("inside").exists());
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
}

#[cfg(unix)]
#[test]
fn read_only_folder_fails_cleanly() {
    use std::os::unix::fs::PermissionsExt;
    let reg = Registry::with_builtins();
    let dir = tempfile::tempdir().unwrap();
    let ro = dir.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    let dest = ro.join("existing.npy");
    let img = generate(5, 3, PixelFormat::new(Layout::Gray, SampleType::U16), 3);
    std::fs::write(&dest, b"old").unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    // Root ignores directory permissions: detect it instead of asserting nonsense.
    let probe = ro.join(".probe");
    if std::fs::write(&probe, b"").is_ok() {
        let _ = std::fs::remove_file(&probe);
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
        eprintln!(
            "skipping the read-only folder check: this process can write into a 0555 folder (running as root); \
             destination_that_is_a_directory_or_under_a_file_fails_cleanly covers the failure path"
        );
        return;
    }
    let e = reg.write(img.as_ref(), &dest, &EncodeOptions::new());
    let listing: Vec<String> = std::fs::read_dir(&ro)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(e.expect_err("read-only folder").kind(), ErrorKind::Io);
    assert_eq!(std::fs::read(&dest).unwrap(), b"old");
    assert_eq!(listing, vec!["existing.npy".to_string()]);
}
