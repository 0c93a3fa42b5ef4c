//! A chapter's own prose states no measured figure: measured numbers reach the book only
//! through the files the xtask generates (`{{#include generated/...}}`), so they cannot go
//! stale. A number with a unit of time, size or ratio in the prose must be a workload
//! parameter: a literal in the chapter's example, its twin, the library, or the articles'
//! own figures (the table in `book/src/sources.md` that lists them); "N times faster" and
//! "twice as long" are refused outright unless quoted. Code blocks, inline code, includes
//! and quotations ("...") are not prose.

use crate::common;

use std::fs;

/// Units that make a number a measurement (or a parameter) of time, size or ratio.
const UNITS: [&str; 17] = [
    "s",
    "ms",
    "µs",
    "us",
    "ns",
    "x",
    "×",
    "%",
    "MB",
    "kB",
    "KB",
    "GB",
    "MiB",
    "GiB",
    "seconds",
    "second",
    "milliseconds",
];
const NUMBER_WORDS: [&str; 14] = [
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "twenty",
    "thirty", "forty", "fifty", "hundred",
];
const COMPARATIVES: [&str; 8] = [
    "faster", "slower", "as", "longer", "cheaper", "more", "less", "quicker",
];

/// The heading of the section of `book/src/sources.md` that lists the figures the articles
/// print or state: the only figures a page may quote that no code of this project holds.
const ARTICLE_FIGURES: &str = "## The figures the articles report";

/// The text of `sources.md`'s `ARTICLE_FIGURES` section, up to the next heading.
fn article_figures() -> String {
    let path = common::root().join("book/src/sources.md");
    let page = fs::read_to_string(&path).expect("book/src/sources.md exists");
    let start = page
        .find(ARTICLE_FIGURES)
        .unwrap_or_else(|| panic!("sources.md has no section {ARTICLE_FIGURES:?}"));
    let section = &page[start + ARTICLE_FIGURES.len()..];
    let end = section.find("\n## ").unwrap_or(section.len());
    section[..end].to_owned()
}

/// The prose of a page: without fenced code, inline code, includes and quotations.
fn prose(page: &str) -> String {
    let mut out = String::new();
    let mut fenced = false;
    for line in page.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let mut kept = String::new();
        let mut skip_until: Option<char> = None;
        let mut rest = line;
        while let Some(c) = rest.chars().next() {
            if rest.starts_with("{{#include") {
                rest = rest.find("}}").map_or("", |end| &rest[end + 2..]);
                continue;
            }
            rest = &rest[c.len_utf8()..];
            match skip_until {
                Some(end) if c == end => skip_until = None,
                Some(_) => {}
                None => match c {
                    '`' => skip_until = Some('`'),
                    '"' => skip_until = Some('"'),
                    '“' => skip_until = Some('”'),
                    _ => kept.push(c),
                },
            }
        }
        out.push_str(&kept);
        out.push('\n');
    }
    out
}

