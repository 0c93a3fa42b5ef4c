//! # `run_in_executor`: CPU work beside an event loop
//!
//! Python: inside asyncio, `await loop.run_in_executor(ProcessPoolExecutor(), f, x)` turns
//! a CPU-bound call into an awaitable: the work runs on other cores while the event loop
//! keeps serving IO, and `asyncio.as_completed` hands the results over as they finish.
//! `asyncio.to_thread` does the same on a thread pool. Calling `f(x)` directly inside a
//! coroutine stalls the loop instead. Twin: `python/run_in_executor.py`. Chapter:
//! "run_in_executor: CPU work beside an event loop" in the book.
//!
//! Run: `cargo run --release --example run_in_executor` (`--full` for five times more CPU
//! work, `--json` for the trace, `--variant NAME` for one variant).
//!
//! Watch: everything runs on a one-thread tokio runtime, the analogue of one asyncio event
//! loop. An IO task on that loop asks for a 10 ms sleep again and again while four CPU
//! jobs run. In `inline` the jobs run on the loop itself: the ticker prints a line saying
//! it woke tens of milliseconds late, and the results arrive all at once. In `thread-pool`
//! (`spawn_blocking`) and `cpu-pool` (rayon + a oneshot channel) the jobs run on other
//! threads: no such line, as the ticker wakes at most a few milliseconds late however long
//! the work, and results arrive one by one, in the order the jobs finish (job 1, the
//! smallest, first). The trace's worst IO tick lateness says how late, in each variant.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use concurrency_pairs::lab::{self, Task};
use concurrency_pairs::work::{cpu_seconds_per_unit, cpu_work};
use concurrency_pairs::{
    Derived, Figure, Found, Headline, Pattern, Table, Text, Trace, VariantInfo,
    arrived, given,
};
use futures::stream::{FuturesUnordered, StreamExt};
use tokio::runtime::Runtime;
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};

// ANCHOR: inline
/// The naive shape: the CPU work is called inside async tasks. They never reach an
/// `.await` while they compute, so nothing else on the loop runs meanwhile.
async fn inline(sizes: &[u64]) -> Vec<u64> {
    let ticker = Ticker::start(sizes.len()).await;
    let mut jobs = JoinSet::new();
    for (id, &n) in sizes.iter().enumerate() {
        jobs.spawn(async move { cpu_job(id, n) });
    }
    let sums = take_sums(jobs, sizes.len()).await;
    ticker.stop().await;
    sums
}
// ANCHOR_END: inline

// ANCHOR: thread_pool
/// `asyncio.to_thread`'s counterpart: each job on a `spawn_blocking` thread, awaited
/// through a `JoinSet` in the order they finish.
async fn thread_pool(sizes: &[u64]) -> Vec<u64> {
    let ticker = Ticker::start(sizes.len()).await;
    let mut jobs = JoinSet::new();
    for (id, &n) in sizes.iter().enumerate() {
        jobs.spawn_blocking(move || cpu_job(id, n));
    }
    let sums = take_sums(jobs, sizes.len()).await;
    ticker.stop().await;
    sums
}
// ANCHOR_END: thread_pool

// ANCHOR: take_sums
/// Each job's sum as its job finishes (`join_next` yields them in completion order).
async fn take_sums(mut jobs: JoinSet<(usize, u64)>, n: usize) -> Vec<u64> {
    let mut sums = vec![0; n];
    while let Some(joined) = jobs.join_next().await {
        let (id, sum) = joined.expect("a CPU job does not panic");
        arrived(id, format_args!("sum {sum}"));
        sums[id] = sum;
    }
    sums
}
// ANCHOR_END: take_sums

// ANCHOR: cpu_pool
/// `run_in_executor(ProcessPoolExecutor(), ...)`'s counterpart: each job goes to
/// rayon's pool (one thread per core) and sends its result down a oneshot channel;
/// the loop awaits the receivers in the order they are fulfilled.
async fn cpu_pool(sizes: &[u64]) -> Vec<u64> {
    let ticker = Ticker::start(sizes.len()).await;
    let mut pending = FuturesUnordered::new();
    for (id, &n) in sizes.iter().enumerate() {
        let (tx, rx) = oneshot::channel();
        rayon::spawn(move || {
            // If the receiver is gone no one wants the result: nothing to do.
            let _ = tx.send(cpu_job(id, n));
        });
        pending.push(rx);
    }
    let mut sums = vec![0; sizes.len()];
    while let Some(result) = pending.next().await {
        let (id, sum) = result.expect("a rayon job sends before it ends");
        arrived(id, format_args!("sum {sum}"));
        sums[id] = sum;
    }
    ticker.stop().await;
    sums
}
// ANCHOR_END: cpu_pool

// ANCHOR: cpu_job
/// One CPU job: sum `n` integers (timed as task `id`, on whichever thread runs it).
fn cpu_job(id: usize, n: u64) -> (usize, u64) {
    (id, Task::new(id).kind("cpu").run(|| cpu_work(n)))
}
// ANCHOR_END: cpu_job

