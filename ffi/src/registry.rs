//! `pxc_registry`: the default registry, new registries, listing codecs, capability
//! queries and lookup by name, extension, MIME type and content.

use std::ffi::c_char;
use std::sync::{Arc, OnceLock};

use pixcodec::{Codec, Registry};

use crate::args::{copy_str, cstr, text_out, Overflow};
use crate::boundary::{ffi, pxc_status, Failure, FfiResult};
use crate::types::{fidelity_to, format_from, layout_to, pxc_capability, sample_to, PXC_NAME_MAX, PXC_TEXT_MAX};

/// A set of codecs. Either the process-wide default registry (borrowed, see
/// `pxc_registry_default`) or one made by `pxc_registry_new` (owned, freed by
/// `pxc_registry_free`). Safe to use from several threads at once, including while
/// another thread registers a codec.
#[allow(non_camel_case_types)]
pub struct pxc_registry {
    inner: RegistryRef,
}

enum RegistryRef {
    Global(&'static Registry),
    Owned(Registry),
}

impl pxc_registry {
    /// The Rust registry.
    pub fn get(&self) -> &Registry {
        match &self.inner {
            RegistryRef::Global(r) => r,
            RegistryRef::Owned(r) => r,
        }
    }

    /// True for the process-wide default registry.
    pub fn is_default(&self) -> bool {
        matches!(self.inner, RegistryRef::Global(_))
    }
}

struct DefaultHandle(pxc_registry);
// SAFETY: the handle only holds a `&'static Registry`, which is Sync.
unsafe impl Sync for DefaultHandle {}
unsafe impl Send for DefaultHandle {}

fn default_handle() -> &'static pxc_registry {
    static H: OnceLock<DefaultHandle> = OnceLock::new();
    &H.get_or_init(|| {
        DefaultHandle(pxc_registry {
            inner: RegistryRef::Global(Registry::global()),
        })
    })
    .0
}

/// The registry behind a nullable handle: NULL means the default registry.
///
/// # Safety
/// `reg` must be NULL or a live registry handle.
pub unsafe fn registry<'a>(reg: *const pxc_registry) -> &'a Registry {
    if reg.is_null() {
        default_handle().get()
    } else {
        // SAFETY: per the caller's contract.
        unsafe { &*reg }.get()
    }
}

/// The process-wide default registry (built-in codecs; codecs may be registered into it).
/// It is BORROWED: it lives until the process ends, and `pxc_registry_free` on it does
/// nothing. Every function taking `const pxc_registry *reg` also accepts NULL for it.
/// Returns NULL only if initialisation panicked (see `pxc_last_error_message`).
#[no_mangle]
pub extern "C" fn pxc_registry_default() -> *mut pxc_registry {
    ffi!(or std::ptr::null_mut(); nonnull() {
        Ok(default_handle() as *const pxc_registry as *mut pxc_registry)
    })
}

/// A new, independent registry, with the built-in codecs when `with_builtins` is true,
/// else empty. Free it with `pxc_registry_free` (which also releases every codec
/// registered into it). Returns NULL only on an internal failure.
#[no_mangle]
pub extern "C" fn pxc_registry_new(with_builtins: bool) -> *mut pxc_registry {
    ffi!(or std::ptr::null_mut(); nonnull() {
        let r = if with_builtins { Registry::with_builtins() } else { Registry::empty() };
        Ok(Box::into_raw(Box::new(pxc_registry { inner: RegistryRef::Owned(r) })))
    })
}

/// Frees a registry made by `pxc_registry_new`. NULL and the default registry are
/// accepted and ignored. Codecs written in C get their `destroy` called once no decode
/// or encode uses them any more.
#[no_mangle]
pub unsafe extern "C" fn pxc_registry_free(reg: *mut pxc_registry) {
    ffi!(or (); nonnull() {
        // SAFETY: a handle from pxc_registry_new or pxc_registry_default.
        if !reg.is_null() && !unsafe { &*reg }.is_default() {
            drop(unsafe { Box::from_raw(reg) });
        }
        Ok(())
    })
}

/// Number of registered codecs (NULL `reg`: default registry).
#[no_mangle]
pub unsafe extern "C" fn pxc_registry_codec_count(reg: *const pxc_registry, out_count: *mut usize) -> pxc_status {
    ffi!(nonnull(out_count) {
        let n = unsafe { registry(reg) }.codecs().len();
        unsafe { out_count.write(n) };
        Ok(())
    })
}

