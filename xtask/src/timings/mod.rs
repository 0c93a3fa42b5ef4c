//! `cargo xtask timings`: run each example and its Python twin several times and write
//! a table and timeline pictures per example, and a description of the machine.

mod articles;
mod headline;
mod table;
mod transcript;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, ensure};
use indicatif::ProgressBar;

use crate::format::{Mark, bytes, write_generated};
use crate::measure::{self, Language, Measured, Setup};
use crate::plot;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Only this example (repeat for several).
    #[arg(long, value_name = "NAME")]
    only: Vec<String>,
    /// Counted runs per example and language, after one warm-up run (5; with
    /// `--articles`, 3 per figure and language, without a warm-up).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    runs: Option<u32>,
    /// Run the articles' full sizes (`--full` on every example and twin).
    #[arg(long)]
    full: bool,
    /// Only the figures the articles print: the variants that run their code, at their
    /// sizes (`--full`), each beside the article's (`articles.md`, `NAME.articles.md`).
    #[arg(long, conflicts_with_all = ["only", "full"])]
    articles: bool,
    /// One run and no warm-up: checks the tool works, not numbers worth publishing.
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
    let chosen: Vec<&String> = all
        .iter()
        .filter(|n| args.only.is_empty() || args.only.contains(n))
        .collect();
    let (runs, warmups) = if args.quick {
        (1, 0)
    } else {
        (args.runs.unwrap_or(5), 1)
    };
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| root.join("book/src/generated"));
    std::fs::create_dir_all(&out)
        .with_context(|| format!("creating {}", out.display()))?;

    if args.articles {
        let runs = if args.quick {
            1
        } else {
            args.runs.unwrap_or(3)
        };
        return articles::run(&root, &out, &Setup::now(runs, 0), args.quick);
    }
    let names: Vec<&str> = chosen.iter().map(|n| n.as_str()).collect();
    measure::build_release(&root, &names)?;
    let setup = Setup::now(runs, warmups);
    let bar = measure::progress();
    let languages = |name: &str| {
        Language::BOTH
            .into_iter()
            .filter(|l| l.has(&root, name))
            .count() as u64
    };
    bar.inc_length(
        chosen
            .iter()
            .map(|n| u64::from(runs + warmups) * languages(n))
            .sum(),
    );
    let started = Instant::now();
    for name in chosen {
        let measured = measure_example(&root, &bar, name, &setup, args.full)?;
        write_example(&out, &measured, &setup)?;
    }
    if names.contains(&"scheduler") {
        // The chapter's session, typed into the scheduler as a reader would.
        let text = transcript::render(&root)?;
        write_generated(&out, "scheduler.transcript.md", Mark::Timings, &text)?;
    }
    let sizes = if args.full { "full" } else { "default" };
    write_generated(&out, "machine.md", Mark::Timings, &machine(&setup, sizes))?;
    bar.finish_and_clear();
    eprintln!(
        "wrote {} in {:.0} s",
        out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Every language of one example, warm-ups then counted runs.
fn measure_example(
    root: &Path,
    bar: &ProgressBar,
    name: &str,
    setup: &Setup,
    full: bool,
) -> Result<Measured> {
    let size_flag: &[&str] = if full { &["--full"] } else { &[] };
    let repeat = |language: Language| {
        let mut command = language.command(root, name);
        command.arg("--json").args(size_flag);
        measure::repeat(bar, name, language, &mut command, setup.runs, setup.warmups)
    };
    Ok(Measured {
        example: name.to_owned(),
        pattern: measure::describe(root, name)?,
        rust: repeat(Language::Rust)?,
        python: if Language::Python.has(root, name) {
            Some(repeat(Language::Python)?)
        } else {
            None
        },
    })
}

/// The table and the timelines (of each language's median run) of one example. The
/// languages' pictures share one time axis, unless one's runs are so much longer that it
/// would squash the other's (then each has its own, and says so).
fn write_example(out: &Path, m: &Measured, setup: &Setup) -> Result<()> {
    let name = format!("{}.md", m.example);
    write_generated(out, &name, Mark::Timings, &table::render(m, setup))?;
    if let Some(text) = headline::render(m) {
        let name = format!("{}.headline.md", m.example);
        write_generated(out, &name, Mark::Timings, &text)?;
    }
    let medians: Vec<_> = m
        .languages()
        .map(|(l, runs)| (l, runs.median_run()))
        .collect();
    let extents: Vec<(&str, Option<f64>)> = medians
        .iter()
        .map(|(language, trace)| (language.name(), plot::extent(trace)))
        .collect();
    for ((language, trace), axis) in medians.iter().zip(plot::time_axes(&extents)) {
        let svg = plot::timelines(trace, &m.pattern, &axis).with_context(|| {
            format!("drawing {} ({})", m.example, language.name())
        })?;
        let name = format!("{}.{}.svg", m.example, language.key());
        write_generated(out, &name, Mark::Timings, &svg)?;
    }
    Ok(())
}

/// `machine.md`: what the numbers were measured on, one row per fact.
fn machine(setup: &Setup, sizes: &str) -> String {
    let m = &setup.machine;
    let rows = [
        ("CPU", m.cpu.clone()),
        ("cores", m.cores.to_string()),
        (
            "memory",
            m.memory_bytes.map_or_else(|| "unknown".to_owned(), bytes),
        ),
        ("OS", m.os.clone()),
        ("rustc", m.rustc.clone()),
        ("python", m.python.clone()),
        ("git revision", setup.revision.clone()),
        ("date", setup.date.clone()),
        (
            "runs",
            format!(
                "{} counted after {} warm-up, {sizes} sizes",
                setup.runs, setup.warmups
            ),
        ),
    ];
    let mut text = "| | |\n|---|---|\n".to_owned();
    for (what, value) in rows {
        text += &format!("| {what} | {value} |\n");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_machine_page_has_a_row_per_fact() {
        let text = machine(&Setup::for_tests(), "default");
        for row in [
            "| CPU | test |",
            "| cores | 2 |",
            "| memory | 8.00 GB |",
            "| rustc | rustc 1.0 |",
            "| python | Python 3.0 |",
            "| git revision | abc1234 |",
            "| date | 2026-01-01 |",
            "| runs | 3 counted after 1 warm-up, default sizes |",
        ] {
            assert!(text.contains(row), "{row} in\n{text}");
        }
    }
}
