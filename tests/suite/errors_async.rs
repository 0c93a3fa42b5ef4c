//! `errors_async`: the failing task's error reaches the caller with its message; which
//! other results survive depends on how the caller waits (each handle, `gather` /
//! `try_join_all`, `join_next` / `return_exceptions`, `join_all` / `TaskGroup`), and so
//! does what is cancelled; a task nobody awaits fails with no word to the caller.

use crate::common::*;

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use concurrency_pairs::{Figure, Trace, Variant};

fn error(v: &Variant) -> &str {
    v.figures
        .error
        .as_deref()
        .unwrap_or_else(|| panic!("{}: no error", v.name))
}

/// The jobs that ran to their end (their span was recorded), in id order.
fn ran_to_end(v: &Variant) -> Vec<usize> {
    let mut ids: Vec<usize> = v.tasks.iter().map(|t| t.id).collect();
    ids.sort_unstable();
    ids
}

/// Job 1 failed, the caller got its message, `kept` results came and `cancelled` jobs
/// were cancelled; job 1 has no result.
fn assert_outcome(v: &Variant, kept: u64, cancelled: u64) {
    assert_eq!(count(v, Figure::Failed), 1, "{}", v.name);
    assert!(error(v).contains("job 1 fails"), "{}: {}", v.name, error(v));
    assert_eq!(
        count(v, Figure::ResultsKept),
        kept,
        "{}: results kept",
        v.name
    );
    assert_eq!(
        count(v, Figure::Cancelled),
        cancelled,
        "{}: cancelled",
        v.name
    );
    assert!(!v.received.contains(&1), "{}: job 1 has no result", v.name);
}

fn check_shared(trace: &Trace) {
    let v = variant(trace, "join-error");
    let jobs = count(v, Figure::Jobs);
    // Each handle awaited: the panic with its message, the aborted job cancelled.
    assert_outcome(v, jobs - 2, 1);
    assert!(
        !v.received.contains(&(jobs as usize - 1)),
        "the cancelled job"
    );

    // The first error comes back, no result does; but the other tasks ran to their end.
    let v = variant(trace, "gather");
    assert_outcome(v, 0, 0);
    let others: Vec<usize> = (0..jobs as usize).filter(|&id| id != 1).collect();
    assert_eq!(ran_to_end(v), others, "gather cancels nothing");

    // Nobody awaited job 1: the caller learns of no failure, the others all arrive.
    let v = variant(trace, "never-retrieved");
    assert_eq!(count(v, Figure::Failed), 0);
    assert_eq!(count(v, Figure::ResultsKept), jobs - 1);
}

#[test]
fn rust_async_errors_reach_the_caller() {
    let trace = rust_trace("errors_async", &[]);
    check_shared(&trace);
    let jobs = count(variant(&trace, "join-error"), Figure::Jobs);

    // join_all: the panic re-raised, the result already in dropped, the rest aborted.
    let v = variant(&trace, "join-all");
    assert_outcome(v, 0, jobs - 2);
    assert_eq!(ran_to_end(v), vec![0], "the aborted jobs never finished");

    // join_next: the error is one outcome among the others, every other result kept.
    assert_outcome(variant(&trace, "join-next"), jobs - 1, 0);
}

#[test]
fn python_async_errors_reach_the_caller() {
    let trace = python_trace("errors_async", &[]);
    check_shared(&trace);
    let jobs = count(variant(&trace, "join-error"), Figure::Jobs);

    // TaskGroup: the others cancelled, the ExceptionGroup raised; job 0's result stays.
    let v = variant(&trace, "task-group");
    assert_outcome(v, 1, jobs - 2);
    assert_eq!(v.received, vec![0]);
    assert_eq!(ran_to_end(v), vec![0], "the cancelled jobs never finished");

    assert_outcome(variant(&trace, "return-exceptions"), jobs - 1, 0);

    // The never-retrieved exception is only logged, at garbage collection.
    let v = variant(&trace, "never-retrieved");
    assert!(
        error(v).contains("Task exception was never retrieved"),
        "{}",
        error(v)
    );
    assert!(error(v).contains("job 1 fails"), "{}", error(v));
}

/// Run a command to its end (killed after a minute) and give all it printed.
fn printed(command: &mut Command) -> String {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the program starts");
    let pipes = [
        Box::new(child.stdout.take().expect("stdout")) as Box<dyn Read + Send>,
        Box::new(child.stderr.take().expect("stderr")),
    ]
    .map(|mut pipe| {
        std::thread::spawn(move || {
            let mut text = String::new();
            pipe.read_to_string(&mut text).expect("utf-8 output");
            text
        })
    })
    .into_iter();
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().expect("waitpid").is_none() {
        if Instant::now() > deadline {
            child.kill().expect("kill");
            panic!("the program did not end");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    pipes.map(|reader| reader.join().expect("reader")).collect()
}

#[test]
fn a_dropped_handle_leaves_only_the_panic_line() {
    let out = printed(
        Command::new(example_binary("errors_async")).args(["--variant", "never-retrieved"]),
    );
    let panics: Vec<&str> = out.lines().filter(|l| l.contains("panic on")).collect();
    assert_eq!(panics.len(), 1, "{out}");
    assert!(panics[0].contains("job 1 fails"), "{out}");
    assert!(
        !out.contains("panicked at"),
        "one stamped line, not the default message"
    );
}

#[test]
fn bad_flags_are_one_line_errors() {
    assert_bad_flags_rejected("errors_async");
}
