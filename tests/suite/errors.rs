//! `errors`: a failing job's error reaches the caller with its message, no other job's
//! result is lost, and the pool runs the next job; where a worker dies, the loss is
//! bounded and reported (Python's Pool times out, rayon::spawn aborts a child process).
//! And the article's "graceful termination" child: no sleep, no error, `get()` is None.

use crate::common::*;

use concurrency_pairs::{Figure, Trace, Variant};

fn error(v: &Variant) -> &str {
    v.figures
        .error
        .as_deref()
        .unwrap_or_else(|| panic!("{}: no error", v.name))
}

/// Job 1 failed, the caller saw it, every other result came, and the next job ran.
fn assert_one_failure_rest_kept(v: &Variant, message: &str) {
    let jobs = count(v, Figure::Jobs);
    assert_eq!(count(v, Figure::Failed), 1, "{}", v.name);
    assert_eq!(count(v, Figure::ResultsKept), jobs - 1, "{}", v.name);
    assert!(error(v).contains(message), "{}: {}", v.name, error(v));
    assert!(!v.received.contains(&1), "{}: job 1 has no result", v.name);
}

fn assert_pool_usable_after(v: &Variant) {
    let next = count(v, Figure::Jobs) as usize;
    assert!(
        v.received.contains(&next),
        "{}: the next job never ran",
        v.name
    );
}

fn check_shared(trace: &Trace) {
    let v = variant(trace, "error-at-result");
    assert_one_failure_rest_kept(v, "job 1 fails");
    assert_pool_usable_after(v);

    // Nobody asked for job 1: the caller learns of no failure, the others all arrive.
    let v = variant(trace, "unasked-silent");
    assert_eq!(count(v, Figure::Failed), 0);
    assert_eq!(count(v, Figure::ResultsKept), count(v, Figure::Jobs) - 1);

    let v = variant(trace, "lost-result");
    assert_eq!(count(v, Figure::Failed), 1);
    assert_eq!(count(v, Figure::ResultsKept), count(v, Figure::Jobs) - 1);
    assert_pool_usable_after(v);
}

#[test]
fn rust_errors_reach_the_caller() {
    let trace = rust_trace("errors", &[]);
    check_shared(&trace);
    assert_one_failure_rest_kept(variant(&trace, "join-failed"), "job 1 fails");
    assert!(error(variant(&trace, "lost-result")).contains("panic_count() = 1"));

    // rayon re-raises the panic in the caller: the batch is lost, the pool is not.
    let v = variant(&trace, "rayon-reraise");
    assert!(error(v).contains("job 1 fails"), "{}", error(v));
    assert_eq!(count(v, Figure::ResultsKept), 0);
    assert_pool_usable_after(v);

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
    assert_eq!(count(v, Figure::Failed), 1);
    assert_eq!(error(v), "exit code 1");
    assert_eq!(count(v, Figure::ResultsKept), count(v, Figure::Jobs) - 1);
    // The Pool's hang, bounded: a TimeoutError, reported as such.
    assert!(error(variant(&trace, "lost-result")).starts_with("TimeoutError"));
    // A killed worker breaks the executor: more than the one job is lost.
    let v = variant(&trace, "broken-pool");
    assert!(error(v).contains("BrokenProcessPool"), "{}", error(v));
    assert!(
        count(v, Figure::Failed) > 1,
        "the other pending jobs fail too"
    );
    // "Really Boosting Performance"'s graceful termination: `asyncio.sleep(2)` is never
    // awaited (Python warns, and the child's whole run is shorter than the sleep it
    // asked for), and the child's `except` swallows the error: `get()` returns None.
    let v = variant(&trace, "graceful-termination");
    assert_eq!(count(v, Figure::NeverAwaited), 1, "{v:?}");
    assert_eq!(count(v, Figure::ReturnedNone), 1, "{v:?}");
    assert_eq!(
        count(v, Figure::Failed),
        0,
        "the parent saw no error: {v:?}"
    );
    assert_eq!(v.received, [0], "get() returned, with a value (None)");
    let child = v.task(0).expect("the child's task ran");
    assert!(child.end_s - child.start_s < 2.0, "no 2 s sleep: {child:?}");
}

#[test]
fn rayon_spawn_child_aborts_alone() {
    use std::os::unix::process::ExitStatusExt;
    use std::time::{Duration, Instant};
    let mut child = std::process::Command::new(example_binary("errors"))
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
}
