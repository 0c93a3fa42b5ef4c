//! # `pool_map`: `Pool.map` (ordered, blocking), `map_async`, and an unordered map
//!
//! Python: `Pool(3).map(f, items)` over five equal tasks starts tasks 1-3, starts 4-5 when
//! the first ones finish, and returns the whole list, in input order, once the last task is
//! done. `map_async` returns at once with an object the caller can `wait()` on and `get()`
//! later, so the caller keeps working meanwhile; `imap_unordered` yields each result as it
//! finishes. Twin: `python/pool_map.py`.
//!
//! Run: `cargo run --release --example pool_map` (five 0.4 s tasks; `--full` for the
//! article's five 2 s tasks, `--json` for the trace).
//!
//! Watch: on a pool of three threads (`rayon-0`..`rayon-2`), `map` prints nothing until
//! 0.8 s and then all five results at once, in input order, though three of them were ready
//! at 0.4 s. In `map-async` the caller's own work runs from 0 to 0.4 s while the pool
//! works; then it waits, and gets the list at 0.8 s. `unordered` prints three results at
//! 0.4 s and two at 0.8 s, each as it finishes.

use std::sync::mpsc;

use concurrency_pairs::work::sleep_s;
use concurrency_pairs::{Cli, Clock, Recorder, TaskSpan, Trace, Variant};
use rayon::ThreadPool;
use rayon::prelude::*;

const CLI: Cli = Cli::new(
    "pool_map",
    "Pool.map, map_async and imap_unordered, paired with rayon on a pool of 3 threads",
);

/// The article's pool: three workers, five equal tasks.
const WORKERS: usize = 3;
const TASKS: usize = 5;
const DEFAULT_TASK_S: f64 = 0.4;
const FULL_TASK_S: f64 = 2.0;

fn main() {
    let options = CLI.parse();
    let task_s = if options.full {
        FULL_TASK_S
    } else {
        DEFAULT_TASK_S
    };
    // Two waves: three tasks, then the remaining two.
    let ideal = TASKS.div_ceil(WORKERS) as f64 * task_s;

    // ANCHOR: pool
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(WORKERS)
        .thread_name(|i| format!("rayon-{i}"))
        .build()
        .expect("a rayon pool of 3 threads starts");
    // ANCHOR_END: pool

    let mut trace = Trace::new("pool_map", &options);
    for mut variant in [
        map(&pool, task_s),
        map_async(&pool, task_s),
        unordered(&pool, task_s),
    ] {
        variant.ideal_s = Some(ideal);
        trace.push(variant);
    }
    trace.finish(&options);
}

/// One task: sleep `secs` on whichever pool thread runs it, and report when and where.
fn task(clock: Clock, id: usize, secs: f64) -> TaskSpan {
    clock.span(id, || sleep_s(secs)).1
}

// ANCHOR: map
/// Like `Pool.map`: blocks until every task is done, and the `Vec` is in input order.
fn map(pool: &ThreadPool, task_s: f64) -> Variant {
    let mut rec = Recorder::new("map", "rayon par_iter().map().collect() on 3 threads");
    let clock = rec.clock();
    let spans: Vec<TaskSpan> = pool.install(|| {
        (0..TASKS)
            .into_par_iter()
            .with_max_len(1) // one task per piece of work: see Pitfalls
            .map(|id| task(clock, id, task_s))
            .collect()
    });
    // Nothing reaches the caller before the slowest task has finished.
    for span in spans {
        rec.receive(span, "slept");
    }
    rec.finish()
}
// ANCHOR_END: map

// ANCHOR: map_async
/// Like `map_async`: the map runs as one background job on the pool; the channel's
/// receiving end plays the `AsyncResult`, and `recv()` is `wait()` and `get()` in one.
fn map_async(pool: &ThreadPool, task_s: f64) -> Variant {
    let mut rec = Recorder::new(
        "map-async",
        "rayon map in ThreadPool::spawn, result over a channel",
    );
    let clock = rec.clock();
    let (tx, result) = mpsc::sync_channel(1);
    pool.spawn(move || {
        let spans: Vec<TaskSpan> = (0..TASKS)
            .into_par_iter()
            .with_max_len(1)
            .map(|id| task(clock, id, task_s))
            .collect();
        // If the caller has gone away there is no one left to tell.
        let _ = tx.send(spans);
    });

    rec.say("map submitted; the caller goes on with its own work");
    let start_s = clock.now();
    sleep_s(task_s); // the caller's own work, while the pool runs the map
    rec.record(TaskSpan::new(TASKS, "caller", start_s, clock.now()).with_kind("caller"));
    rec.say("caller's own work done; now it waits for the map");

    let spans = result
        .recv()
        .expect("the background map sends its results before it ends");
    for span in spans {
        rec.receive(span, "slept");
    }
    rec.finish()
}
// ANCHOR_END: map_async

// ANCHOR: unordered
/// Like `imap_unordered`: every task sends its result down a channel the moment it is
/// done, and the caller takes them in that order.
fn unordered(pool: &ThreadPool, task_s: f64) -> Variant {
    let mut rec = Recorder::new("unordered", "rayon for_each_with a channel Sender");
    let clock = rec.clock();
    let (tx, rx) = mpsc::channel();
    pool.spawn(move || {
        (0..TASKS)
            .into_par_iter()
            .with_max_len(1)
            .for_each_with(tx, |tx, id| {
                let _ = tx.send(task(clock, id, task_s));
            });
    });
    // Ends when the last clone of `tx` is dropped, that is when the map is over.
    for span in rx {
        rec.receive(span, "slept");
    }
    rec.finish()
}
// ANCHOR_END: unordered
