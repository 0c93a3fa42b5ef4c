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
//! and the pool runs the next job; `rayon::spawn` aborts a child process (SIGABRT); the
//! `threadpool` job's result never arrives. Async tasks: the `errors_async` example.

use std::process::{Command, Stdio};
use std::sync::mpsc::{self, Sender};
use std::thread;
use std::time::Duration;

use concurrency_pairs::lab::note;
use concurrency_pairs::work::sleep_s;
use concurrency_pairs::{
    Figure, Found, Headline, Pattern, Table, Trace, VariantInfo, arrived, given, task,
};
use rayon::prelude::*;
use threadpool::ThreadPool;

const FAILING: usize = 1;
const CHILD: &str = "CPAIRS_ERRORS_CHILD"; // set: run as the rayon::spawn child

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

/// The caller holds job `id`'s outcome: print the value, or say and keep the error.
fn take(id: usize, outcome: Result<usize, String>, failures: &mut Vec<String>) {
    match outcome {
        Ok(value) => arrived(id, format_args!("Ok({value})")),
        Err(e) => {
            note(format_args!("job {id}: Err({e:?})"));
            failures.push(e);
        }
    }
}

// ANCHOR: join_failed
fn join_failed(jobs: usize, secs: f64) -> Vec<String> {
    let handles: Vec<_> = (0..jobs)
        .map(|id| thread::spawn(move || task(id, || panicking_job(id, secs))))
        .collect();
    let mut lost = Vec::new();
    for (id, handle) in handles.into_iter().enumerate() {
        // A panicked thread's join gives Err(payload): the panic itself, with its message.
        let outcome = handle.join().map_err(|payload| message(&*payload));
        take(id, outcome, &mut lost);
    }
    lost
}
// ANCHOR_END: join_failed

// ANCHOR: error_at_result
fn error_at_result(jobs: usize, secs: f64) -> Vec<String> {
    let results: Vec<Result<usize, String>> = (0..jobs)
        .into_par_iter()
        .map(|id| task(id, || job(id, secs)))
        .collect(); // an Err is a value like any other: nothing else is lost
    let mut lost = Vec::new();
    for (id, result) in results.into_iter().enumerate() {
        take(id, result, &mut lost);
    }
    let (next, ()) = rayon::join(|| task(jobs, || job(jobs, secs)), || ());
    arrived(jobs, format_args!("the next job: {next:?}"));
    lost
}
// ANCHOR_END: error_at_result

// ANCHOR: unasked_silent
fn unasked_silent(jobs: usize, secs: f64) -> Vec<String> {
    let handles: Vec<_> = (0..jobs)
        .map(|id| thread::spawn(move || task(id, || panicking_job(id, secs))))
        .collect();
    for (id, handle) in handles.into_iter().enumerate() {
        if id == FAILING {
            drop(handle); // never joined: the thread runs on, detached, and nobody asks
        } else {
            let value = handle.join().expect("only job 1 panics");
            arrived(id, format_args!("join gave Ok({value})"));
        }
    }
    Vec::new() // the caller learnt of no failure: the panic went to stderr only
}
// ANCHOR_END: unasked_silent

// ANCHOR: lost_result
fn lost_result(jobs: usize, secs: f64) -> Vec<String> {
    let pool = ThreadPool::with_name("pool".into(), 2);
    let (tx, rx) = mpsc::channel();
    let submit = |id: usize, tx: Sender<(usize, usize)>| {
        pool.execute(move || {
            let value = task(id, || panicking_job(id, secs));
            tx.send((id, value)).expect("the caller waits for results");
        })
    };
    (0..jobs).for_each(|id| submit(id, tx.clone()));
    let patience = Duration::from_secs_f64(secs * 10.0);
    let mut got = 0; // count what you expect, and never wait without a deadline
    while let Ok((id, value)) = rx.recv_timeout(patience) {
        arrived(id, format_args!("{value}"));
        got += 1;
    }
    let (missing, panics) = (jobs - got, pool.panic_count());
    let lost = format!("recv_timeout: {missing} result(s) never came, panic_count() = {panics}");
    note(&lost);
    submit(jobs, tx);
    let (id, value) = rx.recv_timeout(patience).expect("the pool still runs jobs");
    arrived(id, format_args!("the next job: {value}"));
    vec![lost]
}
// ANCHOR_END: lost_result

// ANCHOR: rayon_reraise
fn rayon_reraise(jobs: usize, secs: f64) -> Vec<String> {
    let batch = || -> Vec<usize> {
        (0..jobs)
            .into_par_iter()
            .map(|id| task(id, || panicking_job(id, secs)))
            .collect()
    };
    let mut lost = Vec::new();
    // The panic is re-raised here, in the caller; the batch's other results are dropped.
    match std::panic::catch_unwind(batch) {
        Ok(values) => values.iter().enumerate().for_each(|(id, v)| arrived(id, v)),
        Err(payload) => {
            let text = message(&*payload);
            note(format_args!("re-raised in the caller: {text:?}"));
            lost.push(text);
        }
    }
    let (next, ()) = rayon::join(|| task(jobs, || panicking_job(jobs, secs)), || ());
    arrived(jobs, format_args!("the same pool, the next job: {next}"));
    lost
}
// ANCHOR_END: rayon_reraise

