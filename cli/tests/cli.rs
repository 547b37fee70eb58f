//! The `pixcodec` binary end to end: every subcommand and flag, success and failure exits.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_pixcodec");
const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/data");

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("run pixcodec")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn data(name: &str) -> String {
    format!("{DATA}/{name}")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn decode(path: &Path) -> Vec<pixcodec::Image> {
    pixcodec::read_pages(path).unwrap()
}

/// The entry of codec `name` in `codecs --json` output.
fn codec_entry<'a>(codecs: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    codecs
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no codec {name} in {codecs}"))
}

#[test]
fn codecs_lists_registry_in_text_and_json() {
    let o = run(&["codecs"]);
    assert!(o.status.success());
    let (out, _) = text(&o);
    for name in ["png", "jpeg-turbo", "tiff", "npy"] {
        assert!(out.contains(name), "{name} missing from:\n{out}");
    }
    let (verbose, _) = text(&run(&["codecs", "--verbose"]));
    assert!(
        verbose.contains("option quality (int 1..=100, default 90)"),
        "{verbose}"
    );
    let o = run(&["codecs", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let tiff = codec_entry(&v, "tiff");
    assert_eq!(tiff["multi_page_encode"], true);
    assert!(tiff["encode"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["layout"] == "Gray" && c["sample_type"] == "U32" && c["fidelity"] == "exact"));
    let jpeg = codec_entry(&v, "jpeg-turbo");
    assert!(jpeg["encode"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["fidelity"] == "lossy"));
    assert_eq!(jpeg["extensions"][0], "jpg");
}

#[test]
fn info_text_json_and_errors() {
    let o = run(&["info", &data("photo.png"), &data("labels.npy")]);
    assert!(o.status.success());
    let (out, _) = text(&o);
    assert!(
        out.contains("photo.png: png (codec png), 192x128 Rgb U8, 1 page, exact source"),
        "{out}"
    );
    assert!(
        out.contains("labels.npy: npy (codec npy), 64x64 Gray U32, 5 pages"),
        "{out}"
    );
    let o = run(&["info", "--json", &data("gray16.png")]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["sample_type"], "U16");
    assert_eq!(v[0]["width"], 96);
    assert_eq!(v[0]["lossy_source"], false);
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.png");
    std::fs::write(&junk, b"not an image at all").unwrap();
    let o = run(&["info", &data("photo.png"), s(&junk)]);
    assert_eq!(o.status.code(), Some(1));
    let (out, err) = text(&o);
    assert!(out.contains("photo.png"));
    assert!(err.contains("junk.png: error:") && err.contains("signature"), "{err}");
    assert!(err.contains("1 of 2 files could not be read"), "{err}");
}

#[test]
fn info_notes_extension_content_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("photo.jpg");
    std::fs::copy(data("photo.png"), &fake).unwrap();
    let (out, _) = text(&run(&["info", s(&fake)]));
    assert!(
        out.contains("note: file extension .jpg does not match the content, which is png"),
        "{out}"
    );
}

#[test]
fn convert_to_tiff_with_options_is_exact_and_verified() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("photo.tif");
    let o = run(&[
        "convert",
        &data("photo.png"),
        s(&out),
        "--compression",
        "lzw",
        "--predictor",
        "--verify",
        "--require-exact",
    ]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stdout.contains("codec tiff") && stdout.contains("verified identical"),
        "{stdout}"
    );
    assert!(!stderr.contains("lossy"));
    assert_eq!(decode(&out), decode(Path::new(&data("photo.png"))));
}

