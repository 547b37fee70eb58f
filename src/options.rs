//! Encode options: each codec declares the options it accepts ([`OptionSpec`]); callers
//! give values by name ([`EncodeOptions`]); both meet in one validated key/value path.

use std::collections::BTreeMap;
use std::fmt;

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::metadata::{FrameTiming, Metadata, MetadataPolicy};

/// The type and valid range of an option.
#[derive(Debug, Clone, PartialEq)]
pub enum OptionKind {
    /// `true` / `false`.
    Bool,
    /// An integer in `min..=max`.
    Int {
        /// Smallest accepted value.
        min: i64,
        /// Largest accepted value.
        max: i64,
    },
    /// A floating-point number in `min..=max`.
    Float {
        /// Smallest accepted value.
        min: f64,
        /// Largest accepted value.
        max: f64,
    },
    /// One of a fixed set of names.
    Choice(Vec<String>),
}

impl fmt::Display for OptionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OptionKind::Bool => write!(f, "bool"),
            OptionKind::Int { min, max } => write!(f, "int {min}..={max}"),
            OptionKind::Float { min, max } => write!(f, "float {min}..={max}"),
            OptionKind::Choice(c) => write!(f, "one of {}", c.join("|")),
        }
    }
}

/// A value given for an option.
#[derive(Debug, Clone, PartialEq)]
pub enum OptionValue {
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// Text: a choice name, or any value in text form (parsed by the option's kind).
    Str(String),
}

impl fmt::Display for OptionValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OptionValue::Bool(b) => write!(f, "{b}"),
            OptionValue::Int(i) => write!(f, "{i}"),
            OptionValue::Float(x) => write!(f, "{x}"),
            OptionValue::Str(s) => write!(f, "{s}"),
        }
    }
}

impl OptionValue {
    /// True when `text` denotes this value: a boolean as `true`/`false`, a number parsed,
    /// text compared ignoring ASCII case. Allocates nothing.
    pub fn matches_text(&self, text: &str) -> bool {
        match self {
            OptionValue::Bool(b) => text.parse::<bool>().is_ok_and(|t| t == *b),
            OptionValue::Int(i) => text.parse::<i64>().is_ok_and(|t| t == *i),
            OptionValue::Float(x) => text.parse::<f64>().is_ok_and(|t| t == *x),
            OptionValue::Str(s) => s.eq_ignore_ascii_case(text),
        }
    }
}

impl From<bool> for OptionValue {
    fn from(v: bool) -> Self {
        OptionValue::Bool(v)
    }
}
impl From<i64> for OptionValue {
    fn from(v: i64) -> Self {
        OptionValue::Int(v)
    }
}
impl From<i32> for OptionValue {
    fn from(v: i32) -> Self {
        OptionValue::Int(v as i64)
    }
}
impl From<u8> for OptionValue {
    fn from(v: u8) -> Self {
        OptionValue::Int(v as i64)
    }
}
impl From<f64> for OptionValue {
    fn from(v: f64) -> Self {
        OptionValue::Float(v)
    }
}
impl From<&str> for OptionValue {
    fn from(v: &str) -> Self {
        OptionValue::Str(v.to_string())
    }
}
impl From<String> for OptionValue {
    fn from(v: String) -> Self {
        OptionValue::Str(v)
    }
}

/// One option a codec accepts: name, type and range, default, one-line doc.
#[derive(Debug, Clone, PartialEq)]
pub struct OptionSpec {
    /// Option name (lower-case, e.g. `quality`).
    pub name: String,
    /// Type and range.
    pub kind: OptionKind,
    /// Value used when the caller gives none.
    pub default: OptionValue,
    /// One-line description.
    pub doc: String,
}

