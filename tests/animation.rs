//! Animation timing kept between the formats that hold it: the frame delays, disposals and
//! loop counts Pillow wrote into the fixtures of tests/data/animation/ (make_fixtures.py,
//! expected.json) decode exactly, GIF → GIF and WebP → GIF write them back (checked by reading
//! the output with the gif crate), and GIF → PNG reports them dropped (nothing written when
//! strict).
#![cfg(all(feature = "image-rs", feature = "png"))]

use std::path::PathBuf;

use pixcodec::metadata::{Disposal, FrameTiming};
use pixcodec::{DecodeOptions, EncodeOptions, Image, ImageInfo, MetadataItem, MetadataPolicy, Registry};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/animation")
        .join(name)
}

/// What make_fixtures.py says a fixture stores.
struct Expected {
    timings: Vec<FrameTiming>,
    loop_count: Option<u32>,
}

fn expected(name: &str) -> Expected {
    let text = std::fs::read_to_string(fixture("expected.json")).unwrap();
    let all: serde_json::Value = serde_json::from_str(&text).unwrap();
    let e = &all[name];
    let delays = e["delay_ms"].as_array().unwrap();
    let disposals = e["disposal"].as_array().unwrap();
    Expected {
        timings: delays
            .iter()
            .zip(disposals)
            .map(|(d, p)| FrameTiming {
                delay_ms: d.as_u64().unwrap() as u32,
                disposal: Disposal::parse(p.as_str().unwrap()).unwrap(),
            })
            .collect(),
        loop_count: e["loop_count"].as_u64().map(|n| n as u32),
    }
}

fn read(name: &str) -> Vec<(ImageInfo, Image)> {
    Registry::global()
        .read_pages_with_infos(fixture(name), &DecodeOptions::new())
        .unwrap()
}

/// The options carrying every page's timing and the first page's metadata, as
/// `pixcodec convert` builds them.
fn carry(pages: &[(ImageInfo, Image)]) -> EncodeOptions {
    EncodeOptions::new()
        .metadata(pages[0].0.metadata.clone())
        .frame_timings(pages.iter().map(|(i, _)| i.metadata.frame.unwrap()).collect())
}

/// (delay in centiseconds, disposal, NETSCAPE repeat) of each frame of a GIF, read by the
/// gif crate.
fn gif_timing(data: &[u8]) -> (Vec<(u16, gif::DisposalMethod)>, gif::Repeat) {
    let mut opts = gif::DecodeOptions::new();
    opts.set_color_output(gif::ColorOutput::RGBA);
    let mut d = opts.read_info(data).unwrap();
    let mut frames = Vec::new();
    while let Some(f) = d.read_next_frame().unwrap() {
        frames.push((f.delay, f.dispose));
    }
    (frames, d.repeat())
}

fn gif_disposal(d: Disposal) -> gif::DisposalMethod {
    match d {
        Disposal::Keep => gif::DisposalMethod::Keep,
        Disposal::Background => gif::DisposalMethod::Background,
        Disposal::Previous => gif::DisposalMethod::Previous,
    }
}

#[test]
fn decoded_timing_is_what_pillow_wrote() {
    for name in ["loop3.gif", "once.gif", "twice.webp"] {
        let e = expected(name);
        let pages = read(name);
        let got: Vec<FrameTiming> = pages.iter().map(|(i, _)| i.metadata.frame.unwrap()).collect();
        assert_eq!(got, e.timings, "{name}");
        assert_eq!(pages[0].0.metadata.loop_count, e.loop_count, "{name}");
        assert!(
            pages[1..].iter().all(|(i, _)| i.metadata.loop_count.is_none()),
            "{name}"
        );
        let probed = Registry::global()
            .probe_path(fixture(name), &DecodeOptions::new())
            .unwrap();
        assert_eq!(
            (probed.metadata.frame, probed.metadata.loop_count),
            (Some(e.timings[0]), e.loop_count)
        );
    }
}

