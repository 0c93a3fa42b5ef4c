//! # `event`: signal a result, keep working
//!
//! Python: a worker thread computes a value, stores it, sets a `threading.Event`, and keeps
//! working for two more seconds; the main thread wakes on the event, not on the thread's
//! end. Waiting on `join` instead wakes only when the worker is completely done.
//! Twin: `python/event.py`.
//!
//! Run: `cargo run --release --example event` (add `--full` for the article's timing:
//! 1 s of computing, then 2 s more work; `--json` for the trace).
//!
//! Watch: in every variant the worker publishes its value at about 0.2 s and ends at about
//! 0.6 s. The signalling variants (`event`, `channel`, `oncelock`, `async-*`) print
//! `received task 0` at 0.2 s, while the worker is still busy; `join` and `async-join`
//! print it only at 0.6 s, when the worker is gone. The summary's *first result* column
//! says the same in one number.

use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use concurrency_pairs::work::sleep_s;
use concurrency_pairs::{Cli, Clock, Recorder, TaskSpan, Trace, Variant};
use tokio::sync::{Notify, oneshot, watch};
use tokio::time::timeout;

const CLI: Cli = Cli::new(
    "event",
    "wake when a value is published, not when the worker ends (signals versus join)",
);

/// The value the worker computes (the computing itself is a sleep, as in the article).
const ANSWER: u64 = 42;
/// The async worker's lane: async tasks have no thread of their own.
const ASYNC_LANE: &str = "worker-task";
/// What the signalling variants say when they wake.
const SIGNALLED: &str = "signalled: the worker is still busy";

/// How long the worker computes before publishing, and how long it works afterwards.
#[derive(Debug, Clone, Copy)]
struct Sizes {
    compute_s: f64,
    after_s: f64,
}

impl Sizes {
    /// No wait in this example is unbounded: a waiter that has not heard from the worker
    /// long after it should have gives up with an error instead of hanging.
    fn patience(&self) -> Duration {
        Duration::from_secs_f64(self.compute_s + self.after_s + 10.0)
    }
}

const DEFAULT: Sizes = Sizes {
    compute_s: 0.2,
    after_s: 0.4,
};
const FULL: Sizes = Sizes {
    compute_s: 1.0,
    after_s: 2.0,
};

fn main() {
    let options = CLI.parse();
    let sizes = if options.full { FULL } else { DEFAULT };

    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime starts");
    let mut trace = Trace::new("event", &options);
    for mut variant in [
        event(sizes),
        channel(sizes),
        oncelock(sizes),
        join(sizes),
        runtime.block_on(async_event(sizes)),
        runtime.block_on(async_oneshot(sizes)),
        runtime.block_on(async_watch(sizes)),
        runtime.block_on(async_join(sizes)),
    ] {
        variant.ideal_s = Some(sizes.compute_s + sizes.after_s);
        trace.push(variant);
    }
    trace.finish(&options);
}

/// What the worker reports when it ends: its two spans and when it published.
#[derive(Debug)]
struct WorkerReport {
    value: u64,
    published_s: f64,
    /// Task 0: computing the value. Task 1: the work it goes on with afterwards.
    spans: [TaskSpan; 2],
}

// ANCHOR: worker
/// The worker thread: compute, hand the value to `publish`, then keep working.
fn worker(clock: Clock, sizes: Sizes, publish: impl FnOnce(u64)) -> WorkerReport {
    let (value, compute) = clock.span(0, || {
        sleep_s(sizes.compute_s);
        ANSWER
    });
    let published_s = clock.now();
    publish(value); // the waiter can go on from here...
    let (_, after) = clock.span(1, || sleep_s(sizes.after_s)); // ...while this still runs
    WorkerReport {
        value,
        published_s,
        spans: [compute, after.with_kind("after")],
    }
}
// ANCHOR_END: worker

/// The same worker as an async task.
async fn async_worker(clock: Clock, sizes: Sizes, publish: impl FnOnce(u64)) -> WorkerReport {
    let nap = |secs: f64| tokio::time::sleep(Duration::from_secs_f64(secs));
    let (_, compute) = clock.span_async(0, ASYNC_LANE, nap(sizes.compute_s)).await;
    let published_s = clock.now();
    publish(ANSWER);
    let (_, after) = clock.span_async(1, ASYNC_LANE, nap(sizes.after_s)).await;
    WorkerReport {
        value: ANSWER,
        published_s,
        spans: [compute, after.with_kind("after")],
    }
}

