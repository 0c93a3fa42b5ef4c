//! `cargo xtask timings --articles`: the figures the articles print, each beside ours for
//! the same code at the article's own size (`--full`), with a verdict. Every example
//! declares its articles' figures (`ArticleFigure`, read through `--describe`); this
//! runs the variants they name and writes `articles.md` (the book's page) and, per
//! example, `NAME.articles.md` (the line of its chapter's opening box).

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use concurrency_pairs::figures::Unit;
use concurrency_pairs::{ArticleFigure, Pattern, Trace};
use indicatif::ProgressBar;

use crate::format::{Mark, Stats, figure, figure_range, write_generated};
use crate::measure::{self, Language, Setup};

/// A run longer than this is not repeated: one is enough to compare with an article's
/// figure, and the crawler's twin at the article's size takes minutes.
const REPEAT_UNDER_S: f64 = 30.0;

/// One article figure and what each language measured for it.
struct Row {
    example: String,
    declared: ArticleFigure,
    python: Option<Stats>,
    rust: Option<Stats>,
    /// Runs behind each language's figure (the fewest, if they differ).
    runs: usize,
}

impl Row {
    /// "holds", or why not; `None` where Python did not run it (a quick check).
    fn verdict(&self, quick: bool) -> String {
        let Some(ours) = self.python.or(self.rust) else {
            return "not measured".to_owned();
        };
        if quick {
            return "not judged: a quick run".to_owned();
        }
        if self.declared.holds(ours.median) {
            "holds".to_owned()
        } else if self.declared.differs.0.is_empty() {
            "differs here, for no reason the example declares".to_owned()
        } else {
            format!("differs here: {}", self.declared.differs.0)
        }
    }

    /// The verdict for the page's table: a declared reason goes under the table, so
    /// the table keeps to the text column.
    fn short_verdict(&self, quick: bool) -> String {
        let verdict = self.verdict(quick);
        match self.reason(quick) {
            Some(_) => "differs here (why: below)".to_owned(),
            None => verdict,
        }
    }

    /// Why the figure differs here, where it does and the example says why.
    fn reason(&self, quick: bool) -> Option<&str> {
        let differs = self.verdict(quick).starts_with("differs here: ");
        differs.then_some(self.declared.differs.0)
    }

    fn unit(&self) -> Unit {
        if self.declared.over.is_some() || self.declared.per.is_some() {
            Unit::Ratio
        } else {
            self.declared.figure.unit
        }
    }

    /// A value in the row's unit; a share (`per`) as a percentage of the runs.
    fn show(&self, value: f64) -> String {
        if self.declared.per.is_some() {
            format!("{:.0}%", value * 100.0)
        } else {
            figure(value, self.unit())
        }
    }

    fn show_stats(&self, stats: Option<Stats>) -> String {
        match stats {
            None => "–".to_owned(),
            Some(s) if self.declared.per.is_some() => self.show(s.median),
            Some(s) => figure_range(&s, self.unit()),
        }
    }
}

/// Run every declared article figure's variants and write the page and the lines.
pub fn run(root: &Path, out: &Path, setup: &Setup, quick: bool) -> Result<()> {
    let all = measure::examples(root)?;
    let names: Vec<&str> = all.iter().map(String::as_str).collect();
    measure::build_release(root, &names)?;
    let started = Instant::now();
    let bar = measure::progress();
    let mut rows = Vec::new();
    let mut patterns = Vec::new();
    for name in &all {
        let pattern = measure::describe(root, name)?;
        for declared in pattern.article.iter() {
            rows.push(measure_row(root, &bar, &pattern, declared, setup, quick)?);
        }
        patterns.push(pattern);
    }
    bar.finish_and_clear();
    write_generated(
        out,
        "articles.md",
        Mark::Timings,
        &page(root, &rows, setup, quick),
    )?;
    for pattern in &patterns {
        let mine: Vec<&Row> = rows
            .iter()
            .filter(|r| r.example == pattern.name.0)
            .collect();
        let name = format!("{}.articles.md", pattern.name.0);
        write_generated(out, &name, Mark::Timings, &opening_line(&mine, quick))?;
    }
    eprintln!(
        "wrote the articles' figures to {} in {:.0} s",
        out.display(),
        started.elapsed().as_secs_f64()
    );
    let unexplained: Vec<String> = rows
        .iter()
        .filter(|r| r.verdict(quick).contains("no reason"))
        .map(|r| format!("{} ({})", r.example, r.declared.words.0))
        .collect();
    if !unexplained.is_empty() {
        bail!(
            "these figures differ from the article's and their examples say not why: {}",
            unexplained.join("; ")
        );
    }
    Ok(())
}

