//! # `sync_primitives`: Lock and Semaphore
//!
//! Python: `threading` and `multiprocessing` both offer `Lock`, `Semaphore` (at most N
//! holders at once), `Condition` (wait until a predicate holds) and `Barrier`, with the
//! same API. Twin: `python/sync_primitives.py`. Chapter: "sync_primitives: Lock,
//! Semaphore, Condition, Barrier" in the book, which also shows `condition` (a bounded
//! queue on a `Condvar`, and a `Barrier`); two locks and a deadlock are `deadlock`.
//!
//! Run: `cargo run --release --example sync_primitives` (`--full` makes every duration
//! five times longer, `--json` prints the trace, `--variant NAME` runs one variant).
//!
//! Watch:
//! - `mutex`: four workers append to a log that only the lock's guard can reach;
//! - `semaphore`: six tasks, two permits: results arrive two by two, 0.2 s apart, and the
//!   line `peak concurrency 2 (limit 2)` never says more.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use concurrency_pairs::work::sleep_s;
use concurrency_pairs::{
    Figure, Headline, Pattern, Table, Trace, VariantInfo, arrived, given, ideal, lab,
    task, task_async,
};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

// ANCHOR: mutex
/// The lock owns what it guards: the log is reachable only through the guard, so
/// "forgot to take the lock" does not compile. Returns the log's number of entries.
fn mutex(workers: usize, rounds: usize, step_s: f64) -> usize {
    let log: Mutex<Vec<(usize, usize)>> = Mutex::new(Vec::new());
    thread::scope(|s| {
        let log = &log;
        let handles: Vec<_> = (0..workers)
            .map(|id| {
                s.spawn(move || {
                    task(id, || {
                        for round in 0..rounds {
                            sleep_s(step_s); // work done outside the lock
                            let mut entries =
                                log.lock().expect("no worker panics holding it");
                            entries.push((id, round)); // the guard is the only way in
                        } // the guard is dropped at the end of each round: unlocked
                    })
                })
            })
            .collect();
        for (id, handle) in handles.into_iter().enumerate() {
            handle.join().expect("a worker does not panic");
            arrived(id, format_args!("{rounds} entries appended"));
        }
    });
    let log = log.into_inner().expect("no worker panicked holding it");
    lab::note(format_args!("the log holds {} entries", log.len()));
    log.len()
}
// ANCHOR_END: mutex

// ANCHOR: semaphore
/// At most `permits` of the tasks sleep at once. Two counters check it: how many
/// tasks hold a permit right now, and the most that ever did, which is returned.
async fn semaphore(tasks: usize, permits: usize, task_s: f64) -> usize {
    let semaphore = Arc::new(Semaphore::new(permits));
    let (inside, peak) =
        (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let mut set = JoinSet::new();
    for id in 0..tasks {
        let (semaphore, inside, peak) =
            (semaphore.clone(), inside.clone(), peak.clone());
        set.spawn(async move {
            let _permit = semaphore.acquire().await.expect("never closed");
            let now = inside.fetch_add(1, SeqCst) + 1;
            peak.fetch_max(now, SeqCst);
            task_async(id, tokio::time::sleep(Duration::from_secs_f64(task_s))).await;
            inside.fetch_sub(1, SeqCst);
            (id, now)
        }); // the permit is released when `_permit` drops, at the end of the task
    }
    while let Some(done) = set.join_next().await {
        let (id, now) = done.expect("a task does not panic");
        arrived(id, format_args!("{now} holding a permit as it started"));
    }
    let peak = peak.load(SeqCst);
    lab::note(format_args!("peak concurrency {peak} (limit {permits})"));
    peak
}
// ANCHOR_END: semaphore

const ENTRIES: Figure = Figure::count("entries", "log entries");
const PEAK: Figure = Figure::count("peak_concurrency", "peak concurrency");
const PERMITS_N: Figure = Figure::count("permits", "permits");

const PATTERN: Pattern = Pattern::new(
    "sync_primitives",
    "a Mutex that owns its data, and a Semaphore's limit",
)
.variants(&[
    VariantInfo::both("mutex", "Mutex<Vec<_>>: the lock owns the log"),
    VariantInfo::python("mutex-processes"),
    VariantInfo::both("semaphore", "tokio::sync::Semaphore"),
    VariantInfo::python("semaphore-processes"),
])
.headline(Headline::alone(PEAK, "semaphore"))
.tables(&[
    Table::new("Does the lock keep every entry?", &[ENTRIES]),
    Table::new("Does the semaphore hold its limit?", &[PEAK, PERMITS_N]),
]);

/// Counts, and durations in seconds (times 5 under `--full`).
const WORKERS: usize = 4;
const ROUNDS: usize = 3;
const STEP_S: f64 = 0.05;
const SEM_TASKS: usize = 6;
const PERMITS: usize = 2;
const SEM_TASK_S: f64 = 0.2;

fn main() {
    let options = PATTERN.parse();
    let scale = if options.full { 5.0 } else { 1.0 };
    let s = |seconds: f64| seconds * scale;
    let mut trace = Trace::new(&PATTERN, &options);
    trace.run("mutex", || {
        let entries = mutex(WORKERS, ROUNDS, s(STEP_S));
        let ideal_s = ROUNDS as f64 * s(STEP_S);
        [
            ENTRIES.of(entries),
            given("workers", WORKERS),
            given("rounds", ROUNDS),
            ideal(ideal_s),
        ]
    });
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime starts");
    trace.run("semaphore", || {
        let peak = runtime.block_on(semaphore(SEM_TASKS, PERMITS, s(SEM_TASK_S)));
        let ideal_s = SEM_TASKS.div_ceil(PERMITS) as f64 * s(SEM_TASK_S);
        [
            PEAK.of(peak),
            PERMITS_N.of(PERMITS),
            given("jobs", SEM_TASKS),
            ideal(ideal_s),
        ]
    });
    trace.finish(&options);
}