/// The caller holds the value: record when (the `received` time is `woke_s`).
fn woke(rec: &mut Recorder, value: u64, how: &str) {
    let woke_s = rec.clock().now();
    rec.note("woke_s", woke_s);
    rec.receive_id(0, format_args!("value {value} ({how})"));
}

/// The worker has ended: record its spans, when it published and when it ended.
fn worker_ended(mut rec: Recorder, report: WorkerReport) -> Variant {
    let [compute, after] = report.spans;
    let worker_end_s = after.end_s;
    rec.say(format_args!(
        "worker ended (published {} at {:.3}s, kept working until {worker_end_s:.3}s)",
        report.value, report.published_s
    ));
    rec.note("published_s", report.published_s);
    rec.note("worker_end_s", worker_end_s);
    rec.record(compute);
    rec.record(after);
    rec.finish()
}

/// A named worker thread, so the trace's lane says what it is.
fn spawn_named<'scope, T: Send + 'scope>(
    scope: &'scope thread::Scope<'scope, '_>,
    work: impl FnOnce() -> T + Send + 'scope,
) -> thread::ScopedJoinHandle<'scope, T> {
    thread::Builder::new()
        .name("worker".into())
        .spawn_scoped(scope, work)
        .expect("a thread starts")
}

// ANCHOR: event
/// `threading.Event` plus a stored result is a `Mutex<Option<T>>` and a `Condvar`.
fn event(sizes: Sizes) -> Variant {
    let mut rec = Recorder::new("event", "Mutex<Option<u64>> + Condvar");
    let clock = rec.clock();
    let slot = Mutex::new(None);
    let ready = Condvar::new();
    thread::scope(|s| {
        let handle = spawn_named(s, || {
            worker(clock, sizes, |value| {
                *slot.lock().expect("no thread panics holding the slot") = Some(value);
                ready.notify_all(); // event.set()
            })
        });
        // event.wait(timeout): sleeps until notified *and* the slot is filled.
        let guard = slot.lock().expect("no thread panics holding the slot");
        let (guard, _) = ready
            .wait_timeout_while(guard, sizes.patience(), |value| value.is_none())
            .expect("no thread panics holding the slot");
        let value = guard.expect("the worker publishes in time");
        drop(guard);
        woke(&mut rec, value, SIGNALLED);
        let report = handle.join().expect("the worker does not panic");
        worker_ended(rec, report)
    })
}
// ANCHOR_END: event

// ANCHOR: channel
/// A channel: the value *is* the signal.
fn channel(sizes: Sizes) -> Variant {
    let mut rec = Recorder::new("channel", "std::sync::mpsc, recv_timeout");
    let clock = rec.clock();
    let (tx, rx) = mpsc::channel();
    thread::scope(|s| {
        let handle = spawn_named(s, move || {
            worker(clock, sizes, |value| {
                tx.send(value).expect("the caller is still listening");
            })
        });
        let value = rx
            .recv_timeout(sizes.patience())
            .expect("the worker publishes in time");
        woke(&mut rec, value, SIGNALLED);
        let report = handle.join().expect("the worker does not panic");
        worker_ended(rec, report)
    })
}
// ANCHOR_END: channel

// ANCHOR: oncelock
/// A write-once cell for the value, and `unpark` to wake the one thread waiting for it.
fn oncelock(sizes: Sizes) -> Variant {
    let mut rec = Recorder::new("oncelock", "OnceLock + thread::park_timeout");
    let clock = rec.clock();
    let cell = OnceLock::new();
    let caller = thread::current();
    thread::scope(|s| {
        let handle = spawn_named(s, || {
            worker(clock, sizes, |value| {
                cell.set(value).expect("only the worker sets the cell");
                caller.unpark();
            })
        });
        // park can wake spuriously: check the cell, park again until the deadline.
        let deadline = Instant::now() + sizes.patience();
        let value = loop {
            if let Some(value) = cell.get() {
                break *value;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "the worker publishes in time");
            thread::park_timeout(left);
        };
        woke(&mut rec, value, SIGNALLED);
        let report = handle.join().expect("the worker does not panic");
        worker_ended(rec, report)
    })
}
// ANCHOR_END: oncelock

