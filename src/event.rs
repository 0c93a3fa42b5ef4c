//! What the two halves of the event pattern (`event` with threads, `event_async` with
//! tasks) measure alike, declared once: when the value was published, when the waiter
//! woke and when the worker ended, all computed from the trace, and the table of them.

use crate::figures::{Derived, Figure};
use crate::pattern::Table;

/// Woke when task 0's value was received.
pub const WOKE: Figure =
    Figure::seconds("woke_s", "waiter woke").derived(Derived::ReceivedAt(0));
/// Published as computing (task 0) ended.
pub const PUBLISHED: Figure =
    Figure::seconds("published_s", "value published").derived(Derived::Ended(0));
/// The worker ended with its other work (task 1).
pub const WORKER_END: Figure =
    Figure::seconds("worker_end_s", "worker ended").derived(Derived::Ended(1));

/// The table both examples show.
pub const WAKING: Table = Table::new(
    "Does the waiter wake when the value is published, or when the worker ends?",
    &[WOKE, PUBLISHED, WORKER_END],
);
