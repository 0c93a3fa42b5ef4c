//! A pattern describes itself: one [`Pattern`] per example, declared once, in the example.
//!
//! It holds everything the rest of the project needs to know about the pattern: its name
//! and what it shows, its variants and what each uses (and which languages have them),
//! its headline comparison, the tables its chapter shows (figures grouped by the question
//! each answers), the flags it takes and its sweep, if it has one. The example parses its
//! command line with it and runs its variants by name from it; `--describe` prints it as
//! JSON, which is how the xtask and the tests read it: nobody keeps a list of their own.
//!
//! The description is `const` data (`&'static` strings and slices) so that an example
//! declares it at the top level. Read back from JSON by the xtask or a test, the strings
//! and lists are leaked once, which keeps a single type for both sides.

use serde::{Deserialize, Serialize};

use crate::figures::{Figure, List, Text};

/// Which languages run a variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Languages {
    Both,
    Rust,
    Python,
}

/// One variant of the pattern: its name, what the Rust side uses (the twin names its
/// own), and which languages have it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct VariantInfo {
    pub name: Text,
    /// What the Rust variant uses; empty for a variant only the twin has.
    pub uses: Text,
    pub languages: Languages,
}

impl VariantInfo {
    /// A variant in both languages; `uses` is the Rust side's.
    pub const fn both(name: &'static str, uses: &'static str) -> Self {
        VariantInfo {
            name: Text(name),
            uses: Text(uses),
            languages: Languages::Both,
        }
    }

    /// A variant only Rust has.
    pub const fn rust(name: &'static str, uses: &'static str) -> Self {
        VariantInfo {
            name: Text(name),
            uses: Text(uses),
            languages: Languages::Rust,
        }
    }

    /// A variant only the Python twin has.
    pub const fn python(name: &'static str) -> Self {
        VariantInfo {
            name: Text(name),
            uses: Text(""),
            languages: Languages::Python,
        }
    }

    pub fn in_rust(&self) -> bool {
        self.languages != Languages::Python
    }

    pub fn in_python(&self) -> bool {
        self.languages != Languages::Rust
    }
}

/// The one measured comparison that makes the chapter's point: `figure` of the variant
/// `point`, beside the variant it beats (`against`), in each language.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Headline {
    pub figure: Figure,
    pub point: Text,
    #[serde(default)]
    pub against: Option<Text>,
}

impl Headline {
    pub const fn new(
        figure: Figure,
        point: &'static str,
        against: &'static str,
    ) -> Self {
        Headline {
            figure,
            point: Text(point),
            against: Some(Text(against)),
        }
    }

    /// A figure of one variant, compared with nothing.
    pub const fn alone(figure: Figure, point: &'static str) -> Self {
        Headline {
            figure,
            point: Text(point),
            against: None,
        }
    }
}

/// One table of the chapter: the question it answers and the figures that answer it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub question: Text,
    pub figures: List<Figure>,
}

impl Table {
    pub const fn new(question: &'static str, figures: &'static [Figure]) -> Self {
        Table {
            question: Text(question),
            figures: List(figures),
        }
    }
}

/// The pattern run over a range of sizes, a fresh process per (language, variant, N,
/// run), with `--json --tasks N --variant NAME` and `flags`: what `cargo xtask sweep`
/// runs and draws.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sweep {
    /// The sizes, ascending; `--quick` runs the first two.
    pub sizes: List<u64>,
    /// The variants swept, in each language that has them.
    pub variants: List<Text>,
    /// Flags every run takes (`--counts-only`).
    pub flags: List<Text>,
    /// The figures its table and pictures show against N.
    pub figures: List<Figure>,
    /// The largest N the twin runs (it would take hours beyond); none: every size.
    pub python_largest: Option<u64>,
    /// Variants that stop at a smaller N, and why it is their limit, in the example.
    pub caps: List<(Text, u64)>,
    /// Sizes up to this one run `--runs` times; larger ones once.
    pub repeated_up_to: u64,
}

impl Sweep {
    /// A sweep of `variants` over `sizes`, repeated at every size, with no caps.
    pub const fn new(sizes: &'static [u64], variants: &'static [Text]) -> Self {
        Sweep {
            sizes: List(sizes),
            variants: List(variants),
            flags: List(&[]),
            figures: List(&[]),
            python_largest: None,
            caps: List(&[]),
            repeated_up_to: u64::MAX,
        }
    }

    pub const fn flags(mut self, flags: &'static [Text]) -> Self {
        self.flags = List(flags);
        self
    }

    pub const fn figures(mut self, figures: &'static [Figure]) -> Self {
        self.figures = List(figures);
        self
    }

