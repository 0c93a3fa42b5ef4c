//! # `blocking_in_async`: sync code in an async world
//!
//! Python: `time.sleep` inside a coroutine stalls the whole event loop, `asyncio.sleep`
//! does not; blocking functions handed to `loop.run_in_executor` with a
//! `ThreadPoolExecutor(max_workers=10)` run side by side (four blocking sleeps of 1..4 s
//! finish in about 4 s instead of 10 s), and `executor=None` uses a default pool sized
//! from the CPU count. Twin: `python/blocking_in_async.py`. Chapter: "blocking_in_async"
//! in the book.
//!
//! Run: `cargo run --release --example blocking_in_async` (a unit is 0.1 s; `--full`
//! makes it the article's 1 s, `--json` prints the trace).
//!
//! Watch: four tasks sleep 1, 2, 3 and 4 units. In `blocking-sleep` each task starts
//! when the previous one ends (10 units in all) and the heartbeat, a task that wants to
//! wake every quarter unit, does not wake once until everything is over; its worst
//! lateness (the trace's `heartbeat_late_s`) is the stall. `async-sleep` and both
//! `offload` variants finish in 4 units with the heartbeat on time. On the multi-thread
//! runtime with two workers, four blocking tasks still queue behind each other and
//! starve the heartbeat; `block-in-place` lets them run side by side.

use std::thread;
use std::time::Duration;

use concurrency_pairs::articles;
use concurrency_pairs::lab::Task;
use concurrency_pairs::{
    Derived, Figure, Headline, Pattern, Table, Text, Trace, VariantInfo, arrived,
    given,
};
use futures::FutureExt;
use futures::stream::{FuturesUnordered, StreamExt};
use tokio::runtime::{Builder, Runtime};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

// ANCHOR: heartbeat
/// A task that only wants to wake up every tick, until told to stop. Each tick is
/// recorded from going to sleep to waking up: a tick much longer than asked is a
/// stretch during which the runtime could run nothing else.
async fn heartbeat(tick: Duration, mut stop: oneshot::Receiver<()>) {
    for id in FIRST_TICK.. {
        let nap = async {
            tokio::select! {
                _ = tokio::time::sleep(tick) => false,
                _ = &mut stop => true, // a tick cut short: the last one
            }
        };
        let stopped = Task::new(id).lane("heartbeat").kind("tick").run_async(nap);
        if stopped.await {
            return;
        }
    }
}
// ANCHOR_END: heartbeat

/// How a variant starts task `id`, which sleeps for a while.
type Start = fn(usize, Duration) -> JoinHandle<()>;
/// How a variant builds its runtime.
type Build = fn() -> Runtime;

// ANCHOR: drive
/// The caller's side, the same in every variant: start the heartbeat and one task per
/// sleep, take each result the moment it is ready, then stop the heartbeat.
async fn drive(sleeps: &[Duration], tick: Duration, start: Start) {
    let (stop, stopped) = oneshot::channel::<()>();
    let beat = tokio::spawn(heartbeat(tick, stopped));
    let mut running: FuturesUnordered<_> = sleeps
        .iter()
        .enumerate()
        .map(|(id, &d)| start(id, d).map(move |joined| (id, joined)))
        .collect();
    while let Some((id, joined)) = running.next().await {
        joined.expect("a sleeping task does not panic");
        arrived(id, "slept");
    }
    drop(stop); // wakes the heartbeat's receiver: its signal to stop
    beat.await.expect("the heartbeat does not panic");
}
// ANCHOR_END: drive

// ANCHOR: blocking_sleep
/// `time.sleep` in a coroutine: `std::thread::sleep` in a task blocks the thread that
/// runs it. On a current-thread runtime that is the one thread that runs every task,
/// so the tasks run one after the other and nothing else (the heartbeat, the timers)
/// runs in between.
fn blocking_sleep(id: usize, d: Duration) -> JoinHandle<()> {
    tokio::spawn(async move { Task::new(id).kind("sleep").run(|| thread::sleep(d)) })
}
// ANCHOR_END: blocking_sleep

// ANCHOR: async_sleep
/// `asyncio.sleep`: `tokio::time::sleep` returns to the runtime at once and asks to
/// be woken later, so one thread keeps all four sleeps (and the heartbeat) going.
fn async_sleep(id: usize, d: Duration) -> JoinHandle<()> {
    tokio::spawn(Task::new(id).kind("sleep").run_async(tokio::time::sleep(d)))
}
// ANCHOR_END: async_sleep

// ANCHOR: offload
/// `loop.run_in_executor(pool, time.sleep, ...)`: `spawn_blocking` runs the blocking
/// call on the runtime's blocking-thread pool and hands back a `JoinHandle` to await
/// like any task's.
fn offload(id: usize, d: Duration) -> JoinHandle<()> {
    tokio::task::spawn_blocking(move || {
        Task::new(id).kind("sleep").run(|| thread::sleep(d))
    })
}

/// `ThreadPoolExecutor(max_workers=10)`: a one-thread runtime whose blocking pool is
/// capped at ten threads.
fn ten_blocking_threads() -> Runtime {
    Builder::new_current_thread()
        .enable_time()
        .max_blocking_threads(10)
        .build()
        .expect("a tokio runtime starts")
}
// ANCHOR_END: offload

