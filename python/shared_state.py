"""shared_state: one counter, several processes.

Twin of examples/shared_state.rs. Reproduces the two failures of the article:
- a multiprocessing.Value passed to Pool.map raises "RuntimeError: Synchronized objects
  should only be shared between processes through inheritance";
- the "fix", Manager().Value, makes `proxy.value += 1` a read then a write through a
  proxy, so concurrent increments are lost (counted here over several runs);
and the correct forms: a Value handed to the pool's workers at start-up (initializer)
and incremented under its own lock, and no sharing at all (each worker counts its part,
the parts are added at the end).

Run: python3 python/shared_state.py [--json] [--full] [--variant NAME]
"""

import multiprocessing

import cpairs

MANAGER_PER_WORKER = 1_000  # each += is two round trips to the manager process: slow
MANAGER_RUNS = 3
PER_WORKER = 100_000


def receive_run(rec, spans):
    """Receive one run's spans; return how long its counting phase lasted (first
    worker's start to last worker's end)."""
    for span in spans:
        rec.receive(span, "counted its share")
    return max(span["end_s"] for span in spans) - min(span["start_s"] for span in spans)


def counted(rec, counting_s, final_value, expected):
    """Record the count, the lost updates and the cost of one increment: the time spent
    counting divided by the number of increments (with several workers counting at once
    it is a throughput, not the latency of one increment)."""
    lost = expected - final_value
    increment_s = counting_s / expected
    rec.say(f"final {final_value}, expected {expected}, lost {lost}, "
            f"{increment_s * 1e9:.0f} ns per increment")
    rec.note("increments", expected)
    rec.note("final_value", final_value)
    rec.note("lost_updates", lost)
    rec.note("increment_s", increment_s)
    return rec.finish()


def increment(value):
    value.value += 1


# ANCHOR: pool_map_value
def value_pool_map(workers):
    rec = cpairs.Recorder("value-pool-map", "multiprocessing.Value passed to Pool.map")
    value = multiprocessing.Value("i", 0)
    with multiprocessing.Pool(workers) as pool:
        try:
            pool.map(increment, [value] * workers)
        except RuntimeError as error:  # the Value cannot be pickled into a task
            rec.say(f"Pool.map raised RuntimeError: {error}")
            rec.note("error", f"RuntimeError: {error}")
    return rec.finish()
# ANCHOR_END: pool_map_value


# ANCHOR: manager
def count_through_proxy(clock, task_id, proxy, n):
    start = clock.now()
    for _ in range(n):
        proxy.value += 1  # get the value from the manager, then set value + 1
    return cpairs.task_span(task_id, cpairs.process_lane(), start, clock.now())


def manager(workers):
    rec = cpairs.Recorder("manager", "Manager().Value, value += 1 from every worker")
    final_total, counting_s = 0, 0.0
    with multiprocessing.Manager() as shared, multiprocessing.Pool(workers) as pool:
        for run in range(MANAGER_RUNS):
            proxy = shared.Value("i", 0)
            jobs = [(rec.clock, run * workers + w, proxy, MANAGER_PER_WORKER)
                    for w in range(workers)]
            counting_s += receive_run(rec, pool.starmap(count_through_proxy, jobs))
            lost = workers * MANAGER_PER_WORKER - proxy.value
            rec.say(f"run {run}: counter {proxy.value} of {workers * MANAGER_PER_WORKER}"
                    f" ({lost} updates lost)")
            final_total += proxy.value
    return counted(rec, counting_s, final_total, MANAGER_RUNS * workers * MANAGER_PER_WORKER)
# ANCHOR_END: manager


# ANCHOR: lock
counter = None  # each worker's handle on the shared Value, set when the worker starts


def share(value):
    global counter
    counter = value


def count_under_lock(clock, task_id, n):
    start = clock.now()
    for _ in range(n):
        with counter.get_lock():  # read and write as one step
            counter.value += 1
    return cpairs.task_span(task_id, cpairs.process_lane(), start, clock.now())


def lock(workers):
    rec = cpairs.Recorder("lock", "Value via Pool initializer, with v.get_lock()")
    value = multiprocessing.Value("q", 0)
    # Handed over when each worker process starts (inheritance), not with every task.
    with multiprocessing.Pool(workers, initializer=share, initargs=(value,)) as pool:
        spans = pool.starmap(count_under_lock,
                             [(rec.clock, w, PER_WORKER) for w in range(workers)])
    return counted(rec, receive_run(rec, spans), value.value, workers * PER_WORKER)
# ANCHOR_END: lock


# ANCHOR: no_sharing
def count_alone(clock, task_id, n):
    start = clock.now()
    mine = 0
    for _ in range(n):
        mine += 1
    return mine, cpairs.task_span(task_id, cpairs.process_lane(), start, clock.now())


def no_sharing(workers):
    rec = cpairs.Recorder("no-sharing", "Pool.starmap returns partial counts")
    with multiprocessing.Pool(workers) as pool:
        results = pool.starmap(count_alone, [(rec.clock, w, PER_WORKER) for w in range(workers)])
    counting_s = receive_run(rec, [span for _, span in results])
    return counted(rec, counting_s, sum(part for part, _ in results), workers * PER_WORKER)
# ANCHOR_END: no_sharing


VARIANTS = [("value-pool-map", value_pool_map), ("manager", manager), ("lock", lock),
            ("no-sharing", no_sharing)]


def main():
    options = cpairs.parse_args(
        "shared_state", "one counter, several processes: Value, Manager, lock, no sharing",
        variants=[name for name, _ in VARIANTS])
    workers = 4 if options.full else 2
    trace = cpairs.Trace("shared_state", options)
    for name, run in VARIANTS:
        if options.runs(name):
            trace.push(run(workers))
    trace.finish()


if __name__ == "__main__":
    main()
