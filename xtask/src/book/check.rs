//! `cargo xtask book --check`: every page of the built book opened in headless
//! Chromium at 1280 px, as a reader would see it. It fails when a table or a picture
//! is wider than the text column, an image does not load, an include was left
//! unresolved, a link points to a page or file that does not exist, more than a tenth
//! of a page's table cells are empty, a name is broken over two lines, a snippet
//! scrolls sideways, or a figure has three or more leading zeros (`0.000377`); and it
//! saves a screenshot per page.
//!
//! The pages are checked in a copy of the built book, each with a small script
//! (`check.js`) that measures the page once it has loaded (its folds opened) and
//! leaves its measurements in the DOM, which Chromium prints (`--dump-dom`); what does
//! not need the layout is judged here ([`judge`]). Before the real pages, the checker
//! proves it can fail: a planted page with one case of each page check (a table wider
//! than the column, empty cells, a broken name, a snippet that scrolls, `0.000377`)
//! must be reported on every count. Every page is checked, whatever the first ones
//! hold, and each page's counts are kept ([`counts_table`]).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail, ensure};

const SCRIPT: &str = include_str!("check.js");
/// The window a reader has: the book's text column is 750 px inside it.
const WINDOW: &str = "--window-size=1280,1600";
/// A page may leave at most this share of its table cells empty.
const MOST_EMPTY: f64 = 0.10;
/// How many broken names or figures one problem quotes before it only counts.
const QUOTED: usize = 5;

/// What kind of thing is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A table or a picture wider than the text column, or a picture that did not load.
    Layout,
    /// A link to a page or file that does not exist.
    Link,
    /// An `{{#include}}` mdBook left as it was.
    Include,
    /// More than a tenth of the page's table cells are empty.
    EmptyCells,
    /// A name (in a table cell or an inline code) laid out over two lines or more.
    BrokenName,
    /// A snippet wider than its box: the reader has to scroll it sideways.
    Scrolls,
    /// A figure such as `0.000377`: a unit too large for it.
    LeadingZeros,
}

/// One thing wrong with one page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub page: String,
    pub kind: Kind,
    pub what: String,
}

/// What one page holds, counted whether or not it crosses a line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// Table body cells (`td`), and how many of them are empty.
    pub cells: usize,
    pub empty: usize,
    /// Names laid out over more than one line, and how many of those are cut inside
    /// a word (not just after a hyphen, a dash or a slash).
    pub broken: usize,
    pub mid_word: usize,
    /// Each of those names, a `|` where a line ends (`thread|s`).
    pub names: Vec<String>,
    /// Snippets shown, and how many of them scroll sideways.
    pub snippets: usize,
    pub scrolling: usize,
    /// The figures with three or more leading zeros, as written.
    pub zeros: Vec<String>,
}

/// Everything the check found: the problems, and each page's counts.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub problems: Vec<Problem>,
    pub counts: Vec<(String, Counts)>,
}

/// What `check.js` measured on one page.
#[derive(Debug, Clone, Default, PartialEq)]
struct Measured {
    /// Tables and pictures too wide or not loaded, judged in the page.
    layout: Vec<String>,
    /// The text of every table body cell.
    cells: Vec<String>,
    /// Every text outside snippets and inline code.
    texts: Vec<String>,
    /// Every name laid out over more than one line, as the lines it is cut into.
    broken: Vec<Vec<String>>,
    snippets: Vec<Snippet>,
}

/// One snippet as shown.
#[derive(Debug, Clone, Default, PartialEq)]
struct Snippet {
    /// Its first line that is not blank.
    line: String,
    /// How many px wider its text is than its box.
    overflow: f64,
    /// The width of one character in its font, px.
    char: f64,
}

