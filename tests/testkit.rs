//! The codec conformance kit: the example third-party codec passes it, every built-in
//! codec passes it, and deliberately dishonest codecs (pixels, metadata) fail it.

#[allow(dead_code)]
#[path = "../examples/custom_codec.rs"]
mod custom_codec;

use std::io::Write;
use std::sync::Arc;

use pixcodec::testkit::check_codec;
use pixcodec::{
    Capabilities, Codec, CodecDescriptor, Decoder, Encoder, Fidelity, ImageRef, Layout, Limits, Metadata, MetadataNote,
    PixelFormat, Registry, ResolvedOptions, SampleType, Source,
};

#[test]
fn example_farbfeld_codec_passes_the_kit() {
    let report = check_codec(Arc::new(custom_codec::FarbfeldCodec::new()));
    assert!(report.passed(), "{report}");
    assert!(report.checks.len() >= 9, "{report:?}");
}

#[test]
fn every_builtin_codec_passes_the_kit() {
    for codec in Registry::with_builtins().codecs() {
        if codec.capabilities().encode.is_empty() {
            continue; // decode-only fallbacks are covered by their own tests
        }
        let report = check_codec(codec.clone());
        assert!(report.passed(), "{report}");
        assert!(
            report.checks.iter().any(|c| c.name == "metadata round trip"),
            "{report:?}"
        );
    }
}

/// The metadata check is not vacuous: these codecs claim (and so the kit round-trips) every
/// item of its metadata but the text entries their formats have no place for and the
/// animation timing (still-image formats).
#[cfg(all(feature = "png", feature = "jpeg-turbo", feature = "tiff"))]
#[test]
fn the_kit_round_trips_the_metadata_png_tiff_and_jpeg_claim() {
    let reg = Registry::with_builtins();
    let m = pixcodec::testkit::sample_metadata();
    let rgb8 = PixelFormat::new(Layout::Rgb, SampleType::U8);
    for (codec, dropped) in [
        ("png", vec!["frame timing", "loop count"]),
        ("tiff", vec!["frame timing", "loop count", "text 'Title'"]),
        (
            "jpeg-turbo",
            vec!["frame timing", "loop count", "text 'Software'", "text 'Title'"],
        ),
    ] {
        let c = reg.by_name(codec).expect("built-in codec");
        let fit: Vec<String> = c.metadata_fit(&m, rgb8).iter().map(|n| n.item.to_string()).collect();
        assert_eq!(fit, dropped, "{codec}");
    }
}

/// Claims Rgba U16 exact but stores only the high byte of each sample.
struct Dishonest {
    inner: custom_codec::FarbfeldCodec,
    desc: CodecDescriptor,
}

struct DropLowBytes;

impl Encoder for DropLowBytes {
    fn encode(
        &mut self,
        pages: &[ImageRef<'_>],
        _options: &ResolvedOptions,
        out: &mut dyn Write,
    ) -> pixcodec::Result<Option<std::sync::Arc<str>>> {
        let img = &pages[0];
        out.write_all(b"farbfeld")?;
        out.write_all(&img.width().to_be_bytes())?;
        out.write_all(&img.height().to_be_bytes())?;
        for y in 0..img.height() {
            for s in img.row(y).chunks_exact(2) {
                let v = u16::from_ne_bytes([s[0], s[1]]) & 0xFF00;
                out.write_all(&v.to_be_bytes())?;
            }
        }
        Ok(None)
    }
}

impl Codec for Dishonest {
    fn descriptor(&self) -> &CodecDescriptor {
        &self.desc
    }
    fn capabilities(&self) -> &Capabilities {
        self.inner.capabilities()
    }
    fn decoder<'a>(&self, source: Source<'a>, limits: &Limits) -> pixcodec::Result<Box<dyn Decoder + 'a>> {
        self.inner.decoder(source, limits)
    }
    fn encoder(&self) -> pixcodec::Result<Box<dyn Encoder>> {
        Ok(Box::new(DropLowBytes))
    }
}

