//! The runtimes page: the cost of one task against the number of tasks N, for every
//! runtime of both languages (`examples/runtimes.rs`, `python/runtimes.py`).
//!
//! The ladder of sizes lives here, not in the example: each (language, runtime, N) runs
//! in a fresh process (`runtimes --json --variant V --tasks N`, see
//! [`crate::measure::Fresh`]), `--runs` times after the timings' warm-up, and reports
//! the typed figures `task_s` (seconds per task to spawn and join), `task_bytes`
//! (resident bytes per live task) and `completed`.
//!
//! Writes `runtimes.per_task.md` (the table), `runtimes.per_task.svg` (time per task
//! against N, both axes logarithmic) and `runtimes.headline.md` (one paragraph quoting
//! the table's headline numbers, for the page's closing note).

use std::path::Path;

use anyhow::{Context, Result, ensure};
use concurrency_pairs::{Unit, Variant};
use indicatif::ProgressBar;

use crate::format::{Mark, PALETTE, Stats, bytes, ratio, seconds, thousands, write_generated};
use crate::measure::{Fresh, Job, Language, Setup, plan, warm_ups};
use crate::plot::{LogLog, Marker, Series, log_log};

/// The example whose table this page extends.
pub const EXAMPLE: &str = "runtimes";
/// The batch sizes.
const LADDER: [u64; 4] = [1_000, 10_000, 100_000, 1_000_000];
/// `--quick`: enough to check the mechanism.
const QUICK_LADDER: [u64; 2] = [1_000, 10_000];
/// The variant that runs OS threads, in both languages.
const THREADS: &str = "os-threads";
/// The most OS threads one batch may hold. Each Rust thread reserves 2 MiB of address
/// space for its stack and costs the kernel a task structure and a kernel stack; the
/// per-user process limit (`ulimit -u`) and the map count (`vm.max_map_count`) are
/// shared with everything else running on the machine. Ten thousand is far from all of
/// those limits; a hundred thousand is not.
const THREAD_CAP: u64 = 10_000;
/// The most async tasks one batch may hold.
const ASYNC_CAP: u64 = 1_000_000;
/// The start-cost variants (a process per task, a pool worker reused): each starts at
/// most a few processes or jobs whatever N, and measures no memory, so they are rows of
/// the example's own table, not rungs of the ladder.
const STARTS: [&str; 3] = ["process-fork", "process-spawn", "pool-worker"];

/// One runtime of one language, over every counted run.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    language: Language,
    name: String,
    /// One point per batch size, in increasing N.
    points: Vec<Point>,
}

#[derive(Debug, Clone, PartialEq)]
struct Point {
    n: u64,
    /// Seconds per task, to spawn and join.
    time: Stats,
    /// Resident bytes per live task.
    memory: Option<Stats>,
}

/// What one run of one job reported.
#[derive(Debug, Clone, Copy, PartialEq)]
struct PerTask {
    seconds: f64,
    bytes: Option<f64>,
}

impl PerTask {
    /// One run's figures, checked: it completed all its tasks and timed them.
    fn of(job: &Job, v: &Variant) -> Result<PerTask> {
        let completed = *v
            .figures
            .get("completed")
            .context("its trace reports no `completed`")?;
        ensure!(
            completed == job.n as f64,
            "completed {completed} of {} tasks",
            job.n
        );
        Ok(PerTask {
            seconds: *v
                .figures
                .get("task_s")
                .context("its trace reports no `task_s`")?,
            bytes: v.figures.get("task_bytes").copied(),
        })
    }
}

impl Point {
    fn of(n: u64, runs: &[PerTask]) -> Option<Point> {
        let times: Vec<f64> = runs.iter().map(|r| r.seconds).collect();
        let memory: Vec<f64> = runs.iter().filter_map(|r| r.bytes).collect();
        Some(Point {
            n,
            time: Stats::of(&times)?,
            memory: Stats::of(&memory),
        })
    }
}

impl Row {
    fn largest(&self) -> Option<&Point> {
        self.points.last()
    }

    fn label(&self) -> String {
        format!("{} ({})", self.name, self.language.name())
    }
}

