"""runtimes: what one task costs, asyncio tasks against OS threads.

Twin of examples/runtimes.rs. An asyncio task is much cheaper than a threading.Thread,
so a server can hold a hundred thousand of them. How cheap? Per variant, a memory pass
keeps N tasks alive at once behind a gate and reads the resident memory, then a time pass
creates N no-op tasks and joins them. Memory freed by one variant can hide the next one's
growth: the memory figure is cleanest with one --variant per process, which is how
`cargo xtask timings` runs every variant and N. Three more variants time what a process
costs instead, started by fork or by spawn, against a job handed to a pool worker that is
already running (a time pass only, over at most a few processes or jobs).

Chapter: book/src/runtimes.md.

Run: python3 python/runtimes.py [--json] [--tasks N (1,000 by default, 100,000 with
--full)] [--variant NAME] [--variants]. Watch: an asyncio task costs a few microseconds and about a kilobyte; a
thread far more of both.
"""

import asyncio
import itertools
import multiprocessing
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor

import cpairs

# Smaller than the Rust default: ten thousand Python threads take many seconds to start
# while they fight over the GIL (see the chapter's pitfalls).
DEFAULT_TASKS = 1_000
FULL_TASKS = 100_000  # asyncio only: above the threads' cap
# Each Python thread reserves a stack (8 MiB by default here: `ulimit -s`) and a kernel
# task; the per-user process limit is shared with everything else on the machine.
# Ten thousand is far from those limits; a hundred thousand is not.
THREAD_CAP = 10_000
LIMIT_S = 600  # generous: a run that hangs is stopped


# ANCHOR: asyncio
async def noop():
    """The time pass creates n of these: it does nothing and returns 1 (the joiner adds
    these up, which shows that every one ran to its end)."""
    return 1


async def gated(arrivals, n, all_arrived, gate):
    """The memory pass creates n of these: each waits at the gate, so that all n are
    alive at once when the memory is read. The last to arrive says so."""
    if next(arrivals) == n - 1:
        all_arrived.set()
    await gate.wait()
    return 1


async def asyncio_time_pass(n):
    """Create n no-op tasks and await them: how long, and how many completed."""
    start = time.perf_counter()
    tasks = [asyncio.create_task(noop()) for _ in range(n)]
    done = 0
    for task in tasks:
        done += await task
    return time.perf_counter() - start, done


async def asyncio_memory_pass(n):
    """n tasks alive at once: how much the resident memory grew, how many completed."""
    arrivals, all_arrived, gate = itertools.count(), asyncio.Event(), asyncio.Event()
    before = cpairs.rss_bytes()
    tasks = [asyncio.create_task(gated(arrivals, n, all_arrived, gate)) for _ in range(n)]
    await all_arrived.wait()
    alive = cpairs.rss_bytes()
    gate.set()
    done = 0
    for task in tasks:
        done += await task
    return growth(before, alive), done
# ANCHOR_END: asyncio


# ANCHOR: threads
def noop_thread(finished):
    """A thread returns nothing to its joiner: it says it finished on a list instead
    (list.append is atomic in CPython)."""
    finished.append(1)


def gated_thread(arrivals, n, all_arrived, gate, finished):
    if next(arrivals) == n - 1:  # itertools.count hands out each number once
        all_arrived.set()
    gate.wait()
    finished.append(1)


