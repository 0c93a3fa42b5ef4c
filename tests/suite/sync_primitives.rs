//! `sync_primitives`: the lock loses no entry, the semaphore never lets more than N in,
//! the bounded queue never holds more than its capacity and hands items over in order,
//! nobody passes the barrier early. Both languages. (The deadlock is `tests/deadlock.rs`.)

use crate::common::*;

use concurrency_pairs::{Figure, Variant};

const WORKERS: usize = 4;
const ROUNDS: u64 = 3;
const SEM_TASKS: usize = 6;
const PERMITS: u64 = 2;
const ITEMS: usize = 6;
const CAPACITY: u64 = 2;
const BARRIER_THREADS: usize = 3;

/// The most task spans that overlap at any instant (a span that ends exactly when
/// another starts does not overlap it).
fn max_overlap(v: &Variant) -> u64 {
    let mut events: Vec<(f64, i64)> = v
        .tasks
        .iter()
        .flat_map(|t| [(t.start_s, 1), (t.end_s, -1)])
        .collect();
    // At equal times, ends (-1) sort before starts (+1).
    events.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let (mut now, mut most) = (0i64, 0i64);
    for (_, step) in events {
        now += step;
        most = most.max(now);
    }
    u64::try_from(most).expect("never negative")
}

fn check_mutex(v: &Variant) {
    assert_each_task_received_once(v, WORKERS);
    assert_eq!(
        count(v, Figure::Entries),
        WORKERS as u64 * ROUNDS,
        "{}",
        v.name
    );
}

fn check_semaphore(v: &Variant) {
    assert_each_task_received_once(v, SEM_TASKS);
    assert_eq!(count(v, Figure::Permits), PERMITS);
    let peak = count(v, Figure::PeakConcurrency);
    assert!(
        (1..=PERMITS).contains(&peak),
        "{}: peak {peak} > {PERMITS}",
        v.name
    );
    // The spans are timed inside the permit, so the timeline agrees.
    assert!(
        max_overlap(v) <= PERMITS,
        "{}: spans overlap too much",
        v.name
    );
}

fn check_bounded_queue(v: &Variant) {
    assert_each_task_received_once(v, ITEMS);
    assert_submission_order(v); // first in, first out
    let max_queued = count(v, Figure::MaxQueued);
    assert!(
        (1..=CAPACITY).contains(&max_queued),
        "{}: {max_queued} queued, capacity {CAPACITY}",
        v.name
    );
}

fn check_barrier(v: &Variant) {
    let n = BARRIER_THREADS;
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
    check_bounded_queue(variant(&trace, "bounded-queue"));
    check_barrier(variant(&trace, "barrier"));
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
    check_bounded_queue(variant(&trace, "bounded-queue"));
    check_barrier(variant(&trace, "barrier"));
}

#[test]
fn bad_flags_are_one_line_errors() {
    assert_bad_flags_rejected("sync_primitives");
}
