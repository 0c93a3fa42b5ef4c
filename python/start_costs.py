"""start_costs: what a thread, or a process, per task costs.

Twin of examples/start_costs.rs (chapter: book/src/runtimes.md, beside the asyncio tasks
of python/runtimes.py). A threading.Thread costs far more than an asyncio task, and a
process more still. Per variant, a memory pass keeps N threads alive at once behind a
gate and reads the resident memory, then a time pass starts N no-op threads and joins
them. Three more variants time what a process costs instead, started by fork or by
spawn, against a job handed to a pool worker that is already running (a time pass only,
over at most a few processes or jobs: a process's memory is its own).

Run: python3 python/start_costs.py [--json] [--tasks N (1,000 by default, 10,000 with
--full)] [--variant NAME] [--variants]. Watch: a thread costs tens of microseconds; a
process per task milliseconds; a job for a running pool worker far less.
"""

import itertools
import multiprocessing
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor

import cpairs

# Ten thousand Python threads take many seconds to start while they fight over the GIL
# (see the chapter's pitfalls): a thousand by default.
DEFAULT_TASKS = 1_000
# Each Python thread reserves a stack (8 MiB by default here: `ulimit -s`) and a kernel
# task; the per-user process limit is shared with everything else on the machine.
# Ten thousand is far from those limits; a hundred thousand is not.
THREAD_CAP = 10_000
FULL_TASKS = THREAD_CAP
LIMIT_S = 600  # generous: a run that hangs is stopped


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
    threads = [threading.Thread(target=noop_thread, args=(finished,))
               for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start, len(finished)


def threads_memory_pass(n):
    """n threads alive at once: how much the resident memory grew, how many ended."""
    arrivals = itertools.count()
    all_arrived, gate = threading.Event(), threading.Event()
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
    """Hand n no-op jobs to the one worker of a ProcessPoolExecutor, already up, and
    wait for every result: what reusing a worker costs per job."""
    with ProcessPoolExecutor(max_workers=1) as executor:
        executor.submit(noop_job).result(timeout=LIMIT_S)  # the worker is up
        start = time.perf_counter()
        futures = [executor.submit(noop_job) for _ in range(n)]
        done = sum(future.result(timeout=LIMIT_S) for future in futures)
        return time.perf_counter() - start, done
# ANCHOR_END: processes


# name: (uses, the most processes or jobs a run starts, time pass): a process's memory
# is its own, so these have a time pass only, over at most that many (a fresh process
# costs milliseconds: a million would take hours). The sweep leaves them out.
STARTS = {
    "process-fork": ("multiprocessing fork: Process start + join", 100,
                     lambda n: processes_time_pass(n, "fork")),
    "process-spawn": ("multiprocessing spawn: Process start + join", 10,
                      lambda n: processes_time_pass(n, "spawn")),
    "pool-worker": ("ProcessPoolExecutor(1), started: submit + result", 1_000,
                    pool_worker_time_pass),
}


def measure_threads(n):
    """The threads: a warm-up, the memory pass, then the time pass, each pass one task in
    the variant's lane. Returns the seconds and bytes per thread, and how many completed."""
    threads_time_pass(1)  # warm-up: first calls and caches are not charged to the threads
    grown, alive = cpairs.task(0, threads_memory_pass, n, lane="os-threads")
    per_byte = None if grown is None else grown / n
    size = "? (no /proc)" if per_byte is None else f"{per_byte:.0f} B"
    cpairs.arrived(0, f"{n} alive at once: {size} each")
    elapsed, done = cpairs.task(1, threads_time_pass, n, lane="os-threads")
    cpairs.arrived(1, f"{n} started and joined: {per_task(elapsed / n)} each")
    return elapsed / n, per_byte, min(alive, done)


def measure_starts(name, n, time_pass):
    """A start-cost variant: the time pass only, one task in the variant's lane."""
    elapsed, done = cpairs.task(0, time_pass, n, lane=name)
    cpairs.arrived(0, f"{n} started and joined: {per_task(elapsed / n)} each")
    return elapsed / n, done


def growth(before, alive):
    """Bytes the resident set grew by, or None where there is no /proc."""
    return None if before is None or alive is None else max(0, alive - before)


def per_task(seconds):
    ns = seconds * 1e9
    if ns >= 1_000_000:
        return f"{ns / 1e6:.2f} ms"
    return f"{ns / 1_000:.1f} µs"


def refuse(message):
    print(f"start_costs: error: {message} (try --help)", file=sys.stderr)
    sys.exit(2)


def main():
    options = cpairs.parse_args(
        "start_costs", "what a thread, or a process, per task costs, against a pool worker",
        tasks=True, variants=["os-threads"] + list(STARTS))
    n = options.tasks or (FULL_TASKS if options.full else DEFAULT_TASKS)
    threads = n <= THREAD_CAP
    if options.variant == "os-threads" and not threads:
        refuse(f"`--tasks {n}`: at most {THREAD_CAP} OS threads")
    cpairs.say(f"What one task costs, N = {n}: a thread, a process, or a pool worker's job.")
    options.tasks = n  # the trace's size is N, whether --tasks or the default set it
    trace = cpairs.Trace("start_costs", options)
    if options.runs("os-threads") and not threads:
        cpairs.say(f"\n== os-threads skipped: at most {THREAD_CAP} threads")
    elif options.runs("os-threads"):
        ran = trace.run("os-threads", "threading.Thread start + join", measure_threads, n)
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
