//! # `deadlock`: two locks taken in opposite orders, detected and fixed
//!
//! Python: two threads move money between two accounts, each guarded by a
//! `threading.Lock`. One transfer locks a then b, the other b then a: if each gets its
//! first lock, each waits for the other's forever. `lock.acquire(timeout=...)` detects
//! it; taking the locks in one global order (`sorted`) fixes it. Twin:
//! `python/deadlock.py`. Chapter: "deadlock: two locks, detected and fixed" in the book.
//!
//! Run: `cargo run --release --example deadlock` (`--full` makes every duration five
//! times longer, `--json` prints the trace, `--variant NAME` runs one variant).
//!
//! Watch: in `deadlock`, both transfers give up after 0.3 s (`gave up waiting for the
//! second lock: deadlock`) instead of hanging; in `lock-order`, both go through, one
//! after the other, and the total balance is still 200.

use std::sync::{Barrier, Mutex, MutexGuard, TryLockError};
use std::thread;
use std::time::{Duration, Instant};

use concurrency_pairs::work::sleep_s;
use concurrency_pairs::{
    Figure, Headline, Pattern, Table, Trace, VariantInfo, arrived, ideal, lab, task,
};

/// A bank account: an id (its place in the global lock order) and a guarded balance.
struct Account {
    id: usize,
    balance: Mutex<i64>,
}

// ANCHOR: both_ways
/// Two accounts of 100, and two transfers at once, a to b and b to a, each done by
/// `transfer` (`None` if it gave up). Returns how many gave up, and the total sum.
fn both_ways(
    transfer: impl Fn(&Account, &Account) -> Option<()> + Sync,
) -> (usize, i64) {
    let account = |id| Account {
        id,
        balance: Mutex::new(100),
    };
    let (a, b) = (account(0), account(1));
    let gave_up = thread::scope(|s| {
        let one = s.spawn(|| task(0, || transfer(&a, &b)));
        let two = s.spawn(|| task(1, || transfer(&b, &a)));
        let mut gave_up = 0;
        for (id, handle) in [one, two].into_iter().enumerate() {
            if handle.join().expect("a transfer does not panic").is_some() {
                arrived(id, "transfer done");
            } else {
                gave_up += 1;
                arrived(id, "gave up waiting for the second lock: deadlock");
            }
        }
        gave_up
    });
    let total = [a, b].map(|x| x.balance.into_inner().expect("not poisoned"));
    (gave_up, total.iter().sum())
}
// ANCHOR_END: both_ways

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
            Err(TryLockError::Poisoned(_)) => {
                panic!("a thread panicked holding an account")
            }
        }
    }
}
// ANCHOR_END: lock_within

// ANCHOR: deadlock
/// Each transfer locks its `from` account first. The two barriers force the unlucky
/// interleaving that real code hits only now and then: each thread holds one lock and
/// waits for the other's. A plain `lock()` waits forever; `lock_within` gives up.
fn deadlock(timeout: Duration, transfer_s: f64) -> usize {
    let (both_hold_one, both_tried) = (Barrier::new(2), Barrier::new(2));
    let (gave_up, _) = both_ways(|from, to| {
        let mut from_balance = from.balance.lock().expect("not poisoned");
        both_hold_one.wait(); // now each thread holds the lock the other wants
        let to_balance = lock_within(to, timeout);
        both_tried.wait(); // keep holding `from` until the other has given up too
        let mut to_balance = to_balance?;
        sleep_s(transfer_s);
        *from_balance -= 10;
        *to_balance += 10;
        Some(())
    });
    lab::note(format!(
        "{gave_up} of 2 transfers gave up: deadlock detected"
    ));
    gave_up
}
// ANCHOR_END: deadlock

// ANCHOR: lock_order
/// The fix: every thread takes the locks in one global order (lowest account id
/// first), whatever the direction of its transfer. No cycle, no deadlock.
fn lock_order(transfer_s: f64) -> usize {
    let (gave_up, total) = both_ways(|from, to| {
        let (first, second) = if from.id < to.id {
            (from, to)
        } else {
            (to, from)
        };
        // Waits as long as it takes, which is short: the timeout only turns a bug
        // (a cycle after all) into a failure instead of a hang.
        let first_balance = lock_within(first, PATIENCE)?;
        let second_balance = lock_within(second, PATIENCE)?;
        let (mut from_balance, mut to_balance) = if first.id == from.id {
            (first_balance, second_balance)
        } else {
            (second_balance, first_balance)
        };
        sleep_s(transfer_s);
        *from_balance -= 10;
        *to_balance += 10;
        Some(())
    });
    lab::note(format!(
        "{gave_up} transfers gave up; total balance {total}"
    ));
    gave_up
}
// ANCHOR_END: lock_order

const GAVE_UP: Figure = Figure::count("gave_up", "gave up");

const PATTERN: Pattern = Pattern::new(
    "deadlock",
    "two Mutexes locked in opposite orders: a deadlock detected with a timeout, and fixed",
)
.variants(&[
    VariantInfo::both("deadlock", "two Mutexes locked in opposite orders"),
    VariantInfo::both("lock-order", "two Mutexes, one global lock order"),
])
.headline(Headline::new(GAVE_UP, "lock-order", "deadlock"))
.tables(&[Table::new(
    "Do the transfers deadlock, and does one lock order prevent it?",
    &[GAVE_UP],
)]);

/// Durations in seconds (times 5 under `--full`).
const DEADLOCK_TIMEOUT_S: f64 = 0.3;
const TRANSFER_S: f64 = 0.1;
/// The bound on a wait that should never take long: past it, fail instead of hanging.
const PATIENCE: Duration = Duration::from_secs(10);

fn main() {
    let options = PATTERN.parse();
    let scale = if options.full { 5.0 } else { 1.0 };
    let timeout = Duration::from_secs_f64(DEADLOCK_TIMEOUT_S * scale);
    let mut trace = Trace::new(&PATTERN, &options);
    trace.run("deadlock", || {
        let gave_up = deadlock(timeout, TRANSFER_S * scale);
        GAVE_UP.of(gave_up)
    });
    trace.run("lock-order", || {
        let gave_up = lock_order(TRANSFER_S * scale);
        // The transfers take turns.
        [GAVE_UP.of(gave_up), ideal(2.0 * TRANSFER_S * scale)]
    });
    trace.finish(&options);
}
