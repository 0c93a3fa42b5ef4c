//! `distributed`'s variants, each in both languages (and `mixed`, both at once), on 2
//! and 4 ranks: exit 0, the count and the sum of the `--json` trace equal to the ones
//! computed here, every task's result back exactly once where the variant can tell
//! (`tasks_once`, `chunks_done`), and nothing left running afterwards.
//!
//! Every run is bounded: one still going after [`BOUND`] is killed with its process
//! group and the test fails. Each run carries a mark in its environment, which
//! `mpirun` hands on to its ranks: after the run, no process may carry it.

mod common;

use std::path::Path;
use std::process::{Command, ExitStatus};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use common::{Spawned, example, manifest_dir, spawn_grouped, twin_python};
use concurrency_pairs::crawl::{SEED, crawl_jobs};
use concurrency_pairs::work::cpu_work_expected;
use concurrency_pairs::{Trace, Variant};

const BOUND: Duration = Duration::from_secs(120);
/// Small: the point is the count and the sum, not the speed.
const TASKS: usize = 24;
/// The environment variable each run is marked with.
const MARK: &str = "CPAIRS_VARIANTS_TEST_RUN";

/// One run at a time: the machine is small, and a run's leftovers are its own.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The twin, its `mixed` workers the example this test was built with.
fn twin(python: &Path) -> Command {
    let worker = example().get_program().to_owned();
    let mut command = Command::new(python);
    command.arg(manifest_dir().join("../python/distributed.py"));
    command.env("CPAIRS_MIXED_WORKER", worker);
    command
}

struct Ran {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

/// The processes whose environment holds `MARK=mark`.
fn marked(mark: &str) -> Vec<u32> {
    let needle = format!("{MARK}={mark}");
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/environ")).is_ok_and(|env| {
                env.split(|&b| b == 0).any(|var| var == needle.as_bytes())
            })
        })
        .collect()
}

/// Run `command` marked, in a process group of its own; after [`BOUND`], kill the
/// group (and any marked process) and fail. Afterwards, nothing marked may remain.
fn run(mut command: Command) -> Ran {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let mark = format!("{}-{:?}", std::process::id(), Instant::now());
    command.env(MARK, &mark);
    let Spawned {
        mut child,
        stdout,
        stderr,
        what,
    } = spawn_grouped(&mut command);
    let deadline = Instant::now() + BOUND;
    let kill = |pid: String| {
        let _ = Command::new("kill").args(["-KILL", "--", &pid]).status();
    };
    let status = loop {
        if let Some(status) = child.try_wait().expect("the child can be waited for") {
            break status;
        }
        if Instant::now() > deadline {
            kill(format!("-{}", child.id()));
            marked(&mark)
                .into_iter()
                .for_each(|pid| kill(pid.to_string()));
            let _ = child.wait();
            panic!("{what} did not end within {BOUND:?}");
        }
        thread::sleep(Duration::from_millis(50));
    };
    let text = |t: thread::JoinHandle<String>| t.join().expect("the reader ends");
    let ran = Ran {
        status,
        stdout: text(stdout),
        stderr: text(stderr),
    };
    let settle = Instant::now() + Duration::from_secs(5);
    let mut left = marked(&mark);
    while !left.is_empty() && Instant::now() < settle {
        thread::sleep(Duration::from_millis(100));
        left = marked(&mark);
    }
    if !left.is_empty() {
        left.iter().for_each(|pid| kill(pid.to_string()));
        panic!("{what} left processes running: {left:?}");
    }
    ran
}

/// The count and the sum of `tasks` tasks, computed here on their own.
fn expected(tasks: usize) -> (f64, f64) {
    let jobs = crawl_jobs(tasks, SEED);
    let sum: u64 = jobs.iter().map(|j| cpu_work_expected(j.units)).sum();
    (tasks as f64, sum as f64)
}

/// Run `variant` on `ranks` ranks with `--json`; check the trace; its variant.
fn check(
    mut command: Command,
    variant: &str,
    ranks: usize,
    language: &str,
) -> Variant {
    command.args(["--ranks", &ranks.to_string(), "--tasks", &TASKS.to_string()]);
    command.args(["--variant", variant, "--json"]);
    let ran = run(command);
    let context = format!("{variant} on {ranks} ranks ({language})");
    assert!(
        ran.status.success(),
        "{context}: {:?}\n{}",
        ran.status,
        ran.stderr
    );
    let trace: Trace = serde_json::from_str(ran.stdout.trim())
        .unwrap_or_else(|e| panic!("{context}: a trace ({e}): {:?}", ran.stdout));
    assert_eq!(
        (trace.example.as_str(), trace.language.as_str()),
        ("distributed", language)
    );
    assert_eq!(trace.variants.len(), 1, "{context}");
    let v = trace
        .variant(variant)
        .unwrap_or_else(|| panic!("{context}: not run"));
    let figure = |key: &str| v.figures.get(key).copied();
    let (count, sum) = expected(TASKS);
    assert_eq!(figure("ranks"), Some(ranks as f64), "{context}");
    assert_eq!(
        (figure("tasks_run"), figure("sum")),
        (Some(count), Some(sum)),
        "{context}"
    );
    assert_eq!(
        (figure("wrong"), figure("sum_wrong")),
        (Some(0.0), Some(0.0)),
        "{context}"
    );
    assert!(
        v.wall_s > 0.0 && figure("bytes_sent").is_some_and(|b| b > 0.0),
        "{context}"
    );
    if let Some(chunks) = figure("chunks") {
        assert_eq!(
            figure("tasks_once"),
            Some(count),
            "{context}: each result once"
        );
        assert!(chunks >= (ranks - 1) as f64, "{context}: {chunks} chunks");
    }
    if variant != "scatter-reduce" {
        assert_eq!(
            figure("tasks_once"),
            Some(count),
            "{context}: {:?}",
            v.figures
        );
    }
    check_job(v, language, &context);
    check_spans(v, ranks, language, &context);
    v.clone()
}

