//! The markdown timing table of one example: one row per variant, Rust's first, then
//! those only Python has; a column per typed figure any run reported.

use concurrency_pairs::{Figure, Unit, Variant};

use crate::format::{Stats, figure, median_range, ratio, seconds};
use crate::measure::{Measured, Runs, Setup};

/// All runs' copies of one variant.
fn variants<'a>(runs: &'a Runs, name: &str) -> Vec<&'a Variant> {
    runs.traces.iter().filter_map(|t| t.variant(name)).collect()
}

fn stat(vs: &[&Variant], f: impl Fn(&Variant) -> Option<f64>) -> Option<Stats> {
    Stats::of(&vs.iter().filter_map(|v| f(v)).collect::<Vec<_>>())
}

/// The variant names of both languages: Rust's order, then Python-only ones.
fn variant_names(m: &Measured) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (_, runs) in m.languages() {
        for v in &runs.traces[0].variants {
            if !names.contains(&v.name) {
                names.push(v.name.clone());
            }
        }
    }
    names
}

/// The scalar figures some run of some variant reported, in [`Figure::ALL`]'s order.
fn figures_present(m: &Measured) -> Vec<Figure> {
    let reported: Vec<&Variant> = m
        .languages()
        .flat_map(|(_, runs)| &runs.traces)
        .flat_map(|t| &t.variants)
        .collect();
    Figure::ALL
        .iter()
        .copied()
        .filter(|&f| reported.iter().any(|v| v.figures.get(f).is_some()))
        .collect()
}

/// A workload figure and the per-unit figure that compares languages across sizes.
const PER_UNIT: [(Figure, Figure, &str); 3] = [
    (Figure::Increments, Figure::PerIncrement, "per increment"),
    (Figure::Completed, Figure::PerTask, "per task"),
    (Figure::Items, Figure::PerItem, "per item"),
];

/// Python's time over Rust's, only on like units: the wall times when both ran the same
/// workload, else the per-unit figure both report (per increment, per task), else none.
fn python_over_rust(rust: &[&Variant], python: &[&Variant], same_size: bool) -> String {
    let median =
        |vs: &[&Variant], f: &dyn Fn(&Variant) -> Option<f64>| stat(vs, f).map(|s| s.median);
    let over = |p: Option<f64>, r: Option<f64>| match (p, r) {
        (Some(p), Some(r)) if r > 0.0 => Some(ratio(p / r)),
        _ => None,
    };
    let differs = |f: Figure| {
        let (r, p) = (
            median(rust, &|v| v.figures.get(f)),
            median(python, &|v| v.figures.get(f)),
        );
        r.zip(p).is_some_and(|(r, p)| r != p)
    };
    let workload_differs = !same_size || PER_UNIT.iter().any(|&(w, _, _)| differs(w));
    if !workload_differs {
        let wall = |v: &Variant| Some(v.wall_s);
        return over(median(python, &wall), median(rust, &wall)).unwrap_or_else(|| "—".to_owned());
    }
    PER_UNIT
        .iter()
        .find_map(|&(_, unit, label)| {
            let per = |v: &Variant| v.figures.get(unit);
            over(median(python, &per), median(rust, &per)).map(|r| format!("{r} {label}"))
        })
        .unwrap_or_else(|| "— (sizes differ)".to_owned())
}

