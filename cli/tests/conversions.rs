//! Issue 18, items 2 to 4 on the command line: explicit conversions (`--to`, `--drop-alpha`,
//! `--add-alpha`, `--cast`, `--narrow`, `--scale`, `--swap-rb`) with exact pixel checks, each
//! named in the summary line; refusals whose advice names CLI flags (never Rust functions)
//! and only codecs holding that exact pixel format; `check` never claiming to have written;
//! extension and content agreeing.

use std::path::Path;
use std::process::Output;

use pixcodec::{EncodeOptions, Image, Layout, PixelFormat, Registry, SampleType};

mod common;
use common::{run, unwrapped};

fn out(o: &Output) -> String {
    unwrapped(&o.stdout)
}

fn err(o: &Output) -> String {
    unwrapped(&o.stderr)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn write(img: &Image, path: &Path) {
    Registry::with_builtins()
        .write(img.as_ref(), path, &EncodeOptions::new())
        .unwrap();
}

fn rgba(w: u32, h: u32) -> Image {
    pixcodec::testkit::generate(w, h, PixelFormat::new(Layout::Rgba, SampleType::U8), 7)
}

fn rgb(w: u32, h: u32) -> Image {
    pixcodec::testkit::generate(w, h, PixelFormat::new(Layout::Rgb, SampleType::U8), 8)
}

/// No line of the raw output is longer than 160 characters (long messages are wrapped).
fn assert_short_lines(o: &Output) {
    for text in [&o.stdout, &o.stderr] {
        for line in String::from_utf8_lossy(text).lines() {
            assert!(line.chars().count() <= 160, "{line}");
        }
    }
}

/// Advice on the command line names flags, never the Rust API.
fn assert_cli_advice(text: &str) {
    assert!(!text.contains("convert::") && !text.contains("EncodeOptions"), "{text}");
}

#[test]
fn rgba_to_jpeg_is_refused_with_a_flag_and_done_with_drop_alpha() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("a.png");
    let img = rgba(16, 8);
    write(&img, &src);
    let jpg = dir.path().join("a.jpg");
    let o = run(&["convert", s(&src), s(&jpg)]);
    assert_eq!(o.status.code(), Some(3), "{}", err(&o));
    assert_short_lines(&o);
    assert!(err(&o).contains("--to rgb (drops alpha)"), "{}", err(&o));
    assert_cli_advice(&err(&o));
    assert!(!jpg.exists());
    let o = run(&["convert", s(&src), s(&jpg), "--drop-alpha"]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        out(&o).contains("converted (drop-alpha Rgba->Rgb), not the input's pixels"),
        "{}",
        out(&o)
    );
    assert_eq!(pixcodec::read(&jpg).unwrap().format().layout, Layout::Rgb);
    // Exactly the colour channels, checked through a lossless output.
    let png = dir.path().join("rgb.png");
    let o = run(&["convert", s(&src), s(&png), "--drop-alpha"]);
    assert!(o.status.success(), "{}", err(&o));
    let got = pixcodec::read(&png).unwrap().to_vec::<u8>().unwrap();
    let want: Vec<u8> = img
        .to_vec::<u8>()
        .unwrap()
        .chunks(4)
        .flat_map(|p| p[..3].to_vec())
        .collect();
    assert_eq!(got, want);
}

#[test]
fn rgb_to_gif_is_refused_with_a_flag_and_done_with_add_alpha() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("a.png");
    write(&rgb(8, 8), &src);
    let gif = dir.path().join("a.gif");
    let o = run(&["convert", s(&src), s(&gif)]);
    assert_eq!(o.status.code(), Some(3));
    assert!(err(&o).contains("--to rgba (adds opaque alpha)"), "{}", err(&o));
    assert_cli_advice(&err(&o));
    let o = run(&["convert", s(&src), s(&gif), "--add-alpha"]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("add-alpha Rgb->Rgba"), "{}", out(&o));
    // Through a lossless codec: colour copied, alpha opaque.
    let png = dir.path().join("rgba.png");
    assert!(run(&["convert", s(&src), s(&png), "--add-alpha"]).status.success());
    let got = pixcodec::read(&png).unwrap().to_vec::<u8>().unwrap();
    let src_px = pixcodec::read(&src).unwrap().to_vec::<u8>().unwrap();
    for (g, w) in got.chunks(4).zip(src_px.chunks(3)) {
        assert_eq!((&g[..3], g[3]), (w, 255));
    }
}

fn gray16(dir: &Path, values: &[u16], w: u32) -> std::path::PathBuf {
    let img = Image::from_samples(w, values.len() as u32 / w, Layout::Gray, values).unwrap();
    let p = dir.join("g16.png");
    write(&img, &p);
    p
}

