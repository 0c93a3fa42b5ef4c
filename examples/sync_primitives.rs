//! # `sync_primitives`: Lock, Semaphore, Condition, Barrier, and a deadlock
//!
//! Python: `threading` and `multiprocessing` both offer `Lock`, `Semaphore` (at most N
//! holders at once), `Condition` (wait until a predicate holds) and `Barrier`, with the
//! same API. Twin: `python/sync_primitives.py`.
//!
//! Run: `cargo run --release --example sync_primitives` (`--full` makes every duration
//! five times longer, `--json` prints the trace).
//!
//! Watch:
//! - `mutex`: four workers append to a log that only the lock's guard can reach;
//! - `semaphore`: six tasks, two permits: results arrive two by two, 0.2 s apart, and the
//!   line `peak concurrency 2 (limit 2)` never says more;
//! - `bounded-queue`: the producer is fast, the consumer slow, the queue holds two: items
//!   arrive 0.15 s apart and `max queued 2` never exceeds the capacity;
//! - `barrier`: no thread starts phase 2 before the slowest has finished phase 1;
//! - `deadlock`: two transfers take two locks in opposite orders; both give up after
//!   0.3 s (`gave up: deadlock`) instead of hanging; `lock-order` takes them in one
//!   global order and both transfers go through.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Condvar, Mutex, MutexGuard, TryLockError};
use std::thread;
use std::time::{Duration, Instant};

use concurrency_pairs::work::sleep_s;
use concurrency_pairs::{Cli, Recorder, TaskSpan, Trace, Variant};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

const CLI: Cli = Cli::new(
    "sync_primitives",
    "Mutex, Semaphore, Condvar, Barrier, and a deadlock detected with a timeout",
);

/// Durations in seconds (multiplied by `--full`'s scale) and counts.
#[derive(Debug, Clone, Copy)]
struct Sizes {
    scale: f64,
}

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
const DEADLOCK_TIMEOUT_S: f64 = 0.3;
const TRANSFER_S: f64 = 0.1;

impl Sizes {
    fn s(&self, seconds: f64) -> f64 {
        seconds * self.scale
    }

    /// The bound on waits that should never take long: past it, the example fails
    /// with a message instead of hanging.
    fn patience(&self) -> Duration {
        Duration::from_secs_f64(10.0 * self.scale)
    }
}

fn main() {
    let options = CLI.parse();
    let sizes = Sizes {
        scale: if options.full { 5.0 } else { 1.0 },
    };
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime starts");
    let mut trace = Trace::new("sync_primitives", &options);
    trace.push(mutex(sizes));
    trace.push(runtime.block_on(semaphore(sizes)));
    trace.push(bounded_queue(sizes));
    trace.push(barrier(sizes));
    trace.push(deadlock(sizes));
    trace.push(lock_order(sizes));
    trace.finish(&options);
}

// ANCHOR: mutex
/// The lock owns what it guards: the log is reachable only through the guard, so
/// "forgot to take the lock" does not compile.
fn mutex(sizes: Sizes) -> Variant {
    let mut rec = Recorder::new("mutex", "Mutex<Vec<_>>: the lock owns the log");
    let clock = rec.clock();
    let log: Mutex<Vec<(usize, usize)>> = Mutex::new(Vec::new());
    thread::scope(|s| {
        let workers: Vec<_> = (0..WORKERS)
            .map(|id| {
                let log = &log;
                s.spawn(move || {
                    clock.span(id, || {
                        for round in 0..ROUNDS {
                            sleep_s(sizes.s(STEP_S)); // work done outside the lock
                            let mut entries = log.lock().expect("no worker panics holding it");
                            entries.push((id, round)); // the guard is the only way in
                        } // the guard is dropped at the end of each round: unlocked
                    })
                })
            })
            .collect();
        for worker in workers {
            let ((), span) = worker.join().expect("a worker does not panic");
            rec.receive(span, format_args!("{ROUNDS} entries appended"));
        }
    });
    let log = log
        .into_inner()
        .expect("no worker panicked holding the lock");
    rec.say(format_args!("the log holds {} entries", log.len()));
    rec.note("entries", log.len());
    rec.ideal(sizes.s(STEP_S) * ROUNDS as f64);
    rec.finish()
}
// ANCHOR_END: mutex

