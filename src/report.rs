//! Support KPIs from the conversation engine's events, and a
//! self-contained HTML page of them.
//!
//! Feed a [`Collector`] the JSON lines [`Event::to_json_line`] writes (or
//! the [`Event`]s themselves), then read the [`Kpis`] or render them with
//! [`html`]. The `firstline report` command is a thin wrapper around this
//! module; a web storefront can serve the same page from its own logs:
//!
//! ```
//! use firstline::conversation::Session;
//! use firstline::report::{self, Collector, Options};
//!
//! let bot = firstline::pack::bot();
//! let mut collector = Collector::new(Options::default());
//! for (id, text) in [("c1", "xin chào shop"), ("c2", "cho em gặp nhân viên với ạ")] {
//!     let mut session = Session::new(id);
//!     let turn = bot.handle_message(&mut session, text, 1_795_575_600);
//!     for event in &turn.events {
//!         collector.add_event(event, Some(text));
//!     }
//! }
//! let kpis = collector.kpis();
//! assert_eq!(kpis.conversations, 2);
//! assert_eq!(kpis.handoffs, 1);
//! let page = report::html(&kpis, "Shop Demo");
//! assert!(page.contains("<svg") && !page.contains("<script"));
//! ```
//!
//! What is counted, and how:
//!
//! - a conversation is a session id; it was **handed off** if any of its
//!   events hands off or carries a `handoff_reason`, which includes the
//!   bot asking for a contact outside agent hours (the customer may never
//!   leave one, but the conversation still needed a human);
//! - **top intents** count asks: consecutive messages of a conversation with
//!   the same intent (the question, then the order id, then the last digits
//!   of the phone) are one ask; a message's second request (`also`) is
//!   one more;
//! - **first-reply time** runs from a conversation's first message to the
//!   first event that answers it (a reply or a handoff), on the host's
//!   clock, so lookups the host makes are included;
//! - **repeat contacts** are orders (`order_id`) asked about in more than
//!   one conversation;
//! - **top fallback messages** need the customer's text on message events
//!   (a `text` field, which `firstline chat --events` writes and a host may
//!   add); without it the table is absent.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;

use crate::conversation::Event;

/// What a [`Collector`] needs to know about the shop.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Options {
    /// The shop's offset from UTC in seconds, for hours and weekdays
    /// (default: Vietnam, +07:00).
    pub utc_offset_secs: i64,
    /// Intents counted as complaints (default: every intent whose id
    /// contains `complain`).
    pub complaints: Vec<String>,
    /// How many rows the "top" tables keep (default 10).
    pub top: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            utc_offset_secs: 7 * 3600,
            complaints: Vec::new(),
            top: 10,
        }
    }
}

impl Options {
    /// Sets the UTC offset from text like `+07:00` or `-05:30`.
    ///
    /// # Errors
    ///
    /// A message when the text is not an offset.
    pub fn utc_offset(mut self, offset: &str) -> Result<Options, String> {
        self.utc_offset_secs = parse_offset(offset)
            .ok_or_else(|| format!("a UTC offset looks like +07:00 or -05:30, not {offset:?}"))?;
        Ok(self)
    }

    /// Sets the intents counted as complaints.
    pub fn complaints(mut self, intents: Vec<String>) -> Options {
        self.complaints = intents;
        self
    }
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
    if !(0..=14).contains(&h) || !(0..60).contains(&m) {
        return None;
    }
    Some(sign * (h * 3600 + m * 60))
}

fn format_offset(secs: i64) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.abs();
    format!("{sign}{:02}:{:02}", a / 3600, a % 3600 / 60)
}

#[derive(Default)]
struct SessionStats {
    first_message: Option<i64>,
    first_answer: Option<i64>,
    last_intent: Option<String>,
    handed_off: bool,
    out_of_hours: bool,
    reasons: BTreeSet<String>,
}

