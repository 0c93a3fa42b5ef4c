//! # `sync_primitives`: Lock, Semaphore, Condition, Barrier
//!
//! Python: `threading` and `multiprocessing` both offer `Lock`, `Semaphore` (at most N
//! holders at once), `Condition` (wait until a predicate holds) and `Barrier`, with the
//! same API. Twin: `python/sync_primitives.py`. Chapter: "sync_primitives: Lock,
//! Semaphore, Condition, Barrier" in the book; two locks and a deadlock are `deadlock`.
//!
//! Run: `cargo run --release --example sync_primitives` (`--full` makes every duration
//! five times longer, `--json` prints the trace, `--variant NAME` runs one variant).
//!
//! Watch:
//! - `mutex`: four workers append to a log that only the lock's guard can reach;
//! - `semaphore`: six tasks, two permits: results arrive two by two, 0.2 s apart, and the
//!   line `peak concurrency 2 (limit 2)` never says more;
//! - `bounded-queue`: the producer is fast, the consumer slow, the queue holds two: items
//!   arrive 0.15 s apart and `max queued 2` never exceeds the capacity;
//! - `barrier`: no thread starts phase 2 before the slowest has finished phase 1.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Barrier, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::Duration;

use concurrency_pairs::work::sleep_s;
use concurrency_pairs::{
    Figure, Headline, Pattern, Table, Trace, VariantInfo, arrived, given, ideal, lab, task,
    task_async,
};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

// ANCHOR: mutex
/// The lock owns what it guards: the log is reachable only through the guard, so
/// "forgot to take the lock" does not compile. Returns how many entries the log holds.
fn mutex(workers: usize, rounds: usize, step_s: f64) -> usize {
    let log: Mutex<Vec<(usize, usize)>> = Mutex::new(Vec::new());
    thread::scope(|s| {
        let log = &log;
        let handles: Vec<_> = (0..workers)
            .map(|id| {
                s.spawn(move || {
                    task(id, || {
                        for round in 0..rounds {
                            sleep_s(step_s); // work done outside the lock
                            let mut entries = log.lock().expect("no worker panics holding it");
                            entries.push((id, round)); // the guard is the only way in
                        } // the guard is dropped at the end of each round: unlocked
                    })
                })
            })
            .collect();
        for (id, handle) in handles.into_iter().enumerate() {
            handle.join().expect("a worker does not panic");
            arrived(id, format_args!("{rounds} entries appended"));
        }
    });
    let log = log.into_inner().expect("no worker panicked holding it");
    lab::note(format_args!("the log holds {} entries", log.len()));
    log.len()
}
// ANCHOR_END: mutex

// ANCHOR: semaphore
/// At most `permits` of the tasks sleep at once. Two counters check it: how many tasks
/// hold a permit right now, and the most that ever did, which is returned.
async fn semaphore(tasks: usize, permits: usize, task_s: f64) -> usize {
    let semaphore = Arc::new(Semaphore::new(permits));
    let (inside, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let mut set = JoinSet::new();
    for id in 0..tasks {
        let (semaphore, inside, peak) = (semaphore.clone(), inside.clone(), peak.clone());
        set.spawn(async move {
            let _permit = semaphore.acquire().await.expect("never closed");
            let now = inside.fetch_add(1, SeqCst) + 1;
            peak.fetch_max(now, SeqCst);
            task_async(id, tokio::time::sleep(Duration::from_secs_f64(task_s))).await;
            inside.fetch_sub(1, SeqCst);
            (id, now)
        }); // the permit is released when `_permit` is dropped, at the end of the task
    }
    while let Some(done) = set.join_next().await {
        let (id, now) = done.expect("a task does not panic");
        arrived(id, format_args!("{now} holding a permit as it started"));
    }
    let peak = peak.load(SeqCst);
    lab::note(format_args!("peak concurrency {peak} (limit {permits})"));
    peak
}
// ANCHOR_END: semaphore

// ANCHOR: bounded_queue
/// A bounded FIFO: `push` waits while it is full, `pop` while it is empty. One mutex
/// guards the items; two condition variables say "there is room" and "there is an item".
struct BoundedQueue<T> {
    state: Mutex<QueueState<T>>,
    not_full: Condvar,
    not_empty: Condvar,
    capacity: usize,
}

struct QueueState<T> {
    items: VecDeque<T>,
    max_len: usize,
}

/// How long a wait on the queue may take before it is a bug: fail then, do not hang.
const PATIENCE: Duration = Duration::from_secs(10);

impl<T> BoundedQueue<T> {
    fn new(capacity: usize) -> Self {
        let state = Mutex::new(QueueState {
            items: VecDeque::new(),
            max_len: 0,
        });
        let (not_full, not_empty) = (Condvar::new(), Condvar::new());
        BoundedQueue {
            state,
            not_full,
            not_empty,
            capacity,
        }
    }

    fn lock(&self) -> MutexGuard<'_, QueueState<T>> {
        self.state.lock().expect("no thread panics holding it")
    }

    fn push(&self, item: T) {
        let (mut state, waited) = (self.not_full)
            .wait_timeout_while(self.lock(), PATIENCE, |s| s.items.len() >= self.capacity)
            .expect("no thread panics holding the queue");
        assert!(!waited.timed_out(), "the consumer makes room in time");
        state.items.push_back(item);
        state.max_len = state.max_len.max(state.items.len());
        self.not_empty.notify_one();
    }

    fn pop(&self) -> T {
        let (mut state, waited) = (self.not_empty)
            .wait_timeout_while(self.lock(), PATIENCE, |s| s.items.is_empty())
            .expect("no thread panics holding the queue");
        assert!(!waited.timed_out(), "the producer delivers in time");
        let item = state.items.pop_front().expect("woken with an item queued");
        self.not_full.notify_one();
        item
    }
}
// ANCHOR_END: bounded_queue

