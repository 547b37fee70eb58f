//! `info` metadata values (text and `--json` typed fields), `meta` extraction (byte-identical,
//! atomic, errors naming what the file has) and `load --orient`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use pixcodec::convert::orient;
use pixcodec::metadata::icc;
use pixcodec::{EncodeOptions, Layout, Metadata, PixelFormat, Resolution, ResolutionUnit, SampleType, TextEntry};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_pixcodec");

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("run pixcodec")
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A big-endian EXIF block: IFD0 with Make ("Canon") and Orientation 6.
fn exif_block() -> Vec<u8> {
    let mut b = b"MM\0*".to_vec();
    b.extend_from_slice(&8u32.to_be_bytes());
    b.extend_from_slice(&2u16.to_be_bytes());
    for (tag, ty, count, value) in [(0x010Fu16, 2u16, 6u32, 38u32), (0x0112, 3, 1, 6 << 16)] {
        b.extend_from_slice(&tag.to_be_bytes());
        b.extend_from_slice(&ty.to_be_bytes());
        b.extend_from_slice(&count.to_be_bytes());
        b.extend_from_slice(&value.to_be_bytes());
    }
    b.extend_from_slice(&0u32.to_be_bytes());
    b.extend_from_slice(b"Canon\0");
    b
}

const XMP: &[u8] = b"<?xpacket begin=\"\xef\xbb\xbf\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\
<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\
<rdf:Description xmlns:tiff=\"http://ns.adobe.com/tiff/1.0/\" tiff:Orientation=\"6\"/></rdf:RDF></x:xmpmeta>\
<?xpacket end=\"w\"?>";

/// A JPEG with a v2 ICC profile, EXIF, XMP and 300x150 dpi, and a PNG with a v4 profile,
/// a resolution in pixels per metre and two text entries; with their metadata.
fn files(dir: &Path) -> (PathBuf, Metadata, PathBuf, Metadata) {
    let img = pixcodec::testkit::generate(40, 24, PixelFormat::new(Layout::Rgb, SampleType::U8), 1);
    let mut jm = Metadata::default();
    jm.icc_profile = Some(icc::with_desc_tag(
        &icc::text_description_tag("pixcodec test RGB"),
        2,
        b"RGB ",
    ));
    jm.exif = Some(exif_block());
    jm.orientation = Some(6);
    jm.xmp = Some(XMP.to_vec());
    jm.resolution = Some(Resolution::new(300.0, 150.0, ResolutionUnit::Inch));
    let jpg = dir.join("photo.jpg");
    let e = pixcodec::write(img.as_ref(), &jpg, &EncodeOptions::new().metadata(jm.clone())).unwrap();
    assert!(e.metadata_dropped.is_empty(), "{:?}", e.metadata_dropped);

    let mut pm = Metadata::default();
    let v4 = icc::multi_localized_tag(&[(b"de", b"DE", "Anzeige"), (b"en", b"US", "Display P3 (test)")]);
    pm.icc_profile = Some(icc::with_desc_tag(&v4, 4, b"RGB "));
    pm.resolution = Some(Resolution::new(2835.0, 2835.0, ResolutionUnit::Meter));
    pm.text = vec![TextEntry::new("Title", "a test"), TextEntry::new("Author", "pixcodec")];
    let png = dir.join("diagram.png");
    pixcodec::write(img.as_ref(), &png, &EncodeOptions::new().metadata(pm.clone())).unwrap();
    (jpg, jm, png, pm)
}

