//! `firstline classify`: stdin lines in, JSON lines out, for pipelines.

use std::collections::BTreeMap;
use std::io::{BufRead, BufWriter, Write};

use serde_json::{json, Value};

use crate::engine::Handoffs;
use crate::rules::Rules;

pub fn run(rules: &Rules) -> u8 {
    let m = match crate::load(rules) {
        Ok(m) => m,
        Err(code) => return code,
    };
    let handoffs = Handoffs::new(&m);
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut bad = 0usize;
    for (i, line) in stdin.lock().split(b'\n').enumerate() {
        let lineno = i + 1;
        let line = match line {
            Ok(l) => l,
            Err(e) => {
                eprintln!("line {lineno}: cannot read stdin: {e}");
                return crate::BAD_INPUT;
            }
        };
        let mut line = String::from_utf8_lossy(&line).into_owned();
        if line.ends_with('\r') {
            line.pop();
        }
        let v = match text_of(&line) {
            Ok(text) => {
                let c = m.classify(&text);
                let mut entities: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
                for e in &c.entities {
                    entities.entry(&e.name).or_default().push(&e.value);
                }
                // Written by hand to keep the documented key order.
                format!(
                    "{{\"text\":{},\"intent\":{},\"confidence\":{},\"also\":{},\"lang\":{},\"entities\":{},\"handoff\":{}}}",
                    Value::from(text.as_str()),
                    json!(c.intent.as_deref()),
                    json!(round(c.confidence)),
                    json!(c.also.iter().map(|s| &*s.intent).collect::<Vec<_>>()),
                    json!(c.lang.code()),
                    json!(entities),
                    json!(handoffs.reason(&text)),
                )
            }
            Err(err) => {
                bad += 1;
                eprintln!("line {lineno}: {err}");
                format!(
                    "{{\"line\":{lineno},\"error\":{}}}",
                    Value::from(err.as_str())
                )
            }
        };
        if writeln!(out, "{v}").is_err() {
            // Downstream closed the pipe: stop quietly.
            return 0;
        }
    }
    let _ = out.flush();
    if bad > 0 {
        eprintln!(
            "classify: {bad} bad line{}",
            if bad == 1 { "" } else { "s" }
        );
    }
    0
}

fn round(x: f32) -> f64 {
    (f64::from(x) * 1000.0).round() / 1000.0
}

/// The message of one input line: the line itself, or the `"text"` field
/// when the line is a JSON object.
fn text_of(line: &str) -> Result<String, String> {
    let trimmed = line.trim_start();
    if !trimmed.starts_with('{') {
        return Ok(line.to_string());
    }
    match serde_json::from_str::<Value>(trimmed) {
        Ok(Value::Object(o)) => match o.get("text") {
            Some(Value::String(s)) => Ok(s.clone()),
            Some(_) => Err("field \"text\" is not a string".to_string()),
            None => Err("JSON object has no \"text\" field".to_string()),
        },
        Ok(_) => Err("not a JSON object".to_string()),
        Err(e) => Err(format!("invalid JSON: {e}")),
    }
}
