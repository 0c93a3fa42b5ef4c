//! Timeline pictures: for one run of one example, a panel per variant on one time axis, a
//! row per lane (thread, worker process, async task), a bar per task coloured by its
//! kind, a diamond where the caller received each result, and a labelled line at each
//! marked moment (a cancel, a signal, a deadline).
//!
//! A picture is drawn at the book's column width, 750 px, and shown at that size: every
//! text is at least 11 px there, and none runs past the picture's edges. The panels are
//! laid out here, in pixels; plotters only writes the shapes into the SVG.

use std::collections::BTreeMap;

use anyhow::Result;
use concurrency_pairs::lab::CANCELLED as CANCELLED_KIND;
use concurrency_pairs::trace::Mark;
use concurrency_pairs::{Derived, Figure, Pattern, Trace, Unit, Variant};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::font;
use crate::format::{CANCELLED, IO, KILLED, OTHER, Scale, TASK, figure, seconds};

/// More lanes than this are not drawn (the panel says how many were left out).
const MAX_LANES: usize = 24;
/// Beyond this many tasks a panel draws each lane's busy stretches (bars closer than a
/// pixel merged) and at most [`MAX_DIAMONDS`] diamonds, so the picture stays light.
const MAX_BARS: usize = 500;
const MAX_DIAMONDS: usize = 80;
/// A mark label that comes back more often than this is written once, with a count.
const MAX_SAME_LABELS: usize = 3;
/// Rows of mark labels above a panel's lanes; a label with no room left is not written.
const MAX_MARK_ROWS: usize = 2;

/// The book's text column is 750 px wide: drawn at that width, nothing is scaled.
const WIDTH: i32 = 750;
/// The left margin, and where the lanes end on the right (room for a tick label).
const EDGE: i32 = 8;
const RIGHT: i32 = WIDTH - 14;

/// Text sizes in pixels as shown; the smallest is 11.
const TITLE_FONT: f64 = 15.0;
const CAPTION_FONT: f64 = 13.0;
const LABEL_FONT: f64 = 12.0;
const SMALL_FONT: f64 = 11.0;
/// A character's width as a share of the font size: sans-serif, on the wide side, so
/// that a text measured with it fits where it is put.
const CHAR_EM: f64 = 0.62;

/// Heights in pixels.
const TITLE_ROW: i32 = 26;
const LEGEND_ROW: i32 = 20;
const CAPTION_ROW: i32 = 20;
const MARK_ROW: i32 = 16;
const LANE_PX: i32 = 22;
const AXIS_ROW: i32 = 18;
const PANEL_GAP: i32 = 12;
/// A panel with no task is this one line of text.
const EMPTY_ROW: i32 = 22;

/// A marked moment's line and label.
const MARK: RGBColor = RGBColor(20, 20, 20);
const GRID: RGBColor = RGBColor(228, 228, 228);
const AXIS: RGBColor = RGBColor(130, 130, 130);
/// The line that stands for an empty panel.
const QUIET: RGBColor = RGBColor(80, 80, 80);

/// A bar's colour and what the legend says it is.
fn style(kind: Option<&str>) -> (RGBColor, &str) {
    match kind {
        None | Some("work") => (TASK, "a task running"),
        Some("cpu") => (TASK, "CPU work"),
        Some("sleep") => (TASK, "a task sleeping"),
        Some("io") => (IO, "waiting on IO"),
        Some("tick") => (OTHER, "a heartbeat tick"),
        Some("after") => (OTHER, "work after publishing"),
        Some("caller") => (OTHER, "the caller's own work"),
        Some(CANCELLED_KIND) => (CANCELLED, "cancelled: the part that ran"),
        Some("killed" | "aborted") => (KILLED, "killed: the part that ran"),
        Some(other) => (OTHER, other),
    }
}

/// The order of the legend's colours.
const LEGEND_ORDER: [RGBColor; 5] = [TASK, IO, OTHER, CANCELLED, KILLED];

/// The time axis of one picture: where it ends, and, when it is not the one the other
/// language's picture uses, the note the title carries.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeAxis {
    pub max_s: f64,
    pub note: Option<String>,
}

/// The latest instant a picture of `trace` draws, with a little room after it; none when
/// it draws no panel (no variant recorded a task).
pub fn extent(trace: &Trace) -> Option<f64> {
    let drawn = trace.variants.iter().filter(|v| !v.tasks.is_empty());
    let instants = drawn.flat_map(|v| {
        let ends = v.tasks.iter().map(|t| t.end_s);
        let marks = v.marks.iter().map(|m| m.at_s);
        std::iter::once(v.wall_s)
            .chain(ends)
            .chain(marks)
            .chain(v.received_s.iter().copied())
    });
    let latest = instants.reduce(f64::max)?;
    Some(latest.max(1e-3) * 1.03)
}

/// Language runs longer than another by more than this, and the two pictures keep an axis
/// each: a shared one would squash the shorter run into a sliver.
const MOST_SHARED: f64 = 5.0;

