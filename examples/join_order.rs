//! # `join_order`: joining waits in start order
//!
//! Python: start two `multiprocessing.Process`es, A slow and B fast, then `a.join();
//! b.join()`. `join` returns no result, and the main process waits for A even though B
//! finished long before. Twin: `python/join_order.py`. Chapter: "join_order" in the book.
//!
//! Run: `cargo run --release --example join_order` (add `--full` for longer sleeps,
//! `--json` for the trace).
//!
//! Watch: A sleeps 0.8 s, B 0.3 s. In `join-in-start-order`, B's result is received at
//! 0.8 s, right after A's, though its own line says it ran 0.000-0.300 s: `join` hands back
//! the value, but only when you get round to B's handle. In `channel-completion-order`,
//! B arrives at 0.3 s and A at 0.8 s, each as it finishes. Same wall time; the summary's
//! `first result` column says when the caller first held a result, and B's receipt
//! minus B's end in the trace how long B sat unused.

use std::sync::mpsc;
use std::thread;

use concurrency_pairs::common::FIRST_RESULT;
use concurrency_pairs::work::sleep_s;
use concurrency_pairs::{
    Derived, Figure, Headline, Pattern, Table, Trace, VariantInfo, arrived, ideal,
    task,
};

// ANCHOR: worker
/// The child's work: sleep, then hand back its name.
fn worker(name: &'static str, secs: f64) -> &'static str {
    sleep_s(secs);
    name
}
// ANCHOR_END: worker

// ANCHOR: join_in_start_order
/// `a.join(); b.join()`, except that Rust's `join` returns the thread's value.
fn join_in_start_order(tasks: &[(&'static str, f64)]) {
    let handles: Vec<_> = tasks
        .iter()
        .enumerate()
        .map(|(id, &(name, secs))| {
            thread::spawn(move || task(id, || worker(name, secs)))
        })
        .collect();
    for (id, handle) in handles.into_iter().enumerate() {
        // Blocks until *this* thread ends, whatever the others are doing.
        let name = handle.join().expect("a sleeping thread does not panic");
        arrived(id, format_args!("join returned {name:?}"));
    }
}
// ANCHOR_END: join_in_start_order

// ANCHOR: channel_completion_order
/// Each thread sends its result once it is done; the caller takes them as they come.
fn channel_completion_order(tasks: &[(&'static str, f64)]) {
    let (tx, rx) = mpsc::channel();
    // Scoped threads may borrow `tasks` (no 'static, no Arc): the scope joins every
    // thread before it returns, so nothing they borrow can be dropped under them.
    thread::scope(|s| {
        for (id, &(name, secs)) in tasks.iter().enumerate() {
            let tx = tx.clone();
            s.spawn(move || {
                let name = task(id, || worker(name, secs));
                tx.send((id, name))
                    .expect("the receiver outlives the threads");
            });
        }
        drop(tx); // the loop below ends once every thread's sender is gone
        for (id, name) in rx {
            arrived(id, format_args!("{name:?} arrived on the channel"));
        }
    });
}
// ANCHOR_END: channel_completion_order

/// Task 0 is A (slow, started first), task 1 is B (fast).
const DEFAULT_TASKS: [(&str, f64); 2] = [("A", 0.8), ("B", 0.3)];
const FULL_TASKS: [(&str, f64); 2] = [("A", 3.0), ("B", 1.0)];
const B: usize = 1;

/// How long B's finished result sat before the caller took it: the cost of the order.
const B_WAITED: Figure = Figure::seconds("b_result_waited_s", "B's result waited")
    .derived(Derived::Waited(B));
/// The twin's `target=f()` slip: 1 where the thread's work ran on the caller's thread.
const RAN_ON_CALLER: Figure =
    Figure::count("ran_on_caller", "ran on the caller's thread");

const PATTERN: Pattern = Pattern::new(
    "join_order",
    "join waits in start order; a channel hands results over as they finish",
)
.variants(&[
    VariantInfo::both("join-in-start-order", "std::thread::spawn + join"),
    VariantInfo::both("channel-completion-order", "thread::scope + mpsc channel"),
    VariantInfo::python("target-called"),
    VariantInfo::python("target-passed"),
])
.headline(Headline::new(
    FIRST_RESULT,
    "channel-completion-order",
    "join-in-start-order",
))
.tables(&[
    Table::new(
        "How long does the fast result wait for the slow one?",
        &[FIRST_RESULT, B_WAITED],
    ),
    Table::new(
        "Does `target=f()` run f on the caller's thread?",
        &[RAN_ON_CALLER],
    ),
]);

fn main() {
    let options = PATTERN.parse();
    let tasks = if options.full {
        FULL_TASKS
    } else {
        DEFAULT_TASKS
    };
    // Both tasks run at once, so the batch can take no less than the slow one.
    let slowest = tasks.iter().map(|&(_, secs)| secs).fold(0.0, f64::max);
    let mut trace = Trace::new(&PATTERN, &options);
    trace.run("join-in-start-order", || {
        join_in_start_order(&tasks);
        ideal(slowest)
    });
    trace.run("channel-completion-order", || {
        channel_completion_order(&tasks);
        ideal(slowest)
    });
    trace.finish(&options);
}
