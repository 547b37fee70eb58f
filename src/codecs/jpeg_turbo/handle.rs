//! Every call into libjpeg-turbo's C API (`tj3*`) that needs `unsafe`, each behind a safe
//! method that checks what the C function relies on.
//!
//! [`Decompressor`] owns a TurboJPEG decompression instance together with the JPEG bytes it
//! reads, so the header it records (and the output size computed from it, the scaling factor
//! and the cropping region) always describes the data that the decompress call is given: the
//! size of the caller's buffer is checked against that output size before libjpeg-turbo
//! writes into it. [`Compressor`] wraps the `turbojpeg` crate's safe compressor with the
//! output buffer it reuses. [`RawCompressor`] calls `tj3Compress8/12/16` itself for what
//! that crate does not expose (lossless JPEG, data precision 2..16, 12-bit lossy): it checks
//! that every sample fits the data precision before libjpeg-turbo sees it, since
//! libjpeg-turbo indexes tables by sample value and does not check that itself.

use std::borrow::Cow;
use std::ffi::CStr;

use turbojpeg::{libc, raw};

use super::{MAX_SCANS, NAME};
use crate::error::{Error, Result};
use crate::image::ImageRef;

/// The sample width libjpeg-turbo writes: which `tj3Decompress*` is called.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Bits {
    /// 2..=8 bits: `tj3Decompress8` into u8.
    Eight,
    /// 9..=12 bits: `tj3Decompress12` into 16-bit samples.
    Twelve,
    /// 13..=16 bits (lossless only): `tj3Decompress16` into u16.
    Sixteen,
}

impl Bits {
    /// Bytes per output sample.
    fn sample_bytes(self) -> usize {
        match self {
            Bits::Eight => 1,
            Bits::Twelve | Bits::Sixteen => 2,
        }
    }
}

/// Samples per pixel of the pixel formats pixcodec decodes to (libjpeg-turbo's `tjPixelSize`),
/// `None` for the others.
fn pixel_size(pf: raw::TJPF) -> Option<usize> {
    match pf {
        raw::TJPF_TJPF_GRAY => Some(1),
        raw::TJPF_TJPF_RGB => Some(3),
        raw::TJPF_TJPF_CMYK => Some(4),
        _ => None,
    }
}

/// A TurboJPEG decompression instance and the JPEG data it decodes.
pub(super) struct Decompressor<'a> {
    handle: raw::tjhandle,
    data: Cow<'a, [u8]>,
    /// Width and height from `tj3DecompressHeader`, once it succeeded.
    header: Option<(u32, u32)>,
    /// The DCT scaling denominator (1, 2, 4 or 8).
    denom: u32,
    /// The cropping region's first row and row count (full width), when one is set.
    rows: Option<(u32, u32)>,
}

// SAFETY: a TurboJPEG instance has no thread affinity; it is used by one owner at a time
// (every method takes `&self` or `&mut self` of its single owner, and it is not `Sync`).
unsafe impl Send for Decompressor<'_> {}

impl<'a> Decompressor<'a> {
    /// A decompression instance for `data` that fails on any libjpeg warning and is held to
    /// the progressive scan limit and to `guards` (`TJPARAM_MAXPIXELS`, `TJPARAM_MAXMEMORY`).
    pub(super) fn new(data: Cow<'a, [u8]>, guards: (i32, i32)) -> Result<Self> {
        // SAFETY: tj3Init has no preconditions; a null return is handled.
        let handle = unsafe { raw::tj3Init(raw::TJINIT_TJINIT_DECOMPRESS as libc::c_int) };
        if handle.is_null() {
            return Err(Error::decode(NAME, "could not create a TurboJPEG instance"));
        }
        let d = Decompressor {
            handle,
            data,
            header: None,
            denom: 1,
            rows: None,
        };
        d.set(raw::TJPARAM_TJPARAM_STOPONWARNING, 1)?;
        d.set(raw::TJPARAM_TJPARAM_SCANLIMIT, MAX_SCANS as i32)?;
        d.set(raw::TJPARAM_TJPARAM_MAXPIXELS, guards.0)?;
        d.set(raw::TJPARAM_TJPARAM_MAXMEMORY, guards.1)?;
        Ok(d)
    }

    /// The JPEG data.
    pub(super) fn data(&self) -> &[u8] {
        &self.data
    }

    /// libjpeg-turbo's message for the last failed call on this instance.
    pub(super) fn error(&self) -> String {
        // SAFETY: the handle is valid; tj3GetErrorStr returns a NUL-terminated static or
        // per-instance string that stays valid until the next call on this instance, and it
        // is copied before this method returns.
        unsafe { CStr::from_ptr(raw::tj3GetErrorStr(self.handle)) }
            .to_string_lossy()
            .into_owned()
    }

