//! # `wait_timeout`: wait for many tasks with a deadline
//!
//! Python: `asyncio.wait` on nine tasks sleeping 1..9 s with `timeout=10` returns after
//! about 9 s with every task done; with a shorter timeout it returns the `done` and
//! `pending` sets at the deadline, and the pending tasks are still running. Twin:
//! `python/wait_timeout.py`.
//!
//! Run: `cargo run --release --example wait_timeout` (a unit is 0.2 s; `--full` makes it
//! the article's 1 s, `--json` prints the trace).
//!
//! Watch: `wait-all` receives all nine tasks, the last at 9 units. Every `deadline-*`
//! and `smol-*` block receives tasks 0-3 (sleeps of 1-4 units) and stops at the 4.5-unit
//! deadline with tasks 4-8 pending. What happens to those five is the point: aborted
//! (dropping a `JoinSet`, dropping a smol `Task`) they never finish; kept or detached
//! (dropping a tokio `JoinHandle`, `Task::detach`) they finish on their own, after the
//! deadline. The last line of each block counts both.

use std::fmt::Display;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use concurrency_pairs::{Cli, Clock, Recorder, TaskSpan, Trace, Variant, say};
use futures::FutureExt;
use futures::stream::{FuturesUnordered, StreamExt};
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::timeout_at;

const CLI: Cli = Cli::new(
    "wait_timeout",
    "wait for many tasks with a deadline: done results, and the pending ones aborted or kept",
);

/// Nine tasks; task `i` sleeps `i + 1` units.
const TASKS: usize = 9;
const DEFAULT_UNIT_S: f64 = 0.2;
const FULL_UNIT_S: f64 = 1.0;
/// `asyncio.wait(timeout=10)`: longer than every task.
const LONG_TIMEOUT_UNITS: f64 = 10.0;
/// The short deadline, half-way between two tasks' ends (4 and 5 units).
const SHORT_TIMEOUT_UNITS: f64 = 4.5;
/// How long past the slowest task's end to wait before counting what became of the
/// pending tasks: long enough for every one that was going to finish to have finished.
const SETTLE_UNITS: f64 = 0.5;

/// The sizes of one run.
#[derive(Debug, Clone, Copy)]
struct Plan {
    unit_s: f64,
}

impl Plan {
    /// `(id, seconds)` for every task, in submission order.
    fn sleeps(self) -> impl Iterator<Item = (usize, f64)> {
        (0..TASKS).map(move |id| (id, (id + 1) as f64 * self.unit_s))
    }

    fn secs(self, units: f64) -> Duration {
        Duration::from_secs_f64(units * self.unit_s)
    }

    /// When the waiting caller gets control back: the timeout, or sooner if all are done.
    fn ideal_s(self, timeout_units: f64) -> f64 {
        timeout_units.min(TASKS as f64) * self.unit_s
    }

    /// When to look at what became of the pending tasks.
    fn settle_at(self, start: Instant) -> Instant {
        start + self.secs(TASKS as f64 + SETTLE_UNITS)
    }
}

fn main() {
    let options = CLI.parse();
    let plan = Plan {
        unit_s: if options.full {
            FULL_UNIT_S
        } else {
            DEFAULT_UNIT_S
        },
    };

    let tokio = tokio::runtime::Runtime::new().expect("a tokio runtime starts");
    let mut trace = Trace::new("wait_timeout", &options);
    trace.push(tokio.block_on(wait_all(plan)));
    trace.push(tokio.block_on(deadline_cancel(plan)));
    trace.push(tokio.block_on(deadline_keep(plan)));
    trace.push(tokio.block_on(deadline_detach(plan)));
    trace.push(smol::block_on(smol_deadline(plan, AtDeadline::Cancel)));
    trace.push(smol::block_on(smol_deadline(plan, AtDeadline::Detach)));
    trace.finish(&options);
}

// ANCHOR: board
/// What the tasks of one variant report about themselves, whoever is waiting for them:
/// how many ran to the end (the side effect a cancelled task can never produce) and
/// every task's span, finished or cut short.
#[derive(Debug, Default)]
struct Board {
    completed: AtomicUsize,
    spans: Mutex<Vec<TaskSpan>>,
}

