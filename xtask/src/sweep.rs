//! `cargo xtask sweep`: every example that declares a sweep (its `Pattern`'s `sweep`),
//! run over its sizes in fresh processes, one per (language, variant, N, run), so each
//! run's peak memory is its own; then a compact table, a log-log picture per figure and
//! a headline, all from what the example declares: its sizes, variants, flags, caps and
//! figures. Nothing here knows which example it sweeps.
//!
//! Writes, into `--out` (default `book/src/generated/`), for each example NAME:
//!
//! - `NAME.sweep.md`: the sweep's first figure (its point), one row per N, the first
//!   variant declared beside the lowest in each language (every one, if two or fewer);
//! - `NAME.sweep.full.md`: every figure, a table per (language, variant), a row per N;
//! - `NAME.sweep.KEY.svg`: that figure against N, both axes logarithmic (with the ideal
//!   beside the wall time, where the variants report one);
//! - `NAME.sweep.headline.md`: the first figure of the compact table's variants at the
//!   largest N each language reached.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, ensure};
use concurrency_pairs::{Derived, Figure, Pattern, Variant};

use crate::format::{
    IDEAL_PYTHON, IDEAL_RUST, Mark, PALETTE, Stats, figure, thousands,
    write_generated,
};
use crate::measure::{self, Fresh, Job, Language, Setup, plan, warm_ups};
use crate::plot::{LogLog, Marker, Series, log_log};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Only this example (repeat for several); by default every example with a sweep.
    #[arg(long, value_name = "NAME")]
    only: Vec<String>,
    /// Counted runs at each N up to the sweep's repeated sizes; larger N run once.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    runs: u32,
    /// The first two sizes, one run each, no warm-up: checks the tool works.
    #[arg(long)]
    quick: bool,
    /// Write here instead of book/src/generated.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

pub fn run(args: &Args) -> Result<()> {
    let root = measure::root();
    let all = measure::examples(&root)?;
    for name in &args.only {
        ensure!(
            all.contains(name),
            "unknown example `{name}` (known: {})",
            all.join(", ")
        );
    }
    let names: Vec<&str> = all.iter().map(String::as_str).collect();
    measure::build_release(&root, &names)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| root.join("book/src/generated"));
    std::fs::create_dir_all(&out)
        .with_context(|| format!("creating {}", out.display()))?;
    // One setup for the whole run: the revision is read before any file is written.
    let warmups = u32::from(!args.quick);
    let setup = Setup::now(if args.quick { 1 } else { args.runs }, warmups);
    let started = Instant::now();
    let mut swept = 0;
    for name in &all {
        let pattern = measure::describe(&root, name)?;
        let chosen = args.only.is_empty() || args.only.contains(name);
        if pattern.sweep.is_none() || !chosen {
            ensure!(args.only.is_empty() || !chosen, "{name} declares no sweep");
            continue;
        }
        sweep(&root, &out, &pattern, args, &setup)?;
        swept += 1;
    }
    ensure!(swept > 0, "no example declares a sweep");
    eprintln!(
        "swept {swept} examples into {} in {:.0} s",
        out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Every run of one (language, variant, N).
#[derive(Debug, Clone, PartialEq)]
struct Cell {
    language: Language,
    variant: String,
    n: u64,
    runs: Vec<Variant>,
}

impl Cell {
    fn median(&self, f: &Figure) -> Option<f64> {
        let values: Vec<f64> = self.runs.iter().filter_map(|v| v.value(f)).collect();
        Stats::of(&values).map(|s| s.median)
    }

    fn ideal(&self) -> Option<f64> {
        let values: Vec<f64> = self.runs.iter().filter_map(|v| v.ideal_s).collect();
        Stats::of(&values).map(|s| s.median)
    }
}

/// The jobs a sweep declares: sizes ascending, Rust's variants then Python's, each up to
/// its largest N, repeated up to the sweep's repeated sizes.
fn jobs(
    pattern: &Pattern,
    languages: &[Language],
    runs: u32,
    quick: bool,
) -> Vec<Job> {
    let sweep = pattern.sweep.expect("only swept patterns are planned");
    let sizes = &sweep.sizes[..if quick {
        2.min(sweep.sizes.len())
    } else {
        sweep.sizes.len()
    }];
    let languages: Vec<(Language, Vec<String>)> = languages
        .iter()
        .map(|&language| {
            let python = language == Language::Python;
            let names = sweep.variants.iter().filter(|v| {
                pattern
                    .variant(v)
                    .is_some_and(|d| if python { d.in_python() } else { d.in_rust() })
            });
            (language, names.map(|v| v.0.to_owned()).collect())
        })
        .collect();
    plan(sizes, &languages, |language, variant, n| {
        let largest = sweep.largest(variant, language == Language::Python);
        let repeated = if quick || n > sweep.repeated_up_to {
            1
        } else {
            runs
        };
        (n <= largest).then_some(repeated)
    })
}

/// Sweep one example and write its files.
fn sweep(
    root: &Path,
    out: &Path,
    pattern: &Pattern,
    args: &Args,
    setup: &Setup,
) -> Result<()> {
    let sweep = pattern.sweep.expect("only swept patterns are swept");
    let name = pattern.name.0;
    let flags: Vec<&str> = sweep.flags.iter().map(|f| f.0).collect();
    let languages: Vec<Language> = Language::BOTH
        .into_iter()
        .filter(|l| l.has(root, name))
        .collect();
    let jobs = jobs(pattern, &languages, args.runs, args.quick);
    let warmups = setup.warmups;
    let fresh = Fresh::new(root, name, &flags);
    let bar = measure::progress();
    let read = |_: &Job, v: &Variant| Ok(v.clone());
    let results = fresh.run_all(&bar, &warm_ups(&jobs, warmups), &jobs, read)?;
    bar.finish_and_clear();
    let cells: Vec<Cell> = jobs
        .into_iter()
        .zip(results)
        .map(|(job, runs)| Cell {
            language: job.language,
            variant: job.variant,
            n: job.n,
            runs,
        })
        .collect();
    let series = series_of(&cells);
    let mut files = vec![
        (
            format!("{name}.sweep.md"),
            table(&cells, &series, &sweep.figures, setup),
        ),
        (
            format!("{name}.sweep.full.md"),
            full_table(&cells, &series, &sweep.figures, setup),
        ),
        (
            format!("{name}.sweep.headline.md"),
            headline(&cells, &series, &sweep.figures),
        ),
    ];
    for f in sweep.figures.iter() {
        let svg = picture(pattern, &cells, &series, f)
            .with_context(|| format!("drawing {name}'s {}", f.label))?;
        files.push((format!("{name}.sweep.{}.svg", f.key), svg));
    }
    for (file, text) in files {
        write_generated(out, &file, Mark::Sweep, &text)?;
    }
    Ok(())
}

/// The (language, variant) pairs, in the order they ran.
fn series_of(cells: &[Cell]) -> Vec<(Language, String)> {
    let mut series: Vec<(Language, String)> = Vec::new();
    for c in cells {
        if !series
            .iter()
            .any(|(l, v)| *l == c.language && *v == c.variant)
        {
            series.push((c.language, c.variant.clone()));
        }
    }
    series.sort_by_key(|(l, _)| *l == Language::Python);
    series
}

fn cell<'a>(
    cells: &'a [Cell],
    (language, variant): &(Language, String),
    n: u64,
) -> Option<&'a Cell> {
    cells
        .iter()
        .find(|c| c.language == *language && c.variant == *variant && c.n == n)
}

