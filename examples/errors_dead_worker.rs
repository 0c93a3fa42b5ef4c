//! # `errors_dead_worker`: a failure that takes its worker down
//!
//! Python: a pool job whose worker process dies (killed by a signal) raises nothing: a
//! `multiprocessing.Pool` replaces the worker and the job's result never comes, and a
//! `ProcessPoolExecutor` breaks for good. Twin: `python/errors_dead_worker.py`. Chapter:
//! "errors" in the book, its part on dead workers.
//!
//! Run: `cargo run --release --example errors_dead_worker` (`--full` for longer jobs,
//! `--json` for the trace, `--variant NAME` for one variant).
//!
//! Watch: job 1 of 4 panics in every block. The `threadpool` replaces the worker the panic
//! ended, but that job's result never arrives: the collector gives up waiting, and the
//! pool runs the next job. A `rayon::spawn` job's panic aborts a child process (SIGABRT),
//! with the results it had not handed over yet.

use std::process::{Command, Stdio};
use std::sync::mpsc::{self, Sender};
use std::thread;
use std::time::Duration;

use concurrency_pairs::lab::{self, note};
use concurrency_pairs::work::sleep_s;
use concurrency_pairs::{
    Figure, Found, Headline, Pattern, Table, TaskSpan, Trace, VariantInfo, arrived,
    given, task,
};
use threadpool::ThreadPool;

const FAILING: usize = 1;
const CHILD: &str = "CPAIRS_ERRORS_CHILD"; // set: run as the rayon::spawn child

/// Job `id` sleeps a little longer than the one before; job 1 panics.
fn panicking_job(id: usize, secs: f64) -> usize {
    sleep_s(secs * (id + 1) as f64);
    assert!(id != FAILING, "job {id} fails");
    id * 10
}

/// What the caller holds of each job it heard from: the value, or the error's message.
type Outcomes = Vec<Result<usize, String>>;

// ANCHOR: lost_result
fn lost_result(jobs: usize, secs: f64) -> Outcomes {
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
    let mut held = Vec::new(); // count what you expect; never wait without a deadline
    while let Ok((id, value)) = rx.recv_timeout(patience) {
        arrived(id, format_args!("{value}"));
        held.push(Ok(value));
    }
    let missing = jobs - held.len();
    let panics = pool.panic_count();
    let lost = format!(
        "recv_timeout: {missing} result(s) never came, panic_count() = {panics}"
    );
    note(&lost);
    held.push(Err(lost));
    submit(jobs, tx);
    let (id, value) = rx.recv_timeout(patience).expect("the pool still runs jobs");
    arrived(id, format_args!("the next job: {value}"));
    held
}
// ANCHOR_END: lost_result

// ANCHOR: rayon_spawn
/// Runs in a child process: a panic in a `rayon::spawn` job, with no panic handler,
/// aborts the whole process.
fn rayon_spawn_jobs(jobs: usize, secs: f64) {
    let (tx, rx) = mpsc::channel();
    for id in 0..jobs {
        let tx = tx.clone();
        rayon::spawn(move || {
            tx.send((id, panicking_job(id, secs))).expect("main waits")
        });
    }
    drop(tx);
    for (id, value) in rx {
        println!("{id} {value}");
    }
}
// ANCHOR_END: rayon_spawn

/// Re-run this example as a child doing `rayon_spawn_jobs`, and report how it ended. (The
/// child cannot hang: without the abort, the loop ends once the last sender is dropped.)
fn rayon_spawn_abort(jobs: usize, secs: f64) -> Outcomes {
    use std::os::unix::process::ExitStatusExt;
    let exe = std::env::current_exe().expect("the example knows its own path");
    let mut child = Command::new(exe);
    child
        .env(CHILD, format!("{jobs} {secs}"))
        .stderr(Stdio::inherit());
    let started_s = lab::now();
    let out = child.output().expect("the child runs");
    let results = String::from_utf8_lossy(&out.stdout); // "id value" lines
    let lines: Vec<(usize, &str)> = results
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(id, value)| (id.parse().expect("an id"), value))
        .collect();
    // The child's jobs, seen from here: each ran in the child, from its start to its
    // end; a job whose result never came was cut short by the abort.
    for id in 0..jobs {
        let span = TaskSpan::new(id, "child", started_s, lab::now());
        let reported = lines.iter().any(|&(done, _)| done == id);
        lab::record(if reported {
            span
        } else {
            span.with_kind(lab::CANCELLED)
        });
    }
    let mut held = Vec::new();
    for (id, value) in lines {
        arrived(id, format_args!("{value}, from the child"));
        held.push(Ok(value.parse().expect("a value")));
    }
    let how = match out.status.signal() {
        Some(6) => "killed by SIGABRT (signal 6)".to_owned(),
        _ => out.status.to_string(),
    };
    note(format_args!("the child process was {how}; this one lives"));
    held.push(Err(format!("child {how}")));
    held
}

/// A panic's message: the payload is a `&str` or a `String` (anything else is rare).
fn message(payload: &(dyn std::any::Any + Send)) -> String {
    let text = payload.downcast_ref::<&str>().copied();
    let text = text.or(payload.downcast_ref::<String>().map(String::as_str));
    text.unwrap_or("(not a string)").to_owned()
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

const PATTERN: Pattern = Pattern::new(
    "errors_dead_worker",
    "a failure that takes its worker down, and what is lost with it",
)
.variants(&[
    VariantInfo::both("lost-result", "threadpool + recv_timeout"),
    VariantInfo::rust("rayon-spawn-abort", "rayon::spawn, child"),
    VariantInfo::python("broken-pool"),
])
.headline(Headline::new(RESULTS_KEPT, "lost-result", "broken-pool"))
.tables(&[Table::new(
    "How many results survive the worker's death?",
    &[JOBS, FAILED, RESULTS_KEPT],
)]);

type Lesson = fn(usize, f64) -> Outcomes;
const LESSONS: [(&str, Lesson); 2] = [
    ("lost-result", lost_result),
    ("rayon-spawn-abort", rayon_spawn_abort),
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
    if let Ok(args) = std::env::var(CHILD) {
        concurrency_pairs::out::set_human_to_stderr(true);
        let (jobs, secs) = args.split_once(' ').expect("jobs and secs");
        return rayon_spawn_jobs(
            jobs.parse().expect("jobs"),
            secs.parse().expect("secs"),
        );
    }
    let options = PATTERN.parse();
    let (jobs, secs) = if options.full { FULL } else { DEFAULT };
    let mut trace = Trace::new(&PATTERN, &options);
    for (name, lesson) in LESSONS {
        trace.run(name, || found(lesson(jobs, secs), jobs));
    }
    trace.finish(&options);
}
