//! # `pipeline`: mappers feeding a collector, with backpressure
//!
//! Python: article 4's "pyrallel" `ParallelProcessor` (a mapper on N worker processes, a
//! collector handed each result), `Pool.imap` / `imap_unordered`. Twin: `python/pipeline.py`.
//! Chapter: "pipeline" in the book.
//! Run: `cargo run --release --example pipeline` (`--full`: 1..4 s sleeps, 100,000 items).
//! Watch: `imap` receives in input order, `imap-unordered` and `par-bridge` do not;
//! `bounded` and `tokio-mpsc` keep at most 20 results in flight, `unbounded` nearly all.

use concurrency_pairs::common::{PEAK_RSS, WALL};
use concurrency_pairs::work::{peak_rss_bytes, sleep_s};
use concurrency_pairs::{
    Figure, Found, Headline, Pattern, Sweep, Table, Text, Trace, Variant, VariantInfo, arrived,
    given, ideal, lab, say, task,
};
use futures::{StreamExt, stream};
use rayon::iter::{ParallelBridge, ParallelIterator};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex, mpsc::channel, mpsc::sync_channel};
use std::{hint::black_box, iter, panic, thread, time::Duration, time::Instant};
use tokio::{sync::mpsc, task::spawn_blocking, time::timeout};

// ANCHOR: processor
/// The article's `ParallelProcessor`: `workers` threads map the items and send each result
/// to `collector`, on this thread, over a `sync_channel(n)` (`capacity` `Some(n)`: `send`
/// waits while n results are queued) or an unbounded `channel()` (`send` never waits).
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
/// The article's mapper: sleep `wait` units, give `wait` back.
fn slow_calculation(wait: u32, unit: f64) -> u32 {
    sleep_s(wait as f64 * unit);
    wait
}
/// The backpressure mapper: a result of `PAYLOAD` bytes, made at once.
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
/// After 4 results it stops reading for `idle` (if not zero): the mappers wait in `send`.
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

// ANCHOR: imap
/// `Pool.imap` and `imap_unordered` on tokio, mappers on the blocking pool: `buffered(n)`
/// keeps n running and yields in input order, `buffer_unordered(n)` as they finish.
async fn imap(items: Vec<u32>, workers: usize, ordered: bool, unit: f64) -> Vec<u32> {
    let jobs = stream::iter(items.into_iter().enumerate()).map(|(id, item)| async move {
        let mapped = spawn_blocking(move || task(id, || slow_calculation(item, unit)));
        (id, mapped.await.expect("the mapper does not panic"))
    });
    let mut results = match ordered {
        true => jobs.buffered(workers).boxed(),
        false => jobs.buffer_unordered(workers).boxed(),
    };
    let mut got = Vec::new();
    while let Some((id, result)) = results.next().await {
        arrived(id, result);
        got.push(result);
    }
    got
}
// ANCHOR_END: imap

// ANCHOR: par_bridge
/// rayon's `par_bridge` makes a plain iterator parallel work; `for_each_with` sends each
/// result the moment it is mapped, in no set order.
fn par_bridge(items: Vec<u32>, unit: f64) -> Vec<u32> {
    let (tx, results) = channel();
    rayon::spawn(move || {
        let jobs = items.into_iter().enumerate();
        jobs.par_bridge().for_each_with(tx, |tx, (id, item)| {
            let result = task(id, || slow_calculation(item, unit));
            tx.send((id, result)).expect("the collector reads");
        });
    });
    let mut got = Vec::new();
    for (id, result) in results {
        arrived(id, result);
        got.push(result);
    }
    got
}
// ANCHOR_END: par_bridge

