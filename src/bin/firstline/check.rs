//! `firstline check`: compile, lint, summarise.

use firstline::{Diagnostic, Severity};

use crate::rules::Rules;
use crate::{BAD_INPUT, FAIL};

pub fn run(rules: &Rules, deny_warnings: bool, explain_settings: bool) -> u8 {
    let compiled = match rules.compile() {
        Ok(c) => c,
        Err(msg) => {
            eprintln!("error: {msg}");
            return BAD_INPUT;
        }
    };
    let nfiles = rules.file_count();
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
            if explain_settings {
                print_settings(&m);
            }
            let mut warnings: Vec<Diagnostic> = m.warnings().to_vec();
            warnings.extend(m.shadowed_intents());
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

/// `--explain-settings`: each setting, its value and where it was set.
fn print_settings(m: &firstline::Matcher) {
    println!("settings (the last file that sets a key wins):");
    let width = m
        .settings()
        .keys()
        .map(|k| k.chars().count())
        .max()
        .unwrap_or(0);
    for (key, value) in m.settings() {
        let from = m
            .setting_location(key)
            .map_or_else(String::new, |l| l.to_string());
        println!("  {key:<width$} = {value:?}  ({from})");
    }
}
