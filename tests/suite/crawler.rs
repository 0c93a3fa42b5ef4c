//! crawler: every task runs once with the right result, in every variant and in the
//! Python twin (the same seeded jobs); the single loop does all CPU work on one thread,
//! the other variants spread it over distinct threads (or processes); the article's
//! variant cuts exactly 5 batches, and the twin parses with the article's own loop; every
//! variant says how busy the cores were.

use crate::common::*;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use concurrency_pairs::crawl::{SEED, crawl_jobs};
use concurrency_pairs::work::cpu_work_expected;
use concurrency_pairs::{Derived, Trace, Variant};

const N: usize = 50;

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The lanes that parsed, as the chapter's table shows them: computed from the spans.
fn lanes_figure(v: &Variant) -> u64 {
    let lanes = describe("crawler")
        .figures()
        .into_iter()
        .find(|f| f.key.0 == "lanes")
        .expect("the crawler declares its lanes");
    assert_eq!(lanes.derived, Some(Derived::Lanes));
    v.value(&lanes).expect("the variant kept its spans") as u64
}

/// Every task ran once, was received once, and summed the right number of integers.
fn assert_all_done_right(v: &Variant) {
    assert_each_task_received_once(v, N);
    let expected: Vec<u64> = crawl_jobs(N, SEED)
        .iter()
        .map(|j| cpu_work_expected(j.units))
        .collect();
    assert_eq!(v.sums, Some(expected), "{}: wrong sums", v.name);
    assert_eq!(count(v, "tasks_run"), N as u64);
    assert_eq!(count(v, "wrong"), 0, "{}", v.name);
    // A task's CPU part cannot start before its IO delay is over.
    let jobs = crawl_jobs(N, SEED);
    for t in &v.tasks {
        assert!(
            t.start_s >= jobs[t.id].io_s() - 0.002,
            "{}: task {} computed at {} before its {} ms wait ended",
            v.name,
            t.id,
            t.start_s,
            jobs[t.id].io_ms
        );
    }
    let ideal = v.ideal_s.expect("an ideal is printed");
    let slowest_io = jobs.iter().map(|j| j.io_s()).fold(0.0, f64::max);
    assert!(ideal >= slowest_io, "{}: ideal {ideal}", v.name);
    assert_utilisation_reported(v);
}

/// CPU time over wall time × cores: a share of the machine, so above 0 and at most 1
/// (with room for the clock ticks the CPU time is counted in), and the cost of an integer
/// with every core busy against one core alone.
fn assert_utilisation_reported(v: &Variant) {
    let busy = figure(v, "cpu_utilisation");
    assert!(
        busy > 0.0 && busy <= 1.05,
        "{}: CPU time ÷ (wall × cores) {busy}",
        v.name
    );
    let slowdown = figure(v, "load_slowdown");
    assert!(
        slowdown > 0.0 && slowdown.is_finite(),
        "{}: {slowdown}",
        v.name
    );
}

/// The article's variant: the tasks cut into exactly the batches it reports (the
/// article's 5), contiguous, of N / 5, each crawled whole by one worker, on no more
/// workers than cores; returns the batches each worker crawled.
fn assert_five_batches(v: &Variant) -> BTreeMap<&str, BTreeSet<usize>> {
    let article_batches = count(v, "batches") as usize;
    let step = N.div_ceil(article_batches);
    let mut lane_of_batch: BTreeMap<usize, BTreeSet<&str>> = BTreeMap::new();
    for t in &v.tasks {
        lane_of_batch
            .entry(t.id / step)
            .or_default()
            .insert(t.lane.as_str());
    }
    let batches: Vec<usize> = lane_of_batch.keys().copied().collect();
    assert_eq!(
        batches,
        (0..article_batches).collect::<Vec<_>>(),
        "{}: batches",
        v.name
    );
    let mut per_lane: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
    for (batch, lanes) in &lane_of_batch {
        assert_eq!(
            lanes.len(),
            1,
            "{}: batch {batch} split over {lanes:?}",
            v.name
        );
        let lane = lanes.first().expect("one lane");
        per_lane.entry(lane).or_default().insert(*batch);
    }
    assert!(
        per_lane.len() <= cores().min(article_batches),
        "{per_lane:?}"
    );
    // 5 batches on at most `cores` workers: one worker crawls at least ceil(5 / cores) of
    // them one after another (3 of the 5 on two cores), which caps the speed-up.
    let busiest = per_lane.values().map(BTreeSet::len).max().expect("lanes");
    assert!(busiest >= article_batches.div_ceil(cores()), "{per_lane:?}");
    assert_eq!(lanes_figure(v), per_lane.len() as u64);
    // A worker crawls its batches one after another, each on a fresh loop that starts its
    // waits only then: a batch's first parse comes at least the shortest wait (200 ms)
    // after the worker's previous batch ended. So the worker with 3 batches waits 3 times.
    let span = |batch: usize| {
        let spans = v.tasks.iter().filter(|t| t.id / step == batch);
        spans.fold((f64::INFINITY, 0.0_f64), |(first, last), t| {
            (first.min(t.start_s), last.max(t.end_s))
        })
    };
    for (lane, batches) in &per_lane {
        let mut spans: Vec<(f64, f64)> = batches.iter().map(|b| span(*b)).collect();
        spans.sort_by(|a, b| a.0.total_cmp(&b.0));
        for w in spans.windows(2) {
            assert!(w[1].0 >= w[0].1 + 0.2 - 0.002, "{}: {lane}: {w:?}", v.name);
        }
    }
    per_lane
}