    pub const fn python_largest(mut self, n: u64) -> Self {
        self.python_largest = Some(n);
        self
    }

    pub const fn caps(mut self, caps: &'static [(Text, u64)]) -> Self {
        self.caps = List(caps);
        self
    }

    pub const fn repeated_up_to(mut self, n: u64) -> Self {
        self.repeated_up_to = n;
        self
    }

    /// The largest N `variant` runs in a language (`python`: the twin).
    pub fn largest(&self, variant: &str, python: bool) -> u64 {
        let cap = self.caps.iter().find(|(v, _)| v.0 == variant).map(|c| c.1);
        let language = self.python_largest.filter(|_| python);
        [cap, language]
            .into_iter()
            .flatten()
            .fold(u64::MAX, u64::min)
    }
}

/// A figure one of the articles prints or states, and the variant of ours that runs the
/// same code at the article's own size (`--full`): what `cargo xtask timings --articles`
/// measures and puts beside it, with a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ArticleFigure {
    /// The article, by its short title (the book's "Sources" page names them).
    pub article: Text,
    /// What the article runs or says, in a few words of ours (a short quote at most).
    pub words: Text,
    /// The figure as the article gives it, in `figure`'s unit (seconds, a count, a
    /// ratio).
    pub stated: f64,
    /// Ours: this figure of `variant` (of `over` ÷ `variant`, for a ratio).
    pub figure: Figure,
    pub variant: Text,
    /// For a ratio ("nearly triple"): the variant whose figure is divided by
    /// `variant`'s.
    #[serde(default)]
    pub over: Option<Text>,
    /// For a share ("gives 5" in every run): the figure of the same variant that
    /// `figure` is divided by.
    #[serde(default)]
    pub per: Option<Figure>,
    /// How far ours may be from `stated` (a fraction of it) and still hold.
    pub within: f64,
    /// Why ours differs here, where the article's figure does not carry to this
    /// machine or to this code; empty where it should hold.
    pub differs: Text,
    /// The suite's test that holds the verdict, as `file::function`.
    pub test: Text,
}

impl ArticleFigure {
    /// The article's `stated` figure for `figure` of `variant`, held by `test`: within
    /// 5% unless [`within`](Self::within) says otherwise.
    pub const fn new(
        article: &'static str,
        words: &'static str,
        stated: f64,
        figure: Figure,
        variant: &'static str,
        test: &'static str,
    ) -> Self {
        ArticleFigure {
            article: Text(article),
            words: Text(words),
            stated,
            figure,
            variant: Text(variant),
            over: None,
            per: None,
            within: 0.05,
            differs: Text(""),
            test: Text(test),
        }
    }

    /// A ratio: `figure` of `over` divided by that of the variant.
    pub const fn over(mut self, over: &'static str) -> Self {
        self.over = Some(Text(over));
        self
    }

    /// A share: `figure` divided by `per`, both of the variant.
    pub const fn per(mut self, per: Figure) -> Self {
        self.per = Some(per);
        self
    }

    pub const fn within(mut self, fraction: f64) -> Self {
        self.within = fraction;
        self
    }

    /// Why the figure differs here (the page prints it where ours is out of bounds).
    pub const fn differs(mut self, why: &'static str) -> Self {
        self.differs = Text(why);
        self
    }

    /// Whether `ours` holds the article's figure.
    pub fn holds(&self, ours: f64) -> bool {
        (ours - self.stated).abs() <= self.within * self.stated.abs()
    }
}

/// The flags an example takes beyond `--json`, `--full`, `--help`, `--describe` and, with
/// variants, `--variant NAME` and `--variants`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Flags {
    /// `--tasks N`.
    pub tasks: bool,
    /// `--counts-only`: counts, not a span per task.
    pub counts_only: bool,
    /// One switch of the example's own: its flag and what it does.
    pub switch: Option<(Text, Text)>,
    /// The example listens to SIGINT itself: parsing leaves it alone.
    pub own_signals: bool,
}

/// Everything one pattern says about itself (see the module's documentation).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Pattern {
    pub name: Text,
    pub about: Text,
    pub variants: List<VariantInfo>,
    #[serde(default)]
    pub headline: Option<Headline>,
    pub tables: List<Table>,
    #[serde(default)]
    pub sweep: Option<Sweep>,
    /// Where the languages may run different amounts of work: the figure that counts the
    /// work and the per-unit figure that compares them ("Python ÷ Rust, per increment").
    #[serde(default)]
    pub per_unit: Option<(Figure, Figure)>,
    /// The figures the articles print for this pattern's code.
    #[serde(default = "no_article_figures")]
    pub article: List<ArticleFigure>,
    pub flags: Flags,
}

