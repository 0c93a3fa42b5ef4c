//! `blocking_in_async`: a blocking sleep inside tasks on a one-thread runtime (or event
//! loop) runs them one after the other and stalls everything else, visibly in the
//! heartbeat's ticks; async sleeps and offloaded blocking calls overlap and leave the
//! heartbeat ticking; with two workers, four blocking tasks never run more than two at
//! a time.

use crate::common::*;

use concurrency_pairs::{TaskSpan, Trace, Variant};

/// A figure of the description, as the trace derives it (from the spans) or reports it.
fn described(v: &Variant, key: &str) -> f64 {
    let figure = describe("blocking_in_async")
        .figures()
        .into_iter()
        .find(|f| f.key.0 == key)
        .unwrap_or_else(|| panic!("blocking_in_async declares no `{key}`"));
    assert!(figure.derived.is_some(), "{key}: computed from the spans");
    v.value(&figure)
        .unwrap_or_else(|| panic!("{}: no `{key}`", v.name))
}

/// The four sleeping tasks (the heartbeat's ticks are the other spans).
fn work(v: &Variant) -> Vec<&TaskSpan> {
    let work: Vec<&TaskSpan> = v
        .tasks
        .iter()
        .filter(|t| t.kind.as_deref() == Some("sleep"))
        .collect();
    let mut ids: Vec<usize> = work.iter().map(|t| t.id).collect();
    ids.sort_unstable();
    let n = count(v, "sleeping_tasks") as usize;
    assert_eq!(ids, (0..n).collect::<Vec<_>>(), "{}: tasks", v.name);
    let mut received = v.received.clone();
    received.sort_unstable();
    assert_eq!(received, ids, "{}: every task received once", v.name);
    work
}

fn ticks(v: &Variant) -> Vec<&TaskSpan> {
    let ticks: Vec<&TaskSpan> = v
        .tasks
        .iter()
        .filter(|t| t.kind.as_deref() == Some("tick"))
        .collect();
    assert!(!ticks.is_empty(), "{}: the heartbeat never woke", v.name);
    ticks
}

/// Each task started only after the previous one ended, and the heartbeat slept
/// through at least one whole task: nothing else ran while it blocked.
fn assert_serialised(v: &Variant) {
    let mut spans = work(v);
    spans.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
    for pair in spans.windows(2) {
        assert!(
            pair[1].start_s >= pair[0].end_s,
            "{}: task {} started at {} before task {} ended at {}",
            v.name,
            pair[1].id,
            pair[1].start_s,
            pair[0].id,
            pair[0].end_s
        );
    }
    let stalled = ticks(v).iter().any(|tick| {
        spans
            .iter()
            .any(|task| tick.start_s <= task.start_s && task.end_s <= tick.end_s)
    });
    assert!(stalled, "{}: no tick spans a whole blocking task", v.name);
}

/// All tasks started before the first one ended, and the heartbeat woke up while the
/// longest task was still running.
fn assert_concurrent(v: &Variant) {
    let spans = work(v);
    let first_end = spans.iter().map(|t| t.end_s).fold(f64::INFINITY, f64::min);
    for task in &spans {
        assert!(
            task.start_s < first_end,
            "{}: task {} started at {}, after the first end at {first_end}",
            v.name,
            task.id,
            task.start_s
        );
    }
    let longest = spans
        .iter()
        .max_by(|a, b| (a.end_s - a.start_s).total_cmp(&(b.end_s - b.start_s)))
        .expect("four tasks");
    assert!(
        ticks(v)
            .iter()
            .any(|tick| longest.start_s < tick.end_s && tick.end_s < longest.end_s),
        "{}: the heartbeat did not wake while task {} ran",
        v.name,
        longest.id
    );
}

/// The most tasks running at one instant, from the spans.
fn peak(v: &Variant) -> usize {
    let spans = work(v);
    spans
        .iter()
        .map(|s| {
            spans
                .iter()
                .filter(|o| o.start_s <= s.start_s && s.start_s < o.end_s)
                .count()
        })
        .max()
        .expect("four tasks")
}

fn check(trace: &Trace) {
    let blocked = variant(trace, "blocking-sleep");
    assert_serialised(blocked);
    assert_eq!(peak(blocked), 1);
    for name in ["async-sleep", "offload", "offload-default"] {
        let v = variant(trace, name);
        assert_concurrent(v);
        assert_eq!(peak(v), count(v, "sleeping_tasks") as usize, "{name}");
    }
    for v in &trace.variants {
        assert_eq!(
            described(v, "peak_concurrency"),
            peak(v) as f64,
            "{}: peak_concurrency",
            v.name
        );
        let late = described(v, "heartbeat_late_s");
        assert!(late >= 0.0, "{}: {late}", v.name);
    }
    // Blocking the loop's one thread makes the heartbeat later than async sleeps do.
    let stalled = described(variant(trace, "blocking-sleep"), "heartbeat_late_s");
    let on_time = described(variant(trace, "async-sleep"), "heartbeat_late_s");
    assert!(stalled > on_time, "{stalled} vs {on_time}");
}

#[test]
fn rust_blocking_serialises_offloading_overlaps() {
    let trace = rust_trace("blocking_in_async", &[]);
    check(&trace);
    // Two workers, four blocking tasks: never more than two at once, so they queue.
    let starved = variant(&trace, "multi-thread-blocking");
    let workers = count(starved, "workers") as usize;
    assert!(workers < count(starved, "sleeping_tasks") as usize);
    let peak = peak(starved);
    assert!(
        (1..=workers).contains(&peak),
        "peak {peak}, {workers} workers"
    );
    assert_concurrent(variant(&trace, "block-in-place"));
}

#[test]
fn python_blocking_serialises_offloading_overlaps() {
    check(&python_trace("blocking_in_async", &[]));
}

#[test]
fn bad_flags_are_one_line_errors() {
    assert_bad_flags_rejected("blocking_in_async");
}
