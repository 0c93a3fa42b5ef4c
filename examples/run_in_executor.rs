//! # `run_in_executor`: CPU work beside an event loop
//!
//! Python: inside asyncio, `await loop.run_in_executor(ProcessPoolExecutor(), f, x)` turns
//! a CPU-bound call into an awaitable: the work runs on other cores while the event loop
//! keeps serving IO, and `asyncio.as_completed` hands the results over as they finish.
//! `asyncio.to_thread` does the same on a thread pool. Calling `f(x)` directly inside a
//! coroutine stalls the loop instead. Twin: `python/run_in_executor.py`.
//!
//! Run: `cargo run --release --example run_in_executor` (`--full` for five times more CPU
//! work, `--json` for the trace).
//!
//! Watch: everything runs on a one-thread tokio runtime, the analogue of one asyncio event
//! loop. An IO task on that loop asks for a 10 ms sleep again and again while four CPU
//! jobs run. In `inline` the jobs run on the loop itself: the ticker prints a line saying
//! it woke tens of milliseconds late, and the results arrive all at once. In `thread-pool`
//! (`spawn_blocking`) and `cpu-pool` (rayon + a oneshot channel) the jobs run on other
//! threads: the ticker wakes at most a few milliseconds late, however long the work, and
//! results arrive one by one, in the order the jobs finish (job 1, the smallest, first).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use concurrency_pairs::work::{cpu_seconds_per_unit, cpu_work, cpu_work_expected};
use concurrency_pairs::{Cli, Clock, Recorder, TaskSpan, Trace, Variant, say};
use futures::stream::{FuturesUnordered, StreamExt};
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};

const CLI: Cli = Cli::new(
    "run_in_executor",
    "CPU work inline, on spawn_blocking threads or on rayon, while an IO task runs on the loop",
);

/// Job `i` sums `SIZES[i] * unit` integers: four sizes, submitted out of order.
const SIZES: [u64; 4] = [2, 1, 3, 4];
const DEFAULT_UNIT: u64 = 10_000_000;
const FULL_UNIT: u64 = 50_000_000;
/// How long the IO task asks to sleep each time.
const TICK: Duration = Duration::from_millis(10);

fn main() {
    let options = CLI.parse();
    let unit = if options.full {
        FULL_UNIT
    } else {
        DEFAULT_UNIT
    };
    let sizes: Vec<u64> = SIZES.iter().map(|s| s * unit).collect();

    // The ideal: the largest job alone, or all the work spread over every core.
    let per_unit = cpu_seconds_per_unit();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let largest = sizes.iter().copied().max().unwrap_or(0) as f64 * per_unit;
    let total = sizes.iter().sum::<u64>() as f64 * per_unit;
    let ideal = largest.max(total / cores as f64);

    // ANCHOR: runtimes
    // One thread runs every async task: the analogue of one asyncio event loop.
    // `spawn_blocking` threads are extra threads beside it, named here so lanes read well.
    let blocking_threads = AtomicUsize::new(0);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .thread_name_fn(move || {
            format!(
                "blocking-{}",
                blocking_threads.fetch_add(1, Ordering::Relaxed)
            )
        })
        .build()
        .expect("a current-thread tokio runtime starts");
    // rayon's global pool: one thread per core.
    rayon::ThreadPoolBuilder::new()
        .thread_name(|i| format!("rayon-{i}"))
        .build_global()
        .expect("the global rayon pool is configured once, before first use");
    // ANCHOR_END: runtimes

    let mut trace = Trace::new("run_in_executor", &options);
    for mut variant in [
        runtime.block_on(inline(&sizes)),
        runtime.block_on(thread_pool(&sizes)),
        runtime.block_on(cpu_pool(&sizes)),
    ] {
        variant.ideal_s = Some(ideal);
        trace.push(variant);
    }
    trace.finish(&options);
}

/// One CPU job, timed: returns the sum and where and when it ran.
fn cpu_job(clock: Clock, id: usize, n: u64) -> (u64, TaskSpan) {
    let (sum, span) = clock.span(id, || cpu_work(n));
    (sum, span.with_kind("cpu"))
}

/// The caller holds job `span.id`'s result: keep the sum for the trace, and record it.
fn receive(rec: &mut Recorder, sums: &mut [u64], (sum, span): (u64, TaskSpan)) {
    sums[span.id] = sum;
    rec.receive(span, format_args!("sum {sum}"));
}

/// Put each job's size and sum in the trace (by job id), so tests can check the values,
/// and stop the clock.
fn finish(mut rec: Recorder, sizes: &[u64], sums: &[u64]) -> Variant {
    let wrong = sizes
        .iter()
        .zip(sums)
        .filter(|&(&n, &sum)| sum != cpu_work_expected(n))
        .count();
    if wrong > 0 {
        rec.say(format_args!("{wrong} CPU results are wrong"));
    }
    rec.note("sizes", sizes);
    rec.note("sums", sums);
    rec.finish()
}

