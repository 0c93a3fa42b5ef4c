//! `scheduler`: the capstone REPL, driven through stdin as a user (or a script) would,
//! in both languages. Transcripts: given these lines, these answers and this exit code;
//! `kill` stops a running fib (from its state, not the clock); real SIGTERM and SIGINT
//! during `fib-multi` end it cleanly with no child process left; every bad input gets its
//! one-line error and the session goes on. Every wait is bounded.

use crate::common::*;

use std::io::Write;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use concurrency_pairs::Trace;

const BOUND: Duration = Duration::from_secs(60);

fn command(python: bool) -> Command {
    if python {
        twin("scheduler.py")
    } else {
        Command::new(example_binary("scheduler"))
    }
}

/// A whole script through a pipe; stdout and the exit code (killed past the bound).
fn transcript(python: bool, script: &str) -> (String, Option<i32>) {
    let mut child = command(python)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the scheduler starts");
    let mut stdin = child.stdin.take().expect("piped");
    stdin
        .write_all(script.as_bytes())
        .expect("the script is written");
    drop(stdin); // end of input: the scheduler shuts down after the last line
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let output = rx
        .recv_timeout(BOUND)
        .unwrap_or_else(|_| panic!("the session did not end within {BOUND:?}"))
        .expect("the scheduler ran");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("panicked") && !stderr.contains("Traceback"),
        "{stderr}"
    );
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 output");
    (stdout, output.status.code())
}

fn assert_lines(what: &str, stdout: &str, expected: &[&str]) {
    for line in expected {
        assert!(stdout.contains(line), "{what}: no {line:?} in\n{stdout}");
    }
}

const SESSION: &str = "help\ndex pikachu\ndex agumon\nfib 10\nfib-multi 10 20 30\nwait\n\
dash\njob 3\njob 4\nfib 1000000\nkill 5\ndash\n";

fn answers_a_session(python: bool) {
    let (stdout, code) = transcript(python, SESSION);
    assert_eq!(code, Some(0), "{stdout}");
    assert_lines(
        "session",
        &stdout,
        &[
            "task 1 submitted",
            "task 1 (dex pikachu) done in",
            "pikachu #25 (electric)",
            "task 2 (dex agumon) failed in",
            "no Pokémon called `agumon` in the dex",
            "task 3 (fib 10) done in",
            "task 4 (fib-multi 10 20 30) done in",
            "\n55\n55; 6765; 832040\n",
            "task 5 killed: stopped",
            "shutting down (end of input): cancelling every task",
            "shutdown: 3 done, 1 failed, 1 killed, 0 cancelled",
        ],
    );
    // The last dashboard shows the kill as a state, not a time.
    let dash = stdout.rsplit(" id  command").next().expect("a dashboard");
    let row = dash
        .lines()
        .find(|l| l.contains("fib 1000000"))
        .expect("task 5's row");
    assert!(row.contains("killed"), "{row}");
}

#[test]
fn rust_answers_a_session_and_kill_stops_a_running_fib() {
    answers_a_session(false);
}

#[test]
fn python_answers_a_session_and_kill_stops_a_running_fib() {
    answers_a_session(true);
}

const BAD: &[(&str, &str)] = &[
    ("dance", "error: unknown command `dance` (try `help`)"),
    ("dex", "error: `dex` needs a name, e.g. `dex pikachu`"),
    ("fib", "error: `fib` needs a number, e.g. `fib 1000`"),
    ("fib ten", "error: `fib` takes a whole number, not `ten`"),
    (
        "fib 99999999999999999999",
        "error: `fib` takes N up to 1000000, not 99999999999999999999",
    ),
    (
        "fib-multi 5 x",
        "error: `fib-multi` takes a whole number, not `x`",
    ),
    ("kill", "error: `kill` needs a task id (see `dash`)"),
    ("kill 7", "error: no task 7: no task has been started yet"),
    ("job x", "error: `job` takes a task id, not `x`"),
    ("dash please", "error: `dash` takes no arguments"),
];

fn refuses_bad_input(python: bool) {
    let mut script: String =
        BAD.iter().map(|(line, _)| format!("{line}\n")).collect();
    script += "fib 10\nwait\nkill 1\njob 2\nquit\ndex never\n";
    let (stdout, code) = transcript(python, &script);
    assert_eq!(code, Some(0), "{stdout}");
    let expected: Vec<&str> = BAD.iter().map(|(_, error)| *error).collect();
    assert_lines("bad input", &stdout, &expected);
    assert_lines(
        "after the errors",
        &stdout,
        &[
            "task 1 submitted",
            "error: task 1 is not running (it is done)",
            "error: no task 2 (ids run from 1 to 1)",
            "shutting down (quit)",
        ],
    );
    assert!(
        !stdout.contains("dex never"),
        "lines after quit are not read"
    );
    let errors = stdout.lines().filter(|l| l.starts_with("error: ")).count();
    assert_eq!(errors, BAD.len() + 2, "one line per error:\n{stdout}");
}

#[test]
fn rust_gives_every_bad_input_one_line_and_goes_on() {
    refuses_bad_input(false);
}

#[test]
fn python_gives_every_bad_input_one_line_and_goes_on() {
    refuses_bad_input(true);
}

