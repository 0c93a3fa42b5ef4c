//! The five articles, by the titles the book's "Sources" page gives them, for the
//! figures each example declares beside its own ([`ArticleFigure`]), and the declarations
//! of the two examples already at the length an example may have (`blocking_in_async`,
//! `crawler`): each is still read only through its example's `PATTERN`.

use crate::common::WALL;
use crate::pattern::ArticleFigure;

pub const COMBINING: &str = "Combining Multiprocessing and Asyncio";
pub const MULTI_CORE: &str = "Harnessing Multi-Core Power with Asyncio";
pub const SCALABILITY: &str = "Concurrency vs. Parallelism";
pub const BOOSTING: &str = "Really Boosting Performance";
pub const MULTI_TASKING: &str = "Multi-tasking in Python";

/// `blocking_in_async`: the article's sync loop of sleeps, and the same sleeps handed
/// to `ThreadPoolExecutor(max_workers=10)` through `run_in_executor`, at 1 s a unit.
pub const BLOCKING_IN_ASYNC: &[ArticleFigure] = &[
    ArticleFigure::new(
        MULTI_TASKING,
        "four sync sleeps of 1 to 4 s, one after the other",
        10.0087,
        WALL,
        "blocking-sleep",
        "claims::article_figure_sync_sleeps_take_the_sum",
    ),
    ArticleFigure::new(
        MULTI_TASKING,
        "the same sleeps through run_in_executor on ThreadPoolExecutor(10)",
        4.00656,
        WALL,
        "offload",
        "claims::article_figure_run_in_executor_takes_the_longest",
    ),
];

/// `crawler`: a loop per core against one event loop, over the article's 10,000 tasks.
pub const CRAWLER: &[ArticleFigure] = &[ArticleFigure::new(
    MULTI_CORE,
    "a loop per core against one loop: \"nearly triple\"",
    3.0,
    WALL,
    "loop-per-core",
    "claims::article_figure_loop_per_core_is_bounded_by_the_cores",
)
.over("single-loop")
.within(0.15)
.differs("this machine has 2 cores, and a loop per core cannot beat their count")];
