//! # `start_costs`: what a thread, or a process, per task costs
//!
//! Python: an `asyncio` task is cheap where a `threading.Thread` is not, and "starting a
//! new process is considered more expensive" still (the scheduler article). What does an
//! OS thread per task cost, in time and memory? Twin: `python/start_costs.py`, which also
//! starts a process per task (forked or spawned) against a pool worker already running.
//! Chapter: "runtimes" in the book (`book/src/runtimes.md`), beside the async tasks of the
//! `runtimes` example.
//!
//! Run: `cargo run --release --example start_costs` (`--tasks N`, 1,000 by default and
//! 10,000, the most, with `--full`; `--json` prints the trace; `--variant os-threads` is
//! the one Rust variant). A memory pass (N threads alive at once behind a gate), then a
//! time pass (start and join N threads that do nothing). For the memory figure, a fresh
//! process per N: `cargo xtask sweep`.
//!
//! Watch: an OS thread costs tens of microseconds and kilobytes (more in the kernel, not
//! counted here): far more than the async tasks of `runtimes`.

use std::sync::{Arc, Barrier};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use concurrency_pairs::lab::Task as Timed;
use concurrency_pairs::work::rss_bytes;
use concurrency_pairs::{
    Figure, Found, Headline, Pattern, Sweep, Table, Text, Trace, VariantInfo,
    arrived, say,
};

// ANCHOR: threads
/// The time pass: start `n` threads that do nothing but return 1, then join them all,
/// adding up what they return. How long, and how many completed.
fn time_pass(n: usize) -> (Duration, usize) {
    let start = Instant::now();
    let threads: Vec<JoinHandle<usize>> =
        (0..n).map(|_| thread::spawn(|| 1)).collect();
    let done = threads.into_iter().map(join).sum();
    (start.elapsed(), done)
}

/// The memory pass: `n` threads alive at once. Each says it has arrived, then waits
/// at the gate; both are barriers of the `n` threads and this one. Gives the growth
/// of resident memory with all alive (`None` without `/proc`), and how many ended.
fn memory_pass(n: usize) -> (Option<u64>, usize) {
    let all_arrived = Arc::new(Barrier::new(n + 1));
    let gate = Arc::new(Barrier::new(n + 1));
    let before = rss_bytes();
    let threads: Vec<JoinHandle<usize>> = (0..n)
        .map(|_| {
            let all_arrived = Arc::clone(&all_arrived);
            let gate = Arc::clone(&gate);
            thread::spawn(move || {
                all_arrived.wait();
                gate.wait();
                1
            })
        })
        .collect();
    all_arrived.wait(); // every thread has started and holds its stack
    let alive = rss_bytes();
    gate.wait();
    let done = threads.into_iter().map(join).sum();
    (before.zip(alive).map(|(b, a)| a.saturating_sub(b)), done)
}

fn join(thread: JoinHandle<usize>) -> usize {
    thread.join().expect("the thread does not panic")
}
// ANCHOR_END: threads

const PER_TASK: Figure = Figure::seconds("task_s", "per task");
const MEMORY: Figure = Figure::bytes("task_bytes", "memory per task");
const COMPLETED: Figure = Figure::count("completed", "completed");

/// The most OS threads, far below the limits shared by the whole machine (see Pitfalls).
const THREAD_CAP: usize = 10_000;
/// The sweep's N (the first rows of the `runtimes` ladder), a fresh process per N.
const LADDER: [u64; 2] = [1_000, 10_000];

const PATTERN: Pattern = Pattern::new(
    "start_costs",
    "what a thread, or a process, per task costs, against a pool worker already running",
)
.variants(&[
    VariantInfo::both("os-threads", "std::thread::spawn + JoinHandle::join"),
    VariantInfo::python("process-fork"),
    VariantInfo::python("process-spawn"),
    VariantInfo::python("pool-worker"),
])
.headline(Headline::new(PER_TASK, "os-threads", "process-fork"))
.tables(&[
    Table::new("What does one task cost?", &[PER_TASK, MEMORY]),
    Table::new("Did every task run to its end?", &[COMPLETED]),
])
.sweep(
    Sweep::new(&LADDER, &[Text("os-threads")])
        .figures(&[PER_TASK, MEMORY])
        .caps(&[(Text("os-threads"), THREAD_CAP as u64)]),
)
.with_tasks();

fn main() {
    let options = PATTERN.parse();
    let default_n = if options.full { THREAD_CAP } else { 1_000 };
    let n = options.tasks.unwrap_or(default_n);
    if n > THREAD_CAP {
        let why = format!("`--tasks {n}`: at most {THREAD_CAP} OS threads");
        eprintln!("start_costs: error: {why} (try --help)");
        std::process::exit(2);
    }
    say!("What one OS thread costs, N = {n}: a memory pass, then a time pass.");
    let mut trace = Trace::sized(&PATTERN, &options, n);
    trace.run("os-threads", || measure(n));
    trace.finish(&options);
}

/// The variant: a warm-up, then the memory pass and the time pass, each one task in the
/// variant's lane.
fn measure(n: usize) -> Vec<Found> {
    let lane = "os-threads";
    time_pass(1); // warm-up: the first thread's setup is not charged to the tasks
    let (grown, alive) = Timed::new(0).lane(lane).run(|| memory_pass(n));
    let bytes = grown.map(|b| b as f64 / n as f64);
    let each =
        bytes.map_or_else(|| "? (no /proc)".to_owned(), |b| format!("{b:.0} B"));
    arrived(0, format_args!("{n} alive at once: {each} each"));
    let (elapsed, done) = Timed::new(1).lane(lane).run(|| time_pass(n));
    let seconds = elapsed.as_secs_f64() / n as f64;
    let micros = seconds * 1e6;
    arrived(
        1,
        format_args!("{n} started and joined: {micros:.1} µs each"),
    );
    let mut found = vec![PER_TASK.of(seconds), COMPLETED.of(alive.min(done))];
    found.extend(bytes.map(|b| MEMORY.of(b)));
    found
}