#[test]
fn gif_to_gif_keeps_delays_disposals_and_loop_count() {
    for name in ["loop3.gif", "once.gif"] {
        let pages = read(name);
        let views: Vec<_> = pages.iter().map(|(_, p)| p.as_ref()).collect();
        let out = Registry::global()
            .encode_pages_into(
                &views,
                "gif",
                &carry(&pages).metadata_policy(MetadataPolicy::Strict),
                &mut Vec::new(),
            )
            .map(|r| r.metadata_dropped)
            .unwrap();
        assert!(out.is_empty(), "{name}: {out:?}");
        let mut data = Vec::new();
        Registry::global()
            .encode_pages_to(&views, "gif", &carry(&pages), &mut data)
            .unwrap();
        let (frames, repeat) = gif_timing(&data);
        let (source, source_repeat) = gif_timing(&std::fs::read(fixture(name)).unwrap());
        assert_eq!(frames, source, "{name}");
        assert_eq!(repeat, source_repeat, "{name}");
        let e = expected(name);
        let want: Vec<_> = e
            .timings
            .iter()
            .map(|t| ((t.delay_ms / 10) as u16, gif_disposal(t.disposal)))
            .collect();
        assert_eq!(frames, want, "{name}");
        // Absent extension: the gif crate's default, Finite(0); NETSCAPE 3 for 4 plays.
        let repeats = if name == "loop3.gif" { 3 } else { 0 };
        assert_eq!(repeat, gif::Repeat::Finite(repeats), "{name}");
        let back = Registry::global().decode_pages(&data, &DecodeOptions::new()).unwrap();
        assert_eq!(back.len(), pages.len());
    }
}

#[test]
fn webp_to_gif_keeps_timing_and_reports_the_rounded_delay() {
    let pages = read("twice.webp");
    // Pillow's frames are opaque: the WebP decodes as Rgb; GIF encodes Rgba.
    let rgba: Vec<Image> = pages
        .iter()
        .map(|(_, p)| pixcodec::convert::add_alpha(&p.as_ref(), pixcodec::convert::Alpha::Opaque).unwrap())
        .collect();
    let views: Vec<_> = rgba.iter().map(|p| p.as_ref()).collect();
    let mut data = Vec::new();
    let report = Registry::global()
        .encode_pages_to(&views, "gif", &carry(&pages), &mut data)
        .unwrap();
    let notes: Vec<String> = report.metadata_dropped.iter().map(|n| n.to_string()).collect();
    assert_eq!(
        notes,
        ["frame timing: gif-image-rs stores delays in hundredths of a second: 45 ms is written as 50 ms"]
    );
    let (frames, repeat) = gif_timing(&data);
    let e = expected("twice.webp");
    let want: Vec<_> = [12u16, 5, 20]
        .into_iter()
        .zip(&e.timings)
        .map(|(cs, t)| (cs, gif_disposal(t.disposal)))
        .collect();
    assert_eq!(frames, want);
    // Two plays: one repeat.
    assert_eq!(repeat, gif::Repeat::Finite(1));
    let back = read_bytes_timing(&data);
    assert_eq!(back.1, Some(2));

    let strict = carry(&pages).metadata_policy(MetadataPolicy::Strict);
    let mut out = Vec::new();
    let err = Registry::global()
        .encode_pages_to(&views, "gif", &strict, &mut out)
        .unwrap_err();
    assert_eq!(err.kind(), pixcodec::ErrorKind::NotExact);
    assert!(out.is_empty());
}

/// Every page's timing and the loop count of an encoded file, decoded by pixcodec.
fn read_bytes_timing(data: &[u8]) -> (Vec<Option<FrameTiming>>, Option<u32>) {
    let mut d = Registry::global().decoder(data, &DecodeOptions::new()).unwrap();
    let loop_count = d.info().metadata.loop_count;
    let mut t = vec![d.info().metadata.frame];
    while d.next_page().unwrap() {
        t.push(d.info().metadata.frame);
    }
    (t, loop_count)
}

#[test]
fn gif_to_png_reports_the_timing_dropped_and_strict_writes_nothing() {
    let pages = read("loop3.gif");
    let first = pages[0].1.as_ref();
    let opts = EncodeOptions::new().metadata(pages[0].0.metadata.clone());
    let report = Registry::global().encode(first, "png", &opts).unwrap().report;
    let items: Vec<&MetadataItem> = report.metadata_dropped.iter().map(|n| &n.item).collect();
    assert_eq!(items, [&MetadataItem::FrameTiming, &MetadataItem::LoopCount]);
    assert_eq!(
        report.metadata_dropped[0].to_string(),
        "frame timing: png stores still images, not animation frames: the delay (100 ms) and disposal (keep) are not kept"
    );
    assert_eq!(
        report.metadata_dropped[1].to_string(),
        "loop count: png stores still images, not animations: the loop count (4 plays) is not kept"
    );
    for target in ["tiff", "npy", "jpeg", "bmp"] {
        let rgb = pixcodec::convert::drop_alpha(&first).unwrap();
        let report = Registry::global().encode(rgb.as_ref(), target, &opts).unwrap().report;
        let items: Vec<&MetadataItem> = report.metadata_dropped.iter().map(|n| &n.item).collect();
        assert_eq!(
            items,
            [&MetadataItem::FrameTiming, &MetadataItem::LoopCount],
            "{target}"
        );
    }

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.png");
    let strict = opts.metadata_policy(MetadataPolicy::Strict);
    let err = Registry::global().write(first, &path, &strict).unwrap_err();
    assert_eq!(err.kind(), pixcodec::ErrorKind::NotExact);
    assert!(!path.exists());
}

