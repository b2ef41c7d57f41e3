//! The KPI dashboard, computed from the stored event lines with the same
//! definitions as `firstline report` (conversations, resolved without a
//! human, fallback rate, handoff reasons, top intents, repeat contacts about
//! one order, messages by hour), rendered as one HTML page with inline SVG.
//!
//! Event lines hold intents, reason codes and order ids, never customer
//! text; everything is escaped anyway.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::Value;

/// The figures on the dashboard.
#[derive(Debug, Default)]
pub struct Report {
    /// Event lines read.
    pub events: usize,
    /// Lines that were not events.
    pub malformed: usize,
    /// Distinct sessions.
    pub conversations: usize,
    /// Sessions that were never handed off.
    pub resolved: usize,
    /// Customer messages.
    pub messages: usize,
    /// Messages the bot did not understand.
    pub fallbacks: usize,
    /// Sessions handed off.
    pub handoffs: usize,
    /// Handoffs by reason, most frequent first.
    pub reasons: Vec<(String, usize)>,
    /// Intents by messages, most frequent first (top 10).
    pub intents: Vec<(String, usize)>,
    /// Order lookups by result (`found`, `not_found`, `failed`...).
    pub lookups: Vec<(String, usize)>,
    /// Order ids asked about in more than one conversation.
    pub repeat_orders: Vec<(String, usize)>,
    /// Customer messages by hour of the shop's day.
    pub hours: [usize; 24],
}

fn sorted(map: BTreeMap<String, usize>, top: usize) -> Vec<(String, usize)> {
    let mut v: Vec<_> = map.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v.truncate(top);
    v
}