/// Check every page of the book built in `built`; screenshots go to `shots`. Every page
/// is checked, however many problems the first ones have.
pub fn run(built: &Path, shots: &Path) -> Result<Report> {
    let chromium = chromium()?;
    let scratch =
        std::env::temp_dir().join(format!("book-check-{}", std::process::id()));
    let _ = fs::remove_dir_all(&scratch);
    copy_dir(built, &scratch.join("site"))?;
    fs::create_dir_all(shots)
        .with_context(|| format!("creating {}", shots.display()))?;

    // The checker must be able to fail: a planted case of each page check is reported.
    let planted = scratch.join("site/planted-problems.html");
    let page = fs::read_to_string(scratch.join("site/introduction.html"))
        .context("the built book has an introduction page")?;
    fs::write(&planted, plant(&page)?)?;
    let (caught, _) = judge(&measure(&chromium, &scratch, &planted)?);
    let missed = missed(&caught);
    if !missed.is_empty() {
        let _ = fs::remove_dir_all(&scratch);
    }
    ensure!(
        missed.is_empty(),
        "the checker missed a planted {} (it saw {caught:?}): not to be trusted",
        missed.join(", a planted ")
    );
    fs::remove_file(&planted)?;

    let mut report = Report::default();
    for page in pages(&scratch.join("site"))? {
        let name = page
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("?")
            .to_owned();
        let html = fs::read_to_string(&page)?;
        let mut found: Vec<(Kind, String)> = broken_links(&page, &html)
            .into_iter()
            .map(|what| (Kind::Link, what))
            .collect();
        if html.contains("{{#include") {
            found.push((
                Kind::Include,
                "an {{#include}} was left unresolved".to_owned(),
            ));
        }
        let (judged, counts) = judge(&measure(&chromium, &scratch, &page)?);
        found.extend(judged);
        screenshot(
            &chromium,
            &scratch,
            &page,
            &shots.join(name.replace(".html", ".png")),
        )?;
        report
            .problems
            .extend(found.into_iter().map(|(kind, what)| Problem {
                page: name.clone(),
                kind,
                what,
            }));
        report.counts.push((name, counts));
    }
    let _ = fs::remove_dir_all(&scratch);
    Ok(report)
}

/// A copy of a page of the book whose text is one planted case of each page check: a
/// table wider than the column, a table of empty cells, a name broken over two lines,
/// a snippet that scrolls sideways and a figure with four leading zeros.
fn plant(page: &str) -> Result<String> {
    let start = page.find("<main>").context("a page has <main>")? + "<main>".len();
    let end = page.find("</main>").context("a page has </main>")?;
    let wide = "<td>a wide cell of a planted table</td>".repeat(12);
    let empty = "<tr><td>\u{2014}</td><td>-</td><td>/</td><td>\u{2014} / \u{2014}</td><td></td></tr>"
        .repeat(4);
    let name = "a_planted_name_far_too_long_for_its_line";
    let line = format!("let planted = \"{}\";", "a long line ".repeat(20));
    let planted = format!(
        "<table><tbody><tr>{wide}</tr></tbody></table>\n\
         <table><tbody>{empty}</tbody></table>\n\
         <p style=\"width: 8em\"><code style=\"white-space: normal; overflow-wrap: anywhere\">{name}</code></p>\n\
         <pre><code class=\"language-rust\">{line}\n</code></pre>\n\
         <p>A planted figure: 0.000377 \u{b5}s per check.</p>\n"
    );
    Ok(format!("{}{planted}{}", &page[..start], &page[end..]))
}

/// The planted cases the checker did not report.
fn missed(caught: &[(Kind, String)]) -> Vec<&'static str> {
    let wide = caught
        .iter()
        .any(|(kind, what)| *kind == Kind::Layout && what.contains("px wide"));
    let has = |wanted: Kind| caught.iter().any(|(kind, _)| *kind == wanted);
    [
        (wide, "table wider than the column"),
        (has(Kind::EmptyCells), "table of empty cells"),
        (has(Kind::BrokenName), "name broken over two lines"),
        (has(Kind::Scrolls), "snippet that scrolls sideways"),
        (has(Kind::LeadingZeros), "figure 0.000377"),
    ]
    .into_iter()
    .filter(|(seen, _)| !seen)
    .map(|(_, case)| case)
    .collect()
}

