"""pipeline: mappers feeding a collector, in input order or not.

Twin of examples/pipeline.rs (chapter: book/src/pipeline.md). Article 4's "pyrallel" ParallelProcessor runs a mapper in N
worker processes and hands each result to a collector (four sleeps of 1..4 s on 4
processes took about 5.2 s with start-up). This builds the same shape from the standard
library (worker processes, a multiprocessing.Queue of results, the collector in the
parent), then Pool.imap and imap_unordered. A collector slower than its mappers is
python/backpressure.py.

Run: python3 python/pipeline.py [--json] [--full] [--variant NAME]
"""

import multiprocessing
import time

import cpairs

WORKERS = 4
SLEEPS = [8, 1, 6, 3, 7, 2, 5, 4]  # the ordering variants' sleeps, in units
LIMIT_S = 120  # every get is bounded by this


# ANCHOR: processor
def mapper_process(mapper, items, next_item, results):
    """One worker process: take the next item's index, map it, put the result."""
    while True:
        with next_item.get_lock():
            index = next_item.value
            next_item.value += 1
        if index >= len(items):
            break
        results.put((index, cpairs.task(index, mapper, items[index])))


def parallel_processor(items, mapper, collector, workers=WORKERS, maxsize=WORKERS):
    """The article's ParallelProcessor: `workers` processes map, the collector runs
    here, handed each result as it comes; the results queue holds maxsize (put waits
    while it is full)."""
    results = multiprocessing.Queue(maxsize)
    next_item = multiprocessing.Value("q", 0)
    processes = [multiprocessing.Process(target=mapper_process,
                                         args=(mapper, items, next_item, results))
                 for _ in range(workers)]
    for process in processes:
        process.start()
    for _ in items:
        index, result = results.get(timeout=LIMIT_S)
        cpairs.arrived(index, "collected")
        collector(result)
    for process in processes:
        process.join(timeout=LIMIT_S)
# ANCHOR_END: processor


# ANCHOR: work
def slow_calculation(wait, unit):
    """The article's mapper: sleep `wait` units, give `wait` back."""
    time.sleep(wait * unit)
    return wait
# ANCHOR_END: work


class Sleeper:
    """slow_calculation with its unit, picklable for the pool."""

    def __init__(self, unit):
        self.unit = unit

    def __call__(self, wait):
        return slow_calculation(wait, self.unit)


def timed_sleep(index, wait, unit):
    return cpairs.task(index, slow_calculation, wait, unit)


# ANCHOR: imap
def imap(items, unit, ordered):
    """Pool.imap yields results in input order; imap_unordered as they finish."""
    jobs = [(index, wait, unit) for index, wait in enumerate(items)]
    got = []
    with multiprocessing.Pool(WORKERS) as pool:
        run = pool.imap if ordered else pool.imap_unordered
        for index, result in run(starmap_job, jobs):
            cpairs.arrived(index, result)
            got.append(result)
    return got
# ANCHOR_END: imap


def starmap_job(job):
    index, wait, unit = job
    return index, timed_sleep(index, wait, unit)


VARIANTS = ["article", "imap", "imap-unordered"]


def main():
    options = cpairs.parse_args("pipeline", "mappers feeding a collector, in input order or "
                                "not", variants=VARIANTS)
    unit, step = (1.0, 0.1) if options.full else (0.1, 0.01)
    trace = cpairs.Trace("pipeline", options)

    sleeps = [1, 2, 3, 4]  # the article's four sleeps, in units

    def article():
        list_items = []
        parallel_processor(sleeps, Sleeper(unit), list_items.append, maxsize=WORKERS)
        return list_items

    ran = trace.run("article", "4 Processes + Queue(4), collector in the parent", article)
    if ran:
        list_items, v = ran
        cpairs.say(f"  list_items: {list_items}")
        v.update(inputs=len(sleeps), ideal_s=4 * unit)
    for name, ordered in [("imap", True), ("imap-unordered", False)]:
        ran = trace.run(name, f"Pool(4).{name.replace('-', '_')}", imap, SLEEPS, step, ordered)
        if ran:
            ran[1].update(inputs=len(SLEEPS),
                          ideal_s=step * max(max(SLEEPS), sum(SLEEPS) / WORKERS))
    trace.finish()


if __name__ == "__main__":
    main()
