//! # `backpressure`: a collector slower than its mappers, behind a bounded queue or not
//!
//! Python: article 4's "pyrallel" `ParallelProcessor` with a slow collector, its results
//! on a `multiprocessing.Queue(maxsize)` or an unbounded `Queue()`. The ordering half is
//! the `pipeline` example. Twin: `python/backpressure.py`. Chapter: "pipeline" in the book
//! (its "backpressure" half).
//! Run: `cargo run --release --example backpressure` (`--full`: 100,000 items; `--tasks N`:
//! N items; `--counts-only`: no span per item, as `cargo xtask sweep` runs it).
//! Watch: the `at most ... in flight` lines: `bounded` and `tokio-mpsc` keep at most 20
//! results in flight, `unbounded` nearly all; `collector-stops` holds the mappers 200 ms.

use concurrency_pairs::common::{PEAK_RSS, WALL};
use concurrency_pairs::work::peak_rss_bytes;
use concurrency_pairs::{
    Derived, Figure, Found, Headline, Pattern, Sweep, Table, Text, Trace,
    VariantInfo, arrived, given, ideal, lab, say, task,
};
use futures::{StreamExt, stream};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex, mpsc::channel, mpsc::sync_channel};
use std::{hint::black_box, iter, panic, thread, time::Duration, time::Instant};
use tokio::{sync::mpsc, time::timeout};

// ANCHOR: processor
/// The `pipeline` example's `ParallelProcessor`, its channel a choice:
/// `sync_channel(n)` (`capacity` `Some(n)`: `send` waits while n results are queued)
/// or an unbounded `channel()` (`send` never waits).
fn parallel_processor<T: Send, R: Send + 'static>(
    items: impl ExactSizeIterator<Item = T> + Send,
    workers: usize,
    capacity: Option<usize>,
    mapper: impl Fn(T) -> R + Sync,
    mut collector: impl FnMut(R),
) {
    let (send, results): (SendFn<R>, _) = if let Some(n) = capacity {
        let (tx, rx) = sync_channel(n);
        (Box::new(move |r| _ = tx.send(r)), rx)
    } else {
        let (tx, rx) = channel();
        (Box::new(move |r| _ = tx.send(r)), rx)
    };
    let count = items.len();
    let input = Mutex::new(items.enumerate());
    let next = || input.lock().expect("no mapper panics").next();
    thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                while let Some((id, item)) = next() {
                    send((id, task(id, || mapper(item))));
                }
            });
        }
        for (id, result) in results.iter().take(count) {
            arrived(id, "collected");
            collector(result);
        }
    });
}
type SendFn<R> = Box<dyn Fn((usize, R)) + Sync>; // either channel's `send`
// ANCHOR_END: processor

// ANCHOR: work
/// The mapper: a result of `PAYLOAD` bytes, made at once.
fn payload(item: usize) -> Vec<u8> {
    vec![item as u8; PAYLOAD]
}
/// A collector slower than the mappers: `COLLECT` of work per result; counts one.
fn slow_collector(result: &[u8]) -> usize {
    let until = Instant::now() + COLLECT;
    while Instant::now() < until {
        black_box(result);
    }
    1
}
// ANCHOR_END: work

// ANCHOR: backpressure
/// `items` payloads to the slow collector over `capacity` slots (`None`: unbounded).
/// After 4 results it stops reading for `idle` (if nonzero): mappers wait in `send`.
fn backpressure(items: usize, capacity: Option<usize>, idle: Duration) -> usize {
    let mut collected = 0;
    let collector = |result: Vec<u8>| {
        collected += slow_collector(&result);
        if collected == 4 {
            thread::sleep(idle); // not reading: nothing leaves the channel
        }
    };
    parallel_processor(0..items, WORKERS, capacity, payload, collector);
    collected
}
// ANCHOR_END: backpressure

// ANCHOR: tokio_mpsc
/// The async shape: mapper tasks `send(..).await` on `mpsc::channel(capacity)`,
/// suspended (no thread blocks) while it is full; the collector awaits `recv`.
async fn async_pipeline(items: usize, workers: usize, capacity: usize) -> usize {
    let (tx, mut results) = mpsc::channel(capacity);
    let next = Arc::new(AtomicUsize::new(0));
    for _ in 0..workers {
        let tx = tx.clone();
        let next = next.clone();
        let ids = iter::repeat_with(move || next.fetch_add(1, Relaxed));
        tokio::spawn(async move {
            for id in ids.take_while(|&id| id < items) {
                let result = task(id, || payload(id));
                tx.send((id, result)).await.expect("the collector reads");
            }
        });
    }
    drop(tx); // the channel closes when the last mapper is done
    let mut collected = 0;
    while let Some((id, result)) = results.recv().await {
        arrived(id, "collected");
        collected += slow_collector(&result);
    }
    collected
}
// ANCHOR_END: tokio_mpsc

