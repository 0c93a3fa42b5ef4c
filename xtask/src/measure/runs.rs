//! One example run again and again: warm-ups, then counted runs, each trace checked.

use std::process::Command;

use anyhow::{Context, Result, ensure};
use concurrency_pairs::{Pattern, Trace};
use indicatif::ProgressBar;

use super::build;
use super::language::Language;
use super::process::run_once;

/// The counted runs of one language of one example.
#[derive(Debug, Clone, PartialEq)]
pub struct Runs {
    pub traces: Vec<Trace>,
}

impl Runs {
    /// The run whose total wall time is the median: the one the timelines show.
    pub fn median_run(&self) -> &Trace {
        let mut order: Vec<(f64, &Trace)> = self
            .traces
            .iter()
            .map(|t| (t.variants.iter().map(|v| v.wall_s).sum(), t))
            .collect();
        order.sort_by(|a, b| a.0.total_cmp(&b.0));
        order[order.len() / 2].1
    }
}

/// Everything measured for one example.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    pub example: String,
    /// What the example declares about itself (`--describe`).
    pub pattern: Pattern,
    pub rust: Runs,
    pub python: Option<Runs>,
}

impl Measured {
    /// Each language that ran, Rust first.
    pub fn languages(&self) -> impl Iterator<Item = (Language, &Runs)> {
        std::iter::once((Language::Rust, &self.rust))
            .chain(self.python.as_ref().map(|p| (Language::Python, p)))
    }
}

/// What `example` declares about itself: its release binary's `--describe` (built by
/// [`build::build_release`]).
pub fn describe(root: &std::path::Path, example: &str) -> Result<Pattern> {
    let mut command = Command::new(build::binary(root, example));
    let stdout = run_once(command.arg("--describe"))
        .with_context(|| format!("{example} --describe"))?;
    let pattern = Pattern::from_json(stdout.trim())
        .with_context(|| format!("{example} --describe printed no description"))?;
    ensure!(
        pattern.name.0 == example,
        "{example} describes {}",
        pattern.name
    );
    Ok(pattern)
}

/// Parse what one run printed, and check it is a trace of `example` in `language`.
pub fn parse_trace(stdout: &str, example: &str, language: Language) -> Result<Trace> {
    let trace: Trace =
        serde_json::from_str(stdout.trim()).context("printed no valid trace")?;
    ensure!(
        trace.example == example && trace.language == language.key(),
        "printed a trace of {} ({})",
        trace.example,
        trace.language
    );
    Ok(trace)
}

/// Run `command` `warmups` times untimed, then `runs` times, and keep those traces.
pub fn repeat(
    bar: &ProgressBar,
    example: &str,
    language: Language,
    command: &mut Command,
    runs: u32,
    warmups: u32,
) -> Result<Runs> {
    let mut traces = Vec::new();
    for i in 0..runs + warmups {
        let label = if i < warmups {
            "warm-up".to_owned()
        } else {
            format!("run {}/{runs}", i - warmups + 1)
        };
        let what = format!("{example} ({}) {label}", language.name());
        bar.set_message(what.clone());
        let stdout = run_once(command).with_context(|| what.clone())?;
        let trace =
            parse_trace(&stdout, example, language).with_context(|| what.clone())?;
        if i >= warmups {
            traces.push(trace);
        }
        bar.inc(1);
    }
    Ok(Runs { traces })
}
