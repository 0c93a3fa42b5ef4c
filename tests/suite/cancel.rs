//! `cancel` and `cancel_cooperative`: abort stops an async task at its `.await` but not
//! running CPU work; a check in the loop does, and `shutdown_timeout` does not. Python:
//! `Future.cancel()` refuses running and queued jobs, a plain `Event` cannot be submitted,
//! a `Manager().Event()` stops fib. Checked on both traces; claims only, never the clock.

use crate::common::*;

#[test]
fn rust_abort_stops_only_async_work() {
    let trace = rust_trace("cancel", &[]);
    let v = variant(&trace, "abort-async");
    let at = count(v, "ticks_at_abort");
    let later = count(v, "ticks_after");
    assert!(
        at > 0 && at == later,
        "the ticker advanced after abort: {at} -> {later}"
    );
    for name in ["abort-cpu-loop", "abort-spawn-blocking", "abort-rayon"] {
        let v = variant(&trace, name);
        assert_eq!(
            count(v, "ran_to_end"),
            1,
            "{name}: the job should run to its end"
        );
    }
}

#[test]
fn rust_checks_stop_fib_and_shutdown_does_not() {
    let trace = rust_trace("cancel_cooperative", &[]);
    let v = variant(&trace, "shutdown-timeout");
    assert_eq!(
        count(v, "ran_to_end"),
        1,
        "shutdown-timeout: the job should run to its end"
    );
    assert_eq!(count(v, "steps_done"), count(v, "steps"));
    for name in ["cooperative-flag", "cancellation-token"] {
        let v = variant(&trace, name);
        let cancels = count(v, "cancels");
        assert!(cancels > 0, "{name}");
        assert_eq!(
            count(v, "cancelled"),
            cancels,
            "{name}: every fib stopped early"
        );
        assert!(count(v, "steps_done") < count(v, "steps"), "{name}");
    }
    let v = variant(&trace, "cancellation-token");
    assert_eq!(
        count(v, "cancelled"),
        count(v, "cancels"),
        "cancelling the parent cancels every child"
    );
}

#[test]
fn python_future_cancel_refuses_running_work() {
    let trace = python_trace("cancel", &[]);
    let v = variant(&trace, "future-cancel");
    assert_eq!(
        count(v, "refused"),
        2,
        "running and queued: cancel() is False"
    );
    assert_eq!(count(v, "cancelled"), 1, "pending: cancel() is True");
    let ran: Vec<usize> = v.tasks.iter().map(|t| t.id).collect();
    assert_eq!(
        ran,
        [0, 1],
        "the refused jobs ran, the cancelled one did not"
    );
    let v = variant(&trace, "plain-event");
    let error = v.error.as_deref().expect("the error is reported");
    assert!(error.contains("inheritance"), "{error}");
}

#[test]
fn python_the_event_stops_fib() {
    let trace = python_trace("cancel_cooperative", &[]);
    let v = variant(&trace, "cooperative-flag");
    assert_eq!(count(v, "cancelled"), count(v, "cancels"));
    assert!(count(v, "steps_done") < count(v, "steps"));
}

#[test]
fn bad_flags_are_one_line_errors() {
    assert_bad_flags_rejected("cancel");
    assert_bad_flags_rejected("cancel_cooperative");
}
