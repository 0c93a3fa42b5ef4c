//! The markdown tables of one example: the times, one row per variant, Rust's first,
//! then those only Python has; then each table the example's description declares, a
//! sentence with its question above it, a column per figure and a row per variant that
//! reports any of them.

use concurrency_pairs::{Figure, Pattern, Unit, Variant};

use crate::format::{Scale, Stats, ratio};
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

/// Python's time over Rust's, only on like units: the wall times when both ran the same
/// workload, else the per-unit figure the pattern declares (per increment, per task),
/// else none.
fn python_over_rust(
    pattern: &Pattern,
    rust: &[&Variant],
    python: &[&Variant],
    same_size: bool,
) -> String {
    let median =
        |vs: &[&Variant], f: &dyn Fn(&Variant) -> Option<f64>| stat(vs, f).map(|s| s.median);
    let over = |p: Option<f64>, r: Option<f64>| match (p, r) {
        (Some(p), Some(r)) if r > 0.0 => Some(ratio(p / r)),
        _ => None,
    };
    let differs = |f: &Figure| {
        let (r, p) = (
            median(rust, &|v| v.value(f)),
            median(python, &|v| v.value(f)),
        );
        r.zip(p).is_some_and(|(r, p)| r != p)
    };
    let workload_differs = !same_size || pattern.per_unit.is_some_and(|(w, _)| differs(&w));
    if !workload_differs {
        let wall = |v: &Variant| Some(v.wall_s);
        return over(median(python, &wall), median(rust, &wall)).unwrap_or_else(|| "—".to_owned());
    }
    pattern
        .per_unit
        .and_then(|(_, unit)| {
            let per = |v: &Variant| v.value(&unit);
            over(median(python, &per), median(rust, &per)).map(|r| format!("{r} {}", unit.label))
        })
        .unwrap_or_else(|| "— (sizes differ)".to_owned())
}

/// A markdown table: a header row, its rule, and the rows.
fn markdown(header: &[String], rows: &[Vec<String>]) -> String {
    let mut out = format!(
        "| {} |\n|{}\n",
        header.join(" | "),
        "---|".repeat(header.len())
    );
    for row in rows {
        out += &format!("| {} |\n", row.join(" | "));
    }
    out
}

/// Drop the columns (after the first) whose every cell is empty (`—` or `— / —`).
fn without_empty_columns(header: &mut Vec<String>, rows: &mut [Vec<String>]) {
    let empty = |cell: &str| cell.chars().all(|c| c == '—' || c == '/' || c == ' ');
    for column in (1..header.len()).rev() {
        if rows.iter().all(|row| empty(&row[column])) {
            header.remove(column);
            for row in rows.iter_mut() {
                row.remove(column);
            }
        }
    }
}