// ANCHOR: bounded_queue_use
/// A fast producer thread, a slow consumer (this thread), a small queue in between.
/// Returns the most items that were ever queued.
fn bounded_queue(items: usize, capacity: usize, produce_s: f64, consume_s: f64) -> usize {
    let queue = BoundedQueue::new(capacity);
    thread::scope(|s| {
        let producer = thread::Builder::new().name("producer".into());
        let producing = producer.spawn_scoped(s, || {
            for id in 0..items {
                task(id, || sleep_s(produce_s));
                queue.push(id); // blocks while the queue is full: backpressure
            }
        });
        producing.expect("the producer thread starts");
        for _ in 0..items {
            arrived(queue.pop(), "taken from the queue");
            sleep_s(consume_s); // the slow consumer's work
        }
    });
    let max_queued = queue.lock().max_len;
    lab::note(format!("max queued {max_queued} (capacity {capacity})"));
    max_queued
}
// ANCHOR_END: bounded_queue_use

// ANCHOR: barrier
/// Each thread does phase 1 (of different lengths), waits for all the others, then
/// does phase 2. Task `i` is thread `i`'s phase 1, task `n + i` its phase 2.
fn barrier(phase1_s: &[f64], phase2_s: f64) {
    let n = phase1_s.len();
    let everyone = Barrier::new(n);
    thread::scope(|s| {
        let threads: Vec<_> = (0..n)
            .map(|i| {
                let everyone = &everyone;
                s.spawn(move || {
                    task(i, || sleep_s(phase1_s[i]));
                    everyone.wait(); // std's Barrier has no timeout: every thread must come
                    task(n + i, || sleep_s(phase2_s));
                })
            })
            .collect();
        for (i, thread) in threads.into_iter().enumerate() {
            thread.join().expect("a thread does not panic");
            arrived(i, "phase 1");
            arrived(n + i, "phase 2");
        }
    });
}
// ANCHOR_END: barrier

const ENTRIES: Figure = Figure::count("entries", "log entries");
const PEAK: Figure = Figure::count("peak_concurrency", "peak concurrency");
const PERMITS_N: Figure = Figure::count("permits", "permits");
const MAX_QUEUED: Figure = Figure::count("max_queued", "max queued");
const CAPACITY_N: Figure = Figure::count("capacity", "capacity");

const PATTERN: Pattern = Pattern::new(
    "sync_primitives",
    "Mutex, Semaphore, Condvar-built bounded queue, Barrier",
)
.variants(&[
    VariantInfo::both("mutex", "Mutex<Vec<_>>: the lock owns the log"),
    VariantInfo::python("mutex-processes"),
    VariantInfo::both("semaphore", "tokio::sync::Semaphore"),
    VariantInfo::python("semaphore-processes"),
    VariantInfo::both("bounded-queue", "Mutex<VecDeque> + two Condvars"),
    VariantInfo::both("barrier", "std::sync::Barrier"),
])
.headline(Headline::alone(PEAK, "semaphore"))
.tables(&[
    Table::new("Does the lock keep every entry?", &[ENTRIES]),
    Table::new(
        "Do the semaphore and the queue hold their limits?",
        &[PEAK, PERMITS_N, MAX_QUEUED, CAPACITY_N],
    ),
]);

/// Counts, and durations in seconds (times 5 under `--full`).
const WORKERS: usize = 4;
const ROUNDS: usize = 3;
const STEP_S: f64 = 0.05;
const SEM_TASKS: usize = 6;
const PERMITS: usize = 2;
const SEM_TASK_S: f64 = 0.2;
const ITEMS: usize = 6;
const CAPACITY: usize = 2;
const PRODUCE_S: f64 = 0.05;
const CONSUME_S: f64 = 0.15;
const PHASE1_S: [f64; 3] = [0.1, 0.3, 0.2];
const PHASE2_S: f64 = 0.1;

fn main() {
    let options = PATTERN.parse();
    let scale = if options.full { 5.0 } else { 1.0 };
    let s = |seconds: f64| seconds * scale;
    let mut trace = Trace::new(&PATTERN, &options);
    trace.run("mutex", || {
        let entries = mutex(WORKERS, ROUNDS, s(STEP_S));
        let ideal_s = ROUNDS as f64 * s(STEP_S);
        [
            ENTRIES.of(entries),
            given("workers", WORKERS),
            given("rounds", ROUNDS),
            ideal(ideal_s),
        ]
    });
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime starts");
    trace.run("semaphore", || {
        let peak = runtime.block_on(semaphore(SEM_TASKS, PERMITS, s(SEM_TASK_S)));
        let ideal_s = SEM_TASKS.div_ceil(PERMITS) as f64 * s(SEM_TASK_S);
        [
            PEAK.of(peak),
            PERMITS_N.of(PERMITS),
            given("jobs", SEM_TASKS),
            ideal(ideal_s),
        ]
    });
    trace.run("bounded-queue", || {
        let max_queued = bounded_queue(ITEMS, CAPACITY, s(PRODUCE_S), s(CONSUME_S));
        let ideal_s = s(PRODUCE_S) + ITEMS as f64 * s(CONSUME_S);
        [
            MAX_QUEUED.of(max_queued),
            CAPACITY_N.of(CAPACITY),
            given("items", ITEMS),
            ideal(ideal_s),
        ]
    });
    let slowest = PHASE1_S.iter().copied().fold(0.0, f64::max);
    trace.run("barrier", || {
        barrier(&PHASE1_S.map(s), s(PHASE2_S));
        [
            given("threads", PHASE1_S.len()),
            ideal(s(slowest + PHASE2_S)),
        ]
    });
    trace.finish(&options);
}