/// The problems on one page, from what was measured in it, and its counts.
fn judge(measured: &Measured) -> (Vec<(Kind, String)>, Counts) {
    let mut found: Vec<(Kind, String)> = measured
        .layout
        .iter()
        .map(|what| (Kind::Layout, what.clone()))
        .collect();
    let cells = measured.cells.len();
    let empty = measured.cells.iter().filter(|c| is_empty_cell(c)).count();
    if cells > 0 && empty as f64 > MOST_EMPTY * cells as f64 {
        found.push((Kind::EmptyCells, empty_cells(empty, cells)));
    }
    let broken = &measured.broken;
    let mid_word = broken.iter().filter(|lines| cut_mid_word(lines)).count();
    // A line may end after a hyphen or a dash, as in running text (`500–|900`); a name cut
    // anywhere else is a problem. (Inline code never breaks: the book's CSS keeps it whole.)
    if mid_word > 0 {
        let quoted: Vec<String> = broken
            .iter()
            .filter(|lines| cut_mid_word(lines))
            .take(QUOTED)
            .map(|lines| format!("`{}`", lines.join("|")))
            .collect();
        found.push((
            Kind::BrokenName,
            format!(
                "{} broken inside a word: {}{}",
                plural(mid_word, "name"),
                quoted.join(", "),
                more(mid_word)
            ),
        ));
    }
    let mut scrolling = 0;
    for snippet in &measured.snippets {
        if let Some(chars) = scrolls(snippet) {
            scrolling += 1;
            found.push((
                Kind::Scrolls,
                format!(
                    "a snippet scrolls sideways by {}: `{}`",
                    plural(chars, "character"),
                    first_line(&snippet.line)
                ),
            ));
        }
    }
    let zeros: Vec<String> = measured
        .texts
        .iter()
        .flat_map(|t| leading_zeros(t))
        .collect();
    if !zeros.is_empty() {
        let quoted: Vec<&str> =
            zeros.iter().take(QUOTED).map(String::as_str).collect();
        found.push((
            Kind::LeadingZeros,
            format!(
                "{} with three or more leading zeros: {}{}",
                plural(zeros.len(), "figure"),
                quoted.join(", "),
                more(zeros.len())
            ),
        ));
    }
    let counts = Counts {
        cells,
        empty,
        broken: broken.len(),
        mid_word,
        names: broken.iter().map(|lines| lines.join("|")).collect(),
        snippets: measured.snippets.len(),
        scrolling,
        zeros,
    };
    (found, counts)
}

/// Whether a name's lines end somewhere a reader would not break it: not after a
/// hyphen, a dash or a slash (`thread|s`, not `pool-|ordered`).
fn cut_mid_word(lines: &[String]) -> bool {
    let ends = lines.split_last().map_or(&[][..], |(_, rest)| rest);
    ends.iter()
        .any(|line| !line.ends_with(['-', '\u{2010}', '\u{2013}', '\u{2014}', '/']))
}

/// "N of M table cells empty (P%)".
fn empty_cells(empty: usize, cells: usize) -> String {
    let share = 100.0 * empty as f64 / cells as f64;
    // Never "(10%)" for a share just over the line.
    let digits = usize::from(share < 10.5 && share > 10.0);
    format!("{empty} of {cells} table cells empty ({share:.digits$}%)")
}

/// A cell that says nothing: blank, or only dashes and slashes (`—`, `— / —`, `-`).
fn is_empty_cell(text: &str) -> bool {
    text.chars().all(|c| {
        c.is_whitespace() || matches!(c, '\u{2014}' | '\u{2013}' | '-' | '/')
    })
}

/// How many characters a snippet scrolls sideways by, if it does (more than 1 px).
fn scrolls(snippet: &Snippet) -> Option<usize> {
    if snippet.overflow <= 1.0 {
        return None;
    }
    // A character of the book's code font at its size when the page could not say.
    let char = if snippet.char > 0.0 {
        snippet.char
    } else {
        8.4
    };
    // The overflow is measured in px, rounded by the browser: a hair over is no column.
    Some(((snippet.overflow - 1.0) / char).ceil().max(1.0) as usize)
}

/// A snippet's line as quoted in a problem: trimmed, at most 60 characters.
fn first_line(line: &str) -> String {
    let line = line.trim();
    if line.chars().count() <= 60 {
        return line.to_owned();
    }
    let cut: String = line.chars().take(59).collect();
    format!("{}\u{2026}", cut.trim_end())
}

