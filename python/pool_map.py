"""pool_map: Pool.map (ordered, blocking), map_async, and imap_unordered.

Twin of examples/pool_map.rs. Pool(3).map over five equal tasks starts tasks 1-3, starts
4-5 when the first ones finish, and returns the whole list, in input order, once the last
task is done. map_async returns an AsyncResult at once: the caller keeps working, then
wait()s and get()s. imap_unordered yields each result as it finishes. The articles'
concurrent.futures Executor.map is python/pool_map_executor.py.

Chapter: book/src/pool_map.md.

Run: python3 python/pool_map.py [--json] [--full] [--variant NAME]
"""

import functools
import multiprocessing
import time

import cpairs

WORKERS = 3
TASKS = 5
DEFAULT_TASK_S = 0.4
FULL_TASK_S = 2.0  # the article's size


# ANCHOR: job
def job(task_id, seconds):
    """One task: sleep `seconds` in whichever worker runs it, then return its id."""
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
    task = functools.partial(timed_job, seconds=seconds)
    with multiprocessing.Pool(WORKERS) as pool:
        # Blocks until every task is done; the list is in input order.
        for task_id in pool.map(task, range(n)):
            cpairs.arrived(task_id, "slept")
# ANCHOR_END: map


# ANCHOR: map_async
def map_async(n, seconds):
    task = functools.partial(timed_job, seconds=seconds)
    with multiprocessing.Pool(WORKERS) as pool:
        result = pool.map_async(task, range(n))
        cpairs.note("map submitted; the caller goes on with its own work")
        callers_own_work(n, seconds)  # while the pool runs the map
        cpairs.note("caller's own work done; now it waits for the map")
        result.wait()
        for task_id in result.get():
            cpairs.arrived(task_id, "slept")
# ANCHOR_END: map_async


# ANCHOR: unordered
def unordered(n, seconds):
    task = functools.partial(timed_job, seconds=seconds)
    with multiprocessing.Pool(WORKERS) as pool:
        # Yields each result the moment its task is done.
        for task_id in pool.imap_unordered(task, range(n)):
            cpairs.arrived(task_id, "slept")
# ANCHOR_END: unordered


def main():
    options = cpairs.parse_args(
        "pool_map", "Pool.map, map_async and imap_unordered on a pool of 3 processes",
        variants=["map", "map-async", "unordered"])
    seconds = FULL_TASK_S if options.full else DEFAULT_TASK_S
    trace = cpairs.Trace("pool_map", options)
    trace.run("map", "Pool(3).map", pool_map, TASKS, seconds)
    trace.run("map-async", "Pool(3).map_async, wait, get", map_async, TASKS, seconds)
    trace.run("unordered", "Pool(3).imap_unordered", unordered, TASKS, seconds)
    for v in trace.variants:
        v.update(workers=WORKERS, jobs=TASKS)
    # Two waves: three tasks, then the remaining two (ceil(tasks / workers) waves).
    trace.set_ideal(-(-TASKS // WORKERS) * seconds)
    trace.finish()


if __name__ == "__main__":
    main()
