//! Codecs written in C: a versioned vtable registered into a registry, wrapped in a Rust
//! [`Codec`] so it takes part in lookup, sniffing, capability checks and encode/decode
//! exactly like the built-in codecs.

use std::cell::RefCell;
use std::ffi::{c_char, c_int, c_void};
use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use pixcodec::{
    Capabilities, Capability, Codec, CodecDescriptor, Decoder, Encoder, Error, ImageInfo, ImageMut, ImageRef, Limits,
    PixelFormat, ResolvedOptions, Result, Signature, Source,
};

use crate::args::cstr;
use crate::boundary::{ffi, pxc_status, Failure, FfiResult};
use crate::registry::{pxc_registry, registry};
use crate::stream::pxc_write_fn;
use crate::types::{fidelity_from, format_from, pxc_capability, pxc_image_view, pxc_info, PXC_NAME_MAX};

/// The vtable ABI version this library implements; put it in `pxc_codec_vtable.abi_version`.
pub const PXC_CODEC_ABI_VERSION: u32 = 1;

/// A codec written in C. Fill every field, set `struct_size = sizeof(pxc_codec_vtable)`
/// and `abi_version = PXC_CODEC_ABI_VERSION`, then call `pxc_registry_register_codec`.
/// Strings and arrays are copied during registration; `user_data` is kept and handed to
/// every callback. Callbacks may run on several threads at once and must be thread-safe.
/// Callbacks return a `pxc_status` value (0 = OK); before failing they may call
/// `pxc_codec_set_error` to give the message the caller will see.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct pxc_codec_vtable {
    /// `sizeof(pxc_codec_vtable)`.
    pub struct_size: u32,
    /// `PXC_CODEC_ABI_VERSION`.
    pub abi_version: u32,
    /// Stable unique codec name (shorter than `PXC_NAME_MAX`). Required.
    pub name: *const c_char,
    /// Format implemented (e.g. `"pgm"`). Required.
    pub format: *const c_char,
    /// One-line description, or NULL.
    pub description: *const c_char,
    /// NULL-terminated array of file extensions without dot (preferred first), or NULL.
    pub extensions: *const *const c_char,
    /// NULL-terminated array of MIME types, or NULL.
    pub mime_types: *const *const c_char,
    /// Magic bytes at `signature_offset` used for content sniffing (when `sniff` is NULL),
    /// or NULL.
    pub signature: *const u8,
    /// Length of `signature`.
    pub signature_len: usize,
    /// Byte offset of the signature from the start of the data.
    pub signature_offset: usize,
    /// Higher wins when several codecs implement one format.
    pub priority: i32,
    /// Pixel formats `decode` produces (`decode_capability_count` rows), or NULL.
    pub decode_capabilities: *const pxc_capability,
    /// Rows of `decode_capabilities`.
    pub decode_capability_count: usize,
    /// Pixel formats `encode` accepts, exact or lossy (`encode_capability_count` rows).
    pub encode_capabilities: *const pxc_capability,
    /// Rows of `encode_capabilities`.
    pub encode_capability_count: usize,
    /// True when the first `len` bytes (at most 64) look like this format. NULL: use
    /// `signature`.
    pub sniff: Option<unsafe extern "C" fn(user_data: *mut c_void, data: *const u8, len: usize) -> bool>,
    /// Reads the header of `data` into `*out_info` (width, height, layout, sample, pages,
    /// lossy_source; the name fields are filled by pixcodec). Required.
    pub probe: Option<
        unsafe extern "C" fn(user_data: *mut c_void, data: *const u8, len: usize, out_info: *mut pxc_info) -> c_int,
    >,
    /// Decodes the first page of `data` (whose header `info` describes) into `out`, rows
    /// `stride` bytes apart, writing only the pixel bytes of each row. Required.
    pub decode: Option<
        unsafe extern "C" fn(
            user_data: *mut c_void,
            data: *const u8,
            len: usize,
            info: *const pxc_info,
            out: *mut u8,
            stride: usize,
        ) -> c_int,
    >,
    /// Encodes `image` (a format listed in `encode_capabilities`) by calling
    /// `write(sink, bytes, len)` as often as needed. NULL: decode-only codec.
    pub encode: Option<
        unsafe extern "C" fn(
            user_data: *mut c_void,
            image: *const pxc_image_view,
            write: pxc_write_fn,
            sink: *mut c_void,
        ) -> c_int,
    >,
    /// Called exactly once, when the registry no longer uses the codec (after
    /// `pxc_registry_free`, `pxc_registry_unregister`, or never for the default
    /// registry). Not called when registration fails. May be NULL.
    pub destroy: Option<unsafe extern "C" fn(user_data: *mut c_void)>,
    /// Context handed to every callback.
    pub user_data: *mut c_void,
}

