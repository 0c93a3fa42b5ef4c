"""as_completed: results in submission order versus completion order.

Twin of examples/as_completed.rs. ProcessPoolExecutor.map yields results in the order
the calls were made, even when later calls finish first; concurrent.futures.as_completed
and asyncio.as_completed yield them as they finish.

Run: python3 python/as_completed.py [--json] [--full] [--variant NAME]
"""

import asyncio
import concurrent.futures
import functools

import cpairs

DEFAULT_S = [0.5, 0.1, 0.4, 0.2, 0.3]  # task i sleeps DEFAULT_S[i] seconds
FULL_SCALE = 4.0


# ANCHOR: pool_ordered
def pool_ordered(durations):
    rec = cpairs.Recorder("pool-ordered", "ProcessPoolExecutor.map")
    job = functools.partial(cpairs.sleep_job, rec.clock)
    with concurrent.futures.ProcessPoolExecutor(max_workers=len(durations)) as pool:
        # map yields in submission order: task 0 (the slowest) holds back the rest.
        for span in pool.map(job, range(len(durations)), durations):
            rec.receive(span, "slept")
    return rec.finish()
# ANCHOR_END: pool_ordered


# ANCHOR: pool_completion
def pool_completion(durations):
    rec = cpairs.Recorder("pool-completion", "concurrent.futures.as_completed")
    with concurrent.futures.ProcessPoolExecutor(max_workers=len(durations)) as pool:
        futures = [pool.submit(cpairs.sleep_job, rec.clock, task_id, seconds)
                   for task_id, seconds in enumerate(durations)]
        for future in concurrent.futures.as_completed(futures):
            rec.receive(future.result(), "slept")
    return rec.finish()
# ANCHOR_END: pool_completion


async def nap(clock, task_id, seconds):
    start = clock.now()
    await asyncio.sleep(seconds)
    return cpairs.task_span(task_id, f"task-{task_id}", start, clock.now())


# ANCHOR: async_ordered
async def async_ordered(durations):
    rec = cpairs.Recorder("async-ordered", "asyncio.create_task, awaited in order")
    tasks = [asyncio.create_task(nap(rec.clock, task_id, seconds))
             for task_id, seconds in enumerate(durations)]
    for task in tasks:
        rec.receive(await task, "slept")
    return rec.finish()
# ANCHOR_END: async_ordered


# ANCHOR: async_completion
async def async_completion(durations):
    rec = cpairs.Recorder("async-completion", "asyncio.as_completed")
    coros = [nap(rec.clock, task_id, seconds) for task_id, seconds in enumerate(durations)]
    for next_done in asyncio.as_completed(coros):
        rec.receive(await next_done, "slept")
    return rec.finish()
# ANCHOR_END: async_completion


VARIANTS = [
    ("pool-ordered", pool_ordered),
    ("pool-completion", pool_completion),
    ("async-ordered", lambda durations: asyncio.run(async_ordered(durations))),
    ("async-completion", lambda durations: asyncio.run(async_completion(durations))),
]


def main():
    options = cpairs.parse_args(
        "as_completed", "results in submission order versus completion order",
        variants=[name for name, _ in VARIANTS])
    scale = FULL_SCALE if options.full else 1.0
    durations = [d * scale for d in DEFAULT_S]
    trace = cpairs.Trace("as_completed", options)
    for name, run in VARIANTS:
        if options.runs(name):
            variant = run(durations)
            variant["ideal_s"] = max(durations)
            trace.push(variant)
    trace.finish()


if __name__ == "__main__":
    main()
