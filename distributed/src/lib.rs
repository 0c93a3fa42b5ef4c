//! The MPI chapter's pieces beside its first lesson: starting under `mpirun`
//! ([`launch`]), cutting the tasks into one range per rank ([`ranges`]), crawling a
//! range ([`crawl`]), the tally each rank sends back ([`Tally`]), and the findings a
//! run hands to the launcher ([`outcome`]). The other variants' lessons live here
//! too, a module each: [`pool`] (`pool-executor`: chunks on request, point to point)
//! and [`mixed`] (one `mpirun`, a Python rank 0 and Rust workers).
//!
//! The example, `examples/distributed.rs`, scatters the ranges, crawls one range per
//! rank and reduces the tallies, and runs the other variants; its twin is
//! `python/distributed.py` (with `python/distributed_parts.py`).

pub mod cli;
pub mod crawl;
pub mod launch;
pub mod mixed;
pub mod outcome;
pub mod pool;
pub mod timeline;

use concurrency_pairs::Figure;
use concurrency_pairs::crawl::{CrawlJob, SEED, crawl_jobs};
use concurrency_pairs::work::cpu_work_expected;

/// From `mpirun`'s start to every rank past its first barrier: `mpirun` up, each rank
/// started and initialised, the ranks wired to each other.
pub const MPI_START: Figure = Figure::seconds("mpi_start_s", "MPI start-up");
/// The whole `mpirun`, start to exit, as its launcher timed it.
pub const JOB: Figure = Figure::seconds("job_s", "whole job");
/// The CPU time of every process of the job over the job's wall time × the cores:
/// the ranks' crawling, and MPI's polling while a rank waits.
pub const JOB_BUSY: Figure =
    Figure::ratio("cpu_utilisation", "cores busy (whole job)");
/// The payload bytes that moved between processes (MPI's own headers not counted).
pub const BYTES_SENT: Figure = Figure::bytes("bytes_sent", "bytes sent");
/// One message's time from one rank to another, half a round trip.
pub const ONE_WAY: Figure = Figure::seconds("one_way_s", "one message");
/// The payload bytes of that message.
pub const MESSAGE_BYTES: Figure = Figure::bytes("message_bytes", "message");

/// The rank that cuts the ranges, scatters them and receives the reduced tally.
pub const ROOT: i32 = 0;

/// Tasks `start..end` of the run, as two integers: what rank 0 sends each rank. Any
/// rank regenerates the seeded jobs of its range itself, so a range is all it needs.
pub type Range = [u64; 2];

/// What a rank sends back, as three integers MPI adds up elementwise (`MPI_SUM`): the
/// tasks it crawled, the sum of their results (wrapping, as `MPI_SUM` on unsigned
/// integers does) and how many results were wrong.
pub type Tally = [u64; 3];

/// `tasks` cut into `ranks` contiguous ranges, the first `tasks % ranks` one task
/// longer than the others; the twin cuts the same (`distributed.ranges`).
pub fn ranges(tasks: usize, ranks: usize) -> Vec<Range> {
    let ranks = ranks.max(1);
    let (base, extra) = (tasks / ranks, tasks % ranks);
    let mut start = 0;
    (0..ranks)
        .map(|r| {
            let end = start + base + usize::from(r < extra);
            let range = [start as u64, end as u64];
            start = end;
            range
        })
        .collect()
}

/// The jobs of `range`, drawn from the run's seeded generator: the same as
/// `crawl_jobs(tasks, SEED)[start..end]`.
pub fn jobs_of([start, end]: Range) -> Vec<CrawlJob> {
    let mut jobs = crawl_jobs(end as usize, SEED);
    jobs.drain(..start as usize);
    jobs
}

/// The tally of all `tasks` computed directly, on one process, with no crawling: what
/// the reduced tally must equal.
pub fn direct_tally(tasks: usize) -> Tally {
    let sum = crawl_jobs(tasks, SEED).iter().fold(0u64, |sum, job| {
        sum.wrapping_add(cpu_work_expected(job.units))
    });
    [tasks as u64, sum, 0]
}

/// The payload bytes the two collectives move between processes on `ranks` ranks: a
/// range to every rank but the root, and a tally from every rank but the root (in any
/// reduction tree, each non-root rank sends exactly one partial tally). MPI's and the
/// transport's own headers are not counted.
pub fn payload_bytes(ranks: usize) -> u64 {
    let each = std::mem::size_of::<Range>() + std::mem::size_of::<Tally>();
    (ranks.saturating_sub(1) * each) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_cover_every_task_once() {
        for (tasks, ranks) in [(10, 1), (10, 3), (2, 4), (10_000, 2), (7, 7)] {
            let cut = ranges(tasks, ranks);
            assert_eq!(cut.len(), ranks);
            assert_eq!(cut[0][0], 0);
            assert_eq!(cut[ranks - 1][1], tasks as u64);
            assert!(cut.windows(2).all(|w| w[0][1] == w[1][0]));
            let lengths: Vec<u64> = cut.iter().map(|[s, e]| e - s).collect();
            let (min, max) = (lengths.iter().min(), lengths.iter().max());
            assert!(max.zip(min).is_some_and(|(a, b)| a - b <= 1), "{lengths:?}");
        }
        assert_eq!(ranges(2, 4), [[0, 1], [1, 2], [2, 2], [2, 2]]);
    }

    #[test]
    fn a_range_regenerates_the_same_jobs() {
        let all = crawl_jobs(50, SEED);
        assert_eq!(jobs_of([20, 35]), all[20..35]);
        assert!(jobs_of([5, 5]).is_empty());
        let sum = all[..10]
            .iter()
            .map(|j| cpu_work_expected(j.units))
            .sum::<u64>();
        assert_eq!(direct_tally(10), [10, sum, 0]);
        assert_eq!(payload_bytes(1), 0);
        assert_eq!(payload_bytes(4), 3 * (16 + 24));
    }
}
