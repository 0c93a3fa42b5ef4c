//! Timeline pictures: for one run of one example, a panel per variant on a shared time
//! axis, a row per lane (thread, worker process, async task), a bar per task and a
//! diamond where the caller received each result.

use anyhow::Result;
use concurrency_pairs::{Trace, Variant};
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

use crate::table::seconds;

/// More lanes than this are not drawn (the panel says how many were left out).
const MAX_LANES: usize = 24;
const WIDTH: u32 = 960;
const LANE_PX: u32 = 22;

const TASK: RGBColor = RGBColor(66, 120, 200);
const IO: RGBColor = RGBColor(240, 150, 40);
const OTHER: RGBColor = RGBColor(120, 170, 90);

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

/// The SVG text of the timelines of every variant in `trace`.
pub fn timelines(trace: &Trace) -> Result<String> {
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
        .map(|(_, lanes, _)| 64 + LANE_PX * lanes.len().max(1) as u32)
        .collect();
    let x_max = trace
        .variants
        .iter()
        .flat_map(|v| std::iter::once(v.wall_s).chain(v.tasks.iter().map(|t| t.end_s)))
        .fold(1e-3, f64::max)
        * 1.03;

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, heights.iter().sum::<u32>() + 36))
            .into_drawing_area();
        root.fill(&WHITE)?;
        let (title, mut rest) = root.split_vertically(36);
        title.draw_text(
            &format!(
                "{} ({}, size {}): a bar per task, a row per lane, ◆ when the caller got the result",
                trace.example, trace.language, trace.size
            ),
            &("sans-serif", 16).into_font().color(&BLACK),
            (10, 10),
        )?;
        for ((v, lanes, hidden), height) in panels.iter().zip(&heights) {
            let (panel, below) = rest.split_vertically(*height);
            rest = below;
            draw_panel(&panel, v, lanes, *hidden, x_max)?;
        }
        root.present()?;
    }
    Ok(svg)
}

fn draw_panel(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    v: &Variant,
    lanes: &[String],
    hidden: usize,
    x_max: f64,
) -> Result<()> {
    let n = lanes.len().max(1);
    let more = if hidden > 0 {
        format!(", {hidden} more lanes not shown")
    } else {
        String::new()
    };
    let mut chart = ChartBuilder::on(area)
        .caption(
            format!("{}: {} (wall {}{more})", v.name, v.uses, seconds(v.wall_s)),
            ("sans-serif", 14),
        )
        .margin(6)
        .x_label_area_size(22)
        .y_label_area_size(170)
        .build_cartesian_2d(0f64..x_max, (0..n).into_segmented())?;
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
    let lane_of = |lane: &str| lanes.iter().position(|l| l == lane).map(|i| n - 1 - i);
    let bars: Vec<_> = v
        .tasks
        .iter()
        .filter_map(|t| {
            let row = lane_of(&t.lane)?;
            let end = t.end_s.max(t.start_s + x_max / 2000.0);
            Some((t.start_s, end, row, color(t.kind.as_deref())))
        })
        .collect();
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
    chart.draw_series(bars.iter().map(|&(start, end, row, _)| {
        Rectangle::new(
            [
                (start, SegmentValue::Exact(row)),
                (end, SegmentValue::Exact(row + 1)),
            ],
            WHITE.stroke_width(3),
        )
    }))?;
    let received = v.received.iter().zip(&v.received_s).filter_map(|(id, at)| {
        let row = lane_of(&v.task(*id)?.lane)?;
        Some(
            EmptyElement::at((*at, SegmentValue::CenterOf(row)))
                + Polygon::new(vec![(0, -6), (5, 0), (0, 6), (-5, 0)], BLACK.filled()),
        )
    });
    chart.draw_series(received)?;
    Ok(())
}
