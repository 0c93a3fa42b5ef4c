//! `pipeline`: mappers feeding a collector. Every item is collected exactly once; the
//! ordered variants deliver in input order; a bounded queue never holds more than its
//! capacity plus one result per mapper (counted from the trace); the pitfalls show, each
//! behind a bounded wait. Checked on both traces; claims only, never the clock.

use crate::common::*;

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use concurrency_pairs::{Figure, Trace, Variant};

/// The whole run of either language, given up on (test failed, not hung) after this.
const LIMIT: Duration = Duration::from_secs(180);

/// A trace, waited for at most [`LIMIT`]: every wait in these tests is bounded.
fn bounded_trace(python: bool) -> Trace {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let trace = if python {
            python_trace("pipeline", &[])
        } else {
            rust_trace("pipeline", &[])
        };
        let _ = tx.send(trace);
    });
    rx.recv_timeout(LIMIT)
        .expect("the pipeline example finishes within its limit")
}

/// Results mapped (their task ended) but not yet collected, the most at any receipt:
/// counted here from the spans, independently of the example's own figure.
fn most_in_flight(v: &Variant) -> usize {
    v.received_s
        .iter()
        .enumerate()
        .map(|(k, at)| {
            let mapped = v.tasks.iter().filter(|t| t.end_s <= *at).count();
            mapped.saturating_sub(k + 1)
        })
        .max()
        .unwrap_or(0)
}

/// The example's mappers, in both languages (the article's four processes).
const WORKERS: u64 = 4;

fn check(trace: &Trace) {
    let items = |v: &Variant| count(v, Figure::Items) as usize;
    // Every item mapped once and collected once, wherever the pipeline runs to its end:
    // the article's 4 sleeps, the ordering variants' 8, the backpressure variants' N.
    for (name, n) in [("article", 4), ("imap", 8), ("imap-unordered", 8)] {
        assert_each_task_received_once(variant(trace, name), n);
    }
    for name in ["bounded", "unbounded", "collector-stops"] {
        let v = variant(trace, name);
        assert_each_task_received_once(v, items(v));
    }
    let article = variant(trace, "article");
    assert!(article.figures.get(Figure::StartUp).is_some());
    // imap is in input order; imap_unordered is not (its sleeps finish out of order).
    assert_submission_order(variant(trace, "imap"));
    let unordered = variant(trace, "imap-unordered");
    assert!(
        count(unordered, Figure::OutOfOrder) > 0,
        "{:?}",
        unordered.received
    );
    assert_ne!(unordered.received, (0..8).collect::<Vec<_>>());
    // Bounded: never more than capacity + one result held by each mapper.
    for v in trace
        .variants
        .iter()
        .filter(|v| v.figures.capacity.is_some())
    {
        let bound = count(v, Figure::Capacity) + WORKERS;
        let most = most_in_flight(v) as u64;
        assert!(most <= bound, "{}: {most} in flight, bound {bound}", v.name);
        assert_eq!(count(v, Figure::MaxInFlight), most, "{}", v.name);
    }
    // Unbounded: with a slow collector, far more than any bound (most of the items).
    let unbounded = variant(trace, "unbounded");
    let most = most_in_flight(unbounded);
    assert!(
        most > items(unbounded) / 2,
        "unbounded: only {most} in flight"
    );
    // A collector that stops reading: every mapper ends up waiting in `send` / `put`,
    // with the queue full: capacity + workers in flight, then it reads on and all arrive.
    let stops = variant(trace, "collector-stops");
    let full = count(stops, Figure::Capacity) + WORKERS;
    let most = most_in_flight(stops) as u64;
    assert!(
        most + 1 >= full && most <= full,
        "collector-stops: {most} of {full}"
    );
}

#[test]
fn rust_pipelines_collect_everything_once_and_bounded_channels_hold_back() {
    let trace = bounded_trace(false);
    check(&trace);
    assert_each_task_received_once(variant(&trace, "par-bridge"), 8);
    let v = variant(&trace, "tokio-mpsc");
    assert_each_task_received_once(v, count(v, Figure::Items) as usize);
    // par_bridge hands results over as they are mapped: not in input order.
    let v = variant(&trace, "par-bridge");
    assert!(count(v, Figure::OutOfOrder) > 0, "{:?}", v.received);
    // Zero capacity: tokio refuses it with a panic; buffered(0) yields nothing in the wait.
    let v = variant(&trace, "zero-capacity");
    let error = v.figures.error.as_deref().expect("the panic is reported");
    assert!(error.contains("buffer > 0"), "{error}");
    assert_eq!(count(v, Figure::Completed), 0);
}

#[test]
fn python_pipelines_collect_everything_once_and_bounded_queues_hold_back() {
    let trace = bounded_trace(true);
    check(&trace);
    // Queue(maxsize=0) is unbounded: every put went through with nobody reading.
    let v = variant(&trace, "zero-capacity");
    assert_eq!(count(v, Figure::Items), 64);
}

/// What the sweep reads from one fresh run: the items collected and the peak memory.
fn check_sweep_run(trace: &Trace) {
    let v = variant(trace, "bounded");
    let what = &trace.language;
    assert_eq!(count(v, Figure::Items), 1_000, "{what}");
    assert!(v.figures.peak_rss_bytes.is_some_and(|b| b > 0.0), "{what}");
    assert!(v.tasks.is_empty(), "{what}: counts only");
}

const SWEEP_RUN: [&str; 5] = ["--variant", "bounded", "--tasks", "1000", "--counts-only"];

#[test]
fn rust_sweep_runs_report_items_and_memory() {
    check_sweep_run(&rust_trace("pipeline", &SWEEP_RUN));
}

#[test]
fn python_sweep_runs_report_items_and_memory() {
    check_sweep_run(&python_trace("pipeline", &SWEEP_RUN));
}

#[test]
fn bad_flags_are_one_line_errors() {
    assert_bad_flags_rejected("pipeline");
}
