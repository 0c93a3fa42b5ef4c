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
