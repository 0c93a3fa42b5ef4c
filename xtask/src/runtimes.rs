//! The runtimes page's own table, picture and headline: the cost of one task against the
//! number of tasks N, for every runtime of both languages (`examples/runtimes.rs` and
//! `python/runtimes.py`). Their traces carry per-batch arrays (`sizes`, `ns_per_task`,
//! `bytes_per_task`) that the generic table ignores; they are rendered here.
//!
//! Writes `runtimes.per_task.md` (the table), `runtimes.per_task.svg` (time per task
//! against N, both axes logarithmic) and `runtimes.headline.md` (one paragraph quoting
//! the table's headline numbers, for the page's closing note).

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use anyhow::{Context, Result};
use plotters::prelude::*;
use serde_json::Value;

use crate::table::Stats;
use crate::timings::{GENERATED, Measured, Runs, Setup};

/// One runtime of one language, over every counted run.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    language: &'static str,
    name: String,
    /// One point per batch size, in increasing N.
    points: Vec<Point>,
}

#[derive(Debug, Clone, PartialEq)]
struct Point {
    n: u64,
    ns: Stats,
    bytes: Option<Stats>,
}

impl Row {
    fn largest(&self) -> Option<&Point> {
        self.points.last()
    }

    fn label(&self) -> String {
        format!("{} ({})", self.name, self.language)
    }
}

