//! The crawler's workload (`examples/crawler.rs`, `python/crawler.py`): N "crawl" tasks,
//! each waiting for a random IO delay of 0.2–1.0 s and then summing a random range of
//! 100,000–500,000 integers with [`cpu_work`](crate::work::cpu_work).
//!
//! The random numbers come from SplitMix64 with a fixed seed, so every variant and the
//! Python twin (`cpairs.crawl_jobs`) draw exactly the same jobs: whole milliseconds for
//! the delay and a whole count of integers, so both languages agree bit for bit.
//!
//! It also holds the example's measuring and bookkeeping, which are not its lesson: what
//! an integer costs here ([`CpuRates`]), how busy the cores were ([`CpuMeter`]), the
//! caller's tally of the pages ([`Pages`]) and the [`Bench`] that runs each variant with
//! all of these around it.

use std::collections::BTreeMap;

use crate::figures::common::PEAK_RSS;
use crate::figures::{Derived, Figure, Found, Report, ideal};
use crate::trace::Trace;
use crate::work::{cpu_work_expected, peak_rss_bytes};
use crate::{lab, say};

/// The seed every run uses, in both languages.
pub const SEED: u64 = 2024;
/// The IO delay's range, in milliseconds (inclusive).
pub const IO_MS: (u64, u64) = (200, 1_000);
/// How many integers a task sums (inclusive range).
pub const UNITS: (u64, u64) = (100_000, 500_000);

/// SplitMix64 (Steele, Lea and Flood, 2014): a tiny, well-mixed generator whose every
/// step is plain 64-bit arithmetic, easy to reproduce exactly in Python.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `low..=high` (the modulo bias is below one part in 10^13 here).
    pub fn in_range(&mut self, (low, high): (u64, u64)) -> u64 {
        low + self.next_u64() % (high - low + 1)
    }
}

/// One crawl task: how long its IO waits, then how many integers it sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CrawlJob {
    pub io_ms: u64,
    pub units: u64,
}

impl CrawlJob {
    pub fn io_s(&self) -> f64 {
        self.io_ms as f64 / 1e3
    }
}

/// The `n` jobs of a run: job `i` takes the generator's draws `2i` (delay) and `2i + 1`
/// (size).
pub fn crawl_jobs(n: usize, seed: u64) -> Vec<CrawlJob> {
    let mut rng = SplitMix64::new(seed);
    (0..n)
        .map(|_| CrawlJob {
            io_ms: rng.in_range(IO_MS),
            units: rng.in_range(UNITS),
        })
        .collect()
}

/// The true lower bound on the wall time of `jobs` on `cores` cores, when one integer
/// costs `seconds_per_unit`: the larger of
/// - the slowest single task (its own IO, then its own CPU work), and
/// - the earliest IO completion plus all the CPU work spread over every core, since no
///   CPU work can start before the first IO completes.
///
/// ("Longest IO + total CPU / cores" is *not* a floor: early tasks compute while others
/// still wait.)
pub fn crawl_ideal(jobs: &[CrawlJob], seconds_per_unit: f64, cores: usize) -> f64 {
    let cpu = |j: &CrawlJob| j.units as f64 * seconds_per_unit;
    let slowest = jobs.iter().map(|j| j.io_s() + cpu(j)).fold(0.0, f64::max);
    let earliest = jobs
        .iter()
        .map(CrawlJob::io_s)
        .fold(f64::INFINITY, f64::min);
    let total_cpu: f64 = jobs.iter().map(cpu).sum();
    if jobs.is_empty() {
        return 0.0;
    }
    slowest.max(earliest + total_cpu / cores.max(1) as f64)
}

