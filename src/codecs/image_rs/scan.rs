//! Small header walkers that answer what the `image` crate does not tell us (or hides):
//! the number of frames in a GIF, whether a WebP is VP8 (lossy) and how many frames it has,
//! the component count and precision of a JPEG frame header.

use std::io::{Read, Seek, SeekFrom};

use crate::error::{Error, Result};
use crate::limits::Limits;
use crate::metadata::{Disposal, FrameTiming};

fn read_u8(r: &mut impl Read, codec: &str, what: &str) -> Result<u8> {
    let mut b = [0u8; 1];
    read_exact(r, &mut b, codec, what)?;
    Ok(b[0])
}

fn read_exact(r: &mut impl Read, buf: &mut [u8], codec: &str, what: &str) -> Result<()> {
    r.read_exact(buf).map_err(|e| {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            Error::decode(codec, format!("truncated file: data ends inside {what}"))
        } else {
            Error::Io(e)
        }
    })
}

/// What the block structure of a GIF says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct GifFacts {
    /// Each frame's delay and disposal, from the Graphic Control Extension before its image
    /// descriptor (none: 0 ms, kept); one entry per frame.
    pub timings: Vec<FrameTiming>,
    /// The NETSCAPE2.0 (or ANIMEXTS1.0) loop count as pixcodec counts it, total plays with 0
    /// for forever; `None` without that extension.
    pub loop_count: Option<u32>,
}

/// A GIF disposal method (bits 2..4 of the Graphic Control Extension): 2 restores the
/// background, 3 the previous canvas; 0 (unspecified), 1 (keep) and the reserved 4..7 leave
/// the frame in place, as decoders do.
fn gif_disposal(packed: u8) -> Disposal {
    match (packed >> 2) & 7 {
        2 => Disposal::Background,
        3 => Disposal::Previous,
        _ => Disposal::Keep,
    }
}

/// Walks the GIF block structure (without decoding any pixels) and returns the timing of
/// every frame (image descriptor) and the loop count. Stops with [`Error::Limits`] once more than
/// `limits.max_pages` frames were seen. A file that ends before its trailer byte (`0x3B`),
/// inside a block or between blocks, is a truncated file and an error.
pub(super) fn gif_facts(r: &mut (impl Read + Seek), codec: &str, limits: &Limits) -> Result<GifFacts> {
    r.seek(SeekFrom::Start(0))?;
    let mut head = [0u8; 13];
    read_exact(r, &mut head, codec, "the GIF header")?;
    if &head[..6] != b"GIF87a" && &head[..6] != b"GIF89a" {
        return Err(Error::decode(codec, "not a GIF file (no GIF87a/GIF89a signature)"));
    }
    let mut buf = [0u8; 256 * 3];
    if head[10] & 0x80 != 0 {
        let n = 3usize << ((head[10] & 7) + 1);
        read_exact(r, &mut buf[..n], codec, "the global colour table")?;
    }
    let mut frames: u32 = 0;
    let mut timings = Vec::new();
    let mut loop_count = None;
    // The Graphic Control Extension seen since the last image, for the next one.
    let mut pending = FrameTiming::default();
    loop {
        let mut intro = [0u8; 1];
        match r.read(&mut intro)? {
            0 => {
                return Err(Error::decode(
                    codec,
                    format!("truncated GIF: the file ends after frame {frames} without its trailer byte"),
                ))
            }
            _ => match intro[0] {
                0x3B => break,
                0x21 => {
                    let label = read_u8(r, codec, "an extension label")?;
                    let what = "an extension block";
                    let n = read_u8(r, codec, what)? as usize;
                    if n == 0 {
                        continue;
                    }
                    read_exact(r, &mut buf[..n], codec, what)?;
                    if label == 0xF9 && n >= 4 {
                        // Graphic Control Extension: packed fields, delay in 1/100 s (LE).
                        pending = FrameTiming {
                            delay_ms: u16::from_le_bytes([buf[1], buf[2]]) as u32 * 10,
                            disposal: gif_disposal(buf[0]),
                        };
                    } else if label == 0xFF && n == 11 && (&buf[..11] == b"NETSCAPE2.0" || &buf[..11] == b"ANIMEXTS1.0")
                    {
                        // Looping: sub-block 1, then the number of repeats (LE), 0 = forever.
                        let n = read_u8(r, codec, what)? as usize;
                        if n == 0 {
                            continue;
                        }
                        read_exact(r, &mut buf[..n], codec, what)?;
                        if n >= 3 && buf[0] == 1 {
                            let repeats = u16::from_le_bytes([buf[1], buf[2]]) as u32;
                            loop_count = Some(if repeats == 0 { 0 } else { repeats + 1 });
                        }
                    }
                    skip_sub_blocks(r, &mut buf, codec, what)?;
                }
                0x2C => {
                    let what = format!("frame {}", frames + 1);
                    let mut desc = [0u8; 9];
                    read_exact(r, &mut desc, codec, &what)?;
                    if desc[8] & 0x80 != 0 {
                        let n = 3usize << ((desc[8] & 7) + 1);
                        read_exact(r, &mut buf[..n], codec, &what)?;
                    }
                    read_u8(r, codec, &what)?;
                    skip_sub_blocks(r, &mut buf, codec, &what)?;
                    timings.push(std::mem::take(&mut pending));
                    frames += 1;
                    limits.check_pages(frames as u64)?;
                }
                b => {
                    return Err(Error::decode(
                        codec,
                        format!("corrupt GIF: unknown block type 0x{b:02x} after frame {frames}"),
                    ))
                }
            },
        }
    }
    if frames == 0 {
        return Err(Error::decode(codec, "GIF file holds no image"));
    }
    Ok(GifFacts { timings, loop_count })
}