thread_local! {
    static CODEC_ERROR: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Called by a C codec's callback before returning a failure status: `message` becomes
/// the detail of the error the caller sees. NULL clears it.
#[no_mangle]
pub unsafe extern "C" fn pxc_codec_set_error(message: *const c_char) {
    ffi!(or (); nonnull() {
        let m = if message.is_null() {
            None
        } else {
            // SAFETY: NUL-terminated per the caller's contract.
            Some(unsafe { std::ffi::CStr::from_ptr(message) }.to_string_lossy().into_owned())
        };
        CODEC_ERROR.with(|e| *e.borrow_mut() = m);
        Ok(())
    })
}

/// Shared state of a C codec; calls `destroy` when the last user drops it.
struct Inner {
    vt: pxc_codec_vtable,
    armed: AtomicBool,
}

// SAFETY: the vtable contract requires callbacks and user_data to be usable from any
// thread; the copied pointers to strings/arrays are not used after registration.
unsafe impl Send for Inner {}
unsafe impl Sync for Inner {}

impl Drop for Inner {
    fn drop(&mut self) {
        if self.armed.load(Ordering::SeqCst) {
            if let Some(destroy) = self.vt.destroy {
                // SAFETY: called once, with the user_data the caller registered.
                unsafe { destroy(self.vt.user_data) };
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Stage {
    Probe,
    Decode,
    Encode,
}

impl Inner {
    /// Turns a callback's return value into a Result, with the message it set.
    fn check(&self, name: &str, stage: Stage, rc: c_int) -> Result<()> {
        let pending = CODEC_ERROR.with(|e| e.borrow_mut().take());
        if rc == 0 {
            return Ok(());
        }
        let stage_name = match stage {
            Stage::Probe => "probe",
            Stage::Decode => "decode",
            Stage::Encode => "encode",
        };
        let status = pxc_status::from_raw(rc as i64);
        let msg = pending.unwrap_or_else(|| match status {
            Some(s) => format!("{stage_name} callback failed with {}", s.describe().to_string_lossy()),
            None => format!("{stage_name} callback returned {rc}, which is not a pxc_status value"),
        });
        Err(match status {
            Some(pxc_status::Unsupported) => Error::Unsupported(format!("{name}: {msg}")),
            Some(pxc_status::UnknownFormat) => Error::UnknownFormat(format!("{name}: {msg}")),
            Some(pxc_status::NotExact) => Error::NotExact(format!("{name}: {msg}")),
            Some(pxc_status::Limits) => Error::Limits(format!("{name}: {msg}")),
            Some(pxc_status::InvalidArgument) => Error::invalid(format!("{name}: {msg}")),
            Some(pxc_status::Io) => Error::Io(std::io::Error::other(format!("{name}: {msg}"))),
            _ => match stage {
                Stage::Encode => Error::encode(name, msg),
                Stage::Probe | Stage::Decode => Error::decode(name, msg),
            },
        })
    }
}

/// The Rust [`Codec`] over a C vtable.
struct CCodec {
    inner: Arc<Inner>,
    descriptor: CodecDescriptor,
    caps: Capabilities,
}

impl Codec for CCodec {
    fn descriptor(&self) -> &CodecDescriptor {
        &self.descriptor
    }

    fn capabilities(&self) -> &Capabilities {
        &self.caps
    }

    fn sniff(&self, head: &[u8]) -> bool {
        match self.inner.vt.sniff {
            // SAFETY: head is valid for head.len() bytes; callback contract is the caller's.
            Some(f) => unsafe { f(self.inner.vt.user_data, head.as_ptr(), head.len()) },
            None => self.descriptor.signatures.iter().any(|s| s.matches(head)),
        }
    }

    fn decoder<'a>(&self, source: Source<'a>, limits: &Limits) -> Result<Box<dyn Decoder + 'a>> {
        let name = &self.descriptor.name;
        let data = source.into_bytes(limits)?;
        let probe = self.inner.vt.probe.expect("probe is checked at registration");
        let mut raw = pxc_info::zeroed();
        // SAFETY: data is valid for its length; raw is a valid out-struct.
        let rc = unsafe { probe(self.inner.vt.user_data, data.as_ptr(), data.len(), &mut raw) };
        self.inner.check(name, Stage::Probe, rc)?;
        let format = format_from(raw.layout, raw.sample).map_err(|f| {
            Error::decode(
                name,
                format!("probe callback gave an invalid pixel format: {}", f.message),
            )
        })?;
        if raw.width == 0 || raw.height == 0 {
            return Err(Error::decode(
                name,
                format!("probe callback reported a {}x{} image", raw.width, raw.height),
            ));
        }
        limits.check_image(raw.width, raw.height, format)?;
        let mut info = ImageInfo::new(raw.width, raw.height, format, name, &self.descriptor.format);
        info.pages = raw.pages.max(1);
        info.lossy_source = raw.lossy_source;
        let mut c_info = pxc_info::from_info(&info);
        c_info.pages = info.pages;
        Ok(Box::new(CDecoder {
            inner: self.inner.clone(),
            data,
            info,
            c_info,
        }))
    }

    fn encoder(&self) -> Result<Box<dyn Encoder>> {
        if self.inner.vt.encode.is_none() {
            return Err(Error::Unsupported(format!(
                "codec {} decodes only",
                self.descriptor.name
            )));
        }
        Ok(Box::new(CEncoder {
            inner: self.inner.clone(),
            name: self.descriptor.name.clone(),
        }))
    }
}

struct CDecoder<'a> {
    inner: Arc<Inner>,
    data: std::borrow::Cow<'a, [u8]>,
    info: ImageInfo,
    c_info: pxc_info,
}

impl Decoder for CDecoder<'_> {
    fn info(&self) -> &ImageInfo {
        &self.info
    }

    fn decode_into(&mut self, mut out: ImageMut<'_>) -> Result<()> {
        out.expect_shape(self.info.width, self.info.height, self.info.format)?;
        let decode = self.inner.vt.decode.expect("decode is checked at registration");
        let stride = out.stride();
        let buf = out.as_bytes_mut();
        // SAFETY: buf holds stride * (height - 1) + row bytes; the callback writes rows.
        let rc = unsafe {
            decode(
                self.inner.vt.user_data,
                self.data.as_ptr(),
                self.data.len(),
                &self.c_info,
                buf.as_mut_ptr(),
                stride,
            )
        };
        self.inner.check(&self.info.codec, Stage::Decode, rc)
    }
}

struct CEncoder {
    inner: Arc<Inner>,
    name: String,
}

struct Sink<'w> {
    out: &'w mut dyn Write,
    error: Option<std::io::Error>,
}

