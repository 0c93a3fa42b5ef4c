"""distributed_launch: the launcher side of python/distributed.py.

Started plainly, distributed.py starts an mpirun per kind of world (plain SPMD for
scatter-reduce, python -m mpi4py.futures for the pools, Python + Rust for mixed), always
on the loopback only, and gathers the outcome lines their rank 0s print into the
summary or the trace (as the Rust library's distributed::launch).

What it measures itself, apart from the ranks:
- once per run, before the first mpirun: what an integer of the crawler's CPU loop costs
  with every core busy (crawler.Rates, as python/crawler.py), for each variant's ideal;
- for each mpirun, the whole job: its wall (job_s), the CPU time of every process it
  started (job_cpu_s) and how busy that kept the cores (cpu_utilisation). It sets
  CPAIRS_MPI_LAUNCHED_AT_NS as it starts mpirun, so that rank 0 can tell what MPI's
  start-up cost (mpi_start_s).
"""

import importlib.util
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpairs  # noqa: E402
import crawler  # noqa: E402
import distributed_parts as parts  # noqa: E402

NAME = "distributed"
HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "distributed.py")
RUST_WORKER = os.path.join(HERE, "..", "distributed", "target", "release", "examples",
                           "distributed")
POOLS = ("pool-executor", "pool-as-completed")
# The mark this launcher sets in each rank: "a rank already", so it cannot loop.
LAUNCHED = "CPAIRS_MPI_LAUNCHED"
OUTCOMES = "CPAIRS_MPI_OUTCOMES"  # set by the launcher: rank 0 prints outcome lines

USES = {
    "scatter-reduce": "mpi4py comm.scatter of ranges, one asyncio loop per rank, "
                      "comm.reduce",
    "pool-executor": "MPIPoolExecutor (python -m mpi4py.futures), executor.map of "
                     "crawler.run_batch over the chunks",
    "pool-as-completed": "MPIPoolExecutor, submit a chunk each, as_completed",
    "mixed": "one mpirun: mpi4py rank 0 (Send/Recv/Reduce of array('Q')), the Rust "
             "example's ranks as workers",
}


def launch_all(args, ranks, n):
    """Started plainly: an mpirun per kind of world (plain SPMD for scatter-reduce,
    python -m mpi4py.futures for the pools, Python + Rust for mixed); their rank 0s
    print outcome lines, gathered here into the summary or the trace."""
    runs = (lambda name: args.variant in (None, name))
    mpirun = mpi_tools()
    cores = cpairs.cores()
    # What an integer costs with every core busy, as crawler.py measures its ideal.
    rates = crawler.Rates(crawler.parse, cores)
    ideal = cpairs.crawl_ideal(cpairs.crawl_jobs(n), rates.all_cores, cores)
    found = []
    if runs("scatter-reduce"):
        found += gathered(mpirun, [sys.executable, SCRIPT] + sys.argv[1:], ranks)
    if ranks > 1 and any(runs(v) for v in POOLS):
        found += gathered(mpirun, [sys.executable, "-m", "mpi4py.futures", SCRIPT]
                          + sys.argv[1:], ranks)
    if ranks > 1 and runs("mixed"):
        worker = os.environ.get("CPAIRS_MIXED_WORKER", RUST_WORKER)
        if os.access(worker, os.X_OK):
            found += gathered(mpirun, mixed_command(sys.executable, SCRIPT, worker, n,
                                                    ranks - 1), None)
        else:
            why = (f"no Rust worker at {worker} (cargo build --release --manifest-path "
                   "distributed/Cargo.toml --example distributed)")
            if args.variant == "mixed":
                refuse(why)
            print(f"{NAME}: mixed skipped: {why}", file=sys.stderr, flush=True)
    return 0 if report(found, args, n, ideal) else 1


def mixed_command(python, script, rust_worker, tasks, workers):
    """mpirun -n 1 <python> distributed.py --mixed-root --tasks N : -n W <rust worker>
    --mixed-worker (unpinned, oversubscribed past the cores), as distributed::mixed."""
    command = ["mpirun", "--bind-to", "none"]
    if workers + 1 > cpairs.cores():
        command.append("--oversubscribe")
    return command + ["-n", "1", python, script, "--mixed-root", "--tasks", str(tasks),
                      ":", "-n", str(workers), rust_worker, "--mixed-worker"]