fn skip_sub_blocks(r: &mut impl Read, buf: &mut [u8], codec: &str, what: &str) -> Result<()> {
    loop {
        let n = read_u8(r, codec, what)? as usize;
        if n == 0 {
            return Ok(());
        }
        read_exact(r, &mut buf[..n], codec, what)?;
    }
}

/// What the RIFF container of a WebP file says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct WebpFacts {
    /// True when any image bitstream is VP8 (lossy); false when all are VP8L.
    pub lossy: bool,
    /// Each ANMF frame's duration and dispose flag, one per frame (empty for still images).
    pub timings: Vec<FrameTiming>,
    /// The ANIM chunk's loop count (total plays, 0 = forever, as pixcodec counts it).
    pub loop_count: Option<u32>,
}

/// Walks the RIFF chunks of a WebP file: `VP8 ` (lossy), `VP8L` (lossless), `VP8X` with
/// `ANMF` frames whose sub-chunks hold the bitstreams.
pub(super) fn webp_facts(r: &mut (impl Read + Seek), codec: &str, limits: &Limits) -> Result<WebpFacts> {
    let len = r.seek(SeekFrom::End(0))?;
    r.seek(SeekFrom::Start(0))?;
    let mut head = [0u8; 12];
    read_exact(r, &mut head, codec, "the RIFF header")?;
    if &head[..4] != b"RIFF" || &head[8..12] != b"WEBP" {
        return Err(Error::decode(codec, "not a WebP file (no RIFF/WEBP header)"));
    }
    let riff_end = u32::from_le_bytes([head[4], head[5], head[6], head[7]]) as u64 + 8;
    if len < riff_end {
        return Err(Error::decode(
            codec,
            format!("truncated WebP: the RIFF header announces {riff_end} bytes, the file has {len}"),
        ));
    }
    let (mut lossy, mut frames, mut still) = (false, 0u32, false);
    let mut timings = Vec::new();
    let mut loop_count = None;
    let mut pos = 12u64;
    while pos + 8 <= riff_end {
        r.seek(SeekFrom::Start(pos))?;
        let mut ch = [0u8; 8];
        read_exact(r, &mut ch, codec, "a RIFF chunk header")?;
        let size = u32::from_le_bytes([ch[4], ch[5], ch[6], ch[7]]) as u64;
        let body = pos + 8;
        if body + size > len {
            return Err(Error::decode(
                codec,
                format!(
                    "truncated file: chunk '{}' needs {size} bytes, {} remain",
                    String::from_utf8_lossy(&ch[..4]),
                    len - body
                ),
            ));
        }
        match &ch[..4] {
            b"VP8 " => {
                lossy = true;
                still = true;
            }
            b"VP8L" => still = true,
            b"ANIM" if size >= 6 => {
                let mut anim = [0u8; 6];
                read_exact(r, &mut anim, codec, "the ANIM chunk")?;
                loop_count = Some(u16::from_le_bytes([anim[4], anim[5]]) as u32);
            }
            b"ANMF" => {
                frames += 1;
                limits.check_pages(frames as u64)?;
                if size < 16 {
                    return Err(Error::decode(
                        codec,
                        format!("corrupt WebP: frame {frames} is shorter than its 16-byte header"),
                    ));
                }
                // X, Y, width - 1, height - 1, duration (24-bit LE ms), flags (bit 0: dispose).
                let mut head = [0u8; 16];
                read_exact(r, &mut head, codec, "an animation frame")?;
                timings.push(FrameTiming {
                    delay_ms: u32::from_le_bytes([head[12], head[13], head[14], 0]),
                    disposal: if head[15] & 1 != 0 {
                        Disposal::Background
                    } else {
                        Disposal::Keep
                    },
                });
                // Frame header: 16 bytes, then sub-chunks (ALPH, VP8 , VP8L, unknown).
                let mut sub = body + 16;
                while sub + 8 <= body + size {
                    r.seek(SeekFrom::Start(sub))?;
                    read_exact(r, &mut ch, codec, "an animation frame")?;
                    if &ch[..4] == b"VP8 " {
                        lossy = true;
                    }
                    let s = u32::from_le_bytes([ch[4], ch[5], ch[6], ch[7]]) as u64;
                    sub += 8 + s + (s & 1);
                }
            }
            _ => {}
        }
        pos = body + size + (size & 1);
    }
    if frames == 0 && !still {
        return Err(Error::decode(codec, "WebP file holds no VP8, VP8L or ANMF image chunk"));
    }
    Ok(WebpFacts {
        lossy,
        timings,
        loop_count,
    })
}

