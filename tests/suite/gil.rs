//! `gil`: every job's sum is right on one worker, on threads and (Python) on processes,
//! a thread or process per job; Python's threads never keep more than one core busy
//! (the GIL); Python's read-modify-write race loses updates and its lock loses none;
//! Rust's `Mutex` and atomic lose none; the racy Rust programs fail to compile for the
//! reason the book quotes. Claims only, never the clock.

use crate::common::*;

use std::collections::BTreeSet;

use concurrency_pairs::Variant;
use concurrency_pairs::work::cpu_work_expected;

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn lanes(v: &Variant) -> BTreeSet<&str> {
    v.tasks.iter().map(|t| t.lane.as_str()).collect()
}

/// One job a core, each received once with the right sum, on `workers` lanes.
fn check_jobs(v: &Variant, workers: usize) {
    assert_each_task_received_once(v, cores());
    let sizes = v.sizes.as_ref().expect("the job sizes");
    let expected: Vec<u64> = sizes.iter().map(|&n| cpu_work_expected(n)).collect();
    assert_eq!(v.sums.as_ref(), Some(&expected), "{}: sums", v.name);
    assert_eq!(count(v, "workers"), workers as u64, "{}", v.name);
    assert_eq!(lanes(v).len(), workers, "{}: lanes {:?}", v.name, lanes(v));
    assert!(v.ideal_s.is_some_and(|i| i > 0.0), "{}: no ideal", v.name);
}

/// The increments each counting thread was given, on every thread: one task each, and
/// `final + lost = increments`. Gives the updates lost.
fn check_counting(v: &Variant) -> u64 {
    let threads = count(v, "threads");
    assert_each_task_received_once(v, threads as usize);
    let increments = count(v, "increments");
    let final_value = count(v, "final_value");
    let lost = count(v, "lost_updates");
    assert_eq!(increments, threads * count(v, "per_thread"), "{}", v.name);
    assert_eq!(final_value + lost, increments, "{}", v.name);
    lost
}

#[test]
fn rust_threads_run_the_jobs_and_shared_counters_lose_nothing() {
    let trace = rust_trace("gil", &[]);
    let one = variant(&trace, "one-worker");
    check_jobs(one, 1);
    assert_eq!(figure(one, "speedup"), 1.0, "one worker over itself");
    let threads = variant(&trace, "threads");
    check_jobs(threads, cores());
    assert!(figure(threads, "speedup") > 0.0);
    for name in ["lock", "atomic"] {
        assert_eq!(check_counting(variant(&trace, name)), 0, "{name}");
    }
}

#[test]
fn python_threads_share_one_core_and_the_race_loses_updates() {
    let trace = python_trace("gil", &[]);
    check_jobs(variant(&trace, "one-worker"), 1);
    let threads = variant(&trace, "threads");
    check_jobs(threads, cores());
    let processes = variant(&trace, "processes");
    check_jobs(processes, cores());
    assert!(
        lanes(processes).iter().all(|l| !l.contains("Thread")),
        "processes ran on {:?}",
        lanes(processes)
    );
    // The GIL: however many threads compute, at most about one core is busy. On a
    // free-threaded build (3.13t, 3.14t) with the GIL off, they keep more than one busy.
    let gil = count(threads, "gil_enabled") == 1;
    if let Some(&busy) = threads.figures.get("cpu_utilisation") {
        let cores_busy = busy * cores() as f64;
        if gil {
            assert!(cores_busy < 1.25, "threads kept {cores_busy:.2} cores busy");
        } else if cores() > 1 {
            assert!(
                cores_busy > 1.25,
                "no GIL, yet threads kept {cores_busy:.2} cores busy"
            );
        }
    }
    let lost = check_counting(variant(&trace, "race"));
    assert!(lost > 0, "the read-modify-write race lost nothing");
    assert_eq!(check_counting(variant(&trace, "lock")), 0, "lock");
}

/// The programs of `src/gil/` fail to compile with the errors the book quotes.
#[test]
fn racy_rust_programs_are_refused_for_send_and_sync() {
    assert_refused_by_rustc(
        "gil",
        &[
            (
                "cell_is_not_sync.rs",
                "error[E0277]: `Cell<u64>` cannot be shared between threads safely",
            ),
            (
                "rc_is_not_send.rs",
                "error[E0277]: `Rc<u64>` cannot be sent between threads safely",
            ),
        ],
    );
}

#[test]
fn bad_flags_are_one_line_errors() {
    assert_bad_flags_rejected("gil");
}
