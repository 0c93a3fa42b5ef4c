//! `run_in_executor`: CPU work called inline stalls the event loop (an IO ticker on the
//! loop wakes late by about the CPU work's length); handed to a pool, the CPU work leaves
//! the ticker on time and the results arrive in completion order. Every comparison is
//! between quantities measured in the same trace, never against a wall-clock constant.

use crate::common::*;
use concurrency_pairs::work::cpu_work_expected;
use concurrency_pairs::{TaskSpan, Trace, Variant};

fn of_kind<'a>(v: &'a Variant, kind: &str) -> Vec<&'a TaskSpan> {
    v.tasks
        .iter()
        .filter(|t| t.kind.as_deref() == Some(kind))
        .collect()
}

/// How late the latest IO tick woke: the description's derived figure (its longest
/// sleep minus the sleep it asked for, `tick_s`).
fn worst_lateness(v: &Variant) -> f64 {
    let pattern = describe("run_in_executor");
    let late = pattern
        .figures()
        .into_iter()
        .find(|f| f.key.0 == "io_max_late_s")
        .expect("run_in_executor declares its IO lateness");
    assert!(
        late.derived.is_some(),
        "computed from the spans, not reported"
    );
    v.value(&late)
        .expect("the variant has IO ticks and their tick_s")
}

fn cpu_durations(v: &Variant) -> Vec<f64> {
    of_kind(v, "cpu")
        .iter()
        .map(|t| t.end_s - t.start_s)
        .collect()
}

/// The CPU jobs only: the variant with its IO ticks left out.
fn cpu_only(v: &Variant) -> Variant {
    let mut v = v.clone();
    v.tasks.retain(|t| t.kind.as_deref() == Some("cpu"));
    v
}

/// Every job ran once, was received once, and returned `cpu_work_expected(size)`; the
/// ticker ticked at least once and its spans follow the jobs' ids.
fn assert_jobs_done_and_ticks_recorded(v: &Variant) {
    let sizes = v.sizes.as_ref().expect("sizes are reported");
    let sums = v.sums.as_ref().expect("sums are reported");
    let jobs = sizes.len();
    assert!(jobs > 1, "{}: {jobs} jobs", v.name);
    assert_each_task_received_once(&cpu_only(v), jobs);
    assert_eq!(sums.len(), jobs, "{}: sums", v.name);
    for (id, (&n, &sum)) in sizes.iter().zip(sums).enumerate() {
        assert_eq!(sum, cpu_work_expected(n), "{}: job {id}", v.name);
    }

    let ticks = of_kind(v, "io");
    assert!(!ticks.is_empty(), "{}: the ticker never ticked", v.name);
    let mut ids: Vec<usize> = ticks.iter().map(|t| t.id).collect();
    ids.sort_unstable();
    assert_eq!(
        ids,
        (jobs..jobs + ticks.len()).collect::<Vec<_>>(),
        "{}",
        v.name
    );
    assert_eq!(
        v.tasks.len(),
        jobs + ticks.len(),
        "{}: only cpu and io",
        v.name
    );
}

/// The loop stalled: some tick woke late by at least half the longest job's own duration.
fn assert_loop_stalled(v: &Variant) {
    let longest = cpu_durations(v).into_iter().fold(0.0, f64::max);
    let late = worst_lateness(v);
    assert!(
        late >= longest / 2.0,
        "{}: worst tick {late:.3}s late, longest CPU job {longest:.3}s",
        v.name
    );
}

/// The loop kept serving IO: no tick woke as late as half the shortest job's duration,
/// and the results came back in the order the jobs finished.
fn assert_offloaded(v: &Variant) {
    let shortest = cpu_durations(v).into_iter().fold(f64::INFINITY, f64::min);
    let late = worst_lateness(v);
    assert!(
        late < shortest / 2.0,
        "{}: worst tick {late:.3}s late, shortest CPU job {shortest:.3}s",
        v.name
    );
    assert_completion_order(&cpu_only(v));
}

fn check(trace: &Trace) {
    for name in ["inline", "thread-pool", "cpu-pool"] {
        assert_jobs_done_and_ticks_recorded(variant(trace, name));
    }
    assert_loop_stalled(variant(trace, "inline"));
    assert_offloaded(variant(trace, "cpu-pool"));
}

#[test]
fn rust_offloading_keeps_the_loop_responsive() {
    let trace = rust_trace("run_in_executor", &[]);
    check(&trace);
    assert_offloaded(variant(&trace, "thread-pool"));
}

/// Python's `thread-pool` (`asyncio.to_thread`) is only checked for its results: under
/// the GIL its latency and its completion order depend on which thread gets the GIL when
/// (see the chapter), so nothing about timing is asserted for it.
#[test]
fn python_offloading_to_processes_keeps_the_loop_responsive() {
    check(&python_trace("run_in_executor", &[]));
}

/// `cpairs.cpu_work_expected` agrees with `cpairs.cpu_work` and with the Rust library.
#[test]
fn python_cpu_work_expected_matches() {
    let ns = [0u64, 1, 2, 10, 100_000, 4_000_000_000];
    let script = format!(
        "import sys; sys.path.insert(0, {:?}); import cpairs\n\
         ns = {ns:?}\n\
         assert all(cpairs.cpu_work(n) == cpairs.cpu_work_expected(n) for n in ns[:-1])\n\
         print(' '.join(str(cpairs.cpu_work_expected(n)) for n in ns))",
        root().join("python").display().to_string()
    );
    let output = python()
        .args(["-c", &script])
        .output()
        .expect("python3 is installed");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let rust: Vec<String> = ns
        .iter()
        .map(|&n| cpu_work_expected(n).to_string())
        .collect();
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        rust.join(" ")
    );
}

#[test]
fn bad_flags_are_one_line_errors() {
    assert_bad_flags_rejected("run_in_executor");
}
