//! `cargo xtask distributed`: the MPI chapter's figures, from fresh runs of its own
//! workspace (`distributed/`) and of the crawler, on this machine, over the loopback.
//!
//! What it runs: the `distributed` example and its twin on 1, 2 and 4 ranks, at each
//! size of [`PLAN`] (4 ranks oversubscribe a machine of fewer cores); the crawler's
//! best one-machine variant at the same sizes; and `distributed_costs` (a world's
//! start-up and one message, over TCP and shared memory). The tables' questions and
//! figures are the examples' own (`--describe`). Writes, into `--out`:
//!
//! - `distributed.md`: a table per (language, size), a row per (variant, ranks), the
//!   crawler's first;
//! - `distributed.costs.md`: one message and a world's start, per variant;
//! - `distributed.model.md`: a model, labelled as one, of the crawl on 1 to 16 hosts,
//!   from the figures measured here;
//! - `distributed.LANGUAGE.svg`: the timelines, a lane per rank, of the median run on
//!   the most ranks at the first size;
//! - `distributed.sweep.svg`: wall time against ranks, with the crawler's beside it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, ensure};
use concurrency_pairs::crawl::{SEED, crawl_ideal, crawl_jobs};
use concurrency_pairs::{Figure, Pattern, Trace, Unit, Variant};

use crate::format::{
    Mark, PALETTE, Stats, figure, figure_range, thousands, write_generated,
};
use crate::measure::{self, Language, Setup, parse_trace, run_once};
use crate::plot::{self, LogLog, Marker, Series, log_log};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Counted runs at each repeated size (the largest runs once).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    runs: u32,
    /// The smallest sizes, one run each: checks the tool works.
    #[arg(long)]
    quick: bool,
    /// Write here instead of book/src/generated.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// The ranks of every world.
const RANKS: [usize; 3] = [1, 2, 4];
/// Per language: each size, and whether it is repeated (a size that takes minutes
/// runs once). Python's CPU part is some fifty times slower: its sizes are smaller,
/// as in the crawler's sweep.
const PLAN: [(Language, &[(usize, bool)]); 2] = [
    (Language::Rust, &[(10_000, true), (1_000_000, false)]),
    (Language::Python, &[(1_000, true)]),
];
const QUICK: [(Language, &[(usize, bool)]); 2] = [
    (Language::Rust, &[(2_000, true)]),
    (Language::Python, &[(200, true)]),
];
/// The crawler's best one-machine variant in each language (its sweep's lowest).
const CRAWLER_BEST: [(Language, &str); 2] = [
    (Language::Rust, "io-plus-rayon"),
    (Language::Python, "loop-per-core"),
];
/// The hosts the model works out.
const HOSTS: [usize; 5] = [1, 2, 4, 8, 16];

/// The runs of one variant at one size and rank count (`ranks` 0: the crawler's, on
/// one process).
struct Cell {
    language: Language,
    tasks: usize,
    ranks: usize,
    name: String,
    runs: Vec<Variant>,
}

impl Cell {
    fn stats(&self, f: &Figure) -> Option<Stats> {
        let values: Vec<f64> = self.runs.iter().filter_map(|v| v.value(f)).collect();
        Stats::of(&values)
    }
}

