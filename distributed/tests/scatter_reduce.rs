//! `distributed`: started plainly, the example (and its twin) starts itself under
//! `mpirun`; on 1, 2 and 4 ranks (4 oversubscribed on a 2-core machine) rank 0 gets
//! every task's result, counted once, summed right; bad input is one line and exit 2.
//!
//! Every run is bounded: a run still going after [`BOUND`] is killed with its whole
//! process group (the launcher, `mpirun` and the ranks) and the test fails.

mod common;

use std::path::Path;
use std::process::{Command, ExitStatus};
use std::thread;
use std::time::{Duration, Instant};

use common::{Spawned, example, manifest_dir, spawn_grouped, twin_python};
use concurrency_pairs::Trace;
use concurrency_pairs::crawl::{SEED, crawl_jobs};
use concurrency_pairs::work::cpu_work_expected;

const BOUND: Duration = Duration::from_secs(120);
/// Small: the point is the count and the sum, not the speed.
const TASKS: usize = 24;

fn twin(python: &Path) -> Command {
    let mut command = Command::new(python);
    command.arg(manifest_dir().join("../python/distributed.py"));
    command
}

struct Ran {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

/// Run `command` in a process group of its own, its output read as it comes; after
/// [`BOUND`], kill the group and fail.
fn run(mut command: Command) -> Ran {
    let Spawned {
        mut child,
        stdout,
        stderr,
        what,
    } = spawn_grouped(&mut command);
    let deadline = Instant::now() + BOUND;
    let status = loop {
        if let Some(status) = child.try_wait().expect("the child can be waited for") {
            break status;
        }
        if Instant::now() > deadline {
            let group = format!("-{}", child.id());
            let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
            let _ = child.wait();
            panic!("{what} did not end within {BOUND:?}");
        }
        thread::sleep(Duration::from_millis(50));
    };
    let text = |t: thread::JoinHandle<String>| t.join().expect("the reader ends");
    Ran {
        status,
        stdout: text(stdout),
        stderr: text(stderr),
    }
}

/// The count and the sum of `tasks` tasks, computed here on their own.
fn expected(tasks: usize) -> (u64, u64) {
    let jobs = crawl_jobs(tasks, SEED);
    let sum = jobs.iter().map(|j| cpu_work_expected(j.units)).sum();
    (tasks as u64, sum)
}

/// The `count C, sum S` of the summary line.
fn count_and_sum(line: &str) -> (u64, u64) {
    let after = |word: &str| -> u64 {
        let (_, rest) = line
            .split_once(&format!(" {word} "))
            .unwrap_or_else(|| panic!("no `{word}` in {line:?}"));
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        digits
            .parse()
            .unwrap_or_else(|_| panic!("no number after {word}: {line:?}"))
    };
    (after("count"), after("sum"))
}

fn check_summary(mut command: Command, ranks: usize) {
    command.args(["--ranks", &ranks.to_string(), "--tasks", &TASKS.to_string()]);
    command.args(["--variant", "scatter-reduce"]);
    let ran = run(command);
    assert!(ran.status.success(), "{:?}\n{}", ran.status, ran.stderr);
    let lines: Vec<&str> = ran.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "one summary line: {:?}", ran.stdout);
    assert!(
        lines[0].contains(&format!("on {ranks} ranks")),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains(": ok)"), "{}", lines[0]);
    assert_eq!(count_and_sum(lines[0]), expected(TASKS), "{}", lines[0]);
}

fn check_trace(mut command: Command, language: &str) {
    command.args(["--ranks", "2", "--tasks", &TASKS.to_string(), "--json"]);
    command.args(["--variant", "scatter-reduce"]);
    let ran = run(command);
    assert!(ran.status.success(), "{:?}\n{}", ran.status, ran.stderr);
    let trace: Trace = serde_json::from_str(ran.stdout.trim())
        .unwrap_or_else(|e| panic!("a trace ({e}): {:?}", ran.stdout));
    assert_eq!(
        (trace.example.as_str(), trace.language.as_str()),
        ("distributed", language)
    );
    assert_eq!(trace.size, TASKS.to_string());
    let v = trace.variant("scatter-reduce").expect("the variant ran");
    assert!(v.wall_s > 0.0);
    let figure = |key: &str| v.figures.get(key).copied();
    assert_eq!(figure("ranks"), Some(2.0));
    assert_eq!(figure("tasks_run"), Some(TASKS as f64));
    assert_eq!(
        (figure("wrong"), figure("sum_wrong")),
        (Some(0.0), Some(0.0))
    );
    assert!(
        figure("bytes_sent").is_some_and(|b| b > 0.0),
        "{:?}",
        v.figures
    );
}

/// Refused before anything starts: exit 2, one line on stderr, nothing on stdout.
fn check_refused(make: impl Fn() -> Command) {
    let empty = std::env::temp_dir().join("distributed-test-no-mpirun");
    std::fs::create_dir_all(&empty).expect("a scratch folder");
    let cases: [(&[&str], Option<&Path>); 4] = [
        (&["--ranks", "0"], None),
        (&["--ranks", "x"], None),
        (&["--tasks", "3", "--ranks"], None),
        (&["--ranks", "2", "--tasks", "3"], Some(&empty)), // no mpirun on PATH
    ];
    for (args, path) in cases {
        let mut command = make();
        command.args(args);
        if let Some(path) = path {
            command.env("PATH", path);
        }
        let ran = run(command);
        assert_eq!(ran.status.code(), Some(2), "{args:?}: {}", ran.stderr);
        assert_eq!(ran.stderr.lines().count(), 1, "{args:?}: {:?}", ran.stderr);
        assert!(
            ran.stderr.starts_with("distributed: error: "),
            "{}",
            ran.stderr
        );
        assert_eq!(ran.stdout, "", "{args:?}");
    }
}

#[test]
fn one_rank_gets_every_result() {
    check_summary(example(), 1);
}

#[test]
fn two_ranks_get_every_result() {
    check_summary(example(), 2);
}

#[test]
fn four_ranks_oversubscribed_get_every_result() {
    check_summary(example(), 4);
}

#[test]
fn the_trace_records_ranks_tasks_and_bytes() {
    check_trace(example(), "rust");
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    check_refused(example);
}

#[test]
fn the_twin_gets_every_result_on_1_2_and_4_ranks() {
    let python = match twin_python() {
        Ok(python) => python,
        Err(why) => return println!("skipped: {why}"),
    };
    for ranks in [1, 2, 4] {
        check_summary(twin(&python), ranks);
    }
    check_trace(twin(&python), "python");
}

#[test]
fn the_twin_refuses_bad_input_in_one_line() {
    let python = match twin_python() {
        Ok(python) => python,
        Err(why) => return println!("skipped: {why}"),
    };
    check_refused(|| twin(&python));
}
