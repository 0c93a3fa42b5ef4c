//! Timeline pictures: for one run of one example, a panel per variant on a shared time
//! axis, a row per lane (thread, worker process, async task), a bar per task and a
//! diamond where the caller received each result.

use std::collections::HashMap;

use anyhow::Result;
use concurrency_pairs::{Derived, Figure, Pattern, Trace, Variant};
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::format::{IO, OTHER, TASK, figure, seconds};

/// More lanes than this are not drawn (the panel says how many were left out).
const MAX_LANES: usize = 24;
/// Beyond this many tasks a panel draws each lane's busy stretches (bars closer than a
/// pixel merged) and at most [`MAX_MARKS`] diamonds, so the picture stays light.
const MAX_BARS: usize = 500;
const MAX_MARKS: usize = 80;
/// The book's text column is 750 px wide: drawn at that width, nothing is scaled down.
const WIDTH: u32 = 750;
const LANE_PX: u32 = 22;

/// Lanes in the order of the first task each ran (tasks are numbered in submission order).
fn lanes(v: &Variant) -> (Vec<String>, usize) {
    let mut tasks: Vec<_> = v.tasks.iter().collect();
    tasks.sort_by_key(|t| t.id);
    let mut lanes: Vec<String> = Vec::new();
    for t in tasks {
        if !lanes.contains(&t.lane) {
            lanes.push(t.lane.clone());
        }
    }
    let hidden = lanes.len().saturating_sub(MAX_LANES);
    lanes.truncate(MAX_LANES);
    (lanes, hidden)
}

fn color(kind: Option<&str>) -> RGBColor {
    match kind {
        None | Some("cpu") | Some("work") => TASK,
        Some("io") => IO,
        Some(_) => OTHER,
    }
}

/// The SVG text of the timelines of every variant in `trace`, each captioned with the
/// pattern's headline figure where the variant has it.
pub fn timelines(trace: &Trace, pattern: &Pattern) -> Result<String> {
    let headline = pattern
        .headline
        .map(|h| h.figure)
        .filter(|f| f.derived != Some(Derived::Wall));
    let panels: Vec<(&Variant, Vec<String>, usize)> = trace
        .variants
        .iter()
        .map(|v| {
            let (lanes, hidden) = lanes(v);
            (v, lanes, hidden)
        })
        .collect();
    let heights: Vec<u32> = panels
        .iter()
        .map(|(_, lanes, _)| 60 + LANE_PX * lanes.len().max(1) as u32)
        .collect();
    let x_max = trace
        .variants
        .iter()
        .flat_map(|v| std::iter::once(v.wall_s).chain(v.tasks.iter().map(|t| t.end_s)))
        .fold(1e-3, f64::max)
        * 1.03;

    let mut svg = String::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (WIDTH, heights.iter().sum::<u32>() + TITLE_PX))
                .into_drawing_area();
        root.fill(&WHITE)?;
        let (title, mut rest) = root.split_vertically(TITLE_PX);
        title.draw_text(
            &format!(
                "{} ({}, size {})",
                trace.example, trace.language, trace.size
            ),
            &("sans-serif", 16).into_font().color(&BLACK),
            (10, 6),
        )?;
        legend(&title)?;
        for ((v, lanes, hidden), height) in panels.iter().zip(&heights) {
            let (panel, below) = rest.split_vertically(*height);
            rest = below;
            draw_panel(&panel, v, lanes, *hidden, x_max, headline.as_ref())?;
        }
        root.present()?;
    }
    Ok(svg)
}

/// Height of the title and its legend.
const TITLE_PX: u32 = 50;

/// What the colours and marks mean, under the title.
fn legend(area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>) -> Result<()> {
    let font = ("sans-serif", 12).into_font().color(&BLACK);
    let mut x = 10;
    for (colour, what) in [
        (TASK, "a task computing or sleeping"),
        (IO, "waiting on IO"),
        (OTHER, "other work"),
    ] {
        area.draw(&Rectangle::new([(x, 30), (x + 14, 42)], colour.filled()))?;
        area.draw_text(what, &font, (x + 18, 29))?;
        x += 30 + 6 * what.len() as i32;
    }
    area.draw(&Polygon::new(
        vec![(x + 5, 30), (x + 10, 36), (x + 5, 42), (x, 36)],
        BLACK.filled(),
    ))?;
    area.draw_text("the caller got the result", &font, (x + 16, 29))?;
    Ok(())
}

