//! The compiled matcher: rules in, classifications out.

mod compile;
mod engine;
pub(crate) mod entity;
mod scan;
mod score;
mod similar;
mod types;
mod typo;
mod vocab;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use self::engine::Engine;
pub use self::types::{
    Classification, Contribution, ContributionKind, Correction, Entity, Explanation, HowMatched,
    LexiconHit, ScoreBreakdown, Scored, Similarity,
};
use crate::conversation::config::ConvConfig;
use crate::error::{CompileError, Diagnostic, Location};
use crate::normalize::Normalizer;
use crate::rules::Source;

/// Options for compiling and running a [`Matcher`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Config {
    /// Below this confidence a message gets no intent. Default 0.38 (see
    /// rules/RULES.md, "Scoring").
    pub threshold: f32,
    /// When an intent matched on the same words or in the same clause as the
    /// best one has a confidence within this margin of it, the
    /// classification is flagged ambiguous; priority decides between
    /// intents this close. Default 0.15.
    pub ambiguity_margin: f32,
    /// Correct words that are not in the rules' vocabulary to a close one
    /// (edit distance 1 for 4–7 letters, 2 from 8). Default on.
    pub typo_correction: bool,
    /// Check `examples` and `counter_examples` when compiling. Default on.
    pub check_examples: bool,
    /// Only the first this many bytes of a message are classified (cut on a
    /// char boundary). A chat message is rarely over 1 KB; the cap keeps a
    /// pasted novel or a hostile megabyte from slowing the bot down.
    /// Default 4096.
    pub max_message_bytes: usize,
    /// Bounds on what compiling the rules may cost (file size, YAML depth,
    /// phrase expansion, regex size); see [`Limits`].
    pub limits: Limits,
    /// When the phrases give no intent or a weak one (confidence under
    /// [`Config::doubt`]), the intent whose examples reach this TF-IDF
    /// cosine similarity (with their centroid), and beat the off-topic
    /// examples, answers. Default 0.18. Above 1 turns the example
    /// similarity off.
    pub similarity_threshold: f32,
    /// Phrase confidence under which the example similarity is consulted.
    /// Default 0.6.
    pub doubt: f32,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            threshold: 0.38,
            ambiguity_margin: 0.15,
            typo_correction: true,
            check_examples: true,
            max_message_bytes: crate::normalize::MAX_MESSAGE_BYTES,
            limits: Limits::default(),
            similarity_threshold: 0.18,
            doubt: 0.6,
        }
    }
}

pub use crate::lang::PerLang;
pub use crate::rules::{Action, Intent, Limits, RulePlace, RuleText};

struct Inner {
    config: Config,
    normalizer: Normalizer,
    intents: Vec<Intent>,
    settings: BTreeMap<String, String>,
    /// Where each setting was last set (later files override earlier ones).
    setting_origins: BTreeMap<String, Location>,
    warnings: Vec<Diagnostic>,
    engine: Engine,
    /// The `conversation:` section, resolved with the rest of the rules:
    /// the bot built on this matcher reads it.
    conversation: Arc<ConvConfig>,
    /// One concrete message per phrase, by intent, for
    /// [`Matcher::shadowed_intents`].
    samples: Vec<(u32, Box<str>)>,
}

/// A compiled, immutable rule set that classifies messages.
///
/// Cheap to clone (an `Arc`), `Send + Sync`: build it once and share it.
#[derive(Clone)]
pub struct Matcher {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Matcher")
            .field("intents", &self.inner.intents.len())
            .finish_non_exhaustive()
    }
}

/// Collects rule sources and options, then compiles a [`Matcher`].
#[derive(Clone, Debug, Default)]
pub struct MatcherBuilder {
    config: Config,
    sources: Vec<Source>,
}

impl MatcherBuilder {
    /// A builder with the default [`Config`] and no rules.
    pub fn new() -> MatcherBuilder {
        MatcherBuilder::default()
    }

    /// Sets the options.
    pub fn config(&mut self, config: Config) -> &mut MatcherBuilder {
        self.config = config;
        self
    }

    /// Adds one rule file from memory; `name` is used in error locations.
    pub fn add_yaml(&mut self, name: &str, yaml: &str) -> &mut MatcherBuilder {
        self.sources.push(Source::Yaml {
            name: name.to_string(),
            text: yaml.to_string(),
        });
        self
    }

    /// Adds a rule file, or every `*.yaml`/`*.yml` file under a directory
    /// (recursively, in sorted path order).
    pub fn add_path(&mut self, path: impl AsRef<Path>) -> &mut MatcherBuilder {
        self.sources.push(Source::Path(path.as_ref().to_path_buf()));
        self
    }

    /// The rule files a build reads, in merge order, with directories
    /// expanded (as diagnostics name them). Paths that cannot be read are
    /// left out: the build reports them.
    pub fn files(&self) -> Vec<String> {
        crate::rules::file_names(&self.sources)
    }