def gathered(mpirun, program, ranks):
    """The outcome lines of one mpirun (of `program` on `ranks` ranks, or a whole
    mpirun command when ranks is None), each with what the whole job took; its exit
    code, if it failed, ends this run."""
    code, stdout, job = relaunch(mpirun, ranks, program)
    found = []
    for line in stdout.splitlines():
        try:
            o = parts.parse_line(line)
        except (ValueError, KeyError):
            refuse(f"a run's outcome line does not parse: {line}")
        if o is None:
            print(line, flush=True)
        else:
            o["extra"].update(job)
            found.append(o)
    if code != 0:
        sys.exit(code)
    return found


def report(found, args, n, ideal_s=None):
    """A summary line per variant, or the trace with --json (each variant's ideal
    `ideal_s`); whether every count and sum was right."""
    if args.json:
        options = cpairs.Options(True, args.full, n)
        trace = cpairs.Trace(NAME, options)
        for o in found:
            # mixed's crawl is Rust's: Python's rate gives it no lower bound.
            ideal = None if o["name"] == "mixed" else ideal_s
            trace.push(parts.to_variant(o, USES[o["name"]], ideal))
        trace.finish()
    else:
        for o in found:
            print(parts.summary(o, n), flush=True)
    return all(parts.ok(o) for o in found)


def mpi_tools():
    """Open MPI's mpirun, refused (exit 2) without it or without mpi4py."""
    mpirun = shutil.which("mpirun")
    if mpirun is None:
        refuse("no `mpirun` on PATH (Debian: apt-get install openmpi-bin)")
    if importlib.util.find_spec("mpi4py") is None:
        refuse(f"no mpi4py for {sys.executable} (pip install mpi4py)")
    return mpirun


def relaunch(mpirun, ranks, program):
    """Run `program` under mpirun on `ranks` ranks, or the mpirun command `program`
    itself when ranks is None, its stdout read: its exit code (128 + the signal that
    ended it, if one did), its stdout, and what the whole job took (job_s, job_cpu_s,
    cpu_utilisation)."""
    if ranks is None:
        command = [mpirun] + program[1:]
    else:
        # Unpinned: Open MPI would pin each rank to a core when there are at most two.
        command = [mpirun, "-n", str(ranks), "--bind-to", "none"]
        if ranks > cpairs.cores():
            command.append("--oversubscribe")  # Open MPI refuses more ranks than cores
        command += program
    env = dict(os.environ, **parts.LOOPBACK_ENV)
    env[LAUNCHED] = "1"
    env[OUTCOMES] = "1"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [HERE, env.get("PYTHONPATH")]))
    before, start = os.times(), time.monotonic()
    env[parts.LAUNCHED_AT] = str(time.time_ns())
    try:
        done = subprocess.run(command, env=env, check=False, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, text=True)
    except OSError as error:
        refuse(f"`mpirun` did not start: {error}")
    except KeyboardInterrupt:  # mpirun got the Ctrl-C too, and stops its ranks
        print(f"{NAME}: interrupted", file=sys.stderr, flush=True)
        sys.exit(130)
    job_s = time.monotonic() - start
    code = 128 - done.returncode if done.returncode < 0 else done.returncode
    return code, done.stdout, job_figures(before, os.times(), job_s)


def job_figures(before, after, job_s):
    """What a whole job took, from os.times() before and after it: its wall, the CPU
    time of every process it started and waited for (mpirun waits for its ranks), and
    that time over the wall on every core."""
    job_cpu_s = (after.children_user + after.children_system
                 - before.children_user - before.children_system)
    return {"job_s": job_s, "job_cpu_s": job_cpu_s,
            "cpu_utilisation": job_cpu_s / (job_s * cpairs.cores())}


def refuse(message):
    """A one-line error and exit code 2 (from rank 0 only, under MPI)."""
    if os.environ.get("OMPI_COMM_WORLD_RANK", "0") == "0":
        print(f"{NAME}: error: {message}", file=sys.stderr, flush=True)
    sys.exit(2)
