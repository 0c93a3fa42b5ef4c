//! The book shows only code that exists: every `{{#include}}` resolves to a file and an
//! anchor, no Rust or Python is pasted into the markdown, and every example has a chapter,
//! a README row and a SUMMARY entry.

mod common;

use std::fs;
use std::path::Path;

fn chapters() -> Vec<(String, String)> {
    let dir = common::root().join("book/src");
    let mut pages: Vec<(String, String)> = fs::read_dir(&dir)
        .expect("book/src exists")
        .filter_map(|e| {
            let path = e.ok()?.path();
            (path.extension()? == "md").then(|| {
                let name = path.file_name()?.to_str()?.to_owned();
                Some((name, fs::read_to_string(&path).ok()?))
            })?
        })
        .collect();
    pages.sort();
    pages
}

#[test]
fn every_include_resolves() {
    let src = common::root().join("book/src");
    for (page, text) in chapters() {
        for (start, _) in text.match_indices("{{#include ") {
            let rest = &text[start + "{{#include ".len()..];
            let spec = rest
                .split("}}")
                .next()
                .expect("an include is closed")
                .trim();
            let (path, selector) = match spec.split_once(':') {
                Some((p, s)) => (p, Some(s)),
                None => (spec, None),
            };
            let file = src.join(path);
            let body = fs::read_to_string(&file)
                .unwrap_or_else(|_| panic!("{page}: includes missing file {path}"));
            if let Some(anchor) = selector.filter(|s| !s.starts_with(|c: char| c.is_ascii_digit()))
            {
                let has = |marker: &str| {
                    body.lines().any(|l| {
                        l.split_once(marker)
                            .is_some_and(|(_, name)| name.trim() == anchor)
                    })
                };
                assert!(
                    has("ANCHOR:") && has("ANCHOR_END:"),
                    "{page}: {path} has no anchor `{anchor}`"
                );
            }
        }
    }
}

#[test]
fn no_code_is_pasted_into_the_book() {
    for (page, text) in chapters() {
        let mut fence: Option<String> = None;
        for line in text.lines() {
            let trimmed = line.trim();
            if let Some(lang) = trimmed.strip_prefix("```") {
                fence = match fence {
                    None => Some(lang.split(',').next().unwrap_or("").to_owned()),
                    Some(_) => None,
                };
                continue;
            }
            if let Some(lang) = &fence
                && (lang == "rust" || lang == "python")
                && !trimmed.is_empty()
            {
                assert!(
                    trimmed.starts_with("{{#include") || trimmed.starts_with("{{#rustdoc_include"),
                    "{page}: a {lang} block holds pasted code: {trimmed}"
                );
            }
        }
    }
}

#[test]
fn every_example_has_chapter_readme_row_and_summary_entry() {
    let root = common::root();
    let readme = fs::read_to_string(root.join("README.md")).expect("README.md exists");
    let summary = fs::read_to_string(root.join("book/src/SUMMARY.md")).expect("SUMMARY exists");
    let pages = chapters();
    for name in common::example_names() {
        assert!(
            Path::new(&root.join("python").join(format!("{name}.py"))).exists(),
            "{name}: no Python twin"
        );
        let chapter = pages
            .iter()
            .find(|(_, text)| text.contains(&format!("examples/{name}.rs:")))
            .unwrap_or_else(|| panic!("{name}: no chapter includes examples/{name}.rs"));
        assert!(
            summary.contains(&format!("({})", chapter.0)),
            "{name}: {} not in SUMMARY",
            chapter.0
        );
        assert!(
            chapter.1.contains(&format!("generated/{name}.md:2:")),
            "{name}: its chapter does not include its generated table"
        );
        assert!(
            readme.contains(&format!("`{name}`")),
            "{name}: not in the README table"
        );
    }
}
