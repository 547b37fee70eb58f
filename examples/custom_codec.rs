//! A third-party codec written against pixcodec's public API only: Farbfeld
//! (<https://tools.suckless.org/farbfeld/>), RGBA with 16-bit big-endian samples.
//!
//! Run: `cargo run --example custom_codec`. It registers the codec at run time, decodes
//! by sniffing, encodes by extension and queries the capability table.

use std::borrow::Cow;
use std::io::Write;
use std::sync::Arc;

use pixcodec::{
    Capabilities, Codec, CodecDescriptor, DecodeOptions, Decoder, EncodeOptions, Encoder, Error, Fidelity, Image,
    ImageInfo, ImageMut, ImageRef, Layout, Limits, PixelFormat, Registry, ResolvedOptions, SampleType, Source,
};

const MAGIC: &[u8] = b"farbfeld";
const FORMAT: PixelFormat = PixelFormat::new(Layout::Rgba, SampleType::U16);

/// Farbfeld: "farbfeld", width and height as u32 BE, then RGBA u16 BE samples.
pub struct FarbfeldCodec {
    descriptor: CodecDescriptor,
    capabilities: Capabilities,
}

impl FarbfeldCodec {
    /// Creates the codec.
    pub fn new() -> Self {
        FarbfeldCodec {
            descriptor: CodecDescriptor::new(
                "farbfeld",
                "farbfeld",
                "suckless farbfeld (RGBA, 16-bit)",
                &["ff", "farbfeld"],
                &["image/x-farbfeld"],
                &[MAGIC],
                50,
            ),
            capabilities: Capabilities {
                decode: Capabilities::grid(&[Layout::Rgba], &[SampleType::U16], Fidelity::Exact),
                encode: Capabilities::grid(&[Layout::Rgba], &[SampleType::U16], Fidelity::Exact),
                ..Default::default()
            },
        }
    }
}

impl Default for FarbfeldCodec {
    fn default() -> Self {
        Self::new()
    }
}

struct FarbfeldDecoder<'a> {
    data: Cow<'a, [u8]>,
    info: ImageInfo,
}

impl Decoder for FarbfeldDecoder<'_> {
    fn info(&self) -> &ImageInfo {
        &self.info
    }

    fn decode_into(&mut self, mut out: ImageMut<'_>) -> pixcodec::Result<()> {
        out.expect_shape(self.info.width, self.info.height, FORMAT)?;
        let row_bytes = out.row_bytes();
        for (y, src) in self.data[16..]
            .chunks_exact(row_bytes)
            .take(self.info.height as usize)
            .enumerate()
        {
            let dst = out.row_mut(y as u32);
            for (d, s) in dst.chunks_exact_mut(2).zip(src.chunks_exact(2)) {
                d.copy_from_slice(&u16::from_be_bytes([s[0], s[1]]).to_ne_bytes());
            }
        }
        Ok(())
    }
}

struct FarbfeldEncoder;

impl Encoder for FarbfeldEncoder {
    fn encode(
        &mut self,
        pages: &[ImageRef<'_>],
        _options: &ResolvedOptions,
        out: &mut dyn Write,
    ) -> pixcodec::Result<Option<std::sync::Arc<str>>> {
        let img = &pages[0];
        out.write_all(MAGIC)?;
        out.write_all(&img.width().to_be_bytes())?;
        out.write_all(&img.height().to_be_bytes())?;
        let mut row = Vec::with_capacity(img.row_bytes());
        for y in 0..img.height() {
            row.clear();
            for s in img.row(y).chunks_exact(2) {
                row.extend_from_slice(&u16::from_ne_bytes([s[0], s[1]]).to_be_bytes());
            }
            out.write_all(&row)?;
        }
        Ok(None)
    }
}

impl Codec for FarbfeldCodec {
    fn descriptor(&self) -> &CodecDescriptor {
        &self.descriptor
    }

    fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }

    fn decoder<'a>(&self, source: Source<'a>, limits: &Limits) -> pixcodec::Result<Box<dyn Decoder + 'a>> {
        let data = source.into_bytes(limits)?;
        if data.len() < 16 || !data.starts_with(MAGIC) {
            return Err(Error::decode(
                "farbfeld",
                "not a farbfeld file (magic missing or header short)",
            ));
        }
        let width = u32::from_be_bytes(data[8..12].try_into().expect("4 bytes"));
        let height = u32::from_be_bytes(data[12..16].try_into().expect("4 bytes"));
        if width == 0 || height == 0 {
            return Err(Error::decode("farbfeld", format!("empty image {width}x{height}")));
        }
        let bytes = limits.check_image(width, height, FORMAT)?;
        if ((data.len() - 16) as u64) < bytes {
            return Err(Error::decode(
                "farbfeld",
                format!("truncated: {bytes} pixel bytes needed, {} present", data.len() - 16),
            ));
        }
        let info = ImageInfo::new(width, height, FORMAT, "farbfeld", "farbfeld");
        Ok(Box::new(FarbfeldDecoder { data, info }))
    }

    fn encoder(&self) -> pixcodec::Result<Box<dyn Encoder>> {
        Ok(Box::new(FarbfeldEncoder))
    }
}

#[allow(dead_code)]
fn main() -> pixcodec::Result<()> {
    let reg = Registry::global();
    reg.register(Arc::new(FarbfeldCodec::new()))?;

    // Capability query.
    let codec = reg.by_extension("ff").into_iter().next().expect("registered");
    println!(
        "{} ({}): encodes {}",
        codec.descriptor().name,
        codec.descriptor().description,
        codec.capabilities().encode_list()
    );

    // Encode by extension, decode by sniffing the content.
    let samples: Vec<u16> = (0..4 * 3 * 4).map(|i| (i * 4099) as u16).collect();
    let img = Image::from_samples(4, 3, Layout::Rgba, &samples)?;
    let dir = std::env::temp_dir().join(format!("pixcodec-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("picture.ff");
    let report = reg.write(img.as_ref(), &path, &EncodeOptions::new())?;
    println!(
        "wrote {} bytes with {} (exact: {})",
        report.bytes_written, report.codec, report.exact
    );
    let bytes = std::fs::read(&path)?;
    let info = reg.probe(&bytes, &DecodeOptions::new())?;
    println!("sniffed: {} {}x{} {}", info.codec, info.width, info.height, info.format);
    let back = reg.decode(&bytes, &DecodeOptions::new())?;
    assert_eq!(back, img);
    println!("decoded pixels identical: {}", back == img);

    // Asking for a format the codec cannot hold is refused, with a way out.
    let rgb8 = Image::new(2, 2, PixelFormat::new(Layout::Rgb, SampleType::U8))?;
    if let Err(e) = reg.encode(rgb8.as_ref(), "ff", &EncodeOptions::new()) {
        println!("refused: {e}");
    }
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
