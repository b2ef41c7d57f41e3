//! `firstline report`: support KPIs from event logs.
//!
//! Reads the JSON lines the conversation engine's `Event::to_json_line`
//! writes: `ts`, `session`, `turn`, `lang`, `input` (`message`/`lookup`),
//! `intent`, `confidence`, `outcome` (`reply`/`lookup_order`/`handoff`),
//! `handoff_reason`, `priority`, `lookup`, `verification`, `understood`,
//! and `order_id` (the order a conversation is about, once known).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;

use serde_json::{json, Value};

#[derive(Default)]
struct Stats {
    events: usize,
    malformed: usize,
    malformed_lines: Vec<String>,
    sessions: BTreeSet<String>,
    handed_off: BTreeSet<String>,
    messages: usize,
    fallbacks: usize,
    handoff_reasons: BTreeMap<String, usize>,
    intents: BTreeMap<String, usize>,
    /// order id -> sessions that asked about it
    orders: BTreeMap<String, BTreeSet<String>>,
    saw_order_ids: bool,
    hours: [usize; 24],
}

pub fn run(files: &[PathBuf], json_out: bool, utc_offset: &str, complaints: &[String]) -> u8 {
    let offset = match parse_offset(utc_offset) {
        Some(o) => o,
        None => {
            eprintln!("error: --utc-offset must look like +07:00 or -05:30, not {utc_offset:?}");
            return crate::BAD_INPUT;
        }
    };
    let mut stats = Stats::default();
    let inputs: Vec<PathBuf> = if files.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        files.to_vec()
    };
    for f in &inputs {
        let name = f.display().to_string();
        let reader: Box<dyn Read> = if name == "-" {
            Box::new(std::io::stdin())
        } else {
            match std::fs::File::open(f) {
                Ok(file) => Box::new(file),
                Err(e) => {
                    eprintln!("error: cannot read {name}: {e}");
                    return crate::BAD_INPUT;
                }
            }
        };
        for (i, line) in BufReader::new(reader).split(b'\n').enumerate() {
            let Ok(line) = line else {
                eprintln!("error: cannot read {name}");
                return crate::BAD_INPUT;
            };
            let line = String::from_utf8_lossy(&line);
            if line.trim().is_empty() {
                continue;
            }
            if let Err(why) = stats.add(&line, offset) {
                stats.malformed += 1;
                if stats.malformed_lines.len() < 20 {
                    stats
                        .malformed_lines
                        .push(format!("{name}:{}: {why}", i + 1));
                }
            }
        }
    }
    for m in &stats.malformed_lines {
        eprintln!("malformed: {m}");
    }
    if stats.malformed > stats.malformed_lines.len() {
        eprintln!(
            "malformed: ... and {} more",
            stats.malformed - stats.malformed_lines.len()
        );
    }
    let complaint = |id: &str| {
        if complaints.is_empty() {
            id.contains("complain")
        } else {
            complaints.iter().any(|c| c == id)
        }
    };
    let v = stats.to_json(&complaint, utc_offset);
    if json_out {
        println!("{v}");
    } else {
        print!("{}", render(&v));
    }
    0
}

fn parse_offset(s: &str) -> Option<i64> {
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => (1, s),
    };
    let (h, m) = rest.split_once(':').unwrap_or((rest, "0"));
    let h: i64 = h.parse().ok()?;
    let m: i64 = m.parse().ok()?;
    if h > 14 || m >= 60 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60))
}

impl Stats {
    fn add(&mut self, line: &str, offset: i64) -> Result<(), String> {
        let v: Value = serde_json::from_str(line).map_err(|e| format!("invalid JSON: {e}"))?;
        let o = v.as_object().ok_or("not a JSON object")?;
        let session = o
            .get("session")
            .and_then(Value::as_str)
            .ok_or("no \"session\" string")?;
        let ts = o
            .get("ts")
            .and_then(Value::as_i64)
            .ok_or("no \"ts\" integer")?;
        let outcome = o
            .get("outcome")
            .and_then(Value::as_str)
            .ok_or("no \"outcome\" string")?;
        let input = o.get("input").and_then(Value::as_str).unwrap_or("message");
        self.events += 1;
        self.sessions.insert(session.to_string());
        if input == "message" {
            self.messages += 1;
            let hour = (ts + offset).rem_euclid(86_400) / 3600;
            self.hours[hour as usize] += 1;
            if o.get("understood").and_then(Value::as_bool) == Some(false) {
                self.fallbacks += 1;
            }
            if let Some(intent) = o.get("intent").and_then(Value::as_str) {
                *self.intents.entry(intent.to_string()).or_default() += 1;
            }
        }
        if outcome == "handoff" {
            self.handed_off.insert(session.to_string());
            let reason = o
                .get("handoff_reason")
                .and_then(Value::as_str)
                .unwrap_or("unknown");
            *self.handoff_reasons.entry(reason.to_string()).or_default() += 1;
        }
        if let Some(id) = o
            .get("order_id")
            .or_else(|| o.get("order"))
            .and_then(Value::as_str)
        {
            self.saw_order_ids = true;
            self.orders
                .entry(id.to_string())
                .or_default()
                .insert(session.to_string());
        }
        Ok(())
    }

