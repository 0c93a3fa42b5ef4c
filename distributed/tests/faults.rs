//! Faults: a rank killed with SIGKILL in the middle of the scatter-reduce, and an
//! `MPIPoolExecutor` losing a worker (`python/distributed_faults.py`). What Open MPI
//! (4.1) does, asserted: the job is aborted, `mpirun` exits 137 (128 + SIGKILL: it
//! reports the signal that ended the rank) within [`BOUND`] of the kill, and nothing
//! of the job is left running afterwards. With `--enable-recovery` nothing is aborted
//! and the executor hangs; the driver bounds that hang and ends it.
//!
//! The tests run one at a time ([`serial`]): each watches the processes under the
//! one it started (walking `/proc` by parent links), waits for every rank (and, in
//! Rust, for its rayon pool, which starts after `MPI_Init`), gives the run a few
//! seconds, picks its victim by its `OMPI_COMM_WORLD_RANK`, and afterwards checks that
//! every process it saw is gone.

mod common;

use std::collections::BTreeMap;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use common::{Spawned, example_binary, manifest_dir, spawn_grouped, twin_python};
use distributed::launch::mpirun;
use serde_json::Value;

/// How long a job may take to end once a rank is killed.
const BOUND: Duration = Duration::from_secs(60);
/// How long a job may take to start (every rank seen, MPI up in the Rust ones).
const START_BOUND: Duration = Duration::from_secs(60);
/// How long after the start a rank is killed: past `MPI_Init` and the first barrier
/// (well under a second here), well before the end (the runs take 10 s and more).
const INTO_THE_RUN: Duration = Duration::from_secs(3);
/// How long the processes of an ended job may take to go away, and how long after
/// that none may be seen.
const ORPHAN_BOUND: Duration = Duration::from_secs(10);
const ORPHAN_HOLD: Duration = Duration::from_secs(2);
/// Tasks enough for the Rust example to crawl for 13 s to 27 s on 2 ranks (2 cores):
/// the kill always lands in the middle of the run.
const RUST_TASKS: &str = "200000";
/// The same for the twin: about 18 s on 2 ranks.
const TWIN_TASKS: &str = "1000";
/// What `mpirun` exits with when a rank was killed by SIGKILL.
const KILLED: i32 = 128 + 9;

static SERIAL: Mutex<()> = Mutex::new(());

/// One test at a time: they time kills on a small machine and check for leftovers.
fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
}

fn python_script(name: &str) -> PathBuf {
    manifest_dir().join("../python").join(name)
}

/// A process as `/proc/<pid>/stat` has it.
#[derive(Clone, Copy, Debug)]
struct Proc {
    pid: u32,
    ppid: u32,
    state: char,
    /// Clock ticks after boot: with the pid, a process no reuse of the pid mistakes.
    start: u64,
}

fn proc_of(pid: u32) -> Option<Proc> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name, in parentheses, may hold spaces and parentheses itself.
    let (_, rest) = stat.rsplit_once(')')?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    Some(Proc {
        pid,
        state: fields.first()?.chars().next()?,
        ppid: fields.get(1)?.parse().ok()?,
        start: fields.get(19)?.parse().ok()?,
    })
}

fn processes() -> Vec<Proc> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
        .filter_map(proc_of)
        .collect()
}

/// Every process under `root`, by parent links.
fn descendants(root: u32) -> Vec<Proc> {
    let all = processes();
    let (mut found, mut frontier) = (Vec::new(), vec![root]);
    while !frontier.is_empty() {
        let children: Vec<Proc> = all
            .iter()
            .filter(|p| frontier.contains(&p.ppid))
            .copied()
            .collect();
        frontier = children.iter().map(|p| p.pid).collect();
        found.extend(children);
    }
    found
}

/// Whether the process seen as `seen` still runs (a zombie has ended).
fn alive(seen: &Proc) -> bool {
    proc_of(seen.pid).is_some_and(|now| now.start == seen.start && now.state != 'Z')
}

/// The MPI rank of a process this test started: its `OMPI_COMM_WORLD_RANK`, the one
/// variable read from its environment.
fn rank_of(pid: u32) -> Option<u32> {
    let environ = std::fs::read(format!("/proc/{pid}/environ")).ok()?;
    environ
        .split(|&b| b == 0)
        .find_map(|var| var.strip_prefix(b"OMPI_COMM_WORLD_RANK="))
        .and_then(|value| std::str::from_utf8(value).ok()?.parse().ok())
}

