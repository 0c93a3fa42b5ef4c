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
//! `first result` column and the trace's `b_result_waited_s` say how long B sat unused.

use std::sync::mpsc;
use std::thread;

use concurrency_pairs::work::sleep_s;
use concurrency_pairs::{Cli, Trace, arrived, task};

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
        .map(|(id, &(name, secs))| thread::spawn(move || task(id, || worker(name, secs))))
        .collect();
    for (id, handle) in handles.into_iter().enumerate() {
        // Blocks until *this* thread ends, whatever the others are doing.
        let name = handle.join().expect("a sleeping thread does not panic");
        arrived(id, format_args!("join returned {name:?}"));
    }
}
// ANCHOR_END: join_in_start_order

// ANCHOR: channel_completion_order
/// Each thread sends its result the moment it is done; the caller takes them as they come.
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

const CLI: Cli = Cli::new(
    "join_order",
    "join waits in start order; a channel hands results over as they finish",
)
.with_variants(&["join-in-start-order", "channel-completion-order"]);

/// Task 0 is A (slow, started first), task 1 is B (fast).
const DEFAULT_TASKS: [(&str, f64); 2] = [("A", 0.8), ("B", 0.3)];
const FULL_TASKS: [(&str, f64); 2] = [("A", 3.0), ("B", 1.0)];
const B: usize = 1;

fn main() {
    let options = CLI.parse();
    let tasks = if options.full {
        FULL_TASKS
    } else {
        DEFAULT_TASKS
    };
    let mut trace = Trace::new("join_order", &options);
    trace.run("join-in-start-order", "std::thread::spawn + join", || {
        join_in_start_order(&tasks)
    });
    trace.run(
        "channel-completion-order",
        "thread::scope + mpsc channel",
        || channel_completion_order(&tasks),
    );
    // Both tasks run at once, so the batch can take no less than the slow one.
    trace.set_ideal(tasks.iter().map(|&(_, secs)| secs).fold(0.0, f64::max));
    // How long B's finished result sat before the caller took it: the cost of the order.
    for v in &mut trace.variants {
        let end = v.task(B).map(|t| t.end_s);
        v.figures.b_result_waited_s = v.received_at(B).zip(end).map(|(got, end)| got - end);
    }
    trace.finish(&options);
}
