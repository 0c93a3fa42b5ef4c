//! The workloads the examples share, so every example (and its Python twin) does the same
//! work: a sleep standing in for IO, CPU work that cannot be optimised away, and an
//! iterative big-number Fibonacci for long CPU-bound jobs.

use std::fmt;
use std::hint::black_box;
use std::time::{Duration, Instant};

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

/// An unsigned integer of any size: little-endian base-2^64 limbs. Just enough arithmetic
/// for [`fib`]: addition and decimal printing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BigUint {
    limbs: Vec<u64>,
}

impl BigUint {
    pub fn from_u64(value: u64) -> Self {
        BigUint { limbs: vec![value] }
    }

    fn add_assign(&mut self, other: &BigUint) {
        if self.limbs.len() < other.limbs.len() {
            self.limbs.resize(other.limbs.len(), 0);
        }
        let mut carry = false;
        for (i, limb) in self.limbs.iter_mut().enumerate() {
            let rhs = other.limbs.get(i).copied().unwrap_or(0);
            let (sum, c1) = limb.overflowing_add(rhs);
            let (sum, c2) = sum.overflowing_add(u64::from(carry));
            *limb = sum;
            carry = c1 || c2;
        }
        if carry {
            self.limbs.push(1);
        }
    }

    /// How many bits the number needs.
    pub fn bits(&self) -> u64 {
        let top = self.limbs.iter().rposition(|&l| l != 0);
        top.map_or(0, |i| {
            64 * i as u64 + u64::from(64 - self.limbs[i].leading_zeros())
        })
    }
}

impl fmt::Display for BigUint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Repeatedly divide by 10^19, the largest power of ten in a u64.
        const CHUNK: u64 = 10_000_000_000_000_000_000;
        let mut limbs = self.limbs.clone();
        let mut chunks = Vec::new();
        while limbs.iter().any(|&l| l != 0) {
            let mut rem: u128 = 0;
            for limb in limbs.iter_mut().rev() {
                let cur = (rem << 64) | u128::from(*limb);
                *limb = (cur / u128::from(CHUNK)) as u64;
                rem = cur % u128::from(CHUNK);
            }
            chunks.push(rem as u64);
        }
        let Some((last, rest)) = chunks.split_last() else {
            return f.pad("0");
        };
        let mut text = last.to_string();
        for chunk in rest.iter().rev() {
            text += &format!("{chunk:019}");
        }
        f.pad(&text)
    }
}

/// The `n`th Fibonacci number (`fib(0) = 0`, `fib(1) = 1`), computed iteratively with
/// big numbers: slow on purpose for large `n`, the CPU-bound job of the later chapters.
pub fn fib(n: u64) -> BigUint {
    let mut a = BigUint::from_u64(0);
    let mut b = BigUint::from_u64(1);
    for _ in 0..n {
        a.add_assign(&b);
        std::mem::swap(&mut a, &mut b);
    }
    a
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
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

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
    fn fibonacci_small_and_big() {
        let small: Vec<String> = (0..10).map(|n| fib(n).to_string()).collect();
        assert_eq!(small, ["0", "1", "1", "2", "3", "5", "8", "13", "21", "34"]);
        assert_eq!(fib(93).to_string(), "12200160415121876738");
        // Crosses the u64 limit, so carries and multi-limb printing are exercised.
        assert_eq!(fib(100).to_string(), "354224848179261915075");
        assert_eq!(
            fib(300).to_string(),
            "222232244629420445529739893461909967206666939096499764990979600"
        );
        assert_eq!(fib(1000).to_string().len(), 209);
        assert_eq!(fib(100).bits(), 69);
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
