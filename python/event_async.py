"""event_async: signal a result, keep working, in async code.

Twin of examples/event_async.rs (chapter: book/src/event.md). A worker task computes a
value, stores it, sets an asyncio.Event, and keeps working; the waiting coroutine wakes on
the event, not on the task's end. Awaiting the task itself instead wakes only when the
worker is completely done. The threads' version is python/event.py.

Run: python3 python/event_async.py [--json] [--full] [--variant NAME]
"""

import asyncio

import cpairs

ANSWER = 42  # the value the worker computes (the computing itself is a sleep)
DEFAULT = {"compute_s": 0.2, "after_s": 0.4}
FULL = {"compute_s": 1.0, "after_s": 2.0}  # the article: 1 s of work, then 2 s more
SIGNALLED = "signalled: the worker is still busy"
JOINED = "from join: the worker is done"


def patience(sizes):
    """No wait here is unbounded: give up with an error long after the worker is due."""
    return sizes["compute_s"] + sizes["after_s"] + 10.0


async def compute_async(seconds):
    await asyncio.sleep(seconds)  # computing
    return ANSWER


async def async_worker(sizes, publish):
    """python/event.py's worker as a coroutine (lane `worker-task`: it has no thread of its
    own): compute (task 0), hand the value to publish(), then keep working (task 1)."""
    value = await cpairs.task_async(0, compute_async(sizes["compute_s"]), lane="worker-task")
    publish(value)
    await cpairs.task_async(1, asyncio.sleep(sizes["after_s"]), lane="worker-task",
                            kind="after")
    cpairs.note("worker: finished its other work too")
    return value


# ANCHOR: async_event
async def async_event(sizes):
    ready = asyncio.Event()
    result = {}

    def publish(value):
        result["value"] = value
        ready.set()

    task = asyncio.create_task(async_worker(sizes, publish))
    await asyncio.wait_for(ready.wait(), timeout=patience(sizes))
    cpairs.arrived(0, f"value {result['value']} ({SIGNALLED})")
    await asyncio.wait_for(task, timeout=patience(sizes))
# ANCHOR_END: async_event


# ANCHOR: async_oneshot
async def async_oneshot(sizes):
    future = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(async_worker(sizes, future.set_result))
    value = await asyncio.wait_for(future, timeout=patience(sizes))
    cpairs.arrived(0, f"value {value} ({SIGNALLED})")
    await asyncio.wait_for(task, timeout=patience(sizes))
# ANCHOR_END: async_oneshot


# ANCHOR: async_join
async def async_join(sizes):
    task = asyncio.create_task(async_worker(sizes, lambda value: None))
    value = await asyncio.wait_for(task, timeout=patience(sizes))  # its return value
    cpairs.arrived(0, f"value {value} ({JOINED})")
# ANCHOR_END: async_join


VARIANTS = [
    ("async-event", "asyncio.Event", async_event),
    ("async-oneshot", "asyncio.Future, set_result", async_oneshot),
    ("async-join", "await the task (no signal)", async_join),
]


def main():
    options = cpairs.parse_args(
        "event_async", "wake when a task publishes a value, not when it ends",
        variants=[name for name, _, _ in VARIANTS])
    sizes = FULL if options.full else DEFAULT
    trace = cpairs.Trace("event_async", options)
    # The variants share one event loop, made before any variant is timed.
    with asyncio.Runner() as loop:
        for name, uses, lesson in VARIANTS:
            trace.run(name, uses, lambda: loop.run(lesson(sizes)))
    trace.set_ideal(sizes["compute_s"] + sizes["after_s"])
    trace.finish()


if __name__ == "__main__":
    main()
