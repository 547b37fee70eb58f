//! The timing rule shared by the report benches (`report.rs`, `ml.rs`): one warm-up call,
//! then the median of at least 3 and at most 200 calls within `BENCH_BUDGET` seconds (default 1).

use std::time::{Duration, Instant};

/// The time budget per row, from `BENCH_BUDGET` (seconds).
pub fn budget() -> Duration {
    let s: f64 = std::env::var("BENCH_BUDGET")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1.0);
    Duration::from_secs_f64(s)
}

/// Median seconds of `f` under the rule above.
pub fn time(mut f: impl FnMut()) -> f64 {
    f();
    let budget = budget();
    let start = Instant::now();
    let mut v = Vec::new();
    while v.len() < 3 || (start.elapsed() < budget && v.len() < 200) {
        let t = Instant::now();
        f();
        v.push(t.elapsed().as_secs_f64());
    }
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}
