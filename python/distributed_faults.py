"""distributed_faults: an MPIPoolExecutor that loses a worker, and what its caller sees.

mpi4py.futures runs submitted calls on MPI worker processes. Here one of the calls
kills its own worker (os.kill(os.getpid(), SIGKILL)), and the caller collects every
future with a bounded future.result(timeout=...). What happens is MPI's decision, not
the executor's:

- world (the default): `mpirun -n 3 python -m mpi4py.futures distributed_faults.py`,
  rank 0 the caller and ranks 1-2 the workers. Open MPI sees a rank die on a signal
  and aborts the whole job, the caller included: mpirun exits 137 (128 + SIGKILL) and
  the caller never learns what happened to the lost call.
- spawn: `mpirun -n 1 python distributed_faults.py`, the workers started by the
  executor itself (MPI_Comm_spawn). The same: the job is aborted.
- recovery: as world, with `mpirun --enable-recovery`. Nothing is aborted: the lost
  call's future never completes (the caller's result(timeout=...) raises
  TimeoutError), the other calls finish on the surviving worker, and the executor's
  shutdown then waits for the dead worker for ever: a hang, which this script bounds
  and ends.

Run plainly, the script is the driver: it starts mpirun (on the loopback only, in a
session of its own), reads the caller's lines, bounds everything, ends whatever is
left and prints one JSON line of what it saw. Under mpirun (--caller) it is the
caller. Run: python3 python/distributed_faults.py --mode world (needs mpi4py and Open
MPI's mpirun).
"""

import argparse
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import distributed_parts as parts  # noqa: E402

NAME = "distributed_faults"
MODES = ("world", "spawn", "recovery")
JOB_SECONDS = 0.3  # how long a call that is not the fatal one takes


def job(index, fatal):
    """One submitted call: the fatal one kills its own worker, any other sleeps a
    little and says which worker ran it."""
    if index == fatal:
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(JOB_SECONDS)
    return os.getpid()


def say(**event):
    """One line of the caller's, as JSON, to the driver (flushed: it may be the last)."""
    print(json.dumps(event), flush=True)


def caller(args):
    """Rank 0 (or the spawning process): submit the calls and collect every future,
    each within args.result_timeout seconds."""
    from mpi4py.futures import MPIPoolExecutor

    say(event="start", caller_pid=os.getpid())
    workers = args.workers if args.mode == "spawn" else None
    executor = MPIPoolExecutor(max_workers=workers)
    futures = [executor.submit(job, i, args.fatal) for i in range(args.jobs)]
    for index, future in enumerate(futures):
        try:
            say(event="result", job=index,
                worker_pid=future.result(timeout=args.result_timeout))
        except Exception as error:  # what the caller sees is the point
            say(event="error", job=index, error=type(error).__name__)
    say(event="collected")
    executor.shutdown(wait=True)  # waits for every worker, the dead one too
    say(event="shut-down")


