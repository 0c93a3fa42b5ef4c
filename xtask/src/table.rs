//! The markdown timing table of one example: one row per variant.

use concurrency_pairs::{Trace, Variant};
use serde_json::Value;

use crate::timings::{Measured, Runs, Setup};

/// Median, minimum and maximum of some measurements.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Stats {
    pub fn of(values: &[f64]) -> Option<Stats> {
        if values.is_empty() {
            return None;
        }
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
        };
        Some(Stats {
            median,
            min: sorted[0],
            max: sorted[n - 1],
        })
    }
}

/// Seconds in a unit that suits them.
pub fn seconds(s: f64) -> String {
    if s >= 10.0 {
        format!("{s:.1} s")
    } else if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 1e-3 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{:.1} µs", s * 1e6)
    }
}

fn number(x: f64) -> String {
    if (x.fract() == 0.0 && x.abs() < 1e15) || x.abs() >= 100.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.3}")
    }
}

/// All runs' copies of one variant.
fn variants<'a>(runs: &'a Runs, name: &str) -> Vec<&'a Variant> {
    runs.traces
        .iter()
        .filter_map(|t| t.variants.iter().find(|v| v.name == name))
        .collect()
}

fn stat(vs: &[&Variant], f: impl Fn(&Variant) -> Option<f64>) -> Option<Stats> {
    Stats::of(&vs.iter().filter_map(|v| f(v)).collect::<Vec<_>>())
}

fn wall_cell(s: Option<Stats>) -> String {
    s.as_ref().map_or("—".to_owned(), median_range)
}

/// `1.23 s (1.20 s–1.40 s)`, or only the median when every run measured the same (one run).
pub(crate) fn median_range(s: &Stats) -> String {
    if s.min == s.max {
        seconds(s.median)
    } else {
        format!(
            "{} ({}–{})",
            seconds(s.median),
            seconds(s.min),
            seconds(s.max)
        )
    }
}

/// Numeric example-specific fields, in order of first appearance.
fn extra_keys(traces: &[&Trace]) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for trace in traces {
        for v in &trace.variants {
            for (key, value) in &v.extra {
                if value.is_number() && !keys.contains(key) {
                    keys.push(key.clone());
                }
            }
        }
    }
    keys
}

/// The variant names of both languages: Rust's order, then Python-only ones.
pub fn variant_names(m: &Measured) -> Vec<String> {
    let mut names: Vec<String> = m.rust.traces[0]
        .variants
        .iter()
        .map(|v| v.name.clone())
        .collect();
    if let Some(python) = &m.python {
        for v in &python.traces[0].variants {
            if !names.contains(&v.name) {
                names.push(v.name.clone());
            }
        }
    }
    names
}

pub fn render(m: &Measured, setup: &Setup) -> String {
    let mut all: Vec<&Trace> = m.rust.traces.iter().collect();
    if let Some(python) = &m.python {
        all.extend(python.traces.iter());
    }
    let extras = extra_keys(&all);
    let mut header = vec![
        "variant".to_owned(),
        "uses (Rust / Python)".to_owned(),
        "Rust: median (min–max)".to_owned(),
        "Python: median (min–max)".to_owned(),
        "ideal".to_owned(),
        "Rust ÷ ideal".to_owned(),
        "Python ÷ Rust".to_owned(),
        "first result (Rust / Python)".to_owned(),
    ];
    header.extend(extras.iter().map(|k| format!("{k} (Rust / Python)")));
    let mut out = format!(
        "| {} |\n|{}\n",
        header.join(" | "),
        "---|".repeat(header.len())
    );

    // Comparing languages only makes sense on the same workload.
    let same_size = m
        .python
        .as_ref()
        .is_none_or(|p| p.traces[0].size == m.rust.traces[0].size);
    for name in variant_names(m) {
        let rust = variants(&m.rust, &name);
        let python = m
            .python
            .as_ref()
            .map(|p| variants(p, &name))
            .unwrap_or_default();
        let uses = |vs: &[&Variant]| {
            vs.first()
                .map_or("—".to_owned(), |v| format!("`{}`", v.uses))
        };
        let rust_wall = stat(&rust, |v| Some(v.wall_s));
        let python_wall = stat(&python, |v| Some(v.wall_s));
        let rust_ideal = stat(&rust, |v| v.ideal_s).map(|s| s.median);
        let python_ideal = stat(&python, |v| v.ideal_s).map(|s| s.median);
        let ideal = match (rust_ideal, python_ideal) {
            (Some(r), Some(p)) if (r - p).abs() > 0.02 * r.max(p) => {
                format!("{} (Python: {})", seconds(r), seconds(p))
            }
            (Some(r), _) => seconds(r),
            (None, Some(p)) => format!("{} (Python)", seconds(p)),
            (None, None) => "—".to_owned(),
        };
        let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) if b > 0.0 => format!("{:.2}×", a / b),
            _ => "—".to_owned(),
        };
        let first = |vs: &[&Variant]| {
            stat(vs, Variant::first_result_s).map_or("—".to_owned(), |s| seconds(s.median))
        };
        let mut row = vec![
            format!("`{name}`"),
            format!("{} / {}", uses(&rust), uses(&python)),
            wall_cell(rust_wall),
            wall_cell(python_wall),
            ideal,
            ratio(rust_wall.map(|s| s.median), rust_ideal),
            if same_size {
                ratio(python_wall.map(|s| s.median), rust_wall.map(|s| s.median))
            } else {
                "— (sizes differ)".to_owned()
            },
            format!("{} / {}", first(&rust), first(&python)),
        ];
        for key in &extras {
            let cell = |vs: &[&Variant]| {
                stat(vs, |v| v.extra.get(key).and_then(Value::as_f64))
                    .map_or("—".to_owned(), |s| number(s.median))
            };
            row.push(format!("{} / {}", cell(&rust), cell(&python)));
        }
        out += &format!("| {} |\n", row.join(" | "));
    }

    let sizes =
        |runs: Option<&Runs>| runs.map_or("—".to_owned(), |r| format!("`{}`", r.traces[0].size));
    out += &format!(
        "\n*Median of {} run{} after {} warm-up; sizes: Rust {}, Python {}. \
         Measured {} at revision `{}` on {} ([the machine](measuring.md)).*\n",
        setup.runs,
        if setup.runs == 1 { "" } else { "s" },
        setup.warmups,
        sizes(Some(&m.rust)),
        sizes(m.python.as_ref()),
        setup.date,
        setup.revision,
        setup.machine,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        let s = Stats::of(&[3.0, 1.0, 2.0]).expect("non-empty");
        assert_eq!((s.median, s.min, s.max), (2.0, 1.0, 3.0));
        assert_eq!(
            Stats::of(&[1.0, 2.0, 4.0, 3.0]).map(|s| s.median),
            Some(2.5)
        );
        assert_eq!(Stats::of(&[]), None);
    }

    #[test]
    fn units() {
        assert_eq!(seconds(12.34), "12.3 s");
        assert_eq!(seconds(1.234), "1.23 s");
        assert_eq!(seconds(0.5012), "501.2 ms");
        assert_eq!(seconds(0.000_012), "12.0 µs");
    }
}