/// Start a session whose stdin stays open; its stdout line by line.
fn start(python: bool) -> (Child, ChildStdin, Receiver<String>) {
    let mut child = command(python)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the scheduler starts");
    let stdin = child.stdin.take().expect("piped");
    let stdout = child.stdout.take().expect("piped");
    let rx = lines_of(stdout);
    (child, stdin, rx)
}

fn wait_for(
    child: &mut Child,
    rx: &Receiver<String>,
    seen: &mut Vec<String>,
    what: &str,
) {
    wait_for_line(child, rx, seen, what, BOUND);
}

/// `fib-multi` running on every pool worker, then a real signal: a clean exit, 0, the
/// job reported cancelled, and no child process left.
fn signal_during_fib_multi(python: bool, signal: &str) {
    let what = format!("{} SIG{signal}", if python { "python" } else { "rust" });
    let (mut child, mut stdin, rx) = start(python);
    let pid = child.id();
    let mut seen = Vec::new();
    wait_for(&mut child, &rx, &mut seen, "`help` lists the commands");
    writeln!(stdin, "fib-multi 1000000 1000000 1000000\ndash").expect("written");
    wait_for(&mut child, &rx, &mut seen, "fib-multi 1000000 1");
    let workers = children(pid);
    kill(pid, signal);
    wait_for(&mut child, &rx, &mut seen, "shutdown:");
    let deadline = Instant::now() + BOUND;
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: did not exit; saw {seen:#?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0), "{what}: {seen:#?}");
    let text = seen.join("\n");
    assert!(
        text.contains(&format!("shutting down (SIG{signal})")),
        "{what}: {text}"
    );
    assert!(
        text.contains("task 1 (fib-multi 1000000 1000000 1000000) cancelled at exit"),
        "{what}: {text}"
    );
    assert!(
        text.contains("shutdown: 0 done, 0 failed, 0 killed, 1 cancelled"),
        "{what}: {text}"
    );
    if python {
        assert!(
            workers.len() >= 2,
            "{what}: the pool and the manager run as processes"
        );
    }
    assert_children_gone(&workers, &what);
}

#[test]
fn rust_sigterm_and_sigint_during_fib_multi_exit_cleanly() {
    signal_during_fib_multi(false, "TERM");
    signal_during_fib_multi(false, "INT");
}

#[test]
fn python_sigterm_and_sigint_during_fib_multi_exit_cleanly() {
    signal_during_fib_multi(true, "TERM");
    signal_during_fib_multi(true, "INT");
}

/// The measured variants' claims: every request answered, a span each; in `dex-busy` the
/// pool's jobs ran from before the first request to after the last answer; every kill
/// stopped its job; the scripted session ends with its states.
fn check_trace(trace: &Trace) {
    for name in ["dex-idle", "dex-busy"] {
        let v = variant(trace, name);
        let io = v.tasks.iter().filter(|t| t.kind.as_deref() == Some("io"));
        let requests = count(v, "requests");
        assert!(requests > 0, "{name}");
        assert_eq!(io.count() as u64, requests, "{name}: a span per request");
        assert!(
            figure(v, "latency_p99_s") >= figure(v, "latency_median_s"),
            "{name}"
        );
    }
    let busy = variant(trace, "dex-busy");
    let (io, cpu): (Vec<_>, Vec<_>) = busy
        .tasks
        .iter()
        .partition(|t| t.kind.as_deref() == Some("io"));
    let first_io = io.iter().map(|t| t.start_s).fold(f64::INFINITY, f64::min);
    let last_io = io.iter().map(|t| t.end_s).fold(0.0, f64::max);
    assert!(cpu.len() >= 2, "fib-multi's jobs ran on the pool: {cpu:?}");
    for job in &cpu {
        assert!(
            job.start_s < first_io && job.end_s > last_io,
            "{job:?} did not span the requests"
        );
    }
    let kill = variant(trace, "kill");
    assert_eq!(count(kill, "cancels"), count(kill, "kills"));
    assert!(figure(kill, "stop_worst_s") < 5.0);
    let session = variant(trace, "session");
    assert_eq!(count(session, "finished"), 5, "4 dex and the small fib");
    assert_eq!(count(session, "killed"), 1);
    assert_eq!(count(session, "cancelled"), 1);
}

#[test]
fn rust_measured_variants_keep_their_claims() {
    check_trace(&rust_variants());
}

#[test]
fn python_measured_variants_keep_their_claims() {
    check_trace(&python_trace("scheduler", &[]));
}

/// The Rust variants one process each (a debug build's naive fib would take long).
fn rust_variants() -> Trace {
    let mut all = rust_trace("scheduler", &["--variant", "dex-idle"]);
    for name in ["dex-busy", "kill", "session"] {
        all.variants
            .extend(rust_trace("scheduler", &["--variant", name]).variants);
    }
    all
}

#[test]
fn bad_flags_are_one_line_errors() {
    assert_bad_flags_rejected("scheduler");
    for bad in [
        ["--workers", "0"],
        ["--server", "localhost"],
        ["--variant", "nope"],
    ] {
        assert_rejects(command(false).args(bad), &format!("rust {bad:?}"));
        assert_rejects(command(true).args(bad), &format!("python {bad:?}"));
    }
}
