"""spawn_vs_await: awaiting in sequence versus running concurrently.

Twin of examples/spawn_vs_await.rs. `await say_hello("A"); await say_hello("B")` with
3-second sleeps takes 6 s; wrapping both in asyncio.create_task (or gather) takes 3 s.

Run: python3 python/spawn_vs_await.py [--json] [--full] [--variant NAME] [--variants]
(--full: the article's 3 s)
"""

import asyncio

import cpairs

DEFAULT_S = 0.3  # each greeting sleeps this long first
FULL_S = 3.0


# ANCHOR: say_hello
async def say_hello(name, seconds):
    await asyncio.sleep(seconds)
    return f"hello, {name}"
# ANCHOR_END: say_hello


async def timed(rec, task_id, coroutine):
    """Instrumentation, not the pattern: await `coroutine` as task `task_id` and return
    (its value, its span), as Rust's task_async does."""
    start = rec.clock.now()
    value = await coroutine
    return value, cpairs.task_span(task_id, f"task-{task_id}", start, rec.clock.now())


# ANCHOR: sequential
async def sequential(rec, seconds):
    greeting, span = await timed(rec, 0, say_hello("A", seconds))
    rec.receive(span, greeting)
    greeting, span = await timed(rec, 1, say_hello("B", seconds))
    rec.receive(span, greeting)
# ANCHOR_END: sequential


# ANCHOR: join
async def join(rec, seconds):
    results = await asyncio.gather(timed(rec, 0, say_hello("A", seconds)),
                                   timed(rec, 1, say_hello("B", seconds)))
    for greeting, span in results:
        rec.receive(span, greeting)
# ANCHOR_END: join


# ANCHOR: spawn
async def spawn(rec, seconds):
    a = asyncio.create_task(timed(rec, 0, say_hello("A", seconds)))
    b = asyncio.create_task(timed(rec, 1, say_hello("B", seconds)))
    for task in (a, b):
        greeting, span = await task
        rec.receive(span, greeting)
# ANCHOR_END: spawn


# ANCHOR: group
async def group(rec, seconds):
    async with asyncio.TaskGroup() as tg:
        tasks = [tg.create_task(timed(rec, task_id, say_hello(name, seconds)))
                 for task_id, name in enumerate("AB")]
    # Leaving the block waited for every task.
    for task in tasks:
        greeting, span = task.result()
        rec.receive(span, greeting)
# ANCHOR_END: group


VARIANTS = [
    ("sequential", "await one coroutine after the other", sequential),
    ("join", "asyncio.gather", join),
    ("spawn", "asyncio.create_task, then await the tasks", spawn),
    ("group", "asyncio.TaskGroup", group),
]


async def run_variant(name, uses, lesson, seconds):
    """Record one variant around its lesson, inside the event loop."""
    rec = cpairs.Recorder(name, uses)
    await lesson(rec, seconds)
    return rec.finish()


def main():
    options = cpairs.parse_args(
        "spawn_vs_await", "awaiting in sequence versus running concurrently",
        variants=[name for name, _, _ in VARIANTS])
    seconds = FULL_S if options.full else DEFAULT_S
    trace = cpairs.Trace("spawn_vs_await", options)
    for name, uses, lesson in VARIANTS:
        if not options.runs(name):
            continue
        variant = asyncio.run(run_variant(name, uses, lesson, seconds))
        # The workload's lower bound, for every variant: the sequential one shows 2x.
        variant["ideal_s"] = seconds
        trace.push(variant)
    trace.finish()


if __name__ == "__main__":
    main()
