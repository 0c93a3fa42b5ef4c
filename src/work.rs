//! The workloads the examples share, so every example (and its Python twin) does the same
//! work: a sleep standing in for IO, CPU work that cannot be optimised away, the articles'
//! big-integer Fibonacci, and readings of the process's memory.

use std::hint::black_box;
use std::time::{Duration, Instant};

use num_bigint::BigUint;

/// Block this thread for `seconds` (the stand-in for a blocking IO call).
pub fn sleep_s(seconds: f64) {
    std::thread::sleep(Duration::from_secs_f64(seconds));
}

/// Sum the integers `0..n`, one at a time. `black_box` on every element keeps the compiler
/// from replacing the loop by the closed form, so the cost really grows with `n`.
/// The Python twins compute the same value with `sum(range(n))`. Never inlined, so every
/// caller runs the same machine code at the same speed as [`cpu_seconds_per_unit`] measures.
#[inline(never)]
pub fn cpu_work(n: u64) -> u64 {
    let mut total: u64 = 0;
    for i in 0..n {
        total = total.wrapping_add(black_box(i));
    }
    total
}

/// What [`cpu_work`] returns, computed directly: `n * (n - 1) / 2`.
pub fn cpu_work_expected(n: u64) -> u64 {
    let n = u128::from(n);
    (n * n.saturating_sub(1) / 2) as u64
}

/// Seconds one unit of [`cpu_work`] costs on this machine: the fastest of many short timed
/// runs over at least 0.3 s, so examples can print the ideal time of their CPU-bound
/// workload beside the measured one. The fastest, because an ideal must be a lower bound
/// and this machine's speed drifts (the same loop runs up to twice as slow for a second at
/// a time, from the host): a short sample could catch a slow moment and inflate it.
pub fn cpu_seconds_per_unit() -> f64 {
    const UNITS: u64 = 2_000_000;
    const AT_LEAST: Duration = Duration::from_millis(300);
    let begun = Instant::now();
    let mut best = f64::INFINITY;
    while begun.elapsed() < AT_LEAST {
        let start = Instant::now();
        black_box(cpu_work(black_box(UNITS)));
        best = best.min(start.elapsed().as_secs_f64());
    }
    best / UNITS as f64
}

/// This process's resident set size (`VmRSS` in `/proc/self/status`) in bytes: the memory
/// it holds in RAM right now, in pages the kernel counts in kB. `None` where there is no
/// `/proc` (not Linux). Coarse: it moves by whole pages, and memory the allocator keeps
/// after a `free` still counts, so measure growth in a fresh process. The Python twins
/// read the same line with `cpairs.rss_bytes()`.
pub fn rss_bytes() -> Option<u64> {
    proc_status_bytes("VmRSS:")
}

/// This process's peak resident set size so far (`VmHWM`, the high-water mark of
/// [`rss_bytes`]) in bytes, or `None` without `/proc`. The kernel updates it lazily, so it
/// may trail the true peak by a few pages. The Python twins read the same line
/// with `cpairs.peak_rss_bytes()`.
pub fn peak_rss_bytes() -> Option<u64> {
    proc_status_bytes("VmHWM:")
}

fn proc_status_bytes(key: &str) -> Option<u64> {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        // macOS, say: one line, the first time, and the memory figures are left out.
        static SAID: std::sync::Once = std::sync::Once::new();
        SAID.call_once(|| {
            crate::say!("no /proc here: the memory figures are left out")
        });
        return None;
    };
    let line = status.lines().find(|l| l.starts_with(key))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

// ANCHOR: fib
/// The articles' job, `a, b = b, a + b` n times, asking `stop` before every step.
pub fn fib(n: u64, stop: impl Fn() -> bool) -> Result<BigUint, Cancelled> {
    let (mut a, mut b) = (BigUint::from(0u32), BigUint::from(1u32));
    for step in 0..n {
        if stop() {
            return Err(Cancelled { step });
        }
        let next = &a + &b;
        a = std::mem::replace(&mut b, next);
    }
    Ok(a)
}
/// Python's `"Cancelled"`, saying how far the loop got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled {
    pub step: u64,
}
// ANCHOR_END: fib

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_work_sums_the_range() {
        for n in [0, 1, 2, 10, 100_000, 500_000] {
            assert_eq!(cpu_work(n), cpu_work_expected(n), "n = {n}");
        }
        assert_eq!(cpu_work(100_000), 4_999_950_000);
        assert!(cpu_seconds_per_unit() > 0.0);
    }

    #[test]
    fn rss_grows_when_memory_is_touched() {
        let Some(before) = rss_bytes() else {
            return; // no /proc here
        };
        assert!(before > 0);
        // 64 MiB, every page written, so it is resident and cannot be optimised away.
        let block = black_box(vec![1u8; 64 << 20]);
        let after = rss_bytes().expect("/proc was readable a moment ago");
        assert!(after >= before + (32 << 20), "{before} -> {after}");
        drop(block);
        // The kernel folds per-thread counters into the high-water mark lazily, so it can
        // trail the latest reading by a few pages, never by the block.
        let peak = peak_rss_bytes().expect("/proc was readable a moment ago");
        assert!(peak >= before + (32 << 20), "peak {peak}, before {before}");
    }
}
