//! Every public type can cross threads: a storefront shares one `Bot` and
//! `Matcher` between request handlers and moves sessions and results freely.

use firstline::conversation::{
    Bot, BotBuilder, Event, HandoffSummary, InputKind, LookupError, LookupErrorKind, LookupResult,
    LookupStatus, Order, OrderStatus, Outcome, OutcomeKind, Priority, Session, SessionError,
    SessionErrorKind, Turn, VerificationStatus,
};
use firstline::matcher::{
    Action, Classification, Config, Contribution, ContributionKind, Correction, Entity,
    Explanation, Intent, LexiconHit, Limits, Matcher, MatcherBuilder, PerLang, RuleText, Scored,
};
use firstline::normalize::{
    Normalized, Normalizer, NormalizerBuilder, Token, TokenKind, TokenOrigin,
};
use firstline::{CompileError, Diagnostic, DiagnosticKind, Lang, Location, Severity};

fn send_sync<T: Send + Sync + 'static>() {}

#[test]
fn public_types_are_send_and_sync() {
    send_sync::<Matcher>();
    send_sync::<MatcherBuilder>();
    send_sync::<Config>();
    send_sync::<Classification>();
    send_sync::<Explanation>();
    send_sync::<Scored>();
    send_sync::<Entity>();
    send_sync::<LexiconHit>();
    send_sync::<Correction>();
    send_sync::<Contribution>();
    send_sync::<ContributionKind>();
    send_sync::<Intent>();
    send_sync::<PerLang<Vec<String>>>();
    send_sync::<Limits>();
    send_sync::<RuleText>();
    send_sync::<Action>();
    send_sync::<Normalizer>();
    send_sync::<NormalizerBuilder>();
    send_sync::<Normalized>();
    send_sync::<Token>();
    send_sync::<TokenKind>();
    send_sync::<TokenOrigin>();
    send_sync::<CompileError>();
    send_sync::<Diagnostic>();
    send_sync::<DiagnosticKind>();
    send_sync::<Location>();
    send_sync::<Severity>();
    send_sync::<Lang>();
    send_sync::<Bot>();
    send_sync::<BotBuilder>();
    send_sync::<Session>();
    send_sync::<SessionError>();
    send_sync::<SessionErrorKind>();
    send_sync::<Turn>();
    send_sync::<Outcome>();
    send_sync::<OutcomeKind>();
    send_sync::<Event>();
    send_sync::<HandoffSummary>();
    send_sync::<InputKind>();
    send_sync::<LookupResult>();
    send_sync::<LookupError>();
    send_sync::<LookupErrorKind>();
    send_sync::<LookupStatus>();
    send_sync::<VerificationStatus>();
    send_sync::<Order>();
    send_sync::<OrderStatus>();
    send_sync::<Priority>();
}

#[test]
fn errors_are_std_errors() {
    fn is_error<E: std::error::Error + Send + Sync + 'static>() {}
    is_error::<CompileError>();
    is_error::<SessionError>();
    is_error::<LookupError>();
}

/// The YAML blocks of a Markdown file that start with `version: 1`.
fn rule_blocks(path: &str) -> Vec<String> {
    let text = std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    text.split("```yaml\n")
        .skip(1)
        .filter_map(|b| b.split("```").next())
        .filter(|b| b.starts_with("version: 1"))
        .map(str::to_string)
        .collect()
}

#[test]
fn rule_examples_in_the_docs_compile() {
    for doc in ["README.md", "rules/RULES.md"] {
        let blocks = rule_blocks(doc);
        assert!(!blocks.is_empty(), "{doc} has no rule example");
        for b in blocks {
            if let Err(e) = Matcher::new(&b) {
                panic!("a rule example in {doc} does not compile:\n{e}\n--- the example ---\n{b}");
            }
        }
    }
}
