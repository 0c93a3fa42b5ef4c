"""distributed: the crawler's tasks over MPI ranks, scattered and reduced.

The crawler's N tasks (python/crawler.py: an IO wait of 0.2-1.0 s, then the article's
CPU loop over 100,000-500,000 integers, the same seeded jobs as Rust) spread over MPI
ranks with mpi4py. Twin of distributed/examples/distributed.rs.

- scatter-reduce (SPMD): rank 0 cuts the tasks into one range per rank and
  comm.scatter's them; every rank draws the same seeded jobs, so a range (two integers)
  is all it needs; each rank crawls its range on one asyncio event loop (the crawler's
  crawl_batch, a loop per rank as loop-per-core has a loop per core); comm.reduce adds
  up the (count, sum, wrong) tallies on rank 0, which checks them against the count
  and the sum it computes directly.
- pool-executor, pool-as-completed: an MPIPoolExecutor (python -m mpi4py.futures, its
  own mpirun) maps the crawler's per-chunk function over chunks, or submits each and
  takes them with as_completed (python/distributed_parts.py).
- mixed: one mpirun of two programs: this script as rank 0 (--mixed-root) handing
  chunks, as plain array('Q') buffers, to the Rust example's ranks (--mixed-worker).

With no --variant, each runs in turn, each kind in an mpirun of its own; their rank 0s
print outcome lines that the launching process gathers into the summary or the trace.

Run: python3 python/distributed.py --ranks 2 (1,000 tasks; --full for the articles'
10,000; --tasks N; --json). Started plainly, it starts itself again under `mpirun -n N`
on the loopback only (python/distributed_launch.py); it needs mpi4py and Open MPI.
"""

import argparse
import asyncio
import functools
import os
import pickle
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpairs  # noqa: E402
import crawler  # noqa: E402
import distributed_launch as launch  # noqa: E402
import distributed_parts as parts  # noqa: E402
from distributed_launch import refuse  # noqa: E402

NAME = launch.NAME
ABOUT = "the crawler's tasks over MPI ranks: scatter and reduce, a pool, two languages"
VARIANTS = ("scatter-reduce", "pool-executor", "pool-as-completed", "mixed")
DEFAULT_TASKS = 1_000  # Python's CPU part is far slower than Rust's: a smaller default
FULL_TASKS = 10_000
ROOT = 0  # the rank that cuts the ranges and receives the reduced tally

# What an MPI launcher sets in each rank (Open MPI, PMIx, PMI), and the mark this
# launcher sets itself: any one means "a rank already", so the relaunch cannot loop.
UNDER_MPI = ("OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", launch.LAUNCHED)


# ANCHOR: scatter_reduce
def scatter_reduce(comm, tasks, crawl):
    """Every rank runs this: rank 0 scatters a range to each rank, itself included;
    each crawls its range (crawl: crawl_range); the tallies are added up on rank 0
    (None elsewhere)."""
    cut = parts.ranges(tasks, comm.Get_size()) if comm.Get_rank() == ROOT else None
    start, end = comm.scatter(cut, root=ROOT)
    return comm.reduce(crawl(start, end), op=add_tallies, root=ROOT)


def crawl_range(start, end):
    """One rank's range on one asyncio loop, the crawler's way; each result checked."""
    jobs = cpairs.crawl_jobs(end)[start:]
    pages = asyncio.run(crawler.crawl_batch(start, jobs))
    wrong = sum(page.sum != cpairs.cpu_work_expected(job.units)
                for page, job in zip(pages, jobs))
    return (len(pages), sum(page.sum for page in pages), wrong)


def add_tallies(a, b):
    """How comm.reduce combines two (count, sum, wrong) tallies: elementwise."""
    return tuple(x + y for x, y in zip(a, b))
# ANCHOR_END: scatter_reduce


def direct_tally(tasks):
    """The count and sum of every task's result, computed directly, with no crawling."""
    jobs = cpairs.crawl_jobs(tasks)
    return (tasks, sum(cpairs.cpu_work_expected(j.units) for j in jobs), 0)


def pickled_bytes(cut, tally):
    """The payload the two collectives move between processes, as pickled: a range to
    every rank but the root, and a tally from every rank but the root (each the size of
    the root's own; headers not counted)."""
    return (sum(pickled_size(r) for r in cut[1:])
            + (len(cut) - 1) * pickled_size(tally))


def pickled_size(obj):
    """How many bytes mpi4py sends for obj: its pickle (the highest protocol)."""
    return len(pickle.dumps(obj, pickle.HIGHEST_PROTOCOL))


POOLS = launch.POOLS
NEED_WORKERS = POOLS + ("mixed",)  # rank 0 hands out, the others crawl: 2 ranks or more


