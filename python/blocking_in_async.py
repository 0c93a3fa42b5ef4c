"""blocking_in_async: sync code in an async world.

Twin of examples/blocking_in_async.rs (chapter: book/src/blocking_in_async.md). time.sleep inside a coroutine stalls the whole
event loop; asyncio.sleep does not. Blocking functions handed to loop.run_in_executor
with a ThreadPoolExecutor(max_workers=10) run side by side: four blocking sleeps of
1..4 s finish in about 4 s instead of 10 s. executor=None uses the loop's default pool,
min(32, cpus + 4) threads.

Run: python3 python/blocking_in_async.py [--json] [--full] [--variant NAME] [--variants]
(a unit is 0.1 s; --full: 1 s)
"""

import asyncio
import concurrent.futures
import itertools
import os
import time

import cpairs

SLEEP_UNITS = [1.0, 2.0, 3.0, 4.0]  # task i blocks SLEEP_UNITS[i] units
DEFAULT_UNIT_S = 0.1
FULL_UNIT_S = 1.0
TICK_UNITS = 0.25  # the heartbeat wants to wake this often
MAX_WORKERS = 10
FIRST_TICK = len(SLEEP_UNITS)  # the heartbeat's ticks are numbered after the sleeps


# ANCHOR: heartbeat
async def nap(tick, stop):
    """Sleep for one tick, or less if told to stop meanwhile: whether told to stop."""
    try:
        await asyncio.wait_for(stop.wait(), timeout=tick)
        return True
    except TimeoutError:
        return False


async def heartbeat(tick, stop):
    """A coroutine that only wants to wake every tick, until told to stop. A tick much
    longer than asked is a stretch in which the event loop could run nothing else."""
    for tick_id in itertools.count(FIRST_TICK):
        if await cpairs.task_async(tick_id, nap(tick, stop),
                                   lane="heartbeat", kind="tick"):
            return  # a tick cut short: the last one
# ANCHOR_END: heartbeat


async def numbered(task_id, awaitable):
    """Await `awaitable`, then say which task it was: as_completed does not."""
    await awaitable
    return task_id


# ANCHOR: drive
async def drive(unit, start):
    """The caller's side, the same in every variant: start the heartbeat and one
    awaitable per sleep with start(task_id, seconds), take each result when it is
    ready, then stop the heartbeat."""
    stop = asyncio.Event()
    beat = asyncio.create_task(heartbeat(TICK_UNITS * unit, stop))
    # ensure_future starts them in id order (as_completed alone would start coroutines
    # in the arbitrary order of a set).
    running = [asyncio.ensure_future(numbered(task_id, start(task_id, units * unit)))
               for task_id, units in enumerate(SLEEP_UNITS)]
    for next_done in asyncio.as_completed(running):
        cpairs.arrived(await next_done, "slept")
    stop.set()
    await beat  # at once: the heartbeat's nap ends when `stop` is set
# ANCHOR_END: drive


def timed_sleep(task_id, seconds):
    """time.sleep(seconds) as task task_id, timed in the thread that runs it, a span of
    kind "sleep" (the heartbeat's are "tick"s); cpairs.task_async does the same for a
    coroutine. Neither changes when anything runs."""
    cpairs.task(task_id, time.sleep, seconds, kind="sleep")


# ANCHOR: blocking_sleep
async def blocking_nap(task_id, seconds):
    timed_sleep(task_id, seconds)  # time.sleep: blocks the event loop's only thread


async def blocking_sleep(unit):
    await drive(unit, blocking_nap)
# ANCHOR_END: blocking_sleep


# ANCHOR: async_sleep
async def async_nap(task_id, seconds):
    # hands the thread back to the event loop
    await cpairs.task_async(task_id, asyncio.sleep(seconds), kind="sleep")


async def async_sleep(unit):
    await drive(unit, async_nap)
# ANCHOR_END: async_sleep


# ANCHOR: offload
async def offload(unit):
    loop = asyncio.get_running_loop()
    with concurrent.futures.ThreadPoolExecutor(max_workers=MAX_WORKERS) as pool:
        await drive(unit, lambda task_id, seconds: loop.run_in_executor(
            pool, timed_sleep, task_id, seconds))
# ANCHOR_END: offload


# ANCHOR: offload_default
async def offload_default(unit):
    loop = asyncio.get_running_loop()
    await drive(unit, lambda task_id, seconds: loop.run_in_executor(
        None, timed_sleep, task_id, seconds))
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


def main():
    options = cpairs.parse_args(
        "blocking_in_async", "blocking calls inside coroutines stall the event loop",
        variants=[name for name, _, _ in VARIANTS])
    unit = FULL_UNIT_S if options.full else DEFAULT_UNIT_S
    trace = cpairs.Trace("blocking_in_async", options)
    for name, uses, lesson in VARIANTS:
        # A fresh event loop per variant, made and closed outside the timing.
        with asyncio.Runner() as loop:
            ran = trace.run(name, uses, lambda: loop.run(lesson(unit)))
        if ran is not None:
            # The peak concurrency and the heartbeat's lateness follow from the spans
            # (of kind "sleep", and "tick"s against the tick asked for).
            ran[1].update(sleeping_tasks=len(SLEEP_UNITS), tick_s=TICK_UNITS * unit)
    # Once offloaded the four sleeps overlap: the longest one is the floor. Every variant
    # gets the same ideal, so the blocked one shows what blocking costs.
    trace.set_ideal(max(SLEEP_UNITS) * unit)
    trace.finish()


if __name__ == "__main__":
    main()
