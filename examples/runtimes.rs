//! # `runtimes`: what one task costs, on five Rust runtimes and on OS threads
//!
//! Python: an `asyncio` task is much cheaper than a `threading.Thread`, so a server can
//! hold a hundred thousand of them. How cheap is it, and what does a Rust task cost?
//! Twin: `python/runtimes.py` (`asyncio.create_task` and `threading.Thread`).
//!
//! Run: `cargo run --release --example runtimes` (`--tasks N` sets the largest batch,
//! `--json` prints the trace; `--full` changes nothing here, the default already reaches
//! a million tasks).
//!
//! For each runtime and each N (1,000, 10,000, 100,000 and 1,000,000; OS threads stop at
//! 10,000), two passes, each in a fresh copy of this program so that memory freed by one
//! cannot hide the growth of the next: the *time* pass spawns N no-op tasks and joins
//! them; the *memory* pass keeps N tasks alive at once behind a gate and reads the
//! process's resident memory.
//!
//! Watch: the per-task figures on each line. The async runtimes stay well under a
//! microsecond and a few hundred bytes per task all the way to a million; an OS thread
//! costs tens of microseconds and about ten kilobytes of resident memory (more in the
//! kernel, which the figure does not count).

use std::fmt::Display;
use std::io::Read;
use std::process::{self, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use concurrency_pairs::work::rss_bytes;
use concurrency_pairs::{Cli, Recorder, TaskSpan, Trace, Variant, say};
use futures::channel::oneshot;
use futures::executor::LocalPool;
use futures::future::{FutureExt, Shared};
use futures::task::LocalSpawnExt;
use serde::{Deserialize, Serialize};

const CLI: Cli = Cli::new(
    "runtimes",
    "the cost of one task (time and memory) on tokio, async-std, smol, futures and OS threads",
)
.with_tasks();

/// The batch sizes, up to the largest asked for (`--tasks N`, a million by default).
const LADDER: [usize; 4] = [1_000, 10_000, 100_000, 1_000_000];
const DEFAULT_LARGEST: usize = 1_000_000;
/// The most async tasks one batch may hold (memory, not time, is the limit).
const ASYNC_CAP: usize = 10_000_000;
/// The most OS threads one batch may hold. Each Rust thread reserves 2 MiB of address
/// space for its stack and costs the kernel a task structure and a kernel stack; the
/// per-user process limit (`ulimit -u`) and the map count (`vm.max_map_count`) are
/// shared with everything else running on the machine. Ten thousand is far from all
/// of those limits; a hundred thousand is not.
const THREAD_CAP: usize = 10_000;
/// The longest one batch may take before it is stopped as hung.
const BATCH_LIMIT: Duration = Duration::from_secs(300);

/// One way to run tasks: its name in the trace, the API it uses, the largest batch it may
/// run, and the function that runs one batch of N tasks on it.
struct Runtime {
    name: &'static str,
    uses: &'static str,
    cap: usize,
    batch: fn(usize, Pass) -> Batch,
}

const RUNTIMES: [Runtime; 6] = [
    Runtime {
        name: "tokio-current-thread",
        uses: "tokio::spawn + JoinHandle, current-thread runtime",
        cap: ASYNC_CAP,
        batch: tokio_current_thread,
    },
    Runtime {
        name: "tokio-multi-thread",
        uses: "tokio::spawn + JoinHandle, multi-thread runtime",
        cap: ASYNC_CAP,
        batch: tokio_multi_thread,
    },
    Runtime {
        name: "async-std",
        uses: "async_std::task::spawn + JoinHandle (discontinued: use smol)",
        cap: ASYNC_CAP,
        batch: on_async_std,
    },
    Runtime {
        name: "smol",
        uses: "smol::spawn + Task",
        cap: ASYNC_CAP,
        batch: on_smol,
    },
    Runtime {
        name: "futures-local-pool",
        uses: "futures LocalPool: spawn_local_with_handle + RemoteHandle",
        cap: ASYNC_CAP,
        batch: on_local_pool,
    },
    Runtime {
        name: "os-threads",
        uses: "std::thread::spawn + JoinHandle::join",
        cap: THREAD_CAP,
        batch: on_os_threads,
    },
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "--one") {
        child(&args[1..]);
    }
    let options = CLI.parse();
    let largest = options.tasks.unwrap_or(DEFAULT_LARGEST);
    let mut trace = Trace::new("runtimes", &options);
    for runtime in &RUNTIMES {
        trace.push(measure_runtime(runtime, &sizes(largest, runtime.cap)));
    }
    say_largest(&trace);
    trace.finish(&options);
}

