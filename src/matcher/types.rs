//! The results of a classification.

use std::ops::Range;
use std::sync::Arc;

use serde::Serialize;

use crate::Lang;

/// The outcome of [`Matcher::classify`](crate::Matcher::classify).
///
/// Invariants:
/// 1. `ranked` holds only intents that scored above zero, best first: by
///    confidence, except that priority breaks near-ties and, between
///    requests in separate clauses, the higher score leads.
/// 2. `intent` is `ranked[0]` when its confidence reaches the matcher's
///    threshold, and `None` otherwise.
/// 3. `also` is empty when `intent` is `None`; otherwise it holds intents
///    of `ranked` (not `intent`) that reach the threshold in clauses where
///    neither `intent` nor an earlier entry of `also` matched.
/// 4. Every span (entities, lexicon hits) is a byte range of the message as
///    the customer typed it, on `char` boundaries.
///
/// A message with two requests gets both, the second in `also`:
///
/// ```
/// let m = firstline::Matcher::new(r#"
/// version: 1
/// intents:
///   - id: cancel_order
///     phrases: ["hủy đơn", "cancel * order"]
///   - id: track_refund
///     phrases: ["(khi nào|bao giờ) * hoàn tiền", "where * refund"]
/// "#)?;
/// let c = m.classify("hủy đơn giúp em, và cho em hỏi khi nào được hoàn tiền");
/// assert_eq!(c.intent_id(), Some("track_refund"));
/// assert_eq!(c.also.len(), 1);
/// assert_eq!(&*c.also[0].intent, "cancel_order");
/// // One request: nothing else.
/// assert!(m.classify("hủy đơn giúp em").also.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct Classification {
    /// The winning intent, or `None` when nothing reached the threshold.
    pub intent: Option<Arc<str>>,
    /// Confidence of the best intent in `[0, 1]` (0 when nothing matched).
    pub confidence: f32,
    /// Another intent read from the same words or the same clause is
    /// within the ambiguity margin of the best one: the bot should ask
    /// which one the customer meant ("hủy đơn hay đổi đơn?").
    pub ambiguous: bool,
    /// Every intent that scored, best first.
    pub ranked: Vec<Scored>,
    /// Further requests in the same message: intents that reach the
    /// threshold in other clauses than `intent` ("cancel my order, and
    /// where is my refund?" is `track_refund`, also `cancel_order`), best
    /// first. Intents that compete for the same words or the same clause
    /// are alternatives, not further requests, and are only in `ranked`.
    pub also: Vec<Scored>,
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
    /// Everything that added to, lowered or vetoed an intent's score.
    pub contributions: Vec<Contribution>,
    /// The arithmetic of each scored intent's score and confidence, in the
    /// order of `classification.ranked` (before the example similarity or
    /// a hint changed it).
    pub scores: Vec<ScoreBreakdown>,
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
    /// An `exclude` phrase matched: evidence against the intent, its score
    /// is multiplied by the contribution's `weight`.
    Exclude,
    /// A `veto` phrase matched (`weight` 0); the phrase matches it removed
    /// are listed as [`ContributionKind::Vetoed`].
    Veto,
    /// A phrase that matched but was removed by a `veto` phrase next to it
    /// (`weight` 0; `rule` is the phrase, `vetoed_by` the veto).
    Vetoed,
    /// A concept set (`sets:`) matched: every part somewhere in the
    /// message. `rule` shows the parts joined by `+`, the support words
    /// in brackets; `weight` is the set's score, `span` from its first
    /// matched word to its last.
    Set,
    /// One part of a concept set that matched, where it matched (listed
    /// before its [`ContributionKind::Set`]).
    SetPart,
    /// A supporting phrase of a concept set that matched; `weight` is the
    /// share it adds.
    SetSupport,
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
    /// The score it added (phrases, patterns); for an exclusion the factor
    /// the score was multiplied by; 0 for vetoes and vetoed phrases.
    pub weight: f32,
    /// How it matched.
    pub how: HowMatched,
    /// Byte range in the original message.
    pub span: Range<usize>,
    /// For a [`ContributionKind::Vetoed`] phrase: the veto phrase that
    /// removed it, as written.
    pub vetoed_by: Option<Arc<str>>,
}

