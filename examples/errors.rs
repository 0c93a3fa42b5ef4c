//! # `errors`: an exception in a worker
//!
//! Python: a pool job that raises says nothing until you call `.get()` / `.result()`,
//! which re-raises it; a job nobody asks about fails silently; a `Process` that raises
//! just exits with code 1. Twin: `python/errors.py`. Chapter: "errors" in the book.
//!
//! Run: `cargo run --release --example errors` (`--full` for longer jobs, `--json` for
//! the trace, `--variant NAME` for one variant).
//!
//! Watch: job 1 of 4 fails in every block. `join` hands the panic back as `Err` with its
//! message; a `Result` comes back as a value; rayon re-raises the panic in the caller
//! and the pool runs the next job. A worker that dies of its failure: the
//! `errors_dead_worker` example. Async tasks: the `errors_async` example.

use std::thread;

use concurrency_pairs::lab::note;
use concurrency_pairs::work::sleep_s;
use concurrency_pairs::{
    Figure, Found, Headline, Pattern, Table, Trace, VariantInfo, arrived, given, task,
};
use rayon::prelude::*;

const FAILING: usize = 1;

/// A panic's message: the payload is a `&str` or a `String` (anything else is rare).
fn message(payload: &(dyn std::any::Any + Send)) -> String {
    let text = payload.downcast_ref::<&str>().copied();
    let text = text.or(payload.downcast_ref::<String>().map(String::as_str));
    text.unwrap_or("(not a string)").to_owned()
}

// ANCHOR: job
/// Job `id` sleeps a little longer than the one before; job 1 fails.
fn job(id: usize, secs: f64) -> Result<usize, String> {
    sleep_s(secs * (id + 1) as f64);
    if id == FAILING {
        return Err(format!("job {id} fails"));
    }
    Ok(id * 10)
}

/// The same job, failing the panicking way.
fn panicking_job(id: usize, secs: f64) -> usize {
    job(id, secs).unwrap_or_else(|e| panic!("{e}"))
}
// ANCHOR_END: job

/// What the caller holds of each job it heard from: the value, or the error's message.
type Outcomes = Vec<Result<usize, String>>;

/// The caller holds job `id`'s outcome: print it, and keep it.
fn take(id: usize, outcome: Result<usize, String>, held: &mut Outcomes) {
    match &outcome {
        Ok(value) => arrived(id, format_args!("Ok({value})")),
        Err(e) => note(format_args!("job {id}: Err({e:?})")),
    }
    held.push(outcome);
}

// ANCHOR: join_failed
fn join_failed(jobs: usize, secs: f64) -> Outcomes {
    let handles: Vec<_> = (0..jobs)
        .map(|id| thread::spawn(move || task(id, || panicking_job(id, secs))))
        .collect();
    let mut held = Vec::new();
    for (id, handle) in handles.into_iter().enumerate() {
        // A panicked thread's join gives Err(payload): the panic, with its message.
        let outcome = handle.join().map_err(|payload| message(&*payload));
        take(id, outcome, &mut held);
    }
    held
}
// ANCHOR_END: join_failed

// ANCHOR: error_at_result
fn error_at_result(jobs: usize, secs: f64) -> Outcomes {
    let results: Vec<Result<usize, String>> = (0..jobs)
        .into_par_iter()
        .map(|id| task(id, || job(id, secs)))
        .collect(); // an Err is a value like any other: nothing else is lost
    let mut held = Vec::new();
    for (id, result) in results.into_iter().enumerate() {
        take(id, result, &mut held);
    }
    let (next, ()) = rayon::join(|| task(jobs, || job(jobs, secs)), || ());
    arrived(jobs, format_args!("the next job: {next:?}"));
    held
}
// ANCHOR_END: error_at_result

// ANCHOR: unasked_silent
fn unasked_silent(jobs: usize, secs: f64) -> Outcomes {
    let handles: Vec<_> = (0..jobs)
        .map(|id| thread::spawn(move || task(id, || panicking_job(id, secs))))
        .collect();
    let mut held = Vec::new();
    for (id, handle) in handles.into_iter().enumerate() {
        if id == FAILING {
            drop(handle); // never joined: it runs on, detached, and nobody asks
        } else {
            let value = handle.join().expect("only job 1 panics");
            arrived(id, format_args!("join gave Ok({value})"));
            held.push(Ok(value));
        }
    }
    held // the caller learnt of no failure: the panic went to stderr only
}
// ANCHOR_END: unasked_silent

