//! Bulk byte copies that keep their speed whatever the relative alignment of the two buffers.
//!
//! Decoding an uncompressed TIFF or an npy file is one big copy from the file's bytes into the
//! caller's pixels (TIFF strips, and `ImageMut::copy_from_packed` for npy and other decoders),
//! and where those two buffers sit relative to each other is up to the allocator and the file
//! layout. A forward `memcpy` (glibc's, on the bench machine) is several times slower when the
//! destination lies a few bytes after the source modulo 4096 (every load then seems to depend
//! on a store just made to the same page offset, "4K aliasing") and noticeably slower at any
//! skew that is not a multiple of 32, while a copy that runs backward in whole blocks is not.
//! The common case is a bad one: a program that reads a file into a `Vec` and then allocates
//! the output gets the output right behind the file. [`copy`] therefore uses `memcpy` when
//! the two buffers are mutually 32-byte aligned and a backward copy in 64-byte blocks with
//! AVX2 otherwise (x86-64 with AVX2 only: elsewhere it is `copy_from_slice`, as nothing was
//! measured there). The measurements are in `bench/README.md` (section "memcopy"); a unit
//! test checks that the backward copy really stores backward, so an optimiser that turns the
//! loop back into a forward `memcpy` (as LLVM once did) fails the tests.

/// Copies `src` into `dst` (equal lengths), as `dst.copy_from_slice(src)`, but on x86-64 with
/// AVX2 backward in 64-byte blocks when the two are not mutually 32-byte aligned (see the
/// module notes).
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
        // (it did so inside the TIFF decoder, commit e219d54; `tests::stores_backward` fails
        // if it happens again).
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

    /// Which end of the destination a copy writes first, observed with page protection: the
    /// destination is a fresh four-page mapping whose first and last pages are read-only, a
    /// SIGSEGV handler records the page of the first faulting store and makes it writable (so
    /// the copy then completes), and the source sits `skew` bytes before the destination
    /// modulo 4096.
    #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
    mod store_order {
        use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

        const PAGE: usize = 4096;
        const PAGES: usize = 4;
        static START: AtomicUsize = AtomicUsize::new(0);
        static FIRST: AtomicUsize = AtomicUsize::new(0);

        extern "C" fn on_fault(_: libc::c_int, info: *mut libc::siginfo_t, _: *mut libc::c_void) {
            // SAFETY: the kernel passes a valid siginfo for SA_SIGINFO handlers.
            let addr = unsafe { (*info).si_addr() } as usize;
            let start = START.load(SeqCst);
            if start != 0 && (start..start + PAGES * PAGE).contains(&addr) {
                let page = addr & !(PAGE - 1);
                let _ = FIRST.compare_exchange(0, page, SeqCst, SeqCst);
                // SAFETY: `page` is a page of the test's own mapping; mprotect is
                // async-signal-safe.
                unsafe { libc::mprotect(page as *mut libc::c_void, PAGE, libc::PROT_READ | libc::PROT_WRITE) };
            } else {
                // Not ours: fault again with the default action.
                // SAFETY: resetting a signal disposition is async-signal-safe.
                unsafe { libc::signal(libc::SIGSEGV, libc::SIG_DFL) };
            }
        }

        /// `Some(true)` when `f` stored into the last page before the first, `Some(false)` for
        /// the other way round.
        pub(super) fn last_page_first(skew: usize, f: fn(&mut [u8], &[u8])) -> Option<bool> {
            let len = PAGES * PAGE;
            let store: Vec<u8> = (0..len + 2 * PAGE).map(|i| (i * 7 + 3) as u8).collect();
            // SAFETY: a fresh private anonymous mapping, unmapped below; the handler is
            // installed for the copy only and the previous one restored after it.
            unsafe {
                let map = libc::mmap(
                    std::ptr::null_mut(),
                    len,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                    -1,
                    0,
                );
                assert_ne!(map, libc::MAP_FAILED);
                let dst = std::slice::from_raw_parts_mut(map.cast::<u8>(), len);
                let want = (dst.as_ptr() as usize).wrapping_sub(skew) % PAGE;
                let at = (want + PAGE - store.as_ptr() as usize % PAGE) % PAGE;
                let src = &store[at..at + len];
                assert_eq!((dst.as_ptr() as usize).wrapping_sub(src.as_ptr() as usize) % PAGE, skew);
                let last = map as usize + (PAGES - 1) * PAGE;
                for page in [map as usize, last] {
                    assert_eq!(libc::mprotect(page as *mut libc::c_void, PAGE, libc::PROT_READ), 0);
                }
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_fault as *const () as usize;
                action.sa_flags = libc::SA_SIGINFO;
                let mut old: libc::sigaction = std::mem::zeroed();
                FIRST.store(0, SeqCst);
                START.store(map as usize, SeqCst);
                assert_eq!(libc::sigaction(libc::SIGSEGV, &action, &mut old), 0);
                f(dst, src);
                libc::sigaction(libc::SIGSEGV, &old, std::ptr::null_mut());
                START.store(0, SeqCst);
                assert!(dst == src, "the copy is exact");
                libc::munmap(map, len);
                match FIRST.load(SeqCst) {
                    p if p == last => Some(true),
                    p if p == map as usize => Some(false),
                    _ => None,
                }
            }
        }
    }

    /// The backward copy must store backward in the built code: if the optimiser folded its
    /// loop into one forward `memcpy` (LLVM did, commit e219d54; `make test` runs this test in
    /// a release build too), the first store would land on the destination's first page.
    #[test]
    #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
    fn stores_backward() {
        if !std::arch::is_x86_feature_detected!("avx2") {
            eprintln!("no AVX2: copy() never takes the backward path on this CPU");
            return;
        }
        // Skews that are not multiples of 32 take the backward path; keep those where this
        // machine's forward memcpy demonstrably stores first at the front, so the check can
        // tell the two apart.
        let plain: fn(&mut [u8], &[u8]) = |d, s| d.copy_from_slice(s);
        let skews: Vec<usize> = [16, 2064, 100, 3000]
            .into_iter()
            .filter(|&k| store_order::last_page_first(k, plain) == Some(false))
            .collect();
        assert!(!skews.is_empty(), "memcpy stored backward at every skew tried");
        for skew in skews {
            assert_eq!(
                store_order::last_page_first(skew, copy),
                Some(true),
                "skew {skew}: copy() did not store backward"
            );
        }
    }
}
