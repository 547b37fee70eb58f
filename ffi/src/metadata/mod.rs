//! Metadata over the C ABI (issue 16): the `pxc_metadata` handle read from a file
//! (`pxc_probe_metadata*`) or built by hand, its getters and single-item edits, attaching it
//! and the policy to encode options, and the list of items the most recent encode on the
//! calling thread did not keep (`pxc_last_encode_dropped_*`, in `dropped.rs`). The items
//! that carry what the samples mean (photometric convention, animation timing) have their
//! getters and setters in `meaning.rs`; the TIFF tags carried as stored are in
//! `tiff_tags.rs`. `pxc_info` and `pxc_encode_report` are
//! caller-allocated and frozen, so none of this is a field of theirs.

use std::ffi::c_char;
use std::sync::Arc;

use pixcodec::metadata::{exif, Disposal};
use pixcodec::{Metadata, MetadataPolicy, Resolution, ResolutionUnit, TextEntry};

use crate::args::{bytes, c_path, copy_bytes, copy_text, cstr};
use crate::boundary::{ffi, pxc_status, Failure, FfiResult};
use crate::decode::{options, pxc_limits};
use crate::encode::pxc_encode_options;
use crate::registry::{pxc_registry, registry};
use crate::types::c_enum_conversions;

mod dropped;
mod meaning;
mod page;
mod tiff_tags;
pub use dropped::*;
pub use meaning::*;
pub use page::*;
pub use tiff_tags::*;

/// Metadata items (values of the `uint32_t item` arguments). Never renumbered.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum pxc_metadata_item {
    /// The ICC colour profile.
    IccProfile = 0,
    /// The EXIF block (TIFF-structured bytes as stored).
    Exif = 1,
    /// The orientation (1..=8).
    Orientation = 2,
    /// The XMP packet.
    Xmp = 3,
    /// The resolution (pixel density).
    Resolution = 4,
    /// The text entries (all of them).
    Text = 5,
    /// The photometric convention (samples stored inverted: see `pxc_photometric`).
    Photometric = 6,
    /// This page's animation timing: delay and disposal (see `pxc_metadata_frame_timing`).
    FrameTiming = 7,
    /// How many times the animation plays (see `pxc_metadata_loop_count`).
    LoopCount = 8,
    /// The TIFF tags carried as stored, all of them (see `pxc_metadata_tiff_tag`).
    TiffTags = 9,
}

/// What the samples mean when a file stores them inverted (values of
/// `pxc_metadata_photometric`). Never renumbered.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum pxc_photometric {
    /// The layout's plain convention (0 = black for gray, 0 = no ink for CMYK).
    Plain = 0,
    /// Gray samples where 0 is white (TIFF PhotometricInterpretation 0).
    WhiteIsZero = 1,
    /// CMYK samples stored inverted, 0 = full ink (a JPEG's Adobe APP14 marker).
    AdobeInvertedCmyk = 2,
}

/// What happens to a frame's area before the next frame is drawn (values of
/// `pxc_metadata_frame_timing`). Never renumbered.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum pxc_disposal {
    /// Leave the frame in place (GIF 0 "unspecified" and 1 "do not dispose"; WebP "none").
    Keep = 0,
    /// Clear the frame's area to the background (GIF 2; WebP "dispose to background").
    Background = 1,
    /// Restore what was there before the frame (GIF 3; WebP has no such method).
    Previous = 2,
}

/// What an encode does with the metadata attached to its options (values of
/// `pxc_encode_options_set_metadata_policy`). Never renumbered.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum pxc_metadata_policy {
    /// Write every item the format can hold; the rest is listed by `pxc_last_encode_dropped_*`.
    Keep = 0,
    /// Fail with `PXC_STATUS_NOT_EXACT`, before writing anything, when any item would be dropped.
    Strict = 1,
    /// Write no metadata items, by request (nothing is listed). The photometric convention is
    /// what the samples mean, not an item: it stays, and is listed where the format cannot
    /// state it (plain CMYK into JPEG, white-is-zero into PNG).
    Strip = 2,
}

