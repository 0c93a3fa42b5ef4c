//! `shutdown`: a signal cancels every job, each finished result is written once and every
//! job in flight is reported cancelled; a second signal forces the exit with 128 + N; no
//! child process is left behind. Real signals, sent to the example and its twin run as
//! child processes; every wait is bounded.

use crate::common::*;

use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use concurrency_pairs::Trace;

/// How many jobs a run starts, and how many of them (the first) end before the signal.
fn job_counts(trace: &Trace) -> (u64, u64) {
    let v = variant(trace, "sigterm-drain");
    (count(v, "jobs"), count(v, "short_jobs"))
}

fn check_trace(trace: &Trace) {
    for (name, code) in [("sigterm-drain", 0), ("deadline", 1)] {
        let v = variant(trace, name);
        let jobs = count(v, "jobs");
        let short = count(v, "short_jobs");
        let mut ids = v.received.clone();
        ids.sort_unstable();
        assert_eq!(
            ids,
            (0..jobs as usize).collect::<Vec<_>>(),
            "{name}: each job once"
        );
        assert_eq!(count(v, "finished"), short, "{name}");
        assert_eq!(count(v, "in_flight"), jobs - short, "{name}");
        assert_eq!(count(v, "cancelled"), jobs - short, "{name}");
        assert_eq!(count(v, "exit_code"), code, "{name}");
        assert!(figure(v, "drain_s") >= 0.0, "{name}");
    }
}

#[test]
fn rust_every_job_finishes_or_is_cancelled_once() {
    check_trace(&rust_trace("shutdown", &[]));
}

#[test]
fn python_every_job_finishes_or_is_cancelled_once() {
    check_trace(&python_trace("shutdown", &[]));
}

#[test]
fn bad_flags_are_one_line_errors() {
    assert_bad_flags_rejected("shutdown");
}

fn start(python: bool) -> (Child, Receiver<String>) {
    let mut command = if python {
        twin("shutdown.py")
    } else {
        Command::new(example_binary("shutdown"))
    };
    let mut child = command
        .arg("--wait-for-signal")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the program starts");
    let stdout = child.stdout.take().expect("piped");
    let rx = lines_of(stdout);
    (child, rx)
}

fn wait_for(
    child: &mut Child,
    rx: &Receiver<String>,
    seen: &mut Vec<String>,
    what: &str,
) {
    wait_for_line(child, rx, seen, what, Duration::from_secs(30));
}

/// Send `signals` (the second once the drain has begun), then check code and output:
/// `counts` are the jobs and the short ones among them, as a trace reports them.
fn signal_and_check(python: bool, counts: (u64, u64), signals: &[&str], code: i32) {
    let (jobs, short) = counts;
    let what = format!("{} {signals:?}", if python { "python" } else { "rust" });
    let (mut child, rx) = start(python);
    let pid = child.id();
    let mut seen = Vec::new();
    wait_for(&mut child, &rx, &mut seen, "ready");
    let last_short = format!("received task {}:", short - 1); // the short jobs finished
    wait_for(&mut child, &rx, &mut seen, &last_short);
    let workers = children(pid);
    kill(pid, signals[0]);
    if let Some(second) = signals.get(1) {
        wait_for(&mut child, &rx, &mut seen, "cancelling");
        kill(pid, second);
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{what}: did not exit in time; saw {seen:#?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    seen.extend(rx.try_iter());
    // The reader thread may still hold the last lines for a moment.
    let until = Instant::now() + Duration::from_secs(2);
    while let Ok(line) =
        rx.recv_timeout(until.saturating_duration_since(Instant::now()))
    {
        seen.push(line);
    }
    assert_eq!(status.code(), Some(code), "{what}: {seen:#?}");
    // Every job but the last, the stubborn one, is reported once, finished or cancelled.
    for id in 0..jobs - 1 {
        let lines: Vec<&String> = seen
            .iter()
            .filter(|l| l.contains(&format!("received task {id}:")))
            .collect();
        assert_eq!(lines.len(), 1, "{what}: job {id} once: {seen:#?}");
        let expected = if id < short { "finished" } else { "cancelled" };
        assert!(
            lines[0].contains(expected),
            "{what}: job {id}: {}",
            lines[0]
        );
    }
    assert_children_gone(&workers, &what);
}

#[test]
fn rust_signals_end_it_cleanly_or_by_force() {
    let counts = job_counts(&rust_trace("shutdown", &[]));
    signal_and_check(false, counts, &["TERM"], 0);
    signal_and_check(false, counts, &["HUP"], 0);
    signal_and_check(false, counts, &["INT"], 0);
    signal_and_check(false, counts, &["INT", "INT"], 130);
    signal_and_check(false, counts, &["TERM", "TERM"], 143);
}

#[test]
fn python_signals_end_it_cleanly_or_by_force() {
    let counts = job_counts(&python_trace("shutdown", &[]));
    signal_and_check(true, counts, &["TERM"], 0);
    signal_and_check(true, counts, &["HUP"], 0);
    signal_and_check(true, counts, &["INT"], 0);
    signal_and_check(true, counts, &["INT", "INT"], 130);
    signal_and_check(true, counts, &["TERM", "TERM"], 143);
}
