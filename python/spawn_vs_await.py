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


# Below, `await cpairs.task_async(id, coroutine)` awaits the coroutine as task `id` (timed,
# for the trace), and `cpairs.arrived(id, value)` prints a result the moment the caller
# holds it.

# ANCHOR: sequential
async def sequential(seconds):
    a = await cpairs.task_async(0, say_hello("A", seconds))
    cpairs.arrived(0, a)
    b = await cpairs.task_async(1, say_hello("B", seconds))
    cpairs.arrived(1, b)
# ANCHOR_END: sequential


# ANCHOR: join
async def join(seconds):
    a, b = await asyncio.gather(cpairs.task_async(0, say_hello("A", seconds)),
                                cpairs.task_async(1, say_hello("B", seconds)))
    cpairs.arrived(0, a)
    cpairs.arrived(1, b)
# ANCHOR_END: join


# ANCHOR: spawn
async def spawn(seconds):
    a = asyncio.create_task(cpairs.task_async(0, say_hello("A", seconds)))
    b = asyncio.create_task(cpairs.task_async(1, say_hello("B", seconds)))
    for task_id, task in enumerate([a, b]):
        cpairs.arrived(task_id, await task)
# ANCHOR_END: spawn


# ANCHOR: group
async def group(seconds):
    async with asyncio.TaskGroup() as tg:
        tasks = [tg.create_task(cpairs.task_async(task_id, say_hello(name, seconds)))
                 for task_id, name in enumerate("AB")]
    # Leaving the block waited for every task.
    for task_id, task in enumerate(tasks):
        cpairs.arrived(task_id, task.result())
# ANCHOR_END: group


VARIANTS = [
    ("sequential", "await one coroutine after the other", sequential),
    ("join", "asyncio.gather", join),
    ("spawn", "asyncio.create_task, then await the tasks", spawn),
    ("group", "asyncio.TaskGroup", group),
]


def main():
    options = cpairs.parse_args(
        "spawn_vs_await", "awaiting in sequence versus running concurrently",
        variants=[name for name, _, _ in VARIANTS])
    seconds = FULL_S if options.full else DEFAULT_S
    trace = cpairs.Trace("spawn_vs_await", options)
    # One event loop for every variant, made before any is timed (as the Rust example
    # builds its runtime once); each variant runs its coroutine to completion on it.
    with asyncio.Runner() as loop:
        for name, uses, lesson in VARIANTS:
            trace.run(name, uses, lambda: loop.run(lesson(seconds)))
    # The workload's lower bound, for every variant: the sequential one shows 2x.
    trace.set_ideal(seconds)
    trace.finish()


if __name__ == "__main__":
    main()