impl Report {
    /// Reads event lines; `offset` is the shop's UTC offset in seconds.
    pub fn from_lines<'a>(lines: impl IntoIterator<Item = &'a str>, offset: i64) -> Report {
        let mut r = Report::default();
        let mut sessions = BTreeSet::new();
        let mut handed_off = BTreeSet::new();
        let mut reasons = BTreeMap::new();
        let mut intents = BTreeMap::new();
        let mut lookups = BTreeMap::new();
        let mut orders: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for line in lines {
            let Ok(Value::Object(o)) = serde_json::from_str::<Value>(line) else {
                r.malformed += 1;
                continue;
            };
            let (Some(session), Some(ts), Some(outcome)) = (
                o.get("session").and_then(Value::as_str),
                o.get("ts").and_then(Value::as_i64),
                o.get("outcome").and_then(Value::as_str),
            ) else {
                r.malformed += 1;
                continue;
            };
            r.events += 1;
            sessions.insert(session.to_owned());
            if o.get("input").and_then(Value::as_str).unwrap_or("message") == "message" {
                r.messages += 1;
                r.hours[((ts + offset).rem_euclid(86_400) / 3600) as usize] += 1;
                if o.get("understood").and_then(Value::as_bool) == Some(false) {
                    r.fallbacks += 1;
                }
                if let Some(i) = o.get("intent").and_then(Value::as_str) {
                    *intents.entry(i.to_owned()).or_default() += 1;
                }
            }
            if outcome == "handoff" {
                handed_off.insert(session.to_owned());
                let reason = o
                    .get("handoff_reason")
                    .and_then(Value::as_str)
                    .unwrap_or("unknown");
                *reasons.entry(reason.to_owned()).or_default() += 1;
            }
            if let Some(l) = o.get("lookup").and_then(Value::as_str) {
                if l != "requested" {
                    *lookups.entry(l.to_owned()).or_default() += 1;
                }
            }
            if let Some(id) = o.get("order_id").and_then(Value::as_str) {
                orders
                    .entry(id.to_owned())
                    .or_default()
                    .insert(session.to_owned());
            }
        }
        r.conversations = sessions.len();
        r.handoffs = handed_off.len();
        r.resolved = r.conversations - r.handoffs;
        r.reasons = sorted(reasons, 20);
        r.intents = sorted(intents, 10);
        r.lookups = sorted(lookups, 10);
        r.repeat_orders = sorted(
            orders
                .into_iter()
                .filter(|(_, s)| s.len() > 1)
                .map(|(k, s)| (k, s.len()))
                .collect(),
            10,
        );
        r
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

fn pct(a: usize, b: usize) -> String {
    if b == 0 {
        "–".to_owned()
    } else {
        format!("{:.1}%", a as f64 * 100.0 / b as f64)
    }
}

/// Horizontal bars, one per (label, count).
fn bars(title: &str, items: &[(String, usize)]) -> String {
    let mut o = format!("<section><h2>{}</h2>", escape(title));
    if items.is_empty() {
        o.push_str("<p class=\"none\">(none yet)</p></section>");
        return o;
    }
    let max = items.iter().map(|i| i.1).max().unwrap_or(1).max(1);
    let row = 26;
    let h = items.len() * row;
    let _ = write!(
        o,
        "<svg role=\"img\" aria-label=\"{}\" viewBox=\"0 0 520 {h}\" width=\"100%\">",
        escape(title)
    );
    for (i, (label, n)) in items.iter().enumerate() {
        let y = i * row;
        let w = (*n as f64 / max as f64 * 250.0).max(2.0);
        let _ = write!(
            o,
            "<text x=\"0\" y=\"{}\" class=\"l\">{}</text><rect x=\"200\" y=\"{}\" width=\"{w:.0}\" height=\"16\" rx=\"3\"/><text x=\"{:.0}\" y=\"{}\" class=\"n\">{n}</text>",
            y + 16,
            escape(label),
            y + 4,
            206.0 + w,
            y + 16
        );
    }
    o.push_str("</svg></section>");
    o
}

fn hours_chart(hours: &[usize; 24]) -> String {
    let max = hours.iter().copied().max().unwrap_or(0).max(1);
    let mut o = String::from(
        "<section class=\"wide\"><h2>Messages by hour (shop time, UTC+07:00)</h2>\
         <svg role=\"img\" aria-label=\"Messages by hour\" viewBox=\"0 0 520 150\" width=\"100%\">",
    );
    for (h, n) in hours.iter().enumerate() {
        let bh = *n as f64 / max as f64 * 110.0;
        let x = 10 + h * 21;
        let _ = write!(
            o,
            "<rect x=\"{x}\" y=\"{:.0}\" width=\"16\" height=\"{bh:.0}\" rx=\"2\"><title>{h:02}:00 {n}</title></rect>",
            120.0 - bh
        );
        if h % 3 == 0 {
            let _ = write!(o, "<text x=\"{x}\" y=\"140\" class=\"n\">{h:02}</text>");
        }
    }
    o.push_str("</svg></section>");
    o
}

/// The dashboard page.
pub fn render_html(r: &Report) -> String {
    let mut o = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta http-equiv=\"refresh\" content=\"30\">\
         <title>Support KPIs · firstline</title><link rel=\"stylesheet\" href=\"/pages.css\"></head>\
         <body class=\"dash\"><header><h1>Support KPIs</h1><nav><a href=\"/inbox\">Inbox</a> · \
         <a href=\"/api/agent/events.jsonl\">events.jsonl</a></nav></header><main>",
    );
    let tiles = [
        ("Conversations", r.conversations.to_string(), String::new()),
        (
            "Resolved without a human",
            pct(r.resolved, r.conversations),
            format!("{} of {}", r.resolved, r.conversations),
        ),
        (
            "Handed off",
            r.handoffs.to_string(),
            pct(r.handoffs, r.conversations),
        ),
        ("Customer messages", r.messages.to_string(), String::new()),
        (
            "Not understood",
            pct(r.fallbacks, r.messages),
            format!("{} messages", r.fallbacks),
        ),
    ];
    o.push_str("<div class=\"tiles\">");
    for (label, value, sub) in tiles {
        let _ = write!(
            o,
            "<div class=\"tile\"><div class=\"v\">{}</div><div class=\"k\">{}</div><div class=\"s\">{}</div></div>",
            escape(&value),
            escape(label),
            escape(&sub)
        );
    }
    o.push_str("</div><div class=\"grid\">");
    o.push_str(&bars("Handoff reasons", &r.reasons));
    o.push_str(&bars("Top intents", &r.intents));
    o.push_str(&bars("Order lookups", &r.lookups));
    o.push_str(&bars(
        "Orders asked about in several conversations",
        &r.repeat_orders,
    ));
    o.push_str(&hours_chart(&r.hours));
    let _ = write!(
        o,
        "</div><p class=\"foot\">{} events{}. Refreshes every 30 s.</p></main></body></html>",
        r.events,
        if r.malformed > 0 {
            format!(", {} malformed lines skipped", r.malformed)
        } else {
            String::new()
        }
    );
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_like_the_cli_report() {
        let lines = [
            r#"{"ts":3600,"session":"a","turn":1,"lang":"vi","input":"message","intent":"track_order","confidence":0.9,"outcome":"lookup_order","lookup":"requested","understood":true,"order_id":"DH100004"}"#,
            r#"{"ts":3601,"session":"a","turn":1,"lang":"vi","input":"lookup","confidence":0,"outcome":"reply","lookup":"found","understood":true,"order_id":"DH100004"}"#,
            r#"{"ts":3700,"session":"b","turn":1,"lang":"en","input":"message","confidence":0,"outcome":"reply","understood":false}"#,
            r#"{"ts":3800,"session":"b","turn":2,"lang":"en","input":"message","intent":"human_agent","confidence":0.9,"outcome":"handoff","handoff_reason":"customer_request","priority":"normal","understood":true,"order_id":"DH100004"}"#,
            "not json",
        ];
        let r = Report::from_lines(lines, 7 * 3600);
        assert_eq!((r.events, r.malformed), (4, 1));
        assert_eq!((r.conversations, r.resolved, r.handoffs), (2, 1, 1));
        assert_eq!((r.messages, r.fallbacks), (3, 1));
        assert_eq!(r.reasons, vec![("customer_request".to_owned(), 1)]);
        assert_eq!(r.lookups, vec![("found".to_owned(), 1)]);
        assert_eq!(r.repeat_orders, vec![("DH100004".to_owned(), 2)]);
        // 3600 s after the epoch is 08:00 in UTC+07:00.
        assert_eq!(r.hours[8], 3);
    }

    #[test]
    fn escapes_every_label() {
        let line = r#"{"ts":0,"session":"<b>","input":"message","intent":"<script>alert(1)</script>","outcome":"handoff","handoff_reason":"a\"b","understood":true}"#;
        let html = render_html(&Report::from_lines([line], 0));
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("a&quot;b"));
    }
}
