//! Plain C types shared by the API: enum values, info and report structs, image views,
//! and the helpers that check values coming from C.

use std::ffi::{c_char, c_void, CStr};

use pixcodec::{Fidelity, ImageInfo, ImageRef, Layout, PixelFormat, SampleType};

use crate::boundary::{Failure, FfiResult};

/// Size of the fixed name fields (`pxc_info.codec`, `pxc_codec_info.name`, …), NUL included.
/// Codec names registered from C must be shorter.
pub const PXC_NAME_MAX: usize = 64;

/// Size of the fixed text fields holding lists or sentences, NUL included.
pub const PXC_TEXT_MAX: usize = 256;

/// Channel layouts (values of the `uint32_t layout` arguments and fields). Never renumbered.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum pxc_layout {
    /// One luminance channel.
    Gray = 0,
    /// Luminance and alpha.
    GrayAlpha = 1,
    /// Red, green, blue.
    Rgb = 2,
    /// Red, green, blue, alpha (straight).
    Rgba = 3,
    /// Cyan, magenta, yellow, black.
    Cmyk = 4,
}

/// Sample types (values of the `uint32_t sample` arguments and fields). Samples in memory
/// are native-endian. Never renumbered.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum pxc_sample {
    /// Unsigned 8-bit.
    U8 = 0,
    /// Unsigned 16-bit.
    U16 = 1,
    /// Unsigned 32-bit.
    U32 = 2,
    /// Unsigned 64-bit.
    U64 = 3,
    /// Signed 8-bit.
    I8 = 4,
    /// Signed 16-bit.
    I16 = 5,
    /// Signed 32-bit.
    I32 = 6,
    /// Signed 64-bit.
    I64 = 7,
    /// IEEE-754 single precision.
    F32 = 8,
    /// IEEE-754 double precision.
    F64 = 9,
}

/// Whether a codec keeps values exactly (values of `uint32_t fidelity`). Never renumbered.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum pxc_fidelity {
    /// The codec cannot handle the pixel format at all.
    None = 0,
    /// Bit-exact round trip.
    Exact = 1,
    /// Values may change (lossy compression).
    Lossy = 2,
}

/// `whence` values of a [`pxc_seek_fn`](crate::stream::pxc_seek_fn). Never renumbered.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum pxc_seek_whence {
    /// From the start of the stream.
    Set = 0,
    /// From the current position.
    Cur = 1,
    /// From the end of the stream.
    End = 2,
}

/// A layout from its C value; anything else is `PXC_STATUS_INVALID_ARGUMENT`.
pub fn layout_from(v: u32) -> FfiResult<Layout> {
    Ok(match v {
        0 => Layout::Gray,
        1 => Layout::GrayAlpha,
        2 => Layout::Rgb,
        3 => Layout::Rgba,
        4 => Layout::Cmyk,
        _ => {
            return Err(Failure::invalid(format!(
                "layout {v} is not a pxc_layout value (0 = GRAY .. 4 = CMYK)"
            )))
        }
    })
}

/// The C value of a layout.
pub fn layout_to(l: Layout) -> u32 {
    (match l {
        Layout::Gray => pxc_layout::Gray,
        Layout::GrayAlpha => pxc_layout::GrayAlpha,
        Layout::Rgb => pxc_layout::Rgb,
        Layout::Rgba => pxc_layout::Rgba,
        Layout::Cmyk => pxc_layout::Cmyk,
    }) as u32
}

const SAMPLES: [(pxc_sample, SampleType); 10] = [
    (pxc_sample::U8, SampleType::U8),
    (pxc_sample::U16, SampleType::U16),
    (pxc_sample::U32, SampleType::U32),
    (pxc_sample::U64, SampleType::U64),
    (pxc_sample::I8, SampleType::I8),
    (pxc_sample::I16, SampleType::I16),
    (pxc_sample::I32, SampleType::I32),
    (pxc_sample::I64, SampleType::I64),
    (pxc_sample::F32, SampleType::F32),
    (pxc_sample::F64, SampleType::F64),
];

/// A sample type from its C value; anything else is `PXC_STATUS_INVALID_ARGUMENT`.
pub fn sample_from(v: u32) -> FfiResult<SampleType> {
    SAMPLES
        .iter()
        .find(|(c, _)| *c as u32 == v)
        .map(|(_, s)| *s)
        .ok_or_else(|| Failure::invalid(format!("sample type {v} is not a pxc_sample value (0 = U8 .. 9 = F64)")))
}

/// The C value of a sample type.
pub fn sample_to(s: SampleType) -> u32 {
    SAMPLES
        .iter()
        .find(|(_, r)| *r == s)
        .map(|(c, _)| *c as u32)
        .expect("every sample type has a C value")
}

/// A pixel format from C values.
pub fn format_from(layout: u32, sample: u32) -> FfiResult<PixelFormat> {
    Ok(PixelFormat::new(layout_from(layout)?, sample_from(sample)?))
}

/// The C value of an optional fidelity.
pub fn fidelity_to(f: Option<Fidelity>) -> u32 {
    (match f {
        None => pxc_fidelity::None,
        Some(Fidelity::Exact) => pxc_fidelity::Exact,
        Some(Fidelity::Lossy) => pxc_fidelity::Lossy,
    }) as u32
}

/// A fidelity from its C value (`NONE` is rejected: a capability row must say exact or lossy).
pub fn fidelity_from(v: u32) -> FfiResult<Fidelity> {
    match v {
        1 => Ok(Fidelity::Exact),
        2 => Ok(Fidelity::Lossy),
        _ => Err(Failure::invalid(format!(
            "fidelity {v} is not PXC_FIDELITY_EXACT (1) or PXC_FIDELITY_LOSSY (2)"
        ))),
    }
}