/// Accumulates events; see the [module docs](self) for what is counted.
#[derive(Default)]
pub struct Collector {
    options: Options,
    events: usize,
    malformed: usize,
    sessions: BTreeMap<String, SessionStats>,
    messages: usize,
    fallbacks: usize,
    intents: HashMap<String, usize>,
    orders: BTreeMap<String, BTreeSet<String>>,
    saw_order_ids: bool,
    saw_text: bool,
    /// normalised text -> (as first seen, count)
    fallback_texts: HashMap<String, (String, usize)>,
    grid: [[usize; 24]; 7],
}

impl Collector {
    /// An empty collector.
    pub fn new(options: Options) -> Collector {
        Collector {
            options,
            ..Collector::default()
        }
    }

    /// Adds one event; `text` is the customer's message for message
    /// events, when the host keeps it (for the top fallback messages).
    pub fn add_event(&mut self, event: &Event, text: Option<&str>) {
        let mut v = serde_json::to_value(event).unwrap_or(Value::Null);
        if let (Some(o), Some(t)) = (v.as_object_mut(), text) {
            o.insert("text".into(), t.into());
        }
        // An event always has the fields add_value needs.
        let _ = self.add_value(&v);
    }

    /// Adds one JSON event line. A line that is not an event is counted
    /// as malformed and skipped.
    ///
    /// # Errors
    ///
    /// Why the line is not an event (for the caller to show).
    pub fn add_line(&mut self, line: &str) -> Result<(), String> {
        let r = serde_json::from_str::<Value>(line)
            .map_err(|e| format!("invalid JSON: {e}"))
            .and_then(|v| self.add_value(&v));
        if r.is_err() {
            self.malformed += 1;
        }
        r
    }

    fn add_value(&mut self, v: &Value) -> Result<(), String> {
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
        let reason = o.get("handoff_reason").and_then(Value::as_str);
        self.events += 1;
        let s = self.sessions.entry(session.to_string()).or_default();
        if input == "message" {
            self.messages += 1;
            s.first_message.get_or_insert(ts);
            let local = ts.saturating_add(self.options.utc_offset_secs);
            let day = local.div_euclid(86_400);
            // 1970-01-01 was a Thursday: Monday is 0.
            let weekday = (day + 3).rem_euclid(7) as usize;
            let hour = (local.rem_euclid(86_400) / 3600) as usize;
            self.grid[weekday][hour] += 1;
            let intent = o.get("intent").and_then(Value::as_str);
            if let Some(i) = intent {
                if s.last_intent.as_deref() != Some(i) {
                    *self.intents.entry(i.to_string()).or_default() += 1;
                }
            }
            s.last_intent = intent.map(String::from);
            // A second request of the same message is an ask of its own.
            if let Some(a) = o.get("also").and_then(Value::as_str) {
                if Some(a) != intent {
                    *self.intents.entry(a.to_string()).or_default() += 1;
                }
            }
            let text = o.get("text").and_then(Value::as_str);
            self.saw_text |= text.is_some();
            if o.get("understood").and_then(Value::as_bool) == Some(false) {
                self.fallbacks += 1;
                if let Some(t) = text {
                    let key = t
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                        .to_lowercase();
                    if !key.is_empty() {
                        self.fallback_texts
                            .entry(key)
                            .or_insert_with(|| (t.trim().to_string(), 0))
                            .1 += 1;
                    }
                }
            }
        }
        if matches!(outcome, "reply" | "handoff") && s.first_message.is_some() {
            s.first_answer.get_or_insert(ts);
        }
        if outcome == "handoff" || reason.is_some() {
            s.handed_off = true;
            s.reasons.insert(reason.unwrap_or("unknown").to_string());
            if outcome != "handoff" {
                s.out_of_hours = true;
            }
        }
        if let Some(id) = o.get("order_id").and_then(Value::as_str) {
            self.saw_order_ids = true;
            self.orders
                .entry(id.to_string())
                .or_default()
                .insert(session.to_string());
        }
        Ok(())
    }

