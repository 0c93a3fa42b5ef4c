//! The book shows only code that exists: every `{{#include}}` resolves to a file and an
//! anchor, no Rust or Python is pasted into the markdown, and every example has a chapter,
//! a README row and a SUMMARY entry.

use crate::common;

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
            if let Some(anchor) =
                selector.filter(|s| !s.starts_with(|c: char| c.is_ascii_digit()))
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
                    trimmed.starts_with("{{#include")
                        || trimmed.starts_with("{{#rustdoc_include"),
                    "{page}: a {lang} block holds pasted code: {trimmed}"
                );
            }
        }
    }
}

#[test]
fn every_example_has_chapter_readme_row_and_summary_entry() {
    let root = common::root();
    let readme =
        fs::read_to_string(root.join("README.md")).expect("README.md exists");
    let summary =
        fs::read_to_string(root.join("book/src/SUMMARY.md")).expect("SUMMARY exists");
    let pages = chapters();
    for name in common::example_names() {
        assert!(
            Path::new(&root.join("python").join(format!("{name}.py"))).exists(),
            "{name}: no Python twin"
        );
        let source = common::example_source(&name);
        let chapter = pages
            .iter()
            .find(|(_, text)| text.contains(&format!("{source}:")))
            .unwrap_or_else(|| panic!("{name}: no chapter includes {source}"));
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

/// The text between `ANCHOR: name` and `ANCHOR_END: name` in `body`.
fn anchored<'a>(body: &'a str, anchor: &str) -> Option<&'a str> {
    let start = body.find(&format!("ANCHOR: {anchor}\n"))?;
    let rest = &body[start..];
    let end = rest.find(&format!("ANCHOR_END: {anchor}"))?;
    Some(&rest[..end])
}

#[test]
fn snippets_show_the_lesson_not_the_measuring() {
    // The recorder's types and the figures live around the lessons, never in them.
    const SCAFFOLDING: [&str; 7] = [
        "Recorder", "Clock", "TaskSpan", "Variant", "figures", "rec.", "clock.",
    ];
    const PYTHON_SCAFFOLDING: [&str; 6] = [
        "Recorder",
        "rec.",
        "clock",
        "Clock",
        "task_span",
        "variant[",
    ];
    let src = common::root().join("book/src");
    for (page, text) in chapters() {
        {
            for (start, _) in text.match_indices("{{#include ../../") {
                let spec = text[start + "{{#include ".len()..]
                    .split("}}")
                    .next()
                    .expect("an include is closed");
                let Some((path, anchor)) = spec.trim().split_once(':') else {
                    continue;
                };
                let words = if path.ends_with(".py") {
                    &PYTHON_SCAFFOLDING[..]
                } else {
                    &SCAFFOLDING[..]
                };
                let body = fs::read_to_string(src.join(path)).expect("checked above");
                let snippet = anchored(&body, anchor).unwrap_or_else(|| {
                    panic!("{page}: {path} has no anchor `{anchor}`")
                });
                for word in words.iter() {
                    assert!(
                        !snippet.contains(word),
                        "{page}: the snippet {path}:{anchor} shows measuring (`{word}`)"
                    );
                }
            }
        }
    }
}

#[test]
fn examples_are_short_with_the_first_lesson_on_the_first_screen() {
    for name in common::example_names() {
        for file in common::example_files(&name) {
            let body = fs::read_to_string(&file).expect("the example's file exists");
            let lines = body.lines().count();
            assert!(
                lines <= 250,
                "{} has {lines} lines: split it",
                file.display()
            );
        }
        let path = common::root().join(common::example_source(&name));
        let body = fs::read_to_string(&path).expect("the example exists");
        let first = body
            .lines()
            .position(|l| l.contains("ANCHOR:"))
            .unwrap_or_else(|| panic!("{name}.rs anchors no lesson"));
        assert!(
            first < 60,
            "{name}.rs: the first lesson starts at line {}, past the first screen",
            first + 1
        );
    }
}

