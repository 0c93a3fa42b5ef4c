//! The one log-log picture: a figure (seconds, bytes) against the number of tasks N, both
//! axes logarithmic with 1-2-5 labels, a line per series, the legend in the emptiest
//! corner. The sweep's pictures and the runtimes page's are all drawn by [`log_log`].

use anyhow::Result;
use concurrency_pairs::Unit;
use plotters::prelude::*;

use crate::format::{thousands, tick};

const WIDTH: u32 = 960;
const HEIGHT: u32 = 600;

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
    let corner = legend_corner(series, x, y);

    let mut svg = String::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(axes.title, ("sans-serif", 16))
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
            .label_style(("sans-serif", 12))
            .draw()?;
        for s in series {
            let (c, style) = (s.colour, s.colour.stroke_width(2));
            let drawn = if s.dashed {
                chart.draw_series(DashedLineSeries::new(
                    s.points.clone(),
                    8,
                    5,
                    style,
                ))?
            } else {
                chart.draw_series(LineSeries::new(s.points.clone(), style))?
            };
            // The legend's line: two strokes, with a gap when dashed.
            let gap = if s.dashed { 2 } else { 0 };
            let line = move |(x, y)| {
                EmptyElement::at((x, y))
                    + PathElement::new(vec![(0, 0), (12 - gap, 0)], style)
                    + PathElement::new(vec![(12 + gap, 0), (24, 0)], style)
            };
            let drawn = drawn.label(&s.label);
            match s.marker {
                None => {
                    drawn.legend(line);
                }
                Some(Marker::Circle) => {
                    drawn.legend(move |p| {
                        line(p) + Circle::new((12, 0), 4, c.filled())
                    });
                    chart.draw_series(
                        s.points.iter().map(|&p| Circle::new(p, 4, c.filled())),
                    )?;
                }
                Some(Marker::Triangle) => {
                    drawn.legend(move |p| {
                        line(p) + TriangleMarker::new((12, 0), 5, c.filled())
                    });
                    chart.draw_series(
                        s.points
                            .iter()
                            .map(|&p| TriangleMarker::new(p, 5, c.filled())),
                    )?;
                }
            }
        }
        chart
            .configure_series_labels()
            .position(corner)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.4))
            .label_font(("sans-serif", 12))
            .draw()?;
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

/// The plot corner whose quarter (in log space) holds the fewest points of the lines.
fn legend_corner(
    series: &[Series],
    x: (f64, f64),
    y: (f64, f64),
) -> SeriesLabelPosition {
    let fraction =
        |v: f64, (lo, hi): (f64, f64)| (v.ln() - lo.ln()) / (hi.ln() - lo.ln());
    // The points, and ten more along each segment, as fractions of the plot.
    let mut along = Vec::new();
    for s in series {
        for pair in s.points.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            for i in 0..10 {
                let t = f64::from(i) / 10.0;
                let lerp = |p: f64, q: f64| (p.ln() + t * (q.ln() - p.ln())).exp();
                along.push((lerp(a.0, b.0), lerp(a.1, b.1)));
            }
        }
        along.extend(s.points.iter().copied());
    }
    let at: Vec<(f64, f64)> = along
        .iter()
        .map(|&(px, py)| (fraction(px, x), fraction(py, y)))
        .collect();
    let corners = [
        (SeriesLabelPosition::UpperLeft, false, true),
        (SeriesLabelPosition::LowerRight, true, false),
        (SeriesLabelPosition::UpperRight, true, true),
        (SeriesLabelPosition::LowerLeft, false, false),
    ];
    let mut best = (usize::MAX, SeriesLabelPosition::UpperLeft);
    for (position, right, upper) in corners {
        let count = at
            .iter()
            .filter(|&&(fx, fy)| {
                (if right { fx > 0.55 } else { fx < 0.45 })
                    && (if upper { fy > 0.5 } else { fy < 0.5 })
            })
            .count();
        if count < best.0 {
            best = (count, position);
        }
    }
    best.1
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
    fn the_legend_avoids_the_lines() {
        // A line rising from lower left to upper right leaves the other two corners.
        let rising = Series {
            label: "up".into(),
            points: vec![(1e3, 1.0), (1e6, 1e3)],
            colour: BLACK,
            dashed: false,
            marker: None,
        };
        let corner = legend_corner(&[rising], (5e2, 2e6), (0.5, 2e3));
        assert!(matches!(
            corner,
            SeriesLabelPosition::UpperLeft | SeriesLabelPosition::LowerRight
        ));
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
