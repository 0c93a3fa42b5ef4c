//! # `runtimes`: what one async task costs, on five Rust runtimes
//!
//! Python: an `asyncio` task is much cheaper than a `threading.Thread`, so a server can
//! hold a hundred thousand of them. How cheap is it, and what does a Rust task cost?
//! Twin: `python/runtimes.py`. Chapter: `book/src/runtimes.md`.
//!
//! Run: `cargo run --release --example runtimes` (`--tasks N`, 10,000 by default and a
//! million with `--full`; `--variant NAME` runs one runtime; `--json` prints the trace).
//! Per runtime, a memory pass then a time pass. Memory one runtime frees can hide the
//! next one's growth: for memory, one `--variant` per process (`cargo xtask sweep`).
//!
//! Watch: an async task costs well under a microsecond and a few hundred bytes on every
//! runtime; the `start_costs` example, on the same page, has what an OS thread costs.

use std::cell::RefCell;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use concurrency_pairs::lab::Task as Timed;
use concurrency_pairs::work::rss_bytes;
use concurrency_pairs::{
    Figure, Headline, Pattern, Sweep, Table, Text, Trace, VariantInfo, arrived, say,
};
use futures::channel::oneshot::{self, Receiver};
use futures::executor::{LocalPool, LocalSpawner};
use futures::future::{FutureExt, Shared};
use futures::task::LocalSpawnExt;
use tokio::{runtime::Builder, sync::Semaphore};

// ANCHOR: tasks
/// The time pass spawns N of these: it returns 1, so the sum of all counts them.
async fn noop() -> usize {
    1
}

/// The memory pass spawns N of these: each waits at the gate, so all N live at once.
async fn gated(arrivals: Arc<Semaphore>, gate: Shared<Receiver<()>>) -> usize {
    arrivals.add_permits(1);
    let _ = gate.await; // an error (the gate dropped unopened) also lets the task end
    1
}
// ANCHOR_END: tasks

// ANCHOR: spawn_join
/// A task any of the runtimes can spawn: a future of a `usize` that may move threads.
trait Task: Future<Output = usize> + Send + 'static {}
impl<F: Future<Output = usize> + Send + 'static> Task for F {}

/// A way to run tasks: run a future to its end on this thread, letting spawned tasks
/// run meanwhile; spawn a task, handing back a future of its value.
trait Runtime {
    fn block_on<T>(&self, future: impl Future<Output = T>) -> T;
    fn spawn(&self, task: impl Task) -> impl Future<Output = usize>;
}

/// Spawn `n` tasks made by `task` on `runtime`, await `meanwhile` (where the memory
/// pass reads the memory), then join them all, summing their returns: how many ended.
fn spawn_join<F: Task>(
    runtime: &impl Runtime,
    n: usize,
    task: impl Fn() -> F,
    meanwhile: impl Future,
) -> usize {
    runtime.block_on(async {
        let handles: Vec<_> = (0..n).map(|_| runtime.spawn(task())).collect();
        meanwhile.await;
        let mut done = 0;
        for handle in handles {
            done += handle.await;
        }
        done
    })
}
// ANCHOR_END: spawn_join

// ANCHOR: passes
/// The time pass: spawn `n` no-op tasks and join them. How long, how many completed.
fn time_pass(runtime: &impl Runtime, n: usize) -> (Duration, usize) {
    let start = Instant::now();
    let done = spawn_join(runtime, n, noop, async {});
    (start.elapsed(), done)
}

/// The memory pass: `n` tasks alive at once. The growth of resident memory while they
/// were (`None` without `/proc`), and how many completed.
fn memory_pass(runtime: &impl Runtime, n: usize) -> (Option<u64>, usize) {
    let (arrivals, (open, gate)) = (Arc::new(Semaphore::new(0)), oneshot::channel());
    let gate = gate.shared();
    let (before, mut alive) = (rss_bytes(), None);
    let task = || gated(arrivals.clone(), gate.clone());
    let done = spawn_join(runtime, n, task, async {
        let all = u32::try_from(n).expect("at most u32::MAX tasks");
        let _all_in = arrivals.acquire_many(all).await.expect("never closed");
        alive = rss_bytes();
        open.send(()).expect("the tasks still hold the gate");
    });
    (before.zip(alive).map(|(b, a)| a.saturating_sub(b)), done)
}
// ANCHOR_END: passes

// ANCHOR: tokio
/// tokio, with a current-thread (one thread, like asyncio) or a multi-thread runtime.
struct Tokio(tokio::runtime::Runtime);
impl Runtime for Tokio {
    fn block_on<T>(&self, future: impl Future<Output = T>) -> T {
        self.0.block_on(future)
    }
    fn spawn(&self, task: impl Task) -> impl Future<Output = usize> {
        tokio::spawn(task).map(|joined| joined.expect("the task does not panic"))
    }
}
// ANCHOR_END: tokio

// ANCHOR: smol
/// smol: a global executor on one background thread (`SMOL_THREADS` for more).
struct Smol;
impl Runtime for Smol {
    fn block_on<T>(&self, future: impl Future<Output = T>) -> T {
        smol::block_on(future)
    }
    fn spawn(&self, task: impl Task) -> impl Future<Output = usize> {
        smol::spawn(task)
    }
}
// ANCHOR_END: smol