/// The tables of one example: the times (one unit per column, in its header), then the
/// tables its description declares, then what each variant uses, then where and when it
/// was measured.
pub fn render(m: &Measured, setup: &Setup) -> String {
    let none = || "—".to_owned();
    // Comparing languages only makes sense on the same workload.
    let same_size = m
        .python
        .as_ref()
        .is_none_or(|p| p.traces[0].size == m.rust.traces[0].size);
    let names = variant_names(m);
    let of = |name: &str| {
        let rust = variants(&m.rust, name);
        let python = m
            .python
            .as_ref()
            .map(|p| variants(p, name))
            .unwrap_or_default();
        (rust, python)
    };
    let wall = |vs: &[&Variant]| stat(vs, |v| Some(v.wall_s));
    let ideal_of = |vs: &[&Variant]| stat(vs, |v| v.ideal_s).map(|s| s.median);
    let first = |vs: &[&Variant]| stat(vs, Variant::first_result_s).map(|s| s.median);

    // One time unit for the whole table: the one that suits its longest wall time.
    let mut longest: f64 = 0.0;
    for name in &names {
        let (rust, python) = of(name);
        for s in [wall(&rust), wall(&python)].into_iter().flatten() {
            longest = longest.max(s.max);
        }
    }
    let time = Scale::of(Unit::Seconds, longest);
    let t = time.unit;
    let mut header: Vec<String> = vec![
        "variant".into(),
        format!("Rust ({t}), median (min–max)"),
        format!("Python ({t})"),
        format!("ideal ({t})"),
        "Rust ÷ ideal".into(),
        "Python ÷ Rust".into(),
        format!("first result ({t}), Rust / Python"),
    ];
    let mut rows: Vec<Vec<String>> = Vec::new();
    for name in &names {
        let (rust, python) = of(name);
        let (rust_wall, python_wall) = (wall(&rust), wall(&python));
        let (rust_ideal, python_ideal) = (ideal_of(&rust), ideal_of(&python));
        let ideal = match (rust_ideal, python_ideal) {
            (Some(r), Some(p)) if (r - p).abs() > 0.02 * r.max(p) => {
                format!("{} / {}", time.show(r), time.show(p))
            }
            (Some(r), _) => time.show(r),
            (None, Some(p)) => format!("— / {}", time.show(p)),
            (None, None) => none(),
        };
        let rust_over_ideal = match (rust_wall, rust_ideal) {
            (Some(w), Some(i)) if i > 0.0 => ratio(w.median / i),
            _ => none(),
        };
        let shown = |x: Option<f64>| x.map_or_else(none, |x| time.show(x));
        rows.push(vec![
            format!("`{name}`"),
            rust_wall.map_or_else(none, |s| time.range(&s)),
            python_wall.map_or_else(none, |s| time.range(&s)),
            ideal,
            rust_over_ideal,
            python_over_rust(&m.pattern, &rust, &python, same_size),
            format!("{} / {}", shown(first(&rust)), shown(first(&python))),
        ]);
    }
    without_empty_columns(&mut header, &mut rows);
    let mut out = markdown(&header, &rows);

    // The declared tables, each after its question; each column in one unit, in its header.
    for table in m.pattern.tables.iter() {
        let mut header = vec!["variant".to_owned()];
        let mut columns: Vec<(Figure, Scale)> = Vec::new();
        for &f in table.figures.iter() {
            let mut largest: f64 = 0.0;
            for name in &names {
                let (rust, python) = of(name);
                for s in [&rust, &python]
                    .map(|vs| stat(vs, |v| v.value(&f)))
                    .into_iter()
                    .flatten()
                {
                    largest = largest.max(s.median.abs());
                }
            }
            let scale = Scale::of(f.unit, largest);
            let unit = match f.unit {
                Unit::Ratio => " (×)".to_owned(),
                _ if scale.unit.is_empty() => String::new(),
                _ => format!(" ({})", scale.unit),
            };
            header.push(format!("{}{unit}, Rust / Python", f.label));
            columns.push((f, scale));
        }
        let mut rows: Vec<Vec<String>> = Vec::new();
        for name in &names {
            let (rust, python) = of(name);
            let mut row = vec![format!("`{name}`")];
            for &(f, scale) in &columns {
                let cell = |vs: &[&Variant]| {
                    stat(vs, |v| v.value(&f)).map_or_else(none, |s| scale.show(s.median))
                };
                row.push(format!("{} / {}", cell(&rust), cell(&python)));
            }
            // A variant that reports none of these figures gets no row here.
            if row[1..].iter().any(|c| c != "— / —") {
                rows.push(row);
            }
        }
        without_empty_columns(&mut header, &mut rows);
        if header.len() > 1 {
            out += &format!("\n{}\n\n", table.question);
            out += &markdown(&header, &rows);
        }
    }

    // What each variant runs, as a list: too long for a table cell.
    out += "\n";
    for name in &names {
        let (rust, python) = of(name);
        let uses = |vs: &[&Variant]| vs.first().map(|v| format!("`{}`", v.uses));
        let described = match (uses(&rust), uses(&python)) {
            (Some(r), Some(p)) if r == p => r,
            (Some(r), Some(p)) => format!("Rust {r}; Python {p}"),
            (Some(r), None) => format!("Rust {r}"),
            (None, Some(p)) => format!("Python {p}"),
            (None, None) => none(),
        };
        out += &format!("- `{name}`: {described}\n");
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
    use concurrency_pairs::{Options, Table, Trace, VariantInfo};

    const WAITED: Figure = Figure::seconds("b_result_waited_s", "B's result waited");
    const DEMO: Pattern = Pattern::new("join_order", "a demo")
        .variants(&[
            VariantInfo::both("a", "api"),
            VariantInfo::rust("b", "api"),
            VariantInfo::python("c"),
        ])
        .tables(&[Table::new("How long did B wait?", &[WAITED])]);
    const INCREMENTS: Figure = Figure::count("increments", "increments");
    const PER_INCREMENT: Figure = Figure::seconds("increment_s", "per increment");
    const COUNTED: Pattern = Pattern::new("shared_state", "a demo")
        .variants(&[VariantInfo::both("lock", "api")])
        .per_unit(INCREMENTS, PER_INCREMENT);

    fn variant(name: &str, wall_s: f64, waited: Option<f64>) -> Variant {
        let mut v = Variant::new(name, "api");
        v.wall_s = wall_s;
        v.ideal_s = Some(0.8);
        v.received_s = vec![0.3];
        if let Some(waited) = waited {
            v.record(WAITED.of(waited));
        }
        v
    }

    fn runs(language: &str, walls: &[f64], names: &[&str]) -> Runs {
        let traces = walls
            .iter()
            .map(|&wall| {
                let mut trace = Trace::new(&DEMO, &Options::default());
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
    fn narrow_tables_rust_first_units_in_the_headers() {
        let m = Measured {
            example: "join_order".into(),
            pattern: DEMO,
            rust: runs("rust", &[0.8, 0.81, 0.9], &["a", "b"]),
            python: Some(runs("python", &[1.6], &["a", "c"])),
        };
        let text = render(&m, &Setup::for_tests());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "| variant | Rust (s), median (min–max) | Python (s) | ideal (s) | Rust ÷ ideal \
             | Python ÷ Rust | first result (s), Rust / Python |"
        );
        assert_eq!(
            lines[2],
            "| `a` | 0.810 (0.800–0.900) | 1.60 | 0.800 | 1.01× | 1.98× | 0.300 / 0.300 |"
        );
        assert!(
            lines[3].starts_with("| `b` | 0.810 (0.800–0.900) | — |"),
            "{}",
            lines[3]
        );
        assert!(lines[4].starts_with("| `c` | — | 1.60 |"), "{}", lines[4]);
        // The figures get a table of their own, in the unit their header names, with a
        // row only for the variants that report them.
        let figures = text.split("\n\n").nth(2).expect("a figures table");
        assert!(text.contains("\nHow long did B wait?\n\n"), "{text}");
        assert_eq!(
            figures,
            "| variant | B's result waited (ms), Rust / Python |\n|---|---|\n| `a` | 500 / 500 |"
        );
        assert!(
            text.contains("- `a`: `api`\n- `b`: Rust `api`\n- `c`: Python `api`\n"),
            "{text}"
        );
        assert!(text.contains("*Median of 3 runs after 1 warm-up; sizes: Rust `default`"));
        assert!(text.contains("on 2 cores, test ("), "{text}");
    }

    #[test]
    fn columns_with_nothing_in_them_are_dropped() {
        let mut header = vec!["variant".to_owned(), "x".to_owned(), "y".to_owned()];
        let mut rows = vec![vec![
            "`a`".to_owned(),
            "— / —".to_owned(),
            "1 / 2".to_owned(),
        ]];
        without_empty_columns(&mut header, &mut rows);
        assert_eq!(header, ["variant", "y"]);
        assert_eq!(rows[0], ["`a`", "1 / 2"]);
    }

    #[test]
    fn languages_are_compared_on_like_units_only() {
        let counted = |wall_s: f64, increments: f64| {
            let mut v = Variant::new("lock", "api");
            v.wall_s = wall_s;
            v.record([
                INCREMENTS.of(increments),
                PER_INCREMENT.of(wall_s / increments),
            ]);
            v
        };
        // Same workload: the wall times.
        let (r, p) = (counted(1.0, 1e6), counted(3.0, 1e6));
        assert_eq!(python_over_rust(&COUNTED, &[&r], &[&p], true), ratio(3.0));
        // Python counted fifty times fewer: per increment, not per run.
        let p = counted(2.0, 2e4);
        assert_eq!(
            python_over_rust(&COUNTED, &[&r], &[&p], true),
            "100× per increment"
        );
        // Different sizes and nothing per unit: no ratio at all.
        let (mut r, mut p) = (counted(1.0, 1e6), counted(3.0, 1e6));
        r.figures.remove("increment_s");
        p.figures.remove("increment_s");
        assert_eq!(
            python_over_rust(&COUNTED, &[&r], &[&p], false),
            "— (sizes differ)"
        );
    }
}
