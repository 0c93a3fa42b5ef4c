//! `runtimes` and `start_costs`, one chapter: every async runtime and every thread
//! variant runs N tasks to their end, in both passes (memory, then time); `--variant V
//! --tasks N` runs exactly one variant at that N (what `cargo xtask sweep` asks for, once
//! per fresh process); OS threads stop at the cap `start_costs` declares for its sweep
//! (10,000), with a one-line error. The costs themselves are timings and memory
//! readings: they belong to the tables the xtask writes, not to a test (beyond being real
//! numbers). The twin's start-cost variants (a process per task, forked or spawned, and a
//! pool worker reused), off the sweep, start at most a few processes or jobs whatever N,
//! and have a time pass only.

use crate::common::*;

use std::process::Command;

use concurrency_pairs::{Sweep, Trace, Variant};

/// An example's sweep, as it declares it: its variants and, for the threads, their cap.
fn sweep(example: &str) -> Sweep {
    describe(example)
        .sweep
        .unwrap_or_else(|| panic!("{example} declares its sweep"))
}

/// The most OS threads a batch may hold, in both languages.
fn thread_cap() -> u64 {
    sweep("start_costs").largest("os-threads", false)
}

/// The variants of one example in one language (`python`: the twin's), in order.
fn names(example: &str, python: bool) -> Vec<&'static str> {
    describe(example).names(python)
}

/// A start-cost variant at `n` (one off the ladder): one task record (the time pass) in
/// its lane; every process (or pool job) it started, at most the most it starts,
/// finished; no memory figure (a process's memory is its own).
fn check_start(trace: &Trace, v: &Variant, n: usize) {
    let what = format!("{} {} at {n}", trace.language, v.name);
    assert_each_task_received_once(v, 1);
    assert_eq!(v.tasks[0].lane, v.name, "{what}: lane");
    let most = count(v, "most_started");
    assert_eq!(
        count(v, "completed"),
        most.min(n as u64),
        "{what}: completed"
    );
    let seconds = figure(v, "task_s");
    assert!(
        seconds.is_finite() && seconds > 0.0,
        "{what}: {seconds} s each"
    );
    assert_eq!(
        v.figures.get("task_bytes"),
        None,
        "{what}: no memory figure"
    );
}

/// One variant at `n` tasks: two task records (0 the memory pass, 1 the time pass) in
/// the runtime's lane, received in that order; every task of both passes completed; the
/// per-task figures are real numbers.
fn check_variant(trace: &Trace, v: &Variant, n: usize) {
    let what = format!("{} {} at {n}", trace.language, v.name);
    assert_each_task_received_once(v, 2);
    assert_submission_order(v);
    assert!(v.tasks.iter().all(|t| t.lane == v.name), "{what}: lanes");
    assert!(
        v.tasks[0].end_s <= v.tasks[1].start_s,
        "{what}: memory pass first"
    );
    assert_eq!(v.ideal_s, None, "{what}: no ideal time here");
    assert_eq!(count(v, "completed"), n as u64, "{what}: tasks completed");
    let seconds = figure(v, "task_s");
    assert!(
        seconds.is_finite() && seconds > 0.0,
        "{what}: {seconds} s per task"
    );
    // Memory may not grow by a whole page for a small batch, so 0 bytes is allowed.
    let bytes = figure(v, "task_bytes"); // on Linux
    assert!(
        bytes.is_finite() && bytes >= 0.0,
        "{what}: {bytes} bytes per task"
    );
}

fn check(trace: &Trace, names: &[&str], n: usize) {
    assert_eq!(trace.size, n.to_string());
    let got: Vec<&str> = trace.variants.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(got, names, "{} variants", trace.language);
    let swept = sweep(&trace.example);
    for v in &trace.variants {
        if swept.variants.iter().any(|name| name.0 == v.name) {
            check_variant(trace, v, n);
        } else {
            check_start(trace, v, n);
        }
    }
}

#[test]
fn rust_every_runtime_and_the_threads_complete_every_task() {
    for example in ["runtimes", "start_costs"] {
        let trace = rust_trace(example, &["--tasks", "1000"]);
        check(&trace, &names(example, false), 1000);
    }
}

#[test]
fn python_every_variant_completes_every_task() {
    for example in ["runtimes", "start_costs"] {
        let trace = python_trace(example, &["--tasks", "1000"]);
        check(&trace, &names(example, true), 1000);
    }
}