// ANCHOR: async_std
/// async-std, shaped like `std::thread`. Discontinued upstream: use smol.
struct AsyncStd;
impl Runtime for AsyncStd {
    fn block_on<T>(&self, future: impl Future<Output = T>) -> T {
        async_std::task::block_on(future)
    }
    fn spawn(&self, task: impl Task) -> impl Future<Output = usize> {
        async_std::task::spawn(task)
    }
}
// ANCHOR_END: async_std

// ANCHOR: local_pool
/// The `futures` crate's own executor: no timers, no IO, polling on this thread only.
struct Local(LocalSpawner, RefCell<LocalPool>);
impl Runtime for Local {
    fn block_on<T>(&self, future: impl Future<Output = T>) -> T {
        self.1.borrow_mut().run_until(future)
    }
    fn spawn(&self, task: impl Task) -> impl Future<Output = usize> {
        self.0.spawn_local_with_handle(task).expect("the pool runs")
    }
}
// ANCHOR_END: local_pool

const PER_TASK: Figure = Figure::seconds("task_s", "per task");
const MEMORY: Figure = Figure::bytes("task_bytes", "memory per task");
const COMPLETED: Figure = Figure::count("completed", "completed");

/// The sweep's N, each in a fresh process per runtime (`cargo xtask sweep`).
const LADDER: [u64; 4] = [1_000, 10_000, 100_000, 1_000_000];

const PATTERN: Pattern =
    Pattern::new("runtimes", "what one async task costs, in time and memory")
        .variants(&[
            VariantInfo::python("asyncio"),
            VariantInfo::rust("tokio-current-thread", "tokio::spawn + JoinHandle"),
            VariantInfo::rust("tokio-multi-thread", "tokio::spawn + JoinHandle"),
            VariantInfo::rust(
                "async-std",
                "async_std::task::spawn + JoinHandle (discontinued: use smol)",
            ),
            VariantInfo::rust("smol", "smol::spawn + Task"),
            VariantInfo::rust(
                "futures-local-pool",
                "futures LocalPool: spawn_local_with_handle + RemoteHandle",
            ),
        ])
        .headline(Headline::new(PER_TASK, "smol", "tokio-multi-thread"))
        .tables(&[
            Table::new("What does one task cost?", &[PER_TASK, MEMORY]),
            Table::new("Did every task run to its end?", &[COMPLETED]),
        ])
        .sweep(
            Sweep::new(
                &LADDER,
                &[
                    Text("asyncio"),
                    Text("tokio-current-thread"),
                    Text("tokio-multi-thread"),
                    Text("async-std"),
                    Text("smol"),
                    Text("futures-local-pool"),
                ],
            )
            .figures(&[PER_TASK, MEMORY]),
        )
        .with_tasks();

fn main() {
    let options = PATTERN.parse();
    let default_n = if options.full { 1_000_000 } else { 10_000 };
    let n = options.tasks.unwrap_or(default_n);
    thread::spawn(|| {
        thread::sleep(Duration::from_secs(600)); // generous: a hung run stops
        eprintln!("runtimes: error: still running after 600 s: stopped");
        std::process::exit(2)
    });
    say!("What one task costs, N = {n}: per runtime, a memory then a time pass.");
    say!("(Memory is cleanest in a fresh process per runtime: `cargo xtask sweep`.)");
    // The trace names the N that ran, whether `--tasks` or the default set it.
    let mut trace = Trace::sized(&PATTERN, &options, n);
    let tokio = |mut b: Builder| Tokio(b.build().expect("tokio starts"));
    let (current, multi) = (Builder::new_current_thread, Builder::new_multi_thread);
    let names = PATTERN.names(false);
    for name in names.into_iter().filter(|name| options.runs(name)) {
        let t = &mut trace;
        match name {
            "tokio-current-thread" => run(t, name, n, tokio(current())),
            "tokio-multi-thread" => run(t, name, n, tokio(multi())),
            "async-std" => run(t, name, n, AsyncStd),
            "smol" => run(t, name, n, Smol),
            "futures-local-pool" => {
                let pool = LocalPool::new();
                run(t, name, n, Local(pool.spawner(), RefCell::new(pool)));
            }
            _ => unreachable!("{name} is not a Rust variant"),
        }
    }
    trace.finish(&options);
}

/// One variant: a memory pass, then a time pass, each one task in the runtime's lane.
fn run<R: Runtime>(trace: &mut Trace, name: &str, n: usize, rt: R) {
    trace.run(name, || {
        spawn_join(&rt, 1, noop, async {}); // warm-up: the runtime's threads start
        let (grown, alive) = Timed::new(0).lane(name).run(|| memory_pass(&rt, n));
        let bytes = grown.map(|b| b as f64 / n as f64);
        let each = bytes.map_or("? (no /proc)".into(), |b| format!("{b:.0} B"));
        arrived(0, format_args!("{n} alive at once: {each} each"));
        let (elapsed, done) = Timed::new(1).lane(name).run(|| time_pass(&rt, n));
        let seconds = elapsed.as_secs_f64() / n as f64;
        let each = match seconds * 1e9 {
            ns if ns < 1_000.0 => format!("{ns:.0} ns"),
            ns => format!("{:.1} µs", ns / 1_000.0),
        };
        arrived(1, format_args!("{n} spawned and joined: {each} each"));
        let mut found = vec![PER_TASK.of(seconds), COMPLETED.of(alive.min(done))];
        found.extend(bytes.map(|b| MEMORY.of(b)));
        found
    });
}
