//! # `join_order`: joining waits in start order
//!
//! Python: start two `multiprocessing.Process`es, A slow and B fast, then `a.join();
//! b.join()`. `join` returns no result, and the main process waits for A even though B
//! finished long before. Twin: `python/join_order.py`.
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
use concurrency_pairs::{Cli, Recorder, Trace, Variant};

const CLI: Cli = Cli::new(
    "join_order",
    "join waits in start order; a channel hands results over as they finish",
);

/// Task 0 is A (slow, started first), task 1 is B (fast).
const DEFAULT_TASKS: [(&str, f64); 2] = [("A", 0.8), ("B", 0.3)];
const FULL_TASKS: [(&str, f64); 2] = [("A", 3.0), ("B", 1.0)];

fn main() {
    let options = CLI.parse();
    let tasks = if options.full {
        FULL_TASKS
    } else {
        DEFAULT_TASKS
    };
    // Both tasks run at once, so the batch can take no less than the slow one.
    let ideal = tasks.iter().map(|&(_, secs)| secs).fold(0.0, f64::max);

    let mut trace = Trace::new("join_order", &options);
    for mut variant in [
        join_in_start_order(&tasks),
        channel_completion_order(&tasks),
    ] {
        variant.ideal_s = Some(ideal);
        trace.push(note_b_waited(variant));
    }
    trace.finish(&options);
}

/// Add how long B's finished result sat before the caller took it: the cost of the order.
fn note_b_waited(mut variant: Variant) -> Variant {
    let b = 1;
    let at = variant.received.iter().position(|&id| id == b);
    if let (Some(at), Some(task)) = (at, variant.task(b)) {
        let waited = variant.received_s[at] - task.end_s;
        variant
            .extra
            .insert("b_result_waited_s".into(), waited.into());
    }
    variant
}

// ANCHOR: join_in_start_order
/// `a.join(); b.join()`, except that Rust's `join` returns the thread's value.
fn join_in_start_order(tasks: &[(&'static str, f64)]) -> Variant {
    let mut rec = Recorder::new("join-in-start-order", "std::thread::spawn + join");
    let clock = rec.clock();
    let handles: Vec<_> = tasks
        .iter()
        .enumerate()
        .map(|(id, &(name, secs))| {
            thread::spawn(move || {
                clock.span(id, || {
                    sleep_s(secs);
                    name // the thread's result: join hands it back
                })
            })
        })
        .collect();
    rec.say("A and B started; joining A first, then B");
    for handle in handles {
        // Blocks until *this* thread ends, whatever the others are doing.
        let (name, span) = handle.join().expect("a sleeping thread does not panic");
        rec.receive(span, format_args!("join returned {name:?}"));
    }
    rec.finish()
}
// ANCHOR_END: join_in_start_order

// ANCHOR: channel_completion_order
/// Each thread sends its result the moment it is done; the caller takes them as they come.
fn channel_completion_order(tasks: &[(&'static str, f64)]) -> Variant {
    let mut rec = Recorder::new("channel-completion-order", "thread::scope + mpsc channel");
    let clock = rec.clock();
    let (tx, rx) = mpsc::channel();
    // Scoped threads may borrow `tasks` (no 'static, no Arc): the scope joins every
    // thread before it returns, so nothing they borrow can be dropped under them.
    thread::scope(|s| {
        for (id, (name, secs)) in tasks.iter().enumerate() {
            let tx = tx.clone();
            s.spawn(move || {
                let result = clock.span(id, || {
                    sleep_s(*secs);
                    *name
                });
                tx.send(result).expect("the receiver outlives the threads");
            });
        }
        rec.say("A and B started; receiving from the channel");
        drop(tx); // the loop below ends once every thread's sender is gone
        for (name, span) in rx {
            rec.receive(span, format_args!("{name:?} arrived on the channel"));
        }
    });
    rec.finish()
}
// ANCHOR_END: channel_completion_order
