//! The decode half of [`Registry`]: choosing a decoder for bytes or a file (content first,
//! extension as fallback), probing, decoding into new memory (one page, every page, a
//! volume) and the one path that decodes into caller memory, [`DecodeInto`], which also
//! tells two-phase callers (the C ABI, ML loading) how much memory to provide.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use crate::codec::{DctMethod, Decoder, Source};
use crate::error::{Error, Result};
use crate::format::PixelFormat;
use crate::image::{required_len, Image, ImageMut, Volume};
use crate::info::ImageInfo;
use crate::limits::Limits;

use super::Registry;

/// How to decode: limits, an optional forced codec and the JPEG inverse DCT.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct DecodeOptions {
    /// Limits checked before any large allocation.
    pub limits: Limits,
    /// Decode with this codec (by name) instead of sniffing the content.
    pub codec: Option<String>,
    /// The inverse DCT of lossy JPEG decodes (default [`DctMethod::Accurate`]); decoders
    /// without a choice ignore it ([`Decoder::set_dct_method`]).
    pub dct_method: DctMethod,
}

impl DecodeOptions {
    /// Default options.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the limits.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
    /// Forces a codec by name.
    pub fn codec(mut self, name: &str) -> Self {
        self.codec = Some(name.to_string());
        self
    }
    /// Sets the inverse DCT of lossy JPEG decodes.
    pub fn dct_method(mut self, method: DctMethod) -> Self {
        self.dct_method = method;
        self
    }
}

/// The caller memory one image needs: its shape, the bytes from one row to the next and the
/// bytes a buffer must hold. The first phase of a two-phase decode reports it
/// ([`DecodeInto::buffer_size`]); the second passes a buffer at least `len` bytes long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BufferSize {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Pixel format of the buffer.
    pub format: PixelFormat,
    /// Bytes from one row to the next.
    pub stride: usize,
    /// Bytes the buffer must hold: `stride * (height - 1) + width * bytes_per_pixel` (the
    /// last row needs no padding).
    pub len: usize,
}

impl BufferSize {
    /// The memory of a `width` x `height` image of `format` with `stride` bytes per row
    /// (0: tightly packed). Fails on an empty size, a stride shorter than a row or overflow.
    pub fn new(width: u32, height: u32, format: PixelFormat, stride: usize) -> Result<BufferSize> {
        let stride = if stride == 0 {
            (width as usize).saturating_mul(format.bytes_per_pixel())
        } else {
            stride
        };
        let len = required_len(width, height, format, stride)?;
        Ok(BufferSize {
            width,
            height,
            format,
            stride,
            len,
        })
    }

    /// `buf` as an image of this size; a buffer shorter than `len` is
    /// [`Error::BufferTooSmall`].
    pub fn image_mut<'b>(&self, buf: &'b mut [u8]) -> Result<ImageMut<'b>> {
        if buf.len() < self.len {
            return Err(Error::BufferTooSmall {
                needed: self.len,
                got: buf.len(),
            });
        }
        ImageMut::new(buf, self.width, self.height, self.format, self.stride)
    }
}

/// Where decoding reads from.
enum Input<'a> {
    Bytes(&'a [u8]),
    Path(&'a Path),
}

/// A decoder chosen for some input, with the note on extension/content disagreement.
struct Opened<'a> {
    decoder: Box<dyn Decoder + 'a>,
    note: Option<String>,
}

impl Opened<'_> {
    fn info(&self) -> ImageInfo {
        let mut info = self.decoder.info().clone();
        info.content_note = self.note.clone();
        info
    }
}

/// Decoding the first page of some bytes into caller memory: the input is opened (sniffed,
/// header read) once by [`Registry::open_into`], and the same decoder writes the pixels.
///
/// Two-phase use: [`DecodeInto::buffer_size`] says how much memory the first page needs with
/// a given stride (checking the limits, as for any allocation); the caller provides it and
/// [`DecodeInto::decode`] fills it. [`Registry::decode_into`] is the one-call form.
pub struct DecodeInto<'a> {
    decoder: Box<dyn Decoder + 'a>,
    info: ImageInfo,
    limits: Limits,
}

impl<'a> DecodeInto<'a> {
    /// Header facts of the first page, as [`Registry::probe`] gives them.
    pub fn info(&self) -> &ImageInfo {
        &self.info
    }

