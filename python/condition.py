"""condition: a bounded queue on threading.Condition, and a Barrier.

Twin of examples/condition.rs (chapter: book/src/sync_primitives.md, after the Lock and
the Semaphore of python/sync_primitives.py). A Condition lets a thread sleep until some
state holds ("the queue has room"); a Barrier(n) holds everyone until all n have arrived.

Run: python3 python/condition.py [--json] [--full] [--variant NAME]
"""

import collections
import threading
import time

import cpairs

ITEMS, CAPACITY, PRODUCE_S, CONSUME_S = 6, 2, 0.05, 0.15
PHASE1_S, PHASE2_S = [0.1, 0.3, 0.2], 0.1
PATIENCE_S = 10.0  # the bound on waits that should never take long: fail, do not hang


def join(thread):
    """Join a thread, failing instead of hanging if it does not end."""
    thread.join(timeout=PATIENCE_S)
    if thread.is_alive():
        raise RuntimeError(f"{thread.name} did not finish in time")


# ANCHOR: bounded_queue
class BoundedQueue:
    """A bounded FIFO: put waits while it is full, get while it is empty. One lock,
    two conditions on it ("there is room", "there is an item"), like queue.Queue."""

    def __init__(self, capacity, patience):
        self.items = collections.deque()
        self.capacity, self.patience, self.max_len = capacity, patience, 0
        lock = threading.Lock()
        self.not_full = threading.Condition(lock)
        self.not_empty = threading.Condition(lock)

    def put(self, item):
        with self.not_full:
            if not self.not_full.wait_for(lambda: len(self.items) < self.capacity,
                                          timeout=self.patience):
                raise RuntimeError("the consumer did not make room in time")
            self.items.append(item)
            self.max_len = max(self.max_len, len(self.items))
            self.not_empty.notify()

    def get(self):
        with self.not_empty:
            if not self.not_empty.wait_for(lambda: self.items, timeout=self.patience):
                raise RuntimeError("the producer did not deliver in time")
            item = self.items.popleft()
            self.not_full.notify()
            return item
# ANCHOR_END: bounded_queue


# ANCHOR: bounded_queue_use
def bounded_queue(items, capacity, produce_s, consume_s):
    """A fast producer thread, a slow consumer (this thread), a small queue in between.
    Returns the most items that were ever queued."""
    shelf = BoundedQueue(capacity, PATIENCE_S)

    def produce():
        for task_id in range(items):
            cpairs.task(task_id, time.sleep, produce_s)
            shelf.put(task_id)  # blocks while the queue is full: backpressure

    producer = threading.Thread(target=produce, name="producer")
    producer.start()
    for _ in range(items):
        cpairs.arrived(shelf.get(), "taken from the queue")
        time.sleep(consume_s)  # the slow consumer's work
    join(producer)
    cpairs.note(f"max queued {shelf.max_len} (capacity {capacity})")
    return shelf.max_len
# ANCHOR_END: bounded_queue_use


# ANCHOR: barrier
def barrier(phase1_s, phase2_s):
    """Each thread does phase 1 (of different lengths), waits for all the others, then
    does phase 2. Task i is thread i's phase 1, task n + i its phase 2."""
    n = len(phase1_s)
    everyone = threading.Barrier(n, timeout=PATIENCE_S)

    def work(i):
        cpairs.task(i, time.sleep, phase1_s[i])
        everyone.wait()  # raises BrokenBarrierError after the timeout
        cpairs.task(n + i, time.sleep, phase2_s)

    threads = [threading.Thread(target=work, args=(i,), name=f"thread-{i}")
               for i in range(n)]
    for thread in threads:
        thread.start()
    for i, thread in enumerate(threads):
        join(thread)
        cpairs.arrived(i, "phase 1")
        cpairs.arrived(n + i, "phase 2")
# ANCHOR_END: barrier


def main():
    options = cpairs.parse_args(
        "condition", "a bounded queue on a Condition, and a Barrier",
        variants=["bounded-queue", "barrier"])
    scale = 5.0 if options.full else 1.0

    def s(seconds):
        return seconds * scale

    trace = cpairs.Trace("condition", options)
    ran = trace.run("bounded-queue", "collections.deque + threading.Condition",
                    bounded_queue, ITEMS, CAPACITY, s(PRODUCE_S), s(CONSUME_S))
    if ran:
        max_queued, v = ran
        v.update(max_queued=max_queued, capacity=CAPACITY, items=ITEMS,
                 ideal_s=s(PRODUCE_S) + ITEMS * s(CONSUME_S))
    ran = trace.run("barrier", "threading.Barrier", barrier,
                    [s(seconds) for seconds in PHASE1_S], s(PHASE2_S))
    if ran:
        ran[1].update(threads=len(PHASE1_S), ideal_s=s(max(PHASE1_S) + PHASE2_S))
    trace.finish()


if __name__ == "__main__":
    main()