/// The frame header (SOFn) of a JPEG: marker, sample precision and component count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct JpegFrame {
    /// The SOF marker byte (0xC0 baseline, 0xC2 progressive, 0xC3 lossless, …).
    pub marker: u8,
    /// Bits per sample (8 or 12; 2..16 for lossless).
    pub precision: u8,
    /// Number of components (1 gray, 3 YCbCr/RGB, 4 CMYK/YCCK).
    pub components: u8,
    /// True when a scan (SOS) is followed somewhere by the end-of-image marker (EOI).
    pub complete: bool,
}

/// Walks JPEG markers to the first SOFn and the first scan, and checks that the
/// end-of-image marker follows (zune-jpeg silently fills in missing data of a truncated file).
pub(super) fn jpeg_frame(data: &[u8], codec: &str) -> Result<JpegFrame> {
    let mut frame: Option<JpegFrame> = None;
    let truncated = || Error::decode(codec, "truncated file: data ends before the JPEG frame header (SOF)");
    if data.len() < 4 || data[0] != 0xFF || data[1] != 0xD8 {
        return Err(Error::decode(codec, "not a JPEG file (no SOI marker)"));
    }
    let mut i = 2usize;
    loop {
        // Find the next marker (skip fill bytes).
        while i < data.len() && data[i] != 0xFF {
            i += 1;
        }
        while i < data.len() && data[i] == 0xFF {
            i += 1;
        }
        let marker = *data.get(i).ok_or_else(truncated)?;
        i += 1;
        match marker {
            0xD0..=0xD7 | 0x01 | 0x00 => continue,
            0xD9 => return Err(Error::decode(codec, "corrupt JPEG: end of image before any scan")),
            _ => {}
        }
        let len = data.get(i..i + 2).ok_or_else(truncated)?;
        let len = u16::from_be_bytes([len[0], len[1]]) as usize;
        if len < 2 {
            return Err(Error::decode(codec, format!("corrupt JPEG: segment length {len}")));
        }
        if marker == 0xDA {
            let mut f =
                frame.ok_or_else(|| Error::decode(codec, "corrupt JPEG: scan data before any frame header (SOF)"))?;
            let rest = data.get(i + len..).unwrap_or(&[]);
            f.complete = rest.windows(2).any(|w| w == [0xFF, 0xD9]);
            return Ok(f);
        }
        if frame.is_none() && matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            let sof = data.get(i + 2..i + 8).ok_or_else(truncated)?;
            frame = Some(JpegFrame {
                marker,
                precision: sof[0],
                components: sof[5],
                complete: false,
            });
        }
        i += len;
    }
}

