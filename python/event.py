"""event: signal a result, keep working.

Twin of examples/event.rs (chapter: book/src/event.md). A worker thread computes a value, stores it, sets a
threading.Event, and keeps working (the article: two seconds more); the main thread
wakes on the event, not on the thread's end. Joining the thread instead wakes only when
the worker is completely done. The asyncio version is python/event_async.py.

Run: python3 python/event.py [--json] [--full] [--variant NAME]
"""

import queue
import threading
import time

import cpairs

ANSWER = 42  # the value the worker computes (the computing itself is a sleep)
DEFAULT = {"compute_s": 0.2, "after_s": 0.4}
FULL = {"compute_s": 1.0, "after_s": 2.0}  # the article: 1 s of work, then 2 s more
SIGNALLED = "signalled: the worker is still busy"
JOINED = "from join: the worker is done"


def patience(sizes):
    """No wait here is unbounded: give up with an error long after the worker is due."""
    return sizes["compute_s"] + sizes["after_s"] + 10.0


# ANCHOR: worker
def compute(seconds):
    time.sleep(seconds)  # computing
    return ANSWER


def worker(sizes, publish):
    """Compute (task 0), hand the value to publish(), then keep working (task 1)."""
    value = cpairs.task(0, compute, sizes["compute_s"])
    publish(value)  # the waiter can go on from here...
    cpairs.task(1, time.sleep, sizes["after_s"], kind="after")  # ...while this runs
    cpairs.note("worker: finished its other work too")
    return value  # lost when this is a Thread's target: join() returns None
# ANCHOR_END: worker


def start_worker(sizes, publish):
    thread = threading.Thread(target=worker, name="worker", args=(sizes, publish))
    thread.start()
    return thread


def join(thread, sizes):
    thread.join(timeout=patience(sizes))
    if thread.is_alive():
        raise RuntimeError("the worker did not end in time")


# ANCHOR: event
def event(sizes):
    ready = threading.Event()
    result = {}

    def publish(value):
        result["value"] = value
        ready.set()

    thread = start_worker(sizes, publish)
    if not ready.wait(timeout=patience(sizes)):
        raise RuntimeError("the worker did not publish in time")
    cpairs.arrived(0, f"value {result['value']} ({SIGNALLED})")
    join(thread, sizes)
# ANCHOR_END: event


# ANCHOR: channel
def channel(sizes):
    results = queue.Queue()
    thread = start_worker(sizes, results.put)
    value = results.get(timeout=patience(sizes))  # raises queue.Empty when late
    cpairs.arrived(0, f"value {value} ({SIGNALLED})")
    join(thread, sizes)
# ANCHOR_END: channel


# ANCHOR: join
def join_variant(sizes):
    result = {}
    thread = start_worker(sizes, lambda v: result.update(value=v))  # no signal
    join(thread, sizes)  # returns only when the worker has finished everything
    cpairs.arrived(0, f"value {result['value']} ({JOINED})")
# ANCHOR_END: join


VARIANTS = [
    ("event", "threading.Event", event),
    ("channel", "queue.Queue, get(timeout)", channel),
    ("join", "Thread.join (no signal)", join_variant),
]


def main():
    options = cpairs.parse_args(
        "event", "wake when a value is published, not when the worker ends",
        variants=[name for name, _, _ in VARIANTS])
    sizes = FULL if options.full else DEFAULT
    trace = cpairs.Trace("event", options)
    for name, uses, lesson in VARIANTS:
        trace.run(name, uses, lesson, sizes)
    trace.set_ideal(sizes["compute_s"] + sizes["after_s"])
    trace.finish()


if __name__ == "__main__":
    main()