/// How many tasks are inside a section right now, and the most there ever were.
#[derive(Debug, Default)]
struct Gauge {
    inside: AtomicUsize,
    peak: AtomicUsize,
}

impl Gauge {
    fn enter(&self) -> usize {
        let now = self.inside.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        now
    }

    fn leave(&self) {
        self.inside.fetch_sub(1, Ordering::SeqCst);
    }

    fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }
}

// ANCHOR: semaphore
/// At most `PERMITS` tasks do their work at once; the gauge checks it.
async fn semaphore(sizes: Sizes) -> Variant {
    let mut rec = Recorder::new("semaphore", "tokio::sync::Semaphore");
    let clock = rec.clock();
    let permits = Arc::new(Semaphore::new(PERMITS));
    let gauge = Arc::new(Gauge::default());
    let mut tasks = JoinSet::new();
    for id in 0..SEM_TASKS {
        let (permits, gauge) = (Arc::clone(&permits), Arc::clone(&gauge));
        tasks.spawn(async move {
            let _permit = permits
                .acquire()
                .await
                .expect("the semaphore is never closed");
            let inside = gauge.enter();
            let work = tokio::time::sleep(Duration::from_secs_f64(sizes.s(SEM_TASK_S)));
            let ((), span) = clock.span_async(id, format!("task-{id}"), work).await;
            gauge.leave();
            (span, inside)
        }); // the permit is released when `_permit` is dropped, at the end of the task
    }
    let deadline = tokio::time::Instant::now() + sizes.patience();
    while let Some(done) = tokio::time::timeout_at(deadline, tasks.join_next())
        .await
        .expect("every task ends in time")
    {
        let (span, inside) = done.expect("a task does not panic");
        rec.receive(
            span,
            format_args!("{inside} holding a permit as it started"),
        );
    }
    rec.say(format_args!(
        "peak concurrency {} (limit {PERMITS})",
        gauge.peak()
    ));
    rec.note("peak_concurrency", gauge.peak());
    rec.note("permits", PERMITS);
    rec.ideal(SEM_TASKS.div_ceil(PERMITS) as f64 * sizes.s(SEM_TASK_S));
    rec.finish()
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
    patience: Duration,
}

struct QueueState<T> {
    items: VecDeque<T>,
    max_len: usize,
}

impl<T> BoundedQueue<T> {
    fn new(capacity: usize, patience: Duration) -> Self {
        BoundedQueue {
            state: Mutex::new(QueueState {
                items: VecDeque::new(),
                max_len: 0,
            }),
            not_full: Condvar::new(),
            not_empty: Condvar::new(),
            capacity,
            patience,
        }
    }

    fn lock(&self) -> MutexGuard<'_, QueueState<T>> {
        self.state
            .lock()
            .expect("no thread panics holding the queue")
    }

    fn push(&self, item: T) {
        let state = self.lock();
        let (mut state, waited) = self
            .not_full
            .wait_timeout_while(state, self.patience, |s| s.items.len() >= self.capacity)
            .expect("no thread panics holding the queue");
        assert!(!waited.timed_out(), "the consumer makes room in time");
        state.items.push_back(item);
        state.max_len = state.max_len.max(state.items.len());
        self.not_empty.notify_one();
    }

    fn pop(&self) -> T {
        let state = self.lock();
        let (mut state, waited) = self
            .not_empty
            .wait_timeout_while(state, self.patience, |s| s.items.is_empty())
            .expect("no thread panics holding the queue");
        assert!(!waited.timed_out(), "the producer delivers in time");
        let item = state.items.pop_front().expect("woken with an item queued");
        self.not_full.notify_one();
        item
    }
}
// ANCHOR_END: bounded_queue