#[test]
fn convert_to_jpeg_notes_loss_and_honours_jpeg_flags() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("photo.jpg");
    let o = run(&[
        "convert",
        &data("photo.png"),
        s(&out),
        "--quality",
        "50",
        "--subsampling",
        "444",
        "--progressive",
        "--codec",
        "jpeg-turbo",
        "--verify",
    ]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stderr}");
    assert!(stdout.contains("verified: max difference"), "{stdout}");
    assert!(
        stderr.contains("note:") && stderr.contains("is lossy: JPEG is lossy (quality 50, 4:4:4"),
        "{stderr}"
    );
    let bytes = std::fs::read(&out).unwrap();
    assert!(
        bytes.windows(2).any(|w| w == [0xFF, 0xC2]),
        "progressive SOF2 marker missing"
    );
}

#[test]
fn convert_refuses_what_the_format_cannot_hold_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("labels.png");
    let o = run(&["convert", &data("labels.npy"), s(&out), "--page", "0"]);
    assert_eq!(o.status.code(), Some(3));
    let (_, err) = text(&o);
    assert!(
        err.contains("png cannot store Gray U32") && err.contains("tiff"),
        "{err}"
    );
    assert!(!out.exists());
    let out = dir.path().join("strict.jpg");
    let o = run(&["convert", &data("photo.png"), s(&out), "--require-exact"]);
    assert_eq!(o.status.code(), Some(3));
    // The advice names the flag (the message may be wrapped at 160 characters).
    let err = text(&o).1.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(err.contains("exactness is required (--require-exact)"), "{err}");
    assert!(!out.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "temp files left behind"
    );
}

#[test]
fn convert_rejects_bad_options_and_multipage_into_single_image_formats() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.png");
    let o = run(&["convert", &data("photo.png"), s(&out), "--quality", "80"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o).1.contains("codec png does not accept option 'quality'"),
        "{}",
        text(&o).1
    );
    let o = run(&["convert", &data("photo.png"), s(&out), "-O", "level"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("KEY=VALUE"));
    let o = run(&["convert", &data("photo.png"), s(&out), "--level", "12"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("out of range"), "{}", text(&o).1);
    let tif = dir.path().join("labels.tif");
    assert!(run(&["convert", &data("labels.npy"), s(&tif)]).status.success());
    let gray = dir.path().join("slice.npy");
    let o = run(&["convert", s(&tif), s(&gray), "--page", "9"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("--page 9 does not exist"));
    let o = run(&["convert", &data("photo.png"), s(&dir.path().join("noext"))]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("--format"));
    let jpg = dir.path().join("pages.jpg");
    let rgb_pages = dir.path().join("rgb.tif");
    let img = pixcodec::read(data("photo.png")).unwrap();
    pixcodec::write_pages(
        &[img.as_ref(), img.as_ref()],
        &rgb_pages,
        &pixcodec::EncodeOptions::new(),
    )
    .unwrap();
    let o = run(&["convert", s(&rgb_pages), s(&jpg)]);
    assert_ne!(o.status.code(), Some(0));
    assert!(text(&o).1.contains("multi-page"), "{}", text(&o).1);
    assert!(run(&["convert", s(&rgb_pages), s(&jpg), "--page", "1"])
        .status
        .success());
}

#[test]
fn convert_generic_option_and_explicit_format() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("photo.bin");
    let o = run(&[
        "convert",
        &data("photo.png"),
        s(&out),
        "--format",
        "image/tiff",
        "-O",
        "compression=deflate",
        "--level",
        "9",
    ]);
    assert!(o.status.success(), "{}", text(&o).1);
    assert_eq!(&std::fs::read(&out).unwrap()[..2], b"II");
    assert_eq!(decode(&out), decode(Path::new(&data("photo.png"))));
}

#[test]
fn labels_round_trip_npy_tiff_npy_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let tif = dir.path().join("labels.tif");
    let back = dir.path().join("back.npy");
    let o = run(&["convert", &data("labels.npy"), s(&tif), "--compression", "deflate"]);
    assert!(o.status.success(), "{}", text(&o).1);
    assert!(text(&o).0.contains("5 pages"));
    assert!(run(&["convert", s(&tif), s(&back)]).status.success());
    assert_eq!(
        std::fs::read(&back).unwrap(),
        std::fs::read(data("labels.npy")).unwrap()
    );
}