    /// Compiles everything added so far.
    ///
    /// # Errors
    ///
    /// A [`CompileError`] holding every problem found: unreadable files, bad
    /// YAML, unknown concepts, invalid regexes, duplicate ids, failing
    /// examples... each with its file, line and column.
    pub fn build(&self) -> Result<Matcher, CompileError> {
        compile::compile(&self.sources, &self.config)
    }
}

impl Matcher {
    /// Compiles one rule file given as a string, with the default options.
    pub fn new(yaml: &str) -> Result<Matcher, CompileError> {
        Matcher::builder().add_yaml("<rules>", yaml).build()
    }

    /// Compiles a rule file or a directory of rule files.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Matcher, CompileError> {
        Matcher::builder().add_path(path).build()
    }

    /// A builder for more options or several sources.
    pub fn builder() -> MatcherBuilder {
        MatcherBuilder::new()
    }

    /// Classifies one customer message.
    #[must_use]
    pub fn classify(&self, text: &str) -> Classification {
        self.inner
            .normalizer
            .with_normalized(self.truncate(text), |n| {
                self.inner.engine.run(n, &self.inner.config, false)
            })
            .classification
    }

    /// Classifies a message with the previous turn's intent as a hint, for a
    /// follow-up with no topic of its own ("how long?", "màu đen thì sao").
    /// The matcher keeps no state: the conversation layer passes the hint.
    /// When nothing else reaches the threshold and the hinted intent has
    /// some evidence of its own in the message (a phrase or regex under the
    /// threshold, or examples half as similar as the similarity threshold
    /// asks), it is the answer, at the threshold's confidence. A message
    /// with an intent of its own keeps it.
    ///
    /// ```
    /// let m = firstline::pack::matcher();
    /// // Alone, "màu đen thì sao" (what about black?) has no topic.
    /// assert_eq!(m.classify("màu đen thì sao").intent_id(), None);
    /// assert_eq!(
    ///     m.classify_with("màu đen thì sao", Some("product_availability")).intent_id(),
    ///     Some("product_availability")
    /// );
    /// // Off-topic stays off-topic, and a message's own topic wins.
    /// assert_eq!(m.classify_with("what's the weather like", Some("track_order")).intent_id(), None);
    /// assert_eq!(
    ///     m.classify_with("where is my order?", Some("greet")).intent_id(),
    ///     Some("track_order")
    /// );
    /// ```
    pub fn classify_with(&self, text: &str, hint: Option<&str>) -> Classification {
        self.inner
            .normalizer
            .with_normalized(self.truncate(text), |n| {
                self.inner
                    .engine
                    .run_hinted(n, &self.inner.config, false, hint)
            })
            .classification
    }

    /// Classifies one message and says why.
    #[must_use]
    pub fn explain(&self, text: &str) -> Explanation {
        let n = self.inner.normalizer.normalize(self.truncate(text));
        let out = self.inner.engine.run(&n, &self.inner.config, true);
        Explanation {
            classification: out.classification,
            clean: n.clean().to_string(),
            normalized: n.text().to_string(),
            folded: n.folded().to_string(),
            tokens: out.tokens,
            corrections: out.corrections,
            contributions: out.contributions,
            scores: out.scores,
            similar: out.similar,
        }
    }

    /// The part of `text` that classification reads.
    pub(crate) fn truncate<'t>(&self, text: &'t str) -> &'t str {
        crate::normalize::truncate(text, self.inner.config.max_message_bytes)
    }

    /// The options it was built with.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Every intent, in rule order.
    pub fn intents(&self) -> &[Intent] {
        &self.inner.intents
    }

    /// The intent with this id.
    pub fn intent(&self, id: &str) -> Option<&Intent> {
        self.inner.intents.iter().find(|i| &*i.id == id)
    }

    /// Shop settings from the rules (`settings:`), merged over all files.
    pub fn settings(&self) -> &BTreeMap<String, String> {
        &self.inner.settings
    }

    /// Where setting `key` got its value: the key in the last file that set
    /// it (files later in the merge order override earlier ones).
    pub fn setting_location(&self, key: &str) -> Option<&Location> {
        self.inner.setting_origins.get(key)
    }

    /// Lints found while compiling (warnings only; errors fail the build).
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.inner.warnings
    }

    /// The normalizer, extended with the rules' abbreviations and vocabulary.
    pub fn normalizer(&self) -> &Normalizer {
        &self.inner.normalizer
    }

    /// The resolved `conversation:` section.
    pub(crate) fn conversation_config(&self) -> Arc<ConvConfig> {
        self.inner.conversation.clone()
    }

    /// An extra lint, not run by [`MatcherBuilder::build`] because it costs
    /// one classification per phrase: an intent is *shadowed* when none of
    /// its phrases, turned into a concrete message (first alternatives, no
    /// optional words, no gaps, each concept as its first synonym),
    /// classifies to it while at least one classifies to another intent:
    /// customers who say exactly what the author wrote get the other
    /// intent. `firstline check` prints these with the compile warnings.
    ///
    /// Each distinct message is classified once, so rules that share
    /// phrases across many intents cost what their distinct phrases cost.
    pub fn shadowed_intents(&self) -> Vec<Diagnostic> {
        compile::shadowed(self, &self.inner.samples)
    }
}
