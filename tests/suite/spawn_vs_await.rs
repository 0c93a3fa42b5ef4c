//! `spawn_vs_await`: sequential awaits run the two sleeps one after the other; every
//! concurrent variant (join, spawn, task group, on any runtime) runs them at once.
//! And `asyncio.run` makes a new event loop on every call.

use crate::common::*;

use concurrency_pairs::{Trace, Variant};

const SEQUENTIAL: [&str; 1] = ["sequential"];
const CONCURRENT: [&str; 3] = ["join", "spawn", "group"];

/// B's sleep began only after A's had ended.
fn assert_sequential(v: &Variant) {
    assert_each_task_received_once(v, 2);
    let (a, b) = (v.task(0).expect("task 0"), v.task(1).expect("task 1"));
    assert!(
        b.start_s >= a.end_s,
        "{}: B started at {} before A ended at {}",
        v.name,
        b.start_s,
        a.end_s
    );
    assert_submission_order(v);
    // A's greeting was in hand before B had even started.
    assert!(v.received_s[0] <= b.start_s, "{}", v.name);
}

/// Both sleeps were under way before either ended.
fn assert_concurrent(v: &Variant) {
    assert_each_task_received_once(v, 2);
    let (a, b) = (v.task(0).expect("task 0"), v.task(1).expect("task 1"));
    assert!(
        a.start_s < b.end_s && b.start_s < a.end_s,
        "{}: A ran {}-{}, B ran {}-{}: no overlap",
        v.name,
        a.start_s,
        a.end_s,
        b.start_s,
        b.end_s
    );
}

fn check(trace: &Trace) {
    for name in SEQUENTIAL {
        assert_sequential(variant(trace, name));
    }
    for name in CONCURRENT {
        assert_concurrent(variant(trace, name));
    }
}

#[test]
fn rust_sequential_adds_up_concurrent_overlaps_on_every_runtime() {
    let trace = rust_trace("spawn_vs_await", &[]);
    check(&trace);
    assert_sequential(variant(&trace, "futures-sequential"));
    for name in ["async-std-spawn", "smol-spawn", "futures-join"] {
        assert_concurrent(variant(&trace, name));
    }
    assert_eq!(
        trace.variants.len(),
        describe("spawn_vs_await").names(false).len()
    );
}

#[test]
fn python_sequential_adds_up_concurrent_overlaps() {
    let trace = python_trace("spawn_vs_await", &[]);
    check(&trace);
    // "Harnessing Multi-Core Power with Asyncio in Python" says asyncio.run gets the
    // existing loop if there is one: it makes a new one on every call (two runs, two
    // loops), and a future made on the first loop is refused by the second.
    let v = variant(&trace, "asyncio-run-twice");
    assert_sequential(v);
    assert_eq!(count(v, "event_loops"), 2, "{v:?}");
    let error = v.error.as_deref().expect("the error is reported");
    assert!(error.contains("different loop"), "{error}");
    assert_eq!(
        trace.variants.len(),
        describe("spawn_vs_await").names(true).len()
    );
}

#[test]
fn bad_flags_are_one_line_errors() {
    assert_bad_flags_rejected("spawn_vs_await");
}
