//! The articles' absent pitfalls (issue 21, point 3), checked on
//! `python/pitfalls/articles.py`: each test asserts what the pitfall claims.

use crate::common;

fn run(name: &str) -> serde_json::Value {
    let output = common::python()
        .arg(common::root().join("python/pitfalls/articles.py"))
        .arg(name)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{name} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the check prints JSON")
}

#[test]
fn run_in_executor_calls_submit_once() {
    let v = run("wraps_submit");
    assert_eq!(v["submit_calls"], serde_json::json!(["abs"]));
    assert_eq!(v["returned"], "Future");
    assert_eq!(v["value"], 3);
}

#[test]
fn future_case_first_swallows_tasks() {
    let v = run("task_is_future");
    assert_eq!(v["subclass"], true);
    assert_eq!(v["future_first"], serde_json::json!(["future", "future"]));
    assert_eq!(v["task_first"], serde_json::json!(["task", "future"]));
}

#[test]
fn concurrent_future_needs_wrap_future() {
    let v = run("concurrent_future");
    assert_eq!(v["is_asyncio_future"], false);
    assert_eq!(v["await_error"], "TypeError");
    assert_eq!(v["wrapped"], 4);
}

#[test]
fn asyncio_run_is_not_run_until_complete() {
    let v = run("run_vs_get_event_loop");
    for key in [
        "run_new_loop_each_call",
        "run_closed_loop",
        "run_cancelled_leftover",
    ] {
        assert_eq!(v[key], true, "{key}");
    }
    assert_eq!(v["manual_same_loop"], true);
    assert_eq!(v["manual_loop_open"], true);
    assert_eq!(v["manual_leftover_pending"], 1);
    assert_eq!(v["manual_leftover_cancelled"], false);
}

#[test]
fn signal_lambdas_bind_late() {
    let v = run("late_binding");
    assert_eq!(v["late"], serde_json::json!(["SIGINT", "SIGINT", "SIGINT"]));
    assert_eq!(v["default_arg"], v["loop"]);
    assert_eq!(v["partial"], v["loop"]);
}

#[test]
fn busy_wait_burns_cpu_event_wait_does_not() {
    let v = run("busy_wait");
    let busy = v["busy_ratio"].as_f64().expect("a ratio");
    let event = v["event_ratio"].as_f64().expect("a ratio");
    assert!(busy >= 0.5, "busy-wait CPU/wall {busy}");
    assert!(event <= 0.2, "Event.wait CPU/wall {event}");
}
