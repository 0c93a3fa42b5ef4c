//! The markdown tables of one example, each after the question it answers:
//!
//! 1. the declared table that holds the pattern's headline figure, if one does, so the
//!    chapter's point comes first;
//! 2. the times (unless a declared table holds the wall time): a row per variant and language (Rust's first), the wall time as median
//!    (min–max), and how far above its ideal; under it, in one sentence, Python ÷ Rust where both ran the
//!    same work (or per unit of work, or why not);
//! 3. the other declared tables, a column per figure and a row per variant and language
//!    that reports any of them.
//!
//! Every cell carries its own unit, chosen for its size by [`figure`], the same function
//! the headline sentence and the pictures use, so a figure reads the same everywhere.

use concurrency_pairs::{Derived, Figure, Pattern, Table, Unit, Variant};

use crate::format::{Stats, figure, figure_range, ratio};
use crate::measure::{Language, Measured, Runs, Setup};

const NONE: &str = "—";

/// A variant in one language: its copies over every counted run.
struct Row<'a> {
    name: &'a str,
    language: Language,
    runs: Vec<&'a Variant>,
}

impl Row<'_> {
    fn stats(&self, f: impl Fn(&Variant) -> Option<f64>) -> Option<Stats> {
        Stats::of(&self.runs.iter().filter_map(|v| f(v)).collect::<Vec<_>>())
    }

    fn median(&self, f: impl Fn(&Variant) -> Option<f64>) -> Option<f64> {
        self.stats(f).map(|s| s.median)
    }

    /// The median of a declared figure, in its unit.
    fn cell(&self, f: &Figure) -> Option<String> {
        self.median(|v| v.value(f)).map(|x| figure(x, f.unit))
    }

    fn head(&self) -> Vec<String> {
        vec![
            format!("`{}`", self.name),
            language(self.language).to_owned(),
        ]
    }
}

fn language(l: Language) -> &'static str {
    match l {
        Language::Rust => "Rust",
        Language::Python => "Python",
    }
}

/// Every variant in every language that ran it: the variants in Rust's order, then those
/// only Python has; within a variant, Rust first.
fn rows(m: &Measured) -> Vec<Row<'_>> {
    let mut names: Vec<&str> = Vec::new();
    for (_, runs) in m.languages() {
        for v in &runs.traces[0].variants {
            if !names.contains(&v.name.as_str()) {
                names.push(&v.name);
            }
        }
    }
    let mut rows = Vec::new();
    for name in names {
        for (language, runs) in m.languages() {
            let copies: Vec<&Variant> =
                runs.traces.iter().filter_map(|t| t.variant(name)).collect();
            if !copies.is_empty() {
                rows.push(Row {
                    name,
                    language,
                    runs: copies,
                });
            }
        }
    }
    rows
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

/// A table of `columns` (each a header and a cell per row, `None` where the row has no
/// value): rows with no value at all and columns with none are left out.
fn table(rows: &[Row], columns: &[(String, Vec<Option<String>>)]) -> Option<String> {
    let kept: Vec<&(String, Vec<Option<String>>)> = columns
        .iter()
        .filter(|(_, cells)| cells.iter().any(Option::is_some))
        .collect();
    let mut header = vec!["variant".to_owned(), "language".to_owned()];
    header.extend(kept.iter().map(|(h, _)| h.clone()));
    let body: Vec<Vec<String>> = rows
        .iter()
        .enumerate()
        .filter(|&(i, _)| kept.iter().any(|(_, cells)| cells[i].is_some()))
        .map(|(i, row)| {
            let mut line = row.head();
            line.extend(kept.iter().map(|(_, cells)| {
                cells[i].clone().unwrap_or_else(|| NONE.to_owned())
            }));
            line
        })
        .collect();
    (!kept.is_empty() && !body.is_empty()).then(|| markdown(&header, &body))
}

/// The times: wall time, and how far above the ideal: the median of each run's wall
/// time over its own ideal, beside the ideals' median (and range, where the runs' ideals
/// differ). (A pattern whose point is when
/// results arrive declares the first result in a table of its own.)
fn times(rows: &[Row]) -> Option<String> {
    let wall: Vec<Option<String>> = rows
        .iter()
        .map(|r| {
            r.stats(|v| Some(v.wall_s))
                .map(|s| figure_range(&s, Unit::Seconds))
        })
        .collect();
    let over_ideal: Vec<Option<String>> = rows
        .iter()
        .map(|r| {
            // Each run against its own ideal: a rate-based ideal differs run to run.
            let own = |v: &Variant| v.ideal_s.filter(|&i| i > 0.0);
            let over = r.median(|v| own(v).map(|ideal| v.wall_s / ideal))?;
            let ideal = r.stats(own)?;
            Some(format!(
                "{} of {}",
                ratio(over),
                figure_range(&ideal, Unit::Seconds)
            ))
        })
        .collect();
    let question = if over_ideal.iter().any(Option::is_some) {
        "How long did each variant take, and how far above its ideal (a lower bound on the \
         time) was it?"
    } else {
        "How long did each variant take?"
    };
    let table = table(
        rows,
        &[
            ("wall time, median (min–max)".to_owned(), wall),
            ("÷ ideal".to_owned(), over_ideal),
        ],
    )?;
    Some(format!("{question}\n\n{table}"))
}