/// The series a compact table shows, per language: the first one declared and the one
/// lowest on `f` at the largest N that language ran with more than one series (all of
/// them where that is no more than two).
fn chosen(
    cells: &[Cell],
    series: &[(Language, String)],
    f: &Figure,
) -> Vec<(Language, String)> {
    let mut chosen = Vec::new();
    for language in Language::BOTH {
        let own: Vec<&(Language, String)> =
            series.iter().filter(|s| s.0 == language).collect();
        if own.len() <= 2 {
            chosen.extend(own.into_iter().cloned());
            continue;
        }
        let at = |s: &(Language, String), n: u64| {
            cell(cells, s, n).and_then(|c| c.median(f))
        };
        let shared = cells
            .iter()
            .filter(|c| c.language == language)
            .map(|c| c.n)
            .filter(|&n| own.iter().filter(|s| at(s, n).is_some()).count() > 1)
            .max();
        let best = shared.and_then(|n| {
            own.iter()
                .filter_map(|s| Some((*s, at(s, n)?)))
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(s, _)| s)
        });
        chosen.push(own[0].clone());
        if let Some(best) = best.filter(|b| *b != own[0]) {
            chosen.push(best.clone());
        }
    }
    chosen
}

/// Rows of N against columns of series, a figure per cell in its own unit; `None` if no
/// series has a value.
fn grid(
    cells: &[Cell],
    columns: &[(Language, String)],
    f: &Figure,
) -> Option<String> {
    let mut sizes: Vec<u64> = cells
        .iter()
        .filter(|c| {
            columns
                .iter()
                .any(|s| s.0 == c.language && s.1 == c.variant)
        })
        .filter(|c| c.median(f).is_some())
        .map(|c| c.n)
        .collect();
    sizes.sort_unstable();
    sizes.dedup();
    if sizes.is_empty() {
        return None;
    }
    let mut out = "| N |".to_owned();
    for (language, variant) in columns {
        out += &format!(" {} `{variant}` |", language.name());
    }
    out += &format!("\n|---|{}\n", "---|".repeat(columns.len()));
    for &n in &sizes {
        out += &format!("| {} |", thousands(n));
        for s in columns {
            let value = cell(cells, s, n).and_then(|c| c.median(f));
            out += &format!(
                " {} |",
                value.map_or("—".to_owned(), |x| figure(x, f.unit))
            );
        }
        out += "\n";
    }
    Some(out)
}