fn no_article_figures() -> List<ArticleFigure> {
    List(&[])
}

impl Pattern {
    pub const fn new(name: &'static str, about: &'static str) -> Self {
        Pattern {
            name: Text(name),
            about: Text(about),
            variants: List(&[]),
            headline: None,
            tables: List(&[]),
            sweep: None,
            per_unit: None,
            article: List(&[]),
            flags: Flags {
                tasks: false,
                counts_only: false,
                switch: None,
                own_signals: false,
            },
        }
    }

    pub const fn variants(mut self, variants: &'static [VariantInfo]) -> Self {
        self.variants = List(variants);
        self
    }

    pub const fn headline(mut self, headline: Headline) -> Self {
        self.headline = Some(headline);
        self
    }

    pub const fn tables(mut self, tables: &'static [Table]) -> Self {
        self.tables = List(tables);
        self
    }

    pub const fn sweep(mut self, sweep: Sweep) -> Self {
        self.sweep = Some(sweep);
        self
    }

    /// Compare the languages per unit of `work` (`per`), where their amounts differ.
    pub const fn per_unit(mut self, work: Figure, per: Figure) -> Self {
        self.per_unit = Some((work, per));
        self
    }

    /// The figures the articles print for this code, each beside ours.
    pub const fn article(mut self, figures: &'static [ArticleFigure]) -> Self {
        self.article = List(figures);
        self
    }

    /// Also accept `--tasks N`.
    pub const fn with_tasks(mut self) -> Self {
        self.flags.tasks = true;
        self
    }

    /// Also accept `--counts-only`.
    pub const fn with_counts_only(mut self) -> Self {
        self.flags.counts_only = true;
        self
    }

    /// Also accept `flag` (e.g. `--wait-for-signal`), which sets `Options::switch`.
    pub const fn with_switch(
        mut self,
        flag: &'static str,
        help: &'static str,
    ) -> Self {
        self.flags.switch = Some((Text(flag), Text(help)));
        self
    }

    /// The example handles SIGINT itself (with [`Signals`](crate::signals::Signals)):
    /// parsing does not install [`interrupt`](crate::interrupt), which would end the run
    /// at the first Ctrl-C.
    pub const fn with_own_signals(mut self) -> Self {
        self.flags.own_signals = true;
        self
    }

    /// The variant called `name`, if declared.
    pub fn variant(&self, name: &str) -> Option<&VariantInfo> {
        self.variants.iter().find(|v| v.name.0 == name)
    }

    /// The names of the variants `language` runs, in declared order.
    pub fn names(&self, python: bool) -> Vec<&'static str> {
        self.variants
            .iter()
            .filter(|v| if python { v.in_python() } else { v.in_rust() })
            .map(|v| v.name.0)
            .collect()
    }

    /// Every figure the description names: its tables', its headline's and its sweep's.
    pub fn figures(&self) -> Vec<Figure> {
        let mut all: Vec<Figure> = Vec::new();
        let tables = self.tables.iter().flat_map(|t| t.figures.iter());
        let sweep = self.sweep.iter().flat_map(|s| s.figures.iter());
        for f in tables
            .chain(self.headline.as_ref().map(|h| &h.figure))
            .chain(sweep)
        {
            if !all.iter().any(|a| a.key == f.key) {
                all.push(*f);
            }
        }
        all
    }

    /// The description as one line of JSON (what `--describe` prints).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a description always serialises")
    }

    /// Read a description back from `--describe`'s output.
    pub fn from_json(json: &str) -> Result<Pattern, serde_json::Error> {
        serde_json::from_str(json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figures::common::WALL;

    const LOST: Figure = Figure::count("lost_updates", "lost updates");
    const DEMO: Pattern = Pattern::new("demo", "a demo")
        .variants(&[
            VariantInfo::both("lock", "Mutex"),
            VariantInfo::python("manager"),
        ])
        .headline(Headline::new(LOST, "lock", "manager"))
        .tables(&[Table::new("Is every update kept?", &[WALL, LOST])])
        .with_tasks();

    #[test]
    fn a_description_reads_back_from_its_json() {
        let back = Pattern::from_json(&DEMO.to_json()).expect("parses");
        assert_eq!(back, DEMO);
        assert_eq!(back.names(false), ["lock"]);
        assert_eq!(back.names(true), ["lock", "manager"]);
        assert_eq!(back.figures(), [WALL, LOST]);
        assert!(back.flags.tasks && !back.flags.counts_only);
    }
}
