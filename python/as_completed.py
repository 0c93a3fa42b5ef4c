"""as_completed: results in submission order versus completion order.

Twin of examples/as_completed.rs (chapter: book/src/as_completed.md). ProcessPoolExecutor.map yields results in the order
the calls were made, even when later calls finish first; concurrent.futures.as_completed
and asyncio.as_completed yield them as they finish.

Run: python3 python/as_completed.py [--json] [--full] [--variant NAME]
"""

import asyncio
import concurrent.futures
import time

import cpairs

DEFAULT_S = [0.5, 0.1, 0.4, 0.2, 0.3]  # task i sleeps DEFAULT_S[i] seconds
FULL_SCALE = 4.0


# ANCHOR: work
def sleeper(task_id, seconds):
    """A worker process's task: block for `seconds`, then hand back its id (so that a
    result taken in completion order still says which task it was)."""
    time.sleep(seconds)
    return task_id


async def nap(task_id, seconds):
    """An async task: an IO-like wait that yields to the event loop, then its id."""
    await asyncio.sleep(seconds)
    return task_id
# ANCHOR_END: work


# sleeper, timed as task `task_id` in the worker that runs it.
timed_sleeper = cpairs.timed(sleeper)


# ANCHOR: pool_ordered
def pool_ordered(durations):
    with concurrent.futures.ProcessPoolExecutor(max_workers=len(durations)) as pool:
        # map yields in submission order: task 0 (the slowest) holds back the rest.
        for task_id in pool.map(timed_sleeper, range(len(durations)), durations):
            cpairs.arrived(task_id, "slept")
# ANCHOR_END: pool_ordered


# ANCHOR: pool_completion
def pool_completion(durations):
    with concurrent.futures.ProcessPoolExecutor(max_workers=len(durations)) as pool:
        futures = [pool.submit(timed_sleeper, task_id, seconds)
                   for task_id, seconds in enumerate(durations)]
        for future in concurrent.futures.as_completed(futures):
            cpairs.arrived(future.result(), "slept")
# ANCHOR_END: pool_completion


# ANCHOR: async_ordered
async def async_ordered(durations):
    tasks = [asyncio.create_task(cpairs.task_async(task_id, nap(task_id, seconds)))
             for task_id, seconds in enumerate(durations)]
    for task in tasks:
        cpairs.arrived(await task, "slept")
# ANCHOR_END: async_ordered


# ANCHOR: async_completion
async def async_completion(durations):
    coros = [cpairs.task_async(task_id, nap(task_id, seconds))
             for task_id, seconds in enumerate(durations)]
    for next_done in asyncio.as_completed(coros):
        cpairs.arrived(await next_done, "slept")
# ANCHOR_END: async_completion


def main():
    options = cpairs.parse_args(
        "as_completed", "results in submission order versus completion order",
        variants=["pool-ordered", "pool-completion", "async-ordered", "async-completion"])
    scale = FULL_SCALE if options.full else 1.0
    durations = [d * scale for d in DEFAULT_S]
    trace = cpairs.Trace("as_completed", options)
    trace.run("pool-ordered", "ProcessPoolExecutor.map", pool_ordered, durations)
    trace.run("pool-completion", "concurrent.futures.as_completed",
              pool_completion, durations)
    trace.run("async-ordered", "asyncio.create_task, awaited in order",
              lambda durations: asyncio.run(async_ordered(durations)), durations)
    trace.run("async-completion", "asyncio.as_completed",
              lambda durations: asyncio.run(async_completion(durations)), durations)
    # Every task runs at once, so the batch takes no less than the slowest.
    trace.set_ideal(max(durations))
    for v in trace.variants:  # each task's sleep in ms: which should finish first
        v.update(sizes=[round(d * 1e3) for d in durations])
    trace.finish()


if __name__ == "__main__":
    main()
