"""pool_map: Pool.map (ordered, blocking), map_async, and imap_unordered.

Twin of examples/pool_map.rs. Pool(3).map over five equal tasks starts tasks 1-3, starts
4-5 when the first ones finish, and returns the whole list, in input order, once the last
task is done. map_async returns an AsyncResult at once: the caller keeps working, then
wait()s and get()s. imap_unordered yields each result as it finishes.

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


# ANCHOR: map
def pool_map(task_s):
    rec = cpairs.Recorder("map", "Pool(3).map")
    job = functools.partial(cpairs.sleep_job, rec.clock, seconds=task_s)
    with multiprocessing.Pool(WORKERS) as pool:
        # Blocks until every task is done; the list is in input order.
        for span in pool.map(job, range(TASKS)):
            rec.receive(span, "slept")
    return rec.finish()
# ANCHOR_END: map


# ANCHOR: map_async
def map_async(task_s):
    rec = cpairs.Recorder("map-async", "Pool(3).map_async, wait, get")
    job = functools.partial(cpairs.sleep_job, rec.clock, seconds=task_s)
    with multiprocessing.Pool(WORKERS) as pool:
        result = pool.map_async(job, range(TASKS))  # returns at once
        rec.say("map submitted; the caller goes on with its own work")
        start = rec.clock.now()
        time.sleep(task_s)  # the caller's own work, while the pool runs the map
        rec.record(cpairs.task_span(TASKS, "caller", start, rec.clock.now(), kind="caller"))
        rec.say("caller's own work done; now it waits for the map")
        result.wait()
        for span in result.get():
            rec.receive(span, "slept")
    return rec.finish()
# ANCHOR_END: map_async


# ANCHOR: unordered
def unordered(task_s):
    rec = cpairs.Recorder("unordered", "Pool(3).imap_unordered")
    job = functools.partial(cpairs.sleep_job, rec.clock, seconds=task_s)
    with multiprocessing.Pool(WORKERS) as pool:
        # Yields each result the moment its task is done.
        for span in pool.imap_unordered(job, range(TASKS)):
            rec.receive(span, "slept")
    return rec.finish()
# ANCHOR_END: unordered


VARIANTS = [("map", pool_map), ("map-async", map_async), ("unordered", unordered)]


def main():
    options = cpairs.parse_args(
        "pool_map", "Pool.map, map_async and imap_unordered on a pool of 3 processes",
        variants=[name for name, _ in VARIANTS])
    task_s = FULL_TASK_S if options.full else DEFAULT_TASK_S
    ideal = -(-TASKS // WORKERS) * task_s  # ceil(tasks / workers) waves
    trace = cpairs.Trace("pool_map", options)
    for name, run in VARIANTS:
        if options.runs(name):
            variant = run(task_s)
            variant["ideal_s"] = ideal
            trace.push(variant)
    trace.finish()


if __name__ == "__main__":
    main()