// ANCHOR: bounded_queue_use
/// A fast producer thread, a slow consumer (this thread), a queue of two in between.
fn bounded_queue(sizes: Sizes) -> Variant {
    let mut rec = Recorder::new("bounded-queue", "Mutex<VecDeque> + two Condvars");
    let clock = rec.clock();
    let queue = BoundedQueue::new(CAPACITY, sizes.patience());
    thread::scope(|s| {
        let producer = thread::Builder::new().name("producer".into());
        let producing = producer.spawn_scoped(s, || {
            for id in 0..ITEMS {
                let ((), span) = clock.span(id, || sleep_s(sizes.s(PRODUCE_S)));
                queue.push(span); // blocks while the queue is full: backpressure
            }
        });
        producing.expect("the producer thread starts");
        for _ in 0..ITEMS {
            let span = queue.pop();
            rec.receive(span, "taken from the queue");
            sleep_s(sizes.s(CONSUME_S)); // the slow consumer's work
        }
    });
    let max_queued = queue.lock().max_len;
    rec.say(format_args!(
        "max queued {max_queued} (capacity {CAPACITY})"
    ));
    rec.note("max_queued", max_queued);
    rec.ideal(sizes.s(PRODUCE_S) + ITEMS as f64 * sizes.s(CONSUME_S));
    rec.finish()
}
// ANCHOR_END: bounded_queue_use

// ANCHOR: barrier
/// Each thread does phase 1 (of different lengths), waits for all the others, then
/// does phase 2. Task `i` is thread `i`'s phase 1, task `n + i` its phase 2.
fn barrier(sizes: Sizes) -> Variant {
    let mut rec = Recorder::new("barrier", "std::sync::Barrier");
    let clock = rec.clock();
    let n = PHASE1_S.len();
    let everyone = Barrier::new(n);
    thread::scope(|s| {
        let threads: Vec<_> = PHASE1_S
            .iter()
            .enumerate()
            .map(|(i, &phase1)| {
                let everyone = &everyone;
                s.spawn(move || {
                    let ((), first) = clock.span(i, || sleep_s(sizes.s(phase1)));
                    everyone.wait(); // std's Barrier has no timeout: every thread must come
                    let ((), second) = clock.span(n + i, || sleep_s(sizes.s(PHASE2_S)));
                    (first, second)
                })
            })
            .collect();
        for thread in threads {
            let (first, second) = thread.join().expect("a thread does not panic");
            rec.receive(first, "phase 1");
            rec.receive(second, "phase 2");
        }
    });
    let slowest = PHASE1_S.iter().copied().fold(0.0, f64::max);
    rec.ideal(sizes.s(slowest + PHASE2_S));
    rec.finish()
}
// ANCHOR_END: barrier

/// A bank account: an id (its place in the global lock order) and a guarded balance.
struct Account {
    id: usize,
    balance: Mutex<i64>,
}

impl Account {
    fn new(id: usize, balance: i64) -> Self {
        Account {
            id,
            balance: Mutex::new(balance),
        }
    }
}

// ANCHOR: lock_within
/// std's `Mutex` has no "lock with a timeout" (Python's `acquire(timeout=...)`): try
/// until a deadline, and give up with `None`.
fn lock_within(account: &Account, timeout: Duration) -> Option<MutexGuard<'_, i64>> {
    let deadline = Instant::now() + timeout;
    loop {
        match account.balance.try_lock() {
            Ok(guard) => return Some(guard),
            Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                thread::sleep(Duration::from_millis(1));
            }
            Err(TryLockError::WouldBlock) => return None,
            Err(TryLockError::Poisoned(_)) => panic!("a thread panicked holding an account"),
        }
    }
}
// ANCHOR_END: lock_within