    /// A parameter's value (-1 for an unknown parameter).
    pub(super) fn get(&self, param: raw::TJPARAM) -> i32 {
        // SAFETY: valid handle; unknown parameters return -1.
        unsafe { raw::tj3Get(self.handle, param as libc::c_int) }
    }

    /// Sets a parameter; an invalid value is an [`Error::Decode`] with libjpeg-turbo's message.
    pub(super) fn set(&self, param: raw::TJPARAM, value: i32) -> Result<()> {
        // SAFETY: valid handle; invalid values are reported through the return code.
        if unsafe { raw::tj3Set(self.handle, param as libc::c_int, value) } != 0 {
            return Err(Error::decode(NAME, self.error()));
        }
        Ok(())
    }

    /// Reads the header (and, with `TJPARAM_SAVEMARKERS`, the markers) of the data; the error
    /// is libjpeg-turbo's message.
    pub(super) fn read_header(&mut self) -> std::result::Result<(), String> {
        // SAFETY: valid handle; the pointer and length describe `self.data`, which the
        // instance owns or borrows for its whole life.
        let rc = unsafe { raw::tj3DecompressHeader(self.handle, self.data.as_ptr(), self.data.len() as raw::size_t) };
        if rc != 0 {
            return Err(self.error());
        }
        let (w, h) = (
            self.get(raw::TJPARAM_TJPARAM_JPEGWIDTH),
            self.get(raw::TJPARAM_TJPARAM_JPEGHEIGHT),
        );
        self.header = (w > 0 && h > 0).then_some((w as u32, h as u32));
        Ok(())
    }

    /// Selects DCT scaling by 1/`denom` (1, 2, 4 or 8) for the next decompress; not together
    /// with a cropping region.
    pub(super) fn set_scaling(&mut self, denom: u32) -> std::result::Result<(), String> {
        if !matches!(denom, 1 | 2 | 4 | 8) || self.rows.is_some() {
            return Err(format!("scaling 1/{denom} is not available here"));
        }
        let factor = raw::tjscalingfactor {
            num: 1,
            denom: denom as libc::c_int,
        };
        // SAFETY: valid handle; 1/1, 1/2, 1/4 and 1/8 are among libjpeg-turbo's factors.
        if unsafe { raw::tj3SetScalingFactor(self.handle, factor) } != 0 {
            return Err(self.error());
        }
        self.denom = denom;
        Ok(())
    }

    /// Limits the next decompress to the full-width rows `y..y + rows` of the (unscaled)
    /// image; libjpeg-turbo then writes only those rows. Needs the header.
    pub(super) fn set_rows(&mut self, y: u32, rows: u32) -> std::result::Result<(), String> {
        let Some((_, h)) = self.header else {
            return Err("no JPEG header has been read".to_string());
        };
        if self.denom != 1 || rows == 0 || y.checked_add(rows).is_none_or(|end| end > h) {
            return Err(format!(
                "rows {y}..{} are outside the image",
                u64::from(y) + u64::from(rows)
            ));
        }
        let region = raw::tjregion {
            x: 0,
            y: y as libc::c_int,
            w: 0,
            h: rows as libc::c_int,
        };
        // SAFETY: valid handle after reading the header; the region lies inside the image
        // (checked above; libjpeg-turbo checks the iMCU boundary of `y` itself).
        if unsafe { raw::tj3SetCroppingRegion(self.handle, region) } != 0 {
            return Err(self.error());
        }
        self.rows = Some((y, rows));
        Ok(())
    }

    /// The size libjpeg-turbo writes: the header's size scaled by 1/denom, or the cropped rows.
    fn output_size(&self) -> Option<(usize, usize)> {
        let (w, h) = self.header?;
        let w = w.div_ceil(self.denom) as usize;
        let h = match self.rows {
            Some((_, rows)) => rows as usize,
            None => h.div_ceil(self.denom) as usize,
        };
        Some((w, h))
    }