/// The figures in a text with three or more leading zeros, as written (`0.000377`): the
/// pattern `(^|[^\d.,])0[.]00\d`, then the rest of the number's digits.
fn leading_zeros(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i + 4 < chars.len() {
        let starts = i == 0
            || !(chars[i - 1].is_ascii_digit() || matches!(chars[i - 1], '.' | ','));
        let zeros = chars[i] == '0'
            && chars[i + 1] == '.'
            && chars[i + 2] == '0'
            && chars[i + 3] == '0';
        if starts && zeros && chars[i + 4].is_ascii_digit() {
            let digits = chars[i + 2..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
            found.push(chars[i..i + 2 + digits].iter().collect());
            i += 2 + digits;
        } else {
            i += 1;
        }
    }
    found
}

/// "1 name", "3 names".
fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// ", and N more" after the quoted few.
fn more(n: usize) -> String {
    if n > QUOTED {
        format!(", and {} more", n - QUOTED)
    } else {
        String::new()
    }
}

/// The counts of every page as a Markdown table, with their sum at the foot; then
/// every broken name, page by page.
pub fn counts_table(counts: &[(String, Counts)]) -> String {
    let row = |page: &str, c: &Counts, zeros: String| {
        let share = if c.cells == 0 {
            String::new()
        } else {
            format!(" ({:.0}%)", 100.0 * c.empty as f64 / c.cells as f64)
        };
        format!(
            "| {page} | {} of {}{share} | {} ({} inside a word) | {} of {} | {zeros} |\n",
            c.empty, c.cells, c.broken, c.mid_word, c.scrolling, c.snippets
        )
    };
    let mut table = String::from(
        "| page | empty cells | broken names | scrolling snippets | leading zeros |\n\
         |---|---|---|---|---|\n",
    );
    let mut total = Counts::default();
    for (page, c) in counts {
        let zeros = match c.zeros.len() {
            0 => "0".to_owned(),
            n => format!("{n}: {}", c.zeros.join(", ")),
        };
        table.push_str(&row(page, c, zeros));
        total.cells += c.cells;
        total.empty += c.empty;
        total.broken += c.broken;
        total.mid_word += c.mid_word;
        total.snippets += c.snippets;
        total.scrolling += c.scrolling;
        total.zeros.extend(c.zeros.iter().cloned());
    }
    let zeros = total.zeros.len().to_string();
    table.push_str(&row("all pages", &total, zeros));
    for (page, c) in counts.iter().filter(|(_, c)| !c.names.is_empty()) {
        let names: Vec<String> = c.names.iter().map(|n| format!("`{n}`")).collect();
        table.push_str(&format!("\n{page}, names broken: {}\n", names.join(", ")));
    }
    table
}

/// Debian's `chromium`, or whatever `CHROMIUM` names.
fn chromium() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM") {
        return Ok(PathBuf::from(path));
    }
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {name}")])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
        if let Some(path) = found.filter(|p| !p.is_empty()) {
            return Ok(PathBuf::from(path));
        }
    }
    bail!(
        "no Chromium found: install Debian's `chromium` package, or set CHROMIUM to a browser"
    )
}

/// Headless, with nothing reaching for the network (this machine has none).
fn browser(chromium: &Path, scratch: &Path) -> Command {
    let mut command = Command::new(chromium);
    command.args([
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        WINDOW,
        "--virtual-time-budget=5000",
    ]);
    command.arg(format!(
        "--user-data-dir={}",
        scratch.join("profile").display()
    ));
    command
}

/// What the injected script measures on one page.
fn measure(chromium: &Path, scratch: &Path, page: &Path) -> Result<Measured> {
    let html = fs::read_to_string(page)?;
    let checked = page.with_extension("checked.html");
    fs::write(
        &checked,
        html.replacen("</body>", &format!("{SCRIPT}</body>"), 1),
    )?;
    let output = browser(chromium, scratch)
        .arg("--dump-dom")
        .arg(format!("file://{}", checked.display()))
        .output()
        .context("running Chromium")?;
    let _ = fs::remove_file(&checked);
    let dom = String::from_utf8_lossy(&output.stdout);
    let report = dom
        .split("<pre id=\"book-check\">")
        .nth(1)
        .and_then(|rest| rest.split("</pre>").next())
        .with_context(|| {
            format!("{}: the page never finished loading", page.display())
        })?;
    parse(report).with_context(|| format!("reading the report of {}", page.display()))
}