#[test]
fn batch_convert_into_folder_in_parallel() {
    let dir = tempfile::tempdir().unwrap();
    let outdir: PathBuf = dir.path().join("out");
    let bad = dir.path().join("broken.png");
    std::fs::write(&bad, b"\x89PNG\r\n\x1a\ntruncated").unwrap();
    let o = run(&[
        "convert",
        &data("photo.png"),
        &data("gray16.png"),
        s(&bad),
        s(&outdir),
        "--format",
        "tiff",
        "-j",
        "2",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let (out, _) = text(&o);
    assert!(out.contains("converted 2 of 3 files"), "{out}");
    assert!(
        text(&o).1.contains("error:") && text(&o).1.contains("broken.png"),
        "{}",
        text(&o).1
    );
    assert_eq!(decode(&outdir.join("photo.tif")), decode(Path::new(&data("photo.png"))));
    assert_eq!(
        decode(&outdir.join("gray16.tif")),
        decode(Path::new(&data("gray16.png")))
    );
    assert!(!outdir.join("broken.tif").exists());
    // Without --format several inputs are refused.
    let o = run(&["convert", &data("photo.png"), &data("gray16.png"), s(&outdir)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("--format"));
    // A batch where every failure is an exactness refusal exits 3.
    let o = run(&[
        "convert",
        &data("labels.npy"),
        &data("gray16.png"),
        s(&outdir),
        "--format",
        "jpeg",
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o).0);
}

#[test]
fn check_answers_yes_and_no_with_reasons() {
    let o = run(&["check", &data("labels.npy"), "--as", "tiff"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o).0.starts_with("yes:"), "{}", text(&o).0);
    let o = run(&["check", &data("labels.npy"), "--as", "png"]);
    assert_eq!(o.status.code(), Some(3));
    let (out, _) = text(&o);
    assert!(
        out.starts_with("no:") && out.contains("Gray U32") && out.contains("tiff"),
        "{out}"
    );
    let o = run(&["check", &data("photo.png"), "--as", "jpeg"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(text(&o).0.contains("lossy"));
    let o = run(&["check", &data("photo.png"), "--as", "nosuch"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("unknown format"));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(&["convert", "only-one-path"]).status.code(), Some(2));
    assert_eq!(run(&["frobnicate"]).status.code(), Some(2));
    let o = run(&["--version"]);
    assert!(text(&o).0.contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn check_takes_options_and_codecs_shows_exact_with() {
    // 16-bit gray: lossy JPEG cannot hold it, lossless JPEG can.
    let o = run(&["check", &data("gray16.png"), "--as", "jpeg"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(text(&o).0.contains("lossless=true"), "{}", text(&o).0);
    let o = run(&["check", &data("gray16.png"), "--as", "jpeg", "-O", "lossless=true"]);
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    assert!(text(&o).0.starts_with("yes:"), "{}", text(&o).0);
    let o = run(&["check", &data("gray16.png"), "--as", "jpeg", "-O", "lossless"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("KEY=VALUE"), "{}", text(&o).1);

    let o = run(&["codecs"]);
    assert!(
        text(&o)
            .0
            .contains("Gray/Rgb/Cmyk U8,U16 (lossy; exact with lossless=true)"),
        "{}",
        text(&o).0
    );
    let o = run(&["codecs", "--verbose"]);
    assert!(
        text(&o).0.contains("Gray U16 (lossy; exact with lossless=true)"),
        "{}",
        text(&o).0
    );
    let o = run(&["codecs", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let jpeg = codec_entry(&v, "jpeg-turbo");
    assert!(jpeg["encode"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["exact_with"] == "lossless=true"));
    let png = codec_entry(&v, "png");
    assert!(png["encode"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["exact_with"].is_null()));
}
