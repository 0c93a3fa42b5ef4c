"""runtimes: what one asyncio task costs.

Twin of runtimes/examples/runtimes.rs. An asyncio task is much cheaper than a threading.Thread,
so a server can hold a hundred thousand of them. How cheap? A memory pass keeps N tasks
alive at once behind a gate and reads the resident memory, then a time pass creates N
no-op tasks and awaits them. Memory freed by one pass can hide the next one's growth: the
memory figure is cleanest in a fresh process per N, which is how `cargo xtask sweep`
runs the ladder. What a thread or a process per task costs is python/start_costs.py.

Chapter: book/src/runtimes.md.

Run: python3 python/runtimes.py [--json] [--tasks N (10,000 by default, a million with
--full)] [--variant NAME] [--variants]. Watch: an asyncio task costs a few microseconds
and about a kilobyte.
"""

import asyncio
import itertools
import time

import cpairs

DEFAULT_TASKS = 10_000  # as in Rust
FULL_TASKS = 1_000_000


# ANCHOR: asyncio
async def noop():
    """The time pass makes n of these: it does nothing and returns 1 (the joiner adds
    these up, which shows that every one ran to its end)."""
    return 1


async def gated(arrivals, n, all_arrived, gate):
    """The memory pass creates n of these: each waits at the gate, so that all n are
    alive at once when the memory is read. The last to arrive says so."""
    if next(arrivals) == n - 1:
        all_arrived.set()
    await gate.wait()
    return 1


async def asyncio_time_pass(n):
    """Create n no-op tasks and await them: how long, and how many completed."""
    start = time.perf_counter()
    tasks = [asyncio.create_task(noop()) for _ in range(n)]
    done = 0
    for task in tasks:
        done += await task
    return time.perf_counter() - start, done


async def asyncio_memory_pass(n):
    """n tasks alive at once: how much the resident memory grew, how many ended."""
    arrivals, all_arrived, gate = itertools.count(), asyncio.Event(), asyncio.Event()
    before = cpairs.rss_bytes()
    tasks = [asyncio.create_task(gated(arrivals, n, all_arrived, gate))
             for _ in range(n)]
    await all_arrived.wait()
    alive = cpairs.rss_bytes()
    gate.set()
    done = 0
    for task in tasks:
        done += await task
    return growth(before, alive), done
# ANCHOR_END: asyncio


def growth(before, alive):
    """Bytes the resident set grew by, or None where there is no /proc."""
    return None if before is None or alive is None else max(0, alive - before)


def measure(n):
    """The variant: a warm-up, the memory pass, then the time pass, each pass one task in
    the variant's lane. Returns the seconds and bytes per task, and how many completed."""
    asyncio.run(asyncio_time_pass(1))  # warm-up: first calls and caches are not charged
    grown, alive = cpairs.task(0, asyncio.run, asyncio_memory_pass(n), lane="asyncio")
    per_byte = None if grown is None else grown / n
    size = "? (no /proc)" if per_byte is None else f"{per_byte:.0f} B"
    cpairs.arrived(0, f"{n} alive at once: {size} each")
    elapsed, done = cpairs.task(1, asyncio.run, asyncio_time_pass(n), lane="asyncio")
    cpairs.arrived(1, f"{n} created and joined: {per_task(elapsed / n)} each")
    return elapsed / n, per_byte, min(alive, done)


def per_task(seconds):
    ns = seconds * 1e9
    return f"{ns:.0f} ns" if ns < 1_000 else f"{ns / 1_000:.1f} µs"


def main():
    options = cpairs.parse_args(
        "runtimes", "what one asyncio task costs, in time and memory",
        tasks=True, variants=["asyncio"])
    n = options.tasks or (FULL_TASKS if options.full else DEFAULT_TASKS)
    cpairs.say(f"What one task costs, N = {n}: a memory pass, then a time pass.")
    cpairs.say("(Memory reads cleanest in a fresh process per N: `cargo xtask sweep`.)")
    options.tasks = n  # the trace's size is N, whether --tasks or the default set it
    trace = cpairs.Trace("runtimes", options)
    ran = trace.run("asyncio", "asyncio.create_task + await", measure, n)
    if ran:
        (task_s, task_bytes, completed), v = ran
        v.update(task_s=task_s, completed=completed)
        if task_bytes is not None:  # no /proc: no memory figure
            v.update(task_bytes=task_bytes)
    trace.finish()


if __name__ == "__main__":
    main()