/// Lives as long as the task's future. Dropped before `finished` is set, it means the
/// future was dropped mid-sleep: that is what cancelling a task is in Rust.
struct Watch {
    clock: Clock,
    id: usize,
    start_s: f64,
    board: Arc<Board>,
    finished: bool,
}

impl Drop for Watch {
    fn drop(&mut self) {
        if !self.finished {
            let span = TaskSpan::new(self.id, lane(self.id), self.start_s, self.clock.now())
                .with_kind("cancelled");
            self.board.spans.lock().expect("board lock").push(span);
        }
    }
}

/// One task: sleep (with the runtime's timer), then report to the board.
async fn tracked(clock: Clock, id: usize, board: Arc<Board>, sleep: impl Future) -> TaskSpan {
    let mut watch = Watch {
        clock,
        id,
        start_s: clock.now(),
        board,
        finished: false,
    };
    sleep.await;
    watch.finished = true;
    let span = TaskSpan::new(id, lane(id), watch.start_s, clock.now());
    watch.board.completed.fetch_add(1, Ordering::SeqCst);
    watch
        .board
        .spans
        .lock()
        .expect("board lock")
        .push(span.clone());
    span
}
// ANCHOR_END: board

fn lane(id: usize) -> String {
    format!("task-{id}")
}

/// A task sleeping on tokio's timer.
fn tokio_nap(
    clock: Clock,
    id: usize,
    secs: f64,
    board: &Arc<Board>,
) -> impl Future<Output = TaskSpan> + use<> {
    let sleep = tokio::time::sleep(Duration::from_secs_f64(secs));
    tracked(clock, id, Arc::clone(board), sleep)
}

/// A task sleeping on smol's timer (async-io: works on any executor).
fn smol_nap(
    clock: Clock,
    id: usize,
    secs: f64,
    board: &Arc<Board>,
) -> impl Future<Output = TaskSpan> + use<> {
    let sleep = smol::Timer::after(Duration::from_secs_f64(secs));
    tracked(clock, id, Arc::clone(board), sleep)
}

/// A line of commentary after the variant's clock stopped (the recorder is finished).
fn after(clock: Clock, what: impl Display) {
    say!("[{:7.3}s]   after: {what}", clock.now());
}

/// Say what the caller holds at the moment its wait returned.
fn at_deadline(rec: &Recorder, done: usize, pending: usize) {
    if pending == 0 {
        rec.say(format_args!("wait returned: all {done} done"));
    } else {
        rec.say(format_args!(
            "wait returned: {done} done, {pending} pending and still running"
        ));
    }
}

/// Once the slowest task would long have finished: add the spans of the tasks the caller
/// did not receive (finished late, or cancelled) and count what became of them.
fn settle(variant: &mut Variant, clock: Clock, board: &Board) {
    let done_at_deadline = variant.received.len();
    let completed = board.completed.load(Ordering::SeqCst);
    let spans = std::mem::take(&mut *board.spans.lock().expect("board lock"));
    let cancelled = spans
        .iter()
        .filter(|s| s.kind.as_deref() == Some("cancelled"))
        .count();
    for span in spans {
        if variant.task(span.id).is_none() {
            variant.tasks.push(span);
        }
    }
    variant.tasks.sort_by_key(|t| t.id);
    let completed_after_deadline = completed - done_at_deadline;
    let unaccounted = TASKS - variant.tasks.len();
    after(
        clock,
        format_args!(
            "{done_at_deadline} done when the wait returned, {completed_after_deadline} completed after it, {cancelled} cancelled{}",
            if unaccounted > 0 {
                format!(", {unaccounted} still running")
            } else {
                String::new()
            }
        ),
    );
    for (key, value) in [
        ("done_at_deadline", done_at_deadline),
        ("completed_after_deadline", completed_after_deadline),
        ("cancelled", cancelled),
    ] {
        variant.extra.insert(key.to_owned(), value.into());
    }
}

