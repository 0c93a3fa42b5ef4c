//! `sync_primitives`: the lock loses no entry, the semaphore never lets more than N in.
//! `condition`: the bounded queue never holds more than its capacity and hands items over
//! in order, nobody passes the barrier early. Both languages, both examples. (The
//! deadlock is `tests/deadlock.rs`.)

use crate::common::*;

use concurrency_pairs::{Derived, Variant};

fn check_mutex(v: &Variant) {
    let workers = count(v, "workers");
    assert_each_task_received_once(v, workers as usize);
    assert_eq!(
        count(v, "entries"),
        workers * count(v, "rounds"),
        "{}",
        v.name
    );
}

fn check_semaphore(v: &Variant) {
    assert_each_task_received_once(v, count(v, "jobs") as usize);
    let (permits, peak) = (count(v, "permits"), count(v, "peak_concurrency"));
    assert!(
        (1..=permits).contains(&peak),
        "{}: peak {peak} > {permits}",
        v.name
    );
    // The spans are timed inside the permit, so the timeline agrees.
    let overlap = v
        .derived(Derived::PeakOverlap)
        .expect("the tasks have spans");
    assert!(
        overlap <= permits as f64,
        "{}: spans overlap too much",
        v.name
    );
}

fn check_bounded_queue(v: &Variant) {
    assert_each_task_received_once(v, count(v, "items") as usize);
    assert_submission_order(v); // first in, first out
    let (capacity, max_queued) = (count(v, "capacity"), count(v, "max_queued"));
    assert!(
        (1..=capacity).contains(&max_queued),
        "{}: {max_queued} queued, capacity {capacity}",
        v.name
    );
}

fn check_barrier(v: &Variant) {
    let n = count(v, "threads") as usize;
    assert_each_task_received_once(v, 2 * n);
    let last_phase1_end = v.tasks[..n].iter().map(|t| t.end_s).fold(0.0, f64::max);
    for phase2 in &v.tasks[n..] {
        assert!(
            phase2.start_s >= last_phase1_end,
            "{}: task {} started phase 2 before phase 1 was over",
            v.name,
            phase2.id
        );
    }
}

#[test]
fn rust_primitives_keep_their_promises() {
    let trace = rust_trace("sync_primitives", &[]);
    check_mutex(variant(&trace, "mutex"));
    check_semaphore(variant(&trace, "semaphore"));
}

#[test]
fn python_primitives_keep_their_promises() {
    let trace = python_trace("sync_primitives", &[]);
    for name in ["mutex", "mutex-processes"] {
        check_mutex(variant(&trace, name));
    }
    for name in ["semaphore", "semaphore-processes"] {
        check_semaphore(variant(&trace, name));
    }
}

#[test]
fn rust_condition_and_barrier_keep_their_promises() {
    let trace = rust_trace("condition", &[]);
    check_bounded_queue(variant(&trace, "bounded-queue"));
    check_barrier(variant(&trace, "barrier"));
}

#[test]
fn python_condition_and_barrier_keep_their_promises() {
    let trace = python_trace("condition", &[]);
    check_bounded_queue(variant(&trace, "bounded-queue"));
    check_barrier(variant(&trace, "barrier"));
}

#[test]
fn bad_flags_are_one_line_errors() {
    assert_bad_flags_rejected("sync_primitives");
    assert_bad_flags_rejected("condition");
}