impl OptionSpec {
    /// A boolean option.
    pub fn bool(name: &str, default: bool, doc: &str) -> Self {
        Self::make(name, OptionKind::Bool, OptionValue::Bool(default), doc)
    }
    /// An integer option in `min..=max`.
    pub fn int(name: &str, min: i64, max: i64, default: i64, doc: &str) -> Self {
        Self::make(name, OptionKind::Int { min, max }, OptionValue::Int(default), doc)
    }
    /// A float option in `min..=max`.
    pub fn float(name: &str, min: f64, max: f64, default: f64, doc: &str) -> Self {
        Self::make(name, OptionKind::Float { min, max }, OptionValue::Float(default), doc)
    }
    /// A choice among names.
    pub fn choice(name: &str, choices: &[&str], default: &str, doc: &str) -> Self {
        Self::make(
            name,
            OptionKind::Choice(choices.iter().map(|c| c.to_string()).collect()),
            OptionValue::Str(default.to_string()),
            doc,
        )
    }
    fn make(name: &str, kind: OptionKind, default: OptionValue, doc: &str) -> Self {
        OptionSpec {
            name: name.to_string(),
            kind,
            default,
            doc: doc.to_string(),
        }
    }

    /// Validates `value` against this spec, converting text to the option's type.
    pub fn validate(&self, codec: &str, value: &OptionValue) -> Result<OptionValue> {
        let bad = |why: String| {
            Error::invalid(format!(
                "option '{}' of codec {codec}: {why} (expected {})",
                self.name, self.kind
            ))
        };
        match (&self.kind, value) {
            (OptionKind::Bool, OptionValue::Bool(b)) => Ok(OptionValue::Bool(*b)),
            (OptionKind::Bool, OptionValue::Int(i @ (0 | 1))) => Ok(OptionValue::Bool(*i == 1)),
            (OptionKind::Bool, OptionValue::Str(s)) => match s.to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" | "on" => Ok(OptionValue::Bool(true)),
                "0" | "false" | "no" | "off" => Ok(OptionValue::Bool(false)),
                _ => Err(bad(format!("'{s}' is not a boolean"))),
            },
            (OptionKind::Int { min, max }, v) => {
                let i = match v {
                    OptionValue::Int(i) => *i,
                    OptionValue::Str(s) => s
                        .trim()
                        .parse::<i64>()
                        .map_err(|_| bad(format!("'{s}' is not an integer")))?,
                    other => return Err(bad(format!("{other:?} is not an integer"))),
                };
                if i < *min || i > *max {
                    return Err(bad(format!("{i} is out of range")));
                }
                Ok(OptionValue::Int(i))
            }
            (OptionKind::Float { min, max }, v) => {
                let x = match v {
                    OptionValue::Float(x) => *x,
                    OptionValue::Int(i) => *i as f64,
                    OptionValue::Str(s) => s
                        .trim()
                        .parse::<f64>()
                        .map_err(|_| bad(format!("'{s}' is not a number")))?,
                    other => return Err(bad(format!("{other:?} is not a number"))),
                };
                if !(x >= *min && x <= *max) {
                    return Err(bad(format!("{x} is out of range")));
                }
                Ok(OptionValue::Float(x))
            }
            (OptionKind::Choice(choices), v) => {
                let s = v.to_string().to_ascii_lowercase();
                choices
                    .iter()
                    .find(|c| c.eq_ignore_ascii_case(&s))
                    .map(|c| OptionValue::Str(c.clone()))
                    .ok_or_else(|| bad(format!("'{s}' is not a valid choice")))
            }
            (OptionKind::Bool, other) => Err(bad(format!("{other:?} is not a boolean"))),
        }
    }
}