// ANCHOR: drain
/// `asyncio.wait(tasks, timeout=...)` on tokio: spawn every task into a `JoinSet`, then
/// take each result as it finishes until the deadline (`timeout_at`) fires. `join_next` is
/// cancel safe, so giving up at the deadline loses no result; the set that comes back
/// holds the tasks still pending, still running. What happens to them is each variant's
/// own business.
async fn drain_until(
    rec: &mut Recorder,
    plan: Plan,
    board: &Arc<Board>,
    start: Instant,
    deadline_units: f64,
) -> JoinSet<TaskSpan> {
    let (clock, deadline) = (rec.clock(), start + plan.secs(deadline_units));
    let mut set = JoinSet::new();
    for (id, secs) in plan.sleeps() {
        set.spawn(tokio_nap(clock, id, secs, board));
    }
    let mut done = 0;
    while let Ok(Some(joined)) = timeout_at(deadline.into(), set.join_next()).await {
        rec.receive(joined.expect("a sleeping task does not panic"), "done");
        done += 1;
    }
    at_deadline(rec, done, set.len());
    set
}
// ANCHOR_END: drain

// ANCHOR: wait_all
/// `asyncio.wait(tasks, timeout=10)`: the timeout is longer than every task, so the
/// `JoinSet` empties first and the wait returns at 9 units with everything done.
async fn wait_all(plan: Plan) -> Variant {
    let mut rec = Recorder::new(
        "wait-all",
        "tokio JoinSet drained under timeout_at, 10 units",
    );
    rec.ideal(plan.ideal_s(LONG_TIMEOUT_UNITS));
    let (clock, start, board) = (rec.clock(), Instant::now(), Arc::new(Board::default()));
    let pending = drain_until(&mut rec, plan, &board, start, LONG_TIMEOUT_UNITS).await;
    debug_assert!(pending.is_empty(), "a 10-unit deadline outlasts every task");
    let mut variant = rec.finish();
    settle(&mut variant, clock, &board);
    variant
}
// ANCHOR_END: wait_all

// ANCHOR: deadline_cancel
/// The same drain with a 4.5-unit deadline, then the `JoinSet` is dropped: dropping a
/// `JoinSet` aborts every task still in it (`abort_all()` says so explicitly).
async fn deadline_cancel(plan: Plan) -> Variant {
    let mut rec = Recorder::new(
        "deadline-cancel",
        "tokio JoinSet + timeout_at, then dropped",
    );
    rec.ideal(plan.ideal_s(SHORT_TIMEOUT_UNITS));
    let (clock, start, board) = (rec.clock(), Instant::now(), Arc::new(Board::default()));
    let set = drain_until(&mut rec, plan, &board, start, SHORT_TIMEOUT_UNITS).await;
    let mut variant = rec.finish();
    drop(set); // aborts the five pending tasks
    after(clock, "dropped the JoinSet: its pending tasks are aborted");
    // Wait past the slowest task's end: an aborted task never gets there.
    tokio::time::sleep_until(plan.settle_at(start).into()).await;
    settle(&mut variant, clock, &board);
    variant
}
// ANCHOR_END: deadline_cancel

// ANCHOR: deadline_keep
/// The deadline only bounds the *wait*: keep the `JoinSet`, do something else, and
/// collect the stragglers later, like awaiting Python's `pending` set.
async fn deadline_keep(plan: Plan) -> Variant {
    let mut rec = Recorder::new("deadline-keep", "tokio JoinSet + timeout_at, joined later");
    rec.ideal(plan.ideal_s(SHORT_TIMEOUT_UNITS));
    let (clock, start, board) = (rec.clock(), Instant::now(), Arc::new(Board::default()));
    let mut set = drain_until(&mut rec, plan, &board, start, SHORT_TIMEOUT_UNITS).await;
    let mut variant = rec.finish();
    // The pending tasks never stopped running: join them now (bounded all the same).
    let settle_at = plan.settle_at(start);
    while let Ok(Some(joined)) = timeout_at(settle_at.into(), set.join_next()).await {
        let span = joined.expect("a sleeping task does not panic");
        after(
            clock,
            format_args!("late result: task {} (ended {:.3}s)", span.id, span.end_s),
        );
    }
    settle(&mut variant, clock, &board);
    variant
}
// ANCHOR_END: deadline_keep

