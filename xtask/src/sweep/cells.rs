//! Each run read from its trace's typed figures and checked, and the runs of one
//! (language, variant, N) summarised into a cell of the table.

use anyhow::{Context, Result, ensure};
use concurrency_pairs::Variant;

use crate::format::Stats;
use crate::measure::{Job, Language};

/// What one run reported.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Sample {
    pub wall_s: f64,
    pub ideal_s: f64,
    pub cpu_s: f64,
    pub peak_rss_bytes: f64,
    pub lanes: f64,
    /// CPU time ÷ (wall × cores).
    pub utilisation: f64,
    /// An integer's cost with every core busy ÷ on one core alone.
    pub load_slowdown: f64,
}

impl Sample {
    /// One run of `job`, checked: it ran every task and got every answer right.
    pub fn of(job: &Job, v: &Variant) -> Result<Sample> {
        let f = |key: &str| {
            v.figures
                .get(key)
                .copied()
                .with_context(|| format!("its trace reports no `{key}`"))
        };
        let (tasks_run, wrong) = (f("tasks_run")?, f("wrong")?);
        ensure!(wrong == 0.0, "{wrong} wrong results (must be 0)");
        ensure!(
            tasks_run == job.n as f64,
            "ran {tasks_run} tasks instead of {}",
            job.n
        );
        Ok(Sample {
            wall_s: v.wall_s,
            ideal_s: v.ideal_s.context("its trace has no `ideal_s`")?,
            cpu_s: f("cpu_s")?,
            peak_rss_bytes: f("peak_rss_bytes")?,
            lanes: f("lanes")?,
            utilisation: f("cpu_utilisation")?,
            load_slowdown: f("load_slowdown")?,
        })
    }
}

/// Every run of one (language, variant, N), summarised.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Cell {
    pub language: Language,
    pub variant: String,
    pub n: u64,
    pub runs: usize,
    pub wall: Stats,
    /// Medians over the runs.
    pub ideal_s: f64,
    pub cpu_s: f64,
    pub peak_rss_bytes: f64,
    pub lanes: f64,
    pub utilisation: f64,
    pub load_slowdown: f64,
}

impl Cell {
    /// `None` for no runs.
    pub fn of(job: &Job, samples: &[Sample]) -> Option<Cell> {
        let median = |f: fn(&Sample) -> f64| {
            Stats::of(&samples.iter().map(f).collect::<Vec<_>>()).map(|s| s.median)
        };
        Some(Cell {
            language: job.language,
            variant: job.variant.clone(),
            n: job.n,
            runs: samples.len(),
            wall: Stats::of(&samples.iter().map(|s| s.wall_s).collect::<Vec<_>>())?,
            ideal_s: median(|s| s.ideal_s)?,
            cpu_s: median(|s| s.cpu_s)?,
            peak_rss_bytes: median(|s| s.peak_rss_bytes)?,
            lanes: median(|s| s.lanes)?,
            utilisation: median(|s| s.utilisation)?,
            load_slowdown: median(|s| s.load_slowdown)?,
        })
    }

    pub fn over_ideal(&self) -> f64 {
        self.wall.median / self.ideal_s
    }

    /// Peak RSS per task, in bytes.
    pub fn bytes_per_task(&self) -> f64 {
        self.peak_rss_bytes / self.n as f64
    }

    pub fn label(&self) -> String {
        format!("{} ({})", self.variant, self.language.name())
    }
}

/// The twin's variant that parses with `sum(range(n))`, not the article's loop: its CPU
/// work and ideal are its own, kept apart from the other Python variants'.
pub(super) const IDIOMATIC: &str = "single-loop-sum";

/// A share as a percentage: `0.874` -> `87%`.
pub(super) fn percent(share: f64) -> String {
    format!("{:.0}%", share * 100.0)
}

