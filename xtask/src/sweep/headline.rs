//! `crawler.sweep.headline.md`: one paragraph quoting the sweep, every number computed
//! from the cells.

use std::collections::BTreeSet;

use concurrency_pairs::crawl::{SEED, crawl_jobs};

use crate::format::{Stats, bytes, count, ratio, seconds, thousands};
use crate::measure::Language;

use super::cells::{Cell, IDIOMATIC, percent};

/// The size the headline compares the languages at, when both ran it.
const HEADLINE_N: u64 = 10_000;
/// The size of a second quote of Python's parallel speed-up.
const SECOND_PYTHON_N: u64 = 2_000;
/// The article's 5 batches.
const ARTICLE: &str = "article-batches";
const ARTICLE_BATCHES: f64 = 5.0;

/// The integers all `n` tasks sum, as the examples draw them.
fn units(n: u64) -> f64 {
    let n = usize::try_from(n).expect("a task count fits in memory");
    crawl_jobs(n, SEED).iter().map(|j| j.units as f64).sum()
}

/// `0.29 ns`, `13.1 ns`: a time per integer.
fn per_integer(cpu_s: f64, n: u64) -> String {
    let ns = cpu_s / units(n) * 1e9;
    if ns < 10.0 {
        format!("{ns:.2} ns")
    } else {
        format!("{ns:.1} ns")
    }
}

/// "one run", "median of 3 runs", "median of 1–3 runs" for the cells at `n`.
fn runs_phrase(cells: &[Cell], n: u64) -> String {
    let counts = cells.iter().filter(|c| c.n == n).map(|c| c.runs);
    let (lo, hi) = counts.fold((usize::MAX, 0), |(lo, hi), k| (lo.min(k), hi.max(k)));
    match (lo, hi) {
        (1, 1) => "one run".to_owned(),
        (lo, hi) if lo == hi => format!("median of {lo} runs"),
        (lo, hi) => format!("median of {lo}–{hi} runs"),
    }
}