/// The time axes of one example's pictures, one per language (its name and its picture's
/// [`extent`]): one shared axis, unless one language's runs are more than [`MOST_SHARED`]
/// times longer, when each keeps its own and its title says so. A picture that draws no
/// panel takes no part.
pub fn time_axes(extents: &[(&str, Option<f64>)]) -> Vec<TimeAxis> {
    let drawn: Vec<(&str, f64)> = extents
        .iter()
        .filter_map(|&(name, extent)| Some((name, extent?)))
        .collect();
    let longest = drawn.iter().copied().max_by(|a, b| a.1.total_cmp(&b.1));
    let shortest = drawn.iter().map(|e| e.1).reduce(f64::min);
    let (Some((slow, max_s)), Some(min_s)) = (longest, shortest) else {
        let nothing = TimeAxis {
            max_s: 1.0,
            note: None,
        };
        return vec![nothing; extents.len()];
    };
    let ratio = max_s / min_s;
    let own = |extent: Option<f64>, note: Option<String>| TimeAxis {
        max_s: extent.unwrap_or(max_s),
        note: extent.and(note),
    };
    if ratio <= MOST_SHARED {
        return extents
            .iter()
            .map(|e| own(e.1.and(Some(max_s)), None))
            .collect();
    }
    let times = if ratio < 10.0 {
        format!("{ratio:.1}")
    } else {
        format!("{ratio:.0}")
    };
    let note =
        format!("time axis: this picture's own ({slow}'s runs {times}× longer)");
    extents
        .iter()
        .map(|e| own(e.1, Some(note.clone())))
        .collect()
}

/// The SVG text of the timelines of every variant in `trace` on the time axis `axis`,
/// each captioned with the pattern's headline figure where the variant has it.
pub fn timelines(
    trace: &Trace,
    pattern: &Pattern,
    axis: &TimeAxis,
) -> Result<String> {
    let headline = pattern
        .headline
        .map(|h| h.figure)
        .filter(|f| f.derived != Some(Derived::Wall));
    let panels: Vec<Panel> = trace.variants.iter().map(Panel::new).collect();
    let frame = Frame::new(&panels, axis.max_s);
    let marks: Vec<(Vec<Placed>, i32)> =
        panels.iter().map(|p| p.marks(&frame)).collect();

    let mut title = format!(
        "{} ({}, size {})",
        trace.example, trace.language, trace.size
    );
    let note = axis.note.clone().unwrap_or_default();
    let note_fits =
        text_width(&title, TITLE_FONT) + 12.0 + text_width(&note, LABEL_FONT)
            <= f64::from(WIDTH - 2 * EDGE);
    let note_row = if note.is_empty() || note_fits {
        0
    } else {
        LEGEND_ROW
    };
    title = fit(&title, TITLE_FONT, f64::from(WIDTH - 2 * EDGE));
    let legend = legend_rows(&legend_entries(&panels));
    let top = TITLE_ROW + note_row + LEGEND_ROW * legend.len() as i32;
    let heights: Vec<i32> = panels
        .iter()
        .zip(&marks)
        .map(|(p, (_, rows))| p.height(*rows))
        .collect();
    let height = top + heights.iter().sum::<i32>() + 4;

    let mut svg = String::new();
    {
        let size = (WIDTH as u32, height as u32);
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE)?;
        let left = Pos::new(HPos::Left, VPos::Center);
        let title_font = font(TITLE_FONT).color(&BLACK).pos(left);
        root.draw(&Text::new(title.clone(), (EDGE, TITLE_ROW / 2), title_font))?;
        if !note.is_empty() {
            let (x, y) = if note_fits {
                let after = text_width(&title, TITLE_FONT) + 12.0;
                (EDGE + after.ceil() as i32, TITLE_ROW / 2)
            } else {
                (EDGE, TITLE_ROW + LEGEND_ROW / 2)
            };
            let room = f64::from(WIDTH - EDGE - x);
            let style = font(LABEL_FONT).color(&QUIET).pos(left);
            root.draw(&Text::new(fit(&note, LABEL_FONT, room), (x, y), style))?;
        }
        let mut y = TITLE_ROW + note_row;
        for row in &legend {
            draw_legend_row(&root, row, y)?;
            y += LEGEND_ROW;
        }
        for ((panel, (placed, rows)), height) in
            panels.iter().zip(&marks).zip(&heights)
        {
            let draw = PanelDraw {
                root: &root,
                frame: &frame,
                top: y,
                headline: headline.as_ref(),
            };
            draw.panel(panel, placed, *rows)?;
            y += height;
        }
        root.present()?;
    }
    Ok(svg)
}

/// About how wide `text` is at `px` pixels (see [`CHAR_EM`]).
fn text_width(text: &str, px: f64) -> f64 {
    text.chars().count() as f64 * px * CHAR_EM
}