/// Hand-built cells for the tests of the table, the headline and the pictures: Rust at
/// 1,000, 2,000, 10,000 and 1,000,000 tasks, Python up to 10,000.
#[cfg(test)]
pub(super) fn test_cells() -> Vec<Cell> {
    use Language::{Python, Rust};
    let cell = |language, variant: &str, n, walls: &[f64], ideal, cpu, rss| {
        let job = Job {
            language,
            variant: variant.into(),
            n,
            runs: walls.len() as u32,
        };
        let samples: Vec<Sample> = walls
            .iter()
            .map(|&wall_s| Sample {
                wall_s,
                ideal_s: ideal,
                cpu_s: cpu,
                peak_rss_bytes: rss,
                lanes: 2.0,
                utilisation: cpu / (wall_s * 2.0),
                load_slowdown: 1.25,
            })
            .collect();
        Cell::of(&job, &samples).expect("runs")
    };
    let mut cells = Vec::new();
    for (n, runs) in [(1_000u64, 3usize), (2_000, 3), (10_000, 3), (1_000_000, 1)] {
        let k = n as f64 / 10_000.0;
        // Rust: CPU 0.1 s per 10,000 tasks; ideal 1 s + a share of it.
        let ideal = 1.0 + 0.05 * k;
        let rust = [
            ("single-loop", 1.0 + 0.1 * k),
            ("article-batches", 1.0 + 0.07 * k),
            ("loop-per-core", 1.0 + 0.06 * k),
            ("multi-thread", 1.0 + 0.05 * k),
            ("io-plus-rayon", 1.0 + 0.055 * k),
        ];
        for (variant, wall) in rust {
            let walls: Vec<f64> = [wall, wall * 0.98, wall * 1.05][..runs].to_vec();
            let rss = 3e6 + 200.0 * n as f64;
            cells.push(cell(Rust, variant, n, &walls, ideal, 0.1 * k, rss));
        }
        if n <= 10_000 {
            // Python: CPU 40 s per 10,000 tasks (400× Rust's); 10 s with sum(range(n)).
            for (variant, wall, cpu) in [
                ("single-loop", 1.0 + 40.0 * k, 40.0 * k),
                ("article-batches", 1.0 + 30.0 * k, 40.0 * k),
                ("loop-per-core", 1.0 + 24.0 * k, 40.0 * k),
                ("single-loop-sum", 1.0 + 10.0 * k, 10.0 * k),
            ] {
                let py_ideal = 1.0 + cpu / 2.0;
                cells.push(cell(Python, variant, n, &[wall; 3], py_ideal, cpu, 60e6));
            }
        }
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variant(tasks_run: f64, wrong: f64) -> Variant {
        let mut v = Variant::new("single-loop", "x");
        v.wall_s = 1.5;
        v.ideal_s = Some(1.0);
        v.figures.insert("tasks_run".into(), tasks_run);
        v.figures.insert("wrong".into(), wrong);
        v.figures.insert("cpu_s".into(), 0.08);
        v.figures.insert("peak_rss_bytes".into(), 3.4e6);
        v.figures.insert("lanes".into(), 1.0);
        v.figures.insert("cpu_utilisation".into(), 0.5);
        v.figures.insert("load_slowdown".into(), 1.2);
        v
    }

    #[test]
    fn a_run_must_run_every_task_and_get_each_right() {
        let job = Job {
            language: Language::Rust,
            variant: "single-loop".into(),
            n: 1_000,
            runs: 1,
        };
        let s = Sample::of(&job, &variant(1_000.0, 0.0)).expect("valid");
        assert_eq!(
            s,
            Sample {
                wall_s: 1.5,
                ideal_s: 1.0,
                cpu_s: 0.08,
                peak_rss_bytes: 3.4e6,
                lanes: 1.0,
                utilisation: 0.5,
                load_slowdown: 1.2,
            }
        );
        let error = |v: &Variant| format!("{:#}", Sample::of(&job, v).expect_err("invalid"));
        assert!(error(&variant(1_000.0, 2.0)).contains("2 wrong results"));
        assert!(error(&variant(999.0, 0.0)).contains("ran 999 tasks instead of 1000"));
        let mut no_rss = variant(1_000.0, 0.0);
        no_rss.figures.remove("peak_rss_bytes");
        assert!(error(&no_rss).contains("no `peak_rss_bytes`"));
        let mut no_utilisation = variant(1_000.0, 0.0);
        no_utilisation.figures.remove("cpu_utilisation");
        assert!(error(&no_utilisation).contains("no `cpu_utilisation`"));
    }

    #[test]
    fn a_cell_takes_medians_and_the_wall_range() {
        let cells = test_cells();
        let c = &cells[0];
        assert_eq!((c.n, c.runs, c.variant.as_str()), (1_000, 3, "single-loop"));
        assert_eq!((c.wall.min, c.wall.max), (1.01 * 0.98, 1.01 * 1.05));
        assert_eq!(c.bytes_per_task(), 3_200.0);
        assert_eq!(c.label(), "single-loop (Rust)");
    }
}
