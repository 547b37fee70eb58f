//! When a codec splits the work of one image over rayon's pool: one rule for every codec.
//!
//! PNG encoding (deflate segments), JPEG encoding and decoding (bands) and TIFF encoding and
//! decoding (strips) can each spread one image over rayon's pool. They all ask [`Call::split`],
//! which says yes only when
//!
//! 1. the codec's `parallel` encode option is `true` (the default; decoders have no options
//!    and count it as `true`),
//! 2. the image holds at least [`MIN_BYTES`] (768 KiB) of pixels (smaller images cost more to
//!    hand out than a second core wins),
//! 3. the call does not run on a rayon pool thread (a caller that is already parallel, such as
//!    `ml::Dataset` or any `pool.install`, keeps the other threads for its own work), and
//! 4. fewer calls of these codecs are in progress in the process than rayon's pool has threads
//!    (two threads that each encode at once on a two-core machine already use both cores, so
//!    each stays sequential rather than queueing behind the other on the pool).
//!
//! Conditions 3 and 4 are what keep internal parallelism from lowering the throughput of
//! callers who are parallel themselves. The measurement with one and two calling threads, and
//! the bench that makes it (`bench/rust/threads.rs`), are in `bench/README.md`, section
//! "Parallelism".
//!
//! The rule decides only where the work runs, never what is written: a JPEG encoded in bands,
//! a PNG deflated in segments and a TIFF coded in strips have the same bytes whether the parts
//! ran on the pool or one after another (their layout depends on the image size and the
//! options alone), so a file never depends on what else the process was doing.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Smallest image, in bytes of pixels, whose work is split over the pool (768 KiB: three TIFF
/// strips or PNG deflate segments, a 512x512 RGB JPEG, the smallest one encoded in bands).
/// Below it the hand-off to the pool (and its queue's occasional allocation) is not worth a
/// second core.
pub(crate) const MIN_BYTES: u64 = 3 << 18;

/// Calls of the codecs above in progress in this process.
static IN_PROGRESS: AtomicUsize = AtomicUsize::new(0);

/// One codec call (an encode, or the decode of one page) of a codec that can split its work:
/// counted among the calls in progress while it lives.
pub(crate) struct Call(&'static AtomicUsize);

impl Call {
    /// Counts a call as in progress until the returned value is dropped.
    pub(crate) fn begin() -> Call {
        Call::on(&IN_PROGRESS)
    }

    fn on(count: &'static AtomicUsize) -> Call {
        count.fetch_add(1, Ordering::Relaxed);
        Call(count)
    }

    /// Whether this call may split an image of `bytes` bytes over rayon's pool, by the rule in
    /// the [module documentation](self); `enabled` is the codec's `parallel` option.
    pub(crate) fn split(&self, enabled: bool, bytes: u64) -> bool {
        // Cheap tests first: the atomic load is last.
        enabled
            && bytes >= MIN_BYTES
            && rule(
                rayon::current_thread_index().is_some(),
                rayon::current_num_threads(),
                self.0.load(Ordering::Relaxed),
            )
    }
}

impl Drop for Call {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Conditions 3 and 4 of the rule, for a large enough image with `parallel` on: not on a pool
/// thread, and fewer calls in progress (this one included) than the pool has threads.
fn rule(on_pool_thread: bool, pool_threads: usize, in_progress: usize) -> bool {
    !on_pool_thread && in_progress < pool_threads
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule() {
        // One caller outside the pool on a two-thread pool: split.
        assert!(rule(false, 2, 1));
        // Two callers at once on two threads: each stays sequential.
        assert!(!rule(false, 2, 2));
        // Two callers on a four-thread pool: both may split.
        assert!(rule(false, 4, 2));
        // A one-thread pool or a caller on a pool thread: sequential.
        assert!(!rule(false, 1, 1));
        assert!(!rule(true, 8, 1));
    }

    #[test]
    fn split_needs_the_option_a_large_image_and_no_pool_thread() {
        let call = Call::begin();
        assert!(!call.split(false, 1 << 30));
        assert!(!call.split(true, MIN_BYTES - 1));
        // On a pool thread, whatever else holds.
        let pool = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap();
        assert!(!pool.install(|| call.split(true, 1 << 30)));
    }

    #[test]
    fn calls_are_counted_while_they_live() {
        // A counter of its own: other tests run codec calls at the same time.
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let load = || COUNT.load(Ordering::Relaxed);
        let a = Call::on(&COUNT);
        assert_eq!(load(), 1);
        let b = Call::on(&COUNT);
        assert_eq!(load(), 2);
        // Two calls at once on a two-thread pool: sequential; once one ends: split again.
        assert!(!rule(false, 2, load()));
        drop(a);
        assert_eq!(load(), 1);
        assert!(rule(false, 2, load()));
        drop(b);
        assert_eq!(load(), 0);
    }
}
