//! # `pipeline`: mappers feeding a collector, in input order or not
//!
//! Python: article 4's "pyrallel" `ParallelProcessor` (a mapper on N worker processes, a
//! collector handed each result), `Pool.imap` / `imap_unordered`. Twin: `python/pipeline.py`.
//! Chapter: "pipeline" in the book; a collector slower than its mappers is the
//! `backpressure` example, in the same chapter.
//! Run: `cargo run --release --example pipeline` (`--full`: the article's 1..4 s sleeps).
//! Watch: `imap` receives in input order, `imap-unordered` and `par-bridge` do not; the
//! summary's `first result` is the shortest sleep for them, the first item's for `imap`.

use concurrency_pairs::common::{FIRST_RESULT, WALL};
use concurrency_pairs::work::sleep_s;
use concurrency_pairs::{
    ArticleFigure, Derived, Figure, Headline, Pattern, Table, Trace, VariantInfo,
    arrived, articles, given, ideal, say, task,
};
use futures::{StreamExt, stream};
use rayon::iter::{ParallelBridge, ParallelIterator};
use std::sync::{Mutex, mpsc::channel, mpsc::sync_channel};
use std::thread;
use tokio::task::spawn_blocking;

// ANCHOR: processor
/// The article's `ParallelProcessor`: `workers` threads map the items and send each
/// result to `collector`, on this thread, over a `sync_channel(capacity)`: `send`
/// waits while `capacity` results are queued.
fn parallel_processor<T: Send, R: Send>(
    items: impl ExactSizeIterator<Item = T> + Send,
    workers: usize,
    capacity: usize,
    mapper: impl Fn(T) -> R + Sync,
    mut collector: impl FnMut(R),
) {
    let (tx, results) = sync_channel(capacity);
    let count = items.len();
    let input = Mutex::new(items.enumerate());
    let next = || input.lock().expect("no mapper panics").next();
    thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                while let Some((id, item)) = next() {
                    let result = task(id, || mapper(item));
                    tx.send((id, result)).expect("the collector reads");
                }
            });
        }
        for (id, result) in results.iter().take(count) {
            arrived(id, "collected");
            collector(result);
        }
    });
}
// ANCHOR_END: processor

// ANCHOR: work
/// The article's mapper: sleep `wait` units, give `wait` back.
fn slow_calculation(wait: u32, unit: f64) -> u32 {
    sleep_s(wait as f64 * unit);
    wait
}
// ANCHOR_END: work

// ANCHOR: imap
/// `Pool.imap` and `imap_unordered` on tokio (mappers on the blocking pool): with n
/// running, `buffered(n)` yields in input order, `buffer_unordered(n)` as each ends.
async fn imap(items: Vec<u32>, workers: usize, ordered: bool, unit: f64) -> Vec<u32> {
    let jobs =
        stream::iter(items.into_iter().enumerate()).map(|(id, item)| async move {
            let mapped =
                spawn_blocking(move || task(id, || slow_calculation(item, unit)));
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
/// rayon's `par_bridge` makes a plain iterator parallel work; `for_each_with` sends
/// each result the moment it is mapped, in no set order.
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

const OUT_OF_ORDER: Figure =
    Figure::count("out_of_order", "out of order").derived(Derived::OutOfOrder);
const MOST_IN_FLIGHT: Figure =
    Figure::count("max_in_flight", "most in flight").derived(Derived::MostInFlight);
const STARTUP: Figure =
    Figure::seconds("startup_s", "start-up").derived(Derived::FirstStart);

const PATTERN: Pattern = Pattern::new(
    "pipeline",
    "mappers feeding a collector, in input order or not",
)
.variants(&[
    VariantInfo::both("article", "4 threads + sync_channel(4)"),
    VariantInfo::both("imap", "futures buffered(4) + spawn_blocking"),
    VariantInfo::both(
        "imap-unordered",
        "futures buffer_unordered(4) + spawn_blocking",
    ),
    VariantInfo::rust("par-bridge", "rayon par_bridge (a thread a core) + channel"),
])
.headline(Headline::new(FIRST_RESULT, "imap-unordered", "imap"))
.article(&[ArticleFigure::new(
    articles::MULTI_TASKING,
    "pyrallel's ParallelProcessor, 4 processes, mapping sleeps of 1 to 4 s",
    5.20214,
    WALL,
    "article",
    "claims::article_figure_parallel_processor_takes_the_longest",
)
.differs("the twin's mapper and collector are multiprocessing's: pyrallel's own start-up is not in it")])
.tables(&[
    Table::new(
        "Do the results arrive in input order, or wait for the ones before them?",
        &[OUT_OF_ORDER, MOST_IN_FLIGHT],
    ),
    Table::new(
        "How soon do the mappers start, and the first result arrive?",
        &[STARTUP, FIRST_RESULT],
    ),
]);
/// The article's four processes; the ordering variants' sleeps, in units.
const WORKERS: usize = 4;
const SLEEPS: [u32; 8] = [8, 1, 6, 3, 7, 2, 5, 4];
const DEFAULT: (f64, f64) = (0.1, 0.01); // units: the article's, the ordering variants'
const FULL: (f64, f64) = (1.0, 0.1);
/// Ordered (`Some`: imap, in input order or not) or rayon's `par_bridge` (`None`).
const ORDERING: [(&str, Option<bool>); 3] = [
    ("imap", Some(true)),
    ("imap-unordered", Some(false)),
    ("par-bridge", None),
];

fn main() {
    let options = PATTERN.parse();
    let (unit, step) = if options.full { FULL } else { DEFAULT };
    let rt = tokio::runtime::Runtime::new().expect("a tokio runtime starts");
    let mut trace = Trace::new(&PATTERN, &options);
    trace.run("article", || {
        let sleeps = 1..5; // the article's four sleeps, in units
        let mut list_items = Vec::new();
        let mapper = |wait| slow_calculation(wait, unit);
        let collector = |r| list_items.push(r);
        parallel_processor(sleeps.clone(), WORKERS, 4, mapper, collector);
        say!("  list_items: {list_items:?}");
        [given("inputs", sleeps.len()), ideal(4.0 * unit)]
    });
    for (name, ordered) in ORDERING {
        let lanes = ordered.map_or(rayon::current_num_threads(), |_| WORKERS);
        trace.run(name, || {
            match ordered {
                Some(ordered) => {
                    rt.block_on(imap(SLEEPS.to_vec(), WORKERS, ordered, step))
                }
                None => par_bridge(SLEEPS.to_vec(), step),
            };
            let ideal_s = step * (36.0 / lanes as f64).max(8.0); // all over the lanes, or 8
            [given("inputs", SLEEPS.len()), ideal(ideal_s)]
        });
    }
    trace.finish(&options);
}