/// The ladder's sizes below the largest batch, then the largest (at most `cap`).
fn sizes(largest: usize, cap: usize) -> Vec<usize> {
    let top = largest.min(cap);
    let mut sizes: Vec<usize> = LADDER.iter().copied().filter(|&n| n < top).collect();
    sizes.push(top);
    sizes
}

// ----------------------------------------------------------------------------------
// The tasks, the gate and the measurement (inside the fresh process of one pass).
// ----------------------------------------------------------------------------------

/// Which of the two passes a child process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    /// N no-op tasks spawned, then joined: the time per task.
    Time,
    /// N tasks all alive at once behind a gate: the memory per task.
    Memory,
}

impl Pass {
    fn name(self) -> &'static str {
        match self {
            Pass::Time => "time",
            Pass::Memory => "memory",
        }
    }
}

/// What one pass over one batch reports to the parent, as one JSON line.
#[derive(Debug, Serialize, Deserialize)]
struct Batch {
    tasks: usize,
    /// How many tasks ran to their end: must be `tasks`.
    completed: usize,
    /// Elapsed time from the first spawn to the last join, divided by the number of
    /// tasks (in the memory pass, the gate's waiting and waking are included).
    ns_per_task: f64,
    /// Memory pass: growth of the resident set while all tasks were alive, per task.
    /// `None` in the time pass, and where there is no `/proc`.
    bytes_per_task: Option<f64>,
}

/// What a task holds in the memory pass: a clone of the gate (a oneshot receiver made
/// `Shared`, so any number of tasks can await it, on any runtime) and the arrival count.
#[derive(Clone)]
struct Gate {
    open: Shared<oneshot::Receiver<()>>,
    arrived: Arc<Arrivals>,
}

struct Arrivals {
    n: usize,
    count: AtomicUsize,
    /// Fired by the last task to reach the gate.
    all: Mutex<Option<oneshot::Sender<()>>>,
}

impl Gate {
    fn arrive(&self) {
        if self.arrived.count.fetch_add(1, Ordering::AcqRel) + 1 == self.arrived.n {
            let sender = self.arrived.all.lock().expect("no task panics").take();
            if let Some(sender) = sender {
                // The batch may have given up waiting; nothing to tell it then.
                let _ = sender.send(());
            }
        }
    }
}

// ANCHOR: tasks
/// The task the time pass spawns N of: it does nothing and returns 1. The joiner adds
/// up what the tasks return, which shows that every one ran to its end.
async fn noop() -> usize {
    1
}

/// The task the memory pass spawns N of: it waits at a gate, so that all N are alive
/// at once when the memory is read.
async fn gated(gate: Gate) -> usize {
    gate.arrive();
    // An error would mean the gate was dropped unopened: that also lets the task end.
    let _ = gate.open.await;
    1
}
// ANCHOR_END: tasks

/// One pass over a batch of `n` tasks, and a clock that stops while memory is read.
struct Run {
    n: usize,
    /// Tasks joined so far: the sum of what they returned.
    done: usize,
    /// Memory pass only: the gate, its opening end, and the news that all arrived.
    gate: Option<Gate>,
    open: Option<oneshot::Sender<()>>,
    all_arrived: Option<oneshot::Receiver<()>>,
    rss_before: Option<u64>,
    rss_alive: Option<u64>,
    started: Instant,
    paused: Duration,
}