pub fn run(args: &Args) -> Result<()> {
    let root = measure::root();
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| root.join("book/src/generated"));
    std::fs::create_dir_all(&out)
        .with_context(|| format!("creating {}", out.display()))?;
    let python = venv_python(&root)?;
    build(&root)?;
    let setup = Setup::now(if args.quick { 1 } else { args.runs }, 0);
    let started = Instant::now();
    let pattern = describe(&member_binary(&root, "distributed"))?;
    let costs_pattern = describe(&member_binary(&root, "distributed_costs"))?;
    let plan = if args.quick { QUICK } else { PLAN };
    let mut cells = Vec::new();
    let mut medians: Vec<(Language, Trace)> = Vec::new();
    for (language, sizes) in plan {
        for &(tasks, repeated) in sizes {
            let runs = if repeated { setup.runs } else { 1 };
            let crawler = crawler_command(&root, &python, language, tasks);
            cells.extend(cells_of(crawler, "crawler", language, tasks, 0, runs)?);
            for ranks in RANKS {
                let command =
                    distributed_command(&root, &python, language, tasks, ranks);
                let traces = repeat(command, "distributed", language, runs)?;
                if ranks == RANKS[2] && tasks == sizes[0].0 {
                    medians.push((language, median_run(&traces).clone()));
                }
                cells.extend(group(&traces, language, tasks, ranks));
            }
        }
    }
    let mut costs = Vec::new();
    for language in Language::BOTH {
        let command = costs_command(&root, &python, language);
        costs.extend(group(
            &repeat(command, "distributed_costs", language, setup.runs)?,
            language,
            0,
            2,
        ));
    }
    let footer = footer(&setup);
    let text = tables(&pattern, &cells) + &footer;
    write_generated(&out, "distributed.md", Mark::Timings, &text)?;
    let text = costs_table(&costs_pattern, &costs) + &footer;
    write_generated(&out, "distributed.costs.md", Mark::Timings, &text)?;
    let text = model(&cells, &costs, setup.machine.cores) + &footer;
    write_generated(&out, "distributed.model.md", Mark::Timings, &text)?;
    write_generated(
        &out,
        "distributed.headline.md",
        Mark::Timings,
        &headline(&cells),
    )?;
    write_timelines(&out, &pattern, &medians)?;
    let svg = sweep_picture(&cells)?;
    write_generated(&out, "distributed.sweep.svg", Mark::Timings, &svg)?;
    eprintln!(
        "wrote {} in {:.0} s",
        out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The chapter's venv interpreter, with mpi4py (made by `.ci/distributed`).
fn venv_python(root: &Path) -> Result<PathBuf> {
    let python = root.join("distributed/target/venv/bin/python");
    ensure!(
        python.exists(),
        "no {} (run .ci/distributed first: it installs Open MPI and mpi4py)",
        python.display()
    );
    Ok(python)
}

/// The member's examples and the crawler, in release mode.
fn build(root: &Path) -> Result<()> {
    let manifest = root.join("distributed/Cargo.toml");
    let mut cargo = Command::new(env!("CARGO"));
    cargo
        .args(["build", "--release", "--examples", "--manifest-path"])
        .arg(manifest);
    ensure!(
        cargo.status().context("running cargo")?.success(),
        "building distributed failed"
    );
    measure::build_release(root, &["crawler"])
}

fn member_binary(root: &Path, example: &str) -> PathBuf {
    root.join("distributed/target/release/examples")
        .join(example)
}

fn describe(binary: &Path) -> Result<Pattern> {
    let stdout = run_once(Command::new(binary).arg("--describe"))?;
    Pattern::from_json(stdout.trim()).context("--describe printed no description")
}

fn distributed_command(
    root: &Path,
    python: &Path,
    language: Language,
    tasks: usize,
    ranks: usize,
) -> Command {
    let mut command = match language {
        Language::Rust => Command::new(member_binary(root, "distributed")),
        Language::Python => twin(python, root, "distributed"),
    };
    let (tasks, ranks) = (tasks.to_string(), ranks.to_string());
    command.args(["--json", "--tasks", &tasks, "--ranks", &ranks]);
    command
}

fn crawler_command(
    root: &Path,
    python: &Path,
    language: Language,
    tasks: usize,
) -> Command {
    let best = CRAWLER_BEST
        .iter()
        .find(|(l, _)| *l == language)
        .map_or("", |b| b.1);
    let mut command = match language {
        Language::Rust => language.command(root, "crawler"),
        Language::Python => twin(python, root, "crawler"),
    };
    let tasks = tasks.to_string();
    command.args([
        "--json",
        "--counts-only",
        "--variant",
        best,
        "--tasks",
        &tasks,
    ]);
    command
}

fn costs_command(root: &Path, python: &Path, language: Language) -> Command {
    let mut command = match language {
        Language::Rust => Command::new(member_binary(root, "distributed_costs")),
        Language::Python => twin(python, root, "distributed_costs"),
    };
    command.arg("--json");
    command
}

fn twin(python: &Path, root: &Path, example: &str) -> Command {
    let mut command = Command::new(python);
    command.arg(root.join("python").join(format!("{example}.py")));
    command
}

/// `runs` runs of `command`, each trace checked to be `example`'s in `language`.
fn repeat(
    mut command: Command,
    example: &str,
    language: Language,
    runs: u32,
) -> Result<Vec<Trace>> {
    (0..runs)
        .map(|i| {
            let what = format!(
                "{example} ({}) run {}/{runs}: {command:?}",
                language.name(),
                i + 1
            );
            eprintln!("{what}");
            let stdout = run_once(&mut command).with_context(|| what.clone())?;
            parse_trace(&stdout, example, language).with_context(|| what.clone())
        })
        .collect()
}

fn cells_of(
    command: Command,
    example: &str,
    language: Language,
    tasks: usize,
    ranks: usize,
    runs: u32,
) -> Result<Vec<Cell>> {
    Ok(group(
        &repeat(command, example, language, runs)?,
        language,
        tasks,
        ranks,
    ))
}

/// The runs' variants, a cell per variant name, in the order the first run had them.
fn group(
    traces: &[Trace],
    language: Language,
    tasks: usize,
    ranks: usize,
) -> Vec<Cell> {
    let names: Vec<String> = traces.first().map_or(Vec::new(), |t| {
        t.variants.iter().map(|v| v.name.clone()).collect()
    });
    names
        .into_iter()
        .map(|name| Cell {
            language,
            tasks,
            ranks,
            runs: traces
                .iter()
                .flat_map(|t| t.variants.iter().filter(|v| v.name == name).cloned())
                .collect(),
            name,
        })
        .collect()
}

fn median_run(traces: &[Trace]) -> &Trace {
    let mut order: Vec<&Trace> = traces.iter().collect();
    let total = |t: &Trace| t.variants.iter().map(|v| v.wall_s).sum::<f64>();
    order.sort_by(|a, b| total(a).total_cmp(&total(b)));
    order[order.len() / 2]
}

fn footer(setup: &Setup) -> String {
    format!(
        "\n*Median (min–max) of {} run{} at the repeated sizes, one run at the largest; \
         a fresh `mpirun` each, on the loopback. Measured {} at revision `{}` on {} \
         ([the machine](measuring.md)).*\n",
        setup.runs,
        if setup.runs == 1 { "" } else { "s" },
        setup.date,
        setup.revision,
        setup.machine.summary(),
    )
}

/// A table per (language, size) with the pattern's first table's figures: the
/// crawler's row first, then a row per (variant, ranks).
fn tables(pattern: &Pattern, cells: &[Cell]) -> String {
    let Some(table) = pattern.tables.first() else {
        return String::new();
    };
    let mut text = format!("{}\n", table.question);
    let mut seen: Vec<(Language, usize)> = Vec::new();
    for cell in cells {
        if !seen.contains(&(cell.language, cell.tasks)) {
            seen.push((cell.language, cell.tasks));
        }
    }
    for (language, tasks) in seen {
        text += &format!(
            "\n{}, {} tasks:\n\n| variant | ranks |",
            language.name(),
            thousands(tasks as u64)
        );
        for f in table.figures.iter() {
            text += &format!(" {} |", f.label);
        }
        text += &format!("\n|---|---|{}\n", "---|".repeat(table.figures.len()));
        for cell in cells
            .iter()
            .filter(|c| c.language == language && c.tasks == tasks)
        {
            let (name, ranks) = match cell.ranks {
                0 => (format!("crawler `{}`", cell.name), "—".to_owned()),
                r => (format!("`{}`", cell.name), r.to_string()),
            };
            text += &format!("| {name} | {ranks} |");
            for (i, f) in table.figures.iter().enumerate() {
                let shown = cell.stats(f).map_or("—".to_owned(), |s| match i {
                    0 => figure_range(&s, f.unit),
                    _ => figure(s.median, f.unit),
                });
                text += &format!(" {shown} |");
            }
            text += "\n";
        }
    }
    text
}

fn costs_table(pattern: &Pattern, cells: &[Cell]) -> String {
    let Some(table) = pattern.tables.first() else {
        return String::new();
    };
    let mut text = format!("{}\n\n| language | variant |", table.question);
    for f in table.figures.iter() {
        text += &format!(" {} |", f.label);
    }
    text += &format!("\n|---|---|{}\n", "---|".repeat(table.figures.len()));
    for cell in cells {
        text += &format!("| {} | `{}` |", cell.language.name(), cell.name);
        for f in table.figures.iter() {
            let shown = cell
                .stats(f)
                .map_or("—".to_owned(), |s| figure_range(&s, f.unit));
            text += &format!(" {shown} |");
        }
        text += "\n";
    }
    text
}

fn key(cell: &Cell, key: &str) -> Option<f64> {
    let values: Vec<f64> = cell
        .runs
        .iter()
        .filter_map(|v| v.figures.get(key).copied())
        .collect();
    Stats::of(&values).map(|s| s.median)
}

fn wall(cell: &Cell) -> Option<f64> {
    Stats::of(&cell.runs.iter().map(|v| v.wall_s).collect::<Vec<_>>())
        .map(|s| s.median)
}

/// The model: Rust's `scatter-reduce` on `hosts` machines like this one, a rank per
/// core, at each size Rust ran. Each term comes from a figure measured here:
///
/// - start-up: the measured start-up on one host's ranks, growing with every further
///   rank at the rate measured from 1 to 4 ranks (a real launcher also reaches each
///   host, by ssh or a scheduler, which the loopback cannot show);
/// - the crawl: the measured wall on one host's ranks, scaled as the crawl's ideal
///   scales from one host's cores to all hosts' cores (the same ÷ ideal everywhere);
/// - the messages: a scatter and a reduce, each a tree as deep as log2 of the ranks,
///   at the one-message time measured over TCP on the loopback (a network's is longer:
///   a lower bound).
fn model(cells: &[Cell], costs: &[Cell], cores: usize) -> String {
    let scatter = |tasks: usize, ranks: usize| {
        cells.iter().find(|c| {
            c.language == Language::Rust
                && c.tasks == tasks
                && c.ranks == ranks
                && c.name == "scatter-reduce"
        })
    };
    let one_way = costs
        .iter()
        .find(|c| c.language == Language::Rust && c.name == "tcp-buffer")
        .and_then(|c| key(c, "one_way_s"));
    let mut sizes: Vec<usize> = cells
        .iter()
        .filter(|c| c.language == Language::Rust && c.ranks > 0)
        .map(|c| c.tasks)
        .collect();
    sizes.dedup();
    let mut text = "**A model, not a measurement:** the crawl's `scatter-reduce` in Rust on \
        several machines like this one, a rank per core, each term from a figure measured \
        here (start-up per rank, the wall on one machine scaled as the crawl's ideal \
        scales with the cores, a message's time over the loopback, a lower bound of a \
        network's).\n"
        .to_owned();
    let (Some(one_way), Some(local)) =
        (one_way, RANKS.iter().copied().find(|&r| r >= cores))
    else {
        return text;
    };
    for tasks in sizes {
        let (Some(here), Some(first), Some(last)) = (
            scatter(tasks, local),
            scatter(tasks, RANKS[0]),
            scatter(tasks, RANKS[2]),
        ) else {
            continue;
        };
        let (Some(start), Some(start_1), Some(start_4), Some(wall_here)) = (
            key(here, "mpi_start_s"),
            key(first, "mpi_start_s"),
            key(last, "mpi_start_s"),
            wall(here),
        ) else {
            continue;
        };
        // The cost of an integer with every core busy, as the example measured it.
        let Some(rate) = key(here, "seconds_per_unit") else {
            continue;
        };
        let per_rank = ((start_4 - start_1) / (RANKS[2] - RANKS[0]) as f64).max(0.0);
        let jobs = crawl_jobs(tasks, SEED);
        let ideal_here = crawl_ideal(&jobs, rate, local);
        text += &format!(
            "\n{} tasks (modelled):\n\n| hosts | ranks | start-up | crawl | messages | wall | ÷ one machine |\n|---|---|---|---|---|---|---|\n",
            thousands(tasks as u64)
        );
        let mut one_machine = None;
        for hosts in HOSTS {
            let ranks = hosts * local;
            let start_up = start + per_rank * (ranks - local) as f64;
            let crawl =
                wall_here * crawl_ideal(&jobs, rate, hosts * cores) / ideal_here;
            let messages = 2.0 * (ranks as f64).log2().ceil() * one_way;
            let total = start_up + crawl + messages;
            let base = *one_machine.get_or_insert(total);
            text += &format!(
                "| {hosts} | {ranks} | {} | {} | {} | {} | {} |\n",
                figure(start_up, Unit::Seconds),
                figure(crawl, Unit::Seconds),
                figure(messages, Unit::Seconds),
                figure(total, Unit::Seconds),
                figure(total / base, Unit::Ratio),
            );
        }
    }
    text
}

/// At the largest size Rust ran: its `scatter-reduce` on each rank count beside the
/// crawler's best on one process.
fn headline(cells: &[Cell]) -> String {
    let rust = cells.iter().filter(|c| c.language == Language::Rust);
    let Some(tasks) = rust.clone().map(|c| c.tasks).max() else {
        return String::new();
    };
    let at = |name: &str, ranks: usize| {
        rust.clone()
            .find(|c| c.tasks == tasks && c.name == name && c.ranks == ranks)
            .and_then(wall)
            .map_or("—".to_owned(), |w| figure(w, Unit::Seconds))
    };
    let best = CRAWLER_BEST[0].1;
    let [a, b, c] = RANKS;
    format!(
        "**At {} tasks**, Rust's `scatter-reduce` on {a}, {b} and {c} ranks took {}, {} \
         and {}, against {} for the crawler's `{best}` on one process.\n",
        thousands(tasks as u64),
        at("scatter-reduce", a),
        at("scatter-reduce", b),
        at("scatter-reduce", c),
        at(best, 0),
    )
}

fn write_timelines(
    out: &Path,
    pattern: &Pattern,
    medians: &[(Language, Trace)],
) -> Result<()> {
    let extents: Vec<(&str, Option<f64>)> = medians
        .iter()
        .map(|(l, t)| (l.name(), plot::extent(t)))
        .collect();
    for ((language, trace), axis) in medians.iter().zip(plot::time_axes(&extents)) {
        let svg = plot::timelines(trace, pattern, &axis)
            .with_context(|| format!("drawing distributed ({})", language.name()))?;
        write_generated(
            out,
            &format!("distributed.{}.svg", language.key()),
            Mark::Timings,
            &svg,
        )?;
    }
    Ok(())
}

/// Wall time against ranks: a line per (language, variant, size), the crawler's wall on
/// one process dashed at each size.
fn sweep_picture(cells: &[Cell]) -> Result<String> {
    let mut series: Vec<Series> = Vec::new();
    let mut lines: Vec<(Language, usize, String)> = Vec::new();
    for c in cells.iter().filter(|c| c.ranks > 0) {
        let line = (c.language, c.tasks, c.name.clone());
        if !lines.contains(&line) {
            lines.push(line);
        }
    }
    for (i, (language, tasks, name)) in lines.iter().enumerate() {
        let points: Vec<(f64, f64)> = cells
            .iter()
            .filter(|c| {
                c.language == *language
                    && c.tasks == *tasks
                    && &c.name == name
                    && c.ranks > 0
            })
            .filter_map(|c| wall(c).map(|w| (c.ranks as f64, w)))
            .collect();
        series.push(Series {
            label: format!(
                "{} {name}, {} tasks",
                language.name(),
                thousands(*tasks as u64)
            ),
            points,
            colour: PALETTE[i % PALETTE.len()],
            dashed: false,
            marker: Some(match language {
                Language::Rust => Marker::Circle,
                Language::Python => Marker::Triangle,
            }),
        });
    }
    for c in cells.iter().filter(|c| c.ranks == 0) {
        let Some(w) = wall(c) else { continue };
        series.push(Series {
            label: format!(
                "{} crawler {}, {} tasks",
                c.language.name(),
                c.name,
                thousands(c.tasks as u64)
            ),
            points: RANKS.iter().map(|&r| (r as f64, w)).collect(),
            colour: PALETTE[(series.len()) % PALETTE.len()],
            dashed: true,
            marker: None,
        });
    }
    log_log(
        &LogLog {
            title: "distributed: wall time against ranks (crawler on one process, dashed)",
            x_desc: "ranks",
            y_desc: "wall time",
            y_unit: Unit::Seconds,
        },
        &series,
    )
}
