//! `cargo xtask sweep`: the crawler example (`examples/crawler.rs` and its twin
//! `python/crawler.py`) measured against the number of tasks N, one fresh process per
//! (language, variant, N, run), so each run's peak memory is that variant's own.
//!
//! N runs the 1-2-5 series from 1,000 up to `--rust-max` (Rust) and `--python-max`
//! (Python). Writes, into `--out` (default `book/src/generated/`):
//!
//! - `crawler.sweep.md`: one row per (language, variant, N);
//! - `crawler.sweep.time.svg`: wall time against N, both axes logarithmic, with each
//!   language's ideal dashed;
//! - `crawler.sweep.memory.svg`: peak RSS against N, both axes logarithmic;
//! - `crawler.sweep.headline.md`: one paragraph quoting the numbers, computed from the data.
//!
//! By concern: [`plan`] (which runs), [`cells`] (each run read and checked, the runs of
//! one job summarised), [`table`], [`headline`], [`pictures`].

mod cells;
mod headline;
mod pictures;
mod plan;
mod table;

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};

use crate::format::{Mark, write_generated};
use crate::measure::{self, Fresh, Language, Setup, warm_ups};
use cells::{Cell, Sample};
use plan::{EXAMPLE, FLAGS, SMALLEST};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Largest N for the Rust variants: N runs the 1-2-5 series from 1,000 up to it.
    #[arg(long, value_name = "N", default_value_t = 1_000_000,
          value_parser = clap::value_parser!(u64).range(SMALLEST..))]
    rust_max: u64,
    /// Largest N for the Python variants.
    #[arg(long, value_name = "N", default_value_t = 10_000,
          value_parser = clap::value_parser!(u64).range(SMALLEST..))]
    python_max: u64,
    /// Counted runs at each N up to 10,000; larger N run once.
    #[arg(long, value_name = "N", default_value_t = 3,
          value_parser = clap::value_parser!(u32).range(1..))]
    runs: u32,
    /// Only 1,000 and 2,000 tasks, one run each, no warm-up: checks the tool works.
    #[arg(long)]
    quick: bool,
    /// Write here instead of book/src/generated.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

pub fn run(args: &Args) -> Result<()> {
    let root = measure::root();
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| root.join("book/src/generated"));
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    measure::build_release(&root, &[EXAMPLE])?;

    let fresh = Fresh::new(&root, EXAMPLE, FLAGS);
    let mut variants = Vec::new();
    for language in Language::BOTH {
        variants.push((language, fresh.variants(language)?));
    }
    let limits = plan::Limits {
        rust_max: args.rust_max,
        python_max: args.python_max,
        runs: args.runs,
        quick: args.quick,
    };
    let jobs = plan::jobs(&variants, limits);
    let warmups = u32::from(!args.quick);
    let setup = Setup::now(if args.quick { 1 } else { args.runs }, warmups);

    let bar = measure::progress();
    let started = Instant::now();
    let samples = fresh.run_all(&bar, &warm_ups(&jobs, warmups), &jobs, Sample::of)?;
    bar.finish_and_clear();
    let cells: Vec<Cell> = jobs
        .iter()
        .zip(&samples)
        .filter_map(|(job, samples)| Cell::of(job, samples))
        .collect();

    let time = pictures::time(&cells).context("drawing crawler.sweep.time.svg")?;
    let memory = pictures::memory(&cells).context("drawing crawler.sweep.memory.svg")?;
    let files = [
        ("crawler.sweep.md", table::render(&cells, &setup)),
        ("crawler.sweep.time.svg", time),
        ("crawler.sweep.memory.svg", memory),
        ("crawler.sweep.headline.md", headline::render(&cells)),
    ];
    let mut written = Vec::new();
    for (name, text) in files {
        written.push(write_generated(&out, name, Mark::Sweep, &text)?);
    }
    eprintln!(
        "wrote {} in {:.0} s",
        written
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