/// Header facts about an encoded image, filled by `pxc_probe*` (and by C codecs' `probe`).
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct pxc_info {
    /// Width in pixels (first page).
    pub width: u32,
    /// Height in pixels (first page).
    pub height: u32,
    /// A `pxc_layout` value.
    pub layout: u32,
    /// A `pxc_sample` value: the file's own sample type.
    pub sample: u32,
    /// Number of pages (1 for single-image formats).
    pub pages: u32,
    /// True when the file stores lossy-compressed data (e.g. any JPEG).
    pub lossy_source: bool,
    /// Name of the codec that read the header, NUL-terminated (filled by pixcodec).
    pub codec: [c_char; PXC_NAME_MAX],
    /// Format name (`png`, `jpeg`, `tiff`, …), NUL-terminated (filled by pixcodec).
    pub format: [c_char; PXC_NAME_MAX],
}

impl pxc_info {
    /// An all-zero record.
    pub fn zeroed() -> Self {
        pxc_info {
            width: 0,
            height: 0,
            layout: 0,
            sample: 0,
            pages: 0,
            lossy_source: false,
            codec: [0; PXC_NAME_MAX],
            format: [0; PXC_NAME_MAX],
        }
    }

    /// The C record of an [`ImageInfo`].
    pub fn from_info(info: &ImageInfo) -> Self {
        let mut out = pxc_info::zeroed();
        out.width = info.width;
        out.height = info.height;
        out.layout = layout_to(info.format.layout);
        out.sample = sample_to(info.format.sample);
        out.pages = info.pages;
        out.lossy_source = info.lossy_source;
        copy_str(&mut out.codec, &info.codec);
        copy_str(&mut out.format, &info.format_name);
        out
    }
}

/// A borrowed image in caller memory: what every encode reads. Samples are native-endian.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct pxc_image_view {
    /// First byte of the first row. Must hold `stride * (height - 1) + width * bytes_per_pixel` bytes.
    pub data: *const c_void,
    /// Bytes from one row to the next; 0 means tightly packed.
    pub stride: usize,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// A `pxc_layout` value.
    pub layout: u32,
    /// A `pxc_sample` value.
    pub sample: u32,
}

impl pxc_image_view {
    /// The view as an [`ImageRef`] after checking every field.
    ///
    /// # Safety
    /// `data` must point to as many readable bytes as the geometry needs, for `'a`.
    pub unsafe fn as_image_ref<'a>(&self, what: &str) -> FfiResult<ImageRef<'a>> {
        if self.data.is_null() {
            return Err(Failure::null(&format!("{what}->data")));
        }
        let format = format_from(self.layout, self.sample)?;
        let stride = if self.stride == 0 {
            (self.width as usize).saturating_mul(format.bytes_per_pixel())
        } else {
            self.stride
        };
        let need = pixcodec::image::required_len(self.width, self.height, format, stride)?;
        // SAFETY: the caller guarantees `data` holds the bytes the geometry needs.
        let bytes = unsafe { std::slice::from_raw_parts(self.data as *const u8, need) };
        Ok(ImageRef::new(bytes, self.width, self.height, format, stride)?)
    }

    /// A view of an [`ImageRef`].
    pub fn from_ref(r: &ImageRef<'_>) -> Self {
        pxc_image_view {
            data: r.as_bytes().as_ptr() as *const c_void,
            stride: r.stride(),
            width: r.width(),
            height: r.height(),
            layout: layout_to(r.format().layout),
            sample: sample_to(r.format().sample),
        }
    }
}

/// One row of a capability table.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct pxc_capability {
    /// A `pxc_layout` value.
    pub layout: u32,
    /// A `pxc_sample` value.
    pub sample: u32,
    /// A `pxc_fidelity` value (`EXACT` or `LOSSY`).
    pub fidelity: u32,
}

/// Copies `s` into a fixed NUL-terminated field, truncating at a character boundary.
pub fn copy_str(dst: &mut [c_char], s: &str) {
    let Some(max) = dst.len().checked_sub(1) else {
        return;
    };
    let mut n = s.len().min(max);
    while !s.is_char_boundary(n) {
        n -= 1;
    }
    for (d, b) in dst.iter_mut().zip(s.as_bytes()[..n].iter()) {
        *d = *b as c_char;
    }
    dst[n] = 0;
    for d in dst[n..].iter_mut() {
        *d = 0;
    }
}

/// A borrowed C string as UTF-8 text; `what` names the argument in errors.
///
/// # Safety
/// `p` must be NULL or point to a NUL-terminated string valid for `'a`.
pub unsafe fn cstr<'a>(p: *const c_char, what: &str) -> FfiResult<&'a str> {
    if p.is_null() {
        return Err(Failure::null(what));
    }
    // SAFETY: non-NULL and NUL-terminated per the caller's contract.
    unsafe { CStr::from_ptr(p) }
        .to_str()
        .map_err(|_| Failure::invalid(format!("argument '{what}' is not valid UTF-8")))
}

/// A borrowed byte buffer; `len` 0 gives an empty slice.
///
/// # Safety
/// `p` must be non-NULL and valid for `len` bytes for `'a`.
pub unsafe fn bytes<'a>(p: *const u8, len: usize) -> &'a [u8] {
    if len == 0 {
        &[]
    } else {
        // SAFETY: per the caller's contract.
        unsafe { std::slice::from_raw_parts(p, len) }
    }
}

/// Writes `v` through an out-pointer when it is not NULL.
///
/// # Safety
/// `p` must be NULL or valid for a write of `T`.
pub unsafe fn put<T>(p: *mut T, v: T) {
    if !p.is_null() {
        // SAFETY: per the caller's contract.
        unsafe { p.write(v) }
    }
}
