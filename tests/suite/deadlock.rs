//! `deadlock`: two transfers locking two accounts in opposite orders detect the deadlock
//! (both give up, never hang); one global lock order avoids it. Both languages.

use crate::common::*;

use concurrency_pairs::{Figure, Trace, Variant};

/// How many transfers gave up, as a whole number.
fn gave_up(v: &Variant) -> u64 {
    let value = v
        .figures
        .get(Figure::GaveUp)
        .unwrap_or_else(|| panic!("{}: no {}", v.name, Figure::GaveUp.label()));
    assert!(
        value >= 0.0 && value.fract() == 0.0,
        "{}: gave up {value}",
        v.name
    );
    value as u64
}

fn check(trace: &Trace) {
    let stuck = variant(trace, "deadlock");
    assert_each_task_received_once(stuck, 2);
    assert_eq!(gave_up(stuck), 2, "both transfers detect the deadlock");
    let ordered = variant(trace, "lock-order");
    assert_each_task_received_once(ordered, 2);
    assert_eq!(gave_up(ordered), 0, "one lock order, no deadlock");
}

#[test]
fn rust_deadlock_is_detected_and_lock_order_avoids_it() {
    check(&rust_trace("deadlock", &[]));
}

#[test]
fn python_deadlock_is_detected_and_lock_order_avoids_it() {
    check(&python_trace("deadlock", &[]));
}

#[test]
fn bad_flags_are_one_line_errors() {
    assert_bad_flags_rejected("deadlock");
}
