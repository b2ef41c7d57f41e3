//! `firstline explain "message"`: why a message gets its intent.

use std::fmt::Write as _;
use std::ops::Range;

use firstline::matcher::{ContributionKind, Explanation};

use crate::rules::Rules;

pub fn run(rules: &Rules, message: &str, json: bool) -> u8 {
    let m = match crate::load(rules) {
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
        println!("{v}");
    } else {
        print!("{}", render(message, &ex, handoff.as_deref()));
    }
    0
}

fn quote(message: &str, span: &Range<usize>) -> String {
    format!("{:?}", message.get(span.clone()).unwrap_or(""))
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
                "  {} -> {} (distance {}) at {}..{} {}",
                k.from,
                k.to,
                k.distance,
                k.span.start,
                k.span.end,
                quote(message, &k.span)
            );
        }
    }
    let _ = writeln!(o, "fired:");
    if ex.contributions.is_empty() {
        let _ = writeln!(o, "  (nothing)");
    }
    for k in &ex.contributions {
        let (kind, w) = match k.kind {
            ContributionKind::Phrase => ("phrase", format!("+{:.2}", k.weight)),
            ContributionKind::Pattern => ("regex", format!("+{:.2}", k.weight)),
            ContributionKind::Exclude => ("exclude", "veto".to_string()),
            _ => ("other", format!("+{:.2}", k.weight)),
        };
        let _ = writeln!(
            o,
            "  {w:>6}  {:<18} {kind:<7} {:?} ({}) on {} at {}",
            k.intent,
            &*k.rule,
            k.how,
            quote(message, &k.span),
            k.location
        );
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
    let _ = writeln!(o, "entities:");
    if c.entities.is_empty() {
        let _ = writeln!(o, "  (none)");
    }
    for e in &c.entities {
        let _ = writeln!(
            o,
            "  {} = {} from {} at {}..{}",
            e.name,
            e.value,
            quote(message, &e.span),
            e.span.start,
            e.span.end
        );
    }
    let _ = writeln!(o, "lexicon hits:");
    if c.lexicon_hits.is_empty() {
        let _ = writeln!(o, "  (none)");
    }
    for h in &c.lexicon_hits {
        let _ = writeln!(
            o,
            "  {} (severity {}) {:?} on {} at {}..{}",
            h.lexicon,
            h.severity,
            &*h.term,
            quote(message, &h.span),
            h.span.start,
            h.span.end
        );
    }
    let _ = writeln!(o, "handoff:     {}", handoff.unwrap_or("none"));
    o
}
