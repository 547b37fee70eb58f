//! `pixcodec load` and `pixcodec dataset`.

use std::path::Path;
use std::process::Command;

use pixcodec::{EncodeOptions, Image, Layout};

fn pixcodec() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pixcodec"))
}

fn picture(w: u32, h: u32, seed: u8) -> Image {
    let mut v = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        for x in 0..w {
            v.extend_from_slice(&[(x * 255 / w) as u8, (y * 255 / h) as u8, seed]);
        }
    }
    Image::from_samples(w, h, Layout::Rgb, &v).unwrap()
}

fn write(path: &Path, img: &Image) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    pixcodec::write(img.as_ref(), path, &EncodeOptions::default()).unwrap();
}

/// A temporary folder holding `in.png`, a 40x30 Rgb U8 [`picture`].
fn source_png(seed: u8) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("in.png");
    write(&src, &picture(40, 30, seed));
    (dir, src)
}

/// (descr, shape) from an .npy header.
fn npy_shape(path: &Path) -> (String, String) {
    let b = std::fs::read(path).unwrap();
    let h = String::from_utf8_lossy(&b[10..10 + u16::from_le_bytes([b[8], b[9]]) as usize]).into_owned();
    let descr = h
        .split("'descr': '")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap()
        .to_string();
    let shape = h
        .split("'shape': ")
        .nth(1)
        .unwrap()
        .split(')')
        .next()
        .unwrap()
        .to_string()
        + ")";
    (descr, shape)
}

