//! The measuring lab: records a variant *around* its lesson.
//!
//! A lesson function reads like the pattern it teaches: the pattern's inputs in, plain
//! values out. It should not have to carry a clock or a recorder. So the recorder is
//! ambient: [`variant`] starts one, runs the lesson, and hands back what was recorded;
//! inside, two one-word calls are all the lesson says about measuring:
//!
//! - [`task`] (or [`task_async`]) where a unit of work runs: it times the work and notes
//!   where it ran (the thread, or the async task), and returns the work's own value;
//! - [`arrived`] where the caller obtains a result: it records when, and prints the line
//!   a reader watches (`[  0.300s] received task 1: hello, B`). Printing each result as it arrives
//!   is part of the lesson, so this call stays in it.
//!
//! A lesson whose point is a moment no span records (a cancel, a signal, a deadline) says
//! so with a third, [`mark`], beside the call: `lab::mark("abort")`.
//!
//! Why an ambient recorder rather than spans from the `tracing` ecosystem: `tracing` would
//! put an attribute on every lesson function and two crates (plus a subscriber of ours)
//! in the examples' build, and its spans open and close on every poll of a future, which
//! is not the "ran from here to there" a timeline draws. A variant runs at a time in each
//! process, so one recorder behind a mutex is exact and small; the cost of a mark is a
//! clock read and an uncontended lock, well below the smallest task the examples time.

use std::fmt::Display;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use crate::figures::{Found, Report};
use crate::out::say;
use crate::trace::{Mark, TaskSpan, Trace, Variant, thread_lane};

/// `--counts-only`: no span and no arrival is recorded, for runs of a million tasks.
static COUNTS_ONLY: AtomicBool = AtomicBool::new(false);

/// Record counts only from now on (`yes`), or everything (the default): with a million
/// tasks, a span each would weigh more than the work. [`task`] then just runs the work,
/// and [`arrived`] prints only the progress lines of [`quiet_after`].
pub fn set_counts_only(yes: bool) {
    COUNTS_ONLY.store(yes, Ordering::Relaxed);
}

/// Whether only counts are recorded (see [`set_counts_only`]).
pub fn counts_only() -> bool {
    COUNTS_ONLY.load(Ordering::Relaxed)
}

/// The variant being recorded, if any.
static ACTIVE: Mutex<Option<Active>> = Mutex::new(None);

#[derive(Debug)]
struct Active {
    origin: Instant,
    variant: Variant,
    quiet: Option<Quiet>,
}

#[derive(Debug, Clone, Copy)]
struct Quiet {
    first: usize,
    expected: usize,
    count: usize,
}

fn active() -> MutexGuard<'static, Option<Active>> {
    // A lesson that panics on purpose must not poison the lab for the next variant.
    ACTIVE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Run one variant's lesson with a recorder around it: prints its header, and returns
/// the lesson's value with everything [`task`] and [`arrived`] recorded meanwhile.
/// Variants run one at a time in a process: starting one inside another panics.
pub fn variant<T>(
    name: &str,
    uses: &str,
    lesson: impl FnOnce() -> T,
) -> (T, Variant) {
    say(format_args!("\n== {name} ({uses})"));
    {
        let mut slot = active();
        assert!(slot.is_none(), "variant {name} started inside another");
        *slot = Some(Active {
            origin: Instant::now(),
            variant: Variant::new(name, uses),
            quiet: None,
        });
    }
    let value = lesson();
    let Active {
        origin,
        mut variant,
        ..
    } = active()
        .take()
        .expect("the variant is still recorded when its lesson returns");
    variant.wall_s = origin.elapsed().as_secs_f64();
    variant.tasks.sort_by_key(|t| t.id);
    say(format_args!("[{:7.3}s] {name} done", variant.wall_s));
    (value, variant)
}

impl Trace {
    /// Run variant `name` of the trace's pattern inside the lab (see [`variant`]), unless
    /// `--variant` chose another, and record what its closure found: figures, an ideal
    /// (see [`Found`]). Gives back the record, to read.
    ///
    /// Panics if the pattern does not declare `name` for Rust: a typo, not a run.
    pub fn run<R: Report>(
        &mut self,
        name: &str,
        lesson: impl FnOnce() -> R,
    ) -> Option<&Variant> {
        let pattern = self
            .pattern
            .expect("a trace made by Trace::new knows its pattern");
        let declared = pattern.variant(name).filter(|v| v.in_rust());
        let uses = declared
            .unwrap_or_else(|| {
                panic!("{}: no Rust variant `{name}` declared", pattern.name)
            })
            .uses;
        if self.only.as_deref().is_some_and(|only| only != name) {
            return None;
        }
        let (findings, mut variant) = variant(name, &uses, lesson);
        variant.record(findings);
        self.variants.push(variant);
        self.variants.last()
    }
}

/// Record one finding in the current variant as the lesson runs (nothing outside one).
pub fn found(finding: Found) {
    if let Some(a) = active().as_mut() {
        a.variant.record(finding);
    }
}

