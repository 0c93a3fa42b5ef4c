//! The figures a variant reports beside its tasks, each declared once, in its example.
//!
//! A figure is a key, a label and a unit: `const LOST: Figure = Figure::count("lost_updates",
//! "lost updates");` sits in the example that measures it. The example's lesson hands its
//! findings back as [`Found`] values (`LOST.of(n)`), the lab writes them into the trace
//! under the key, and the twin writes the same key into its JSON. The xtask and the tests
//! learn the figures from the example's description ([`crate::Pattern`], `--describe`),
//! so a new figure touches its example, its twin and its test, nothing shared.
//!
//! Some figures follow from the trace itself (a variant's wall time, when the caller held
//! a task's result, how long a finished result waited): those are [`Derived`], computed
//! once, from the spans (`Variant::value`), for the xtask and the tests alike; no example
//! reports them.
//!
//! Figures are stored in base units (seconds, bytes, counts); turning them into `ms` or
//! `MB` is the formatter's job, once, in the xtask.

use serde::{Deserialize, Deserializer, Serialize};

/// A `&'static str` that can also be read back from JSON (leaked, once per description).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Text(pub &'static str);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Text(String::deserialize(d)?.leak()))
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.0
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.0)
    }
}

/// A `&'static [T]` that can also be read back from JSON (leaked, once per description).
#[derive(Debug, PartialEq, Serialize)]
#[serde(transparent)]
pub struct List<T: 'static>(pub &'static [T]);

impl<T> Clone for List<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for List<T> {}

impl<T> std::ops::Deref for List<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        self.0
    }
}

impl<'de, T: Deserialize<'de> + 'static> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(List(Vec::<T>::deserialize(d)?.leak()))
    }
}

/// What a scalar figure counts or measures: the formatter picks the display unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A duration or an instant, in seconds.
    Seconds,
    /// A size, in bytes.
    Bytes,
    /// A whole number of things.
    Count,
    /// One quantity divided by another (a slowdown, a speed-up).
    Ratio,
}

/// A figure computed from a variant's trace rather than reported by its lesson.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Derived {
    /// The variant's wall time.
    Wall,
    /// When the caller held its first result.
    FirstResult,
    /// Wall time over the variant's ideal (its true lower bound).
    OverIdeal,
    /// When the caller held task `0`'s result.
    ReceivedAt(usize),
    /// When task `0` ended.
    Ended(usize),
    /// How long task `0`'s result sat finished before the caller took it.
    Waited(usize),
    /// The most task spans running at one instant (touching ends do not overlap).
    PeakOverlap,
    /// The number of task spans recorded.
    Spans,
    /// The number of distinct lanes (threads, processes, tasks) the spans ran on.
    Lanes,
    /// The number of results the caller received.
    Received,
    /// From the first span's start to the last span's end.
    Busy,
    /// The number of spans of this kind (`io`, `cpu`, `heartbeat`).
    OfKind(Text),
    /// The most spans of this kind running at one instant.
    PeakOverlapOf(Text),
    /// When the first span started (the workers were up).
    FirstStart,
    /// The most tasks finished but not yet received, at any receipt.
    MostInFlight,
    /// Results received at a place other than their task id's.
    OutOfOrder,
    /// How far the longest span of a kind ran past the duration it asked for, which the
    /// variant gives as the figure `nominal` (a tick that woke late, say).
    Overrun { kind: Text, nominal: Text },
}

/// One figure: the key it has in the trace, a short label for tables, its unit, and,
/// for a figure that follows from the trace, how it is computed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub key: Text,
    pub label: Text,
    pub unit: Unit,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub derived: Option<Derived>,
}

impl Figure {
    pub const fn new(key: &'static str, label: &'static str, unit: Unit) -> Self {
        Figure {
            key: Text(key),
            label: Text(label),
            unit,
            derived: None,
        }
    }

    pub const fn count(key: &'static str, label: &'static str) -> Self {
        Figure::new(key, label, Unit::Count)
    }

    pub const fn seconds(key: &'static str, label: &'static str) -> Self {
        Figure::new(key, label, Unit::Seconds)
    }

    pub const fn bytes(key: &'static str, label: &'static str) -> Self {
        Figure::new(key, label, Unit::Bytes)
    }

    pub const fn ratio(key: &'static str, label: &'static str) -> Self {
        Figure::new(key, label, Unit::Ratio)
    }

    /// This figure is computed from the trace, as `derived` says: no lesson reports it.
    pub const fn derived(mut self, derived: Derived) -> Self {
        self.derived = Some(derived);
        self
    }