    /// Decodes the image (scaled, or its cropped rows) into `out` as `bits`-wide samples of
    /// pixel format `pf`, rows `pitch` samples apart. Only each row's pixel samples are
    /// written. `out` must hold the whole output (`pitch * (rows - 1) + width * channels`
    /// samples) and, for 16-bit samples, be 2-aligned; the error is libjpeg-turbo's message
    /// or says which of these does not hold.
    pub(super) fn decompress(
        &mut self,
        bits: Bits,
        out: &mut [u8],
        pitch: usize,
        pf: raw::TJPF,
    ) -> std::result::Result<(), String> {
        let (w, h) = self.output_size().ok_or("no JPEG header has been read")?;
        let ps = pixel_size(pf).ok_or("unsupported output pixel format")?;
        let ss = bits.sample_bytes();
        let row = w * ps;
        let needed = (h.saturating_sub(1))
            .checked_mul(pitch)
            .and_then(|n| n.checked_add(row))
            .and_then(|n| n.checked_mul(ss));
        if pitch < row || needed.is_none_or(|n| n > out.len()) {
            return Err(format!(
                "the output buffer ({} bytes, {pitch} samples per row) cannot hold {w}x{h} pixels",
                out.len()
            ));
        }
        if out.as_ptr() as usize % ss != 0 {
            return Err("the output buffer is not aligned for 16-bit samples".to_string());
        }
        let pitch = libc::c_int::try_from(pitch).map_err(|_| format!("row pitch {pitch} is too large"))?;
        let (data, len) = (self.data.as_ptr(), self.data.len() as raw::size_t);
        let (hd, dst, pf) = (self.handle, out.as_mut_ptr(), pf as libc::c_int);
        // SAFETY (all arms): valid handle whose header was read from `data` (owned by `self`,
        // unchanged since), so libjpeg-turbo writes `h` rows of `w * ps` samples, `pitch`
        // samples apart (the scaling factor and cropping region were set through `self`,
        // which `output_size` accounts for); `out` holds that many bytes and is aligned for
        // the sample type (both checked above).
        let rc = match bits {
            Bits::Eight => unsafe { raw::tj3Decompress8(hd, data, len, dst, pitch, pf) },
            Bits::Twelve => unsafe { raw::tj3Decompress12(hd, data, len, dst.cast(), pitch, pf) },
            Bits::Sixteen => unsafe { raw::tj3Decompress16(hd, data, len, dst.cast(), pitch, pf) },
        };
        if rc != 0 {
            return Err(self.error());
        }
        Ok(())
    }
}

impl Drop for Decompressor<'_> {
    fn drop(&mut self) {
        // SAFETY: the handle came from tj3Init and is destroyed once.
        unsafe { raw::tj3Destroy(self.handle) }
    }
}

/// Everything one compress call needs besides the pixels.
pub(super) struct CompressSettings {
    pub(super) quality: i32,
    pub(super) subsamp: turbojpeg::Subsamp,
    pub(super) progressive: bool,
    pub(super) optimize: bool,
    pub(super) arithmetic: bool,
    pub(super) width: u32,
    pub(super) pixel_format: turbojpeg::PixelFormat,
}

/// One TurboJPEG compressor and the output buffer it reuses (libjpeg-turbo grows the buffer
/// as needed and keeps it with the instance).
pub(super) struct Compressor {
    compressor: turbojpeg::Compressor,
    out: turbojpeg::OutputBuf<'static>,
}

// SAFETY: the compressor is `Send`; the output buffer is an owned heap allocation (tj3Alloc)
// used only by the compressor's owner, and moving it between threads moves only the pointer.
unsafe impl Send for Compressor {}

impl Compressor {
    /// A new compressor with an empty output buffer.
    pub(super) fn new() -> Result<Compressor> {
        Ok(Compressor {
            compressor: turbojpeg::Compressor::new().map_err(encode_err)?,
            out: turbojpeg::OutputBuf::new_owned(),
        })
    }

    /// The JPEG written by the last successful [`Compressor::compress`].
    pub(super) fn output(&self) -> &[u8] {
        &self.out
    }

    /// Compresses `height` rows starting at `pixels` with every setting of `s` applied afresh
    /// (libjpeg-turbo resets all other compression state for each image).
    pub(super) fn compress(&mut self, s: &CompressSettings, pixels: &[u8], pitch: usize, height: u32) -> Result<()> {
        let c = &mut self.compressor;
        c.set_quality(s.quality).map_err(encode_err)?;
        c.set_subsamp(s.subsamp).map_err(encode_err)?;
        c.set_progressive(s.progressive).map_err(encode_err)?;
        c.set_optimize(s.optimize).map_err(encode_err)?;
        c.set_arithmetic(s.arithmetic).map_err(encode_err)?;
        let input = turbojpeg::Image {
            pixels,
            width: s.width as usize,
            pitch,
            height: height as usize,
            format: s.pixel_format,
        };
        c.compress(input, &mut self.out).map_err(encode_err)
    }
}