unsafe extern "C" fn sink_write(sink: *mut c_void, data: *const u8, len: usize) -> c_int {
    // Never unwind into C: a panic here becomes a failure status.
    catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: `sink` is the &mut Sink passed to the encode callback, alive for the call.
        let s = unsafe { &mut *(sink as *mut Sink<'_>) };
        if data.is_null() && len > 0 {
            s.error = Some(std::io::Error::other("encode callback wrote from a NULL pointer"));
            return pxc_status::NullArgument as c_int;
        }
        // SAFETY: data is valid for len bytes per the callback contract.
        let bytes = if len == 0 {
            &[][..]
        } else {
            unsafe { std::slice::from_raw_parts(data, len) }
        };
        match s.out.write_all(bytes) {
            Ok(()) => 0,
            Err(e) => {
                s.error = Some(e);
                pxc_status::Io as c_int
            }
        }
    }))
    .unwrap_or(pxc_status::Panic as c_int)
}

impl Encoder for CEncoder {
    fn encode(
        &mut self,
        pages: &[ImageRef<'_>],
        _options: &ResolvedOptions,
        out: &mut dyn Write,
    ) -> Result<Option<std::sync::Arc<str>>> {
        let [page] = pages else {
            return Err(Error::Unsupported(format!(
                "codec {} stores one image per file, {} pages given",
                self.name,
                pages.len()
            )));
        };
        let encode = self.inner.vt.encode.expect("checked when the encoder was made");
        let view = pxc_image_view::from_ref(page);
        let mut sink = Sink { out, error: None };
        // SAFETY: view points into `page`, alive for the call; sink outlives the call.
        let rc = unsafe {
            encode(
                self.inner.vt.user_data,
                &view,
                Some(sink_write),
                &mut sink as *mut Sink<'_> as *mut c_void,
            )
        };
        if let Some(e) = sink.error.take() {
            CODEC_ERROR.with(|m| m.borrow_mut().take());
            return Err(Error::Io(e));
        }
        self.inner.check(&self.name, Stage::Encode, rc)?;
        Ok(None)
    }
}

/// A NULL-terminated C string array as owned strings.
unsafe fn str_list(p: *const *const c_char, what: &str) -> FfiResult<Vec<String>> {
    let mut v = Vec::new();
    if p.is_null() {
        return Ok(v);
    }
    for i in 0.. {
        // SAFETY: NULL-terminated array per the vtable contract.
        let s = unsafe { *p.add(i) };
        if s.is_null() {
            break;
        }
        if i >= 1024 {
            return Err(Failure::invalid(format!(
                "{what} has more than 1024 entries; is it NULL-terminated?"
            )));
        }
        v.push(unsafe { cstr(s, &format!("{what}[{i}]")) }?.to_string());
    }
    Ok(v)
}

unsafe fn cap_list(p: *const pxc_capability, n: usize, what: &str) -> FfiResult<Vec<Capability>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    if p.is_null() {
        return Err(Failure::null(what));
    }
    // SAFETY: n rows per the vtable contract.
    let rows = unsafe { std::slice::from_raw_parts(p, n) };
    rows.iter()
        .enumerate()
        .map(|(i, c)| {
            let format: PixelFormat =
                format_from(c.layout, c.sample).map_err(|f| Failure::invalid(format!("{what}[{i}]: {}", f.message)))?;
            let fidelity =
                fidelity_from(c.fidelity).map_err(|f| Failure::invalid(format!("{what}[{i}]: {}", f.message)))?;
            Ok(Capability::new(format, fidelity))
        })
        .collect()
}

