//! `firstline eval`: accuracy of the rules on labelled files (the library's
//! `firstline::eval` does the counting).

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

use firstline::eval::{evaluate_by, read_samples, Format, Report};
use firstline::Config;
use serde_json::json;

use crate::rules::Rules;

/// What `eval` was asked to do.
pub struct Options {
    pub files: Vec<PathBuf>,
    pub format: Option<String>,
    pub by: String,
    pub errors: bool,
    pub json: bool,
    pub top: usize,
    pub no_check: bool,
    pub fail_under: Option<f64>,
}

pub fn run(rules: &Rules, o: &Options) -> u8 {
    let format = match o.format.as_deref() {
        None => None,
        Some("tsv") => Some(Format::Tsv),
        Some("csv") => Some(Format::Csv),
        Some("jsonl") | Some("json") => Some(Format::Jsonl),
        Some(other) => {
            eprintln!("error: unknown format `{other}`: use tsv, csv or jsonl");
            return crate::BAD_INPUT;
        }
    };
    let matcher = if o.no_check {
        let mut b = match rules.builder() {
            Ok(b) => b,
            Err(msg) => {
                eprintln!("error: {msg}");
                return crate::BAD_INPUT;
            }
        };
        let mut config = Config::default();
        config.check_examples = false;
        match b.config(config).build() {
            Ok(m) => m,
            Err(e) => {
                eprintln!("{e}");
                return crate::FAIL;
            }
        }
    } else {
        match crate::load(rules) {
            Ok(m) => m,
            Err(code) => return code,
        }
    };
    let mut reports = Vec::new();
    for path in &o.files {
        let name = path.display().to_string();
        let data = match std::fs::read_to_string(path) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("error: cannot read {name}: {e}");
                return crate::BAD_INPUT;
            }
        };
        let fmt = format.unwrap_or_else(|| Format::from_path(&name));
        let samples = match read_samples(&data, fmt) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: {name}: {e}");
                return crate::BAD_INPUT;
            }
        };
        reports.push((name, evaluate_by(&matcher, &samples, &o.by)));
    }
    // Written at once; a closed pipe (`| head`) ends the output, not the
    // process.
    let mut text = String::new();
    if o.json {
        let files: Vec<_> = reports
            .iter()
            .map(|(n, r)| to_json(n, r, o.errors))
            .collect();
        let _ = writeln!(
            text,
            "{}",
            serde_json::to_string_pretty(&files).unwrap_or_default()
        );
    } else {
        for (name, r) in &reports {
            let _ = writeln!(text, "== {name} ({} messages)\n", r.total);
            text.push_str(&r.to_text(o.top));
            if o.errors && !r.misses.is_empty() {
                let _ = writeln!(text, "\nmisses (line: expected -> got, confidence):");
                for m in &r.misses {
                    let _ = writeln!(
                        text,
                        "  {:>5}: {} -> {} {:.2}  {}",
                        m.line,
                        m.expected.as_deref().unwrap_or("(none)"),
                        m.got.as_deref().unwrap_or("(none)"),
                        m.confidence,
                        m.text
                    );
                }
            }
            text.push('\n');
        }
    }
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    if let Some(floor) = o.fail_under {
        let low: Vec<_> = reports
            .iter()
            .filter(|(_, r)| r.accuracy() < floor)
            .map(|(n, r)| format!("{n} ({:.3})", r.accuracy()))
            .collect();
        if !low.is_empty() {
            eprintln!("eval: accuracy under {floor}: {}", low.join(", "));
            return crate::FAIL;
        }
    }
    0
}

fn to_json(name: &str, r: &Report, misses: bool) -> serde_json::Value {
    let intents: serde_json::Map<String, serde_json::Value> = r
        .intents
        .iter()
        .map(|(id, c)| {
            (
                id.clone(),
                json!({"precision": c.precision(), "recall": c.recall(),
                       "labelled": c.labelled, "predicted": c.predicted, "correct": c.correct}),
            )
        })
        .collect();
    let confusions: Vec<_> = r
        .confusions
        .iter()
        .map(|((e, g), n)| json!({"expected": e, "got": g, "count": n}))
        .collect();
    let groups: serde_json::Map<String, serde_json::Value> = r
        .groups
        .iter()
        .map(|(g, c)| (g.clone(), json!({"correct": c.correct, "total": c.total})))
        .collect();
    let mut v = json!({
        "file": name,
        "total": r.total,
        "correct": r.correct,
        "accuracy": r.accuracy(),
        "in_domain_accuracy": r.in_domain_accuracy(),
        "unanswered": r.unanswered,
        "off_topic_total": r.off_topic_total,
        "off_topic_correct": r.off_topic_correct,
        "off_topic_accuracy": r.off_topic_accuracy(),
        "handoffs": r.handoffs,
        "handoff_share": r.handoff_share(),
        "intents": intents,
        "confusions": confusions,
        "groups": groups,
        "unknown_labels": r.unknown_labels,
    });
    if misses {
        v["misses"] = serde_json::to_value(&r.misses).unwrap_or_default();
    }
    v
}
