//! The YAML rule format, version 1, as serde types.
//!
//! These types mirror `rules/RULES.md` one to one. They are what serde_yaml
//! deserializes a rule file into; nothing here is validated yet (that is the
//! compiler's job, which also knows where every node sits in the file).
//!
//! Every struct denies unknown fields: a misspelt key (`phrase:` for
//! `phrases:`) is an error with a location, not a silently ignored rule.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One rule file. Several files (a directory) are merged into one rule set.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleFile {
    /// Format version; only `1` exists. Required, so a future format change
    /// can be detected instead of misread.
    pub version: Option<u32>,
    /// Shop settings: values for `{placeholders}` in replies (shop name,
    /// hotline, return window...). Later files override earlier ones.
    #[serde(default)]
    pub settings: BTreeMap<String, String>,
    /// Extra abbreviation / teencode entries, per language.
    #[serde(default)]
    pub abbreviations: LangMap<BTreeMap<String, String>>,
    /// Named synonym groups, referenced from phrases as `@name`.
    #[serde(default)]
    pub concepts: BTreeMap<String, LangList>,
    /// Entities extracted by regex, with a normaliser for the value.
    #[serde(default)]
    pub entities: BTreeMap<String, EntityDef>,
    /// Intents, in file order.
    #[serde(default)]
    pub intents: Vec<IntentDef>,
    /// Named term lists (anger, profanity, threats...) reported on every
    /// classification, for the conversation layer's handoff triggers.
    #[serde(default)]
    pub lexicons: BTreeMap<String, LexiconDef>,
    /// Conversation settings (thresholds, slots, verification, agent hours,
    /// handoff triggers, order-status replies, system messages).
    #[serde(default)]
    pub conversation: Option<serde_yaml::Value>,
}

/// A list of strings per language. In YAML either a plain list (applies to
/// every language) or a map with the keys `vi`, `en` and `any`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(untagged)]
pub(crate) enum LangList {
    /// A plain list: language-neutral.
    Any(Vec<String>),
    /// Lists keyed by language.
    ByLang(LangMap<Vec<String>>),
    /// No value (`key:` with nothing after it).
    #[default]
    Empty,
}

/// Values per language.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub(crate) struct LangMap<T> {
    /// Vietnamese.
    #[serde(default)]
    pub vi: Option<T>,
    /// English.
    #[serde(default)]
    pub en: Option<T>,
    /// Any language.
    #[serde(default)]
    pub any: Option<T>,
}

/// An entity definition.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EntityDef {
    /// Regex run over the cleaned message (mojibake repaired, NFC, case
    /// kept). If it has a group named `value` (or else group 1) that group
    /// is the value; otherwise the whole match.
    pub pattern: String,
    /// How the captured value is normalised: `order_id`, `phone`, `email`,
    /// `money`, `upper`, `lower`, `digits` or `none` (the default).
    #[serde(default)]
    pub normalize: Option<String>,
}

/// An intent definition.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct IntentDef {
    /// Unique id (`track_order`): `[a-z0-9_]+`.
    pub id: String,
    /// One line for tools and the agent summary.
    #[serde(default)]
    pub description: Option<String>,
    /// Multiplies every score of this intent (default 1.0, range 0.1..=10).
    #[serde(default)]
    pub weight: Option<f32>,
    /// Breaks ties: when two intents score within the ambiguity margin the
    /// higher priority wins (default 0).
    #[serde(default)]
    pub priority: Option<i32>,
    /// Phrase patterns (see `rules/RULES.md`: alternatives, optional words,
    /// gaps, `@concept`).
    #[serde(default)]
    pub phrases: LangList,
    /// Regular expressions over the normalized (lowercase, diacritics kept)
    /// and the folded message text, for what phrases cannot say.
    #[serde(default)]
    pub patterns: Vec<String>,
    /// Negative terms: if any of these phrases matches, the intent is out.
    #[serde(default)]
    pub exclude: LangList,
    /// Messages that must classify to this intent (checked at compile time).
    #[serde(default)]
    pub examples: LangList,
    /// Messages that must not classify to this intent.
    #[serde(default)]
    pub counter_examples: LangList,
    /// Reply templates (variants), per language.
    #[serde(default)]
    pub replies: LangList,
    /// Quick-reply buttons offered with the reply, per language.
    #[serde(default)]
    pub quick_replies: LangList,
    /// Slots this intent needs before it can be answered (e.g. `order_id`).
    #[serde(default)]
    pub slots: Vec<String>,
    /// What the conversation engine does once the slots are filled:
    /// `reply` (default), `lookup_order`, `handoff`.
    #[serde(default)]
    pub action: Option<String>,
    /// Always hand this intent to a human (after replying).
    #[serde(default)]
    pub handoff: Option<bool>,
}

/// A named list of terms reported whenever they occur in a message.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LexiconDef {
    /// How serious a hit is, 1 (mild) to 3 (severe). Default 1.
    #[serde(default)]
    pub severity: Option<u8>,
    /// Terms, in phrase syntax.
    #[serde(default)]
    pub terms: LangList,
}

/// One string or a list of them (`reply: "..."` or `reply: ["...", "..."]`),
/// for the conversation and script formats.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    /// The strings, as a list.
    pub(crate) fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}
