//! Single-image decoding: BMP, PNM, QOI, still WebP and JPEG through the crate decoder of
//! their table row, plus what the crate would change silently kept out (PNM maxval
//! rescaling, CMYK and non-8-bit JPEG, truncated JPEG).

use std::io::{Read, Seek, SeekFrom};

use super::bridge::{crate_limits, map_err, metadata, pixel_format, Input};
use super::{scan, FormatRow, Open, Opened};
use crate::codec::Decoder;
use crate::error::{Error, Result};
use crate::image::ImageMut;
use crate::info::ImageInfo;
use crate::limits::Limits;
use crate::sample::SampleType;

/// How a PNM raster is read when the crate would rescale it.
#[derive(Debug, Clone, Copy)]
pub(super) struct RawPnm {
    ascii: bool,
    maxval: u32,
}

/// A single-image decoder: the crate decoder is re-opened over the input for every
/// decode, so `decode_into` may be called more than once.
pub(super) struct StillDecoder<'a> {
    row: &'static FormatRow,
    input: Input<'a>,
    info: ImageInfo,
    limits: Limits,
    raw_pnm: Option<RawPnm>,
}

/// Opens a still image of a format that needs no checks of its own (BMP, QOI).
pub(super) fn open(o: Open<'_>) -> Opened<'_> {
    StillDecoder::open(o, false, None)
}

/// Opens a PNM file; a maxval other than 255/65535 is read raw, values as stored.
pub(super) fn open_pnm(mut o: Open<'_>) -> Opened<'_> {
    let raw = pnm_raw_mode(&mut o.input, o.row.name)?;
    StillDecoder::open(o, false, raw)
}

/// Opens a JPEG after checking its frame header: 1 or 3 components, 8-bit samples, an
/// end-of-image marker (zune-jpeg silently fills in what a truncated file lacks).
pub(super) fn open_jpeg(mut o: Open<'_>) -> Opened<'_> {
    let name = o.row.name;
    let frame = match &o.input {
        Input::Slice(c) => scan::jpeg_frame(c.get_ref(), name)?,
        Input::Owned(c) => scan::jpeg_frame(c.get_ref(), name)?,
        Input::Stream(_) => {
            let mut v = Vec::new();
            o.input.read_to_end(&mut v)?;
            scan::jpeg_frame(&v, name)?
        }
    };
    if frame.components == 4 {
        return Err(Error::Unsupported(
            "jpeg-image-rs: this JPEG has 4 components (CMYK or YCCK); the image crate would convert it \
             to RGB silently, which pixcodec does not do. Decode it with jpeg-turbo, which returns Cmyk U8"
                .into(),
        ));
    }
    if frame.components != 1 && frame.components != 3 {
        return Err(Error::Unsupported(format!(
            "jpeg-image-rs: JPEGs with {} components are not supported (1 or 3)",
            frame.components
        )));
    }
    if !frame.complete {
        return Err(Error::decode(
            name,
            "truncated file: no end-of-image marker after the scan data",
        ));
    }
    if frame.precision != 8 {
        return Err(Error::Unsupported(format!(
            "jpeg-image-rs: {}-bit JPEG samples are not supported (8-bit only); use jpeg-turbo",
            frame.precision
        )));
    }
    let lossless = matches!(frame.marker, 0xC3 | 0xC7 | 0xCB | 0xCF);
    StillDecoder::open(o, !lossless, None)
}

impl<'a> StillDecoder<'a> {
    /// Reads the header with the row's crate decoder; `lossy` is what the caller found out
    /// about the source, `raw_pnm` how a PNM raster is read.
    pub(super) fn open(o: Open<'a>, lossy: bool, raw_pnm: Option<RawPnm>) -> Opened<'a> {
        let Open { row, mut input, limits } = o;
        let name = row.name;
        input.seek(SeekFrom::Start(0))?;
        let mut d = (row.crate_decoder)(&mut input).map_err(|e| map_err(name, e))?;
        let (w, h) = d.dimensions();
        let mut pf = pixel_format(name, d.color_type())?;
        if let Some(raw) = raw_pnm {
            pf.sample = if raw.maxval > 255 {
                SampleType::U16
            } else {
                SampleType::U8
            };
        }
        limits.check_image(w, h, pf)?;
        d.set_limits(crate_limits(&limits)).map_err(|e| map_err(name, e))?;
        let mut info = ImageInfo::new(w, h, pf, name, row.format_name);
        info.lossy_source = lossy;
        info.metadata = metadata(d.as_mut());
        drop(d);
        Ok(Box::new(StillDecoder {
            row,
            input,
            info,
            limits,
            raw_pnm,
        }))
    }
}

/// Reads the PNM header with the crate and says whether the raster must be read raw
/// (maxval other than 255/65535, where the crate would rescale). Leaves `input` at 0.
fn pnm_raw_mode(input: &mut Input<'_>, name: &str) -> Result<Option<RawPnm>> {
    use image::codecs::pnm::{ArbitraryTuplType, PnmDecoder, PnmSubtype, SampleEncoding};
    input.seek(SeekFrom::Start(0))?;
    let d = PnmDecoder::new(&mut *input).map_err(|e| map_err(name, e))?;
    let header = d.header();
    let bits = match header.subtype() {
        PnmSubtype::Bitmap(_) => true,
        PnmSubtype::ArbitraryMap => matches!(
            header.as_arbitrary().and_then(|a| a.tupltype.clone()),
            Some(ArbitraryTuplType::BlackAndWhite | ArbitraryTuplType::BlackAndWhiteAlpha)
        ),
        _ => false,
    };
    let maxval = header.maximal_sample();
    let ascii = header.subtype().sample_encoding() == SampleEncoding::Ascii;
    drop(d);
    input.seek(SeekFrom::Start(0))?;
    Ok((!bits && maxval != 255 && maxval != 65535).then_some(RawPnm { ascii, maxval }))
}

impl Decoder for StillDecoder<'_> {
    fn info(&self) -> &ImageInfo {
        &self.info
    }

    fn decode_into(&mut self, mut out: ImageMut<'_>) -> Result<()> {
        let info = &self.info;
        out.expect_shape(info.width, info.height, info.format)?;
        let name = self.row.name;
        let packed = info.packed_len();
        self.input.seek(SeekFrom::Start(0))?;
        // Straight into the caller's memory when rows are packed (samples come native-endian).
        let mut temp = Vec::new();
        let buf: &mut [u8] = if out.is_contiguous() {
            out.as_bytes_mut()
        } else {
            self.limits.check_alloc(packed as u64)?;
            temp.try_reserve_exact(packed)
                .map_err(|_| Error::Limits(format!("cannot allocate {packed} bytes")))?;
            temp.resize(packed, 0);
            &mut temp
        };
        if let Some(raw) = self.raw_pnm {
            let d = image::codecs::pnm::PnmDecoder::new(&mut self.input).map_err(|e| map_err(name, e))?;
            let (reader, _) = d.into_inner();
            scan::pnm_raw_samples(reader, raw.ascii, raw.maxval, buf, name)?;
        } else {
            let mut d = (self.row.crate_decoder)(&mut self.input).map_err(|e| map_err(name, e))?;
            d.set_limits(crate_limits(&self.limits)).map_err(|e| map_err(name, e))?;
            let got = (pixel_format(name, d.color_type())?, d.dimensions(), d.total_bytes());
            if got != (info.format, (info.width, info.height), packed as u64) {
                return Err(Error::decode(name, "the input changed between header and decode"));
            }
            d.read_image_boxed(buf).map_err(|e| map_err(name, e))?;
        }
        if !temp.is_empty() {
            out.copy_from_packed(&temp)?;
        }
        Ok(())
    }
}