    /// The memory the first page needs in its own pixel format with `stride` bytes per row
    /// (0: tightly packed). Fails when the page exceeds the decode limits.
    pub fn buffer_size(&self, stride: usize) -> Result<BufferSize> {
        let i = &self.info;
        self.limits.check_image(i.width, i.height, i.format)?;
        BufferSize::new(i.width, i.height, i.format, stride)
    }

    /// Decodes the first page into `out`, which must have the page's size and pixel format
    /// (see [`DecodeInto::info`]). Every pixel byte is written, never row padding. Returns
    /// the header facts.
    pub fn decode(mut self, mut out: ImageMut<'_>) -> Result<ImageInfo> {
        out.expect_shape(self.info.width, self.info.height, self.info.format)?;
        self.decoder.decode_into(out.reborrow())?;
        Ok(self.info)
    }

    /// The open decoder, for pipelines that shrink on load or convert before writing into
    /// caller memory (`ml::load_into`).
    pub fn decoder(&mut self) -> &mut (dyn Decoder + 'a) {
        &mut *self.decoder
    }
}

const SNIFF_LEN: usize = 64;

/// Moves `dec` from its first page to page `page`; an error when the file has fewer.
pub(crate) fn skip_to_page(dec: &mut dyn Decoder, page: u32) -> Result<()> {
    for i in 0..page {
        if !dec.next_page()? {
            return Err(Error::invalid(format!(
                "page {page} requested but the file has {} page{}",
                i + 1,
                if i == 0 { "" } else { "s" }
            )));
        }
    }
    Ok(())
}

