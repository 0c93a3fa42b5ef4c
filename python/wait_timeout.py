"""wait_timeout: wait for many tasks with a deadline.

Twin of examples/wait_timeout.rs. asyncio.wait on nine tasks sleeping 1..9 s with
timeout=10 returns after about 9 s with every task done; with a shorter timeout it
returns the done and pending sets at the deadline, and the pending tasks are still
running: cancel them, or await them later. The article's own call, asyncio.wait on a
list of bare coroutines, is python/task_handles.py.

Chapter: book/src/wait_timeout.md.

Run: python3 python/wait_timeout.py [--json] [--full] [--variant NAME]   (a unit is 0.2 s; --full: 1 s)
"""

import asyncio
import time

import cpairs

TASKS = 9  # task i sleeps i + 1 units
DEFAULT_UNIT_S = 0.2
FULL_UNIT_S = 1.0
LONG_TIMEOUT_UNITS = 10.0  # longer than every task
SHORT_TIMEOUT_UNITS = 4.5  # half-way between two tasks' ends
SETTLE_UNITS = 0.5  # how long past the slowest task's end to look at the pending ones


# ANCHOR: nap
# The tasks that ran to their end: a side effect a cancelled task never has.
completed = 0


async def nap(task_id, seconds):
    """One task: sleep, then count itself done. Task.cancel() raises CancelledError
    at the await the task is suspended in, so a cancelled task never gets to the
    count."""
    global completed
    await asyncio.sleep(seconds)
    completed += 1
    return task_id
# ANCHOR_END: nap


# ANCHOR: wait
async def wait_with_deadline(unit, timeout_units):
    """Start the nine tasks (task i sleeps i + 1 units) and asyncio.wait for them
    under one timeout. The done set comes back whole, when the wait returns; the
    pending tasks are still running: what becomes of them is each variant's choice."""
    tasks = [asyncio.create_task(traced(task_id, nap(task_id, (task_id + 1) * unit)))
             for task_id in range(TASKS)]
    done, pending = await asyncio.wait(tasks, timeout=timeout_units * unit)
    for task in sorted(done, key=lambda task: task.result()):
        cpairs.arrived(task.result(), "done")
    return done, pending
# ANCHOR_END: wait


# ANCHOR: wait_all
async def wait_all(unit):
    """timeout=10 units, longer than any task: wait returns at 9 units, all done."""
    done, pending = await wait_with_deadline(unit, LONG_TIMEOUT_UNITS)
    return wait_returned(done, pending)
# ANCHOR_END: wait_all


# ANCHOR: deadline_cancel
async def deadline_cancel(unit):
    """The same wait with a 4.5-unit deadline, then cancel what is pending."""
    settled = time.monotonic() + (TASKS + SETTLE_UNITS) * unit
    done, pending = await wait_with_deadline(unit, SHORT_TIMEOUT_UNITS)
    returned_s = wait_returned(done, pending)
    for task in pending:
        task.cancel()  # only a request: it takes effect at the task's next await
    cpairs.note("cancelled the pending tasks")
    # Wait past the slowest task's end: a cancelled task never gets there.
    await asyncio.sleep(settled - time.monotonic())
    return returned_s
# ANCHOR_END: deadline_cancel


# ANCHOR: deadline_keep
async def deadline_keep(unit):
    """The deadline only bounds the wait: pending tasks run on; collect them later."""
    settled = time.monotonic() + (TASKS + SETTLE_UNITS) * unit
    done, pending = await wait_with_deadline(unit, SHORT_TIMEOUT_UNITS)
    returned_s = wait_returned(done, pending)
    # The pending tasks never stopped: collect them now (bounded all the same).
    for late in asyncio.as_completed(pending, timeout=settled - time.monotonic()):
        cpairs.note(f"late result: task {await late}")
    return returned_s
# ANCHOR_END: deadline_keep


async def traced(task_id, coroutine):
    """Times task task_id for the trace. A task cancelled mid-sleep never gets back from
    task_async: its span, cut short, is recorded here, of kind `cancelled`."""
    start = cpairs.now()
    try:
        return await cpairs.task_async(task_id, coroutine)
    except asyncio.CancelledError:
        cpairs.record(cpairs.task_span(task_id, f"task-{task_id}", start, cpairs.now(),
                                       kind="cancelled"))
        raise


def wait_returned(done, pending):
    """The wait has returned: say what is pending, and give the time. From here on
    `completed` counts the tasks that complete after the wait (the ones done by now are
    the results received)."""
    global completed
    completed = 0
    if pending:
        cpairs.mark("deadline")  # the wait gave up on the pending tasks
        still_running = sum(not task.done() for task in pending)
        cpairs.note(f"wait returned: {len(done)} done, {len(pending)} pending "
                    f"({still_running} still running)")
    else:
        cpairs.note(f"wait returned: all {len(done)} done")
    return cpairs.now()


def tally(ran, unit, timeout_units):
    """Past the wait (timeout_units bounded it), count the tasks that completed after it."""
    global completed
    later, completed = completed, 0
    if ran is None:
        return
    returned_s, v = ran
    cpairs.say(f"  {later} completed after the wait returned")
    # The variant watches its tasks at least until the slowest one ends (or would have).
    v.update(returned_s=returned_s, completed_after_deadline=later, spawned=TASKS,
             timeout_units=timeout_units, ideal_s=TASKS * unit)


def main():
    options = cpairs.parse_args(
        "wait_timeout", "wait for many tasks with a deadline: done results, pending ones",
        variants=["wait-all", "deadline-cancel", "deadline-keep"])
    unit = FULL_UNIT_S if options.full else DEFAULT_UNIT_S
    trace = cpairs.Trace("wait_timeout", options)
    tally(trace.run("wait-all", "asyncio.wait(timeout=10 units)",
                    lambda: asyncio.run(wait_all(unit))), unit, LONG_TIMEOUT_UNITS)
    tally(trace.run("deadline-cancel", "asyncio.wait(timeout=4.5 units), then cancel",
                    lambda: asyncio.run(deadline_cancel(unit))), unit, SHORT_TIMEOUT_UNITS)
    tally(trace.run("deadline-keep", "asyncio.wait(timeout=4.5 units), awaited later",
                    lambda: asyncio.run(deadline_keep(unit))), unit, SHORT_TIMEOUT_UNITS)
    trace.finish()


if __name__ == "__main__":
    main()
