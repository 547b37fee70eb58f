//! `pixcodec convert` and the files around its output (issue 18, item 1): read-only outputs
//! refused as `cp` refuses them (`--force` overrides), symlinks written through (the link
//! kept; `--replace-symlink` replaces it), permission bits kept, in-place conversions that
//! lose anything refused, and errors naming the user's paths, never the temporary file.
//!
//! Root may write any file, and `cp` run as root replaces a read-only file; so does
//! `convert` (tested). The refusal is tested as the unprivileged user `nobody`, running the
//! binary through `setpriv`; where that is impossible the test says so and skips.
#![cfg(unix)]

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Output};

use pixcodec::{EncodeOptions, Image, Layout, PixelFormat, Registry, SampleType};

const BIN: &str = env!("CARGO_BIN_EXE_pixcodec");
const NOBODY: u32 = 65534;

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("run pixcodec")
}

/// Stderr with the CLI's line wrapping (at 160 characters) undone.
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn image(seed: u64) -> Image {
    pixcodec::testkit::generate(24, 16, PixelFormat::new(Layout::Rgb, SampleType::U8), seed)
}

fn write(img: &Image, path: &Path) {
    Registry::with_builtins()
        .write(img.as_ref(), path, &EncodeOptions::new())
        .unwrap();
}

fn assert_pixels(path: &Path, want: &Image) {
    let got = pixcodec::read(path).unwrap();
    assert_eq!(
        (got.width(), got.height(), got.format()),
        (want.width(), want.height(), want.format())
    );
    for y in 0..got.height() {
        assert_eq!(got.row(y), want.row(y), "{} row {y}", path.display());
    }
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

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

/// Runs `program args` as nobody (through setpriv when root), or None with a message.
fn as_unprivileged(program: &str, args: &[&str]) -> Option<Output> {
    if euid() != 0 {
        return Some(Command::new(program).args(args).output().unwrap());
    }
    let id = NOBODY.to_string();
    let out = Command::new("setpriv")
        .args(["--reuid", &id, "--regid", &id, "--clear-groups", "--", program])
        .args(args)
        .output();
    match out {
        Ok(o) if !o.stderr.starts_with(b"setpriv") || o.status.success() => Some(o),
        Ok(o) => {
            eprintln!("skipping: cannot run as nobody here: {}", stderr(&o));
            None
        }
        Err(e) => {
            eprintln!("skipping: running as root and setpriv cannot be started ({e}), so no unprivileged user");
            None
        }
    }
}

#[test]
fn read_only_output_is_refused_for_an_unprivileged_user_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("x.png");
    let ro = dir.path().join("ro.png");
    let old = image(1);
    let new = image(2);
    write(&new, &src);
    write(&old, &ro);
    fs::set_permissions(&ro, fs::Permissions::from_mode(0o444)).unwrap();
    if euid() == 0 {
        for p in [dir.path(), &src, &ro] {
            std::os::unix::fs::lchown(p, Some(NOBODY), Some(NOBODY)).unwrap();
        }
    }
    let before = fs::read(&ro).unwrap();
    let Some(o) = as_unprivileged(BIN, &["convert", s(&src), s(&ro)]) else {
        return;
    };
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains(&format!("{} is not writable", ro.display())), "{err}");
    assert!(err.contains("mode 0444") && err.contains("--force"), "{err}");
    assert!(!err.contains(".pixcodec-") && !err.contains("EncodeOptions"), "{err}");
    assert_eq!(fs::read(&ro).unwrap(), before);
    assert_eq!(names(dir.path()), ["ro.png", "x.png"]);
    // cp refuses the same file for the same user.
    let cp = as_unprivileged("cp", &[s(&src), s(&ro)]).unwrap();
    assert!(!cp.status.success(), "cp replaced a read-only file as nobody");
    assert_eq!(fs::read(&ro).unwrap(), before);
    // Through a symlink: the target is what would be replaced, so the same refusal.
    let link = dir.path().join("link.png");
    std::os::unix::fs::symlink("ro.png", &link).unwrap();
    let o = as_unprivileged(BIN, &["convert", s(&src), s(&link)]).unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(fs::read(&ro).unwrap(), before);
    // --force replaces it; the mode stays.
    let o = as_unprivileged(BIN, &["convert", s(&src), s(&ro), "--force"]).unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_pixels(&ro, &new);
    assert_eq!(mode(&ro), 0o444);
    assert_eq!(names(dir.path()), ["link.png", "ro.png", "x.png"]);
}