#[test]
fn info_shows_every_metadata_value_in_text_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let (jpg, jm, png, _) = files(dir.path());
    let o = run(&["info", s(&jpg), s(&png)]);
    assert!(o.status.success(), "{}", err(&o));
    let text = out(&o);
    let icc_len = jm.icc_profile.as_ref().unwrap().len();
    for want in [
        format!("  icc profile: {icc_len} bytes, \"pixcodec test RGB\" (RGB, v2.1)"),
        "  resolution: 300 x 150 per inch".to_string(),
        "  orientation: 6 (rotated 90° clockwise to display)".to_string(),
        format!("  exif: {} bytes", exif_block().len()),
        format!("  xmp: {} bytes", XMP.len()),
        "\"Display P3 (test)\" (RGB, v4.1)".to_string(),
        "  resolution: 2835 x 2835 per metre (72.01 x 72.01 dpi)".to_string(),
        "  text keys: Title, Author".to_string(),
    ] {
        assert!(text.contains(&want), "missing '{want}' in:\n{text}");
    }
    assert!(text.lines().all(|l| l.chars().count() <= 160));

    let o = run(&["info", "--json", s(&jpg), s(&png)]);
    assert!(o.status.success(), "{}", err(&o));
    let v: Value = serde_json::from_str(&out(&o)).unwrap();
    let (j, p) = (&v[0], &v[1]);
    assert_eq!(j["icc_profile"]["bytes"], icc_len);
    assert_eq!(j["icc_profile"]["description"], "pixcodec test RGB");
    assert_eq!(j["icc_profile"]["color_space"], "RGB");
    assert_eq!(j["icc_profile"]["version"], "2.1");
    assert_eq!(
        j["resolution"],
        serde_json::json!({"x": 300.0, "y": 150.0, "unit": "inch"})
    );
    assert_eq!(j["dpi"], serde_json::json!([300.0, 150.0]));
    assert_eq!(j["orientation"]["value"], 6);
    assert_eq!(j["exif_bytes"], exif_block().len());
    assert_eq!(j["xmp_bytes"], XMP.len());
    assert_eq!(j["unreadable"], serde_json::json!([]));
    assert_eq!(p["icc_profile"]["description"], "Display P3 (test)");
    assert_eq!(p["resolution"]["unit"], "metre");
    assert_eq!(p["resolution"]["x"], 2835.0);
    assert!((p["dpi"][0].as_f64().unwrap() - 72.009).abs() < 1e-3);
    assert_eq!(p["text_keys"], serde_json::json!(["Title", "Author"]));
    assert!(p["orientation"].is_null() && p["exif_bytes"].is_null() && p["xmp_bytes"].is_null());
}

