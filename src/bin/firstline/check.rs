//! `firstline check`: compile, lint, summarise.

use firstline::{Diagnostic, DiagnosticKind, Matcher, Severity};

use crate::rules::{RawRules, Rules};
use crate::{BAD_INPUT, FAIL};

pub fn run(rules: &Rules, deny_warnings: bool) -> u8 {
    let compiled = match rules.compile() {
        Ok(c) => c,
        Err(msg) => {
            eprintln!("error: {msg}");
            return BAD_INPUT;
        }
    };
    let files = rules.raw_files();
    let nfiles = files.len();
    match compiled {
        Err(e) => {
            for d in e.diagnostics() {
                println!("{d}");
            }
            let errors = e.errors().count();
            let warnings = e.diagnostics().len() - errors;
            println!(
                "check: {nfiles} file{}: {}, {}: FAILED",
                plural(nfiles),
                count(errors, "error"),
                count(warnings, "warning")
            );
            FAIL
        }
        Ok(m) => {
            // The `conversation:` sections are checked by the engine.
            if let Err(e) = firstline::conversation::Bot::new(m.clone()) {
                for d in e.diagnostics() {
                    println!("{d}");
                }
                let errors = e.errors().count();
                println!(
                    "check: {nfiles} file{}: {}, {}: FAILED",
                    plural(nfiles),
                    count(errors, "error"),
                    count(e.diagnostics().len() - errors, "warning")
                );
                return FAIL;
            }
            let mut warnings: Vec<Diagnostic> = m.warnings().to_vec();
            warnings.extend(shadowed(&m, &RawRules::read(&files)));
            for d in &warnings {
                println!("{d}");
            }
            let n = warnings
                .iter()
                .filter(|d| d.severity() == Severity::Warning)
                .count();
            let fail = deny_warnings && n > 0;
            println!(
                "check: {nfiles} file{}, {}: 0 errors, {}: {}",
                plural(nfiles),
                count(m.intents().len(), "intent"),
                count(n, "warning"),
                if fail {
                    "FAILED (--deny-warnings)"
                } else {
                    "ok"
                }
            );
            if fail {
                FAIL
            } else {
                0
            }
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", plural(n))
}

/// An intent is shadowed when none of its phrases, turned into a concrete
/// message, classifies to it while at least one classifies to another
/// intent: customers who say exactly what the author wrote get the other
/// intent.
pub fn shadowed(m: &Matcher, raw: &RawRules) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for intent in m.intents() {
        let Some(phrases) = raw.phrases.get(&*intent.id) else {
            continue;
        };
        if phrases.is_empty() {
            continue;
        }
        let mut own = false;
        let mut others: Vec<String> = Vec::new();
        for (lang, p) in phrases {
            let sample = raw.sample(lang, p);
            if sample.is_empty() {
                continue;
            }
            match m.classify(&sample).intent_id() {
                Some(id) if id == &*intent.id => {
                    own = true;
                    break;
                }
                Some(id) if !others.iter().any(|o| o == id) => others.push(id.to_string()),
                Some(_) => {}
                None => {}
            }
        }
        if !own && !others.is_empty() {
            out.push(
                Diagnostic::warning(
                    DiagnosticKind::Lint,
                    format!(
                        "intent `{}` is shadowed: none of its phrases classifies to it",
                        intent.id
                    ),
                )
                .at(intent.location.clone())
                .label(format!("its phrases go to `{}`", others.join("`, `")))
                .help(
                    "make its phrases more specific, add `exclude` terms to the other \
                     intent, or raise this intent's `weight`/`priority`",
                ),
            );
        }
    }
    out
}
