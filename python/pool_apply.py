"""pool_apply: apply is synchronous, apply_async + get blocks in order.

Twin of examples/pool_apply.rs (chapter: book/src/pool_apply.md). Pool.apply runs one task and waits for it, so N tasks
take the sum of their times. apply_async returns at once, but calling .get() on each
result in submission order blocks on the first slow one. A callback on apply_async
hands each result over as its task finishes.

Run: python3 python/pool_apply.py [--json] [--full] [--variant NAME]
"""

import multiprocessing
import queue
import time

import cpairs

UNITS = [3, 1, 4, 2]  # task i sleeps UNITS[i] units: shuffled, so finish order differs
DEFAULT_UNIT_S = 0.2
FULL_UNIT_S = 1.0  # the article's 1-4 s
# The article sized its pool cores - 1; on two cores that is one worker, and four sleeps
# would run one after the other. Sleeping needs no core: one worker per task.
WORKERS = len(UNITS)

# A callback that never comes must not hang us (see pitfall below).
GET_TIMEOUT_S = 60


# ANCHOR: job
def job(task_id, seconds):
    """One task: sleep `seconds` in whichever worker runs it, then return its id."""
    time.sleep(seconds)
    return task_id
# ANCHOR_END: job


# job, timed as task `task_id` in the worker that runs it.
timed_job = cpairs.timed(job)


# ANCHOR: apply
def apply(durations):
    with multiprocessing.Pool(WORKERS) as pool:
        for task_id, seconds in enumerate(durations):
            # Submits one task and blocks until its result is back.
            cpairs.arrived(pool.apply(timed_job, (task_id, seconds)), "slept")
# ANCHOR_END: apply


# ANCHOR: async_get_in_order
def async_get_in_order(durations):
    with multiprocessing.Pool(WORKERS) as pool:
        results = [pool.apply_async(timed_job, (task_id, seconds))
                   for task_id, seconds in enumerate(durations)]
        cpairs.note(f"all {len(results)} submitted; waiting on task 0's get()")
        for result in results:
            # Blocks on this task, even when a later one has long finished.
            cpairs.arrived(result.get(), "slept")
# ANCHOR_END: async_get_in_order


# ANCHOR: async_completion_order
def async_completion_order(durations):
    done = queue.Queue()  # a thread queue: callbacks run in a thread of this process
    with multiprocessing.Pool(WORKERS) as pool:
        for task_id, seconds in enumerate(durations):
            pool.apply_async(timed_job, (task_id, seconds), callback=done.put)
        cpairs.note(f"all {len(durations)} submitted; "
                    "receiving from the callback's queue")
        for _ in durations:
            cpairs.arrived(done.get(timeout=GET_TIMEOUT_S), "slept")
# ANCHOR_END: async_completion_order


def failing_job(task_id):
    if task_id == 1:
        raise ValueError(f"job {task_id} fails")
    return task_id


# ANCHOR: failing_job
def failing_job_pitfall():
    """A task that raises never calls its callback: its result just never arrives."""
    cpairs.say("\n== pitfall: a failing task "
               "(Pool of one worker, callback=queue.put)")
    done = queue.Queue()
    with multiprocessing.Pool(1) as pool:
        results = [pool.apply_async(failing_job, (task_id,), callback=done.put)
                   for task_id in range(3)]
        for result in results:
            result.wait(timeout=GET_TIMEOUT_S)
        for _ in results:
            try:
                cpairs.say(f"  job {done.get(timeout=0.5)}'s result arrived")
            except queue.Empty:
                cpairs.say("  queue.get timed out: job 1's callback was never called")
        try:
            results[1].get(timeout=GET_TIMEOUT_S)
        except ValueError as error:
            cpairs.say(f"  results[1].get() re-raises it here: {error!r}")
        cpairs.say(f"  a new task on the same pool: {pool.apply(failing_job, (7,))}")
# ANCHOR_END: failing_job


def main():
    options = cpairs.parse_args(
        "pool_apply", "Pool.apply versus apply_async + get, in order or as done",
        variants=["apply", "async-get-in-order", "async-completion-order"])
    unit = FULL_UNIT_S if options.full else DEFAULT_UNIT_S
    durations = [u * unit for u in UNITS]
    trace = cpairs.Trace("pool_apply", options)
    trace.run("apply", "Pool.apply", apply, durations)
    trace.run("async-get-in-order", "Pool.apply_async + get in order",
              async_get_in_order, durations)
    trace.run("async-completion-order", "Pool.apply_async(callback=queue.put)",
              async_completion_order, durations)
    for v in trace.variants:
        # apply runs one task at a time: the sum. The others run all four at once: the longest.
        v.update(ideal_s=sum(durations) if v["name"] == "apply" else max(durations),
                 workers=WORKERS, sizes=UNITS)
    trace.finish()
    # Last, so the table above stays on the first screen; not when one variant was asked for.
    if options.variant is None:
        failing_job_pitfall()


if __name__ == "__main__":
    main()
