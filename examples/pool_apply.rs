//! # `pool_apply`: `apply` is synchronous, `apply_async` + `get` blocks in order
//!
//! Python: `Pool.apply` runs one task and waits for it, so N tasks take the sum of their
//! times. `apply_async` returns at once, but calling `.get()` on each result in submission
//! order blocks on the first slow one. Twin: `python/pool_apply.py`. Chapter: "pool_apply:
//! apply, apply_async and get" in the book.
//!
//! Run: `cargo run --release --example pool_apply` (add `--full` for the article's
//! 1-4 s sleeps, `--json` for the trace, `--variant NAME` for one variant).
//!
//! Watch: four jobs sleep 3, 1, 4 and 2 units (0.2 s each; 1 s with `--full`), submitted
//! in that order to a `threadpool` of four workers. `apply` receives each job right after
//! it ends and starts the next only then: 2 s in all. `async-get-in-order` receives nothing
//! until job 0 ends at 0.6 s, then job 1 (done since 0.2 s) at once, then waits for job 2
//! before job 3 (done since 0.4 s). `async-completion-order` receives 1, 3, 0, 2 at
//! 0.2, 0.4, 0.6 and 0.8 s. The last block shows a panicking job: its result never comes.

use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use concurrency_pairs::common::{FIRST_RESULT, WALL};
use concurrency_pairs::lab;
use concurrency_pairs::work::sleep_s;
use concurrency_pairs::{
    ArticleFigure, Figure, Found, Headline, Pattern, Table, Trace, VariantInfo,
    arrived, articles, ideal, say, task,
};
use threadpool::ThreadPool;

// ANCHOR: apply_async
/// Python's `pool.apply_async(f)` for the `threadpool` crate, which only has
/// `execute(job)` and no return value: send the job's result down a channel of its
/// own, and give the caller the receiving end as its handle (`recv()` is `.get()`).
fn apply_async<T: Send + 'static>(
    pool: &ThreadPool,
    job: impl FnOnce() -> T + Send + 'static,
) -> Receiver<T> {
    let (tx, rx) = mpsc::sync_channel(1); // room for one result: send never blocks
    pool.execute(move || {
        // An Err means the caller dropped the handle: nobody wants the result.
        let _ = tx.send(job());
    });
    rx
}
// ANCHOR_END: apply_async

/// The pool of every variant: one worker per job, threads named `pool`.
fn new_pool() -> ThreadPool {
    ThreadPool::with_name("pool".into(), WORKERS)
}

// ANCHOR: job
/// One job: sleep `secs` on whichever worker runs it, then hand back its id.
fn job(id: usize, secs: f64) -> usize {
    sleep_s(secs);
    id
}
// ANCHOR_END: job

// ANCHOR: apply
/// `pool.apply(f)`: submit one job, wait for its result, only then submit the next.
fn apply(durations: &[f64]) {
    let pool = new_pool();
    for (id, &secs) in durations.iter().enumerate() {
        let handle = apply_async(&pool, move || task(id, || job(id, secs)));
        let id = handle.recv().expect("a sleeping job does not panic");
        arrived(id, "slept");
    }
}
// ANCHOR_END: apply

// ANCHOR: async_get_in_order
/// `[pool.apply_async(f) for ...]`, then `.get()` on each in submission order.
fn async_get_in_order(durations: &[f64]) {
    let pool = new_pool();
    let handles: Vec<Receiver<_>> = durations
        .iter()
        .enumerate()
        .map(|(id, &secs)| apply_async(&pool, move || task(id, || job(id, secs))))
        .collect();
    lab::note(format_args!(
        "all {} submitted; waiting on job 0's handle",
        handles.len()
    ));
    for handle in handles {
        // Blocks on this job, even when a later one has long finished.
        let id = handle.recv().expect("a sleeping job does not panic");
        arrived(id, "slept");
    }
}
// ANCHOR_END: async_get_in_order

// ANCHOR: async_completion_order
/// Submit everything; every job sends on one shared channel as it finishes.
fn async_completion_order(durations: &[f64]) {
    let pool = new_pool();
    let (tx, rx) = mpsc::channel();
    for (id, &secs) in durations.iter().enumerate() {
        let tx = tx.clone();
        pool.execute(move || {
            let id = task(id, || job(id, secs));
            tx.send(id).expect("the receiver outlives the jobs");
        });
    }
    drop(tx); // keep no sender here, or the loop below never ends
    lab::note(format_args!(
        "all {} submitted; receiving from the shared channel",
        durations.len()
    ));
    for id in rx {
        arrived(id, "slept");
    }
}
// ANCHOR_END: async_completion_order