/// Run the ladder and write the page's three files.
pub fn write(root: &Path, out: &Path, setup: &Setup, quick: bool, bar: &ProgressBar) -> Result<()> {
    let fresh = Fresh::new(root, EXAMPLE, &[]);
    let mut variants = Vec::new();
    for language in Language::BOTH.into_iter().filter(|l| l.has(root, EXAMPLE)) {
        let mut names = fresh.variants(language)?;
        names.retain(|name| !STARTS.contains(&name.as_str()));
        variants.push((language, names));
    }
    let ladder: &[u64] = if quick { &QUICK_LADDER } else { &LADDER };
    let cap = |variant: &str| {
        if variant == THREADS {
            THREAD_CAP
        } else {
            ASYNC_CAP
        }
    };
    let jobs = plan(ladder, &variants, |_, variant, n| {
        (n <= cap(variant)).then_some(setup.runs)
    });
    let results = fresh.run_all(bar, &warm_ups(&jobs, setup.warmups), &jobs, PerTask::of)?;
    let rows = rows(&variants, &jobs, &results);
    let svg = picture(&rows, setup).context("drawing runtimes.per_task.svg")?;
    write_generated(
        out,
        "runtimes.per_task.md",
        Mark::Timings,
        &table(&rows, setup),
    )?;
    write_generated(out, "runtimes.per_task.svg", Mark::Timings, &svg)?;
    write_generated(out, "runtimes.headline.md", Mark::Timings, &headline(&rows))?;
    Ok(())
}

/// A row per (language, variant), in `--variants` order, Rust first.
fn rows(variants: &[(Language, Vec<String>)], jobs: &[Job], results: &[Vec<PerTask>]) -> Vec<Row> {
    let mut rows = Vec::new();
    for (language, names) in variants {
        for name in names {
            let mut points: Vec<Point> = jobs
                .iter()
                .zip(results)
                .filter(|(job, _)| job.language == *language && job.variant == *name)
                .filter_map(|(job, runs)| Point::of(job.n, runs))
                .collect();
            points.sort_by_key(|p| p.n);
            rows.push(Row {
                language: *language,
                name: name.clone(),
                points,
            });
        }
    }
    rows
}

/// A median over its range, the range in small type below it, so that a column of
/// them stays narrow: `900 ns<br><sub>810 ns–1.1 µs</sub>`.
fn stacked(s: &Stats) -> String {
    if s.min == s.max {
        return seconds(s.median);
    }
    format!(
        "{}<br><sub>{}–{}</sub>",
        seconds(s.median),
        seconds(s.min),
        seconds(s.max)
    )
}

fn table(rows: &[Row], setup: &Setup) -> String {
    let mut sizes: Vec<u64> = rows
        .iter()
        .flat_map(|r| r.points.iter().map(|p| p.n))
        .collect();
    sizes.sort_unstable();
    sizes.dedup();
    let mut header = vec!["runtime".to_owned(), "language".to_owned()];
    header.extend(sizes.iter().map(|n| format!("N = {}", thousands(*n))));
    header.push("memory per task (at N)".to_owned());
    let mut out = format!(
        "| {} |\n|{}\n",
        header.join(" | "),
        "---|".repeat(header.len())
    );
    let none = || "—".to_owned();
    for row in rows {
        let mut cells = vec![format!("`{}`", row.name), row.language.name().to_owned()];
        for n in &sizes {
            cells.push(
                row.points
                    .iter()
                    .find(|p| p.n == *n)
                    .map_or_else(none, |p| stacked(&p.time)),
            );
        }
        cells.push(row.largest().map_or_else(none, |p| {
            p.memory.map_or_else(none, |b| {
                format!("{}<br><sub>N = {}</sub>", bytes(b.median), thousands(p.n))
            })
        }));
        out += &format!("| {} |\n", cells.join(" | "));
    }
    let runs = match setup.runs {
        1 => "One run".to_owned(),
        k => format!("Median of {k} runs (min–max)"),
    };
    let warm_up = match setup.warmups {
        0 => "no warm-up".to_owned(),
        1 => "after one warm-up run per language".to_owned(),
        k => format!("after {k} warm-up runs per language"),
    };
    out += &format!(
        "\n*Time per task: spawn N no-op tasks, join them all, divide the elapsed time by \
         N. Memory per task: keep N tasks alive at once (each waits at a gate), read the \
         growth of the resident set, divide by N. Each run of each (runtime, N) is a fresh \
         process: `runtimes --json --variant V --tasks N` (Rust) or `python3 \
         python/runtimes.py` with the same flags; OS threads stop at {}. {runs}, \
         {warm_up}; — means the runtime was not run at that N. Measured {} at revision \
         `{}` on {} ([the machine](measuring.md)).*\n",
        thousands(THREAD_CAP),
        setup.date,
        setup.revision,
        setup.machine.summary(),
    );
    out
}