// ANCHOR: join
/// The naive counterpart: no signal, so the caller learns the value from `join`,
/// which returns only when the worker has finished *everything*.
fn join(sizes: Sizes) -> Variant {
    let mut rec = Recorder::new("join", "JoinHandle::join (no signal)");
    let clock = rec.clock();
    thread::scope(|s| {
        let handle = spawn_named(s, || worker(clock, sizes, |_| {}));
        let report = handle.join().expect("the worker does not panic");
        woke(&mut rec, report.value, "from join: the worker is done");
        worker_ended(rec, report)
    })
}
// ANCHOR_END: join

// ANCHOR: async_event
/// `asyncio.Event` plus a stored result: a slot and a `tokio::sync::Notify`.
async fn async_event(sizes: Sizes) -> Variant {
    let mut rec = Recorder::new("async-event", "tokio::sync::Notify + Mutex<Option<u64>>");
    let clock = rec.clock();
    let shared = Arc::new((Mutex::new(None), Notify::new()));
    let worker = tokio::spawn({
        let shared = Arc::clone(&shared);
        async_worker(clock, sizes, move |value| {
            let (slot, notify) = &*shared;
            *slot.lock().expect("no task panics holding the slot") = Some(value);
            // notify_one stores a permit if nobody waits yet: the wake-up is not lost.
            notify.notify_one();
        })
    });
    let (slot, notify) = &*shared;
    timeout(sizes.patience(), notify.notified())
        .await
        .expect("the worker publishes in time");
    let value = slot.lock().expect("no task panics holding the slot").take();
    woke(
        &mut rec,
        value.expect("notified after the slot was filled"),
        SIGNALLED,
    );
    let report = worker.await.expect("the worker does not panic");
    worker_ended(rec, report)
}
// ANCHOR_END: async_event

// ANCHOR: async_oneshot
/// A one-shot channel: one value, sent once, awaited once.
async fn async_oneshot(sizes: Sizes) -> Variant {
    let mut rec = Recorder::new("async-oneshot", "tokio::sync::oneshot");
    let clock = rec.clock();
    let (tx, rx) = oneshot::channel();
    let worker = tokio::spawn(async_worker(clock, sizes, move |value| {
        // Err only if the receiver is gone, and then nobody wants the value.
        let _ = tx.send(value);
    }));
    let value = timeout(sizes.patience(), rx)
        .await
        .expect("the worker publishes in time")
        .expect("the worker sends before dropping the sender");
    woke(&mut rec, value, SIGNALLED);
    let report = worker.await.expect("the worker does not panic");
    worker_ended(rec, report)
}
// ANCHOR_END: async_oneshot

// ANCHOR: async_watch
/// A watch channel: the latest value, which any number of receivers can wait on.
async fn async_watch(sizes: Sizes) -> Variant {
    let mut rec = Recorder::new("async-watch", "tokio::sync::watch, wait_for");
    let clock = rec.clock();
    let (tx, mut rx) = watch::channel(None);
    let worker = tokio::spawn(async_worker(clock, sizes, move |value| {
        tx.send_replace(Some(value));
    }));
    let value = *timeout(sizes.patience(), rx.wait_for(Option::is_some))
        .await
        .expect("the worker publishes in time")
        .expect("the sender is alive until it has sent");
    woke(&mut rec, value.expect("wait_for returns a Some"), SIGNALLED);
    let report = worker.await.expect("the worker does not panic");
    worker_ended(rec, report)
}
// ANCHOR_END: async_watch

// ANCHOR: async_join
/// The async naive counterpart: await the task's handle, which resolves at its end.
async fn async_join(sizes: Sizes) -> Variant {
    let mut rec = Recorder::new("async-join", "await the JoinHandle (no signal)");
    let clock = rec.clock();
    let worker = tokio::spawn(async_worker(clock, sizes, |_| {}));
    let report = timeout(sizes.patience(), worker)
        .await
        .expect("the worker ends in time")
        .expect("the worker does not panic");
    woke(&mut rec, report.value, "from join: the worker is done");
    worker_ended(rec, report)
}
// ANCHOR_END: async_join
