//! The glue between the CLI and the conversation engine.

use firstline::Matcher;

/// Answers "would this message, as the first of a conversation, be handed
/// to a human, and why?".
pub struct Handoffs {}

impl Handoffs {
    pub fn new(_m: &Matcher) -> Handoffs {
        Handoffs {}
    }

    pub fn reason(&self, _text: &str) -> Option<String> {
        None
    }
}

pub fn handoff_reason(m: &Matcher, text: &str) -> Option<String> {
    Handoffs::new(m).reason(text)
}
