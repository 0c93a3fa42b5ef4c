//! # `event_async`: signal a result, keep working, in async code
//!
//! Python: a worker task computes a value, stores it, sets an `asyncio.Event`, and keeps
//! working; the waiting coroutine wakes on the event, not on the task's end. Awaiting the
//! task itself instead wakes only when the worker is completely done. The threads' version
//! is the `event` example. Twin: `python/event_async.py`. Chapter: "event" in the book.
//!
//! Run: `cargo run --release --example event_async` (`--full`: the article's 1 s of
//! computing, then 2 s more work; `--json`: the trace).
//!
//! Watch: in every variant the worker task publishes its value at about 0.2 s and ends at
//! about 0.6 s. The signalling variants (`async-event`, `async-oneshot`, `async-watch`)
//! print `received task 0` at 0.2 s, while the worker is still busy; `async-join` prints it
//! only at 0.6 s, when the worker is gone. The summary's *first result* column says the
//! same in one number.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use concurrency_pairs::common::FIRST_RESULT;
use concurrency_pairs::event::WAKING;
use concurrency_pairs::lab::{Task, note};
use concurrency_pairs::{Headline, Pattern, Trace, VariantInfo, arrived};
use tokio::sync::{Notify, oneshot, watch};
use tokio::time::timeout;

/// The value the worker computes (the computing itself is a sleep, as in the article).
const ANSWER: u64 = 42;
/// What the caller says when it wakes: on a signal, or at the worker's end.
const SIGNALLED: &str = "signalled: the worker is still busy";
const JOINED: &str = "from join: the worker is done";
/// No wait here is unbounded: past this (the worker needs 3 s at most), it fails, not hangs.
const PATIENCE: Duration = Duration::from_secs(10);

/// The `event` example's worker as an async task (lane `worker-task`: it has no thread of
/// its own): compute (task 0), hand the value to `publish`, keep working (task 1).
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

const PATTERN: Pattern = Pattern::new(
    "event_async",
    "wake when a task publishes a value, not when it ends (async signals versus awaiting the task)",
)
.variants(&[
    VariantInfo::both("async-event", "tokio::sync::Notify + Mutex<Option<u64>>"),
    VariantInfo::both("async-oneshot", "tokio::sync::oneshot"),
    VariantInfo::rust("async-watch", "tokio::sync::watch, wait_for"),
    VariantInfo::both("async-join", "await the JoinHandle (no signal)"),
])
.headline(Headline::new(FIRST_RESULT, "async-event", "async-join"))
.tables(&[WAKING]);

fn main() {
    let options = PATTERN.parse();
    let scale = if options.full { 5.0 } else { 1.0 };
    let sizes = Sizes {
        compute_s: 0.2 * scale,
        after_s: 0.4 * scale,
    };
    let rt = tokio::runtime::Runtime::new().expect("a tokio runtime starts");
    let mut trace = Trace::new(&PATTERN, &options);
    trace.run("async-event", || rt.block_on(async_event(sizes)));
    trace.run("async-oneshot", || rt.block_on(async_oneshot(sizes)));
    trace.run("async-watch", || rt.block_on(async_watch(sizes)));
    trace.run("async-join", || rt.block_on(async_join(sizes)));
    trace.set_ideal(sizes.compute_s + sizes.after_s);
    trace.finish(&options);
}
