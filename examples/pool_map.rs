//! # `pool_map`: `Pool.map` (ordered, blocking), `map_async`, and an unordered map
//!
//! Python: `Pool(3).map(f, items)` over five equal tasks starts tasks 1-3, starts 4-5 when
//! the first ones finish, and returns the whole list, in input order, once the last task is
//! done. `map_async` returns at once with an object the caller can `wait()` on and `get()`
//! later, so the caller keeps working meanwhile; `imap_unordered` yields each result as it
//! finishes. Twin: `python/pool_map.py`. Chapter: `book/src/pool_map.md`.
//!
//! Run: `cargo run --release --example pool_map` (five 0.4 s tasks; `--full` for the
//! article's five 2 s tasks, `--json` for the trace, `--variant NAME` for one variant).
//!
//! Watch: on a pool of three threads (`rayon-0`..`rayon-2`), `map` prints nothing until
//! 0.8 s and then all five results at once, in input order, though three of them were ready
//! at 0.4 s. In `map-async` the caller's own work runs from 0 to 0.4 s while the pool
//! works; then it waits, and gets the list at 0.8 s. `unordered` prints three results at
//! 0.4 s and two at 0.8 s, each as it finishes. The articles' `Executor.map` (its squares
//! in order, its workers reused) is the `pool_map_executor` example.

use std::sync::mpsc;

use concurrency_pairs::common::{FIRST_RESULT, WALL};
use concurrency_pairs::lab::{self, Task};
use concurrency_pairs::work::sleep_s;
use concurrency_pairs::{
    ArticleFigure, Headline, Pattern, Table, Trace, VariantInfo, arrived, articles,
    given, ideal, task,
};
use rayon::ThreadPool;
use rayon::prelude::*;

// ANCHOR: pool
/// `Pool(3)`: a rayon pool of our own, with named threads.
fn pool_of(workers: usize) -> ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .thread_name(|i| format!("rayon-{i}"))
        .build()
        .expect("a rayon pool starts")
}
// ANCHOR_END: pool

// ANCHOR: job
/// One task: sleep `secs` on whichever pool thread runs it, then hand back its id.
fn job(id: usize, secs: f64) -> usize {
    sleep_s(secs);
    id
}
// ANCHOR_END: job

/// The caller's own work in `map-async`, as long as one task: timed as task `id` (the
/// one after the pool's), in a lane of its own.
fn callers_own_work(id: usize, secs: f64) {
    Task::new(id)
        .lane("caller")
        .kind("caller")
        .run(|| sleep_s(secs));
}

// ANCHOR: map
/// Like `Pool.map`: blocks until every task is done, and the `Vec` is in input order.
fn map(pool: &ThreadPool, n: usize, secs: f64) {
    let results: Vec<usize> = pool.install(|| {
        (0..n)
            .into_par_iter()
            .with_max_len(1) // one task per piece of work: see Pitfalls
            .map(|id| task(id, || job(id, secs)))
            .collect()
    });
    // Nothing reaches the caller before the slowest task has finished.
    for id in results {
        arrived(id, "slept");
    }
}
// ANCHOR_END: map

// ANCHOR: map_async
/// Like `map_async`: the map runs as one background job on the pool; the channel's
/// receiving end plays the `AsyncResult`; `recv()` is `wait()` and `get()` in one.
fn map_async(pool: &ThreadPool, n: usize, secs: f64) {
    let (tx, result) = mpsc::sync_channel(1);
    pool.spawn(move || {
        let results: Vec<usize> = (0..n)
            .into_par_iter()
            .with_max_len(1)
            .map(|id| task(id, || job(id, secs)))
            .collect();
        // If the caller has gone away there is no one left to tell.
        let _ = tx.send(results);
    });

    lab::note("map submitted; the caller goes on with its own work");
    callers_own_work(n, secs); // while the pool runs the map
    lab::note("caller's own work done; now it waits for the map");

    let results = result
        .recv()
        .expect("the background map sends its results before it ends");
    for id in results {
        arrived(id, "slept");
    }
}
// ANCHOR_END: map_async

// ANCHOR: unordered
/// Like `imap_unordered`: every task sends its result down a channel the moment it is
/// done, and the caller takes them in that order.
fn unordered(pool: &ThreadPool, n: usize, secs: f64) {
    let (tx, rx) = mpsc::channel();
    pool.spawn(move || {
        (0..n)
            .into_par_iter()
            .with_max_len(1)
            .for_each_with(tx, |tx, id| {
                let _ = tx.send(task(id, || job(id, secs)));
            });
    });
    // Ends when the last clone of `tx` is dropped, that is when the map is over.
    for id in rx {
        arrived(id, "slept");
    }
}
// ANCHOR_END: unordered

const PATTERN: Pattern = Pattern::new(
    "pool_map",
    "Pool.map, map_async and imap_unordered, paired with rayon on a pool of 3 threads",
)
.variants(&[
    VariantInfo::both("map", "rayon par_iter().map().collect() on 3 threads"),
    VariantInfo::both(
        "map-async",
        "rayon map in ThreadPool::spawn, result over a channel",
    ),
    VariantInfo::both("unordered", "rayon for_each_with a channel Sender"),
])
.headline(Headline::new(FIRST_RESULT, "unordered", "map"))
.article(&[ArticleFigure::new(
    articles::BOOSTING,
    "Pool(3).map of five 2-second tasks: about 4 s",
    4.0,
    WALL,
    "map",
    "claims::article_figure_pool_map_takes_two_rounds",
)
.within(0.1)])
.tables(&[Table::new(
    "When is the first result in hand?",
    &[WALL, FIRST_RESULT],
)]);

/// The article's pool: three workers, five equal tasks.
const WORKERS: usize = 3;
const TASKS: usize = 5;
const DEFAULT_TASK_S: f64 = 0.4;
const FULL_TASK_S: f64 = 2.0;

fn main() {
    let options = PATTERN.parse();
    let secs = if options.full {
        FULL_TASK_S
    } else {
        DEFAULT_TASK_S
    };
    let pool = pool_of(WORKERS);
    // Two waves: three tasks, then the remaining two.
    let waves = TASKS.div_ceil(WORKERS) as f64 * secs;
    let mut trace = Trace::new(&PATTERN, &options);
    let maps = [
        ("map", map as fn(&ThreadPool, usize, f64)),
        ("map-async", map_async),
        ("unordered", unordered),
    ];
    for (name, lesson) in maps {
        trace.run(name, || {
            lesson(&pool, TASKS, secs);
            [
                given("workers", WORKERS),
                given("jobs", TASKS),
                ideal(waves),
            ]
        });
    }
    trace.finish(&options);
}