/// The JSON `check.js` leaves in the page (ASCII, so the DOM dump leaves it as it is).
fn parse(report: &str) -> Result<Measured> {
    let json: serde_json::Value = serde_json::from_str(report)?;
    let strings = |key: &str| -> Result<Vec<String>> {
        json[key]
            .as_array()
            .with_context(|| format!("no list {key}"))?
            .iter()
            .map(|v| v.as_str().map(str::to_owned).context("not a string"))
            .collect()
    };
    let number = |v: &serde_json::Value, key: &str| -> Result<f64> {
        v[key].as_f64().with_context(|| format!("no number {key}"))
    };
    let snippets = json["snippets"]
        .as_array()
        .context("no list snippets")?
        .iter()
        .map(|s| {
            Ok(Snippet {
                line: s["line"].as_str().context("no line")?.to_owned(),
                overflow: number(s, "overflow")?,
                char: number(s, "char")?,
            })
        })
        .collect::<Result<_>>()?;
    Ok(Measured {
        layout: strings("problems")?,
        cells: strings("cells")?,
        texts: strings("texts")?,
        broken: json["broken"]
            .as_array()
            .context("no list broken")?
            .iter()
            .map(|lines| {
                let lines = lines.as_array().context("a name not cut into lines")?;
                lines
                    .iter()
                    .map(|l| l.as_str().map(str::to_owned).context("not a string"))
                    .collect()
            })
            .collect::<Result<_>>()?,
        snippets,
    })
}

fn screenshot(
    chromium: &Path,
    scratch: &Path,
    page: &Path,
    png: &Path,
) -> Result<()> {
    let status = browser(chromium, scratch)
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .context("running Chromium")?
        .status;
    ensure!(
        status.success() && png.exists(),
        "no screenshot of {}",
        page.display()
    );
    Ok(())
}

/// The book's own pages (not the print view, the table of contents or the 404 page).
fn pages(site: &Path) -> Result<Vec<PathBuf>> {
    let mut pages: Vec<PathBuf> = fs::read_dir(site)?
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "html"))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            !["print.html", "toc.html", "404.html"].contains(&name)
        })
        .collect();
    pages.sort();
    Ok(pages)
}

