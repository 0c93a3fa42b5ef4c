//! # `as_completed`: results in submission order versus completion order
//!
//! Python: `ProcessPoolExecutor.map` yields results in the order the calls were made, even
//! when later calls finish first; `concurrent.futures.as_completed` (and
//! `asyncio.as_completed`) yields them as they finish. Twin: `python/as_completed.py`.
//!
//! Run: `cargo run --release --example as_completed` (add `--full` for longer sleeps,
//! `--json` for the trace).
//!
//! Watch: five tasks sleep 0.5, 0.1, 0.4, 0.2 and 0.3 s. The `*-ordered` variants print
//! task 0 first, at 0.5 s, and everything else right after it; the `*-completion`
//! variants print task 1 at 0.1 s, then 3, 4, 2 and 0, each as it finishes. Same total
//! time, very different time to first result.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use concurrency_pairs::work::sleep_s;
use concurrency_pairs::{Cli, Clock, Recorder, TaskSpan, Trace, Variant};
use futures::stream::{FuturesUnordered, StreamExt};
use tokio::task::JoinSet;

const CLI: Cli = Cli::new(
    "as_completed",
    "results in submission order versus completion order, with threads and async tasks",
);

/// Task `i` sleeps `durations[i]` seconds: the first submitted is the slowest.
const DEFAULT_S: [f64; 5] = [0.5, 0.1, 0.4, 0.2, 0.3];
const FULL_SCALE: f64 = 4.0;

fn main() {
    let options = CLI.parse();
    let scale = if options.full { FULL_SCALE } else { 1.0 };
    let durations: Vec<f64> = DEFAULT_S.iter().map(|d| d * scale).collect();
    let ideal = durations.iter().copied().fold(0.0, f64::max);

    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime starts");
    let mut trace = Trace::new("as_completed", &options);
    for mut variant in [
        pool_ordered(&durations),
        pool_completion(&durations),
        runtime.block_on(async_ordered(&durations)),
        runtime.block_on(async_completion(&durations)),
        runtime.block_on(async_completion_futures(&durations)),
    ] {
        variant.ideal_s = Some(ideal);
        trace.push(variant);
    }
    trace.finish(&options);
}

// ANCHOR: pool_ordered
/// Like `Executor.map`: one thread per task, results taken in submission order.
fn pool_ordered(durations: &[f64]) -> Variant {
    let mut rec = Recorder::new("pool-ordered", "std::thread, join handles in order");
    let clock = rec.clock();
    let handles: Vec<_> = durations
        .iter()
        .enumerate()
        .map(|(id, &secs)| thread::spawn(move || clock.span(id, || sleep_s(secs)).1))
        .collect();
    for handle in handles {
        // Blocks on task 0 (the slowest) before anything else is looked at.
        let span = handle.join().expect("a sleeping task does not panic");
        rec.receive(span, "slept");
    }
    rec.finish()
}
// ANCHOR_END: pool_ordered

// ANCHOR: pool_completion
/// Like `as_completed`: every thread sends its result the moment it is done.
fn pool_completion(durations: &[f64]) -> Variant {
    let mut rec = Recorder::new("pool-completion", "std::thread + mpsc channel");
    let clock = rec.clock();
    let (tx, rx) = mpsc::channel();
    thread::scope(|s| {
        for (id, &secs) in durations.iter().enumerate() {
            let tx = tx.clone();
            s.spawn(move || {
                let (_, span) = clock.span(id, || sleep_s(secs));
                tx.send(span).expect("the receiver outlives the workers");
            });
        }
        drop(tx); // so the loop below ends when the last worker has sent
        for span in rx {
            rec.receive(span, "slept");
        }
    });
    rec.finish()
}
// ANCHOR_END: pool_completion

/// The async task behind the async variants: an IO-like wait that yields to the runtime.
async fn nap(clock: Clock, id: usize, secs: f64) -> TaskSpan {
    let sleep = tokio::time::sleep(Duration::from_secs_f64(secs));
    clock.span_async(id, format!("task-{id}"), sleep).await.1
}

// ANCHOR: async_ordered
/// `tokio::spawn` every task, then await the handles in submission order.
async fn async_ordered(durations: &[f64]) -> Variant {
    let mut rec = Recorder::new("async-ordered", "tokio::spawn, handles awaited in order");
    let clock = rec.clock();
    let handles: Vec<_> = durations
        .iter()
        .enumerate()
        .map(|(id, &secs)| tokio::spawn(nap(clock, id, secs)))
        .collect();
    for handle in handles {
        let span = handle.await.expect("a sleeping task does not panic");
        rec.receive(span, "slept");
    }
    rec.finish()
}
// ANCHOR_END: async_ordered

// ANCHOR: async_completion
/// A `JoinSet` hands back whichever task finishes next.
async fn async_completion(durations: &[f64]) -> Variant {
    let mut rec = Recorder::new("async-completion", "tokio JoinSet::join_next");
    let clock = rec.clock();
    let mut set = JoinSet::new();
    for (id, &secs) in durations.iter().enumerate() {
        set.spawn(nap(clock, id, secs));
    }
    while let Some(joined) = set.join_next().await {
        rec.receive(joined.expect("a sleeping task does not panic"), "slept");
    }
    rec.finish()
}
// ANCHOR_END: async_completion

// ANCHOR: async_completion_futures
/// `FuturesUnordered` does the same without spawning: the futures run inside this one
/// task, polled as they become ready. It is runtime-neutral (only the timer is tokio's).
async fn async_completion_futures(durations: &[f64]) -> Variant {
    let mut rec = Recorder::new("async-completion-futures", "futures FuturesUnordered");
    let clock = rec.clock();
    let mut pending: FuturesUnordered<_> = durations
        .iter()
        .enumerate()
        .map(|(id, &secs)| nap(clock, id, secs))
        .collect();
    while let Some(span) = pending.next().await {
        rec.receive(span, "slept");
    }
    rec.finish()
}
// ANCHOR_END: async_completion_futures