pub(super) fn encode_err(e: impl std::fmt::Display) -> Error {
    Error::encode(NAME, e)
}

/// Everything one [`RawCompressor::compress`] needs besides the pixels.
pub(super) struct RawSettings {
    /// Data precision in bits: 2..=8 for U8 samples, 9..=16 for U16 (12 for lossy U16).
    pub(super) precision: u32,
    /// Lossless JPEG with this predictor (1..=7) and point transform (0..precision), or
    /// lossy (DCT) JPEG when `None`.
    pub(super) lossless: Option<(u32, u32)>,
    /// Lossy only: quality 1..=100.
    pub(super) quality: i32,
    /// Lossy only: the chroma subsampling.
    pub(super) subsamp: turbojpeg::Subsamp,
    /// Lossy only: progressive, arithmetic coding.
    pub(super) progressive: bool,
    pub(super) arithmetic: bool,
    /// Optimized Huffman tables.
    pub(super) optimize: bool,
    /// `TJPF_GRAY`, `TJPF_RGB` or `TJPF_CMYK`.
    pub(super) pixel_format: raw::TJPF,
}

/// Why [`RawCompressor::compress`] failed.
#[derive(Debug)]
pub(super) enum CompressFailure {
    /// The first sample (in row order) above `(1 << precision) - 1`.
    SampleTooLarge { x: u32, y: u32, channel: usize, value: u32 },
    /// Anything else: libjpeg-turbo's message or the unmet precondition.
    Other(String),
}

/// A TurboJPEG compression instance called through the raw API, with the output buffer
/// libjpeg-turbo allocated and grows (reused by the next call, freed on drop).
pub(super) struct RawCompressor {
    handle: raw::tjhandle,
    /// Null, or a tj3Alloc'd buffer whose first `len` bytes are the last JPEG written.
    buf: *mut libc::c_uchar,
    len: usize,
}

// SAFETY: the instance has no thread affinity and the buffer is an owned heap allocation;
// both are used only through `&mut self` of their single owner (the type is not `Sync`).
unsafe impl Send for RawCompressor {}

impl RawCompressor {
    /// A new compression instance with no output buffer yet.
    pub(super) fn new() -> Result<RawCompressor> {
        // SAFETY: tj3Init has no preconditions; a null return is handled.
        let handle = unsafe { raw::tj3Init(raw::TJINIT_TJINIT_COMPRESS as libc::c_int) };
        if handle.is_null() {
            return Err(Error::encode(NAME, "could not create a TurboJPEG instance"));
        }
        Ok(RawCompressor {
            handle,
            buf: std::ptr::null_mut(),
            len: 0,
        })
    }

    /// The JPEG written by the last successful [`RawCompressor::compress`].
    pub(super) fn output(&self) -> &[u8] {
        if self.buf.is_null() {
            return &[];
        }
        // SAFETY: after a successful compress `buf` holds `len` initialised bytes (the JPEG),
        // and nothing writes to it while `&self` is borrowed.
        unsafe { std::slice::from_raw_parts(self.buf, self.len) }
    }

    fn error(&self) -> String {
        // SAFETY: valid handle; the string is copied before the next call on the instance.
        unsafe { CStr::from_ptr(raw::tj3GetErrorStr(self.handle)) }
            .to_string_lossy()
            .into_owned()
    }

    fn set(&self, param: raw::TJPARAM, value: i32) -> std::result::Result<(), CompressFailure> {
        // SAFETY: valid handle; invalid values are reported through the return code.
        if unsafe { raw::tj3Set(self.handle, param as libc::c_int, value) } != 0 {
            return Err(CompressFailure::Other(self.error()));
        }
        Ok(())
    }

