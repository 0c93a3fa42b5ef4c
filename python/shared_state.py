"""shared_state: one counter, several processes.

Twin of examples/shared_state.rs (chapter: book/src/shared_state.md). Reproduces the two failures of the article:
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
ARTICLE_RUNS = 20  # the article's own program, run again and again
PER_WORKER = 100_000


def increment(value):
    value.value += 1


# ANCHOR: pool_map_value
def value_pool_map(workers):
    """Returns the error Pool.map raised."""
    value = multiprocessing.Value("i", 0)
    with multiprocessing.Pool(workers) as pool:
        try:
            pool.map(increment, [value] * workers)
        except RuntimeError as error:  # the Value cannot be pickled into a task
            cpairs.note(f"Pool.map raised RuntimeError: {error}")
            return error
    return None
# ANCHOR_END: pool_map_value


# ANCHOR: manager
def count_through_proxy(proxy, n):
    for _ in range(n):
        proxy.value += 1  # get the value from the manager, then set value + 1


def manager(workers, per_worker, runs):
    """Returns the final count, added up over the runs."""
    total = 0
    with multiprocessing.Manager() as shared, multiprocessing.Pool(workers) as pool:
        for run in range(runs):
            proxy = shared.Value("i", 0)
            first = run * workers  # task ids go on from one run to the next
            jobs = [(first + w, count_through_proxy, proxy, per_worker)
                    for w in range(workers)]
            pool.starmap(cpairs.task, jobs)
            for task_id in range(first, first + workers):
                cpairs.arrived(task_id, "counted its share")
            expected = workers * per_worker
            cpairs.note(f"run {run}: counter {proxy.value} of {expected}"
                        f" ({expected - proxy.value} updates lost)")
            total += proxy.value
    return total
# ANCHOR_END: manager


# ANCHOR: article_size
def article_program():
    """The article's fixed program, run as written: a Manager().Value, a pool of 5,
    pool.map of one increment per worker. It prints the value; the article says 5."""
    with multiprocessing.Manager() as manager:
        shared_value = manager.Value("i", 0)
        with multiprocessing.Pool(processes=5) as pool:
            pool.map(increment, [shared_value] * 5)
        return shared_value.value


def article_runs(runs):
    """Run it `runs` times; what each run would have printed."""
    printed = [article_program() for _ in range(runs)]
    cpairs.note(f"printed {printed}: {printed.count(5)} of {runs} runs print 5")
    return printed
# ANCHOR_END: article_size


# ANCHOR: lock
counter = None  # each worker's handle on the shared Value, set when the worker starts


def share(value):
    global counter
    counter = value


def count_under_lock(n):
    for _ in range(n):
        with counter.get_lock():  # read and write as one step
            counter.value += 1


def lock(workers, per_worker):
    """Returns the final count."""
    value = multiprocessing.Value("q", 0)
    # Handed over when each worker process starts (inheritance), not with every task.
    with multiprocessing.Pool(workers, initializer=share, initargs=(value,)) as pool:
        pool.starmap(cpairs.task,
                     [(w, count_under_lock, per_worker) for w in range(workers)])
    for task_id in range(workers):
        cpairs.arrived(task_id, "counted its share")
    return value.value
# ANCHOR_END: lock


# ANCHOR: no_sharing
def count_alone(n):
    mine = 0
    for _ in range(n):
        mine += 1
    return mine


def no_sharing(workers, per_worker):
    """Returns the parts' sum."""
    with multiprocessing.Pool(workers) as pool:
        parts = pool.starmap(cpairs.task,
                             [(w, count_alone, per_worker) for w in range(workers)])
    for task_id, part in enumerate(parts):
        cpairs.arrived(task_id, f"counted {part}")
    return sum(parts)
# ANCHOR_END: no_sharing


def counting_s(v, workers):
    """How long the counting lasted: in each run (`workers` tasks with consecutive ids),
    the first worker's start to the last worker's end, added up over the runs."""
    runs = {}
    for span in v["tasks"]:
        runs.setdefault(span["id"] // workers, []).append(span)
    return sum(max(span["end_s"] for span in run) - min(span["start_s"] for span in run)
               for run in runs.values())


def counted(v, workers, final_value, expected):
    """Record the count, the lost updates and the cost of one increment: the time spent
    counting divided by the number of increments (with several workers counting at once
    it is a throughput, not the latency of one increment)."""
    lost = expected - final_value
    increment_s = counting_s(v, workers) / expected
    cpairs.say(f"final {final_value}, expected {expected}, lost {lost}, "
               f"{increment_s * 1e9:.0f} ns per increment")
    v["increments"] = expected
    v["final_value"] = final_value
    v["lost_updates"] = lost
    v["increment_s"] = increment_s


def main():
    options = cpairs.parse_args(
        "shared_state", "one counter, several processes: Value, Manager, lock, no sharing",
        variants=["value-pool-map", "manager", "article-size", "lock", "no-sharing"])
    workers = 4 if options.full else 2
    trace = cpairs.Trace("shared_state", options)
    ran = trace.run("value-pool-map", "multiprocessing.Value passed to Pool.map",
                    value_pool_map, workers)
    if ran and ran[0] is not None:
        error, v = ran
        v["error"] = f"{type(error).__name__}: {error}"
    ran = trace.run("manager", "Manager().Value, value += 1 from every worker",
                    manager, workers, MANAGER_PER_WORKER, MANAGER_RUNS)
    if ran:
        counted(ran[1], workers, ran[0], MANAGER_RUNS * workers * MANAGER_PER_WORKER)
        ran[1].update(workers=workers, per_worker=MANAGER_PER_WORKER, runs=MANAGER_RUNS)
    ran = trace.run("article-size", f"the article's program (Pool(5), 5 increments) "
                    f"{ARTICLE_RUNS} times", article_runs, ARTICLE_RUNS)
    if ran:
        printed, v = ran
        v.update(sums=printed, article_runs=len(printed), article_exact=printed.count(5))
    ran = trace.run("lock", "Value via Pool initializer, with v.get_lock()",
                    lock, workers, PER_WORKER)
    if ran:
        counted(ran[1], workers, ran[0], workers * PER_WORKER)
        ran[1].update(workers=workers, per_worker=PER_WORKER)
    ran = trace.run("no-sharing", "Pool.starmap returns partial counts",
                    no_sharing, workers, PER_WORKER)
    if ran:
        counted(ran[1], workers, ran[0], workers * PER_WORKER)
        ran[1].update(workers=workers, per_worker=PER_WORKER)
    trace.finish()


if __name__ == "__main__":
    main()
