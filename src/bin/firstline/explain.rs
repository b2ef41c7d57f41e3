//! `firstline explain "message"`: why a message gets its intent.

use std::fmt::Write as _;
use std::io::Write as _;
use std::ops::Range;

use firstline::matcher::{ContributionKind, Explanation};
use firstline::{Config, Diagnostic, DiagnosticKind, Matcher};

use crate::rules::Rules;

pub fn run(rules: &Rules, message: &str, json: bool) -> u8 {
    let m = match load(rules) {
        Ok(m) => m,
        Err(code) => return code,
    };
    let ex = m.explain(message);
    let handoff = crate::engine::handoff_reason(&m, message);
    if json {
        let mut v = serde_json::to_value(&ex).unwrap_or(serde_json::Value::Null);
        if let Some(obj) = v.as_object_mut() {
            obj.insert("handoff".into(), handoff.into());
        }
        // A closed pipe (`| head`) ends the output, not the process.
        let _ = writeln!(std::io::stdout().lock(), "{v}");
    } else {
        let _ = write!(
            std::io::stdout().lock(),
            "{}",
            render(message, &ex, handoff.as_deref())
        );
    }
    0
}

/// Compiles the rules; failing examples do not stop `explain` (it is how
/// an author finds out why they fail): they are printed as warnings and
/// the rules are compiled again without checking examples.
fn load(rules: &Rules) -> Result<Matcher, u8> {
    let builder = match rules.builder() {
        Ok(b) => b,
        Err(msg) => {
            eprintln!("error: {msg}");
            return Err(crate::BAD_INPUT);
        }
    };
    let e = match builder.build() {
        Ok(m) => return Ok(m),
        Err(e) => e,
    };
    let example = |d: &Diagnostic| {
        matches!(
            d.kind(),
            DiagnosticKind::ExampleFailed | DiagnosticKind::CounterExampleFailed
        )
    };
    let errors: Vec<&Diagnostic> = e
        .diagnostics()
        .iter()
        .filter(|d| d.severity() == firstline::Severity::Error)
        .collect();
    if errors.is_empty() || !errors.iter().all(|d| example(d)) {
        eprintln!("{e}");
        return Err(crate::FAIL);
    }
    for d in &errors {
        let mut w = Diagnostic::warning(d.kind(), d.message()).at(d.location().cloned());
        if let Some(l) = d.label_text() {
            w = w.label(l);
        }
        if let Some(h) = d.help_text() {
            w = w.help(h);
        }
        eprintln!("{w}");
    }
    eprintln!(
        "warning: {} example{} of the rules fail{}; explaining anyway\n",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" },
        if errors.len() == 1 { "s" } else { "" }
    );
    let mut builder = builder;
    let mut config = Config::default();
    config.check_examples = false;
    match builder.config(config).build() {
        Ok(m) => Ok(m),
        Err(e) => {
            eprintln!("{e}");
            Err(crate::FAIL)
        }
    }
}

/// A span of the message in characters (what an editor's column shows),
/// with the text it covers.
fn at(message: &str, span: &Range<usize>) -> String {
    match message.get(span.clone()) {
        Some(text) if !span.is_empty() => {
            let start = message[..span.start].chars().count();
            let end = start + text.chars().count();
            format!("on \"{text}\" at chars {start}..{end}")
        }
        _ => "(no span)".to_string(),
    }
}