/// `text`, cut short with "…" where it would be wider than `room` pixels.
fn fit(text: &str, px: f64, room: f64) -> String {
    if text_width(text, px) <= room {
        return text.to_owned();
    }
    let keep = ((room / (px * CHAR_EM)).floor() as usize).saturating_sub(1);
    let cut: String = text.chars().take(keep).collect();
    format!("{}…", cut.trim_end())
}

/// One variant's panel: its lanes (in the order of the first task each ran) and how many
/// more were not drawn.
struct Panel<'a> {
    v: &'a Variant,
    lanes: Vec<String>,
    hidden: usize,
}

impl<'a> Panel<'a> {
    fn new(v: &'a Variant) -> Self {
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
        Panel { v, lanes, hidden }
    }

    fn is_empty(&self) -> bool {
        self.v.tasks.is_empty()
    }

    /// Its height, with `mark_rows` rows of mark labels.
    fn height(&self, mark_rows: i32) -> i32 {
        if self.is_empty() {
            return EMPTY_ROW;
        }
        let lanes = self.lanes.len() as i32;
        CAPTION_ROW + MARK_ROW * mark_rows + LANE_PX * lanes + AXIS_ROW + PANEL_GAP
    }

    /// The row of each drawn lane, from the top.
    fn row(&self, lane: &str) -> Option<usize> {
        self.lanes.iter().position(|l| l == lane)
    }

    /// The spans drawn: those in a lane that is shown.
    fn drawn(&self) -> impl Iterator<Item = &'a concurrency_pairs::TaskSpan> + '_ {
        self.v.tasks.iter().filter(|t| self.row(&t.lane).is_some())
    }

    /// Which results get a diamond: every one, or every `every`th when there are many.
    fn every(&self) -> usize {
        self.v.received.len().div_ceil(MAX_DIAMONDS).max(1)
    }

    /// Whether any diamond is drawn (a received task whose lane is shown).
    fn has_diamonds(&self) -> bool {
        self.v
            .received
            .iter()
            .any(|id| self.drawn().any(|t| t.id == *id))
    }

    /// Its marks' lines and labels, and how many rows of labels they take.
    fn marks(&self, frame: &Frame) -> (Vec<Placed>, i32) {
        if self.is_empty() {
            return (Vec::new(), 0);
        }
        place_marks(&self.v.marks, frame)
    }
}

/// Where the lanes of every panel begin and end, and the time they span.
struct Frame {
    left: i32,
    right: i32,
    x_max: f64,
}

impl Frame {
    /// Room on the left for the longest lane name of the picture (within reason).
    fn new(panels: &[Panel], x_max: f64) -> Self {
        let longest = panels
            .iter()
            .filter(|p| !p.is_empty())
            .flat_map(|p| p.lanes.iter())
            .map(|lane| text_width(lane, LABEL_FONT))
            .fold(30.0, f64::max)
            .min(LANE_NAMES_PX);
        Frame {
            left: EDGE + longest.ceil() as i32 + 8,
            right: RIGHT,
            x_max: x_max.max(1e-9),
        }
    }

    /// The pixel column of `s` seconds (clamped to the axis).
    fn x(&self, s: f64) -> i32 {
        let share = (s / self.x_max).clamp(0.0, 1.0);
        self.left + (share * f64::from(self.right - self.left)).round() as i32
    }

    fn lane_names_px(&self) -> f64 {
        f64::from(self.left - 8 - EDGE)
    }
}

/// The most room lane names get; a longer one is cut short.
const LANE_NAMES_PX: f64 = 170.0;

/// A mark's line, and its label if there was room for one.
#[derive(Debug, Clone, PartialEq)]
struct Placed {
    x: i32,
    label: Option<Label>,
}

/// A mark's label: its text, where it starts, and in which row above the lanes.
#[derive(Debug, Clone, PartialEq)]
struct Label {
    text: String,
    start: i32,
    row: usize,
}

/// Lay out the labels of `marks`: each beside its line (on the left of it near the right
/// edge), in the first row where it does not run into another; a label that comes back
/// more than [`MAX_SAME_LABELS`] times is written once, with how many there are. Gives the
/// rows used.
fn place_marks(marks: &[Mark], frame: &Frame) -> (Vec<Placed>, i32) {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for m in marks {
        *counts.entry(m.label.as_str()).or_default() += 1;
    }
    let mut sorted: Vec<&Mark> = marks.iter().collect();
    sorted.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
    let mut taken: Vec<Vec<(i32, i32)>> = vec![Vec::new(); MAX_MARK_ROWS];
    let mut written: Vec<&str> = Vec::new();
    let mut placed = Vec::new();
    for m in sorted {
        let x = frame.x(m.at_s);
        let count = counts[m.label.as_str()];
        let label = if count > MAX_SAME_LABELS && written.contains(&m.label.as_str())
        {
            None
        } else {
            let text = if count > MAX_SAME_LABELS {
                format!("{} ×{count}", m.label)
            } else {
                m.label.clone()
            };
            let text = fit(&text, LABEL_FONT, f64::from(WIDTH - 2 * EDGE));
            let width = text_width(&text, LABEL_FONT).ceil() as i32;
            let start = if x + 4 + width <= WIDTH - EDGE {
                x + 4
            } else {
                (x - 4 - width).max(EDGE)
            };
            let span = (start - 6, start + width + 6);
            let free = |row: &Vec<(i32, i32)>| {
                row.iter().all(|&(a, b)| span.1 <= a || b <= span.0)
            };
            taken.iter().position(free).map(|row| {
                taken[row].push(span);
                written.push(m.label.as_str());
                Label { text, start, row }
            })
        };
        placed.push(Placed { x, label });
    }
    let rows = placed
        .iter()
        .filter_map(|p| p.label.as_ref().map(|l| l.row + 1))
        .max()
        .unwrap_or(0);
    (placed, rows as i32)
}

