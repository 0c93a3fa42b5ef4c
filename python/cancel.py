"""cancel: stopping work that is already running.

Twin of examples/cancel.rs (chapter: book/src/cancel.md). Future.cancel() on a ProcessPoolExecutor job returns False
once the job runs (or sits in the call queue), True while it is pending. The scheduler
article (KitfuCoda part 4) passes a Manager().Event() to its big-integer fib and checks it
every step instead; a plain multiprocessing.Event cannot be passed to submit at all.

Run: python3 python/cancel.py [--json] [--full] [--variant NAME]
"""

import multiprocessing
import statistics
import time
from concurrent.futures import ProcessPoolExecutor

import cpairs

WAIT_S = 120  # every result is waited for at most this long


# ANCHOR: fib
def fib(nth, cancel_event=None):
    """The article's loop, checking the event before every step; says how far it got."""
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
        gate.set()
        cpairs.note(f"cancel(): running {answers[0]}, pending {answers[1]}, queued {answers[2]}")
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


# ANCHOR: manager_event
def cancel_with_event(executor, manager, nth):
    """Submit fib with a Manager().Event(), set it once fib runs: (result, seconds to stop)."""
    event = manager.Event()
    future = executor.submit(fib, nth, event)
    time.sleep(0.05)
    asked = time.perf_counter()
    event.set()
    result = future.result(timeout=WAIT_S)
    return result, time.perf_counter() - asked
# ANCHOR_END: manager_event


def cooperative(nth, cancels):
    with multiprocessing.Manager() as manager, ProcessPoolExecutor(max_workers=1) as executor:
        executor.submit(fib, 1).result(timeout=WAIT_S)  # the worker is up
        runs = [cancel_with_event(executor, manager, nth) for _ in range(cancels)]
        event, checks = manager.Event(), 2000
        start = time.perf_counter()
        for _ in range(checks):
            event.is_set()
        per_check = (time.perf_counter() - start) / checks
        start = time.perf_counter()
        fib(checks, event)
        with_checks = time.perf_counter() - start
        start = time.perf_counter()
        fib(checks)
        plain = time.perf_counter() - start
    return runs, per_check, with_checks / plain


def main():
    variants = ["future-cancel", "plain-event", "cooperative-flag"]
    options = cpairs.parse_args("cancel", "Future.cancel() cannot stop a running job; a "
                                "Manager().Event() checked every step can", variants=variants)
    nth, cancels = (300_000, 100) if options.full else (200_000, 20)
    trace = cpairs.Trace("cancel", options)
    ran = trace.run("future-cancel", "ProcessPoolExecutor(1) + Future.cancel()", future_cancel, nth)
    if ran:
        answers, v = ran
        v.update(refused=answers.count(False), cancelled=answers.count(True), ran_to_end=2)
    ran = trace.run("plain-event", "submit(fib, n, multiprocessing.Event())", plain_event, nth)
    if ran:
        error, v = ran
        v.update(error=error)
    ran = trace.run("cooperative-flag", "Manager().Event() checked every step",
                    cooperative, nth, cancels)
    if ran:
        (runs, per_check, slowdown), v = ran
        stops = sorted(seconds for _, seconds in runs)
        steps = [r[1] if isinstance(r, tuple) else nth for r, _ in runs]
        v.update(stop_median_s=statistics.median(stops), stop_worst_s=stops[-1],
                 cancels=len(stops), steps=nth, steps_done=max(steps), check_s=per_check,
                 slowdown=slowdown, cancelled=sum(isinstance(r, tuple) for r, _ in runs))
        cpairs.say(f"  {len(stops)} cancels: stopped in {v['stop_median_s'] * 1e3:.2f} ms "
                   f"(median), {stops[-1] * 1e3:.2f} ms (worst); one check {per_check * 1e6:.1f} "
                   f"µs; fib {slowdown:.0f}x as slow with checks")
    trace.finish()


if __name__ == "__main__":
    main()