/// The unit of a resolution (values of the `uint32_t unit` arguments). Never renumbered.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum pxc_resolution_unit {
    /// No absolute unit: x and y only give the pixel aspect ratio.
    None = 0,
    /// Dots per inch.
    Inch = 1,
    /// Dots per centimetre.
    Centimeter = 2,
    /// Dots per metre (PNG `pHYs`).
    Meter = 3,
}

c_enum_conversions!(pxc_metadata_policy <=> MetadataPolicy, "metadata policy",
    "a pxc_metadata_policy value (0 = KEEP, 1 = STRICT, 2 = STRIP)", policy_from, policy_to, [Keep, Strict, Strip]);
c_enum_conversions!(pxc_resolution_unit <=> ResolutionUnit, "resolution unit",
    "a pxc_resolution_unit value (0 = NONE .. 3 = METER)", unit_from, unit_to, [None, Inch, Centimeter, Meter]);
c_enum_conversions!(pxc_disposal <=> Disposal, "disposal",
    "a pxc_disposal value (0 = KEEP .. 2 = PREVIOUS)", disposal_from, disposal_to, [Keep, Background, Previous]);

fn item_from(v: u32) -> FfiResult<pxc_metadata_item> {
    use pxc_metadata_item::*;
    [
        IccProfile,
        Exif,
        Orientation,
        Xmp,
        Resolution,
        Text,
        Photometric,
        FrameTiming,
        LoopCount,
        TiffTags,
    ]
    .into_iter()
    .find(|i| *i as u32 == v)
    .ok_or_else(|| {
        Failure::invalid(format!(
            "metadata item {v} is not a pxc_metadata_item value (0 = ICC_PROFILE .. 9 = TIFF_TAGS)"
        ))
    })
}

/// Metadata carried beside the pixels: ICC profile, EXIF, orientation, XMP, resolution, text
/// entries, the photometric convention, animation timing, TIFF tags kept as stored, and the
/// notes on items a file held in a form that could not be read. From `pxc_probe_metadata*`
/// (exactly as the file stores it) or `pxc_metadata_new`; free with `pxc_metadata_free`. Not
/// synchronised: edit one handle from one thread at a time.
#[allow(non_camel_case_types)]
pub struct pxc_metadata {
    inner: Metadata,
}

impl pxc_metadata {
    /// The metadata, for the conversions that edit it (`pxc_convert_invert`).
    pub(crate) fn inner_mut(&mut self) -> &mut Metadata {
        &mut self.inner
    }
}

fn boxed(inner: Metadata) -> *mut pxc_metadata {
    Box::into_raw(Box::new(pxc_metadata { inner }))
}

/// New empty metadata. Free with `pxc_metadata_free`.
#[no_mangle]
pub extern "C" fn pxc_metadata_new() -> *mut pxc_metadata {
    ffi!(or std::ptr::null_mut(); nonnull() { Ok(boxed(Metadata::default())) })
}

/// Frees metadata (NULL is ignored).
#[no_mangle]
pub unsafe extern "C" fn pxc_metadata_free(metadata: *mut pxc_metadata) {
    ffi!(or (); nonnull() {
        if !metadata.is_null() {
            drop(unsafe { Box::from_raw(metadata) });
        }
        Ok(())
    })
}

/// The metadata of encoded bytes (of the first page), as stored: no pixels are decoded and
/// nothing is normalised or re-encoded. `reg` and `limits` may be NULL. An item stored in a
/// form that cannot be read is left out and named in the unreadable notes
/// (`pxc_metadata_unreadable`); the call still succeeds. `*out_metadata` is set only on
/// success; free it with `pxc_metadata_free`.
#[no_mangle]
pub unsafe extern "C" fn pxc_probe_metadata(
    reg: *const pxc_registry,
    data: *const u8,
    len: usize,
    limits: *const pxc_limits,
    out_metadata: *mut *mut pxc_metadata,
) -> pxc_status {
    ffi!(nonnull(data, out_metadata) {
        let info = unsafe { registry(reg) }.probe(unsafe { bytes(data, len) }, &unsafe { options(limits) })?;
        unsafe { out_metadata.write(boxed(info.metadata)) };
        Ok(())
    })
}