/// One entry of the legend.
#[derive(Debug, Clone, PartialEq)]
enum Entry {
    /// A bar's colour and what it stands for.
    Bar(RGBColor, String),
    /// The marks' lines, and the moments they mark.
    Marks(String),
    /// The diamonds.
    Received,
}

/// What the picture shows, and only that: the colours of the bars drawn (in a fixed
/// order), the marks drawn, the diamonds drawn.
fn legend_entries(panels: &[Panel]) -> Vec<Entry> {
    let drawn: Vec<&Panel> = panels.iter().filter(|p| !p.is_empty()).collect();
    let mut bars: Vec<(RGBColor, Vec<&str>)> = Vec::new();
    for t in drawn.iter().flat_map(|p| p.drawn()) {
        let (colour, what) = style(t.kind.as_deref());
        match bars.iter_mut().find(|(c, _)| *c == colour) {
            Some((_, whats)) if !whats.contains(&what) => whats.push(what),
            Some(_) => {}
            None => bars.push((colour, vec![what])),
        }
    }
    let rank = |c: &RGBColor| LEGEND_ORDER.iter().position(|o| o == c);
    bars.sort_by_key(|(c, _)| rank(c));
    let mut entries: Vec<Entry> = bars
        .into_iter()
        .map(|(c, whats)| Entry::Bar(c, whats.join(", ")))
        .collect();
    let mut moments: Vec<&str> = Vec::new();
    for m in drawn.iter().flat_map(|p| p.v.marks.iter()) {
        if !moments.contains(&m.label.as_str()) {
            moments.push(&m.label);
        }
    }
    if !moments.is_empty() {
        entries.push(Entry::Marks(format!("moment: {}", moments.join(", "))));
    }
    if drawn.iter().any(|p| p.has_diamonds()) {
        entries.push(Entry::Received);
    }
    entries
}

/// The legend's entries in rows that fit the width, each with where it starts.
fn legend_rows(entries: &[Entry]) -> Vec<Vec<(i32, Entry, String)>> {
    let room = f64::from(WIDTH - 2 * EDGE - SWATCH - 6);
    let mut rows: Vec<Vec<(i32, Entry, String)>> = Vec::new();
    let mut x = EDGE;
    for entry in entries {
        let text = match entry {
            Entry::Bar(_, what) | Entry::Marks(what) => what.clone(),
            Entry::Received => "result received".to_owned(),
        };
        let text = fit(&text, LABEL_FONT, room);
        let width = SWATCH + 6 + text_width(&text, LABEL_FONT).ceil() as i32;
        if rows.is_empty() || x + width > WIDTH - EDGE {
            rows.push(Vec::new());
            x = EDGE;
        }
        rows.last_mut().expect("a row was just pushed").push((
            x,
            entry.clone(),
            text,
        ));
        x += width + 16;
    }
    rows
}

/// A legend swatch's width.
const SWATCH: i32 = 14;

type Root<'b> = DrawingArea<SVGBackend<'b>, plotters::coord::Shift>;

fn draw_legend_row(root: &Root, row: &[(i32, Entry, String)], y: i32) -> Result<()> {
    let mid = y + LEGEND_ROW / 2;
    let style = font(LABEL_FONT)
        .color(&BLACK)
        .pos(Pos::new(HPos::Left, VPos::Center));
    for (x, entry, text) in row {
        let x = *x;
        match entry {
            Entry::Bar(colour, _) => {
                root.draw(&Rectangle::new(
                    [(x, mid - 6), (x + SWATCH, mid + 6)],
                    colour.filled(),
                ))?;
            }
            Entry::Marks(_) => {
                let line = vec![(x + SWATCH / 2, mid - 8), (x + SWATCH / 2, mid + 8)];
                root.draw(&PathElement::new(line, MARK.stroke_width(2)))?;
            }
            Entry::Received => root.draw(&diamond(x + SWATCH / 2, mid))?,
        }
        root.draw(&Text::new(
            text.clone(),
            (x + SWATCH + 6, mid),
            style.clone(),
        ))?;
    }
    Ok(())
}