pub fn write(out: &Path, m: &Measured, setup: &Setup) -> Result<()> {
    let rows = rows(m);
    let files = [
        ("runtimes.per_task.md", table(&rows, m, setup)),
        (
            "runtimes.per_task.svg",
            plot(&rows, setup).context("drawing runtimes.per_task.svg")?,
        ),
        ("runtimes.headline.md", headline(&rows)),
    ];
    for (name, text) in files {
        let path = out.join(name);
        fs::write(&path, format!("<!-- {GENERATED} -->\n{text}"))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

fn numbers(v: &Value) -> Vec<Option<f64>> {
    v.as_array()
        .map(|a| a.iter().map(Value::as_f64).collect())
        .unwrap_or_default()
}

/// The rows of one language: its variants in the order of its first run.
fn language_rows(language: &'static str, runs: &Runs) -> Vec<Row> {
    let names: Vec<String> = runs.traces[0]
        .variants
        .iter()
        .map(|v| v.name.clone())
        .collect();
    names
        .into_iter()
        .map(|name| {
            // N -> (ns per task of every run, bytes per task of every run)
            let mut by_n: BTreeMap<u64, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
            for v in runs.traces.iter().filter_map(|t| t.variant(&name)) {
                let field = |key: &str| v.extra.get(key).map(numbers).unwrap_or_default();
                let (sizes, ns, bytes) = (
                    field("sizes"),
                    field("ns_per_task"),
                    field("bytes_per_task"),
                );
                for (i, n) in sizes.iter().enumerate() {
                    let Some(n) = n.filter(|n| *n >= 1.0) else {
                        continue;
                    };
                    let entry = by_n.entry(n as u64).or_default();
                    entry.0.extend(ns.get(i).copied().flatten());
                    entry.1.extend(bytes.get(i).copied().flatten());
                }
            }
            let points = by_n
                .into_iter()
                .filter_map(|(n, (ns, bytes))| {
                    Some(Point {
                        n,
                        ns: Stats::of(&ns)?,
                        bytes: Stats::of(&bytes),
                    })
                })
                .collect();
            Row {
                language,
                name,
                points,
            }
        })
        .collect()
}

fn rows(m: &Measured) -> Vec<Row> {
    let mut rows = language_rows("Rust", &m.rust);
    if let Some(python) = &m.python {
        rows.extend(language_rows("Python", python));
    }
    rows
}

/// A time per task given in nanoseconds, in a unit that suits it.
fn per_task(ns: f64) -> String {
    if ns < 1e3 {
        format!("{ns:.0} ns")
    } else if ns < 1e6 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{:.2} ms", ns / 1e6)
    }
}

/// An axis label: `1 µs`, `100 µs`, `1 ms`, without trailing zeros.
fn tick(ns: f64) -> String {
    let text = per_task(ns);
    match text.split_once(' ') {
        Some((value, unit)) if value.contains('.') => {
            format!(
                "{} {unit}",
                value.trim_end_matches('0').trim_end_matches('.')
            )
        }
        _ => text,
    }
}

/// The same, with the minimum and maximum in the median's unit: `812 ns (790–845)`.
fn per_task_range(s: &Stats) -> String {
    let text = per_task(s.median);
    if s.min == s.max {
        return text;
    }
    let (value, unit) = text.split_once(' ').unwrap_or((&text, ""));
    let Some(shown) = value.parse::<f64>().ok().filter(|v| *v > 0.0) else {
        return text;
    };
    let scale = s.median / shown;
    let decimals = value.split_once('.').map_or(0, |(_, d)| d.len());
    let scaled = |x: f64| format!("{:.*}", decimals, x / scale);
    format!("{value} {unit} ({}–{})", scaled(s.min), scaled(s.max))
}

fn bytes(b: f64) -> String {
    if b >= 10_240.0 {
        format!("{:.1} KiB", b / 1024.0)
    } else {
        format!("{b:.0} B")
    }
}

/// 1000000 -> "1,000,000".
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn table(rows: &[Row], m: &Measured, setup: &Setup) -> String {
    let mut sizes: Vec<u64> = rows
        .iter()
        .flat_map(|r| r.points.iter().map(|p| p.n))
        .collect();
    sizes.sort_unstable();
    sizes.dedup();
    let mut header = vec!["runtime".to_owned(), "language".to_owned()];
    header.extend(sizes.iter().map(|n| format!("N = {}", thousands(*n))));
    header.push("memory per task, at the largest N".to_owned());
    let mut out = format!(
        "| {} |\n|{}\n",
        header.join(" | "),
        "---|".repeat(header.len())
    );
    for row in rows {
        let mut cells = vec![format!("`{}`", row.name), row.language.to_owned()];
        for n in &sizes {
            cells.push(
                row.points
                    .iter()
                    .find(|p| p.n == *n)
                    .map_or("—".to_owned(), |p| per_task_range(&p.ns)),
            );
        }
        cells.push(row.largest().map_or("—".to_owned(), |p| {
            p.bytes.map_or("—".to_owned(), |b| {
                format!("{} (N = {})", bytes(b.median), thousands(p.n))
            })
        }));
        out += &format!("| {} |\n", cells.join(" | "));
    }
    let size =
        |runs: Option<&Runs>| runs.map_or("—".to_owned(), |r| format!("`{}`", r.traces[0].size));
    out += &format!(
        "\n*Time per task: spawn N no-op tasks, join them all, divide the elapsed time by \
         N. Memory per task: keep N tasks alive at once (each waits at a gate), read the \
         growth of the resident set, divide by N. Each pass of each (runtime, N) runs in a \
         fresh process. {}, after {} warm-up; — means the runtime was not run at that N. \
         Sizes: Rust {}, Python {}. Measured {} at revision `{}` on {} \
         ([the machine](measuring.md)).*\n",
        if setup.runs == 1 {
            "One run".to_owned()
        } else {
            format!("Median of {} runs (min–max)", setup.runs)
        },
        setup.warmups,
        size(Some(&m.rust)),
        size(m.python.as_ref()),
        setup.date,
        setup.revision,
        setup.machine,
    );
    out
}

/// The headline figures: a tokio task, an OS thread and a Python asyncio task, each at
/// the largest N it reached.
fn headline(rows: &[Row]) -> String {
    let find = |language: &str, name: &str| {
        rows.iter()
            .find(|r| r.language == language && r.name == name)
            .and_then(|r| Some((r, r.largest()?)))
    };
    let describe = |what: &str, found: Option<(&Row, &Point)>| {
        found.map(|(row, p)| {
            let memory = p
                .bytes
                .map_or(String::new(), |b| format!(" and {}", bytes(b.median)));
            format!(
                "{what} (`{}`, N = {}) cost {}{memory}",
                row.name,
                thousands(p.n),
                per_task(p.ns.median)
            )
        })
    };
    let tokio = find("Rust", "tokio-multi-thread");
    let thread = find("Rust", "os-threads");
    let asyncio = find("Python", "asyncio");
    let parts: Vec<String> = [
        describe("a tokio task", tokio),
        describe("an OS thread", thread),
        describe("a Python asyncio task", asyncio),
    ]
    .into_iter()
    .flatten()
    .collect();
    if parts.is_empty() {
        return "No headline: the runtimes table has no tokio, OS thread or asyncio row.\n"
            .to_owned();
    }
    let mut text = format!(
        "At the largest N each reached, in the same run (medians): {}.",
        parts.join("; ")
    );
    let ratio = |slow: Option<(&Row, &Point)>, fast: Option<(&Row, &Point)>| {
        let (_, s) = slow?;
        let (_, f) = fast?;
        Some(s.ns.median / f.ns.median)
    };
    let current = find("Rust", "tokio-current-thread");
    let mut ratios = Vec::new();
    if let Some(r) = ratio(asyncio, tokio) {
        let mut clause = format!("the asyncio task took {r:.0}× the tokio task's time");
        if let Some(c) = ratio(asyncio, current) {
            clause += &format!(
                " ({c:.0}× that of `tokio-current-thread`, a single-threaded loop like \
                 asyncio's)"
            );
        }
        ratios.push(clause);
    }
    if let Some(r) = ratio(thread, tokio) {
        ratios.push(format!("the OS thread {r:.0}×"));
    }
    if !ratios.is_empty() {
        text += &format!(" Per task, {}.", ratios.join(", "));
    }
    text + "\n"
}

const WIDTH: u32 = 960;
const HEIGHT: u32 = 600;

/// Eight distinguishable colours, one per runtime name (the same name keeps its colour
/// in both languages).
pub(crate) const COLOURS: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(23, 190, 207),
];

