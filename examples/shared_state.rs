//! # `shared_state`: one counter, several threads
//!
//! Python: a `multiprocessing.Value` passed to `Pool.map` raises `RuntimeError:
//! Synchronized objects should only be shared between processes through inheritance`;
//! the usual "fix", `Manager().Value`, makes `v.value += 1` a read then a write through a
//! proxy, and concurrent increments are lost. Twin: `python/shared_state.py`, which
//! shows both failures and the correct form (`with v.get_lock(): v.value += 1`).
//! Chapter: "shared_state: one counter, several workers" in the book.
//!
//! Rust: sharing a plain counter between threads does not compile (the refused programs
//! are `compile_fail` doctests in `src/shared_state.rs`). What compiles: an
//! `Arc<AtomicU64>`, an `Arc<Mutex<u64>>`, or no sharing at all (each thread counts
//! its own part, and the parts are added at the end).
//!
//! Run: `cargo run --release --example shared_state` (`--full` runs four threads
//! instead of two, `--json` prints the trace, `--variant NAME` runs one variant).
//!
//! Watch: every variant ends with `lost 0`; what differs is the cost per increment,
//! printed beside it: a few nanoseconds for the contended atomic, more for the lock,
//! well under one for counting alone.

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;

use concurrency_pairs::{
    ArticleFigure, Figure, Found, Headline, Pattern, Table, Trace, VariantInfo,
    arrived, articles, given, lab, say, task,
};

// ANCHOR: atomic
/// Every thread holds an `Arc` (a shared owner) of one atomic counter; `fetch_add` is
/// a single indivisible read-modify-write. The barrier makes the threads start
/// counting together, so that they really contend (a thread that finished before the
/// next one started would have the counter to itself). Returns the final count.
fn atomic(threads: usize, per_thread: u64) -> u64 {
    let count = Arc::new(AtomicU64::new(0));
    let start_line = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|id| {
            let (count, start_line) = (Arc::clone(&count), Arc::clone(&start_line));
            thread::spawn(move || {
                start_line.wait(); // all threads count at the same time
                task(id, || {
                    for _ in 0..per_thread {
                        count.fetch_add(1, Ordering::Relaxed);
                    }
                });
            })
        })
        .collect();
    for (id, handle) in handles.into_iter().enumerate() {
        handle.join().expect("a counting thread does not panic");
        arrived(id, "counted its share");
    }
    count.load(Ordering::Relaxed)
}
// ANCHOR_END: atomic

// ANCHOR: lock
/// The same with a lock: the `u64` lives inside the `Mutex`, reachable only through
/// the guard, which is taken and released on every increment.
fn lock(threads: usize, per_thread: u64) -> u64 {
    let count = Arc::new(Mutex::new(0_u64));
    let start_line = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|id| {
            let (count, start_line) = (Arc::clone(&count), Arc::clone(&start_line));
            thread::spawn(move || {
                start_line.wait();
                task(id, || {
                    for _ in 0..per_thread {
                        *count.lock().expect("no thread panics holding the lock") +=
                            1;
                    }
                });
            })
        })
        .collect();
    for (id, handle) in handles.into_iter().enumerate() {
        handle.join().expect("a counting thread does not panic");
        arrived(id, "counted its share");
    }
    *count.lock().expect("no thread panicked holding the lock")
}
// ANCHOR_END: lock

// ANCHOR: no_sharing
/// No shared counter at all: each thread counts its own part in a local variable and
/// returns it; the caller adds the parts. Nothing to synchronise until the end.
fn no_sharing(threads: usize, per_thread: u64) -> u64 {
    let start_line = Barrier::new(threads);
    thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|id| {
                let start_line = &start_line; // scoped threads can borrow
                s.spawn(move || {
                    start_line.wait();
                    task(id, || {
                        let mut mine = 0_u64;
                        for _ in 0..per_thread {
                            // black_box: add one at a time, not `mine = per_thread`.
                            mine = black_box(mine + 1);
                        }
                        mine
                    })
                })
            })
            .collect();
        let mut total = 0;
        for (id, handle) in handles.into_iter().enumerate() {
            let mine = handle.join().expect("a counting thread does not panic");
            arrived(id, format_args!("counted {mine}"));
            total += mine;
        }
        total
    })
}
// ANCHOR_END: no_sharing