fn diamond(x: i32, y: i32) -> Polygon<(i32, i32)> {
    let points = vec![(x, y - 6), (x + 5, y), (x, y + 6), (x - 5, y)];
    Polygon::new(points, BLACK.filled())
}

/// Round instants along an axis of `x_max` seconds, `room` pixels long, each with its
/// label: one unit for the whole axis, and no more labels than fit.
fn ticks(x_max: f64, room: f64) -> Vec<(f64, String)> {
    let scale = Scale::of(Unit::Seconds, x_max);
    let (factor, unit) = (1.0 / scale.factor, scale.unit);
    let span = x_max * factor;
    // A label is at most about seven characters; leave as much again between two.
    let most = (room / (2.0 * text_width("0.25 ms", SMALL_FONT)))
        .floor()
        .max(2.0);
    let raw = span / most;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * magnitude);
    let decimals = (0..6)
        .find(|d| {
            let scaled = step * 10f64.powi(*d);
            (scaled - scaled.round()).abs() < 1e-6
        })
        .unwrap_or(6) as usize;
    let count = (span / step + 1e-9).floor() as usize;
    (0..=count)
        .map(|i| {
            let value = step * i as f64;
            let label = if i == 0 {
                "0".to_owned()
            } else {
                format!("{value:.decimals$} {unit}")
            };
            (value / factor, label)
        })
        .collect()
}

type Bar = (f64, f64, usize, RGBColor);

/// Draws one panel at `top` in the picture.
struct PanelDraw<'r, 'b> {
    root: &'r Root<'b>,
    frame: &'r Frame,
    top: i32,
    headline: Option<&'r Figure>,
}

impl PanelDraw<'_, '_> {
    fn panel(&self, p: &Panel, placed: &[Placed], mark_rows: i32) -> Result<()> {
        let (root, frame, v) = (self.root, self.frame, p.v);
        let left = Pos::new(HPos::Left, VPos::Center);
        if p.is_empty() {
            // Not an empty panel: one line that says so (and why, where the trace knows).
            let why = v
                .error
                .as_ref()
                .map_or(String::new(), |e| format!(" ({e})"));
            let text = format!("{}: no tasks recorded{why}", v.name);
            let text = fit(&text, LABEL_FONT, f64::from(WIDTH - 2 * EDGE));
            let style = font(LABEL_FONT).color(&QUIET).pos(left);
            root.draw(&Text::new(text, (EDGE, self.top + EMPTY_ROW / 2), style))?;
            return Ok(());
        }
        root.draw(&Text::new(
            fit(&self.caption(p), CAPTION_FONT, f64::from(WIDTH - 2 * EDGE)),
            (EDGE, self.top + CAPTION_ROW / 2),
            font(CAPTION_FONT).color(&BLACK).pos(left),
        ))?;
        let lanes_top = self.top + CAPTION_ROW + MARK_ROW * mark_rows;
        let n = p.lanes.len() as i32;
        let bottom = lanes_top + LANE_PX * n;
        let row_top = |row: usize| lanes_top + LANE_PX * row as i32;

        // The grid, the axis and its labels.
        let ticks = ticks(frame.x_max, f64::from(frame.right - frame.left));
        for (at, _) in &ticks {
            let x = frame.x(*at);
            root.draw(&PathElement::new(
                vec![(x, lanes_top), (x, bottom)],
                GRID.stroke_width(1),
            ))?;
        }
        let axis = vec![(frame.left, bottom), (frame.right, bottom)];
        root.draw(&PathElement::new(axis, AXIS.stroke_width(1)))?;
        let y_axis = vec![(frame.left, lanes_top), (frame.left, bottom)];
        root.draw(&PathElement::new(y_axis, AXIS.stroke_width(1)))?;
        for (at, label) in &ticks {
            let width = text_width(label, SMALL_FONT).ceil() as i32;
            let x = frame
                .x(*at)
                .clamp(EDGE + width / 2, WIDTH - EDGE - width / 2);
            let style = font(SMALL_FONT)
                .color(&BLACK)
                .pos(Pos::new(HPos::Center, VPos::Top));
            root.draw(&Text::new(label.clone(), (x, bottom + 3), style))?;
        }
        let lane_style = font(LABEL_FONT)
            .color(&BLACK)
            .pos(Pos::new(HPos::Right, VPos::Center));
        for (row, lane) in p.lanes.iter().enumerate() {
            let name = fit(lane, LABEL_FONT, frame.lane_names_px());
            let y = row_top(row) + LANE_PX / 2;
            root.draw(&Text::new(name, (frame.left - 6, y), lane_style.clone()))?;
        }

        // The bars.
        let crowded = v.tasks.len() > MAX_BARS;
        let mut bars: Vec<Bar> = p
            .drawn()
            .filter_map(|t| {
                let row = p.row(&t.lane)?;
                Some((t.start_s, t.end_s, row, style(t.kind.as_deref()).0))
            })
            .collect();
        if crowded {
            bars = busy_stretches(
                bars,
                frame.x_max / f64::from(frame.right - frame.left),
            );
        }
        for &(start, end, row, colour) in &bars {
            let (x0, y0) = (frame.x(start), row_top(row) + 2);
            let x1 = frame.x(end).max(x0 + 1);
            root.draw(&Rectangle::new(
                [(x0, y0), (x1, y0 + LANE_PX - 4)],
                colour.filled(),
            ))?;
            // A white edge where a bar begins keeps two neighbours apart.
            if !crowded && x1 - x0 >= 4 {
                let edge = vec![(x0, y0), (x0, y0 + LANE_PX - 4)];
                root.draw(&PathElement::new(edge, WHITE.stroke_width(1)))?;
            }
        }
        // Each bar says which task it is, where there is room for the number.
        if !crowded {
            let id_style = font(SMALL_FONT).color(&WHITE).pos(left);
            for t in p.drawn() {
                let row = p.row(&t.lane).expect("a drawn span's lane is shown");
                let label = t.id.to_string();
                let room = frame.x(t.end_s) - frame.x(t.start_s);
                if f64::from(room) > 8.0 + text_width(&label, SMALL_FONT) {
                    let at = (frame.x(t.start_s) + 4, row_top(row) + LANE_PX / 2);
                    root.draw(&Text::new(label, at, id_style.clone()))?;
                }
            }
        }

        // The marks: a line across the lanes, its label above them.
        let mark_style = font(LABEL_FONT).color(&MARK).pos(left);
        for m in placed {
            let from = match &m.label {
                Some(label) => {
                    let y = self.top + CAPTION_ROW + MARK_ROW * label.row as i32;
                    let at = (label.start, y + MARK_ROW / 2);
                    root.draw(&Text::new(
                        label.text.clone(),
                        at,
                        mark_style.clone(),
                    ))?;
                    y + MARK_ROW / 2
                }
                None => lanes_top,
            };
            let line = vec![(m.x, from), (m.x, bottom)];
            root.draw(&PathElement::new(line, MARK.stroke_width(2)))?;
        }

        // A diamond where the caller got each result, on its task's row.
        let rows: BTreeMap<usize, usize> = p
            .drawn()
            .filter_map(|t| Some((t.id, p.row(&t.lane)?)))
            .collect();
        let received = v.received.iter().zip(&v.received_s).step_by(p.every());
        for (id, at) in received {
            if let Some(row) = rows.get(id) {
                root.draw(&diamond(frame.x(*at), row_top(*row) + LANE_PX / 2))?;
            }
        }
        Ok(())
    }