// ANCHOR: panicking_job
/// A job that panics never sends: its result does not arrive, it is not an error
/// value. The pool counts the panic, replaces the worker, and goes on running jobs.
fn panicking_job() {
    say!(
        "\n== pitfall: a panicking job (threadpool, one worker, one shared channel)"
    );
    let pool = ThreadPool::with_name("pool".into(), 1);
    let (tx, rx) = mpsc::channel();
    for id in 0..3 {
        let tx = tx.clone();
        pool.execute(move || {
            if id == 1 {
                // The message goes to stderr, nothing to the caller.
                panic!("job {id} fails");
            }
            tx.send(id).expect("the receiver outlives the jobs");
        });
    }
    drop(tx);
    // `recv` returns Err once every sender is gone: job 1's went down with its panic.
    for _ in 0..3 {
        match rx.recv() {
            Ok(id) => say!("  job {id}'s result arrived"),
            Err(e) => {
                say!("  recv() returned Err({e}): job 1's result will never come")
            }
        }
    }
    // The pool counts the panic as its worker unwinds (bounded wait: microseconds).
    let deadline = Instant::now() + Duration::from_secs(5);
    while pool.panic_count() == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    let still = apply_async(&pool, || "still works").recv();
    say!(
        "  pool.panic_count() = {}; a new job on the same pool: {still:?}",
        pool.panic_count()
    );
}
// ANCHOR_END: panicking_job

const WORKERS_N: Figure = Figure::count("workers", "workers");

const PATTERN: Pattern = Pattern::new(
    "pool_apply",
    "a thread pool's apply (submit and wait) versus apply_async + get, in order or as done",
)
.variants(&[
    VariantInfo::both("apply", "threadpool, submit one then wait for it"),
    VariantInfo::both("async-get-in-order", "threadpool, a channel per job"),
    VariantInfo::both("async-completion-order", "threadpool, one shared channel"),
])
.headline(Headline::new(WALL, "async-completion-order", "apply"))
.article(&[ArticleFigure::new(
    articles::MULTI_TASKING,
    "Pool(cpu_count() - 1).apply_async on sleeps of 1 to 4 s, get in order",
    4.16348,
    WALL,
    "async-get-in-order",
    "claims::article_figure_apply_async_takes_the_longest",
)])
.tables(&[
    Table::new(
        "Do the jobs run at once, and when is the first result in hand?",
        &[WALL, FIRST_RESULT],
    ),
    Table::new("How many workers does the pool have?", &[WORKERS_N]),
]);

/// Job `i` sleeps `UNITS[i]` units: shuffled, so submission order is not finish order.
const UNITS: [u64; 4] = [3, 1, 4, 2];
const DEFAULT_UNIT_S: f64 = 0.2;
const FULL_UNIT_S: f64 = 1.0;
/// One worker per job: sleeping jobs need no core, so more workers than cores is fine.
const WORKERS: usize = UNITS.len();

fn main() {
    let options = PATTERN.parse();
    let unit = if options.full {
        FULL_UNIT_S
    } else {
        DEFAULT_UNIT_S
    };
    let durations: Vec<f64> = UNITS.iter().map(|&u| u as f64 * unit).collect();
    // apply runs one job at a time: the sum. The others run all four at once: the longest.
    let total = durations.iter().sum();
    let longest = durations.iter().copied().fold(0.0, f64::max);
    // Every variant runs the same jobs (sizes in units) on the same pool.
    let findings = |ideal_s: f64| {
        [
            WORKERS_N.of(WORKERS),
            Found::Sizes(UNITS.to_vec()),
            ideal(ideal_s),
        ]
    };

    let mut trace = Trace::new(&PATTERN, &options);
    trace.run("apply", || {
        apply(&durations);
        findings(total)
    });
    trace.run("async-get-in-order", || {
        async_get_in_order(&durations);
        findings(longest)
    });
    trace.run("async-completion-order", || {
        async_completion_order(&durations);
        findings(longest)
    });
    trace.finish(&options);
    // Last, so the table above stays on the first screen; not when one variant was asked for.
    if options.variant.is_none() {
        panicking_job();
    }
}
