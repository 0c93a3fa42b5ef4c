"""spawn_vs_await: awaiting in sequence versus running concurrently.

Twin of examples/spawn_vs_await.rs. `await say_hello("A"); await say_hello("B")` with
3-second sleeps takes 6 s; wrapping both in asyncio.create_task (or gather) takes 3 s.

Run: python3 python/spawn_vs_await.py [--json] [--full]   (--full: the article's 3 s)
"""

import asyncio

import cpairs

DEFAULT_S = 0.3  # each greeting sleeps this long first
FULL_S = 3.0


# ANCHOR: say_hello
async def say_hello(clock, task_id, name, seconds):
    start = clock.now()
    await asyncio.sleep(seconds)
    return f"hello, {name}", cpairs.task_span(task_id, f"task-{task_id}", start, clock.now())
# ANCHOR_END: say_hello


# ANCHOR: sequential
async def sequential(seconds):
    rec = cpairs.Recorder("sequential", "await one coroutine after the other")
    greeting, span = await say_hello(rec.clock, 0, "A", seconds)
    rec.receive(span, greeting)
    greeting, span = await say_hello(rec.clock, 1, "B", seconds)
    rec.receive(span, greeting)
    return rec.finish()
# ANCHOR_END: sequential


# ANCHOR: join
async def join(seconds):
    rec = cpairs.Recorder("join", "asyncio.gather")
    results = await asyncio.gather(say_hello(rec.clock, 0, "A", seconds),
                                   say_hello(rec.clock, 1, "B", seconds))
    for greeting, span in results:
        rec.receive(span, greeting)
    return rec.finish()
# ANCHOR_END: join


# ANCHOR: spawn
async def spawn(seconds):
    rec = cpairs.Recorder("spawn", "asyncio.create_task, then await the tasks")
    a = asyncio.create_task(say_hello(rec.clock, 0, "A", seconds))
    b = asyncio.create_task(say_hello(rec.clock, 1, "B", seconds))
    for task in (a, b):
        greeting, span = await task
        rec.receive(span, greeting)
    return rec.finish()
# ANCHOR_END: spawn


# ANCHOR: group
async def group(seconds):
    rec = cpairs.Recorder("group", "asyncio.TaskGroup")
    async with asyncio.TaskGroup() as tg:
        tasks = [tg.create_task(say_hello(rec.clock, task_id, name, seconds))
                 for task_id, name in enumerate("AB")]
    # Leaving the block waited for every task.
    for task in tasks:
        greeting, span = task.result()
        rec.receive(span, greeting)
    return rec.finish()
# ANCHOR_END: group


def main():
    options = cpairs.parse_args(
        "spawn_vs_await", "awaiting in sequence versus running concurrently")
    seconds = FULL_S if options.full else DEFAULT_S
    trace = cpairs.Trace("spawn_vs_await", options)
    for variant_fn in (sequential, join, spawn, group):
        variant = asyncio.run(variant_fn(seconds))
        # The workload's lower bound, for every variant: the sequential one shows 2x.
        variant["ideal_s"] = seconds
        trace.push(variant)
    trace.finish()


if __name__ == "__main__":
    main()
