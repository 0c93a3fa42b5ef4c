//! `NAME.headline.md`: the one measured comparison that makes a chapter's point, as a
//! sentence its opening box includes. Which figure and which two variants make the point
//! is the example's own declaration (its `Pattern`'s headline); the numbers are the
//! medians of the run.

use concurrency_pairs::Figure;

use crate::format::figure;
use crate::measure::{Language, Measured, Runs};

/// The median of `measure` over the runs of one variant, if it ran and reported it.
fn median(runs: &Runs, variant: &str, measure: &Figure) -> Option<f64> {
    let mut values: Vec<f64> = runs
        .traces
        .iter()
        .filter_map(|t| t.variant(variant)?.value(measure))
        .collect();
    values.sort_by(f64::total_cmp);
    (!values.is_empty()).then(|| values[values.len() / 2])
}

/// The headline of `m`, or `None` for an example without one.
pub fn render(m: &Measured) -> Option<String> {
    let headline = m.pattern.headline?;
    let (measure, point) = (&headline.figure, headline.point.0);
    let against = headline.against.map(|a| a.0);
    let show = |x: f64| figure(x, measure.unit);
    let mut parts = Vec::new();
    for (language, runs) in m.languages() {
        let name = match language {
            Language::Rust => "Rust",
            Language::Python => "Python",
        };
        let Some(value) = median(runs, point, measure) else {
            continue;
        };
        let part = match against.and_then(|a| Some((a, median(runs, a, measure)?))) {
            Some((a, other)) => format!(
                "**{name}**: `{point}` {}, `{a}` {}",
                show(value),
                show(other)
            ),
            None => format!("**{name}**: `{point}` {}", show(value)),
        };
        parts.push(part);
    }
    if parts.is_empty() {
        return None;
    }
    Some(format!(
        "Measured here, {}: {}.\n",
        measure.label,
        parts.join("; ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use concurrency_pairs::{
        Headline, Options, Pattern, Trace, Variant, VariantInfo, common::FIRST_RESULT,
    };

    const JOIN_ORDER: Pattern = Pattern::new("join_order", "a demo")
        .variants(&[
            VariantInfo::both("join-in-start-order", "join"),
            VariantInfo::both("channel-completion-order", "mpsc"),
        ])
        .headline(Headline::new(
            FIRST_RESULT,
            "channel-completion-order",
            "join-in-start-order",
        ));

    fn runs(language: &str, first: &[(&str, f64)]) -> Runs {
        let mut trace = Trace::new(&JOIN_ORDER, &Options::default());
        trace.language = language.into();
        for &(name, at) in first {
            let mut v = Variant::new(name, "api");
            v.received_s = vec![at];
            trace.variants.push(v);
        }
        Runs {
            traces: vec![trace],
        }
    }

    #[test]
    fn a_headline_compares_the_two_variants_in_each_language() {
        let m = Measured {
            example: "join_order".into(),
            pattern: JOIN_ORDER,
            rust: runs(
                "rust",
                &[
                    ("join-in-start-order", 0.8),
                    ("channel-completion-order", 0.3),
                ],
            ),
            python: Some(runs("python", &[("channel-completion-order", 0.31)])),
        };
        assert_eq!(
            render(&m).expect("join_order has a headline"),
            "Measured here, first result: **Rust**: `channel-completion-order` 300.0 ms, \
             `join-in-start-order` 800.0 ms; **Python**: `channel-completion-order` 310.0 ms.\n"
        );
        let other = Measured {
            pattern: Pattern::new("no_such", "nothing"),
            ..m
        };
        assert!(render(&other).is_none());
    }
}
