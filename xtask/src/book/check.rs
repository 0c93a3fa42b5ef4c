//! `cargo xtask book --check`: every page of the built book opened in headless Chromium
//! at 1280 px, as a reader would see it. It fails when a table or a picture is wider than
//! the text column, an image does not load, an include was left unresolved, or a link
//! points to a page or file that does not exist; and it saves a screenshot per page.
//!
//! The pages are checked in a copy of the built book, each with a small script
//! (`check.js`) that measures the page once it has loaded and leaves its findings in the
//! DOM, which Chromium prints (`--dump-dom`). Before the real pages, the checker proves
//! it can fail: a planted page with a table 2,000 px wide must be reported.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail, ensure};

const SCRIPT: &str = include_str!("check.js");
/// The window a reader has: the book's text column is 750 px inside it.
const WINDOW: &str = "--window-size=1280,1600";

/// One thing wrong with one page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub page: String,
    pub what: String,
}

/// Check every page of the book built in `built`; screenshots go to `shots`.
pub fn run(built: &Path, shots: &Path) -> Result<Vec<Problem>> {
    let chromium = chromium()?;
    let scratch = std::env::temp_dir().join(format!("book-check-{}", std::process::id()));
    let _ = fs::remove_dir_all(&scratch);
    copy_dir(built, &scratch.join("site"))?;
    fs::create_dir_all(shots).with_context(|| format!("creating {}", shots.display()))?;

    // The checker must be able to fail: a planted over-wide table is reported.
    let planted = scratch.join("site/planted-wide-table.html");
    let row = format!(
        "<tr>{}</tr>",
        "<td>a wide cell of a planted table</td>".repeat(12)
    );
    let page = fs::read_to_string(scratch.join("site/introduction.html"))
        .context("the built book has an introduction page")?;
    let main_start = page.find("<main>").context("a page has <main>")? + "<main>".len();
    let mut planted_page = page.clone();
    planted_page.insert_str(main_start, &format!("<table>{row}</table>"));
    fs::write(&planted, planted_page)?;
    let caught = measure(&chromium, &scratch, &planted)?;
    ensure!(
        caught.iter().any(|w| w.contains("px wide")),
        "the checker missed a planted table 2,000 px wide (it saw {caught:?}): not to be trusted"
    );
    fs::remove_file(&planted)?;

    let mut problems = Vec::new();
    for page in pages(&scratch.join("site"))? {
        let name = page
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("?")
            .to_owned();
        let html = fs::read_to_string(&page)?;
        let mut found: Vec<String> = broken_links(&page, &html);
        if html.contains("{{#include") {
            found.push("an {{#include}} was left unresolved".to_owned());
        }
        found.extend(measure(&chromium, &scratch, &page)?);
        screenshot(
            &chromium,
            &scratch,
            &page,
            &shots.join(name.replace(".html", ".png")),
        )?;
        problems.extend(found.into_iter().map(|what| Problem {
            page: name.clone(),
            what,
        }));
    }
    let _ = fs::remove_dir_all(&scratch);
    Ok(problems)
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
    bail!("no Chromium found: install Debian's `chromium` package, or set CHROMIUM to a browser")
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

/// The problems the injected script finds on one page.
fn measure(chromium: &Path, scratch: &Path, page: &Path) -> Result<Vec<String>> {
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
        .with_context(|| format!("{}: the page never finished loading", page.display()))?;
    let report = report.replace("&quot;", "\"").replace("&amp;", "&");
    serde_json::from_str(&report).with_context(|| format!("reading the report {report}"))
}

fn screenshot(chromium: &Path, scratch: &Path, page: &Path, png: &Path) -> Result<()> {
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
    for entry in fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
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
}
