//! The exactness contract on the seed cases from user reports, atomic writes and
//! concurrent use of a registry.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use pixcodec::{
    Codec, DecodeOptions, EncodeOptions, ErrorKind, Image, Layout, PixelFormat, Registry, SampleType, Volume,
};

fn rgb2x2() -> Image {
    Image::from_samples::<u8>(2, 2, Layout::Rgb, &[255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 200, 30]).unwrap()
}

#[test]
fn tiny_rgb_through_jpeg_is_reported_lossy_and_changes() {
    let reg = Registry::with_builtins();
    let img = rgb2x2();
    let enc = reg.encode(img.as_ref(), "jpeg", &EncodeOptions::new()).unwrap();
    assert_eq!(&*enc.report.codec, "jpeg-turbo");
    assert!(!enc.report.exact);
    assert!(enc.report.lossy_reason.as_deref().unwrap().contains("lossy"));
    let back = reg.decode(&enc.data, &DecodeOptions::new()).unwrap();
    assert_eq!(back.format(), img.format());
    assert_ne!(
        back, img,
        "JPEG reproduced a 2x2 colour image exactly, which the test expects not to happen"
    );
    let info = reg.probe(&enc.data, &DecodeOptions::new()).unwrap();
    assert!(info.lossy_source);
}

#[test]
fn tiny_rgb_through_png_and_tiff_is_exact() {
    let reg = Registry::with_builtins();
    let img = rgb2x2();
    for target in ["png", "tiff", "image/png", ".tif"] {
        let enc = reg.encode(img.as_ref(), target, &EncodeOptions::new()).unwrap();
        assert!(enc.report.exact, "{target}");
        assert_eq!(enc.report.lossy_reason, None);
        assert_eq!(reg.decode(&enc.data, &DecodeOptions::new()).unwrap(), img, "{target}");
    }
}

fn label_stack() -> Volume {
    let (w, h, d) = (64u32, 64u32, 5u32);
    let mut labels: Vec<u32> = (0..w * h * d).map(|i| (i * 2713) % 70_001).collect();
    labels[4321] = 70_000;
    assert_eq!(labels.iter().max(), Some(&70_000));
    Volume::from_samples(w, h, d, Layout::Gray, &labels).unwrap()
}

#[test]
fn u32_label_stack_round_trips_through_one_multipage_tiff() {
    let reg = Registry::with_builtins();
    let vol = label_stack();
    let mut buf = Vec::new();
    let report = reg
        .encode_pages_into(&vol.pages(), "tiff", &EncodeOptions::new().compression("lzw"), &mut buf)
        .unwrap();
    assert!(report.exact);
    assert_eq!(report.pages, 5);
    let info = reg.probe(&buf, &DecodeOptions::new()).unwrap();
    assert_eq!(info.pages, 5);
    assert_eq!(info.format, PixelFormat::new(Layout::Gray, SampleType::U32));
    let back = reg.decode_volume(&buf, &DecodeOptions::new()).unwrap();
    assert_eq!(back, vol);
    assert_eq!(back.as_slice::<u32>().unwrap(), vol.as_slice::<u32>().unwrap());
}

#[test]
fn png_refuses_u32_labels_naming_the_format_and_suggesting_tiff() {
    let reg = Registry::with_builtins();
    let vol = label_stack();
    let err = reg.encode(vol.page(0), "png", &EncodeOptions::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotExact);
    let msg = err.to_string();
    assert!(msg.contains("Gray U32"), "{msg}");
    for held in ["Gray U8", "Gray U16", "Rgba U16"] {
        assert!(msg.contains(held), "message should list {held}: {msg}");
    }
    assert!(msg.contains("tiff"), "message should suggest tiff: {msg}");

    // Through a file: nothing is created.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labels.png");
    assert!(reg.write(vol.page(0), &path, &EncodeOptions::new()).is_err());
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "a failed write left a file"
    );
}

#[test]
fn require_exact_turns_jpeg_into_an_error_before_writing() {
    let reg = Registry::with_builtins();
    let img = rgb2x2();
    let mut buf = vec![1, 2, 3];
    let err = reg
        .encode_into(img.as_ref(), "jpg", &EncodeOptions::new().require_exact(true), &mut buf)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotExact);
    assert!(err.to_string().contains("require_exact"), "{err}");
    assert!(buf.is_empty(), "bytes were written despite require_exact");

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.jpg");
    std::fs::write(&path, b"precious").unwrap();
    assert!(reg
        .write(img.as_ref(), &path, &EncodeOptions::new().require_exact(true))
        .is_err());
    assert_eq!(std::fs::read(&path).unwrap(), b"precious");
}

#[test]
fn verify_reports_identity_for_exact_and_psnr_for_lossy() {
    let reg = Registry::with_builtins();
    let img = common::random_image(33, 17, PixelFormat::new(Layout::Rgb, SampleType::U8), 7);
    let exact = reg
        .encode(img.as_ref(), "png", &EncodeOptions::new().verify(true))
        .unwrap();
    let v = exact.report.verification.unwrap();
    assert!(v.identical && v.max_abs_diff == 0.0);
    let lossy = reg
        .encode(img.as_ref(), "jpeg", &EncodeOptions::new().verify(true))
        .unwrap();
    let v = lossy.report.verification.unwrap();
    assert!(!v.identical && v.max_abs_diff > 0.0 && v.psnr_db.is_finite());
}