// ANCHOR: tokio_mpsc
/// The async shape: mapper tasks `send(..).await` on `mpsc::channel(capacity)`, suspended
/// (no thread blocks) while it is full; the collector awaits `recv`.
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
/// Zero capacity: tokio's `mpsc::channel(0)` panics; `futures`' `buffered(0)` never starts
/// a future, so never yields. Gives the panic and what came in `wait`.
async fn zero_capacity(wait: Duration) -> (String, usize) {
    let refused = panic::catch_unwind(|| mpsc::channel::<u64>(0)).expect_err("it panics");
    let refused = refused.downcast_ref::<&str>().unwrap_or(&"?").to_string();
    let never = stream::iter(0..4).map(|i| async move { i }).buffered(0);
    (refused, timeout(wait, never.count()).await.unwrap_or(0))
}
// ANCHOR_END: zero_capacity

const ITEMS: Figure = Figure::count("items", "items");
const CAPACITY_N: Figure = Figure::count("capacity", "capacity");
const COMPLETED: Figure = Figure::count("completed", "completed");
const MAX_IN_FLIGHT: Figure = Figure::count("max_in_flight", "most in flight");
const OUT_OF_ORDER: Figure = Figure::count("out_of_order", "out of order");
const STARTUP: Figure = Figure::seconds("startup_s", "start-up");
const PER_ITEM: Figure = Figure::seconds("item_s", "per item");
/// The sweep's item counts: the 1-2-5 series from 1,000 to 1,000,000.
const SIZES: [u64; 10] = [
    1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000,
];

