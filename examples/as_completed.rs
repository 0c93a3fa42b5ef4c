//! # `as_completed`: results in submission order versus completion order
//!
//! Python: `ProcessPoolExecutor.map` yields results in the order the calls were made, even
//! when later calls finish first; `concurrent.futures.as_completed` (and
//! `asyncio.as_completed`) yields them as they finish. Twin: `python/as_completed.py`.
//! Chapter: "as_completed: submission order or completion order" in the book.
//!
//! Run: `cargo run --release --example as_completed` (add `--full` for longer sleeps,
//! `--json` for the trace, `--variant NAME` for one variant).
//!
//! Watch: five tasks sleep 0.5, 0.1, 0.4, 0.2 and 0.3 s. The `*-ordered` variants print
//! task 0 first, at 0.5 s, and everything else right after it; the `*-completion`
//! variants print task 1 at 0.1 s, then 3, 4, 2 and 0, each as it finishes. Same total
//! time, very different time to first result.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use concurrency_pairs::common::{FIRST_RESULT, WALL};
use concurrency_pairs::work::sleep_s;
use concurrency_pairs::{
    Found, Headline, Pattern, Table, Trace, VariantInfo, arrived, ideal, task,
    task_async,
};
use futures::stream::{FuturesUnordered, StreamExt};
use tokio::task::JoinSet;

// ANCHOR: work
/// A thread's task: block for `secs`, then hand back its id (so that a result taken
/// in completion order still says which task it was).
fn sleeper(id: usize, secs: f64) -> usize {
    sleep_s(secs);
    id
}

/// An async task: an IO-like wait that yields to the runtime, then its id.
async fn nap(id: usize, secs: f64) -> usize {
    tokio::time::sleep(Duration::from_secs_f64(secs)).await;
    id
}
// ANCHOR_END: work

// ANCHOR: pool_ordered
/// Like `Executor.map`: one thread per task, results taken in submission order.
fn pool_ordered(durations: &[f64]) {
    let handles: Vec<_> = durations
        .iter()
        .enumerate()
        .map(|(id, &secs)| thread::spawn(move || task(id, || sleeper(id, secs))))
        .collect();
    for handle in handles {
        // Blocks on task 0 (the slowest) before anything else is looked at.
        let id = handle.join().expect("a sleeping task does not panic");
        arrived(id, "slept");
    }
}
// ANCHOR_END: pool_ordered

// ANCHOR: pool_completion
/// Like `as_completed`: every thread sends its result the moment it is done.
fn pool_completion(durations: &[f64]) {
    let (tx, rx) = mpsc::channel();
    thread::scope(|s| {
        for (id, &secs) in durations.iter().enumerate() {
            let tx = tx.clone();
            s.spawn(move || {
                let id = task(id, || sleeper(id, secs));
                tx.send(id).expect("the receiver outlives the workers");
            });
        }
        drop(tx); // so the loop below ends when the last worker has sent
        for id in rx {
            arrived(id, "slept");
        }
    });
}
// ANCHOR_END: pool_completion

// ANCHOR: async_ordered
/// `tokio::spawn` every task, then await the handles in submission order.
async fn async_ordered(durations: &[f64]) {
    let handles: Vec<_> = durations
        .iter()
        .enumerate()
        .map(|(id, &secs)| tokio::spawn(task_async(id, nap(id, secs))))
        .collect();
    for handle in handles {
        let id = handle.await.expect("a sleeping task does not panic");
        arrived(id, "slept");
    }
}
// ANCHOR_END: async_ordered

// ANCHOR: async_completion
/// A `JoinSet` hands back whichever task finishes next.
async fn async_completion(durations: &[f64]) {
    let mut set = JoinSet::new();
    for (id, &secs) in durations.iter().enumerate() {
        set.spawn(task_async(id, nap(id, secs)));
    }
    while let Some(joined) = set.join_next().await {
        arrived(joined.expect("a sleeping task does not panic"), "slept");
    }
}
// ANCHOR_END: async_completion

// ANCHOR: async_completion_futures
/// `FuturesUnordered` does the same without spawning: the futures run inside this one
/// task, polled as they become ready. Runtime-neutral: only the timer is tokio's.
async fn async_completion_futures(durations: &[f64]) {
    let mut pending: FuturesUnordered<_> = durations
        .iter()
        .enumerate()
        .map(|(id, &secs)| task_async(id, nap(id, secs)))
        .collect();
    while let Some(id) = pending.next().await {
        arrived(id, "slept");
    }
}
// ANCHOR_END: async_completion_futures

const PATTERN: Pattern = Pattern::new(
    "as_completed",
    "results in submission order versus completion order, with threads and async tasks",
)
.variants(&[
    VariantInfo::both("pool-ordered", "std::thread, join handles in order"),
    VariantInfo::both("pool-completion", "std::thread + mpsc channel"),
    VariantInfo::both("async-ordered", "tokio::spawn, handles awaited in order"),
    VariantInfo::both("async-completion", "tokio JoinSet::join_next"),
    VariantInfo::rust("async-completion-futures", "futures FuturesUnordered"),
])
.headline(Headline::new(
    FIRST_RESULT,
    "pool-completion",
    "pool-ordered",
))
.tables(&[Table::new(
    "How soon is the first result in hand?",
    &[WALL, FIRST_RESULT],
)]);

/// Task `i` sleeps `durations[i]` seconds: the first submitted is the slowest.
const DEFAULT_S: [f64; 5] = [0.5, 0.1, 0.4, 0.2, 0.3];
const FULL_SCALE: f64 = 4.0;

fn main() {
    let options = PATTERN.parse();
    let scale = if options.full { FULL_SCALE } else { 1.0 };
    let durations: Vec<f64> = DEFAULT_S.iter().map(|d| d * scale).collect();
    // Every task runs at once, so the batch takes no less than the slowest.
    let slowest = durations.iter().copied().fold(0.0, f64::max);
    // Each task's sleep in milliseconds, so a test knows which should finish first.
    let millis: Vec<u64> =
        durations.iter().map(|d| (d * 1e3).round() as u64).collect();
    let findings = || [Found::Sizes(millis.clone()), ideal(slowest)];
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime starts");
    let mut trace = Trace::new(&PATTERN, &options);
    trace.run("pool-ordered", || {
        pool_ordered(&durations);
        findings()
    });
    trace.run("pool-completion", || {
        pool_completion(&durations);
        findings()
    });
    trace.run("async-ordered", || {
        runtime.block_on(async_ordered(&durations));
        findings()
    });
    trace.run("async-completion", || {
        runtime.block_on(async_completion(&durations));
        findings()
    });
    trace.run("async-completion-futures", || {
        runtime.block_on(async_completion_futures(&durations));
        findings()
    });
    trace.finish(&options);
}