/// The outcome of one transfer thread, as the caller receives it.
fn receive_transfer(rec: &mut Recorder, (done, span): (bool, TaskSpan), gave_up: &mut usize) {
    if done {
        rec.receive(span, "transfer done");
    } else {
        *gave_up += 1;
        rec.receive(span, "gave up waiting for the second lock: deadlock");
    }
}

// ANCHOR: deadlock
/// Two transfers, a to b and b to a, each locking its `from` account first. The two
/// barriers force the unlucky interleaving that real code hits only now and then: each
/// thread holds one lock and waits for the other's. A plain `lock()` would wait forever;
/// `lock_within` gives up, and the caller learns it was a deadlock.
fn deadlock(sizes: Sizes) -> Variant {
    let mut rec = Recorder::new("deadlock", "two Mutexes locked in opposite orders");
    let clock = rec.clock();
    let (a, b) = (Account::new(0, 100), Account::new(1, 100));
    let (both_hold_one, both_tried) = (Barrier::new(2), Barrier::new(2));
    let timeout = Duration::from_secs_f64(sizes.s(DEADLOCK_TIMEOUT_S));
    let transfer = |id: usize, from: &Account, to: &Account| {
        clock.span(id, || {
            let mut from_balance = from.balance.lock().expect("not poisoned");
            both_hold_one.wait(); // now each thread holds the lock the other wants
            let to_balance = lock_within(to, timeout);
            both_tried.wait(); // keep holding `from` until the other has given up too
            let mut to_balance = to_balance?;
            sleep_s(sizes.s(TRANSFER_S));
            *from_balance -= 10;
            *to_balance += 10;
            Some(())
        })
    };
    let mut gave_up = 0;
    thread::scope(|s| {
        let one = s.spawn(|| transfer(0, &a, &b));
        let two = s.spawn(|| transfer(1, &b, &a));
        for handle in [one, two] {
            let (done, span) = handle.join().expect("a transfer does not panic");
            receive_transfer(&mut rec, (done.is_some(), span), &mut gave_up);
        }
    });
    rec.say(format_args!(
        "{gave_up} of 2 transfers gave up: deadlock detected"
    ));
    rec.note("gave_up", gave_up);
    rec.finish()
}
// ANCHOR_END: deadlock

// ANCHOR: lock_order
/// The fix: every thread takes the locks in one global order (lowest account id
/// first), whatever the direction of its transfer. No cycle, no deadlock.
fn lock_order(sizes: Sizes) -> Variant {
    let mut rec = Recorder::new("lock-order", "two Mutexes, one global lock order");
    let clock = rec.clock();
    let (a, b) = (Account::new(0, 100), Account::new(1, 100));
    let transfer = |id: usize, from: &Account, to: &Account| {
        clock.span(id, || {
            let (first, second) = if from.id < to.id {
                (from, to)
            } else {
                (to, from)
            };
            let timeout = sizes.patience();
            let first_balance = lock_within(first, timeout)?;
            let second_balance = lock_within(second, timeout)?;
            let (mut from_balance, mut to_balance) = if first.id == from.id {
                (first_balance, second_balance)
            } else {
                (second_balance, first_balance)
            };
            sleep_s(sizes.s(TRANSFER_S));
            *from_balance -= 10;
            *to_balance += 10;
            Some(())
        })
    };
    let mut gave_up = 0;
    thread::scope(|s| {
        let one = s.spawn(|| transfer(0, &a, &b));
        let two = s.spawn(|| transfer(1, &b, &a));
        for handle in [one, two] {
            let (done, span) = handle.join().expect("a transfer does not panic");
            receive_transfer(&mut rec, (done.is_some(), span), &mut gave_up);
        }
    });
    let total = *a.balance.lock().expect("not poisoned") + *b.balance.lock().expect("not poisoned");
    rec.say(format_args!(
        "{gave_up} transfers gave up; total balance {total}"
    ));
    rec.note("gave_up", gave_up);
    rec.ideal(2.0 * sizes.s(TRANSFER_S));
    rec.finish()
}
// ANCHOR_END: lock_order
