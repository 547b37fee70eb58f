//! File safety of every file write (`Registry::write*`, `io::write_atomic`): a file the caller
//! may not write is not replaced (as `cp` refuses; `overwrite_readonly` overrides), a symlink
//! is written through to its target and stays a link (`replace_symlink` overrides; a dangling
//! link is refused), a replaced file keeps its permission bits, and errors name the user's
//! path, never the temporary file.
//!
//! Root may write any file, so as root a read-only file IS replaced (as `cp` does as root:
//! checked here too). The refusal is tested as the unprivileged user `nobody`: when the tests
//! run as root, the test re-runs one of its own functions through `setpriv` with nobody's ids
//! and skips, with a message, where that is impossible.
#![cfg(unix)]

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use pixcodec::io::{DanglingSymlink, ReadOnlyDestination};
use pixcodec::testkit::generate;
use pixcodec::{DecodeOptions, EncodeOptions, ErrorKind, Image, Layout, PixelFormat, Registry, SampleType};

const NOBODY: u32 = 65534;
/// Set for the copy of this test binary that runs as nobody: the folder to work in.
const CHILD_DIR: &str = "PIXCODEC_WRITE_SAFETY_DIR";

fn image(seed: u64) -> Image {
    generate(13, 7, PixelFormat::new(Layout::Rgb, SampleType::U8), seed)
}

fn assert_same_pixels(a: &Image, b: &Image) {
    assert_eq!((a.width(), a.height(), a.format()), (b.width(), b.height(), b.format()));
    for y in 0..a.height() {
        assert_eq!(a.row(y), b.row(y), "row {y}");
    }
}

fn read(path: &Path) -> Image {
    Registry::with_builtins().read(path, &DecodeOptions::new()).unwrap()
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

/// Names in `dir`, sorted (a leftover temporary file would show here).
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn euid() -> u32 {
    fs::metadata("/proc/self").map(|m| m.uid()).unwrap_or(u32::MAX)
}

/// This process's umask, from /proc (reading it with umask(2) would race other threads).
fn umask() -> u32 {
    let status = fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("Umask:")).unwrap();
    u32::from_str_radix(line["Umask:".len()..].trim(), 8).unwrap()
}

#[test]
fn symlink_is_written_through_and_stays_a_link() {
    let reg = Registry::with_builtins();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("real.png");
    let link = dir.path().join("link.png");
    reg.write(image(1).as_ref(), &target, &EncodeOptions::new()).unwrap();
    std::os::unix::fs::symlink("real.png", &link).unwrap();
    let new = image(2);
    reg.write(new.as_ref(), &link, &EncodeOptions::new()).unwrap();
    assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_eq!(fs::read_link(&link).unwrap(), Path::new("real.png"));
    assert_same_pixels(&read(&target), &new);
    assert_eq!(names(dir.path()), ["link.png", "real.png"]);
}

#[test]
fn symlink_into_another_folder_writes_there() {
    let reg = Registry::with_builtins();
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let target = b.path().join("data.tif");
    fs::write(&target, b"old").unwrap();
    fs::set_permissions(&target, fs::Permissions::from_mode(0o600)).unwrap();
    let link = a.path().join("out.tif");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let new = image(3);
    reg.write(new.as_ref(), &link, &EncodeOptions::new()).unwrap();
    assert_same_pixels(&read(&target), &new);
    assert_eq!(mode(&target), 0o600);
    assert_eq!(names(a.path()), ["out.tif"]);
    assert_eq!(names(b.path()), ["data.tif"]);
}

#[test]
fn replace_symlink_replaces_the_link_and_leaves_its_target() {
    let reg = Registry::with_builtins();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("real.png");
    let link = dir.path().join("link.png");
    let old = image(4);
    reg.write(old.as_ref(), &target, &EncodeOptions::new()).unwrap();
    std::os::unix::fs::symlink("real.png", &link).unwrap();
    let new = image(5);
    reg.write(new.as_ref(), &link, &EncodeOptions::new().replace_symlink(true))
        .unwrap();
    assert!(fs::symlink_metadata(&link).unwrap().file_type().is_file());
    assert_same_pixels(&read(&link), &new);
    assert_same_pixels(&read(&target), &old);
}

