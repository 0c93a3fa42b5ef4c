//! `as_completed`: the ordered variants receive in submission order, the completion
//! variants in finish order, on both sides of the pair and in both languages.

use crate::common::*;

use concurrency_pairs::{Trace, Variant};

/// The tasks' ids, shortest sleep first: the order they finish in, started together.
fn shortest_first(v: &Variant) -> Vec<usize> {
    let sleeps = v.sizes.as_ref().expect("each task's sleep is reported");
    let mut ids: Vec<usize> = (0..sleeps.len()).collect();
    ids.sort_by_key(|&id| sleeps[id]);
    ids
}

/// How many tasks the variant ran (one per reported sleep).
fn tasks(v: &Variant) -> usize {
    v.sizes
        .as_ref()
        .expect("each task's sleep is reported")
        .len()
}

fn check(trace: &Trace) {
    for name in ["pool-ordered", "async-ordered"] {
        let v = variant(trace, name);
        assert_each_task_received_once(v, tasks(v));
        // The first submitted is the slowest.
        assert_eq!(shortest_first(v).last(), Some(&0), "{name}");
        assert_submission_order(v);
        // Nothing is handed over before the slowest, first-submitted task is done.
        let slowest_end = v.task(0).expect("task 0").end_s;
        assert!(v.received_s.iter().all(|&at| at >= slowest_end), "{name}");
    }
    for name in ["pool-completion", "async-completion"] {
        let v = variant(trace, name);
        assert_each_task_received_once(v, tasks(v));
        assert_completion_order(v);
        // Started together, they finish shortest first. A pool that starts its workers on
        // demand (Python's ProcessPoolExecutor under spawn or forkserver, each worker a
        // new interpreter) starts them apart, and the order is theirs.
        if started_together(v, 0.05) {
            assert_eq!(v.received, shortest_first(v), "{name}");
        }
        // The first result is in hand before the slowest task has finished.
        assert!(v.received_s[0] < v.task(0).expect("task 0").end_s, "{name}");
    }
}

#[test]
fn rust_orders() {
    let trace = rust_trace("as_completed", &[]);
    check(&trace);
    for name in [
        "pool-completion",
        "async-completion",
        "async-completion-futures",
    ] {
        let v = variant(&trace, name);
        assert_each_task_received_once(v, tasks(v));
        assert_completion_order(v);
        assert_eq!(v.received, shortest_first(v), "{name}");
    }
}

#[test]
fn python_orders() {
    check(&python_trace("as_completed", &[]));
}

#[test]
fn bad_flags_are_one_line_errors() {
    assert_bad_flags_rejected("as_completed");
}
