//! The [`Registry`] of codecs: built-ins plus run-time registration, lookup by name,
//! format, extension, MIME type and content, and the choice of an encoder.
//!
//! The registry is also what decodes and encodes: `decode.rs` opens an input (sniffing the
//! content, the extension as fallback) and decodes it into new or caller memory (one
//! two-phase path, [`DecodeInto`]); `encode.rs` chooses an encoder, keeps it per thread for
//! reuse and writes the bytes. The free functions in [`crate::io`] call both on the
//! process-wide registry.

pub(crate) mod decode;
pub(crate) mod encode;

pub use decode::{BufferSize, DecodeInto};

use std::sync::{Arc, OnceLock, RwLock};

use crate::codec::{Codec, Fidelity};
use crate::error::{Error, Result};
use crate::format::PixelFormat;

/// A set of codecs. Lookups clone `Arc`s out under a short read lock, so concurrent
/// lookups, decodes and encodes are safe while another thread registers or removes.
pub struct Registry {
    codecs: RwLock<Vec<Entry>>,
}

/// A registered codec with its name and format as shared text (cloned into encode reports
/// without allocating).
#[derive(Clone)]
pub(crate) struct Entry {
    /// The codec.
    pub(crate) codec: Arc<dyn Codec>,
    /// `descriptor().name`.
    pub(crate) name: Arc<str>,
    /// `descriptor().format`.
    pub(crate) format: Arc<str>,
}

/// True when `ext` (with or without a leading dot, any case) names `known` the way
/// `norm_ext(ext) == known` does, without allocating.
fn ext_matches(ext: &str, known: &str) -> bool {
    let ext = ext.trim_start_matches('.');
    ext.len() == known.len() && ext.bytes().zip(known.bytes()).all(|(a, b)| a.to_ascii_lowercase() == b)
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<String> = self.codecs().iter().map(|c| c.descriptor().name.clone()).collect();
        f.debug_struct("Registry").field("codecs", &names).finish()
    }
}

impl Default for Registry {
    /// Same as [`Registry::with_builtins`].
    fn default() -> Self {
        Registry::with_builtins()
    }
}

/// Normalises an extension: lower-case, no leading dot.
fn norm_ext(ext: &str) -> String {
    ext.trim_start_matches('.').to_ascii_lowercase()
}

impl Registry {
    /// An empty registry.
    pub fn empty() -> Self {
        Registry {
            codecs: RwLock::new(Vec::new()),
        }
    }

    /// A registry holding the built-in codecs enabled at compile time.
    pub fn with_builtins() -> Self {
        let r = Registry::empty();
        for c in crate::codecs::builtins() {
            r.register(c).expect("built-in codec names are unique");
        }
        r
    }

