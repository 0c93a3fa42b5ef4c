//! # `task_handles`: what dropping a task's handle does
//!
//! Python has one kind of task, and a `Task` that nobody holds runs on; what it refuses is
//! a coroutine that is no task: `asyncio.wait([coroutines])`, the call of "Multi-tasking
//! in Python", raises `TypeError` on Python 3.11. Rust: the same nine tasks as
//! `wait_timeout`, the same 4.5-unit deadline, but the pending tasks' fate is the
//! handle's: dropping a tokio `JoinHandle` detaches its task, dropping a smol `Task`
//! cancels it, `Task::detach` lets it run on. Twin: `python/task_handles.py`. Chapter:
//! "wait_timeout" in the book (`book/src/wait_timeout.md`), after the `JoinSet` variants.
//!
//! Run: `cargo run --release --example task_handles` (a unit is 0.2 s; `--full` makes it
//! the article's 1 s, `--json` prints the trace).
//!
//! Watch: every block receives tasks 0-3 and returns at the deadline with five pending;
//! the last line counts the tasks that completed after the wait returned: five where the
//! handles detach (`deadline-detach`, `smol-detach`), none where they cancel
//! (`smol-cancel`).

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::time::{Duration, Instant};

use concurrency_pairs::common::CANCELLED;
use concurrency_pairs::lab::{self, note, task_async_or_cancelled};
use concurrency_pairs::{
    Derived, Figure, Found, Headline, Pattern, Table, Trace, VariantInfo, arrived,
    given, say,
};
use futures::FutureExt;
use futures::stream::{FuturesUnordered, StreamExt};
use tokio::runtime::Runtime;
use tokio::task::JoinHandle;
use tokio::time::{sleep_until, timeout_at};

/// Nine tasks; task `i` sleeps `i + 1` units.
const TASKS: usize = 9;

/// Counts the tasks that ran to their end: the side effect a cancelled task never has.
static COMPLETED: AtomicUsize = AtomicUsize::new(0);
/// One task: sleep, then count itself done (as in `wait_timeout`).
async fn nap(id: usize, sleep: impl Future) -> usize {
    sleep.await;
    COMPLETED.fetch_add(1, SeqCst);
    id
}

// ANCHOR: deadline_detach
/// Plain `tokio::spawn` handles, polled as they finish through a `FuturesUnordered`.
/// Dropping a `JoinHandle` *detaches* its task: the five pending tasks run to their
/// end with nobody waiting for them.
async fn deadline_detach(unit: Duration) -> f64 {
    let start = Instant::now();
    let deadline = start + unit.mul_f64(SHORT_UNITS);
    let mut handles: FuturesUnordered<JoinHandle<usize>> = (0..TASKS)
        .map(|id| tokio::spawn(tokio_nap(id, unit)))
        .collect();
    while let Ok(Some(joined)) = timeout_at(deadline.into(), handles.next()).await {
        arrived(joined.expect("a sleeping task does not panic"), "done");
    }
    let returned = wait_returned(handles.len());
    drop(handles); // detaches the five pending tasks: they keep running
    note("dropped the JoinHandles: their tasks run on, detached");
    sleep_until(settled(start, unit).into()).await;
    returned
}
// ANCHOR_END: deadline_detach

// ANCHOR: smol_deadline
/// smol, with `futures::select!` racing the next finished task against a timer. A
/// smol `Task` is the opposite of a tokio `JoinHandle`: dropping it cancels the task,
/// and `detach()` is how you let it run on.
async fn smol_deadline(unit: Duration, detach: bool) -> f64 {
    let start = Instant::now();
    // A smol `Timer` is a future and a stream (of ticks): take the future's `fuse`.
    let mut deadline =
        FutureExt::fuse(smol::Timer::at(start + unit.mul_f64(SHORT_UNITS)));
    let mut pending: FuturesUnordered<smol::Task<usize>> = (0..TASKS)
        .map(|id| smol::spawn(smol_nap(id, unit)))
        .collect();
    while !pending.is_empty() {
        futures::select! {
            id = pending.select_next_some() => arrived(id, "done"),
            _ = deadline => break,
        }
    }
    let returned = wait_returned(pending.len());
    if detach {
        pending.into_iter().for_each(smol::Task::detach); // run on, nobody waiting
        note("detached the pending Tasks: they run on");
    } else {
        drop(pending); // cancels them: what falling out of scope does too
        note("dropped the pending Tasks: they are cancelled");
    }
    smol::Timer::at(settled(start, unit)).await;
    returned
}
// ANCHOR_END: smol_deadline

