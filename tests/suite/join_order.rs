//! `join_order`: joining in start order hands B over only after A has ended; a channel
//! hands B over first, before A has ended. Checked on both languages' traces.
//! And the slip of "Multi-tasking in Python": `threading.Thread(target=f())` runs `f` on
//! the caller's thread (Rust refuses `thread::spawn(f())`: `src/pitfalls.rs`).

use crate::common::*;

use concurrency_pairs::{Derived, Trace, Variant};

/// Task 0 is A (slow), task 1 is B (fast).
const A: usize = 0;
const B: usize = 1;

fn received_at(v: &concurrency_pairs::Variant, id: usize) -> f64 {
    v.received_at(id).expect("received")
}

/// How long after B the slow task A ended.
fn a_after_b(v: &Variant) -> f64 {
    v.task(A).expect("A").end_s - v.task(B).expect("B").end_s
}

fn check(trace: &Trace) {
    let v = variant(trace, "join-in-start-order");
    assert_each_task_received_once(v, 2);
    assert_eq!(v.received, [A, B], "join hands results over in start order");
    let (a, b) = (v.task(A).expect("A"), v.task(B).expect("B"));
    assert!(b.end_s < a.end_s, "B is the fast one: {b:?} vs {a:?}");
    assert!(
        received_at(v, B) >= a.end_s,
        "B was received before A ended: {v:?}"
    );

    let v = variant(trace, "channel-completion-order");
    assert_each_task_received_once(v, 2);
    assert_eq!(
        v.received,
        [B, A],
        "the channel hands results over as they finish"
    );
    assert_completion_order(v);
    assert!(
        received_at(v, B) < v.task(A).expect("A").end_s,
        "B should be in hand before A ended: {v:?}"
    );
    // B's waiting time is a figure of the chapter, computed from the trace.
    let waited = describe("join_order")
        .figures()
        .into_iter()
        .find(|f| f.key.0 == "b_result_waited_s")
        .expect("join_order declares B's waiting time");
    assert_eq!(waited.derived, Some(Derived::Waited(B)));
    // With join B waits at least until A ends; from the channel, less than that.
    let v = variant(trace, "join-in-start-order");
    let b_waited = v.value(&waited).expect("B ran and arrived");
    assert!(b_waited >= a_after_b(v), "join: B waited {b_waited}s");
    let v = variant(trace, "channel-completion-order");
    let b_waited = v.value(&waited).expect("B ran and arrived");
    assert!(b_waited < a_after_b(v), "channel: B waited {b_waited}s");
}

#[test]
fn rust_join_waits_in_start_order() {
    check(&rust_trace("join_order", &[]));
}

/// The thread's one task ran on the caller's thread (`MainThread`), or not.
fn assert_ran_on_caller(v: &Variant, on_caller: bool) {
    assert_eq!(v.tasks.len(), 1, "{v:?}");
    assert_eq!(v.tasks[0].lane == "MainThread", on_caller, "{v:?}");
    assert_eq!(count(v, "ran_on_caller"), u64::from(on_caller), "{v:?}");
}

#[test]
fn python_join_waits_in_start_order() {
    let trace = python_trace("join_order", &[]);
    check(&trace);
    // `target=f()`: f ran on the main thread, before the thread even existed.
    assert_ran_on_caller(variant(&trace, "target-called"), true);
    // `target=f`: f ran on the new thread.
    assert_ran_on_caller(variant(&trace, "target-passed"), false);
}

#[test]
fn bad_flags_are_one_line_errors() {
    assert_bad_flags_rejected("join_order");
}
