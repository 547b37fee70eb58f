//! Animations (GIF, animated WebP): every frame a page, the composited canvas a viewer
//! shows after that frame, pulled in order from the crate's frame iterator. Each page's
//! metadata carries its frame's timing ([`Metadata::frame`](crate::Metadata::frame)), the
//! first page's the loop count, as the block walkers of [`scan`] read them.

use std::io::{Seek, SeekFrom};

use image::{AnimationDecoder, ImageDecoder};

use super::bridge::{crate_limits, map_err, metadata, pixel_format};
use super::still::StillDecoder;
use super::{scan, FormatRow, Open, Opened};
use crate::codec::Decoder;
use crate::error::{Error, Result};
use crate::format::{Layout, PixelFormat};
use crate::image::ImageMut;
use crate::info::ImageInfo;
use crate::limits::Limits;
use crate::metadata::FrameTiming;
use crate::sample::SampleType;

/// Pages of an animation: composited canvases from the crate's frame iterator.
struct AnimDecoder<'a> {
    frames: image::Frames<'a>,
    info: ImageInfo,
    page: u32,
    pulled: u32,
    current: Option<image::RgbaImage>,
    /// Every frame's timing, in page order.
    timings: Vec<FrameTiming>,
}

/// What the block walk found about the animation: each frame's timing and the loop count.
struct Timing {
    timings: Vec<FrameTiming>,
    loop_count: Option<u32>,
}

/// Opens a GIF: full logical screen, Rgba U8, one page per frame.
pub(super) fn open_gif(mut o: Open<'_>) -> Opened<'_> {
    let facts = scan::gif_facts(&mut o.input, o.row.name, &o.limits)?;
    o.input.seek(SeekFrom::Start(0))?;
    let d = image::codecs::gif::GifDecoder::new(o.input);
    let timing = Timing {
        timings: facts.timings,
        loop_count: facts.loop_count,
    };
    open_frames(o.row, d, &o.limits, Some(RGBA8), timing, false)
}

/// Opens a WebP: an animation when its RIFF chunks hold animation frames (ANMF, even a single
/// one, whose delay and loop count are kept), otherwise a still image; `lossy_source` set
/// when any bitstream is VP8.
pub(super) fn open_webp(mut o: Open<'_>) -> Opened<'_> {
    let facts = scan::webp_facts(&mut o.input, o.row.name, &o.limits)?;
    if facts.timings.is_empty() {
        return StillDecoder::open(o, facts.lossy, None);
    }
    o.input.seek(SeekFrom::Start(0))?;
    let d = image::codecs::webp::WebPDecoder::new(o.input);
    let timing = Timing {
        timings: facts.timings,
        loop_count: facts.loop_count,
    };
    open_frames(o.row, d, &o.limits, None, timing, facts.lossy)
}

/// The frames are composited into Rgba U8 canvases, whatever the page format.
const RGBA8: PixelFormat = PixelFormat::new(Layout::Rgba, SampleType::U8);

/// An animation over a crate decoder: `format` is the page format (`None`: the crate's own
/// colour type), `timing` what [`scan`] found (one timing per frame: the page count).
fn open_frames<'a, D: ImageDecoder + AnimationDecoder<'a>>(
    row: &'static FormatRow,
    d: image::ImageResult<D>,
    limits: &Limits,
    format: Option<PixelFormat>,
    timing: Timing,
    lossy: bool,
) -> Opened<'a> {
    let name = row.name;
    let mut d = d.map_err(|e| map_err(name, e))?;
    let (w, h) = d.dimensions();
    let pf = match format {
        Some(pf) => pf,
        None => pixel_format(name, d.color_type())?,
    };
    limits.check_image(w, h, RGBA8)?;
    d.set_limits(crate_limits(limits)).map_err(|e| map_err(name, e))?;
    let mut info = ImageInfo::new(w, h, pf, name, row.format_name);
    info.pages = timing.timings.len() as u32;
    info.lossy_source = lossy;
    info.metadata = metadata(&mut d);
    info.metadata.frame = timing.timings.first().copied();
    info.metadata.loop_count = timing.loop_count;
    Ok(Box::new(AnimDecoder::new(d.into_frames(), info, timing.timings)))
}

impl<'a> AnimDecoder<'a> {
    fn new(frames: image::Frames<'a>, info: ImageInfo, timings: Vec<FrameTiming>) -> Self {
        AnimDecoder {
            frames,
            info,
            page: 0,
            pulled: 0,
            current: None,
            timings,
        }
    }

    fn pull(&mut self) -> Result<()> {
        let name = self.info.codec.clone();
        while self.pulled <= self.page {
            let frame = self
                .frames
                .next()
                .ok_or_else(|| {
                    Error::decode(
                        &name,
                        format!(
                            "the file announced {} frames but the decoder found only {}",
                            self.info.pages, self.pulled
                        ),
                    )
                })?
                .map_err(|e| map_err(&name, e))?;
            self.pulled += 1;
            self.current = Some(frame.into_buffer());
        }
        Ok(())
    }
}

impl Decoder for AnimDecoder<'_> {
    fn info(&self) -> &ImageInfo {
        &self.info
    }

    fn decode_into(&mut self, mut out: ImageMut<'_>) -> Result<()> {
        out.expect_shape(self.info.width, self.info.height, self.info.format)?;
        self.pull()?;
        let name = &self.info.codec;
        let frame = self.current.as_ref().ok_or_else(|| Error::decode(name, "no frame"))?;
        if frame.dimensions() != (self.info.width, self.info.height) {
            return Err(Error::decode(name, "a frame does not match the canvas size"));
        }
        let src: &[u8] = frame.as_raw();
        let rb = self.info.width as usize * 4;
        for y in 0..self.info.height {
            let s = &src[y as usize * rb..(y as usize + 1) * rb];
            let row = out.row_mut(y);
            if self.info.format.layout == Layout::Rgba {
                row.copy_from_slice(s);
            } else {
                // Animated WebP without alpha: the crate added an opaque alpha; drop it again.
                for (d, p) in row.chunks_exact_mut(3).zip(s.chunks_exact(4)) {
                    d.copy_from_slice(&p[..3]);
                }
            }
        }
        Ok(())
    }

    fn next_page(&mut self) -> Result<bool> {
        if self.page + 1 >= self.info.pages {
            return Ok(false);
        }
        self.page += 1;
        // The loop count belongs to the first page; each page has its frame's timing.
        self.info.metadata.loop_count = None;
        self.info.metadata.frame = self.timings.get(self.page as usize).copied();
        Ok(true)
    }
}
