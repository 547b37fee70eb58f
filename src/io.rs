//! Decoding and encoding through a [`Registry`]: memory, files (atomic writes) and
//! streams, plus the short free functions over the process-wide registry.

use std::cell::RefCell;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::{Arc, Weak};

use crate::codec::{Codec, Decoder, EncodeReport, Encoder, Fidelity, Source};
use crate::compare::compare;
use crate::error::{Error, Result};
use crate::format::PixelFormat;
use crate::image::{Image, ImageMut, ImageRef, Volume};
use crate::info::ImageInfo;
use crate::limits::Limits;
use crate::options::{EncodeOptions, ResolvedOptions};
use crate::registry::{Entry, Registry};

/// How to decode: limits and an optional forced codec.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct DecodeOptions {
    /// Limits checked before any large allocation.
    pub limits: Limits,
    /// Decode with this codec (by name) instead of sniffing the content.
    pub codec: Option<String>,
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
}

/// Encoded bytes plus the report of how they were made.
#[derive(Debug, Clone, PartialEq)]
pub struct Encoded {
    /// The encoded file.
    pub data: Vec<u8>,
    /// Codec used, bytes, exact or lossy.
    pub report: EncodeReport,
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

const SNIFF_LEN: usize = 64;

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
                Ok(decoder) => return Ok(Opened { decoder, note }),
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
        let mut pages = Vec::new();
        let mut total = 0u64;
        loop {
            let info = opened.decoder.info().clone();
            total = total.saturating_add(limits.check_image(info.width, info.height, info.format)?);
            limits.check_alloc(total)?;
            limits.check_pages(pages.len() as u64 + 1)?;
            pages.push(Self::decode_opened(&mut opened, limits)?);
            if !opened.decoder.next_page()? {
                return Ok(pages);
            }
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

    /// Decodes the first page into a new image of the file's own pixel format.
    pub fn decode(&self, data: &[u8], opts: &DecodeOptions) -> Result<Image> {
        Self::decode_opened(&mut self.open(Input::Bytes(data), opts)?, &opts.limits)
    }

    /// Decodes the first page into caller memory; `out` must match the probed size and
    /// format (see [`Registry::probe`]). Only pixel bytes are written, never row padding.
    pub fn decode_into(&self, data: &[u8], mut out: ImageMut<'_>, opts: &DecodeOptions) -> Result<ImageInfo> {
        let mut opened = self.open(Input::Bytes(data), opts)?;
        let info = opened.info();
        out.expect_shape(info.width, info.height, info.format)?;
        opened.decoder.decode_into(out.reborrow())?;
        Ok(info)
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

    /// Encodes pages to a writer. `target` is a codec name, format, extension or MIME type.
    /// Fails before writing anything when the pixels cannot be stored as asked.
    ///
    /// For a codec whose [`Codec::reusable_encoder`] is true (the built-in codecs), the
    /// encoder and the options validated for it are kept per thread and reused by the next
    /// call with the same codec and options, and the report's texts are shared: encoding
    /// into a reused buffer then allocates nothing after the first call (see tests/alloc.rs).
    pub fn encode_pages_to(
        &self,
        pages: &[ImageRef<'_>],
        target: &str,
        opts: &EncodeOptions,
        out: &mut dyn Write,
    ) -> Result<EncodeReport> {
        let first = pages
            .first()
            .ok_or_else(|| Error::invalid("nothing to encode: no pages given"))?;
        let entry = match self.find_encoder(target, opts.codec.as_deref(), first.format()) {
            Some(e) => e,
            // Not found: choose_encoder explains why (it fails here, or, should a codec have
            // been registered in between, finds it).
            None => {
                let codec = self.choose_encoder(target, opts.codec.as_deref(), first.format())?;
                let d = codec.descriptor();
                Entry {
                    name: d.name.as_str().into(),
                    format: d.format.as_str().into(),
                    codec,
                }
            }
        };
        let codec = &entry.codec;
        let name = &*entry.name;
        let caps = codec.capabilities();
        let mut lossy = false;
        for p in pages {
            match caps.encode_fidelity(p.format()) {
                None => return Err(Error::NotExact(self.cannot_hold_message(codec.as_ref(), p.format()))),
                Some(Fidelity::Lossy) => lossy = true,
                Some(Fidelity::Exact) => {}
            }
        }
        if pages.len() > 1 && !caps.multi_page_encode {
            let multi: Vec<String> = self
                .codecs()
                .iter()
                .filter(|c| c.capabilities().multi_page_encode)
                .map(|c| c.descriptor().name.clone())
                .collect();
            return Err(Error::Unsupported(format!(
                "{name} stores one image per file but {} pages were given; use {} for multi-page output",
                pages.len(),
                if multi.is_empty() {
                    "a multi-page codec".to_string()
                } else {
                    multi.join(" or ")
                }
            )));
        }
        if opts.require_exact && lossy {
            return Err(Error::NotExact(format!(
                "{name} is lossy for {} and require_exact is set; nothing was written. Use {} for an exact file",
                first.format(),
                self.exact_formats_text(first.format())
                    .unwrap_or_else(|| "an exact format".to_string())
            )));
        }
        let mut slot = EncoderSlot::take(codec, opts)?;
        let encoder = &mut slot.encoder;
        let resolved = &slot.options.as_ref().expect("EncoderSlot::take resolves the options").1;
        let (bytes_written, reason, verification) = if opts.verify {
            let mut buf = Vec::new();
            let reason = encoder.encode(pages, resolved, &mut buf)?;
            let v = verify(codec.as_ref(), pages, &buf)?;
            if reason.is_none() && !lossy && !v.identical {
                return Err(Error::encode(
                    name,
                    format!(
                        "verify failed: {name} claims exact output but decoding it differs (max difference {})",
                        v.max_abs_diff
                    ),
                ));
            }
            out.write_all(&buf)?;
            (buf.len() as u64, reason, Some(v))
        } else {
            let mut counter = CountingWriter { inner: out, count: 0 };
            let reason = encoder.encode(pages, resolved, &mut counter)?;
            (counter.count, reason, None)
        };
        let lossy_reason = match (reason, lossy) {
            (Some(r), _) => Some(r),
            (None, true) => Some(slot.generic_reason(name, first.format())),
            (None, false) => None,
        };
        // Kept for the next call only after a successful encode.
        slot.put_back();
        Ok(EncodeReport {
            codec: entry.name.clone(),
            format: entry.format.clone(),
            bytes_written,
            pages: pages.len() as u32,
            exact: lossy_reason.is_none(),
            lossy_reason,
            verification,
        })
    }

    /// Encodes one image to a writer.
    pub fn encode_to(
        &self,
        image: ImageRef<'_>,
        target: &str,
        opts: &EncodeOptions,
        out: &mut dyn Write,
    ) -> Result<EncodeReport> {
        self.encode_pages_to(&[image], target, opts, out)
    }

    /// Encodes one image into a new buffer.
    pub fn encode(&self, image: ImageRef<'_>, target: &str, opts: &EncodeOptions) -> Result<Encoded> {
        let mut data = Vec::new();
        let report = self.encode_to(image, target, opts, &mut data)?;
        Ok(Encoded { data, report })
    }

    /// Encodes one image into `buf`, replacing its contents and reusing its capacity.
    pub fn encode_into(
        &self,
        image: ImageRef<'_>,
        target: &str,
        opts: &EncodeOptions,
        buf: &mut Vec<u8>,
    ) -> Result<EncodeReport> {
        buf.clear();
        self.encode_to(image, target, opts, buf)
    }

    /// Encodes several pages into `buf`, replacing its contents.
    pub fn encode_pages_into(
        &self,
        pages: &[ImageRef<'_>],
        target: &str,
        opts: &EncodeOptions,
        buf: &mut Vec<u8>,
    ) -> Result<EncodeReport> {
        buf.clear();
        self.encode_pages_to(pages, target, opts, buf)
    }

    /// Writes one image to `path` atomically, the format taken from the extension.
    pub fn write(&self, image: ImageRef<'_>, path: impl AsRef<Path>, opts: &EncodeOptions) -> Result<EncodeReport> {
        let path = path.as_ref();
        let target = extension_of(path)?;
        self.write_pages_as(&[image], path, &target, opts)
    }

    /// Writes one image to `path` atomically in the given format.
    pub fn write_as(
        &self,
        image: ImageRef<'_>,
        path: impl AsRef<Path>,
        target: &str,
        opts: &EncodeOptions,
    ) -> Result<EncodeReport> {
        self.write_pages_as(&[image], path.as_ref(), target, opts)
    }

    /// Writes pages to `path` atomically, the format taken from the extension.
    pub fn write_pages(
        &self,
        pages: &[ImageRef<'_>],
        path: impl AsRef<Path>,
        opts: &EncodeOptions,
    ) -> Result<EncodeReport> {
        let path = path.as_ref();
        let target = extension_of(path)?;
        self.write_pages_as(pages, path, &target, opts)
    }

    /// Writes pages to `path` atomically in the given format: the data goes to a temporary
    /// file in the same folder, renamed over `path` only when everything succeeded.
    pub fn write_pages_as(
        &self,
        pages: &[ImageRef<'_>],
        path: &Path,
        target: &str,
        opts: &EncodeOptions,
    ) -> Result<EncodeReport> {
        write_atomic(path, |w| self.encode_pages_to(pages, target, opts, w))
    }
}

fn extension_of(path: &Path) -> Result<String> {
    path.extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .ok_or_else(|| {
            Error::invalid(format!(
                "{} has no file extension to choose a format from; give the format explicitly (write_as)",
                path.display()
            ))
        })
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

/// Runs `f` with a writer on a temporary file beside `path` and renames it over `path`
/// on success. On any error the destination is untouched and the temporary file removed.
pub fn write_atomic<R>(path: &Path, f: impl FnOnce(&mut dyn Write) -> Result<R>) -> Result<R> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".pixcodec-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map(|m| m.permissions().mode() & 0o7777)
            .unwrap_or(0o644);
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    let mut tmp = builder.tempfile_in(dir)?;
    let result = {
        let mut w = BufWriter::with_capacity(1 << 16, tmp.as_file_mut());
        let r = f(&mut w)?;
        w.flush()?;
        r
    };
    tmp.persist(path).map_err(|e| Error::Io(e.error))?;
    Ok(result)
}

/// How many (codec, encoder) pairs each thread keeps: enough for every built-in codec.
const ENCODER_CACHE_SLOTS: usize = 8;

thread_local! {
    /// Encoders kept for reuse on this thread, least recently used first.
    static ENCODERS: RefCell<Vec<EncoderSlot>> = RefCell::new(Vec::with_capacity(ENCODER_CACHE_SLOTS + 1));
}

/// An encoder of one codec with the options last validated for it. While an encode runs,
/// the slot is out of the thread's cache (so a nested encode on the same thread simply makes
/// its own); it goes back only after a successful encode of a reusable codec.
struct EncoderSlot {
    /// The codec, held weakly: the cache never keeps a codec alive, and the weak count
    /// keeps its address from being reused while the slot exists.
    codec: Weak<dyn Codec>,
    reusable: bool,
    encoder: Box<dyn Encoder>,
    /// The caller's options and their validated form.
    options: Option<(EncodeOptions, ResolvedOptions)>,
    /// The report text used when the codec is lossy for a format but gave no reason.
    generic_reason: Option<(PixelFormat, Arc<str>)>,
}

impl EncoderSlot {
    /// The cached slot of `codec` with `opts` validated, or a new one.
    fn take(codec: &Arc<dyn Codec>, opts: &EncodeOptions) -> Result<EncoderSlot> {
        let cached = ENCODERS
            .try_with(|c| {
                let mut c = c.try_borrow_mut().ok()?;
                let i = c
                    .iter()
                    .position(|s| std::ptr::addr_eq(s.codec.as_ptr(), Arc::as_ptr(codec)))?;
                Some(c.remove(i))
            })
            .ok()
            .flatten();
        let mut slot = match cached {
            Some(s) => s,
            None => EncoderSlot {
                codec: Arc::downgrade(codec),
                reusable: codec.reusable_encoder(),
                encoder: codec.encoder()?,
                options: None,
                generic_reason: None,
            },
        };
        if !matches!(&slot.options, Some((o, _)) if o == opts) {
            let resolved = opts.resolve(&codec.descriptor().name, codec.encode_options())?;
            slot.options = Some((opts.clone(), resolved));
        }
        Ok(slot)
    }

    /// `"{codec} is lossy for {format}"`, made once per format.
    fn generic_reason(&mut self, name: &str, format: PixelFormat) -> Arc<str> {
        match &self.generic_reason {
            Some((f, r)) if *f == format => r.clone(),
            _ => {
                let r: Arc<str> = format!("{name} is lossy for {format}").into();
                self.generic_reason = Some((format, r.clone()));
                r
            }
        }
    }

    /// Returns a reusable slot to this thread's cache (evicting the least recently used).
    fn put_back(self) {
        if !self.reusable {
            return;
        }
        let _ = ENCODERS.try_with(|c| {
            if let Ok(mut c) = c.try_borrow_mut() {
                if c.len() >= ENCODER_CACHE_SLOTS {
                    c.remove(0);
                }
                c.push(self);
            }
        });
    }
}

struct CountingWriter<'a> {
    inner: &'a mut dyn Write,
    count: u64,
}

impl Write for CountingWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.count += n as u64;
        Ok(n)
    }
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.inner.write_all(buf)?;
        self.count += buf.len() as u64;
        Ok(())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn verify(codec: &dyn Codec, pages: &[ImageRef<'_>], encoded: &[u8]) -> Result<crate::codec::Verification> {
    let name = &codec.descriptor().name;
    let mut dec = codec.decoder(Source::Bytes(encoded), &Limits::unlimited())?;
    let mut worst: Option<crate::codec::Verification> = None;
    for (i, page) in pages.iter().enumerate() {
        if i > 0 && !dec.next_page()? {
            return Err(Error::encode(
                name,
                format!("verify failed: output has {i} pages, {} were written", pages.len()),
            ));
        }
        let info = dec.info().clone();
        let mut img = Image::new(info.width, info.height, info.format)?;
        dec.decode_into(img.as_mut())?;
        let v = compare(page, &img.as_ref()).map_err(|e| Error::encode(name, format!("verify failed: {e}")))?;
        worst = Some(match worst {
            Some(w) if w.max_abs_diff >= v.max_abs_diff => w,
            _ => v,
        });
    }
    worst.ok_or_else(|| Error::invalid("nothing to verify"))
}

/// Probes bytes with the global registry.
pub fn probe(data: &[u8]) -> Result<ImageInfo> {
    Registry::global().probe(data, &DecodeOptions::default())
}

/// Decodes the first page of `data` with the global registry.
pub fn decode(data: &[u8]) -> Result<Image> {
    Registry::global().decode(data, &DecodeOptions::default())
}

/// Decodes the first page of `data` into caller memory (global registry).
pub fn decode_into(data: &[u8], out: ImageMut<'_>) -> Result<ImageInfo> {
    Registry::global().decode_into(data, out, &DecodeOptions::default())
}

/// Decodes every page of `data` (global registry).
pub fn decode_pages(data: &[u8]) -> Result<Vec<Image>> {
    Registry::global().decode_pages(data, &DecodeOptions::default())
}

/// Reads the first page of a file (global registry).
pub fn read(path: impl AsRef<Path>) -> Result<Image> {
    Registry::global().read(path, &DecodeOptions::default())
}

/// Reads every page of a file (global registry).
pub fn read_pages(path: impl AsRef<Path>) -> Result<Vec<Image>> {
    Registry::global().read_pages(path, &DecodeOptions::default())
}

/// Reads the first page from any reader (global registry).
pub fn read_from(mut reader: impl Read) -> Result<Image> {
    Registry::global().read_from(&mut reader, &DecodeOptions::default())
}

/// Encodes with the global registry; `target` is a format, extension, MIME type or codec name.
pub fn encode(image: ImageRef<'_>, target: &str, opts: &EncodeOptions) -> Result<Encoded> {
    Registry::global().encode(image, target, opts)
}

/// Encodes into a reused buffer (global registry).
pub fn encode_into(image: ImageRef<'_>, target: &str, opts: &EncodeOptions, buf: &mut Vec<u8>) -> Result<EncodeReport> {
    Registry::global().encode_into(image, target, opts, buf)
}

/// Encodes to any writer (global registry).
pub fn encode_to(image: ImageRef<'_>, target: &str, opts: &EncodeOptions, mut out: impl Write) -> Result<EncodeReport> {
    Registry::global().encode_to(image, target, opts, &mut out)
}

/// Writes a file atomically, the format from its extension (global registry).
pub fn write(image: ImageRef<'_>, path: impl AsRef<Path>, opts: &EncodeOptions) -> Result<EncodeReport> {
    Registry::global().write(image, path, opts)
}

/// Writes several pages to one file atomically (global registry).
pub fn write_pages(pages: &[ImageRef<'_>], path: impl AsRef<Path>, opts: &EncodeOptions) -> Result<EncodeReport> {
    Registry::global().write_pages(pages, path, opts)
}
