"""gil: what the GIL does, and what it does not.

Twin of examples/gil.rs. The same CPU-bound jobs (a pure-Python loop, one job a core)
run one after another, on a ThreadPoolExecutor and on a ProcessPoolExecutor: threads
take as long as one worker, because only the thread holding the global interpreter lock
runs Python code; processes, each with its own interpreter and lock, run in parallel.
Then two threads add to one counter with a read, a call that lets the other thread run,
and a write: updates are lost, GIL or not. A threading.Lock held from the read to the
write loses none.

Chapter: book/src/gil.md. Run: python3 python/gil.py [--json] [--full] [--variant NAME]
"""

import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import cpairs

WAIT_S = 600  # every thread is waited for at most this long
DEFAULT = (0.2, 5_000)  # seconds of one core's work per job, increments per thread
FULL = (1.0, 100_000)
COUNTING_THREADS = 2


# ANCHOR: one_worker
def one_worker(sizes):
    """Every job, one after another, on this thread: the time to beat."""
    sums = []
    for task_id, n in enumerate(sizes):
        total = cpairs.task(task_id, cpairs.cpu_loop, n)
        cpairs.arrived(task_id, f"sum {total}")
        sums.append(total)
    return sums
# ANCHOR_END: one_worker


def crunch(task_id, n):
    """One job in a pool's worker: module level, so a process can unpickle it."""
    return cpairs.cpu_loop(n)


timed_crunch = cpairs.timed(crunch)  # crunch, timed as task `task_id` where it runs


# ANCHOR: on_pool
def on_pool(pool_class, sizes):
    """The same jobs, one worker each, on a pool of threads or of processes:
    the class is all that differs."""
    sums = []
    with pool_class(max_workers=len(sizes)) as pool:
        results = pool.map(timed_crunch, range(len(sizes)), sizes)
        for task_id, total in enumerate(results):
            cpairs.arrived(task_id, f"sum {total}")
            sums.append(total)
    return sums
# ANCHOR_END: on_pool


counter = 0
lock = threading.Lock()


# ANCHOR: race
def add_one():
    """Read the counter, let another thread run, write it back plus one."""
    global counter
    current = counter  # read
    time.sleep(0)  # any call that lets another thread run: I/O, a log line...
    counter = current + 1  # write: overwrites what the other thread wrote
# ANCHOR_END: race


# ANCHOR: lock
def add_one_locked():
    """The same, holding a lock from the read to the write."""
    global counter
    with lock:
        current = counter
        time.sleep(0)  # the other thread runs, and waits for the lock
        counter = current + 1
# ANCHOR_END: lock


def repeat(times, add):
    for _ in range(times):
        add()


# ANCHOR: on_each_thread
def on_each_thread(threads, times, add):
    """Set the counter to 0, call add() `times` times on each of `threads`
    threads at once, and return what the counter says."""
    global counter
    counter = 0
    workers = [threading.Thread(target=cpairs.task,
                                args=(task_id, repeat, times, add))
               for task_id in range(threads)]
    for worker in workers:
        worker.start()
    for task_id, worker in enumerate(workers):
        worker.join(timeout=WAIT_S)
        cpairs.arrived(task_id, f"{times} increments")
    return counter
# ANCHOR_END: on_each_thread


def gil_enabled():
    """Whether this interpreter runs with the GIL: always before 3.13; a free-threaded
    build (3.13t, 3.14t) runs without it unless PYTHON_GIL=1 turns it back on."""
    is_enabled = getattr(sys, "_is_gil_enabled", None)
    return True if is_enabled is None else is_enabled()


def main():
    variants = ["one-worker", "threads", "processes", "race", "lock"]
    options = cpairs.parse_args("gil", "CPU-bound jobs on threads do not run in parallel; "
                                "a read-modify-write loses updates", variants=variants)
    job_s, times = FULL if options.full else DEFAULT
    cores = cpairs.cores()
    per_unit = cpairs.cpu_loop_seconds_per_unit()
    sizes = [int(job_s / per_unit)] * cores  # one job a core, job_s of work each
    trace = cpairs.Trace("gil", options)
    one_worker_s = None
    job_variants = [
        ("one-worker", "one thread, the jobs in turn", 1, one_worker, ()),
        ("threads", "ThreadPoolExecutor, a thread per job", cores, on_pool,
         (ThreadPoolExecutor,)),
        ("processes", "ProcessPoolExecutor, a process per job", cores, on_pool,
         (ProcessPoolExecutor,)),
    ]
    for name, uses, workers, lesson, args in job_variants:
        meter = cpairs.CpuMeter()
        ran = trace.run(name, uses, lesson, *args, sizes)
        if not ran:
            continue
        sums, v = ran
        if workers == 1:
            one_worker_s = v["wall_s"]
        v.update(workers=workers, sizes=sizes, sums=sums,
                 cpu_utilisation=meter.utilisation(v["wall_s"], cores))
        if one_worker_s is not None:
            v["speedup"] = one_worker_s / v["wall_s"]
        if lesson is on_pool and args[0] is ThreadPoolExecutor:
            v["gil_enabled"] = int(gil_enabled())
        speedup = f"{v['speedup']:.2f}x" if "speedup" in v else "-"
        cpairs.say(f"  speed-up over one worker: {speedup}; CPU time / (wall x cores): "
                   f"{v['cpu_utilisation']:.2f}")
    # The ideal: all the work spread over the workers, at the fastest rate seen.
    trace.set_ideals_from_rate(per_unit, lambda v, rate: (
        sum(sizes) * rate / v["workers"] if "sizes" in v else None))
    counting = [
        ("race", "threading.Thread: read, sleep(0), write", add_one),
        ("lock", "threading.Lock held from the read to the write", add_one_locked),
    ]
    for name, uses, add in counting:
        ran = trace.run(name, uses, on_each_thread, COUNTING_THREADS, times, add)
        if not ran:
            continue
        final, v = ran
        increments = COUNTING_THREADS * times
        v.update(increments=increments, final_value=final, lost_updates=increments - final,
                 threads=COUNTING_THREADS, per_thread=times)
        cpairs.say(f"  {final} of {increments} increments counted; "
                   f"{increments - final} lost")
    trace.finish()


if __name__ == "__main__":
    main()
