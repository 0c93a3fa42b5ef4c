//! # `errors_async`: a panic in an async task
//!
//! Python: an exception in an asyncio task surfaces when the task is awaited;
//! `asyncio.gather` raises the first one while the other tasks run on; a `TaskGroup`
//! cancels them; a task nobody awaits only leaves a log line. Twin:
//! `python/errors_async.py`. Chapter: "errors_async" in the book.
//!
//! Run: `cargo run --release --example errors_async` (`--full` for longer jobs, `--json`
//! for the trace, `--variant NAME` for one variant).
//!
//! Watch: job 1 of 4 panics in every block. `JoinError` says `is_panic()` with the message
//! (and `is_cancelled()` for the aborted job); `try_join_all` returns the first error and
//! the other tasks run on, detached; `JoinSet::join_all` re-raises the panic, drops the
//! results in and aborts the rest; `join_next` keeps every other result; a dropped handle
//! leaves one panic line and the caller learns nothing.

use std::any::Any;
use std::collections::HashMap;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::thread;
use std::time::Duration;

use concurrency_pairs::lab::note;
use concurrency_pairs::{Cli, Trace, arrived, task_async};
use futures::FutureExt;
use futures::future::try_join_all;
use tokio::task::JoinSet;

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
                let text = format!("JoinError, is_panic(): {}", message(&*e.into_panic()));
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
    note("the other tasks ran on, detached, to their end: nobody holds their results");
    lost
}
// ANCHOR_END: gather

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
    // The first panic is re-raised here; the finished results are dropped, the rest aborted.
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

// ANCHOR: join_next
async fn join_next(jobs: usize, secs: f64) -> Lost {
    let mut set = JoinSet::new();
    let ids: HashMap<_, _> = (0..jobs)
        .map(|id| (set.spawn(task_async(id, job(id, secs))).id(), id))
        .collect();
    let mut lost = Lost::default();
    // One outcome at a time, in the order they finish: an error is one result among others.
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

// ANCHOR: never_retrieved
async fn never_retrieved(jobs: usize, secs: f64) -> Lost {
    let handles: Vec<_> = (0..jobs)
        .map(|id| tokio::spawn(task_async(id, job(id, secs))))
        .collect();
    for (id, handle) in handles.into_iter().enumerate() {
        if id == FAILING {
            drop(handle); // detached: its panic goes to the panic hook, and no further
        } else {
            let value = handle.await.expect("only job 1 panics");
            arrived(id, format_args!("Ok({value})"));
        }
    }
    Lost::default() // the caller learnt of no failure
}
// ANCHOR_END: never_retrieved

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

const CLI: Cli = Cli::new(
    "errors_async",
    "a panic in an async task, and where it goes",
)
.with_variants(&[
    "join-error",
    "gather",
    "join-all",
    "join-next",
    "never-retrieved",
]);

/// Jobs, and the unit of their sleeps (job `id` sleeps `(id + 1)` units).
const DEFAULT: (usize, f64) = (4, 0.1);
const FULL: (usize, f64) = (8, 0.25);

fn main() {
    quiet_panics();
    let options = CLI.parse();
    let (jobs, secs) = if options.full { FULL } else { DEFAULT };
    let mut trace = Trace::new("errors_async", &options);
    let mut run = |name: &str, uses: &str, lesson: &dyn Fn() -> Lost| {
        let Some((lost, v)) = trace.run(name, uses, lesson) else {
            return;
        };
        v.figures.jobs = Some(jobs as f64);
        v.figures.failed = Some(lost.errors.len() as f64);
        v.figures.results_kept = Some(v.received.len() as f64);
        v.figures.cancelled = Some(lost.cancelled as f64);
        v.figures.error = lost.errors.into_iter().next();
    };
    let awaited = || in_runtime(join_error(jobs, secs, jobs - 1));
    run("join-error", "tokio::spawn + JoinHandle", &awaited);
    run("gather", "try_join_all(JoinHandles)", &|| {
        in_runtime(gather(jobs, secs))
    });
    run("join-all", "JoinSet::join_all", &|| {
        in_runtime(join_all(jobs, secs))
    });
    run("join-next", "JoinSet::join_next", &|| {
        in_runtime(join_next(jobs, secs))
    });
    let never = || in_runtime(never_retrieved(jobs, secs));
    run("never-retrieved", "tokio::spawn, a handle dropped", &never);
    trace.finish(&options);
}
