//! `event`: the signalling variants wake when the worker publishes, while it is still
//! working; the `join` variants wake only when the worker has ended. Both languages.

use crate::common::*;

use concurrency_pairs::{Trace, Variant};

/// A figure the description declares, as the variant's trace gives it (these three
/// follow from the spans and the receipts).
fn at(v: &Variant, key: &str) -> f64 {
    let figures = describe("event").figures();
    let figure = figures
        .iter()
        .find(|f| f.key.0 == key)
        .unwrap_or_else(|| panic!("event declares no figure `{key}`"));
    assert!(figure.derived.is_some(), "`{key}` follows from the trace");
    v.value(figure)
        .unwrap_or_else(|| panic!("{}: no `{key}`", v.name))
}

fn published(v: &Variant) -> f64 {
    at(v, "published_s")
}

fn woke(v: &Variant) -> f64 {
    at(v, "woke_s")
}

fn worker_end(v: &Variant) -> f64 {
    at(v, "worker_end_s")
}

/// The shape every variant shares: one value received (task 0), two spans on one lane
/// (computing, then the work after publishing), times consistent with the figures.
fn check_shape(v: &Variant) {
    assert_eq!(v.received, [0], "{}", v.name);
    assert_eq!(v.tasks.len(), 2, "{}: compute and after spans", v.name);
    let compute = &v.tasks[0];
    let after = &v.tasks[1];
    assert_eq!(compute.lane, after.lane, "{}: one worker", v.name);
    assert!(compute.end_s <= after.start_s, "{}", v.name);
    let published = published(v);
    let woke = woke(v);
    assert!(compute.end_s <= published && published <= after.start_s);
    assert_eq!(worker_end(v), after.end_s, "{}", v.name);
    assert!(woke <= v.received_s[0], "{}", v.name);
    assert!(
        woke >= published,
        "{}: woke before the value existed",
        v.name
    );
}

/// Woken by the signal: after publishing, before the worker ended.
fn assert_signalled(v: &Variant) {
    check_shape(v);
    let woke = woke(v);
    assert!(
        woke < worker_end(v),
        "{}: woke at {woke}, not before the worker ended",
        v.name
    );
}

/// Woken by the worker's end.
fn assert_joined(v: &Variant) {
    check_shape(v);
    assert!(woke(v) >= worker_end(v), "{}", v.name);
}

fn check(trace: &Trace, signalled: &[&str], joined: &[&str]) {
    let mut names: Vec<&str> = signalled.iter().chain(joined).copied().collect();
    names.sort_unstable();
    let mut seen: Vec<&str> = trace.variants.iter().map(|v| v.name.as_str()).collect();
    seen.sort_unstable();
    assert_eq!(seen, names, "{} variants", trace.language);
    for name in signalled {
        assert_signalled(variant(trace, name));
    }
    for name in joined {
        assert_joined(variant(trace, name));
    }
}

#[test]
fn rust_wakes_on_the_signal_not_the_end() {
    check(
        &rust_trace("event", &[]),
        &[
            "event",
            "channel",
            "oncelock",
            "async-event",
            "async-oneshot",
            "async-watch",
        ],
        &["join", "async-join"],
    );
}

#[test]
fn python_wakes_on_the_signal_not_the_end() {
    check(
        &python_trace("event", &[]),
        &["event", "channel", "async-event", "async-oneshot"],
        &["join", "async-join"],
    );
}

#[test]
fn bad_flags_are_one_line_errors() {
    assert_bad_flags_rejected("event");
}