// ANCHOR: current_thread
/// The runtime asyncio resembles: one thread runs every task. Its blocking pool is
/// tokio's default, which is not sized from the CPU count like Python's
/// `min(32, cpus + 4)`: it grows on demand up to 512 threads, because its threads are
/// meant to sit blocked, not to compute.
fn current_thread() -> Runtime {
    Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a tokio runtime starts")
}
// ANCHOR_END: current_thread

// ANCHOR: two_workers
/// More threads do not make blocking safe: with two workers, two blocking tasks
/// occupy both; the other two wait for a worker, as do the heartbeat and the timers.
fn two_workers() -> Runtime {
    Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .expect("a tokio runtime starts")
}
// ANCHOR_END: two_workers

// ANCHOR: block_in_place
/// `block_in_place` tells the multi-thread runtime "this worker is about to block":
/// the worker's queue moves to a fresh thread and the task blocks where it is. It
/// needs the multi-thread runtime (on a current-thread runtime it panics), and it
/// blocks the whole task it is in, including anything else that task was awaiting.
fn block_in_place(id: usize, d: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        tokio::task::block_in_place(|| {
            Task::new(id).kind("sleep").run(|| thread::sleep(d))
        })
    })
}
// ANCHOR_END: block_in_place

/// Each variant: a name, a runtime, and how it starts a sleeping task.
// ANCHOR: variants
const VARIANTS: [(&str, Build, Start); 6] = [
    ("blocking-sleep", current_thread, blocking_sleep),
    ("async-sleep", current_thread, async_sleep),
    ("offload", ten_blocking_threads, offload),
    ("offload-default", current_thread, offload),
    ("multi-thread-blocking", two_workers, blocking_sleep),
    ("block-in-place", two_workers, block_in_place),
];
// ANCHOR_END: variants

/// From the spans: the most sleeping tasks at one instant, and how much longer than the
/// tick it asked for (`tick_s`) the heartbeat's longest nap lasted.
const PEAK: Figure = Figure::count("peak_concurrency", "peak concurrency")
    .derived(Derived::PeakOverlapOf(Text("sleep")));
const LATE: Figure = Figure::seconds("heartbeat_late_s", "worst heartbeat lateness")
    .derived(Derived::Overrun {
        kind: Text("tick"),
        nominal: Text("tick_s"),
    });

const PATTERN: Pattern = Pattern::new(
    "blocking_in_async",
    "blocking calls inside async tasks stall the runtime; sleep asynchronously or offload them",
)
.variants(&[
    VariantInfo::both(
        "blocking-sleep",
        "std::thread::sleep in tasks, current-thread runtime",
    ),
    VariantInfo::both(
        "async-sleep",
        "tokio::time::sleep in tasks, current-thread runtime",
    ),
    VariantInfo::both(
        "offload",
        "tokio::task::spawn_blocking, max_blocking_threads(10)",
    ),
    VariantInfo::both(
        "offload-default",
        "tokio::task::spawn_blocking, default pool (512)",
    ),
    VariantInfo::rust(
        "multi-thread-blocking",
        "std::thread::sleep in tasks, 2 worker threads",
    ),
    VariantInfo::rust(
        "block-in-place",
        "tokio::task::block_in_place, 2 worker threads",
    ),
])
.headline(Headline::new(LATE, "async-sleep", "blocking-sleep"))
.article(articles::BLOCKING_IN_ASYNC)
.tables(&[Table::new(
    "Do the sleeps overlap, and does the heartbeat keep time?",
    &[PEAK, LATE],
)]);

/// Task `i` blocks for `SLEEP_UNITS[i]` units, as in the article (1..4 s).
const SLEEP_UNITS: [f64; 4] = [1.0, 2.0, 3.0, 4.0];
/// A unit in seconds: by default, and with `--full` (the article's).
const DEFAULT: f64 = 0.1;
const FULL: f64 = 1.0;
/// The heartbeat wants to wake this often.
const TICK_UNITS: f64 = 0.25;
/// The heartbeat's ticks are numbered after the sleeping tasks.
const FIRST_TICK: usize = SLEEP_UNITS.len();

fn main() {
    let options = PATTERN.parse();
    let unit_s = if options.full { FULL } else { DEFAULT };
    let sleeps = SLEEP_UNITS.map(|units| Duration::from_secs_f64(units * unit_s));
    let tick = Duration::from_secs_f64(TICK_UNITS * unit_s);

    let mut trace = Trace::new(&PATTERN, &options);
    for (name, runtime, start) in VARIANTS {
        let runtime = runtime();
        trace.run(name, || {
            runtime.block_on(drive(&sleeps, tick, start));
            [
                given("sleeping_tasks", sleeps.len()),
                given("workers", runtime.metrics().num_workers()),
                given("tick_s", tick),
            ]
        });
    }
    // Once offloaded, the four sleeps overlap: the longest one is the floor. Every
    // variant gets the same ideal, so the blocked ones show what blocking costs.
    trace.set_ideal(SLEEP_UNITS.iter().copied().fold(0.0, f64::max) * unit_s);
    trace.finish(&options);
}
