"""backpressure: a collector slower than its mappers, behind a bounded queue or not.

Twin of examples/backpressure.rs (chapter: book/src/pipeline.md, its "backpressure" half).
Article 4's "pyrallel" ParallelProcessor, rebuilt from the standard library as in
python/pipeline.py (worker processes, a multiprocessing.Queue of results, the collector in
the parent), with a collector slower than the mappers behind a bounded and an unbounded
queue, a collector that stops reading for a while, and Queue(maxsize=0).

Run: python3 python/backpressure.py [--json] [--full] [--tasks N] [--variant NAME]
     [--counts-only]
"""

import multiprocessing
import time

import cpairs

WORKERS, CAPACITY, PAYLOAD, COLLECT_S = 4, 16, 1_000, 20e-6
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
    """One worker process: take the next item's index, map it, put the result."""
    while True:
        with next_item.get_lock():
            index = next_item.value
            next_item.value += 1
        if index >= len(items):
            break
        results.put((index, timed(index, mapper, items[index])))
    results.put((DONE, cpairs.peak_rss_bytes() or 0))  # and how much memory it held


def parallel_processor(items, mapper, collector, workers=WORKERS, maxsize=0):
    """python/pipeline.py's ParallelProcessor, the queue's size a choice: maxsize > 0
    bounds the results queue (put waits while it is full); 0 is unbounded. The
    collector reads until every worker has said it is done. Returns the workers' peak
    memory, summed."""
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
def payload(item):
    """The mapper: a result of PAYLOAD bytes, made at once."""
    return bytes([item % 256]) * PAYLOAD


def slow_collector(result):
    """A collector slower than the mappers: COLLECT_S of work per result."""
    until = time.perf_counter() + COLLECT_S
    while time.perf_counter() < until:
        len(result)
# ANCHOR_END: work


# ANCHOR: backpressure
def backpressure(items, maxsize, stop=None):
    """`items` payloads to the slow collector through a results queue of maxsize slots
    (0: unbounded). With `stop` = (n, seconds), the collector stops reading that long
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
    """Queue(maxsize=0) is not a zero-slot queue: it is unbounded. With no reader,
    every put returns at once (put(timeout=...) would raise queue.Full otherwise)."""
    results = multiprocessing.Queue(maxsize=0)
    accepted = 0
    for item in range(items):
        results.put(payload(item), timeout=WAIT_S)
        accepted += 1
    results.cancel_join_thread()  # nobody will read them: let the process exit anyway
    return accepted
# ANCHOR_END: zero_capacity


VARIANTS = ["bounded", "unbounded", "collector-stops", "zero-capacity"]


def main():
    options = cpairs.parse_args("backpressure", "a slow collector behind a bounded or an "
                                "unbounded queue", tasks=True, variants=VARIANTS,
                                counts_only=True)
    items = options.tasks or (100_000 if options.full else 2_000)
    alone = options.variant is not None
    trace = cpairs.Trace("backpressure", options)

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
    trace.finish()


def quietly(lesson, items):
    """The lesson, printing only the first few results and then a line per tenth."""
    def run(*args):
        cpairs.quiet_after(3, items)
        return lesson(*args)
    return run


if __name__ == "__main__":
    main()
