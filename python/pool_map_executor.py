"""pool_map_executor: Executor.map, in order, on workers that are reused.

Twin of examples/pool_map_executor.rs. Two claims of the articles about
concurrent.futures: ThreadPoolExecutor(5).map over 1..4 gives [1, 4, 9, 16] after the
longest sleep ("Multi-tasking in Python"), and a ProcessPoolExecutor reuses its workers
rather than starting a process per job (KitfuCoda part 4 says otherwise). Pool.map itself
is python/pool_map.py.

Chapter: book/src/pool_map.md.

Run: python3 python/pool_map_executor.py [--json] [--full] [--variant NAME]
"""

import os
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import cpairs

# "Multi-tasking in Python": ThreadPoolExecutor(max_workers=5).map over 1..4, task i
# sleeping i seconds (--full; 0.1 s a unit by default).
THREAD_WORKERS = 5
SQUARES = [1, 2, 3, 4]
DEFAULT_UNIT_S = 0.1
FULL_UNIT_S = 1.0
# Many short jobs on three worker processes.
WORKERS = 3
REUSE_JOBS = 30
REUSE_JOB_S = 0.01


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
# ANCHOR_END: pool_reuses_workers


timed_whose_job = cpairs.timed(whose_job)


def main():
    options = cpairs.parse_args(
        "pool_map_executor",
        "Executor.map hands results over in input order; a pool of 3 processes reuses them",
        variants=["thread-pool-map", "pool-reuses-workers"])
    unit = FULL_UNIT_S if options.full else DEFAULT_UNIT_S
    trace = cpairs.Trace("pool_map_executor", options)
    ran = trace.run("thread-pool-map", "ThreadPoolExecutor(5).map", thread_pool_map, unit)
    if ran:
        squares, v = ran
        v.update(sums=squares, workers=THREAD_WORKERS, jobs=len(SQUARES),
                 ideal_s=max(SQUARES) * unit)
    ran = trace.run("pool-reuses-workers", "ProcessPoolExecutor(3).map, 30 jobs",
                    pool_reuses_workers, REUSE_JOBS, REUSE_JOB_S)
    if ran:
        v = ran[1]
        v.update(jobs=REUSE_JOBS, workers=WORKERS,
                 ideal_s=-(-REUSE_JOBS // WORKERS) * REUSE_JOB_S)
    trace.finish()


if __name__ == "__main__":
    main()