/// Seconds since the current variant began (0 outside a variant).
pub fn now() -> f64 {
    active()
        .as_ref()
        .map_or(0.0, |a| a.origin.elapsed().as_secs_f64())
}

/// Run `work` on this thread as task `id`: timed, in this thread's lane.
pub fn task<T>(id: usize, work: impl FnOnce() -> T) -> T {
    Task::new(id).run(work)
}

/// Await `work` as task `id`, in lane `task-ID` (async tasks have no thread of their own).
pub async fn task_async<F: Future>(id: usize, work: F) -> F::Output {
    Task::new(id).run_async(work).await
}

/// Await `work` as task `id`, and if it is dropped before its work ends (a task cancelled
/// or aborted at an `.await`), record the part that ran as a span of kind [`CANCELLED`].
pub async fn task_async_or_cancelled<F: Future>(id: usize, work: F) -> F::Output {
    Task::new(id).run_async_or_cancelled(work).await
}

/// The kind of span a task cut short records (see [`task_async_or_cancelled`]).
pub const CANCELLED: &str = "cancelled";

/// Await `work` as task `id`, in lane `task-ID`; work that gives `None`, having stopped
/// early when asked to (a cancelled token, an exit event), records a span of kind
/// [`CANCELLED`].
pub async fn task_async_or_stopped<T>(
    id: usize,
    work: impl Future<Output = Option<T>>,
) -> Option<T> {
    if counts_only() {
        return work.await;
    }
    let start_s = now();
    let value = work.await;
    let span = TaskSpan::new(id, format!("task-{id}"), start_s, now());
    record(match value {
        Some(_) => span,
        None => span.with_kind(CANCELLED),
    });
    value
}

/// A unit of work with a lane or a kind of its own, for variants that need them:
/// `Task::new(3).lane("runtime").kind("io").run(|| ...)`.
#[derive(Debug, Clone)]
pub struct Task {
    id: usize,
    lane: Option<String>,
    kind: Option<&'static str>,
    part: Option<usize>,
}

impl Task {
    pub fn new(id: usize) -> Self {
        Task {
            id,
            lane: None,
            kind: None,
            part: None,
        }
    }

    /// Part `part` (from 0) of a task that runs in parts, each part its own span with
    /// the task's id: `Task::new(3).part(1)` (see `book/src/trace.md`).
    pub fn part(mut self, part: usize) -> Self {
        self.part = Some(part);
        self
    }

    /// Where it runs, when not the current thread (or `task-ID` for async work).
    pub fn lane(mut self, lane: impl Into<String>) -> Self {
        self.lane = Some(lane.into());
        self
    }

    /// What sort of work, where a variant mixes sorts (`io` beside `cpu`).
    pub fn kind(mut self, kind: &'static str) -> Self {
        self.kind = Some(kind);
        self
    }

    pub fn run<T>(self, work: impl FnOnce() -> T) -> T {
        if counts_only() {
            return work();
        }
        let start_s = now();
        let value = work();
        let lane = self.lane.clone().unwrap_or_else(thread_lane);
        self.record(lane, start_s);
        value
    }

    pub async fn run_async<F: Future>(self, work: F) -> F::Output {
        if counts_only() {
            return work.await;
        }
        let start_s = now();
        let value = work.await;
        let lane = self
            .lane
            .clone()
            .unwrap_or_else(|| format!("task-{}", self.id));
        self.record(lane, start_s);
        value
    }

    /// As [`run_async`](Self::run_async); dropped before its work ends, it records the
    /// part that ran, of kind [`CANCELLED`].
    pub async fn run_async_or_cancelled<F: Future>(self, work: F) -> F::Output {
        /// Records the span cut short when the future is dropped mid-await.
        struct CutShort {
            id: usize,
            lane: String,
            start_s: f64,
            finished: bool,
        }
        impl Drop for CutShort {
            fn drop(&mut self) {
                if !self.finished && !counts_only() {
                    let lane = std::mem::take(&mut self.lane);
                    let span = TaskSpan::new(self.id, lane, self.start_s, now());
                    record(span.with_kind(CANCELLED));
                }
            }
        }
        let lane = self
            .lane
            .clone()
            .unwrap_or_else(|| format!("task-{}", self.id));
        let mut guard = CutShort {
            id: self.id,
            lane,
            start_s: now(),
            finished: false,
        };
        let value = self.run_async(work).await;
        guard.finished = true;
        value
    }

    fn record(self, lane: String, start_s: f64) {
        let mut span = TaskSpan::new(self.id, lane, start_s, now());
        span.kind = self.kind.map(str::to_owned);
        span.part = self.part;
        record(span);
    }
}

/// Record a span measured some other way (a heartbeat's tick, a worker's own clock).
pub fn record(span: TaskSpan) {
    if let Some(a) = active().as_mut() {
        a.variant.tasks.push(span);
    }
}

