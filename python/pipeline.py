"""pipeline: mappers feeding a collector, with backpressure.

Twin of examples/pipeline.rs (chapter: book/src/pipeline.md). Article 4's "pyrallel" ParallelProcessor runs a mapper in N
worker processes and hands each result to a collector (four sleeps of 1..4 s on 4
processes took about 5.2 s with start-up). This builds the same shape from the standard
library (worker processes, a multiprocessing.Queue of results, the collector in the
parent), then Pool.imap and imap_unordered, then a slow collector behind a bounded and an
unbounded queue.

Run: python3 python/pipeline.py [--json] [--full] [--tasks N] [--variant NAME]
"""

import multiprocessing
import time

import cpairs

WORKERS, CAPACITY, PAYLOAD, COLLECT_S = 4, 16, 1_000, 20e-6
SLEEPS = [8, 1, 6, 3, 7, 2, 5, 4]  # the ordering variants' sleeps, in units
WAIT_S = 0.2  # the pitfalls' bounded wait
LIMIT_S = 120  # every get is bounded by this
DONE = -1  # a worker's last message: (DONE, its peak RSS)


def timed(index, mapper, item):
    """The lab's task mark around one mapping, unless only counts are kept."""
    if cpairs.counts_only():  # --counts-only, as the parent parsed it
        return mapper(item)
    return cpairs.task(index, mapper, item)


def collected(index):
    if not cpairs.counts_only():
        cpairs.arrived(index, "collected")


# ANCHOR: processor
def mapper_process(mapper, items, next_item, results):
    """One worker process: take the next item's index, map the item, put the result."""
    while True:
        with next_item.get_lock():
            index = next_item.value
            next_item.value += 1
        if index >= len(items):
            break
        results.put((index, timed(index, mapper, items[index])))
    results.put((DONE, cpairs.peak_rss_bytes() or 0))  # and how much memory it held


def parallel_processor(items, mapper, collector, workers=WORKERS, maxsize=0):
    """The article's ParallelProcessor: `workers` processes map, the collector runs here.
    maxsize > 0 bounds the results queue (put waits while it is full); 0 is unbounded.
    Returns the workers' peak memory, summed."""
    results = multiprocessing.Queue(maxsize)
    next_item = multiprocessing.Value("q", 0)
    processes = [multiprocessing.Process(target=mapper_process,
                                         args=(mapper, items, next_item, results))
                 for _ in range(workers)]
    for process in processes:
        process.start()
    running, worker_memory = workers, 0
    while running:
        index, result = results.get(timeout=LIMIT_S)
        if index == DONE:
            running, worker_memory = running - 1, worker_memory + result
        else:
            collected(index)
            collector(result)
    for process in processes:
        process.join(timeout=LIMIT_S)
    return worker_memory
# ANCHOR_END: processor


# ANCHOR: work
def slow_calculation(wait, unit):
    """The article's mapper: sleep `wait` units, give `wait` back."""
    time.sleep(wait * unit)
    return wait


def payload(item):
    """The backpressure mapper: a result of PAYLOAD bytes, made at once."""
    return bytes([item % 256]) * PAYLOAD


def slow_collector(result):
    """A collector slower than the mappers: COLLECT_S of work per result."""
    until = time.perf_counter() + COLLECT_S
    while time.perf_counter() < until:
        len(result)
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


# ANCHOR: backpressure
def backpressure(items, maxsize, stop=None):
    """`items` payloads to the slow collector through a results queue of maxsize slots
    (0: unbounded). With `stop` = (n, seconds), the collector stops reading for that long
    after n results: the workers' put waits. Returns (collected, workers' memory)."""
    count = 0

    def collector(result):
        nonlocal count
        slow_collector(result)
        count += 1
        if stop and count == stop[0]:
            time.sleep(stop[1])  # not reading: nothing leaves the queue

    memory = parallel_processor(range(items), payload, collector, maxsize=maxsize)
    return count, memory
# ANCHOR_END: backpressure


# ANCHOR: zero_capacity
def zero_capacity(items):
    """Queue(maxsize=0) is not a zero-slot queue: it is unbounded. With no reader at all,
    every put returns at once (put(timeout=...) would raise queue.Full otherwise)."""
    results = multiprocessing.Queue(maxsize=0)
    accepted = 0
    for item in range(items):
        results.put(payload(item), timeout=WAIT_S)
        accepted += 1
    results.cancel_join_thread()  # nobody will read them: let the process exit anyway
    return accepted
# ANCHOR_END: zero_capacity


def in_flight(v):
    """The most results mapped but not yet collected, at any receipt (None without spans)."""
    ends = sorted(t["end_s"] for t in v["tasks"])
    if not v["received_s"]:
        return None
    most, ended = 0, 0
    for k, at in enumerate(v["received_s"]):
        while ended < len(ends) and ends[ended] <= at:
            ended += 1
        most = max(most, ended - k - 1)
    return most


VARIANTS = ["article", "imap", "imap-unordered", "bounded", "unbounded", "collector-stops",
            "zero-capacity"]


def main():
    options = cpairs.parse_args("pipeline", "mappers feeding a collector: ordered or not, "
                                "bounded or not", tasks=True, variants=VARIANTS,
                                counts_only=True)
    unit, step, items = (1.0, 0.1, 100_000) if options.full else (0.1, 0.01, 2_000)
    items = options.tasks or items
    alone = options.variant is not None
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
        if v["tasks"]:
            v.update(startup_s=min(t["start_s"] for t in v["tasks"]))
    for name, ordered in [("imap", True), ("imap-unordered", False)]:
        ran = trace.run(name, f"Pool(4).{name.replace('-', '_')}", imap, SLEEPS, step, ordered)
        if ran:
            ran[1].update(inputs=len(SLEEPS),
                          ideal_s=step * max(max(SLEEPS), sum(SLEEPS) / WORKERS))
    backpressure_variants = [
        ("bounded", f"4 Processes + Queue({CAPACITY}), slow collector", CAPACITY, None),
        ("unbounded", "4 Processes + Queue(), slow collector", 0, None),
        ("collector-stops", f"Queue({CAPACITY}), the collector idles 200 ms", CAPACITY,
         (WORKERS, WAIT_S)),
    ]
    for name, uses, maxsize, stop in backpressure_variants:
        ran = trace.run(name, uses, quietly(backpressure, items), items, maxsize, stop)
        if ran:
            (count, memory), v = ran
            v.update(ideal_s=items * COLLECT_S + (stop[1] if stop else 0), items=count,
                     inputs=items, workers=WORKERS, item_s=v["wall_s"] / items)
            if maxsize:
                v.update(capacity=maxsize)
            if alone:  # this process's high-water mark is this variant's own
                v.update(peak_rss_bytes=(cpairs.peak_rss_bytes() or 0) + memory)
    puts = 64
    ran = trace.run("zero-capacity", "Queue(maxsize=0), no reader", zero_capacity, puts)
    if ran:
        accepted, v = ran
        cpairs.say(f"  {accepted} puts accepted with nobody reading: maxsize=0 is unbounded")
        v.update(items=accepted, inputs=puts)
    for v in trace.variants:
        v.update(out_of_order=sum(1 for k, index in enumerate(v["received"]) if k != index))
        most = in_flight(v)
        if most is not None:
            v.update(max_in_flight=most)
            cpairs.say(f"{v['name']}: at most {most} in flight")
    trace.finish()


def quietly(lesson, items):
    """The lesson, printing only the first few results and then a line per tenth."""
    def run(*args):
        cpairs.quiet_after(3, items)
        return lesson(*args)
    return run


if __name__ == "__main__":
    main()
