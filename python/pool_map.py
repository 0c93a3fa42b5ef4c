"""pool_map: Pool.map (ordered, blocking), map_async, and imap_unordered.

Twin of examples/pool_map.rs. Pool(3).map over five equal tasks starts tasks 1-3, starts
4-5 when the first ones finish, and returns the whole list, in input order, once the last
task is done. map_async returns an AsyncResult at once: the caller keeps working, then
wait()s and get()s. imap_unordered yields each result as it finishes. Two claims of the
articles besides: ThreadPoolExecutor(5).map over 1..4 gives [1, 4, 9, 16] after the
longest sleep ("Multi-tasking in Python"), and a ProcessPoolExecutor reuses its workers
rather than starting a process per job (KitfuCoda part 4 says otherwise).

Chapter: book/src/pool_map.md.

Run: python3 python/pool_map.py [--json] [--full] [--variant NAME]
"""

import functools
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import cpairs

WORKERS = 3
TASKS = 5
DEFAULT_TASK_S = 0.4
FULL_TASK_S = 2.0  # the article's size
# "Multi-tasking in Python": ThreadPoolExecutor(max_workers=5).map over 1..4, task i
# sleeping i seconds (--full; 0.1 s a unit by default).
THREAD_WORKERS, SQUARES = 5, [1, 2, 3, 4]
DEFAULT_UNIT_S, FULL_UNIT_S = 0.1, 1.0
REUSE_JOBS, REUSE_JOB_S = 30, 0.01  # many short jobs on the WORKERS processes


# ANCHOR: job
def job(task_id, seconds):
    """One task: sleep `seconds` in whichever worker process runs it, then hand back its id."""
    time.sleep(seconds)
    return task_id
# ANCHOR_END: job


# job, timed as task `task_id` in the worker that runs it.
timed_job = cpairs.timed(job)


def callers_own_work(task_id, seconds):
    """The caller's own work in map-async, as long as one task: timed as task `task_id`
    (the one after the pool's), in a lane of its own."""
    cpairs.task(task_id, time.sleep, seconds, lane="caller", kind="caller")


# ANCHOR: map
def pool_map(n, seconds):
    with multiprocessing.Pool(WORKERS) as pool:
        # Blocks until every task is done; the list is in input order.
        for task_id in pool.map(functools.partial(timed_job, seconds=seconds), range(n)):
            cpairs.arrived(task_id, "slept")
# ANCHOR_END: map


# ANCHOR: map_async
def map_async(n, seconds):
    with multiprocessing.Pool(WORKERS) as pool:
        result = pool.map_async(functools.partial(timed_job, seconds=seconds), range(n))
        cpairs.note("map submitted; the caller goes on with its own work")
        callers_own_work(n, seconds)  # while the pool runs the map
        cpairs.note("caller's own work done; now it waits for the map")
        result.wait()
        for task_id in result.get():
            cpairs.arrived(task_id, "slept")
# ANCHOR_END: map_async


# ANCHOR: unordered
def unordered(n, seconds):
    with multiprocessing.Pool(WORKERS) as pool:
        # Yields each result the moment its task is done.
        for task_id in pool.imap_unordered(functools.partial(timed_job, seconds=seconds),
                                           range(n)):
            cpairs.arrived(task_id, "slept")
# ANCHOR_END: unordered


# ANCHOR: thread_pool_map
def slow_square(task_id, i, unit):
    """Sleep i units, then hand back i squared."""
    time.sleep(i * unit)
    return i ** 2


def thread_pool_map(unit):
    with ThreadPoolExecutor(max_workers=THREAD_WORKERS) as executor:
        squares = executor.map(timed_square, range(len(SQUARES)), SQUARES,
                               [unit] * len(SQUARES))
        # map's iterator hands each result over in input order, as soon as it is done.
        results = []
        for task_id, square in enumerate(squares):
            cpairs.arrived(task_id, f"{SQUARES[task_id]} squared is {square}")
            results.append(square)
    return results
# ANCHOR_END: thread_pool_map


timed_square = cpairs.timed(slow_square)


# ANCHOR: pool_reuses_workers
def whose_job(task_id, seconds):
    """A short job that says which process ran it."""
    time.sleep(seconds)
    return os.getpid()


def pool_reuses_workers(jobs, seconds):
    """Many jobs, few workers: every job runs in one of the pool's processes, which
    the pool starts once and reuses, not in a new process per job."""
    with ProcessPoolExecutor(max_workers=WORKERS) as executor:
        pids = list(executor.map(timed_whose_job, range(jobs), [seconds] * jobs))
    for task_id, pid in enumerate(pids):
        cpairs.arrived(task_id, f"ran in process {pid}")
    return len(set(pids))
# ANCHOR_END: pool_reuses_workers


timed_whose_job = cpairs.timed(whose_job)


def main():
    options = cpairs.parse_args(
        "pool_map", "Pool.map, map_async and imap_unordered on a pool of 3 processes",
        variants=["map", "map-async", "unordered", "thread-pool-map", "pool-reuses-workers"])
    seconds = FULL_TASK_S if options.full else DEFAULT_TASK_S
    trace = cpairs.Trace("pool_map", options)
    trace.run("map", "Pool(3).map", pool_map, TASKS, seconds)
    trace.run("map-async", "Pool(3).map_async, wait, get", map_async, TASKS, seconds)
    trace.run("unordered", "Pool(3).imap_unordered", unordered, TASKS, seconds)
    for v in trace.variants:  # the three above
        v.update(workers=WORKERS, jobs=TASKS)
    # Two waves: three tasks, then the remaining two (ceil(tasks / workers) waves).
    trace.set_ideal(-(-TASKS // WORKERS) * seconds)
    unit = FULL_UNIT_S if options.full else DEFAULT_UNIT_S
    ran = trace.run("thread-pool-map", "ThreadPoolExecutor(5).map", thread_pool_map, unit)
    if ran:
        squares, v = ran
        v.update(sums=squares, workers=THREAD_WORKERS, ideal_s=max(SQUARES) * unit)
    ran = trace.run("pool-reuses-workers", "ProcessPoolExecutor(3).map, 30 jobs",
                    pool_reuses_workers, REUSE_JOBS, REUSE_JOB_S)
    if ran:
        distinct, v = ran
        v.update(jobs=REUSE_JOBS, workers=WORKERS, distinct_workers=distinct,
                 ideal_s=-(-REUSE_JOBS // WORKERS) * REUSE_JOB_S)
    trace.finish()


if __name__ == "__main__":
    main()
