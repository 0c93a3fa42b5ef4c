//! `wait_timeout`: with a long timeout every task is done when the wait returns; with a
//! 4.5-unit deadline exactly the tasks sleeping 1-4 units are, and the five pending ones
//! either never complete (cancelled: checked well after their end, through a side effect
//! they would have produced) or complete on their own after the deadline (kept/detached).
//! And the article's `asyncio.wait([coroutines])` raises `TypeError` on Python 3.11.

use crate::common::*;

use concurrency_pairs::Figure;
use concurrency_pairs::{Trace, Variant};

const TASKS: usize = 9;
/// Tasks 0-3 sleep 1-4 units: below the 4.5-unit deadline.
const DONE_BY_DEADLINE: [usize; 4] = [0, 1, 2, 3];

fn assert_wait_all(v: &Variant) {
    assert_each_task_received_once(v, TASKS);
    assert_completion_order(v);
    assert_eq!(count(v, Figure::DoneAtDeadline), TASKS as u64, "{}", v.name);
    assert_eq!(count(v, Figure::CompletedAfterDeadline), 0, "{}", v.name);
    assert_eq!(count(v, Figure::Cancelled), 0, "{}", v.name);
}

/// At the deadline the caller holds the results of exactly the tasks whose sleep is
/// below it, all obtained by the time the wait returned; every task has a span.
fn assert_deadline(v: &Variant) {
    let mut received = v.received.clone();
    received.sort_unstable();
    assert_eq!(
        received, DONE_BY_DEADLINE,
        "{}: done at the deadline",
        v.name
    );
    assert!(
        v.received_s.iter().all(|&at| at <= v.wall_s),
        "{}: a result arrived after the wait returned",
        v.name
    );
    assert_eq!(count(v, Figure::DoneAtDeadline), 4, "{}", v.name);
    let ids: Vec<usize> = v.tasks.iter().map(|t| t.id).collect();
    assert_eq!(
        ids,
        (0..TASKS).collect::<Vec<_>>(),
        "{}: a task is unaccounted for",
        v.name
    );
    for id in DONE_BY_DEADLINE {
        let task = v.task(id).expect("done task");
        assert_eq!(task.kind, None, "{}: task {id}", v.name);
        assert!(task.end_s <= v.wall_s, "{}: task {id}", v.name);
    }
}

fn pending(v: &Variant) -> impl Iterator<Item = &concurrency_pairs::TaskSpan> {
    v.tasks.iter().filter(|t| !DONE_BY_DEADLINE.contains(&t.id))
}

/// The pending tasks were cancelled and, long after they would have ended, none had
/// completed: the completion counter they bump at their end never moved.
fn assert_cancelled(v: &Variant) {
    assert_deadline(v);
    assert_eq!(count(v, Figure::CompletedAfterDeadline), 0, "{}", v.name);
    assert_eq!(count(v, Figure::Cancelled), 5, "{}", v.name);
    for task in pending(v) {
        assert_eq!(
            task.kind.as_deref(),
            Some("cancelled"),
            "{}: task {}",
            v.name,
            task.id
        );
        // Cut short once the wait had returned, not before.
        assert!(task.end_s >= v.wall_s, "{}: task {}", v.name, task.id);
    }
}

/// The pending tasks were still running when the wait returned and finished later.
fn assert_completed_later(v: &Variant) {
    assert_deadline(v);
    assert_eq!(count(v, Figure::CompletedAfterDeadline), 5, "{}", v.name);
    assert_eq!(count(v, Figure::Cancelled), 0, "{}", v.name);
    for task in pending(v) {
        assert_eq!(task.kind, None, "{}: task {}", v.name, task.id);
        assert!(task.end_s > v.wall_s, "{}: task {}", v.name, task.id);
    }
}

fn check(trace: &Trace) {
    assert_wait_all(variant(trace, "wait-all"));
    assert_cancelled(variant(trace, "deadline-cancel"));
    assert_completed_later(variant(trace, "deadline-keep"));
}

#[test]
fn rust_deadlines_abort_or_keep_the_pending_tasks() {
    let trace = rust_trace("wait_timeout", &[]);
    check(&trace);
    // Dropping tokio JoinHandles detaches; dropping smol Tasks cancels.
    assert_completed_later(variant(&trace, "deadline-detach"));
    assert_cancelled(variant(&trace, "smol-cancel"));
    assert_completed_later(variant(&trace, "smol-detach"));
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
    let last_done = DONE_BY_DEADLINE
        .iter()
        .map(|&id| v.task(id).expect("done task").end_s)
        .fold(0.0, f64::max);
    assert!(v.received_s.iter().all(|&at| at >= last_done));
    // The article's `asyncio.wait([coroutines])`: Python 3.11 raises TypeError, and not
    // one of the nine coroutines ran.
    let v = variant(&trace, "wait-coroutines");
    let error = v.figures.error.as_deref().expect("the error is reported");
    assert!(
        error.starts_with("TypeError") && error.contains("coroutines is forbidden"),
        "{error}"
    );
    assert!(v.tasks.is_empty() && v.received.is_empty(), "{v:?}");
    assert_eq!(count(v, Figure::DoneAtDeadline), 0);
}

#[test]
fn bad_flags_are_one_line_errors() {
    assert_bad_flags_rejected("wait_timeout");
}