#[test]
fn probe_page_reads_each_frames_own_timing() {
    let reg = Registry::global();
    let opts = DecodeOptions::new();
    for name in ["loop3.gif", "once.gif", "twice.webp"] {
        let e = expected(name);
        let data = std::fs::read(fixture(name)).unwrap();
        for (k, t) in e.timings.iter().enumerate() {
            let from_bytes = reg.probe_page(&data, k as u32, &opts).unwrap();
            let from_path = reg.probe_path_page(fixture(name), k as u32, &opts).unwrap();
            assert_eq!(from_bytes.metadata.frame, Some(*t), "{name} page {k}");
            assert_eq!(from_path.metadata.frame, Some(*t), "{name} page {k} from the file");
        }
        assert_eq!(
            reg.probe_page(&data, 0, &opts).unwrap(),
            reg.probe(&data, &opts).unwrap()
        );
        let n = e.timings.len();
        let err = reg.probe_page(&data, n as u32, &opts).unwrap_err();
        assert!(
            err.to_string().contains(&format!("but the file has {n} pages")),
            "{err}"
        );
    }
}

/// `twice.webp` cut to its first ANMF frame (VP8X and ANIM kept, the RIFF size mended): an
/// animation of one frame, as webpmux and libwebp's animation encoder write.
fn one_frame_webp() -> Vec<u8> {
    let data = std::fs::read(fixture("twice.webp")).unwrap();
    let mut out = data[..12].to_vec();
    let (mut pos, mut frames) = (12, 0);
    while pos + 8 <= data.len() {
        let size = u32::from_le_bytes(data[pos + 4..pos + 8].try_into().unwrap()) as usize;
        let end = pos + 8 + size + (size & 1);
        let tag = &data[pos..pos + 4];
        if tag != b"ANMF" || frames == 0 {
            out.extend_from_slice(&data[pos..end]);
        }
        frames += usize::from(tag == b"ANMF");
        pos = end;
    }
    assert_eq!(frames, 3, "twice.webp holds three frames");
    let riff = (out.len() - 8) as u32;
    out[4..8].copy_from_slice(&riff.to_le_bytes());
    out
}

#[test]
fn a_one_frame_animated_webp_keeps_its_delay_and_loop_count() {
    let e = expected("twice.webp");
    let data = one_frame_webp();
    let reg = Registry::global();
    let opts = DecodeOptions::new();
    let mut d = reg.decoder(&data, &opts).unwrap();
    let info = d.info().clone();
    assert!(!d.next_page().unwrap(), "one page");
    let img = reg.decode(&data, &opts).unwrap();
    assert_eq!(info.pages, 1);
    assert_eq!(info.metadata.frame, Some(e.timings[0]));
    assert_eq!(info.metadata.loop_count, e.loop_count);
    assert_eq!(reg.probe(&data, &opts).unwrap().metadata.frame, Some(e.timings[0]));
    // The same pixels as the first frame of the three-frame file.
    assert_eq!(img, read("twice.webp")[0].1);

    // Into GIF: the delay (120 ms, a whole number of hundredths) and the loop count are written.
    let rgba = pixcodec::convert::add_alpha(&img.as_ref(), pixcodec::convert::Alpha::Opaque).unwrap();
    let gif = reg.encode(rgba.as_ref(), "gif", &carry(&[(info, img)])).unwrap();
    assert!(
        gif.report.metadata_dropped.is_empty(),
        "{:?}",
        gif.report.metadata_dropped
    );
    let (frames, repeat) = gif_timing(&gif.data);
    assert_eq!(frames, [(12, gif::DisposalMethod::Keep)]);
    assert_eq!(repeat, gif::Repeat::Finite(1));
}