#[test]
fn readme_and_summary_list_the_patterns_in_one_order() {
    let root = common::root();
    let readme =
        fs::read_to_string(root.join("README.md")).expect("README.md exists");
    let summary =
        fs::read_to_string(root.join("book/src/SUMMARY.md")).expect("SUMMARY exists");
    let pages = chapters();
    // Each example at the place of its row in the README, and of its chapter in SUMMARY
    // (the two halves of a split pattern share a chapter: README lists them in a row).
    let mut by_readme: Vec<(usize, usize, String)> = common::example_names()
        .into_iter()
        .map(|name| {
            let row = readme
                .find(&format!("| `{name}` |"))
                .unwrap_or_else(|| panic!("{name} has no row in the README"));
            let source = common::example_source(&name);
            let (page, _) = pages
                .iter()
                .find(|(_, text)| text.contains(&format!("{source}:")))
                .unwrap_or_else(|| panic!("{name}: no chapter includes {source}"));
            let entry = summary.find(&format!("]({page})")).unwrap_or_else(|| {
                panic!("{name}: its chapter {page} is not in SUMMARY")
            });
            (row, entry, name)
        })
        .collect();
    by_readme.sort();
    let entries: Vec<usize> = by_readme.iter().map(|(_, entry, _)| *entry).collect();
    assert!(
        entries.is_sorted(),
        "README and SUMMARY disagree on the order: {:?}",
        by_readme.iter().map(|(_, _, n)| n).collect::<Vec<_>>()
    );
}

/// Every link from one page to another names a page that exists.
#[test]
fn links_between_pages_resolve() {
    let src = common::root().join("book/src");
    for (page, text) in chapters() {
        for (start, _) in text.match_indices("](") {
            let target = &text[start + 2..];
            let target = &target[..target.find(')').unwrap_or(target.len())];
            let file = target.split('#').next().unwrap_or("");
            if file.ends_with(".md") && !file.contains("://") {
                assert!(
                    src.join(file).exists(),
                    "{page}: a link to {file}, which does not exist"
                );
            }
        }
    }
}

/// A chapter opens with its box (the Python shape, the Rust shape, the generated headline),
/// captions every included snippet with its file, and its example and twin name it.
#[test]
fn chapters_open_with_a_box_and_caption_their_snippets() {
    let root = common::root();
    let pages = chapters();
    for name in common::example_names() {
        // An example's chapter is the page that shows its code: its own, or, for one of
        // a pattern split in two (`event` and `event_async`), the pattern's.
        let source = common::example_source(&name);
        let (chapter, page) = pages
            .iter()
            .find(|(_, text)| text.contains(&format!("{source}:")))
            .unwrap_or_else(|| panic!("{name}: no chapter includes {source}"));
        let chapter = chapter.trim_end_matches(".md");
        let opening: String = page.lines().take(12).collect::<Vec<_>>().join("\n");
        let headline = format!("generated/{name}.headline.md:2:}}}}");
        for part in ["> **Python:**", "> **Rust:**", headline.as_str()] {
            assert!(
                opening.contains(part),
                "{chapter}.md opens without {part:?}"
            );
        }
        let lines: Vec<&str> = page.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let Some(spec) = line.trim().strip_prefix("{{#include ../../") else {
                continue;
            };
            let file = spec.split([':', '}']).next().unwrap_or("");
            let caption = format!("<sub>`{file}`</sub>");
            let above = &lines[i.saturating_sub(4)..i];
            assert!(
                above.iter().any(|l| l.contains(&caption)),
                "{chapter}.md: the snippet from {file} (line {}) has no caption",
                i + 1
            );
        }
        // The example's main file (not the modules of a folder example) and its twin.
        let files = common::example_files(&name);
        let mut headers: Vec<_> = if files.len() == 1 {
            files
        } else {
            files
                .into_iter()
                .filter(|f| f.ends_with("main.rs"))
                .collect()
        };
        headers.push(root.join(format!("python/{name}.py")));
        for file in &headers {
            let head: String = fs::read_to_string(file)
                .expect("the file exists")
                .lines()
                .take(25)
                .collect();
            let names_it = [
                format!("\"{chapter}\""),
                format!("\"{chapter}:"),
                format!("book/src/{chapter}.md"),
            ]
            .iter()
            .any(|form| head.contains(form.as_str()));
            assert!(
                names_it,
                "{} does not name its chapter in its header",
                file.display()
            );
        }
    }
}

