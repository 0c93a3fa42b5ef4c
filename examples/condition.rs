//! # `condition`: a bounded queue on a Condvar, and a Barrier
//!
//! Python: `threading.Condition` lets a thread sleep until some state holds ("the queue
//! has room"), and `threading.Barrier(n)` holds everyone until all `n` have arrived.
//! Twin: `python/condition.py`. Chapter: "sync_primitives: Lock, Semaphore, Condition,
//! Barrier" in the book (`book/src/sync_primitives.md`), after the lock and the semaphore.
//!
//! Run: `cargo run --release --example condition` (`--full` makes every duration five
//! times longer, `--json` prints the trace, `--variant NAME` runs one variant).
//!
//! Watch:
//! - `bounded-queue`: the producer is fast, the consumer slow, the queue holds two: items
//!   arrive 0.15 s apart and `max queued 2` never exceeds the capacity;
//! - `barrier`: no thread starts phase 2 before the slowest has finished phase 1.

use std::collections::VecDeque;
use std::sync::{Barrier, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::Duration;

use concurrency_pairs::work::sleep_s;
use concurrency_pairs::{
    Figure, Headline, Pattern, Table, Trace, VariantInfo, arrived, given, ideal, lab,
    task,
};

// ANCHOR: bounded_queue
/// A bounded FIFO: `push` waits while it is full, `pop` while empty. One mutex guards
/// the items; two condition variables say "there is room" and "there is an item".
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
            .wait_timeout_while(self.lock(), PATIENCE, |s| {
                s.items.len() >= self.capacity
            })
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
fn bounded_queue(
    items: usize,
    capacity: usize,
    produce_s: f64,
    consume_s: f64,
) -> usize {
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
                    // std's Barrier has no timeout: every thread must come
                    everyone.wait();
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

const MAX_QUEUED: Figure = Figure::count("max_queued", "max queued");
const CAPACITY_N: Figure = Figure::count("capacity", "capacity");

const PATTERN: Pattern = Pattern::new(
    "condition",
    "a bounded queue built on a Mutex and two Condvars, and a Barrier",
)
.variants(&[
    VariantInfo::both("bounded-queue", "Mutex<VecDeque> + two Condvars"),
    VariantInfo::both("barrier", "std::sync::Barrier"),
])
.headline(Headline::alone(MAX_QUEUED, "bounded-queue"))
.tables(&[Table::new(
    "Does the queue hold its capacity?",
    &[MAX_QUEUED, CAPACITY_N],
)]);

/// Counts, and durations in seconds (times 5 under `--full`).
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