/// The caller now holds task `id`'s result: record when, and print `what` with where
/// and when the task ran (if [`task`] timed it already).
pub fn arrived(id: usize, what: impl Display) {
    let mut slot = active();
    let Some(a) = slot.as_mut() else {
        return;
    };
    let now = a.origin.elapsed().as_secs_f64();
    if !counts_only() {
        a.variant.received.push(id);
        a.variant.received_s.push(now);
    }
    let ran = a
        .variant
        .tasks
        .iter()
        .rev()
        .find(|t| t.id == id)
        .map(|t| format!("; ran {:.3}-{:.3}s on {}", t.start_s, t.end_s, t.lane))
        .unwrap_or_default();
    let line = match a.quiet.as_mut() {
        None => Some(format!("received task {id}: {what}{ran}")),
        Some(q) => {
            q.count += 1;
            let (count, expected) = (q.count, q.expected.max(1));
            if count <= q.first {
                Some(format!("received task {id}: {what}{ran}"))
            } else if count * 10 / expected > (count - 1) * 10 / expected {
                Some(format!(
                    "{count} of {expected} results in (last: task {id})"
                ))
            } else {
                None
            }
        }
    };
    drop(slot);
    if let Some(line) = line {
        say(format_args!("[{now:7.3}s] {line}"));
    }
}

/// Mark a moment that no span records, a cancel, a signal or a deadline, at [`now`]:
/// `lab::mark("abort")` beside the call. The timelines draw it as a labelled line across
/// the variant's panel. From any thread; nothing outside a variant (or with
/// [`counts_only`]).
pub fn mark(label: impl Into<String>) {
    if counts_only() {
        return;
    }
    if let Some(a) = active().as_mut() {
        let at_s = a.origin.elapsed().as_secs_f64();
        let label = label.into();
        a.variant.marks.push(Mark { label, at_s });
    }
}

/// Print a line of commentary, stamped with the variant's clock.
pub fn note(what: impl Display) {
    say(format_args!("[{:7.3}s] {what}", now()));
}

/// Many results are coming (`expected` of them): print the first `first` as usual, then
/// one line each time another tenth is in, so the point stays on the screen.
pub fn quiet_after(first: usize, expected: usize) {
    if let Some(a) = active().as_mut() {
        a.quiet = Some(Quiet {
            first,
            expected,
            count: 0,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_tasks_and_arrivals_around_a_plain_lesson() {
        // The lesson: two jobs on two threads, results taken in reverse order.
        let lesson = || {
            let a = std::thread::spawn(|| task(0, || 1 + 1));
            let b = std::thread::spawn(|| task(1, || 2 + 2));
            let b = b.join().expect("no panic");
            arrived(1, b);
            let a = a.join().expect("no panic");
            arrived(0, a);
            a + b
        };
        let (sum, v) = variant("demo", "threads", lesson);
        assert_eq!(sum, 6);
        assert_eq!(v.received, [1, 0]);
        assert_eq!(v.received_s.len(), 2);
        assert!(v.received_s[0] <= v.received_s[1]);
        assert_eq!(v.tasks.iter().map(|t| t.id).collect::<Vec<_>>(), [0, 1]);
        assert!(v.tasks.iter().all(|t| t.lane.starts_with("thread-")));
        assert!(v.wall_s >= v.received_s[1]);

        // Outside a variant the marks do nothing and the work still runs.
        assert_eq!(task(9, || 7), 7);
        arrived(9, "ignored");

        // Quiet: the first two lines, then one per tenth; everything still recorded.
        let ((), v) = variant("quiet", "nothing", || {
            quiet_after(2, 20);
            for id in 0..20 {
                arrived(id, "x");
            }
        });
        assert_eq!(v.received.len(), 20);

        // Marks: in the running variant, from any thread, in order, on its clock.
        let ((), v) = variant("marked", "threads", || {
            mark("start");
            std::thread::spawn(|| mark(String::from("from a thread")))
                .join()
                .expect("no panic");
        });
        let labels: Vec<&str> = v.marks.iter().map(|m| m.label.as_str()).collect();
        assert_eq!(labels, ["start", "from a thread"]);
        assert!(v.marks[0].at_s <= v.marks[1].at_s);
        assert!(v.marks[1].at_s <= v.wall_s);
        // Outside a variant a mark does nothing.
        mark("ignored");

        // Work that stopped early (gave None) records a span of kind `cancelled`.
        let ((), v) = variant("stopped", "futures", || {
            let stopped = task_async_or_stopped(0, async { None::<u8> });
            let finished = task_async_or_stopped(1, async { Some(1) });
            assert_eq!(futures::executor::block_on(stopped), None);
            assert_eq!(futures::executor::block_on(finished), Some(1));
        });
        let kinds: Vec<Option<&str>> =
            v.tasks.iter().map(|t| t.kind.as_deref()).collect();
        assert_eq!(kinds, [Some(CANCELLED), None]);
        assert_eq!(v.tasks[0].lane, "task-0");
    }
}