    fn to_json(&self, complaint: &dyn Fn(&str) -> bool, utc_offset: &str) -> Value {
        let conversations = self.sessions.len();
        let resolved = conversations - self.handed_off.len();
        let ratio = |a: usize, b: usize| {
            if b == 0 {
                0.0
            } else {
                ((a as f64 / b as f64) * 1000.0).round() / 1000.0
            }
        };
        let mut intents: Vec<(&String, &usize)> = self.intents.iter().collect();
        intents.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let top = |it: &mut dyn Iterator<Item = (&String, &usize)>| -> Vec<Value> {
            it.take(10)
                .map(|(k, n)| json!({ "intent": k, "count": n }))
                .collect()
        };
        let top_intents = top(&mut intents.iter().copied());
        let top_complaints = top(&mut intents.iter().copied().filter(|(k, _)| complaint(k)));
        let mut reasons: Vec<(&String, &usize)> = self.handoff_reasons.iter().collect();
        reasons.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let repeat: Vec<Value> = self
            .orders
            .iter()
            .filter(|(_, s)| s.len() > 1)
            .map(|(id, s)| json!({ "order_id": id, "conversations": s.len() }))
            .collect();
        json!({
            "events": self.events,
            "malformed_lines": self.malformed,
            "conversations": conversations,
            "resolved_without_human": resolved,
            "resolved_share": ratio(resolved, conversations),
            "messages": self.messages,
            "fallbacks": self.fallbacks,
            "fallback_rate": ratio(self.fallbacks, self.messages),
            "handoffs": self.handed_off.len(),
            "handoff_reasons": reasons.iter().map(|(k, n)| json!({ "reason": k, "count": n })).collect::<Vec<_>>(),
            "top_intents": top_intents,
            "top_complaints": top_complaints,
            "repeat_contacts": if self.saw_order_ids { Value::from(repeat) } else { Value::Null },
            "utc_offset": utc_offset,
            "messages_by_hour": self.hours.to_vec(),
        })
    }
}

fn render(v: &Value) -> String {
    let mut o = String::new();
    let n = |k: &str| v[k].as_u64().unwrap_or(0);
    let pct = |k: &str| format!("{:.1}%", v[k].as_f64().unwrap_or(0.0) * 100.0);
    let _ = writeln!(o, "Support report");
    let _ = writeln!(o, "  events                  {}", n("events"));
    if n("malformed_lines") > 0 {
        let _ = writeln!(
            o,
            "  malformed lines         {} (skipped)",
            n("malformed_lines")
        );
    }
    let _ = writeln!(o, "  conversations           {}", n("conversations"));
    let _ = writeln!(
        o,
        "  resolved without human  {} ({})",
        n("resolved_without_human"),
        pct("resolved_share")
    );
    let _ = writeln!(o, "  customer messages       {}", n("messages"));
    let _ = writeln!(
        o,
        "  fallbacks               {} ({} of messages)",
        n("fallbacks"),
        pct("fallback_rate")
    );
    let _ = writeln!(o, "  handed off              {}", n("handoffs"));
    let list = |o: &mut String, title: &str, key: &str, name: &str| {
        let _ = writeln!(o, "\n{title}");
        let items = v[key].as_array().cloned().unwrap_or_default();
        if items.is_empty() {
            let _ = writeln!(o, "  (none)");
        }
        for it in items {
            let _ = writeln!(
                o,
                "  {:<28} {:>6}",
                it[name].as_str().unwrap_or("?"),
                it["count"].as_u64().unwrap_or(0)
            );
        }
    };
    list(&mut o, "Handoff reasons", "handoff_reasons", "reason");
    list(&mut o, "Top intents", "top_intents", "intent");
    list(&mut o, "Top complaints", "top_complaints", "intent");
    let _ = writeln!(o, "\nRepeat contacts about the same order");
    match v["repeat_contacts"].as_array() {
        None => {
            let _ = writeln!(o, "  n/a (the events carry no order_id)");
        }
        Some(a) if a.is_empty() => {
            let _ = writeln!(o, "  (none)");
        }
        Some(a) => {
            for it in a {
                let _ = writeln!(
                    o,
                    "  {:<28} {:>3} conversations",
                    it["order_id"].as_str().unwrap_or("?"),
                    it["conversations"].as_u64().unwrap_or(0)
                );
            }
        }
    }
    let _ = writeln!(
        o,
        "\nMessages by hour (UTC{})",
        v["utc_offset"].as_str().unwrap_or("")
    );
    let hours: Vec<u64> = v["messages_by_hour"]
        .as_array()
        .map(|a| a.iter().map(|x| x.as_u64().unwrap_or(0)).collect())
        .unwrap_or_default();
    let max = hours.iter().copied().max().unwrap_or(0).max(1);
    for (h, c) in hours.iter().enumerate() {
        let bar = "#".repeat(((c * 40).div_ceil(max)) as usize);
        let _ = writeln!(o, "  {h:02}:00  {c:>6}  {bar}");
    }
    o
}
