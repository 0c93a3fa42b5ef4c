//! # `event`: signal a result, keep working
//!
//! Python: a worker thread computes a value, stores it, sets a `threading.Event`, and keeps
//! working for two more seconds; the main thread wakes on the event, not on the thread's
//! end. Waiting on `join` instead wakes only when the worker is completely done.
//! Twin: `python/event.py`. Chapter: "event" in the book.
//!
//! Run: `cargo run --release --example event` (`--full`: the article's 1 s of computing,
//! then 2 s more work; `--json`: the trace).
//!
//! Watch: in every variant the worker publishes its value at about 0.2 s and ends at about
//! 0.6 s. The signalling variants (`event`, `channel`, `oncelock`) print `received task 0`
//! at 0.2 s, while the worker is still busy; `join` prints it only at 0.6 s, when the
//! worker is gone. The summary's *first result* column says the same in one number. Async
//! tasks: the `event_async` example.

use std::sync::{Condvar, Mutex, OnceLock, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use concurrency_pairs::common::FIRST_RESULT;
use concurrency_pairs::event::WAKING;
use concurrency_pairs::lab::{Task, note};
use concurrency_pairs::{
    Headline, Pattern, Trace, VariantInfo, arrived, task, work::sleep_s,
};

/// The value the worker computes (the computing itself is a sleep, as in the article).
const ANSWER: u64 = 42;
/// What the caller says when it wakes: on a signal, or at the worker's end.
const SIGNALLED: &str = "signalled: the worker is still busy";
const JOINED: &str = "from join: the worker is done";
/// No wait here is unbounded: past this (the worker needs 3 s at most), it fails, not hangs.
const PATIENCE: Duration = Duration::from_secs(10);

// ANCHOR: worker
/// The worker thread: compute (task 0), pass the value to `publish`, go on (task 1).
fn worker(sizes: Sizes, publish: impl FnOnce(u64)) -> u64 {
    let value = task(0, || {
        sleep_s(sizes.compute_s);
        ANSWER
    });
    publish(value); // the waiter can go on from here...
    Task::new(1).kind("after").run(|| sleep_s(sizes.after_s)); // ...while this runs
    note("worker: finished its other work too");
    value
}
// ANCHOR_END: worker

// ANCHOR: event
/// `threading.Event` plus a stored result is a `Mutex<Option<T>>` and a `Condvar`.
fn event(sizes: Sizes) {
    let slot = Mutex::new(None);
    let ready = Condvar::new();
    let publish = |value| {
        *slot.lock().expect("no thread panics holding the slot") = Some(value);
        ready.notify_all(); // event.set()
    };
    thread::scope(|s| {
        let handle = s.spawn(move || worker(sizes, publish));
        // event.wait(timeout): sleeps until notified *and* the slot is filled.
        let guard = slot.lock().expect("no thread panics holding the slot");
        let (guard, _) = ready
            .wait_timeout_while(guard, PATIENCE, |value| value.is_none())
            .expect("no thread panics holding the slot");
        let value = guard.expect("the worker publishes in time");
        drop(guard);
        arrived(0, format_args!("value {value} ({SIGNALLED})"));
        handle.join().expect("the worker does not panic");
    });
}
// ANCHOR_END: event

// ANCHOR: channel
/// A channel: the value *is* the signal.
fn channel(sizes: Sizes) {
    let (tx, rx) = mpsc::channel();
    let publish = move |value| tx.send(value).expect("the caller is still listening");
    let handle = thread::spawn(move || worker(sizes, publish));
    let value = rx
        .recv_timeout(PATIENCE)
        .expect("the worker publishes in time");
    arrived(0, format_args!("value {value} ({SIGNALLED})"));
    handle.join().expect("the worker does not panic");
}
// ANCHOR_END: channel

// ANCHOR: oncelock
/// A write-once cell for the value, and `unpark` to wake the one thread waiting.
fn oncelock(sizes: Sizes) {
    let cell = OnceLock::new();
    let caller = thread::current();
    let publish = |value| {
        cell.set(value).expect("only the worker sets the cell");
        caller.unpark();
    };
    thread::scope(|s| {
        let handle = s.spawn(move || worker(sizes, publish));
        // park can wake spuriously: check the cell, park again until the deadline.
        let deadline = Instant::now() + PATIENCE;
        while cell.get().is_none() {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "the worker publishes in time");
            thread::park_timeout(left);
        }
        let value = cell.get().expect("the loop ends once the cell is set");
        arrived(0, format_args!("value {value} ({SIGNALLED})"));
        handle.join().expect("the worker does not panic");
    });
}
// ANCHOR_END: oncelock

// ANCHOR: join
/// The naive counterpart: no signal, so the caller learns the value from `join`,
/// which returns only when the worker has finished *everything*.
fn join(sizes: Sizes) {
    let handle = thread::spawn(move || worker(sizes, |_| {}));
    let value = handle.join().expect("the worker does not panic");
    arrived(0, format_args!("value {value} ({JOINED})"));
}
// ANCHOR_END: join

/// How long the worker computes before publishing, and how long it works afterwards.
#[derive(Debug, Clone, Copy)]
struct Sizes {
    compute_s: f64,
    after_s: f64,
}

const PATTERN: Pattern = Pattern::new(
    "event",
    "wake when a value is published, not when the worker ends (signals versus join)",
)
.variants(&[
    VariantInfo::both("event", "Mutex<Option<u64>> + Condvar"),
    VariantInfo::both("channel", "std::sync::mpsc, recv_timeout"),
    VariantInfo::rust("oncelock", "OnceLock + thread::park_timeout"),
    VariantInfo::both("join", "JoinHandle::join (no signal)"),
])
.headline(Headline::new(FIRST_RESULT, "event", "join"))
.tables(&[WAKING]);

fn main() {
    let options = PATTERN.parse();
    let scale = if options.full { 5.0 } else { 1.0 };
    let sizes = Sizes {
        compute_s: 0.2 * scale,
        after_s: 0.4 * scale,
    };
    let mut trace = Trace::new(&PATTERN, &options);
    trace.run("event", || event(sizes));
    trace.run("channel", || channel(sizes));
    trace.run("oncelock", || oncelock(sizes));
    trace.run("join", || join(sizes));
    trace.set_ideal(sizes.compute_s + sizes.after_s);
    trace.finish(&options);
}
