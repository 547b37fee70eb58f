//! The registry: run-time registration and removal, priorities, lookup by name,
//! format, extension, MIME type and content, and per-call codec choice.

use std::io::Write;
use std::sync::Arc;

use pixcodec::{
    Capabilities, Codec, CodecDescriptor, DecodeOptions, Decoder, EncodeOptions, Encoder, Error, ErrorKind, Fidelity,
    Image, ImageInfo, ImageMut, ImageRef, Layout, Limits, OptionSpec, PixelFormat, Registry, ResolvedOptions,
    SampleType, Source,
};

/// A small real format for the tests: "RAWG" + width u32 LE + height u32 LE + Gray U8 pixels.
struct RawGray {
    desc: CodecDescriptor,
    caps: Capabilities,
    opts: Vec<OptionSpec>,
}

impl RawGray {
    fn new(name: &str, format: &str, priority: i32) -> Self {
        RawGray {
            desc: CodecDescriptor::new(
                name,
                format,
                "test format",
                &["rawg", "raw"],
                &["image/x-rawg"],
                &[b"RAWG"],
                priority,
            ),
            caps: Capabilities {
                decode: Capabilities::grid(&[Layout::Gray], &[SampleType::U8], Fidelity::Exact),
                encode: Capabilities::grid(&[Layout::Gray], &[SampleType::U8], Fidelity::Exact),
                ..Default::default()
            },
            opts: vec![OptionSpec::int("invert_bits", 0, 0, 0, "must stay 0")],
        }
    }
}

struct RawGrayDecoder<'a> {
    data: std::borrow::Cow<'a, [u8]>,
    info: ImageInfo,
}

impl Decoder for RawGrayDecoder<'_> {
    fn info(&self) -> &ImageInfo {
        &self.info
    }
    fn decode_into(&mut self, mut out: ImageMut<'_>) -> pixcodec::Result<()> {
        out.expect_shape(self.info.width, self.info.height, self.info.format)?;
        out.copy_from_packed(&self.data[12..])
    }
}

impl Codec for RawGray {
    fn descriptor(&self) -> &CodecDescriptor {
        &self.desc
    }
    fn capabilities(&self) -> &Capabilities {
        &self.caps
    }
    fn encode_options(&self) -> &[OptionSpec] {
        &self.opts
    }
    fn decoder<'a>(&self, source: Source<'a>, limits: &Limits) -> pixcodec::Result<Box<dyn Decoder + 'a>> {
        let data = source.into_bytes(limits)?;
        if data.len() < 12 || &data[..4] != b"RAWG" {
            return Err(Error::decode(&self.desc.name, "not a RAWG file"));
        }
        let w = u32::from_le_bytes(data[4..8].try_into().unwrap());
        let h = u32::from_le_bytes(data[8..12].try_into().unwrap());
        let format = PixelFormat::new(Layout::Gray, SampleType::U8);
        let bytes = limits.check_image(w, h, format)?;
        if (data.len() as u64) < 12 + bytes {
            return Err(Error::decode(&self.desc.name, "truncated"));
        }
        let info = ImageInfo::new(w, h, format, &self.desc.name, &self.desc.format);
        Ok(Box::new(RawGrayDecoder { data, info }))
    }
    fn encoder(&self) -> pixcodec::Result<Box<dyn Encoder>> {
        Ok(Box::new(RawGrayEncoder))
    }
}

struct RawGrayEncoder;

impl Encoder for RawGrayEncoder {
    fn encode(
        &mut self,
        pages: &[ImageRef<'_>],
        _options: &ResolvedOptions,
        out: &mut dyn Write,
    ) -> pixcodec::Result<Option<std::sync::Arc<str>>> {
        let p = &pages[0];
        out.write_all(b"RAWG")?;
        out.write_all(&p.width().to_le_bytes())?;
        out.write_all(&p.height().to_le_bytes())?;
        for row in p.rows() {
            out.write_all(row)?;
        }
        Ok(None)
    }
}

fn gray(w: u32, h: u32) -> Image {
    let px: Vec<u8> = (0..w * h).map(|i| (i * 7) as u8).collect();
    Image::from_samples(w, h, Layout::Gray, &px).unwrap()
}

#[test]
fn empty_registry_knows_nothing() {
    let reg = Registry::empty();
    assert!(reg.codecs().is_empty());
    let err = reg.decode(b"\x89PNG\r\n\x1a\n", &DecodeOptions::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownFormat);
    let err = reg
        .encode(gray(2, 2).as_ref(), "png", &EncodeOptions::new())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownFormat);
}