pub fn render(m: &Measured, setup: &Setup) -> String {
    let figures = figures_present(m);
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
    header.extend(
        figures
            .iter()
            .map(|f| format!("{} (Rust / Python)", f.label())),
    );
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
    let none = || "—".to_owned();
    for name in variant_names(m) {
        let rust = variants(&m.rust, &name);
        let python = m
            .python
            .as_ref()
            .map(|p| variants(p, &name))
            .unwrap_or_default();
        let uses = |vs: &[&Variant]| vs.first().map_or_else(none, |v| format!("`{}`", v.uses));
        let wall = |vs: &[&Variant]| stat(vs, |v| Some(v.wall_s));
        let (rust_wall, python_wall) = (wall(&rust), wall(&python));
        let wall_cell = |s: Option<Stats>| s.map_or_else(none, |s| median_range(&s, Unit::Seconds));
        let ideal_of = |vs: &[&Variant]| stat(vs, |v| v.ideal_s).map(|s| s.median);
        let (rust_ideal, python_ideal) = (ideal_of(&rust), ideal_of(&python));
        let ideal = match (rust_ideal, python_ideal) {
            (Some(r), Some(p)) if (r - p).abs() > 0.02 * r.max(p) => {
                format!("{} (Python: {})", seconds(r), seconds(p))
            }
            (Some(r), _) => seconds(r),
            (None, Some(p)) => format!("{} (Python)", seconds(p)),
            (None, None) => none(),
        };
        let over = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) if b > 0.0 => ratio(a / b),
            _ => none(),
        };
        let first = |vs: &[&Variant]| {
            stat(vs, Variant::first_result_s).map_or_else(none, |s| seconds(s.median))
        };
        let mut row = vec![
            format!("`{name}`"),
            format!("{} / {}", uses(&rust), uses(&python)),
            wall_cell(rust_wall),
            wall_cell(python_wall),
            ideal,
            over(rust_wall.map(|s| s.median), rust_ideal),
            python_over_rust(&rust, &python, same_size),
            format!("{} / {}", first(&rust), first(&python)),
        ];
        for &f in &figures {
            let cell = |vs: &[&Variant]| {
                stat(vs, |v| v.figures.get(f)).map_or_else(none, |s| figure(s.median, f.unit()))
            };
            row.push(format!("{} / {}", cell(&rust), cell(&python)));
        }
        out += &format!("| {} |\n", row.join(" | "));
    }

    let size = |runs: Option<&Runs>| runs.map_or_else(none, |r| format!("`{}`", r.traces[0].size));
    out += &format!(
        "\n*Median of {} run{} after {} warm-up; sizes: Rust {}, Python {}. \
         Measured {} at revision `{}` on {} ([the machine](measuring.md)).*\n",
        setup.runs,
        if setup.runs == 1 { "" } else { "s" },
        setup.warmups,
        size(Some(&m.rust)),
        size(m.python.as_ref()),
        setup.date,
        setup.revision,
        setup.machine.summary(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use concurrency_pairs::{Options, Trace};

    fn variant(name: &str, wall_s: f64, waited: Option<f64>) -> Variant {
        let mut v = Variant::new(name, "api");
        v.wall_s = wall_s;
        v.ideal_s = Some(0.8);
        v.received_s = vec![0.3];
        v.figures.b_result_waited_s = waited;
        v
    }

    fn runs(language: &str, walls: &[f64], names: &[&str]) -> Runs {
        let traces = walls
            .iter()
            .map(|&wall| {
                let mut trace = Trace::new("join_order", &Options::default());
                trace.language = language.into();
                trace.variants = names
                    .iter()
                    .map(|n| variant(n, wall, (*n == "a").then_some(0.5)))
                    .collect();
                trace
            })
            .collect();
        Runs { traces }
    }

    #[test]
    fn one_row_per_variant_rust_first_and_a_column_per_figure_reported() {
        let m = Measured {
            example: "join_order".into(),
            rust: runs("rust", &[0.8, 0.81, 0.9], &["a", "b"]),
            python: Some(runs("python", &[1.6], &["a", "c"])),
        };
        let text = render(&m, &Setup::for_tests());
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[0]
                .ends_with("| first result (Rust / Python) | B's result waited (Rust / Python) |"),
            "{}",
            lines[0]
        );
        assert_eq!(
            lines[2],
            "| `a` | `api` / `api` | 810.0 ms (800.0 ms–900.0 ms) | 1.60 s | 800.0 ms | 1.01× \
             | 1.98× | 300.0 ms / 300.0 ms | 500.0 ms / 500.0 ms |"
        );
        assert!(lines[3].starts_with("| `b` | `api` / — |"), "{}", lines[3]);
        assert!(lines[3].ends_with("| — / — |"), "{}", lines[3]);
        assert!(lines[4].starts_with("| `c` | — / `api` |"), "{}", lines[4]);
        assert!(text.contains("*Median of 3 runs after 1 warm-up; sizes: Rust `default`"));
        assert!(text.contains("on 2 cores, test ("), "{text}");
    }

    #[test]
    fn languages_are_compared_on_like_units_only() {
        let counted = |wall_s: f64, increments: f64| {
            let mut v = Variant::new("lock", "api");
            v.wall_s = wall_s;
            v.figures.increments = Some(increments);
            v.figures.increment_s = Some(wall_s / increments);
            v
        };
        // Same workload: the wall times.
        let (r, p) = (counted(1.0, 1e6), counted(3.0, 1e6));
        assert_eq!(python_over_rust(&[&r], &[&p], true), ratio(3.0));
        // Python counted fifty times fewer: per increment, not per run.
        let p = counted(2.0, 2e4);
        assert_eq!(python_over_rust(&[&r], &[&p], true), "100× per increment");
        // Different sizes and nothing per unit: no ratio at all.
        let (mut r, mut p) = (counted(1.0, 1e6), counted(3.0, 1e6));
        (r.figures.increment_s, p.figures.increment_s) = (None, None);
        assert_eq!(python_over_rust(&[&r], &[&p], false), "— (sizes differ)");
    }
}
