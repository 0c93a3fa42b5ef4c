//! The measuring around the lessons: when each rank crawled which range, on its own
//! clock from the barrier every rank passes, gathered on rank 0 once the timed part is
//! over, for the chapter's per-rank timelines. A span travels as three numbers (the
//! range's first task, its start, its end); rank 0 numbers it by the range's place in
//! the cut it handed out, and its lane is the rank that crawled it.

use std::cell::RefCell;
use std::time::Instant;

use concurrency_pairs::TaskSpan;
use mpi::traits::*;

use crate::{ROOT, Range, Tally};

/// The tag of the message that carries a rank's spans to rank 0.
const SPANS: i32 = 5;

/// A rank's clock, read as it leaves the barrier, and the ranges it has crawled.
#[derive(Debug)]
pub struct Clock {
    origin: Instant,
    spans: RefCell<Vec<f64>>,
}

impl Clock {
    /// The clock of this rank, from now: call it as the rank leaves the barrier.
    pub fn start() -> Self {
        Clock {
            origin: Instant::now(),
            spans: RefCell::new(Vec::new()),
        }
    }

    /// The seconds since the barrier.
    pub fn elapsed(&self) -> f64 {
        self.origin.elapsed().as_secs_f64()
    }

    /// `crawl`, each range it crawls noted with its start and end.
    pub fn timed<'a>(
        &'a self,
        crawl: impl Fn(Range) -> Tally + 'a,
    ) -> impl Fn(Range) -> Tally + 'a {
        move |range| {
            let start = self.elapsed();
            let tally = crawl(range);
            let end = self.elapsed();
            self.spans
                .borrow_mut()
                .extend([range[0] as f64, start, end]);
            tally
        }
    }

    /// Every rank's spans, sent to rank 0 (call it on every rank, after the timed
    /// part): on rank 0, the spans, each numbered by its range's place in `cut`; `None`
    /// on the others.
    pub fn gather(
        &self,
        comm: &impl Communicator,
        cut: &[Range],
    ) -> Option<Vec<TaskSpan>> {
        let own = self.spans.take();
        // No span may reach rank 0 while it still takes the pool's messages from any
        // rank, with any tag: every rank is past the variant first.
        comm.barrier();
        if comm.rank() != ROOT {
            comm.process_at_rank(ROOT).send_with_tag(&own[..], SPANS);
            return None;
        }
        let mut spans = spans_of(ROOT, &own, cut);
        for rank in 1..comm.size() {
            let from = comm.process_at_rank(rank);
            let (theirs, _status) = from.receive_vec_with_tag::<f64>(SPANS);
            spans.extend(spans_of(rank, &theirs, cut));
        }
        spans.sort_by_key(|span| span.id);
        Some(spans)
    }
}

/// The spans one rank sent: `[first task, start, end]` each, numbered by where a range
/// starting there sits in `cut` (an empty range, by the first such).
fn spans_of(rank: i32, flat: &[f64], cut: &[Range]) -> Vec<TaskSpan> {
    flat.chunks_exact(3)
        .map(|span| {
            let first = span[0] as u64;
            let id = cut.iter().position(|r| r[0] == first).unwrap_or(cut.len());
            TaskSpan::new(id, lane(rank), span[1], span[2])
        })
        .collect()
}

/// A rank's lane in the timelines.
pub fn lane(rank: i32) -> String {
    format!("rank-{rank}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_span_is_numbered_by_its_range() {
        let cut = [[0, 5], [5, 10], [10, 12]];
        let spans = spans_of(2, &[10.0, 0.5, 1.5, 0.0, 0.1, 0.4], &cut);
        assert_eq!(spans[0], TaskSpan::new(2, "rank-2", 0.5, 1.5));
        assert_eq!(spans[1], TaskSpan::new(0, "rank-2", 0.1, 0.4));
        let clock = Clock::start();
        let timed = clock.timed(|[start, end]| [end - start, 0, 0]);
        assert_eq!(timed([5, 10]), [5, 0, 0]);
        let noted = clock.spans.borrow();
        assert_eq!((noted.len(), noted[0]), (3, 5.0));
        assert!(noted[1] <= noted[2]);
    }
}
