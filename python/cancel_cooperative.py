"""cancel_cooperative: stopping running work by asking it to stop.

Twin of examples/cancel_cooperative.rs (chapter: book/src/cancel.md, its second half).
Future.cancel() cannot stop a running ProcessPoolExecutor job (python/cancel.py), so the
scheduler article (KitfuCoda part 4) passes a Manager().Event() to its big-integer fib
and checks it every step instead: each check is a round trip to the manager process.

Run: python3 python/cancel_cooperative.py [--json] [--full] [--variant NAME]
"""

import multiprocessing
import statistics
import time
from concurrent.futures import ProcessPoolExecutor

import cpairs

WAIT_S = 120  # every result is waited for at most this long


def fib(nth, cancel_event=None):
    """The article's loop, checking the event before every step; says how far it got."""
    a, b = 0, 1
    for step in range(nth):
        if cancel_event is not None and cancel_event.is_set():
            return "Cancelled", step
        a, b = b, a + b
    return a


# ANCHOR: manager_event
def cancel_with_event(executor, manager, nth):
    """Submit fib with a Manager().Event(), set it once fib runs.

    Returns (result, seconds to stop)."""
    event = manager.Event()
    future = executor.submit(fib, nth, event)
    time.sleep(0.05)
    asked = time.perf_counter()
    event.set()
    cpairs.mark("event set")
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
    variants = ["cooperative-flag"]
    options = cpairs.parse_args("cancel_cooperative", "a Manager().Event() checked every "
                                "step stops a running job", variants=variants)
    nth, cancels = (300_000, 100) if options.full else (200_000, 20)
    trace = cpairs.Trace("cancel_cooperative", options)
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