// ANCHOR: rayon_spawn
/// Runs in a child process: a panic in a `rayon::spawn` job, with no panic handler,
/// aborts the whole process.
fn rayon_spawn_jobs(jobs: usize, secs: f64) {
    let (tx, rx) = mpsc::channel();
    for id in 0..jobs {
        let tx = tx.clone();
        rayon::spawn(move || tx.send((id, panicking_job(id, secs))).expect("main waits"));
    }
    drop(tx);
    for (id, value) in rx {
        println!("{id} {value}");
    }
}
// ANCHOR_END: rayon_spawn

/// Re-run this example as a child doing `rayon_spawn_jobs`, and report how it ended. (The
/// child cannot hang: without the abort, the loop ends once the last sender is dropped.)
fn rayon_spawn_abort(jobs: usize, secs: f64) -> Vec<String> {
    use std::os::unix::process::ExitStatusExt;
    let exe = std::env::current_exe().expect("the example knows its own path");
    let mut child = Command::new(exe);
    child
        .env(CHILD, format!("{jobs} {secs}"))
        .stderr(Stdio::inherit());
    let out = child.output().expect("the child runs");
    let results = String::from_utf8_lossy(&out.stdout); // "id value" lines
    for (id, value) in results.lines().filter_map(|l| l.split_once(' ')) {
        let id = id.parse().expect("an id");
        arrived(id, format_args!("{value}, from the child"));
    }
    let how = match out.status.signal() {
        Some(6) => "killed by SIGABRT (signal 6)".to_owned(),
        _ => out.status.to_string(),
    };
    note(format_args!("the child process was {how}; this one lives"));
    vec![format!("child {how}")]
}

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
const NEVER_AWAITED: Figure = Figure::count("never_awaited", "coroutines never awaited");
const RETURNED_NONE: Figure = Figure::count("returned_none", "get() returned None");

const PATTERN: Pattern = Pattern::new("errors", "an exception in a worker, and where it goes")
    .variants(&[
        VariantInfo::both("error-at-result", "rayon, Result"),
        VariantInfo::both("unasked-silent", "threads, a handle dropped"),
        VariantInfo::both("join-failed", "thread::spawn + join"),
        VariantInfo::both("lost-result", "threadpool + recv_timeout"),
        VariantInfo::rust("rayon-reraise", "par_iter + catch_unwind"),
        VariantInfo::rust("rayon-spawn-abort", "rayon::spawn, child"),
        VariantInfo::python("broken-pool"),
        VariantInfo::python("graceful-termination"),
    ])
    .headline(Headline::alone(RESULTS_KEPT, "error-at-result"))
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

type Lesson = fn(usize, f64) -> Vec<String>;
const LESSONS: [(&str, Lesson); 6] = [
    ("error-at-result", error_at_result),
    ("unasked-silent", unasked_silent),
    ("join-failed", join_failed),
    ("lost-result", lost_result),
    ("rayon-reraise", rayon_reraise),
    ("rayon-spawn-abort", rayon_spawn_abort),
];

/// Jobs, and the unit of their sleeps (job `id` sleeps `(id + 1)` units).
const DEFAULT: (usize, f64) = (4, 0.05);
const FULL: (usize, f64) = (8, 0.25);

/// What a lesson found: the failures the caller learnt of, and the first one's message.
fn failed(failures: Vec<String>, jobs: usize) -> Vec<Found> {
    let first = failures.first().cloned().map(Found::Error);
    let counts = [
        JOBS.of(jobs),
        FAILED.of(failures.len()),
        given("failing", FAILING),
    ];
    counts.into_iter().chain(first).collect()
}

fn main() {
    quiet_panics();
    if let Ok(args) = std::env::var(CHILD) {
        concurrency_pairs::out::set_human_to_stderr(true);
        let (jobs, secs) = args.split_once(' ').expect("jobs and secs");
        return rayon_spawn_jobs(jobs.parse().expect("jobs"), secs.parse().expect("secs"));
    }
    let options = PATTERN.parse();
    let (jobs, secs) = if options.full { FULL } else { DEFAULT };
    let mut trace = Trace::new(&PATTERN, &options);
    for (name, lesson) in LESSONS {
        let Some(v) = trace.run(name, || failed(lesson(jobs, secs), jobs)) else {
            continue;
        };
        // The results of the jobs the caller still received (not the next job's), from
        // the record, which `run` hands back to read only: added to the variant after.
        let kept = v.received.iter().filter(|&&id| id < jobs).count();
        let v = trace.variants.last_mut().expect("the variant just ran");
        v.record(RESULTS_KEPT.of(kept));
    }
    trace.finish(&options);
}