// ANCHOR: rayon_reraise
fn rayon_reraise(jobs: usize, secs: f64) -> Outcomes {
    let batch = || -> Vec<usize> {
        (0..jobs)
            .into_par_iter()
            .map(|id| task(id, || panicking_job(id, secs)))
            .collect()
    };
    let mut held = Vec::new();
    // The panic is re-raised here, in the caller; the other results are dropped.
    match std::panic::catch_unwind(batch) {
        Ok(values) => (0..)
            .zip(values)
            .for_each(|(id, v)| take(id, Ok(v), &mut held)),
        Err(payload) => {
            let text = message(&*payload);
            note(format_args!("re-raised in the caller: {text:?}"));
            held.push(Err(text));
        }
    }
    let (next, ()) = rayon::join(|| task(jobs, || panicking_job(jobs, secs)), || ());
    arrived(jobs, format_args!("the same pool, the next job: {next}"));
    held
}
// ANCHOR_END: rayon_reraise

/// One stamped line per panic instead of the default message and backtrace hint.
fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        let at = thread::current().name().unwrap_or("a thread").to_owned();
        note(format_args!("panic on {at}: {}", message(info.payload())));
    }));
}

const JOBS: Figure = Figure::count("jobs", "jobs");
const FAILED: Figure = Figure::count("failed", "failed");
const RESULTS_KEPT: Figure = Figure::count("results_kept", "results kept");
const NEVER_AWAITED: Figure =
    Figure::count("never_awaited", "coroutines never awaited");
const RETURNED_NONE: Figure = Figure::count("returned_none", "get() returned None");

const PATTERN: Pattern =
    Pattern::new("errors", "an exception in a worker, and where it goes")
        .variants(&[
            VariantInfo::both("error-at-result", "rayon, Result"),
            VariantInfo::both("unasked-silent", "threads, a handle dropped"),
            VariantInfo::both("join-failed", "thread::spawn + join"),
            VariantInfo::rust("rayon-reraise", "par_iter + catch_unwind"),
            VariantInfo::python("graceful-termination"),
        ])
        .headline(Headline::new(
            RESULTS_KEPT,
            "error-at-result",
            "rayon-reraise",
        ))
        .tables(&[
            Table::new(
                "How many results survive a failing job?",
                &[JOBS, FAILED, RESULTS_KEPT],
            ),
            Table::new(
                "What did the article's child really do?",
                &[NEVER_AWAITED, RETURNED_NONE],
            ),
        ]);

type Lesson = fn(usize, f64) -> Outcomes;
const LESSONS: [(&str, Lesson); 4] = [
    ("error-at-result", error_at_result),
    ("unasked-silent", unasked_silent),
    ("join-failed", join_failed),
    ("rayon-reraise", rayon_reraise),
];

/// Jobs, and the unit of their sleeps (job `id` sleeps `(id + 1)` units).
const DEFAULT: (usize, f64) = (4, 0.05);
const FULL: (usize, f64) = (8, 0.25);

/// What a lesson found, of `jobs`: the results the caller kept, the failures it learnt
/// of, and the first one's message.
fn found(held: Outcomes, jobs: usize) -> Vec<Found> {
    let kept = held.iter().filter(|outcome| outcome.is_ok()).count();
    let failures: Vec<String> = held.into_iter().filter_map(Result::err).collect();
    let first = failures.first().cloned().map(Found::Error);
    let counts = [
        JOBS.of(jobs),
        FAILED.of(failures.len()),
        RESULTS_KEPT.of(kept),
        given("failing", FAILING),
    ];
    counts.into_iter().chain(first).collect()
}

fn main() {
    quiet_panics();
    let options = PATTERN.parse();
    let (jobs, secs) = if options.full { FULL } else { DEFAULT };
    let mut trace = Trace::new(&PATTERN, &options);
    for (name, lesson) in LESSONS {
        trace.run(name, || found(lesson(jobs, secs), jobs));
    }
    trace.finish(&options);
}
