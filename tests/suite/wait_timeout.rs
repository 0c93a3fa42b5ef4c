//! `wait_timeout`: with a long timeout every task is done when the wait returns; with a
//! 4.5-unit deadline exactly the tasks sleeping 1-4 units are, and the five pending ones
//! either never complete (cancelled: checked well after their end, through a side effect
//! they would have produced) or complete on their own after the deadline (kept).
//! `task_handles`: the same deadline, where the handle decides: dropped tokio
//! `JoinHandle`s detach, dropped smol `Task`s cancel, detached ones run on; and the
//! article's `asyncio.wait([coroutines])` raises `TypeError` on Python 3.11.

use crate::common::*;

use concurrency_pairs::{TaskSpan, Trace, Variant};

/// The tasks spawned (task `i` sleeps `i + 1` units).
fn spawned(v: &Variant) -> usize {
    count(v, "spawned") as usize
}

/// A count the example's description declares, in `v`: reported, or derived from the
/// trace (the results received, the spans cut short).
fn counted(example: &str, v: &Variant, key: &str) -> u64 {
    let figure = describe(example)
        .figures()
        .into_iter()
        .find(|f| f.key.0 == key)
        .unwrap_or_else(|| panic!("{example} declares no figure `{key}`"));
    let value = v
        .value(&figure)
        .unwrap_or_else(|| panic!("{}: no `{key}`", v.name));
    assert!(
        value >= 0.0 && value.fract() == 0.0,
        "{}: {key} {value}",
        v.name
    );
    value as u64
}

/// The tasks whose sleep ends before the wait's timeout: done when it returns.
fn done_by_deadline(v: &Variant) -> Vec<usize> {
    let timeout_units = figure(v, "timeout_units");
    (0..spawned(v))
        .filter(|&id| ((id + 1) as f64) < timeout_units)
        .collect()
}

/// When the wait returned (the variant goes on watching its tasks past it).
fn returned(v: &Variant) -> f64 {
    figure(v, "returned_s")
}

fn assert_wait_all(example: &str, v: &Variant) {
    assert_each_task_received_once(v, spawned(v));
    assert_completion_order(v);
    assert_eq!(done_by_deadline(v).len(), spawned(v), "{}", v.name);
    let done = counted(example, v, "done_at_deadline");
    assert_eq!(done, spawned(v) as u64, "{}", v.name);
    assert_eq!(
        counted(example, v, "completed_after_deadline"),
        0,
        "{}",
        v.name
    );
    assert_eq!(counted(example, v, "cancelled"), 0, "{}", v.name);
}

/// At the deadline the caller holds the results of exactly the tasks whose sleep is
/// below it, all obtained by the time the wait returned; every task has a span.
fn assert_deadline(example: &str, v: &Variant) {
    let done = done_by_deadline(v);
    assert!(done.len() < spawned(v), "{}: the deadline is short", v.name);
    let mut received = v.received.clone();
    received.sort_unstable();
    assert_eq!(received, done, "{}: done at the deadline", v.name);
    assert!(
        v.received_s.iter().all(|&at| at <= returned(v)),
        "{}: a result arrived after the wait returned",
        v.name
    );
    let done_at_deadline = counted(example, v, "done_at_deadline");
    assert_eq!(done_at_deadline, done.len() as u64, "{}", v.name);
    let ids: Vec<usize> = v.tasks.iter().map(|t| t.id).collect();
    assert_eq!(
        ids,
        (0..spawned(v)).collect::<Vec<_>>(),
        "{}: a task is unaccounted for",
        v.name
    );
    for id in done {
        let task = v.task(id).expect("done task");
        assert_eq!(task.kind, None, "{}: task {id}", v.name);
        assert!(task.end_s <= returned(v), "{}: task {id}", v.name);
    }
}

/// The tasks still pending when the wait returned.
fn pending(v: &Variant) -> Vec<&TaskSpan> {
    let done = done_by_deadline(v);
    v.tasks.iter().filter(|t| !done.contains(&t.id)).collect()
}