    /// The KPIs of everything added so far.
    pub fn kpis(&self) -> Kpis {
        let top = self.options.top;
        let conversations = self.sessions.len();
        let handoffs = self.sessions.values().filter(|s| s.handed_off).count();
        let resolved = conversations - handoffs;
        let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
        for s in self.sessions.values() {
            for r in &s.reasons {
                *reasons.entry(r).or_default() += 1;
            }
        }
        let counted = |m: Vec<(String, usize)>| -> Vec<Count> {
            let mut v: Vec<Count> = m
                .into_iter()
                .map(|(name, count)| Count { name, count })
                .collect();
            v.sort_by(|a, b| b.count.cmp(&a.count).then(a.name.cmp(&b.name)));
            v
        };
        let intents = counted(self.intents.iter().map(|(k, v)| (k.clone(), *v)).collect());
        let complaint = |id: &str| {
            if self.options.complaints.is_empty() {
                id.contains("complain")
            } else {
                self.options.complaints.iter().any(|c| c == id)
            }
        };
        let top_complaints = intents
            .iter()
            .filter(|c| complaint(&c.name))
            .take(top)
            .cloned()
            .collect();
        let mut delays: Vec<i64> = self
            .sessions
            .values()
            .filter_map(|s| Some(s.first_answer?.saturating_sub(s.first_message?).max(0)))
            .collect();
        delays.sort_unstable();
        // Nearest rank: the smallest delay at least p % of conversations got.
        let pct = |p: usize| -> Option<i64> {
            let rank = (delays.len() * p).div_ceil(100).max(1);
            delays.get(rank - 1).copied()
        };
        let buckets = FIRST_REPLY_BUCKETS
            .iter()
            .enumerate()
            .map(|(i, (label, upto))| {
                let from = if i == 0 {
                    0
                } else {
                    FIRST_REPLY_BUCKETS[i - 1].1
                };
                Count {
                    name: (*label).to_string(),
                    count: delays.iter().filter(|d| **d >= from && **d < *upto).count(),
                }
            })
            .collect();
        let mut fallback_texts: Vec<Count> = self
            .fallback_texts
            .values()
            .map(|(t, n)| Count {
                name: t.clone(),
                count: *n,
            })
            .collect();
        fallback_texts.sort_by(|a, b| b.count.cmp(&a.count).then(a.name.cmp(&b.name)));
        fallback_texts.truncate(top);
        let mut repeat: Vec<RepeatContact> = self
            .orders
            .iter()
            .filter(|(_, s)| s.len() > 1)
            .map(|(id, s)| RepeatContact {
                order_id: id.clone(),
                conversations: s.len(),
            })
            .collect();
        repeat.sort_by(|a, b| {
            b.conversations
                .cmp(&a.conversations)
                .then(a.order_id.cmp(&b.order_id))
        });
        let mut by_hour = vec![0; 24];
        for day in &self.grid {
            for (h, n) in day.iter().enumerate() {
                by_hour[h] += n;
            }
        }
        Kpis {
            events: self.events,
            malformed_lines: self.malformed,
            conversations,
            resolved_without_human: resolved,
            resolved_share: ratio(resolved, conversations),
            messages: self.messages,
            fallbacks: self.fallbacks,
            fallback_rate: ratio(self.fallbacks, self.messages),
            handoffs,
            handoffs_out_of_hours: self.sessions.values().filter(|s| s.out_of_hours).count(),
            handoff_reasons: counted(
                reasons
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect(),
            ),
            top_intents: intents.into_iter().take(top).collect(),
            top_complaints,
            repeat_contacts: self.saw_order_ids.then_some(repeat),
            first_reply: FirstReply {
                conversations: delays.len(),
                median_secs: pct(50),
                p90_secs: pct(90),
                buckets,
            },
            top_fallback_messages: self.saw_text.then_some(fallback_texts),
            utc_offset: format_offset(self.options.utc_offset_secs),
            messages_by_hour: by_hour,
            messages_by_weekday_hour: self.grid.iter().map(|d| d.to_vec()).collect(),
        }
    }
}

/// First-reply buckets: label and exclusive upper bound in seconds.
const FIRST_REPLY_BUCKETS: &[(&str, i64)] = &[
    ("< 1 s", 1),
    ("1–5 s", 5),
    ("5–30 s", 30),
    ("30 s–2 min", 120),
    ("2–10 min", 600),
    ("≥ 10 min", i64::MAX),
];

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        ((a as f64 / b as f64) * 1000.0).round() / 1000.0
    }
}