    /// This figure's value as the lesson found it, for the lab to record.
    pub fn of(&self, value: impl Amount) -> Found {
        Found::Figure(self.key.0, value.amount())
    }
}

/// The figures every example has, computed from its trace.
pub mod common {
    use super::{Derived, Figure, Text};

    pub const WALL: Figure =
        Figure::seconds("wall_s", "wall time").derived(Derived::Wall);
    pub const FIRST_RESULT: Figure =
        Figure::seconds("first_result_s", "first result")
            .derived(Derived::FirstResult);
    pub const OVER_IDEAL: Figure =
        Figure::ratio("over_ideal", "÷ ideal").derived(Derived::OverIdeal);
    pub const PEAK_OVERLAP: Figure =
        Figure::count("peak_overlap", "most tasks at once")
            .derived(Derived::PeakOverlap);
    /// Tasks cut short: dropped at an `.await` before their work ended (their spans are of
    /// kind `cancelled`, see `lab::task_async_or_cancelled`).
    pub const CANCELLED: Figure = Figure::count("cancelled", "cancelled")
        .derived(Derived::OfKind(Text(crate::lab::CANCELLED)));
    /// Peak resident memory of the process (and its workers), where a variant ran alone.
    pub const PEAK_RSS: Figure = Figure::bytes("peak_rss_bytes", "peak RSS");
}

/// A number a figure can hold: counts, sizes and seconds alike are stored as `f64`.
pub trait Amount {
    fn amount(self) -> f64;
}

impl Amount for f64 {
    fn amount(self) -> f64 {
        self
    }
}

impl Amount for bool {
    fn amount(self) -> f64 {
        f64::from(u8::from(self))
    }
}

macro_rules! whole_amounts {
    ($($t:ty),+) => {
        $(impl Amount for $t {
            fn amount(self) -> f64 {
                self as f64
            }
        })+
    };
}
whole_amounts!(usize, u64, u32, i32, i64);

impl Amount for std::time::Duration {
    fn amount(self) -> f64 {
        self.as_secs_f64()
    }
}

/// The trace's own fields, which no figure may be called.
pub const RESERVED: &[&str] = &[
    "name",
    "uses",
    "wall_s",
    "ideal_s",
    "tasks",
    "marks",
    "received",
    "received_s",
    "sizes",
    "sums",
    "error",
];

/// What a lesson found, handed back for the lab to record in its variant.
#[derive(Debug, Clone, PartialEq)]
pub enum Found {
    /// A figure's value, by its key.
    Figure(&'static str, f64),
    /// The variant's ideal: a true lower bound on its wall time.
    Ideal(f64),
    /// Each job's result, by task id, so a test can check every one.
    Sums(Vec<u64>),
    /// The sizes of the jobs, where they differ (in the example's own units).
    Sizes(Vec<u64>),
    /// The error a variant ran into on purpose, as the caller saw it.
    Error(String),
}

/// An input the variant was given (a worker count, a capacity), recorded under `key` so
/// that a test checks the claim against it rather than against a copy of the constant.
/// Inputs a table shows are declared as a [`Figure`] instead.
///
/// A key may not be one of the trace's own fields (`tasks`, `wall_s`...): see
/// [`RESERVED`].
pub fn given(key: &'static str, value: impl Amount) -> Found {
    Found::Figure(key, value.amount())
}

/// The variant's ideal, as a finding: `[ideal(0.6), ENTRIES.of(n)]`.
pub fn ideal(seconds: f64) -> Found {
    Found::Ideal(seconds)
}

/// What a variant's closure may hand back: nothing, one finding, or several.
pub trait Report {
    fn findings(self) -> Vec<Found>;
}

impl Report for () {
    fn findings(self) -> Vec<Found> {
        Vec::new()
    }
}

impl Report for Found {
    fn findings(self) -> Vec<Found> {
        vec![self]
    }
}

impl<const N: usize> Report for [Found; N] {
    fn findings(self) -> Vec<Found> {
        self.into()
    }
}

impl Report for Vec<Found> {
    fn findings(self) -> Vec<Found> {
        self
    }
}

impl<R: Report> Report for Option<R> {
    fn findings(self) -> Vec<Found> {
        self.map_or_else(Vec::new, Report::findings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_read_back_leaked() {
        let f: Figure =
            serde_json::from_str(r#"{"key":"k","label":"a k","unit":"count"}"#)
                .expect("parses");
        assert_eq!(f, Figure::count("k", "a k"));
        let list: List<u64> = serde_json::from_str("[1,2]").expect("parses");
        assert_eq!(&*list, &[1, 2]);
    }
}
