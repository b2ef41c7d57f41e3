//! firstline: a rule-based first-line support chatbot for Vietnamese and English shops.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod conversation;
pub mod error;
mod lang;
pub mod matcher;
pub mod normalize;
mod rules;

pub use crate::conversation::{Bot, Outcome, Session, Turn};
pub use crate::error::{CompileError, Diagnostic, DiagnosticKind, Location, Severity};
pub use crate::lang::Lang;
pub use crate::matcher::{Classification, Config, Matcher, MatcherBuilder};
pub use crate::normalize::{normalize, Normalized, Normalizer};
