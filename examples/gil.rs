//! # `gil`: what the GIL does, and what Rust has instead
//!
//! Python: CPU-bound jobs on `threading` threads take as long as on one thread, because
//! only the thread holding the global interpreter lock (GIL) runs Python code; on
//! processes they run in parallel. And a read-modify-write on a counter shared by two
//! threads loses updates although the GIL is there: it guards the interpreter's data, not
//! the program's. Twin: `python/gil.py`. Chapter: "gil" in the book.
//!
//! Rust has no GIL: the same jobs on threads run on every core at once. The racy counter
//! does not compile (`Send` and `Sync`, in `src/gil.rs`); a `Mutex` or an atomic shares it.
//!
//! Run: `cargo run --release --example gil` (`--full`: longer jobs, more increments;
//! `--json`: the trace; `--variant NAME`: one variant).
//!
//! Watch: `threads` prints a speed-up over `one-worker` near the number of cores, and
//! CPU time ÷ (wall × cores) near 1 (every core busy); `lock` and `atomic` end with every
//! increment counted.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::thread;

use concurrency_pairs::crawl::CpuMeter;
use concurrency_pairs::work::{cpu_seconds_per_unit, cpu_work};
use concurrency_pairs::{
    Figure, Found, Headline, Pattern, Table, Trace, VariantInfo, arrived, given, lab,
    say, task,
};

// ANCHOR: one_worker
/// Every job, one after another, on this thread: the time to beat.
fn one_worker(sizes: &[u64]) -> Vec<u64> {
    let mut sums = Vec::new();
    for (id, &n) in sizes.iter().enumerate() {
        let sum = task(id, || cpu_work(n));
        arrived(id, format!("sum {sum}"));
        sums.push(sum);
    }
    sums
}
// ANCHOR_END: one_worker

// ANCHOR: threads
/// The same jobs, a thread each. Nothing makes a thread wait for another: each
/// runs on a core of its own, at the same time as the rest.
fn on_threads(sizes: &[u64]) -> Vec<u64> {
    thread::scope(|s| {
        let handles: Vec<_> = sizes
            .iter()
            .enumerate()
            .map(|(id, &n)| s.spawn(move || task(id, || cpu_work(n))))
            .collect();
        let joined = handles.into_iter().enumerate().map(|(id, handle)| {
            let sum = handle.join().expect("a job does not panic");
            arrived(id, format!("sum {sum}"));
            sum
        });
        joined.collect()
    })
}
// ANCHOR_END: threads

// ANCHOR: lock
/// Python's read-modify-write under a `Mutex`: the lock is held from the read
/// to the write, so the other thread cannot run in between, and no update is
/// lost.
fn count_with_lock(threads: usize, times: u64) -> u64 {
    let counter = Mutex::new(0_u64);
    on_each_thread(threads, times, || {
        let mut n = counter.lock().expect("no thread panics holding the lock");
        let x = *n; // read
        thread::yield_now(); // let the other thread run: it waits for the lock
        *n = x + 1; // write back
    });
    counter
        .into_inner()
        .expect("no thread panicked holding the lock")
}
// ANCHOR_END: lock

// ANCHOR: atomic
/// An atomic integer: read, add and write are one indivisible instruction.
fn count_with_atomic(threads: usize, times: u64) -> u64 {
    let counter = AtomicU64::new(0);
    on_each_thread(threads, times, || {
        counter.fetch_add(1, Relaxed);
    });
    counter.into_inner()
}
// ANCHOR_END: atomic

// ANCHOR: on_each_thread
/// Call `add_one` `times` times on each of `threads` threads at once. Every
/// thread shares the one closure, so it must be `Sync`: the compiler checks
/// that for us.
fn on_each_thread(threads: usize, times: u64, add_one: impl Fn() + Sync) {
    let add_one = &add_one;
    thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|id| {
                s.spawn(move || task(id, || (0..times).for_each(|_| add_one())))
            })
            .collect();
        for (id, handle) in handles.into_iter().enumerate() {
            handle.join().expect("a counting thread does not panic");
            arrived(id, format!("{times} increments"));
        }
    });
}
// ANCHOR_END: on_each_thread

const WORKERS: Figure = Figure::count("workers", "workers");
const SPEEDUP: Figure = Figure::ratio("speedup", "speed-up over one worker");
const CPU_BUSY: Figure =
    Figure::ratio("cpu_utilisation", "CPU time ÷ (wall × cores)");