/// A name (intent, reason, message, bucket) and how often it occurred.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Count {
    /// What was counted.
    pub name: String,
    /// How often.
    pub count: usize,
}

/// An order asked about in more than one conversation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RepeatContact {
    /// The order id.
    pub order_id: String,
    /// How many conversations asked about it.
    pub conversations: usize,
}

/// Time from a conversation's first message to the bot's first answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct FirstReply {
    /// Conversations with a first message and an answer.
    pub conversations: usize,
    /// The median, in seconds.
    pub median_secs: Option<i64>,
    /// The 90th percentile, in seconds.
    pub p90_secs: Option<i64>,
    /// Conversations per time bucket, fastest first.
    pub buckets: Vec<Count>,
}

/// The support KPIs a shop looks at; serializes to the JSON that
/// `firstline report --json` prints.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Kpis {
    /// Events read.
    pub events: usize,
    /// Lines that were not events (skipped).
    pub malformed_lines: usize,
    /// Conversations (session ids).
    pub conversations: usize,
    /// Conversations no human had to take over.
    pub resolved_without_human: usize,
    /// `resolved_without_human / conversations` (0 to 1, 3 decimals).
    pub resolved_share: f64,
    /// Customer messages.
    pub messages: usize,
    /// Messages the bot did not understand.
    pub fallbacks: usize,
    /// `fallbacks / messages`.
    pub fallback_rate: f64,
    /// Conversations handed to a human, in or out of agent hours.
    pub handoffs: usize,
    /// Of those, conversations where the bot asked for a contact because
    /// no agent was available.
    pub handoffs_out_of_hours: usize,
    /// Handed-off conversations per reason code, most frequent first.
    pub handoff_reasons: Vec<Count>,
    /// Asks per intent, most frequent first.
    pub top_intents: Vec<Count>,
    /// The complaint intents among them.
    pub top_complaints: Vec<Count>,
    /// Orders asked about in several conversations (`None` when no event
    /// carries an `order_id`).
    pub repeat_contacts: Option<Vec<RepeatContact>>,
    /// First-reply times.
    pub first_reply: FirstReply,
    /// The messages most often not understood (`None` when the events
    /// carry no customer text).
    pub top_fallback_messages: Option<Vec<Count>>,
    /// The shop's UTC offset used for hours and weekdays (`+07:00`).
    pub utc_offset: String,
    /// Customer messages per hour of the day, shop time (24 numbers).
    pub messages_by_hour: Vec<usize>,
    /// Customer messages per weekday (Monday first) and hour, shop time.
    pub messages_by_weekday_hour: Vec<Vec<usize>>,
}

// ---- HTML ----

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c if c.is_control() => o.push('\u{FFFD}'),
            c => o.push(c),
        }
    }
    o
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

const BLUE: &str = "#2f6fb0";
const ORANGE: &str = "#d9822b";
const GREEN: &str = "#3a9a5b";

/// Horizontal bars, one row per item, labels on the left.
fn hbars(items: &[Count], color: &str, empty: &str) -> String {
    if items.is_empty() {
        return format!("<p class=\"empty\">{}</p>", esc(empty));
    }
    let (label_w, bar_w, row) = (260, 360, 24);
    let max = items.iter().map(|c| c.count).max().unwrap_or(1).max(1);
    let h = items.len() * row + 4;
    let mut o = format!(
        "<svg role=\"img\" width=\"{}\" height=\"{h}\" viewBox=\"0 0 {} {h}\">",
        label_w + bar_w + 60,
        label_w + bar_w + 60
    );
    for (i, c) in items.iter().enumerate() {
        let y = i * row;
        let w = (c.count * bar_w).div_ceil(max).max(1);
        let _ = write!(
            o,
            "<g><title>{t}: {n}</title><text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{l}</text>\
             <rect x=\"{bx}\" y=\"{ry}\" width=\"{w}\" height=\"{bh}\" fill=\"{color}\"/>\
             <text x=\"{nx}\" y=\"{ty}\">{n}</text></g>",
            t = esc(&c.name),
            l = esc(&clip(&c.name, 38)),
            n = c.count,
            lx = label_w - 8,
            ty = y + 17,
            bx = label_w,
            ry = y + 4,
            bh = row - 6,
            nx = label_w + w + 6,
        );
    }
    o.push_str("</svg>");
    o
}