impl Run {
    /// Read the memory, then start the clock.
    fn new(n: usize, pass: Pass) -> Self {
        let (mut gate, mut open, mut all_arrived) = (None, None, None);
        if pass == Pass::Memory {
            let (open_tx, open_rx) = oneshot::channel();
            let (all_tx, all_rx) = oneshot::channel();
            gate = Some(Gate {
                open: open_rx.shared(),
                arrived: Arc::new(Arrivals {
                    n,
                    count: AtomicUsize::new(0),
                    all: Mutex::new(Some(all_tx)),
                }),
            });
            (open, all_arrived) = (Some(open_tx), Some(all_rx));
        }
        let rss_before = rss_bytes();
        Run {
            n,
            done: 0,
            gate,
            open,
            all_arrived,
            rss_before,
            rss_alive: None,
            started: Instant::now(),
            paused: Duration::ZERO,
        }
    }

    /// Memory pass: wait until every task has reached the gate, read the memory with
    /// the clock stopped, open the gate. Time pass: nothing to wait for.
    async fn all_alive(&mut self) {
        let Some(all_arrived) = self.all_arrived.take() else {
            return;
        };
        all_arrived.await.expect("the last task to arrive says so");
        let pause = Instant::now();
        self.rss_alive = rss_bytes();
        self.paused += pause.elapsed();
        let open = self.open.take().expect("the gate opens once");
        open.send(()).expect("the tasks still hold the gate");
    }

    fn finish(self) -> Batch {
        let elapsed = self.started.elapsed().saturating_sub(self.paused);
        let grown = match (self.rss_before, self.rss_alive) {
            (Some(before), Some(alive)) => Some(alive.saturating_sub(before) as f64),
            _ => None,
        };
        Batch {
            tasks: self.n,
            completed: self.done,
            ns_per_task: elapsed.as_nanos() as f64 / self.n as f64,
            bytes_per_task: grown.map(|bytes| bytes / self.n as f64),
        }
    }
}

// ANCHOR: executor
/// A task any of the runtimes can spawn: a future of a `usize` that may move between
/// threads.
trait Task: Future<Output = usize> + Send + 'static {}
impl<F: Future<Output = usize> + Send + 'static> Task for F {}

/// A way to run tasks: spawn `run.n` tasks made by `task`, let them all come alive
/// (`run.all_alive()`, which only waits in the memory pass), then join them all.
trait Executor {
    fn batch<F: Task>(&mut self, run: &mut Run, task: impl Fn() -> F);
}
// ANCHOR_END: executor

/// One warm-up task first, so the runtime's own threads and queues exist before the
/// clock and the memory baseline start; then the batch of `n`: no-ops in the time pass,
/// gated tasks in the memory pass.
fn measure(executor: &mut impl Executor, n: usize, pass: Pass) -> Batch {
    let mut go = |run: &mut Run| match run.gate.clone() {
        None => executor.batch(run, noop),
        Some(gate) => executor.batch(run, || gated(gate.clone())),
    };
    go(&mut Run::new(1, pass));
    let mut run = Run::new(n, pass);
    go(&mut run);
    run.finish()
}

// ANCHOR: tokio
struct Tokio(tokio::runtime::Runtime);

impl Executor for Tokio {
    fn batch<F: Task>(&mut self, run: &mut Run, task: impl Fn() -> F) {
        self.0.block_on(async {
            let handles: Vec<_> = (0..run.n).map(|_| tokio::spawn(task())).collect();
            run.all_alive().await;
            for handle in handles {
                run.done += handle.await.expect("the task does not panic");
            }
        });
    }
}

fn tokio_current_thread(n: usize, pass: Pass) -> Batch {
    // One thread for everything: the tasks run whenever `block_on`'s future waits.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a tokio runtime starts");
    measure(&mut Tokio(runtime), n, pass)
}

fn tokio_multi_thread(n: usize, pass: Pass) -> Batch {
    // A worker thread per core runs the tasks; this thread spawns and joins.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .build()
        .expect("a tokio runtime starts");
    measure(&mut Tokio(runtime), n, pass)
}
// ANCHOR_END: tokio

// ANCHOR: async_std
/// async-std: a global executor started on first use, `task::spawn` shaped like
/// `std::thread::spawn`. Discontinued upstream in favour of smol.
struct AsyncStd;

