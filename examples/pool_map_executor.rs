//! # `pool_map_executor`: `Executor.map`, in order, on workers that are reused
//!
//! Python: two claims of the articles about `concurrent.futures`. "Multi-tasking in
//! Python" maps over `1, 2, 3, 4` with `ThreadPoolExecutor(max_workers=5)`, item `i`
//! sleeping `i` seconds, and gets `[1, 4, 9, 16]` after the longest sleep; `map`'s iterator
//! yields them in input order, each as soon as it and every earlier one are done. And a
//! `ProcessPoolExecutor` starts its workers once and runs job after job in them, not a
//! process per job (KitfuCoda part 4 says otherwise). `Pool.map` itself is the `pool_map`
//! example. Twin: `python/pool_map_executor.py`. Chapter: `book/src/pool_map.md`.
//!
//! Run: `cargo run --release --example pool_map_executor` (`--full` for the article's 1 s
//! unit, `--json` for the trace, `--variant NAME` for one variant).
//!
//! Watch: `thread-pool-map` prints the squares 1, 4, 9, 16, one unit apart, in order, the
//! first long before the last task ends; `pool-reuses-workers` runs 30 jobs on a pool of 3
//! threads, and every line names one of `rayon-0`..`rayon-2`.

use std::thread;

use concurrency_pairs::common::{FIRST_RESULT, WALL};
use concurrency_pairs::work::sleep_s;
use concurrency_pairs::{
    ArticleFigure, Derived, Figure, Found, Headline, Pattern, Table, Trace,
    VariantInfo, arrived, articles, ideal, task,
};
use rayon::ThreadPool;
use rayon::prelude::*;

// ANCHOR: thread_pool_map
/// Sleep `i` units, then hand back `i` squared.
fn slow_square(i: u64, unit: f64) -> u64 {
    sleep_s(i as f64 * unit);
    i * i
}

/// `ThreadPoolExecutor(max_workers=5).map` over four items: five workers are more
/// than four items, so each item gets a thread of its own; joining the handles in
/// input order hands each result over in that order, as soon as it is done.
fn thread_pool_map(items: &[u64], unit: f64) -> Vec<u64> {
    thread::scope(|s| {
        let handles: Vec<_> = (items.iter().enumerate())
            .map(|(id, &i)| s.spawn(move || task(id, || slow_square(i, unit))))
            .collect();
        let mut squares = Vec::new();
        for (id, handle) in handles.into_iter().enumerate() {
            let square = handle.join().expect("a sleeping thread does not panic");
            arrived(id, format_args!("{} squared is {square}", items[id]));
            squares.push(square);
        }
        squares
    })
}
// ANCHOR_END: thread_pool_map

/// One short job: sleep `secs` on whichever pool thread runs it, then hand back its id.
fn job(id: usize, secs: f64) -> usize {
    sleep_s(secs);
    id
}

// ANCHOR: pool_reuses_workers
/// Many short jobs on a pool of a few threads: every job runs on one of the pool's
/// threads, started once and reused (each line says which thread ran its job).
fn pool_reuses_workers(pool: &ThreadPool, jobs: usize, secs: f64) {
    let done: Vec<usize> = pool.install(|| {
        (0..jobs)
            .into_par_iter()
            .with_max_len(1)
            .map(|id| task(id, || job(id, secs)))
            .collect()
    });
    for id in done {
        arrived(id, "done");
    }
}
// ANCHOR_END: pool_reuses_workers

const WORKERS_N: Figure = Figure::count("workers", "workers");
const JOBS: Figure = Figure::count("jobs", "jobs");
/// The threads (or worker processes) the jobs ran on: the lanes of their spans.
const DISTINCT: Figure =
    Figure::count("distinct_workers", "distinct workers").derived(Derived::Lanes);

const PATTERN: Pattern = Pattern::new(
    "pool_map_executor",
    "Executor.map hands results over in input order; a pool of 3 threads reuses its workers",
)
.variants(&[
    VariantInfo::both("thread-pool-map", "std::thread::scope, joined in order"),
    VariantInfo::both(
        "pool-reuses-workers",
        "rayon par_iter on 3 threads, 30 jobs",
    ),
])
.headline(Headline::alone(DISTINCT, "pool-reuses-workers"))
.article(&[ArticleFigure::new(
    articles::MULTI_TASKING,
    "ThreadPoolExecutor(5).map over sleeps of 1 to 4 s",
    4.0068,
    WALL,
    "thread-pool-map",
    "claims::article_figure_executor_map_takes_the_longest",
)])
.tables(&[
    Table::new("When is the first result in hand?", &[WALL, FIRST_RESULT]),
    Table::new("Were the workers reused?", &[WORKERS_N, JOBS, DISTINCT]),
]);

/// "Multi-tasking in Python": `ThreadPoolExecutor(max_workers=5).map` over 1..4, item `i`
/// sleeping `i` units (the article's 1 s with `--full`).
const THREAD_WORKERS: usize = 5;
const SQUARES: [u64; 4] = [1, 2, 3, 4];
const DEFAULT_UNIT_S: f64 = 0.1;
const FULL_UNIT_S: f64 = 1.0;
/// Many short jobs on three workers.
const WORKERS: usize = 3;
const REUSE_JOBS: usize = 30;
const REUSE_JOB_S: f64 = 0.01;

fn main() {
    let options = PATTERN.parse();
    let unit = if options.full {
        FULL_UNIT_S
    } else {
        DEFAULT_UNIT_S
    };
    // `ProcessPoolExecutor(max_workers=3)`'s pair: a rayon pool of three named threads.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(WORKERS)
        .thread_name(|i| format!("rayon-{i}"))
        .build()
        .expect("a rayon pool starts");
    let mut trace = Trace::new(&PATTERN, &options);
    trace.run("thread-pool-map", || {
        let squares = thread_pool_map(&SQUARES, unit);
        [
            Found::Sums(squares),
            WORKERS_N.of(THREAD_WORKERS),
            JOBS.of(SQUARES.len()),
            ideal(SQUARES[SQUARES.len() - 1] as f64 * unit),
        ]
    });
    trace.run("pool-reuses-workers", || {
        pool_reuses_workers(&pool, REUSE_JOBS, REUSE_JOB_S);
        [
            JOBS.of(REUSE_JOBS),
            WORKERS_N.of(WORKERS),
            ideal(REUSE_JOBS.div_ceil(WORKERS) as f64 * REUSE_JOB_S),
        ]
    });
    trace.finish(&options);
}
