"""deadlock: two locks taken in opposite orders, detected and fixed.

Twin of examples/deadlock.rs (chapter: book/src/deadlock.md). Two threads move money between two accounts, each guarded
by a threading.Lock: one transfer locks a then b, the other b then a. Two barriers force
the interleaving where each holds one lock and waits for the other's; acquire(timeout=...)
detects the deadlock instead of hanging. The fix takes the locks in one global order.

Run: python3 python/deadlock.py [--json] [--full] [--variant NAME]
"""

import threading
import time

import cpairs

DEADLOCK_TIMEOUT_S, TRANSFER_S = 0.3, 0.1
PATIENCE_S = 10.0  # the bound on waits that should never take long


class Account:
    def __init__(self, account_id, balance):
        self.id, self.balance, self.lock = account_id, balance, threading.Lock()


# ANCHOR: both_ways
def both_ways(transfer):
    """Two accounts of 100, and two transfers at once, a to b and b to a, each done by
    transfer(source, target) (False if it gave up). Returns how many gave up, and the
    total balance."""
    a, b = Account(0, 100), Account(1, 100)
    outcomes = {}

    def run(task_id, source, target):
        outcomes[task_id] = cpairs.task(task_id, transfer, source, target)

    threads = [threading.Thread(target=run, args=(0, a, b), name="transfer-0"),
               threading.Thread(target=run, args=(1, b, a), name="transfer-1")]
    for thread in threads:
        thread.start()
    gave_up = 0
    for task_id, thread in enumerate(threads):
        thread.join(timeout=PATIENCE_S)
        if thread.is_alive():
            raise RuntimeError(f"{thread.name} did not finish in time")
        if outcomes[task_id]:
            cpairs.arrived(task_id, "transfer done")
        else:
            gave_up += 1
            cpairs.arrived(task_id, "gave up waiting for the second lock: deadlock")
    return gave_up, a.balance + b.balance
# ANCHOR_END: both_ways


# ANCHOR: deadlock
def transfer_or_give_up(source, target, both_hold_one, both_tried, timeout_s,
                        transfer_s):
    """Lock source, then try target for timeout_s: True if the money moved."""
    with source.lock:
        both_hold_one.wait()  # now each thread holds the lock the other wants
        got_it = target.lock.acquire(timeout=timeout_s)
        both_tried.wait()  # keep holding source until the other has given up too
        if got_it:
            try:
                time.sleep(transfer_s)
                source.balance -= 10
                target.balance += 10
            finally:
                target.lock.release()
    return got_it


def deadlock(timeout_s, transfer_s):
    """Each transfer locks its source first; two barriers force the unlucky
    interleaving that real code hits only now and then. Returns how many gave up."""
    both_hold_one = threading.Barrier(2, timeout=PATIENCE_S)
    both_tried = threading.Barrier(2, timeout=PATIENCE_S)
    gave_up, _ = both_ways(lambda source, target: transfer_or_give_up(
        source, target, both_hold_one, both_tried, timeout_s, transfer_s))
    cpairs.note(f"{gave_up} of 2 transfers gave up: deadlock detected")
    return gave_up
# ANCHOR_END: deadlock


# ANCHOR: lock_order
def transfer_in_lock_order(source, target, transfer_s):
    """Take both locks lowest account id first, whatever the direction: no cycle."""
    first, second = sorted([source, target], key=lambda account: account.id)
    with first.lock, second.lock:
        time.sleep(transfer_s)
        source.balance -= 10
        target.balance += 10
    return True


def lock_order(transfer_s):
    """The fix: one global lock order. Returns how many transfers gave up."""
    gave_up, total = both_ways(
        lambda source, target: transfer_in_lock_order(source, target, transfer_s))
    cpairs.note(f"{gave_up} transfers gave up; total balance {total}")
    return gave_up
# ANCHOR_END: lock_order


def main():
    options = cpairs.parse_args(
        "deadlock", "two Locks acquired in opposite orders: a deadlock detected, and fixed",
        variants=["deadlock", "lock-order"])
    scale = 5.0 if options.full else 1.0
    trace = cpairs.Trace("deadlock", options)
    ran = trace.run("deadlock", "two Locks acquired in opposite orders",
                    deadlock, DEADLOCK_TIMEOUT_S * scale, TRANSFER_S * scale)
    if ran:
        gave_up, v = ran
        v.update(gave_up=gave_up)
    ran = trace.run("lock-order", "two Locks, one global lock order",
                    lock_order, TRANSFER_S * scale)
    if ran:
        gave_up, v = ran
        v.update(gave_up=gave_up, ideal_s=2 * TRANSFER_S * scale)  # the transfers take turns
    trace.finish()


if __name__ == "__main__":
    main()
