//! `errors_async` and `errors_async_group`: the failing task's error reaches the caller
//! with its message; which other results survive depends on how the caller waits (each
//! handle, `gather` / `try_join_all`, `join_next` / `return_exceptions`, `join_all` /
//! `TaskGroup`), and so does what is cancelled; a task nobody awaits fails with no word
//! to the caller.

use crate::common::*;

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use concurrency_pairs::{Derived, Trace, Variant};

fn error(v: &Variant) -> &str {
    v.error
        .as_deref()
        .unwrap_or_else(|| panic!("{}: no error", v.name))
}

/// The jobs that ran to their end (their span was recorded), in id order.
fn ran_to_end(v: &Variant) -> Vec<usize> {
    let mut ids: Vec<usize> = v.tasks.iter().map(|t| t.id).collect();
    ids.sort_unstable();
    ids
}

/// The results the caller kept: a figure of `example`'s chapter, computed from the trace.
fn results_kept(example: &str, v: &Variant) -> u64 {
    let kept = describe(example)
        .figures()
        .into_iter()
        .find(|f| f.key.0 == "results_kept")
        .unwrap_or_else(|| panic!("{example} declares the results kept"));
    assert_eq!(kept.derived, Some(Derived::Received), "{example}");
    v.value(&kept).expect("computed from the receipts") as u64
}

/// The failing job failed, the caller got its message, `kept` results came and
/// `cancelled` jobs were cancelled; the failing job has no result.
fn assert_outcome(example: &str, v: &Variant, kept: u64, cancelled: u64) {
    let failing = count(v, "failing");
    assert_eq!(count(v, "failed"), 1, "{}", v.name);
    let message = format!("job {failing} fails");
    assert!(error(v).contains(&message), "{}: {}", v.name, error(v));
    assert_eq!(results_kept(example, v), kept, "{}: results kept", v.name);
    assert_eq!(count(v, "cancelled"), cancelled, "{}: cancelled", v.name);
    assert!(
        !v.received.contains(&(failing as usize)),
        "{}: job {failing} has no result",
        v.name
    );
}

fn check_shared(trace: &Trace) {
    let v = variant(trace, "join-error");
    let jobs = count(v, "jobs");
    // Each handle awaited: the panic with its message, the aborted job cancelled.
    assert_outcome("errors_async", v, jobs - 2, 1);
    let aborted = count(v, "aborted") as usize;
    assert!(!v.received.contains(&aborted), "the cancelled job");

    // The first error comes back, no result does; but the other tasks ran to their end.
    let v = variant(trace, "gather");
    assert_outcome("errors_async", v, 0, 0);
    let failing = count(v, "failing") as usize;
    let others: Vec<usize> = (0..jobs as usize).filter(|&id| id != failing).collect();
    assert_eq!(ran_to_end(v), others, "gather cancels nothing");

    // Nobody awaited the failing job: the caller learns of no failure, the others all
    // arrive.
    let v = variant(trace, "never-retrieved");
    assert_eq!(count(v, "failed"), 0);
    assert_eq!(results_kept("errors_async", v), jobs - 1);
}

#[test]
fn rust_async_errors_reach_the_caller() {
    check_shared(&rust_trace("errors_async", &[]));
}

#[test]
fn rust_a_join_set_keeps_every_outcome_or_none() {
    let trace = rust_trace("errors_async_group", &[]);
    let group = "errors_async_group";
    // join_all: the panic re-raised, the result already in dropped, the rest aborted.
    let v = variant(&trace, "join-all");
    let jobs = count(v, "jobs");
    assert_outcome(group, v, 0, jobs - 2);
    assert_eq!(ran_to_end(v), vec![0], "the aborted jobs never finished");

    // join_next: the error is one outcome among the others, every other result kept.
    assert_outcome(group, variant(&trace, "join-next"), jobs - 1, 0);
}

#[test]
fn python_a_task_group_keeps_what_is_in_and_cancels_the_rest() {
    let trace = python_trace("errors_async_group", &[]);
    let group = "errors_async_group";
    // TaskGroup: the others cancelled, the ExceptionGroup raised; job 0's result stays.
    let v = variant(&trace, "task-group");
    let jobs = count(v, "jobs");
    assert_outcome(group, v, 1, jobs - 2);
    assert_eq!(v.received, vec![0]);
    assert_eq!(ran_to_end(v), vec![0], "the cancelled jobs never finished");

    assert_outcome(group, variant(&trace, "return-exceptions"), jobs - 1, 0);
}

#[test]
fn python_async_errors_reach_the_caller() {
    let trace = python_trace("errors_async", &[]);
    check_shared(&trace);

    // The never-retrieved exception is only logged, at garbage collection.
    let v = variant(&trace, "never-retrieved");
    assert!(
        error(v).contains("Task exception was never retrieved"),
        "{}",
        error(v)
    );
    let message = format!("job {} fails", count(v, "failing"));
    assert!(error(v).contains(&message), "{}", error(v));
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
        Command::new(example_binary("errors_async"))
            .args(["--variant", "never-retrieved"]),
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
    assert_bad_flags_rejected("errors_async_group");
}
