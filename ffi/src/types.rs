//! Plain C types shared by the API: enum values and their converters, info structs and
//! image views.

use std::ffi::{c_char, c_void};

use pixcodec::{Fidelity, ImageInfo, ImageRef, Layout, PixelFormat, SampleType};

use crate::args::copy_str;
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
    /// IEEE-754 half precision (`uint16_t` bits in C; appended, so no value above changed).
    F16 = 10,
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

/// Generates the converters between a C enum's `uint32_t` values and the Rust enum whose
/// variants have the same names: `$from(u32) -> FfiResult<Rust>`, where any other value is
/// `PXC_STATUS_INVALID_ARGUMENT` with "{what} {value} is not {expected}", and
/// `$to(Rust) -> u32`. The variant list is the one table of both directions.
macro_rules! c_enum_conversions {
    ($c:ident <=> $rust:ident, $what:literal, $expected:literal, $from:ident, $to:ident, [$($v:ident),+ $(,)?]) => {
        #[doc = concat!("A `", stringify!($rust), "` from its `", stringify!($c), "` value; anything else is `PXC_STATUS_INVALID_ARGUMENT`.")]
        pub fn $from(v: u32) -> $crate::boundary::FfiResult<$rust> {
            $(
                if v == $c::$v as u32 {
                    return Ok($rust::$v);
                }
            )+
            Err($crate::boundary::Failure::invalid(format!(
                concat!($what, " {} is not ", $expected),
                v
            )))
        }

        #[doc = concat!("The `", stringify!($c), "` value of a `", stringify!($rust), "`.")]
        pub fn $to(r: $rust) -> u32 {
            (match r {
                $($rust::$v => $c::$v,)+
            }) as u32
        }
    };
}
pub(crate) use c_enum_conversions;

c_enum_conversions!(pxc_layout <=> Layout, "layout", "a pxc_layout value (0 = GRAY .. 4 = CMYK)",
    layout_from, layout_to, [Gray, GrayAlpha, Rgb, Rgba, Cmyk]);
c_enum_conversions!(pxc_sample <=> SampleType, "sample type", "a pxc_sample value (0 = U8 .. 9 = F64, 10 = F16)",
    sample_from, sample_to, [U8, U16, U32, U64, I8, I16, I32, I64, F32, F64, F16]);
// NONE is a pxc_fidelity value but not a Fidelity: a capability row must say exact or lossy.
c_enum_conversions!(pxc_fidelity <=> Fidelity, "fidelity", "PXC_FIDELITY_EXACT (1) or PXC_FIDELITY_LOSSY (2)",
    fidelity_from, fidelity_value, [Exact, Lossy]);

/// A pixel format from C values.
pub fn format_from(layout: u32, sample: u32) -> FfiResult<PixelFormat> {
    Ok(PixelFormat::new(layout_from(layout)?, sample_from(sample)?))
}

/// The C value of an optional fidelity (`None`: `PXC_FIDELITY_NONE`).
pub fn fidelity_to(f: Option<Fidelity>) -> u32 {
    f.map_or(pxc_fidelity::None as u32, fidelity_value)
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