/// The deadline, half-way between two tasks' ends (4 and 5 units).
const SHORT_UNITS: f64 = 4.5;
/// Half a unit past the slowest task's end: every task that was going to finish has.
const SETTLED_UNITS: f64 = TASKS as f64 + 0.5;

/// Task `id` sleeping `id + 1` units on tokio's timer, timed for the trace.
fn tokio_nap(id: usize, unit: Duration) -> impl Future<Output = usize> {
    task_async_or_cancelled(id, nap(id, tokio::time::sleep(unit * (id as u32 + 1))))
}

/// The same on smol's timer (async-io: works on any executor).
fn smol_nap(id: usize, unit: Duration) -> impl Future<Output = usize> {
    task_async_or_cancelled(id, nap(id, smol::Timer::after(unit * (id as u32 + 1))))
}

/// When the variant has watched long enough (see `SETTLED_UNITS`).
fn settled(start: Instant, unit: Duration) -> Instant {
    start + unit.mul_f64(SETTLED_UNITS)
}

/// The wait has returned: say so, and give the time. From here on `COMPLETED` counts the
/// tasks that complete after the wait (the ones done by now are the results received).
fn wait_returned(pending: usize) -> f64 {
    if pending > 0 {
        lab::mark("deadline"); // the wait gave up on the pending tasks
    }
    note(format_args!(
        "wait returned: {} done, {pending} pending",
        TASKS - pending
    ));
    COMPLETED.store(0, SeqCst);
    lab::now()
}

/// Past the wait (`returned_s` into the variant, bounded by `timeout_units`), count the
/// tasks that completed after it.
fn tally(returned_s: f64, timeout_units: f64) -> Vec<Found> {
    let later = COMPLETED.swap(0, SeqCst);
    say!("  {later} completed after the wait returned");
    vec![
        RETURNED.of(returned_s),
        LATER.of(later),
        given("spawned", TASKS),
        given("timeout_units", timeout_units),
    ]
}

const RETURNED: Figure = Figure::seconds("returned_s", "wait returned");
/// The results received: every one arrived before the wait returned.
const DONE: Figure =
    Figure::count("done_at_deadline", "done at deadline").derived(Derived::Received);
const LATER: Figure = Figure::count("completed_after_deadline", "completed after");

const PATTERN: Pattern = Pattern::new(
    "task_handles",
    "the pending tasks' fate is their handle's: tokio's JoinHandle detaches, smol's Task cancels",
)
.variants(&[
    VariantInfo::rust(
        "deadline-detach",
        "tokio::spawn handles dropped at the deadline",
    ),
    VariantInfo::rust(
        "smol-cancel",
        "smol::spawn + futures::select!, Tasks dropped",
    ),
    VariantInfo::rust(
        "smol-detach",
        "smol::spawn + futures::select!, Tasks detached",
    ),
    VariantInfo::python("wait-coroutines"),
])
.headline(Headline::new(LATER, "deadline-detach", "smol-cancel"))
.tables(&[
    Table::new(
        "When does the wait return, with how much done?",
        &[RETURNED, DONE],
    ),
    Table::new(
        "Does dropping the handle cancel the task?",
        &[LATER, CANCELLED],
    ),
]);

fn main() {
    let options = PATTERN.parse();
    let unit = Duration::from_secs_f64(if options.full { 1.0 } else { 0.2 });
    let rt = Runtime::new().expect("a tokio runtime starts");
    let mut trace = Trace::new(&PATTERN, &options);
    trace.run("deadline-detach", || {
        tally(rt.block_on(deadline_detach(unit)), SHORT_UNITS)
    });
    trace.run("smol-cancel", || {
        tally(smol::block_on(smol_deadline(unit, false)), SHORT_UNITS)
    });
    trace.run("smol-detach", || {
        tally(smol::block_on(smol_deadline(unit, true)), SHORT_UNITS)
    });
    // Every variant watches its tasks at least until the slowest one ends (or would have).
    trace.set_ideal(TASKS as f64 * unit.as_secs_f64());
    trace.finish(&options);
}