/// The metadata of a file (see `pxc_probe_metadata`).
#[no_mangle]
pub unsafe extern "C" fn pxc_probe_metadata_file(
    reg: *const pxc_registry,
    path: *const c_char,
    limits: *const pxc_limits,
    out_metadata: *mut *mut pxc_metadata,
) -> pxc_status {
    ffi!(nonnull(path, out_metadata) {
        let info = unsafe { registry(reg) }.probe_path(unsafe { c_path(path) }, &unsafe { options(limits) })?;
        unsafe { out_metadata.write(boxed(info.metadata)) };
        Ok(())
    })
}

/// `*out_has` receives whether `item` (a `pxc_metadata_item`) is present; for `TEXT` and
/// `TIFF_TAGS`, whether there is any entry. A byte item present but empty counts as present.
#[no_mangle]
pub unsafe extern "C" fn pxc_metadata_has(metadata: *const pxc_metadata, item: u32, out_has: *mut bool) -> pxc_status {
    ffi!(nonnull(metadata, out_has) {
        let m = &unsafe { &*metadata }.inner;
        let has = match item_from(item)? {
            pxc_metadata_item::IccProfile => m.icc_profile.is_some(),
            pxc_metadata_item::Exif => m.exif.is_some(),
            pxc_metadata_item::Orientation => m.orientation.is_some(),
            pxc_metadata_item::Xmp => m.xmp.is_some(),
            pxc_metadata_item::Resolution => m.resolution.is_some(),
            pxc_metadata_item::Text => !m.text.is_empty(),
            pxc_metadata_item::Photometric => m.photometric.is_some(),
            pxc_metadata_item::FrameTiming => m.frame.is_some(),
            pxc_metadata_item::LoopCount => m.loop_count.is_some(),
            pxc_metadata_item::TiffTags => !m.tiff_tags.is_empty(),
        };
        unsafe { out_has.write(has) };
        Ok(())
    })
}

/// Removes `item` (a `pxc_metadata_item`; `TEXT` removes every text entry, `TIFF_TAGS` every
/// TIFF tag). Removing an absent item is not an error.
#[no_mangle]
pub unsafe extern "C" fn pxc_metadata_remove(metadata: *mut pxc_metadata, item: u32) -> pxc_status {
    ffi!(nonnull(metadata) {
        let m = &mut unsafe { &mut *metadata }.inner;
        match item_from(item)? {
            pxc_metadata_item::IccProfile => m.icc_profile = None,
            pxc_metadata_item::Exif => m.exif = None,
            pxc_metadata_item::Orientation => m.orientation = None,
            pxc_metadata_item::Xmp => m.xmp = None,
            pxc_metadata_item::Resolution => m.resolution = None,
            pxc_metadata_item::Text => m.text.clear(),
            pxc_metadata_item::Photometric => m.photometric = None,
            pxc_metadata_item::FrameTiming => m.frame = None,
            pxc_metadata_item::LoopCount => m.loop_count = None,
            pxc_metadata_item::TiffTags => m.tiff_tags.clear(),
        }
        Ok(())
    })
}