/// One declared table, after its question.
fn declared(rows: &[Row], t: &Table) -> Option<String> {
    let columns: Vec<(String, Vec<Option<String>>)> = t
        .figures
        .iter()
        .map(|f| {
            (
                f.label.to_string(),
                rows.iter().map(|r| r.cell(f)).collect(),
            )
        })
        .collect();
    Some(format!("{}\n\n{}", t.question, table(rows, &columns)?))
}

/// The keys a pattern declares as figures: what its variants found. Any other key in a
/// variant's figures is an input it was given (`given`).
fn declared_keys(p: &Pattern) -> Vec<&str> {
    let mut keys: Vec<&str> = p
        .tables
        .iter()
        .flat_map(|t| t.figures.iter())
        .chain(p.headline.iter().map(|h| &h.figure))
        .chain(p.sweep.iter().flat_map(|s| s.figures.iter()))
        .map(|f| &*f.key)
        .collect();
    if let Some((work, per)) = &p.per_unit {
        keys.extend([&*work.key, &*per.key]);
    }
    keys
}

/// Why the two languages' copies of a variant did not run the same work: their sizes, or
/// an input given to both that differs. Empty when the work is the same.
fn differences(m: &Measured, rust: &Row, python: &Row) -> Vec<String> {
    let mut why = Vec::new();
    let size = |runs: &Runs| runs.traces[0].size.clone();
    if let Some(p) = &m.python
        && size(&m.rust) != size(p)
    {
        why.push(format!(
            "sizes: Rust `{}`, Python `{}`",
            size(&m.rust),
            size(p)
        ));
    }
    // The inputs, and the figure that counts the work where the pattern declares one.
    let declared = declared_keys(&m.pattern);
    let counts_work =
        |key: &str| m.pattern.per_unit.is_some_and(|(w, _)| *w.key == *key);
    for key in rust.runs[0].figures.keys() {
        if declared.contains(&key.as_str()) && !counts_work(key) {
            continue;
        }
        let of = |row: &Row| row.median(|v| v.figures.get(key).copied());
        if let (Some(r), Some(p)) = (of(rust), of(python))
            && r != p
        {
            why.push(format!(
                "{key}: Rust {}, Python {}",
                figure(r, Unit::Count),
                figure(p, Unit::Count)
            ));
        }
    }
    why
}

/// Python ÷ Rust in one sentence, only on like work: the wall times where both languages
/// ran the same work, else the per-unit figure the pattern declares, else why not.
fn python_over_rust(m: &Measured, rows: &[Row]) -> Option<String> {
    let (mut same, mut per_unit, mut left_out, mut why) =
        (vec![], vec![], vec![], vec![]);
    for pair in rows.windows(2) {
        let [rust, python] = pair else { continue };
        if rust.name != python.name || rust.language != Language::Rust {
            continue;
        }
        let over = |f: &dyn Fn(&Variant) -> Option<f64>| {
            let (r, p) = (rust.median(f)?, python.median(f)?);
            (r > 0.0).then(|| ratio(p / r))
        };
        let differs = differences(m, rust, python);
        if differs.is_empty() {
            if let Some(x) = over(&|v| Some(v.wall_s)) {
                same.push(format!("`{}` {x}", rust.name));
            }
            continue;
        }
        let unit = m.pattern.per_unit.map(|(_, per)| per);
        match unit.and_then(|u| over(&|v| v.value(&u)).map(|x| (u, x))) {
            Some((_, x)) => per_unit.push(format!("`{}` {x}", rust.name)),
            None => {
                left_out.push(format!("`{}`", rust.name));
                for d in differs {
                    if !why.contains(&d) {
                        why.push(d);
                    }
                }
            }
        }
    }
    let mut sentences = Vec::new();
    if !same.is_empty() {
        sentences.push(format!(
            "Python ÷ Rust, on the same work: {}.",
            same.join(", ")
        ));
    }
    if let (false, Some((_, per))) = (per_unit.is_empty(), m.pattern.per_unit) {
        sentences.push(format!(
            "Python ÷ Rust {}, as the languages ran different amounts: {}.",
            per.label,
            per_unit.join(", ")
        ));
    }
    if !left_out.is_empty() {
        sentences.push(format!(
            "No Python ÷ Rust for {}: the two ran different work ({}).",
            left_out.join(", "),
            why.join("; ")
        ));
    }
    (!sentences.is_empty()).then(|| sentences.join(" "))
}

