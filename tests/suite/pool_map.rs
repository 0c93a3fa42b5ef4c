//! `pool_map`: `map` hands back the whole list in input order once the last task is done;
//! the pool never runs more than three tasks at once, so five tasks come in two waves;
//! `map-async` lets the caller work while the pool does; `unordered` hands over the first
//! result before the last task has ended. Checked on both languages' traces.
//!
//! The five tasks are equally long, so they finish nearly together: no test asserts which
//! of them finished first.
//!
//! And `pool_map_executor`, two claims of the articles: `ThreadPoolExecutor.map`'s
//! `[1, 4, 9, 16]`, and a pool that reuses its workers rather than starting a process per
//! job.

use crate::common::*;
use concurrency_pairs::{Derived, TaskSpan, Trace, Variant};

/// The variant without the caller's own span, so the shared helpers see only pool tasks.
fn pool_only(v: &Variant) -> Variant {
    let mut v = v.clone();
    v.tasks.retain(|t| t.kind.as_deref() != Some("caller"));
    v
}

/// The most tasks running at any one instant (a task runs from `start_s` until `end_s`).
fn peak_overlap(v: &Variant) -> u64 {
    v.derived(Derived::PeakOverlap)
        .expect("the tasks have spans") as u64
}

/// Three workers: never more than three tasks at once, exactly three in the first wave,
/// and the fourth and fifth tasks to start each waited for an earlier task to end.
/// (Rayon does not start the tasks in input order, so this looks at start order, not ids.)
fn assert_two_waves(v: &Variant) {
    let workers = count(v, "workers");
    assert_eq!(peak_overlap(v), workers, "{}: {:?}", v.name, v.tasks);
    let mut by_start: Vec<&TaskSpan> = v.tasks.iter().collect();
    by_start.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
    for late in &by_start[workers as usize..] {
        assert!(
            v.tasks.iter().any(|t| t.end_s <= late.start_s),
            "{}: task {} started before any task had ended",
            v.name,
            late.id
        );
    }
}

/// The whole list arrives at once, in input order, after the last task has ended.
fn assert_ordered_and_blocking(v: &Variant) {
    assert_each_task_received_once(v, count(v, "jobs") as usize);
    assert_submission_order(v);
    let last_end = v.tasks.iter().map(|t| t.end_s).fold(0.0, f64::max);
    assert!(
        v.received_s.iter().all(|&at| at >= last_end),
        "{}: a result was received before the last task ended",
        v.name
    );
}

/// "Multi-tasking in Python": `ThreadPoolExecutor(5).map` over 1..4 gives the squares
/// `[1, 4, 9, 16]` in input order; five workers run all four at once, and each result is
/// handed over once its own task has ended, the first before the last task has.
fn assert_thread_pool_map(v: &Variant) {
    assert_eq!(v.sums.as_deref(), Some(&[1, 4, 9, 16][..]), "{v:?}");
    assert_eq!(v.received, [0, 1, 2, 3], "map keeps input order");
    assert_eq!(count(v, "jobs"), 4, "{v:?}");
    assert!(count(v, "workers") >= 4, "a worker per item: {v:?}");
    assert_eq!(distinct_workers(v), 4, "a thread per item: {:?}", v.tasks);
    assert_eq!(peak_overlap(v), 4, "all four at once: {:?}", v.tasks);
    for (&id, &at) in v.received.iter().zip(&v.received_s) {
        assert!(
            at >= v.task(id).expect("ran").end_s,
            "task {id} handed over early"
        );
    }
    let last_end = v.task(3).expect("ran").end_s;
    assert!(
        v.received_s[0] < last_end,
        "the first square waited for the last"
    );
}

/// How many workers ran the variant's jobs: the description's derived figure (the lanes
/// of the jobs' spans, a thread or a worker process each).
fn distinct_workers(v: &Variant) -> u64 {
    let distinct = describe("pool_map_executor")
        .figures()
        .into_iter()
        .find(|f| f.key.0 == "distinct_workers")
        .expect("pool_map_executor declares its distinct workers");
    assert_eq!(distinct.derived, Some(Derived::Lanes));
    v.value(&distinct).expect("the jobs have spans") as u64
}

/// "Each fib call starts a new process" (KitfuCoda part 4): it does not. Thirty jobs on
/// a pool of three run in at most three workers, reused from job to job.
fn assert_pool_reuses_workers(v: &Variant) {
    let jobs = count(v, "jobs");
    let workers = count(v, "workers");
    let distinct = distinct_workers(v);
    assert!(jobs > workers, "{jobs} jobs on {workers} workers: {v:?}");
    assert!(
        (1..=workers).contains(&distinct),
        "{distinct} workers for {jobs} jobs"
    );
    assert_each_task_received_once(v, jobs as usize);
}

fn check_executor(trace: &Trace) {
    assert_thread_pool_map(variant(trace, "thread-pool-map"));
    assert_pool_reuses_workers(variant(trace, "pool-reuses-workers"));
}

fn check(trace: &Trace) {
    let map = variant(trace, "map");
    assert_ordered_and_blocking(map);
    assert_two_waves(map);

    let map_async = variant(trace, "map-async");
    let caller = map_async
        .tasks
        .iter()
        .find(|t| t.kind.as_deref() == Some("caller"))
        .expect("map-async records the caller's own work");
    assert_eq!(
        (caller.id, caller.lane.as_str()),
        (count(map_async, "jobs") as usize, "caller"),
        "the caller's span follows the pool tasks' ids"
    );
    let pool_tasks = pool_only(map_async);
    assert_ordered_and_blocking(&pool_tasks);
    assert_two_waves(&pool_tasks);
    // The caller went on with its own work while the map ran: it began before any of the
    // map's tasks had ended (under fork it overlaps them; under spawn the workers may
    // still be starting their interpreters when it ends).
    assert!(
        pool_tasks.tasks.iter().all(|t| caller.start_s < t.end_s),
        "map-async: the caller's work {caller:?} waited for the map"
    );

    let unordered = variant(trace, "unordered");
    assert_each_task_received_once(unordered, count(unordered, "jobs") as usize);
    assert_two_waves(unordered);
    let last_end = unordered.tasks.iter().map(|t| t.end_s).fold(0.0, f64::max);
    assert!(
        unordered.received_s[0] < last_end,
        "unordered: the first result should arrive before the last task ends"
    );
}

#[test]
fn rust_map_waits_for_all_and_keeps_order() {
    check(&rust_trace("pool_map", &[]));
}

#[test]
fn python_map_waits_for_all_and_keeps_order() {
    check(&python_trace("pool_map", &[]));
}

#[test]
fn rust_executor_map_keeps_order_and_reuses_workers() {
    check_executor(&rust_trace("pool_map_executor", &[]));
}

#[test]
fn python_executor_map_keeps_order_and_reuses_workers() {
    check_executor(&python_trace("pool_map_executor", &[]));
}

#[test]
fn bad_flags_are_one_line_errors() {
    assert_bad_flags_rejected("pool_map");
    assert_bad_flags_rejected("pool_map_executor");
}