/// How one intent's score and confidence were computed, term by term (see
/// rules/RULES.md, "Scoring"). `Display` writes the two formulas with the
/// numbers filled in.
///
/// ```text
/// score      = (best + extra_share · extra_words + regex) · weight · exclude_factor^excludes
/// strength   = 1 − e^(−score / score_scale)
/// coverage   = covered / request_words
/// confidence = score_share · strength + coverage_share · coverage
///              − rival_share · min(rival_score / score, 1)
/// ```
#[derive(Clone, Debug, Serialize, PartialEq)]
#[non_exhaustive]
pub struct ScoreBreakdown {
    /// The intent.
    pub intent: Arc<str>,
    /// Its best phrase: words matched times the lowest diacritic factor.
    pub best: f32,
    /// Words that its further phrases cover beyond the best one.
    pub extra_words: f32,
    /// The share of a further word (a constant of the scoring).
    pub extra_share: f32,
    /// What its regex patterns add.
    pub regex: f32,
    /// The intent's `weight`.
    pub weight: f32,
    /// How many of its `exclude` phrases matched (counted up to the cap).
    pub excludes: u32,
    /// The factor each matched `exclude` phrase multiplies the score by.
    pub exclude_factor: f32,
    /// The result: the intent's score.
    pub score: f32,
    /// The score at which strength reaches 1 − 1/e.
    pub score_scale: f32,
    /// `1 − e^(−score / score_scale)`.
    pub strength: f32,
    /// Words its evidence covers.
    pub covered: u32,
    /// Words of the request: the covered ones plus the content words of
    /// the clauses (parts of the message between punctuation and "and",
    /// "but", "và", "nhưng") that hold its evidence.
    pub request_words: u32,
    /// `covered / request_words`.
    pub coverage: f32,
    /// The share of strength in the confidence.
    pub score_share: f32,
    /// The share of coverage in the confidence.
    pub coverage_share: f32,
    /// The strongest other intent matched on some of the same words.
    pub rival: Option<Arc<str>>,
    /// Its score (0 without a rival).
    pub rival_score: f32,
    /// How much a rival as strong as the intent takes off its confidence.
    pub rival_share: f32,
    /// The result: the intent's confidence.
    pub confidence: f32,
}

impl std::fmt::Display for ScoreBreakdown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "score = ({:.2} best + {} × {} extra words + {:.2} regex) × weight {:.2}",
            self.best, self.extra_share, self.extra_words, self.regex, self.weight
        )?;
        if self.excludes > 0 {
            write!(f, " × {}^{} excludes", self.exclude_factor, self.excludes)?;
        }
        write!(
            f,
            " = {:.2}; confidence = {} × (1 − e^(−{:.2}/{})) + {} × {}/{} words",
            self.score,
            self.score_share,
            self.score,
            self.score_scale,
            self.coverage_share,
            self.covered,
            self.request_words
        )?;
        if let Some(rival) = &self.rival {
            write!(
                f,
                " − {} × min({:.2} {rival} / {:.2}, 1)",
                self.rival_share, self.rival_score, self.score
            )?;
        }
        write!(
            f,
            " = {:.3} + {:.3}",
            self.score_share * self.strength,
            self.coverage_share * self.coverage
        )?;
        if self.rival.is_some() {
            let r = if self.score > 0.0 {
                (self.rival_score / self.score).min(1.0)
            } else {
                1.0
            };
            write!(f, " − {:.3}", self.rival_share * r)?;
        }
        write!(f, " = {:.2}", self.confidence)
    }
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
