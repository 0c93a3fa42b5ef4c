"""errors_dead_worker: a failure that takes its worker down.

Twin of examples/errors_dead_worker.rs (chapter: book/src/errors.md, its part on dead
workers). A pool job whose worker process dies, killed by a signal, raises nothing. A
multiprocessing.Pool replaces the worker but leaves the job's result waiting for ever,
which a bounded get(timeout=...) turns into a TimeoutError; a ProcessPoolExecutor fails
every pending future with BrokenProcessPool and takes no new job.

Run: python3 python/errors_dead_worker.py [--json] [--full] [--variant NAME]
"""

import concurrent.futures
import multiprocessing
import os
import signal
import time

import cpairs

FAILING = 1
DEFAULT = (4, 0.05)  # jobs, and the unit of their sleeps (job id sleeps (id + 1) units)
FULL = (8, 0.25)
# How long lost-result waits for a result: long enough for any job here, and for a pool
# whose workers start by spawn (a fresh interpreter each) to come up.
LOST_AFTER_S = 3.0


def job(job_id, secs):
    """Job job_id sleeps a little longer than the one before (the next job never fails)."""
    time.sleep(secs * (job_id + 1))
    return job_id * 10


# ANCHOR: dying_job
def dying_job(job_id, secs):
    """Job 1 does not raise: its worker process dies, killed by a signal."""
    time.sleep(secs * (job_id + 1))
    if job_id == FAILING:
        os.kill(os.getpid(), signal.SIGKILL)
    return job_id * 10
# ANCHOR_END: dying_job


def take(job_id, get, failures):
    """Ask for job job_id's result; print it, or say and keep the error."""
    try:
        cpairs.arrived(job_id, repr(get()))
    except Exception as e:  # noqa: BLE001 (every error is the lesson here)
        cpairs.note(f"job {job_id}: {type(e).__name__}: {e}")
        failures.append(f"{type(e).__name__}: {e}")


# ANCHOR: lost_result
def lost_result(jobs, secs):
    failures = []
    pool = multiprocessing.Pool(2)
    results = [pool.apply_async(cpairs.timed(dying_job), (i, secs))
               for i in range(jobs)]
    for i, result in enumerate(results):
        # Job 1's worker died: the Pool replaces it, but job 1's result never comes.
        # result.get() with no timeout would wait for ever.
        take(i, lambda r=result: r.get(timeout=LOST_AFTER_S), failures)
    nxt = pool.apply_async(cpairs.timed(job), (jobs, secs))
    cpairs.arrived(jobs, f"the next job: {nxt.get(timeout=10)!r}")
    pool.terminate()  # close() + join() would wait for job 1 for ever
    pool.join()
    lost = f"TimeoutError after {LOST_AFTER_S:g} s: the result never came"
    return [lost for _ in failures]
# ANCHOR_END: lost_result


# ANCHOR: broken_pool
def broken_pool(jobs, secs):
    failures = []
    with concurrent.futures.ProcessPoolExecutor(2) as executor:
        futures = [executor.submit(cpairs.timed(dying_job), i, secs)
                   for i in range(jobs)]
        for i, future in enumerate(futures):
            take(i, lambda f=future: f.result(timeout=10), failures)
        try:  # the executor is broken for good: it takes no new job
            executor.submit(job, jobs, secs)
        except concurrent.futures.process.BrokenProcessPool as e:
            cpairs.note(f"a new job: BrokenProcessPool: {e}")
    return failures
# ANCHOR_END: broken_pool


VARIANTS = ["lost-result", "broken-pool"]


def main():
    options = cpairs.parse_args("errors_dead_worker", "a failure that takes its worker down, "
                                "and what is lost with it", variants=VARIANTS)
    jobs, secs = FULL if options.full else DEFAULT
    trace = cpairs.Trace("errors_dead_worker", options)
    for name, uses, lesson in [
        ("lost-result", "Pool, a worker killed, get(timeout)", lost_result),
        ("broken-pool", "ProcessPoolExecutor, a worker killed", broken_pool),
    ]:
        ran = trace.run(name, uses, lesson, jobs, secs)
        if ran is None:
            continue
        failures, v = ran
        v.update(jobs=jobs, failed=len(failures), failing=FAILING,
                 results_kept=sum(1 for i in v["received"] if i < jobs))
        if failures:
            v["error"] = failures[0]
    trace.finish()


if __name__ == "__main__":
    main()