impl Registry {
    fn open<'a>(&self, input: Input<'a>, opts: &DecodeOptions) -> Result<Opened<'a>> {
        let (head, ext): (Vec<u8>, Option<String>) = match &input {
            Input::Bytes(b) => (b[..b.len().min(SNIFF_LEN)].to_vec(), None),
            Input::Path(p) => {
                let mut f = File::open(p)?;
                let mut head = Vec::with_capacity(SNIFF_LEN);
                (&mut f).take(SNIFF_LEN as u64).read_to_end(&mut head)?;
                let ext = p.extension().and_then(|e| e.to_str()).map(|e| e.to_ascii_lowercase());
                (head, ext)
            }
        };
        let mut note = None;
        let candidates = if let Some(name) = &opts.codec {
            vec![self
                .by_name(name)
                .ok_or_else(|| Error::UnknownFormat(format!("no codec named '{name}' is registered")))?]
        } else {
            let sniffed = self.by_content(&head);
            let by_ext = ext.as_deref().map(|e| self.by_extension(e)).unwrap_or_default();
            if let (Some(c), Some(e)) = (sniffed.first(), ext.as_deref()) {
                if !c.descriptor().extensions.iter().any(|x| x == e) {
                    note = Some(format!(
                        "file extension .{e} does not match the content, which is {}; decoded as {}",
                        c.descriptor().format,
                        c.descriptor().format
                    ));
                }
            }
            if !sniffed.is_empty() {
                sniffed
            } else if head.is_empty() {
                return Err(Error::UnknownFormat("the input is empty".into()));
            } else if !by_ext.is_empty() {
                by_ext
            } else {
                return Err(Error::UnknownFormat(format!(
                    "no registered codec recognises data starting with {}",
                    hex_prefix(&head)
                )));
            }
        };
        let mut last_err = None;
        for codec in &candidates {
            let source = match &input {
                Input::Bytes(b) => Source::Bytes(b),
                Input::Path(p) => {
                    let mut f = File::open(p)?;
                    f.seek(SeekFrom::Start(0))?;
                    Source::Reader(Box::new(BufReader::with_capacity(1 << 16, f)))
                }
            };
            match codec.decoder(source, &opts.limits) {
                Ok(mut decoder) => {
                    let (w, h) = (decoder.info().width, decoder.info().height);
                    if w == 0 || h == 0 {
                        // A header may declare zero rows or columns (a PBM of 0x1 opens in
                        // image-rs): nothing to decode, probe, resize or convert.
                        return Err(Error::decode(
                            &codec.descriptor().name,
                            format!("the image is empty ({w}x{h} pixels)"),
                        ));
                    }
                    if opts.dct_method != DctMethod::Accurate {
                        decoder.set_dct_method(opts.dct_method)?;
                    }
                    return Ok(Opened { decoder, note });
                }
                // A codec that does not implement this variant lets the next one try.
                Err(e @ Error::Unsupported(_)) if candidates.len() > 1 => last_err = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last_err.unwrap_or_else(|| Error::UnknownFormat("no codec could open the input".into())))
    }

    fn decode_opened(opened: &mut Opened<'_>, limits: &Limits) -> Result<Image> {
        let info = opened.decoder.info().clone();
        limits.check_image(info.width, info.height, info.format)?;
        let mut img = Image::new(info.width, info.height, info.format)?;
        opened.decoder.decode_into(img.as_mut())?;
        Ok(img)
    }

    fn pages_opened(mut opened: Opened<'_>, limits: &Limits) -> Result<Vec<Image>> {
        Self::pages_opened_each(&mut opened, limits, |_| {})
    }

    /// Every page of `opened`; `next` sees the decoder after each move to a later page.
    fn pages_opened_each(
        opened: &mut Opened<'_>,
        limits: &Limits,
        mut next: impl FnMut(&dyn Decoder),
    ) -> Result<Vec<Image>> {
        let mut pages = Vec::new();
        let mut total = 0u64;
        loop {
            let info = opened.decoder.info().clone();
            total = total.saturating_add(limits.check_image(info.width, info.height, info.format)?);
            limits.check_alloc(total)?;
            limits.check_pages(pages.len() as u64 + 1)?;
            pages.push(Self::decode_opened(opened, limits)?);
            if !opened.decoder.next_page()? {
                return Ok(pages);
            }
            next(opened.decoder.as_ref());
        }
    }

    fn volume_opened(mut opened: Opened<'_>, limits: &Limits) -> Result<Volume> {
        let first = opened.decoder.info().clone();
        limits.check_pages(first.pages as u64)?;
        let page_bytes = limits.check_image(first.width, first.height, first.format)?;
        limits.check_alloc(page_bytes.saturating_mul(first.pages as u64))?;
        let mut vol = Volume::new(first.width, first.height, first.pages.max(1), first.format)?;
        for i in 0..vol.depth() {
            if i > 0 && !opened.decoder.next_page()? {
                return Err(Error::decode(
                    &first.codec,
                    format!("file announced {} pages but ended after {i}", first.pages),
                ));
            }
            let info = opened.decoder.info();
            if (info.width, info.height, info.format) != (first.width, first.height, first.format) {
                return Err(Error::invalid(format!(
                    "page {i} is {}x{} {} but page 0 is {}x{} {}: pages differ, use decode_pages",
                    info.width, info.height, info.format, first.width, first.height, first.format
                )));
            }
            opened.decoder.decode_into(vol.page_mut(i))?;
        }
        Ok(vol)
    }

    /// A decoder for `data`, chosen as [`Registry::decode`] chooses it (sniffed content, or
    /// `opts.codec`), positioned on the first page with its header read. Use it to inspect
    /// [`Decoder::info`], ask for shrink-on-load with [`Decoder::draft`], then decode into
    /// your own memory. Its `info().content_note` is not set (bytes have no extension).
    pub fn decoder<'a>(&self, data: &'a [u8], opts: &DecodeOptions) -> Result<Box<dyn Decoder + 'a>> {
        Ok(self.open(Input::Bytes(data), opts)?.decoder)
    }

    /// [`Registry::decoder`] moved on to page `page` (0-based): the pages before it are
    /// skipped, so its `info()` is that page's; a file with fewer pages is an error that says
    /// how many it has.
    pub fn decoder_on_page<'a>(
        &self,
        data: &'a [u8],
        page: u32,
        opts: &DecodeOptions,
    ) -> Result<Box<dyn Decoder + 'a>> {
        let mut decoder = self.open(Input::Bytes(data), opts)?.decoder;
        skip_to_page(decoder.as_mut(), page)?;
        Ok(decoder)
    }

    /// [`Registry::decoder`] for a file: the content is sniffed first, the extension is the
    /// fallback, and the file is read through a buffered reader.
    pub fn decoder_for_path<'a>(&self, path: &'a Path, opts: &DecodeOptions) -> Result<Box<dyn Decoder + 'a>> {
        Ok(self.open(Input::Path(path), opts)?.decoder)
    }

    /// Header facts without decoding pixels.
    pub fn probe(&self, data: &[u8], opts: &DecodeOptions) -> Result<ImageInfo> {
        Ok(self.open(Input::Bytes(data), opts)?.info())
    }

    /// Header facts of a file; notes when its extension disagrees with its content.
    pub fn probe_path(&self, path: impl AsRef<Path>, opts: &DecodeOptions) -> Result<ImageInfo> {
        Ok(self.open(Input::Path(path.as_ref()), opts)?.info())
    }

    /// Header facts of page `page` (0-based; 0 is [`Registry::probe`]) without decoding
    /// pixels: each page's own size, format and metadata (an animation frame's timing). The
    /// pages before it are skipped; a file with fewer pages is an error that says how many
    /// it has.
    pub fn probe_page(&self, data: &[u8], page: u32, opts: &DecodeOptions) -> Result<ImageInfo> {
        let mut opened = self.open(Input::Bytes(data), opts)?;
        skip_to_page(opened.decoder.as_mut(), page)?;
        Ok(opened.info())
    }

    /// [`Registry::probe_page`] of a file.
    pub fn probe_path_page(&self, path: impl AsRef<Path>, page: u32, opts: &DecodeOptions) -> Result<ImageInfo> {
        let mut opened = self.open(Input::Path(path.as_ref()), opts)?;
        skip_to_page(opened.decoder.as_mut(), page)?;
        Ok(opened.info())
    }

    /// Decodes the first page into a new image of the file's own pixel format.
    pub fn decode(&self, data: &[u8], opts: &DecodeOptions) -> Result<Image> {
        Self::decode_opened(&mut self.open(Input::Bytes(data), opts)?, &opts.limits)
    }

    /// Opens `data` for decoding its first page into caller memory: the first phase of a
    /// two-phase decode (see [`DecodeInto`]).
    pub fn open_into<'a>(&self, data: &'a [u8], opts: &DecodeOptions) -> Result<DecodeInto<'a>> {
        let opened = self.open(Input::Bytes(data), opts)?;
        let info = opened.info();
        Ok(DecodeInto {
            decoder: opened.decoder,
            info,
            limits: opts.limits,
        })
    }

    /// Decodes the first page into caller memory; `out` must match the probed size and
    /// format (see [`Registry::probe`]). Every pixel byte is written (whatever `out` held
    /// before), never row padding.
    /// The one-call form of [`Registry::open_into`] + [`DecodeInto::decode`].
    pub fn decode_into(&self, data: &[u8], out: ImageMut<'_>, opts: &DecodeOptions) -> Result<ImageInfo> {
        self.open_into(data, opts)?.decode(out)
    }

    /// Decodes every page.
    pub fn decode_pages(&self, data: &[u8], opts: &DecodeOptions) -> Result<Vec<Image>> {
        Self::pages_opened(self.open(Input::Bytes(data), opts)?, &opts.limits)
    }

    /// Decodes every page into one 3-D volume (pages must share size and format).
    pub fn decode_volume(&self, data: &[u8], opts: &DecodeOptions) -> Result<Volume> {
        Self::volume_opened(self.open(Input::Bytes(data), opts)?, &opts.limits)
    }

    /// Reads the first page of a file.
    pub fn read(&self, path: impl AsRef<Path>, opts: &DecodeOptions) -> Result<Image> {
        Self::decode_opened(&mut self.open(Input::Path(path.as_ref()), opts)?, &opts.limits)
    }

    /// Reads every page of a file.
    pub fn read_pages(&self, path: impl AsRef<Path>, opts: &DecodeOptions) -> Result<Vec<Image>> {
        Self::pages_opened(self.open(Input::Path(path.as_ref()), opts)?, &opts.limits)
    }

    /// Reads every page of a file together with the header facts of its first page
    /// (metadata included): one open and one read where [`Registry::probe_path`] followed by
    /// [`Registry::read_pages`] would take two.
    pub fn read_pages_with_info(
        &self,
        path: impl AsRef<Path>,
        opts: &DecodeOptions,
    ) -> Result<(ImageInfo, Vec<Image>)> {
        let opened = self.open(Input::Path(path.as_ref()), opts)?;
        let info = opened.info();
        Ok((info, Self::pages_opened(opened, &opts.limits)?))
    }

    /// Reads every page of a file, each with its own header facts: the metadata of each page
    /// as its decoder reports it (an animation frame's [`Metadata::frame`](crate::Metadata::frame)
    /// timing, a TIFF page's own tags), where [`Registry::read_pages_with_info`] gives the
    /// first page's only.
    pub fn read_pages_with_infos(
        &self,
        path: impl AsRef<Path>,
        opts: &DecodeOptions,
    ) -> Result<Vec<(ImageInfo, Image)>> {
        let mut opened = self.open(Input::Path(path.as_ref()), opts)?;
        let mut infos = vec![opened.info()];
        let pages = Self::pages_opened_each(&mut opened, &opts.limits, |d| infos.push(d.info().clone()))?;
        infos.truncate(pages.len());
        Ok(infos.into_iter().zip(pages).collect())
    }

    /// Reads every page of a file into one 3-D volume.
    pub fn read_volume(&self, path: impl AsRef<Path>, opts: &DecodeOptions) -> Result<Volume> {
        Self::volume_opened(self.open(Input::Path(path.as_ref()), opts)?, &opts.limits)
    }

    /// Reads the first page from any reader (read to its end, within the limits).
    pub fn read_from(&self, reader: &mut dyn Read, opts: &DecodeOptions) -> Result<Image> {
        let data = read_all(reader, &opts.limits)?;
        self.decode(&data, opts)
    }

    /// Reads every page from any reader.
    pub fn read_pages_from(&self, reader: &mut dyn Read, opts: &DecodeOptions) -> Result<Vec<Image>> {
        let data = read_all(reader, &opts.limits)?;
        self.decode_pages(&data, opts)
    }
}