#[test]
fn cast_is_range_checked_and_names_the_first_misfit() {
    let dir = tempfile::tempdir().unwrap();
    let src = gray16(dir.path(), &[0, 10, 255, 7, 300, 70, 1000, 2], 4);
    let dst = dir.path().join("g8.png");
    let o = run(&["convert", s(&src), s(&dst), "--cast", "u8"]);
    assert_eq!(o.status.code(), Some(3), "{}", err(&o));
    let e = err(&o);
    assert!(e.contains("value 300 at x=0, y=1"), "{e}");
    assert!(e.contains("--scale minmax --cast u8 rescales on purpose"), "{e}");
    assert_cli_advice(&e);
    assert!(!dst.exists());
    // Values that fit: carried over unchanged, reported.
    let fits = gray16(dir.path(), &[0, 10, 255, 7], 2);
    let o = run(&["convert", s(&fits), s(&dst), "--cast", "u8"]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("cast U16->U8"), "{}", out(&o));
    let got = pixcodec::read(&dst).unwrap();
    assert_eq!(got.format(), PixelFormat::new(Layout::Gray, SampleType::U8));
    assert_eq!(got.to_vec::<u8>().unwrap(), [0, 10, 255, 7]);
    // A bad type is a usage error.
    let o = run(&["convert", s(&fits), s(&dst), "--cast", "u9"]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
}

#[test]
fn narrow_picks_the_smallest_type_from_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let labels: Vec<u32> = (0..12).map(|i| i * 20).collect();
    let img = Image::from_samples(4, 3, Layout::Gray, &labels).unwrap();
    let npy = dir.path().join("labels.npy");
    write(&img, &npy);
    let png = dir.path().join("labels.png");
    let o = run(&["convert", s(&npy), s(&png)]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        err(&o).contains("--cast u16 (fails naming the first value that does not fit)"),
        "{}",
        err(&o)
    );
    let o = run(&["convert", s(&npy), s(&png), "--narrow"]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("narrow U32->U8"), "{}", out(&o));
    let got = pixcodec::read(&png).unwrap();
    let want: Vec<u8> = labels.iter().map(|&v| v as u8).collect();
    assert_eq!(got.to_vec::<u8>().unwrap(), want);
    // Data that needs its type: nothing converted, and a note says so.
    let wide = Image::from_samples(2, 1, Layout::Gray, &[1u32, 70_000]).unwrap();
    write(&wide, &npy);
    let tif = dir.path().join("wide.tif");
    let o = run(&["convert", s(&npy), s(&tif), "--narrow"]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(!out(&o).contains("converted"), "{}", out(&o));
    assert!(
        err(&o).contains("--narrow kept U32: no smaller type of its kind holds every value"),
        "{}",
        err(&o)
    );
    assert_eq!(pixcodec::read(&tif).unwrap(), wide);
}

#[test]
fn scale_minmax_and_fixed_ranges() {
    let dir = tempfile::tempdir().unwrap();
    let src = gray16(dir.path(), &[0, 1, 2, 3, 4, 5], 3);
    let dst = dir.path().join("s.png");
    let o = run(&["convert", s(&src), s(&dst), "--scale", "minmax", "--cast", "u8"]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("scale minmax U16->U8"), "{}", out(&o));
    assert_eq!(
        pixcodec::read(&dst).unwrap().to_vec::<u8>().unwrap(),
        [0, 51, 102, 153, 204, 255]
    );
    // LO:HI refuses values outside the range, naming the first, and says how to clamp.
    let o = run(&["convert", s(&src), s(&dst), "--scale", "0:4", "--cast", "u8"]);
    assert_eq!(o.status.code(), Some(3), "{}", err(&o));
    assert!(
        err(&o).contains("value 5 at x=2, y=1") && err(&o).contains("--scale LO:HI,clip"),
        "{}",
        err(&o)
    );
    assert_cli_advice(&err(&o));
    let o = run(&["convert", s(&src), s(&dst), "--scale", "0:4,clip", "--cast", "u8"]);
    assert!(o.status.success(), "{}", err(&o));
    // 0..4 onto 0..255, rounded half to even; 5 clamped to 4.
    assert_eq!(
        pixcodec::read(&dst).unwrap().to_vec::<u8>().unwrap(),
        [0, 64, 128, 191, 255, 255]
    );
    for bad in ["4:0", "a:b", "0:4,clamp", "max"] {
        let o = run(&["convert", s(&src), s(&dst), "--scale", bad]);
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", err(&o));
    }
}

#[test]
fn to_gray_and_swap_rb_are_reported_and_exact_to_their_definition() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("c.png");
    let img = rgb(8, 4);
    write(&img, &src);
    let dst = dir.path().join("g.png");
    let o = run(&["convert", s(&src), s(&dst), "--to", "gray"]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("to Rgb->Gray (luma, lossy)"), "{}", out(&o));
    let px = img.to_vec::<u8>().unwrap();
    let want: Vec<u8> = px
        .chunks(3)
        .map(|p| ((p[0] as u32 * 19595 + p[1] as u32 * 38470 + p[2] as u32 * 7471 + 0x8000) >> 16) as u8)
        .collect();
    assert_eq!(pixcodec::read(&dst).unwrap().to_vec::<u8>().unwrap(), want);
    let o = run(&["convert", s(&src), s(&dst), "--swap-rb"]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("converted (swap-rb)"), "{}", out(&o));
    let want: Vec<u8> = px.chunks(3).flat_map(|p| [p[2], p[1], p[0]]).collect();
    assert_eq!(pixcodec::read(&dst).unwrap().to_vec::<u8>().unwrap(), want);
    // An exact conversion without flags says nothing about converting.
    let o = run(&["convert", s(&src), s(&dst)]);
    assert!(!out(&o).contains("converted"), "{}", out(&o));
    let o = run(&["convert", s(&src), s(&dst), "--to", "cmyk"]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
}

#[test]
fn in_place_conversion_with_flags_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("c.png");
    write(&rgb(4, 4), &src);
    let before = std::fs::read(&src).unwrap();
    let o = run(&["convert", s(&src), s(&src), "--swap-rb"]);
    assert_eq!(o.status.code(), Some(3), "{}", err(&o));
    assert!(
        err(&o).contains("would replace its pixels by converted ones (swap-rb)"),
        "{}",
        err(&o)
    );
    assert_eq!(std::fs::read(&src).unwrap(), before);
}

