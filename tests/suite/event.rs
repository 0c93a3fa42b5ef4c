//! `event` and `event_async`: the signalling variants wake when the worker publishes,
//! while it is still working; the `join` variants wake only when the worker has ended.
//! Threads (`event`) and async tasks (`event_async`), both languages.

use crate::common::*;

use concurrency_pairs::{Trace, Variant};

/// A figure the example's description declares, as the variant's trace gives it (these
/// three follow from the spans and the receipts).
fn at(example: &str, v: &Variant, key: &str) -> f64 {
    let figures = describe(example).figures();
    let figure = figures
        .iter()
        .find(|f| f.key.0 == key)
        .unwrap_or_else(|| panic!("{example} declares no figure `{key}`"));
    assert!(figure.derived.is_some(), "`{key}` follows from the trace");
    v.value(figure)
        .unwrap_or_else(|| panic!("{}: no `{key}`", v.name))
}

fn published(example: &str, v: &Variant) -> f64 {
    at(example, v, "published_s")
}

fn woke(example: &str, v: &Variant) -> f64 {
    at(example, v, "woke_s")
}

fn worker_end(example: &str, v: &Variant) -> f64 {
    at(example, v, "worker_end_s")
}

/// The shape every variant shares: one value received (task 0), two spans on one lane
/// (computing, then the work after publishing), times consistent with the figures.
fn check_shape(example: &str, v: &Variant) {
    assert_eq!(v.received, [0], "{}", v.name);
    assert_eq!(v.tasks.len(), 2, "{}: compute and after spans", v.name);
    let compute = &v.tasks[0];
    let after = &v.tasks[1];
    assert_eq!(compute.lane, after.lane, "{}: one worker", v.name);
    assert!(compute.end_s <= after.start_s, "{}", v.name);
    let published = published(example, v);
    let woke = woke(example, v);
    assert!(compute.end_s <= published && published <= after.start_s);
    assert_eq!(worker_end(example, v), after.end_s, "{}", v.name);
    assert!(woke <= v.received_s[0], "{}", v.name);
    assert!(
        woke >= published,
        "{}: woke before the value existed",
        v.name
    );
}

/// Woken by the signal: after publishing, before the worker ended.
fn assert_signalled(example: &str, v: &Variant) {
    check_shape(example, v);
    let woke = woke(example, v);
    assert!(
        woke < worker_end(example, v),
        "{}: woke at {woke}, not before the worker ended",
        v.name
    );
}

/// Woken by the worker's end.
fn assert_joined(example: &str, v: &Variant) {
    check_shape(example, v);
    assert!(woke(example, v) >= worker_end(example, v), "{}", v.name);
}

fn check(trace: &Trace, signalled: &[&str], joined: &[&str]) {
    let mut names: Vec<&str> = signalled.iter().chain(joined).copied().collect();
    names.sort_unstable();
    let mut seen: Vec<&str> =
        trace.variants.iter().map(|v| v.name.as_str()).collect();
    seen.sort_unstable();
    assert_eq!(seen, names, "{} variants", trace.language);
    for name in signalled {
        assert_signalled(&trace.example, variant(trace, name));
    }
    for name in joined {
        assert_joined(&trace.example, variant(trace, name));
    }
}

#[test]
fn rust_wakes_on_the_signal_not_the_end() {
    check(
        &rust_trace("event", &[]),
        &["event", "channel", "oncelock"],
        &["join"],
    );
}

#[test]
fn python_wakes_on_the_signal_not_the_end() {
    check(
        &python_trace("event", &[]),
        &["event", "channel"],
        &["join"],
    );
}

#[test]
fn rust_async_wakes_on_the_signal_not_the_end() {
    check(
        &rust_trace("event_async", &[]),
        &["async-event", "async-oneshot", "async-watch"],
        &["async-join"],
    );
}

#[test]
fn python_async_wakes_on_the_signal_not_the_end() {
    check(
        &python_trace("event_async", &[]),
        &["async-event", "async-oneshot"],
        &["async-join"],
    );
}

#[test]
fn bad_flags_are_one_line_errors() {
    assert_bad_flags_rejected("event");
    assert_bad_flags_rejected("event_async");
}
