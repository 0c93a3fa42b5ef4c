"""run_in_executor: CPU work beside an event loop.

Twin of examples/run_in_executor.rs. Inside asyncio,
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

import cpairs

SIZES = [2, 1, 3, 4]  # job i sums SIZES[i] * unit integers
DEFAULT_UNIT = 10_000_000
FULL_UNIT = 50_000_000
TICK_S = 0.010  # how long the IO task asks to sleep each time


def cpu_job(clock, job_id, n):
    """One CPU job, timed (module level, so a process pool can pickle it)."""
    start = clock.now()
    total = cpairs.cpu_work(n)
    return total, cpairs.task_span(job_id, cpairs.current_lane(), start, clock.now(), kind="cpu")


def receive(rec, sums, result):
    """The caller holds a job's result: keep the sum for the trace, and record it."""
    total, span = result
    sums[span["id"]] = total
    rec.receive(span, f"sum {total}")


def finish(rec, sizes, sums):
    """Put each job's size and sum in the trace (by job id) and stop the clock."""
    wrong = sum(1 for n, total in zip(sizes, sums) if total != cpairs.cpu_work_expected(n))
    if wrong:
        rec.say(f"{wrong} CPU results are wrong")
    rec.note("sizes", sizes)
    rec.note("sums", sums)
    return rec.finish()


# ANCHOR: ticker
async def tick(clock, first_id, ticks, stop):
    """The IO side: sleep 10 ms over and over until `stop` is set, recording each tick."""
    while not stop.is_set():
        start = clock.now()
        await asyncio.sleep(TICK_S)
        end = clock.now()
        late = end - start - TICK_S
        if late > TICK_S:
            cpairs.say(f"[{end:7.3f}s] io tick woke {late * 1e3:.0f} ms late "
                       f"(it asked for {TICK_S * 1e3:.0f} ms)")
        ticks.append(cpairs.task_span(first_id + len(ticks), "ticker", start, end, kind="io"))


@contextlib.asynccontextmanager
async def io_ticker(rec, first_id):
    """Run the ticker on the loop for the duration of the `async with` block."""
    ticks, stop = [], asyncio.Event()
    task = asyncio.create_task(tick(rec.clock, first_id, ticks, stop))
    await asyncio.sleep(0)  # let it begin its first sleep
    try:
        yield
    finally:
        # Not task.cancel(): that would drop the tick in flight, the one that shows a stall.
        stop.set()
        await task  # ends after its current sleep
        worst = max([t["end_s"] - t["start_s"] - TICK_S for t in ticks] + [0.0])
        over = ticks[-1]["end_s"] - ticks[0]["start_s"] if ticks else 0.0
        rec.say(f"io ticker: {len(ticks)} ticks in {over:.3f}s (it asked for one every "
                f"{TICK_S * 1e3:.0f} ms), worst {worst * 1e3:.1f} ms late")
        rec.note("io_ticks", len(ticks))
        rec.note("io_max_late_s", worst)
        for span in ticks:
            rec.record(span)
# ANCHOR_END: ticker


# ANCHOR: inline
async def inline_job(clock, job_id, n):
    # No await in here: while it computes, nothing else on the loop can run.
    return cpu_job(clock, job_id, n)


async def inline(sizes):
    rec = cpairs.Recorder("inline", "cpu_work called inside a coroutine")
    sums = [None] * len(sizes)
    async with io_ticker(rec, len(sizes)):
        jobs = [inline_job(rec.clock, job_id, n) for job_id, n in enumerate(sizes)]
        for next_done in asyncio.as_completed(jobs):
            receive(rec, sums, await next_done)
    return finish(rec, sizes, sums)
# ANCHOR_END: inline


# ANCHOR: thread_pool
async def thread_pool(sizes):
    rec = cpairs.Recorder("thread-pool", "asyncio.to_thread, asyncio.as_completed")
    sums = [None] * len(sizes)
    async with io_ticker(rec, len(sizes)):
        jobs = [asyncio.to_thread(cpu_job, rec.clock, job_id, n)
                for job_id, n in enumerate(sizes)]
        for next_done in asyncio.as_completed(jobs):
            receive(rec, sums, await next_done)
    return finish(rec, sizes, sums)
# ANCHOR_END: thread_pool


# ANCHOR: cpu_pool
async def cpu_pool(sizes):
    rec = cpairs.Recorder("cpu-pool", "run_in_executor(ProcessPoolExecutor()), as_completed")
    loop = asyncio.get_running_loop()
    sums = [None] * len(sizes)
    with concurrent.futures.ProcessPoolExecutor() as pool:  # one process per core
        async with io_ticker(rec, len(sizes)):
            jobs = [loop.run_in_executor(pool, cpu_job, rec.clock, job_id, n)
                    for job_id, n in enumerate(sizes)]
            for next_done in asyncio.as_completed(jobs):
                receive(rec, sums, await next_done)
    return finish(rec, sizes, sums)
# ANCHOR_END: cpu_pool


def main():
    options = cpairs.parse_args(
        "run_in_executor",
        "CPU work inline, on asyncio.to_thread or on a process pool, while IO runs on the loop",
        variants=["inline", "thread-pool", "cpu-pool"])
    unit = FULL_UNIT if options.full else DEFAULT_UNIT
    sizes = [s * unit for s in SIZES]
    per_unit = cpairs.cpu_seconds_per_unit()
    ideal = max(max(sizes) * per_unit, sum(sizes) * per_unit / cpairs.cores())
    trace = cpairs.Trace("run_in_executor", options)
    for name, lesson in [("inline", inline), ("thread-pool", thread_pool),
                         ("cpu-pool", cpu_pool)]:
        if options.runs(name):
            variant = asyncio.run(lesson(sizes))
            variant["ideal_s"] = ideal
            trace.push(variant)
    trace.finish()


if __name__ == "__main__":
    main()
