//! `NAME.headline.md`: the one measured comparison that makes a chapter's point, as a
//! sentence its opening box includes. Which two variants and which measure make the point
//! is a choice per example, listed here once; the numbers are the medians of the run.

use concurrency_pairs::{Figure, Variant};

use crate::format::{figure, seconds};
use crate::measure::{Language, Measured, Runs};

/// What a headline compares.
#[derive(Debug, Clone, Copy)]
enum Measure {
    Wall,
    FirstResult,
    Figure(Figure),
}

impl Measure {
    fn of(self, v: &Variant) -> Option<f64> {
        match self {
            Measure::Wall => Some(v.wall_s),
            Measure::FirstResult => v.first_result_s(),
            Measure::Figure(f) => v.figures.get(f),
        }
    }

    fn show(self, x: f64) -> String {
        match self {
            Measure::Figure(f) => figure(x, f.unit()),
            _ => seconds(x),
        }
    }

    fn name(self) -> String {
        match self {
            Measure::Wall => "wall time".to_owned(),
            Measure::FirstResult => "first result".to_owned(),
            Measure::Figure(f) => f.label().to_owned(),
        }
    }
}

/// Per example: the measure, the variant that makes the point, and the one it beats (or
/// none, for a figure of one variant).
const HEADLINES: &[(&str, Measure, &str, Option<&str>)] = &[
    (
        "join_order",
        Measure::FirstResult,
        "channel-completion-order",
        Some("join-in-start-order"),
    ),
    (
        "pool_apply",
        Measure::Wall,
        "async-completion-order",
        Some("apply"),
    ),
    ("pool_map", Measure::FirstResult, "unordered", Some("map")),
    (
        "as_completed",
        Measure::FirstResult,
        "pool-completion",
        Some("pool-ordered"),
    ),
    (
        "run_in_executor",
        Measure::Figure(Figure::IoMaxLate),
        "cpu-pool",
        Some("inline"),
    ),
    ("spawn_vs_await", Measure::Wall, "join", Some("sequential")),
    (
        "wait_timeout",
        Measure::Wall,
        "deadline-cancel",
        Some("wait-all"),
    ),
    (
        "blocking_in_async",
        Measure::Figure(Figure::HeartbeatLate),
        "async-sleep",
        Some("blocking-sleep"),
    ),
    (
        "crawler",
        Measure::Wall,
        "loop-per-core",
        Some("single-loop"),
    ),
    ("event", Measure::FirstResult, "event", Some("join")),
    (
        "sync_primitives",
        Measure::Figure(Figure::PeakConcurrency),
        "semaphore",
        None,
    ),
    (
        "deadlock",
        Measure::Figure(Figure::GaveUp),
        "lock-order",
        Some("deadlock"),
    ),
    (
        "shared_state",
        Measure::Figure(Figure::LostUpdates),
        "lock",
        Some("manager"),
    ),
    (
        "errors",
        Measure::Figure(Figure::ResultsKept),
        "error-at-result",
        None,
    ),
    (
        "errors_async",
        Measure::Figure(Figure::ResultsKept),
        "join-error",
        Some("gather"),
    ),
    (
        "cancel",
        Measure::Figure(Figure::StopMedian),
        "cooperative-flag",
        None,
    ),
    (
        "shutdown",
        Measure::Figure(Figure::Drain),
        "sigterm-drain",
        None,
    ),
    ("gil", Measure::Figure(Figure::SpeedUp), "threads", None),
    (
        "concurrency_vs_parallelism",
        Measure::Wall,
        "both",
        Some("sequential"),
    ),
    (
        "pipeline",
        Measure::Figure(Figure::MaxInFlight),
        "bounded",
        Some("unbounded"),
    ),
    (
        "scheduler",
        Measure::Figure(Figure::LatencyP99),
        "dex-busy",
        Some("dex-naive"),
    ),
];

/// The median of `measure` over the runs of one variant, if it ran and reported it.
fn median(runs: &Runs, variant: &str, measure: Measure) -> Option<f64> {
    let mut values: Vec<f64> = runs
        .traces
        .iter()
        .filter_map(|t| measure.of(t.variant(variant)?))
        .collect();
    values.sort_by(f64::total_cmp);
    (!values.is_empty()).then(|| values[values.len() / 2])
}

/// The headline of `m`, or `None` for an example without one.
pub fn render(m: &Measured) -> Option<String> {
    let &(_, measure, point, against) = HEADLINES.iter().find(|h| h.0 == m.example)?;
    let mut parts = Vec::new();
    for (language, runs) in m.languages() {
        let name = match language {
            Language::Rust => "Rust",
            Language::Python => "Python",
        };
        let Some(value) = median(runs, point, measure) else {
            continue;
        };
        let part = match against.and_then(|a| Some((a, median(runs, a, measure)?))) {
            Some((a, other)) => format!(
                "**{name}**: `{point}` {}, `{a}` {}",
                measure.show(value),
                measure.show(other)
            ),
            None => format!("**{name}**: `{point}` {}", measure.show(value)),
        };
        parts.push(part);
    }
    if parts.is_empty() {
        return None;
    }
    Some(format!(
        "Measured here, {}: {}.\n",
        measure.name(),
        parts.join("; ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use concurrency_pairs::{Options, Trace};

    fn runs(language: &str, first: &[(&str, f64)]) -> Runs {
        let mut trace = Trace::new("join_order", &Options::default());
        trace.language = language.into();
        for &(name, at) in first {
            let mut v = Variant::new(name, "api");
            v.received_s = vec![at];
            trace.variants.push(v);
        }
        Runs {
            traces: vec![trace],
        }
    }

    #[test]
    fn a_headline_compares_the_two_variants_in_each_language() {
        let m = Measured {
            example: "join_order".into(),
            rust: runs(
                "rust",
                &[
                    ("join-in-start-order", 0.8),
                    ("channel-completion-order", 0.3),
                ],
            ),
            python: Some(runs("python", &[("channel-completion-order", 0.31)])),
        };
        assert_eq!(
            render(&m).expect("join_order has a headline"),
            "Measured here, first result: **Rust**: `channel-completion-order` 300.0 ms, \
             `join-in-start-order` 800.0 ms; **Python**: `channel-completion-order` 310.0 ms.\n"
        );
        let other = Measured {
            example: "no_such".into(),
            ..m
        };
        assert!(render(&other).is_none());
    }

    #[test]
    fn every_headline_names_variants_the_examples_have() {
        let root = crate::measure::root();
        for &(example, _, point, against) in HEADLINES {
            let out = std::process::Command::new("python3")
                .arg(root.join("python").join(format!("{example}.py")))
                .arg("--variants")
                .output()
                .expect("python3 runs");
            let python = String::from_utf8_lossy(&out.stdout).into_owned();
            let rust = [
                root.join("examples").join(format!("{example}.rs")),
                root.join(example)
                    .join("examples")
                    .join(example)
                    .join("measured.rs"),
            ]
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .collect::<String>();
            for name in std::iter::once(point).chain(against) {
                assert!(
                    python.lines().any(|v| v == name) || rust.contains(&format!("\"{name}\"")),
                    "{example}: no variant `{name}` in the example or its twin"
                );
            }
        }
    }
}
