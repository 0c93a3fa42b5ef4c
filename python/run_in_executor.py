"""run_in_executor: CPU work beside an event loop.

Twin of examples/run_in_executor.rs (chapter: book/src/run_in_executor.md). Inside asyncio,
loop.run_in_executor(ProcessPoolExecutor(), f, x) turns a CPU-bound call into an
awaitable: the work runs in other processes, on other cores, while the event loop keeps
serving IO, and asyncio.as_completed hands the results over as they finish.
asyncio.to_thread is the same on a thread pool, where the GIL lets only one thread run
Python code at a time. Calling f(x) directly inside a coroutine stalls the loop.

Run: python3 python/run_in_executor.py [--json] [--full] [--variant NAME]
"""

import asyncio
import concurrent.futures
import contextlib
import time

import cpairs

SIZES = [2, 1, 3, 4]  # job i sums SIZES[i] * unit integers
DEFAULT_UNIT = 10_000_000
FULL_UNIT = 50_000_000
TICK_S = 0.010  # how long the IO task asks to sleep each time


# ANCHOR: cpu_job
def cpu_job(job_id, n):
    """One CPU job: sum n integers (timed as task job_id, wherever it runs). Module
    level, so a process pool can pickle it."""
    return job_id, cpairs.task(job_id, cpairs.cpu_work, n, kind="cpu")
# ANCHOR_END: cpu_job


# ANCHOR: ticker
async def tick(first_id, stop):
    """The IO side: sleep 10 ms over and over until `stop` is set, each tick an `io`
    task of its own. A tick that wakes more than a whole tick late says so at once."""
    tick_id = first_id
    while not stop.is_set():
        asked = time.monotonic()
        await cpairs.task_async(tick_id, asyncio.sleep(TICK_S),
                                lane="ticker", kind="io")
        late = time.monotonic() - asked - TICK_S
        if late > TICK_S:
            cpairs.note(f"io tick woke {late * 1e3:.0f} ms late "
                        f"(it asked for {TICK_S * 1e3:.0f} ms)")
        tick_id += 1


@contextlib.asynccontextmanager
async def io_ticker(first_id):
    """Run the ticker on the loop for the duration of the `async with` block."""
    stop = asyncio.Event()
    task = asyncio.create_task(tick(first_id, stop))
    await asyncio.sleep(0)  # let it begin its first sleep
    try:
        yield
    finally:
        # Not task.cancel(): it would drop the tick in flight, which shows the stall.
        stop.set()
        await task  # ends after its current sleep
# ANCHOR_END: ticker


# ANCHOR: inline
async def inline_job(job_id, n):
    # No await in here: while it computes, nothing else on the loop can run.
    return cpu_job(job_id, n)


async def inline(sizes):
    sums = [None] * len(sizes)
    async with io_ticker(len(sizes)):
        jobs = [inline_job(job_id, n) for job_id, n in enumerate(sizes)]
        for next_done in asyncio.as_completed(jobs):
            job_id, total = await next_done
            cpairs.arrived(job_id, f"sum {total}")
            sums[job_id] = total
    return sums
# ANCHOR_END: inline


# ANCHOR: thread_pool
async def thread_pool(sizes):
    sums = [None] * len(sizes)
    async with io_ticker(len(sizes)):
        jobs = [asyncio.to_thread(cpu_job, job_id, n)
                for job_id, n in enumerate(sizes)]
        for next_done in asyncio.as_completed(jobs):
            job_id, total = await next_done
            cpairs.arrived(job_id, f"sum {total}")
            sums[job_id] = total
    return sums
# ANCHOR_END: thread_pool


# ANCHOR: cpu_pool
async def cpu_pool(sizes):
    loop = asyncio.get_running_loop()
    sums = [None] * len(sizes)
    with concurrent.futures.ProcessPoolExecutor() as pool:  # one process per core
        async with io_ticker(len(sizes)):
            jobs = [loop.run_in_executor(pool, cpu_job, job_id, n)
                    for job_id, n in enumerate(sizes)]
            for next_done in asyncio.as_completed(jobs):
                job_id, total = await next_done
                cpairs.arrived(job_id, f"sum {total}")
                sums[job_id] = total
    return sums
# ANCHOR_END: cpu_pool


def main():
    options = cpairs.parse_args(
        "run_in_executor",
        "CPU work inline, on asyncio.to_thread or on a process pool, while IO runs on the loop",
        variants=["inline", "thread-pool", "cpu-pool"])
    unit = FULL_UNIT if options.full else DEFAULT_UNIT
    sizes = [s * unit for s in SIZES]
    per_unit = cpairs.cpu_seconds_per_unit()
    trace = cpairs.Trace("run_in_executor", options)
    for name, uses, lesson in [
            ("inline", "cpu_work called inside a coroutine", inline),
            ("thread-pool", "asyncio.to_thread, asyncio.as_completed", thread_pool),
            ("cpu-pool", "run_in_executor(ProcessPoolExecutor()), as_completed", cpu_pool)]:
        ran = trace.run(name, uses, lambda: asyncio.run(lesson(sizes)))
        if ran is not None:
            # Each job's size and sum (by job id), so tests can check the values, and the
            # tick asked for, which the ticks' lateness is measured against.
            sums, v = ran
            v.update(sizes=sizes, sums=sums, tick_s=TICK_S)
    # The ideal: the largest job alone, or all the work spread over every core, at the
    # fastest rate this run saw (the machine's speed drifts).
    trace.set_ideals_from_rate(per_unit, lambda _, rate: max(
        max(sizes) * rate, sum(sizes) * rate / cpairs.cores()))
    trace.finish()


if __name__ == "__main__":
    main()