/// Seconds one integer of [`cpu_work`](crate::work::cpu_work) costs with `cores` threads
/// computing at once: each thread measures its fastest rate
/// ([`cpu_seconds_per_unit`](crate::work::cpu_seconds_per_unit)) while the others run
/// too, and the cores' rates add up. A core runs slower when its neighbours work (shared
/// caches, memory bandwidth, a host that shares its cores), so this, not one core alone,
/// is the rate an ideal with every core busy can assume. The twin's is
/// `cpairs.seconds_per_unit_all_cores`.
pub fn cpu_seconds_per_unit_busy(cores: usize) -> f64 {
    let cores = cores.max(1);
    let start = std::sync::Barrier::new(cores);
    let rates: f64 = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..cores)
            .map(|_| {
                scope.spawn(|| {
                    start.wait(); // every thread starts measuring at once
                    1.0 / crate::work::cpu_seconds_per_unit()
                })
            })
            .collect();
        threads
            .into_iter()
            .map(|t| t.join().expect("a calibration thread does not panic"))
            .sum()
    });
    cores as f64 / rates
}

/// The CPU time this process has used so far, user + system, over all its threads (those
/// that ended too), in seconds: `utime` + `stime` of `/proc/self/stat`, in the kernel's
/// clock ticks of 1/100 s (`USER_HZ`, 100 on every Linux this runs on). `None` without
/// `/proc`. The twin reads `os.times()`, which also counts its worker processes.
pub fn process_cpu_s() -> Option<f64> {
    const TICKS_PER_S: f64 = 100.0;
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name, in parentheses, may hold spaces: count fields after it. The
    // first is field 3 (the state); utime and stime are fields 14 and 15.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<u64>().ok();
    Some((ticks(11)? + ticks(12)?) as f64 / TICKS_PER_S)
}

/// What an integer of the CPU work costs here, on one core alone and with every core
/// busy at once: each the fastest seen over every measurement, so an ideal computed from
/// it stays a lower bound while the machine's speed drifts.
#[derive(Debug, Clone, Copy)]
pub struct CpuRates {
    pub one_core: f64,
    pub all_cores: f64,
    cores: usize,
}

impl CpuRates {
    pub fn measure(cores: usize) -> Self {
        let one_core = crate::work::cpu_seconds_per_unit();
        let all_cores = cpu_seconds_per_unit_busy(cores);
        CpuRates {
            one_core,
            all_cores,
            cores,
        }
    }

    /// Measure both again, keeping the fastest.
    pub fn again(&mut self) {
        let now = CpuRates::measure(self.cores);
        self.one_core = self.one_core.min(now.one_core);
        self.all_cores = self.all_cores.min(now.all_cores);
    }

    /// [`crawl_ideal`] of `jobs` at the rate with every core busy.
    pub fn ideal(&self, jobs: &[CrawlJob]) -> f64 {
        crawl_ideal(jobs, self.all_cores, self.cores)
    }

    /// How much dearer an integer is with every core busy than on one core alone.
    pub fn load_slowdown(&self) -> f64 {
        self.all_cores / self.one_core
    }
}

/// The process's CPU time from a starting point: `CpuMeter::start()` before the work,
/// `utilisation` after it.
#[derive(Debug, Clone, Copy)]
pub struct CpuMeter(Option<f64>);

impl CpuMeter {
    pub fn start() -> Self {
        CpuMeter(process_cpu_s())
    }

    /// The CPU time used since `start`, over `wall_s` × `cores`: 1 is every core busy
    /// the whole time. `None` without `/proc`.
    pub fn utilisation(&self, wall_s: f64, cores: usize) -> Option<f64> {
        let used = process_cpu_s()? - self.0?;
        Some(used / (wall_s * cores.max(1) as f64))
    }
}

/// Every page taken, right or wrong (a count that survives `--counts-only`).
pub const TASKS_RUN: Figure = Figure::count("tasks_run", "tasks run");
/// Pages whose sum is not the one their job asks for.
pub const WRONG: Figure = Figure::count("wrong", "wrong results");
/// The threads (or processes) that parsed: the lanes of the CPU spans.
pub const LANES: Figure = Figure::count("lanes", "lanes").derived(Derived::Lanes);
/// All the run's CPU work, at the fastest all-cores rate measured.
pub const CPU_WORK: Figure = Figure::seconds("cpu_s", "CPU work");
/// The process's CPU time while the variant ran, over its wall time × the cores.
pub const BUSY: Figure =
    Figure::ratio("cpu_utilisation", "CPU time ÷ (wall × cores)");
