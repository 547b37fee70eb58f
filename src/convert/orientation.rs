//! [`apply_orientation`], [`orient`], [`reset_orientation`]: turning stored pixels upright by
//! the EXIF orientation (tag 0x0112, TIFF tag 274), by exact pixel moves.
//!
//! The values (where the stored image's first row and first column belong when displayed):
//!
//! | value | stored image → displayed | output pixel `(x, y)` is input pixel | size |
//! |---|---|---|---|
//! | 1 | as is | `(x, y)` | W x H |
//! | 2 | mirrored left-right | `(W-1-x, y)` | W x H |
//! | 3 | rotated 180° | `(W-1-x, H-1-y)` | W x H |
//! | 4 | mirrored top-bottom | `(x, H-1-y)` | W x H |
//! | 5 | mirrored left-right, then rotated 90° counter-clockwise (transposed) | `(y, x)` | H x W |
//! | 6 | rotated 90° clockwise | `(y, H-1-x)` | H x W |
//! | 7 | mirrored left-right, then rotated 90° clockwise (transversed) | `(W-1-y, H-1-x)` | H x W |
//! | 8 | rotated 90° counter-clockwise | `(W-1-y, x)` | H x W |
//!
//! These are the moves of Pillow's `ImageOps.exif_transpose`. Samples are copied bit for bit
//! (every layout and sample type); nothing is resampled.

use crate::error::{Error, Result};
use crate::image::{Image, ImageRef};
use crate::metadata::{exif, xmp, Metadata, Resolution};

/// True when orientation `o` swaps width and height (5..=8).
pub fn swaps_axes(o: u16) -> bool {
    (5..=8).contains(&o)
}

/// The displayed size `(width, height)` of a `width` x `height` image stored with
/// orientation `o`.
pub fn oriented_size(width: u32, height: u32, o: u16) -> (u32, u32) {
    if swaps_axes(o) {
        (height, width)
    } else {
        (width, height)
    }
}

fn check(o: u16) -> Result<()> {
    if (1..=8).contains(&o) {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "orientation {o} is not an EXIF orientation (1..=8)"
        )))
    }
}

/// The pixels of `img` moved as orientation `o` (1..=8) says, so that they display upright
/// (module table); a new, tightly packed image (a copy for 1). Any other value is
/// [`Error::InvalidArgument`]. Metadata is not touched: see [`apply_orientation`].
pub fn orient(img: &ImageRef<'_>, o: u16) -> Result<Image> {
    check(o)?;
    let (w, h) = oriented_size(img.width(), img.height(), o);
    let mut out = Image::new(w, h, img.format())?;
    let n = img.format().bytes_per_pixel();
    match n {
        1 => moves::<1>(img, o, &mut out, n),
        2 => moves::<2>(img, o, &mut out, n),
        3 => moves::<3>(img, o, &mut out, n),
        4 => moves::<4>(img, o, &mut out, n),
        6 => moves::<6>(img, o, &mut out, n),
        8 => moves::<8>(img, o, &mut out, n),
        12 => moves::<12>(img, o, &mut out, n),
        16 => moves::<16>(img, o, &mut out, n),
        24 => moves::<24>(img, o, &mut out, n),
        32 => moves::<32>(img, o, &mut out, n),
        _ => moves::<0>(img, o, &mut out, n),
    }
    Ok(out)
}

/// Output tiles of the transposing moves are this many pixels square (both images' rows
/// touched by one tile stay in cache).
const TILE: usize = 32;

/// The pixel moves for pixels of `N` bytes (`N == 0`: `n` bytes, known only at run time).
fn moves<const N: usize>(img: &ImageRef<'_>, o: u16, out: &mut Image, n: usize) {
    let n = if N == 0 { n } else { N };
    let (w, h) = (img.width() as usize, img.height() as usize);
    if !swaps_axes(o) {
        let (flip_x, flip_y) = (matches!(o, 2 | 3), matches!(o, 3 | 4));
        for y in 0..h {
            let src = img.row(if flip_y { h - 1 - y } else { y } as u32);
            let dst = out.row_mut(y as u32);
            if flip_x {
                for (d, s) in dst.chunks_exact_mut(n).zip(src.chunks_exact(n).rev()) {
                    d.copy_from_slice(s);
                }
            } else {
                dst.copy_from_slice(src);
            }
        }
        return;
    }
    // Output is h x w; output (x, y) reads input column sx(y) of row sy(x).
    let (rev_col, rev_row) = (matches!(o, 7 | 8), matches!(o, 6 | 7));
    let (src, stride) = (img.as_bytes(), img.stride());
    let out_stride = out.stride();
    let dst = out.as_bytes_mut();
    for ty in (0..w).step_by(TILE) {
        for tx in (0..h).step_by(TILE) {
            for y in ty..(ty + TILE).min(w) {
                let sx = if rev_col { w - 1 - y } else { y };
                let row = &mut dst[y * out_stride..y * out_stride + h * n];
                for x in tx..(tx + TILE).min(h) {
                    let sy = if rev_row { h - 1 - x } else { x };
                    let at = sy * stride + sx * n;
                    row[x * n..x * n + n].copy_from_slice(&src[at..at + n]);
                }
            }
        }
    }
}

/// Records in `m` that its pixels were turned upright from orientation `from`: the
/// orientation becomes 1 in [`Metadata::orientation`] (when set), in the EXIF block (its
/// orientation entry's two bytes, nothing else changes; see
/// [`exif::set_orientation`]) and in the XMP packet (`tiff:Orientation`, one digit,
/// [`xmp::set_orientation`]), and for 5..=8 the resolution's x and y are swapped.
pub fn reset_orientation(m: &mut Metadata, from: u16) {
    if m.orientation.is_some() {
        m.orientation = Some(1);
    }
    if let Some(e) = m.exif.as_mut() {
        exif::set_orientation(e, 1);
    }
    if let Some(x) = m.xmp.as_mut() {
        xmp::set_orientation(x, 1);
    }
    if swaps_axes(from) {
        if let Some(r) = m.resolution {
            m.resolution = Some(Resolution::new(r.y, r.x, r.unit));
        }
    }
}

/// Turns `img` upright by the orientation `m` carries ([`exif::effective_orientation`]:
/// [`Metadata::orientation`], else the EXIF block's; none means 1) with [`orient`], and
/// [`reset_orientation`] on `m`, so that the result, encoded with `m`, displays as the source
/// did. A value outside 1..=8 is [`Error::InvalidArgument`] and leaves `m` unchanged.
pub fn apply_orientation(img: &ImageRef<'_>, m: &mut Metadata) -> Result<Image> {
    let o = exif::effective_orientation(m).unwrap_or(1);
    let out = orient(img, o)?;
    reset_orientation(m, o);
    Ok(out)
}
