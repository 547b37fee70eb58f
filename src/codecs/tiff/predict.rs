//! TIFF horizontal differencing (predictor 2) on rows of native-endian integer samples, and
//! the floating-point predictor (predictor 3) on rows of native-endian float samples.
//!
//! Decoding carries one running sum per channel in registers (the channel count is a
//! compile-time constant, so the sums never go through memory); encoding subtracts the sample
//! one pixel to the left while copying the caller's row into the strip buffer, a loop the
//! compiler vectorises. Rows whose bytes are not aligned for the sample type take a slower
//! byte-wise path with the same result.

/// An unsigned sample type the predictor works on, with wrapping arithmetic.
pub(super) trait Wrapping: bytemuck::Pod {
    /// `self + other`, wrapping.
    fn wadd(self, other: Self) -> Self;
    /// `self - other`, wrapping.
    fn wsub(self, other: Self) -> Self;
}

macro_rules! wrapping {
    ($($t:ty),*) => {$(
        impl Wrapping for $t {
            #[inline(always)]
            fn wadd(self, other: Self) -> Self {
                self.wrapping_add(other)
            }
            #[inline(always)]
            fn wsub(self, other: Self) -> Self {
                self.wrapping_sub(other)
            }
        }
    )*};
}
wrapping!(u8, u16, u32, u64);

fn read<T: Wrapping>(row: &[u8], i: usize) -> T {
    let size = std::mem::size_of::<T>();
    bytemuck::pod_read_unaligned(&row[i * size..(i + 1) * size])
}

fn write<T: Wrapping>(row: &mut [u8], i: usize, v: T) {
    let size = std::mem::size_of::<T>();
    row[i * size..(i + 1) * size].copy_from_slice(bytemuck::bytes_of(&v));
}

/// Undoes the predictor on one row of `N`-channel pixels in place (prefix sums per channel).
pub(super) fn undo<T: Wrapping, const N: usize>(row: &mut [u8]) {
    match bytemuck::try_cast_slice_mut::<u8, T>(row) {
        Ok(v) => {
            let mut acc = [T::zeroed(); N];
            let mut px = v.chunks_exact_mut(N);
            for p in &mut px {
                for c in 0..N {
                    acc[c] = acc[c].wadd(p[c]);
                    p[c] = acc[c];
                }
            }
            for (c, s) in px.into_remainder().iter_mut().enumerate() {
                *s = acc[c].wadd(*s);
            }
        }
        Err(_) => undo_any::<T>(row, N),
    }
}

/// Undoes the predictor on one row with any channel count and alignment.
pub(super) fn undo_any<T: Wrapping>(row: &mut [u8], channels: usize) {
    let n = row.len() / std::mem::size_of::<T>();
    for i in channels..n {
        let v = read::<T>(row, i).wadd(read::<T>(row, i - channels));
        write(row, i, v);
    }
}

/// Writes the predictor differences of the row `src` into `dst` (same length).
pub(super) fn apply_into<T: Wrapping>(src: &[u8], dst: &mut [u8], channels: usize) {
    match (
        bytemuck::try_cast_slice::<u8, T>(src),
        bytemuck::try_cast_slice_mut::<u8, T>(dst),
    ) {
        (Ok(s), Ok(d)) => {
            let c = channels.min(s.len());
            d[..c].copy_from_slice(&s[..c]);
            for ((d, &cur), &prev) in d[c..].iter_mut().zip(&s[c..]).zip(&s[..s.len() - c]) {
                *d = cur.wsub(prev);
            }
        }
        _ => {
            let n = src.len() / std::mem::size_of::<T>();
            let c = channels.min(n);
            let size = std::mem::size_of::<T>();
            dst[..c * size].copy_from_slice(&src[..c * size]);
            for i in c..n {
                write(dst, i, read::<T>(src, i).wsub(read::<T>(src, i - c)));
            }
        }
    }
}

/// Index, within one native-endian sample of `size` bytes, of the byte that is `b`-th from
/// the most significant.
#[inline(always)]
fn native_byte(b: usize, size: usize) -> usize {
    if cfg!(target_endian = "little") {
        size - 1 - b
    } else {
        b
    }
}

/// Undoes the floating-point predictor (TIFF predictor 3, Adobe Photoshop TIFF Technical
/// Note 3, as libtiff's `fpAcc`) on one row in place. As stored, the row holds each sample's
/// bytes split into planes (all most significant bytes first, then the next, ...), whatever
/// the file's byte order, with horizontal byte differencing across the row (distance
/// `channels` bytes). Afterwards the row holds native-endian samples. `tmp` is scratch.
pub(super) fn float_undo(row: &mut [u8], channels: usize, size: usize, tmp: &mut Vec<u8>) {
    let n = row.len();
    for i in channels..n {
        row[i] = row[i].wrapping_add(row[i - channels]);
    }
    tmp.clear();
    tmp.extend_from_slice(row);
    let count = n / size;
    for b in 0..size {
        let plane = &tmp[b * count..(b + 1) * count];
        let at = native_byte(b, size);
        for (sample, &v) in row.chunks_exact_mut(size).zip(plane) {
            sample[at] = v;
        }
    }
}

