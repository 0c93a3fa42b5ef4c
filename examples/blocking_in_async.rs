//! # `blocking_in_async`: sync code in an async world
//!
//! Python: `time.sleep` inside a coroutine stalls the whole event loop, `asyncio.sleep`
//! does not; blocking functions handed to `loop.run_in_executor` with a
//! `ThreadPoolExecutor(max_workers=10)` run side by side (four blocking sleeps of 1..4 s
//! finish in about 4 s instead of 10 s), and `executor=None` uses a default pool sized
//! from the CPU count. Twin: `python/blocking_in_async.py`.
//!
//! Run: `cargo run --release --example blocking_in_async` (a unit is 0.1 s; `--full`
//! makes it the article's 1 s, `--json` prints the trace).
//!
//! Watch: four tasks sleep 1, 2, 3 and 4 units. In `blocking-sleep` each task starts
//! when the previous one ends (10 units in all) and the heartbeat, a task that wants to
//! wake every quarter unit, does not wake once until everything is over; its
//! `heartbeat_late_ms` in the summary is the stall. `async-sleep` and both `offload`
//! variants finish in 4 units with the heartbeat on time. On the multi-thread runtime
//! with two workers, four blocking tasks still queue behind each other and starve the
//! heartbeat; `block-in-place` lets them run side by side.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use concurrency_pairs::work::sleep_s;
use concurrency_pairs::{Cli, Clock, Recorder, TaskSpan, Trace, Variant, say};
use futures::stream::{FuturesUnordered, StreamExt};
use tokio::runtime::{Builder, Runtime};
use tokio::task::JoinHandle;

const CLI: Cli = Cli::new(
    "blocking_in_async",
    "blocking calls inside async tasks stall the runtime; sleep asynchronously or offload them",
);

/// Task `i` blocks for `SLEEP_UNITS[i]` units, as in the article (1..4 s).
const SLEEP_UNITS: [f64; 4] = [1.0, 2.0, 3.0, 4.0];
const DEFAULT_UNIT_S: f64 = 0.1;
const FULL_UNIT_S: f64 = 1.0;
/// The heartbeat wants to wake this often.
const TICK_UNITS: f64 = 0.25;
/// Worker threads of the multi-thread runtime: fewer than the blocking tasks.
const WORKERS: usize = 2;
/// `ThreadPoolExecutor(max_workers=10)`.
const MAX_BLOCKING_THREADS: usize = 10;

/// The sizes of one run.
#[derive(Debug, Clone, Copy)]
struct Plan {
    unit_s: f64,
}

impl Plan {
    fn sleeps(self) -> impl Iterator<Item = (usize, f64)> {
        SLEEP_UNITS
            .iter()
            .enumerate()
            .map(move |(id, units)| (id, units * self.unit_s))
    }

    fn tick(self) -> Duration {
        Duration::from_secs_f64(TICK_UNITS * self.unit_s)
    }
}

fn main() {
    let options = CLI.parse();
    let plan = Plan {
        unit_s: if options.full {
            FULL_UNIT_S
        } else {
            DEFAULT_UNIT_S
        },
    };
    // Once offloaded, the four sleeps overlap: the longest one is the floor. Every
    // variant gets the same ideal, so the blocked ones show what blocking costs.
    let ideal = SLEEP_UNITS.iter().copied().fold(0.0, f64::max) * plan.unit_s;

    let mut trace = Trace::new("blocking_in_async", &options);
    for mut variant in [
        blocking_sleep(plan),
        async_sleep(plan),
        offload(plan),
        offload_default(plan),
        multi_thread_blocking(plan),
        block_in_place(plan),
    ] {
        variant.ideal_s = Some(ideal);
        trace.push(variant);
    }
    trace.finish(&options);
}

/// The runtime asyncio resembles: one thread runs every task.
fn current_thread() -> Runtime {
    Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a tokio runtime starts")
}

/// A multi-thread runtime with fewer workers than there are blocking tasks.
fn multi_thread() -> Runtime {
    Builder::new_multi_thread()
        .worker_threads(WORKERS)
        .enable_time()
        .build()
        .expect("a tokio runtime starts")
}

// ANCHOR: heartbeat
/// A task that only wants to wake up every tick. Each tick is a span from going to
/// sleep to waking up: a tick much longer than asked is a stretch during which the
/// runtime could run nothing else.
async fn heartbeat(
    clock: Clock,
    first_id: usize,
    tick: Duration,
    stop: Arc<AtomicBool>,
) -> Vec<TaskSpan> {
    let mut ticks = Vec::new();
    while !stop.load(Ordering::SeqCst) {
        let start_s = clock.now();
        tokio::time::sleep(tick).await;
        let id = first_id + ticks.len();
        ticks.push(TaskSpan::new(id, "heartbeat", start_s, clock.now()).with_kind("tick"));
    }
    ticks
}
// ANCHOR_END: heartbeat

