//! `crawler.sweep.time.svg` and `crawler.sweep.memory.svg`: the cells against N, drawn
//! by the one log-log plot.

use std::collections::BTreeSet;

use anyhow::Result;
use concurrency_pairs::Unit;

use crate::format::{IDEAL_PYTHON, IDEAL_RUST, PALETTE, Stats};
use crate::measure::Language;
use crate::plot::{LogLog, Marker, Series, log_log};

use super::cells::{Cell, IDIOMATIC};

const X_DESC: &str = "N, tasks (logarithmic)";

/// Wall time against N, each language's ideal dashed.
pub(super) fn time(cells: &[Cell]) -> Result<String> {
    let mut series = variant_series(cells, |c| c.wall.median);
    series.extend(ideal_series(cells));
    log_log(
        &LogLog {
            title: "crawler: wall time against tasks",
            x_desc: X_DESC,
            y_desc: "wall time, median (logarithmic)",
            y_unit: Unit::Seconds,
        },
        &series,
    )
}

/// Peak resident memory against N.
pub(super) fn memory(cells: &[Cell]) -> Result<String> {
    log_log(
        &LogLog {
            title: "crawler: peak memory against tasks",
            x_desc: X_DESC,
            y_desc: "peak RSS (logarithmic)",
            y_unit: Unit::Bytes,
        },
        &variant_series(cells, |c| c.peak_rss_bytes),
    )
}

fn marker(language: Language) -> Marker {
    match language {
        Language::Rust => Marker::Circle,
        Language::Python => Marker::Triangle,
    }
}

/// One series per (language, variant), in the order measured, with `y` of each cell.
fn variant_series(cells: &[Cell], y: impl Fn(&Cell) -> f64) -> Vec<Series> {
    let mut series: Vec<Series> = Vec::new();
    for c in cells {
        let label = c.label();
        let point = (c.n as f64, y(c));
        match series.iter_mut().find(|s| s.label == label) {
            Some(s) => s.points.push(point),
            None => {
                let colour = PALETTE[series.len() % PALETTE.len()];
                series.push(Series {
                    label,
                    points: vec![point],
                    colour,
                    dashed: false,
                    marker: Some(marker(c.language)),
                });
            }
        }
    }
    for s in &mut series {
        s.points.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    series
}

/// Each language's ideal at each N (the median over its variants' runs there; Python's
/// for the article's loop, without `single-loop-sum`'s own).
fn ideal_series(cells: &[Cell]) -> Vec<Series> {
    Language::BOTH
        .into_iter()
        .filter_map(|language| {
            let ns: BTreeSet<u64> = cells
                .iter()
                .filter(|c| c.language == language)
                .map(|c| c.n)
                .collect();
            let points: Vec<(f64, f64)> = ns
                .into_iter()
                .filter_map(|n| {
                    let ideals: Vec<f64> = cells
                        .iter()
                        .filter(|c| c.language == language && c.n == n)
                        .filter(|c| c.variant != IDIOMATIC)
                        .map(|c| c.ideal_s)
                        .collect();
                    Some((n as f64, Stats::of(&ideals)?.median))
                })
                .collect();
            (!points.is_empty()).then(|| Series {
                label: format!("ideal ({})", language.name()),
                points,
                colour: match language {
                    Language::Rust => IDEAL_RUST,
                    Language::Python => IDEAL_PYTHON,
                },
                dashed: true,
                marker: None,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::cells::test_cells;
    use super::*;

    #[test]
    fn pictures_have_every_series() {
        let cells = test_cells();
        let time = time(&cells).expect("draws");
        let memory = memory(&cells).expect("draws");
        for label in [
            "single-loop (Rust)",
            "loop-per-core (Rust)",
            "multi-thread (Rust)",
            "io-plus-rayon (Rust)",
            "article-batches (Rust)",
            "single-loop (Python)",
            "article-batches (Python)",
            "loop-per-core (Python)",
            "single-loop-sum (Python)",
        ] {
            assert!(time.contains(label), "time: {label}");
            assert!(memory.contains(label), "memory: {label}");
        }
        assert!(time.contains("ideal (Rust)") && time.contains("ideal (Python)"));
        assert!(!memory.contains("ideal ("));
        assert!(time.contains("crawler: wall time against tasks"));
        assert!(memory.contains("100 MB"), "a bytes tick on the memory axis");
    }
}
