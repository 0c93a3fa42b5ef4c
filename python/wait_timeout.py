"""wait_timeout: wait for many tasks with a deadline.

Twin of examples/wait_timeout.rs. asyncio.wait on nine tasks sleeping 1..9 s with
timeout=10 returns after about 9 s with every task done; with a shorter timeout it
returns the done and pending sets at the deadline, and the pending tasks are still
running: cancel them, or await them later.

Run: python3 python/wait_timeout.py [--json] [--full] [--variant NAME]   (a unit is 0.2 s; --full: 1 s)
"""

import asyncio

import cpairs

TASKS = 9  # task i sleeps i + 1 units
DEFAULT_UNIT_S = 0.2
FULL_UNIT_S = 1.0
LONG_TIMEOUT_UNITS = 10.0  # longer than every task
SHORT_TIMEOUT_UNITS = 4.5  # half-way between two tasks' ends
SETTLE_UNITS = 0.5  # how long past the slowest task's end to look at the pending ones


# ANCHOR: board
class Board:
    """What the tasks of one variant report about themselves: how many ran to the end
    and every task's span, finished or cut short by cancellation."""

    def __init__(self, clock):
        self.clock = clock
        self.completed = 0
        self.spans = []


async def nap(board, task_id, seconds):
    start = board.clock.now()
    try:
        await asyncio.sleep(seconds)
    except asyncio.CancelledError:
        # Task.cancel() raises CancelledError at the await the task is suspended in.
        board.spans.append(cpairs.task_span(task_id, f"task-{task_id}", start,
                                            board.clock.now(), kind="cancelled"))
        raise
    span = cpairs.task_span(task_id, f"task-{task_id}", start, board.clock.now())
    board.completed += 1
    board.spans.append(span)
    return span
# ANCHOR_END: board


def start_tasks(board, unit):
    """Create the nine tasks; they start running at the next await."""
    return [asyncio.create_task(nap(board, task_id, (task_id + 1) * unit))
            for task_id in range(TASKS)]


def receive_done(rec, done, pending):
    """asyncio.wait hands back the whole done set at once, when it returns."""
    for task in sorted(done, key=lambda t: t.result()["end_s"]):
        rec.receive(task.result(), "done")
    if pending:
        still_running = sum(not task.done() for task in pending)
        rec.say(f"wait returned: {len(done)} done, {len(pending)} pending "
                f"({still_running} still running)")
    else:
        rec.say(f"wait returned: all {len(done)} done")


def after(clock, what):
    """A line of commentary after the variant's clock stopped."""
    cpairs.say(f"[{clock.now():7.3f}s]   after: {what}")


def settle(variant, board):
    """Once the slowest task would long have finished: add the spans of the tasks the
    caller did not receive (finished late, or cancelled) and count what became of them."""
    done_at_deadline = len(variant["received"])
    seen = {span["id"] for span in variant["tasks"]}
    variant["tasks"].extend(span for span in board.spans if span["id"] not in seen)
    variant["tasks"].sort(key=lambda span: span["id"])
    cancelled = sum(span.get("kind") == "cancelled" for span in board.spans)
    completed_after_deadline = board.completed - done_at_deadline
    unaccounted = TASKS - len(variant["tasks"])
    after(board.clock, f"{done_at_deadline} done when the wait returned, "
                       f"{completed_after_deadline} completed after it, {cancelled} cancelled"
                       + (f", {unaccounted} still running" if unaccounted else ""))
    variant["done_at_deadline"] = done_at_deadline
    variant["completed_after_deadline"] = completed_after_deadline
    variant["cancelled"] = cancelled


async def sleep_until(clock, at_s):
    await asyncio.sleep(max(0.0, at_s - clock.now()))


# ANCHOR: wait_all
async def wait_all(unit):
    rec = cpairs.Recorder("wait-all", "asyncio.wait(timeout=10 units)")
    rec.ideal(min(LONG_TIMEOUT_UNITS, TASKS) * unit)
    board = Board(rec.clock)
    tasks = start_tasks(board, unit)
    done, pending = await asyncio.wait(tasks, timeout=LONG_TIMEOUT_UNITS * unit)
    receive_done(rec, done, pending)
    variant = rec.finish()
    settle(variant, board)
    return variant
# ANCHOR_END: wait_all


# ANCHOR: deadline_cancel
async def deadline_cancel(unit):
    rec = cpairs.Recorder("deadline-cancel", "asyncio.wait(timeout=4.5 units), then cancel")
    rec.ideal(min(SHORT_TIMEOUT_UNITS, TASKS) * unit)
    board = Board(rec.clock)
    tasks = start_tasks(board, unit)
    done, pending = await asyncio.wait(tasks, timeout=SHORT_TIMEOUT_UNITS * unit)
    receive_done(rec, done, pending)
    variant = rec.finish()
    for task in pending:
        task.cancel()  # only a request: it takes effect at the task's next await
    after(rec.clock, "cancelled the pending tasks")
    # Wait past the slowest task's end: a cancelled task never gets there.
    await sleep_until(rec.clock, (TASKS + SETTLE_UNITS) * unit)
    settle(variant, board)
    return variant
# ANCHOR_END: deadline_cancel


# ANCHOR: deadline_keep
async def deadline_keep(unit):
    rec = cpairs.Recorder("deadline-keep", "asyncio.wait(timeout=4.5 units), awaited later")
    rec.ideal(min(SHORT_TIMEOUT_UNITS, TASKS) * unit)
    board = Board(rec.clock)
    tasks = start_tasks(board, unit)
    done, pending = await asyncio.wait(tasks, timeout=SHORT_TIMEOUT_UNITS * unit)
    receive_done(rec, done, pending)
    variant = rec.finish()
    # The pending tasks never stopped: collect them now (bounded all the same).
    remaining = (TASKS + SETTLE_UNITS) * unit - rec.clock.now()
    for late in asyncio.as_completed(pending, timeout=remaining):
        span = await late
        after(rec.clock, f"late result: task {span['id']} (ended {span['end_s']:.3f}s)")
    settle(variant, board)
    return variant
# ANCHOR_END: deadline_keep


def main():
    lessons = {"wait-all": wait_all, "deadline-cancel": deadline_cancel,
               "deadline-keep": deadline_keep}
    options = cpairs.parse_args(
        "wait_timeout", "wait for many tasks with a deadline: done results, pending ones",
        variants=list(lessons))
    unit = FULL_UNIT_S if options.full else DEFAULT_UNIT_S
    trace = cpairs.Trace("wait_timeout", options)
    for name, lesson in lessons.items():
        if options.runs(name):
            trace.push(asyncio.run(lesson(unit)))
    trace.finish()


if __name__ == "__main__":
    main()
