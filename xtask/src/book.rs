//! `cargo xtask book`: build the HTML book with mdBook as a library.

use anyhow::{Context, Result};
use mdbook_driver::MDBook;

pub fn build() -> Result<()> {
    let dir = crate::measure::root().join("book");
    let book = MDBook::load(&dir)
        .map_err(|e| anyhow::anyhow!("{e:#}"))
        .with_context(|| format!("loading the book at {}", dir.display()))?;
    book.build()
        .map_err(|e| anyhow::anyhow!("{e:#}"))
        .context("building the book")?;
    let index = book.build_dir_for("html").join("index.html");
    anyhow::ensure!(index.exists(), "the build wrote no {}", index.display());
    println!("{}", index.display());
    Ok(())
}
