//! The one log-log picture: a figure (seconds, bytes) against the number of tasks N, both
//! axes logarithmic with 1-2-5 labels, a line per series, and the legend under the plot,
//! outside the data. Drawn at the book's column width (750 px), so no text is scaled
//! down: every label is 12 px or more as shown. The sweep's pictures are all drawn by
//! [`log_log`].

use anyhow::Result;
use concurrency_pairs::Unit;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::font;
use crate::format::{thousands, tick};

/// The book's text column: drawn at its width, the picture is shown at 1:1.
const WIDTH: u32 = 750;
const CHART_HEIGHT: u32 = 470;
/// The legend: two entries a row, under the plot.
const LEGEND_COLUMNS: usize = 2;
const LEGEND_ROW: u32 = 22;

/// The mark at each point of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    /// Rust's points.
    Circle,
    /// Python's points.
    Triangle,
}

/// One line of a picture.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Its entry in the legend.
    pub label: String,
    /// (N, figure), N ascending.
    pub points: Vec<(f64, f64)>,
    pub colour: RGBColor,
    pub dashed: bool,
    /// `None`: a line only (a bound, say).
    pub marker: Option<Marker>,
}

/// The words around a picture.
#[derive(Debug, Clone, Copy)]
pub struct LogLog<'a> {
    pub title: &'a str,
    pub x_desc: &'a str,
    pub y_desc: &'a str,
    /// How the y axis is labelled.
    pub y_unit: Unit,
}

/// The SVG text of `series` against N, both axes logarithmic.
pub fn log_log(axes: &LogLog<'_>, series: &[Series]) -> Result<String> {
    let all = series.iter().flat_map(|s| s.points.iter());
    let (mut x_lo, mut x_hi, mut y_lo, mut y_hi) = (f64::MAX, 0f64, f64::MAX, 0f64);
    for &(x, y) in all.filter(|p| p.0 > 0.0 && p.1 > 0.0) {
        (x_lo, x_hi, y_lo, y_hi) =
            (x_lo.min(x), x_hi.max(x), y_lo.min(y), y_hi.max(y));
    }
    if x_hi == 0.0 {
        (x_lo, x_hi, y_lo, y_hi) = (1e3, 1e6, 1.0, 100.0);
    }
    let x = (x_lo / 1.6, x_hi * 1.6);
    let y = (y_lo / 2.0, y_hi * 2.0);

    let mut svg = String::new();
    {
        let rows = series.len().div_ceil(LEGEND_COLUMNS) as u32;
        let height = CHART_HEIGHT + 12 + rows * LEGEND_ROW;
        let root =
            SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let (plot, legend) = root.split_vertically(CHART_HEIGHT);
        let mut chart = ChartBuilder::on(&plot)
            .caption(axes.title, font(15.0))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(
                (x.0..x.1)
                    .log_scale()
                    .with_key_points(one_two_five(x))
                    .with_light_points(one_to_nine(x)),
                (y.0..y.1)
                    .log_scale()
                    .with_key_points(one_two_five(y))
                    .with_light_points(one_to_nine(y)),
            )?;
        chart
            .configure_mesh()
            .x_desc(axes.x_desc)
            .y_desc(axes.y_desc)
            .x_label_formatter(&|n| thousands(n.round() as u64))
            .y_label_formatter(&|v| tick(*v, axes.y_unit))
            .label_style(font(12.0))
            .axis_desc_style(font(13.0))
            .draw()?;
        for s in series {
            let (c, style) = (s.colour, s.colour.stroke_width(2));
            if s.dashed {
                chart.draw_series(DashedLineSeries::new(
                    s.points.clone(),
                    8,
                    5,
                    style,
                ))?;
            } else {
                chart.draw_series(LineSeries::new(s.points.clone(), style))?;
            }
            match s.marker {
                None => {}
                Some(Marker::Circle) => {
                    chart.draw_series(
                        s.points.iter().map(|&p| Circle::new(p, 4, c.filled())),
                    )?;
                }
                Some(Marker::Triangle) => {
                    chart.draw_series(
                        s.points
                            .iter()
                            .map(|&p| TriangleMarker::new(p, 5, c.filled())),
                    )?;
                }
            }
        }
        // The legend, under the plot: a sample of each line and its label.
        let column_px = (WIDTH as i32 - 80) / LEGEND_COLUMNS as i32;
        for (i, s) in series.iter().enumerate() {
            let x = 80 + (i % LEGEND_COLUMNS) as i32 * column_px;
            let y = 10 + (i / LEGEND_COLUMNS) as i32 * LEGEND_ROW as i32;
            let (c, style) = (s.colour, s.colour.stroke_width(2));
            let gap = if s.dashed { 3 } else { 0 };
            legend.draw(&PathElement::new(vec![(x, y), (x + 13 - gap, y)], style))?;
            legend.draw(&PathElement::new(
                vec![(x + 13 + gap, y), (x + 26, y)],
                style,
            ))?;
            match s.marker {
                None => {}
                Some(Marker::Circle) => {
                    legend.draw(&Circle::new((x + 13, y), 4, c.filled()))?
                }
                Some(Marker::Triangle) => {
                    legend.draw(&TriangleMarker::new((x + 13, y), 5, c.filled()))?
                }
            }
            let left = Pos::new(HPos::Left, VPos::Center);
            legend.draw(&Text::new(
                s.label.clone(),
                (x + 34, y),
                font(12.0).color(&BLACK).pos(left),
            ))?;
        }
        root.present()?;
    }
    Ok(svg)
}

