//! What every worker rank does with a range of tasks, whichever variant handed it over:
//! crawl it as the crawler's `io-plus-rayon` does and tally what it found.

use std::time::Duration;

use concurrency_pairs::work::{cpu_work, cpu_work_expected};
use tokio::{runtime::Builder, sync::oneshot, task::JoinSet};

use crate::{Range, Tally};

// ANCHOR: crawl_range
/// One range, crawled as the crawler's `io-plus-rayon` does: the waits on one
/// event loop, each CPU part handed to rayon's pool; each result checked as it
/// comes.
pub fn crawl_range(range: Range) -> Tally {
    let runtime = Builder::new_current_thread().enable_time().build();
    let runtime = runtime.expect("a current-thread runtime starts");
    runtime.block_on(async {
        let mut set = JoinSet::new();
        for job in crate::jobs_of(range) {
            set.spawn(async move {
                tokio::time::sleep(Duration::from_millis(job.io_ms)).await;
                let (sender, receiver) = oneshot::channel();
                rayon::spawn(move || {
                    // The receiver only goes if the task is dropped:
                    // nothing to tell.
                    let _ = sender.send(cpu_work(job.units));
                });
                let sum = receiver.await.expect("the rayon job sends its sum");
                (sum, sum != cpu_work_expected(job.units))
            });
        }
        let mut tally: Tally = [0; 3];
        while let Some(crawled) = set.join_next().await {
            let (sum, wrong) = crawled.expect("a crawl task does not panic");
            tally = add(tally, [1, sum, u64::from(wrong)]);
        }
        tally
    })
}
// ANCHOR_END: crawl_range

/// Two tallies added up elementwise, the sum wrapping, as `MPI_SUM` does.
pub fn add(a: Tally, b: Tally) -> Tally {
    [a[0] + b[0], a[1].wrapping_add(b[1]), a[2] + b[2]]
}
