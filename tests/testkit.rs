//! The codec conformance kit: the example third-party codec passes it, every built-in
//! codec passes it, and a deliberately dishonest codec fails it.

#[allow(dead_code)]
#[path = "../examples/custom_codec.rs"]
mod custom_codec;

use std::io::Write;
use std::sync::Arc;

use pixcodec::testkit::check_codec;
use pixcodec::{
    Capabilities, Codec, CodecDescriptor, Decoder, Encoder, Fidelity, ImageRef, Layout, Limits, Registry,
    ResolvedOptions, SampleType, Source,
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