/// The pending tasks were cancelled and, long after they would have ended, none had
/// completed: the completion counter they bump at their end never moved.
fn assert_cancelled(example: &str, v: &Variant) {
    assert_deadline(example, v);
    assert_eq!(
        counted(example, v, "completed_after_deadline"),
        0,
        "{}",
        v.name
    );
    let pending = pending(v);
    let cancelled = counted(example, v, "cancelled");
    assert_eq!(cancelled, pending.len() as u64, "{}", v.name);
    for task in pending {
        assert_eq!(
            task.kind.as_deref(),
            Some("cancelled"),
            "{}: task {}",
            v.name,
            task.id
        );
        // Cut short once the wait had returned, not before.
        assert!(task.end_s >= returned(v), "{}: task {}", v.name, task.id);
    }
}

/// The pending tasks were still running when the wait returned and finished later.
fn assert_completed_later(example: &str, v: &Variant) {
    assert_deadline(example, v);
    let pending = pending(v);
    let later = counted(example, v, "completed_after_deadline");
    assert_eq!(later, pending.len() as u64, "{}", v.name);
    assert_eq!(counted(example, v, "cancelled"), 0, "{}", v.name);
    for task in pending {
        assert_eq!(task.kind, None, "{}: task {}", v.name, task.id);
        assert!(task.end_s > returned(v), "{}: task {}", v.name, task.id);
    }
}

fn check(trace: &Trace) {
    let example = "wait_timeout";
    assert_wait_all(example, variant(trace, "wait-all"));
    assert_cancelled(example, variant(trace, "deadline-cancel"));
    assert_completed_later(example, variant(trace, "deadline-keep"));
}

#[test]
fn rust_deadlines_abort_or_keep_the_pending_tasks() {
    let trace = rust_trace("wait_timeout", &[]);
    check(&trace);
    // Draining a JoinSet hands over each result as it finishes, before the deadline.
    let v = variant(&trace, "deadline-cancel");
    assert_completion_order(v);
    assert!(v.received_s[0] < v.task(1).expect("task 1").end_s);
}

#[test]
fn python_deadlines_cancel_or_keep_the_pending_tasks() {
    let trace = python_trace("wait_timeout", &[]);
    check(&trace);
    // asyncio.wait hands over the whole done set at once, when it returns.
    let v = variant(&trace, "deadline-cancel");
    let last_done = done_by_deadline(v)
        .iter()
        .map(|&id| v.task(id).expect("done task").end_s)
        .fold(0.0, f64::max);
    assert!(v.received_s.iter().all(|&at| at >= last_done));
}

#[test]
fn rust_handles_detach_or_cancel_the_pending_tasks() {
    let trace = rust_trace("task_handles", &[]);
    // Dropping tokio JoinHandles detaches; dropping smol Tasks cancels.
    let example = "task_handles";
    assert_completed_later(example, variant(&trace, "deadline-detach"));
    assert_cancelled(example, variant(&trace, "smol-cancel"));
    assert_completed_later(example, variant(&trace, "smol-detach"));
}

#[test]
fn python_refuses_to_wait_on_bare_coroutines() {
    let trace = python_trace("task_handles", &[]);
    // The article's `asyncio.wait([coroutines])`: Python 3.11 raises TypeError, and not
    // one of the nine coroutines ran.
    let v = variant(&trace, "wait-coroutines");
    let error = v.error.as_deref().expect("the error is reported");
    assert!(
        error.starts_with("TypeError") && error.contains("coroutines is forbidden"),
        "{error}"
    );
    assert!(v.tasks.is_empty() && v.received.is_empty(), "{v:?}");
    assert_eq!(counted("task_handles", v, "done_at_deadline"), 0);
}

#[test]
fn bad_flags_are_one_line_errors() {
    assert_bad_flags_rejected("wait_timeout");
    assert_bad_flags_rejected("task_handles");
}