#[test]
fn root_replaces_a_read_only_output_as_cp_does_and_keeps_its_mode() {
    if euid() != 0 {
        eprintln!("skipping: not running as root (the unprivileged refusal is tested above)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("x.png");
    let ro = dir.path().join("ro.png");
    let new = image(3);
    write(&new, &src);
    write(&image(4), &ro);
    fs::set_permissions(&ro, fs::Permissions::from_mode(0o444)).unwrap();
    let o = run(&["convert", s(&src), s(&ro)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_pixels(&ro, &new);
    assert_eq!(mode(&ro), 0o444);
    let by_cp = dir.path().join("cp.png");
    fs::write(&by_cp, b"old").unwrap();
    fs::set_permissions(&by_cp, fs::Permissions::from_mode(0o444)).unwrap();
    assert!(Command::new("cp").arg(&src).arg(&by_cp).status().unwrap().success());
}

#[test]
fn symlink_output_is_written_through_unless_replace_symlink() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("x.png");
    let target = dir.path().join("real.png");
    let link = dir.path().join("link.png");
    let new = image(5);
    write(&new, &src);
    write(&image(6), &target);
    fs::set_permissions(&target, fs::Permissions::from_mode(0o664)).unwrap();
    std::os::unix::fs::symlink("real.png", &link).unwrap();
    let o = run(&["convert", s(&src), s(&link)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_pixels(&target, &new);
    assert_eq!(mode(&target), 0o664);
    // --replace-symlink: the link becomes a file, its old target is left alone.
    let other = image(7);
    let src2 = dir.path().join("y.png");
    write(&other, &src2);
    let o = run(&["convert", s(&src2), s(&link), "--replace-symlink"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(fs::symlink_metadata(&link).unwrap().file_type().is_file());
    assert_pixels(&link, &other);
    assert_pixels(&target, &new);
    // A dangling link is refused (as cp refuses it), naming the link.
    let dangling = dir.path().join("dangling.png");
    std::os::unix::fs::symlink("nothere.png", &dangling).unwrap();
    let o = run(&["convert", s(&src), s(&dangling)]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("dangling") && err.contains("--replace-symlink"), "{err}");
    assert!(!dir.path().join("nothere.png").exists());
}

#[test]
fn replaced_output_keeps_its_permission_bits() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("x.png");
    let out = dir.path().join("out.tif");
    write(&image(8), &src);
    fs::write(&out, b"old").unwrap();
    // 0o666 would become 0o644 if the mode went through the usual 022 umask.
    fs::set_permissions(&out, fs::Permissions::from_mode(0o666)).unwrap();
    let o = run(&["convert", s(&src), s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(mode(&out), 0o666);
    assert_pixels(&out, &image(8));
}

#[test]
fn errors_name_the_users_path_never_the_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("x.png");
    write(&image(9), &src);
    let out = dir.path().join("nodir").join("out.png");
    let o = run(&["convert", s(&src), s(&out)]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains(&format!("cannot write {}", out.display())), "{err}");
    assert!(err.contains("does not exist") && !err.contains(".pixcodec-"), "{err}");
    assert_eq!(names(dir.path()), ["x.png"]);
}

#[test]
fn in_place_lossy_conversion_is_refused_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let jpg = dir.path().join("in.jpg");
    write(&image(10), &jpg);
    let before = fs::read(&jpg).unwrap();
    let o = run(&["convert", s(&jpg), s(&jpg)]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("in place") && err.contains("lossy") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(fs::read(&jpg).unwrap(), before);
    // The same file reached through a link is the same file.
    let link = dir.path().join("link.jpg");
    std::os::unix::fs::symlink("in.jpg", &link).unwrap();
    let o = run(&["convert", s(&jpg), s(&link)]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_eq!(fs::read(&jpg).unwrap(), before);
    assert_eq!(names(dir.path()), ["in.jpg", "link.jpg"]);
    // --force: re-encoded (and so changed), the link kept.
    let o = run(&["convert", s(&jpg), s(&link), "--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_ne!(fs::read(&jpg).unwrap(), before);
    assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
}

#[test]
fn in_place_conversion_dropping_pages_is_refused_exact_one_is_done() {
    let dir = tempfile::tempdir().unwrap();
    let tif = dir.path().join("stack.tif");
    let pages = [image(11), image(12)];
    let views: Vec<_> = pages.iter().map(|p| p.as_ref()).collect();
    Registry::with_builtins()
        .write_pages(&views, &tif, &EncodeOptions::new())
        .unwrap();
    let before = fs::read(&tif).unwrap();
    let o = run(&["convert", s(&tif), s(&tif), "--page", "1"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("would keep 1 of its 2 pages"), "{}", stderr(&o));
    assert_eq!(fs::read(&tif).unwrap(), before);
    // Exact and complete: allowed (here with another compression), every page kept.
    let o = run(&["convert", s(&tif), s(&tif), "--compression", "deflate"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let back = pixcodec::read_pages(&tif).unwrap();
    assert_eq!(back.len(), 2);
    for (got, want) in back.iter().zip(&pages) {
        for y in 0..got.height() {
            assert_eq!(got.row(y), want.row(y));
        }
    }
}

/// PngSuite `cdun2c08.png` carries a pHYs resolution: a PNG re-encode keeps it, npy would drop it.
#[test]
fn in_place_conversion_dropping_metadata_is_refused() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/png/pngsuite/cdun2c08.png");
    if !corpus.is_file() {
        eprintln!("skipping: corpus file {} not found", corpus.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("dpi.png");
    fs::copy(&corpus, &png).unwrap();
    let o = run(&["convert", s(&png), s(&png), "--format", "npy", "--force-extension"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("would drop its metadata (resolution: npy cannot store metadata)"),
        "{}",
        stderr(&o)
    );
    assert_eq!(fs::read(&png).unwrap(), fs::read(&corpus).unwrap());
    let o = run(&["convert", s(&png), s(&png)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let dpi = pixcodec::probe(&fs::read(&png).unwrap()).unwrap().metadata.resolution;
    assert_eq!(
        dpi,
        pixcodec::probe(&fs::read(&corpus).unwrap())
            .unwrap()
            .metadata
            .resolution
    );
}