    /// The process-wide default registry (built-ins; codecs may be added at run time).
    pub fn global() -> &'static Registry {
        static GLOBAL: OnceLock<Registry> = OnceLock::new();
        GLOBAL.get_or_init(Registry::with_builtins)
    }

    /// Adds a codec; fails when a codec with the same name is registered.
    pub fn register(&self, codec: Arc<dyn Codec>) -> Result<()> {
        let name = codec.descriptor().name.clone();
        if name.is_empty() {
            return Err(Error::invalid("a codec needs a non-empty name"));
        }
        let mut list = self.codecs.write().unwrap_or_else(|e| e.into_inner());
        if list.iter().any(|c| c.codec.descriptor().name == name) {
            return Err(Error::invalid(format!("a codec named '{name}' is already registered")));
        }
        let format: Arc<str> = codec.descriptor().format.as_str().into();
        list.push(Entry {
            codec,
            name: name.into(),
            format,
        });
        list.sort_by(|a, b| {
            let (da, db) = (a.codec.descriptor(), b.codec.descriptor());
            db.priority.cmp(&da.priority).then_with(|| da.name.cmp(&db.name))
        });
        Ok(())
    }

    /// Removes the codec named `name` and returns it.
    pub fn unregister(&self, name: &str) -> Result<Arc<dyn Codec>> {
        let mut list = self.codecs.write().unwrap_or_else(|e| e.into_inner());
        let pos = list
            .iter()
            .position(|c| c.codec.descriptor().name == name)
            .ok_or_else(|| Error::UnknownFormat(format!("no codec named '{name}' is registered")))?;
        Ok(list.remove(pos).codec)
    }

    /// All codecs, highest priority first.
    pub fn codecs(&self) -> Vec<Arc<dyn Codec>> {
        let list = self.codecs.read().unwrap_or_else(|e| e.into_inner());
        list.iter().map(|e| e.codec.clone()).collect()
    }

    /// [`Registry::choose_encoder`] without allocating: the entry of the codec it would
    /// return, or `None` when it would fail (the caller then calls it for the error). The
    /// read lock is held only while scanning the list; nothing is cloned but one entry.
    pub(crate) fn find_encoder(&self, target: &str, codec: Option<&str>, format: PixelFormat) -> Option<Entry> {
        let list = self.codecs.read().unwrap_or_else(|e| e.into_inner());
        let can = |e: &&Entry| e.codec.capabilities().encode_fidelity(format).is_some();
        let by_name = |name: &str| {
            list.iter()
                .find(|e| e.codec.descriptor().name.eq_ignore_ascii_case(name))
        };
        let found = match codec {
            Some(name) => by_name(name).filter(can),
            None => match by_name(target) {
                Some(e) => Some(e).filter(can),
                None => {
                    // The first non-empty group of by_format, by_extension, by_mime (as in
                    // `resolve`), then the first codec of that group that can encode.
                    let groups: [&dyn Fn(&Entry) -> bool; 3] = [
                        &|e| e.format.eq_ignore_ascii_case(target),
                        &|e| e.codec.descriptor().extensions.iter().any(|x| ext_matches(target, x)),
                        &|e| {
                            e.codec
                                .descriptor()
                                .mime_types
                                .iter()
                                .any(|m| m.eq_ignore_ascii_case(target))
                        },
                    ];
                    let group = groups.iter().find(|g| list.iter().any(g))?;
                    list.iter().filter(|e| group(e)).find(can)
                }
            },
        };
        found.cloned()
    }

    fn filter(&self, pred: impl Fn(&dyn Codec) -> bool) -> Vec<Arc<dyn Codec>> {
        self.codecs().into_iter().filter(|c| pred(c.as_ref())).collect()
    }

    /// The codec with this exact name.
    pub fn by_name(&self, name: &str) -> Option<Arc<dyn Codec>> {
        self.filter(|c| c.descriptor().name.eq_ignore_ascii_case(name))
            .into_iter()
            .next()
    }

    /// Codecs implementing `format` (e.g. `jpeg`), highest priority first.
    pub fn by_format(&self, format: &str) -> Vec<Arc<dyn Codec>> {
        self.filter(|c| c.descriptor().format.eq_ignore_ascii_case(format))
    }

    /// Codecs claiming the file extension (with or without dot), highest priority first.
    pub fn by_extension(&self, ext: &str) -> Vec<Arc<dyn Codec>> {
        let ext = norm_ext(ext);
        self.filter(|c| c.descriptor().extensions.contains(&ext))
    }

    /// Codecs claiming the MIME type, highest priority first.
    pub fn by_mime(&self, mime: &str) -> Vec<Arc<dyn Codec>> {
        self.filter(|c| c.descriptor().mime_types.iter().any(|m| m.eq_ignore_ascii_case(mime)))
    }

    /// Codecs whose signature matches the first bytes of the data, highest priority first.
    pub fn by_content(&self, head: &[u8]) -> Vec<Arc<dyn Codec>> {
        self.filter(|c| c.sniff(head))
    }

    /// Codecs for a target given as a codec name, format name, extension or MIME type
    /// (tried in that order), highest priority first.
    pub fn resolve(&self, target: &str) -> Result<Vec<Arc<dyn Codec>>> {
        if let Some(c) = self.by_name(target) {
            return Ok(vec![c]);
        }
        for found in [self.by_format(target), self.by_extension(target), self.by_mime(target)] {
            if !found.is_empty() {
                return Ok(found);
            }
        }
        Err(Error::UnknownFormat(format!(
            "no codec for '{target}' (not a codec name, format, extension or MIME type); registered formats: {}",
            self.format_names().join(", ")
        )))
    }

    /// Distinct format names, in priority order.
    pub fn format_names(&self) -> Vec<String> {
        let mut v: Vec<String> = Vec::new();
        for c in self.codecs() {
            let f = &c.descriptor().format;
            if !v.contains(f) {
                v.push(f.clone());
            }
        }
        v
    }

    /// Codecs that can encode `format` exactly, highest priority first.
    pub fn exact_encoders_for(&self, format: PixelFormat) -> Vec<Arc<dyn Codec>> {
        self.filter(|c| c.capabilities().encode_fidelity(format) == Some(Fidelity::Exact))
    }

    /// Formats (not codec names) that can store `format` exactly, highest priority first,
    /// joined for messages: `"npy, png or tiff"`; `None` when no registered codec can.
    pub fn exact_formats_text(&self, format: PixelFormat) -> Option<String> {
        let mut names: Vec<String> = Vec::new();
        for c in self.exact_encoders_for(format) {
            let f = &c.descriptor().format;
            if !names.contains(f) {
                names.push(f.clone());
            }
        }
        match names.len() {
            0 => None,
            1 => Some(names.remove(0)),
            n => {
                let last = names.remove(n - 1);
                Some(format!("{} or {last}", names.join(", ")))
            }
        }
    }

    /// Chooses the encoder for `target` (see [`Registry::resolve`]) and pixel `format`:
    /// `codec` (a name) wins when given; otherwise the highest-priority codec of the target
    /// that can encode the format. Fails with [`Error::NotExact`] naming the pixel format,
    /// what the codecs can hold and which codec could hold it.
    pub fn choose_encoder(&self, target: &str, codec: Option<&str>, format: PixelFormat) -> Result<Arc<dyn Codec>> {
        let candidates = match codec {
            Some(name) => vec![self
                .by_name(name)
                .ok_or_else(|| Error::UnknownFormat(format!("no codec named '{name}' is registered")))?],
            None => self.resolve(target)?,
        };
        if let Some(c) = candidates
            .iter()
            .find(|c| c.capabilities().encode_fidelity(format).is_some())
        {
            return Ok(c.clone());
        }
        let first = &candidates[0];
        Err(Error::NotExact(self.cannot_hold_message(first.as_ref(), format)))
    }

    /// The explanation used when `codec` cannot store `format` exactly: what it can hold,
    /// which codecs hold exactly this pixel format (from the capability tables), and the
    /// explicit conversion that would make it fit (see [`crate::convert::fix_for`]; named
    /// with the Rust functions, shown on other surfaces by [`Error::message_for`]).
    pub fn cannot_hold_message(&self, codec: &dyn Codec, format: PixelFormat) -> String {
        let d = codec.descriptor();
        let caps = codec.capabilities();
        let alt = match self.exact_formats_text(format) {
            Some(formats) => format!("use {formats} instead (they store {format} exactly)"),
            None => "no registered codec stores it exactly".to_string(),
        };
        let holds: Vec<PixelFormat> = caps.encode.iter().map(|c| c.format).collect();
        let fix = match crate::convert::fix_for(format, &holds) {
            Some(fix) => format!("; or convert explicitly first: {}", fix.advice()),
            None => String::new(),
        };
        format!(
            "{} cannot store {format} pixels exactly; it can hold: {}. To keep the data, {alt}{fix}",
            d.name,
            caps.encode_list()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Layout;
    use crate::sample::SampleType;

    /// The allocation-free lookup of the encode path picks exactly what `choose_encoder`
    /// picks, and fails exactly when it fails, for names, formats, extensions (any case,
    /// with dots) and MIME types over every layout and sample type.
    #[test]
    fn find_encoder_agrees_with_choose_encoder() {
        let reg = Registry::with_builtins();
        let mut targets: Vec<String> = ["", "nope", ".", "..png", "image/x-nope"].map(String::from).to_vec();
        for c in reg.codecs() {
            let d = c.descriptor();
            targets.push(d.name.clone());
            targets.push(d.name.to_ascii_uppercase());
            targets.push(d.format.clone());
            targets.push(d.format.to_ascii_uppercase());
            for e in &d.extensions {
                targets.push(e.clone());
                targets.push(format!(".{}", e.to_ascii_uppercase()));
            }
            targets.extend(d.mime_types.iter().cloned());
        }
        let mut checked = 0;
        for layout in Layout::ALL {
            for sample in SampleType::ALL {
                let format = PixelFormat::new(layout, sample);
                for t in &targets {
                    for codec in [None, Some(t.as_str()), Some("png"), Some("nope")] {
                        let slow = reg.choose_encoder(t, codec, format).ok();
                        let fast = reg.find_encoder(t, codec, format).map(|e| e.codec);
                        match (&slow, &fast) {
                            (None, None) => {}
                            (Some(a), Some(b)) => assert!(Arc::ptr_eq(a, b), "{t} {codec:?} {format}"),
                            _ => panic!("{t} {codec:?} {format}: {} vs {}", slow.is_some(), fast.is_some()),
                        }
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 1000);
    }
}
