//! # `wait_timeout`: wait for many tasks with a deadline
//!
//! Python: `asyncio.wait` on nine tasks sleeping 1..9 s with `timeout=10` returns after
//! about 9 s with every task done; with a shorter timeout it returns the `done` and
//! `pending` sets at the deadline, and the pending tasks are still running. Twin:
//! `python/wait_timeout.py`. Chapter: "wait_timeout" in the book.
//!
//! Run: `cargo run --release --example wait_timeout` (a unit is 0.2 s; `--full` makes it
//! the article's 1 s, `--json` prints the trace).
//!
//! Watch: `wait-all` receives all nine tasks, the last at 9 units. The other blocks receive
//! tasks 0-3 (sleeps of 1-4 units) and return at the 4.5-unit deadline with tasks 4-8
//! pending. What happens to those five is the point: aborted (dropping a `JoinSet` or a smol
//! `Task`) they never finish; kept or detached (dropping a tokio `JoinHandle`,
//! `Task::detach`) they finish on their own, after the deadline. The last line counts both.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::time::{Duration, Instant};

use concurrency_pairs::lab::{self, note};
use concurrency_pairs::{
    Figure, Found, Headline, Pattern, Table, TaskSpan, Trace, VariantInfo, arrived, given, say,
    task_async,
};
use futures::FutureExt;
use futures::stream::{FuturesUnordered, StreamExt};
use tokio::runtime::Runtime;
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::{sleep_until, timeout_at};

/// Nine tasks; task `i` sleeps `i + 1` units.
const TASKS: usize = 9;

// ANCHOR: nap
/// Counts the tasks that ran to their end: the side effect a cancelled task never has.
static COMPLETED: AtomicUsize = AtomicUsize::new(0);
/// One task: sleep, then count itself done. Cancelling a task raises nothing in it: its
/// future is dropped where it is parked, and the line after the `.await` never runs.
async fn nap(id: usize, sleep: impl Future) -> usize {
    sleep.await;
    COMPLETED.fetch_add(1, SeqCst);
    id
}
// ANCHOR_END: nap

// ANCHOR: drain
/// `asyncio.wait(tasks, timeout=...)` on tokio: spawn every task into a `JoinSet`, then
/// take each result as it finishes until the deadline (`timeout_at`) fires. `join_next` is
/// cancel safe, so giving up at the deadline loses no result; the set that comes back holds
/// the tasks still pending, still running: what becomes of them is each variant's choice.
async fn wait_with_deadline(unit: Duration, deadline: Instant) -> JoinSet<usize> {
    let mut set = JoinSet::new();
    for id in 0..TASKS {
        set.spawn(tokio_nap(id, unit));
    }
    while let Ok(Some(joined)) = timeout_at(deadline.into(), set.join_next()).await {
        arrived(joined.expect("a sleeping task does not panic"), "done");
    }
    set
}
// ANCHOR_END: drain

// ANCHOR: wait_all
/// `asyncio.wait(tasks, timeout=10)`: the timeout is longer than every task, so the
/// `JoinSet` empties first and the wait returns at 9 units with everything done.
async fn wait_all(unit: Duration) -> Returned {
    let set = wait_with_deadline(unit, Instant::now() + unit.mul_f64(LONG_UNITS)).await;
    wait_returned(set.len())
}
// ANCHOR_END: wait_all

// ANCHOR: deadline_cancel
/// The same wait with a 4.5-unit deadline, then the `JoinSet` is dropped: dropping a
/// `JoinSet` aborts every task still in it (`abort_all()` says so explicitly).
async fn deadline_cancel(unit: Duration) -> Returned {
    let start = Instant::now();
    let set = wait_with_deadline(unit, start + unit.mul_f64(SHORT_UNITS)).await;
    let returned = wait_returned(set.len());
    drop(set); // aborts the five pending tasks
    note("dropped the JoinSet: its pending tasks are aborted");
    // Wait past the slowest task's end: an aborted task never gets there.
    sleep_until(settled(start, unit).into()).await;
    returned
}
// ANCHOR_END: deadline_cancel

// ANCHOR: deadline_keep
/// The deadline only bounds the *wait*: keep the `JoinSet`, do something else, and
/// collect the stragglers later, like awaiting Python's `pending` set.
async fn deadline_keep(unit: Duration) -> Returned {
    let start = Instant::now();
    let mut set = wait_with_deadline(unit, start + unit.mul_f64(SHORT_UNITS)).await;
    let returned = wait_returned(set.len());
    // The pending tasks never stopped running: join them now (bounded all the same).
    let until = settled(start, unit).into();
    while let Ok(Some(joined)) = timeout_at(until, set.join_next()).await {
        let id = joined.expect("a sleeping task does not panic");
        note(format_args!("late result: task {id}"));
    }
    returned
}
// ANCHOR_END: deadline_keep

