//! One fresh process per (language, variant, N): the mechanism behind every measurement
//! against a number of tasks (the crawler's sweep, the runtimes ladder). A fresh process
//! per run keeps each run's peak memory its own, and no run inherits another's heap.
//!
//! The contract with an example: `NAME --json --variant V --tasks N [flags]` (or
//! `python3 python/NAME.py` with the same flags) prints a trace of size `N` with exactly
//! the variant `V`.

use std::fmt;
use std::path::Path;

use anyhow::{Context, Result, ensure};
use concurrency_pairs::{Trace, Variant};
use indicatif::ProgressBar;

use super::language::Language;
use super::process::run_once;
use super::runs::parse_trace;

/// One (language, variant, N) to measure, and how many times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub language: Language,
    pub variant: String,
    pub n: u64,
    pub runs: u32,
}

impl fmt::Display for Job {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} at {} tasks",
            self.language.name(),
            self.variant,
            self.n
        )
    }
}

/// Every job in order: sizes ascending, and at each size each language's variants in
/// their own order. `runs(language, variant, n)` is how many counted runs a job gets, or
/// `None` where it does not run at all (beyond a cap).
pub fn plan(
    sizes: &[u64],
    variants: &[(Language, Vec<String>)],
    runs: impl Fn(Language, &str, u64) -> Option<u32>,
) -> Vec<Job> {
    let mut jobs = Vec::new();
    for &n in sizes {
        for (language, names) in variants {
            for variant in names {
                if let Some(runs) = runs(*language, variant, n).filter(|r| *r > 0) {
                    jobs.push(Job {
                        language: *language,
                        variant: variant.clone(),
                        n,
                        runs,
                    });
                }
            }
        }
    }
    jobs
}

/// The warm-up policy of every measurement: `count` untimed runs per language, of that
/// language's first job (its smallest size, its first variant).
pub fn warm_ups(jobs: &[Job], count: u32) -> Vec<Job> {
    let mut firsts: Vec<Job> = Vec::new();
    if count == 0 {
        return firsts;
    }
    for job in jobs {
        if !firsts.iter().any(|f| f.language == job.language) {
            firsts.push(Job {
                runs: count,
                ..job.clone()
            });
        }
    }
    firsts
}

/// Runs one example in fresh processes.
pub struct Fresh<'a> {
    root: &'a Path,
    example: &'a str,
    /// Flags every run takes beside `--json --variant V --tasks N`.
    flags: &'a [&'a str],
}

impl<'a> Fresh<'a> {
    pub fn new(root: &'a Path, example: &'a str, flags: &'a [&'a str]) -> Self {
        Fresh {
            root,
            example,
            flags,
        }
    }

    /// One fresh process for `job`: the one variant it reported.
    pub fn run_one(&self, job: &Job) -> Result<Variant> {
        let mut command = job.language.command(self.root, self.example);
        command
            .args(["--json", "--tasks", &job.n.to_string()])
            .args(["--variant", &job.variant])
            .args(self.flags);
        let stdout = run_once(&mut command)?;
        only_the_job(parse_trace(&stdout, self.example, job.language)?, job)
    }

    /// Run the warm-ups (untimed, not kept), then each job its number of times, reading
    /// each run's variant with `read` as soon as it ends (so a wrong run stops the
    /// measurement there); for each job, in order, what `read` made of each of its runs.
    pub fn run_all<T>(
        &self,
        bar: &ProgressBar,
        warm_ups: &[Job],
        jobs: &[Job],
        read: impl Fn(&Job, &Variant) -> Result<T>,
    ) -> Result<Vec<Vec<T>>> {
        let runs = |jobs: &[Job]| jobs.iter().map(|j| u64::from(j.runs)).sum::<u64>();
        bar.inc_length(runs(warm_ups) + runs(jobs));
        let run = |job: &Job, what: String| -> Result<T> {
            bar.set_message(what.clone());
            let variant = self.run_one(job).context(what.clone())?;
            let read = read(job, &variant).context(what)?;
            bar.inc(1);
            Ok(read)
        };
        for job in warm_ups {
            for _ in 0..job.runs {
                run(job, format!("{}: warm-up, {job}", self.example))?;
            }
        }
        let mut results = Vec::with_capacity(jobs.len());
        for job in jobs {
            let mut reads = Vec::with_capacity(job.runs as usize);
            for k in 1..=job.runs {
                reads.push(run(
                    job,
                    format!("{}: {job}, run {k}/{}", self.example, job.runs),
                )?);
            }
            results.push(reads);
        }
        Ok(results)
    }
}