class TimedCrawl:
    """crawl_range, noting when it started and ended, in seconds from `origin` (this
    rank's own clock as it passed the barrier)."""

    def __init__(self, origin):
        """Nothing crawled yet: no span."""
        self.origin = origin
        self.span = None

    def __call__(self, start, end):
        """crawl_range(start, end), its span kept."""
        begun = time.monotonic() - self.origin
        tally = crawl_range(start, end)
        self.span = (begun, time.monotonic() - self.origin)
        return tally


def scatter_outcome(comm, n, direct):
    """Every rank: scatter-reduce, timed from the barrier every rank passes, each
    rank's crawl a span on its own clock, the spans gathered once the clock has
    stopped. Rank 0 alone gets the outcome (None elsewhere)."""
    comm.Barrier()  # every rank is up: the clock starts on the work, not the launch
    origin = time.monotonic()
    up = parts.mpi_started()
    crawl = TimedCrawl(origin)
    got = scatter_reduce(comm, n, crawl)
    wall = time.monotonic() - origin
    spans = comm.gather(crawl.span, root=ROOT)
    if comm.Get_rank() != ROOT:
        return None
    lanes = [(r, f"rank-{r}", start, end) for r, (start, end) in enumerate(spans)]
    sent = pickled_bytes(parts.ranges(n, comm.Get_size()), got)
    return parts.outcome("scatter-reduce", wall, comm.Get_size(), got, direct(), sent,
                         lanes, event_loops_per_rank=1, **up)


def finish(found, args, n):
    """Rank 0's last word: outcome lines for a gathering launcher, else the report."""
    if launch.OUTCOMES in os.environ:
        for o in found:
            print(parts.to_line(o), flush=True)
        sys.exit(0)
    sys.exit(0 if launch.report(found, args, n) else 1)


def whole_above_zero(value):
    """A flag's count: argparse says which flag, this says what is wrong."""
    if value.isdigit() and int(value) > 0:
        return int(value)
    raise argparse.ArgumentTypeError(f"takes a whole number above 0, not `{value}`")


def parse_args(argv):
    """The flags, checked; --variants lists the variants and ends the run."""
    parser = cpairs.OneLineParser(NAME, ABOUT)
    parser.add_argument("--tasks", type=whole_above_zero, metavar="N",
                        help="run N tasks")
    parser.add_argument("--ranks", type=whole_above_zero, metavar="N",
                        help="run on N MPI ranks (default: one per core)")
    parser.add_argument("--variant", choices=VARIANTS, metavar="NAME",
                        help=f"run only this variant: {', '.join(VARIANTS)}")
    parser.add_argument("--variants", action="store_true", help="list the variants")
    parser.add_argument("--mixed-root", action="store_true",
                        help="be rank 0 of a `mixed` run (its launcher passes this)")
    args = parser.parse_args(argv)
    if args.variants:
        print("\n".join(VARIANTS))
        sys.exit(0)
    return args


def main():
    """Started plainly: the launcher; under MPI: a rank of the world it started."""
    in_pool = "mpi4py.futures" in sys.modules  # rank 0 of python -m mpi4py.futures
    args = parse_args(sys.argv[1:])
    n = args.tasks or (FULL_TASKS if args.full else DEFAULT_TASKS)
    under_mpi = any(key in os.environ for key in UNDER_MPI)
    if args.mixed_root and not under_mpi:
        refuse("--mixed-root is rank 0 of a `mixed` run: run --variant mixed instead")
    if not under_mpi:
        ranks = args.ranks or cpairs.cores()
        fits(args.variant, ranks)
        sys.exit(launch.launch_all(args, ranks, n))
    try:
        from mpi4py import MPI
    except ImportError as error:
        refuse(f"mpi4py does not load: {error}")
    comm = MPI.COMM_WORLD
    # Computed once the clock has stopped, not before the first barrier.
    direct = functools.partial(direct_tally, n)
    if args.mixed_root:
        finish([parts.mixed_outcome(comm, n, direct)], args, n)
    if args.variant == "mixed":
        refuse("`mixed` starts its own mpirun (a Python rank 0, Rust workers): "
               "run it plainly")
    fits(args.variant, comm.Get_size())
    if in_pool:  # the other ranks are the pool's workers
        names = [v for v in POOLS if args.variant in (None, v)]
        # The pool's start-up (collective, every rank) is this world's first barrier.
        up = parts.mpi_started()
        finish([parts.pool_outcome(v, comm, n, direct, **up) for v in names], args, n)
    if args.variant not in (None, "scatter-reduce"):
        refuse(f"`{args.variant}` runs under python -m mpi4py.futures: run it plainly")
    found = scatter_outcome(comm, n, direct)
    if comm.Get_rank() == ROOT:
        finish([found], args, n)


def fits(variant, ranks):
    """The pools and `mixed` need a worker besides rank 0: refused on one rank (left
    out when every variant runs)."""
    if variant in NEED_WORKERS and ranks < 2:
        refuse(f"`{variant}` needs --ranks 2 or more "
               "(rank 0 hands out, the others crawl)")


if __name__ == "__main__":
    main()