/// Reads raw PNM raster samples (binary or ASCII) without any rescaling: `count` samples
/// of one byte (`maxval < 256`) or two big-endian bytes, written native-endian to `out`.
pub(super) fn pnm_raw_samples(r: &mut impl Read, ascii: bool, maxval: u32, out: &mut [u8], codec: &str) -> Result<()> {
    let wide = maxval > 255;
    if ascii {
        let mut byte = [0u8; 1];
        let samples = if wide { out.len() / 2 } else { out.len() };
        for k in 0..samples {
            let mut v: u32 = 0;
            let mut digits = 0;
            loop {
                if r.read(&mut byte)? == 0 {
                    if digits > 0 {
                        break;
                    }
                    return Err(Error::decode(
                        codec,
                        format!("truncated file: raster ends after {k} of {samples} samples"),
                    ));
                }
                match byte[0] {
                    b'0'..=b'9' => {
                        v = v.saturating_mul(10).saturating_add((byte[0] - b'0') as u32);
                        digits += 1;
                    }
                    b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c if digits == 0 => {}
                    b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => break,
                    c => {
                        return Err(Error::decode(
                            codec,
                            format!("corrupt PNM: byte 0x{c:02x} in the raster"),
                        ))
                    }
                }
            }
            check_sample(v, maxval, codec)?;
            if wide {
                out[2 * k..2 * k + 2].copy_from_slice(&(v as u16).to_ne_bytes());
            } else {
                out[k] = v as u8;
            }
        }
    } else {
        read_exact(r, out, codec, "the raster")?;
        if wide {
            for c in out.chunks_exact_mut(2) {
                let v = u16::from_be_bytes([c[0], c[1]]);
                check_sample(v as u32, maxval, codec)?;
                c.copy_from_slice(&v.to_ne_bytes());
            }
        } else {
            for &v in out.iter() {
                check_sample(v as u32, maxval, codec)?;
            }
        }
    }
    Ok(())
}

fn check_sample(v: u32, maxval: u32, codec: &str) -> Result<()> {
    if v > maxval {
        return Err(Error::decode(
            codec,
            format!("corrupt PNM: sample value {v} exceeds the header's maxval {maxval}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn jpeg_sof_is_found_after_app_segments() {
        let mut data = vec![
            0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x11, 0x22, 0xFF, 0xC2, 0x00, 0x08, 8, 0, 2, 0, 3, 4,
        ];
        data.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x02, 0x12, 0xFF, 0x00, 0x34]);
        let f = jpeg_frame(&data, "t").unwrap();
        assert_eq!((f.marker, f.precision, f.components, f.complete), (0xC2, 8, 4, false));
        data.extend_from_slice(&[0xFF, 0xD9]);
        assert!(jpeg_frame(&data, "t").unwrap().complete);
        assert!(jpeg_frame(&data[..10], "t").is_err());
    }

    #[test]
    fn pnm_raw_ascii_and_binary_keep_values() {
        let mut out = [0u8; 6];
        pnm_raw_samples(&mut Cursor::new(b"1 1023\n0"), true, 1023, &mut out, "t").unwrap();
        let v: Vec<u16> = out.chunks(2).map(|c| u16::from_ne_bytes([c[0], c[1]])).collect();
        assert_eq!(v, [1, 1023, 0]);
        let mut out = [0u8; 2];
        pnm_raw_samples(&mut Cursor::new([3u8, 15]), false, 15, &mut out, "t").unwrap();
        assert_eq!(out, [3, 15]);
        assert!(pnm_raw_samples(&mut Cursor::new([16u8, 1]), false, 15, &mut out, "t").is_err());
    }
}