fn measure_row(
    root: &Path,
    bar: &ProgressBar,
    pattern: &Pattern,
    declared: &ArticleFigure,
    setup: &Setup,
    quick: bool,
) -> Result<Row> {
    let name = pattern.name.0;
    let info = pattern.variant(declared.variant.0).with_context(|| {
        format!("{name} declares no variant `{}`", declared.variant)
    })?;
    let mut row = Row {
        example: name.to_owned(),
        declared: *declared,
        python: None,
        rust: None,
        runs: usize::MAX,
    };
    for language in Language::BOTH {
        let runs_it = match language {
            Language::Rust => info.in_rust(),
            Language::Python => info.in_python() && language.has(root, name),
        };
        if !runs_it {
            continue;
        }
        let values =
            measure_language(root, bar, name, language, declared, setup, quick)?;
        row.runs = row.runs.min(values.len());
        let stats = Stats::of(&values);
        match language {
            Language::Rust => row.rust = stats,
            Language::Python => row.python = stats,
        }
    }
    Ok(row)
}

/// The figure's value in each run of `language`, fresh processes, `--full` unless quick.
fn measure_language(
    root: &Path,
    bar: &ProgressBar,
    name: &str,
    language: Language,
    declared: &ArticleFigure,
    setup: &Setup,
    quick: bool,
) -> Result<Vec<f64>> {
    let mut values = Vec::new();
    for k in 1..=setup.runs {
        let what =
            format!("{name} ({}) {}, run {k}", language.name(), declared.variant);
        bar.inc_length(1);
        bar.set_message(what.clone());
        let started = Instant::now();
        let value = |variant: &str| -> Result<f64> {
            let mut command = language.command(root, name);
            command.args(["--json", "--variant", variant]);
            if !quick {
                command.arg("--full");
            }
            let stdout =
                measure::run_once(&mut command).with_context(|| what.clone())?;
            let trace = measure::parse_trace(&stdout, name, language)?;
            figure_of(&trace, variant, declared)
        };
        let mine = value(declared.variant.0)?;
        values.push(match declared.over {
            Some(over) => value(over.0)? / mine,
            None => mine,
        });
        bar.inc(1);
        if started.elapsed().as_secs_f64() > REPEAT_UNDER_S {
            break;
        }
    }
    Ok(values)
}

/// The declared figure of `variant` in one run (divided by `per`, for a share).
fn figure_of(trace: &Trace, variant: &str, declared: &ArticleFigure) -> Result<f64> {
    let v = trace
        .variant(variant)
        .with_context(|| format!("the run printed no variant `{variant}`"))?;
    let value = |f: &concurrency_pairs::Figure| {
        v.value(f)
            .with_context(|| format!("`{variant}` reported no `{}`", f.key))
    };
    let mine = value(&declared.figure)?;
    Ok(match &declared.per {
        Some(per) => mine / value(per)?,
        None => mine,
    })
}

/// The chapter that shows `example`: the page that includes its table.
fn chapter_of(root: &Path, example: &str) -> String {
    let wanted = format!("generated/{example}.md");
    let pages = std::fs::read_dir(root.join("book/src"))
        .into_iter()
        .flatten();
    pages
        .flatten()
        .map(|e| e.path())
        .find(|p| std::fs::read_to_string(p).is_ok_and(|t| t.contains(&wanted)))
        .and_then(|p| Some(p.file_stem()?.to_string_lossy().into_owned()))
        .unwrap_or_else(|| example.to_owned())
}

