"""errors: an exception in a worker.

Twin of examples/errors.rs, after the "Exception Propagation" advice of "Really Boosting
Performance: Multiprocessing with Python": an exception in a pool job surfaces only when
the caller asks for the result (.get() / .result()); a job nobody asks about fails
silently; a Process whose target raises just exits with code 1. The same article's
"graceful termination" child never awaits its asyncio.sleep(2) and swallows its own
error, so get() returns None (variant graceful-termination). A worker that dies instead
of raising: python/errors_dead_worker.py.

Chapter: book/src/errors.md.

Run: python3 python/errors.py [--json] [--full] [--variant NAME]
"""

import asyncio
import contextlib
import io
import multiprocessing
import time
import warnings

import cpairs

FAILING = 1
DEFAULT = (4, 0.05)  # jobs, and the unit of their sleeps (job id sleeps (id + 1) units)
FULL = (8, 0.25)


# ANCHOR: job
def job(job_id, secs):
    """Job job_id sleeps a little longer than the one before; job 1 raises."""
    time.sleep(secs * (job_id + 1))
    if job_id == FAILING:
        raise ValueError(f"job {job_id} fails")
    return job_id * 10
# ANCHOR_END: job


def take(job_id, get, failures):
    """Ask for job job_id's result; print it, or say and keep the error."""
    try:
        cpairs.arrived(job_id, repr(get()))
    except Exception as e:  # noqa: BLE001 (every error is the lesson here)
        cpairs.note(f"job {job_id}: {type(e).__name__}: {e}")
        failures.append(f"{type(e).__name__}: {e}")


# ANCHOR: error_at_result
def error_at_result(jobs, secs):
    failures = []
    with multiprocessing.Pool(2) as pool:
        results = [pool.apply_async(cpairs.timed(job), (i, secs))
                   for i in range(jobs)]
        for i, result in enumerate(results):
            take(i, result.get, failures)  # get() raises job 1's ValueError here
        nxt = pool.apply_async(cpairs.timed(job), (jobs, secs))
        cpairs.arrived(jobs, f"the next job: {nxt.get()!r}")
    return failures
# ANCHOR_END: error_at_result


# ANCHOR: unasked_silent
def unasked_silent(jobs, secs):
    with multiprocessing.Pool(2) as pool:
        results = [pool.apply_async(cpairs.timed(job), (i, secs))
                   for i in range(jobs)]
        for i, result in enumerate(results):
            if i != FAILING:  # job 1's result is never asked for...
                cpairs.arrived(i, repr(result.get()))
        pool.close()
        pool.join()  # ...so its ValueError is never raised, nor printed anywhere
    return []
# ANCHOR_END: unasked_silent


def reporting(job_id, secs, results):
    results.put((job_id, cpairs.task(job_id, job, job_id, secs)))


# ANCHOR: join_failed
def join_failed(jobs, secs):
    results = multiprocessing.Queue()
    processes = [multiprocessing.Process(target=reporting, args=(i, secs, results))
                 for i in range(jobs)]
    for p in processes:
        p.start()
    failures = []
    for i, p in enumerate(processes):
        returned = p.join()  # None, whether the target raised or not
        if p.exitcode != 0:  # the traceback went to the child's stderr
            cpairs.note(f"job {i}: join() returned {returned}, "
                        f"exit code {p.exitcode}")
            failures.append(f"exit code {p.exitcode}")
    while not results.empty():
        job_id, value = results.get(timeout=10)
        cpairs.arrived(job_id, repr(value))
    return failures
# ANCHOR_END: join_failed


# ANCHOR: graceful_termination
def child_process_task():
    """The "graceful termination" child of "Really Boosting Performance":
    asyncio.sleep(2) without await only makes a coroutine, dropped at once (nothing
    sleeps), and the except swallows the ZeroDivisionError: the job returns None."""
    try:
        asyncio.sleep(2)  # no await: a coroutine object, never run
        return 10 / 0
    except Exception as e:  # noqa: BLE001 (the article's catch-all)
        cpairs.say(f"Exception in child process: {e}")  # said in the child, then lost


def graceful_termination():
    pool = multiprocessing.Pool(processes=1)
    async_result = pool.apply_async(timed_child, (0,))
    try:
        result = async_result.get(timeout=10)  # the article's get() has no bound
        cpairs.arrived(0, f"get() returned {result!r}")
    except Exception as e:  # noqa: BLE001 (never taken: the child raised nothing)
        cpairs.note(f"Exception in child process: {e}")
        pool.terminate()
        result = e
    pool.close()
    pool.join()
    return result
# ANCHOR_END: graceful_termination


def timed_child(task_id):
    return cpairs.task(task_id, child_process_task)


def never_awaited():
    """Run the child's task once more, here and quietly: how many coroutines Python warns
    were never awaited."""
    quiet = io.StringIO()
    with (warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(quiet),
          contextlib.redirect_stderr(quiet)):
        warnings.simplefilter("always")
        child_process_task()
    return sum("was never awaited" in str(w.message) for w in caught)


VARIANTS = ["error-at-result", "unasked-silent", "join-failed", "graceful-termination"]


def main():
    options = cpairs.parse_args("errors", "an exception in a worker, and where it goes",
                                variants=VARIANTS)
    jobs, secs = FULL if options.full else DEFAULT
    trace = cpairs.Trace("errors", options)
    for name, uses, lesson in [
        ("error-at-result", "Pool.apply_async + get", error_at_result),
        ("unasked-silent", "Pool.apply_async, one never asked", unasked_silent),
        ("join-failed", "Process + join + Queue", join_failed),
    ]:
        ran = trace.run(name, uses, lesson, jobs, secs)
        if ran is None:
            continue
        failures, v = ran
        v.update(jobs=jobs, failed=len(failures), failing=FAILING,
                 results_kept=sum(1 for i in v["received"] if i < jobs))
        if failures:
            v["error"] = failures[0]
    ran = trace.run("graceful-termination", "Pool(1).apply_async + get, the child's except",
                    graceful_termination)
    if ran:
        result, v = ran
        v.update(jobs=1, failed=int(isinstance(result, Exception)),
                 returned_none=int(result is None), results_kept=len(v["received"]),
                 never_awaited=never_awaited())
    trace.finish()


if __name__ == "__main__":
    main()
