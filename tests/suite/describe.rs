//! Every example describes itself (`--describe`), and the description is what the rest of
//! the project reads: its variants are the ones the example and its twin list, in order,
//! and its headline and tables name only variants and figures it declares.

use crate::common::*;

#[test]
fn each_twin_lists_the_python_variants_its_example_declares() {
    // Every example and twin at once: each is a process that prints a list and exits.
    let names = example_names();
    std::thread::scope(|s| {
        for name in &names {
            s.spawn(move || {
                let pattern = describe(name);
                let rust: Vec<String> =
                    pattern.names(false).iter().map(|n| n.to_string()).collect();
                assert_eq!(listed_variants(name, false), rust, "{name}: --variants");
                if !root().join("python").join(format!("{name}.py")).exists() {
                    return;
                }
                let python: Vec<String> =
                    pattern.names(true).iter().map(|n| n.to_string()).collect();
                assert_eq!(
                    listed_variants(name, true),
                    python,
                    "{name}: the twin's variants differ from the description's Python ones"
                );
            });
        }
    });
}

#[test]
fn headlines_and_tables_name_what_the_pattern_declares() {
    for name in example_names() {
        let pattern = describe(&name);
        // A swept pattern's headline may come from its sweep instead.
        let Some(headline) = pattern.headline else {
            assert!(pattern.sweep.is_some(), "{name} declares no headline");
            continue;
        };
        for variant in std::iter::once(headline.point).chain(headline.against) {
            assert!(
                pattern.variant(&variant).is_some(),
                "{name}: the headline names `{variant}`, which it does not declare"
            );
        }
        for table in pattern.tables.iter() {
            assert!(
                table.question.ends_with('?') && !table.figures.is_empty(),
                "{name}: a table answers one question, with figures: {table:?}"
            );
        }
        let figures = pattern.figures();
        for (i, f) in figures.iter().enumerate() {
            let reported = f.derived.is_none();
            assert!(
                !(reported
                    && concurrency_pairs::figures::RESERVED.contains(&f.key.0)),
                "{name}: the reported figure `{}` is named like a trace field",
                f.key
            );
            assert!(
                figures[..i].iter().all(|g| g.key != f.key),
                "{name}: two figures called `{}`",
                f.key
            );
        }
    }
}

/// Every figure an article prints names a variant of its example (and, for a ratio, a
/// second one), and the suite's test that holds its verdict, which must exist.
#[test]
fn each_article_figure_names_its_variants_and_a_test_that_exists() {
    let suite = std::fs::read_dir(root().join("tests/suite"))
        .expect("tests/suite is readable")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .map(|p| {
            let stem = p
                .file_stem()
                .expect("a file name")
                .to_string_lossy()
                .into_owned();
            (
                stem,
                std::fs::read_to_string(&p).expect("a test file reads"),
            )
        })
        .collect::<Vec<_>>();
    let mut declared = 0;
    for name in example_names() {
        let pattern = describe(&name);
        for figure in pattern.article.iter() {
            declared += 1;
            for variant in std::iter::once(&figure.variant).chain(&figure.over) {
                assert!(
                    pattern.variant(variant).is_some(),
                    "{name}: an article figure names `{variant}`, which it does not declare"
                );
            }
            let (file, function) =
                figure.test.split_once("::").unwrap_or_else(|| {
                    panic!("{name}: `{}` is not file::function", figure.test)
                });
            let source = suite.iter().find(|(stem, _)| stem == file);
            assert!(
                source.is_some_and(
                    |(_, text)| text.contains(&format!("fn {function}()"))
                ),
                "{name}: the test `{}` holding an article's figure does not exist",
                figure.test
            );
            assert!(
                figure.stated > 0.0 && figure.within > 0.0,
                "{name}: {figure:?}"
            );
        }
    }
    assert!(declared >= 12, "only {declared} article figures declared");
}
