//! # `pipeline`: mappers feeding a collector, with backpressure
//!
//! Python: article 4's "pyrallel" `ParallelProcessor` (a mapper on N worker processes, a
//! collector handed each result), `Pool.imap` / `imap_unordered`. Twin: `python/pipeline.py`.
//! Chapter: "pipeline" in the book.
//! Run: `cargo run --release --example pipeline` (`--full`: 1..4 s sleeps, 100,000 items).
//! Watch: `imap` receives in input order, `imap-unordered` and `par-bridge` do not;
//! `bounded` and `tokio-mpsc` keep at most 20 results in flight, `unbounded` nearly all.

use concurrency_pairs::{Cli, Trace, arrived, lab, say, task, work::peak_rss_bytes, work::sleep_s};
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
    let (count, input) = (items.len(), Mutex::new(items.enumerate()));
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
    let results = match ordered {
        true => jobs.buffered(workers).boxed(),
        false => jobs.buffer_unordered(workers).boxed(),
    };
    results.map(|(i, r)| (arrived(i, r), r).1).collect().await
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
    results.iter().map(|(i, r)| (arrived(i, r), r).1).collect()
}
// ANCHOR_END: par_bridge

// ANCHOR: tokio_mpsc
/// The async shape: mapper tasks `send(..).await` on `mpsc::channel(capacity)`, suspended
/// (no thread blocks) while it is full; the collector awaits `recv`.
async fn async_pipeline(items: usize, workers: usize, capacity: usize) -> usize {
    let (tx, mut results) = mpsc::channel(capacity);
    let next = Arc::new(AtomicUsize::new(0));
    for _ in 0..workers {
        let (tx, next) = (tx.clone(), next.clone());
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

#[rustfmt::skip]
const CLI: Cli = Cli::new("pipeline", "mappers feeding a collector: ordered or not, bounded or not")
    .with_tasks().with_counts_only()
    .with_variants(&["article", "imap", "imap-unordered", "par-bridge", "bounded", "unbounded",
                     "tokio-mpsc", "collector-stops", "zero-capacity"]);
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
#[rustfmt::skip]
const ORDERING: [(&str, &str, Option<bool>); 3] = [
    ("imap",           "futures buffered(4) + spawn_blocking",         Some(true)),
    ("imap-unordered", "futures buffer_unordered(4) + spawn_blocking", Some(false)),
    ("par-bridge",     "rayon par_bridge (a thread a core) + channel", None),
];
#[rustfmt::skip]
const BACKPRESSURE: [(&str, &str, Option<usize>, Duration); 4] = [
    ("bounded",         "4 threads + sync_channel(16), slow collector",      Some(CAPACITY), NO_IDLE),
    ("unbounded",       "4 threads + channel(), slow collector",             None,           NO_IDLE),
    ("tokio-mpsc",      "4 tasks + tokio mpsc::channel(16), slow collector", Some(CAPACITY), NO_IDLE),
    ("collector-stops", "sync_channel(16), the collector idles 200 ms",      Some(CAPACITY), WAIT),
];

fn main() {
    let options = CLI.parse();
    lab::set_counts_only(options.counts_only);
    let (unit, step, items) = if options.full { FULL } else { DEFAULT };
    let (items, alone) = (options.tasks.unwrap_or(items), options.variant.is_some());
    let rt = tokio::runtime::Runtime::new().expect("a tokio runtime starts");
    let mut trace = Trace::new("pipeline", &options);
    let article = || {
        let (mut list_items, mapper) = (Vec::new(), |wait| slow_calculation(wait, unit));
        parallel_processor(1..5, WORKERS, Some(4), mapper, |r| list_items.push(r));
        list_items
    };
    if let Some((list_items, v)) = trace.run("article", "4 threads + sync_channel(4)", article) {
        say!("  list_items: {list_items:?}");
        v.ideal_s = Some(4.0 * unit);
        v.figures.startup_s = v.tasks.iter().map(|t| t.start_s).reduce(f64::min);
    }
    for (name, uses, ordered) in ORDERING {
        let lesson = || match ordered {
            Some(ordered) => rt.block_on(imap(SLEEPS.to_vec(), WORKERS, ordered, step)),
            None => par_bridge(SLEEPS.to_vec(), step),
        };
        let lanes = ordered.map_or(rayon::current_num_threads(), |_| WORKERS);
        if let Some((_, v)) = trace.run(name, uses, lesson) {
            v.ideal_s = Some(step * (36.0 / lanes as f64).max(8.0)); // all over the lanes, or 8
        }
    }
    for (name, uses, capacity, idle) in BACKPRESSURE {
        let lesson = || match (lab::quiet_after(3, items), name) {
            ((), "tokio-mpsc") => rt.block_on(async_pipeline(items, WORKERS, CAPACITY)),
            _ => backpressure(items, capacity, idle),
        };
        if let Some((collected, v)) = trace.run(name, uses, lesson) {
            v.ideal_s = Some((COLLECT * items as u32 + idle).as_secs_f64());
            let f = &mut v.figures; // run alone, the process's high-water mark is its own
            (f.items, f.capacity) = (Some(collected as f64), capacity.map(|c| c as f64));
            f.item_s = Some(v.wall_s / items as f64);
            f.peak_rss_bytes = peak_rss_bytes().filter(|_| alone).map(|b| b as f64);
        }
    }
    panic::set_hook(Box::new(|_| {})); // channel(0)'s panic is caught, and said below
    let lesson = || rt.block_on(zero_capacity(WAIT));
    let uses = "tokio mpsc::channel(0); futures buffered(0)";
    if let Some(((refused, got), v)) = trace.run("zero-capacity", uses, lesson) {
        say!("  channel(0) panicked: {refused}; buffered(0) gave {got} results in {WAIT:?}");
        (v.figures.error, v.figures.completed) = (Some(refused), Some(got as f64));
    }
    for v in &mut trace.variants {
        // In flight at each receipt: results mapped (by their task's end) minus collected.
        let mut ends: Vec<f64> = v.tasks.iter().map(|t| t.end_s).collect();
        ends.sort_by(f64::total_cmp);
        let in_flight = |(k, &t): (usize, &f64)| ends.partition_point(|&e| e <= t) - k - 1;
        let most = v.received_s.iter().enumerate().map(in_flight).max();
        let moved = v.received.iter().enumerate().filter(|(k, id)| k != *id);
        let f = &mut v.figures;
        (f.max_in_flight, f.out_of_order) = (most.map(|n| n as f64), Some(moved.count() as f64));
        say!("{}: at most {} in flight", v.name, most.unwrap_or(0));
    }
    trace.finish(&options);
}