/// What a codec publishes about itself (see `pxc_registry_codec_info`).
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct pxc_codec_info {
    /// Stable unique name (`png`, `jpeg-turbo`, `tiff`, …).
    pub name: [c_char; PXC_NAME_MAX],
    /// Format implemented (`png`, `jpeg`, `tiff`, …).
    pub format: [c_char; PXC_NAME_MAX],
    /// One-line description (truncated to fit).
    pub description: [c_char; PXC_TEXT_MAX],
    /// File extensions, comma-separated, preferred first (`tif,tiff`).
    pub extensions: [c_char; PXC_TEXT_MAX],
    /// MIME types, comma-separated.
    pub mime_types: [c_char; PXC_TEXT_MAX],
    /// Higher wins when several codecs implement one format.
    pub priority: i32,
    /// Rows in the decode capability table.
    pub decode_capability_count: usize,
    /// Rows in the encode capability table (0: decode-only codec).
    pub encode_capability_count: usize,
    /// True when the encoder writes several pages into one file.
    pub multi_page_encode: bool,
    /// True when files may hold several pages.
    pub multi_page_decode: bool,
}

fn codec_at(reg: &Registry, index: usize) -> FfiResult<Arc<dyn Codec>> {
    let list = reg.codecs();
    let n = list.len();
    list.into_iter().nth(index).ok_or_else(|| {
        Failure::invalid(format!(
            "codec index {index} is out of range: {n} codecs are registered"
        ))
    })
}

fn codec_named(reg: &Registry, name: &str) -> FfiResult<Arc<dyn Codec>> {
    reg.by_name(name).ok_or_else(|| {
        Failure::new(
            pxc_status::UnknownFormat,
            format!("no codec named '{name}' is registered"),
        )
    })
}

/// Describes the codec at `index` (0 ..< count, highest priority first).
/// Out of range: `PXC_STATUS_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn pxc_registry_codec_info(
    reg: *const pxc_registry,
    index: usize,
    out_info: *mut pxc_codec_info,
) -> pxc_status {
    ffi!(nonnull(out_info) {
        let codec = codec_at(unsafe { registry(reg) }, index)?;
        let d = codec.descriptor();
        let caps = codec.capabilities();
        let mut info = pxc_codec_info {
            name: [0; PXC_NAME_MAX],
            format: [0; PXC_NAME_MAX],
            description: [0; PXC_TEXT_MAX],
            extensions: [0; PXC_TEXT_MAX],
            mime_types: [0; PXC_TEXT_MAX],
            priority: d.priority,
            decode_capability_count: caps.decode.len(),
            encode_capability_count: caps.encode.len(),
            multi_page_encode: caps.multi_page_encode,
            multi_page_decode: caps.multi_page_decode,
        };
        copy_str(&mut info.name, &d.name);
        copy_str(&mut info.format, &d.format);
        copy_str(&mut info.description, &d.description);
        copy_str(&mut info.extensions, &d.extensions.join(","));
        copy_str(&mut info.mime_types, &d.mime_types.join(","));
        unsafe { out_info.write(info) };
        Ok(())
    })
}

/// Row `index` of the encode (`encode` true) or decode capability table of the codec
/// named `codec_name`. Out of range: `PXC_STATUS_INVALID_ARGUMENT`; no such codec:
/// `PXC_STATUS_UNKNOWN_FORMAT`.
#[no_mangle]
pub unsafe extern "C" fn pxc_registry_codec_capability(
    reg: *const pxc_registry,
    codec_name: *const c_char,
    encode: bool,
    index: usize,
    out_capability: *mut pxc_capability,
) -> pxc_status {
    ffi!(nonnull(codec_name, out_capability) {
        let codec = codec_named(unsafe { registry(reg) }, unsafe { cstr(codec_name, "codec_name") }?)?;
        let caps = codec.capabilities();
        let table = if encode { &caps.encode } else { &caps.decode };
        let row = table.get(index).ok_or_else(|| {
            Failure::invalid(format!(
                "capability index {index} is out of range: codec {} has {} {} rows",
                codec.descriptor().name,
                table.len(),
                if encode { "encode" } else { "decode" }
            ))
        })?;
        let cap = pxc_capability {
            layout: layout_to(row.format.layout),
            sample: sample_to(row.format.sample),
            fidelity: fidelity_to(Some(row.fidelity)),
        };
        unsafe { out_capability.write(cap) };
        Ok(())
    })
}

