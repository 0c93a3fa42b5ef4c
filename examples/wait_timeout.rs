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
//! Watch: `wait-all` receives all nine tasks, the last at 9 units. The other two blocks
//! receive tasks 0-3 (sleeps of 1-4 units) and return at the 4.5-unit deadline with tasks
//! 4-8 pending. What happens to those five is the point: aborted (dropping the `JoinSet`)
//! they never finish; kept, they finish on their own, after the deadline. The last line
//! counts the tasks that completed after the wait returned. Other handles (a tokio
//! `JoinHandle`, a smol `Task`) decide differently: `task_handles`.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::time::{Duration, Instant};

use concurrency_pairs::common::CANCELLED;
use concurrency_pairs::lab::{self, note, task_async_or_cancelled};
use concurrency_pairs::{
    ArticleFigure, Derived, Figure, Found, Headline, Pattern, Table, Trace,
    VariantInfo, arrived, articles, given, say,
};
use tokio::runtime::Runtime;
use tokio::task::JoinSet;
use tokio::time::{sleep_until, timeout_at};

/// Nine tasks; task `i` sleeps `i + 1` units.
const TASKS: usize = 9;

// ANCHOR: nap
/// Counts the tasks that ran to their end: a side effect a cancelled task never has.
static COMPLETED: AtomicUsize = AtomicUsize::new(0);
/// One task: sleep, then count itself done. Cancelling a task raises nothing in it:
/// its future is dropped where it is parked, and the line after `.await` never runs.
async fn nap(id: usize, sleep: impl Future) -> usize {
    sleep.await;
    COMPLETED.fetch_add(1, SeqCst);
    id
}
// ANCHOR_END: nap

// ANCHOR: drain
/// `asyncio.wait(tasks, timeout=...)` on tokio: spawn every task into a `JoinSet`,
/// then take each result as it finishes until the deadline (`timeout_at`) fires.
/// `join_next` is cancel safe, so giving up at the deadline loses no result; the set
/// that comes back holds the tasks still pending, still running: what becomes of them
/// is each variant's choice.
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
async fn wait_all(unit: Duration) -> f64 {
    let deadline = Instant::now() + unit.mul_f64(LONG_UNITS);
    let set = wait_with_deadline(unit, deadline).await;
    wait_returned(set.len())
}
// ANCHOR_END: wait_all

// ANCHOR: deadline_cancel
/// The same wait with a 4.5-unit deadline, then the `JoinSet` is dropped: dropping a
/// `JoinSet` aborts every task still in it (`abort_all()` says so explicitly).
async fn deadline_cancel(unit: Duration) -> f64 {
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
async fn deadline_keep(unit: Duration) -> f64 {
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

/// The long timeout, past every task's end, and the short deadline, half-way between two
/// tasks' ends (4 and 5 units).
const LONG_UNITS: f64 = 10.0;
const SHORT_UNITS: f64 = 4.5;
/// Half a unit past the slowest task's end: every task that was going to finish has.
const SETTLED_UNITS: f64 = TASKS as f64 + 0.5;

/// Task `id` sleeping `id + 1` units on tokio's timer, timed for the trace.
fn tokio_nap(id: usize, unit: Duration) -> impl Future<Output = usize> {
    task_async_or_cancelled(id, nap(id, tokio::time::sleep(unit * (id as u32 + 1))))
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
])
.headline(Headline::new(RETURNED, "deadline-cancel", "wait-all"))
.article(&[ArticleFigure::new(
    articles::MULTI_TASKING,
    "asyncio.wait on sleeps of 1 to 9 s with timeout=10",
    9.00256,
    RETURNED,
    "wait-all",
    "claims::article_figure_wait_returns_with_the_longest_task",
)])
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
    // Every variant watches its tasks at least until the slowest one ends (or would have).
    trace.set_ideal(TASKS as f64 * unit.as_secs_f64());
    trace.finish(&options);
}