/// What the launcher measured around the job: MPI's start before the work, the whole
/// job longer than either, and some CPU time spent; the crawl's ideal, but for the
/// twin's `mixed`, whose crawl is Rust's.
fn check_job(v: &Variant, language: &str, context: &str) {
    let figure = |key: &str| v.figures.get(key).copied().unwrap_or(f64::NAN);
    let (start, job) = (figure("mpi_start_s"), figure("job_s"));
    assert!(
        start > 0.0 && job > start && job > v.wall_s,
        "{context}: {v:?}"
    );
    assert!(figure("cpu_utilisation") > 0.0, "{context}: {v:?}");
    let rust_crawls_for_python = language == "python" && v.name == "mixed";
    assert_eq!(
        v.ideal_s.is_some(),
        !rust_crawls_for_python,
        "{context}: the ideal"
    );
    assert!(
        v.ideal_s.is_none_or(|i| i > 0.0),
        "{context}: {:?}",
        v.ideal_s
    );
}

/// The per-rank spans: in `scatter-reduce` one range per rank, each crawled by the rank
/// it was scattered to; in Rust's pool each chunk crawled once, never by rank 0 (which
/// only hands out). `mixed` and Python's pools record none.
fn check_spans(v: &Variant, ranks: usize, language: &str, context: &str) {
    let mut ids: Vec<usize> = v.tasks.iter().map(|s| s.id).collect();
    ids.sort_unstable();
    let count = match (v.name.as_str(), language) {
        ("scatter-reduce", _) => ranks,
        ("pool-executor", "rust") => v.figures["chunks"] as usize,
        _ => 0,
    };
    assert_eq!(
        ids,
        (0..count).collect::<Vec<_>>(),
        "{context}: {:?}",
        v.tasks
    );
    for span in &v.tasks {
        assert!(span.start_s <= span.end_s, "{context}: {span:?}");
        match v.name.as_str() {
            "scatter-reduce" => assert_eq!(span.lane, format!("rank-{}", span.id)),
            _ => assert_ne!(span.lane, "rank-0", "{context}"),
        }
    }
}

/// The chunk-serving variants: each chunk back once, and the workers' own totals,
/// reduced, agree with the chunks' tallies.
fn check_served(v: &Variant) {
    let figure = |key: &str| v.figures.get(key).copied();
    assert_eq!(
        figure("chunks_done"),
        figure("chunks"),
        "{}: {:?}",
        v.name,
        v.figures
    );
    assert_eq!(figure("reduce_wrong"), Some(0.0), "{}", v.name);
}

#[test]
fn the_examples_variants_on_2_and_4_ranks() {
    let mixed = twin_python();
    for ranks in [2, 4] {
        check(example(), "scatter-reduce", ranks, "rust");
        check_served(&check(example(), "pool-executor", ranks, "rust"));
        match &mixed {
            Ok(_) => check_served(&check(example(), "mixed", ranks, "rust")),
            Err(why) => println!("mixed skipped: {why}"),
        }
    }
}

#[test]
fn the_twins_variants_on_2_and_4_ranks() {
    let python = match twin_python() {
        Ok(python) => python,
        Err(why) => return println!("skipped: {why}"),
    };
    for ranks in [2, 4] {
        for variant in [
            "scatter-reduce",
            "pool-executor",
            "pool-as-completed",
            "mixed",
        ] {
            let v = check(twin(&python), variant, ranks, "python");
            if variant == "mixed" {
                check_served(&v);
            }
        }
    }
}

#[test]
fn every_variant_in_one_run_gathers_one_trace() {
    let mut command = example();
    command.args(["--ranks", "2", "--tasks", "8", "--json"]);
    let ran = run(command);
    assert!(ran.status.success(), "{:?}\n{}", ran.status, ran.stderr);
    let trace: Trace = serde_json::from_str(ran.stdout.trim()).expect("a trace");
    let names: Vec<&str> = trace.variants.iter().map(|v| v.name.as_str()).collect();
    let all = ["scatter-reduce", "pool-executor", "mixed"];
    let want = if twin_python().is_ok() {
        &all[..]
    } else {
        &all[..2]
    };
    assert_eq!(names, want);
}

#[test]
fn a_pool_on_one_rank_is_refused_in_one_line() {
    let mut makers: Vec<Box<dyn Fn() -> Command>> = vec![Box::new(example)];
    if let Ok(python) = twin_python() {
        makers.push(Box::new(move || twin(&python)));
    }
    for make in makers {
        for variant in ["pool-executor", "mixed"] {
            let mut command = make();
            command.args(["--ranks", "1", "--variant", variant]);
            let ran = run(command);
            assert_eq!(ran.status.code(), Some(2), "{variant}: {}", ran.stderr);
            assert_eq!(ran.stderr.lines().count(), 1, "{:?}", ran.stderr);
            assert!(
                ran.stderr.starts_with("distributed: error: "),
                "{}",
                ran.stderr
            );
            assert_eq!(ran.stdout, "");
        }
    }
}
