//! `pool_apply`: `apply` runs the jobs one after the other; `get` in submission order
//! hands nothing over before job 0 is done; a shared channel (or callback) hands results
//! over as they finish. Checked on both languages' traces, plus the `threadpool` crate's
//! behaviour with a panicking job.

use crate::common::*;

use std::process::Command;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use concurrency_pairs::{Trace, Variant};
use threadpool::ThreadPool;

/// The jobs' ids, shortest first: the order they finish in when they start together.
fn shortest_first(v: &Variant) -> Vec<usize> {
    let sizes = v.sizes.as_ref().expect("the job sizes are reported");
    let mut ids: Vec<usize> = (0..sizes.len()).collect();
    ids.sort_by_key(|&id| sizes[id]);
    ids
}

/// How many jobs the variant ran (one per size).
fn jobs(v: &Variant) -> usize {
    v.sizes.as_ref().expect("the job sizes are reported").len()
}

fn check(trace: &Trace) {
    let v = variant(trace, "apply");
    assert_each_task_received_once(v, jobs(v));
    assert_submission_order(v);
    for pair in v.received.windows(2) {
        let (prev, next) = (
            v.task(pair[0]).expect("task"),
            v.task(pair[1]).expect("task"),
        );
        assert!(
            next.start_s >= prev.end_s,
            "apply is serial: job {} started before job {} ended: {v:?}",
            next.id,
            prev.id
        );
    }

    let v = variant(trace, "async-get-in-order");
    assert_each_task_received_once(v, jobs(v));
    assert_submission_order(v);
    let first_end = v.task(0).expect("task 0").end_s;
    assert!(
        v.received_s.iter().all(|&at| at >= first_end),
        "nothing is received before job 0 ended: {v:?}"
    );
    // The jobs ran at once: job 1 had finished long before job 0, yet waited behind it.
    assert!(v.task(1).expect("task 1").end_s < first_end, "{v:?}");

    let v = variant(trace, "async-completion-order");
    assert_each_task_received_once(v, jobs(v));
    assert_completion_order(v);
    // Shortest first where the four started at once (a unit apart would reorder them).
    if started_together(v, 0.1) {
        assert_eq!(v.received, shortest_first(v), "{v:?}");
    }

    // One worker per job, so that all of them can run at once.
    for v in &trace.variants {
        assert_eq!(count(v, "workers"), jobs(v) as u64, "{}", v.name);
    }
}

#[test]
fn rust_apply_get_and_completion_orders() {
    // Run once with --json, keeping stderr: the trace is on stdout, the human text
    // (with the panicking-job pitfall) on stderr.
    let output = Command::new(example_binary("pool_apply"))
        .arg("--json")
        .output()
        .expect("the example starts");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let trace: Trace =
        serde_json::from_slice(&output.stdout).expect("a trace on stdout");
    assert_eq!(
        (trace.example.as_str(), trace.language.as_str()),
        ("pool_apply", "rust")
    );
    check(&trace);
    // Threads start at once: Rust's order is always shortest first.
    let v = variant(&trace, "async-completion-order");
    assert_eq!(v.received, shortest_first(v), "{v:?}");
    let ran: Vec<&str> = trace.variants.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(
        ran,
        listed_variants("pool_apply", false),
        "--variants disagrees"
    );
    assert!(stderr.contains("recv() returned Err"), "{stderr}");
    assert!(stderr.contains("pool.panic_count() = 1"), "{stderr}");
}

#[test]
fn python_apply_get_and_completion_orders() {
    check(&python_trace("pool_apply", &[]));
}

#[test]
fn bad_flags_are_one_line_errors() {
    assert_bad_flags_rejected("pool_apply");
}

/// A panicking `threadpool` job: its sender is dropped as it unwinds, so the caller's
/// `recv()` returns `Err` instead of hanging; the pool counts the panic, replaces the
/// worker and keeps running jobs; the other jobs' results all arrive.
#[test]
fn a_panicking_job_drops_its_sender_and_leaves_the_pool_usable() {
    let pool = ThreadPool::new(2);

    // One channel per job: the failed job's handle reports Err.
    let (tx, failed) = mpsc::channel::<u32>();
    pool.execute(move || {
        let _keep = tx; // dropped while unwinding
        panic!("this job fails on purpose");
    });
    assert_eq!(
        failed.recv_timeout(Duration::from_secs(10)),
        Err(mpsc::RecvTimeoutError::Disconnected),
        "a panicked job's channel is disconnected, not left empty"
    );

    // One shared channel: the other jobs' results all arrive, then the loop ends.
    let (tx, rx) = mpsc::channel();
    for id in 0..4 {
        let tx = tx.clone();
        pool.execute(move || {
            if id == 2 {
                panic!("job 2 fails on purpose");
            }
            tx.send(id).expect("the receiver outlives the jobs");
        });
    }
    drop(tx);
    let mut got = Vec::new();
    while let Ok(id) = rx.recv_timeout(Duration::from_secs(10)) {
        got.push(id);
    }
    got.sort_unstable();
    assert_eq!(got, [0, 1, 3], "every job but the panicking one delivered");

    // The count is bumped as each worker finishes unwinding: wait for it, bounded.
    let deadline = Instant::now() + Duration::from_secs(10);
    while pool.panic_count() < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(pool.panic_count(), 2);

    // Both panicked workers were replaced: two jobs still run at the same time.
    let (tx, rx) = mpsc::channel();
    for _ in 0..2 {
        let tx = tx.clone();
        pool.execute(move || {
            let start = Instant::now();
            std::thread::sleep(Duration::from_millis(300));
            tx.send((start, Instant::now()))
                .expect("the receiver is waiting");
        });
    }
    let a = rx.recv_timeout(Duration::from_secs(10)).expect("job ran");
    let b = rx.recv_timeout(Duration::from_secs(10)).expect("job ran");
    assert!(a.0 < b.1 && b.0 < a.1, "two workers ran side by side");
}
