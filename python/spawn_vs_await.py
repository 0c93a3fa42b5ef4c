"""spawn_vs_await: awaiting in sequence versus running concurrently.

Twin of runtimes/examples/spawn_vs_await.rs. `await say_hello("A"); await say_hello("B")` with
3-second sleeps takes 6 s; wrapping both in asyncio.create_task (or gather) takes 3 s.
And asyncio.run makes a new event loop on every call (variant asyncio-run-twice).

Chapter: book/src/spawn_vs_await.md.

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


# ANCHOR: asyncio_run_twice
async def greet_on_this_loop(task_id, name, seconds):
    """Greet, and hand back the loop it ran on and a future made on that loop."""
    greeting = await cpairs.task_async(task_id, say_hello(name, seconds))
    loop = asyncio.get_running_loop()
    return greeting, loop, loop.create_future()


async def wait_on(future, seconds):
    return await asyncio.wait_for(future, timeout=seconds)


def asyncio_run_twice(seconds):
    """Each asyncio.run makes a new event loop, runs the coroutine, then closes it."""
    a, first_loop, future = asyncio.run(greet_on_this_loop(0, "A", seconds))
    cpairs.arrived(0, a)
    b, second_loop, _ = asyncio.run(greet_on_this_loop(1, "B", seconds))
    cpairs.arrived(1, b)
    cpairs.note(f"same loop: {first_loop is second_loop}; the first closed: "
                f"{first_loop.is_closed()}")
    try:  # a future belongs to the loop that made it: the first run's is no use now
        asyncio.run(wait_on(future, seconds))
    except (ValueError, RuntimeError) as error:
        # ValueError up to Python 3.11, RuntimeError from 3.12 on
        said = f"{type(error).__name__}: {error}"
        cpairs.note(said)
        return [first_loop, second_loop], said
    return [first_loop, second_loop], None
# ANCHOR_END: asyncio_run_twice


VARIANTS = [
    ("sequential", "await one coroutine after the other", sequential),
    ("join", "asyncio.gather", join),
    ("spawn", "asyncio.create_task, then await the tasks", spawn),
    ("group", "asyncio.TaskGroup", group),
]


def main():
    options = cpairs.parse_args(
        "spawn_vs_await", "awaiting in sequence versus running concurrently",
        variants=[name for name, _, _ in VARIANTS] + ["asyncio-run-twice"])
    seconds = FULL_S if options.full else DEFAULT_S
    trace = cpairs.Trace("spawn_vs_await", options)
    # One event loop for every variant, made before any is timed (as the Rust example
    # builds its runtime once); each variant runs its coroutine to completion on it.
    with asyncio.Runner() as loop:
        for name, uses, lesson in VARIANTS:
            trace.run(name, uses, lambda: loop.run(lesson(seconds)))
    # The workload's lower bound, for every variant: the sequential one shows 2x.
    trace.set_ideal(seconds)
    # Outside the Runner: asyncio.run refuses to start inside a running loop.
    ran = trace.run("asyncio-run-twice", "asyncio.run, twice", asyncio_run_twice, seconds)
    if ran:
        (loops, error), v = ran
        v.update(event_loops=len({id(loop) for loop in loops}), ideal_s=2 * seconds)
        if error:
            v["error"] = error
    trace.finish()


if __name__ == "__main__":
    main()