// ANCHOR: deadline_detach
/// Plain `tokio::spawn` handles, polled as they finish through a `FuturesUnordered`.
/// Dropping a `JoinHandle` *detaches* its task: the five pending tasks run to their
/// end with nobody waiting for them.
async fn deadline_detach(unit: Duration) -> Returned {
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
/// smol, with `futures::select!` racing the next finished task against a timer. A smol
/// `Task` is the opposite of a tokio `JoinHandle`: dropping it cancels the task, and
/// `detach()` is how you let it run on.
async fn smol_deadline(unit: Duration, detach: bool) -> Returned {
    let start = Instant::now();
    // A smol `Timer` is a future and a stream (of ticks): ask for the future's `fuse`.
    let mut deadline = FutureExt::fuse(smol::Timer::at(start + unit.mul_f64(SHORT_UNITS)));
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
        pending.into_iter().for_each(smol::Task::detach); // they run on, nobody waiting
        note("detached the pending Tasks: they run on");
    } else {
        drop(pending); // cancels them: what falling out of scope does too
        note("dropped the pending Tasks: they are cancelled");
    }
    smol::Timer::at(settled(start, unit)).await;
    returned
}
// ANCHOR_END: smol_deadline

/// The long timeout, past every task's end, and the short deadline, half-way between two
/// tasks' ends (4 and 5 units).
const LONG_UNITS: f64 = 10.0;
const SHORT_UNITS: f64 = 4.5;
/// Half a unit past the slowest task's end: every task that was going to finish has.
const SETTLED_UNITS: f64 = TASKS as f64 + 0.5;

/// Task `id` sleeping `id + 1` units on tokio's timer, timed for the trace.
fn tokio_nap(id: usize, unit: Duration) -> impl Future<Output = usize> {
    traced(id, nap(id, tokio::time::sleep(unit * (id as u32 + 1))))
}

/// The same on smol's timer (async-io: works on any executor).
fn smol_nap(id: usize, unit: Duration) -> impl Future<Output = usize> {
    traced(id, nap(id, smol::Timer::after(unit * (id as u32 + 1))))
}

/// When the variant has watched long enough (see `SETTLED_UNITS`).
fn settled(start: Instant, unit: Duration) -> Instant {
    start + unit.mul_f64(SETTLED_UNITS)
}

/// When the wait returned, and how many tasks were done then.
struct Returned {
    at_s: f64,
    done: usize,
}

/// The wait has returned: say so, and give the time and the tasks done.
fn wait_returned(pending: usize) -> Returned {
    note(format_args!("wait returned: {pending} pending"));
    Returned {
        at_s: lab::now(),
        done: TASKS - pending,
    }
}

/// Counts the tasks cut short: their guard's `Drop` ran before they finished.
static CUT_SHORT: AtomicUsize = AtomicUsize::new(0);

/// Times task `id` for the trace. A task cancelled mid-sleep never gets back from
/// `task_async`; its guard then records the span cut short, of kind `cancelled`.
async fn traced<F: Future>(id: usize, work: F) -> F::Output {
    struct CutShort(usize, f64);
    impl Drop for CutShort {
        fn drop(&mut self) {
            let Self(id, start_s) = *self;
            let span = TaskSpan::new(id, format!("task-{id}"), start_s, lab::now());
            lab::record(span.with_kind("cancelled"));
            CUT_SHORT.fetch_add(1, SeqCst);
        }
    }
    let guard = CutShort(id, lab::now());
    let value = task_async(id, work).await;
    std::mem::forget(guard); // finished: not cut short
    value
}

/// Past the wait, count what became of the tasks (`timeout_units` bounded the wait).
fn tally(returned: Returned, timeout_units: f64) -> Vec<Found> {
    let completed = COMPLETED.swap(0, SeqCst);
    let cancelled = CUT_SHORT.swap(0, SeqCst);
    let done = returned.done;
    let later = completed - done;
    say!("  {done} done when the wait returned, {later} completed after it, {cancelled} cancelled");
    vec![
        RETURNED.of(returned.at_s),
        DONE.of(done),
        LATER.of(later),
        CANCELLED.of(cancelled),
        given("spawned", TASKS),
        given("timeout_units", timeout_units),
    ]
}

const RETURNED: Figure = Figure::seconds("returned_s", "wait returned");
const DONE: Figure = Figure::count("done_at_deadline", "done at deadline");
const LATER: Figure = Figure::count("completed_after_deadline", "completed after");
const CANCELLED: Figure = Figure::count("cancelled", "cancelled");

const PATTERN: Pattern = Pattern::new(
    "wait_timeout",
    "wait for many tasks with a deadline: done results, and the pending ones aborted or kept",
)
.variants(&[
    VariantInfo::both(
        "wait-all",
        "tokio JoinSet drained under timeout_at, 10 units",
    ),
    VariantInfo::both(
        "deadline-cancel",
        "tokio JoinSet + timeout_at, then dropped",
    ),
    VariantInfo::both("deadline-keep", "tokio JoinSet + timeout_at, joined later"),
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
.headline(Headline::new(RETURNED, "deadline-cancel", "wait-all"))
.tables(&[
    Table::new(
        "When does the wait return, with how much done?",
        &[RETURNED, DONE],
    ),
    Table::new(
        "Do the pending tasks run on, or are they cancelled?",
        &[LATER, CANCELLED],
    ),
]);

fn main() {
    let options = PATTERN.parse();
    let unit = Duration::from_secs_f64(if options.full { 1.0 } else { 0.2 });
    let rt = Runtime::new().expect("a tokio runtime starts");
    let mut trace = Trace::new(&PATTERN, &options);
    trace.run("wait-all", || {
        tally(rt.block_on(wait_all(unit)), LONG_UNITS)
    });
    trace.run("deadline-cancel", || {
        tally(rt.block_on(deadline_cancel(unit)), SHORT_UNITS)
    });
    trace.run("deadline-keep", || {
        tally(rt.block_on(deadline_keep(unit)), SHORT_UNITS)
    });
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
