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
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpairs  # noqa: E402
import crawler  # noqa: E402
import distributed_parts as parts  # noqa: E402

NAME = "distributed"
ABOUT = "the crawler's tasks over MPI ranks: scatter and reduce, a pool, two languages"
VARIANTS = ("scatter-reduce", "pool-executor", "pool-as-completed", "mixed")
DEFAULT_TASKS = 1_000  # Python's CPU part is far slower than Rust's: a smaller default
FULL_TASKS = 10_000
ROOT = 0  # the rank that cuts the ranges and receives the reduced tally

# What an MPI launcher sets in each rank (Open MPI, PMIx, PMI), and the mark this
# launcher sets itself: any one means "a rank already", so the relaunch cannot loop.
LAUNCHED = "CPAIRS_MPI_LAUNCHED"
UNDER_MPI = ("OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", LAUNCHED)


# ANCHOR: scatter_reduce
def scatter_reduce(comm, tasks):
    """Every rank runs this: rank 0 scatters a range to each rank, itself included;
    each crawls its range; the tallies are added up on rank 0 (None elsewhere)."""
    cut = parts.ranges(tasks, comm.Get_size()) if comm.Get_rank() == ROOT else None
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


USES = {
    "scatter-reduce": "mpi4py comm.scatter of ranges, one asyncio loop per rank, "
                      "comm.reduce",
    "pool-executor": "MPIPoolExecutor (python -m mpi4py.futures), executor.map of "
                     "crawler.run_batch over the chunks",
    "pool-as-completed": "MPIPoolExecutor, submit a chunk each, as_completed",
    "mixed": "one mpirun: mpi4py rank 0 (Send/Recv/Reduce of array('Q')), the Rust "
             "example's ranks as workers",
}
POOLS = ("pool-executor", "pool-as-completed")
NEED_WORKERS = POOLS + ("mixed",)  # rank 0 hands out, the others crawl: 2 ranks or more
OUTCOMES = "CPAIRS_MPI_OUTCOMES"  # set by the launcher: rank 0 prints outcome lines
HERE = os.path.dirname(os.path.abspath(__file__))
RUST_WORKER = os.path.join(HERE, "..", "distributed", "target", "release", "examples",
                           "distributed")


def scatter_outcome(comm, n, direct):
    """On rank 0: scatter-reduce, timed from the barrier every rank passes."""
    comm.Barrier()  # every rank is up: the clock starts on the work, not the launch
    start = time.monotonic()
    got = scatter_reduce(comm, n)
    wall = time.monotonic() - start
    sent = pickled_bytes(parts.ranges(n, comm.Get_size()), got)
    return parts.outcome("scatter-reduce", wall, comm.Get_size(), got, direct, sent,
                         event_loops_per_rank=1)


def report(found, args, n):
    """A summary line per variant, or the trace with --json; whether every count and
    sum was right."""
    if args.json:
        options = cpairs.Options(True, args.full, n)
        trace = cpairs.Trace(NAME, options)
        for o in found:
            trace.push(parts.to_variant(o, USES[o["name"]]))
        trace.finish()
    else:
        for o in found:
            print(parts.summary(o, n), flush=True)
    return all(parts.ok(o) for o in found)


def finish(found, args, n):
    """Rank 0's last word: outcome lines for a gathering launcher, else the report."""
    if OUTCOMES in os.environ:
        for o in found:
            print(parts.to_line(o), flush=True)
        sys.exit(0)
    sys.exit(0 if report(found, args, n) else 1)


def launch_all(args, ranks, n):
    """Started plainly: an mpirun per kind of world (plain SPMD for scatter-reduce,
    python -m mpi4py.futures for the pools, Python + Rust for mixed); their rank 0s
    print outcome lines, gathered here into the summary or the trace."""
    runs = (lambda name: args.variant in (None, name))
    script = os.path.abspath(__file__)
    found = []
    if runs("scatter-reduce"):
        found += gathered([sys.executable, script] + sys.argv[1:], ranks)
    if ranks > 1 and any(runs(v) for v in POOLS):
        found += gathered([sys.executable, "-m", "mpi4py.futures", script]
                          + sys.argv[1:], ranks)
    if ranks > 1 and runs("mixed"):
        worker = os.environ.get("CPAIRS_MIXED_WORKER", RUST_WORKER)
        if os.access(worker, os.X_OK):
            found += gathered(parts.mixed_command(sys.executable, script, worker, n,
                                                  ranks - 1), None)
        else:
            why = (f"no Rust worker at {worker} (cargo build --release --manifest-path "
                   "distributed/Cargo.toml --example distributed)")
            if args.variant == "mixed":
                refuse(why)
            print(f"{NAME}: mixed skipped: {why}", file=sys.stderr, flush=True)
    return 0 if report(found, args, n) else 1


