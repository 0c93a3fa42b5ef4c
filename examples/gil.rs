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
use concurrency_pairs::{Cli, Trace, arrived, say, task};

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
            .map(|id| s.spawn(move || task(id, || (0..times).for_each(|_| add_one()))))
            .collect();
        for (id, handle) in handles.into_iter().enumerate() {
            handle.join().expect("a counting thread does not panic");
            arrived(id, format!("{times} increments"));
        }
    });
}
// ANCHOR_END: on_each_thread

const CLI: Cli = Cli::new(
    "gil",
    "CPU-bound jobs on threads run in parallel; a racy counter does not compile",
)
.with_variants(&["one-worker", "threads", "lock", "atomic"]);
/// Seconds of one core's work per job, and increments per counting thread.
const DEFAULT: (f64, u64) = (0.2, 5_000);
const FULL: (f64, u64) = (1.0, 100_000);
/// The counting variants run on two threads, as the race needs no more.
const COUNTING_THREADS: usize = 2;
/// A counting lesson: threads and increments per thread in, the final count out.
type Counter = fn(usize, u64) -> u64;

fn main() {
    let options = CLI.parse();
    let (job_s, times) = if options.full { FULL } else { DEFAULT };
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    // One job a core, each `job_s` of work on one core of this machine, measured.
    let per_unit = cpu_seconds_per_unit();
    let sizes = vec![(job_s / per_unit) as u64; cores];
    let total_s: f64 = sizes.iter().map(|&n| n as f64 * per_unit).sum();
    let mut trace = Trace::new("gil", &options);
    let mut one_worker_s = None;
    let job_variants = [
        ("one-worker", "one thread, the jobs in turn", 1),
        ("threads", "std::thread::scope, a thread per job", cores),
    ];
    for (name, uses, workers) in job_variants {
        let meter = CpuMeter::start();
        let lesson = || match workers {
            1 => one_worker(&sizes),
            _ => on_threads(&sizes),
        };
        let Some((sums, v)) = trace.run(name, uses, lesson) else {
            continue;
        };
        one_worker_s = one_worker_s.or((workers == 1).then_some(v.wall_s));
        let f = &mut v.figures;
        f.workers = Some(workers as f64);
        f.cpu_utilisation = meter.utilisation(v.wall_s, cores);
        f.speedup = one_worker_s.map(|one| one / v.wall_s);
        (f.sizes, f.sums) = (Some(sizes.clone()), Some(sums));
        v.ideal_s = Some(total_s / workers as f64);
        let speedup = f.speedup.map_or("-".to_owned(), |x| format!("{x:.2}x"));
        let busy = f
            .cpu_utilisation
            .map_or("-".to_owned(), |x| format!("{x:.2}"));
        say!("  speed-up over one worker: {speedup}; CPU time / (wall x cores): {busy}");
    }
    let counting: [(&str, &str, Counter); 2] = [
        (
            "lock",
            "Mutex<u64>: read, yield_now, write under the lock",
            count_with_lock,
        ),
        ("atomic", "AtomicU64::fetch_add", count_with_atomic),
    ];
    for (name, uses, count) in counting {
        let lesson = || count(COUNTING_THREADS, times);
        let Some((final_value, v)) = trace.run(name, uses, lesson) else {
            continue;
        };
        let increments = COUNTING_THREADS as u64 * times;
        let f = &mut v.figures;
        (f.increments, f.final_value) = (Some(increments as f64), Some(final_value as f64));
        f.lost_updates = Some(increments.saturating_sub(final_value) as f64);
        say!("  {final_value} of {increments} increments counted");
    }
    trace.finish(&options);
}