/// Vertical columns with labels underneath.
fn columns(items: &[Count], color: &str) -> String {
    let (col, gap, height) = (80, 16, 140);
    let max = items.iter().map(|c| c.count).max().unwrap_or(0).max(1);
    let w = items.len() * (col + gap) + gap;
    let mut o = format!(
        "<svg role=\"img\" width=\"{w}\" height=\"{}\" viewBox=\"0 0 {w} {}\">",
        height + 44,
        height + 44
    );
    for (i, c) in items.iter().enumerate() {
        let x = gap + i * (col + gap);
        let h = c.count * height / max;
        let _ = write!(
            o,
            "<rect x=\"{x}\" y=\"{y}\" width=\"{col}\" height=\"{h}\" fill=\"{color}\"><title>{t}: {n}</title></rect>\
             <text x=\"{cx}\" y=\"{ny}\" text-anchor=\"middle\">{n}</text>\
             <text x=\"{cx}\" y=\"{ly}\" text-anchor=\"middle\">{t}</text>",
            y = 16 + height - h,
            cx = x + col / 2,
            ny = 12 + height - h,
            ly = height + 36,
            t = esc(&c.name),
            n = c.count,
        );
    }
    o.push_str("</svg>");
    o
}

/// Resolved without a human vs handed off, as one split bar.
fn split_bar(resolved: usize, handed_off: usize) -> String {
    let total = (resolved + handed_off).max(1);
    let width = 620;
    let a = resolved * width / total;
    format!(
        "<svg role=\"img\" width=\"{width}\" height=\"56\" viewBox=\"0 0 {width} 56\">\
         <rect x=\"0\" y=\"0\" width=\"{a}\" height=\"28\" fill=\"{GREEN}\"><title>resolved without a human: {resolved}</title></rect>\
         <rect x=\"{a}\" y=\"0\" width=\"{b}\" height=\"28\" fill=\"{ORANGE}\"><title>handed off: {handed_off}</title></rect>\
         <text x=\"0\" y=\"48\"><tspan fill=\"{GREEN}\">■</tspan> resolved without a human {resolved} ({p:.1}%)</text>\
         <text x=\"{width}\" y=\"48\" text-anchor=\"end\">handed off {handed_off} <tspan fill=\"{ORANGE}\">■</tspan></text></svg>",
        b = width - a,
        p = resolved as f64 * 100.0 / total as f64,
    )
}

/// Messages per weekday and hour, darker is busier.
fn heatmap(grid: &[Vec<usize>]) -> String {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let (cell, left, top) = (24, 40, 18);
    let max = grid.iter().flatten().copied().max().unwrap_or(0).max(1);
    let (w, h) = (left + 24 * cell + 4, top + 7 * cell + 4);
    let mut o = format!("<svg role=\"img\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\">");
    for hour in (0..24).step_by(3) {
        let _ = write!(
            o,
            "<text x=\"{}\" y=\"12\" class=\"small\">{hour:02}h</text>",
            left + hour * cell
        );
    }
    for (d, row) in grid.iter().enumerate().take(7) {
        let y = top + d * cell;
        let _ = write!(o, "<text x=\"0\" y=\"{}\">{}</text>", y + 16, DAYS[d]);
        for (hour, n) in row.iter().enumerate().take(24) {
            let opacity = if *n == 0 {
                0.06
            } else {
                0.2 + 0.8 * (*n as f64 / max as f64)
            };
            let _ = write!(
                o,
                "<rect x=\"{}\" y=\"{y}\" width=\"{}\" height=\"{}\" fill=\"{BLUE}\" fill-opacity=\"{opacity:.2}\"><title>{} {hour:02}:00 — {n} messages</title></rect>",
                left + hour * cell,
                cell - 2,
                cell - 2,
                DAYS[d]
            );
        }
    }
    o.push_str("</svg>");
    o
}