const INCREMENTS: Figure = Figure::count("increments", "increments");
const FINAL_VALUE: Figure = Figure::count("final_value", "final value");
const LOST: Figure = Figure::count("lost_updates", "lost updates");
const PER_INCREMENT: Figure = Figure::seconds("increment_s", "per increment");
const ARTICLE_RUNS: Figure = Figure::count("article_runs", "article's program runs");
const ARTICLE_EXACT: Figure = Figure::count("article_exact", "runs printing 5");

const PATTERN: Pattern = Pattern::new(
    "shared_state",
    "one counter, several threads: Arc<AtomicU64>, Arc<Mutex<u64>>, or no sharing",
)
.variants(&[
    VariantInfo::rust("atomic", "Arc<AtomicU64>, fetch_add"),
    VariantInfo::python("value-pool-map"),
    VariantInfo::python("manager"),
    VariantInfo::python("article-size"),
    VariantInfo::both("lock", "Arc<Mutex<u64>>"),
    VariantInfo::both("no-sharing", "scoped threads return partial counts"),
])
.headline(Headline::new(LOST, "lock", "manager"))
.article(&[ArticleFigure::new(
    articles::BOOSTING,
    "Manager().Value incremented once by each of Pool(5)'s workers: prints 5",
    1.0,
    ARTICLE_EXACT,
    "article-size",
    "claims::article_figure_manager_value_is_not_always_five",
)
.per(ARTICLE_RUNS)
.differs("the increment reads, then writes, through the manager: another worker can come between")])
.per_unit(INCREMENTS, PER_INCREMENT)
.tables(&[
    Table::new(
        "Is every increment counted?",
        &[INCREMENTS, FINAL_VALUE, LOST],
    ),
    Table::new("What does one increment cost?", &[PER_INCREMENT]),
    Table::new(
        "How often does the article's own program print 5?",
        &[ARTICLE_RUNS, ARTICLE_EXACT],
    ),
]);

/// Increments each thread makes (Rust can afford more than Python's manager proxy).
const PER_THREAD: u64 = 5_000_000;

/// A counting lesson: threads and increments per thread in, the final count out.
type Lesson = fn(usize, u64) -> u64;
const LESSONS: [(&str, Lesson); 3] = [
    ("atomic", atomic),
    ("lock", lock),
    ("no-sharing", no_sharing),
];

/// What a counting variant found: the count and the updates lost, with its inputs, and
/// the cost of one increment: the variant's time when the count came back (`counting_s`:
/// the counting, and starting and joining the threads around it) divided by the number
/// of increments; with several threads counting at once it is a throughput, not the
/// latency of one.
fn counted(final_value: u64, threads: usize, counting_s: f64) -> [Found; 6] {
    let increments = threads as u64 * PER_THREAD;
    let lost = increments - final_value;
    let increment_s = counting_s / increments as f64;
    say!(
        "final {final_value}, expected {increments}, lost {lost}, {:.2} ns per increment",
        increment_s * 1e9
    );
    [
        INCREMENTS.of(increments),
        FINAL_VALUE.of(final_value),
        LOST.of(lost),
        PER_INCREMENT.of(increment_s),
        given("workers", threads),
        given("per_worker", PER_THREAD),
    ]
}

fn main() {
    let options = PATTERN.parse();
    let threads = if options.full { 4 } else { 2 };
    let mut trace = Trace::new(&PATTERN, &options);
    for (name, lesson) in LESSONS {
        trace.run(name, || {
            let final_value = lesson(threads, PER_THREAD);
            counted(final_value, threads, lab::now())
        });
    }
    trace.finish(&options);
}