// ANCHOR: deadline_detach
/// Plain `tokio::spawn` handles, polled as they finish through a `FuturesUnordered`.
/// Dropping a `JoinHandle` *detaches* its task: the five pending tasks run to their
/// end with nobody waiting for them.
async fn deadline_detach(plan: Plan) -> Variant {
    let mut rec = Recorder::new(
        "deadline-detach",
        "tokio::spawn handles dropped at the deadline",
    );
    rec.ideal(plan.ideal_s(SHORT_TIMEOUT_UNITS));
    let (clock, start, board) = (rec.clock(), Instant::now(), Arc::new(Board::default()));
    let deadline = start + plan.secs(SHORT_TIMEOUT_UNITS);
    let mut handles: FuturesUnordered<JoinHandle<TaskSpan>> = plan
        .sleeps()
        .map(|(id, secs)| tokio::spawn(tokio_nap(clock, id, secs, &board)))
        .collect();
    let mut done = 0;
    while let Ok(Some(joined)) = timeout_at(deadline.into(), handles.next()).await {
        rec.receive(joined.expect("a sleeping task does not panic"), "done");
        done += 1;
    }
    at_deadline(&rec, done, handles.len());
    let mut variant = rec.finish();
    drop(handles); // detaches the five pending tasks: they keep running
    after(
        clock,
        "dropped the JoinHandles: their tasks run on, detached",
    );
    tokio::time::sleep_until(plan.settle_at(start).into()).await;
    settle(&mut variant, clock, &board);
    variant
}
// ANCHOR_END: deadline_detach

/// What the smol variants do with the tasks still pending at the deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AtDeadline {
    /// Drop the `Task`s, which cancels them.
    Cancel,
    /// `Task::detach` each one, so it runs on.
    Detach,
}

// ANCHOR: smol_deadline
/// smol, with `futures::select!` racing the next finished task against a timer. A smol
/// `Task` is the opposite of a tokio `JoinHandle`: dropping it cancels the task, and
/// `detach()` is how you let it run on.
async fn smol_deadline(plan: Plan, then: AtDeadline) -> Variant {
    let (name, uses) = match then {
        AtDeadline::Cancel => (
            "smol-cancel",
            "smol::spawn + futures::select!, Tasks dropped",
        ),
        AtDeadline::Detach => (
            "smol-detach",
            "smol::spawn + futures::select!, Tasks detached",
        ),
    };
    let mut rec = Recorder::new(name, uses);
    rec.ideal(plan.ideal_s(SHORT_TIMEOUT_UNITS));
    let (clock, start, board) = (rec.clock(), Instant::now(), Arc::new(Board::default()));
    // A smol `Timer` is a future and a stream (of ticks): ask for the future's `fuse`.
    let mut deadline = FutureExt::fuse(smol::Timer::at(start + plan.secs(SHORT_TIMEOUT_UNITS)));
    let mut pending: FuturesUnordered<smol::Task<TaskSpan>> = plan
        .sleeps()
        .map(|(id, secs)| smol::spawn(smol_nap(clock, id, secs, &board)))
        .collect();
    let mut done = 0;
    while !pending.is_empty() {
        futures::select! {
            span = pending.select_next_some() => {
                rec.receive(span, "done");
                done += 1;
            }
            _ = deadline => break,
        }
    }
    at_deadline(&rec, done, pending.len());
    let mut variant = rec.finish();
    for task in pending {
        match then {
            AtDeadline::Cancel => drop(task), // what falling out of scope does too
            AtDeadline::Detach => task.detach(),
        }
    }
    after(
        clock,
        match then {
            AtDeadline::Cancel => "dropped the Tasks: they are cancelled",
            AtDeadline::Detach => "detached the Tasks: they run on",
        },
    );
    smol::Timer::at(plan.settle_at(start)).await;
    settle(&mut variant, clock, &board);
    variant
}
// ANCHOR_END: smol_deadline