#[test]
fn builtins_are_found_by_name_format_extension_mime_and_content() {
    let reg = Registry::with_builtins();
    assert_eq!(reg.by_name("png").unwrap().descriptor().format, "png");
    assert_eq!(reg.by_format("jpeg")[0].descriptor().name, "jpeg-turbo");
    assert_eq!(reg.by_extension(".TIF")[0].descriptor().name, "tiff");
    assert_eq!(reg.by_extension("jpg")[0].descriptor().name, "jpeg-turbo");
    assert_eq!(reg.by_mime("image/png")[0].descriptor().name, "png");
    assert_eq!(reg.by_content(b"\x89PNG\r\n\x1a\n....")[0].descriptor().name, "png");
    assert_eq!(reg.by_content(b"II*\0")[0].descriptor().name, "tiff");
    assert_eq!(reg.by_content(b"MM\0*")[0].descriptor().name, "tiff");
    assert_eq!(
        reg.by_content(&[0xFF, 0xD8, 0xFF, 0xE0])[0].descriptor().name,
        "jpeg-turbo"
    );
    assert!(reg.by_content(b"GIF89a").iter().all(|c| c.descriptor().format == "gif"));
    let err = reg.resolve("no-such-format").err().unwrap();
    assert_eq!(err.kind(), ErrorKind::UnknownFormat);
    assert!(err.to_string().contains("png"), "{err}");
}

#[test]
fn runtime_codec_registers_decodes_by_sniffing_and_encodes_by_extension() {
    let reg = Registry::with_builtins();
    reg.register(Arc::new(RawGray::new("rawg", "rawg", 10))).unwrap();
    let img = gray(5, 3);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.rawg");
    let report = reg.write(img.as_ref(), &path, &EncodeOptions::new()).unwrap();
    assert_eq!(&*report.codec, "rawg");
    assert_eq!(report.bytes_written, 12 + 15);
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[..4], b"RAWG");
    assert_eq!(reg.decode(&bytes, &DecodeOptions::new()).unwrap(), img);
    assert_eq!(reg.probe(&bytes, &DecodeOptions::new()).unwrap().codec, "rawg");
    // The codec's own option table is enforced.
    let err = reg
        .encode(img.as_ref(), "rawg", &EncodeOptions::new().set("invert_bits", 1))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    // It refuses formats outside its table, suggesting codecs that hold them.
    let rgb = Image::new(2, 2, PixelFormat::new(Layout::Rgb, SampleType::U8)).unwrap();
    let err = reg.encode(rgb.as_ref(), "rawg", &EncodeOptions::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotExact);
    assert!(
        err.to_string().contains("Rgb U8") && err.to_string().contains("png"),
        "{err}"
    );
    // Removal.
    reg.unregister("rawg").unwrap();
    assert_eq!(
        reg.decode(&bytes, &DecodeOptions::new()).unwrap_err().kind(),
        ErrorKind::UnknownFormat
    );
    assert!(reg.unregister("rawg").is_err());
}

#[test]
fn priority_decides_between_codecs_of_one_format_and_per_call_choice_overrides() {
    let reg = Registry::empty();
    reg.register(Arc::new(RawGray::new("rawg-low", "rawg", 1))).unwrap();
    reg.register(Arc::new(RawGray::new("rawg-high", "rawg", 50))).unwrap();
    assert!(reg.register(Arc::new(RawGray::new("rawg-high", "rawg", 0))).is_err());
    let names: Vec<String> = reg
        .by_format("rawg")
        .iter()
        .map(|c| c.descriptor().name.clone())
        .collect();
    assert_eq!(names, ["rawg-high", "rawg-low"]);
    let img = gray(3, 3);
    let enc = reg.encode(img.as_ref(), "rawg", &EncodeOptions::new()).unwrap();
    assert_eq!(&*enc.report.codec, "rawg-high");
    let enc = reg
        .encode(img.as_ref(), "raw", &EncodeOptions::new().codec("rawg-low"))
        .unwrap();
    assert_eq!(&*enc.report.codec, "rawg-low");
    let info = reg.probe(&enc.data, &DecodeOptions::new()).unwrap();
    assert_eq!(info.codec, "rawg-high");
    let info = reg.probe(&enc.data, &DecodeOptions::new().codec("rawg-low")).unwrap();
    assert_eq!(info.codec, "rawg-low");
    let err = reg
        .encode(img.as_ref(), "rawg", &EncodeOptions::new().codec("nope"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownFormat);
}

#[test]
fn global_registry_accepts_runtime_codecs() {
    let reg = Registry::global();
    reg.register(Arc::new(RawGray::new("rawg-global", "rawg-global", 0)))
        .unwrap();
    let img = gray(4, 1);
    let enc = pixcodec::encode(img.as_ref(), "rawg-global", &EncodeOptions::new()).unwrap();
    assert_eq!(pixcodec::decode(&enc.data).unwrap(), img);
    reg.unregister("rawg-global").unwrap();
}

#[test]
fn limits_are_enforced_for_runtime_codecs_too() {
    let reg = Registry::empty();
    reg.register(Arc::new(RawGray::new("rawg", "rawg", 0))).unwrap();
    let mut bomb = b"RAWG".to_vec();
    bomb.extend_from_slice(&100_000u32.to_le_bytes());
    bomb.extend_from_slice(&100_000u32.to_le_bytes());
    let err = reg.decode(&bomb, &DecodeOptions::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Limits, "{err}");
    let mut limits = Limits::default();
    limits.max_width = 4;
    let enc = reg.encode(gray(5, 1).as_ref(), "rawg", &EncodeOptions::new()).unwrap();
    let err = reg.decode(&enc.data, &DecodeOptions::new().limits(limits)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Limits);
}
