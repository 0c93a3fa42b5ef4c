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

/// Every example's name, sorted: `examples/NAME.rs`, and each heavy example that is a
/// workspace member of its own, `NAME/examples/NAME/main.rs` (the `scheduler`; the
/// workspace's default members make `cargo build --example NAME` find it from the root).
pub fn examples(root: &Path) -> Result<Vec<String>> {
    let mut names: Vec<String> = fs::read_dir(root.join("examples"))
        .context("reading examples/")?
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            (path.extension()? == "rs").then(|| path.file_stem()?.to_str().map(str::to_owned))?
        })
        .collect();
    let members = fs::read_dir(root).context("reading the workspace root")?;
    names.extend(members.filter_map(|entry| {
        let name = entry.ok()?.file_name().into_string().ok()?;
        member_main(root, &name).exists().then_some(name)
    }));
    names.sort();
    Ok(names)
}

fn member_main(root: &Path, name: &str) -> PathBuf {
    root.join(name).join("examples").join(name).join("main.rs")
}

/// Whether `name` is an example of the workspace (in `examples/` or a member's own).
pub fn has_example(root: &Path, name: &str) -> bool {
    root.join("examples").join(format!("{name}.rs")).exists() || member_main(root, name).exists()
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
