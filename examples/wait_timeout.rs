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
use concurrency_pairs::{Cli, TaskSpan, Trace, Variant, arrived, say, task_async};
use futures::FutureExt;
use futures::stream::{FuturesUnordered, StreamExt};
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
async fn wait_all(unit: Duration) -> f64 {
    let set = wait_with_deadline(unit, Instant::now() + unit.mul_f64(10.0)).await;
    wait_returned(set.len())
}
// ANCHOR_END: wait_all

// ANCHOR: deadline_cancel
/// The same wait with a 4.5-unit deadline, then the `JoinSet` is dropped: dropping a
/// `JoinSet` aborts every task still in it (`abort_all()` says so explicitly).
async fn deadline_cancel(unit: Duration) -> f64 {
    let start = Instant::now();
    let set = wait_with_deadline(unit, start + unit.mul_f64(SHORT_UNITS)).await;
    let returned_s = wait_returned(set.len());
    drop(set); // aborts the five pending tasks
    note("dropped the JoinSet: its pending tasks are aborted");
    // Wait past the slowest task's end: an aborted task never gets there.
    sleep_until(settled(start, unit).into()).await;
    returned_s
}
// ANCHOR_END: deadline_cancel

// ANCHOR: deadline_keep
/// The deadline only bounds the *wait*: keep the `JoinSet`, do something else, and
/// collect the stragglers later, like awaiting Python's `pending` set.
async fn deadline_keep(unit: Duration) -> f64 {
    let start = Instant::now();
    let mut set = wait_with_deadline(unit, start + unit.mul_f64(SHORT_UNITS)).await;
    let returned_s = wait_returned(set.len());
    // The pending tasks never stopped running: join them now (bounded all the same).
    let until = settled(start, unit).into();
    while let Ok(Some(joined)) = timeout_at(until, set.join_next()).await {
        let id = joined.expect("a sleeping task does not panic");
        note(format_args!("late result: task {id}"));
    }
    returned_s
}
// ANCHOR_END: deadline_keep

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
    let returned_s = wait_returned(handles.len());
    drop(handles); // detaches the five pending tasks: they keep running
    note("dropped the JoinHandles: their tasks run on, detached");
    sleep_until(settled(start, unit).into()).await;
    returned_s
}
// ANCHOR_END: deadline_detach

// ANCHOR: smol_deadline
/// smol, with `futures::select!` racing the next finished task against a timer. A smol
/// `Task` is the opposite of a tokio `JoinHandle`: dropping it cancels the task, and
/// `detach()` is how you let it run on.
async fn smol_deadline(unit: Duration, detach: bool) -> f64 {
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
    let returned_s = wait_returned(pending.len());
    if detach {
        pending.into_iter().for_each(smol::Task::detach); // they run on, nobody waiting
        note("detached the pending Tasks: they run on");
    } else {
        drop(pending); // cancels them: what falling out of scope does too
        note("dropped the pending Tasks: they are cancelled");
    }
    smol::Timer::at(settled(start, unit)).await;
    returned_s
}
// ANCHOR_END: smol_deadline

/// The short deadline, half-way between two tasks' ends (4 and 5 units).
const SHORT_UNITS: f64 = 4.5;

/// Task `id` sleeping `id + 1` units on tokio's timer, timed for the trace.
fn tokio_nap(id: usize, unit: Duration) -> impl Future<Output = usize> {
    traced(id, nap(id, tokio::time::sleep(unit * (id as u32 + 1))))
}

/// The same on smol's timer (async-io: works on any executor).
fn smol_nap(id: usize, unit: Duration) -> impl Future<Output = usize> {
    traced(id, nap(id, smol::Timer::after(unit * (id as u32 + 1))))
}

/// Half a unit past the slowest task's end: every task that was going to finish has.
fn settled(start: Instant, unit: Duration) -> Instant {
    start + unit.mul_f64(TASKS as f64 + 0.5)
}

/// The wait has returned: say so, and give the time (the variant's wall time).
fn wait_returned(pending: usize) -> f64 {
    note(format_args!("wait returned: {pending} pending"));
    lab::now()
}

/// Times task `id` for the trace. A task cancelled mid-sleep never gets back from
/// `task_async`; its guard then records the span cut short, of kind `cancelled`.
async fn traced<F: Future>(id: usize, work: F) -> F::Output {
    struct CutShort(usize, f64);
    impl Drop for CutShort {
        fn drop(&mut self) {
            let Self(id, start_s) = *self;
            let span = TaskSpan::new(id, format!("task-{id}"), start_s, lab::now());
            lab::record(span.with_kind("cancelled"));
        }
    }
    let guard = CutShort(id, lab::now());
    let value = task_async(id, work).await;
    std::mem::forget(guard); // finished: not cut short
    value
}

/// The variant's wall time is its wait; past it, count what became of the tasks.
fn tally(run: Option<(f64, &mut Variant)>, unit: Duration) {
    let completed = COMPLETED.swap(0, SeqCst);
    let Some((returned_s, v)) = run else { return };
    v.wall_s = returned_s;
    // It cannot return before its deadline, unless every task is done.
    let timeout_units = if v.name == "wait-all" {
        10.0
    } else {
        SHORT_UNITS
    };
    v.ideal_s = Some(timeout_units.min(TASKS as f64) * unit.as_secs_f64());
    let done = v.received.len();
    let cut_short = |t: &&TaskSpan| t.kind.as_deref() == Some("cancelled");
    let (later, cancelled) = (completed - done, v.tasks.iter().filter(cut_short).count());
    say!("  {done} done when the wait returned, {later} completed after it, {cancelled} cancelled");
    v.figures.done_at_deadline = Some(done as f64);
    v.figures.completed_after_deadline = Some(later as f64);
    v.figures.cancelled = Some(cancelled as f64);
}

const CLI: Cli = Cli::new(
    "wait_timeout",
    "wait for many tasks with a deadline: done results, and the pending ones aborted or kept",
)
.with_variants(&[
    "wait-all",
    "deadline-cancel",
    "deadline-keep",
    "deadline-detach",
    "smol-cancel",
    "smol-detach",
]);

fn main() {
    let options = CLI.parse();
    let unit = Duration::from_secs_f64(if options.full { 1.0 } else { 0.2 });
    let rt = tokio::runtime::Runtime::new().expect("a tokio runtime starts");
    let mut trace = Trace::new("wait_timeout", &options);
    let uses = "tokio JoinSet drained under timeout_at, 10 units";
    let lesson = || rt.block_on(wait_all(unit));
    tally(trace.run("wait-all", uses, lesson), unit);
    let uses = "tokio JoinSet + timeout_at, then dropped";
    let lesson = || rt.block_on(deadline_cancel(unit));
    tally(trace.run("deadline-cancel", uses, lesson), unit);
    let uses = "tokio JoinSet + timeout_at, joined later";
    let lesson = || rt.block_on(deadline_keep(unit));
    tally(trace.run("deadline-keep", uses, lesson), unit);
    let uses = "tokio::spawn handles dropped at the deadline";
    let lesson = || rt.block_on(deadline_detach(unit));
    tally(trace.run("deadline-detach", uses, lesson), unit);
    let uses = "smol::spawn + futures::select!, Tasks dropped";
    let lesson = || smol::block_on(smol_deadline(unit, false));
    tally(trace.run("smol-cancel", uses, lesson), unit);
    let uses = "smol::spawn + futures::select!, Tasks detached";
    let lesson = || smol::block_on(smol_deadline(unit, true));
    tally(trace.run("smol-detach", uses, lesson), unit);
    trace.finish(&options);
}