// ANCHOR: runtimes
/// One thread runs every async task: the analogue of one asyncio event loop.
/// `spawn_blocking` threads are extra threads beside it, named here so lanes read
/// well, and rayon's global pool has one thread per core.
fn runtimes() -> Runtime {
    let blocking_threads = AtomicUsize::new(0);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .thread_name_fn(move || {
            let n = blocking_threads.fetch_add(1, Ordering::Relaxed);
            format!("blocking-{n}")
        })
        .build()
        .expect("a current-thread tokio runtime starts");
    rayon::ThreadPoolBuilder::new()
        .thread_name(|i| format!("rayon-{i}"))
        .build_global()
        .expect("the global rayon pool is configured once, before first use");
    runtime
}
// ANCHOR_END: runtimes

// ANCHOR: ticker
/// The IO side of the program: an async task on the loop that sleeps 10 ms over and
/// over until told to stop, each tick an `io` task of its own. A tick that wakes more
/// than a whole tick late says so at once.
async fn tick(first_id: usize, stop: Arc<AtomicBool>) {
    let mut id = first_id;
    while !stop.load(Ordering::Relaxed) {
        let asked = Instant::now();
        let io = Task::new(id).lane("ticker").kind("io");
        io.run_async(tokio::time::sleep(TICK)).await;
        let late = asked.elapsed().saturating_sub(TICK);
        if late > TICK {
            let late = late.as_millis();
            let tick = TICK.as_millis();
            lab::note(format_args!(
                "io tick woke {late} ms late (it asked for {tick} ms)"
            ));
        }
        id += 1;
    }
}

/// The ticker running on the loop, and the switch that stops it.
struct Ticker {
    stop: Arc<AtomicBool>,
    handle: JoinHandle<()>,
}

impl Ticker {
    /// Spawn the ticker on the loop (ids after the CPU jobs' ids) and let it begin
    /// its first sleep before the caller goes on.
    async fn start(first_id: usize) -> Ticker {
        let stop = Arc::new(AtomicBool::new(false));
        let handle = tokio::spawn(tick(first_id, Arc::clone(&stop)));
        tokio::task::yield_now().await;
        Ticker { stop, handle }
    }

    /// Stop the ticker. Not `abort`: it ends after its current sleep, so the tick in
    /// flight (the one that shows a stall) is recorded.
    async fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        self.handle.await.expect("the ticker does not panic");
    }
}
// ANCHOR_END: ticker

const IO_TICKS: Figure =
    Figure::count("io_ticks", "IO ticks").derived(Derived::OfKind(Text("io")));
const IO_LATE: Figure = Figure::seconds("io_max_late_s", "worst IO tick lateness")
    .derived(Derived::Overrun {
        kind: Text("io"),
        nominal: Text("tick_s"),
    });

const PATTERN: Pattern = Pattern::new(
    "run_in_executor",
    "CPU work inline, on spawn_blocking threads or on rayon, while an IO task runs on the loop",
)
.variants(&[
    VariantInfo::both("inline", "cpu_work called inside async tasks on the loop"),
    VariantInfo::both("thread-pool", "tokio spawn_blocking, JoinSet::join_next"),
    VariantInfo::both("cpu-pool", "rayon::spawn + tokio oneshot, FuturesUnordered"),
])
.headline(Headline::new(IO_LATE, "cpu-pool", "inline"))
.tables(&[Table::new(
    "Does the loop keep serving IO while the CPU works?",
    &[IO_LATE, IO_TICKS],
)]);

/// Job `i` sums `SIZES[i] * unit` integers: four sizes, submitted out of order.
const SIZES: [u64; 4] = [2, 1, 3, 4];
const DEFAULT_UNIT: u64 = 10_000_000;
const FULL_UNIT: u64 = 50_000_000;
/// How long the IO task asks to sleep each time.
const TICK: Duration = Duration::from_millis(10);

fn main() {
    let options = PATTERN.parse();
    let unit = if options.full {
        FULL_UNIT
    } else {
        DEFAULT_UNIT
    };
    let sizes: Vec<u64> = SIZES.iter().map(|s| s * unit).collect();

    // Each job's size and sum (by job id), so tests can check the values.
    let findings = |sums: Vec<u64>| {
        [
            Found::Sizes(sizes.clone()),
            Found::Sums(sums),
            given("tick_s", TICK),
        ]
    };

    let runtime = runtimes();
    let mut trace = Trace::new(&PATTERN, &options);
    trace.run("inline", || findings(runtime.block_on(inline(&sizes))));
    trace.run("thread-pool", || {
        findings(runtime.block_on(thread_pool(&sizes)))
    });
    trace.run("cpu-pool", || findings(runtime.block_on(cpu_pool(&sizes))));
    // The ideal: the largest job alone, or all the work spread over every core, at
    // the fastest rate this run saw (the machine's speed drifts).
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    let largest = sizes.iter().copied().max().unwrap_or(0) as f64;
    let total = sizes.iter().sum::<u64>() as f64;
    trace.set_ideals_from_rate(cpu_seconds_per_unit(), |_, per_unit| {
        Some((largest * per_unit).max(total * per_unit / cores))
    });
    trace.finish(&options);
}
