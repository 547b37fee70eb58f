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
//! callers who are parallel themselves. They cannot see other processes (nor threads of this
//! one that are busy outside pixcodec), so a split whose
//! parts do more work together than one pass (JPEG's two-band decode spends ~1.3x the CPU)
//! adds a fifth, with a [`Contention`] of its own:
//!
//! 5. such splits are not paused. Each one's parts are timed with their threads' CPU clocks
//!    and judged by [`verdict`]: they ran on free cores when they were at least
//!    [`MIN_SPEEDUP`] times faster together than one after another; they waited for cores
//!    when a part was running less than [`MIN_PART_EFFICIENCY`] of its own time (its thread
//!    was preempted) or the caller resumed more than [`MAX_RESUME_SHARE`] of the split's time
//!    after the last part ended. [`BAD_IN_A_ROW`] waits in a row (not counting
//!    unclear ones) pause these splits for [`PAUSE_FACTOR`] times the last one's wall time
//!    (from [`MIN_PAUSE`] to [`MAX_PAUSE`]); then they measure again. A split whose parts
//!    both ran at full speed, but one after another, is unclear: on a quiet machine that is
//!    what a split looks like when the pool's second thread was asleep and woke too late to
//!    take its part, which the first split after a pause often finds.
//!
//! Splits that cost no extra work (PNG segments, JPEG encode bands, TIFF strips) still gain
//! with the cores busy, so they do not pause. The measurements with one and two calling
//! threads, on a quiet machine and with two busy processes, and the bench that makes them
//! (`bench/rust/threads.rs`), are in `bench/README.md`, section "Parallelism".
//!
//! The rule decides only where the work runs, never what is written: a JPEG encoded in bands,
//! a PNG deflated in segments and a TIFF coded in strips have the same bytes whether the parts
//! ran on the pool or one after another (their layout depends on the image size and the
//! options alone), so a file never depends on what else the process was doing.

use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

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

    /// [`Call::split`] for a split whose parts do more work than one pass: also condition 5,
    /// `contention` is not pausing such splits. Run the parts with [`join_measured`] on the
    /// same `contention`.
    pub(crate) fn split_costly(&self, bytes: u64, contention: &Contention) -> bool {
        self.split(true, bytes) && !contention.paused()
    }
}

/// Smallest ratio of the parts' CPU time to the split's wall time that counts as "ran on free
/// cores" (condition 5). Two bands of a JPEG decode on two free cores measure 1.6-1.9 (their
/// CPU is ~1.3x one pass, done in ~0.7x its time); with two busy processes on the two cores,
/// below 1.0. Below ~1.3 one pass would have been as fast, so 1.5 leaves a margin.
const MIN_SPEEDUP: f64 = 1.5;

/// A part whose thread was on the CPU for less than this share of the part's wall time was
/// preempted: it waited for a core.
const MIN_PART_EFFICIENCY: f64 = 0.75;

/// The caller resumed late (the split waited for cores) when more than this share of the
/// split's wall time passed between the end of its last part and the caller's return.
const MAX_RESUME_SHARE: f64 = 0.25;

/// Splits in a row that waited for cores (unclear ones between them not counted) that pause
/// such splits: one alone on a quiet machine is usually another process's brief moment.
const BAD_IN_A_ROW: u32 = 2;

/// The pause lasts this many times the last split's wall time (within [`MIN_PAUSE`] and
/// [`MAX_PAUSE`]), so that under steady contention the [`BAD_IN_A_ROW`] splits that measure
/// again are a small share of the calls.
const PAUSE_FACTOR: u32 = 32;

/// Shortest pause: small images take well under a millisecond, and a probe every 100 ms
/// costs them little under steady contention.
const MIN_PAUSE: Duration = Duration::from_millis(100);

/// Longest pause: a split runs again at least this often when the cores come free.
const MAX_PAUSE: Duration = Duration::from_secs(1);

/// Whether one kind of costly split (condition 5 of the [rule](self)) is paused, and until
/// when; one per kind, in a `static` (JPEG: `codecs::jpeg_turbo::bands::DECODE_CONTENTION`).
pub(crate) struct Contention {
    /// Nanoseconds on [`clock`] until which these splits are paused (0: not paused).
    paused_until: AtomicU64,
    /// Splits in a row that waited for cores, since the last pause or split on free cores.
    bad_in_a_row: AtomicU32,
}

impl Contention {
    /// Not paused.
    pub(crate) const fn new() -> Contention {
        Contention {
            paused_until: AtomicU64::new(0),
            bad_in_a_row: AtomicU32::new(0),
        }
    }

    /// Whether these splits are paused now.
    pub(crate) fn paused(&self) -> bool {
        self.paused_at(clock())
    }

    fn paused_at(&self, now: u64) -> bool {
        now < self.paused_until.load(Ordering::Relaxed)
    }

