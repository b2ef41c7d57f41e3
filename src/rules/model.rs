//! The rule model: what the rules say about each intent, shared by the
//! matcher (which scores it) and the conversation layer (which answers it).
//!
//! These types sit below both layers so neither imports the other to learn
//! what an intent is.

use std::sync::Arc;

use crate::error::Location;
use crate::lang::PerLang;
use crate::Lang;

/// What the conversation engine does once an intent's slots are filled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Action {
    /// Send the intent's reply.
    #[default]
    Reply,
    /// Ask the host to look the order up, then answer with its status.
    LookupOrder,
    /// Send the reply and hand the conversation to a human.
    Handoff,
}

impl Action {
    /// The name used in rule files (`lookup_order`).
    pub fn code(self) -> &'static str {
        match self {
            Action::Reply => "reply",
            Action::LookupOrder => "lookup_order",
            Action::Handoff => "handoff",
        }
    }
}

/// A phrase or pattern of an intent, as written in the rules.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RuleText {
    /// The language the phrase is listed under (`None`: any language, and
    /// always for patterns).
    pub lang: Option<Lang>,
    /// The phrase or regex as written.
    pub text: Arc<str>,
    /// Where it is; displayed as `file:line:column`, as in explanations.
    pub location: RulePlace,
}

/// Where a phrase, pattern or concept set is written: the file's name and a
/// 1-based line and column (in characters). Kept as numbers, so compiling
/// a big rule set allocates no string per phrase; `Display` renders
/// `file:line:column` when an explanation or a report needs it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RulePlace {
    file: Arc<str>,
    line: u32,
    column: u32,
}

impl RulePlace {
    pub(crate) fn new(file: Arc<str>, line: usize, column: usize) -> RulePlace {
        RulePlace {
            file,
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
        }
    }

    /// The file's name, as given to the builder.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// 1-based line.
    pub fn line(&self) -> usize {
        self.line as usize
    }

    /// 1-based column, in characters.
    pub fn column(&self) -> usize {
        self.column as usize
    }
}

impl std::fmt::Display for RulePlace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// An intent as compiled: what the conversation layer needs to answer it,
/// and what tools need to report on it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Intent {
    /// Unique id.
    pub id: Arc<str>,
    /// One line for tools and agent summaries.
    pub description: Option<String>,
    /// Score multiplier.
    pub weight: f32,
    /// Tie-breaker.
    pub priority: i32,
    /// Reply templates per language.
    pub replies: PerLang<Vec<String>>,
    /// Quick-reply buttons per language.
    pub quick_replies: PerLang<Vec<String>>,
    /// Slots to fill before answering.
    pub slots: Vec<String>,
    /// What to do once the slots are filled.
    pub action: Action,
    /// Always hand this intent to a human.
    pub handoff: bool,
    /// Where the intent is defined.
    pub location: Option<Location>,
    /// Its phrases as written (for coverage reports and lints).
    pub phrases: Vec<RuleText>,
    /// Its regex patterns as written.
    pub patterns: Vec<RuleText>,
}

/// The placeholders the conversation engine fills itself, besides the keys
/// of `settings:` and slot names: the one list every check of a reply
/// template uses.
pub(crate) const BUILTIN_PLACEHOLDERS: &[&str] = &[
    "order_id",
    "carrier",
    "tracking",
    "eta",
    "status",
    "agent_hours",
    "agents_back",
    "contact",
    "tries_left",
    "count",
    "order_ids",
];

/// Every `{name}` in a template (names are ASCII letters, digits, `_`).
pub(crate) fn placeholders(t: &str) -> impl Iterator<Item = &str> {
    t.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
}