fn plot(rows: &[Row], setup: &Setup) -> Result<String> {
    let points = rows.iter().flat_map(|r| r.points.iter());
    let (mut n_lo, mut n_hi, mut ns_lo, mut ns_hi) = (f64::MAX, 0f64, f64::MAX, 0f64);
    for p in points {
        n_lo = n_lo.min(p.n as f64);
        n_hi = n_hi.max(p.n as f64);
        ns_lo = ns_lo.min(p.ns.min);
        ns_hi = ns_hi.max(p.ns.max);
    }
    if n_hi == 0.0 {
        (n_lo, n_hi, ns_lo, ns_hi) = (1e3, 1e6, 100.0, 1e5);
    }
    let x_range = (n_lo / 1.6)..(n_hi * 1.6);
    let y_range = (ns_lo / 2.0)..(ns_hi * 2.0);
    let mut names: Vec<&str> = Vec::new();
    for row in rows {
        if !names.contains(&row.name.as_str()) {
            names.push(&row.name);
        }
    }
    let colour = |name: &str| {
        let i = names.iter().position(|n| *n == name).unwrap_or(0);
        COLOURS[i % COLOURS.len()]
    };

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE)?;
        let runs = if setup.runs == 1 {
            "one run".to_owned()
        } else {
            format!("median of {} runs", setup.runs)
        };
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!(
                    "runtimes: time to spawn and join one no-op task, against N \
                     (both axes logarithmic, {runs}); Rust solid, Python dashed"
                ),
                ("sans-serif", 16),
            )
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(x_range.log_scale(), y_range.log_scale())?;
        chart
            .configure_mesh()
            .x_desc("N, tasks alive at once")
            .y_desc("time per task")
            .x_label_formatter(&|n| thousands(n.round() as u64))
            .y_label_formatter(&|ns| tick(*ns))
            .label_style(("sans-serif", 12))
            .draw()?;
        for row in rows {
            let c = colour(&row.name);
            let line: Vec<(f64, f64)> = row
                .points
                .iter()
                .map(|p| (p.n as f64, p.ns.median))
                .collect();
            let style = c.stroke_width(2);
            if row.language == "Rust" {
                chart
                    .draw_series(LineSeries::new(line.clone(), style))?
                    .label(row.label())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], style));
                chart.draw_series(line.iter().map(|&p| Circle::new(p, 4, c.filled())))?;
            } else {
                chart
                    .draw_series(DashedLineSeries::new(line.clone(), 8, 5, style))?
                    .label(row.label())
                    .legend(move |(x, y)| {
                        EmptyElement::at((x, y))
                            + PathElement::new(vec![(0, 0), (10, 0)], style)
                            + PathElement::new(vec![(14, 0), (24, 0)], style)
                    });
                chart.draw_series(line.iter().map(|&p| TriangleMarker::new(p, 5, c.filled())))?;
            }
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.4))
            .label_font(("sans-serif", 12))
            .draw()?;
        root.present()?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use concurrency_pairs::{Trace, Variant};
    use serde_json::json;

    fn variant(name: &str, sizes: &[u64], ns: &[f64], bytes: &[f64]) -> Variant {
        let mut extra = serde_json::Map::new();
        extra.insert("sizes".into(), json!(sizes));
        extra.insert("ns_per_task".into(), json!(ns));
        extra.insert("bytes_per_task".into(), json!(bytes));
        Variant {
            name: name.into(),
            uses: "test".into(),
            wall_s: 1.0,
            ideal_s: None,
            tasks: Vec::new(),
            received: Vec::new(),
            received_s: Vec::new(),
            extra,
        }
    }

    fn trace(language: &str, variants: Vec<Variant>) -> Trace {
        Trace {
            example: "runtimes".into(),
            language: language.into(),
            size: "default".into(),
            variants,
        }
    }

    fn measured() -> Measured {
        let rust = |k: f64| {
            trace(
                "rust",
                vec![
                    variant(
                        "tokio-multi-thread",
                        &[1_000, 1_000_000],
                        &[900.0 * k, 1_000.0 * k],
                        &[480.0, 480.0],
                    ),
                    variant(
                        "os-threads",
                        &[1_000, 10_000],
                        &[100_000.0, 150_000.0 * k],
                        &[14_000.0, 14_000.0],
                    ),
                ],
            )
        };
        let python = trace(
            "python",
            vec![variant(
                "asyncio",
                &[1_000, 100_000],
                &[8_000.0, 15_000.0],
                &[1_200.0, 1_190.0],
            )],
        );
        Measured {
            example: "runtimes".into(),
            rust: Runs {
                traces: vec![rust(1.0), rust(1.2), rust(0.9)],
            },
            python: Some(Runs {
                traces: vec![python],
            }),
        }
    }

    fn setup() -> Setup {
        Setup {
            runs: 3,
            warmups: 1,
            date: "2026-01-01".into(),
            revision: "abc1234".into(),
            machine: "2 cores, test".into(),
        }
    }

    #[test]
    fn one_row_per_runtime_and_language_one_column_per_n() {
        let m = measured();
        let text = table(&rows(&m), &m, &setup());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "| runtime | language | N = 1,000 | N = 10,000 | N = 100,000 | N = 1,000,000 | memory per task, at the largest N |"
        );
        assert!(lines[2].starts_with("| `tokio-multi-thread` | Rust | 900 ns (810–1080) | — | — | 1.0 µs (0.9–1.2) | 480 B (N = 1,000,000) |"), "{}", lines[2]);
        assert!(
            lines[3].starts_with("| `os-threads` | Rust |"),
            "{}",
            lines[3]
        );
        assert!(
            lines[4].contains(
                "| `asyncio` | Python | 8.0 µs | — | 15.0 µs | — | 1190 B (N = 100,000) |"
            ),
            "{}",
            lines[4]
        );
        assert!(text.contains("revision `abc1234`"));
    }

    #[test]
    fn headline_quotes_the_largest_n_of_each() {
        let m = measured();
        let text = headline(&rows(&m));
        assert!(
            text.contains(
                "a tokio task (`tokio-multi-thread`, N = 1,000,000) cost 1.0 µs and 480 B"
            ),
            "{text}"
        );
        assert!(
            text.contains("an OS thread (`os-threads`, N = 10,000) cost 150.0 µs"),
            "{text}"
        );
        assert!(
            text.contains("a Python asyncio task (`asyncio`, N = 100,000) cost 15.0 µs"),
            "{text}"
        );
        assert!(
            text.contains("the asyncio task took 15× the tokio task's time, the OS thread 150×"),
            "{text}"
        );
    }

    #[test]
    fn picture_has_a_line_per_runtime_and_language() {
        let m = measured();
        let svg = plot(&rows(&m), &setup()).expect("draws");
        for label in [
            "tokio-multi-thread (Rust)",
            "os-threads (Rust)",
            "asyncio (Python)",
        ] {
            assert!(svg.contains(label), "{label}");
        }
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(10_000), "10,000");
        assert_eq!(
            (tick(1e3), tick(1e5), tick(1e7), tick(500.0)),
            (
                "1 µs".into(),
                "100 µs".into(),
                "10 ms".into(),
                "500 ns".into()
            )
        );
    }
}