fn secs(s: Option<i64>) -> String {
    match s {
        None => "–".to_string(),
        Some(s) if s < 120 => format!("{s} s"),
        Some(s) if s < 7200 => format!("{:.1} min", s as f64 / 60.0),
        Some(s) => format!("{:.1} h", s as f64 / 3600.0),
    }
}

/// The KPIs as one self-contained HTML page: inline CSS and SVG charts,
/// no script and nothing loaded from the network. Every text from the
/// events (intents, reasons, customer messages) is escaped.
pub fn html(k: &Kpis, title: &str) -> String {
    let mut o = String::new();
    let title = esc(title);
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} — support report</title><style>\
         body{{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem auto;max-width:960px;color:#222;padding:0 1rem}}\
         h1{{font-size:1.6rem}}h2{{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd;padding-bottom:.3rem}}\
         .cards{{display:flex;flex-wrap:wrap;gap:.8rem}}.card{{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem;min-width:9rem}}\
         .card b{{display:block;font-size:1.5rem}}svg{{font-size:12px;max-width:100%;height:auto}}svg text{{fill:#333}}\
         .small{{font-size:10px}}.empty,.note{{color:#777}}\
         </style></head><body>\n<h1>{title} — support report</h1>\n"
    );
    let pct = |x: f64| format!("{:.1}%", x * 100.0);
    let _ = writeln!(
        o,
        "<div class=\"cards\">\
         <div class=\"card\">conversations<b>{}</b></div>\
         <div class=\"card\">answered without a human<b>{}</b></div>\
         <div class=\"card\">handed off<b>{}</b>{} outside agent hours</div>\
         <div class=\"card\">customer messages<b>{}</b></div>\
         <div class=\"card\">not understood<b>{}</b>{} messages</div>\
         <div class=\"card\">first reply, median<b>{}</b>90%: {}</div></div>",
        k.conversations,
        pct(k.resolved_share),
        k.handoffs,
        k.handoffs_out_of_hours,
        k.messages,
        pct(k.fallback_rate),
        k.fallbacks,
        secs(k.first_reply.median_secs),
        secs(k.first_reply.p90_secs),
    );
    let _ = write!(
        o,
        "<h2>Answered without a human</h2>\n{}\n",
        split_bar(k.resolved_without_human, k.handoffs)
    );
    let _ = write!(
        o,
        "<h2>Handoffs by reason</h2>\n{}\n",
        hbars(
            &k.handoff_reasons,
            ORANGE,
            "No conversation was handed off."
        )
    );
    let _ = write!(
        o,
        "<h2>First-reply time</h2>\n<p class=\"note\">From a conversation's first message to the bot's first answer, {} conversations.</p>\n{}\n",
        k.first_reply.conversations,
        columns(&k.first_reply.buckets, BLUE)
    );
    o.push_str("<h2>Repeat contacts</h2>\n");
    match &k.repeat_contacts {
        None => o.push_str("<p class=\"empty\">The events carry no order_id.</p>\n"),
        Some(r) => {
            let items: Vec<Count> = r
                .iter()
                .take(10)
                .map(|c| Count {
                    name: c.order_id.clone(),
                    count: c.conversations,
                })
                .collect();
            let _ = write!(
                o,
                "<p class=\"note\">Orders asked about in more than one conversation: {}.</p>\n{}\n",
                r.len(),
                hbars(&items, ORANGE, "No order was asked about twice.")
            );
        }
    }
    let _ = write!(
        o,
        "<h2>Busiest hours by weekday</h2>\n<p class=\"note\">Customer messages, shop time (UTC{}).</p>\n{}\n",
        esc(&k.utc_offset),
        heatmap(&k.messages_by_weekday_hour)
    );
    let _ = write!(
        o,
        "<h2>Top intents</h2>\n{}\n",
        hbars(&k.top_intents, BLUE, "No intent was recognised.")
    );
    o.push_str("<h2>Top fallback messages</h2>\n");
    match &k.top_fallback_messages {
        None => o.push_str(
            "<p class=\"empty\">The events carry no customer text (add a \"text\" field to message events).</p>\n",
        ),
        Some(items) => o.push_str(&hbars(items, ORANGE, "Every message was understood.")),
    }
    if k.malformed_lines > 0 {
        let _ = write!(
            o,
            "\n<p class=\"note\">{} malformed lines were skipped.</p>",
            k.malformed_lines
        );
    }
    o.push_str("\n</body></html>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(session: &str, ts: i64, extra: &str) -> String {
        format!(
            r#"{{"ts":{ts},"session":"{session}","turn":1,"lang":"vi","confidence":0.9,{extra}}}"#
        )
    }

    #[test]
    fn a_second_request_is_one_more_ask() {
        let mut c = Collector::new(Options::default());
        let extra = r#""input":"message","outcome":"reply","understood":true,"intent":"delivery_options","also":"check_payment_methods""#;
        c.add_line(&line("a", 100, extra)).unwrap();
        let k = c.kpis();
        let asks: Vec<(&str, usize)> = k
            .top_intents
            .iter()
            .map(|c| (c.name.as_str(), c.count))
            .collect();
        assert!(asks.contains(&("delivery_options", 1)), "{asks:?}");
        assert!(asks.contains(&("check_payment_methods", 1)), "{asks:?}");
    }

    #[test]
    fn offsets() {
        assert_eq!(parse_offset("+07:00"), Some(25_200));
        assert_eq!(parse_offset("-05:30"), Some(-19_800));
        assert_eq!(parse_offset("+25:00"), None);
        assert_eq!(format_offset(-19_800), "-05:30");
    }

    #[test]
    fn weekday_and_hour_in_shop_time() {
        let mut c = Collector::new(Options::default());
        // 2026-11-30 17:30 UTC is Tuesday 00:30 in Vietnam.
        c.add_line(&line(
            "a",
            1_796_059_800,
            r#""input":"message","outcome":"reply","understood":true"#,
        ))
        .unwrap();
        let k = c.kpis();
        assert_eq!(k.messages_by_weekday_hour[1][0], 1, "{k:?}");
        assert_eq!(k.messages_by_hour[0], 1);
    }

    #[test]
    fn first_reply_time_runs_to_the_first_answer() {
        let mut c = Collector::new(Options::default());
        let ev = |s: &str, ts: i64, input: &str, outcome: &str| {
            line(
                s,
                ts,
                &format!(r#""input":"{input}","outcome":"{outcome}","understood":true"#),
            )
        };
        // a: the host took 3 s to look the order up; b: answered at once;
        // c: a lookup the host never answered (no first reply).
        for l in [
            ev("a", 100, "message", "lookup_order"),
            ev("a", 103, "lookup", "reply"),
            ev("b", 200, "message", "reply"),
            ev("c", 300, "message", "lookup_order"),
        ] {
            c.add_line(&l).unwrap();
        }
        let k = c.kpis();
        assert_eq!(k.first_reply.conversations, 2);
        assert_eq!(k.first_reply.median_secs, Some(0));
        assert_eq!(k.first_reply.p90_secs, Some(3));
        let bucket = |name: &str| {
            k.first_reply
                .buckets
                .iter()
                .find(|b| b.name == name)
                .map(|b| b.count)
        };
        assert_eq!(bucket("< 1 s"), Some(1));
        assert_eq!(bucket("1–5 s"), Some(1));
        assert!(c.add_line("{\"ts\": 1}").is_err());
        assert_eq!(c.kpis().malformed_lines, 1);
    }

    #[test]
    fn html_escapes_customer_text() {
        let mut c = Collector::new(Options::default());
        c.add_line(&line(
            "a",
            1,
            r#""input":"message","outcome":"reply","understood":false,"text":"<img src=x onerror=alert(1)>""#,
        ))
        .unwrap();
        let page = html(&c.kpis(), "Shop <b>");
        assert!(!page.contains("<img"), "{page}");
        assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert!(page.contains("Shop &lt;b&gt;"));
    }
}