/// The headline figures: a tokio task, an OS thread and a Python asyncio task, each at
/// the largest N it reached.
fn headline(rows: &[Row]) -> String {
    use Language::{Python, Rust};
    let find = |language: Language, name: &str| {
        rows.iter()
            .find(|r| r.language == language && r.name == name)
            .and_then(|r| Some((r, r.largest()?)))
    };
    let describe = |what: &str, found: Option<(&Row, &Point)>| {
        found.map(|(row, p)| {
            let memory = p
                .memory
                .map_or(String::new(), |b| format!(" and {}", bytes(b.median)));
            format!(
                "{what} (`{}`, N = {}) cost {}{memory}",
                row.name,
                thousands(p.n),
                seconds(p.time.median)
            )
        })
    };
    let tokio = find(Rust, "tokio-multi-thread");
    let thread = find(Rust, THREADS);
    let asyncio = find(Python, "asyncio");
    let parts: Vec<String> = [
        describe("a tokio task", tokio),
        describe("an OS thread", thread),
        describe("a Python asyncio task", asyncio),
    ]
    .into_iter()
    .flatten()
    .collect();
    if parts.is_empty() {
        return "No headline: the runtimes table has no tokio, OS thread or asyncio row.\n"
            .to_owned();
    }
    let mut text = format!(
        "At the largest N each reached (medians): {}.",
        parts.join("; ")
    );
    let times = |slow: Option<(&Row, &Point)>, fast: Option<(&Row, &Point)>| {
        Some(ratio(slow?.1.time.median / fast?.1.time.median))
    };
    let current = find(Rust, "tokio-current-thread");
    let mut ratios = Vec::new();
    if let Some(r) = times(asyncio, tokio) {
        let mut clause = format!("the asyncio task took {r} the tokio task's time");
        if let Some(c) = times(asyncio, current) {
            clause += &format!(
                " ({c} that of `tokio-current-thread`, a single-threaded loop like asyncio's)"
            );
        }
        ratios.push(clause);
    }
    if let Some(r) = times(thread, tokio) {
        ratios.push(format!("the OS thread {r}"));
    }
    if !ratios.is_empty() {
        text += &format!(" Per task, {}.", ratios.join(", "));
    }
    text + "\n"
}