/// What the caller asks of an encode: codec choice, exactness demands and named options.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct EncodeOptions {
    /// Use this codec (by name, e.g. `png`) instead of choosing by format and priority.
    pub codec: Option<String>,
    /// Fail before writing anything when the chosen codec would be lossy.
    pub require_exact: bool,
    /// Decode the output again and compare it with the input.
    pub verify: bool,
    /// Codec options by name; validated against the codec's [`OptionSpec`]s.
    pub params: Vec<(String, OptionValue)>,
    /// File writes only: replace an existing file even when the caller may not write it
    /// (by default such a file is refused, as `cp` does).
    pub overwrite_readonly: bool,
    /// File writes only: replace a symlink at the destination by a regular file (by default
    /// the data goes to the link's target and the link stays).
    pub replace_symlink: bool,
    /// Metadata to write with the image (on the first page): what a decoder found
    /// ([`ImageInfo::metadata`](crate::ImageInfo::metadata)) or built by hand.
    pub metadata: Option<Arc<Metadata>>,
    /// What to do with [`EncodeOptions::metadata`]: keep what fits (default), fail when
    /// anything would be dropped, or write none.
    pub metadata_policy: MetadataPolicy,
    /// Each page's animation timing, in page order, when the pages of one encode carry their
    /// own (the frames of a GIF or WebP animation, as each page's
    /// [`Metadata::frame`](crate::Metadata::frame) holds it); the first entry takes the place
    /// of [`EncodeOptions::metadata`]'s `frame`. Empty (default): the first page has
    /// `metadata.frame`, the others none. Given, it has one entry per page. Animation encoders
    /// (GIF) write it; the others report it dropped like any metadata item, and
    /// [`MetadataPolicy::Strip`] writes none.
    pub frame_timings: Vec<FrameTiming>,
}

impl PartialEq for EncodeOptions {
    /// Field by field; the metadata is equal when it is the same shared value (checked first:
    /// the registry compares a call's options with the last call's on every encode) or equal
    /// item by item.
    fn eq(&self, other: &Self) -> bool {
        let EncodeOptions {
            codec,
            require_exact,
            verify,
            params,
            overwrite_readonly,
            replace_symlink,
            metadata,
            metadata_policy,
            frame_timings,
        } = self;
        let same_metadata = match (metadata, &other.metadata) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b) || a == b,
            (a, b) => a.is_none() && b.is_none(),
        };
        *codec == other.codec
            && *require_exact == other.require_exact
            && *verify == other.verify
            && *params == other.params
            && *overwrite_readonly == other.overwrite_readonly
            && *replace_symlink == other.replace_symlink
            && same_metadata
            && *metadata_policy == other.metadata_policy
            && *frame_timings == other.frame_timings
    }
}