/// The multiples `ks` of every power of ten within `lo..=hi`.
fn multiples(ks: &[f64], (lo, hi): (f64, f64)) -> Vec<f64> {
    if !(lo > 0.0 && hi >= lo && hi.is_finite()) {
        return Vec::new();
    }
    let mut decade = 10f64.powf(lo.log10().floor());
    let mut out = Vec::new();
    while decade <= hi {
        // Rounded, so 0.1 × 2 prints as 0.2 and 1,000 × 5 is exactly 5,000.
        out.extend(
            ks.iter()
                .map(|k| {
                    format!("{:.3e}", k * decade)
                        .parse::<f64>()
                        .unwrap_or(k * decade)
                })
                .filter(|v| (lo..=hi).contains(v)),
        );
        decade *= 10.0;
    }
    out
}

/// Labelled ticks of a log axis: 1, 2, 5, 10, 20, 50...
fn one_two_five(range: (f64, f64)) -> Vec<f64> {
    multiples(&[1.0, 2.0, 5.0], range)
}

/// Light grid lines of a log axis: every 1...9 × a power of ten.
fn one_to_nine(range: (f64, f64)) -> Vec<f64> {
    multiples(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0], range)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_axis_ticks() {
        assert_eq!(
            one_two_five((625.0, 1_600_000.0)),
            [1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6]
        );
        assert_eq!(one_two_five((0.5, 19.5)), [0.5, 1.0, 2.0, 5.0, 10.0]);
        assert_eq!(one_to_nine((0.25, 0.6)), [0.3, 0.4, 0.5, 0.6]);
        assert!(one_two_five((0.0, 1.0)).is_empty());
    }

    #[test]
    fn the_legend_sits_under_the_plot() {
        let line = Series {
            label: "the only line".into(),
            points: vec![(1e3, 1.0), (1e6, 1e3)],
            colour: BLACK,
            dashed: false,
            marker: None,
        };
        let axes = LogLog {
            title: "t",
            x_desc: "N",
            y_desc: "y",
            y_unit: Unit::Seconds,
        };
        let svg = log_log(&axes, &[line]).expect("draws");
        // Its label is drawn below the plot's height, so it covers no point.
        let label = svg.find("the only line").expect("labelled");
        let y: f64 = svg[..label]
            .rsplit(" y=\"")
            .next()
            .and_then(|rest| rest.split('"').next())
            .and_then(|y| y.parse().ok())
            .expect("the label's y");
        assert!(y > f64::from(CHART_HEIGHT), "the label at y = {y}");
    }

    #[test]
    fn every_series_is_in_the_legend() {
        let series = |label: &str, dashed, marker| Series {
            label: label.into(),
            points: vec![(1e3, 1e-6), (1e4, 2e-6)],
            colour: BLACK,
            dashed,
            marker,
        };
        let svg = log_log(
            &LogLog {
                title: "a title",
                x_desc: "N",
                y_desc: "time",
                y_unit: Unit::Seconds,
            },
            &[
                series("solid (Rust)", false, Some(Marker::Circle)),
                series("dashed (Python)", true, Some(Marker::Triangle)),
                series("bound", true, None),
            ],
        )
        .expect("draws");
        for text in [
            "a title",
            "solid (Rust)",
            "dashed (Python)",
            "bound",
            "1 µs",
        ] {
            assert!(svg.contains(text), "{text}");
        }
    }
}
