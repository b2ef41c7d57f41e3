//! The results of a classification.

use std::ops::Range;
use std::sync::Arc;

use serde::Serialize;

use crate::Lang;

/// The outcome of [`Matcher::classify`](crate::Matcher::classify).
///
/// Invariants:
/// 1. `ranked` is sorted by score, best first, and holds only intents that
///    scored above zero.
/// 2. `intent` is `ranked[0]` when its confidence reaches the matcher's
///    threshold, and `None` otherwise.
/// 3. Every span (entities, lexicon hits) is a byte range of the message as
///    the customer typed it, on `char` boundaries.
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct Classification {
    /// The winning intent, or `None` when nothing reached the threshold.
    pub intent: Option<Arc<str>>,
    /// Confidence of the best intent in `[0, 1]` (0 when nothing matched).
    pub confidence: f32,
    /// The best two intents are close: the bot should ask which one the
    /// customer meant ("hủy đơn hay đổi đơn?").
    pub ambiguous: bool,
    /// Every intent that scored, best first.
    pub ranked: Vec<Scored>,
    /// The detected language of this message.
    pub lang: Lang,
    /// Entities found, in message order.
    pub entities: Vec<Entity>,
    /// Lexicon terms found (anger, profanity, threats...), in message order.
    pub lexicon_hits: Vec<LexiconHit>,
}

impl Classification {
    /// The first entity with this name.
    pub fn entity(&self, name: &str) -> Option<&Entity> {
        self.entities.iter().find(|e| &*e.name == name)
    }

    /// The winning intent's id, if any.
    pub fn intent_id(&self) -> Option<&str> {
        self.intent.as_deref()
    }
}

/// One intent's score for a message.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[non_exhaustive]
pub struct Scored {
    /// Intent id.
    pub intent: Arc<str>,
    /// Raw score (sum of weighted contributions).
    pub score: f32,
    /// Confidence in `[0, 1]`.
    pub confidence: f32,
}

/// A value extracted from a message by an entity rule.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[non_exhaustive]
pub struct Entity {
    /// Entity name (`order_id`, `phone`, `money`...).
    pub name: Arc<str>,
    /// The normalised value (`DH123456`, `0912345678`, `200000 VND`).
    pub value: String,
    /// Byte range of the value in the original message.
    pub span: Range<usize>,
}

/// A lexicon term found in a message.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[non_exhaustive]
pub struct LexiconHit {
    /// The lexicon's name (`anger`, `threat`...).
    pub lexicon: Arc<str>,
    /// Its severity, 1 to 3.
    pub severity: u8,
    /// The term as written in the rules.
    pub term: Arc<str>,
    /// Byte range in the original message.
    pub span: Range<usize>,
}

/// Why a message was classified the way it was, from
/// [`Matcher::explain`](crate::Matcher::explain).
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct Explanation {
    /// The classification itself.
    pub classification: Classification,
    /// The cleaned message (mojibake repaired, NFC).
    pub clean: String,
    /// The normalized text that phrases were matched against.
    pub normalized: String,
    /// The same, folded to ASCII.
    pub folded: String,
    /// The tokens, as matched (after teencode, Telex and typo correction).
    pub tokens: Vec<String>,
    /// Typo corrections applied.
    pub corrections: Vec<Correction>,
    /// Everything that added to or vetoed an intent's score.
    pub contributions: Vec<Contribution>,
    /// The example similarity, when the phrases left doubt and it was
    /// consulted (`None` otherwise).
    pub similar: Option<Similarity>,
}

/// The example-based second opinion on a message: how close it is to each
/// intent's examples (TF-IDF cosine over stems and word pairs).
#[derive(Clone, Debug, Serialize, PartialEq)]
#[non_exhaustive]
pub struct Similarity {
    /// Per intent with examples near the message: the mean similarity of
    /// its nearest examples, best first (at most 5).
    pub intents: Vec<(Arc<str>, f32)>,
    /// The same for the off-topic examples (`none:`).
    pub off_topic: f32,
    /// The threshold the best intent had to reach.
    pub threshold: f32,
    /// Whether the similarity decided the intent.
    pub decided: bool,
    /// The nearest examples: intent (`None`: off-topic), similarity, text.
    pub nearest: Vec<(Option<Arc<str>>, f32, Arc<str>)>,
}

/// A word not in the rules' vocabulary replaced by a close one.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[non_exhaustive]
pub struct Correction {
    /// What the customer typed (folded).
    pub from: String,
    /// The vocabulary word used instead.
    pub to: String,
    /// Edit distance between them.
    pub distance: u32,
    /// Byte range in the original message.
    pub span: Range<usize>,
}

/// What kind of rule contributed.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ContributionKind {
    /// A phrase matched.
    Phrase,
    /// A regex pattern matched.
    Pattern,
    /// An `exclude` term matched and vetoed the intent.
    Exclude,
}

/// One rule that fired for an intent.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[non_exhaustive]
pub struct Contribution {
    /// The intent it counts for.
    pub intent: Arc<str>,
    /// Phrase, pattern or exclusion.
    pub kind: ContributionKind,
    /// The phrase or pattern as written in the rules.
    pub rule: Arc<str>,
    /// Where the rule is (`file:line:column`).
    pub location: Arc<str>,
    /// The score it added (0 for exclusions).
    pub weight: f32,
    /// How it matched.
    pub how: HowMatched,
    /// Byte range in the original message.
    pub span: Range<usize>,
}

/// How a rule matched the message (in JSON: `"exact"`, `"folded"`,
/// `"corrected"`, `"regex"`).
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum HowMatched {
    /// Every word with the diacritics the rule has.
    Exact,
    /// The customer typed the words without diacritics.
    Folded,
    /// At least one word matched through a typo correction.
    Corrected,
    /// A regex pattern matched.
    Regex,
}

impl HowMatched {
    /// The lowercase name (`"folded"`).
    pub fn as_str(self) -> &'static str {
        match self {
            HowMatched::Exact => "exact",
            HowMatched::Folded => "folded",
            HowMatched::Corrected => "corrected",
            HowMatched::Regex => "regex",
        }
    }
}

impl std::fmt::Display for HowMatched {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