/// Start the heartbeat, start one task per sleep with `start`, and receive the results
/// as they finish; the variant ends with the last result. Then stop the heartbeat and
/// add its ticks and its worst lateness to the trace.
async fn drive(
    mut rec: Recorder,
    plan: Plan,
    start: impl Fn(Clock, usize, f64) -> JoinHandle<TaskSpan>,
) -> Variant {
    let clock = rec.clock();
    let stop = Arc::new(AtomicBool::new(false));
    let beat = tokio::spawn(heartbeat(
        clock,
        SLEEP_UNITS.len(),
        plan.tick(),
        Arc::clone(&stop),
    ));
    let mut running: FuturesUnordered<_> = plan
        .sleeps()
        .map(|(id, secs)| start(clock, id, secs))
        .collect();
    let mut spans = Vec::new();
    while let Some(joined) = running.next().await {
        let span = joined.expect("a sleeping task does not panic");
        spans.push(span.clone());
        rec.receive(span, "slept");
    }
    rec.note("peak_concurrency", peak_concurrency(&spans));
    let mut variant = rec.finish();

    stop.store(true, Ordering::SeqCst);
    // Bounded: the heartbeat looks at `stop` after every tick.
    let ticks = beat.await.expect("the heartbeat does not panic");
    let late_s = ticks
        .iter()
        .map(|t| t.end_s - t.start_s - plan.tick().as_secs_f64())
        .fold(0.0, f64::max);
    say!(
        "[{:7.3}s]   heartbeat: wake-ups {}, worst lateness {:.0} ms",
        clock.now(),
        ticks.len(),
        late_s * 1000.0
    );
    variant.extra.insert(
        "heartbeat_late_ms".to_owned(),
        (late_s * 1000.0).round().into(),
    );
    variant.tasks.extend(ticks);
    variant
}

/// The most tasks running at one instant.
fn peak_concurrency(spans: &[TaskSpan]) -> usize {
    spans
        .iter()
        .map(|s| {
            spans
                .iter()
                .filter(|o| o.start_s <= s.start_s && s.start_s < o.end_s)
                .count()
        })
        .max()
        .unwrap_or(0)
}

// ANCHOR: blocking_sleep
/// `time.sleep` in a coroutine: `std::thread::sleep` in a task blocks the one thread
/// that runs every task, so the tasks run one after the other and nothing else
/// (the heartbeat, the timers) runs in between.
fn blocking_sleep(plan: Plan) -> Variant {
    let runtime = current_thread();
    let rec = Recorder::new(
        "blocking-sleep",
        "std::thread::sleep in tasks, current-thread runtime",
    );
    runtime.block_on(drive(rec, plan, |clock, id, secs| {
        tokio::spawn(async move { clock.span(id, || sleep_s(secs)).1 })
    }))
}
// ANCHOR_END: blocking_sleep

// ANCHOR: async_sleep
/// `asyncio.sleep`: `tokio::time::sleep` returns to the runtime at once and asks to be
/// woken later, so the same one thread keeps all four sleeps (and the heartbeat) going.
fn async_sleep(plan: Plan) -> Variant {
    let runtime = current_thread();
    let rec = Recorder::new(
        "async-sleep",
        "tokio::time::sleep in tasks, current-thread runtime",
    );
    runtime.block_on(drive(rec, plan, |clock, id, secs| {
        let sleep = tokio::time::sleep(Duration::from_secs_f64(secs));
        tokio::spawn(async move { clock.span_async(id, format!("task-{id}"), sleep).await.1 })
    }))
}
// ANCHOR_END: async_sleep

// ANCHOR: offload
/// `run_in_executor(ThreadPoolExecutor(max_workers=10), ...)`: `spawn_blocking` runs the
/// blocking call on the runtime's blocking-thread pool, here capped at ten threads,
/// and hands back a `JoinHandle` to await like any task's.
fn offload(plan: Plan) -> Variant {
    let runtime = Builder::new_current_thread()
        .enable_time()
        .max_blocking_threads(MAX_BLOCKING_THREADS)
        .build()
        .expect("a tokio runtime starts");
    let rec = Recorder::new(
        "offload",
        "tokio::task::spawn_blocking, max_blocking_threads(10)",
    );
    runtime.block_on(drive(rec, plan, |clock, id, secs| {
        tokio::task::spawn_blocking(move || clock.span(id, || sleep_s(secs)).1)
    }))
}
// ANCHOR_END: offload

// ANCHOR: offload_default
/// `run_in_executor(None, ...)`: the default pool. tokio's is not sized from the CPU
/// count like Python's `min(32, cpus + 4)`: it grows on demand up to 512 threads,
/// because its threads are meant to sit blocked, not to compute.
fn offload_default(plan: Plan) -> Variant {
    let runtime = current_thread();
    let rec = Recorder::new(
        "offload-default",
        "tokio::task::spawn_blocking, default pool (512)",
    );
    runtime.block_on(drive(rec, plan, |clock, id, secs| {
        tokio::task::spawn_blocking(move || clock.span(id, || sleep_s(secs)).1)
    }))
}
// ANCHOR_END: offload_default

// ANCHOR: multi_thread_blocking
/// More threads do not make blocking safe: with two workers, two blocking tasks occupy
/// them both; the other two wait for a worker, and so do the heartbeat and the timers.
fn multi_thread_blocking(plan: Plan) -> Variant {
    let runtime = multi_thread();
    let rec = Recorder::new(
        "multi-thread-blocking",
        "std::thread::sleep in tasks, 2 worker threads",
    );
    runtime.block_on(drive(rec, plan, |clock, id, secs| {
        tokio::spawn(async move { clock.span(id, || sleep_s(secs)).1 })
    }))
}
// ANCHOR_END: multi_thread_blocking

// ANCHOR: block_in_place
/// `block_in_place` tells the multi-thread runtime "this worker is about to block":
/// the worker's queue moves to a fresh thread and the task blocks where it is. It
/// needs the multi-thread runtime (on a current-thread runtime it panics), and it
/// blocks the whole task it is in, including anything else that task was awaiting.
fn block_in_place(plan: Plan) -> Variant {
    let runtime = multi_thread();
    let rec = Recorder::new(
        "block-in-place",
        "tokio::task::block_in_place, 2 worker threads",
    );
    runtime.block_on(drive(rec, plan, |clock, id, secs| {
        tokio::spawn(
            async move { tokio::task::block_in_place(|| clock.span(id, || sleep_s(secs)).1) },
        )
    }))
}
// ANCHOR_END: block_in_place
