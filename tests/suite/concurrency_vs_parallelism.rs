//! `concurrency_vs_parallelism`: in every variant of both languages each job runs once
//! with the right sum and computes only after its wait; one event loop (and one thread
//! in turn) computes everything on one lane, never two jobs at once; a pool of processes
//! or threads computes on several; the ideals order as the physics says. Claims only,
//! never the clock.

use crate::common::*;

use std::collections::BTreeSet;

use concurrency_pairs::work::cpu_work_expected;
use concurrency_pairs::{Derived, Trace, Variant};

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn lanes(v: &Variant) -> BTreeSet<&str> {
    v.tasks.iter().map(|t| t.lane.as_str()).collect()
}

/// Every job received once with the right sum, its computing after its wait.
fn check_jobs(v: &Variant) {
    assert_each_task_received_once(v, count(v, "jobs") as usize);
    let sizes = v.sizes.as_ref().expect("the job sizes");
    let expected: Vec<u64> = sizes.iter().map(|&u| cpu_work_expected(u)).collect();
    assert_eq!(v.sums.as_ref(), Some(&expected), "{}: sums", v.name);
    let wait_s = figure(v, "wait_s");
    for t in &v.tasks {
        assert!(
            t.start_s >= wait_s - 0.002,
            "{}: job {} computed at {} before its wait ended",
            v.name,
            t.id,
            t.start_s
        );
    }
}

/// The lanes figure is the description's, derived from the spans: no variant reports it.
fn check_lanes_derived(trace: &Trace) {
    let pattern = describe("concurrency_vs_parallelism");
    let figures = pattern.figures();
    let lanes_figure = figures.iter().find(|f| f.key.0 == "lanes");
    let lanes_figure =
        lanes_figure.expect("concurrency_vs_parallelism declares its lanes");
    assert_eq!(lanes_figure.derived, Some(Derived::Lanes));
    for v in &trace.variants {
        assert!(!v.figures.contains_key("lanes"), "{}: reported", v.name);
        let value = v.value(lanes_figure).expect("the variant computed");
        assert_eq!(value as usize, lanes(v).len(), "{}", v.name);
    }
}

/// All the computing on one lane, never two jobs at once.
fn check_one_core(v: &Variant) {
    assert_eq!(lanes(v).len(), 1, "{}: {:?}", v.name, lanes(v));
    let mut spans: Vec<(f64, f64)> =
        v.tasks.iter().map(|t| (t.start_s, t.end_s)).collect();
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    for w in spans.windows(2) {
        assert!(w[1].0 >= w[0].1, "{}: computing overlaps: {w:?}", v.name);
    }
}

/// The ideals: overlapping waits or adding cores never raise the bound; both do best.
fn check_ideals(trace: &Trace) {
    let ideal = |name| variant(trace, name).ideal_s.expect("an ideal");
    let (seq, conc, par, both) = (
        ideal("sequential"),
        ideal("concurrent"),
        ideal("parallel"),
        ideal("both"),
    );
    assert!(conc <= seq && par <= seq, "{seq} {conc} {par}");
    assert!(both <= conc && both <= par, "{both} {conc} {par}");
}

fn check(trace: &Trace) {
    let names: Vec<&str> = trace.variants.iter().map(|v| v.name.as_str()).collect();
    let python = trace.language == "python";
    assert_eq!(names, describe("concurrency_vs_parallelism").names(python));
    for v in &trace.variants {
        check_jobs(v);
    }
    for name in ["sequential", "concurrent"] {
        let v = variant(trace, name);
        check_one_core(v);
        assert_eq!(count(v, "workers"), 1, "{name}");
    }
    for name in ["parallel", "both"] {
        let v = variant(trace, name);
        assert_eq!(count(v, "workers"), cores() as u64, "{name}");
        assert!(lanes(v).len() <= cores(), "{name}: {:?}", lanes(v));
    }
    check_ideals(trace);
    check_lanes_derived(trace);
}

#[test]
fn rust_one_loop_computes_on_one_thread_and_pools_on_several() {
    let trace = rust_trace("concurrency_vs_parallelism", &[]);
    check(&trace);
    if cores() > 1 {
        let v = variant(&trace, "parallel");
        assert!(lanes(v).len() > 1, "rayon computed on {:?}", lanes(v));
    }
    assert!(!lanes(variant(&trace, "both")).contains("main"));
}

#[test]
fn python_one_loop_computes_on_one_core_and_processes_on_several() {
    let trace = python_trace("concurrency_vs_parallelism", &[]);
    check(&trace);
    for name in ["parallel", "both"] {
        let v = variant(&trace, name);
        assert!(
            lanes(v).iter().all(|l| !l.contains("Thread")),
            "{name}: computed in {:?}, not worker processes",
            lanes(v)
        );
        if cores() > 1 {
            assert!(lanes(v).len() > 1, "{name}: computed in {:?}", lanes(v));
        }
    }
}

#[test]
fn bad_flags_are_one_line_errors() {
    assert_bad_flags_rejected("concurrency_vs_parallelism");
}