#[test]
fn load_writes_an_img_to_array_npy() {
    let (dir, src) = source_png(7);
    let out = dir.path().join("o.npy");
    let r = pixcodec()
        .args([
            "load",
            src.to_str().unwrap(),
            "--target-size",
            "16x24",
            "--interpolation",
            "bilinear",
        ])
        .args(["--color-mode", "rgb", "-o", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert_eq!(npy_shape(&out), ("<f4".to_string(), "(16, 24, 3)".to_string()));
    let arr = pixcodec::read(&out).unwrap();
    let expect = pixcodec::ml::load(
        &src,
        &pixcodec::ml::LoadOptions::new()
            .target_size(16, 24)
            .interpolation(pixcodec::ml::Interpolation::Bilinear),
    )
    .unwrap();
    let expect = pixcodec::convert::cast(&expect.as_ref(), pixcodec::SampleType::F32).unwrap();
    assert_eq!(arr, expect);
    // Channels first, gray, the file's own type.
    let out2 = dir.path().join("c.npy");
    let r = pixcodec()
        .args([
            "load",
            src.to_str().unwrap(),
            "--color-mode",
            "gray",
            "--channels-first",
            "--dtype",
            "keep",
        ])
        .args(["-o", out2.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(r.status.success());
    assert_eq!(npy_shape(&out2), ("|u1".to_string(), "(1, 30, 40)".to_string()));
    // A bad size is a usage error (exit 2); a missing file exits 1 naming it.
    let r = pixcodec()
        .args([
            "load",
            src.to_str().unwrap(),
            "--target-size",
            "16",
            "-o",
            out2.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(2));
    let r = pixcodec().args(["load", "nope.png", "-o", "x.npy"]).output().unwrap();
    assert_eq!(r.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&r.stderr).contains("nope.png"));
}

#[test]
fn dataset_writes_batches_labels_and_summary() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("data");
    for (c, n) in [("dogs", 3), ("cats", 4)] {
        for i in 0..n {
            write(
                &root.join(c).join(format!("{i}.png")),
                &picture(20 + i * 3, 17, i as u8),
            );
        }
    }
    let out = dir.path().join("out");
    let r = pixcodec()
        .args([
            "dataset",
            root.to_str().unwrap(),
            "--image-size",
            "8x10",
            "--batch-size",
            "3",
        ])
        .args([
            "--shuffle",
            "--seed",
            "1337",
            "--validation-split",
            "0.3",
            "--subset",
            "both",
        ])
        .args(["--label-mode", "categorical", "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&r.stdout);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert!(
        stdout.starts_with("Found 7 files belonging to 2 classes.\nUsing 5 files for training.\n"),
        "{stdout}"
    );
    assert!(stdout.contains("Using 2 files for validation."));
    assert!(stdout.contains("images/s"));
    let t = out.join("training");
    assert_eq!(
        npy_shape(&t.join("images_00000.npy")),
        ("<f4".into(), "(3, 8, 10, 3)".into())
    );
    assert_eq!(npy_shape(&t.join("images_00001.npy")).1, "(2, 8, 10, 3)");
    assert_eq!(npy_shape(&t.join("labels_00001.npy")), ("<f4".into(), "(2, 2)".into()));
    assert_eq!(
        std::fs::read_to_string(t.join("class_names.txt")).unwrap(),
        "cats\ndogs\n"
    );
    assert_eq!(npy_shape(&out.join("validation/labels_00000.npy")).1, "(2, 2)");

    // --list prints label and path in dataset order.
    let r = pixcodec()
        .args(["dataset", root.to_str().unwrap(), "--image-size", "4x4", "--list"])
        .output()
        .unwrap();
    let listed: Vec<String> = String::from_utf8_lossy(&r.stdout)
        .lines()
        .filter(|l| l.contains('\t'))
        .map(|l| l.to_string())
        .collect();
    assert_eq!(listed.len(), 7);
    assert!(
        listed[0].starts_with("0\t") && listed[0].ends_with("cats/0.png"),
        "{listed:?}"
    );
    assert!(listed[6].starts_with("1\t") && listed[6].ends_with("dogs/2.png"));

    // int labels are 1-D; a broken file fails naming it, or is skipped with --skip-errors.
    std::fs::write(root.join("cats/bad.png"), b"\x89PNG\r\n\x1a\nxx").unwrap();
    let o2 = dir.path().join("o2");
    let r = pixcodec()
        .args([
            "dataset",
            root.to_str().unwrap(),
            "--image-size",
            "8x8",
            "--dtype",
            "uint8",
        ])
        .args(["--out", o2.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&r.stderr).contains("bad.png"));
    let r = pixcodec()
        .args([
            "dataset",
            root.to_str().unwrap(),
            "--image-size",
            "8x8",
            "--dtype",
            "uint8",
            "--skip-errors",
        ])
        .args(["--out", o2.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(r.status.success());
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("skipped") && err.contains("bad.png"), "{err}");
    assert_eq!(
        npy_shape(&o2.join("images_00000.npy")),
        ("|u1".into(), "(7, 8, 8, 3)".into())
    );
    assert_eq!(npy_shape(&o2.join("labels_00000.npy")), ("<i4".into(), "(7,)".into()));
}

/// Option values go through the library's `FromStr` (every spelling the CLI accepted before
/// still works); an unknown value is a usage error (exit 2, nothing written) whose message
/// lists the accepted values.
#[test]
fn option_values_parse_through_the_library_and_unknown_ones_list_the_choices() {
    let (dir, src) = source_png(3);
    let out = dir.path().join("o.npy");
    let (s, o, root) = (
        src.to_str().unwrap(),
        out.to_str().unwrap(),
        dir.path().to_str().unwrap(),
    );
    let run = |args: &[&str]| {
        let r = pixcodec().args(args).output().unwrap();
        (r.status.code(), String::from_utf8_lossy(&r.stderr).into_owned())
    };
    for fit in [
        "stretch",
        "keep",
        "keep-aspect-ratio",
        "crop",
        "crop-to-aspect-ratio",
        "pad",
        "pad-to-aspect-ratio",
    ] {
        let (code, stderr) = run(&["load", s, "--target-size", "10x10", "--fit", fit, "-o", o]);
        assert_eq!(code, Some(0), "--fit {fit}: {stderr}");
        assert_eq!(npy_shape(&out).1, "(10, 10, 3)");
    }
    std::fs::remove_file(&out).unwrap();
    for (args, expect) in [
        (
            &["load", s, "--fit", "squash", "-o", o][..],
            "unknown fit 'squash' (stretch, keep, crop, pad)",
        ),
        (
            &["dataset", root, "--label-mode", "onehot"],
            "unknown label mode 'onehot' (int, categorical, binary, none)",
        ),
        (
            &["dataset", root, "--subset", "test"],
            "unknown subset 'test' (training, validation, both)",
        ),
        (
            &["dataset", root, "--fit", "squash"],
            "unknown fit 'squash' (stretch, keep, crop, pad)",
        ),
        (
            &["load", s, "--dct-method", "float", "-o", o],
            "unknown DCT method 'float' (accurate, fast)",
        ),
        (
            &["dataset", root, "--dct-method", "float"],
            "unknown DCT method 'float' (accurate, fast)",
        ),
    ] {
        let (code, stderr) = run(args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expect), "{args:?}: {stderr}");
    }
    assert!(!out.exists());
}

/// `load --dct-method` decodes a JPEG with the chosen IDCT (default accurate, as the library's
/// decode), and `dataset` defaults to the fast one (TensorFlow's) unless `--dct-method accurate`.
#[test]
fn load_and_dataset_take_the_jpeg_dct_method() {
    use pixcodec::{DctMethod, DecodeOptions, Registry};
    let dir = tempfile::tempdir().unwrap();
    let img = pixcodec::testkit::generate(
        24,
        16,
        pixcodec::PixelFormat::new(Layout::Rgb, pixcodec::SampleType::U8),
        3,
    );
    let jpg = pixcodec::encode(img.as_ref(), "jpeg", &EncodeOptions::new().quality(98))
        .unwrap()
        .data;
    let src = dir.path().join("cls/n.jpg");
    std::fs::create_dir_all(src.parent().unwrap()).unwrap();
    std::fs::write(&src, &jpg).unwrap();
    let decoded = |m: DctMethod| {
        Registry::global()
            .decode(&jpg, &DecodeOptions::new().dct_method(m))
            .unwrap()
    };
    let (fast, accurate) = (decoded(DctMethod::Fast), decoded(DctMethod::Accurate));
    assert_ne!(fast, accurate);
    let npy = |args: &[&str], out: &Path| {
        let r = pixcodec().args(args).output().unwrap();
        assert!(r.status.success(), "{args:?}: {}", String::from_utf8_lossy(&r.stderr));
        pixcodec::read(out).unwrap()
    };
    let out = dir.path().join("o.npy");
    let (s, o) = (src.to_str().unwrap(), out.to_str().unwrap());
    assert_eq!(npy(&["load", s, "--dtype", "keep", "-o", o], &out), accurate);
    assert_eq!(
        npy(
            &["load", s, "--dtype", "keep", "--dct-method", "INTEGER_FAST", "-o", o],
            &out
        ),
        fast
    );
    let root = dir.path().to_str().unwrap();
    let batches = dir.path().join("b");
    let b = batches.to_str().unwrap();
    let images = batches.join("images_00000.npy");
    let dataset = |extra: &[&str]| {
        let mut args = vec!["dataset", root, "--image-size", "16x24", "--dtype", "uint8", "--out", b];
        args.extend_from_slice(extra);
        let r = pixcodec().args(&args).output().unwrap();
        assert!(r.status.success(), "{args:?}: {}", String::from_utf8_lossy(&r.stderr));
        std::fs::read(&images).unwrap()
    };
    // A (1, 16, 24, 3) uint8 batch: its data is the image's packed samples.
    let npy_bytes = |img: &pixcodec::Image| img.as_bytes().to_vec();
    let tail = |file: Vec<u8>| file[file.len() - 24 * 16 * 3..].to_vec();
    assert_eq!(tail(dataset(&[])), npy_bytes(&fast));
    std::fs::remove_dir_all(&batches).unwrap();
    assert_eq!(tail(dataset(&["--dct-method", "accurate"])), npy_bytes(&accurate));
}