/// Whether a thread of `pid` is named `name` (rayon's, which the example names).
fn has_thread(pid: u32, name: &str) -> bool {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return false;
    };
    tasks.filter_map(Result::ok).any(|task| {
        std::fs::read_to_string(task.path().join("comm"))
            .is_ok_and(|comm| comm.trim_end() == name)
    })
}

fn exe_of(pid: u32) -> Option<PathBuf> {
    std::fs::read_link(format!("/proc/{pid}/exe")).ok()
}

fn sigkill(pid: u32) {
    let _ = Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .stderr(Stdio::null())
        .status();
}

/// A started command and every process seen under it since.
struct Watched {
    child: Child,
    seen: BTreeMap<u32, Proc>,
    stdout: thread::JoinHandle<String>,
    stderr: thread::JoinHandle<String>,
    what: String,
}

/// Start `command` in a process group of its own, its stdout and stderr read as they
/// come.
fn start(mut command: Command) -> Watched {
    let Spawned {
        child,
        stdout,
        stderr,
        what,
    } = spawn_grouped(&mut command);
    let seen = BTreeMap::from([(child.id(), proc_of(child.id()).expect("it runs"))]);
    Watched {
        child,
        seen,
        stdout,
        stderr,
        what,
    }
}

impl Watched {
    fn look(&mut self) {
        for p in descendants(self.child.id()) {
            self.seen.insert(p.pid, p);
        }
    }

    /// Kill whatever of the job still runs (the group, and every process seen: Open
    /// MPI puts each rank in a process group of its own) and fail.
    fn fail(&mut self, why: &str) -> ! {
        self.look();
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
        for p in self.seen.values().filter(|p| alive(p)) {
            sigkill(p.pid);
        }
        let _ = self.child.wait();
        panic!("{}: {why}", self.what);
    }

