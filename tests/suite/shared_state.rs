//! `shared_state`: Rust loses no update in any variant; the Python twin reproduces the
//! `Pool.map` RuntimeError, counts what `Manager().Value` loses, and loses nothing with a
//! locked `Value` or with no sharing. The refused Rust programs fail for the reason the
//! book quotes.

use crate::common::*;

use concurrency_pairs::Variant;

/// The bookkeeping every counting variant shares: `runs` rounds of one span per worker,
/// all received, `final_value + lost_updates = increments`, the increments each worker
/// was given, a positive cost per increment.
fn check_counting(v: &Variant, runs: u64) {
    let workers = count(v, "workers");
    assert_each_task_received_once(v, (runs * workers) as usize);
    let lanes: std::collections::HashSet<&str> =
        v.tasks.iter().map(|t| t.lane.as_str()).collect();
    assert!(
        lanes.len() <= workers as usize,
        "{}: lanes {lanes:?}",
        v.name
    );
    let increments = count(v, "increments");
    let final_value = count(v, "final_value");
    let lost = count(v, "lost_updates");
    assert_eq!(
        increments,
        runs * workers * count(v, "per_worker"),
        "{}",
        v.name
    );
    assert!(increments > 0, "{}", v.name);
    assert!(lost <= increments, "{}", v.name);
    assert_eq!(final_value + lost, increments, "{}", v.name);
    let per_increment = figure(v, "increment_s");
    assert!(
        per_increment > 0.0,
        "{}: {per_increment} s per increment",
        v.name
    );
}

fn check_lossless(v: &Variant) {
    check_counting(v, 1);
    assert_eq!(count(v, "lost_updates"), 0, "{}: lost updates", v.name);
}

#[test]
fn rust_loses_no_update() {
    let trace = rust_trace("shared_state", &[]);
    for name in describe("shared_state").names(false) {
        check_lossless(variant(&trace, name));
    }
}

#[test]
fn python_shows_both_failures_and_the_fix() {
    let trace = python_trace("shared_state", &[]);

    let refused = variant(&trace, "value-pool-map");
    let error = refused.error.as_deref().expect("the error message");
    assert!(
        error.contains(
            "RuntimeError: Synchronized objects should only be shared between processes through inheritance"
        ),
        "{error}"
    );
    assert!(refused.tasks.is_empty() && refused.received.is_empty());

    // Lost updates are likely but not certain: the test asserts the bookkeeping only.
    let manager = variant(&trace, "manager");
    check_counting(manager, count(manager, "runs"));

    // The article's own program, run again and again: each run prints what it counted,
    // at most the 5 of its `Pool(processes=5)`, and the figure counts the runs that
    // printed the article's "5".
    let article = variant(&trace, "article-size");
    let printed = article.sums.as_deref().expect("what each run printed");
    assert_eq!(printed.len() as u64, count(article, "article_runs"));
    assert!(printed.iter().all(|&p| (1..=5).contains(&p)), "{printed:?}");
    let exact = printed.iter().filter(|&&p| p == 5).count() as u64;
    assert_eq!(count(article, "article_exact"), exact);

    for name in ["lock", "no-sharing"] {
        check_lossless(variant(&trace, name));
    }
}

/// The programs of `src/shared_state/` fail to compile with the errors the book quotes.
#[test]
fn refused_programs_fail_for_the_quoted_reason() {
    assert_refused_by_rustc(
        "shared_state",
        &[
            ("two_threads_one_counter.rs", "error[E0499]"),
            ("arc_is_read_only.rs", "error[E0594]"),
            ("refcell_is_not_sync.rs", "error[E0277]"),
        ],
    );
}

#[test]
fn bad_flags_are_one_line_errors() {
    assert_bad_flags_rejected("shared_state");
}