/// What an integer costs with every core busy, over one core alone.
pub const LOAD: Figure =
    Figure::ratio("load_slowdown", "cost per integer, all cores ÷ one");

/// A crawled page: which task and job, its result, and the thread that parsed it.
#[derive(Debug, Clone)]
pub struct Page {
    pub id: usize,
    pub job: CrawlJob,
    pub sum: u64,
    pub thread: String,
}

/// What the caller keeps of the pages: each sum, checked, and the pages each thread parsed.
#[derive(Debug, Default)]
pub struct Pages {
    sums: Vec<u64>,
    wrong: usize,
    threads: BTreeMap<String, usize>,
}

impl Pages {
    /// Ready for `n` pages: the first three are printed, then a line per tenth.
    pub fn new(n: usize) -> Self {
        lab::quiet_after(3, n);
        let mut pages = Pages::default();
        pages.sums.resize(if lab::counts_only() { 0 } else { n }, 0);
        pages
    }

    /// The caller holds a page: check it, count its thread, keep its sum and print it.
    pub fn take(&mut self, page: Page) {
        self.wrong += usize::from(page.sum != cpu_work_expected(page.job.units));
        *self.threads.entry(page.thread).or_default() += 1;
        // Counting only: no sums kept, no line printed.
        if let Some(sum) = self.sums.get_mut(page.id) {
            *sum = page.sum;
            lab::arrived(page.id, format_args!("sum {}", page.sum));
        }
    }

    /// What the caller found, said and handed to the lab: how many pages, how many
    /// wrong, how busy the cores were, and each sum unless counting.
    fn findings(self, busy: Option<f64>) -> Vec<Found> {
        let threads = &self.threads;
        let wrong = self.wrong;
        let shown = busy.unwrap_or(f64::NAN);
        say!(
            "pages parsed on each thread: {threads:?}; wrong: {wrong}; cores busy {shown:.2}"
        );
        let mut found = vec![
            TASKS_RUN.of(self.threads.values().sum::<usize>()),
            WRONG.of(self.wrong),
        ];
        found.extend(busy.map(|share| BUSY.of(share)));
        if !lab::counts_only() {
            found.push(Found::Sums(self.sums));
        }
        found
    }
}

/// The measuring around a crawler's variants: what an integer costs, before the first
/// variant and again after each (the fastest kept, as the machine's speed drifts), how
/// busy the cores were while a variant ran, and its peak memory where it ran alone.
#[derive(Debug)]
pub struct Bench<'a> {
    jobs: &'a [CrawlJob],
    cores: usize,
    alone: bool,
    rates: CpuRates,
}

impl<'a> Bench<'a> {
    /// Measure the rates for `jobs` on `cores` and say what the run costs; `alone`: one
    /// variant runs in this process, so its high-water mark is its own.
    pub fn new(jobs: &'a [CrawlJob], cores: usize, alone: bool) -> Self {
        let bench = Bench {
            jobs,
            cores,
            alone,
            rates: CpuRates::measure(cores),
        };
        let n = jobs.len();
        let cpu_s = bench.cpu_s();
        let ideal_s = bench.rates.ideal(jobs);
        say!(
            "{n} tasks on {cores} cores: {cpu_s:.2} s of CPU work in all, ideal {ideal_s:.3} s"
        );
        bench
    }

    /// Run `lesson` as the variant `name`, measured, with its pages and `given` as its
    /// findings; then measure the rates again.
    pub fn run(
        &mut self,
        trace: &mut Trace,
        name: &str,
        lesson: impl FnOnce() -> Pages,
        given: impl Report,
    ) {
        let ran = trace.run(name, || {
            let meter = CpuMeter::start();
            let pages = lesson();
            let busy = meter.utilisation(lab::now(), self.cores);
            let peak = peak_rss_bytes().filter(|_| self.alone);
            let mut found = pages.findings(busy);
            found.extend(peak.map(|bytes| PEAK_RSS.of(bytes)));
            found.extend(given.findings());
            found
        });
        if ran.is_some() {
            self.rates.again();
        }
    }