    /// Compresses `image` with every setting of `s` applied afresh. The image's samples must
    /// be U8 for precision 2..=8 and U16 (2-aligned, even stride) for 9..=16, its channels
    /// those of the pixel format, and every sample at most `(1 << precision) - 1` (checked
    /// here: the first one above is [`CompressFailure::SampleTooLarge`]).
    pub(super) fn compress(
        &mut self,
        s: &RawSettings,
        image: &ImageRef<'_>,
    ) -> std::result::Result<(), CompressFailure> {
        let other = |m: &str| Err(CompressFailure::Other(m.to_string()));
        let channels = pixel_size(s.pixel_format).unwrap_or(0);
        let format = image.format();
        let sample_bytes = if s.precision <= 8 { 1 } else { 2 };
        if !(2..=16).contains(&s.precision) || (s.lossless.is_none() && !matches!(s.precision, 8 | 12)) {
            return other("data precision out of range");
        }
        if channels != format.layout.channels() || format.sample.size() != sample_bytes {
            return other("the pixel format does not match the data precision");
        }
        let data = image.as_bytes();
        if sample_bytes == 2 && (data.as_ptr() as usize % 2 != 0 || image.stride() % 2 != 0) {
            return other("16-bit samples must be 2-aligned");
        }
        let (Ok(width), Ok(height), Ok(pitch)) = (
            libc::c_int::try_from(image.width()),
            libc::c_int::try_from(image.height()),
            libc::c_int::try_from(image.stride() / sample_bytes),
        ) else {
            return other("the image is too large for libjpeg-turbo");
        };
        if s.precision < 8 * sample_bytes as u32 {
            if let Some(bad) = first_above(image, (1u32 << s.precision) - 1) {
                return Err(bad);
            }
        }
        let (lossless, psv, pt) = match s.lossless {
            Some((psv, pt)) => (1, psv as i32, pt as i32),
            None => (0, 1, 0),
        };
        self.set(raw::TJPARAM_TJPARAM_LOSSLESS, lossless)?;
        self.set(raw::TJPARAM_TJPARAM_LOSSLESSPSV, psv)?;
        self.set(raw::TJPARAM_TJPARAM_LOSSLESSPT, pt)?;
        self.set(raw::TJPARAM_TJPARAM_PRECISION, s.precision as i32)?;
        self.set(raw::TJPARAM_TJPARAM_QUALITY, s.quality)?;
        self.set(raw::TJPARAM_TJPARAM_SUBSAMP, s.subsamp as i32)?;
        self.set(raw::TJPARAM_TJPARAM_PROGRESSIVE, s.progressive as i32)?;
        self.set(raw::TJPARAM_TJPARAM_ARITHMETIC, s.arithmetic as i32)?;
        self.set(raw::TJPARAM_TJPARAM_OPTIMIZE, s.optimize as i32)?;
        self.set(raw::TJPARAM_TJPARAM_NOREALLOC, 0)?;
        let (hd, pf) = (self.handle, s.pixel_format as libc::c_int);
        let mut size = self.len as raw::size_t;
        let src = data.as_ptr();
        // SAFETY (all arms): valid compression handle. `src` points to `data`, which holds
        // `pitch * (height - 1) + width * channels` samples of the width libjpeg-turbo reads
        // for this precision (ImageRef guarantees the length; the sample width, channel
        // count and alignment are checked above), and every sample fits the precision
        // (checked above), which libjpeg-turbo relies on when it indexes its tables.
        // `self.buf` is null or the tj3Alloc'd buffer libjpeg-turbo returned last time
        // (NOREALLOC is off, so it may free and replace it), and `size` is at most its size.
        let rc = unsafe {
            match s.precision {
                2..=8 => raw::tj3Compress8(hd, src, width, pitch, height, pf, &mut self.buf, &mut size),
                9..=12 => raw::tj3Compress12(hd, src.cast(), width, pitch, height, pf, &mut self.buf, &mut size),
                _ => raw::tj3Compress16(hd, src.cast(), width, pitch, height, pf, &mut self.buf, &mut size),
            }
        };
        if rc != 0 || self.buf.is_null() {
            self.len = 0;
            return Err(CompressFailure::Other(self.error()));
        }
        self.len = size as usize;
        Ok(())
    }
}

impl Drop for RawCompressor {
    fn drop(&mut self) {
        // SAFETY: the handle came from tj3Init and is destroyed once; the buffer is null or
        // was allocated by libjpeg-turbo (tj3Alloc family) and is freed once.
        unsafe {
            raw::tj3Free(self.buf.cast());
            raw::tj3Destroy(self.handle);
        }
    }
}

/// The first sample of `image` (row by row) above `max`, as a failure naming it.
fn first_above(image: &ImageRef<'_>, max: u32) -> Option<CompressFailure> {
    let channels = image.format().layout.channels();
    for y in 0..image.height() {
        let row = image.row(y);
        let found = if image.format().sample.size() == 1 {
            row.iter()
                .position(|&v| u32::from(v) > max)
                .map(|i| (i, u32::from(row[i])))
        } else {
            row.chunks_exact(2)
                .map(|b| u32::from(u16::from_ne_bytes([b[0], b[1]])))
                .enumerate()
                .find(|&(_, v)| v > max)
        };
        if let Some((i, value)) = found {
            return Some(CompressFailure::SampleTooLarge {
                x: (i / channels) as u32,
                y,
                channel: i % channels,
                value,
            });
        }
    }
    None
}