/// The headline paragraph: every number comes from `cells`.
pub(super) fn render(cells: &[Cell]) -> String {
    use Language::{Python, Rust};
    let at = |language: Language, variant: &str, n: u64| {
        cells
            .iter()
            .find(|c| c.language == language && c.variant == variant && c.n == n)
    };
    let best_rust = |n: u64| {
        cells
            .iter()
            .filter(|c| c.language == Rust && c.n == n)
            .min_by(|a, b| a.wall.median.total_cmp(&b.wall.median))
    };
    // The CPU work's cost is measured once per process, whatever the variant: the median
    // over a language's cells at `n` is the steadiest figure.
    // (`single-loop-sum` measures `sum(range(n))`, not the article's loop: apart.)
    let cpu_at = |language: Language, n: u64| {
        let costs: Vec<f64> = cells
            .iter()
            .filter(|c| c.language == language && c.n == n && c.variant != IDIOMATIC)
            .map(|c| c.cpu_s)
            .collect();
        Stats::of(&costs).map(|s| s.median)
    };
    let sizes_of = |language: Language| -> BTreeSet<u64> {
        cells
            .iter()
            .filter(|c| c.language == language)
            .map(|c| c.n)
            .collect()
    };
    let (rust_ns, python_ns) = (sizes_of(Rust), sizes_of(Python));
    let common: BTreeSet<u64> = rust_ns.intersection(&python_ns).copied().collect();
    let compare_at = if common.contains(&HEADLINE_N) {
        Some(HEADLINE_N)
    } else {
        common.last().copied()
    };

    let mut sentences = Vec::new();
    if let Some(n) = compare_at {
        let best = best_rust(n);
        let (rust_single, python_single, python_per_core) = (
            at(Rust, "single-loop", n),
            at(Python, "single-loop", n),
            at(Python, "loop-per-core", n),
        );
        if let Some(best) = best {
            let mut s = format!(
                "At {} tasks ({}), the fastest Rust variant, `{}`, took {}, {} its ideal",
                thousands(n),
                runs_phrase(cells, n),
                best.variant,
                seconds(best.wall.median),
                ratio(best.over_ideal())
            );
            if let Some(p) = python_per_core {
                s += &format!(
                    "; Python's `loop-per-core` took {}, {} as long",
                    seconds(p.wall.median),
                    ratio(p.wall.median / best.wall.median)
                );
            }
            sentences.push(s + ".");
        }
        if let (Some(r), Some(p)) = (rust_single, python_single) {
            let mut s = format!(
                "Compiled code: on one core each (`single-loop`), Python took {} Rust's time \
                 ({} against {})",
                ratio(p.wall.median / r.wall.median),
                seconds(p.wall.median),
                seconds(r.wall.median)
            );
            if let (Some(py_cpu), Some(rust_cpu)) = (cpu_at(Python, n), cpu_at(Rust, n))
                && rust_cpu > 0.0
            {
                s += &format!(
                    ", and the same CPU work cost {} as much per integer in Python ({} of CPU \
                     work against {}, or {} against {} per integer, with every core busy; \
                     each the median over all its runs at this size)",
                    ratio(py_cpu / rust_cpu),
                    seconds(py_cpu),
                    seconds(rust_cpu),
                    per_integer(py_cpu, n),
                    per_integer(rust_cpu, n)
                );
            }
            sentences.push(s + ".");
        }
        if let (Some(idiomatic), Some(py_cpu)) = (at(Python, IDIOMATIC, n), cpu_at(Python, n)) {
            sentences.push(format!(
                "What idiomatic Python would write, `sum(range(n))` (`{IDIOMATIC}`), cost {} \
                 per integer against the article's loop's {}: the loop is {} as dear, and \
                 `{IDIOMATIC}` took {}.",
                per_integer(idiomatic.cpu_s, n),
                per_integer(py_cpu, n),
                ratio(py_cpu / idiomatic.cpu_s),
                seconds(idiomatic.wall.median)
            ));
        }
        let mut parallel = Vec::new();
        if let (Some(single), Some(article)) = (python_single, at(Python, ARTICLE, n)) {
            parallel.push(format!(
                "Python's `single-loop` took {} the time of the article's 5 batches \
                 (`{ARTICLE}`: {} worker processes, the busiest crawling {} of the batches \
                 one after another; the article's nearly three times, re-measured on this \
                 machine)",
                ratio(single.wall.median / article.wall.median),
                count(article.lanes),
                count((ARTICLE_BATCHES / article.lanes.max(1.0)).ceil())
            ));
        }
        if let (Some(single), Some(per_core)) = (python_single, python_per_core) {
            let mut s = format!(
                "Python's `single-loop` took {} the time of its `loop-per-core` ({} worker \
                 processes, a batch each)",
                ratio(single.wall.median / per_core.wall.median),
                count(per_core.lanes)
            );
            if n != SECOND_PYTHON_N
                && let (Some(single), Some(per_core)) = (
                    at(Python, "single-loop", SECOND_PYTHON_N),
                    at(Python, "loop-per-core", SECOND_PYTHON_N),
                )
            {
                s += &format!(
                    ", and {} at {} tasks",
                    ratio(single.wall.median / per_core.wall.median),
                    thousands(SECOND_PYTHON_N)
                );
            }
            parallel.push(s);
        }
        if let (Some(single), Some(best)) = (rust_single, best) {
            parallel.push(if single.variant == best.variant {
                "Rust's `single-loop` was itself the fastest Rust variant".to_owned()
            } else {
                format!(
                    "Rust's `single-loop` took {} the time of `{}`",
                    ratio(single.wall.median / best.wall.median),
                    best.variant
                )
            });
        }
        if !parallel.is_empty() {
            sentences.push(format!("Parallelism: {}.", parallel.join("; ")));
        }
        if let Some(s) = busy_sentence(cells, Python, n) {
            sentences.push(s);
        }
    }
    if let Some(n) = rust_ns.last().copied()
        && let Some(best) = best_rust(n)
    {
        let mut s = if Some(n) == compare_at {
            // Its wall time is already quoted above.
            format!(
                "At that size `{}` peaked at {} of RSS ({} per task)",
                best.variant,
                bytes(best.peak_rss_bytes),
                bytes(best.bytes_per_task())
            )
        } else {
            format!(
                "At {} tasks ({}), Rust's fastest variant, `{}`, took {}, {} its ideal, with \
                 a peak RSS of {} ({} per task)",
                thousands(n),
                runs_phrase(cells, n),
                best.variant,
                seconds(best.wall.median),
                ratio(best.over_ideal()),
                bytes(best.peak_rss_bytes),
                bytes(best.bytes_per_task())
            )
        };
        if let Some(single) = at(Rust, "single-loop", n).filter(|c| c.variant != best.variant) {
            s += &format!(
                "; `single-loop` took {}, {} its ideal",
                seconds(single.wall.median),
                ratio(single.over_ideal())
            );
        }
        sentences.push(s + ".");
        if let Some(s) = busy_sentence(cells, Rust, n) {
            sentences.push(s);
        }
    }
    if sentences.is_empty() {
        return "No headline: the sweep measured nothing.\n".to_owned();
    }
    sentences.join(" ") + "\n"
}