/// Can the codec named `codec_name` encode (layout, sample)? `*out_fidelity` receives
/// `PXC_FIDELITY_EXACT`, `PXC_FIDELITY_LOSSY` or `PXC_FIDELITY_NONE` (cannot). Invalid enum
/// values: `PXC_STATUS_INVALID_ARGUMENT`; no such codec: `PXC_STATUS_UNKNOWN_FORMAT`.
#[no_mangle]
pub unsafe extern "C" fn pxc_registry_can_encode(
    reg: *const pxc_registry,
    codec_name: *const c_char,
    layout: u32,
    sample: u32,
    out_fidelity: *mut u32,
) -> pxc_status {
    ffi!(nonnull(codec_name, out_fidelity) {
        let format = format_from(layout, sample)?;
        let codec = codec_named(unsafe { registry(reg) }, unsafe { cstr(codec_name, "codec_name") }?)?;
        let f = fidelity_to(codec.capabilities().encode_fidelity(format));
        unsafe { out_fidelity.write(f) };
        Ok(())
    })
}

/// Like `pxc_registry_can_encode`, for decoding: can the codec produce (layout, sample)?
#[no_mangle]
pub unsafe extern "C" fn pxc_registry_can_decode(
    reg: *const pxc_registry,
    codec_name: *const c_char,
    layout: u32,
    sample: u32,
    out_fidelity: *mut u32,
) -> pxc_status {
    ffi!(nonnull(codec_name, out_fidelity) {
        let format = format_from(layout, sample)?;
        let codec = codec_named(unsafe { registry(reg) }, unsafe { cstr(codec_name, "codec_name") }?)?;
        let f = fidelity_to(codec.capabilities().decode_fidelity(format));
        unsafe { out_fidelity.write(f) };
        Ok(())
    })
}

/// Copies `name` into (buf, cap) or fails with BUFFER_TOO_SMALL.
unsafe fn put_name(name: &str, buf: *mut c_char, cap: usize) -> FfiResult<()> {
    let what = format!("codec name '{name}'");
    // SAFETY: buf holds cap bytes per the caller's contract.
    unsafe { text_out(name.as_bytes(), buf, cap, Overflow::Refuse, &what) }.map(|_| ())
}

fn first_name(found: Vec<Arc<dyn Codec>>, what: impl FnOnce() -> String) -> FfiResult<String> {
    found
        .first()
        .map(|c| c.descriptor().name.clone())
        .ok_or_else(|| Failure::new(pxc_status::UnknownFormat, what()))
}

/// Finds a codec by exact name (case-insensitive) and copies its canonical name into
/// `out_name` (`cap` bytes; `PXC_NAME_MAX` always suffices). Not found:
/// `PXC_STATUS_UNKNOWN_FORMAT`.
#[no_mangle]
pub unsafe extern "C" fn pxc_registry_find_by_name(
    reg: *const pxc_registry,
    name: *const c_char,
    out_name: *mut c_char,
    cap: usize,
) -> pxc_status {
    ffi!(nonnull(name, out_name) {
        let name = unsafe { cstr(name, "name") }?;
        let found = codec_named(unsafe { registry(reg) }, name)?;
        unsafe { put_name(&found.descriptor().name, out_name, cap) }
    })
}

/// The highest-priority codec claiming a file extension (`"tif"` or `".tif"`), copied into
/// `out_name`. Not found: `PXC_STATUS_UNKNOWN_FORMAT`.
#[no_mangle]
pub unsafe extern "C" fn pxc_registry_find_by_extension(
    reg: *const pxc_registry,
    extension: *const c_char,
    out_name: *mut c_char,
    cap: usize,
) -> pxc_status {
    ffi!(nonnull(extension, out_name) {
        let ext = unsafe { cstr(extension, "extension") }?;
        let name = first_name(unsafe { registry(reg) }.by_extension(ext), || {
            format!("no registered codec claims the extension '{ext}'")
        })?;
        unsafe { put_name(&name, out_name, cap) }
    })
}

/// The highest-priority codec claiming a MIME type, copied into `out_name`. Not found:
/// `PXC_STATUS_UNKNOWN_FORMAT`.
#[no_mangle]
pub unsafe extern "C" fn pxc_registry_find_by_mime(
    reg: *const pxc_registry,
    mime: *const c_char,
    out_name: *mut c_char,
    cap: usize,
) -> pxc_status {
    ffi!(nonnull(mime, out_name) {
        let mime = unsafe { cstr(mime, "mime") }?;
        let name = first_name(unsafe { registry(reg) }.by_mime(mime), || {
            format!("no registered codec claims the MIME type '{mime}'")
        })?;
        unsafe { put_name(&name, out_name, cap) }
    })
}