impl Executor for AsyncStd {
    fn batch<F: Task>(&mut self, run: &mut Run, task: impl Fn() -> F) {
        async_std::task::block_on(async {
            let handles: Vec<_> = (0..run.n).map(|_| async_std::task::spawn(task())).collect();
            run.all_alive().await;
            for handle in handles {
                run.done += handle.await;
            }
        });
    }
}
// ANCHOR_END: async_std

// ANCHOR: smol
/// smol: a global executor on one background thread (`SMOL_THREADS` for more). A `Task`
/// that is dropped is cancelled, so every one is kept and awaited.
struct Smol;

impl Executor for Smol {
    fn batch<F: Task>(&mut self, run: &mut Run, task: impl Fn() -> F) {
        smol::block_on(async {
            let tasks: Vec<_> = (0..run.n).map(|_| smol::spawn(task())).collect();
            run.all_alive().await;
            for task in tasks {
                run.done += task.await;
            }
        });
    }
}
// ANCHOR_END: smol

// ANCHOR: local_pool
/// The `futures` crate's own executor: every task on this thread, run while
/// `run_until`'s future waits. No timers, no IO: just polling.
struct Local(LocalPool);

impl Executor for Local {
    fn batch<F: Task>(&mut self, run: &mut Run, task: impl Fn() -> F) {
        let spawner = self.0.spawner();
        self.0.run_until(async {
            let handles: Vec<_> = (0..run.n)
                .map(|_| {
                    spawner
                        .spawn_local_with_handle(task())
                        .expect("the pool is running")
                })
                .collect();
            run.all_alive().await;
            for handle in handles {
                run.done += handle.await;
            }
        });
    }
}
// ANCHOR_END: local_pool

// ANCHOR: os_threads
/// One OS thread per task, each blocking on its task future until it is done.
struct OsThreads;

impl Executor for OsThreads {
    fn batch<F: Task>(&mut self, run: &mut Run, task: impl Fn() -> F) {
        let handles: Vec<_> = (0..run.n)
            .map(|_| {
                let task = task();
                thread::spawn(move || futures::executor::block_on(task))
            })
            .collect();
        futures::executor::block_on(run.all_alive());
        for handle in handles {
            run.done += handle.join().expect("the task does not panic");
        }
    }
}
// ANCHOR_END: os_threads

fn on_async_std(n: usize, pass: Pass) -> Batch {
    measure(&mut AsyncStd, n, pass)
}

fn on_smol(n: usize, pass: Pass) -> Batch {
    measure(&mut Smol, n, pass)
}

fn on_local_pool(n: usize, pass: Pass) -> Batch {
    measure(&mut Local(LocalPool::new()), n, pass)
}

fn on_os_threads(n: usize, pass: Pass) -> Batch {
    measure(&mut OsThreads, n, pass)
}

/// `--one PASS RUNTIME N`: run one pass (`time` or `memory`) over one batch in this
/// (fresh) process and print it as one JSON line. Internal: the parent starts these;
/// `--help` does not mention it.
fn child(args: &[String]) -> ! {
    let [pass, name, n] = args else {
        refuse("`--one` takes a pass (time or memory), a runtime and a task count")
    };
    let pass = match pass.as_str() {
        "time" => Pass::Time,
        "memory" => Pass::Memory,
        _ => refuse(format!(
            "`--one` takes a pass, time or memory, not `{pass}`"
        )),
    };
    let Some(runtime) = RUNTIMES.iter().find(|r| r.name == name) else {
        let known: Vec<&str> = RUNTIMES.iter().map(|r| r.name).collect();
        refuse(format!(
            "unknown runtime `{name}` (known: {})",
            known.join(", ")
        ))
    };
    let n = match n.parse::<usize>() {
        Ok(n) if (1..=runtime.cap).contains(&n) => n,
        _ => refuse(format!(
            "`--one {} {name}` takes a whole number from 1 to {}, not `{n}`",
            pass.name(),
            runtime.cap
        )),
    };
    let batch = (runtime.batch)(n, pass);
    println!(
        "{}",
        serde_json::to_string(&batch).expect("a batch serialises")
    );
    process::exit(0)
}

fn refuse(message: impl Display) -> ! {
    eprintln!("runtimes: error: {message} (try --help)");
    process::exit(2)
}