/// The footer of both tables: how and where the sweep was measured.
fn footer(setup: &Setup) -> String {
    format!(
        "\n*Median of {} run{} up to the repeated sizes (one run beyond), a fresh process \
         each, after {} warm-up. Measured {} at revision `{}` on {} \
         ([the machine](measuring.md)).*\n",
        setup.runs,
        if setup.runs == 1 { "" } else { "s" },
        setup.warmups,
        setup.date,
        setup.revision,
        setup.machine.summary(),
    )
}

/// `NAME.sweep.md`: the sweep's first figure (its point) at each N, the first variant
/// declared beside the lowest, in one table where the languages ran the same sizes,
/// else a table per language.
fn table(
    cells: &[Cell],
    series: &[(Language, String)],
    figures: &[Figure],
    setup: &Setup,
) -> String {
    let Some(f) = figures.first() else {
        return String::new();
    };
    let columns = chosen(cells, series, f);
    let sizes_of = |language: Language| {
        let mut n: Vec<u64> = cells
            .iter()
            .filter(|c| c.language == language)
            .map(|c| c.n)
            .collect();
        n.sort_unstable();
        n.dedup();
        n
    };
    let mut out = format!("\nWhat is the {} at each N?", f.label);
    if columns.len() < series.len() {
        out += " In each language, the first variant declared beside the lowest at the \
                largest N; every variant is in the full tables.";
    }
    out += "\n\n";
    let languages: Vec<Language> = Language::BOTH
        .into_iter()
        .filter(|l| columns.iter().any(|s| s.0 == *l))
        .collect();
    let same_sizes = languages
        .windows(2)
        .all(|w| sizes_of(w[0]) == sizes_of(w[1]));
    if same_sizes {
        out += &grid(cells, &columns, f).unwrap_or_default();
    } else {
        for language in languages {
            let own: Vec<(Language, String)> = columns
                .iter()
                .filter(|s| s.0 == language)
                .cloned()
                .collect();
            if let Some(g) = grid(cells, &own, f) {
                out += &format!("\n{}:\n\n{g}", language.name());
            }
        }
    }
    out + &footer(setup)
}

/// `NAME.sweep.full.md`: every figure of every series, a table per series with a row per
/// N it ran and a column per figure.
fn full_table(
    cells: &[Cell],
    series: &[(Language, String)],
    figures: &[Figure],
    setup: &Setup,
) -> String {
    let mut out = String::new();
    for s in series {
        let own: Vec<&Cell> = cells
            .iter()
            .filter(|c| c.language == s.0 && c.variant == s.1)
            .collect();
        let shown: Vec<&Figure> = figures
            .iter()
            .filter(|f| own.iter().any(|c| c.median(f).is_some()))
            .collect();
        if own.is_empty() || shown.is_empty() {
            continue;
        }
        out += &format!("\n**{} `{}`**\n\n| N |", s.0.name(), s.1);
        for f in &shown {
            out += &format!(" {} |", f.label);
        }
        out += &format!("\n|---|{}\n", "---|".repeat(shown.len()));
        for c in own {
            out += &format!("| {} |", thousands(c.n));
            for f in &shown {
                let value =
                    c.median(f).map_or("—".to_owned(), |x| figure(x, f.unit));
                out += &format!(" {value} |");
            }
            out += "\n";
        }
    }
    out + &footer(setup)
}

/// The sweep's point in a sentence: its first figure at the largest N each language
/// reached, for the series the compact table shows.
fn headline(
    cells: &[Cell],
    series: &[(Language, String)],
    figures: &[Figure],
) -> String {
    let Some(f) = figures.first() else {
        return String::new();
    };
    let columns = chosen(cells, series, f);
    let mut parts = Vec::new();
    for language in Language::BOTH {
        let own: Vec<&Cell> = cells
            .iter()
            .filter(|c| c.language == language)
            .filter(|c| {
                columns
                    .iter()
                    .any(|s| s.0 == c.language && s.1 == c.variant)
            })
            .collect();
        let Some(n) = own.iter().map(|c| c.n).max() else {
            continue;
        };
        let at_n: Vec<String> = own
            .iter()
            .filter(|c| c.n == n)
            .filter_map(|c| {
                Some(format!("`{}` {}", c.variant, figure(c.median(f)?, f.unit)))
            })
            .collect();
        parts.push(format!(
            "**{}** at {}: {}",
            language.name(),
            thousands(n),
            at_n.join(", ")
        ));
    }
    format!("Measured here, {}: {}.\n", f.label, parts.join("; "))
}

