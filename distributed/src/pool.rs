//! `pool-executor`: the executor's "a free worker takes the next chunk", over MPI.
//!
//! mpi4py has a pool (`mpi4py.futures.MPIPoolExecutor`: `map`, `submit`, futures, and
//! any picklable function sent to the workers). rsmpi 0.8 has the layer beneath it:
//! point-to-point messages (`send_with_tag`, `receive_into`, a [`Status`] saying who
//! sent it and with which tag, `any_process` to take whoever is first), the
//! collectives (scatter, reduce, ...), and even dynamic processes (`Root::spawn`,
//! `Communicator::parent`); it has no executor, no futures over ranks and no way to
//! send code: a message is a buffer of `Equivalence` types. So the pool is written
//! out: rank 0 hands out chunks (two integers each) on request, the others crawl them.
//!
//! The same protocol serves the `mixed` variant, where rank 0 is Python: the worker
//! side here does not know which language answers it.
//!
//! [`Status`]: mpi::point_to_point::Status

use mpi::collective::SystemOperation;
use mpi::point_to_point::Status;
use mpi::traits::*;

use crate::crawl::add;
use crate::{ROOT, Range, Tally};

/// A worker's first message: "I am free", with an empty tally.
pub const READY: i32 = 1;
/// A worker's message after a chunk: its tally, and "I am free" again.
pub const DONE: i32 = 2;
/// Rank 0's answer: the next chunk, `[start, end]`.
pub const WORK: i32 = 3;
/// Rank 0's answer when no chunk is left: stop (the range sent is `[0, 0]`).
pub const STOP: i32 = 4;

/// Chunks per worker: enough for a fast worker to take more than a slow one.
pub const CHUNKS_PER_WORKER: usize = 4;

/// What rank 0 saw while serving the chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Served {
    /// The chunks' tallies, added up as they came back.
    pub total: Tally,
    /// The chunks handed out.
    pub chunks: u64,
    /// Chunks whose tally came back once, counting every task of the chunk.
    pub chunks_done: u64,
    /// The tasks of those chunks: every task's result, exactly once.
    pub tasks_once: u64,
    /// The workers' own running totals, reduced at the end (`MPI_SUM`): the same as
    /// `total` unless a message went astray.
    pub reduced: Tally,
    /// The payload bytes of every message rank 0 sent or received.
    pub bytes: u64,
}

// ANCHOR: serve
/// On rank 0: hand `chunks` out, one at a time, to whichever worker asks first; take
/// each chunk's tally back with the next request; stop each worker when none is left.
pub fn serve(comm: &impl Communicator, chunks: &[Range]) -> Served {
    let mut served = Served {
        chunks: chunks.len() as u64,
        ..Served::default()
    };
    let mut holding: Vec<Option<usize>> = vec![None; comm.size() as usize];
    let mut times_back = vec![0u32; chunks.len()];
    let mut next = chunks.iter().enumerate();
    let mut working = comm.size() as usize - 1;
    while working > 0 {
        let mut tally: Tally = [0; 3];
        let status: Status = comm.any_process().receive_into(&mut tally);
        served.bytes += size_of::<Tally>() as u64;
        let worker = status.source_rank();
        if let (DONE, Some(i)) = (status.tag(), holding[worker as usize].take()) {
            served.total = add(served.total, tally);
            times_back[i] += 1;
            if times_back[i] == 1 && tally[0] == chunks[i][1] - chunks[i][0] {
                served.chunks_done += 1;
                served.tasks_once += tally[0];
            }
        }
        let to = comm.process_at_rank(worker);
        match next.next() {
            Some((i, chunk)) => {
                holding[worker as usize] = Some(i);
                to.send_with_tag(chunk, WORK);
            }
            None => {
                to.send_with_tag(&[0u64; 2], STOP);
                working -= 1;
            }
        }
        served.bytes += size_of::<Range>() as u64;
    }
    let root = comm.process_at_rank(ROOT);
    root.reduce_into_root(&[0u64; 3], &mut served.reduced, SystemOperation::sum());
    served.bytes += (comm.size() as u64 - 1) * size_of::<Tally>() as u64;
    served
}
// ANCHOR_END: serve

// ANCHOR: work
/// On every other rank: ask for a chunk, crawl it, send its tally back with the next
/// request, until told to stop; then add this rank's total into the reduce.
pub fn work(comm: &impl Communicator, crawl: impl Fn(Range) -> Tally) {
    let root = comm.process_at_rank(ROOT);
    let (mut last, mut tag, mut own): (Tally, i32, Tally) = ([0; 3], READY, [0; 3]);
    loop {
        root.send_with_tag(&last, tag);
        let mut chunk: Range = [0; 2];
        if root.receive_into(&mut chunk).tag() == STOP {
            break;
        }
        last = crawl(chunk);
        own = add(own, last);
        tag = DONE;
    }
    root.reduce_into(&own, SystemOperation::sum());
}
// ANCHOR_END: work

/// The chunks of a run of `tasks` on `ranks` ranks: [`CHUNKS_PER_WORKER`] per worker
/// (every rank but 0), cut as [`ranges`](crate::ranges) cuts; the twin cuts the same.
pub fn chunks(tasks: usize, ranks: usize) -> Vec<Range> {
    let workers = ranks.saturating_sub(1).max(1);
    crate::ranges(tasks, workers * CHUNKS_PER_WORKER)
}

impl Served {
    /// The figures the trace records beside the tally, by key.
    pub fn figures(&self) -> Vec<(String, f64)> {
        let reduce_wrong = u8::from(self.reduced != self.total);
        [
            ("chunks", self.chunks as f64),
            ("chunks_done", self.chunks_done as f64),
            ("tasks_once", self.tasks_once as f64),
            ("reduce_wrong", f64::from(reduce_wrong)),
        ]
        .map(|(key, value)| (key.to_owned(), value))
        .into()
    }
}
