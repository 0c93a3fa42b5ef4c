"""event: signal a result, keep working.

Twin of examples/event.rs. A worker thread computes a value, stores it, sets a
threading.Event, and keeps working (the article: two seconds more); the main thread
wakes on the event, not on the thread's end. Joining the thread instead wakes only when
the worker is completely done.

Run: python3 python/event.py [--json] [--full] [--variant NAME]
"""

import asyncio
import queue
import threading
import time

import cpairs

ANSWER = 42  # the value the worker computes (the computing itself is a sleep)
DEFAULT = {"compute_s": 0.2, "after_s": 0.4}
FULL = {"compute_s": 1.0, "after_s": 2.0}  # the article: 1 s of work, then 2 s more
SIGNALLED = "signalled: the worker is still busy"


def patience(sizes):
    """No wait here is unbounded: give up with an error long after the worker is due."""
    return sizes["compute_s"] + sizes["after_s"] + 10.0


# ANCHOR: worker
def worker(clock, sizes, publish, report):
    """Compute, hand the value to publish(), then keep working."""
    lane = cpairs.thread_lane()
    start = clock.now()
    time.sleep(sizes["compute_s"])  # computing
    value = ANSWER
    compute = cpairs.task_span(0, lane, start, clock.now())
    report["published_s"] = clock.now()
    publish(value)  # the waiter can go on from here...
    start = clock.now()
    time.sleep(sizes["after_s"])  # ...while this still runs
    after = cpairs.task_span(1, lane, start, clock.now(), kind="after")
    report.update(value=value, spans=[compute, after])
# ANCHOR_END: worker


def woke(rec, value, how):
    rec.note("woke_s", rec.clock.now())
    rec.receive_id(0, f"value {value} ({how})")


def worker_ended(rec, report):
    compute, after = report["spans"]
    rec.say(f"worker ended (published {report['value']} at {report['published_s']:.3f}s, "
            f"kept working until {after['end_s']:.3f}s)")
    rec.note("published_s", report["published_s"])
    rec.note("worker_end_s", after["end_s"])
    rec.record(compute)
    rec.record(after)
    return rec.finish()


def start_worker(rec, sizes, publish, report):
    thread = threading.Thread(target=worker, name="worker",
                              args=(rec.clock, sizes, publish, report))
    thread.start()
    return thread


def join(thread, sizes):
    thread.join(timeout=patience(sizes))
    if thread.is_alive():
        raise RuntimeError("the worker did not end in time")


# ANCHOR: event
def event(sizes):
    rec = cpairs.Recorder("event", "threading.Event")
    ready = threading.Event()
    result = {}

    def publish(value):
        result["value"] = value
        ready.set()

    report = {}
    thread = start_worker(rec, sizes, publish, report)
    if not ready.wait(timeout=patience(sizes)):
        raise RuntimeError("the worker did not publish in time")
    woke(rec, result["value"], SIGNALLED)
    join(thread, sizes)
    return worker_ended(rec, report)
# ANCHOR_END: event


# ANCHOR: channel
def channel(sizes):
    rec = cpairs.Recorder("channel", "queue.Queue, get(timeout)")
    results = queue.Queue()
    report = {}
    thread = start_worker(rec, sizes, results.put, report)
    value = results.get(timeout=patience(sizes))  # raises queue.Empty when late
    woke(rec, value, SIGNALLED)
    join(thread, sizes)
    return worker_ended(rec, report)
# ANCHOR_END: channel


# ANCHOR: join
def join_variant(sizes):
    rec = cpairs.Recorder("join", "Thread.join (no signal)")
    report = {}
    thread = start_worker(rec, sizes, lambda value: None, report)
    join(thread, sizes)  # returns only when the worker has finished everything
    woke(rec, report["value"], "from join: the worker is done")
    return worker_ended(rec, report)
# ANCHOR_END: join


async def async_worker(clock, sizes, publish, report):
    """The same worker as a coroutine."""
    lane = "worker-task"
    start = clock.now()
    await asyncio.sleep(sizes["compute_s"])
    compute = cpairs.task_span(0, lane, start, clock.now())
    report["published_s"] = clock.now()
    publish(ANSWER)
    start = clock.now()
    await asyncio.sleep(sizes["after_s"])
    after = cpairs.task_span(1, lane, start, clock.now(), kind="after")
    report.update(value=ANSWER, spans=[compute, after])


# ANCHOR: async_event
async def async_event(sizes):
    rec = cpairs.Recorder("async-event", "asyncio.Event")
    ready = asyncio.Event()
    result = {}

    def publish(value):
        result["value"] = value
        ready.set()

    report = {}
    task = asyncio.create_task(async_worker(rec.clock, sizes, publish, report))
    await asyncio.wait_for(ready.wait(), timeout=patience(sizes))
    woke(rec, result["value"], SIGNALLED)
    await asyncio.wait_for(task, timeout=patience(sizes))
    return worker_ended(rec, report)
# ANCHOR_END: async_event


# ANCHOR: async_oneshot
async def async_oneshot(sizes):
    rec = cpairs.Recorder("async-oneshot", "asyncio.Future, set_result")
    future = asyncio.get_running_loop().create_future()
    report = {}
    task = asyncio.create_task(async_worker(rec.clock, sizes, future.set_result, report))
    value = await asyncio.wait_for(future, timeout=patience(sizes))
    woke(rec, value, SIGNALLED)
    await asyncio.wait_for(task, timeout=patience(sizes))
    return worker_ended(rec, report)
# ANCHOR_END: async_oneshot


# ANCHOR: async_join
async def async_join(sizes):
    rec = cpairs.Recorder("async-join", "await the task (no signal)")
    report = {}
    task = asyncio.create_task(async_worker(rec.clock, sizes, lambda value: None, report))
    await asyncio.wait_for(task, timeout=patience(sizes))
    woke(rec, report["value"], "from join: the worker is done")
    return worker_ended(rec, report)
# ANCHOR_END: async_join


def main():
    lessons = {
        "event": event,
        "channel": channel,
        "join": join_variant,
        "async-event": lambda sizes: asyncio.run(async_event(sizes)),
        "async-oneshot": lambda sizes: asyncio.run(async_oneshot(sizes)),
        "async-join": lambda sizes: asyncio.run(async_join(sizes)),
    }
    options = cpairs.parse_args(
        "event", "wake when a value is published, not when the worker ends",
        variants=list(lessons))
    sizes = FULL if options.full else DEFAULT
    trace = cpairs.Trace("event", options)
    for name, lesson in lessons.items():
        if options.runs(name):
            variant = lesson(sizes)
            variant["ideal_s"] = sizes["compute_s"] + sizes["after_s"]
            trace.push(variant)
    trace.finish()


if __name__ == "__main__":
    main()