/// The async tasks' ladder goes far above the threads' cap: no variant of `runtimes` is
/// an OS thread, and none is capped.
#[test]
fn the_async_ladder_has_no_threads_and_no_cap() {
    let ladder = sweep("runtimes");
    assert!(ladder.caps.is_empty(), "{:?}", ladder.caps);
    assert!(ladder.sizes.iter().any(|&n| n > thread_cap()));
    assert!(describe("runtimes").variant("os-threads").is_none());
}

/// What the xtask runs, once per variant and N: exactly that variant, at that N.
#[test]
fn one_variant_at_one_size() {
    for (example, variant, n) in [
        ("runtimes", "smol", 1500),
        ("start_costs", "os-threads", 2000),
    ] {
        let trace =
            rust_trace(example, &["--variant", variant, "--tasks", &n.to_string()]);
        check(&trace, &[variant], n);
    }
    let trace =
        python_trace("runtimes", &["--variant", "asyncio", "--tasks", "1500"]);
    check(&trace, &["asyncio"], 1500);
    let trace = python_trace(
        "start_costs",
        &["--variant", "os-threads", "--tasks", "1500"],
    );
    check(&trace, &["os-threads"], 1500);
}

/// Without `--variant`, more tasks than the threads' cap runs the twin's processes and
/// skips its threads, saying so; Rust, whose one variant is the threads, refuses.
#[test]
fn a_whole_run_above_the_thread_cap_skips_the_threads() {
    let above = thread_cap() + 1;
    let args = ["--json", "--tasks", &above.to_string()];
    let output = twin("start_costs.py").args(args).output().expect("starts");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("os-threads skipped"), "{stderr}");
    let trace: Trace = serde_json::from_slice(&output.stdout).expect("a trace");
    let mut names = names("start_costs", true);
    names.retain(|name| *name != "os-threads");
    check(&trace, &names, above as usize);
    assert_rejects(
        Command::new(example_binary("start_costs")).args(args),
        "example start_costs above the cap",
    );
}

#[test]
fn os_threads_stop_at_their_cap_and_bad_flags_are_one_line_errors() {
    assert_bad_flags_rejected("runtimes");
    assert_bad_flags_rejected("start_costs");
    let above = (thread_cap() + 1).to_string();
    let far_above = (thread_cap() * 100).to_string();
    for args in [
        &["--variant", "os-threads", "--tasks", &above][..],
        &["--variant=os-threads", "--tasks", &far_above],
        &["--variant", "nope"],
        &["--tasks", "0"],
        &["--tasks", "ten"],
        &["--one", "time", "os-threads", "10"],
    ] {
        assert_rejects(
            Command::new(example_binary("start_costs")).args(args),
            &format!("example start_costs {args:?}"),
        );
        assert_rejects(
            twin("start_costs.py").args(args),
            &format!("python/start_costs.py {args:?}"),
        );
    }
    for args in [
        &["--variant", "os-threads"][..],
        &["--variant", "nope"],
        &["--tasks", "0"],
        &["--tasks", "ten"],
        &["--one", "time", "smol", "10"],
    ] {
        assert_rejects(
            Command::new(example_binary("runtimes")).args(args),
            &format!("example runtimes {args:?}"),
        );
        assert_rejects(
            twin("runtimes.py").args(args),
            &format!("python/runtimes.py {args:?}"),
        );
    }
}

/// `cpairs.rss_bytes` reads the same `VmRSS` line as the Rust library, and it grows when
/// memory is written.
#[test]
fn python_rss_bytes_sees_memory_grow() {
    let output = python()
        .current_dir(root().join("python"))
        .args([
            "-c",
            "import cpairs\n\
             before = cpairs.rss_bytes()\n\
             block = b'x' * (64 << 20)\n\
             after = cpairs.rss_bytes()\n\
             print(before, after)",
        ])
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    let numbers: Vec<u64> = text
        .split_whitespace()
        .map(|n| n.parse().expect("two byte counts"))
        .collect();
    let [before, after] = numbers[..] else {
        panic!("expected two numbers, got {text}");
    };
    assert!(
        before > 0 && after >= before + (32 << 20),
        "{before} -> {after}"
    );
}