/// The highest-priority codec whose signature matches the first bytes of `data`
/// (`len` bytes; 64 are enough), copied into `out_name`. Not recognised:
/// `PXC_STATUS_UNKNOWN_FORMAT`.
#[no_mangle]
pub unsafe extern "C" fn pxc_registry_find_by_content(
    reg: *const pxc_registry,
    data: *const u8,
    len: usize,
    out_name: *mut c_char,
    cap: usize,
) -> pxc_status {
    ffi!(nonnull(data, out_name) {
        let head = unsafe { crate::args::bytes(data, len) };
        let name = first_name(unsafe { registry(reg) }.by_content(head), || {
            "no registered codec recognises the data".to_string()
        })?;
        unsafe { put_name(&name, out_name, cap) }
    })
}

/// Removes the codec named `name` from the registry. A codec written in C gets its
/// `destroy` called once no decode or encode still uses it. Not found:
/// `PXC_STATUS_UNKNOWN_FORMAT`.
#[no_mangle]
pub unsafe extern "C" fn pxc_registry_unregister(reg: *mut pxc_registry, name: *const c_char) -> pxc_status {
    ffi!(nonnull(name) {
        let name = unsafe { cstr(name, "name") }?;
        unsafe { registry(reg) }.unregister(name)?;
        Ok(())
    })
}

/// The options that make the codec named `codec_name` encode (layout, sample) exactly
/// although its capability table says lossy, as `KEY=VALUE` pairs joined by commas
/// (`"lossless=true"` for `jpeg-turbo`), copied with a NUL into `buf` (`cap` bytes;
/// `PXC_TEXT_MAX` always suffices; too small: `PXC_STATUS_BUFFER_TOO_SMALL`, nothing
/// written). An empty string when no options do: the row is exact already, lossy whatever
/// the options, or missing (see `pxc_registry_can_encode`). Set those options with
/// `pxc_encode_options_set` and `pxc_encode_options_set_require_exact` succeeds.
#[no_mangle]
pub unsafe extern "C" fn pxc_registry_encode_exact_with(
    reg: *const pxc_registry,
    codec_name: *const c_char,
    layout: u32,
    sample: u32,
    buf: *mut c_char,
    cap: usize,
) -> pxc_status {
    ffi!(nonnull(codec_name, buf) {
        let format = format_from(layout, sample)?;
        let codec = codec_named(unsafe { registry(reg) }, unsafe { cstr(codec_name, "codec_name") }?)?;
        let text = codec
            .capabilities()
            .encode_row(format)
            .filter(|r| r.fidelity == pixcodec::Fidelity::Lossy)
            .and_then(|r| r.exact_with)
            .unwrap_or("");
        // SAFETY: buf holds cap bytes per the caller's contract.
        unsafe { text_out(text.as_bytes(), buf, cap, Overflow::Refuse, "the exact_with options") }.map(|_| ())
    })
}

/// Like `pxc_registry_can_encode`, with encode options: `*out_fidelity` receives
/// `PXC_FIDELITY_EXACT` when the codec encodes (layout, sample) exactly with `opts` (JPEG
/// with `lossless=true`), `PXC_FIDELITY_LOSSY`, or `PXC_FIDELITY_NONE` (cannot). `opts`
/// may be NULL (defaults). An option the codec does not accept, or a value out of range:
/// `PXC_STATUS_INVALID_ARGUMENT` naming it.
#[no_mangle]
pub unsafe extern "C" fn pxc_registry_can_encode_with(
    reg: *const pxc_registry,
    codec_name: *const c_char,
    layout: u32,
    sample: u32,
    opts: *const crate::encode::pxc_encode_options,
    out_fidelity: *mut u32,
) -> pxc_status {
    ffi!(nonnull(codec_name, out_fidelity) {
        let format = format_from(layout, sample)?;
        let codec = codec_named(unsafe { registry(reg) }, unsafe { cstr(codec_name, "codec_name") }?)?;
        let resolved = crate::encode::options(opts).resolve(&codec.descriptor().name, codec.encode_options())?;
        let f = fidelity_to(codec.encode_fidelity_with(format, &resolved));
        unsafe { out_fidelity.write(f) };
        Ok(())
    })
}
