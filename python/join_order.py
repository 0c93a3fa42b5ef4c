"""join_order: joining waits in start order.

Twin of examples/join_order.rs. Start two multiprocessing.Process children, A slow and
B fast, then a.join(); b.join(). join() returns None, and the parent waits for A even
though B finished long before. Handing results over a multiprocessing.Queue as each
child finishes gives them to the parent in completion order.

Run: python3 python/join_order.py [--json] [--full]
"""

import multiprocessing
import time

import cpairs

DEFAULT_TASKS = [("A", 0.8), ("B", 0.3)]  # task 0 is A (slow, started first), 1 is B
FULL_TASKS = [("A", 3.0), ("B", 1.0)]

# A queue.get waits at most this long: a child that died would otherwise hang us.
GET_TIMEOUT_S = 60


# ANCHOR: child
def child(name, seconds):
    """Sleep, then return the name... to nobody: a Process target's return value is lost."""
    time.sleep(seconds)
    return name
# ANCHOR_END: child


def timed_child(task_id, name, seconds):
    cpairs.task(task_id, child, name, seconds)


# ANCHOR: join_in_start_order
def join_in_start_order(tasks):
    a, b = [multiprocessing.Process(target=timed_child, name=f"process-{name}",
                                    args=(task_id, name, seconds))
            for task_id, (name, seconds) in enumerate(tasks)]
    a.start()
    b.start()
    for task_id, process in enumerate([a, b]):
        result = process.join()  # blocks until *this* child has exited
        cpairs.arrived(task_id, f"join returned {result!r}, exit code {process.exitcode}")
# ANCHOR_END: join_in_start_order


# ANCHOR: reporting_child
def reporting_child(task_id, name, seconds, results):
    """Sleep, then put the result on the queue: the only way back to the parent."""
    results.put((task_id, cpairs.task(task_id, child, name, seconds)))
# ANCHOR_END: reporting_child


# ANCHOR: channel_completion_order
def channel_completion_order(tasks):
    results = multiprocessing.Queue()
    processes = [multiprocessing.Process(target=reporting_child, name=f"process-{name}",
                                         args=(task_id, name, seconds, results))
                 for task_id, (name, seconds) in enumerate(tasks)]
    for process in processes:
        process.start()
    for _ in processes:
        task_id, name = results.get(timeout=GET_TIMEOUT_S)  # whichever child put first
        cpairs.arrived(task_id, f"{name!r} arrived on the queue")
    # Drain the queue *before* joining: a child that has put data waits for it to be read.
    for process in processes:
        process.join()
# ANCHOR_END: channel_completion_order


def b_waited(v):
    """How long B's finished result sat before the parent took it."""
    b = 1
    end = next(t["end_s"] for t in v["tasks"] if t["id"] == b)
    return v["received_s"][v["received"].index(b)] - end


def main():
    options = cpairs.parse_args(
        "join_order", "join waits in start order; a queue hands results over as they finish",
        variants=["join-in-start-order", "channel-completion-order"])
    tasks = FULL_TASKS if options.full else DEFAULT_TASKS
    trace = cpairs.Trace("join_order", options)
    trace.run("join-in-start-order", "multiprocessing.Process + join",
              join_in_start_order, tasks)
    trace.run("channel-completion-order", "multiprocessing.Process + Queue",
              channel_completion_order, tasks)
    trace.set_ideal(max(seconds for _, seconds in tasks))
    for v in trace.variants:
        v["b_result_waited_s"] = b_waited(v)
    trace.finish()


if __name__ == "__main__":
    main()