/// Copies the ICC profile into `buf` (`cap` bytes). `*out_len` (may be NULL) receives its
/// size in every case, also on `PXC_STATUS_BUFFER_TOO_SMALL` (then `buf` may be NULL with
/// `cap` 0: a size query); 0 when there is none (`pxc_metadata_has` tells none from empty).
#[no_mangle]
pub unsafe extern "C" fn pxc_metadata_icc_profile(
    metadata: *const pxc_metadata,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> pxc_status {
    ffi!(nonnull(metadata) {
        let v = unsafe { &*metadata }.inner.icc_profile.as_deref().unwrap_or_default();
        unsafe { copy_bytes(v, "the ICC profile", buf, cap, out_len) }
    })
}

/// Copies the EXIF block (TIFF-structured, without the `Exif\0\0` prefix) like
/// `pxc_metadata_icc_profile`.
#[no_mangle]
pub unsafe extern "C" fn pxc_metadata_exif(
    metadata: *const pxc_metadata,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> pxc_status {
    ffi!(nonnull(metadata) {
        let v = unsafe { &*metadata }.inner.exif.as_deref().unwrap_or_default();
        unsafe { copy_bytes(v, "the EXIF block", buf, cap, out_len) }
    })
}

/// Copies the XMP packet (no NUL added) like `pxc_metadata_icc_profile`.
#[no_mangle]
pub unsafe extern "C" fn pxc_metadata_xmp(
    metadata: *const pxc_metadata,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> pxc_status {
    ffi!(nonnull(metadata) {
        let v = unsafe { &*metadata }.inner.xmp.as_deref().unwrap_or_default();
        unsafe { copy_bytes(v, "the XMP packet", buf, cap, out_len) }
    })
}

/// The bytes `data` (`len` bytes; NULL only when `len` is 0) as an owned item.
unsafe fn owned(data: *const u8, len: usize) -> FfiResult<Vec<u8>> {
    if data.is_null() && len > 0 {
        return Err(Failure::null("data"));
    }
    // SAFETY: non-NULL (or len 0, where `bytes` reads nothing) and readable for `len` bytes
    // per the caller's contract.
    Ok(unsafe { bytes(data, len) }.to_vec())
}

/// Sets the ICC profile to a copy of `data` (`len` bytes; carried, never interpreted). An
/// empty profile (`len` 0, `data` may be NULL) is kept as an item no encoder writes.
#[no_mangle]
pub unsafe extern "C" fn pxc_metadata_set_icc_profile(
    metadata: *mut pxc_metadata,
    data: *const u8,
    len: usize,
) -> pxc_status {
    ffi!(nonnull(metadata) {
        let v = unsafe { owned(data, len) }?;
        unsafe { &mut *metadata }.inner.icc_profile = Some(v);
        Ok(())
    })
}

/// Sets the EXIF block to a copy of `data` (TIFF-structured: `II*\0` or `MM\0*`, without the
/// `Exif\0\0` prefix). Its IFD structure is checked first; a broken block is
/// `PXC_STATUS_INVALID_ARGUMENT` saying what is wrong. The orientation item is not changed:
/// when it is set and differs from the block's, encoders write it into the block.
#[no_mangle]
pub unsafe extern "C" fn pxc_metadata_set_exif(metadata: *mut pxc_metadata, data: *const u8, len: usize) -> pxc_status {
    ffi!(nonnull(metadata) {
        let v = unsafe { owned(data, len) }?;
        if !v.is_empty() {
            exif::check(&v).map_err(|why| Failure::invalid(format!("the EXIF block is not valid: {why}")))?;
        }
        unsafe { &mut *metadata }.inner.exif = Some(v);
        Ok(())
    })
}

/// Sets the XMP packet to a copy of `data` (UTF-8 XML as stored).
#[no_mangle]
pub unsafe extern "C" fn pxc_metadata_set_xmp(metadata: *mut pxc_metadata, data: *const u8, len: usize) -> pxc_status {
    ffi!(nonnull(metadata) {
        let v = unsafe { owned(data, len) }?;
        unsafe { &mut *metadata }.inner.xmp = Some(v);
        Ok(())
    })
}

/// `*out_orientation` receives the orientation (1..=8), or 0 when there is none.
#[no_mangle]
pub unsafe extern "C" fn pxc_metadata_orientation(
    metadata: *const pxc_metadata,
    out_orientation: *mut u16,
) -> pxc_status {
    ffi!(nonnull(metadata, out_orientation) {
        unsafe { out_orientation.write((*metadata).inner.orientation.unwrap_or(0)) };
        Ok(())
    })
}

/// Sets the orientation (1..=8, the EXIF values; anything else is
/// `PXC_STATUS_INVALID_ARGUMENT`).
#[no_mangle]
pub unsafe extern "C" fn pxc_metadata_set_orientation(metadata: *mut pxc_metadata, orientation: u16) -> pxc_status {
    ffi!(nonnull(metadata) {
        if !(1..=8).contains(&orientation) {
            return Err(Failure::invalid(format!("orientation {orientation} is not an EXIF orientation (1..=8)")));
        }
        unsafe { &mut *metadata }.inner.orientation = Some(orientation);
        Ok(())
    })
}

/// The resolution as stored: `x` and `y` pixels per `*out_unit` (a `pxc_resolution_unit`).
/// Without one, x and y are 0 and the unit is `NONE`.
#[no_mangle]
pub unsafe extern "C" fn pxc_metadata_resolution(
    metadata: *const pxc_metadata,
    out_x: *mut f64,
    out_y: *mut f64,
    out_unit: *mut u32,
) -> pxc_status {
    ffi!(nonnull(metadata, out_x, out_y, out_unit) {
        let r = unsafe { &*metadata }.inner.resolution;
        let (x, y, unit) = r.map_or((0.0, 0.0, ResolutionUnit::None), |r| (r.x, r.y, r.unit));
        unsafe {
            out_x.write(x);
            out_y.write(y);
            out_unit.write(unit_to(unit));
        }
        Ok(())
    })
}

/// Sets the resolution: `x` by `y` pixels per `unit` (a `pxc_resolution_unit`). Both must be
/// finite and above 0.
#[no_mangle]
pub unsafe extern "C" fn pxc_metadata_set_resolution(
    metadata: *mut pxc_metadata,
    x: f64,
    y: f64,
    unit: u32,
) -> pxc_status {
    ffi!(nonnull(metadata) {
        let unit = unit_from(unit)?;
        if !(x.is_finite() && y.is_finite() && x > 0.0 && y > 0.0) {
            return Err(Failure::invalid(format!("resolution {x} x {y} must be finite and above 0")));
        }
        unsafe { &mut *metadata }.inner.resolution = Some(Resolution::new(x, y, unit));
        Ok(())
    })
}

/// `*out_count` receives the number of text entries (in file order).
#[no_mangle]
pub unsafe extern "C" fn pxc_metadata_text_count(metadata: *const pxc_metadata, out_count: *mut usize) -> pxc_status {
    ffi!(nonnull(metadata, out_count) {
        unsafe { out_count.write((*metadata).inner.text.len()) };
        Ok(())
    })
}

fn text_entry(metadata: &pxc_metadata, index: usize) -> FfiResult<&TextEntry> {
    let t = &metadata.inner.text;
    t.get(index)
        .ok_or_else(|| Failure::invalid(format!("text entry {index} does not exist ({} entries)", t.len())))
}

/// Copies the keyword of text entry `index` into `buf` (`cap` bytes) with a NUL (UTF-8).
/// `*out_needed` (may be NULL) receives the size needed, NUL included, also on
/// `PXC_STATUS_BUFFER_TOO_SMALL` (then `buf` may be NULL with `cap` 0). An index out of
/// range is `PXC_STATUS_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn pxc_metadata_text_keyword(
    metadata: *const pxc_metadata,
    index: usize,
    buf: *mut c_char,
    cap: usize,
    out_needed: *mut usize,
) -> pxc_status {
    ffi!(nonnull(metadata) {
        let t = text_entry(unsafe { &*metadata }, index)?;
        unsafe { copy_text(t.keyword.as_bytes(), "the keyword", buf, cap, out_needed) }
    })
}

/// Copies the value of text entry `index` like `pxc_metadata_text_keyword`.
#[no_mangle]
pub unsafe extern "C" fn pxc_metadata_text_value(
    metadata: *const pxc_metadata,
    index: usize,
    buf: *mut c_char,
    cap: usize,
    out_needed: *mut usize,
) -> pxc_status {
    ffi!(nonnull(metadata) {
        let t = text_entry(unsafe { &*metadata }, index)?;
        unsafe { copy_text(t.value.as_bytes(), "the text value", buf, cap, out_needed) }
    })
}

/// Copies the language tag of text entry `index` (PNG `iTXt`, e.g. `en-GB`; empty when it
/// has none) like `pxc_metadata_text_keyword`.
#[no_mangle]
pub unsafe extern "C" fn pxc_metadata_text_language(
    metadata: *const pxc_metadata,
    index: usize,
    buf: *mut c_char,
    cap: usize,
    out_needed: *mut usize,
) -> pxc_status {
    ffi!(nonnull(metadata) {
        let t = text_entry(unsafe { &*metadata }, index)?;
        let l = t.language.as_deref().unwrap_or("");
        unsafe { copy_text(l.as_bytes(), "the language tag", buf, cap, out_needed) }
    })
}

/// Appends a text entry (UTF-8 `keyword` and `value`; `language` may be NULL or empty for
/// none). Whether a format can hold it is decided at encode time (PNG keywords are 1..=79
/// Latin-1 characters; TIFF holds ImageDescription, Software, DateTime, Artist, Copyright).
#[no_mangle]
pub unsafe extern "C" fn pxc_metadata_add_text(
    metadata: *mut pxc_metadata,
    keyword: *const c_char,
    value: *const c_char,
    language: *const c_char,
) -> pxc_status {
    ffi!(nonnull(metadata, keyword, value) {
        let keyword = unsafe { cstr(keyword, "keyword") }?;
        if keyword.is_empty() {
            return Err(Failure::invalid("a text keyword must not be empty"));
        }
        let value = unsafe { cstr(value, "value") }?;
        let language = if language.is_null() { "" } else { unsafe { cstr(language, "language") }? };
        unsafe { &mut *metadata }.inner.text.push(TextEntry {
            keyword: keyword.to_string(),
            value: value.to_string(),
            language: (!language.is_empty()).then(|| language.to_string()),
        });
        Ok(())
    })
}

/// Removes text entry `index` (the later ones move down by one). An index out of range is
/// `PXC_STATUS_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn pxc_metadata_remove_text(metadata: *mut pxc_metadata, index: usize) -> pxc_status {
    ffi!(nonnull(metadata) {
        let m = unsafe { &mut *metadata };
        text_entry(m, index)?;
        m.inner.text.remove(index);
        Ok(())
    })
}

/// `*out_count` receives the number of unreadable notes: items the file held in a form that
/// could not be read (they are not carried).
#[no_mangle]
pub unsafe extern "C" fn pxc_metadata_unreadable_count(
    metadata: *const pxc_metadata,
    out_count: *mut usize,
) -> pxc_status {
    ffi!(nonnull(metadata, out_count) {
        unsafe { out_count.write((*metadata).inner.unreadable.len()) };
        Ok(())
    })
}

/// Copies unreadable note `index` (e.g. `exif: IFD0 offset 4000 is outside the 76-byte
/// block`) like `pxc_metadata_text_keyword`.
#[no_mangle]
pub unsafe extern "C" fn pxc_metadata_unreadable(
    metadata: *const pxc_metadata,
    index: usize,
    buf: *mut c_char,
    cap: usize,
    out_needed: *mut usize,
) -> pxc_status {
    ffi!(nonnull(metadata) {
        let u = &unsafe { &*metadata }.inner.unreadable;
        let note = u
            .get(index)
            .ok_or_else(|| Failure::invalid(format!("unreadable note {index} does not exist ({} notes)", u.len())))?;
        unsafe { copy_text(note.as_bytes(), "the note", buf, cap, out_needed) }
    })
}

/// Writes a copy of `metadata` with every encode using `opts` (later edits of `metadata` do
/// not change it); NULL, or metadata without any item, writes none. Each codec writes what
/// its format can hold, on the first page; see `pxc_encode_options_set_metadata_policy` and
/// `pxc_last_encode_dropped_count` for the rest.
#[no_mangle]
pub unsafe extern "C" fn pxc_encode_options_set_metadata(
    opts: *mut pxc_encode_options,
    metadata: *const pxc_metadata,
) -> pxc_status {
    ffi!(nonnull(opts) {
        let m = (!metadata.is_null()).then(|| unsafe { &(*metadata).inner });
        let o = unsafe { &mut *opts }.inner_mut();
        o.metadata = m.filter(|m| !m.is_empty()).map(|m| Arc::new(m.clone()));
        Ok(())
    })
}

/// What encodes with `opts` do with their metadata: `policy` is a `pxc_metadata_policy`
/// (default `KEEP`). `pxc_encode_options_set_require_exact` implies `STRICT`.
#[no_mangle]
pub unsafe extern "C" fn pxc_encode_options_set_metadata_policy(
    opts: *mut pxc_encode_options,
    policy: u32,
) -> pxc_status {
    ffi!(nonnull(opts) {
        let p = policy_from(policy)?;
        unsafe { &mut *opts }.inner_mut().metadata_policy = p;
        Ok(())
    })
}
