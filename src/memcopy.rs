//! Bulk byte copies that keep their speed whatever the relative alignment of the two buffers.
//!
//! Decoding an uncompressed TIFF or an npy file is one big copy from the file's bytes into the
//! caller's pixels (TIFF strips, and `ImageMut::copy_from_packed` for npy and other decoders), and where those two buffers sit relative to each other is up to the
//! allocator and the file layout. glibc's `memcpy` (AVX-512/ERMS variant) on the AMD EPYC
//! (Zen 4) bench machine, copying 12 MiB in 256 KiB pieces, best of 3 medians (`make bench`'s
//! F32 TIFF shape):
//!
//! | destination minus source, mod 4096 | forward `memcpy` | backward 32-byte loop |
//! |---|---|---|
//! | a multiple of 32                   | 26.5 GB/s        | 26.4 GB/s             |
//! | 16 mod 32 (48, 80, ... 4080)       | 18.8 GB/s        | 23.8 GB/s             |
//! | other offsets from 33 to 4095      | 16-18 GB/s       | 24-26 GB/s            |
//! | 1..24 (4K aliasing)                | 3-10 GB/s        | 25 GB/s               |
//!
//! The common case is the bad one: a program that reads a file into a `Vec` and then allocates
//! the output gets the output right behind the file, 16 bytes after the source modulo 4096
//! when the pixels are the file's last bytes. [`copy`] uses `memcpy` when the two buffers are
//! mutually 32-byte aligned and a backward copy in 64-byte blocks with AVX2 otherwise (x86-64
//! with AVX2 only: elsewhere it is `copy_from_slice`, as nothing was measured there).

/// Copies `src` into `dst` (equal lengths), as `dst.copy_from_slice(src)`, but on x86-64 with
/// AVX2 backward in 64-byte blocks when the two are not mutually 32-byte aligned (see the
/// module notes for the measurements).
///
/// # Panics
/// If the lengths differ (as `copy_from_slice`).
pub(crate) fn copy(dst: &mut [u8], src: &[u8]) {
    assert_eq!(dst.len(), src.len(), "memcopy::copy: length mismatch");
    #[cfg(target_arch = "x86_64")]
    {
        let skew = (dst.as_ptr() as usize).wrapping_sub(src.as_ptr() as usize) % 32;
        if dst.len() >= 4096 && skew != 0 && std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked just above.
            unsafe { backward_avx2(dst, src) };
            return;
        }
    }
    dst.copy_from_slice(src);
}

/// [`backward`] compiled for AVX2 (two 32-byte loads and stores per block).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn backward_avx2(dst: &mut [u8], src: &[u8]) {
    backward(dst, src);
}

/// Copies from the last 64-byte block to the first: each block is loaded whole before it is
/// stored, so no load reads a page offset that a store has just written.
#[cfg(any(target_arch = "x86_64", test))]
#[inline(always)]
fn backward(dst: &mut [u8], src: &[u8]) {
    let whole = dst.len() - dst.len() % 64;
    let (body, tail) = dst.split_at_mut(whole);
    tail.copy_from_slice(&src[whole..]);
    for (d, s) in body.chunks_exact_mut(64).rev().zip(src[..whole].chunks_exact(64).rev()) {
        let block: [u8; 64] = s.try_into().expect("64-byte chunk");
        // Opaque to the optimiser: without it LLVM recognises the loop as a whole-buffer copy
        // and replaces it with one forward `memcpy` call, the slow case this function avoids
        // (it did so inside the TIFF decoder: the bench's F32 decode ran at 8 GB/s).
        std::hint::black_box(());
        d.copy_from_slice(&block);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_exactly_at_every_relative_offset_and_length() {
        let src: Vec<u8> = (0..20_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect();
        let mut store = vec![0u8; 20_000 + 8192];
        // Lengths around the 4096 threshold and the 64-byte block size, at destinations that
        // cover every relative offset class (memcpy path, backward path, tails).
        for len in [0usize, 1, 63, 64, 65, 4095, 4096, 4097, 4096 + 63, 12_345, 16_384] {
            for shift in (0..4160).step_by(7).chain([1, 8, 31, 32, 63, 64, 4095]) {
                let dst = &mut store[shift..shift + len];
                dst.fill(0xAA);
                copy(dst, &src[..len]);
                assert_eq!(dst, &src[..len], "len {len} shift {shift}");
                // The backward loop itself, whether or not this CPU takes it in `copy`.
                dst.fill(0x55);
                backward(dst, &src[..len]);
                assert_eq!(dst, &src[..len], "backward: len {len} shift {shift}");
            }
        }
    }

    #[test]
    #[should_panic(expected = "length mismatch")]
    fn refuses_unequal_lengths() {
        copy(&mut [0u8; 3], &[1u8; 4]);
    }
}
