//! Which runs the sweep makes: the example and its flags, the 1-2-5 series of sizes,
//! each language up to its largest, repeated only where runs are short.

use crate::measure::{Job, Language, plan};

/// The example swept.
pub(super) const EXAMPLE: &str = "crawler";
/// Flags every run takes: a count per task, not a span, so the trace stays small.
pub(super) const FLAGS: &[&str] = &["--counts-only"];
/// The smallest N, the start of the 1-2-5 series.
pub(super) const SMALLEST: u64 = 1_000;
/// Sizes up to this one run `--runs` times; bigger ones run once.
pub(super) const REPEATED_UP_TO: u64 = 10_000;
/// `--quick` stops here.
const QUICK_LARGEST: u64 = 2_000;

/// How far and how often, from the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Limits {
    pub rust_max: u64,
    pub python_max: u64,
    pub runs: u32,
    pub quick: bool,
}

/// The 1-2-5 series from 1,000 up to `max`: 1,000, 2,000, 5,000, 10,000, 20,000...
pub(super) fn sizes(max: u64) -> Vec<u64> {
    let mut out = Vec::new();
    let mut decade = SMALLEST;
    while decade <= max {
        out.extend(
            [1u64, 2, 5]
                .iter()
                .filter_map(|k| k.checked_mul(decade))
                .filter(|n| *n <= max),
        );
        match decade.checked_mul(10) {
            Some(next) => decade = next,
            None => break,
        }
    }
    out
}

/// Every job in order: sizes ascending, and at each size Rust's variants then Python's.
pub(super) fn jobs(variants: &[(Language, Vec<String>)], limits: Limits) -> Vec<Job> {
    let Limits {
        mut rust_max,
        mut python_max,
        mut runs,
        quick,
    } = limits;
    if quick {
        (rust_max, python_max, runs) = (
            rust_max.min(QUICK_LARGEST),
            python_max.min(QUICK_LARGEST),
            1,
        );
    }
    plan(
        &sizes(rust_max.max(python_max)),
        variants,
        |language, _, n| {
            let max = match language {
                Language::Rust => rust_max,
                Language::Python => python_max,
            };
            (n <= max).then_some(if n <= REPEATED_UP_TO { runs } else { 1 })
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use Language::{Python, Rust};

    #[test]
    fn sizes_run_the_one_two_five_series() {
        assert_eq!(
            sizes(1_000_000),
            [
                1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000
            ]
        );
        assert_eq!(sizes(10_000), [1_000, 2_000, 5_000, 10_000]);
        assert_eq!(sizes(30_000), [1_000, 2_000, 5_000, 10_000, 20_000]);
        assert_eq!(sizes(1_000), [1_000]);
        assert_eq!(sizes(999), Vec::<u64>::new());
        // No overflow at the top: 10^19 fits in a u64, 2 × 10^19 does not.
        assert_eq!(sizes(u64::MAX).last(), Some(&10_000_000_000_000_000_000));
    }

    #[test]
    fn jobs_order_sizes_then_rust_then_python_and_repeat_only_small_sizes() {
        let names = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect();
        let variants = [
            (
                Rust,
                names(&[
                    "single-loop",
                    "article-batches",
                    "loop-per-core",
                    "multi-thread",
                    "io-plus-rayon",
                ]),
            ),
            (
                Python,
                names(&[
                    "single-loop",
                    "article-batches",
                    "loop-per-core",
                    "single-loop-sum",
                ]),
            ),
        ];
        let limits = Limits {
            rust_max: 1_000_000,
            python_max: 10_000,
            runs: 3,
            quick: false,
        };
        let jobs = jobs(&variants, limits);
        assert_eq!(jobs.len(), 10 * 5 + 4 * 4);
        let first: Vec<(u64, Language, &str)> = jobs[..7]
            .iter()
            .map(|j| (j.n, j.language, j.variant.as_str()))
            .collect();
        assert_eq!(
            first,
            [
                (1_000, Rust, "single-loop"),
                (1_000, Rust, "article-batches"),
                (1_000, Rust, "loop-per-core"),
                (1_000, Rust, "multi-thread"),
                (1_000, Rust, "io-plus-rayon"),
                (1_000, Python, "single-loop"),
                (1_000, Python, "article-batches"),
            ]
        );
        assert!(jobs.windows(2).all(|w| w[0].n <= w[1].n));
        assert!(
            jobs.iter()
                .all(|j| j.runs == if j.n <= 10_000 { 3 } else { 1 })
        );
        assert!(jobs.iter().all(|j| j.language == Rust || j.n <= 10_000));

        let quick = super::jobs(
            &variants,
            Limits {
                quick: true,
                ..limits
            },
        );
        assert_eq!(quick.len(), 2 * (5 + 4));
        assert!(quick.iter().all(|j| j.runs == 1 && j.n <= 2_000));
    }
}
