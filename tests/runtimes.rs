//! `runtimes`: every runtime runs every requested batch once, one after another; the
//! trace's per-batch arrays line up with its sizes; every task of every batch ran to its
//! end, in both passes (time and memory). The costs themselves are timings and memory readings: they belong to the table
//! written by `cargo xtask timings`, not to a test (beyond being real numbers).

mod common;
use common::*;

use std::process::Command;

use concurrency_pairs::{Trace, Variant};
use serde_json::Value;

/// Small batches: 1,000 then 2,000 tasks (and threads) per runtime.
const LARGEST: &str = "2000";
const SIZES: [u64; 2] = [1_000, 2_000];
const RUST: [&str; 6] = [
    "tokio-current-thread",
    "tokio-multi-thread",
    "async-std",
    "smol",
    "futures-local-pool",
    "os-threads",
];
const PYTHON: [&str; 2] = ["asyncio", "os-threads"];

fn array<'a>(v: &'a Variant, key: &str) -> &'a [Value] {
    v.extra
        .get(key)
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("{}: no array `{key}`", v.name))
}

fn check(trace: &Trace, names: &[&str], sizes: &[u64]) {
    let got: Vec<&str> = trace.variants.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(got, names, "{} variants", trace.language);
    for v in &trace.variants {
        let what = format!("{} {}", trace.language, v.name);
        let ran: Vec<u64> = array(v, "sizes")
            .iter()
            .map(|n| n.as_u64().expect("sizes are counts"))
            .collect();
        assert_eq!(ran, sizes, "{what}: batch sizes");

        // One task record per batch, in the runtime's lane, each received once, in the
        // order run, each batch starting after the previous one ended.
        assert_each_task_received_once(v, sizes.len());
        assert_submission_order(v);
        assert!(v.tasks.iter().all(|t| t.lane == v.name), "{what}: lanes");
        assert!(
            v.tasks.windows(2).all(|w| w[0].end_s <= w[1].start_s),
            "{what}: batches overlap"
        );
        assert_eq!(v.ideal_s, None, "{what}: no ideal time here");

        // Every task of every batch ran to its end.
        let completed: Vec<u64> = array(v, "completed")
            .iter()
            .map(|n| n.as_u64().expect("completed is a count"))
            .collect();
        assert_eq!(completed, sizes, "{what}: tasks completed");

        // The arrays are parallel to `sizes` and hold real numbers. Memory may not grow
        // by a whole page for a small batch, so 0 bytes per task is allowed.
        let ns = array(v, "ns_per_task");
        let bytes = array(v, "bytes_per_task");
        assert_eq!(
            (ns.len(), bytes.len()),
            (sizes.len(), sizes.len()),
            "{what}"
        );
        for value in ns {
            let ns = value.as_f64().expect("ns_per_task holds numbers");
            assert!(ns.is_finite() && ns > 0.0, "{what}: {ns} ns per task");
        }
        for value in bytes {
            let b = value
                .as_f64()
                .expect("bytes_per_task holds numbers (on Linux)");
            assert!(b.is_finite() && b >= 0.0, "{what}: {b} bytes per task");
        }
    }
}

#[test]
fn rust_runs_every_batch_of_every_runtime() {
    let trace = rust_trace("runtimes", &["--tasks", LARGEST]);
    assert_eq!(trace.size, LARGEST);
    check(&trace, &RUST, &SIZES);
}

#[test]
fn python_runs_every_batch_of_every_variant() {
    let trace = python_trace("runtimes", &["--tasks", LARGEST]);
    assert_eq!(trace.size, LARGEST);
    check(&trace, &PYTHON, &SIZES);
}

#[test]
fn a_largest_batch_below_the_ladder_is_the_only_batch() {
    check(&rust_trace("runtimes", &["--tasks", "300"]), &RUST, &[300]);
}

#[test]
fn one_pass_reports_its_tasks_completed() {
    for (pass, runtime) in [("time", "smol"), ("memory", "os-threads")] {
        let output = Command::new(example_binary("runtimes"))
            .args(["--one", pass, runtime, "1500"])
            .output()
            .expect("the example starts");
        let what = format!("--one {pass} {runtime}");
        assert!(output.status.success(), "{what}");
        let batch: Value = serde_json::from_slice(&output.stdout).expect("one JSON line");
        assert_eq!(batch["tasks"], 1500, "{what}");
        assert_eq!(batch["completed"], 1500, "{what}");
        // Only the memory pass reads memory.
        assert_eq!(batch["bytes_per_task"].is_null(), pass == "time", "{what}");
    }
}

#[test]
fn bad_flags_are_one_line_errors() {
    assert_bad_flags_rejected("runtimes");
    let twin = root().join("python/runtimes.py");
    // The internal `--one RUNTIME N` checks its values too, in both languages.
    for args in [
        &["--one"][..],
        &["--one", "time", "nope", "10"],
        &["--one", "space", "smol", "10"],
        &["--one", "time", "os-threads", "0"],
        &["--one", "memory", "os-threads", "1000000"],
        &["--one", "time", "os-threads", "ten"],
        &["--one", "time", "os-threads", "10", "extra"],
        &["--one", "smol", "10"],
        &["--tasks", "0"],
    ] {
        assert_rejects(
            Command::new(example_binary("runtimes")).args(args),
            &format!("example runtimes {args:?}"),
        );
        assert_rejects(
            Command::new("python3").arg(&twin).args(args),
            &format!("python/runtimes.py {args:?}"),
        );
    }
}

/// `cpairs.rss_bytes` reads the same `VmRSS` line as the Rust library, and it grows when
/// memory is written.
#[test]
fn python_rss_bytes_sees_memory_grow() {
    let output = Command::new("python3")
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