fn lanes(v: &Variant) -> BTreeMap<&str, Vec<usize>> {
    let mut lanes: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for t in &v.tasks {
        lanes.entry(t.lane.as_str()).or_default().push(t.id);
    }
    lanes
}

/// All CPU parts on one lane, never two at once.
fn assert_one_lane_serialised(v: &Variant) {
    let lanes = lanes(v);
    assert_eq!(lanes.len(), 1, "{}: {:?}", v.name, lanes.keys());
    let mut spans: Vec<(f64, f64)> =
        v.tasks.iter().map(|t| (t.start_s, t.end_s)).collect();
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    for w in spans.windows(2) {
        assert!(w[1].0 >= w[0].1, "{}: CPU parts overlap: {w:?}", v.name);
    }
}

#[test]
fn rust_variants_run_every_task_once_with_the_right_result() {
    let trace = rust_trace("crawler", &["--tasks", &N.to_string()]);
    assert_eq!(trace.size, N.to_string());
    let names: Vec<&str> = trace.variants.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, describe("crawler").names(false));
    for v in &trace.variants {
        assert_all_done_right(v);
        // The same jobs everywhere, so the same ideal.
        assert_eq!(v.ideal_s, trace.variants[0].ideal_s);
    }

    // The single loop: everything on the thread that runs the loop.
    let single = variant(&trace, "single-loop");
    assert_one_lane_serialised(single);
    assert!(lanes(single).contains_key("main"));

    // A loop per core: one lane per core, each running one contiguous batch of tasks.
    let per_core = variant(&trace, "loop-per-core");
    let batch = N.div_ceil(cores());
    let lanes_used = lanes(per_core);
    assert_eq!(lanes_used.len(), cores(), "{:?}", lanes_used.keys());
    for (lane, ids) in &lanes_used {
        assert!(lane.starts_with("loop-"), "{lane}");
        let batches: BTreeSet<usize> = ids.iter().map(|id| id / batch).collect();
        assert_eq!(batches.len(), 1, "{lane} ran tasks of batches {batches:?}");
        assert_eq!(ids.len(), batch.min(N - ids[0] / batch * batch), "{lane}");
    }
    assert_eq!(lanes_figure(per_core), cores() as u64);

    // The article's 5 batches on a thread per core, thread `w` taking batches `w`,
    // `w + cores`, ...: the first thread crawls ceil(5 / cores) of them.
    let article = variant(&trace, "article-batches");
    let per_lane = assert_five_batches(article);
    let first = per_lane.get("loop-0").expect("loop-0 crawled batches");
    let article_batches = count(article, "batches") as usize;
    let expected: BTreeSet<usize> = (0..article_batches).step_by(cores()).collect();
    assert_eq!(first, &expected);

    // Work stealing and rayon: CPU parts on the pool's threads, never on the caller's.
    for (name, prefix) in [("multi-thread", "worker-"), ("io-plus-rayon", "rayon-")] {
        let v = variant(&trace, name);
        let used = lanes(v);
        assert!(
            used.keys().all(|l| l.starts_with(prefix)),
            "{name}: {:?}",
            used.keys()
        );
        assert!(used.len() <= cores(), "{name}: {:?}", used.keys());
    }
}

#[test]
fn python_twin_does_the_same_work() {
    let trace = python_trace("crawler", &["--tasks", &N.to_string()]);
    let names: Vec<&str> = trace.variants.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, describe("crawler").names(true));
    for v in &trace.variants {
        // Same seed, same jobs: the same sums as Rust computes for them.
        assert_all_done_right(v);
    }
    // One event loop: one thread did every CPU part, one at a time, and gather handed
    // every result over at once, in submission order, after the last task ended.
    let single = variant(&trace, "single-loop");
    assert_one_lane_serialised(single);
    assert_submission_order(single);
    let last_end = single.tasks.iter().map(|t| t.end_s).fold(0.0, f64::max);
    assert!(single.received_s.iter().all(|at| *at >= last_end));

    // The default parse is the article's explicit loop; `sum(range(n))` is a variant of
    // its own, with the same results (checked above).
    assert!(
        single.uses.contains("for i in range(n): result += i"),
        "{}",
        single.uses
    );
    let idiomatic = variant(&trace, "single-loop-sum");
    assert!(
        idiomatic.uses.contains("sum(range(n))"),
        "{}",
        idiomatic.uses
    );
    assert_one_lane_serialised(idiomatic);

    // The article's design: 5 batches on a default ProcessPoolExecutor, gathered after
    // the pool's `with` block ended, so every page arrives after the last task ended.
    let article = variant(&trace, "article-batches");
    assert_five_batches(article);
    let last_end = article.tasks.iter().map(|t| t.end_s).fold(0.0, f64::max);
    assert!(article.received_s.iter().all(|at| *at >= last_end));

    // A loop per core: one worker process per batch, and a batch's results arrive only
    // when its whole batch is done.
    let per_core = variant(&trace, "loop-per-core");
    let batch = N.div_ceil(cores());
    let lanes_used = lanes(per_core);
    assert_eq!(lanes_used.len(), cores(), "{:?}", lanes_used.keys());
    for ids in lanes_used.values() {
        let batch_end = ids
            .iter()
            .map(|id| per_core.task(*id).expect("a span").end_s)
            .fold(0.0, f64::max);
        for (id, at) in per_core.received.iter().zip(&per_core.received_s) {
            if ids[0] / batch == id / batch {
                assert!(
                    *at >= batch_end,
                    "task {id} received before its batch ended"
                );
            }
        }
    }
}