#[test]
fn meta_extracts_items_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let (jpg, jm, png, pm) = files(dir.path());
    let (icc_out, exif_out, xmp_out) = (
        dir.path().join("a.icc"),
        dir.path().join("a.bin"),
        dir.path().join("a.xmp"),
    );
    let o = run(&[
        "meta",
        s(&jpg),
        "--icc",
        s(&icc_out),
        "--exif",
        s(&exif_out),
        "--xmp",
        s(&xmp_out),
    ]);
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(std::fs::read(&icc_out).unwrap(), jm.icc_profile.unwrap());
    assert_eq!(std::fs::read(&exif_out).unwrap(), exif_block());
    assert_eq!(std::fs::read(&xmp_out).unwrap(), XMP);
    assert_eq!(out(&o).lines().count(), 3, "{}", out(&o));
    assert!(out(&o).contains(&format!("{}: exif, {} bytes from", s(&exif_out), exif_block().len())));

    // Listing.
    let o = run(&["meta", s(&png)]);
    assert!(o.status.success());
    let icc_len = pm.icc_profile.as_ref().unwrap().len();
    assert_eq!(out(&o), format!("{}: icc profile ({icc_len} bytes)\n", s(&png)));

    // An absent item: an error naming what the file has, and nothing written, not even the
    // item that is there.
    let (icc2, exif2) = (dir.path().join("b.icc"), dir.path().join("b.bin"));
    let o = run(&["meta", s(&png), "--icc", s(&icc2), "--exif", s(&exif2)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains(&format!(
            "has no exif to write with --exif; it has icc profile ({icc_len} bytes)"
        )),
        "{}",
        err(&o)
    );
    assert!(!icc2.exists() && !exif2.exists());
    let bare = dir.path().join("bare.png");
    let img = pixcodec::testkit::generate(3, 2, PixelFormat::new(Layout::Gray, SampleType::U8), 1);
    pixcodec::write(img.as_ref(), &bare, &EncodeOptions::new()).unwrap();
    let o = run(&["meta", s(&bare), "--xmp", s(&dir.path().join("x.xmp"))]);
    assert!(err(&o).contains("it has no icc profile, exif or xmp"), "{}", err(&o));

    // The input as output, or one output twice: usage errors, the input untouched.
    let before = std::fs::read(&jpg).unwrap();
    let o = run(&["meta", s(&jpg), "--icc", s(&jpg)]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("is the input file"));
    let o = run(&["meta", s(&jpg), "--icc", s(&icc2), "--xmp", s(&icc2)]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert_eq!(std::fs::read(&jpg).unwrap(), before);
    assert!(!icc2.exists());

    // Not an image.
    let junk = dir.path().join("junk.png");
    std::fs::write(&junk, b"not an image").unwrap();
    let o = run(&["meta", s(&junk), "--icc", s(&icc2)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!icc2.exists());
}

#[test]
fn meta_and_info_on_a_real_profile_from_the_corpus() {
    let root = std::env::var_os("PIXCODEC_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"));
    let file = root.join("photos/exoplanet_diagram.png");
    if !file.exists() {
        eprintln!("skipped: {} is absent (the conformance corpus)", file.display());
        return;
    }
    let o = run(&["info", s(&file)]);
    assert!(
        out(&o).contains("icc profile: 3144 bytes, \"sRGB IEC61966-2.1\" (RGB, v2.1)"),
        "{}",
        out(&o)
    );
    let dir = tempfile::tempdir().unwrap();
    let (icc_out, xmp_out) = (dir.path().join("srgb.icc"), dir.path().join("d.xmp"));
    let o = run(&["meta", s(&file), "--icc", s(&icc_out), "--xmp", s(&xmp_out)]);
    assert!(o.status.success(), "{}", err(&o));
    let p = std::fs::read(&icc_out).unwrap();
    // The profile's own size field and signature agree with the bytes written.
    assert_eq!(u32::from_be_bytes([p[0], p[1], p[2], p[3]]) as usize, p.len());
    assert_eq!(&p[36..40], b"acsp");
    assert_eq!(icc::description(&p).as_deref(), Some("sRGB IEC61966-2.1"));
    assert!(std::fs::read(&xmp_out).unwrap().starts_with(b"<?xpacket"));
}

#[test]
fn load_orients_only_with_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let (jpg, _, _, _) = files(dir.path());
    // The PNG of the same pixels with orientation 6, lossless so pixels compare exactly.
    let img = pixcodec::decode(&std::fs::read(&jpg).unwrap()).unwrap();
    let mut m = Metadata::default();
    m.exif = Some(exif_block());
    let png = dir.path().join("six.png");
    pixcodec::write(img.as_ref(), &png, &EncodeOptions::new().metadata(m)).unwrap();
    let (a, b) = (dir.path().join("as_stored.png"), dir.path().join("upright.png"));
    let o = run(&["load", s(&png), "-o", s(&a)]);
    assert!(o.status.success(), "{}", err(&o));
    let o = run(&["load", s(&png), "-o", s(&b), "--orient"]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("24x40 Rgb U8"), "{}", out(&o));
    assert_eq!(pixcodec::decode(&std::fs::read(&a).unwrap()).unwrap(), img);
    let up = pixcodec::decode(&std::fs::read(&b).unwrap()).unwrap();
    assert_eq!(up, orient(&img.as_ref(), 6).unwrap());
    // --target-size is the upright image's HEIGHTxWIDTH.
    let c = dir.path().join("sized.npy");
    let o = run(&["load", s(&png), "-o", s(&c), "--orient", "--target-size", "20x12"]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("[20, 12, 3]"), "{}", out(&o));
}