/// Every numeric literal in `text` (`1_000`, `0.25`, `10,000`), as a number.
fn literals(text: &str) -> Vec<f64> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut previous = ' ';
    while let Some((i, c)) = chars.next() {
        if c.is_ascii_digit() && !(previous.is_alphanumeric() || previous == '.') {
            let mut end = i + 1;
            while let Some(&(j, d)) = chars.peek() {
                if d.is_ascii_digit() || d == '_' || d == ',' || d == '.' {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            let token: String = text[i..end]
                .trim_end_matches(['.', ','])
                .chars()
                .filter(|&d| d != '_' && d != ',')
                .collect();
            if let Ok(value) = token.parse() {
                out.push(value);
            }
            previous = '0';
            continue;
        }
        previous = c;
    }
    out
}

/// The figures `prose` states that no literal in `allowed` accounts for.
fn unexplained(prose: &str, allowed: &[f64]) -> Vec<String> {
    let known = |v: f64| {
        allowed.iter().any(|&a| {
            [1.0, 1e-3, 1e3, 1e-6, 1e6]
                .iter()
                .any(|k| (v * k - a).abs() <= 1e-9 * a.abs().max(1.0))
        })
    };
    let mut found = Vec::new();
    for line in prose.lines() {
        let mut rest = line;
        let mut previous = ' ';
        while let Some(c) = rest.chars().next() {
            let starts_number = c.is_ascii_digit()
                && !(previous.is_alphanumeric() || previous == '.');
            if !starts_number {
                previous = c;
                rest = &rest[c.len_utf8()..];
                continue;
            }
            let len = rest
                .find(|d: char| !(d.is_ascii_digit() || d == ',' || d == '.'))
                .unwrap_or(rest.len());
            let number = rest[..len].trim_end_matches(['.', ',']);
            let after = rest[number.len()..]
                .strip_prefix(' ')
                .unwrap_or(&rest[number.len()..]);
            let unit_len = after
                .find(|d: char| {
                    !(d.is_alphabetic() || d == '×' || d == '%' || d == 'µ')
                })
                .unwrap_or(after.len());
            let unit = &after[..unit_len];
            if UNITS.contains(&unit) {
                let value: f64 = number.replace(',', "").parse().unwrap_or(f64::NAN);
                if !known(value) {
                    found.push(format!("{number} {unit}"));
                }
            }
            previous = '0';
            rest = &rest[number.len().max(1)..];
        }
        let lower = line.to_lowercase();
        let words: Vec<&str> = lower
            .split(|c: char| !c.is_alphanumeric() && c != '.')
            .filter(|w| !w.is_empty())
            .collect();
        for (i, pair) in words.windows(2).enumerate() {
            let ratio = match pair {
                ["twice" | "half", "as"] => true,
                [count, "times"] => {
                    let numeric =
                        count.chars().all(|c| c.is_ascii_digit() || c == '.');
                    (numeric || NUMBER_WORDS.contains(count))
                        && words.get(i + 2).is_some_and(|w| COMPARATIVES.contains(w))
                }
                _ => false,
            };
            if ratio {
                found.push(pair.join(" "));
            }
        }
    }
    found
}

/// The literals a chapter may quote: its example's and twin's, the library's, and the
/// articles' own figures (from `sources.md`).
fn allowed_for(page: &str) -> Vec<f64> {
    let root = common::root();
    let name = page.trim_end_matches(".md");
    let mut text = String::new();
    let mut read = |path: &std::path::Path| {
        if let Ok(body) = fs::read_to_string(path) {
            text.push_str(&body);
        }
    };
    if common::example_names().iter().any(|n| n == name) {
        for file in common::example_files(name) {
            read(&file);
        }
    }
    // Every example and twin the page includes code from (a chapter may show two).
    let page_text =
        fs::read_to_string(root.join("book/src").join(page)).unwrap_or_default();
    for (at, _) in page_text.match_indices("{{#include ../../") {
        let spec = &page_text[at + "{{#include ../../".len()..];
        let file = spec.split([':', '}']).next().unwrap_or("");
        read(&root.join(file));
    }
    let python = fs::read_dir(root.join("python")).expect("python/ exists");
    for entry in python.filter_map(Result::ok) {
        let file = entry.file_name().to_string_lossy().into_owned();
        if file == format!("{name}.py") || file.starts_with(&format!("{name}_")) {
            read(&entry.path());
        }
    }
    for dir in [root.join("src"), root.join("src/shared_state")] {
        for entry in fs::read_dir(dir)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
        {
            read(&entry.path());
        }
    }
    text.push_str(&article_figures());
    literals(&text)
}

#[test]
fn the_checker_finds_a_planted_stale_number() {
    let planted =
        "The loop took 1.73 s here, twice as long; the jobs sleep 0.5 s each.";
    let found = unexplained(&prose(planted), &[0.5]);
    assert_eq!(found, ["1.73 s", "twice as"]);
    let fine =
        "Each of the 10,000 tasks waits 200 ms, see `1.73 s` and \"about 4.16 s\".";
    assert!(unexplained(&prose(fine), &literals("10_000 0.2")).is_empty());
    assert!(unexplained(&prose("five times faster"), &[]).len() == 1);
    // The articles' figures are found where the book lists them ("Multi-tasking in
    // Python"'s apply_async + get, and its pyrallel run).
    let figures = literals(&article_figures());
    assert!(
        figures.contains(&4.16) && figures.contains(&5.20),
        "{figures:?}"
    );
}

#[test]
fn chapters_state_no_measured_figure_in_their_prose() {
    let dir = common::root().join("book/src");
    let mut failures = Vec::new();
    for entry in fs::read_dir(&dir)
        .expect("book/src exists")
        .filter_map(Result::ok)
    {
        let page = entry.file_name().to_string_lossy().into_owned();
        if !page.ends_with(".md") || page == "SUMMARY.md" {
            continue;
        }
        let text = fs::read_to_string(entry.path()).expect("a page is readable");
        for figure in unexplained(&prose(&text), &allowed_for(&page)) {
            failures.push(format!("{page}: {figure}"));
        }
    }
    assert!(
        failures.is_empty(),
        "measured figures typed into prose (include them from a generated file instead):\n{}",
        failures.join("\n")
    );
}
