//! firstline answers the first-line questions of an online shop's customers
//! — where is my order, how much is shipping, how do I return this, can I
//! pay COD — instantly, in Vietnamese and English, and hands everything else
//! to a human agent with context.
//!
//! Bot authors write intent rules in YAML (see `rules/RULES.md`); firstline
//! compiles them once into an immutable [`Matcher`] that classifies a
//! message in microseconds however customers type it: with or without
//! diacritics, decomposed Unicode, old or new tone placement, teencode
//! ("đh của e tới đâu r shop"), raw Telex ("dduwowcj"), mojibake
//! ("Ä‘Æ¡n hÃ ng") or English with typos ("where is my odrer").
//!
//! # Overview
//!
//! * [`Matcher`] — compiled rules; [`Matcher::classify`] returns a
//!   [`Classification`]: ranked intents with confidences, an ambiguity flag,
//!   the language, entities (order id, phone, email, money) with spans in
//!   the original text, and lexicon hits. [`Matcher::explain`] says why.
//! * [`MatcherBuilder`] and [`Config`] — several files or directories,
//!   thresholds, typo correction.
//! * [`normalize()`] and [`Normalizer`] — the text pipeline on its own, with
//!   a map back to byte offsets of what the customer typed.
//! * [`CompileError`] and [`Diagnostic`] — every mistake in the rules, with
//!   `file:line:column`, a caret snippet and a help line.
//! * [`Bot`] and [`Session`] — the sans-IO conversation layer: one call per
//!   customer message returns an [`Outcome`] (a reply, an order lookup for
//!   the host to perform, or a handoff to a human with a summary), and the
//!   session is a small serde value the host stores anywhere. See
//!   [`conversation`].
//! * [`pack`] — the shipped Vietnamese/English e-commerce rules, compiled
//!   in: [`pack::bot()`] is a working bot in one line.
//! * [`script`] — conversation scripts (YAML) run as tests, by the
//!   `firstline test` command or inside `cargo test`.
//! * [`report`] — support KPIs from the event lines (answered without a
//!   human, handoffs by reason, first-reply time, repeat contacts, busiest
//!   hours, top intents and fallback messages) and a self-contained HTML
//!   page of them, as `firstline report` prints.
//!
//! # Example
//!
//! ```
//! use firstline::Matcher;
//!
//! let matcher = Matcher::new(r#"
//! version: 1
//! concepts:
//!   order:
//!     vi: ["đơn hàng", "đơn"]
//!     en: ["order", "package"]
//! entities:
//!   order_id:
//!     pattern: '(?i)(?-u:\b)#?(?P<value>DH\d{6})(?-u:\b)'
//!     normalize: order_id
//! intents:
//!   - id: track_order
//!     phrases:
//!       vi: ["@order * (đâu|tới đâu)"]
//!       en: ["where * @order"]
//! "#)?;
//!
//! let c = matcher.classify("đh DH123456 của e tới đâu r shop");
//! assert_eq!(c.intent_id(), Some("track_order"));
//! assert_eq!(c.entity("order_id").map(|e| e.value.as_str()), Some("DH123456"));
//!
//! let c = matcher.classify("Where is my odrer??");
//! assert_eq!(c.intent_id(), Some("track_order"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Crate features
//!
//! * `cli` (default) — the `firstline` command-line tool and its
//!   dependency (clap). Library users can turn it off with
//!   `default-features = false`; the library itself never needs it.
//!   Enables `script`.
//! * `script` (default) — [`script`], conversation scripts run as tests
//!   (panicking asserts, JUnit output) and its dependency serde_yaml. A
//!   storefront that embeds the bot builds with `default-features = false`
//!   and links no test harness.
//!
//! # Untrusted input
//!
//! Customer messages are untrusted. Classification never panics, runs in
//! time linear in the message, and reads at most
//! [`Config::max_message_bytes`] of it. Replies never echo what the customer
//! typed: only validated entity values (an order id, a phone number) go into
//! templates, and no order detail is revealed before the ownership check.
//! Rule files are trusted more, but a broken or hostile one still yields a
//! [`CompileError`], never a panic, a hang or a runaway allocation: every
//! cost of compiling has a [`Limits`] bound (file size, YAML depth and
//! node count, phrase nesting and expansion, regex size), checked before
//! the work it bounds and reported at the place it was reached; only
//! regular files are read, and a directory loop is read once.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod conversation;
pub mod error;
pub mod eval;
mod fxhash;
mod lang;
pub mod matcher;
pub mod normalize;
pub mod pack;
pub mod report;
mod rules;
#[cfg(feature = "script")]
pub mod script;

pub use crate::conversation::{Bot, Outcome, Session, Turn};
pub use crate::error::{CompileError, Diagnostic, DiagnosticKind, Location, Severity};
pub use crate::lang::{Lang, PerLang};
pub use crate::matcher::{Classification, Config, Limits, Matcher, MatcherBuilder};
pub use crate::normalize::{normalize, Normalized, Normalizer};

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
