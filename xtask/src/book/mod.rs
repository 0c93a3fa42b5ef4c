//! `cargo xtask book`: build the HTML book with mdBook as a library; with `--check`,
//! open every page in headless Chromium and fail on what a reader would trip over
//! (see [`check`]).

mod check;

use std::path::PathBuf;

use anyhow::{Context, Result};
use mdbook_driver::MDBook;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Then open every page in headless Chromium at 1280 px: fail on a table or picture
    /// wider than the text column, an image that does not load, an unresolved include or
    /// a broken link, and save a screenshot of each page.
    #[arg(long)]
    check: bool,
    /// Where `--check` saves its screenshots (default: target/book-check).
    #[arg(long, value_name = "DIR")]
    shots: Option<PathBuf>,
}

pub fn run(args: &Args) -> Result<()> {
    let built = build()?;
    if !args.check {
        return Ok(());
    }
    let root = crate::measure::root();
    let shots = args
        .shots
        .clone()
        .unwrap_or_else(|| root.join("target/book-check"));
    let problems = check::run(&built, &shots)?;
    eprintln!("screenshots of every page: {}", shots.display());
    for p in &problems {
        eprintln!("{}: {}", p.page, p.what);
    }
    anyhow::ensure!(
        problems.is_empty(),
        "{} problem(s) in the book, listed above",
        problems.len()
    );
    eprintln!("book check: every page fits the column, loads its pictures and links");
    Ok(())
}

/// Build the book; gives the directory of the HTML.
fn build() -> Result<PathBuf> {
    let dir = crate::measure::root().join("book");
    let book = MDBook::load(&dir)
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
