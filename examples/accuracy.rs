//! Measures the rule pack against a labelled development set.
//!
//! ```text
//! cargo run --release --example accuracy [-- DEVSET.tsv] [--rules DIR] [--errors]
//! ```
//!
//! The dev set is `intent<TAB>lang<TAB>text` per line (`#` starts a comment;
//! `-` as intent marks an off-topic message that must get no intent). The
//! rules default to the embedded pack; `--rules DIR` compiles a directory
//! instead (for example the pack plus a shop's own file). `--errors` lists
//! every misclassified message. `--no-check` skips the examples check
//! (to measure a pack whose examples fail), `--explain TEXT` shows what
//! fired for one message.

use std::collections::BTreeMap;
use std::process::ExitCode;

use firstline::{pack, Config, Matcher};

struct Row {
    gold: Option<String>,
    lang: String,
    text: String,
}

fn main() -> ExitCode {
    let mut devset = String::from("tests/data/devset.tsv");
    let mut rules: Option<String> = None;
    let mut show_errors = false;
    let mut config = Config::default();
    let mut explain: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--rules" => rules = args.next(),
            "--errors" => show_errors = true,
            "--no-check" => config.check_examples = false,
            "--explain" => explain = args.next(),
            _ => devset = arg,
        }
    }

    let built = match &rules {
        None => {
            let mut builder = Matcher::builder();
            builder.config(config);
            for (name, text) in pack::sources() {
                builder.add_yaml(name, text);
            }
            builder.build()
        }
        Some(dir) => Matcher::builder().config(config).add_path(dir).build(),
    };
    let matcher = match built {
        Ok(m) => m,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    for w in matcher.warnings() {
        eprintln!("{w}");
    }
    if let Some(text) = explain {
        let e = matcher.explain(&text);
        let c = &e.classification;
        println!("tokens: {:?}", e.tokens);
        println!("intent: {:?} ({:.2}, {:?})", c.intent, c.confidence, c.lang);
        for r in &c.ranked {
            println!(
                "  {:<26} score {:.2} confidence {:.2}",
                r.intent, r.score, r.confidence
            );
        }
        for x in &e.contributions {
            println!(
                "  {:?} {} {:?} {} [{}]",
                x.kind, x.intent, x.rule, x.weight, x.how
            );
        }
        println!("entities: {:?}", c.entities);
        return ExitCode::SUCCESS;
    }
    let text = match std::fs::read_to_string(&devset) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("cannot read {devset}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let rows: Vec<Row> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut parts = l.splitn(3, '\t');
            let (gold, lang, text) = (parts.next()?, parts.next()?, parts.next()?);
            Some(Row {
                gold: (gold != "-").then(|| gold.to_string()),
                lang: lang.to_string(),
                text: text.to_string(),
            })
        })
        .collect();

    // Per intent: (true positives, predicted, gold).
    let mut counts: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    let mut confused: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut by_lang: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let (mut correct, mut off_total, mut off_ok, mut handoff) = (0, 0, 0, 0);
    let mut errors = Vec::new();
    for row in &rows {
        let c = matcher.classify(&row.text);
        let got = c.intent_id().map(str::to_string);
        if got.as_deref() == Some("contact_human_agent")
            || c.lexicon_hits.iter().any(|h| h.severity >= 2)
        {
            handoff += 1;
        }
        if let Some(g) = &row.gold {
            counts.entry(g.clone()).or_default().2 += 1;
        } else {
            off_total += 1;
            off_ok += usize::from(got.is_none());
        }
        if let Some(p) = &got {
            counts.entry(p.clone()).or_default().1 += 1;
        }
        let ok = got == row.gold;
        let lang = by_lang.entry(row.lang.clone()).or_default();
        lang.1 += 1;
        if ok {
            correct += 1;
            lang.0 += 1;
            if let Some(g) = &row.gold {
                counts.entry(g.clone()).or_default().0 += 1;
            }
        } else {
            let name = |x: &Option<String>| x.clone().unwrap_or_else(|| "(none)".into());
            *confused.entry((name(&row.gold), name(&got))).or_default() += 1;
            errors.push(format!(
                "{:<26} -> {:<26} {:.2}  [{}] {}",
                name(&row.gold),
                name(&got),
                c.confidence,
                row.lang,
                row.text
            ));
        }
    }

    let pct = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    println!("dev set: {devset} ({} messages)\n", rows.len());
    println!(
        "{:<26} {:>9} {:>9} {:>6}",
        "intent", "precision", "recall", "n"
    );
    for (intent, (tp, pred, gold)) in &counts {
        println!(
            "{:<26} {:>9.3} {:>9.3} {:>6}",
            intent,
            pct(*tp, *pred),
            pct(*tp, *gold),
            gold
        );
    }
    let mut pairs: Vec<_> = confused.into_iter().collect();
    pairs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    println!("\nmost confused (expected -> got):");
    for ((gold, got), n) in pairs.iter().take(12) {
        println!("  {n:>3}  {gold} -> {got}");
    }
    println!();
    for (lang, (ok, n)) in &by_lang {
        println!("accuracy [{lang}]: {:.3} ({ok}/{n})", pct(*ok, *n));
    }
    println!(
        "overall accuracy: {:.3} ({correct}/{})",
        pct(correct, rows.len()),
        rows.len()
    );
    if off_total > 0 {
        println!(
            "off-topic accuracy (no intent): {:.3} ({off_ok}/{off_total})",
            pct(off_ok, off_total)
        );
    } else {
        println!("off-topic accuracy (no intent): n/a (no off-topic lines)");
    }
    println!(
        "handed off (contact_human_agent or lexicon severity >= 2): {:.3} ({handoff}/{})",
        pct(handoff, rows.len()),
        rows.len()
    );
    if show_errors {
        println!("\nerrors:");
        for e in &errors {
            println!("  {e}");
        }
    }
    ExitCode::SUCCESS
}