const PATTERN: Pattern = Pattern::new(
    "pipeline",
    "mappers feeding a collector: ordered or not, bounded or not",
)
.variants(&[
    VariantInfo::both("article", "4 threads + sync_channel(4)"),
    VariantInfo::both("imap", "futures buffered(4) + spawn_blocking"),
    VariantInfo::both(
        "imap-unordered",
        "futures buffer_unordered(4) + spawn_blocking",
    ),
    VariantInfo::rust("par-bridge", "rayon par_bridge (a thread a core) + channel"),
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
.headline(Headline::new(MAX_IN_FLIGHT, "bounded", "unbounded"))
.tables(&[
    Table::new(
        "Does a bounded queue hold the results back?",
        &[MAX_IN_FLIGHT, CAPACITY_N, ITEMS, COMPLETED],
    ),
    Table::new("Do the results arrive in input order?", &[OUT_OF_ORDER]),
    Table::new(
        "What does a pipeline cost, to start and per item?",
        &[STARTUP, PER_ITEM],
    ),
])
.sweep(
    Sweep::new(&SIZES, &[Text("bounded"), Text("unbounded")])
        .flags(&[Text("--counts-only")])
        .figures(&[WALL, PEAK_RSS]),
)
.with_tasks()
.with_counts_only();
/// The article's four processes; a bounded channel's slots; each backpressure result's
/// size and the collector's work on it; the ordering variants' sleeps, in units; how long
/// the pitfalls wait (for a future that never comes, with the collector idle).
const WORKERS: usize = 4;
const CAPACITY: usize = 16;
const PAYLOAD: usize = 1_000;
const COLLECT: Duration = Duration::from_micros(20);
const SLEEPS: [u32; 8] = [8, 1, 6, 3, 7, 2, 5, 4];
const WAIT: Duration = Duration::from_millis(200);
const NO_IDLE: Duration = Duration::ZERO;
const DEFAULT: (f64, f64, usize) = (0.1, 0.01, 2_000); // units: article, ordering; items
const FULL: (f64, f64, usize) = (1.0, 0.1, 100_000);
/// Ordered (`Some`: imap, in input order or not) or rayon's `par_bridge` (`None`).
const ORDERING: [(&str, Option<bool>); 3] = [
    ("imap", Some(true)),
    ("imap-unordered", Some(false)),
    ("par-bridge", None),
];
/// The result channel's slots (`None`: unbounded), and how long the collector idles.
const BACKPRESSURE: [(&str, Option<usize>, Duration); 4] = [
    ("bounded", Some(CAPACITY), NO_IDLE),
    ("unbounded", None, NO_IDLE),
    ("tokio-mpsc", Some(CAPACITY), NO_IDLE),
    ("collector-stops", Some(CAPACITY), WAIT),
];

/// What follows from a variant's trace, which the lab does not derive: at each receipt,
/// the results mapped (by their task's end) minus those collected, the most; receipts out
/// of input order; the article's start-up (its first mapper running); time per item.
fn from_the_trace(v: &Variant) -> Vec<Found> {
    let mut ends: Vec<f64> = v.tasks.iter().map(|t| t.end_s).collect();
    ends.sort_by(f64::total_cmp);
    let in_flight = |(k, &t): (usize, &f64)| ends.partition_point(|&e| e <= t) - k - 1;
    let most = v.received_s.iter().enumerate().map(in_flight).max();
    say!("{}: at most {} in flight", v.name, most.unwrap_or(0));
    let moved = v.received.iter().enumerate().filter(|(k, id)| k != *id);
    let mut found = vec![OUT_OF_ORDER.of(moved.count())];
    found.extend(most.map(|n| MAX_IN_FLIGHT.of(n)));
    if v.name == "article" {
        let first_start = v.tasks.iter().map(|t| t.start_s).reduce(f64::min);
        found.extend(first_start.map(|s| STARTUP.of(s)));
    }
    found.extend(v.value(&ITEMS).map(|n| PER_ITEM.of(v.wall_s / n)));
    found
}

fn main() {
    let options = PATTERN.parse();
    lab::set_counts_only(options.counts_only);
    let (unit, step, items) = if options.full { FULL } else { DEFAULT };
    let items = options.tasks.unwrap_or(items);
    let alone = options.variant.is_some();
    let rt = tokio::runtime::Runtime::new().expect("a tokio runtime starts");
    let mut trace = Trace::new(&PATTERN, &options);
    trace.run("article", || {
        let sleeps = 1..5; // the article's four sleeps, in units
        let mut list_items = Vec::new();
        let mapper = |wait| slow_calculation(wait, unit);
        let collector = |r| list_items.push(r);
        parallel_processor(sleeps.clone(), WORKERS, Some(4), mapper, collector);
        say!("  list_items: {list_items:?}");
        [given("inputs", sleeps.len()), ideal(4.0 * unit)]
    });
    for (name, ordered) in ORDERING {
        let lanes = ordered.map_or(rayon::current_num_threads(), |_| WORKERS);
        trace.run(name, || {
            match ordered {
                Some(ordered) => rt.block_on(imap(SLEEPS.to_vec(), WORKERS, ordered, step)),
                None => par_bridge(SLEEPS.to_vec(), step),
            };
            let ideal_s = step * (36.0 / lanes as f64).max(8.0); // all over the lanes, or 8
            [given("inputs", SLEEPS.len()), ideal(ideal_s)]
        });
    }
    for (name, capacity, idle) in BACKPRESSURE {
        trace.run(name, || {
            lab::quiet_after(3, items);
            let collected = match name {
                "tokio-mpsc" => rt.block_on(async_pipeline(items, WORKERS, CAPACITY)),
                _ => backpressure(items, capacity, idle),
            };
            let mut found = vec![
                ITEMS.of(collected),
                given("inputs", items),
                given("workers", WORKERS),
                ideal((COLLECT * items as u32 + idle).as_secs_f64()),
            ];
            found.extend(capacity.map(|c| CAPACITY_N.of(c)));
            // Run alone, the process's high-water mark is this variant's own.
            found.extend(peak_rss_bytes().filter(|_| alone).map(|b| PEAK_RSS.of(b)));
            found
        });
    }
    panic::set_hook(Box::new(|_| {})); // channel(0)'s panic is caught, and said below
    trace.run("zero-capacity", || {
        let (refused, got) = rt.block_on(zero_capacity(WAIT));
        say!("  channel(0) panicked: {refused}; buffered(0) gave {got} results in {WAIT:?}");
        [Found::Error(refused), COMPLETED.of(got)]
    });
    for v in &mut trace.variants {
        let found = from_the_trace(v);
        v.record(found);
    }
    trace.finish(&options);
}