// ANCHOR: zero_capacity
/// Zero capacity: tokio's `mpsc::channel(0)` panics; `futures`' `buffered(0)` never
/// starts a future, so never yields. Gives the panic and what came in `wait`.
async fn zero_capacity(wait: Duration) -> (String, usize) {
    let refused =
        panic::catch_unwind(|| mpsc::channel::<u64>(0)).expect_err("it panics");
    let refused = refused.downcast_ref::<&str>().unwrap_or(&"?").to_string();
    let never = stream::iter(0..4).map(|i| async move { i }).buffered(0);
    (refused, timeout(wait, never.count()).await.unwrap_or(0))
}
// ANCHOR_END: zero_capacity

const ITEMS: Figure = Figure::count("items", "items");
const CAPACITY_N: Figure = Figure::count("capacity", "capacity");
const COMPLETED: Figure = Figure::count("completed", "completed");
const MOST_IN_FLIGHT: Figure =
    Figure::count("max_in_flight", "most in flight").derived(Derived::MostInFlight);
const PER_ITEM: Figure = Figure::seconds("item_s", "per item");
/// The sweep's item counts: the 1-2-5 series from 1,000 to 1,000,000.
const SIZES: [u64; 10] = [
    1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000,
];

const PATTERN: Pattern = Pattern::new(
    "backpressure",
    "a slow collector behind a bounded or an unbounded queue",
)
.variants(&[
    VariantInfo::both("bounded", "4 threads + sync_channel(16), slow collector"),
    VariantInfo::both("unbounded", "4 threads + channel(), slow collector"),
    VariantInfo::rust(
        "tokio-mpsc",
        "4 tasks + tokio mpsc::channel(16), slow collector",
    ),
    VariantInfo::both(
        "collector-stops",
        "sync_channel(16), the collector idles 200 ms",
    ),
    VariantInfo::both(
        "zero-capacity",
        "tokio mpsc::channel(0); futures buffered(0)",
    ),
])
.headline(Headline::new(MOST_IN_FLIGHT, "bounded", "unbounded"))
.tables(&[
    Table::new(
        "Does a bounded queue hold the results back?",
        &[MOST_IN_FLIGHT, CAPACITY_N, ITEMS, COMPLETED],
    ),
    Table::new("What does each item cost, collected?", &[PER_ITEM]),
])
.sweep(
    Sweep::new(&SIZES, &[Text("bounded"), Text("unbounded")])
        .flags(&[Text("--counts-only")])
        .figures(&[PEAK_RSS, WALL]),
)
.with_tasks()
.with_counts_only();
/// The mappers; a bounded channel's slots; each result's size and the collector's work
/// on it; how long the pitfalls wait (for a future that never comes, with the collector
/// idle); the items, by default and with `--full`.
const WORKERS: usize = 4;
const CAPACITY: usize = 16;
const PAYLOAD: usize = 1_000;
const COLLECT: Duration = Duration::from_micros(20);
const WAIT: Duration = Duration::from_millis(200);
const NO_IDLE: Duration = Duration::ZERO;
const DEFAULT_ITEMS: usize = 2_000;
const FULL_ITEMS: usize = 100_000;
/// The result channel's slots (`None`: unbounded), and how long the collector idles.
const BACKPRESSURE: [(&str, Option<usize>, Duration); 4] = [
    ("bounded", Some(CAPACITY), NO_IDLE),
    ("unbounded", None, NO_IDLE),
    ("tokio-mpsc", Some(CAPACITY), NO_IDLE),
    ("collector-stops", Some(CAPACITY), WAIT),
];

fn main() {
    let options = PATTERN.parse();
    lab::set_counts_only(options.counts_only);
    let items = if options.full {
        FULL_ITEMS
    } else {
        DEFAULT_ITEMS
    };
    let items = options.tasks.unwrap_or(items);
    let alone = options.variant.is_some();
    let rt = tokio::runtime::Runtime::new().expect("a tokio runtime starts");
    let mut trace = Trace::new(&PATTERN, &options);
    for (name, capacity, idle) in BACKPRESSURE {
        let ran = trace.run(name, || {
            lab::quiet_after(3, items);
            let collected = match name {
                "tokio-mpsc" => rt.block_on(async_pipeline(items, WORKERS, CAPACITY)),
                _ => backpressure(items, capacity, idle),
            };
            let mut found = vec![
                ITEMS.of(collected),
                PER_ITEM.of(lab::now() / items as f64),
                given("inputs", items),
                given("workers", WORKERS),
                ideal((COLLECT * items as u32 + idle).as_secs_f64()),
            ];
            found.extend(capacity.map(|c| CAPACITY_N.of(c)));
            // Run alone, the process's high-water mark is this variant's own.
            found.extend(peak_rss_bytes().filter(|_| alone).map(|b| PEAK_RSS.of(b)));
            found
        });
        if let Some(most) = ran.and_then(|v| v.value(&MOST_IN_FLIGHT)) {
            say!("{name}: at most {most} in flight");
        }
    }
    panic::set_hook(Box::new(|_| {})); // channel(0)'s panic is caught, and said below
    trace.run("zero-capacity", || {
        let (refused, got) = rt.block_on(zero_capacity(WAIT));
        say!("  channel(0) panicked: {refused}; buffered(0) gave {got} results in {WAIT:?}");
        [Found::Error(refused), COMPLETED.of(got)]
    });
    trace.finish(&options);
}
