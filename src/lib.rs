//! firstline: a rule-based first-line support chatbot for Vietnamese and English shops.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod lang;
pub mod normalize;

pub use crate::lang::Lang;
