//! # `errors_async_group`: a panic in a group of async tasks
//!
//! Python: an `asyncio.TaskGroup` cancels the other tasks when one raises, and raises an
//! `ExceptionGroup`; `gather(return_exceptions=True)` hands the exception back in the
//! failed task's place, beside every other result. Twin: `python/errors_async_group.py`.
//! Chapter: "errors_async" in the book, its part on groups.
//!
//! Run: `cargo run --release --example errors_async_group` (`--full` for longer jobs,
//! `--json` for the trace, `--variant NAME` for one variant).
//!
//! Watch: job 1 of 4 panics in every block. `join_next` keeps every other result, the
//! panic one `Err` among them; `JoinSet::join_all` re-raises the panic, drops the results
//! in and aborts the rest.

use std::any::Any;
use std::collections::HashMap;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::thread;
use std::time::Duration;

use concurrency_pairs::lab::note;
use concurrency_pairs::{
    Derived, Figure, Found, Headline, Pattern, Table, Trace, VariantInfo, arrived,
    given, task_async,
};
use futures::FutureExt;
use tokio::task::JoinSet;

const FAILING: usize = 1;

/// Job `id` sleeps a little longer than the one before; job 1 panics.
async fn job(id: usize, secs: f64) -> usize {
    tokio::time::sleep(Duration::from_secs_f64(secs * (id + 1) as f64)).await;
    assert!(id != FAILING, "job {id} fails");
    id * 10
}

/// What the caller lost: the errors it was handed, and how many jobs were cancelled.
#[derive(Default)]
struct Lost {
    errors: Vec<String>,
    cancelled: usize,
}

// ANCHOR: join_next
async fn join_next(jobs: usize, secs: f64) -> Lost {
    let mut set = JoinSet::new();
    let ids: HashMap<_, _> = (0..jobs)
        .map(|id| (set.spawn(task_async(id, job(id, secs))).id(), id))
        .collect();
    let mut lost = Lost::default();
    // One outcome at a time, in finishing order: an error is one result among others.
    while let Some(outcome) = set.join_next_with_id().await {
        match outcome {
            Ok((task, value)) => arrived(ids[&task], format_args!("Ok({value})")),
            Err(e) => {
                let id = ids[&e.id()];
                let text = message(&*e.into_panic());
                note(format_args!("job {id}: JoinError, is_panic(): {text:?}"));
                lost.errors.push(text);
            }
        }
    }
    lost
}
// ANCHOR_END: join_next

// ANCHOR: join_all
/// Counts the jobs whose future was dropped before the job finished: aborted.
static ABORTED: AtomicUsize = AtomicUsize::new(0);
struct Unfinished(usize, bool);
impl Drop for Unfinished {
    fn drop(&mut self) {
        if !self.1 && !thread::panicking() {
            note(format_args!("job {}: aborted unfinished", self.0));
            ABORTED.fetch_add(1, SeqCst);
        }
    }
}

async fn join_all(jobs: usize, secs: f64) -> Lost {
    let mut set = JoinSet::new();
    for id in 0..jobs {
        set.spawn(async move {
            let mut guard = Unfinished(id, false);
            let value = task_async(id, job(id, secs)).await;
            guard.1 = true;
            value
        });
    }
    let mut lost = Lost::default();
    // The first panic is re-raised here; results are dropped, the rest aborted.
    match AssertUnwindSafe(set.join_all()).catch_unwind().await {
        Ok(values) => values.iter().enumerate().for_each(|(id, v)| arrived(id, v)),
        Err(payload) => {
            let text = message(&*payload);
            note(format_args!("join_all re-raised in the caller: {text:?}"));
            lost.errors.push(text);
        }
    }
    lost
}
// ANCHOR_END: join_all

/// A panic's message: the payload is a `&str` or a `String` (anything else is rare).
fn message(payload: &(dyn Any + Send)) -> String {
    let text = payload.downcast_ref::<&str>().copied();
    let text = text.or(payload.downcast_ref::<String>().map(String::as_str));
    text.unwrap_or("(not a string)").to_owned()
}

/// Run one lesson on a fresh runtime; dropping the runtime drops the tasks it aborted.
fn in_runtime(lesson: impl Future<Output = Lost>) -> Lost {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_time()
        .build();
    let mut lost = runtime.expect("a runtime").block_on(lesson);
    lost.cancelled += ABORTED.swap(0, SeqCst);
    lost
}

/// One stamped line per panic instead of the default message and backtrace hint.
fn quiet_panics() {
    panic::set_hook(Box::new(|info| {
        let at = thread::current().name().unwrap_or("a thread").to_owned();
        note(format_args!("panic on {at}: {}", message(info.payload())));
    }));
}

const JOBS: Figure = Figure::count("jobs", "jobs");
const FAILED: Figure = Figure::count("failed", "failed");
/// The results the caller received.
const RESULTS_KEPT: Figure =
    Figure::count("results_kept", "results kept").derived(Derived::Received);
const CANCELLED: Figure = Figure::count("cancelled", "cancelled");

const PATTERN: Pattern = Pattern::new(
    "errors_async_group",
    "a panic in a group of async tasks: every other outcome, or none",
)
.variants(&[
    VariantInfo::rust("join-next", "JoinSet::join_next"),
    VariantInfo::python("return-exceptions"),
    VariantInfo::rust("join-all", "JoinSet::join_all"),
    VariantInfo::python("task-group"),
])
.headline(Headline::new(RESULTS_KEPT, "join-next", "join-all"))
.tables(&[
    Table::new("Does the caller hear of the failure?", &[FAILED]),
    Table::new("How many other results are kept?", &[JOBS, RESULTS_KEPT]),
    Table::new("How many jobs are cancelled?", &[CANCELLED]),
]);

/// Jobs, and the unit of their sleeps (job `id` sleeps `(id + 1)` units).
const DEFAULT: (usize, f64) = (4, 0.1);
const FULL: (usize, f64) = (8, 0.25);

/// What the caller lost, as findings: the errors (the first one's message) and the
/// cancelled jobs, of `jobs`.
fn found(lost: Lost, jobs: usize) -> Vec<Found> {
    let first = lost.errors.first().cloned().map(Found::Error);
    let counts = [
        JOBS.of(jobs),
        FAILED.of(lost.errors.len()),
        CANCELLED.of(lost.cancelled),
        given("failing", FAILING),
    ];
    counts.into_iter().chain(first).collect()
}

fn main() {
    quiet_panics();
    let options = PATTERN.parse();
    let (jobs, secs) = if options.full { FULL } else { DEFAULT };
    let mut trace = Trace::new(&PATTERN, &options);
    trace.run("join-next", || {
        found(in_runtime(join_next(jobs, secs)), jobs)
    });
    trace.run("join-all", || found(in_runtime(join_all(jobs, secs)), jobs));
    trace.finish(&options);
}