fn draw_panel(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    v: &Variant,
    lanes: &[String],
    hidden: usize,
    x_max: f64,
    headline: Option<&Figure>,
) -> Result<()> {
    let n = lanes.len().max(1);
    let mut more = if hidden > 0 {
        format!(", {hidden} more lanes not shown")
    } else {
        String::new()
    };
    let crowded = v.tasks.len() > MAX_BARS;
    let every = v.received.len().div_ceil(MAX_MARKS).max(1);
    if crowded {
        more += &format!(", {} tasks: busy stretches", v.tasks.len());
    }
    if every > 1 {
        more += &format!(", ◆ every {every}th result");
    }
    // The figure that makes the chapter's point, where this variant has it.
    if let Some(f) = headline
        && let Some(x) = v.value(f)
    {
        more += &format!(", {} {}", f.label, figure(x, f.unit));
    }
    // `0..n - 1` gives exactly n rows; a single lane needs a range that is not empty
    // (and so gets an empty row above it).
    let top = if n == 1 { 1 } else { n - 1 };
    let mut chart = ChartBuilder::on(area)
        .caption(
            format!("{} (wall {}{more})", v.name, seconds(v.wall_s)),
            ("sans-serif", 14),
        )
        .margin(6)
        .x_label_area_size(22)
        .y_label_area_size(130)
        .build_cartesian_2d(0f64..x_max, (0..top).into_segmented())?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(n)
        .y_label_formatter(&|y| match y {
            SegmentValue::CenterOf(i) if *i < lanes.len() => lanes[n - 1 - i].clone(),
            _ => String::new(),
        })
        .x_labels(12)
        .x_label_formatter(&|x| {
            if *x == 0.0 {
                "0".to_owned()
            } else {
                seconds(*x)
            }
        })
        .label_style(("sans-serif", 12))
        .draw()?;

    // The axis counts rows from the bottom; the first lane goes on top.
    let rows: HashMap<&str, usize> = lanes
        .iter()
        .enumerate()
        .map(|(i, lane)| (lane.as_str(), n - 1 - i))
        .collect();
    let row_of_task: HashMap<usize, usize> = v
        .tasks
        .iter()
        .filter_map(|t| Some((t.id, *rows.get(t.lane.as_str())?)))
        .collect();
    let mut bars: Vec<_> = v
        .tasks
        .iter()
        .filter_map(|t| {
            let row = *rows.get(t.lane.as_str())?;
            let end = t.end_s.max(t.start_s + x_max / 2000.0);
            Some((t.start_s, end, row, color(t.kind.as_deref())))
        })
        .collect();
    if crowded {
        bars = busy_stretches(bars, x_max / f64::from(WIDTH));
    }
    chart.draw_series(bars.iter().map(|&(start, end, row, c)| {
        Rectangle::new(
            [
                (start, SegmentValue::Exact(row)),
                (end, SegmentValue::Exact(row + 1)),
            ],
            c.filled(),
        )
    }))?;
    // A white outline separates neighbouring bars and rows.
    chart.draw_series(
        bars.iter()
            .filter(|_| !crowded)
            .map(|&(start, end, row, _)| {
                Rectangle::new(
                    [
                        (start, SegmentValue::Exact(row)),
                        (end, SegmentValue::Exact(row + 1)),
                    ],
                    WHITE.stroke_width(3),
                )
            }),
    )?;
    let received = v
        .received
        .iter()
        .zip(&v.received_s)
        .step_by(every)
        .filter_map(|(id, at)| {
            let row = *row_of_task.get(id)?;
            Some(
                EmptyElement::at((*at, SegmentValue::CenterOf(row)))
                    + Polygon::new(vec![(0, -6), (5, 0), (0, 6), (-5, 0)], BLACK.filled()),
            )
        });
    chart.draw_series(received)?;
    // Each bar says which task it is, where there is room for the number.
    let px_per_s = f64::from(WIDTH - 140) / x_max;
    if !crowded {
        chart.draw_series(v.tasks.iter().filter_map(|t| {
            let row = *rows.get(t.lane.as_str())?;
            let label = t.id.to_string();
            let room = (t.end_s - t.start_s) * px_per_s;
            (room > 8.0 + 7.0 * label.len() as f64).then(|| {
                Text::new(
                    label,
                    (t.start_s + 3.0 / px_per_s, SegmentValue::CenterOf(row)),
                    ("sans-serif", 11)
                        .into_font()
                        .color(&WHITE)
                        .pos(Pos::new(HPos::Left, VPos::Center)),
                )
            })
        }))?;
    }
    // A panel with nothing timed says why, instead of staying blank.
    if v.tasks.is_empty() {
        let why = match &v.error {
            Some(error) => format!("no task ran: {error}"),
            None => format!("nothing timed here: {}", v.uses),
        };
        let why: String = why.chars().take(95).collect();
        chart.draw_series(std::iter::once(Text::new(
            why,
            (x_max * 0.01, SegmentValue::CenterOf(0)),
            ("sans-serif", 12)
                .into_font()
                .color(&RED)
                .pos(Pos::new(HPos::Left, VPos::Center)),
        )))?;
    }
    Ok(())
}

type Bar = (f64, f64, usize, RGBColor);

/// Merge bars of the same row and colour that overlap or are less than `gap` apart.
fn busy_stretches(mut bars: Vec<Bar>, gap: f64) -> Vec<Bar> {
    bars.sort_by(|a, b| {
        (a.2, a.3.0, a.3.1, a.3.2)
            .cmp(&(b.2, b.3.0, b.3.1, b.3.2))
            .then(a.0.total_cmp(&b.0))
    });
    let mut merged: Vec<Bar> = Vec::new();
    for bar in bars {
        match merged.last_mut() {
            Some(last) if last.2 == bar.2 && last.3 == bar.3 && bar.0 <= last.1 + gap => {
                last.1 = last.1.max(bar.1);
            }
            _ => merged.push(bar),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_stretches_merge_close_bars_of_one_row() {
        let bars = vec![
            (0.0, 1.0, 0, TASK),
            (1.05, 2.0, 0, TASK),
            (3.0, 4.0, 0, TASK),
            (0.5, 1.5, 1, TASK),
            (1.5, 1.6, 1, IO),
        ];
        let merged = busy_stretches(bars, 0.1);
        assert_eq!(
            merged,
            vec![
                (0.0, 2.0, 0, TASK),
                (3.0, 4.0, 0, TASK),
                (0.5, 1.5, 1, TASK),
                (1.5, 1.6, 1, IO),
            ]
        );
    }
}
