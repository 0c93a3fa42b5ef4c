//! `deadlock`: two transfers locking two accounts in opposite orders detect the deadlock
//! (both give up, never hang); one global lock order avoids it. Both languages.

use crate::common::*;

use concurrency_pairs::Trace;

fn check(trace: &Trace) {
    let stuck = variant(trace, "deadlock");
    assert_each_task_received_once(stuck, 2);
    assert_eq!(
        count(stuck, "gave_up"),
        2,
        "both transfers detect the deadlock"
    );
    let ordered = variant(trace, "lock-order");
    assert_each_task_received_once(ordered, 2);
    assert_eq!(count(ordered, "gave_up"), 0, "one lock order, no deadlock");
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
