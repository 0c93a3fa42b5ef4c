"""blocking_in_async: sync code in an async world.

Twin of examples/blocking_in_async.rs. time.sleep inside a coroutine stalls the whole
event loop; asyncio.sleep does not. Blocking functions handed to loop.run_in_executor
with a ThreadPoolExecutor(max_workers=10) run side by side: four blocking sleeps of
1..4 s finish in about 4 s instead of 10 s. executor=None uses the loop's default pool,
min(32, cpus + 4) threads.

Run: python3 python/blocking_in_async.py [--json] [--full] [--variant NAME] [--variants]
(a unit is 0.1 s; --full: 1 s)
"""

import asyncio
import concurrent.futures
import os
import time

import cpairs

SLEEP_UNITS = [1.0, 2.0, 3.0, 4.0]  # task i blocks SLEEP_UNITS[i] units
DEFAULT_UNIT_S = 0.1
FULL_UNIT_S = 1.0
TICK_UNITS = 0.25  # the heartbeat wants to wake this often
MAX_WORKERS = 10


# ANCHOR: heartbeat
async def heartbeat(clock, first_id, tick, stop):
    """A coroutine that only wants to wake up every tick. A tick much longer than asked
    is a stretch during which the event loop could run nothing else."""
    ticks = []
    while not stop.is_set():
        start = clock.now()
        await asyncio.sleep(tick)
        ticks.append(cpairs.task_span(first_id + len(ticks), "heartbeat", start,
                                      clock.now(), kind="tick"))
    return ticks
# ANCHOR_END: heartbeat


def peak_concurrency(spans):
    """The most tasks running at one instant."""
    return max(sum(o["start_s"] <= s["start_s"] < o["end_s"] for o in spans) for s in spans)


async def drive(rec, unit, start):
    """Start the heartbeat, then one awaitable per sleep with start(clock, id, seconds),
    and receive the results as they finish; the variant ends with the last result.
    Then stop the heartbeat and add its ticks and its worst lateness to the trace."""
    tick = TICK_UNITS * unit
    stop = asyncio.Event()
    beat = asyncio.create_task(heartbeat(rec.clock, len(SLEEP_UNITS), tick, stop))
    # ensure_future starts them in id order (as_completed alone would start coroutines
    # in the arbitrary order of a set).
    awaitables = [asyncio.ensure_future(start(rec.clock, task_id, units * unit))
                  for task_id, units in enumerate(SLEEP_UNITS)]
    spans = []
    for next_done in asyncio.as_completed(awaitables):
        span = await next_done
        spans.append(span)
        rec.receive(span, "slept")
    rec.note("peak_concurrency", peak_concurrency(spans))
    variant = rec.finish()

    stop.set()
    ticks = await beat  # bounded: the heartbeat looks at `stop` after every tick
    # A timer may fire a hair early: lateness below zero counts as on time.
    late_s = max([0.0] + [t["end_s"] - t["start_s"] - tick for t in ticks])
    cpairs.say(f"           peak concurrency {variant['peak_concurrency']}; "
               f"heartbeat: {len(ticks)} ticks, the worst {late_s * 1000:.0f} ms late")
    variant["heartbeat_late_s"] = late_s
    variant["tasks"].extend(ticks)
    return variant


# ANCHOR: blocking_sleep
async def blocking_nap(clock, task_id, seconds):
    start = clock.now()
    time.sleep(seconds)  # blocks the event loop's only thread
    return cpairs.task_span(task_id, cpairs.thread_lane(), start, clock.now())


async def blocking_sleep(rec, unit):
    return await drive(rec, unit, blocking_nap)
# ANCHOR_END: blocking_sleep


# ANCHOR: async_sleep
async def async_nap(clock, task_id, seconds):
    start = clock.now()
    await asyncio.sleep(seconds)  # hands the thread back to the event loop
    return cpairs.task_span(task_id, f"task-{task_id}", start, clock.now())


async def async_sleep(rec, unit):
    return await drive(rec, unit, async_nap)
# ANCHOR_END: async_sleep


# ANCHOR: offload
async def offload(rec, unit):
    loop = asyncio.get_running_loop()
    with concurrent.futures.ThreadPoolExecutor(max_workers=MAX_WORKERS) as pool:
        return await drive(rec, unit, lambda clock, task_id, seconds: loop.run_in_executor(
            pool, cpairs.sleep_job, clock, task_id, seconds))
# ANCHOR_END: offload


# ANCHOR: offload_default
async def offload_default(rec, unit):
    loop = asyncio.get_running_loop()
    return await drive(rec, unit, lambda clock, task_id, seconds: loop.run_in_executor(
        None, cpairs.sleep_job, clock, task_id, seconds))
# ANCHOR_END: offload_default


DEFAULT_WORKERS = min(32, (os.cpu_count() or 1) + 4)  # run_in_executor(None)'s pool
VARIANTS = [
    ("blocking-sleep", "time.sleep in coroutines", blocking_sleep),
    ("async-sleep", "asyncio.sleep in coroutines", async_sleep),
    ("offload", "run_in_executor(ThreadPoolExecutor(max_workers=10))", offload),
    ("offload-default",
     f"run_in_executor(None): default pool, min(32, cpus + 4) = {DEFAULT_WORKERS}",
     offload_default),
]


async def run_variant(name, uses, lesson, unit):
    """Record one variant around its lesson, inside the event loop."""
    return await lesson(cpairs.Recorder(name, uses), unit)


def main():
    options = cpairs.parse_args(
        "blocking_in_async", "blocking calls inside coroutines stall the event loop",
        variants=[name for name, _, _ in VARIANTS])
    unit = FULL_UNIT_S if options.full else DEFAULT_UNIT_S
    # Once offloaded the four sleeps overlap: the longest one is the floor. Every variant
    # gets the same ideal, so the blocked one shows what blocking costs.
    ideal = max(SLEEP_UNITS) * unit
    trace = cpairs.Trace("blocking_in_async", options)
    for name, uses, lesson in VARIANTS:
        if not options.runs(name):
            continue
        variant = asyncio.run(run_variant(name, uses, lesson, unit))
        variant["ideal_s"] = ideal
        trace.push(variant)
    trace.finish()


if __name__ == "__main__":
    main()