/// Check a trace ran exactly the job (its size, its one variant) and return that variant.
fn only_the_job(trace: Trace, job: &Job) -> Result<Variant> {
    ensure!(
        trace.size == job.n.to_string(),
        "printed a trace of size {} instead of {}",
        trace.size,
        job.n
    );
    let names: Vec<&str> = trace.variants.iter().map(|v| v.name.as_str()).collect();
    ensure!(
        names == [job.variant.as_str()],
        "printed variants [{}] instead of just `{}`",
        names.join(", "),
        job.variant
    );
    Ok(trace
        .variants
        .into_iter()
        .next()
        .expect("exactly one variant, checked above"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Language::{Python, Rust};

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn plan_orders_sizes_then_languages_and_skips_what_runs_returns_none_for() {
        let variants = [(Rust, names(&["a", "threads"])), (Python, names(&["b"]))];
        let jobs = plan(&[1, 10, 100], &variants, |language, variant, n| {
            (variant != "threads" || n <= 10).then_some(if language == Rust {
                3
            } else {
                1
            })
        });
        let shown: Vec<String> = jobs
            .iter()
            .map(|j| {
                format!("{} {} {} x{}", j.n, j.language.key(), j.variant, j.runs)
            })
            .collect();
        assert_eq!(
            shown,
            [
                "1 rust a x3",
                "1 rust threads x3",
                "1 python b x1",
                "10 rust a x3",
                "10 rust threads x3",
                "10 python b x1",
                "100 rust a x3",
                "100 python b x1",
            ]
        );
        let warm = warm_ups(&jobs, 1);
        assert_eq!(warm.len(), 2);
        assert_eq!(
            (warm[0].to_string(), warm[0].runs),
            ("Rust a at 1 tasks".into(), 1)
        );
        assert_eq!(warm[1].to_string(), "Python b at 1 tasks");
        assert!(warm_ups(&jobs, 0).is_empty());
    }

    fn trace(size: &str, variants: &[&str]) -> Trace {
        const CRAWLER: concurrency_pairs::Pattern =
            concurrency_pairs::Pattern::new("crawler", "x");
        let mut trace = Trace::new(&CRAWLER, &concurrency_pairs::Options::default());
        trace.size = size.into();
        trace.variants = variants.iter().map(|v| Variant::new(v, "x")).collect();
        trace
    }

    #[test]
    fn a_run_must_be_exactly_the_job() {
        let job = Job {
            language: Rust,
            variant: "single-loop".into(),
            n: 1_000,
            runs: 1,
        };
        let v = only_the_job(trace("1000", &["single-loop"]), &job).expect("the job");
        assert_eq!(v.name, "single-loop");
        let error = |t: Trace| {
            format!("{:#}", only_the_job(t, &job).expect_err("not the job"))
        };
        assert!(
            error(trace("999", &["single-loop"]))
                .contains("size 999 instead of 1000")
        );
        assert!(
            error(trace("1000", &["single-loop", "multi-thread"]))
                .contains("instead of just `single-loop`")
        );
        assert!(error(trace("1000", &[])).contains("printed variants []"));
    }

    #[test]
    fn a_trace_must_be_the_example_in_the_language() {
        let json =
            r#"{"example":"crawler","language":"rust","size":"1000","variants":[]}"#;
        assert!(parse_trace(json, "crawler", Rust).is_ok());
        let error =
            |e: &str, l| format!("{:#}", parse_trace(json, e, l).expect_err("wrong"));
        assert!(error("crawler", Python).contains("a trace of crawler (rust)"));
        assert!(error("runtimes", Rust).contains("a trace of crawler (rust)"));
        assert!(
            format!(
                "{:#}",
                parse_trace("not json", "crawler", Rust).expect_err("bad")
            )
            .contains("no valid trace")
        );
    }
}