impl EncodeOptions {
    /// Default options: automatic codec, lossy allowed only when a lossy format was chosen.
    pub fn new() -> Self {
        Self::default()
    }
    /// Chooses a codec by name.
    pub fn codec(mut self, name: &str) -> Self {
        self.codec = Some(name.to_string());
        self
    }
    /// Demands a bit-exact result.
    pub fn require_exact(mut self, yes: bool) -> Self {
        self.require_exact = yes;
        self
    }
    /// Decodes the output and compares it with the input.
    pub fn verify(mut self, yes: bool) -> Self {
        self.verify = yes;
        self
    }
    /// File writes: replaces an existing file the caller may not write.
    pub fn overwrite_readonly(mut self, yes: bool) -> Self {
        self.overwrite_readonly = yes;
        self
    }
    /// File writes: replaces a symlink at the destination instead of writing through it.
    pub fn replace_symlink(mut self, yes: bool) -> Self {
        self.replace_symlink = yes;
        self
    }
    /// Writes `metadata` with the image (see [`crate::metadata`]); an empty one clears it.
    pub fn metadata(mut self, metadata: Metadata) -> Self {
        self.metadata = (!metadata.is_empty()).then(|| Arc::new(metadata));
        self
    }
    /// Sets the [`MetadataPolicy`].
    pub fn metadata_policy(mut self, policy: MetadataPolicy) -> Self {
        self.metadata_policy = policy;
        self
    }
    /// Sets each page's animation timing ([`EncodeOptions::frame_timings`]).
    pub fn frame_timings(mut self, timings: Vec<FrameTiming>) -> Self {
        self.frame_timings = timings;
        self
    }
    /// The metadata an encode writes. Under [`MetadataPolicy::Strip`] no item is written but
    /// the photometric convention ([`Metadata::photometric`]) stays: it says what the samples
    /// mean, so dropping it would change the picture (a WhiteIsZero page is still written as
    /// one, or reported where the format cannot say it).
    pub fn metadata_to_write(&self) -> Option<Arc<Metadata>> {
        let m = self.metadata.as_ref()?;
        if self.metadata_policy != MetadataPolicy::Strip {
            return Some(m.clone());
        }
        m.photometric.map(|p| {
            Arc::new(Metadata {
                photometric: Some(p),
                ..Metadata::default()
            })
        })
    }
    /// The [`WriteRules`](crate::io::WriteRules) these options ask of a file write.
    pub fn write_rules(&self) -> crate::io::WriteRules {
        crate::io::WriteRules::new()
            .overwrite_readonly(self.overwrite_readonly)
            .replace_symlink(self.replace_symlink)
    }
    /// Sets any codec option by name (replaces an earlier value of the same name).
    pub fn set(mut self, name: &str, value: impl Into<OptionValue>) -> Self {
        let name = name.to_ascii_lowercase();
        self.params.retain(|(k, _)| *k != name);
        self.params.push((name, value.into()));
        self
    }
    /// `quality` (JPEG: 1..=100).
    pub fn quality(self, q: u8) -> Self {
        self.set("quality", q)
    }
    /// `compression` (TIFF: none, lzw, deflate, packbits; PNG: fast, default, best).
    pub fn compression(self, name: &str) -> Self {
        self.set("compression", name)
    }
    /// `level` (deflate level for PNG and TIFF).
    pub fn level(self, level: i64) -> Self {
        self.set("level", level)
    }
    /// `subsampling` (JPEG: 444, 422, 420, gray).
    pub fn subsampling(self, s: &str) -> Self {
        self.set("subsampling", s)
    }
    /// `predictor` (TIFF horizontal differencing).
    pub fn predictor(self, yes: bool) -> Self {
        self.set("predictor", yes)
    }
    /// `progressive` (JPEG).
    pub fn progressive(self, yes: bool) -> Self {
        self.set("progressive", yes)
    }

    /// Validates `params` against a codec's specs and fills in defaults.
    /// Unknown names and out-of-range values are errors.
    pub fn resolve(&self, codec: &str, specs: &[OptionSpec]) -> Result<ResolvedOptions> {
        let mut values = BTreeMap::new();
        for spec in specs {
            values.insert(spec.name.clone(), spec.default.clone());
        }
        for (name, value) in &self.params {
            let spec = specs.iter().find(|s| s.name == *name).ok_or_else(|| {
                let known: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
                Error::invalid(format!(
                    "codec {codec} does not accept option '{name}'; it accepts: {}",
                    if known.is_empty() {
                        "no options".to_string()
                    } else {
                        known.join(", ")
                    }
                ))
            })?;
            values.insert(name.clone(), spec.validate(codec, value)?);
        }
        let explicit = self.params.iter().map(|(k, _)| k.clone()).collect();
        Ok(ResolvedOptions {
            values,
            explicit,
            metadata: self.metadata_to_write(),
            frame_timings: match self.metadata_policy {
                MetadataPolicy::Strip => Vec::new(),
                _ => self.frame_timings.clone(),
            },
        })
    }
}

/// Validated option values (every declared option present, defaults filled in).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResolvedOptions {
    values: BTreeMap<String, OptionValue>,
    explicit: Vec<String>,
    metadata: Option<Arc<Metadata>>,
    frame_timings: Vec<FrameTiming>,
}