#[test]
fn convert_orient_turns_pixels_upright_and_writes_orientation_1() {
    let dir = tempfile::tempdir().unwrap();
    let (jpg, jm, png, _) = files(dir.path());
    let stored = pixcodec::decode(&std::fs::read(&jpg).unwrap()).unwrap();
    let out_png = dir.path().join("upright.png");
    let o = run(&["convert", s(&jpg), s(&out_png), "--orient"]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("orient 6->1"), "{}", out(&o));
    let data = std::fs::read(&out_png).unwrap();
    assert_eq!(pixcodec::decode(&data).unwrap(), orient(&stored.as_ref(), 6).unwrap());
    let m = pixcodec::probe(&data).unwrap().metadata;
    assert_eq!(m.orientation, Some(1));
    // The EXIF block differs from the source's only in the orientation value; the XMP too.
    let (src, got) = (exif_block(), m.exif.unwrap());
    let diff: Vec<usize> = (0..src.len()).filter(|&i| src[i] != got[i]).collect();
    assert_eq!((got.len(), diff), (src.len(), vec![31]));
    assert_eq!(pixcodec::metadata::xmp::orientation(m.xmp.as_ref().unwrap()), Some(1));
    assert_eq!(m.icc_profile, jm.icc_profile);
    // x and y swapped (PNG stores whole pixels per metre: 5906 x 11811, about 150 x 300 dpi).
    let (x, y) = m.resolution.unwrap().dpi().unwrap();
    assert_eq!((x.round(), y.round()), (150.0, 300.0));

    // Without --orient the pixels and the orientation stay as stored.
    let kept = dir.path().join("kept.png");
    assert!(run(&["convert", s(&jpg), s(&kept)]).status.success());
    let data = std::fs::read(&kept).unwrap();
    assert_eq!(pixcodec::decode(&data).unwrap(), stored);
    assert_eq!(pixcodec::probe(&data).unwrap().metadata.orientation, Some(6));

    // Nothing to turn: a note, the pixels unchanged.
    let o = run(&["convert", s(&png), s(&dir.path().join("same.tif")), "--orient"]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(err(&o).contains("--orient changed nothing"), "{}", err(&o));
}

#[test]
fn unreadable_items_are_named_by_info_and_meta() {
    let dir = tempfile::tempdir().unwrap();
    let img = pixcodec::testkit::generate(8, 8, PixelFormat::new(Layout::Gray, SampleType::U8), 1);
    // An EXIF block whose IFD0 offset points far outside it.
    let mut bad = pixcodec::metadata::exif::minimal(6);
    bad[4..8].copy_from_slice(&4000u32.to_le_bytes());
    let mut m = Metadata::default();
    m.exif = Some(bad);
    let jpg = dir.path().join("bad.jpg");
    pixcodec::write(img.as_ref(), &jpg, &EncodeOptions::new().metadata(m)).unwrap();
    let o = run(&["info", s(&jpg)]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        out(&o).contains("  unreadable: exif: IFD0 offset 4000 is outside the 26-byte block"),
        "{}",
        out(&o)
    );
    let v: Value = serde_json::from_str(&out(&run(&["info", "--json", s(&jpg)]))).unwrap();
    assert_eq!(
        v[0]["unreadable"][0],
        "exif: IFD0 offset 4000 is outside the 26-byte block"
    );
    assert!(v[0]["exif_bytes"].is_null());
    let o = run(&["meta", s(&jpg)]);
    assert_eq!(
        out(&o),
        format!(
            "{}: no icc profile, exif or xmp\n  unreadable: exif: IFD0 offset 4000 is outside the 26-byte block\n",
            s(&jpg)
        )
    );
    let o = run(&["meta", s(&jpg), "--exif", s(&dir.path().join("e.bin"))]);
    assert_eq!(o.status.code(), Some(1));
    let text = err(&o).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains("has no exif to write with --exif (its exif could not be read: IFD0 offset 4000 is outside the 26-byte block)"),
        "{text}"
    );
}