    /// Watch for `time` (the job must not end meanwhile).
    fn watch_for(&mut self, time: Duration) {
        let until = Instant::now() + time;
        while Instant::now() < until {
            self.look();
            if let Ok(Some(status)) = self.child.try_wait() {
                self.fail(&format!("ended too early, {status:?}"));
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// Wait, within [`START_BOUND`], for `ranks` processes running `exe` with their
    /// ranks, each with a thread `thread` if asked for; their pids by rank.
    fn wait_ranks(
        &mut self,
        exe: &Path,
        ranks: u32,
        thread: Option<&str>,
    ) -> Vec<u32> {
        let deadline = Instant::now() + START_BOUND;
        loop {
            self.look();
            let mut found: Vec<(u32, u32)> = self
                .seen
                .values()
                .filter(|p| alive(p) && exe_of(p.pid).is_some_and(|e| e == exe))
                .filter(|p| thread.is_none_or(|name| has_thread(p.pid, name)))
                .filter_map(|p| Some((rank_of(p.pid)?, p.pid)))
                .collect();
            found.sort_unstable();
            if found.iter().map(|&(rank, _)| rank).eq(0..ranks) {
                return found.into_iter().map(|(_, pid)| pid).collect();
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                self.fail(&format!("ended before its ranks ran, {status:?}"));
            }
            if Instant::now() > deadline {
                self.fail(&format!(
                    "not {ranks} ranks within {START_BOUND:?}: {found:?}"
                ));
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// Wait for the command to end, within `bound`; then check that nothing seen
    /// under it still runs. Its exit code (128 + the signal, if one ended it), how
    /// long it took, its stdout and its stderr.
    fn finish(mut self, bound: Duration) -> Ended {
        let started = Instant::now();
        let status = loop {
            self.look();
            match self.child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if started.elapsed() > bound => {
                    self.fail(&format!("did not end within {bound:?} (a hang)"))
                }
                Ok(None) => thread::sleep(Duration::from_millis(50)),
                Err(e) => self.fail(&format!("cannot be waited for: {e}")),
            }
        };
        let took = started.elapsed();
        self.no_orphans();
        let text = |t: thread::JoinHandle<String>| t.join().expect("the reader ends");
        Ended {
            code: status.code().or_else(|| status.signal().map(|s| 128 + s)),
            took,
            stdout: text(self.stdout),
            stderr: text(self.stderr),
            seen: self.seen.len(),
        }
    }

    /// Every process seen is gone within [`ORPHAN_BOUND`] (none adopted by init and
    /// left running, no child of theirs either), and none is seen for
    /// [`ORPHAN_HOLD`] after.
    fn no_orphans(&mut self) {
        let left = |seen: &BTreeMap<u32, Proc>| -> Vec<Proc> {
            let mut left: Vec<Proc> =
                seen.values().filter(|p| alive(p)).copied().collect();
            let pids: Vec<u32> = seen.keys().copied().collect();
            left.extend(processes().into_iter().filter(|p| {
                pids.contains(&p.ppid) && p.state != 'Z' && !seen.contains_key(&p.pid)
            }));
            left
        };
        let deadline = Instant::now() + ORPHAN_BOUND;
        while !left(&self.seen).is_empty() {
            if Instant::now() > deadline {
                let names: Vec<String> = left(&self.seen)
                    .iter()
                    .map(|p| format!("{} {:?}", p.pid, exe_of(p.pid)))
                    .collect();
                self.fail(&format!("left running after the end: {names:?}"));
            }
            thread::sleep(Duration::from_millis(100));
        }
        let hold = Instant::now() + ORPHAN_HOLD;
        while Instant::now() < hold {
            if !left(&self.seen).is_empty() {
                self.fail("a process of the job came back after the end");
            }
            thread::sleep(Duration::from_millis(100));
        }
    }
}

#[derive(Debug)]
struct Ended {
    code: Option<i32>,
    took: Duration,
    stdout: String,
    stderr: String,
    seen: usize,
}

/// Run `command` (an `mpirun`, or a launcher that starts one) on `ranks` ranks
/// running `exe`; once they all run (with a thread `thread`, if given) and
/// [`INTO_THE_RUN`] later, SIGKILL rank `victim`, and return how the job ended.
fn kill_a_rank(
    command: Command,
    exe: &Path,
    ranks: u32,
    thread: Option<&str>,
    victim: u32,
) -> Ended {
    let mut job = start(command);
    let pids = job.wait_ranks(exe, ranks, thread);
    job.watch_for(INTO_THE_RUN);
    let pid = pids[victim as usize];
    sigkill(pid);
    let ended = job.finish(BOUND);
    println!(
        "rank {victim} of {ranks} (pid {pid}) killed: exit {:?} after {:.2?}, \
         {} processes seen",
        ended.code, ended.took, ended.seen
    );
    ended
}

/// A Rust rank is up once its rayon pool is: [`distributed::launch::start_rank`]
/// builds it after `MPI_Init`.
const RAYON: Option<&str> = Some("rayon-0");

/// What every killed run shows: aborted (no summary, exit 137 and Open MPI's word for
/// it), within the bound.
fn assert_aborted(ended: &Ended, victim: u32) {
    assert_eq!(ended.code, Some(KILLED), "{ended:?}");
    assert_ne!(ended.code, Some(0));
    assert!(ended.took < BOUND, "{ended:?}");
    assert_eq!(ended.stdout, "", "no summary from an aborted job");
    assert!(
        ended.stderr.contains(&format!("process rank {victim} "))
            && ended.stderr.contains("exited on signal 9"),
        "Open MPI names the rank and the signal: {}",
        ended.stderr
    );
}

fn rust_mpirun(ranks: usize) -> Command {
    let args = ["--tasks", RUST_TASKS, "--variant", "scatter-reduce"];
    let args: Vec<String> = args.map(String::from).to_vec();
    mpirun(ranks, example_binary(), &args)
}

#[test]
fn a_killed_rank_aborts_the_job_on_2_ranks() {
    let _serial = serial();
    let ended = kill_a_rank(rust_mpirun(2), &example_binary(), 2, RAYON, 1);
    assert_aborted(&ended, 1);
}

#[test]
fn a_killed_rank_aborts_the_job_on_4_ranks() {
    let _serial = serial();
    let ended = kill_a_rank(rust_mpirun(4), &example_binary(), 4, RAYON, 2);
    assert_aborted(&ended, 2);
}

#[test]
fn a_killed_root_aborts_the_job_too() {
    let _serial = serial();
    let ended = kill_a_rank(rust_mpirun(2), &example_binary(), 2, RAYON, 0);
    assert_aborted(&ended, 0);
}

#[test]
fn the_launcher_passes_the_abort_on() {
    let _serial = serial();
    let binary = example_binary();
    let mut plain = Command::new(&binary);
    plain.args([
        "--ranks",
        "2",
        "--tasks",
        RUST_TASKS,
        "--variant",
        "scatter-reduce",
    ]);
    // The launcher runs the same binary but is no rank: the victim is one of its
    // grandchildren, and the launcher exits with mpirun's code.
    let ended = kill_a_rank(plain, &binary, 2, RAYON, 1);
    assert_aborted(&ended, 1);
}

#[test]
fn a_killed_rank_aborts_the_twin_too() {
    let _serial = serial();
    let python = match twin_python() {
        Ok(python) => python,
        Err(why) => return println!("skipped: {why}"),
    };
    let args: Vec<String> = [
        python_script("distributed.py").display().to_string(),
        "--tasks".into(),
        TWIN_TASKS.into(),
        "--variant".into(),
        "scatter-reduce".into(),
    ]
    .to_vec();
    let exe = python.canonicalize().expect("the interpreter is there");
    let ended = kill_a_rank(mpirun(2, &python, &args), &exe, 2, None, 1);
    assert_aborted(&ended, 1);
}

/// `python/distributed_faults.py --mode <mode>`: its one JSON line, checked for no
/// leftovers and bounded (the driver bounds its own run to 60 s).
fn pool(mode: &str) -> Option<Value> {
    let python = match twin_python() {
        Ok(python) => python,
        Err(why) => {
            println!("skipped: {why}");
            return None;
        }
    };
    let mut command = Command::new(python);
    command
        .arg(python_script("distributed_faults.py"))
        .args(["--mode", mode]);
    let ended = start(command).finish(BOUND + Duration::from_secs(30));
    assert_eq!(ended.code, Some(0), "{ended:?}");
    let seen: Value = serde_json::from_str(ended.stdout.trim())
        .unwrap_or_else(|e| panic!("one JSON line ({e}): {:?}", ended.stdout));
    println!("{mode}: {seen}");
    let driver_saw = seen["processes_seen"].as_array().map_or(0, Vec::len);
    assert!(driver_saw >= 3, "mpirun and two workers at least: {seen}");
    assert!(ended.seen > driver_saw, "the test saw them too: {ended:?}");
    assert_eq!(seen["caller_started"], true, "{seen}");
    assert!(seen["seconds"].as_f64().is_some_and(|s| s < 60.0), "{seen}");
    Some(seen)
}

/// The executor's own processes are ranks: the worker's death aborts the job, the
/// caller with it, before the lost call's future says anything.
fn assert_pool_aborted(seen: &Value) {
    assert_eq!(seen["outcome"], "mpirun-aborted", "{seen}");
    assert_eq!(seen["mpirun_exit"], KILLED, "{seen}");
    assert_eq!(seen["mpirun_ended"], "itself", "{seen}");
    assert_eq!(seen["fatal_job_seen"], "nothing", "{seen}");
    assert_eq!(seen["collected"], false, "{seen}");
}

#[test]
fn a_pool_losing_a_worker_is_aborted_with_it() {
    let _serial = serial();
    if let Some(seen) = pool("world") {
        assert_pool_aborted(&seen);
    }
}

#[test]
fn a_pool_of_spawned_workers_is_aborted_too() {
    let _serial = serial();
    if let Some(seen) = pool("spawn") {
        assert_pool_aborted(&seen);
    }
}

#[test]
fn with_recovery_the_lost_call_never_completes() {
    let _serial = serial();
    let Some(seen) = pool("recovery") else {
        return;
    };
    // Nothing aborted: the lost call's future times out in the caller, every other
    // call completes on the surviving worker, and the shutdown waits for the dead
    // worker until the driver ends mpirun.
    assert_eq!(seen["outcome"], "hang", "{seen}");
    assert_eq!(seen["fatal_job_seen"], "TimeoutError", "{seen}");
    assert_eq!(
        seen["results"],
        serde_json::json!([0, 1, 3, 4, 5]),
        "{seen}"
    );
    assert_eq!(seen["collected"], true, "{seen}");
    assert_eq!(seen["shut_down"], false, "{seen}");
    assert_ne!(seen["mpirun_ended"], "itself", "{seen}");
}