impl ResolvedOptions {
    fn get(&self, name: &str) -> Result<&OptionValue> {
        self.values
            .get(name)
            .ok_or_else(|| Error::invalid(format!("option '{name}' is not declared by this codec")))
    }
    /// A boolean option.
    pub fn bool(&self, name: &str) -> Result<bool> {
        match self.get(name)? {
            OptionValue::Bool(b) => Ok(*b),
            v => Err(Error::invalid(format!("option '{name}' is {v:?}, not a bool"))),
        }
    }
    /// An integer option.
    pub fn int(&self, name: &str) -> Result<i64> {
        match self.get(name)? {
            OptionValue::Int(i) => Ok(*i),
            v => Err(Error::invalid(format!("option '{name}' is {v:?}, not an integer"))),
        }
    }
    /// A float option.
    pub fn float(&self, name: &str) -> Result<f64> {
        match self.get(name)? {
            OptionValue::Float(x) => Ok(*x),
            v => Err(Error::invalid(format!("option '{name}' is {v:?}, not a float"))),
        }
    }
    /// A choice or text option.
    pub fn str(&self, name: &str) -> Result<&str> {
        match self.get(name)? {
            OptionValue::Str(s) => Ok(s),
            v => Err(Error::invalid(format!("option '{name}' is {v:?}, not text"))),
        }
    }
    /// True when the caller gave this option (rather than taking the default).
    pub fn is_explicit(&self, name: &str) -> bool {
        self.explicit.iter().any(|k| k == name)
    }
    /// The metadata to write (none when the caller gave none or asked to strip it).
    pub fn metadata(&self) -> Option<&Metadata> {
        self.metadata.as_deref()
    }
    /// [`Self::metadata`] as the caller's shared value: an encoder that keeps work derived
    /// from the metadata between calls (TIFF's EXIF IFD) recognises the same value by it.
    pub fn metadata_shared(&self) -> Option<&Arc<Metadata>> {
        self.metadata.as_ref()
    }
    /// The animation timing to write for page `page` (0-based): its
    /// [`EncodeOptions::frame_timings`] entry when those were given, otherwise the metadata's
    /// `frame` for the first page; `None` when stripped or not given.
    pub fn frame_timing(&self, page: usize) -> Option<FrameTiming> {
        if !self.frame_timings.is_empty() {
            return self.frame_timings.get(page).copied();
        }
        match page {
            0 => self.metadata.as_deref().and_then(|m| m.frame),
            _ => None,
        }
    }
    /// All values, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &OptionValue)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_text_compares_by_kind() {
        assert!(OptionValue::Bool(true).matches_text("true"));
        assert!(!OptionValue::Bool(true).matches_text("false"));
        assert!(!OptionValue::Bool(true).matches_text("yes"));
        assert!(OptionValue::Int(0).matches_text("0"));
        assert!(!OptionValue::Int(0).matches_text("00x"));
        assert!(OptionValue::Float(1.5).matches_text("1.5"));
        assert!(OptionValue::Str("LZW".into()).matches_text("lzw"));
        assert!(!OptionValue::Str("lzw".into()).matches_text("deflate"));
    }

    #[test]
    fn exact_with_holds_when_every_pair_holds() {
        use crate::codec::{Capability, Fidelity};
        use crate::format::{Layout, PixelFormat};
        use crate::sample::SampleType;
        let specs = [
            OptionSpec::bool("lossless", false, ""),
            OptionSpec::int("point_transform", 0, 15, 0, ""),
        ];
        let mut row = Capability::new(PixelFormat::new(Layout::Gray, SampleType::U16), Fidelity::Lossy);
        let resolve = |o: EncodeOptions| o.resolve("t", &specs).unwrap();
        assert!(!row.exact_with_holds(&resolve(EncodeOptions::new().set("lossless", true))));
        row.exact_with = Some("lossless=true, point_transform=0");
        assert!(row.exact_with_holds(&resolve(EncodeOptions::new().set("lossless", true))));
        assert!(!row.exact_with_holds(&resolve(EncodeOptions::new())));
        assert!(!row.exact_with_holds(&resolve(
            EncodeOptions::new().set("lossless", true).set("point_transform", 2)
        )));
        assert_eq!(
            row.fidelity_text(),
            "lossy; exact with lossless=true, point_transform=0"
        );
        row.exact_with = Some("nonsense");
        assert!(!row.exact_with_holds(&resolve(EncodeOptions::new().set("lossless", true))));
    }
}
