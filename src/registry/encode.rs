//! The encode half of [`Registry`]: choosing the encoder for a target and pixel format,
//! checking that the pixels can be stored as asked before anything is written, encoding to
//! writers, buffers and files (atomically), the optional verify-by-decoding, and the
//! per-thread cache that reuses an encoder object (and the scratch memory it owns) from one
//! call to the next.

use std::cell::RefCell;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Weak};

use crate::codec::{Codec, EncodeReport, Encoder, Fidelity, Source, Verification};
use crate::compare::compare;
use crate::error::{Error, Result};
use crate::format::PixelFormat;
use crate::image::{Image, ImageRef};
use crate::io::write_atomic_with;
use crate::limits::Limits;
use crate::metadata::MetadataPolicy;
use crate::options::{EncodeOptions, ResolvedOptions};

use super::{Entry, Registry};

/// Encoded bytes plus the report of how they were made.
#[derive(Debug, Clone, PartialEq)]
pub struct Encoded {
    /// The encoded file.
    pub data: Vec<u8>,
    /// Codec used, bytes, exact or lossy.
    pub report: EncodeReport,
}

impl Registry {
    /// The error text of `require_exact` when `codec` is lossy for `format` with the given
    /// options: names the options that would make it exact (when the capability table has
    /// them) and the formats that store `format` exactly.
    pub fn require_exact_message(&self, codec: &dyn Codec, format: PixelFormat) -> String {
        let name = &codec.descriptor().name;
        let others = self.exact_formats_text(format);
        let alt = match (
            codec.capabilities().encode_row(format).and_then(|r| r.exact_with),
            others,
        ) {
            (Some(with), Some(o)) => format!("Set {with} for an exact {name} file, or use {o}"),
            (Some(with), None) => format!("Set {with} for an exact {name} file"),
            (None, Some(o)) => format!("Use {o} for an exact file"),
            (None, None) => "Use an exact format".to_string(),
        };
        format!(
            "{name} is lossy for {format} and exactness is required ({}); nothing was written. {alt}",
            crate::convert::Remedy::RequireExact.text(crate::convert::Surface::Rust)
        )
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
        for p in pages {
            if caps.encode_fidelity(p.format()).is_none() {
                return Err(Error::NotExact(self.cannot_hold_message(codec.as_ref(), p.format())));
            }
        }
        if pages.len() > 1 && !caps.multi_page_encode {
            let multi: Vec<String> = self
                .codecs()
                .iter()
                .filter(|c| {
                    let caps = c.capabilities();
                    caps.multi_page_encode
                        && pages
                            .iter()
                            .all(|p| caps.encode_fidelity(p.format()) == Some(Fidelity::Exact))
                })
                .map(|c| c.descriptor().name.clone())
                .collect();
            return Err(Error::Unsupported(format!(
                "{name} stores one image per file but {} pages were given; {}",
                pages.len(),
                if multi.is_empty() {
                    format!(
                        "no registered codec stores these {} pages exactly in one file",
                        first.format()
                    )
                } else {
                    format!("use {} for multi-page output", multi.join(" or "))
                }
            )));
        }
        let mut slot = EncoderSlot::take(codec, opts)?;
        // Asked with empty metadata too (none given, or stripped): a format that states a
        // convention by itself (libjpeg-turbo's Adobe marker on CMYK) changes what plain
        // samples mean, and that is reported like a dropped item.
        let metadata_dropped = slot.metadata_notes(codec.as_ref(), pages, opts)?;
        if !metadata_dropped.is_empty() && (opts.metadata_policy == MetadataPolicy::Strict || opts.require_exact) {
            // Nothing was encoded: the slot is kept for the next call.
            slot.put_back();
            let list: Vec<String> = metadata_dropped.iter().map(|n| n.to_string()).collect();
            let policy = |p| crate::convert::Remedy::MetadataPolicy(p).text(crate::convert::Surface::Rust);
            return Err(Error::NotExact(format!(
                "{name} cannot keep all the metadata and the metadata policy is strict{}; nothing was written: {}. Use {} to write what fits, or {} to write none",
                if opts.require_exact { " (require_exact)" } else { "" },
                list.join("; "),
                policy(MetadataPolicy::Keep),
                policy(MetadataPolicy::Strip)
            )));
        }
        let resolved = &slot.options.as_ref().expect("EncoderSlot::take resolves the options").1;
        // Exact or lossy with these options (JPEG: exact with lossless=true), decided
        // before anything is written.
        let lossy = pages
            .iter()
            .any(|p| codec.encode_fidelity_with(p.format(), resolved) != Some(Fidelity::Exact));
        if opts.require_exact && lossy {
            let message = self.require_exact_message(codec.as_ref(), first.format());
            // The slot is fine (nothing was encoded): keep it for the next call.
            slot.put_back();
            return Err(Error::NotExact(message));
        }
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
            metadata_dropped,
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
    /// file in the same folder, renamed over `path` only when everything succeeded. Existing
    /// files are treated as [`write_atomic_with`] says (a file the caller may not write is
    /// refused unless `opts.overwrite_readonly`; a symlink is written through unless
    /// `opts.replace_symlink`; permission bits are kept).
    pub fn write_pages_as(
        &self,
        pages: &[ImageRef<'_>],
        path: &Path,
        target: &str,
        opts: &EncodeOptions,
    ) -> Result<EncodeReport> {
        write_atomic_with(path, opts.write_rules(), |w| {
            self.encode_pages_to(pages, target, opts, w)
        })
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
    /// The metadata notes for the options above and these page formats.
    fit: Option<(Vec<PixelFormat>, Vec<crate::metadata::MetadataNote>)>,
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
                fit: None,
            },
        };
        if !matches!(&slot.options, Some((o, _)) if o == opts) {
            let resolved = opts.resolve(&codec.descriptor().name, codec.encode_options())?;
            slot.options = Some((opts.clone(), resolved));
            slot.fit = None;
        }
        Ok(slot)
    }