    /// The variant's name, its wall time, and what else the reader should know.
    fn caption(&self, p: &Panel) -> String {
        let v = p.v;
        let mut more = String::new();
        if p.hidden > 0 {
            more += &format!(", {} more lanes not shown", p.hidden);
        }
        if v.tasks.len() > MAX_BARS {
            more += &format!(", {} tasks: busy stretches", v.tasks.len());
        }
        let every = p.every();
        if every > 1 {
            more += &format!(", ◆ every {every}th result");
        }
        // The figure that makes the chapter's point, where this variant has it.
        if let Some(f) = self.headline
            && let Some(x) = v.value(f)
        {
            more += &format!(", {} {}", f.label, figure(x, f.unit));
        }
        format!("{} (wall {}{more})", v.name, seconds(v.wall_s))
    }
}

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
            Some(last)
                if last.2 == bar.2 && last.3 == bar.3 && bar.0 <= last.1 + gap =>
            {
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
    use concurrency_pairs::TaskSpan;

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

    const PATTERN: Pattern = Pattern::new("demo", "a picture to test");

    fn trace(variants: Vec<Variant>) -> Trace {
        let options = concurrency_pairs::Options::default();
        let mut trace = Trace::new(&PATTERN, &options);
        trace.variants = variants;
        trace
    }

    /// A variant with one span per (lane, start, end, kind), each received as it ends.
    fn variant(name: &str, spans: &[(&str, f64, f64, Option<&str>)]) -> Variant {
        let mut v = Variant::new(name, "nothing");
        for (id, &(lane, start, end, kind)) in spans.iter().enumerate() {
            let span = TaskSpan::new(id, lane, start, end);
            v.tasks.push(match kind {
                Some(kind) => span.with_kind(kind),
                None => span,
            });
            v.received.push(id);
            v.received_s.push(end);
        }
        v.wall_s = spans.iter().map(|s| s.2).fold(0.0, f64::max);
        v
    }

    fn draw(trace: &Trace, max_s: f64) -> String {
        let axis = TimeAxis { max_s, note: None };
        timelines(trace, &PATTERN, &axis).expect("draws")
    }

    /// Every `<text>` of an SVG: its x, anchor, font size and content.
    fn texts(svg: &str) -> Vec<(f64, String, f64, String)> {
        let attribute = |tag: &str, name: &str| -> String {
            let from = tag.find(&format!(" {name}=\"")).expect("the attribute")
                + name.len()
                + 3;
            tag[from..].split('"').next().expect("closed").to_owned()
        };
        svg.split("<text")
            .skip(1)
            .map(|rest| {
                let (tag, body) = rest.split_once('>').expect("a tag");
                let content = body.split("</text>").next().expect("closed").trim();
                let content = content
                    .replace("&apos;", "'")
                    .replace("&quot;", "\"")
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&amp;", "&");
                (
                    attribute(tag, "x").parse().expect("a number"),
                    attribute(tag, "text-anchor"),
                    attribute(tag, "font-size").parse().expect("a number"),
                    content.to_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn the_legend_names_only_the_kinds_drawn() {
        let plain = trace(vec![variant("a", &[("t-0", 0.0, 0.1, None)])]);
        let entries = legend_entries(
            &plain.variants.iter().map(Panel::new).collect::<Vec<_>>(),
        );
        assert_eq!(
            entries,
            [Entry::Bar(TASK, "a task running".into()), Entry::Received]
        );
        let mut mixed = variant(
            "b",
            &[
                ("t-0", 0.0, 0.1, Some(CANCELLED_KIND)),
                ("t-1", 0.0, 0.2, Some("io")),
            ],
        );
        mixed.received.clear();
        mixed.received_s.clear();
        let svg = draw(&trace(vec![mixed.clone()]), 0.3);
        let entries = legend_entries(&[Panel::new(&mixed)]);
        assert_eq!(
            entries,
            [
                Entry::Bar(IO, "waiting on IO".into()),
                Entry::Bar(CANCELLED, "cancelled: the part that ran".into()),
            ],
            "no diamond, no task colour: neither is drawn"
        );
        let labels: Vec<String> = texts(&svg).into_iter().map(|t| t.3).collect();
        assert!(
            labels.iter().any(|l| l.starts_with("cancelled")),
            "{labels:?}"
        );
        assert!(!labels.iter().any(|l| l == "result received"), "{labels:?}");
        assert!(!labels.iter().any(|l| l == "a task running"), "{labels:?}");
    }

    #[test]
    fn an_empty_variant_is_one_line_not_a_panel() {
        let mut empty = Variant::new("plain-event", "nothing");
        empty.error = Some("RuntimeError: no".into());
        let full = variant("full", &[("t-0", 0.0, 0.1, None)]);
        let alone = draw(&trace(vec![full.clone()]), 0.2);
        let both = draw(&trace(vec![empty.clone(), full]), 0.2);
        let height = |svg: &str| -> i32 {
            let from = svg.find("height=\"").expect("a height") + 8;
            svg[from..]
                .split('"')
                .next()
                .expect("closed")
                .parse()
                .expect("a number")
        };
        assert_eq!(height(&both) - height(&alone), EMPTY_ROW);
        assert_eq!(Panel::new(&empty).height(0), EMPTY_ROW);
        let line = "plain-event: no tasks recorded (RuntimeError: no)";
        let lines: Vec<_> =
            texts(&both).into_iter().filter(|t| t.3 == line).collect();
        assert_eq!(lines.len(), 1, "{both}");
    }

    #[test]
    fn a_mark_is_a_labelled_line_across_its_panel_above_the_bars() {
        let mut v = variant("abort-cpu-loop", &[("task-0", 0.0, 1.0, None)]);
        v.marks.push(Mark {
            label: "abort".into(),
            at_s: 0.05,
        });
        let svg = draw(&trace(vec![v.clone()]), 1.0);
        let frame = Frame::new(&[Panel::new(&v)], 1.0);
        let x = frame.x(0.05);
        assert!(
            svg.contains(&format!("points=\"{x},")),
            "a line at x = {x}\n{svg}"
        );
        let label = texts(&svg)
            .into_iter()
            .find(|t| t.3 == "abort")
            .expect("the label");
        assert_eq!(label.0, f64::from(x + 4));
        assert!(
            texts(&svg).iter().any(|t| t.3 == "moment: abort"),
            "in the legend"
        );
        // Its label sits in a row of its own, so the panel is that much taller.
        let unmarked = variant("abort-cpu-loop", &[("task-0", 0.0, 1.0, None)]);
        let (placed, rows) = Panel::new(&v).marks(&frame);
        assert_eq!((placed.len(), rows), (1, 1));
        assert_eq!(
            Panel::new(&v).height(rows) - Panel::new(&unmarked).height(0),
            MARK_ROW
        );
    }

    #[test]
    fn many_marks_of_one_label_are_written_once_and_close_ones_stack() {
        let frame = Frame {
            left: 100,
            right: 700,
            x_max: 1.0,
        };
        let many: Vec<Mark> = (0..100)
            .map(|i| Mark {
                label: "flag set".into(),
                at_s: f64::from(i) / 100.0,
            })
            .collect();
        let (placed, rows) = place_marks(&many, &frame);
        let labels: Vec<&str> = placed
            .iter()
            .filter_map(|p| Some(p.label.as_ref()?.text.as_str()))
            .collect();
        assert_eq!((labels, rows), (vec!["flag set ×100"], 1));
        let close = [("abort", 0.5), ("cancel", 0.501), ("deadline", 0.9999)];
        let close: Vec<Mark> = close
            .iter()
            .map(|&(label, at_s)| Mark {
                label: label.into(),
                at_s,
            })
            .collect();
        let (placed, rows) = place_marks(&close, &frame);
        let label = |i: usize| placed[i].label.clone().expect("room for each");
        assert_eq!((label(0).row, label(1).row, rows), (0, 1, 2));
        // Near the right edge a label goes on the left of its line.
        assert!(label(2).start < placed[2].x, "{:?}", placed[2]);
    }

    #[test]
    fn two_languages_share_an_axis_unless_one_runs_much_longer() {
        let axes = time_axes(&[("Rust", Some(1.0)), ("Python", Some(3.0))]);
        let shared = TimeAxis {
            max_s: 3.0,
            note: None,
        };
        assert_eq!(axes, [shared.clone(), shared]);
        let axes = time_axes(&[("Rust", Some(0.1)), ("Python", Some(1.2))]);
        let note = "time axis: this picture's own (Python's runs 12× longer)";
        assert_eq!(axes[0].max_s, 0.1);
        assert_eq!(axes[1].max_s, 1.2);
        assert!(
            axes.iter().all(|a| a.note.as_deref() == Some(note)),
            "{axes:?}"
        );
        assert_eq!(time_axes(&[("Rust", Some(0.5))])[0].max_s, 0.5);
        // A picture with no panel drawn (every variant empty) does not decide the axis.
        let axes = time_axes(&[("Rust", Some(1.9)), ("Python", None)]);
        assert_eq!(
            (axes[0].max_s, &axes[0].note, &axes[1].note),
            (1.9, &None, &None)
        );
        // The shared axis is drawn in full, however short this picture's run.
        let short = trace(vec![variant("a", &[("t-0", 0.0, 0.1, None)])]);
        let svg = draw(&short, 3.0);
        assert!(texts(&svg).iter().any(|t| t.3 == "3.0 s"), "{svg}");
        let own = TimeAxis {
            max_s: 0.2,
            note: Some(note.into()),
        };
        let svg = timelines(&short, &PATTERN, &own).expect("draws");
        assert!(texts(&svg).iter().any(|t| t.3 == note), "{svg}");
    }

    #[test]
    fn extent_covers_spans_marks_and_results() {
        let mut v = variant("a", &[("t-0", 0.0, 0.5, None)]);
        v.marks.push(Mark {
            label: "late".into(),
            at_s: 2.0,
        });
        let mut empty = Variant::new("later", "nothing");
        empty.wall_s = 5.0; // not drawn: its wall time does not stretch the axis
        let wide = extent(&trace(vec![v, empty.clone()])).expect("a panel is drawn");
        assert!((wide - 2.06).abs() < 1e-9, "{wide}");
        assert_eq!(extent(&trace(vec![empty])), None);
    }

    #[test]
    fn ticks_are_round_in_one_unit_and_fit() {
        let labels = |x_max: f64| -> Vec<String> {
            ticks(x_max, 600.0).into_iter().map(|t| t.1).collect()
        };
        assert_eq!(labels(1.1)[..3], ["0", "0.2 s", "0.4 s"]);
        assert_eq!(labels(0.104).last().map(String::as_str), Some("100 ms"));
        assert!(labels(9.3).len() <= 10);
        assert_eq!(labels(0.000_5)[1], "100 µs");
    }

    #[test]
    fn every_text_is_at_least_11_px_and_inside_the_picture() {
        let mut v = variant(
            "a-rather-long-variant-name",
            &[
                ("ForkPoolWorker-12", 0.0, 1.03, None),
                (
                    "a-lane-with-a-name-far-too-long-to-show-whole",
                    0.2,
                    1.0,
                    Some("io"),
                ),
            ],
        );
        v.marks.push(Mark {
            label: "a mark at the very end".into(),
            at_s: 1.06,
        });
        v.error = Some("x".repeat(300));
        let mut empty = Variant::new(&"e".repeat(200), "nothing");
        empty.error = Some("y".repeat(300));
        let svg = draw(&trace(vec![v, empty]), 1.07);
        for (x, anchor, size, text) in texts(&svg) {
            // The size written is the size shown (see SVG_FONT_SCALE).
            let shown = size;
            assert!(shown >= 11.0 - 1e-9, "{text}: {shown} px");
            let width = text_width(&text, shown);
            let (from, to) = match anchor.as_str() {
                "start" => (x, x + width),
                "middle" => (x - width / 2.0, x + width / 2.0),
                _ => (x - width, x),
            };
            assert!(
                from >= 0.0 && to <= f64::from(WIDTH),
                "{text}: {from}..{to}"
            );
        }
    }
}