/// The page's table: one row per figure, the article's beside ours in each language.
fn page(root: &Path, rows: &[Row], setup: &Setup, quick: bool) -> String {
    let mut text = String::from(
        "| the article's code (our chapter) | the article's figure | Python here \
         | Rust here | verdict |\n|---|---|---|---|---|\n",
    );
    // The figure's words and a link to its chapter, for the table and the list.
    let links: Vec<String> = rows
        .iter()
        .map(|r| {
            let chapter = chapter_of(root, &r.example);
            format!("{} ([{}]({chapter}.md))", r.declared.words.0, r.example)
        })
        .collect();
    for (i, r) in rows.iter().enumerate() {
        text += &format!(
            "| {} | {} in “{}” | {} | {} | {} |\n",
            links[i],
            r.show(r.declared.stated),
            r.declared.article.0,
            r.show_stats(r.python),
            r.show_stats(r.rust),
            r.short_verdict(quick),
        );
    }
    let reasons: Vec<String> = links
        .iter()
        .zip(rows)
        .filter_map(|(link, r)| Some(format!("- {link}: {}\n", r.reason(quick)?)))
        .collect();
    if !reasons.is_empty() {
        text += "\nWhy a figure differs here:\n\n";
        text += &reasons.concat();
    }
    text += "\nThe suite's test that holds each verdict:\n\n";
    for (link, r) in links.iter().zip(rows) {
        text += &format!("- {link}: `{}`\n", r.declared.test.0);
    }
    let sizes = if quick {
        "the default sizes (a quick check of the tool)"
    } else {
        "the articles' own sizes (`--full`)"
    };
    let most = rows.iter().map(|r| r.runs).max().unwrap_or(0);
    let fewest = rows.iter().map(|r| r.runs).min().unwrap_or(0);
    let runs = match (most, fewest) {
        (1, _) => "one run".to_owned(),
        (m, f) if f < m => format!(
            "{m} runs ({f} where a run took over {REPEAT_UNDER_S:.0} s: those are \
             not repeated)"
        ),
        (m, _) => format!("{m} runs"),
    };
    text += &format!(
        "\n*Median (min–max) of {runs}, each a fresh process, at {sizes}. A ratio \
         or a share is of two figures of the same run. Measured {} at revision `{}` \
         on {} ([the machine](measuring.md)) by `cargo xtask timings --articles`.*\n",
        setup.date,
        setup.revision,
        setup.machine.summary()
    );
    text
}

/// The chapter's line: each of its figures, the article's against ours, in a sentence.
fn opening_line(rows: &[&Row], quick: bool) -> String {
    let link = "[every article's figure](articles.md)";
    if rows.is_empty() {
        return format!(
            "**The articles' figures:** none of the articles prints one for this \
             pattern's code; {link} beside ours.\n"
        );
    }
    let each: Vec<String> = rows
        .iter()
        .map(|r| {
            let ours = |s: Option<Stats>, language: &str| {
                s.map(|s| format!("{} in {language}", r.show(s.median)))
            };
            let here: Vec<String> = [ours(r.python, "Python"), ours(r.rust, "Rust")]
                .into_iter()
                .flatten()
                .collect();
            format!(
                "{}: {} in “{}”; here {}: {}",
                r.declared.words.0,
                r.show(r.declared.stated),
                r.declared.article.0,
                here.join(", "),
                r.verdict(quick)
            )
        })
        .collect();
    format!(
        "**The articles' figures:** {}. See {link}.\n",
        each.join(". ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use concurrency_pairs::common::WALL;

    const NINE: ArticleFigure = ArticleFigure::new(
        "An article",
        "nine sleeps",
        9.0,
        WALL,
        "wait-all",
        "t::f",
    );

    fn row(declared: ArticleFigure, python: f64) -> Row {
        let stats = Stats::of(&[python]);
        Row {
            example: "wait_timeout".into(),
            declared,
            python: stats,
            rust: stats,
            runs: 1,
        }
    }

    #[test]
    fn a_figure_holds_within_its_bound_and_says_why_it_differs_beyond() {
        assert_eq!(row(NINE, 9.3).verdict(false), "holds");
        let why = NINE.differs("the machine is smaller");
        assert_eq!(
            row(why, 12.0).verdict(false),
            "differs here: the machine is smaller"
        );
        assert!(row(NINE, 12.0).verdict(false).contains("no reason"));
        assert_eq!(row(NINE, 12.0).verdict(true), "not judged: a quick run");
        // The table keeps to a short verdict; the reason goes under it.
        assert_eq!(
            row(why, 12.0).short_verdict(false),
            "differs here (why: below)"
        );
        assert_eq!(row(why, 12.0).reason(false), Some("the machine is smaller"));
        assert_eq!(row(why, 9.3).reason(false), None);
        assert_eq!(row(NINE, 12.0).reason(false), None);
    }

    #[test]
    fn a_share_shows_as_a_percentage_and_a_ratio_as_times() {
        let share = row(NINE.per(WALL), 0.75);
        assert_eq!(share.show_stats(share.python), "75%");
        let ratio = row(NINE.over("other"), 1.5);
        assert_eq!(ratio.show(1.5), "1.50×");
    }

    #[test]
    fn the_opening_line_names_the_article_ours_and_the_verdict() {
        let r = row(NINE, 9.1);
        let line = opening_line(&[&r], false);
        assert!(line.starts_with("**The articles' figures:** nine sleeps: 9.00 s"));
        assert!(
            line.contains(
                "“An article”; here 9.10 s in Python, 9.10 s in Rust: holds"
            )
        );
        assert!(opening_line(&[], false).contains("none of the articles"));
    }
}
