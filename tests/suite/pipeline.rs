//! `pipeline`: mappers feeding a collector. Every item is collected exactly once; the
//! ordered variants deliver in input order; a bounded queue never holds more than its
//! capacity plus one result per mapper (counted from the trace); the pitfalls show, each
//! behind a bounded wait. Checked on both traces; claims only, never the clock.

use crate::common::*;

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use concurrency_pairs::{Trace, Variant};

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

fn check(trace: &Trace) {
    let items = |v: &Variant| count(v, "items") as usize;
    let inputs = |v: &Variant| count(v, "inputs") as usize;
    // Every item mapped once and collected once, wherever the pipeline runs to its end:
    // the article's sleeps, the ordering variants', the backpressure variants' N.
    for name in [
        "article",
        "imap",
        "imap-unordered",
        "bounded",
        "unbounded",
        "collector-stops",
    ] {
        let v = variant(trace, name);
        assert_each_task_received_once(v, inputs(v));
    }
    for name in ["bounded", "unbounded", "collector-stops"] {
        let v = variant(trace, name);
        assert_eq!(items(v), inputs(v), "{name}: every item collected");
    }
    let article = variant(trace, "article");
    assert!(article.figures.contains_key("startup_s"));
    // imap is in input order; imap_unordered is not (its sleeps finish out of order).
    assert_submission_order(variant(trace, "imap"));
    let unordered = variant(trace, "imap-unordered");
    assert!(
        count(unordered, "out_of_order") > 0,
        "{:?}",
        unordered.received
    );
    assert_ne!(
        unordered.received,
        (0..inputs(unordered)).collect::<Vec<_>>()
    );
    // Bounded: never more than capacity + one result held by each mapper.
    for v in trace
        .variants
        .iter()
        .filter(|v| v.figures.contains_key("capacity"))
    {
        let bound = count(v, "capacity") + count(v, "workers");
        let most = most_in_flight(v) as u64;
        assert!(most <= bound, "{}: {most} in flight, bound {bound}", v.name);
        assert_eq!(count(v, "max_in_flight"), most, "{}", v.name);
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
    let full = count(stops, "capacity") + count(stops, "workers");
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
    let v = variant(&trace, "par-bridge");
    assert_each_task_received_once(v, count(v, "inputs") as usize);
    let v = variant(&trace, "tokio-mpsc");
    assert_each_task_received_once(v, count(v, "items") as usize);
    assert_eq!(count(v, "items"), count(v, "inputs"));
    // par_bridge hands results over as they are mapped: not in input order.
    let v = variant(&trace, "par-bridge");
    assert!(count(v, "out_of_order") > 0, "{:?}", v.received);
    // Zero capacity: tokio refuses it with a panic; buffered(0) yields nothing in the wait.
    let v = variant(&trace, "zero-capacity");
    let error = v.error.as_deref().expect("the panic is reported");
    assert!(error.contains("buffer > 0"), "{error}");
    assert_eq!(count(v, "completed"), 0);
}

#[test]
fn python_pipelines_collect_everything_once_and_bounded_queues_hold_back() {
    let trace = bounded_trace(true);
    check(&trace);
    // Queue(maxsize=0) is unbounded: every put went through with nobody reading.
    let v = variant(&trace, "zero-capacity");
    assert_eq!(count(v, "items"), count(v, "inputs"));
}

/// One fresh run as the sweep makes it, at its smallest size, for its first variant.
fn sweep_run(python: bool) -> Trace {
    let sweep = describe("pipeline")
        .sweep
        .expect("the pipeline declares its sweep");
    let n = sweep.sizes[0].to_string();
    let mut args = vec!["--variant", sweep.variants[0].0, "--tasks", &n];
    args.extend(sweep.flags.iter().map(|f| f.0));
    if python {
        python_trace("pipeline", &args)
    } else {
        rust_trace("pipeline", &args)
    }
}

/// What the sweep reads from one fresh run: the items collected and its figures (the
/// peak memory among them).
fn check_sweep_run(trace: &Trace) {
    let sweep = describe("pipeline")
        .sweep
        .expect("the pipeline declares its sweep");
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
}
