"""errors_async: an exception in an async task.

Twin of examples/errors_async.rs (chapter: book/src/errors_async.md). An exception in an
asyncio task surfaces when the task is awaited, message and all. asyncio.gather raises
the first exception while the other tasks run on. A task whose exception is never
retrieved leaves only a log line, when the task is garbage-collected ("Task exception
was never retrieved"). gather(return_exceptions=True) and a TaskGroup:
python/errors_async_group.py.

Run: python3 python/errors_async.py [--json] [--full] [--variant NAME]
"""

import asyncio
import gc

import cpairs

FAILING = 1
DEFAULT = (4, 0.1)  # jobs, and the unit of their sleeps (job id sleeps (id + 1) units)
FULL = (8, 0.25)


# ANCHOR: job
async def job(job_id, secs):
    """Job job_id sleeps a little longer than the one before; job 1 raises."""
    await asyncio.sleep(secs * (job_id + 1))
    if job_id == FAILING:
        raise ValueError(f"job {job_id} fails")
    return job_id * 10
# ANCHOR_END: job


def start(jobs, secs):
    return [asyncio.create_task(cpairs.task_async(i, job(i, secs))) for i in range(jobs)]


def error(e):
    return f"{type(e).__name__}: {e}"


# ANCHOR: join_error
async def join_error(jobs, secs):
    tasks = start(jobs, secs)
    await asyncio.sleep(0)  # let every task start
    tasks[-1].cancel()
    failures, cancelled = [], 0
    for i, task in enumerate(tasks):
        try:
            cpairs.arrived(i, repr(await task))  # job 1's ValueError is raised here
        except asyncio.CancelledError:
            cpairs.note(f"job {i}: CancelledError")
            cancelled += 1
        except ValueError as e:
            cpairs.note(f"job {i}: {error(e)}")
            failures.append(error(e))
    return failures, cancelled
# ANCHOR_END: join_error


# ANCHOR: gather
async def gather(jobs, secs):
    tasks = start(jobs, secs)
    failures, running = [], []
    try:
        for i, value in enumerate(await asyncio.gather(*tasks)):
            cpairs.arrived(i, repr(value))
    except ValueError as e:  # the first exception; the other tasks are still running
        running = [i for i, task in enumerate(tasks) if not task.done()]
        cpairs.note(f"gather raised {error(e)}; jobs {running} still running")
        failures = [error(e)]
    await asyncio.wait(tasks, timeout=secs * (jobs + 1))
    ran_on = [i for i in running if tasks[i].done() and not tasks[i].cancelled()]
    cpairs.note(f"jobs {ran_on} ran on to their end: nobody took their results")
    return failures, 0
# ANCHOR_END: gather


# ANCHOR: never_retrieved
async def never_retrieved(jobs, secs):
    logged = []
    asyncio.get_running_loop().set_exception_handler(lambda _, c: logged.append(c))
    tasks = start(jobs, secs)
    for i, task in enumerate(tasks):
        if i != FAILING:  # job 1 is never awaited...
            cpairs.arrived(i, repr(await task))
    del tasks, task
    gc.collect()  # ...so its exception is only logged, when the task is collected
    for context in logged:
        cpairs.note(f"logged: {context['message']}: {context['exception']!r}")
    return [], 0, [f"{c['message']}: {error(c['exception'])}" for c in logged]
# ANCHOR_END: never_retrieved


VARIANTS = ["join-error", "gather", "never-retrieved"]


def main():
    options = cpairs.parse_args("errors_async", "an exception in an async task, and where it "
                                "goes", variants=VARIANTS)
    jobs, secs = FULL if options.full else DEFAULT
    trace = cpairs.Trace("errors_async", options)
    for name, uses, lesson in [
        ("join-error", "create_task + await each", join_error),
        ("gather", "asyncio.gather", gather),
        ("never-retrieved", "create_task, one never awaited", never_retrieved),
    ]:
        ran = trace.run(name, uses, lambda f=lesson: asyncio.run(f(jobs, secs)))
        if ran is None:
            continue
        (failures, cancelled, *logged), v = ran
        v.update(jobs=jobs, failed=len(failures), cancelled=cancelled, failing=FAILING)
        if name == "join-error":
            v["aborted"] = jobs - 1  # the task join_error cancels: tasks[-1]
        errors = failures or [line for lines in logged for line in lines]
        if errors:
            v["error"] = errors[0]
    trace.finish()


if __name__ == "__main__":
    main()
