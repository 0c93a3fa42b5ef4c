//! `errors` and `errors_dead_worker`: a failing job's error reaches the caller with its
//! message, no other job's result is lost, and the pool runs the next job; where a worker
//! dies, the loss is bounded and reported (Python's Pool times out, rayon::spawn aborts a
//! child process). And the article's "graceful termination" child: no sleep, no error,
//! `get()` is None.

use crate::common::*;

use concurrency_pairs::{Trace, Variant};

fn error(v: &Variant) -> &str {
    v.error
        .as_deref()
        .unwrap_or_else(|| panic!("{}: no error", v.name))
}

/// What the failing job's error says.
fn failure(v: &Variant) -> String {
    format!("job {} fails", count(v, "failing"))
}

/// The failing job failed, the caller saw its message, every other result came, and the
/// failing job has none.
fn assert_one_failure_rest_kept(v: &Variant) {
    let failing = count(v, "failing") as usize;
    let jobs = count(v, "jobs");
    assert_eq!(count(v, "failed"), 1, "{}", v.name);
    assert_eq!(count(v, "results_kept"), jobs - 1, "{}", v.name);
    assert!(error(v).contains(&failure(v)), "{}: {}", v.name, error(v));
    assert!(
        !v.received.contains(&failing),
        "{}: job {failing} has no result",
        v.name
    );
}

fn assert_pool_usable_after(v: &Variant) {
    let next = count(v, "jobs") as usize;
    assert!(
        v.received.contains(&next),
        "{}: the next job never ran",
        v.name
    );
}

fn check_shared(trace: &Trace) {
    let v = variant(trace, "error-at-result");
    assert_one_failure_rest_kept(v);
    assert_pool_usable_after(v);

    // Nobody asked for the failing job: the caller learns of no failure, the others
    // all arrive.
    let v = variant(trace, "unasked-silent");
    assert_eq!(count(v, "failed"), 0);
    assert_eq!(count(v, "results_kept"), count(v, "jobs") - 1);
}

/// The worker of the failing job died: its result alone is lost, and the pool runs on.
fn check_shared_dead_worker(trace: &Trace) {
    let v = variant(trace, "lost-result");
    assert_eq!(count(v, "failed"), 1);
    assert_eq!(count(v, "results_kept"), count(v, "jobs") - 1);
    assert_pool_usable_after(v);
}

#[test]
fn rust_errors_reach_the_caller() {
    let trace = rust_trace("errors", &[]);
    check_shared(&trace);
    assert_one_failure_rest_kept(variant(&trace, "join-failed"));

    // rayon re-raises the panic in the caller: the batch is lost, the pool is not.
    let v = variant(&trace, "rayon-reraise");
    assert!(error(v).contains(&failure(v)), "{}", error(v));
    assert_eq!(count(v, "results_kept"), 0);
    assert_pool_usable_after(v);
}

#[test]
fn rust_a_dead_worker_loses_its_result_only() {
    let trace = rust_trace("errors_dead_worker", &[]);
    check_shared_dead_worker(&trace);
    assert!(error(variant(&trace, "lost-result")).contains("panic_count() = 1"));

    // The child aborted (SIGABRT), and this process lived to write its trace.
    let v = variant(&trace, "rayon-spawn-abort");
    assert!(error(v).contains("SIGABRT"), "{}", error(v));
}

#[test]
fn python_errors_reach_the_caller() {
    let trace = python_trace("errors", &[]);
    check_shared(&trace);
    // A Process's failure: exit code 1, and no message for the parent.
    let v = variant(&trace, "join-failed");
    assert_eq!(count(v, "failed"), 1);
    assert_eq!(error(v), "exit code 1");
    assert_eq!(count(v, "results_kept"), count(v, "jobs") - 1);
    // "Really Boosting Performance"'s graceful termination: `asyncio.sleep(2)` is never
    // awaited (Python warns, and the child's whole run is shorter than the sleep it
    // asked for), and the child's `except` swallows the error: `get()` returns None.
    let v = variant(&trace, "graceful-termination");
    assert_eq!(count(v, "never_awaited"), 1, "{v:?}");
    assert_eq!(count(v, "returned_none"), 1, "{v:?}");
    assert_eq!(count(v, "failed"), 0, "the parent saw no error: {v:?}");
    assert_eq!(v.received, [0], "get() returned, with a value (None)");
    let child = v.task(0).expect("the child's task ran");
    assert!(child.end_s - child.start_s < 2.0, "no 2 s sleep: {child:?}");
}

#[test]
fn python_a_dead_worker_is_no_exception() {
    let trace = python_trace("errors_dead_worker", &[]);
    check_shared_dead_worker(&trace);
    // The Pool's hang, bounded: a TimeoutError, reported as such.
    assert!(error(variant(&trace, "lost-result")).starts_with("TimeoutError"));
    // A killed worker breaks the executor: more than the one job is lost.
    let v = variant(&trace, "broken-pool");
    assert!(error(v).contains("BrokenProcessPool"), "{}", error(v));
    assert!(count(v, "failed") > 1, "the other pending jobs fail too");
}

#[test]
fn rayon_spawn_child_aborts_alone() {
    use std::os::unix::process::ExitStatusExt;
    use std::time::{Duration, Instant};
    let mut child = std::process::Command::new(example_binary("errors_dead_worker"))
        .env("CPAIRS_ERRORS_CHILD", "4 0.05")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the example starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().expect("waitpid") {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().expect("kill");
            panic!("the rayon::spawn child did not end");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(status.signal(), Some(6), "aborted: {status}");
}

#[test]
fn bad_flags_are_one_line_errors() {
    assert_bad_flags_rejected("errors");
    assert_bad_flags_rejected("errors_dead_worker");
}
