//! PNG row filters (PNG specification, section 9): the five filter types and the adaptive
//! choice between them.

/// Fills the candidate buffers needed by `filter` for `row` and returns the index of the one
/// to write (0 none, 1 sub, 2 up, 3 average, 4 Paeth). `prev` is empty on the first row.
/// Adaptive picks the smallest sum of absolute values (bytes as signed), as libpng does.
pub(super) fn filter_row(filter: png::Filter, row: &[u8], prev: &[u8], bpp: usize, cand: &mut [Vec<u8>; 5]) -> usize {
    let which: &[usize] = match filter {
        png::Filter::NoFilter => &[0],
        png::Filter::Sub => &[1],
        png::Filter::Up => &[2],
        png::Filter::Avg => &[3],
        png::Filter::Paeth => &[4],
        _ => &[0, 1, 2, 3, 4],
    };
    let mut best = (u64::MAX, 0);
    for &f in which {
        let dst = &mut cand[f];
        dst[0] = f as u8;
        let d = &mut dst[1..];
        apply_filter(f, row, prev, bpp, d);
        if which.len() > 1 {
            let score: u64 = d.iter().map(|&b| u64::from((b as i8).unsigned_abs())).sum();
            if score < best.0 {
                best = (score, f);
            }
        } else {
            best = (0, f);
        }
    }
    best.1
}

/// Writes filter `f` of `row` into `d` (same length); an empty `prev` is the all-zero row.
fn apply_filter(f: usize, row: &[u8], prev: &[u8], bpp: usize, d: &mut [u8]) {
    let n = row.len();
    let bpp = bpp.min(n);
    match (f, prev.is_empty()) {
        (0, _) | (2, true) => d.copy_from_slice(row),
        (1, _) | (4, true) => {
            // Paeth with a zero row above is Sub.
            d[..bpp].copy_from_slice(&row[..bpp]);
            for i in bpp..n {
                d[i] = row[i].wrapping_sub(row[i - bpp]);
            }
        }
        (2, false) => {
            for ((o, &a), &b) in d.iter_mut().zip(row).zip(prev) {
                *o = a.wrapping_sub(b);
            }
        }
        (3, true) => {
            d[..bpp].copy_from_slice(&row[..bpp]);
            for i in bpp..n {
                d[i] = row[i].wrapping_sub(row[i - bpp] >> 1);
            }
        }
        (3, false) => {
            for i in 0..bpp {
                d[i] = row[i].wrapping_sub(prev[i] >> 1);
            }
            for i in bpp..n {
                let avg = ((u16::from(row[i - bpp]) + u16::from(prev[i])) >> 1) as u8;
                d[i] = row[i].wrapping_sub(avg);
            }
        }
        _ => {
            for i in 0..bpp {
                d[i] = row[i].wrapping_sub(prev[i]);
            }
            for i in bpp..n {
                d[i] = row[i].wrapping_sub(paeth(row[i - bpp], prev[i], prev[i - bpp]));
            }
        }
    }
}

/// The Paeth predictor (PNG specification, section 9.4).
#[inline(always)]
fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let (ia, ib, ic) = (i16::from(a), i16::from(b), i16::from(c));
    let p = ia + ib - ic;
    let (pa, pb, pc) = ((p - ia).abs(), (p - ib).abs(), (p - ic).abs());
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}
