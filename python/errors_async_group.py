"""errors_async_group: an exception in a group of asyncio tasks.

Twin of examples/errors_async_group.rs (chapter: book/src/errors_async.md, its part on
groups). With return_exceptions=True, asyncio.gather returns the exception in the failed
task's place, and every other result with it. An asyncio.TaskGroup (3.11) cancels the
tasks still running and raises an ExceptionGroup; a result already in stays in its task.

Run: python3 python/errors_async_group.py [--json] [--full] [--variant NAME]
"""

import asyncio

import cpairs

FAILING = 1
DEFAULT = (4, 0.1)  # jobs, and the unit of their sleeps (job id sleeps (id + 1) units)
FULL = (8, 0.25)


async def job(job_id, secs):
    """Job job_id sleeps a little longer than the one before; job 1 raises."""
    await asyncio.sleep(secs * (job_id + 1))
    if job_id == FAILING:
        raise ValueError(f"job {job_id} fails")
    return job_id * 10


def start(jobs, secs):
    return [asyncio.create_task(cpairs.task_async(i, job(i, secs))) for i in range(jobs)]


def error(e):
    return f"{type(e).__name__}: {e}"


# ANCHOR: return_exceptions
async def return_exceptions(jobs, secs):
    tasks = start(jobs, secs)
    failures = []
    results = await asyncio.gather(*tasks, return_exceptions=True)
    for i, result in enumerate(results):  # the exception sits in its job's place
        if isinstance(result, Exception):
            cpairs.note(f"job {i}: {error(result)}")
            failures.append(error(result))
        else:
            cpairs.arrived(i, repr(result))
    return failures, 0
# ANCHOR_END: return_exceptions


# ANCHOR: task_group
async def task_group(jobs, secs):
    failures = []
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(cpairs.task_async(i, job(i, secs)))
                     for i in range(jobs)]
    except* ValueError as e:  # the group cancelled the others, then raised
        cpairs.note(f"TaskGroup raised {e!r}")
        failures = [error(x) for x in e.exceptions]
    cancelled = [i for i, t in enumerate(tasks) if t.cancelled()]
    cpairs.note(f"cancelled: jobs {cancelled}")
    for i, task in enumerate(tasks):  # a result already in is still there
        if task.done() and not task.cancelled() and not task.exception():
            cpairs.arrived(i, repr(task.result()))
    return failures, len(cancelled)
# ANCHOR_END: task_group


VARIANTS = ["return-exceptions", "task-group"]


def main():
    options = cpairs.parse_args("errors_async_group", "an exception in a group of asyncio "
                                "tasks: every other outcome, or none", variants=VARIANTS)
    jobs, secs = FULL if options.full else DEFAULT
    trace = cpairs.Trace("errors_async_group", options)
    for name, uses, lesson in [
        ("return-exceptions", "asyncio.gather(return_exceptions=True)", return_exceptions),
        ("task-group", "asyncio.TaskGroup", task_group),
    ]:
        ran = trace.run(name, uses, lambda f=lesson: asyncio.run(f(jobs, secs)))
        if ran is None:
            continue
        (failures, cancelled), v = ran
        v.update(jobs=jobs, failed=len(failures), cancelled=cancelled, failing=FAILING)
        if failures:
            v["error"] = failures[0]
    trace.finish()


if __name__ == "__main__":
    main()