    /// Every variant that ran gets the same ideal, CPU work and load slowdown, from the
    /// fastest rates measured over the whole run.
    pub fn finish(self, trace: &mut Trace) {
        let ideal_s = self.rates.ideal(self.jobs);
        let cpu_s = self.cpu_s();
        for v in &mut trace.variants {
            v.record([
                ideal(ideal_s),
                CPU_WORK.of(cpu_s),
                LOAD.of(self.rates.load_slowdown()),
            ]);
        }
    }

    /// All the jobs' CPU work at the all-cores rate.
    fn cpu_s(&self) -> f64 {
        let units: f64 = self.jobs.iter().map(|j| j.units as f64).sum();
        units * self.rates.all_cores
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_matches_the_reference_sequence() {
        // The reference implementation's first outputs for seed 1234567.
        let mut rng = SplitMix64::new(1_234_567);
        let first: Vec<u64> = (0..3).map(|_| rng.next_u64()).collect();
        assert_eq!(
            first,
            [
                6_457_827_717_110_365_317,
                3_203_168_211_198_807_973,
                9_817_491_932_198_370_423
            ]
        );
    }

    #[test]
    fn jobs_are_in_range_and_repeatable() {
        let jobs = crawl_jobs(10_000, SEED);
        assert_eq!(jobs, crawl_jobs(10_000, SEED));
        assert_eq!(crawl_jobs(3, SEED), jobs[..3]);
        assert!(jobs.iter().all(|j| (200..=1_000).contains(&j.io_ms)));
        assert!(jobs.iter().all(|j| (100_000..=500_000).contains(&j.units)));
        // Spread over the whole range, not stuck in a corner.
        let mean_io = jobs.iter().map(|j| j.io_ms).sum::<u64>() as f64 / 1e4;
        assert!((550.0..650.0).contains(&mean_io), "{mean_io}");
        assert_ne!(crawl_jobs(5, SEED + 1), jobs[..5]);
    }

    #[test]
    fn ideal_is_the_larger_bound() {
        let jobs = [
            CrawlJob {
                io_ms: 200,
                units: 1_000,
            },
            CrawlJob {
                io_ms: 1_000,
                units: 1_000,
            },
        ];
        // CPU is cheap: the slowest task (1.0 s + 1 ms) bounds it.
        assert!((crawl_ideal(&jobs, 1e-6, 2) - 1.001).abs() < 1e-9);
        // CPU is dear (1 s a job): 0.2 s + 2 s of CPU / 2 cores = 1.2 s beats 1.0 + 1.0?
        // No: the slowest task alone needs 2.0 s.
        assert!((crawl_ideal(&jobs, 1e-3, 2) - 2.0).abs() < 1e-9);
        // On one core: 0.2 + 2.0 = 2.2 s.
        assert!((crawl_ideal(&jobs, 1e-3, 1) - 2.2).abs() < 1e-9);
        assert_eq!(crawl_ideal(&[], 1e-3, 2), 0.0);
    }

    #[test]
    fn busy_rate_is_a_rate_and_cpu_time_grows_with_work() {
        let per_unit = cpu_seconds_per_unit_busy(2);
        assert!(per_unit > 0.0 && per_unit.is_finite(), "{per_unit}");
        let Some(before) = process_cpu_s() else {
            return; // no /proc here
        };
        // Computing moves the process's CPU clock on by whole ticks, never back: compute
        // until it has moved by a few ticks (bounded: a minute at the most).
        let begun = std::time::Instant::now();
        loop {
            std::hint::black_box(crate::work::cpu_work(std::hint::black_box(
                1_000_000,
            )));
            let now = process_cpu_s().expect("/proc was readable a moment ago");
            assert!(now >= before, "{before} -> {now}");
            if now - before >= 0.03 {
                break;
            }
            let waited = begun.elapsed();
            assert!(waited.as_secs() < 60, "no CPU time counted in {waited:?}");
        }
    }
}