/// Time per task against N: a colour per runtime (the same in both languages), Rust
/// solid with circles, Python dashed with triangles.
fn picture(rows: &[Row], setup: &Setup) -> Result<String> {
    let mut names: Vec<&str> = Vec::new();
    for row in rows {
        if !names.contains(&row.name.as_str()) {
            names.push(&row.name);
        }
    }
    let series: Vec<Series> = rows
        .iter()
        .map(|row| {
            let i = names
                .iter()
                .position(|n| *n == row.name)
                .expect("every row's name is listed");
            Series {
                label: row.label(),
                points: row
                    .points
                    .iter()
                    .map(|p| (p.n as f64, p.time.median))
                    .collect(),
                colour: PALETTE[i % PALETTE.len()],
                dashed: row.language == Language::Python,
                marker: Some(match row.language {
                    Language::Rust => Marker::Circle,
                    Language::Python => Marker::Triangle,
                }),
            }
        })
        .collect();
    let runs = if setup.runs == 1 {
        "one run".to_owned()
    } else {
        format!("median of {} runs", setup.runs)
    };
    let title = format!(
        "runtimes: time to spawn and join one no-op task, against N (both axes \
         logarithmic, {runs}); Rust solid, Python dashed"
    );
    log_log(
        &LogLog {
            title: &title,
            x_desc: "N, tasks alive at once",
            y_desc: "time per task",
            y_unit: Unit::Seconds,
        },
        &series,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use Language::{Python, Rust};

    fn run(n: u64, task_s: f64, task_bytes: f64) -> Variant {
        let mut v = Variant::new("any", "test");
        v.figures.insert("task_s".into(), task_s);
        v.figures.insert("task_bytes".into(), task_bytes);
        v.figures.insert("completed".into(), n as f64);
        v
    }

    fn job(n: u64) -> Job {
        Job {
            language: Rust,
            variant: "os-threads".into(),
            n,
            runs: 1,
        }
    }

    /// Each language's variants, the jobs, and each job's runs.
    type Measured = (Vec<(Language, Vec<String>)>, Vec<Job>, Vec<Vec<PerTask>>);
    /// (language, variant, N, [(seconds, bytes) per run]).
    type Data<'a> = Vec<(Language, &'a str, u64, Vec<(f64, f64)>)>;

    fn measured() -> Measured {
        let data: Data = vec![
            (
                Rust,
                "tokio-multi-thread",
                1_000,
                vec![(900e-9, 480.0), (1_080e-9, 480.0), (810e-9, 480.0)],
            ),
            (Rust, "os-threads", 1_000, vec![(100e-6, 14_000.0)]),
            (Python, "asyncio", 1_000, vec![(8e-6, 1_200.0)]),
            (Rust, "os-threads", 10_000, vec![(150e-6, 14_000.0)]),
            (Python, "asyncio", 100_000, vec![(15e-6, 1_190.0)]),
            (
                Rust,
                "tokio-multi-thread",
                1_000_000,
                vec![(1.0e-6, 480.0), (1.2e-6, 480.0), (0.9e-6, 480.0)],
            ),
        ];
        let variants = vec![
            (
                Rust,
                vec!["tokio-multi-thread".to_owned(), "os-threads".to_owned()],
            ),
            (Python, vec!["asyncio".to_owned()]),
        ];
        let (jobs, results) = data
            .into_iter()
            .map(|(language, variant, n, runs)| {
                let job = Job {
                    language,
                    variant: variant.into(),
                    n,
                    runs: runs.len() as u32,
                };
                let runs = runs
                    .iter()
                    .map(|&(s, b)| PerTask::of(&job, &run(n, s, b)).expect("valid"))
                    .collect();
                (job, runs)
            })
            .unzip();
        (variants, jobs, results)
    }

    fn test_rows() -> Vec<Row> {
        let (variants, jobs, results) = measured();
        rows(&variants, &jobs, &results)
    }

    #[test]
    fn one_row_per_runtime_and_language_one_column_per_n() {
        let text = table(&test_rows(), &Setup::for_tests());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "| runtime | language | N = 1,000 | N = 10,000 | N = 100,000 | N = 1,000,000 | memory per task (at N) |"
        );
        assert_eq!(
            lines[2],
            "| `tokio-multi-thread` | Rust | 900 ns<br><sub>810 ns–1.1 µs</sub> | — | — \
             | 1.0 µs<br><sub>900 ns–1.2 µs</sub> | 480 B<br><sub>N = 1,000,000</sub> |"
        );
        assert!(
            lines[3].starts_with("| `os-threads` | Rust | 100.0 µs | 150.0 µs |"),
            "{}",
            lines[3]
        );
        assert!(
            lines[3].ends_with("| 14.0 kB<br><sub>N = 10,000</sub> |"),
            "{}",
            lines[3]
        );
        assert_eq!(
            lines[4],
            "| `asyncio` | Python | 8.0 µs | — | 15.0 µs | — | 1.19 kB<br><sub>N = 100,000</sub> |"
        );
        assert!(text.contains("revision `abc1234`"));
        assert!(text.contains("Median of 3 runs (min–max), after one warm-up run per language;"));
    }

    #[test]
    fn a_run_must_complete_every_task() {
        let error = |v: &Variant| format!("{:#}", PerTask::of(&job(1_000), v).expect_err("bad"));
        assert!(error(&run(999, 1e-6, 1.0)).contains("completed 999 of 1000 tasks"));
        assert!(error(&Variant::new("os-threads", "x")).contains("no `completed`"));
        let mut untimed = run(1_000, 1e-6, 1.0);
        untimed.figures.remove("task_s");
        assert!(error(&untimed).contains("no `task_s`"));
        let mut no_memory = run(1_000, 1e-6, 1.0);
        no_memory.figures.remove("task_bytes");
        assert_eq!(
            PerTask::of(&job(1_000), &no_memory).expect("valid"),
            PerTask {
                seconds: 1e-6,
                bytes: None
            }
        );
    }

    #[test]
    fn headline_quotes_the_largest_n_of_each() {
        let text = headline(&test_rows());
        for expected in [
            "a tokio task (`tokio-multi-thread`, N = 1,000,000) cost 1.0 µs and 480 B",
            "an OS thread (`os-threads`, N = 10,000) cost 150.0 µs and 14.0 kB",
            "a Python asyncio task (`asyncio`, N = 100,000) cost 15.0 µs and 1.19 kB",
            "the asyncio task took 15.0× the tokio task's time, the OS thread 150×",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in\n{text}");
        }
    }

    #[test]
    fn picture_has_a_line_per_runtime_and_language() {
        let svg = picture(&test_rows(), &Setup::for_tests()).expect("draws");
        for label in [
            "tokio-multi-thread (Rust)",
            "os-threads (Rust)",
            "asyncio (Python)",
            "median of 3 runs",
        ] {
            assert!(svg.contains(label), "{label}");
        }
    }
}
