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

Run: python3 python/distributed.py --ranks 2 (1,000 tasks; --full for the articles'
10,000; --tasks N; --json). Started plainly, it starts itself again under
`mpirun -n N` on the loopback only; it needs mpi4py and Open MPI's mpirun.
"""

import argparse
import asyncio
import importlib.util
import os
import pickle
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpairs  # noqa: E402
import crawler  # noqa: E402

NAME = "distributed"
ABOUT = "the crawler's tasks over MPI ranks: scatter ranges, reduce counts and sums"
VARIANTS = ("scatter-reduce",)
DEFAULT_TASKS = 1_000  # Python's CPU part is far slower than Rust's: a smaller default
FULL_TASKS = 10_000
ROOT = 0  # the rank that cuts the ranges and receives the reduced tally

# What an MPI launcher sets in each rank (Open MPI, PMIx, PMI), and the mark this
# launcher sets itself: any one means "a rank already", so the relaunch cannot loop.
LAUNCHED = "CPAIRS_MPI_LAUNCHED"
UNDER_MPI = ("OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", LAUNCHED)
# Open MPI on the loopback only, running as root allowed (as in the Rust example).
LOOPBACK_ENV = {
    "OMPI_MCA_btl": "self,tcp",
    "OMPI_MCA_btl_tcp_if_include": "lo",
    "OMPI_MCA_oob_tcp_if_include": "lo",
    "OMPI_ALLOW_RUN_AS_ROOT": "1",
    "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
}


# ANCHOR: scatter_reduce
def scatter_reduce(comm, tasks):
    """Every rank runs this: rank 0 scatters a range to each rank, itself included;
    each crawls its range; the tallies are added up on rank 0 (None elsewhere)."""
    cut = ranges(tasks, comm.Get_size()) if comm.Get_rank() == ROOT else None
    start, end = comm.scatter(cut, root=ROOT)
    return comm.reduce(crawl_range(start, end), op=add_tallies, root=ROOT)


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


def ranges(tasks, ranks):
    """tasks cut into `ranks` contiguous (start, end) ranges, the first tasks % ranks
    one task longer: as the Rust library's distributed::ranges."""
    base, extra = divmod(tasks, ranks)
    cut, start = [], 0
    for r in range(ranks):
        end = start + base + (r < extra)
        cut.append((start, end))
        start = end
    return cut


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


def report(comm, options, n, start_method):
    """On rank 0: run the variant, check its tally and say what it found (one line, or
    the trace with --json). Whether the count and the sum were right."""
    # The lab's own lines go to stderr (as with --json): stdout carries the result alone.
    lab_options = cpairs.Options(True, options.full, n)
    lab_options.variant, lab_options.counts_only = options.variant, True
    cpairs.begin(NAME, lab_options, start_method, interrupt=False)
    ranks = comm.Get_size()
    direct = direct_tally(n)
    trace = cpairs.Trace(NAME, lab_options)
    uses = "mpi4py comm.scatter of ranges, one asyncio loop per rank, comm.reduce"
    got, v = trace.run("scatter-reduce", uses, scatter_reduce, comm, n)
    count, total, wrong = got
    sent = pickled_bytes(ranges(n, ranks), got)
    v.update(ranks=ranks, tasks_run=count, wrong=wrong, bytes_sent=sent,
             sum_wrong=int(total != direct[1]), event_loops_per_rank=1)
    ok = (count, total, wrong) == direct
    if options.json:
        trace.finish()
    else:
        verdict = "ok" if ok else "MISMATCH"
        print(f"scatter-reduce: {n} tasks on {ranks} ranks x 1 event loop: count {count}, "
              f"sum {total} (direct {direct[1]}: {verdict}), {wrong} wrong, "
              f"{sent} bytes sent, wall {v['wall_s']:.3f} s", flush=True)
    return ok


def whole_above_zero(value):
    """A flag's count: argparse says which flag, this says what is wrong."""
    if value.isdigit() and int(value) > 0:
        return int(value)
    raise argparse.ArgumentTypeError(f"takes a whole number above 0, not `{value}`")


def parse_args(argv):
    parser = cpairs.OneLineParser(NAME, ABOUT)
    parser.add_argument("--tasks", type=whole_above_zero, metavar="N",
                        help="run N tasks")
    parser.add_argument("--ranks", type=whole_above_zero, metavar="N",
                        help="run on N MPI ranks (default: one per core)")
    parser.add_argument("--variant", choices=VARIANTS, metavar="NAME",
                        help=f"run only this variant: {', '.join(VARIANTS)}")
    parser.add_argument("--variants", action="store_true", help="list the variants")
    args = parser.parse_args(argv)
    if args.variants:
        print("\n".join(VARIANTS))
        sys.exit(0)
    return args


def refuse(message):
    """A one-line error and exit code 2 (from rank 0 only, under MPI)."""
    if os.environ.get("OMPI_COMM_WORLD_RANK", "0") == "0":
        print(f"{NAME}: error: {message}", file=sys.stderr, flush=True)
    sys.exit(2)


def relaunch(ranks):
    """Run this script again under mpirun on `ranks` ranks, with the same arguments;
    its exit code (128 + the signal that ended it, if one did)."""
    mpirun = shutil.which("mpirun")
    if mpirun is None:
        refuse("no `mpirun` on PATH (Debian: apt-get install openmpi-bin)")
    if importlib.util.find_spec("mpi4py") is None:
        refuse(f"no mpi4py for {sys.executable} (pip install mpi4py)")
    command = [mpirun, "-n", str(ranks)]
    if ranks > cpairs.cores():
        command.append("--oversubscribe")  # Open MPI refuses more ranks than cores
    command += [sys.executable, os.path.abspath(__file__)] + sys.argv[1:]
    env = dict(os.environ, **LOOPBACK_ENV)
    env[LAUNCHED] = "1"
    try:
        code = subprocess.run(command, env=env, check=False).returncode
    except OSError as error:
        refuse(f"`mpirun` did not start: {error}")
    except KeyboardInterrupt:  # mpirun got the Ctrl-C too, and stops its ranks
        print(f"{NAME}: interrupted", file=sys.stderr, flush=True)
        return 130
    return 128 - code if code < 0 else code


def main():
    args = parse_args(sys.argv[1:])
    if not any(key in os.environ for key in UNDER_MPI):
        sys.exit(relaunch(args.ranks or cpairs.cores()))
    try:
        from mpi4py import MPI
    except ImportError as error:
        refuse(f"mpi4py does not load: {error}")
    options = cpairs.Options(args.json, args.full, args.tasks)
    options.variant = args.variant
    n = args.tasks or (FULL_TASKS if args.full else DEFAULT_TASKS)
    comm = MPI.COMM_WORLD
    comm.Barrier()  # every rank is up: the clock starts on the work, not the launch
    if comm.Get_rank() != ROOT:
        scatter_reduce(comm, n)
        return
    sys.exit(0 if report(comm, options, n, args.start_method) else 1)


if __name__ == "__main__":
    main()