#[test]
fn dishonest_codec_fails_the_kit() {
    let inner = custom_codec::FarbfeldCodec::new();
    let mut desc = inner.descriptor().clone();
    desc.name = "farbfeld-dishonest".into();
    let report = check_codec(Arc::new(Dishonest { inner, desc }));
    assert!(!report.passed());
    let failures = report.failures();
    assert!(
        failures
            .iter()
            .any(|c| c.failure.as_deref().unwrap().contains("pixels differ")),
        "{report}"
    );
    // The 1x1, 1x5 ... shapes whose random samples have non-zero low bytes all fail.
    assert!(failures.len() >= 4, "{report}");
}

#[test]
fn kit_accepts_a_lossy_table_entry_whose_encoder_happens_to_be_exact() {
    let inner = custom_codec::FarbfeldCodec::new();
    let mut desc = inner.descriptor().clone();
    desc.name = "farbfeld-claims-lossy".into();
    struct ClaimsLossy {
        inner: custom_codec::FarbfeldCodec,
        desc: CodecDescriptor,
        caps: Capabilities,
    }
    impl Codec for ClaimsLossy {
        fn descriptor(&self) -> &CodecDescriptor {
            &self.desc
        }
        fn capabilities(&self) -> &Capabilities {
            &self.caps
        }
        fn decoder<'a>(&self, source: Source<'a>, limits: &Limits) -> pixcodec::Result<Box<dyn Decoder + 'a>> {
            self.inner.decoder(source, limits)
        }
        fn encoder(&self) -> pixcodec::Result<Box<dyn Encoder>> {
            self.inner.encoder()
        }
    }
    let caps = Capabilities {
        decode: Capabilities::grid(&[Layout::Rgba], &[SampleType::U16], Fidelity::Exact),
        encode: Capabilities::grid(&[Layout::Rgba], &[SampleType::U16], Fidelity::Lossy),
        ..Default::default()
    };
    // The registry reports lossy from the table, so this one passes: a lossy table entry
    // with an exact encoder is honest (it never promises more than it keeps).
    let report = check_codec(Arc::new(ClaimsLossy { inner, desc, caps }));
    assert!(report.passed(), "{report}");
}

/// Claims to keep every metadata item (an empty `metadata_fit`) but writes none.
struct ForgetsMetadata {
    inner: custom_codec::FarbfeldCodec,
    desc: CodecDescriptor,
}

impl Codec for ForgetsMetadata {
    fn descriptor(&self) -> &CodecDescriptor {
        &self.desc
    }
    fn capabilities(&self) -> &Capabilities {
        self.inner.capabilities()
    }
    fn decoder<'a>(&self, source: Source<'a>, limits: &Limits) -> pixcodec::Result<Box<dyn Decoder + 'a>> {
        self.inner.decoder(source, limits)
    }
    fn encoder(&self) -> pixcodec::Result<Box<dyn Encoder>> {
        self.inner.encoder()
    }
    fn metadata_fit(&self, _metadata: &Metadata, _format: PixelFormat) -> Vec<MetadataNote> {
        Vec::new()
    }
}

#[test]
fn a_codec_claiming_metadata_it_does_not_write_fails_the_kit() {
    let inner = custom_codec::FarbfeldCodec::new();
    let mut desc = inner.descriptor().clone();
    desc.name = "farbfeld-forgets-metadata".into();
    let report = check_codec(Arc::new(ForgetsMetadata { inner, desc }));
    let failures = report.failures();
    assert_eq!(failures.len(), 1, "{report}");
    assert_eq!(failures[0].name, "metadata round trip");
    assert_eq!(
        failures[0].failure.as_deref(),
        Some(
            "metadata_fit claims icc_profile, exif, orientation, xmp, resolution, text 'Software', \
             text 'Title', frame timing, loop count are kept, but they do not come back as written"
        ),
        "{report}"
    );
    // The honest example (no metadata_fit: every item reported dropped) passes the same check.
    let report = check_codec(Arc::new(custom_codec::FarbfeldCodec::new()));
    assert!(report
        .checks
        .iter()
        .any(|c| c.name == "metadata round trip" && c.failure.is_none()));
}
