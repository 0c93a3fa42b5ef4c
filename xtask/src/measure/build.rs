//! Where the workspace is, which examples it has, and building them in release mode.

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

/// Every example's name, sorted: the example targets of the workspace's members, as
/// `cargo metadata` lists them (`examples/NAME.rs`, and the members' own: `runtimes`,
/// `scheduler`; the workspace's default members make `cargo build --example NAME` find
/// each from the root). The xtask itself has none.
pub fn examples(root: &Path) -> Result<Vec<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .current_dir(root)
        .output()
        .context("running cargo metadata")?;
    ensure!(output.status.success(), "cargo metadata failed");
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout)
        .context("cargo metadata printed no JSON")?;
    let targets = metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|p| p["targets"].as_array().into_iter().flatten());
    let mut names: Vec<String> = targets
        .filter(|t| {
            t["kind"]
                .as_array()
                .is_some_and(|k| k.iter().any(|k| k == "example"))
        })
        .filter_map(|t| t["name"].as_str().map(str::to_owned))
        .collect();
    names.sort();
    Ok(names)
}

/// Whether `name` is an example of the workspace.
pub fn has_example(root: &Path, name: &str) -> bool {
    examples(root).is_ok_and(|names| names.iter().any(|n| n == name))
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
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root.join("target"), |dir| root.join(dir))
}