#[test]
fn check_suggests_only_codecs_holding_the_pixel_format_and_never_claims_a_write() {
    let dir = tempfile::tempdir().unwrap();
    let stack = dir.path().join("stack.tif");
    let pages: Vec<Image> = (0..2)
        .map(|i| pixcodec::testkit::generate(8, 8, PixelFormat::new(Layout::Gray, SampleType::U16), i))
        .collect();
    let views: Vec<_> = pages.iter().map(|p| p.as_ref()).collect();
    Registry::with_builtins()
        .write_pages(&views, &stack, &EncodeOptions::new())
        .unwrap();
    let o = run(&["check", s(&stack), "--as", "png"]);
    assert_eq!(o.status.code(), Some(3));
    assert_short_lines(&o);
    let text = out(&o);
    assert!(
        text.starts_with("no: ") && text.contains("tiff for multi-page output"),
        "{text}"
    );
    // gif-image-rs holds several pages, but only Rgba U8.
    assert!(!text.contains("gif") && !text.contains("nothing was written"), "{text}");
    // A lossy target: no, with the exact alternatives, and no claim of a write.
    let photo = dir.path().join("p.png");
    write(&rgb(16, 16), &photo);
    let o = run(&["check", s(&photo), "--as", "jpeg"]);
    assert_eq!(o.status.code(), Some(3));
    let text = out(&o);
    assert!(text.contains("is lossy for Rgb U8") && text.contains("png"), "{text}");
    assert!(
        !text.contains("nothing was written") && !text.contains("require_exact"),
        "{text}"
    );
    // Gray U16 as JPEG: the advice names flags that exist on check too, and they work.
    let g = gray16(dir.path(), &[1, 2, 3, 4], 2);
    let o = run(&["check", s(&g), "--as", "gif"]);
    let text = out(&o);
    assert!(text.contains("--to rgba") && text.contains("--cast u8"), "{text}");
    assert_cli_advice(&text);
    let o = run(&["check", s(&g), "--as", "png", "--cast", "u8"]);
    assert!(o.status.success(), "{}", out(&o));
    assert!(out(&o).contains("after the conversions cast U16->U8"), "{}", out(&o));
}

#[test]
fn content_of_another_format_under_a_known_extension_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("a.png");
    write(&rgb(4, 4), &src);
    let x = dir.path().join("x.png");
    for flags in [["--codec", "tiff"], ["--format", "tiff"]] {
        let mut args = vec!["convert", s(&src), s(&x)];
        args.extend(flags);
        let o = run(&args);
        assert_eq!(o.status.code(), Some(1), "{}", err(&o));
        let e = err(&o);
        assert!(
            e.contains(".png is the extension of png") && e.contains("--force-extension"),
            "{e}"
        );
        assert!(e.contains(".tif") && !x.exists(), "{e}");
    }
    let o = run(&["convert", s(&src), s(&x), "--codec", "tiff", "--force-extension"]);
    assert!(o.status.success(), "{}", err(&o));
    let bytes = std::fs::read(&x).unwrap();
    assert!(bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*"));
    // Agreeing, absent or unknown extensions are not refused.
    for (name, flag) in [("y.tif", "tiff"), ("y", "png"), ("y.dat", "png")] {
        let p = dir.path().join(name);
        let o = run(&["convert", s(&src), s(&p), "--format", flag]);
        assert!(o.status.success(), "{name}: {}", err(&o));
    }
}