pub fn render(message: &str, ex: &Explanation, handoff: Option<&str>) -> String {
    let c = &ex.classification;
    let mut o = String::new();
    let _ = writeln!(o, "message:     {message:?}");
    if ex.clean != message {
        let _ = writeln!(o, "clean:       {:?}", ex.clean);
    }
    let _ = writeln!(o, "normalized:  {:?}", ex.normalized);
    let _ = writeln!(o, "folded:      {:?}", ex.folded);
    let _ = writeln!(o, "tokens:      {}", ex.tokens.join(" | "));
    let _ = writeln!(o, "lang:        {}", c.lang);
    if !ex.corrections.is_empty() {
        let _ = writeln!(o, "corrections:");
        for k in &ex.corrections {
            let _ = writeln!(
                o,
                "  {} -> {} (distance {}) {}",
                k.from,
                k.to,
                k.distance,
                at(message, &k.span)
            );
        }
    }
    let _ = writeln!(o, "fired:");
    if ex.contributions.is_empty() {
        let _ = writeln!(o, "  (nothing)");
    }
    for k in &ex.contributions {
        let (kind, w, rule, span) = match k.kind {
            ContributionKind::Pattern => (
                "regex",
                format!("+{:.2}", k.weight),
                format!("/{}/", k.rule),
                at(message, &k.span),
            ),
            ContributionKind::Exclude => (
                "exclude",
                format!("×{:.2}", k.weight),
                format!("\"{}\" ({})", k.rule, k.how),
                at(message, &k.span),
            ),
            ContributionKind::Veto => (
                "veto",
                "veto".to_string(),
                format!("\"{}\" ({})", k.rule, k.how),
                at(message, &k.span),
            ),
            ContributionKind::Vetoed => (
                "vetoed",
                "0".to_string(),
                format!(
                    "\"{}\" ({}, removed by veto \"{}\")",
                    k.rule,
                    k.how,
                    k.vetoed_by.as_deref().unwrap_or("?")
                ),
                at(message, &k.span),
            ),
            ContributionKind::Set => (
                "set",
                format!("={:.2}", k.weight),
                format!("{{{}}}", k.rule),
                at(message, &k.span),
            ),
            ContributionKind::SetPart => (
                "part",
                format!("+{:.2}", k.weight),
                format!("\"{}\" ({})", k.rule, k.how),
                at(message, &k.span),
            ),
            ContributionKind::SetSupport => (
                "support",
                format!("+{:.2}", k.weight),
                format!("\"{}\" ({})", k.rule, k.how),
                at(message, &k.span),
            ),
            _ => (
                "phrase",
                format!("+{:.2}", k.weight),
                format!("\"{}\" ({})", k.rule, k.how),
                at(message, &k.span),
            ),
        };
        let _ = writeln!(
            o,
            "  {w:>6}  {:<18} {kind:<7} {rule} {span}, {}",
            k.intent, k.location
        );
    }
    let _ = writeln!(o, "scores:");
    if ex.scores.is_empty() {
        let _ = writeln!(o, "  (no phrase or regex counts)");
    }
    for s in &ex.scores {
        let _ = writeln!(o, "  {:<18} {s}", s.intent);
    }
    if let Some(sim) = &ex.similar {
        let _ = writeln!(
            o,
            "similarity:  examples consulted (the phrases left doubt): threshold {:.2}, off-topic {:.2}, {}",
            sim.threshold,
            sim.off_topic,
            if sim.decided {
                "it decided the intent"
            } else {
                "it did not decide"
            }
        );
        for (intent, score) in &sim.intents {
            let _ = writeln!(o, "  {intent:<18} {score:.2}");
        }
        for (intent, score, text) in &sim.nearest {
            let _ = writeln!(
                o,
                "  nearest {:.2} {} \"{text}\"",
                score,
                intent.as_deref().unwrap_or("(off-topic)")
            );
        }
    }
    let _ = writeln!(o, "ranked:");
    if c.ranked.is_empty() {
        let _ = writeln!(o, "  (no intent scored)");
    }
    for (i, s) in c.ranked.iter().enumerate() {
        let _ = writeln!(
            o,
            "  {}. {:<18} confidence {:.2}  score {:.2}",
            i + 1,
            s.intent,
            s.confidence,
            s.score
        );
    }
    let _ = writeln!(
        o,
        "intent:      {} (confidence {:.2}){}",
        c.intent.as_deref().unwrap_or("none"),
        c.confidence,
        if c.ambiguous { " ambiguous" } else { "" }
    );
    if !c.also.is_empty() {
        let also: Vec<String> = c
            .also
            .iter()
            .map(|s| format!("{} (confidence {:.2})", s.intent, s.confidence))
            .collect();
        let _ = writeln!(o, "also:        {}", also.join(", "));
    }
    let _ = writeln!(o, "entities:");
    if c.entities.is_empty() {
        let _ = writeln!(o, "  (none)");
    }
    for e in &c.entities {
        let _ = writeln!(o, "  {} = {} {}", e.name, e.value, at(message, &e.span));
    }
    let _ = writeln!(o, "lexicon hits:");
    if c.lexicon_hits.is_empty() {
        let _ = writeln!(o, "  (none)");
    }
    for h in &c.lexicon_hits {
        let _ = writeln!(
            o,
            "  {} (severity {}) \"{}\" {}",
            h.lexicon,
            h.severity,
            h.term,
            at(message, &h.span)
        );
    }
    let _ = writeln!(o, "handoff:     {}", handoff.unwrap_or("none"));
    o
}