    /// Records how a split that took `wall` ran; pauses these splits when it is the
    /// [`BAD_IN_A_ROW`]th in a row that waited for cores. Returns whether it paused them.
    fn record_at(&self, now: u64, verdict: Verdict, wall: Duration) -> bool {
        match verdict {
            Verdict::FreeCores => {
                self.bad_in_a_row.store(0, Ordering::Relaxed);
                return false;
            }
            Verdict::Unclear => return false,
            Verdict::WaitedForCores => {}
        }
        if self.bad_in_a_row.fetch_add(1, Ordering::Relaxed) + 1 < BAD_IN_A_ROW {
            return false;
        }
        self.bad_in_a_row.store(0, Ordering::Relaxed);
        let pause = (wall * PAUSE_FACTOR).clamp(MIN_PAUSE, MAX_PAUSE);
        let until = now.saturating_add(pause.as_nanos() as u64);
        self.paused_until.fetch_max(until, Ordering::Relaxed);
        true
    }
}

/// How the two parts of a costly split ran (condition 5 of the [rule](self)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// At least [`MIN_SPEEDUP`] times faster together than one after another.
    FreeCores,
    /// A part's thread was preempted, or the caller resumed late: other work held the cores.
    WaitedForCores,
    /// Neither: typically both parts at full speed but one after another.
    Unclear,
}

/// When one part ran, from the start of the split, and the CPU time its thread spent on it.
#[derive(Debug, Clone, Copy)]
struct PartTiming {
    start: Duration,
    end: Duration,
    cpu: Duration,
}

/// Judges a split that took `wall` from its two parts' timings.
fn verdict(wall: Duration, parts: [PartTiming; 2]) -> Verdict {
    let secs = |d: Duration| d.as_secs_f64();
    let cpu: Duration = parts.iter().map(|p| p.cpu).sum();
    if secs(cpu) >= MIN_SPEEDUP * secs(wall) {
        return Verdict::FreeCores;
    }
    let preempted = parts
        .iter()
        .any(|p| secs(p.cpu) < MIN_PART_EFFICIENCY * secs(p.end.saturating_sub(p.start)));
    let last_end = parts.iter().map(|p| p.end).max().unwrap_or_default();
    let resumed_late = secs(wall.saturating_sub(last_end)) > MAX_RESUME_SHARE * secs(wall);
    if preempted || resumed_late {
        Verdict::WaitedForCores
    } else {
        Verdict::Unclear
    }
}

/// Nanoseconds since the first call in this process (a monotonic clock).
fn clock() -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_nanos() as u64
}

/// The CPU time this thread has used, where the platform has a per-thread CPU clock (Linux,
/// Android, Apple, FreeBSD); `None` elsewhere, where costly splits never pause.
fn thread_cpu() -> Option<Duration> {
    #[cfg(any(
        target_os = "linux",
        target_os = "android",
        target_vendor = "apple",
        target_os = "freebsd"
    ))]
    {
        let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: `t` is a valid, writable timespec; the clock id is a constant of this target.
        let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
        (rc == 0).then(|| Duration::new(t.tv_sec as u64, t.tv_nsec as u32))
    }
    #[cfg(not(any(
        target_os = "linux",
        target_os = "android",
        target_vendor = "apple",
        target_os = "freebsd"
    )))]
    {
        None
    }
}

/// Runs `f` as one part of a split that began at `split_start`, returning its result and when
/// it ran, with the CPU time this thread spent in it (`None` without a per-thread CPU clock).
fn timed_part<R>(split_start: Instant, f: impl FnOnce() -> R) -> (R, Option<PartTiming>) {
    let start = split_start.elapsed();
    let cpu_before = thread_cpu();
    let r = f();
    let timing = match (cpu_before, thread_cpu()) {
        (Some(a), Some(b)) => Some(PartTiming {
            start,
            end: split_start.elapsed(),
            cpu: b.saturating_sub(a),
        }),
        _ => None,
    };
    (r, timing)
}

