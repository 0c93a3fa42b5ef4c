"""cancel: stopping work that is already running.

Twin of examples/cancel.rs (chapter: book/src/cancel.md). Future.cancel() on a
ProcessPoolExecutor job returns False once the job runs (or sits in the call queue), True
while it is pending; a plain multiprocessing.Event, the flag one would hand the job
instead, cannot be passed to submit at all. What does stop a running job, the scheduler
article's Manager().Event() checked every step, is python/cancel_cooperative.py.

Run: python3 python/cancel.py [--json] [--full] [--variant NAME]
"""

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor

import cpairs

WAIT_S = 120  # every result is waited for at most this long


# ANCHOR: fib
def fib(nth, cancel_event=None):
    """The article's loop; checks the event before each step, says how far it got."""
    a, b = 0, 1
    for step in range(nth):
        if cancel_event is not None and cancel_event.is_set():
            return "Cancelled", step
        a, b = b, a + b
    return a
# ANCHOR_END: fib


def timed_fib(task_id, nth):
    cpairs.task(task_id, fib, nth)
    return task_id


# ANCHOR: future_cancel
def future_cancel(nth):
    """One worker, three jobs: running, in the call queue, pending. Cancel each."""
    gate = multiprocessing.Event()  # holds the worker back until the three are placed
    with ProcessPoolExecutor(max_workers=1, initializer=gate.wait) as executor:
        futures = [executor.submit(timed_fib, i, nth) for i in range(3)]
        # The pool marks a job running as it moves it into its call queue, which holds
        # one job per worker plus one: jobs 0 and 1 go in, job 2 waits in the pool.
        deadline = time.monotonic() + WAIT_S
        while not futures[1].running() and time.monotonic() < deadline:
            time.sleep(0.01)
        answers = [futures[0].cancel(), futures[2].cancel(), futures[1].cancel()]
        cpairs.mark("cancel()")
        gate.set()
        cpairs.note(f"cancel(): running {answers[0]}, pending {answers[1]}, "
                    f"queued {answers[2]}")
        for future in futures[:2]:
            cpairs.arrived(future.result(timeout=WAIT_S), "ran to its end anyway")
    return answers
# ANCHOR_END: future_cancel


# ANCHOR: plain_event
def plain_event(nth):
    """A multiprocessing.Event cannot travel through submit's pickling."""
    with ProcessPoolExecutor(max_workers=1) as executor:
        future = executor.submit(fib, nth, multiprocessing.Event())
        try:
            future.result(timeout=WAIT_S)
        except RuntimeError as error:
            cpairs.note(f"RuntimeError: {error}")
            return str(error)
    return None
# ANCHOR_END: plain_event


def main():
    variants = ["future-cancel", "plain-event"]
    options = cpairs.parse_args("cancel", "Future.cancel() cannot stop a running job, and a "
                                "plain Event cannot reach one", variants=variants)
    nth = 300_000 if options.full else 200_000
    trace = cpairs.Trace("cancel", options)
    ran = trace.run("future-cancel", "ProcessPoolExecutor(1) + Future.cancel()", future_cancel, nth)
    if ran:
        answers, v = ran
        v.update(refused=answers.count(False), cancelled=answers.count(True), ran_to_end=2)
    ran = trace.run("plain-event", "submit(fib, n, multiprocessing.Event())", plain_event, nth)
    if ran:
        error, v = ran
        v.update(error=error)
    trace.finish()


if __name__ == "__main__":
    main()
