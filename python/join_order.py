"""join_order: joining waits in start order.

Twin of examples/join_order.rs. Start two multiprocessing.Process children, A slow and
B fast, then a.join(); b.join(). join() returns None, and the parent waits for A even
though B finished long before. Handing results over a multiprocessing.Queue as each
child finishes gives them to the parent in completion order.

Run: python3 python/join_order.py [--json] [--full]
"""

import multiprocessing

import cpairs

DEFAULT_TASKS = [("A", 0.8), ("B", 0.3)]  # task 0 is A (slow, started first), 1 is B
FULL_TASKS = [("A", 3.0), ("B", 1.0)]

# A child's queue.get waits at most this long: a child that died would otherwise hang us.
GET_TIMEOUT_S = 60


def child(clock, task_id, seconds, spans):
    """Sleep, then return... nothing: a Process target's return value is thrown away."""
    span = cpairs.sleep_job(clock, task_id, seconds)
    # Instrumentation only, not part of the pattern: tell the trace when we ran.
    spans.put(span)


# ANCHOR: join_in_start_order
def join_in_start_order(tasks):
    rec = cpairs.Recorder("join-in-start-order", "multiprocessing.Process + join")
    spans = multiprocessing.Queue()  # instrumentation: the children's timings
    a, b = [multiprocessing.Process(target=child, name=f"process-{name}",
                                    args=(rec.clock, task_id, seconds, spans))
            for task_id, (name, seconds) in enumerate(tasks)]
    a.start()
    b.start()
    rec.say("A and B started; joining A first, then B")
    timings = {}
    for task_id, process in enumerate([a, b]):
        result = process.join()  # blocks until *this* child has exited
        # Only now read the timing (B's may come out first). Reading after join is safe
        # here because a span is a few bytes; see the chapter's pitfalls for big data.
        while task_id not in timings:
            span = spans.get(timeout=GET_TIMEOUT_S)
            timings[span["id"]] = span
        rec.receive(timings[task_id], f"join returned {result!r}, exit code {process.exitcode}")
    return rec.finish()
# ANCHOR_END: join_in_start_order


def reporting_child(clock, task_id, seconds, results):
    """Sleep, then put the result on the queue: the only way back to the parent."""
    span = cpairs.sleep_job(clock, task_id, seconds)
    results.put(span)


# ANCHOR: channel_completion_order
def channel_completion_order(tasks):
    rec = cpairs.Recorder("channel-completion-order", "multiprocessing.Process + Queue")
    results = multiprocessing.Queue()
    processes = [multiprocessing.Process(target=reporting_child, name=f"process-{name}",
                                         args=(rec.clock, task_id, seconds, results))
                 for task_id, (name, seconds) in enumerate(tasks)]
    for process in processes:
        process.start()
    rec.say("A and B started; receiving from the queue")
    for _ in processes:
        span = results.get(timeout=GET_TIMEOUT_S)  # whichever child put first
        rec.receive(span, f"{tasks[span['id']][0]!r} arrived on the queue")
    # Drain the queue *before* joining: a child that has put data waits for it to be read.
    for process in processes:
        process.join()
    return rec.finish()
# ANCHOR_END: channel_completion_order


def note_b_waited(variant):
    """How long B's finished result sat before the parent took it."""
    b = 1
    at = variant["received"].index(b)
    end = next(t["end_s"] for t in variant["tasks"] if t["id"] == b)
    variant["b_result_waited_s"] = variant["received_s"][at] - end
    return variant


def main():
    options = cpairs.parse_args(
        "join_order", "join waits in start order; a queue hands results over as they finish",
        variants=["join-in-start-order", "channel-completion-order"])
    tasks = FULL_TASKS if options.full else DEFAULT_TASKS
    trace = cpairs.Trace("join_order", options)
    for variant in [join_in_start_order(tasks), channel_completion_order(tasks)]:
        variant["ideal_s"] = max(seconds for _, seconds in tasks)
        trace.push(note_b_waited(variant))
    trace.finish()


if __name__ == "__main__":
    main()
