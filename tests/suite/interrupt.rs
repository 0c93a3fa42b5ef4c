//! Ctrl-C mid-run: a real SIGINT to an ordinary example, or to its Python twin, ends it
//! with one line on stderr (`NAME: interrupted`), exit code 130, no panic and no
//! traceback, and no worker process left behind. (`shutdown` and the `scheduler` REPL
//! drain on SIGINT instead: their own tests send it.)

use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::common::{
    assert_children_gone, children, example_binary, gone, kill, lines_of, twin,
    wait_for_line,
};

/// The longest any one wait may take: a start (a debug build, a loaded machine) or an exit.
const BOUND: Duration = Duration::from_secs(30);

/// The child, and the worker processes recorded for it: whatever a failed check leaves
/// running is killed, so that no test leaves a process behind either.
struct Running {
    child: Child,
    workers: Vec<u32>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        for pid in self.workers.iter().filter(|&&pid| !gone(pid)) {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
        }
    }
}

/// Start the example `name` (or, with `python`, its twin) with `args`, wait until a line
/// containing `mid_run` says it is mid-run (and a twin's pool has its worker processes up;
/// a Rust pool's workers are threads), send it a real SIGINT, and check how it ended.
fn interrupted_mid_run(name: &str, python: bool, args: &[&str], mid_run: &str) {
    let what = format!("{} {name}", if python { "python" } else { "rust" });
    let mut command = if python {
        twin(&format!("{name}.py"))
    } else {
        Command::new(example_binary(name))
    };
    // A file, not a pipe: a worker left holding it open cannot block the test.
    let stderr_file = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("interrupt-{}.stderr", what.replace(' ', "-")));
    let stderr =
        std::fs::File::create(&stderr_file).expect("the test's tmp dir is writable");
    let child = command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .expect("the program starts");
    let mut run = Running {
        child,
        workers: Vec::new(),
    };
    let pid = run.child.id();
    let rx = lines_of(run.child.stdout.take().expect("stdout is piped"));
    let mut seen = Vec::new();
    wait_for_line(&mut run.child, &rx, &mut seen, mid_run, BOUND);
    run.workers = if python {
        workers_of(pid, &what)
    } else {
        descendants(pid)
    };

    kill(pid, "INT");
    let status = exit_status(&mut run.child, &what);
    let read = || std::fs::read_to_string(&stderr_file).expect("stderr was captured");
    assert_eq!(
        status.code(),
        Some(130),
        "{what}: {status}; stderr:\n{}",
        read()
    );
    assert_children_gone(&run.workers, &what);
    let stderr = read(); // now with whatever the workers said before they went
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    let interrupted = |line: &str| {
        line.starts_with(&format!("{name}:")) && line.contains("interrupted")
    };
    assert!(
        matches!(lines[..], [line] if interrupted(line)),
        "{what}: one line `{name}: interrupted` on stderr, got:\n{stderr}"
    );
    for bad in ["Traceback", "panicked"] {
        assert!(!stderr.contains(bad), "{what}: {bad} on stderr:\n{stderr}");
    }
}

/// The processes under `pid`, at any depth: a pool's workers are its children, or under
/// the forkserver start method the forkserver's.
fn descendants(pid: u32) -> Vec<u32> {
    let mut found = children(pid);
    let mut next = 0;
    while let Some(&parent) = found.get(next) {
        found.extend(children(parent));
        next += 1;
    }
    found.sort_unstable();
    found
}

/// The worker processes under `pid`, once its pool is up: polled until there are some and
/// they have stayed the same for a moment (a pool may start its workers one by one).
fn workers_of(pid: u32, what: &str) -> Vec<u32> {
    let deadline = Instant::now() + BOUND;
    let (mut workers, mut since) = (Vec::new(), Instant::now());
    loop {
        let now = descendants(pid);
        if now != workers {
            (workers, since) = (now, Instant::now());
        } else if !workers.is_empty() && since.elapsed() >= Duration::from_millis(300)
        {
            return workers;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: no steady pool in time: {workers:?}"
        );
        thread::sleep(Duration::from_millis(20));
    }
}

/// How `child` ended, waited for at most [`BOUND`].
fn exit_status(child: &mut Child, what: &str) -> ExitStatus {
    let deadline = Instant::now() + BOUND;
    loop {
        if let Some(status) = child.try_wait().expect("the child can be waited for") {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: still running after SIGINT"
        );
        thread::sleep(Duration::from_millis(20));
    }
}

// Five 0.4 s tasks on three workers: `map` waits 0.8 s for its list.
#[test]
fn rust_pool_map_interrupted_in_map() {
    interrupted_mid_run("pool_map", false, &[], "== map");
}

#[test]
fn python_pool_map_interrupted_in_map() {
    interrupted_mid_run("pool_map", true, &[], "== map");
}

// Thousands of crawl tasks, in batches on a thread (Rust) or a process (Python) per core.
const BATCHES: &[&str] = &["--variant", "article-batches"];

#[test]
fn rust_crawler_interrupted_in_batches() {
    interrupted_mid_run("crawler", false, BATCHES, "== article-batches");
}

#[test]
fn python_crawler_interrupted_in_batches() {
    interrupted_mid_run("crawler", true, BATCHES, "== article-batches");
}