/// How busy the cores were at `n` in one language: each variant's CPU time over its wall
/// time × the cores, and what an integer cost with every core busy against one core alone,
/// so a reader can tell a scheduler that leaves cores idle from a machine that computes
/// slower when all its cores do.
fn busy_sentence(cells: &[Cell], language: Language, n: u64) -> Option<String> {
    let here: Vec<&Cell> = cells
        .iter()
        .filter(|c| c.language == language && c.n == n)
        .collect();
    let first = here.first()?;
    let each: Vec<String> = here
        .iter()
        .map(|c| format!("`{}` {}", c.variant, percent(c.utilisation)))
        .collect();
    let slowdowns: Vec<f64> = here.iter().map(|c| c.load_slowdown).collect();
    let slowdown = Stats::of(&slowdowns)?.median;
    Some(format!(
        "Busy cores, {} at {} tasks (CPU time ÷ wall time × cores): {}; an integer cost {} \
         as much with every core computing at once as on one core alone (the ideal assumes \
         the former).",
        first.language.name(),
        thousands(n),
        each.join(", "),
        ratio(slowdown)
    ))
}

#[cfg(test)]
mod tests {
    use super::super::cells::test_cells;
    use super::*;

    #[test]
    fn headline_numbers_come_from_the_data() {
        let text = render(&test_cells());
        for expected in [
            // Best Rust at 10,000: multi-thread, 1.05 s against an ideal of 1.05 s.
            "At 10,000 tasks (median of 3 runs), the fastest Rust variant, `multi-thread`, took 1.05 s, 1.00× its ideal",
            // Python loop-per-core: 25 s, ÷ 1.05 = 23.8.
            "Python's `loop-per-core` took 25.0 s, 23.8× as long.",
            // 41 s ÷ 1.1 s; CPU 40 s ÷ 0.1 s.
            "Python took 37.3× Rust's time (41.0 s against 1.10 s), and the same CPU work cost 400× as much per integer in Python (40.0 s of CPU work against 100.0 ms, or 13.3 ns against 0.03 ns per integer, with every core busy;",
            // sum(range(n)): 10 s of CPU work against the loop's 40 s.
            "`sum(range(n))` (`single-loop-sum`), cost 3.32 ns per integer against the article's loop's 13.3 ns: the loop is 4.00× as dear, and `single-loop-sum` took 11.0 s.",
            // 41 ÷ 31 at 10,000; 5 batches on 2 workers: 3 on the busiest.
            "Python's `single-loop` took 1.32× the time of the article's 5 batches (`article-batches`: 2 worker processes, the busiest crawling 3 of the batches one after another; the article's nearly three times, re-measured on this machine)",
            // CPU 40 s ÷ (25 s × 2 cores).
            "Busy cores, Python at 10,000 tasks (CPU time ÷ wall time × cores): `single-loop` 49%, `article-batches` 65%, `loop-per-core` 80%, `single-loop-sum` 45%; an integer cost 1.25× as much",
            "Busy cores, Rust at 1,000,000 tasks",
            // 41 ÷ 25 at 10,000; 9 ÷ 5.8 at 2,000.
            "Python's `single-loop` took 1.64× the time of its `loop-per-core` (2 worker processes, a batch each), and 1.55× at 2,000 tasks;",
            "Rust's `single-loop` took 1.05× the time of `multi-thread`.",
            // 1,000,000: multi-thread 1 + 5 = 6 s, ideal 6 s, 203 MB.
            "At 1,000,000 tasks (one run), Rust's fastest variant, `multi-thread`, took 6.00 s, 1.00× its ideal, with a peak RSS of 203 MB (203 B per task); `single-loop` took 11.0 s, 1.83× its ideal.",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in\n{text}");
        }
        assert_eq!(render(&[]), "No headline: the sweep measured nothing.\n");
    }

    #[test]
    fn headline_falls_back_to_the_largest_common_size() {
        let cells: Vec<Cell> = test_cells().into_iter().filter(|c| c.n <= 2_000).collect();
        let text = render(&cells);
        assert!(
            text.starts_with("At 2,000 tasks (median of 3 runs)"),
            "{text}"
        );
        assert!(!text.contains("at 2,000 tasks;"), "{text}");
        // The largest Rust size is the compared one: its wall time is not quoted twice.
        assert!(
            text.contains(
                "At that size `multi-thread` peaked at 3.40 MB of RSS (1.70 kB per task);"
            ),
            "{text}"
        );
        assert_eq!(text.matches("At 2,000 tasks").count(), 1, "{text}");
    }
}