/// `rayon::join(a, b)` for the two parts of a costly split, recording in `contention` whether
/// they ran on free cores (condition 5 of the [rule](self)).
pub(crate) fn join_measured<A, B, RA, RB>(contention: &Contention, a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    let start = Instant::now();
    let ((ra, ta), (rb, tb)) = rayon::join(|| timed_part(start, a), || timed_part(start, b));
    let wall = start.elapsed();
    if let (Some(ta), Some(tb)) = (ta, tb) {
        contention.record_at(clock(), verdict(wall, [ta, tb]), wall);
    }
    (ra, rb)
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

    fn part(start_us: u64, end_us: u64, cpu_us: u64) -> PartTiming {
        let us = Duration::from_micros;
        PartTiming {
            start: us(start_us),
            end: us(end_us),
            cpu: us(cpu_us),
        }
    }

    #[test]
    fn verdicts_of_measured_splits() {
        let us = Duration::from_micros;
        // Measured on the 2-core VM (bench/README.md, "Parallelism"). Two bands at once on
        // free cores: 1.87x.
        let free = [part(2, 2425, 2421), part(32, 2673, 2640)];
        assert_eq!(verdict(us(2704), free), Verdict::FreeCores);
        // Two busy processes: the first band's thread was on the CPU half of its time.
        let preempted = [part(8, 6572, 3222), part(3241, 6578, 3322)];
        assert_eq!(verdict(us(6607), preempted), Verdict::WaitedForCores);
        // Both bands at full speed, but the caller resumed 4 ms after the last one ended.
        let late = [part(2, 351, 347), part(351, 714, 363)];
        assert_eq!(verdict(us(4802), late), Verdict::WaitedForCores);
        // Both at full speed one after another on one thread (the second pool thread asleep),
        // and the caller resumed at once: unclear.
        let sequential = [part(16, 382, 365), part(382, 755, 372)];
        assert_eq!(verdict(us(775), sequential), Verdict::Unclear);
    }

    #[test]
    fn contention_pauses_costly_splits_for_a_while() {
        use Verdict::*;
        let c = Contention::new();
        let ms = Duration::from_millis;
        assert!(!c.paused_at(0));
        assert!(!c.record_at(1_000, FreeCores, ms(10)));
        assert!(!c.paused_at(1_000));
        // One wait alone does not pause; a split on free cores in between resets the count,
        // an unclear one does not.
        assert!(!c.record_at(2_000, WaitedForCores, ms(10)));
        assert!(!c.record_at(3_000, FreeCores, ms(10)));
        assert!(!c.record_at(4_000, WaitedForCores, ms(10)));
        assert!(!c.record_at(4_500, Unclear, ms(10)));
        assert!(!c.paused_at(4_500));
        // The second wait in a row pauses for 32 x its 10 ms from then.
        let now = 5_000_000;
        assert!(c.record_at(now, WaitedForCores, ms(10)));
        assert!(c.paused_at(now));
        assert!(c.paused_at(now + 319_999_999));
        assert!(!c.paused_at(now + 320_000_000));
        // After a pause the count starts again.
        assert!(!c.record_at(now + 320_000_000, WaitedForCores, ms(10)));
        // A short split pauses for at least MIN_PAUSE, a long one for at most MAX_PAUSE.
        let c = Contention::new();
        let twice = |c: &Contention, now: u64, wall: Duration| {
            c.record_at(now, WaitedForCores, wall);
            c.record_at(now, WaitedForCores, wall)
        };
        assert!(twice(&c, 0, Duration::from_micros(100)));
        assert!(c.paused_at(MIN_PAUSE.as_nanos() as u64 - 1));
        assert!(!c.paused_at(MIN_PAUSE.as_nanos() as u64));
        assert!(twice(&c, 0, ms(500)));
        assert!(c.paused_at(MAX_PAUSE.as_nanos() as u64 - 1));
        assert!(!c.paused_at(MAX_PAUSE.as_nanos() as u64));
        // A later, shorter pause does not shorten one in force.
        assert!(twice(&c, 1, ms(1)));
        assert!(c.paused_at(MAX_PAUSE.as_nanos() as u64 - 1));
    }

    #[test]
    fn join_measured_sees_threads_waiting_for_cores() {
        if thread_cpu().is_none() {
            return; // no per-thread CPU clock on this platform: splits never pause
        }
        // Parts that sleep use no CPU while they take their time: as a preempted thread
        // waiting for a core would look.
        let c = Contention::new();
        let nap = || std::thread::sleep(Duration::from_millis(5));
        join_measured(&c, nap, nap);
        assert!(!c.paused(), "one slow split alone");
        join_measured(&c, nap, nap);
        assert!(c.paused());
        // Parts that compute on two free threads: at most the pool's hand-off between them
        // and the wall clock. Not asserted: whether the cores are free depends on the machine.
    }

    #[test]
    fn thread_cpu_counts_this_threads_work() {
        let Some(a) = thread_cpu() else { return };
        let t = Instant::now();
        let mut x = 0u64;
        while t.elapsed() < Duration::from_millis(20) {
            x = std::hint::black_box(x.wrapping_add(1));
        }
        let used = thread_cpu().unwrap() - a;
        // Busy for 20 ms of wall time: some of it on the CPU (all of it on a free core); a
        // clock that did not count this thread's work would say 0.
        assert!(used > Duration::from_millis(1), "{used:?}");
        std::thread::sleep(Duration::from_millis(20));
        let slept = thread_cpu().unwrap() - a - used;
        assert!(slept < Duration::from_millis(10), "{slept:?}");
    }

    #[test]
    fn costly_splits_wait_while_paused() {
        // A counter of its own: other tests run codec calls at the same time.
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let call = Call::on(&COUNT);
        if !call.split(true, 1 << 30) {
            return; // a one-thread pool: nothing splits here
        }
        let c = Contention::new();
        assert!(call.split_costly(1 << 30, &c));
        assert!(!call.split_costly(MIN_BYTES - 1, &c));
        c.record_at(clock(), Verdict::WaitedForCores, Duration::from_millis(10));
        assert!(call.split_costly(1 << 30, &c), "one wait alone");
        c.record_at(clock(), Verdict::WaitedForCores, Duration::from_millis(10));
        assert!(!call.split_costly(1 << 30, &c));
        assert!(call.split(true, 1 << 30), "other splits do not pause");
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