#[test]
fn python_draws_the_same_jobs() {
    let output = python()
        .arg("-c")
        .arg(
            "import sys; sys.path.insert(0, 'python'); import cpairs; \
             print(' '.join(f'{j.io_ms}:{j.units}' for j in cpairs.crawl_jobs(1000)))",
        )
        .current_dir(root())
        .output()
        .expect("python3 runs");
    assert!(output.status.success(), "{output:?}");
    let rust: Vec<String> = crawl_jobs(1000, SEED)
        .iter()
        .map(|j| format!("{}:{}", j.io_ms, j.units))
        .collect();
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        rust.join(" ")
    );
}

/// The twin's default CPU part is the article's loop, and `sum(range(n))` only what its
/// own variant switches to; both give the Rust library's values.
#[test]
fn python_parses_with_the_articles_loop_by_default() {
    let output = python()
        .arg("-c")
        .arg(
            "import inspect, sys; sys.path.insert(0, 'python'); import crawler, cpairs; \
             source = inspect.getsource(crawler.parse); \
             assert 'for i in range(n):' in source and 'result += i' in source, source; \
             assert 'sum(' not in source, source; \
             assert crawler.parser is crawler.parse; \
             print(crawler.parse(100_000), cpairs.cpu_work(100_000))",
        )
        .current_dir(root())
        .output()
        .expect("python3 runs");
    assert!(output.status.success(), "{output:?}");
    let expected = cpu_work_expected(100_000);
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        format!("{expected} {expected}")
    );
}

#[test]
fn one_variant_with_counts_only_reports_counts_and_memory() {
    // A fresh process per variant, all at once: each is checked on counts, not time.
    let names = describe("crawler").names(false);
    let traces: Vec<(&str, Trace)> = std::thread::scope(|s| {
        let runs: Vec<_> = names
            .iter()
            .map(|&name| {
                let args = ["--tasks", "50", "--variant", name, "--counts-only"];
                s.spawn(move || (name, rust_trace("crawler", &args)))
            })
            .collect();
        runs.into_iter()
            .map(|run| run.join().expect("a run's checks do not panic"))
            .collect()
    });
    for (name, trace) in &traces {
        assert_eq!(trace.variants.len(), 1);
        let v = &trace.variants[0];
        assert_eq!(v.name, *name);
        assert!(v.tasks.is_empty() && v.received.is_empty() && v.sums.is_none());
        assert_eq!(count(v, "tasks_run"), 50, "{name}");
        assert_eq!(count(v, "wrong"), 0, "{name}");
        // Its lanes follow from the spans, which a counts-only run does not keep.
        assert_eq!(v.derived(Derived::Lanes), None, "{name}");
        assert!(figure(v, "cpu_s") > 0.0, "{name}");
        // In bytes: a process that ran a runtime holds more than a megabyte.
        let peak = figure(v, "peak_rss_bytes");
        assert!(peak > 1e6, "{name}: {peak}");
    }
}

/// The same for the twin: its workers learn `--counts-only` and send their peak memory
/// back under every start method.
#[test]
fn python_one_variant_with_counts_only_reports_counts_and_memory() {
    let trace = python_trace(
        "crawler",
        &[
            "--tasks",
            "20",
            "--variant",
            "loop-per-core",
            "--counts-only",
        ],
    );
    let v = &trace.variants[0];
    assert_eq!(count(v, "tasks_run"), 20);
    assert_eq!(count(v, "wrong"), 0);
    assert!(v.tasks.is_empty() && v.received.is_empty() && v.sums.is_none());
    let peak = figure(v, "peak_rss_bytes");
    assert!(peak > 1e6, "{peak}");
}

#[test]
fn bad_flags_and_unknown_variants_are_refused() {
    assert_bad_flags_rejected("crawler");
    assert_rejects(
        Command::new(example_binary("crawler")).args(["--variant", "nope"]),
        "crawler --variant nope",
    );
    assert_rejects(
        twin("crawler.py").args(["--tasks", "-3"]),
        "crawler.py --tasks -3",
    );
}