#[test]
fn unknown_and_out_of_range_options_are_errors() {
    let reg = Registry::with_builtins();
    let img = rgb2x2();
    let err = reg
        .encode(img.as_ref(), "png", &EncodeOptions::new().quality(90))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.to_string().contains("quality"), "{err}");
    let err = reg
        .encode(img.as_ref(), "jpeg", &EncodeOptions::new().quality(101))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    let err = reg
        .encode(img.as_ref(), "tiff", &EncodeOptions::new().compression("zip9"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
}

#[test]
fn multipage_to_single_image_format_is_refused() {
    let reg = Registry::with_builtins();
    let img = Image::new(4, 4, PixelFormat::new(Layout::Gray, SampleType::U8)).unwrap();
    let err = reg
        .encode_pages_to(
            &[img.as_ref(), img.as_ref()],
            "png",
            &EncodeOptions::new(),
            &mut Vec::new(),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    assert!(err.to_string().contains("tiff"), "{err}");
}

/// A writer-side failure in the middle of an encode must leave the destination alone.
#[test]
fn failing_write_over_existing_file_leaves_it_untouched_and_no_temp_file() {
    let reg = Registry::with_builtins();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keep.tif");
    std::fs::write(&path, b"original bytes").unwrap();
    // F32 into PNG fails inside the pipeline after the temp file was created.
    let img = Image::new(8, 8, PixelFormat::new(Layout::Gray, SampleType::F32)).unwrap();
    assert!(reg.write_as(img.as_ref(), &path, "png", &EncodeOptions::new()).is_err());
    // An error raised from inside the writer closure.
    let r: pixcodec::Result<()> = pixcodec::io::write_atomic(&path, |w| {
        w.write_all(b"partial")?;
        Err(pixcodec::Error::encode("test", "simulated failure after 7 bytes"))
    });
    assert!(r.is_err());
    assert_eq!(std::fs::read(&path).unwrap(), b"original bytes");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        names,
        vec![std::ffi::OsString::from("keep.tif")],
        "temp files left behind"
    );
}

#[test]
fn extension_and_content_disagreeing_trusts_the_content() {
    let reg = Registry::with_builtins();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("really_a_png.jpg");
    let img = rgb2x2();
    reg.write_as(img.as_ref(), &path, "png", &EncodeOptions::new()).unwrap();
    let info = reg.probe_path(&path, &DecodeOptions::new()).unwrap();
    assert_eq!(info.codec, "png");
    let note = info.content_note.expect("mismatch should be noted");
    assert!(note.contains(".jpg") && note.contains("png"), "{note}");
    assert_eq!(reg.read(&path, &DecodeOptions::new()).unwrap(), img);
}

/// Another name for an existing codec, at lower priority (for the registration churn).
struct Alias {
    inner: Arc<dyn Codec>,
    desc: pixcodec::CodecDescriptor,
}

impl Codec for Alias {
    fn descriptor(&self) -> &pixcodec::CodecDescriptor {
        &self.desc
    }
    fn capabilities(&self) -> &pixcodec::Capabilities {
        self.inner.capabilities()
    }
    fn encode_options(&self) -> &[pixcodec::OptionSpec] {
        self.inner.encode_options()
    }
    fn decoder<'a>(
        &self,
        source: pixcodec::Source<'a>,
        limits: &pixcodec::Limits,
    ) -> pixcodec::Result<Box<dyn pixcodec::Decoder + 'a>> {
        self.inner.decoder(source, limits)
    }
    fn encoder(&self) -> pixcodec::Result<Box<dyn pixcodec::Encoder>> {
        self.inner.encoder()
    }
}

#[test]
fn eight_threads_encode_and_decode_while_codecs_come_and_go() {
    let reg = Arc::new(Registry::with_builtins());
    let stop = Arc::new(AtomicBool::new(false));
    let registrar = {
        let (reg, stop) = (reg.clone(), stop.clone());
        std::thread::spawn(move || {
            let png = reg.by_name("png").unwrap();
            let mut desc = png.descriptor().clone();
            desc.name = "png-alias".into();
            desc.priority = -5;
            let alias: Arc<dyn Codec> = Arc::new(Alias { inner: png, desc });
            let mut n = 0u32;
            // At least one full register/unregister cycle, then churn until the workers end.
            loop {
                reg.register(alias.clone()).unwrap();
                assert!(reg.register(alias.clone()).is_err(), "duplicate name accepted");
                reg.unregister("png-alias").unwrap();
                n += 1;
                if stop.load(Ordering::Relaxed) {
                    break;
                }
            }
            n
        })
    };
    let workers: Vec<_> = (0..8u32)
        .map(|t| {
            let reg = reg.clone();
            std::thread::spawn(move || {
                for i in 0..30u64 {
                    let (target, sample) = match i % 3 {
                        0 => ("tiff", SampleType::U16),
                        1 => ("png", SampleType::U8),
                        _ => ("jpeg", SampleType::U8),
                    };
                    let img = common::random_image(9 + t, 5, PixelFormat::new(Layout::Rgb, sample), i);
                    let enc = reg.encode(img.as_ref(), target, &EncodeOptions::new()).unwrap();
                    assert_eq!(*enc.report.codec, *reg.resolve(target).unwrap()[0].descriptor().name);
                    let back = reg.decode(&enc.data, &DecodeOptions::new()).unwrap();
                    assert_eq!(back.format(), img.format());
                    if target != "jpeg" {
                        assert_eq!(back, img);
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.join().expect("worker thread failed");
    }
    stop.store(true, Ordering::Relaxed);
    assert!(registrar.join().unwrap() > 0);
    assert!(reg.by_name("png-alias").is_none());
}
