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
//! 0.6 s. The signalling variants (`event`, `channel`, `oncelock`, `async-*`) print
//! `received task 0` at 0.2 s, while the worker is still busy; `join` and `async-join`
//! print it only at 0.6 s, when the worker is gone. The summary's *first result* column
//! says the same in one number.

use std::sync::{Arc, Condvar, Mutex, OnceLock, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use concurrency_pairs::common::FIRST_RESULT;
use concurrency_pairs::lab::{Task, note};
use concurrency_pairs::{
    Derived, Figure, Headline, Pattern, Table, Trace, VariantInfo, arrived, task, work::sleep_s,
};
use tokio::sync::{Notify, oneshot, watch};
use tokio::time::timeout;

/// The value the worker computes (the computing itself is a sleep, as in the article).
const ANSWER: u64 = 42;
/// What the caller says when it wakes: on a signal, or at the worker's end.
const SIGNALLED: &str = "signalled: the worker is still busy";
const JOINED: &str = "from join: the worker is done";
/// No wait here is unbounded: past this (the worker needs 3 s at most), it fails, not hangs.
const PATIENCE: Duration = Duration::from_secs(10);

// ANCHOR: worker
/// The worker thread: compute (task 0), hand the value to `publish`, keep working (task 1).
fn worker(sizes: Sizes, publish: impl FnOnce(u64)) -> u64 {
    let value = task(0, || {
        sleep_s(sizes.compute_s);
        ANSWER
    });
    publish(value); // the waiter can go on from here...
    Task::new(1).kind("after").run(|| sleep_s(sizes.after_s)); // ...while this still runs
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
/// A write-once cell for the value, and `unpark` to wake the one thread waiting for it.
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

/// The same worker as an async task (lane `worker-task`: it has no thread of its own).
async fn async_worker(sizes: Sizes, publish: impl FnOnce(u64)) -> u64 {
    let nap = |secs: f64| tokio::time::sleep(Duration::from_secs_f64(secs));
    let timed = |id| Task::new(id).lane("worker-task");
    timed(0).run_async(nap(sizes.compute_s)).await;
    publish(ANSWER);
    timed(1).kind("after").run_async(nap(sizes.after_s)).await;
    note("worker: finished its other work too");
    ANSWER
}

// ANCHOR: async_event
/// `asyncio.Event` plus a stored result: a slot and a `tokio::sync::Notify`.
async fn async_event(sizes: Sizes) {
    let shared = Arc::new((Mutex::new(None), Notify::new()));
    let publisher = Arc::clone(&shared);
    let worker = tokio::spawn(async_worker(sizes, move |value| {
        let (slot, notify) = &*publisher;
        *slot.lock().expect("no task panics holding the slot") = Some(value);
        // notify_one stores a permit if nobody waits yet: the wake-up is not lost.
        notify.notify_one();
    }));
    let (slot, notify) = &*shared;
    timeout(PATIENCE, notify.notified())
        .await
        .expect("the worker publishes in time");
    let value = slot.lock().expect("no task panics holding the slot").take();
    let value = value.expect("notified after the slot was filled");
    arrived(0, format_args!("value {value} ({SIGNALLED})"));
    worker.await.expect("the worker does not panic");
}
// ANCHOR_END: async_event

// ANCHOR: async_oneshot
/// A one-shot channel: one value, sent once, awaited once.
async fn async_oneshot(sizes: Sizes) {
    let (tx, rx) = oneshot::channel();
    let worker = tokio::spawn(async_worker(sizes, move |value| {
        // Err only if the receiver is gone, and then nobody wants the value.
        let _ = tx.send(value);
    }));
    let value = timeout(PATIENCE, rx)
        .await
        .expect("the worker publishes in time")
        .expect("the worker sends before dropping the sender");
    arrived(0, format_args!("value {value} ({SIGNALLED})"));
    worker.await.expect("the worker does not panic");
}
// ANCHOR_END: async_oneshot

// ANCHOR: async_watch
/// A watch channel: the latest value, which any number of receivers can wait on.
async fn async_watch(sizes: Sizes) {
    let (tx, mut rx) = watch::channel(None);
    let worker = tokio::spawn(async_worker(sizes, move |value| {
        tx.send_replace(Some(value));
    }));
    let value = timeout(PATIENCE, rx.wait_for(Option::is_some))
        .await
        .expect("the worker publishes in time")
        .expect("the sender is alive until it has sent")
        .expect("wait_for returns a Some");
    arrived(0, format_args!("value {value} ({SIGNALLED})"));
    worker.await.expect("the worker does not panic");
}
// ANCHOR_END: async_watch

// ANCHOR: async_join
/// The async naive counterpart: await the task's handle, which resolves at its end.
async fn async_join(sizes: Sizes) {
    let worker = tokio::spawn(async_worker(sizes, |_| {}));
    let value = timeout(PATIENCE, worker)
        .await
        .expect("the worker ends in time")
        .expect("the worker does not panic");
    arrived(0, format_args!("value {value} ({JOINED})"));
}
// ANCHOR_END: async_join

/// How long the worker computes before publishing, and how long it works afterwards.
#[derive(Debug, Clone, Copy)]
struct Sizes {
    compute_s: f64,
    after_s: f64,
}

/// Published as computing (task 0) ended; woke when task 0's value was received; the
/// worker ended with its other work (task 1).
const WOKE: Figure = Figure::seconds("woke_s", "waiter woke").derived(Derived::ReceivedAt(0));
const PUBLISHED: Figure =
    Figure::seconds("published_s", "value published").derived(Derived::Ended(0));
const WORKER_END: Figure =
    Figure::seconds("worker_end_s", "worker ended").derived(Derived::Ended(1));

const PATTERN: Pattern = Pattern::new(
    "event",
    "wake when a value is published, not when the worker ends (signals versus join)",
)
.variants(&[
    VariantInfo::both("event", "Mutex<Option<u64>> + Condvar"),
    VariantInfo::both("channel", "std::sync::mpsc, recv_timeout"),
    VariantInfo::rust("oncelock", "OnceLock + thread::park_timeout"),
    VariantInfo::both("join", "JoinHandle::join (no signal)"),
    VariantInfo::both("async-event", "tokio::sync::Notify + Mutex<Option<u64>>"),
    VariantInfo::both("async-oneshot", "tokio::sync::oneshot"),
    VariantInfo::rust("async-watch", "tokio::sync::watch, wait_for"),
    VariantInfo::both("async-join", "await the JoinHandle (no signal)"),
])
.headline(Headline::new(FIRST_RESULT, "event", "join"))
.tables(&[Table::new(
    "Does the waiter wake when the value is published, or when the worker ends?",
    &[WOKE, PUBLISHED, WORKER_END],
)]);

fn main() {
    let options = PATTERN.parse();
    let scale = if options.full { 5.0 } else { 1.0 };
    let sizes = Sizes {
        compute_s: 0.2 * scale,
        after_s: 0.4 * scale,
    };
    let rt = tokio::runtime::Runtime::new().expect("a tokio runtime starts");
    let mut trace = Trace::new(&PATTERN, &options);
    trace.run("event", || event(sizes));
    trace.run("channel", || channel(sizes));
    trace.run("oncelock", || oncelock(sizes));
    trace.run("join", || join(sizes));
    trace.run("async-event", || rt.block_on(async_event(sizes)));
    trace.run("async-oneshot", || rt.block_on(async_oneshot(sizes)));
    trace.run("async-watch", || rt.block_on(async_watch(sizes)));
    trace.run("async-join", || rt.block_on(async_join(sizes)));
    trace.set_ideal(sizes.compute_s + sizes.after_s);
    trace.finish(&options);
}