def gathered(program, ranks):
    """The outcome lines of one mpirun (of `program` on `ranks` ranks, or a whole
    mpirun command when ranks is None); its exit code, if it failed, ends this run."""
    code, stdout = relaunch(ranks, program, capture=True)
    found = []
    for line in stdout.splitlines():
        try:
            o = parts.parse_line(line)
        except (ValueError, KeyError):
            refuse(f"a run's outcome line does not parse: {line}")
        if o is None:
            print(line, flush=True)
        else:
            found.append(o)
    if code != 0:
        sys.exit(code)
    return found


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
    parser.add_argument("--mixed-root", action="store_true",
                        help="be rank 0 of a `mixed` run (its launcher passes this)")
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


def relaunch(ranks, program=None, capture=False):
    """Run `program` (this script, with the same arguments, by default) under mpirun on
    `ranks` ranks, or the mpirun command `program` itself when ranks is None; its exit
    code (128 + the signal that ended it, if one did), with its stdout if `capture`."""
    mpirun = shutil.which("mpirun")
    if mpirun is None:
        refuse("no `mpirun` on PATH (Debian: apt-get install openmpi-bin)")
    if importlib.util.find_spec("mpi4py") is None:
        refuse(f"no mpi4py for {sys.executable} (pip install mpi4py)")
    if ranks is None:
        command = [mpirun] + program[1:]
    else:
        # Unpinned: Open MPI would pin each rank to a core when there are at most two.
        command = [mpirun, "-n", str(ranks), "--bind-to", "none"]
        if ranks > cpairs.cores():
            command.append("--oversubscribe")  # Open MPI refuses more ranks than cores
        command += program or [sys.executable, os.path.abspath(__file__)] + sys.argv[1:]
    env = dict(os.environ, **parts.LOOPBACK_ENV)
    env[LAUNCHED] = "1"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [HERE, env.get("PYTHONPATH")]))
    if capture:
        env[OUTCOMES] = "1"
    try:
        done = subprocess.run(command, env=env, check=False, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE if capture else None, text=True)
    except OSError as error:
        refuse(f"`mpirun` did not start: {error}")
    except KeyboardInterrupt:  # mpirun got the Ctrl-C too, and stops its ranks
        print(f"{NAME}: interrupted", file=sys.stderr, flush=True)
        sys.exit(130)
    code = 128 - done.returncode if done.returncode < 0 else done.returncode
    return (code, done.stdout) if capture else code


def main():
    in_pool = "mpi4py.futures" in sys.modules  # rank 0 of python -m mpi4py.futures
    args = parse_args(sys.argv[1:])
    n = args.tasks or (FULL_TASKS if args.full else DEFAULT_TASKS)
    under_mpi = any(key in os.environ for key in UNDER_MPI)
    if args.mixed_root and not under_mpi:
        refuse("--mixed-root is rank 0 of a `mixed` run: run --variant mixed instead")
    if not under_mpi:
        ranks = args.ranks or cpairs.cores()
        fits(args.variant, ranks)
        sys.exit(launch_all(args, ranks, n))
    try:
        from mpi4py import MPI
    except ImportError as error:
        refuse(f"mpi4py does not load: {error}")
    comm = MPI.COMM_WORLD
    direct = direct_tally(n)
    if args.mixed_root:
        finish([parts.mixed_outcome(comm, n, direct)], args, n)
    if args.variant == "mixed":
        refuse("`mixed` starts its own mpirun (a Python rank 0, Rust workers): "
               "run it plainly")
    fits(args.variant, comm.Get_size())
    if in_pool:  # the other ranks are the pool's workers
        names = [v for v in POOLS if args.variant in (None, v)]
        finish([parts.pool_outcome(v, comm, n, direct) for v in names], args, n)
    if args.variant not in (None, "scatter-reduce"):
        refuse(f"`{args.variant}` runs under python -m mpi4py.futures: run it plainly")
    if comm.Get_rank() != ROOT:
        comm.Barrier()
        scatter_reduce(comm, n)
        return
    finish([scatter_outcome(comm, n, direct)], args, n)


def fits(variant, ranks):
    """The pools and `mixed` need a worker besides rank 0: refused on one rank (left
    out when every variant runs)."""
    if variant in NEED_WORKERS and ranks < 2:
        refuse(f"`{variant}` needs --ranks 2 or more "
               "(rank 0 hands out, the others crawl)")


if __name__ == "__main__":
    main()
