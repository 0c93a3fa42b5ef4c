//! Where the workspace is, which examples it has, and building them in release mode.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, ensure};

/// The workspace root (xtask lives one level below it).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits inside the workspace")
        .to_path_buf()
}

/// Every example's name (`examples/NAME.rs`), sorted.
pub fn examples(root: &Path) -> Result<Vec<String>> {
    let mut names: Vec<String> = fs::read_dir(root.join("examples"))
        .context("reading examples/")?
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            (path.extension()? == "rs").then(|| path.file_stem()?.to_str().map(str::to_owned))?
        })
        .collect();
    names.sort();
    Ok(names)
}

/// Build these examples in release mode, as the measurements run them.
pub fn build_release(root: &Path, examples: &[&str]) -> Result<()> {
    let what = match examples {
        [one] => format!("the {one} example"),
        _ => format!("{} examples", examples.len()),
    };
    eprintln!("building {what} in release mode...");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    command
        .args(["build", "--release", "--quiet"])
        .current_dir(root);
    for name in examples {
        command.args(["--example", name]);
    }
    let status = command.status().context("running cargo build")?;
    ensure!(status.success(), "cargo build --release of {what} failed");
    for name in examples {
        let binary = binary(root, name);
        ensure!(
            binary.exists(),
            "no {} after the build (is CARGO_TARGET_DIR the build's?)",
            binary.display()
        );
    }
    Ok(())
}

/// The release binary of `example`.
pub(super) fn binary(root: &Path, example: &str) -> PathBuf {
    target_dir(root).join("release/examples").join(example)
}

/// Where cargo puts build output: `CARGO_TARGET_DIR` when set (relative to the workspace
/// root, where the build runs), else `target/` under the root.
fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), |dir| root.join(dir))
}