fn build(vt: &pxc_codec_vtable) -> FfiResult<CCodec> {
    let size = std::mem::size_of::<pxc_codec_vtable>();
    if (vt.struct_size as usize) != size {
        return Err(Failure::invalid(format!(
            "pxc_codec_vtable.struct_size is {}, this library expects {size} (sizeof(pxc_codec_vtable)); rebuild against the matching pixcodec.h",
            vt.struct_size
        )));
    }
    if vt.abi_version != PXC_CODEC_ABI_VERSION {
        return Err(Failure::invalid(format!(
            "pxc_codec_vtable.abi_version is {}, this library implements {PXC_CODEC_ABI_VERSION}",
            vt.abi_version
        )));
    }
    let name = unsafe { cstr(vt.name, "vtable->name") }?.to_string();
    if name.is_empty() || name.len() >= PXC_NAME_MAX {
        return Err(Failure::invalid(format!(
            "codec name '{name}' must be 1..{} bytes long",
            PXC_NAME_MAX - 1
        )));
    }
    let format = unsafe { cstr(vt.format, "vtable->format") }?.to_string();
    if format.is_empty() || format.len() >= PXC_NAME_MAX {
        return Err(Failure::invalid(format!(
            "format name '{format}' must be 1..{} bytes long",
            PXC_NAME_MAX - 1
        )));
    }
    let description = if vt.description.is_null() {
        String::new()
    } else {
        unsafe { cstr(vt.description, "vtable->description") }?.to_string()
    };
    if vt.probe.is_none() {
        return Err(Failure::null("vtable->probe"));
    }
    if vt.decode.is_none() {
        return Err(Failure::null("vtable->decode"));
    }
    let extensions = unsafe { str_list(vt.extensions, "vtable->extensions") }?
        .into_iter()
        .map(|e| e.trim_start_matches('.').to_ascii_lowercase())
        .collect();
    let mime_types = unsafe { str_list(vt.mime_types, "vtable->mime_types") }?;
    let mut signatures = Vec::new();
    if vt.signature_len > 0 {
        if vt.signature.is_null() {
            return Err(Failure::null("vtable->signature"));
        }
        // SAFETY: signature_len bytes per the vtable contract.
        let bytes = unsafe { std::slice::from_raw_parts(vt.signature, vt.signature_len) }.to_vec();
        signatures.push(Signature {
            offset: vt.signature_offset,
            bytes,
            mask: None,
        });
    }
    if vt.sniff.is_none() && signatures.is_empty() && extensions_empty(vt) {
        return Err(Failure::invalid(format!(
            "codec {name} has no sniff callback, no signature and no extensions: nothing could ever select it for decoding"
        )));
    }
    let decode = unsafe {
        cap_list(
            vt.decode_capabilities,
            vt.decode_capability_count,
            "vtable->decode_capabilities",
        )
    }?;
    let encode = unsafe {
        cap_list(
            vt.encode_capabilities,
            vt.encode_capability_count,
            "vtable->encode_capabilities",
        )
    }?;
    if vt.encode.is_none() && !encode.is_empty() {
        return Err(Failure::invalid(format!(
            "codec {name} lists encode capabilities but has no encode callback"
        )));
    }
    let descriptor = CodecDescriptor {
        name,
        format,
        description,
        extensions,
        mime_types,
        signatures,
        priority: vt.priority,
    };
    Ok(CCodec {
        inner: Arc::new(Inner {
            vt: *vt,
            armed: AtomicBool::new(false),
        }),
        descriptor,
        caps: Capabilities {
            decode,
            encode,
            multi_page_encode: false,
            multi_page_decode: false,
        },
    })
}