def descendants(root):
    """The processes under `root` (by their parent links in /proc), deepest last."""
    parents = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        parents[int(entry)] = int(fields[1])
    found, frontier = [], [root]
    while frontier:
        children = [p for p, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def mpirun_command(args, mpirun):
    """The mpirun line for args.mode: unpinned, oversubscribed (3 ranks on any
    machine), the caller's flags passed on."""
    command = [mpirun, "--bind-to", "none", "--oversubscribe"]
    if args.mode == "recovery":
        command.append("--enable-recovery")
    here = os.path.abspath(__file__)
    if args.mode == "spawn":
        command += ["-n", "1", sys.executable, here]
    else:
        command += ["-n", str(args.workers + 1), sys.executable, "-m",
                    "mpi4py.futures", here]
    return command + ["--caller", "--mode", args.mode, "--jobs", str(args.jobs),
                      "--fatal", str(args.fatal), "--workers", str(args.workers),
                      "--result-timeout", str(args.result_timeout)]


def end(process, seen):
    """End a mpirun that did not end by itself: SIGTERM (mpirun stops its ranks),
    then SIGKILL for it and every process seen under it. How it ended."""
    process.terminate()
    try:
        process.wait(timeout=10)
        return "terminated"
    except subprocess.TimeoutExpired:
        for pid in set(seen) | set(descendants(process.pid)):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass  # already gone
        process.kill()
        process.wait(timeout=10)
        return "killed"


def drive(args):
    """Start mpirun, watch it within args.bound seconds, and return what was seen."""
    mpirun = shutil.which("mpirun")
    if mpirun is None:
        refuse("no `mpirun` on PATH (Debian: apt-get install openmpi-bin)")
    if importlib.util.find_spec("mpi4py") is None:
        refuse(f"no mpi4py for {sys.executable} (pip install mpi4py)")
    env = dict(os.environ, **parts.LOOPBACK_ENV)
    started = time.monotonic()
    process = subprocess.Popen(mpirun_command(args, mpirun), env=env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               text=True, start_new_session=True)
    events, collected = [], threading.Event()

    def read():
        for line in process.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue  # not the caller's: a worker's stray output
            events.append(event)
            if event.get("event") == "collected":
                collected.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    seen, ended_by, deadline = set(), None, started + args.bound
    while ended_by is None:
        now = time.monotonic()
        if collected.is_set():  # every future resolved: mpirun has a grace to end
            deadline = min(deadline, now + args.grace)
            collected.clear()
        if process.poll() is not None:
            ended_by = "itself"
        elif now > deadline:
            ended_by = end(process, seen)
        else:
            seen.update(descendants(process.pid))
            time.sleep(0.05)
    seconds = time.monotonic() - started
    reader.join(timeout=5)
    return summary(args, events, process.returncode, ended_by, seconds, seen)


def summary(args, events, code, ended_by, seconds, seen):
    """The one JSON object: the run, the caller's view and the outcome."""
    results = sorted(e["job"] for e in events if e.get("event") == "result")
    errors = {e["job"]: e["error"] for e in events if e.get("event") == "error"}
    caller_pid = next((e["caller_pid"] for e in events
                       if e.get("event") == "start"), None)
    workers = sorted({e["worker_pid"] for e in events
                      if e.get("event") == "result"})
    if ended_by == "itself":
        outcome = "mpirun-aborted" if code != 0 else "completed"
    else:
        outcome = "hang"
    return {
        "mode": args.mode,
        "workers": args.workers,
        "jobs": args.jobs,
        "fatal_job": args.fatal,
        "outcome": outcome,
        "mpirun_exit": code,
        "mpirun_ended": ended_by,
        "seconds": round(seconds, 3),
        "caller_started": caller_pid is not None,
        "results": results,
        "errors": {str(job_index): name for job_index, name in errors.items()},
        "fatal_job_seen": errors.get(args.fatal,
                                     "result" if args.fatal in results else "nothing"),
        "collected": any(e.get("event") == "collected" for e in events),
        "shut_down": any(e.get("event") == "shut-down" for e in events),
        "worker_pids": workers,
        "processes_seen": sorted(seen),
    }


def whole(value):
    """A count of at least 0."""
    if value.isdigit():
        return int(value)
    raise argparse.ArgumentTypeError(f"takes a whole number, not `{value}`")


def seconds(value):
    """A positive number of seconds."""
    try:
        number = float(value)
    except ValueError:
        number = 0.0
    if number > 0:
        return number
    raise argparse.ArgumentTypeError(f"takes seconds above 0, not `{value}`")


class OneLineParser(argparse.ArgumentParser):
    """Bad input is one line on stderr and exit code 2."""

    def error(self, message):
        refuse(message)


def parse_args(argv):
    parser = OneLineParser(prog=NAME, description=__doc__.split("\n")[0])
    parser.add_argument("--mode", choices=MODES, default="world",
                        help="world (default), spawn or recovery")
    parser.add_argument("--workers", type=whole, default=2, metavar="N",
                        help="worker processes (default 2)")
    parser.add_argument("--jobs", type=whole, default=6, metavar="N",
                        help="calls submitted (default 6)")
    parser.add_argument("--fatal", type=whole, default=2, metavar="I",
                        help="the call that kills its worker (default 2)")
    parser.add_argument("--result-timeout", type=seconds, default=5.0,
                        metavar="S", help="each future.result's bound (default 5)")
    parser.add_argument("--bound", type=seconds, default=60.0, metavar="S",
                        help="the whole run's bound (default 60)")
    parser.add_argument("--grace", type=seconds, default=5.0, metavar="S",
                        help="how long mpirun may go on once every future is "
                        "resolved (default 5)")
    parser.add_argument("--caller", action="store_true",
                        help=argparse.SUPPRESS)  # set by the driver, under mpirun
    args = parser.parse_args(argv)
    if args.workers < 1 or args.fatal >= args.jobs:
        refuse("needs --workers 1 or more and --fatal below --jobs")
    return args


def refuse(message):
    """A one-line error and exit code 2."""
    print(f"{NAME}: error: {message}", file=sys.stderr, flush=True)
    sys.exit(2)


def main():
    args = parse_args(sys.argv[1:])
    if args.caller:
        caller(args)
        return
    print(json.dumps(drive(args)), flush=True)


if __name__ == "__main__":
    main()