/// Writes the floating-point predictor coding (TIFF predictor 3; see [`float_undo`]) of the
/// row `src` of native-endian float samples into `dst` (same length). One pass: each byte of
/// the coded row is its plane byte minus the plane byte `channels` places before it in the
/// whole planar row (the first bytes of a plane subtract the end of the previous plane).
pub(super) fn float_apply_into(src: &[u8], dst: &mut [u8], channels: usize, size: usize) {
    let count = src.len() / size;
    let ch = channels.min(count);
    for b in 0..size {
        let at = native_byte(b, size);
        let plane = &mut dst[b * count..(b + 1) * count];
        for (k, d) in plane[..ch].iter_mut().enumerate() {
            let prev = if b == 0 {
                0
            } else {
                src[(count - ch + k) * size + native_byte(b - 1, size)]
            };
            *d = src[k * size + at].wrapping_sub(prev);
        }
        let cur = src[ch * size..].chunks_exact(size);
        let prev = src.chunks_exact(size);
        for ((d, c), p) in plane[ch..].iter_mut().zip(cur).zip(prev) {
            *d = c[at].wrapping_sub(p[at]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_predictor_matches_libtiff_layout_and_undoes() {
        // Two Gray F16 samples 1.0 (0x3c00) and -2.0 (0xc000): planes [3c, c0] [00, 00], then
        // byte differences along the whole row, across the plane boundary as libtiff does:
        // [3c, c0-3c=84, 00-c0=40, 00-00=00].
        let src: Vec<u8> = [0x3c00u16, 0xc000].iter().flat_map(|v| v.to_ne_bytes()).collect();
        let mut dst = vec![0u8; 4];
        float_apply_into(&src, &mut dst, 1, 2);
        assert_eq!(dst, [0x3c, 0x84, 0x40, 0x00]);
        let mut tmp = Vec::new();
        float_undo(&mut dst, 1, 2, &mut tmp);
        assert_eq!(dst, src);
        // Every channel count and float size round-trips.
        let mut state = 3u32;
        let bytes: Vec<u8> = (0..8 * 4 * 13)
            .map(|_| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (state >> 24) as u8
            })
            .collect();
        for size in [2, 4, 8] {
            for ch in 1..=4 {
                let row = &bytes[..size * ch * 13];
                let mut coded = vec![0u8; row.len()];
                float_apply_into(row, &mut coded, ch, size);
                float_undo(&mut coded, ch, size, &mut tmp);
                assert_eq!(coded, row, "size {size} ch {ch}");
            }
        }
    }

    /// The obvious per-sample loops, which the fast paths must match.
    fn reference_apply(row: &[u16], ch: usize) -> Vec<u16> {
        (0..row.len())
            .map(|i| {
                if i < ch {
                    row[i]
                } else {
                    row[i].wrapping_sub(row[i - ch])
                }
            })
            .collect()
    }

    #[test]
    fn fast_paths_match_the_reference_for_every_channel_count_and_alignment() {
        let mut state = 7u32;
        let samples: Vec<u16> = (0..4 * 37)
            .map(|_| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (state >> 16) as u16
            })
            .collect();
        for ch in 1..=4usize {
            let row = &samples[..ch * 37];
            let expect = reference_apply(row, ch);
            let bytes: Vec<u8> = bytemuck::cast_slice(row).to_vec();
            // Aligned and deliberately misaligned buffers.
            for shift in [0usize, 1] {
                let mut src = vec![0u8; bytes.len() + 1];
                src[shift..shift + bytes.len()].copy_from_slice(&bytes);
                let src = &src[shift..shift + bytes.len()];
                let mut store = vec![0u8; bytes.len() + 1];
                let dst = &mut store[shift..shift + bytes.len()];
                apply_into::<u16>(src, dst, ch);
                let got: Vec<u16> = dst.chunks(2).map(|b| u16::from_ne_bytes([b[0], b[1]])).collect();
                assert_eq!(got, expect, "apply ch {ch} shift {shift}");
                match ch {
                    1 => undo::<u16, 1>(dst),
                    2 => undo::<u16, 2>(dst),
                    3 => undo::<u16, 3>(dst),
                    _ => undo::<u16, 4>(dst),
                }
                assert_eq!(dst, &bytes[..], "undo ch {ch} shift {shift}");
            }
        }
    }
}
