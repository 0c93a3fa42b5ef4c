//! `pipeline` and `backpressure`: mappers feeding a collector. Every item is collected
//! exactly once; the ordered variants deliver in input order, the unordered ones not; a
//! bounded queue never holds more than its capacity plus one result per mapper (the
//! description's figure, derived from the trace); the pitfalls show, each behind a
//! bounded wait. Checked on both traces; claims only, never the clock.

use crate::common::*;

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use concurrency_pairs::{Figure, Trace, Variant};

/// The whole run of either language, given up on (test failed, not hung) after this.
const LIMIT: Duration = Duration::from_secs(180);

/// A trace of `example`, waited for at most [`LIMIT`]: every wait in these tests is bounded.
fn bounded_trace(example: &'static str, python: bool) -> Trace {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let trace = if python {
            python_trace(example, &[])
        } else {
            rust_trace(example, &[])
        };
        let _ = tx.send(trace);
    });
    rx.recv_timeout(LIMIT)
        .unwrap_or_else(|_| panic!("the {example} example finishes within its limit"))
}

/// The figure `key` as `example` declares it: derived from the trace, not reported.
fn derived_figure(example: &str, key: &str) -> Figure {
    let figure = describe(example)
        .figures()
        .into_iter()
        .find(|f| f.key.0 == key)
        .unwrap_or_else(|| panic!("{example} declares `{key}`"));
    assert!(figure.derived.is_some(), "{example} {key}: from the spans");
    figure
}

/// `key`'s value in `v`, as `example` declares the figure.
fn derived(example: &str, key: &str, v: &Variant) -> f64 {
    v.value(&derived_figure(example, key))
        .unwrap_or_else(|| panic!("{example} {}: no {key}", v.name))
}

/// Results mapped (their task ended) but not yet collected, the most at any receipt.
fn most_in_flight(v: &Variant) -> u64 {
    derived("backpressure", "max_in_flight", v) as u64
}

fn check_ordering(trace: &Trace) {
    let inputs = |v: &Variant| count(v, "inputs") as usize;
    // Every item mapped once and collected once: the article's sleeps, the ordering ones.
    for name in ["article", "imap", "imap-unordered"] {
        let v = variant(trace, name);
        assert_each_task_received_once(v, inputs(v));
    }
    let article = variant(trace, "article");
    assert!(derived("pipeline", "startup_s", article) > 0.0);
    // imap is in input order; imap_unordered is not (its sleeps finish out of order).
    assert_submission_order(variant(trace, "imap"));
    let unordered = variant(trace, "imap-unordered");
    assert!(
        derived("pipeline", "out_of_order", unordered) > 0.0,
        "{:?}",
        unordered.received
    );
    assert_ne!(
        unordered.received,
        (0..inputs(unordered)).collect::<Vec<_>>()
    );
}

fn check_backpressure(trace: &Trace) {
    let items = |v: &Variant| count(v, "items") as usize;
    let inputs = |v: &Variant| count(v, "inputs") as usize;
    // Every item mapped once and collected once, wherever the pipeline runs to its end.
    for name in ["bounded", "unbounded", "collector-stops"] {
        let v = variant(trace, name);
        assert_each_task_received_once(v, inputs(v));
        assert_eq!(items(v), inputs(v), "{name}: every item collected");
    }
    // Bounded: never more than capacity + one result held by each mapper.
    for v in trace
        .variants
        .iter()
        .filter(|v| v.figures.contains_key("capacity"))
    {
        let bound = count(v, "capacity") + count(v, "workers");
        let most = most_in_flight(v);
        assert!(most <= bound, "{}: {most} in flight, bound {bound}", v.name);
    }
    // Unbounded: with a slow collector, far more than any bound (most of the items).
    let unbounded = variant(trace, "unbounded");
    let most = most_in_flight(unbounded) as usize;
    assert!(
        most > items(unbounded) / 2,
        "unbounded: only {most} in flight"
    );
    // A collector that stops reading: every mapper ends up waiting in `send` / `put`,
    // with the queue full: capacity + workers in flight, then it reads on and all arrive.
    let stops = variant(trace, "collector-stops");
    let full = count(stops, "capacity") + count(stops, "workers");
    let most = most_in_flight(stops);
    assert!(
        most + 1 >= full && most <= full,
        "collector-stops: {most} of {full}"
    );
}

#[test]
fn rust_pipelines_collect_everything_once_in_order_or_not() {
    let trace = bounded_trace("pipeline", false);
    check_ordering(&trace);
    // par_bridge hands results over as they are mapped: not in input order.
    let v = variant(&trace, "par-bridge");
    assert_each_task_received_once(v, count(v, "inputs") as usize);
    assert!(
        derived("pipeline", "out_of_order", v) > 0.0,
        "{:?}",
        v.received
    );
}

#[test]
fn python_pipelines_collect_everything_once_in_order_or_not() {
    check_ordering(&bounded_trace("pipeline", true));
}

#[test]
fn rust_bounded_channels_hold_back_a_slow_collector() {
    let trace = bounded_trace("backpressure", false);
    check_backpressure(&trace);
    let v = variant(&trace, "tokio-mpsc");
    assert_each_task_received_once(v, count(v, "items") as usize);
    assert_eq!(count(v, "items"), count(v, "inputs"));
    // Zero capacity: tokio refuses it with a panic; buffered(0) yields nothing in the wait.
    let v = variant(&trace, "zero-capacity");
    let error = v.error.as_deref().expect("the panic is reported");
    assert!(error.contains("buffer > 0"), "{error}");
    assert_eq!(count(v, "completed"), 0);
}

#[test]
fn python_bounded_queues_hold_back_a_slow_collector() {
    let trace = bounded_trace("backpressure", true);
    check_backpressure(&trace);
    // Queue(maxsize=0) is unbounded: every put went through with nobody reading.
    let v = variant(&trace, "zero-capacity");
    assert_eq!(count(v, "items"), count(v, "inputs"));
}

/// One fresh run as the sweep makes it, at its smallest size, for its first variant.
fn sweep_run(python: bool) -> Trace {
    let sweep = describe("backpressure")
        .sweep
        .expect("backpressure declares its sweep");
    let n = sweep.sizes[0].to_string();
    let mut args = vec!["--variant", sweep.variants[0].0, "--tasks", &n];
    args.extend(sweep.flags.iter().map(|f| f.0));
    if python {
        python_trace("backpressure", &args)
    } else {
        rust_trace("backpressure", &args)
    }
}

/// What the sweep reads from one fresh run: the items collected and its figures (the
/// peak memory among them).
fn check_sweep_run(trace: &Trace) {
    let sweep = describe("backpressure")
        .sweep
        .expect("backpressure declares its sweep");
    let v = variant(trace, &sweep.variants[0]);
    let what = &trace.language;
    assert_eq!(count(v, "items"), sweep.sizes[0], "{what}");
    for f in sweep.figures.iter() {
        let value = v.value(f);
        assert!(value.is_some_and(|x| x > 0.0), "{what}: {}", f.key);
    }
    assert!(v.tasks.is_empty(), "{what}: counts only");
}

#[test]
fn rust_sweep_runs_report_items_and_memory() {
    check_sweep_run(&sweep_run(false));
}

#[test]
fn python_sweep_runs_report_items_and_memory() {
    check_sweep_run(&sweep_run(true));
}

#[test]
fn bad_flags_are_one_line_errors() {
    assert_bad_flags_rejected("pipeline");
    assert_bad_flags_rejected("backpressure");
}