#[test]
fn dangling_symlink_is_refused_and_nothing_is_created() {
    let reg = Registry::with_builtins();
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("link.png");
    std::os::unix::fs::symlink("missing.png", &link).unwrap();
    let err = reg.write(image(6).as_ref(), &link, &EncodeOptions::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io);
    let msg = err.to_string();
    assert!(msg.contains(&link.display().to_string()), "{msg}");
    assert!(msg.contains("missing.png") && msg.contains("dangling"), "{msg}");
    match &err {
        pixcodec::Error::Io(e) => {
            let d = e.get_ref().and_then(|i| i.downcast_ref::<DanglingSymlink>()).unwrap();
            assert_eq!(d.path, link);
            assert_eq!(d.target, Path::new("missing.png"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(names(dir.path()), ["link.png"]);
    // Told to, the link itself is replaced.
    reg.write(image(6).as_ref(), &link, &EncodeOptions::new().replace_symlink(true))
        .unwrap();
    assert!(fs::symlink_metadata(&link).unwrap().file_type().is_file());
    assert_eq!(names(dir.path()), ["link.png"]);
}

#[test]
fn replaced_file_keeps_its_permission_bits_new_file_gets_the_umask_mode() {
    let reg = Registry::with_builtins();
    let dir = tempfile::tempdir().unwrap();
    // 0o666 and 0o707 would lose bits to a 022 umask if the mode went through it.
    for want in [0o600, 0o640, 0o666, 0o707, 0o444] {
        let path = dir.path().join(format!("m{want:o}.png"));
        fs::write(&path, b"old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(want)).unwrap();
        // As root, 0o444 is writable (as for cp); unprivileged, it would need the override.
        let opts = EncodeOptions::new().overwrite_readonly(euid() != 0);
        let new = image(want as u64);
        reg.write(new.as_ref(), &path, &opts).unwrap();
        assert_eq!(mode(&path), want, "{}", path.display());
        assert_same_pixels(&read(&path), &new);
    }
    let fresh = dir.path().join("fresh.png");
    reg.write(image(9).as_ref(), &fresh, &EncodeOptions::new()).unwrap();
    assert_eq!(mode(&fresh), 0o644 & !umask());
}

#[test]
fn missing_folder_error_names_the_path_not_the_temporary_file() {
    let reg = Registry::with_builtins();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nodir").join("out.png");
    let err = reg.write(image(10).as_ref(), &path, &EncodeOptions::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io);
    let msg = err.to_string();
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(msg.contains("does not exist"), "{msg}");
    assert!(!msg.contains(".pixcodec-"), "{msg}");
    // Under a regular file and onto a folder: the same.
    let file = dir.path().join("plain");
    fs::write(&file, b"x").unwrap();
    for (path, says) in [
        (file.join("out.png"), "not a folder"),
        (dir.path().join("sub.png"), "is a folder"),
    ] {
        if says == "is a folder" {
            fs::create_dir(&path).unwrap();
        }
        let msg = reg
            .write(image(10).as_ref(), &path, &EncodeOptions::new())
            .unwrap_err()
            .to_string();
        assert!(msg.contains(&path.display().to_string()) && msg.contains(says), "{msg}");
        assert!(!msg.contains(".pixcodec-"), "{msg}");
    }
    assert_eq!(names(dir.path()), ["plain", "sub.png"]);
}

#[test]
fn write_atomic_and_npy_writes_follow_the_same_rules() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("a.npy");
    fs::write(&target, b"old").unwrap();
    fs::set_permissions(&target, fs::Permissions::from_mode(0o640)).unwrap();
    let link = dir.path().join("l.npy");
    std::os::unix::fs::symlink("a.npy", &link).unwrap();
    pixcodec::io::write_atomic(&link, |w| Ok(w.write_all(b"new")?)).unwrap();
    assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_eq!(fs::read(&target).unwrap(), b"new");
    assert_eq!(mode(&target), 0o640);
    let err = pixcodec::io::write_atomic(&dir.path().join("no/x.npy"), |w| Ok(w.write_all(b"x")?)).unwrap_err();
    assert!(!err.to_string().contains(".pixcodec-"), "{err}");
}

/// As root a read-only file is replaced, exactly as `cp` replaces it; its mode stays.
#[test]
fn root_replaces_a_read_only_file_as_cp_does() {
    if euid() != 0 {
        eprintln!("skipping: not running as root (the unprivileged case is tested below)");
        return;
    }
    let reg = Registry::with_builtins();
    let dir = tempfile::tempdir().unwrap();
    let ro = dir.path().join("ro.png");
    let by_cp = dir.path().join("by_cp.png");
    for p in [&ro, &by_cp] {
        fs::write(p, b"old").unwrap();
        fs::set_permissions(p, fs::Permissions::from_mode(0o444)).unwrap();
    }
    std::os::unix::fs::chown(&ro, Some(NOBODY), Some(NOBODY)).unwrap();
    let new = image(11);
    reg.write(new.as_ref(), &ro, &EncodeOptions::new()).unwrap();
    assert_same_pixels(&read(&ro), &new);
    assert_eq!(mode(&ro), 0o444);
    // Root's replacement keeps the owner, as cp's overwrite in place does.
    let m = fs::metadata(&ro).unwrap();
    assert_eq!((m.uid(), m.gid()), (NOBODY, NOBODY));
    let cp = Command::new("cp").arg(&ro).arg(&by_cp).status().unwrap();
    assert!(cp.success(), "cp as root replaces a read-only file too");
    assert_eq!(mode(&by_cp), 0o444);
}

/// The unprivileged half; run directly by a non-root user, or as nobody by the test below.
fn unprivileged_refusal(dir: &Path) {
    let reg = Registry::with_builtins();
    let ro = dir.join("ro.png");
    let old = image(12);
    reg.write(old.as_ref(), &ro, &EncodeOptions::new()).unwrap();
    fs::set_permissions(&ro, fs::Permissions::from_mode(0o444)).unwrap();
    let before = fs::read(&ro).unwrap();
    let new = image(13);
    let err = reg.write(new.as_ref(), &ro, &EncodeOptions::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io);
    let msg = err.to_string();
    assert!(msg.contains(&ro.display().to_string()) && msg.contains("0444"), "{msg}");
    assert!(msg.contains("overwrite_readonly"), "{msg}");
    match &err {
        pixcodec::Error::Io(e) => {
            assert_eq!(e.kind(), std::io::ErrorKind::PermissionDenied);
            let r = e
                .get_ref()
                .and_then(|i| i.downcast_ref::<ReadOnlyDestination>())
                .unwrap();
            assert_eq!((r.path.as_path(), r.mode), (ro.as_path(), 0o444));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(fs::read(&ro).unwrap(), before);
    assert_eq!(names(dir), ["ro.png"]);
    // `cp` refuses the same file for the same user.
    let src = dir.join("src.png");
    reg.write(new.as_ref(), &src, &EncodeOptions::new()).unwrap();
    let cp = Command::new("cp").arg(&src).arg(&ro).output().unwrap();
    assert!(!cp.status.success(), "cp refuses too");
    assert_eq!(fs::read(&ro).unwrap(), before);
    // Through a symlink: the same refusal (the target is what would be replaced).
    let link = dir.join("link.png");
    std::os::unix::fs::symlink("ro.png", &link).unwrap();
    assert!(reg.write(new.as_ref(), &link, &EncodeOptions::new()).is_err());
    assert_eq!(fs::read(&ro).unwrap(), before);
    // The explicit override replaces it and keeps the mode.
    reg.write(new.as_ref(), &ro, &EncodeOptions::new().overwrite_readonly(true))
        .unwrap();
    assert_same_pixels(&read(&ro), &new);
    assert_eq!(mode(&ro), 0o444);
}

/// Only meaningful as the child that `read_only_file_is_refused_for_an_unprivileged_user`
/// starts as nobody; run alone it has no folder to work in and fails.
#[test]
#[ignore = "run as nobody by read_only_file_is_refused_for_an_unprivileged_user"]
fn unprivileged_child() {
    let dir = PathBuf::from(std::env::var_os(CHILD_DIR).expect("started by the parent test"));
    assert_ne!(euid(), 0, "the child must not be root");
    unprivileged_refusal(&dir);
}

#[test]
fn read_only_file_is_refused_for_an_unprivileged_user() {
    let dir = tempfile::tempdir().unwrap();
    if euid() != 0 {
        unprivileged_refusal(dir.path());
        return;
    }
    if Command::new("setpriv").arg("--version").output().is_err() {
        eprintln!("skipping: running as root and setpriv is not installed, so no unprivileged user to test with");
        return;
    }
    std::os::unix::fs::chown(dir.path(), Some(NOBODY), Some(NOBODY)).unwrap();
    let exe = std::env::current_exe().unwrap();
    let out = Command::new("setpriv")
        .args([
            "--reuid",
            &NOBODY.to_string(),
            "--regid",
            &NOBODY.to_string(),
            "--clear-groups",
            "--",
        ])
        .arg(&exe)
        .args(["--exact", "unprivileged_child", "--ignored", "--test-threads=1"])
        .env(CHILD_DIR, dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() && stdout.is_empty() && out.stderr.starts_with(b"setpriv") {
        eprintln!(
            "skipping: cannot run as nobody here: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        return;
    }
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "child as nobody failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