fn extensions_empty(vt: &pxc_codec_vtable) -> bool {
    // SAFETY: NULL or a NULL-terminated array per the vtable contract.
    vt.extensions.is_null() || unsafe { (*vt.extensions).is_null() }
}

/// Registers a codec written in C into `reg` (NULL: the default registry). The vtable is
/// copied; `user_data` is kept. Fails with `PXC_STATUS_INVALID_ARGUMENT` when
/// `struct_size`/`abi_version` do not match this library, a required field is missing, a
/// capability row holds an invalid value, or the name is taken; `destroy` is then NOT
/// called and `user_data` stays the caller's.
#[no_mangle]
pub unsafe extern "C" fn pxc_registry_register_codec(
    reg: *mut pxc_registry,
    vtable: *const pxc_codec_vtable,
) -> pxc_status {
    ffi!(nonnull(vtable) {
        // Read only struct_size first: an older, shorter struct must not be read in full.
        let size = unsafe { std::ptr::addr_of!((*vtable).struct_size).read() };
        if size as usize != std::mem::size_of::<pxc_codec_vtable>() {
            return Err(Failure::invalid(format!(
                "pxc_codec_vtable.struct_size is {size}, this library expects {} (sizeof(pxc_codec_vtable)); rebuild against the matching pixcodec.h",
                std::mem::size_of::<pxc_codec_vtable>()
            )));
        }
        let vt = unsafe { &*vtable };
        let codec = build(vt)?;
        // Armed before registering (another thread may unregister at once); on failure this
        // clone keeps Inner alive while it is disarmed, so destroy is never called then.
        let inner = codec.inner.clone();
        inner.armed.store(true, Ordering::SeqCst);
        match unsafe { registry(reg) }.register(Arc::new(codec)) {
            Ok(()) => Ok(()),
            Err(e) => {
                inner.armed.store(false, Ordering::SeqCst);
                Err(e.into())
            }
        }
    })
}