/// Local links (`href`, `src`) of a page that point at no file.
fn broken_links(page: &Path, html: &str) -> Vec<String> {
    let dir = page.parent().unwrap_or(Path::new("."));
    let mut broken = Vec::new();
    for attribute in ["href=\"", "src=\""] {
        for (start, _) in html.match_indices(attribute) {
            let target = &html[start + attribute.len()..];
            let target = &target[..target.find('"').unwrap_or(0)];
            let file = target.split(['#', '?']).next().unwrap_or("");
            let external = file.contains("://") || file.starts_with("mailto:");
            if file.is_empty() || external {
                continue;
            }
            if !dir.join(file).exists() {
                broken.push(format!("a link to {target}, which does not exist"));
            }
        }
    }
    broken
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to)?;
    for entry in
        fs::read_dir(from).with_context(|| format!("reading {}", from.display()))?
    {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_links_to_nothing() {
        let dir = std::env::temp_dir().join(format!("links-{}", std::process::id()));
        fs::create_dir_all(&dir).expect("a scratch dir");
        fs::write(dir.join("here.html"), "").expect("written");
        let page = dir.join("page.html");
        let html = r##"<a href="here.html#x">ok</a> <a href="gone.html">no</a>
            <img src="pic.svg"> <a href="https://example.org">out</a> <a href="#top">up</a>"##;
        assert_eq!(
            broken_links(&page, html),
            [
                "a link to gone.html, which does not exist",
                "a link to pic.svg, which does not exist"
            ]
        );
        let _ = fs::remove_dir_all(&dir);
    }

    fn lines(cut: &str) -> Vec<String> {
        cut.split('|').map(str::to_owned).collect()
    }

    #[test]
    fn empty_cells_are_blank_or_only_dashes_and_slashes() {
        for cell in [
            "",
            "  ",
            "\u{2014}",
            "\u{2014} / \u{2014}",
            "-",
            "/",
            "\u{2013}",
            "\n \u{a0}",
        ] {
            assert!(is_empty_cell(cell), "{cell:?} says nothing");
        }
        for cell in ["0", "\u{2014}1", "n/a", "1 / 2", "x"] {
            assert!(!is_empty_cell(cell), "{cell:?} says something");
        }
    }

    #[test]
    fn a_page_may_leave_a_tenth_of_its_cells_empty_and_no_more() {
        let page = |empty: usize, full: usize| Measured {
            cells: [
                vec!["\u{2014}".to_owned(); empty],
                vec!["1.2 ms".to_owned(); full],
            ]
            .concat(),
            ..Measured::default()
        };
        let (found, counts) = judge(&page(1, 9));
        assert!(found.is_empty(), "{found:?}");
        assert_eq!((counts.empty, counts.cells), (1, 10));
        let (found, _) = judge(&page(2, 8));
        assert_eq!(
            found,
            [(
                Kind::EmptyCells,
                "2 of 10 table cells empty (20%)".to_owned()
            )]
        );
        let (found, _) = judge(&page(11, 94));
        assert_eq!(found[0].1, "11 of 105 table cells empty (10.5%)");
        assert!(
            judge(&Measured::default()).0.is_empty(),
            "no table, nothing empty"
        );
    }

    #[test]
    fn finds_figures_with_three_leading_zeros_and_only_those() {
        assert_eq!(leading_zeros("per check (\u{b5}s) 0.000377"), ["0.000377"]);
        assert_eq!(
            leading_zeros("0.00477 ms, then 0.0000380 s"),
            ["0.00477", "0.0000380"]
        );
        assert_eq!(leading_zeros("(0.003\u{2013}0.004)"), ["0.003", "0.004"]);
        for text in [
            "0.0477",
            "10.00477",
            "1,0.001",
            "v1.0.002",
            "(0.0125\u{2013}0.0198)",
            "0.00",
            "0.00x",
        ] {
            assert!(
                leading_zeros(text).is_empty(),
                "{text:?} has no such figure"
            );
        }
        let page = Measured {
            texts: vec!["took 0.000377 s".to_owned(), "0.0021 and 0.0042".to_owned()],
            ..Measured::default()
        };
        let (found, counts) = judge(&page);
        assert_eq!(counts.zeros, ["0.000377", "0.0021", "0.0042"]);
        assert_eq!(
            found,
            [(
                Kind::LeadingZeros,
                "3 figures with three or more leading zeros: 0.000377, 0.0021, 0.0042".to_owned()
            )]
        );
    }

    #[test]
    fn a_line_may_end_after_a_hyphen_but_not_inside_a_word() {
        assert!(cut_mid_word(&lines("thread|s")));
        assert!(cut_mid_word(&lines("deadlin|e-|cancel")));
        assert!(!cut_mid_word(&lines("pool-|ordered")));
        assert!(!cut_mid_word(&lines("(501\u{2013}|504)")));
        let page = Measured {
            broken: [
                "thread|s",
                "pool-|ordered",
                "a|b",
                "c|d",
                "e|f",
                "g|h",
                "i|j",
            ]
            .map(lines)
            .to_vec(),
            ..Measured::default()
        };
        let (found, counts) = judge(&page);
        assert_eq!((counts.broken, counts.mid_word), (7, 6));
        assert_eq!(
            found,
            [(
                Kind::BrokenName,
                "6 names broken inside a word: `thread|s`, `a|b`, `c|d`, `e|f`, `g|h`, \
                 and 1 more"
                    .to_owned()
            )]
        );
    }

    #[test]
    fn a_snippet_scrolls_when_more_than_a_pixel_is_hidden() {
        let snippet = |overflow: f64, char: f64| Snippet {
            line: "    fn main() {  ".to_owned(),
            overflow,
            char,
        };
        assert_eq!(scrolls(&snippet(0.0, 8.4)), None);
        assert_eq!(scrolls(&snippet(1.0, 8.4)), None);
        assert_eq!(scrolls(&snippet(1.5, 8.4)), Some(1));
        assert_eq!(scrolls(&snippet(26.2, 8.4)), Some(3));
        assert_eq!(scrolls(&snippet(26.3, 8.4)), Some(4));
        assert_eq!(
            scrolls(&snippet(26.2, 0.0)),
            Some(3),
            "a character's width unknown"
        );
        let page = Measured {
            snippets: vec![snippet(26.2, 8.4), snippet(0.0, 8.4)],
            ..Measured::default()
        };
        let (found, counts) = judge(&page);
        assert_eq!((counts.scrolling, counts.snippets), (1, 2));
        assert_eq!(
            found,
            [(
                Kind::Scrolls,
                "a snippet scrolls sideways by 3 characters: `fn main() {`"
                    .to_owned()
            )]
        );
    }

    #[test]
    fn quotes_at_most_sixty_characters_of_a_line() {
        assert_eq!(first_line("  short  "), "short");
        let long = "x".repeat(70);
        let quoted = first_line(&long);
        assert_eq!(quoted.chars().count(), 60);
        assert!(quoted.ends_with('\u{2026}'));
        assert_eq!(first_line(&"y".repeat(60)), "y".repeat(60));
    }

    #[test]
    fn reads_the_report_the_page_leaves() {
        let report = r#"{"problems":["table 1 is 900 px wide, the text column 750 px"],
            "cells":["\u2014","1"],"texts":["0.000377 \u00b5s"],"broken":[["thread","s"]],
            "snippets":[{"line":"fn main() {","overflow":26.2,"char":8.4}]}"#;
        let measured = parse(report).expect("a report as check.js writes it");
        assert_eq!(measured.cells, ["\u{2014}", "1"]);
        assert_eq!(measured.texts, ["0.000377 \u{b5}s"]);
        assert_eq!(measured.broken, [lines("thread|s")]);
        let (found, _) = judge(&measured);
        let kinds: Vec<Kind> = found.iter().map(|(kind, _)| *kind).collect();
        assert_eq!(
            kinds,
            [
                Kind::Layout,
                Kind::EmptyCells,
                Kind::BrokenName,
                Kind::Scrolls,
                Kind::LeadingZeros
            ]
        );
        assert!(missed(&found).is_empty());
        assert!(
            parse(r#"{"problems":[]}"#).is_err(),
            "a report without its lists"
        );
    }

    #[test]
    fn names_each_planted_case_it_missed() {
        let caught = [
            (Kind::Layout, "image a.svg did not load".to_owned()),
            (
                Kind::EmptyCells,
                "20 of 32 table cells empty (62%)".to_owned(),
            ),
            (
                Kind::Scrolls,
                "a snippet scrolls sideways by 9 characters: `x`".to_owned(),
            ),
        ];
        assert_eq!(
            missed(&caught),
            [
                "table wider than the column",
                "name broken over two lines",
                "figure 0.000377"
            ]
        );
    }

    #[test]
    fn plants_every_case_in_the_page_and_keeps_the_rest() {
        let page = "<html><head></head><body><main><p>intro</p></main><nav></nav></body></html>";
        let planted = plant(page).expect("a page with <main>");
        assert!(planted.starts_with("<html><head></head><body><main><table>"));
        assert!(planted.ends_with("</main><nav></nav></body></html>"));
        assert!(!planted.contains("intro"));
        for case in [
            "<td>/</td>",
            "overflow-wrap: anywhere",
            "<pre><code",
            "0.000377",
        ] {
            assert!(planted.contains(case), "{case} planted");
        }
        assert!(plant("<body></body>").is_err());
    }

    #[test]
    fn sums_the_counts_at_the_foot_of_the_table() {
        let counts = [
            (
                "a.html".to_owned(),
                Counts {
                    cells: 10,
                    empty: 2,
                    broken: 3,
                    mid_word: 1,
                    names: ["thread|s", "pool-|ordered", "a|b"]
                        .map(str::to_owned)
                        .to_vec(),
                    snippets: 4,
                    scrolling: 1,
                    zeros: vec!["0.000377".to_owned()],
                },
            ),
            ("b.html".to_owned(), Counts::default()),
        ];
        let table = counts_table(&counts);
        let rows: Vec<&str> = table.lines().collect();
        assert_eq!(rows.len(), 7);
        assert_eq!(
            rows[2],
            "| a.html | 2 of 10 (20%) | 3 (1 inside a word) | 1 of 4 | 1: 0.000377 |"
        );
        assert_eq!(
            rows[3],
            "| b.html | 0 of 0 | 0 (0 inside a word) | 0 of 0 | 0 |"
        );
        assert_eq!(
            rows[4],
            "| all pages | 2 of 10 (20%) | 3 (1 inside a word) | 1 of 4 | 1 |"
        );
        assert_eq!(
            rows[6],
            "a.html, names broken: `thread|s`, `pool-|ordered`, `a|b`"
        );
    }
}