// ----------------------------------------------------------------------------------
// The parent: one fresh process per batch, timed from outside as well.
// ----------------------------------------------------------------------------------

// ANCHOR: parent
/// Run every batch of one runtime, each pass in a fresh process, and record the batch as
/// a task whose span is the life of its two child processes, as the parent saw it.
fn measure_runtime(runtime: &Runtime, sizes: &[usize]) -> Variant {
    let mut rec = Recorder::new(runtime.name, runtime.uses);
    let clock = rec.clock();
    let (mut ns, mut bytes_alive, mut completed) = (Vec::new(), Vec::new(), Vec::new());
    for (id, &n) in sizes.iter().enumerate() {
        let start = clock.now();
        let time = run_child(Pass::Time, runtime.name, n);
        let memory = run_child(Pass::Memory, runtime.name, n);
        let span = TaskSpan::new(id, runtime.name, start, clock.now());
        rec.receive(
            span,
            format!(
                "{n:>9} tasks: {} each to spawn and join, {} each while all alive",
                per_task(time.ns_per_task),
                bytes(memory.bytes_per_task)
            ),
        );
        ns.push(time.ns_per_task);
        bytes_alive.push(memory.bytes_per_task);
        completed.push(time.completed.min(memory.completed));
    }
    rec.note("sizes", sizes.to_vec());
    rec.note("ns_per_task", ns);
    rec.note("bytes_per_task", bytes_alive);
    rec.note("completed", completed);
    rec.finish()
}
// ANCHOR_END: parent

/// Start `this-program --one PASS RUNTIME N` and read its one line, stopping it if it
/// hangs.
fn run_child(pass: Pass, runtime: &str, n: usize) -> Batch {
    let exe = std::env::current_exe().expect("a program knows its own path");
    let mut child = Command::new(exe)
        .args(["--one", pass.name(), runtime, &n.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the example can start itself");
    let deadline = Instant::now() + BATCH_LIMIT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("the child can be waited for") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            refuse(format!(
                "{runtime} with {n} tasks ({} pass) still running after {} s: stopped",
                pass.name(),
                BATCH_LIMIT.as_secs()
            ));
        }
        thread::sleep(Duration::from_millis(1));
    };
    if !status.success() {
        refuse(format!(
            "{runtime} with {n} tasks ({} pass) failed ({status})",
            pass.name()
        ));
    }
    let mut line = String::new();
    child
        .stdout
        .take()
        .expect("stdout is piped")
        .read_to_string(&mut line)
        .expect("the child prints UTF-8");
    serde_json::from_str(line.trim()).expect("the child prints one batch as JSON")
}

fn per_task(ns: f64) -> String {
    if ns < 1_000.0 {
        format!("{ns:.0} ns")
    } else {
        format!("{:.1} µs", ns / 1_000.0)
    }
}

fn bytes(b: Option<f64>) -> String {
    match b {
        Some(b) if b >= 10_240.0 => format!("{:.1} KiB", b / 1024.0),
        Some(b) => format!("{b:.0} B"),
        None => "? B (no /proc)".to_owned(),
    }
}

/// Each runtime's cost at the largest batch it ran, against tokio's multi-thread runtime.
fn say_largest(trace: &Trace) {
    let at_largest = |v: &Variant| -> Option<(u64, f64, Option<f64>)> {
        let last = |key: &str| v.extra.get(key)?.as_array()?.last().cloned();
        Some((
            last("sizes")?.as_u64()?,
            last("ns_per_task")?.as_f64()?,
            last("bytes_per_task")?.as_f64(),
        ))
    };
    let base = trace
        .variant("tokio-multi-thread")
        .and_then(at_largest)
        .map(|(_, ns, _)| ns);
    say!("\nper task, at the largest batch each runtime ran:");
    for v in &trace.variants {
        let Some((n, ns, b)) = at_largest(v) else {
            continue;
        };
        let ratio = base.map_or(String::new(), |base| {
            format!("  ({:.1}x tokio-multi-thread)", ns / base)
        });
        say!(
            "  {:20} {n:>9} tasks  {:>9}  {:>9}{ratio}",
            v.name,
            per_task(ns),
            bytes(b)
        );
    }
}