    /// [`Self::metadata_fit`], computed once for these options and page formats: the notes
    /// of the last call are reused while both are unchanged ([`Codec::metadata_fit`] depends
    /// on nothing else), so repeated encodes with the same metadata do not re-check it.
    fn metadata_notes(
        &mut self,
        codec: &dyn Codec,
        pages: &[ImageRef<'_>],
        opts: &EncodeOptions,
    ) -> Result<Vec<crate::metadata::MetadataNote>> {
        if let Some((formats, notes)) = &self.fit {
            if formats.len() == pages.len() && formats.iter().zip(pages).all(|(f, p)| *f == p.format()) {
                return Ok(notes.clone());
            }
        }
        let notes = Self::metadata_fit(codec, pages, opts)?;
        self.fit = Some((pages.iter().map(|p| p.format()).collect(), notes.clone()));
        Ok(notes)
    }

    /// What `codec` would not keep of the metadata and of each page's animation timing
    /// ([`EncodeOptions::frame_timings`]: the first entry in the metadata's place, each later
    /// one asked alone, a note repeated by several pages listed once).
    fn metadata_fit(
        codec: &dyn Codec,
        pages: &[ImageRef<'_>],
        opts: &EncodeOptions,
    ) -> Result<Vec<crate::metadata::MetadataNote>> {
        use crate::metadata::Metadata;
        let format = pages[0].format();
        let timings = match opts.metadata_policy {
            MetadataPolicy::Strip => &[][..],
            _ => &opts.frame_timings[..],
        };
        if !timings.is_empty() && timings.len() != pages.len() {
            return Err(Error::invalid(format!(
                "frame_timings has {} entries for {} pages; give one per page",
                timings.len(),
                pages.len()
            )));
        }
        // The caller's metadata as it is, copied only to put the first frame's timing in.
        let given = opts.metadata_to_write();
        let empty = Metadata::default();
        let m = match (timings.first(), given.as_deref()) {
            (None, Some(m)) => std::borrow::Cow::Borrowed(m),
            (None, None) => std::borrow::Cow::Borrowed(&empty),
            (Some(t), m) => std::borrow::Cow::Owned(Metadata {
                frame: Some(*t),
                ..m.cloned().unwrap_or_default()
            }),
        };
        let mut notes = codec.metadata_fit(&m, format);
        for (t, p) in timings.iter().zip(pages).skip(1) {
            let alone = Metadata {
                frame: Some(*t),
                ..Metadata::default()
            };
            for n in codec.metadata_fit(&alone, p.format()) {
                if !notes.contains(&n) {
                    notes.push(n);
                }
            }
        }
        Ok(notes)
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

fn verify(codec: &dyn Codec, pages: &[ImageRef<'_>], encoded: &[u8]) -> Result<Verification> {
    let name = &codec.descriptor().name;
    let mut dec = codec.decoder(Source::Bytes(encoded), &Limits::unlimited())?;
    let mut worst: Option<Verification> = None;
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