/// The `[text](page.md)` entries of SUMMARY.md, in order.
fn summary_entries() -> Vec<(String, String)> {
    let summary = fs::read_to_string(common::root().join("book/src/SUMMARY.md"))
        .expect("SUMMARY exists");
    let mut entries = Vec::new();
    for line in summary.lines() {
        let Some(open) = line.find('[') else {
            continue;
        };
        let rest = &line[open + 1..];
        let Some((text, target)) = rest.split_once("](") else {
            continue;
        };
        let page = target.split(')').next().unwrap_or("");
        if page.ends_with(".md") {
            entries.push((text.to_owned(), page.to_owned()));
        }
    }
    entries
}

/// A page's title: its first `# ` heading.
fn title(page: &str) -> Option<&str> {
    page.lines()
        .find_map(|l| l.strip_prefix("# "))
        .map(str::trim)
}

/// The sidebar and the page say the same: every SUMMARY entry's text is its page's H1.
#[test]
fn sidebar_entries_match_page_titles() {
    let src = common::root().join("book/src");
    let entries = summary_entries();
    assert!(entries.len() > 20, "SUMMARY lists the pages: {entries:?}");
    let mut differ = Vec::new();
    for (text, page) in entries {
        let body = fs::read_to_string(src.join(&page))
            .unwrap_or_else(|_| panic!("SUMMARY lists {page}, which does not exist"));
        let heading =
            title(&body).unwrap_or_else(|| panic!("{page} has no `# ` title"));
        if heading != text {
            differ.push(format!("{page}: sidebar {text:?}, title {heading:?}"));
        }
    }
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}

/// The text of a page's `## heading` section, up to the next `## ` heading.
fn section<'a>(page: &'a str, heading: &str) -> Option<&'a str> {
    let start = page.find(&format!("\n## {heading}\n"))? + 1;
    let body = &page[start..];
    let end = body[3..].find("\n## ").map_or(body.len(), |e| e + 3);
    Some(&body[..end])
}

/// Every chapter that shows an example's code ends with what to try, its commands
/// included, and what goes wrong.
#[test]
fn pattern_chapters_have_try_it_with_commands_and_pitfalls() {
    let root = common::root();
    let pages = chapters();
    let mut missing = Vec::new();
    for name in common::example_names() {
        let source = common::example_source(&name);
        for (page, text) in pages
            .iter()
            .filter(|(_, text)| text.contains(&format!("{source}:")))
        {
            if section(text, "Pitfalls").is_none() {
                missing.push(format!("{page}: no `## Pitfalls`"));
            }
            let Some(try_it) = section(text, "Try it") else {
                missing.push(format!("{page}: no `## Try it`"));
                continue;
            };
            let mut commands = vec![format!("cargo run --release --example {name}")];
            if root.join(format!("python/{name}.py")).exists() {
                commands.push(format!("python3 python/{name}.py"));
            }
            for command in commands {
                if !try_it.contains(&command) {
                    missing.push(format!("{page}: `## Try it` lacks `{command}`"));
                }
            }
        }
    }
    missing.dedup();
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// Two generated tables never follow each other bare: a sentence between them says what
/// the next one answers. (A `.headline.md` is a sentence, not a table.)
#[test]
fn a_sentence_stands_between_two_generated_tables() {
    let is_table = |line: &str| {
        line.trim_start_matches(['>', ' '])
            .strip_prefix("{{#include generated/")
            .and_then(|rest| rest.split([':', '}']).next())
            .is_some_and(|file| {
                // A headline and an article's line are sentences, not tables.
                file.ends_with(".md")
                    && !file.ends_with(".headline.md")
                    && !file.ends_with(".articles.md")
            })
    };
    let mut bare = Vec::new();
    for (page, text) in chapters() {
        let mut previous: Option<usize> = None;
        for (i, line) in text.lines().enumerate() {
            if is_table(line) {
                if let Some(before) = previous {
                    bare.push(format!("{page}: lines {} and {}", before + 1, i + 1));
                }
                previous = Some(i);
            } else if !line.trim_start_matches(['>', ' ']).is_empty() {
                previous = None;
            }
        }
    }
    assert!(
        bare.is_empty(),
        "two tables with nothing between them:\n{}",
        bare.join("\n")
    );
}