// ANCHOR: ticker
/// The IO side of the program: an async task on the loop that sleeps 10 ms over and over
/// until told to stop. Each tick is an `io` span; one that wakes more than a whole tick
/// late says so at once.
async fn tick(clock: Clock, first_id: usize, stop: Arc<AtomicBool>) -> Vec<TaskSpan> {
    let mut ticks = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let start_s = clock.now();
        tokio::time::sleep(TICK).await;
        let end_s = clock.now();
        let late = end_s - start_s - TICK.as_secs_f64();
        if late > TICK.as_secs_f64() {
            say!(
                "[{end_s:7.3}s] io tick woke {:.0} ms late (it asked for {} ms)",
                late * 1e3,
                TICK.as_millis()
            );
        }
        let id = first_id + ticks.len();
        ticks.push(TaskSpan::new(id, "ticker", start_s, end_s).with_kind("io"));
    }
    ticks
}

/// The ticker running on the loop, and the switch that stops it.
struct Ticker {
    stop: Arc<AtomicBool>,
    handle: JoinHandle<Vec<TaskSpan>>,
}

impl Ticker {
    /// Spawn the ticker on the loop (ids after the CPU jobs' ids) and let it begin its
    /// first sleep before the caller goes on.
    async fn start(clock: Clock, first_id: usize) -> Ticker {
        let stop = Arc::new(AtomicBool::new(false));
        let handle = tokio::spawn(tick(clock, first_id, Arc::clone(&stop)));
        tokio::task::yield_now().await;
        Ticker { stop, handle }
    }

    /// Stop the ticker (it ends after its current sleep), record its ticks and note how
    /// many there were and the worst lateness.
    async fn stop(self, rec: &mut Recorder) {
        self.stop.store(true, Ordering::Relaxed);
        let ticks = self.handle.await.expect("the ticker does not panic");
        let worst = ticks
            .iter()
            .map(|t| t.end_s - t.start_s - TICK.as_secs_f64())
            .fold(0.0, f64::max);
        let over = ticks.last().map_or(0.0, |t| t.end_s) - ticks.first().map_or(0.0, |t| t.start_s);
        rec.say(format_args!(
            "io ticker: {} ticks in {over:.3}s (it asked for one every {} ms), worst {:.1} ms late",
            ticks.len(),
            TICK.as_millis(),
            worst * 1e3
        ));
        rec.note("io_ticks", ticks.len());
        rec.note("io_max_late_ms", (worst * 1e4).round() / 10.0);
        for span in ticks {
            rec.record(span);
        }
    }
}
// ANCHOR_END: ticker

// ANCHOR: inline
/// The naive shape: the CPU work is called inside async tasks. They never reach an
/// `.await` while they compute, so nothing else on the loop runs meanwhile.
async fn inline(sizes: &[u64]) -> Variant {
    let mut rec = Recorder::new("inline", "cpu_work called inside async tasks on the loop");
    let clock = rec.clock();
    let ticker = Ticker::start(clock, sizes.len()).await;
    let mut jobs = JoinSet::new();
    for (id, &n) in sizes.iter().enumerate() {
        jobs.spawn(async move { cpu_job(clock, id, n) });
    }
    let mut sums = vec![0; sizes.len()];
    while let Some(joined) = jobs.join_next().await {
        receive(
            &mut rec,
            &mut sums,
            joined.expect("a CPU job does not panic"),
        );
    }
    ticker.stop(&mut rec).await;
    finish(rec, sizes, &sums)
}
// ANCHOR_END: inline

// ANCHOR: thread_pool
/// `asyncio.to_thread`'s counterpart: each job on a `spawn_blocking` thread, awaited
/// through a `JoinSet` in the order they finish.
async fn thread_pool(sizes: &[u64]) -> Variant {
    let mut rec = Recorder::new("thread-pool", "tokio spawn_blocking, JoinSet::join_next");
    let clock = rec.clock();
    let ticker = Ticker::start(clock, sizes.len()).await;
    let mut jobs = JoinSet::new();
    for (id, &n) in sizes.iter().enumerate() {
        jobs.spawn_blocking(move || cpu_job(clock, id, n));
    }
    let mut sums = vec![0; sizes.len()];
    while let Some(joined) = jobs.join_next().await {
        receive(
            &mut rec,
            &mut sums,
            joined.expect("a CPU job does not panic"),
        );
    }
    ticker.stop(&mut rec).await;
    finish(rec, sizes, &sums)
}
// ANCHOR_END: thread_pool

// ANCHOR: cpu_pool
/// `run_in_executor(ProcessPoolExecutor(), ...)`'s counterpart: each job goes to rayon's
/// pool (one thread per core) and sends its result down a oneshot channel; the loop awaits
/// the receivers in the order they are fulfilled.
async fn cpu_pool(sizes: &[u64]) -> Variant {
    let mut rec = Recorder::new("cpu-pool", "rayon::spawn + tokio oneshot, FuturesUnordered");
    let clock = rec.clock();
    let ticker = Ticker::start(clock, sizes.len()).await;
    let mut pending = FuturesUnordered::new();
    for (id, &n) in sizes.iter().enumerate() {
        let (tx, rx) = oneshot::channel();
        rayon::spawn(move || {
            // If the receiver is gone no one wants the result: nothing to do.
            let _ = tx.send(cpu_job(clock, id, n));
        });
        pending.push(rx);
    }
    let mut sums = vec![0; sizes.len()];
    while let Some(result) = pending.next().await {
        receive(
            &mut rec,
            &mut sums,
            result.expect("a rayon job sends before it ends"),
        );
    }
    ticker.stop(&mut rec).await;
    finish(rec, sizes, &sums)
}
// ANCHOR_END: cpu_pool
