"""concurrency_vs_parallelism: more tasks, or more cores.

Twin of examples/concurrency_vs_parallelism.rs. Every job waits (the soup boiling: an
asyncio.sleep or time.sleep) and then computes (the chopping: a pure-Python loop). The
same jobs run one after another; concurrently on one event loop (asyncio: the waits
overlap, the computing takes turns on one core); in parallel on a ProcessPoolExecutor
(every core computes, but a worker that waits does nothing else); and both, an event
loop handing the computing to the process pool with run_in_executor.

Chapter: book/src/concurrency_vs_parallelism.md.
Run: python3 python/concurrency_vs_parallelism.py [--json] [--full] [--variant NAME]
"""

import asyncio
import collections
import math
import time
from concurrent.futures import ProcessPoolExecutor

import cpairs

JOBS_PER_CORE = 4
DEFAULT = (0.1, 0.05)  # each job's wait, and its computing in seconds of one core's work
FULL = (1.0, 0.5)

# One dish: wait for something (IO), then work on it (CPU).
Job = collections.namedtuple("Job", "wait_s units")


# ANCHOR: cook
def compute(task_id, units):
    """The computing part of job task_id, in the thread or process running it."""
    return cpairs.task(task_id, cpairs.cpu_loop, units)


async def cook(task_id, job):
    """One job on the event loop: the wait hands the loop to other jobs; the
    computing keeps it until it is done."""
    await asyncio.sleep(job.wait_s)
    return task_id, compute(task_id, job.units)


async def cook_all(jobs, cook):
    """Every job as a task on the running loop; each result taken when ready."""
    sums = [0] * len(jobs)
    for done in asyncio.as_completed([cook(i, job) for i, job in enumerate(jobs)]):
        task_id, total = await done
        cpairs.arrived(task_id, f"sum {total}")
        sums[task_id] = total
    return sums
# ANCHOR_END: cook


# ANCHOR: sequential
def sequential(jobs):
    """One cook, one dish at a time: wait, then compute, job after job."""
    sums = []
    for task_id, job in enumerate(jobs):
        time.sleep(job.wait_s)
        sums.append(compute(task_id, job.units))
        cpairs.arrived(task_id, f"sum {sums[-1]}")
    return sums
# ANCHOR_END: sequential


# ANCHOR: concurrent
def concurrent(jobs):
    """One cook juggling every dish: one event loop, one thread, one core."""
    return asyncio.run(cook_all(jobs, cook))
# ANCHOR_END: concurrent


# ANCHOR: parallel
def wait_then_compute(task_id, job):
    """One job in a worker process: it sleeps, then computes."""
    time.sleep(job.wait_s)
    return compute(task_id, job.units)


def parallel(jobs, workers):
    """A kitchen per core, one dish at a time in each: a process per core."""
    sums = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = pool.map(wait_then_compute, range(len(jobs)), jobs)
        for task_id, total in enumerate(results):
            cpairs.arrived(task_id, f"sum {total}")
            sums.append(total)
    return sums
# ANCHOR_END: parallel


# ANCHOR: both
def both(jobs, workers):
    """A kitchen per core, and a cook juggling: the waits on one event loop, the
    computing handed to a process per core with run_in_executor."""
    with ProcessPoolExecutor(max_workers=workers) as pool:
        async def cook_in_pool(task_id, job):
            await asyncio.sleep(job.wait_s)
            loop = asyncio.get_running_loop()
            total = await loop.run_in_executor(pool, compute, task_id, job.units)
            return task_id, total

        return asyncio.run(cook_all(jobs, cook_in_pool))
# ANCHOR_END: both


def main():
    variants = ["sequential", "concurrent", "parallel", "both"]
    options = cpairs.parse_args(
        "concurrency_vs_parallelism",
        "the same waits and computing: one core juggling, every core, or both",
        variants=variants)
    wait_s, work_s = FULL if options.full else DEFAULT
    cores = cpairs.cores()
    per_unit = cpairs.cpu_loop_seconds_per_unit()
    job = Job(wait_s, int(work_s / per_unit))
    jobs = [job] * (JOBS_PER_CORE * cores)
    # The lower bounds, from the wait and what one job's computing costs (c).
    n, rounds = len(jobs), math.ceil(len(jobs) / cores)
    ideals = {
        "sequential": lambda c: n * (wait_s + c),
        "concurrent": lambda c: wait_s + n * c,
        "parallel": lambda c: rounds * (wait_s + c),
        "both": lambda c: wait_s + max(c, n * c / cores),
    }
    runs = [
        ("sequential", "one thread: time.sleep, then compute, job after job", 1,
         sequential, ()),
        ("concurrent", "asyncio.run, a task per job", 1, concurrent, ()),
        ("parallel", "ProcessPoolExecutor.map, a process per core", cores,
         parallel, (cores,)),
        ("both", "asyncio + run_in_executor(ProcessPoolExecutor)", cores,
         both, (cores,)),
    ]
    trace = cpairs.Trace("concurrency_vs_parallelism", options)
    for name, uses, workers, lesson, args in runs:
        meter = cpairs.CpuMeter()
        ran = trace.run(name, uses, lesson, jobs, *args)
        if not ran:
            continue
        sums, v = ran
        # The lanes that computed follow from the spans: the description derives them.
        v.update(workers=workers,
                 cpu_utilisation=meter.utilisation(v["wall_s"], cores),
                 sizes=[job.units] * n, sums=sums, jobs=n, wait_s=wait_s)
        lanes = {t["lane"] for t in v["tasks"]}
        cpairs.say(f"  computed on {len(lanes)} thread(s) or process(es)")
    # At the fastest rate the run saw: an ideal the machine's drift cannot beat.
    trace.set_ideals_from_rate(
        per_unit, lambda v, rate: ideals[v["name"]](job.units * rate))
    trace.finish()


if __name__ == "__main__":
    main()