def threads_time_pass(n):
    """Start n no-op threads and join them: how long, and how many completed."""
    finished = []
    start = time.perf_counter()
    threads = [threading.Thread(target=noop_thread, args=(finished,)) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start, len(finished)


def threads_memory_pass(n):
    """n threads alive at once: how much the resident memory grew, how many completed."""
    arrivals, all_arrived, gate = itertools.count(), threading.Event(), threading.Event()
    finished = []
    before = cpairs.rss_bytes()
    threads = [threading.Thread(target=gated_thread,
                                args=(arrivals, n, all_arrived, gate, finished))
               for _ in range(n)]
    for thread in threads:
        thread.start()
    if not all_arrived.wait(timeout=LIMIT_S):
        gate.set()  # let the threads end, so that the interpreter can exit
        refuse(f"the threads never all reached the gate in {LIMIT_S} s")
    alive = cpairs.rss_bytes()
    gate.set()
    for thread in threads:
        thread.join()
    return growth(before, alive), len(finished)
# ANCHOR_END: threads


# ANCHOR: processes
def noop_job():
    """A process's whole job: nothing, and 1 to say it ran (a pool hands it back)."""
    return 1


def processes_time_pass(n, method):
    """Start n processes with the start method `method` ("fork" or "spawn") and join
    them: how long, and how many exited cleanly (exit code 0)."""
    context = multiprocessing.get_context(method)
    start = time.perf_counter()
    processes = [context.Process(target=noop_job) for _ in range(n)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=LIMIT_S)
    return time.perf_counter() - start, sum(p.exitcode == 0 for p in processes)


def pool_worker_time_pass(n):
    """Hand n no-op jobs to the one worker of a ProcessPoolExecutor, started beforehand,
    and wait for every result: what reusing a worker costs per job."""
    with ProcessPoolExecutor(max_workers=1) as executor:
        executor.submit(noop_job).result(timeout=LIMIT_S)  # the worker is up
        start = time.perf_counter()
        futures = [executor.submit(noop_job) for _ in range(n)]
        done = sum(future.result(timeout=LIMIT_S) for future in futures)
        return time.perf_counter() - start, done
# ANCHOR_END: processes


def growth(before, alive):
    """Bytes the resident set grew by, or None where there is no /proc."""
    return None if before is None or alive is None else max(0, alive - before)


# name: (uses, memory pass, time pass), each pass a plain function of n
VARIANTS = {
    "asyncio": ("asyncio.create_task + await",
                lambda n: asyncio.run(asyncio_memory_pass(n)),
                lambda n: asyncio.run(asyncio_time_pass(n))),
    "os-threads": ("threading.Thread start + join", threads_memory_pass, threads_time_pass),
}


# name: (uses, the most processes or jobs a run starts, time pass): a process's memory
# is its own, so these have a time pass only, over at most that many (a fresh process
# costs milliseconds: a million would take hours). `cargo xtask` keeps them off its ladder.
STARTS = {
    "process-fork": ("multiprocessing fork: Process start + join", 100,
                     lambda n: processes_time_pass(n, "fork")),
    "process-spawn": ("multiprocessing spawn: Process start + join", 10,
                      lambda n: processes_time_pass(n, "spawn")),
    "pool-worker": ("ProcessPoolExecutor(1), started: submit + result", 1_000,
                    pool_worker_time_pass),
}


def measure_starts(name, n, time_pass):
    """A start-cost variant: the time pass only, one task in the variant's lane."""
    elapsed, done = cpairs.task(0, time_pass, n, lane=name)
    cpairs.arrived(0, f"{n} started and joined: {per_task(elapsed / n)} each")
    return elapsed / n, done


def measure(name, n, memory_pass, time_pass):
    """One variant: a warm-up, the memory pass, then the time pass, each pass one task in
    the variant's lane. Returns the seconds and bytes per task, and how many completed."""
    time_pass(1)  # warm-up: first calls and caches are not charged to the tasks
    grown, alive = cpairs.task(0, memory_pass, n, lane=name)
    per_byte = None if grown is None else grown / n
    cpairs.arrived(0, f"{n} alive at once: {size_text(per_byte)} each")
    elapsed, done = cpairs.task(1, time_pass, n, lane=name)
    cpairs.arrived(1, f"{n} created and joined: {per_task(elapsed / n)} each")
    return elapsed / n, per_byte, min(alive, done)


def per_task(seconds):
    ns = seconds * 1e9
    if ns >= 1_000_000:
        return f"{ns / 1e6:.2f} ms"
    return f"{ns:.0f} ns" if ns < 1_000 else f"{ns / 1_000:.1f} µs"


def size_text(b):
    return "? (no /proc)" if b is None else f"{b:.0f} B"


def refuse(message):
    print(f"runtimes: error: {message} (try --help)", file=sys.stderr)
    sys.exit(2)


def main():
    options = cpairs.parse_args(
        "runtimes", "what one task costs, in time and memory: asyncio tasks and OS threads",
        tasks=True, variants=list(VARIANTS) + list(STARTS))
    n = options.tasks or (FULL_TASKS if options.full else DEFAULT_TASKS)
    threads = n <= THREAD_CAP
    if options.variant == "os-threads" and not threads:
        refuse(f"`--tasks {n}`: at most {THREAD_CAP} OS threads")
    cpairs.say(f"What one task costs, N = {n}: per variant, a memory pass, then a time pass.")
    cpairs.say("(Memory reads cleanest in a fresh process per variant: `cargo xtask timings`.)")
    options.tasks = n  # the trace's size is N: the two languages' defaults differ
    trace = cpairs.Trace("runtimes", options)
    for name in VARIANTS:
        if not options.runs(name):
            continue
        if name == "os-threads" and not threads:
            cpairs.say(f"\n== {name} skipped: at most {THREAD_CAP} threads")
            continue
        uses, memory_pass, time_pass = VARIANTS[name]
        ran = trace.run(name, uses, measure, name, n, memory_pass, time_pass)
        (task_s, task_bytes, completed), v = ran
        v.update(task_s=task_s, completed=completed)
        if task_bytes is not None:  # no /proc: no memory figure
            v.update(task_bytes=task_bytes)
    for name, (uses, cap, time_pass) in STARTS.items():
        if options.runs(name):
            (task_s, completed), v = trace.run(name, uses, measure_starts, name,
                                               min(n, cap), time_pass)
            v.update(task_s=task_s, completed=completed, most_started=cap)
    trace.finish()


if __name__ == "__main__":
    main()