fn hex_prefix(head: &[u8]) -> String {
    head.iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn read_all(reader: &mut dyn Read, limits: &Limits) -> Result<Vec<u8>> {
    let mut data = Vec::new();
    reader
        .take(limits.max_alloc_bytes.saturating_add(1))
        .read_to_end(&mut data)?;
    limits.check_alloc(data.len() as u64)?;
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Layout;
    use crate::options::EncodeOptions;
    use crate::sample::SampleType;

    /// Two-phase decoding: the size reported first is exactly what a padded buffer needs, a
    /// buffer one byte shorter is refused, and the decode writes the PNG's pixels and never
    /// the row padding.
    #[test]
    fn two_phase_decode_into_reports_and_fills_the_needed_buffer() {
        let reg = Registry::with_builtins();
        let format = PixelFormat::new(Layout::Rgb, SampleType::U16);
        let img = crate::testkit::generate(7, 5, format, 3);
        let png = reg.encode(img.as_ref(), "png", &EncodeOptions::default()).unwrap().data;
        let opts = DecodeOptions::new();

        let pending = reg.open_into(&png, &opts).unwrap();
        assert_eq!((pending.info().width, pending.info().height), (7, 5));
        assert_eq!(pending.info().format, format);
        let packed = pending.buffer_size(0).unwrap();
        assert_eq!((packed.stride, packed.len), (7 * 6, 7 * 6 * 5));
        let size = pending.buffer_size(7 * 6 + 10).unwrap();
        assert_eq!(size.len, (7 * 6 + 10) * 4 + 7 * 6);

        let mut short = vec![0u8; size.len - 1];
        match size.image_mut(&mut short) {
            Err(Error::BufferTooSmall { needed, got }) => assert_eq!((needed, got), (size.len, size.len - 1)),
            other => panic!("expected BufferTooSmall, got {:?}", other.map(|_| ())),
        }

        let mut buf = vec![0xABu8; size.len];
        let info = pending.decode(size.image_mut(&mut buf).unwrap()).unwrap();
        assert_eq!(info.codec, "png");
        for y in 0..5usize {
            let row = &buf[y * size.stride..y * size.stride + 7 * 6];
            assert_eq!(row, img.row(y as u32), "row {y}");
            if y < 4 {
                assert!(buf[y * size.stride + 7 * 6..(y + 1) * size.stride]
                    .iter()
                    .all(|&b| b == 0xAB));
            }
        }
    }

    /// The size query applies the decode limits (the PNG decoder already does when opening);
    /// decoding into memory of another shape is
    /// refused before any pixel is written.
    #[test]
    fn decode_into_checks_limits_and_shape() {
        let reg = Registry::with_builtins();
        let img = crate::testkit::generate(6, 4, PixelFormat::new(Layout::Gray, SampleType::U8), 1);
        let png = reg.encode(img.as_ref(), "png", &EncodeOptions::default()).unwrap().data;
        let small = Limits {
            max_width: 5,
            ..Limits::default()
        };
        let size = reg
            .open_into(&png, &DecodeOptions::new().limits(small))
            .and_then(|p| p.buffer_size(0));
        assert!(matches!(size, Err(Error::Limits(_))), "{size:?}");

        let mut buf = vec![7u8; 5 * 4];
        let wrong = ImageMut::new(&mut buf, 5, 4, PixelFormat::new(Layout::Gray, SampleType::U8), 5).unwrap();
        let err = reg.decode_into(&png, wrong, &DecodeOptions::new()).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)), "{err}");
        assert!(buf.iter().all(|&b| b == 7));
    }
}
