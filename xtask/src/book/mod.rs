//! `cargo xtask book`: build the HTML book with mdBook as a library; with `--check`,
//! open every page in headless Chromium and fail on what a reader would trip over
//! (see [`check`]).

mod check;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use mdbook_driver::MDBook;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Then open every page in headless Chromium at 1280 px (its folds opened): fail on a
    /// table or picture wider than the text column, an image that does not load, an
    /// unresolved include, a broken link, a page with more than 10% of its table cells
    /// empty (`—`, `-`, `/` or blank), a name in a table cell or inline code broken over
    /// two lines, a snippet that scrolls sideways, or a figure with three or more leading
    /// zeros (`0.000377`). First it proves it catches a planted case of each. Every page
    /// is checked and every problem listed; each page's counts go to DIR/counts.md, and a
    /// screenshot of each page to DIR.
    #[arg(long)]
    check: bool,
    /// Where `--check` saves its screenshots and counts (default: target/book-check).
    #[arg(long, value_name = "DIR")]
    shots: Option<PathBuf>,
    /// The book to build and check (default: the workspace's `book/`), e.g. a copy of
    /// another commit's tree, to compare its counts with this one's.
    #[arg(long, value_name = "DIR")]
    book: Option<PathBuf>,
}

pub fn run(args: &Args) -> Result<()> {
    let root = crate::measure::root();
    let built = build(&args.book.clone().unwrap_or_else(|| root.join("book")))?;
    if !args.check {
        return Ok(());
    }
    let shots = args
        .shots
        .clone()
        .unwrap_or_else(|| root.join("target/book-check"));
    let report = check::run(&built, &shots)?;
    eprintln!("screenshots of every page: {}", shots.display());
    let counts = shots.join("counts.md");
    std::fs::write(&counts, check::counts_table(&report.counts))
        .with_context(|| format!("writing {}", counts.display()))?;
    eprintln!("each page's counts: {}", counts.display());
    for p in &report.problems {
        eprintln!("{}: {}", p.page, p.what);
    }
    anyhow::ensure!(
        report.problems.is_empty(),
        "{} problem(s) in the book, listed above",
        report.problems.len()
    );
    eprintln!(
        "book check: every page fits the column, loads its pictures and links, keeps its \
         names whole and its snippets unscrolled, and has its tables filled"
    );
    Ok(())
}

/// Build the book in `dir`; gives the directory of the HTML.
fn build(dir: &Path) -> Result<PathBuf> {
    let book = MDBook::load(dir)
        .map_err(|e| anyhow::anyhow!("{e:#}"))
        .with_context(|| format!("loading the book at {}", dir.display()))?;
    book.build()
        .map_err(|e| anyhow::anyhow!("{e:#}"))
        .context("building the book")?;
    let html = book.build_dir_for("html");
    let index = html.join("index.html");
    anyhow::ensure!(index.exists(), "the build wrote no {}", index.display());
    println!("{}", index.display());
    Ok(html)
}