/// The tables of one example (headline's first, then the times, then the rest), what
/// each variant uses, and where and when it was measured.
pub fn render(m: &Measured, setup: &Setup) -> String {
    let rows = rows(m);
    let headline = m.pattern.headline.map(|h| h.figure.key);
    let holds_headline = |t: &Table| {
        headline.is_some_and(|key| t.figures.iter().any(|f| f.key == key))
    };
    let first = m.pattern.tables.iter().position(holds_headline);

    // A declared table with the wall time stands in for the times table.
    let has_wall =
        |t: &Table| t.figures.iter().any(|f| f.derived == Some(Derived::Wall));
    let wall_table = m.pattern.tables.iter().position(has_wall);
    let comparison = python_over_rust(m, &rows);
    let with_comparison = |table: String| match &comparison {
        Some(sentence) => format!("{table}\n{sentence}\n"),
        None => table,
    };
    let mut blocks: Vec<String> = Vec::new();
    let declared_table = |i: usize, blocks: &mut Vec<String>| {
        if let Some(t) = declared(&rows, &m.pattern.tables[i]) {
            blocks.push(if Some(i) == wall_table {
                with_comparison(t)
            } else {
                t
            });
        }
    };
    if let Some(i) = first {
        declared_table(i, &mut blocks);
    }
    if wall_table.is_none() {
        blocks.extend(times(&rows).map(with_comparison));
    }
    for i in 0..m.pattern.tables.len() {
        if Some(i) != first {
            declared_table(i, &mut blocks);
        }
    }
    let mut out = blocks.join("\n");

    // What each variant runs, as a list: too long for a table cell.
    out += "\n";
    let mut listed: Vec<&str> = Vec::new();
    for row in &rows {
        if listed.contains(&row.name) {
            continue;
        }
        listed.push(row.name);
        let uses = |l: Language| {
            rows.iter()
                .find(|r| r.name == row.name && r.language == l)
                .map(|r| format!("`{}`", r.runs[0].uses))
        };
        let described = match (uses(Language::Rust), uses(Language::Python)) {
            (Some(r), Some(p)) if r == p => r,
            (Some(r), Some(p)) => format!("Rust {r}; Python {p}"),
            (Some(r), None) => format!("Rust {r}"),
            (None, Some(p)) => format!("Python {p}"),
            (None, None) => NONE.to_owned(),
        };
        out += &format!("- `{}`: {described}\n", row.name);
    }

    let size = |runs: Option<&Runs>| {
        runs.map_or_else(|| NONE.to_owned(), |r| format!("`{}`", r.traces[0].size))
    };
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
    use concurrency_pairs::{Headline, Options, Trace, VariantInfo, given};

    const WAITED: Figure = Figure::seconds("b_result_waited_s", "B's result waited");
    const DEMO: Pattern = Pattern::new("join_order", "a demo")
        .variants(&[
            VariantInfo::both("a", "api"),
            VariantInfo::rust("b", "api"),
            VariantInfo::python("c"),
        ])
        .headline(Headline::alone(WAITED, "a"))
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
        if let Some(waited) = waited {
            v.record(WAITED.of(waited));
        }
        v
    }

    fn runs(language: &str, walls: &[f64], variants: &[Variant]) -> Runs {
        let traces = walls
            .iter()
            .map(|&wall| {
                let mut trace = Trace::new(&DEMO, &Options::default());
                trace.language = language.into();
                trace.variants = variants
                    .iter()
                    .map(|v| {
                        let mut v = v.clone();
                        v.wall_s = wall;
                        v
                    })
                    .collect();
                trace
            })
            .collect();
        Runs { traces }
    }

    fn measured(pattern: Pattern, rust: Runs, python: Runs) -> Measured {
        Measured {
            example: pattern.name.to_string(),
            pattern,
            rust,
            python: Some(python),
        }
    }

    #[test]
    fn the_headline_table_first_then_the_times_a_row_per_language() {
        let m = measured(
            DEMO,
            runs(
                "rust",
                &[0.8, 0.81, 0.9],
                &[variant("a", 0.0, Some(0.5)), variant("b", 0.0, None)],
            ),
            runs(
                "python",
                &[1.62],
                &[variant("a", 0.0, Some(0.5)), variant("c", 0.0, None)],
            ),
        );
        let text = render(&m, &Setup::for_tests());
        let blocks: Vec<&str> = text.split("\n\n").collect();
        // The headline's table comes first, after its question, a row per language.
        assert_eq!(blocks[0], "How long did B wait?");
        assert_eq!(
            blocks[1],
            "| variant | language | B's result waited |\n|---|---|---|\n\
             | `a` | Rust | 500.0 ms |\n| `a` | Python | 500.0 ms |"
        );
        assert!(
            blocks[2].starts_with("How long did each variant take"),
            "{text}"
        );
        let times: Vec<&str> = blocks[3].lines().collect();
        assert_eq!(
            times[..3],
            [
                "| variant | language | wall time, median (min–max) | ÷ ideal |",
                "|---|---|---|---|",
                "| `a` | Rust | 810.0 ms (800–900) | 1.01× of 800.0 ms |",
            ]
        );
        assert_eq!(times[3], "| `a` | Python | 1.62 s | 2.02× of 800.0 ms |");
        assert!(times[4].starts_with("| `b` | Rust |"), "{text}");
        assert!(times[5].starts_with("| `c` | Python |"), "{text}");
        // Both ran `a`, the same work: Python ÷ Rust in a sentence, not a column.
        assert_eq!(blocks[4], "Python ÷ Rust, on the same work: `a` 2.00×.");
        assert!(
            text.contains("- `a`: `api`\n- `b`: Rust `api`\n- `c`: Python `api`\n"),
            "{text}"
        );
        assert!(
            text.contains("*Median of 3 runs after 1 warm-up; sizes: Rust `default`")
        );
    }

    #[test]
    fn rows_and_columns_with_nothing_in_them_are_left_out() {
        let rows = [
            Row {
                name: "a",
                language: Language::Rust,
                runs: vec![],
            },
            Row {
                name: "b",
                language: Language::Python,
                runs: vec![],
            },
        ];
        let columns = [
            ("x".to_owned(), vec![None, None]),
            ("y".to_owned(), vec![None, Some("2".to_owned())]),
        ];
        assert_eq!(
            table(&rows, &columns).expect("a value"),
            "| variant | language | y |\n|---|---|---|\n| `b` | Python | 2 |\n"
        );
        let nothing = [("x".to_owned(), vec![None, None])];
        assert_eq!(table(&rows, &nothing), None);
    }

    #[test]
    fn languages_are_compared_on_like_work_only() {
        let counted = |wall_s: f64, increments: f64| {
            let mut v = Variant::new("lock", "api");
            v.wall_s = wall_s;
            v.record([
                INCREMENTS.of(increments),
                PER_INCREMENT.of(wall_s / increments),
            ]);
            v
        };
        let one = |v: Variant| {
            let mut trace = Trace::new(&COUNTED, &Options::default());
            trace.variants = vec![v];
            Runs {
                traces: vec![trace],
            }
        };
        let compare = |r: Variant, p: Variant| {
            let m = measured(COUNTED, one(r), one(p));
            python_over_rust(&m, &rows(&m)).expect("both ran `lock`")
        };
        // Same workload: the wall times.
        assert_eq!(
            compare(counted(1.0, 1e6), counted(3.0, 1e6)),
            "Python ÷ Rust, on the same work: `lock` 3.00×."
        );
        // Python counted fifty times fewer: per increment, not per run.
        assert_eq!(
            compare(counted(1.0, 1e6), counted(2.0, 2e4)),
            "Python ÷ Rust per increment, as the languages ran different amounts: `lock` 100×."
        );
        // An input given to both that differs, and nothing per unit: no ratio, and why.
        let given_jobs = |wall_s: f64, jobs: u64| {
            let mut v = Variant::new("lock", "api");
            v.wall_s = wall_s;
            v.record(given("jobs", jobs));
            v
        };
        assert_eq!(
            compare(given_jobs(1.0, 100), given_jobs(3.0, 20)),
            "No Python ÷ Rust for `lock`: the two ran different work (jobs: Rust 100, Python 20)."
        );
    }

    #[test]
    fn each_run_is_held_against_its_own_ideal() {
        // Ideals of 0.4, 0.5 and 0.6 s, each run 1.1× its own: the median ratio is
        // 1.10×, whatever the median wall over the median ideal would say.
        let mut rust = runs("rust", &[0.44, 0.55, 0.66], &[variant("a", 0.0, None)]);
        for (trace, ideal) in rust.traces.iter_mut().zip([0.4, 0.5, 0.6]) {
            trace.variants[0].ideal_s = Some(ideal);
        }
        let python = runs("python", &[0.8], &[variant("a", 0.0, None)]);
        let text = render(&measured(DEMO, rust, python), &Setup::for_tests());
        assert!(text.contains("| 1.10× of 500.0 ms (400–600) |"), "{text}");
    }
}