/// One figure against N: a line per series (Rust circles, Python triangles), and the
/// ideal, dashed, beside a wall time.
fn picture(
    pattern: &Pattern,
    cells: &[Cell],
    series: &[(Language, String)],
    f: &Figure,
) -> Result<String> {
    let mut lines: Vec<Series> = series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let points = cells
                .iter()
                .filter(|c| c.language == s.0 && c.variant == s.1)
                .filter_map(|c| Some((c.n as f64, c.median(f)?)))
                .collect();
            Series {
                label: format!("{} {}", s.0.name(), s.1),
                points,
                colour: PALETTE[i % PALETTE.len()],
                dashed: s.0 == Language::Python,
                marker: Some(match s.0 {
                    Language::Rust => Marker::Circle,
                    Language::Python => Marker::Triangle,
                }),
            }
        })
        .collect();
    if f.derived == Some(Derived::Wall) {
        for (language, colour) in [
            (Language::Rust, IDEAL_RUST),
            (Language::Python, IDEAL_PYTHON),
        ] {
            let mut ideal: Vec<(f64, f64)> = Vec::new();
            for c in cells.iter().filter(|c| c.language == language) {
                let n = c.n as f64;
                if let Some(i) = c.ideal().filter(|_| !ideal.iter().any(|p| p.0 == n))
                {
                    ideal.push((n, i));
                }
            }
            if !ideal.is_empty() {
                lines.push(Series {
                    label: format!("ideal ({})", language.name()),
                    points: ideal,
                    colour,
                    dashed: true,
                    marker: None,
                });
            }
        }
    }
    let title = format!("{}: {} against N", pattern.name, f.label);
    let axes = LogLog {
        title: &title,
        x_desc: "N (tasks)",
        y_desc: &f.label,
        y_unit: f.unit,
    };
    log_log(&axes, &lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use concurrency_pairs::{Sweep, Text, VariantInfo, common::WALL};

    const SWEPT: Pattern = Pattern::new("demo", "a demo")
        .variants(&[VariantInfo::both("a", "x"), VariantInfo::rust("b", "y")])
        .sweep(
            Sweep::new(&[1_000, 2_000, 5_000], &[Text("a"), Text("b")])
                .figures(&[WALL])
                .python_largest(2_000)
                .caps(&[(Text("b"), 1_000)])
                .repeated_up_to(1_000),
        );

    #[test]
    fn a_sweep_plans_every_size_up_to_each_variants_largest() {
        let plan: Vec<(Language, String, u64, u32)> =
            jobs(&SWEPT, &[Language::Rust], 3, false)
                .into_iter()
                .map(|j| (j.language, j.variant, j.n, j.runs))
                .collect();
        // Rust only: `b` stops at its cap, repeats stop at 1,000.
        assert_eq!(
            plan,
            [
                (Language::Rust, "a".into(), 1_000, 3),
                (Language::Rust, "b".into(), 1_000, 3),
                (Language::Rust, "a".into(), 2_000, 1),
                (Language::Rust, "a".into(), 5_000, 1),
            ]
        );
        assert_eq!(jobs(&SWEPT, &[Language::Rust], 3, true).len(), 3);
    }

    #[test]
    fn tables_and_headlines_read_the_medians() {
        let run = |wall_s: f64| {
            let mut v = Variant::new("a", "x");
            v.wall_s = wall_s;
            v
        };
        let cells = vec![
            Cell {
                language: Language::Rust,
                variant: "a".into(),
                n: 1_000,
                runs: vec![run(0.1), run(0.3), run(0.2)],
            },
            Cell {
                language: Language::Rust,
                variant: "a".into(),
                n: 2_000,
                runs: vec![run(0.4)],
            },
        ];
        let series = series_of(&cells);
        let text = table(&cells, &series, &[WALL], &Setup::for_tests());
        assert!(text.contains("| N | Rust `a` |"), "{text}");
        assert!(text.contains("| 1,000 | 200.0 ms |"), "{text}");
        let full = full_table(&cells, &series, &[WALL], &Setup::for_tests());
        assert!(full.contains("**Rust `a`**\n\n| N | wall time |"), "{full}");
        assert!(full.contains("| 2,000 | 400.0 ms |"), "{full}");
        assert_eq!(
            headline(&cells, &series, &[WALL]),
            "Measured here, wall time: **Rust** at 2,000: `a` 400.0 ms.\n"
        );
    }
}
