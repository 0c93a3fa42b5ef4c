//! # `errors_async`: a panic in an async task
//!
//! Python: an exception in an asyncio task surfaces when the task is awaited;
//! `asyncio.gather` raises the first one while the other tasks run on; a task nobody
//! awaits only leaves a log line. Twin: `python/errors_async.py`. Chapter: "errors_async"
//! in the book (a `JoinSet` or a `TaskGroup`: the `errors_async_group` example).
//!
//! Run: `cargo run --release --example errors_async` (`--full` for longer jobs, `--json`
//! for the trace, `--variant NAME` for one variant).
//!
//! Watch: job 1 of 4 panics in every block. `JoinError` says `is_panic()` with the message
//! (and `is_cancelled()` for the aborted job); `try_join_all` returns the first error and
//! the other tasks run on, detached; a dropped handle leaves one panic line and the caller
//! learns nothing.

use std::any::Any;
use std::panic;
use std::thread;
use std::time::Duration;

use concurrency_pairs::lab::note;
use concurrency_pairs::{
    Derived, Figure, Found, Headline, Pattern, Table, Trace, VariantInfo, arrived,
    given, lab, task_async,
};
use futures::future::try_join_all;

const FAILING: usize = 1;

// ANCHOR: job
/// Job `id` sleeps a little longer than the one before; job 1 panics.
async fn job(id: usize, secs: f64) -> usize {
    tokio::time::sleep(Duration::from_secs_f64(secs * (id + 1) as f64)).await;
    assert!(id != FAILING, "job {id} fails");
    id * 10
}
// ANCHOR_END: job

/// What the caller lost: the errors it was handed, and how many jobs were cancelled.
#[derive(Default)]
struct Lost {
    errors: Vec<String>,
    cancelled: usize,
}

/// A panic's message: the payload is a `&str` or a `String` (anything else is rare).
fn message(payload: &(dyn Any + Send)) -> String {
    let text = payload.downcast_ref::<&str>().copied();
    let text = text.or(payload.downcast_ref::<String>().map(String::as_str));
    text.unwrap_or("(not a string)").to_owned()
}

// ANCHOR: join_error
async fn join_error(jobs: usize, secs: f64, cancel: usize) -> Lost {
    let handles: Vec<_> = (0..jobs)
        .map(|id| tokio::spawn(task_async(id, job(id, secs))))
        .collect();
    handles[cancel].abort();
    let mut lost = Lost::default();
    for (id, handle) in handles.into_iter().enumerate() {
        match handle.await {
            Ok(value) => arrived(id, format_args!("Ok({value})")),
            Err(e) if e.is_cancelled() => {
                note(format_args!("job {id}: JoinError, is_cancelled()"));
                lost.cancelled += 1;
            }
            Err(e) => {
                let text =
                    format!("JoinError, is_panic(): {}", message(&*e.into_panic()));
                note(format_args!("job {id}: {text}"));
                lost.errors.push(text);
            }
        }
    }
    lost
}
// ANCHOR_END: join_error

// ANCHOR: gather
async fn gather(jobs: usize, secs: f64) -> Lost {
    let handles = (0..jobs).map(|id| tokio::spawn(task_async(id, job(id, secs))));
    let mut lost = Lost::default();
    // The first error comes back; the other handles are dropped, their tasks run on.
    match try_join_all(handles).await {
        Ok(values) => values.iter().enumerate().for_each(|(id, v)| arrived(id, v)),
        Err(e) => {
            let text = message(&*e.into_panic());
            note(format_args!("try_join_all: the first error: {text:?}"));
            lost.errors.push(text);
        }
    }
    // Wait as long as the slowest job takes: the detached ones finish meanwhile.
    tokio::time::sleep(Duration::from_secs_f64(secs * (jobs + 1) as f64)).await;
    note(
        "the other tasks ran on, detached, to their end: nobody holds their results",
    );
    lost
}
// ANCHOR_END: gather

// ANCHOR: never_retrieved
async fn never_retrieved(jobs: usize, secs: f64) -> Lost {
    let handles: Vec<_> = (0..jobs)
        .map(|id| tokio::spawn(task_async(id, job(id, secs))))
        .collect();
    for (id, handle) in handles.into_iter().enumerate() {
        if id == FAILING {
            drop(handle); // detached: its panic goes to the panic hook, no further
        } else {
            let value = handle.await.expect("only job 1 panics");
            arrived(id, format_args!("Ok({value})"));
        }
    }
    Lost::default() // the caller learnt of no failure
}
// ANCHOR_END: never_retrieved

/// Run one lesson on a fresh runtime.
fn in_runtime(lesson: impl Future<Output = Lost>) -> Lost {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_time()
        .build();
    runtime.expect("a runtime").block_on(lesson)
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
    "errors_async",
    "a panic in an async task, and where it goes",
)
.variants(&[
    VariantInfo::both("join-error", "tokio::spawn + JoinHandle"),
    VariantInfo::both("gather", "try_join_all(JoinHandles)"),
    VariantInfo::both("never-retrieved", "tokio::spawn, a handle dropped"),
])
.headline(Headline::new(RESULTS_KEPT, "join-error", "gather"))
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
    for name in PATTERN.names(false) {
        let lesson = || match name {
            "join-error" => {
                let aborted = jobs - 1;
                lab::found(given("aborted", aborted));
                in_runtime(join_error(jobs, secs, aborted))
            }
            "gather" => in_runtime(gather(jobs, secs)),
            _ => in_runtime(never_retrieved(jobs, secs)),
        };
        trace.run(name, || found(lesson(), jobs));
    }
    trace.finish(&options);
}