const GIL_ENABLED: Figure = Figure::count("gil_enabled", "GIL on");
const INCREMENTS: Figure = Figure::count("increments", "increments");
const FINAL_VALUE: Figure = Figure::count("final_value", "final value");
const LOST: Figure = Figure::count("lost_updates", "lost updates");

const PATTERN: Pattern = Pattern::new(
    "gil",
    "CPU-bound jobs on threads run in parallel; a racy counter does not compile",
)
.variants(&[
    VariantInfo::both("one-worker", "one thread, the jobs in turn"),
    VariantInfo::both("threads", "std::thread::scope, a thread per job"),
    VariantInfo::python("processes"),
    VariantInfo::python("race"),
    VariantInfo::both("lock", "Mutex<u64>: read, yield_now, write under the lock"),
    VariantInfo::rust("atomic", "AtomicU64::fetch_add"),
])
.headline(Headline::alone(SPEEDUP, "threads"))
.tables(&[
    Table::new(
        "Do the jobs run in parallel on threads?",
        &[WORKERS, SPEEDUP, CPU_BUSY, GIL_ENABLED],
    ),
    Table::new(
        "Does a counter shared by two threads lose updates?",
        &[INCREMENTS, FINAL_VALUE, LOST],
    ),
]);

/// Seconds of one core's work per job, and increments per counting thread.
const DEFAULT: (f64, u64) = (0.2, 5_000);
const FULL: (f64, u64) = (1.0, 100_000);
/// The counting variants run on two threads, as the race needs no more.
const COUNTING_THREADS: usize = 2;
/// A counting lesson: threads and increments per thread in, the final count out.
type Counter = fn(usize, u64) -> u64;

fn main() {
    let options = PATTERN.parse();
    let (job_s, times) = if options.full { FULL } else { DEFAULT };
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    // One job a core, each `job_s` of work on one core of this machine, measured.
    let per_unit = cpu_seconds_per_unit();
    let sizes = vec![(job_s / per_unit) as u64; cores];
    let mut trace = Trace::new(&PATTERN, &options);
    let mut one_worker_s = None;
    for (name, workers) in [("one-worker", 1), ("threads", cores)] {
        trace.run(name, || {
            let meter = CpuMeter::start();
            let sums = match workers {
                1 => one_worker(&sizes),
                _ => on_threads(&sizes),
            };
            let wall_s = lab::now(); // the variant's wall time: its lesson just returned
            one_worker_s = one_worker_s.or((workers == 1).then_some(wall_s));
            let speedup = one_worker_s.map(|one| one / wall_s);
            let busy = meter.utilisation(wall_s, cores);
            let shown = speedup.map_or("-".to_owned(), |x| format!("{x:.2}x"));
            let busy_shown = busy.map_or("-".to_owned(), |x| format!("{x:.2}"));
            say!("  speed-up over one worker: {shown}; CPU time / (wall x cores): {busy_shown}");
            let mut found = vec![
                WORKERS.of(workers),
                Found::Sizes(sizes.clone()),
                Found::Sums(sums),
            ];
            found.extend(speedup.map(|x| SPEEDUP.of(x)));
            found.extend(busy.map(|x| CPU_BUSY.of(x)));
            found
        });
    }
    // The ideal: all the work spread over the workers, at the fastest rate seen.
    let units = sizes.iter().sum::<u64>() as f64;
    trace.set_ideals_from_rate(per_unit, |v, per_unit| {
        let workers = v.figures.get(WORKERS.key.0).filter(|_| v.sizes.is_some())?;
        Some(units * per_unit / workers)
    });
    let counting: [(&str, Counter); 2] =
        [("lock", count_with_lock), ("atomic", count_with_atomic)];
    for (name, count) in counting {
        trace.run(name, || {
            let final_value = count(COUNTING_THREADS, times);
            let increments = COUNTING_THREADS as u64 * times;
            say!("  {final_value} of {increments} increments counted");
            [
                INCREMENTS.of(increments),
                FINAL_VALUE.of(final_value),
                LOST.of(increments.saturating_sub(final_value)),
                given("threads", COUNTING_THREADS),
                given("per_thread", times),
            ]
        });
    }
    trace.finish(&options);
}
