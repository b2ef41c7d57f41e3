//! Measuring a rule set on labelled messages: accuracy, per-intent precision
//! and recall, confusions, off-topic accuracy and handoff share.
//!
//! This is what `firstline eval` prints and what the pack's accuracy floors
//! in `tests/pack.rs` assert. A labelled file is TSV, CSV or JSON lines with
//! a text and a label column ([`read_samples`]); the label is an intent id,
//! or `-` / `none` for a message that must get no intent (off-topic).
//!
//! ```
//! use firstline::eval::{evaluate, read_samples, Format};
//!
//! let data = "label\ttext\ntrack_order\twhere is my order?\n-\twhat's the weather like\n";
//! let samples = read_samples(data, Format::Tsv)?;
//! let report = evaluate(&firstline::pack::matcher(), &samples);
//! assert_eq!(report.total, 2);
//! assert_eq!(report.off_topic_total, 1);
//! println!("{}", report.to_text(10));
//! # Ok::<(), firstline::eval::EvalError>(())
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::conversation::{Bot, Outcome, Session};
use crate::Matcher;

/// The file formats [`read_samples`] understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// Tab-separated. With a header naming a `text` column (or `utterance`,
    /// `message`, `query`) and a `label` (or `intent`) column; without one,
    /// the project's layout `label<TAB>lang<TAB>text` (or `label<TAB>text`).
    /// `#` starts a comment line.
    Tsv,
    /// Comma-separated with a header, quoted as RFC 4180 (`"a, ""b"""`).
    Csv,
    /// One JSON object per line with `text` and `label` (or `intent`); an
    /// optional `lang`, and any other string field usable with `--by`.
    Jsonl,
}

impl Format {
    /// The format a file name suggests: `.csv`, `.jsonl`/`.json`/`.ndjson`,
    /// anything else TSV.
    pub fn from_path(path: &str) -> Format {
        let lower = path.to_ascii_lowercase();
        if lower.ends_with(".csv") {
            Format::Csv
        } else if lower.ends_with(".jsonl")
            || lower.ends_with(".json")
            || lower.ends_with(".ndjson")
        {
            Format::Jsonl
        } else {
            Format::Tsv
        }
    }
}

/// One labelled message.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Sample {
    /// The message.
    pub text: String,
    /// The intent it must get, `None` for off-topic (`-`, `none` or empty).
    pub label: Option<String>,
    /// Line of the file it came from (1-based), for error messages.
    pub line: usize,
    /// Every other column by its header name (`lang`, `tags`...), for
    /// breaking the figures down.
    pub fields: BTreeMap<String, String>,
}

impl Sample {
    /// A sample with no extra fields.
    pub fn new(text: impl Into<String>, label: Option<&str>) -> Sample {
        Sample {
            text: text.into(),
            label: label.map(str::to_string),
            line: 0,
            fields: BTreeMap::new(),
        }
    }
}

/// A labelled file that cannot be read, with the line at fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvalError {
    /// 1-based line (0: the file as a whole).
    pub line: usize,
    /// What is wrong and what to do.
    pub message: String,
}

impl std::fmt::Display for EvalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            f.write_str(&self.message)
        } else {
            write!(f, "line {}: {}", self.line, self.message)
        }
    }
}

impl std::error::Error for EvalError {}

const TEXT_COLUMNS: &[&str] = &["text", "utterance", "message", "query"];
const LABEL_COLUMNS: &[&str] = &["label", "intent"];

fn off_topic(label: &str) -> bool {
    matches!(label.trim(), "" | "-" | "none" | "(none)")
}

fn label_of(raw: &str) -> Option<String> {
    (!off_topic(raw)).then(|| raw.trim().to_string())
}

fn column(header: &[String], names: &[&str]) -> Option<usize> {
    names
        .iter()
        .find_map(|n| header.iter().position(|h| h.trim().eq_ignore_ascii_case(n)))
}

/// Reads labelled messages in `format` (see [`Format`]).
///
/// # Errors
///
/// An [`EvalError`] naming the line: no text or label column, a row with
/// too few fields, invalid JSON, an unterminated quote.
pub fn read_samples(data: &str, format: Format) -> Result<Vec<Sample>, EvalError> {
    match format {
        Format::Jsonl => read_jsonl(data),
        Format::Csv => {
            let rows = csv_rows(data)?;
            from_table(rows, true)
        }
        Format::Tsv => {
            let rows = data
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
                .map(|(i, l)| {
                    (
                        i + 1,
                        l.trim_end_matches('\r')
                            .split('\t')
                            .map(str::to_string)
                            .collect(),
                    )
                })
                .collect();
            from_table(rows, false)
        }
    }
}

/// Rows of (line, fields) to samples; a TSV without a header uses the
/// project's layout.
fn from_table(
    rows: Vec<(usize, Vec<String>)>,
    need_header: bool,
) -> Result<Vec<Sample>, EvalError> {
    let Some((first_line, first)) = rows.first() else {
        return Ok(Vec::new());
    };
    let header_text = column(first, TEXT_COLUMNS);
    let header_label = column(first, LABEL_COLUMNS);
    let (header, text_col, label_col, body) = match (header_text, header_label) {
        (Some(t), Some(l)) => (first.clone(), t, l, &rows[1..]),
        _ if need_header => {
            return Err(EvalError {
                line: *first_line,
                message: "the header needs a `text` (or `utterance`) column and a `label` \
                          (or `intent`) column"
                    .into(),
            })
        }
        _ => {
            // label<TAB>lang<TAB>text, or label<TAB>text.
            let three = first.len() >= 3;
            let header: Vec<String> = if three {
                vec!["label".into(), "lang".into(), "text".into()]
            } else {
                vec!["label".into(), "text".into()]
            };
            let t = header.len() - 1;
            (header, t, 0, &rows[..])
        }
    };
    let mut out = Vec::with_capacity(body.len());
    for (line, fields) in body {
        let need = text_col.max(label_col) + 1;
        if fields.len() < need {
            return Err(EvalError {
                line: *line,
                message: format!(
                    "{} fields, expected at least {need} ({})",
                    fields.len(),
                    header.join(", ")
                ),
            });
        }
        let mut extra = BTreeMap::new();
        for (i, v) in fields.iter().enumerate() {
            if i != text_col && i != label_col {
                if let Some(h) = header.get(i) {
                    extra.insert(h.trim().to_string(), v.clone());
                }
            }
        }
        // A text holding tabs (legacy layout) keeps them.
        let text = if header.len() == text_col + 1 && fields.len() > header.len() {
            fields[text_col..].join("\t")
        } else {
            fields[text_col].clone()
        };
        out.push(Sample {
            text,
            label: label_of(&fields[label_col]),
            line: *line,
            fields: extra,
        });
    }
    Ok(out)
}

fn read_jsonl(data: &str) -> Result<Vec<Sample>, EvalError> {
    let mut out = Vec::new();
    for (i, l) in data.lines().enumerate() {
        let line = i + 1;
        if l.trim().is_empty() {
            continue;
        }
        let err = |message: String| EvalError { line, message };
        let v: serde_json::Value =
            serde_json::from_str(l).map_err(|e| err(format!("invalid JSON: {e}")))?;
        let obj = v
            .as_object()
            .ok_or_else(|| err("expected a JSON object with `text` and `label`".into()))?;
        let get = |names: &[&str]| names.iter().find_map(|n| obj.get(*n));
        let text = get(TEXT_COLUMNS)
            .and_then(|t| t.as_str())
            .ok_or_else(|| err("no string `text` field".into()))?;
        let label = match get(LABEL_COLUMNS) {
            Some(serde_json::Value::String(s)) => label_of(s),
            Some(serde_json::Value::Null) => None,
            _ => {
                return Err(err(
                    "no `label` field (a string, or null for off-topic)".into()
                ))
            }
        };
        let fields = obj
            .iter()
            .filter(|(k, _)| {
                !TEXT_COLUMNS.contains(&k.as_str()) && !LABEL_COLUMNS.contains(&k.as_str())
            })
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
            .collect();
        out.push(Sample {
            text: text.to_string(),
            label,
            line,
            fields,
        });
    }
    Ok(out)
}

/// RFC 4180 rows with the line each starts on; blank lines are skipped.
fn csv_rows(data: &str) -> Result<Vec<(usize, Vec<String>)>, EvalError> {
    let mut rows = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let (mut line, mut start) = (1usize, 1usize);
    let mut quoted = false;
    let mut chars = data.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push('\n');
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => {
                quoted = true;
                any = true;
            }
            ',' => {
                fields.push(std::mem::take(&mut field));
                any = true;
            }
            '\r' => {}
            '\n' => {
                if any || !field.is_empty() {
                    fields.push(std::mem::take(&mut field));
                    rows.push((start, std::mem::take(&mut fields)));
                }
                any = false;
                line += 1;
                start = line;
            }
            _ => {
                field.push(c);
                any = true;
            }
        }
    }
    if quoted {
        return Err(EvalError {
            line: start,
            message: "a quoted field is never closed: add the closing `\"`".into(),
        });
    }
    if any || !field.is_empty() {
        fields.push(field);
        rows.push((start, fields));
    }
    Ok(rows)
}

/// Precision and recall counts for one intent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct IntentCounts {
    /// Messages labelled with it and classified as it.
    pub correct: usize,
    /// Messages classified as it.
    pub predicted: usize,
    /// Messages labelled with it.
    pub labelled: usize,
}

impl IntentCounts {
    /// correct / predicted (0 when nothing was predicted).
    pub fn precision(&self) -> f64 {
        ratio(self.correct, self.predicted)
    }

    /// correct / labelled (0 when nothing was labelled).
    pub fn recall(&self) -> f64 {
        ratio(self.correct, self.labelled)
    }
}

/// Correct out of total in one group (a language, a `--by` value).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct GroupCounts {
    /// Classified as labelled.
    pub correct: usize,
    /// Messages in the group.
    pub total: usize,
}

/// A message that did not get its label.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Miss {
    /// Line in the labelled file.
    pub line: usize,
    /// The label (`None`: off-topic).
    pub expected: Option<String>,
    /// What the rules answered (`None`: no intent).
    pub got: Option<String>,
    /// The confidence of the answer.
    pub confidence: f32,
    /// The message.
    pub text: String,
}

/// The figures for one labelled set, from [`evaluate`].
#[derive(Clone, Debug, Default, Serialize)]
#[non_exhaustive]
pub struct Report {
    /// Messages measured.
    pub total: usize,
    /// Messages that got their label (an intent, or none for off-topic).
    pub correct: usize,
    /// Messages labelled off-topic.
    pub off_topic_total: usize,
    /// Off-topic messages that got no intent.
    pub off_topic_correct: usize,
    /// In-domain (labelled) messages that got no intent: the customer would
    /// see the fallback.
    pub unanswered: usize,
    /// Messages a new conversation would hand to a human on their first turn
    /// (a handoff intent, anger or profanity lexicons...).
    pub handoffs: usize,
    /// Per intent, over labels and answers.
    pub intents: BTreeMap<String, IntentCounts>,
    /// (expected, got) → count, `(none)` for no intent.
    pub confusions: BTreeMap<(String, String), usize>,
    /// Per value of the grouping field (default `lang`).
    pub groups: BTreeMap<String, GroupCounts>,
    /// Labels that are not intents of the rules (every such message is a miss).
    pub unknown_labels: Vec<String>,
    /// Every miss, in file order.
    pub misses: Vec<Miss>,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

impl Report {
    /// correct / total.
    pub fn accuracy(&self) -> f64 {
        ratio(self.correct, self.total)
    }

    /// Accuracy on the in-domain (labelled) messages alone.
    pub fn in_domain_accuracy(&self) -> f64 {
        ratio(
            self.correct - self.off_topic_correct,
            self.total - self.off_topic_total,
        )
    }

    /// Off-topic messages answered with no intent, out of all off-topic
    /// messages (`None` when the set has none).
    pub fn off_topic_accuracy(&self) -> Option<f64> {
        (self.off_topic_total > 0).then(|| ratio(self.off_topic_correct, self.off_topic_total))
    }

    /// Share of messages handed to a human.
    pub fn handoff_share(&self) -> f64 {
        ratio(self.handoffs, self.total)
    }

    /// The report as text: figures, per-intent table, the `top` most
    /// frequent confusions.
    pub fn to_text(&self, top: usize) -> String {
        let mut s = String::new();
        let in_domain = self.total - self.off_topic_total;
        let _ = writeln!(
            s,
            "{:<28} {:>9} {:>9} {:>6} {:>6}",
            "intent", "precision", "recall", "label", "got"
        );
        for (id, c) in &self.intents {
            let _ = writeln!(
                s,
                "{:<28} {:>9.3} {:>9.3} {:>6} {:>6}",
                id,
                c.precision(),
                c.recall(),
                c.labelled,
                c.predicted
            );
        }
        if !self.confusions.is_empty() {
            let mut pairs: Vec<_> = self.confusions.iter().collect();
            pairs.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let _ = writeln!(s, "\nmost confused (expected -> got):");
            for ((expected, got), n) in pairs.into_iter().take(top) {
                let _ = writeln!(s, "  {n:>4}  {expected} -> {got}");
            }
        }
        if self.groups.len() > 1 {
            let _ = writeln!(s);
            for (g, c) in &self.groups {
                let _ = writeln!(
                    s,
                    "accuracy [{g}]: {:.3} ({}/{})",
                    ratio(c.correct, c.total),
                    c.correct,
                    c.total
                );
            }
        }
        let _ = writeln!(
            s,
            "\naccuracy: {:.3} ({}/{})",
            self.accuracy(),
            self.correct,
            self.total
        );
        if in_domain > 0 {
            let _ = writeln!(
                s,
                "in-domain accuracy: {:.3} ({}/{}); answered with no intent: {:.3} ({}/{})",
                self.in_domain_accuracy(),
                self.correct - self.off_topic_correct,
                in_domain,
                ratio(self.unanswered, in_domain),
                self.unanswered,
                in_domain
            );
        }
        match self.off_topic_accuracy() {
            Some(a) => {
                let _ = writeln!(
                    s,
                    "off-topic accuracy (no intent): {a:.3} ({}/{})",
                    self.off_topic_correct, self.off_topic_total
                );
            }
            None => {
                let _ = writeln!(
                    s,
                    "off-topic accuracy (no intent): n/a (no off-topic messages)"
                );
            }
        }
        let _ = writeln!(
            s,
            "handed off on the first turn: {:.3} ({}/{})",
            self.handoff_share(),
            self.handoffs,
            self.total
        );
        if !self.unknown_labels.is_empty() {
            let _ = writeln!(
                s,
                "labels that are not intents of these rules: {}",
                self.unknown_labels.join(", ")
            );
        }
        s
    }
}

/// Classifies every sample with `matcher` and counts. Messages are grouped
/// by their `lang` field; see [`evaluate_by`] for another one.
pub fn evaluate(matcher: &Matcher, samples: &[Sample]) -> Report {
    evaluate_by(matcher, samples, "lang")
}

/// [`evaluate`], grouping the figures by the field `group` (a column
/// name: `lang`, `tags`, `source_label`...).
pub fn evaluate_by(matcher: &Matcher, samples: &[Sample], group: &str) -> Report {
    evaluate_with(matcher, samples, group, true)
}

/// [`evaluate_by`]; `handoffs: false` skips running each message through
/// the conversation engine (about half the time), leaving
/// [`Report::handoffs`] at 0.
pub fn evaluate_with(matcher: &Matcher, samples: &[Sample], group: &str, handoffs: bool) -> Report {
    const NONE: &str = "(none)";
    // A fixed time inside the pack's agent hours, so handoffs do not
    // depend on the clock.
    let now = crate::pack::OPEN_NOW;
    let bot = handoffs.then(|| Bot::new(matcher.clone()).ok()).flatten();
    let mut r = Report::default();
    for sample in samples {
        let c = matcher.classify(&sample.text);
        let got = c.intent_id().map(str::to_string);
        let ok = got == sample.label;
        r.total += 1;
        r.correct += usize::from(ok);
        if let Some(label) = &sample.label {
            r.intents.entry(label.clone()).or_default().labelled += 1;
            if ok {
                r.intents.entry(label.clone()).or_default().correct += 1;
            }
            if got.is_none() {
                r.unanswered += 1;
            }
            if matcher.intent(label).is_none() && !r.unknown_labels.contains(label) {
                r.unknown_labels.push(label.clone());
            }
        } else {
            r.off_topic_total += 1;
            r.off_topic_correct += usize::from(ok);
        }
        if let Some(g) = &got {
            r.intents.entry(g.clone()).or_default().predicted += 1;
        }
        let key = sample.fields.get(group).cloned().unwrap_or_default();
        let gc = r.groups.entry(key).or_default();
        gc.total += 1;
        gc.correct += usize::from(ok);
        if let Some(bot) = &bot {
            let mut session = Session::new("firstline-eval");
            let turn = bot.handle_message(&mut session, &sample.text, now);
            r.handoffs += usize::from(matches!(turn.outcome, Outcome::Handoff { .. }));
        }
        if !ok {
            let name = |x: &Option<String>| x.clone().unwrap_or_else(|| NONE.to_string());
            *r.confusions
                .entry((name(&sample.label), name(&got)))
                .or_default() += 1;
            r.misses.push(Miss {
                line: sample.line,
                expected: sample.label.clone(),
                got,
                confidence: c.confidence,
                text: sample.text.clone(),
            });
        }
    }
    r.groups.retain(|k, _| !k.is_empty() || r.total == 0);
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_with_and_without_a_header() {
        let s = read_samples(
            "# c\ntrack_order\tvi\tđơn em đâu\n-\ten\thi\tthere\n",
            Format::Tsv,
        )
        .unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].label.as_deref(), Some("track_order"));
        assert_eq!(s[0].fields["lang"], "vi");
        assert_eq!(s[1].label, None);
        assert_eq!(s[1].text, "hi\tthere");
        let s = read_samples("tags\tintent\tutterance\nBL\tgreet\thello\n", Format::Tsv).unwrap();
        assert_eq!(s[0].text, "hello");
        assert_eq!(s[0].fields["tags"], "BL");
        assert_eq!(s[0].line, 2);
        let e = read_samples("label\ttext\nx\n", Format::Tsv).unwrap_err();
        assert_eq!(e.line, 2);
    }

    #[test]
    fn csv_quotes_commas_and_newlines() {
        let s = read_samples(
            "text,label\n\"where, oh \"\"where\"\" is it\",track_order\n\"two\nlines\",none\n",
            Format::Csv,
        )
        .unwrap();
        assert_eq!(s[0].text, "where, oh \"where\" is it");
        assert_eq!(s[1].text, "two\nlines");
        assert_eq!(s[1].label, None);
        assert!(read_samples("a,b\n1,2\n", Format::Csv).is_err());
        assert_eq!(
            read_samples("text,label\n\"open,x\n", Format::Csv)
                .unwrap_err()
                .line,
            2
        );
    }

    #[test]
    fn jsonl_rows() {
        let s = read_samples(
            "{\"text\": \"hi\", \"label\": \"greet\", \"lang\": \"en\"}\n\n{\"text\": \"x\", \"label\": null}\n",
            Format::Jsonl,
        )
        .unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].fields["lang"], "en");
        assert_eq!(s[1].label, None);
        assert_eq!(
            read_samples("{\"text\": 1}\n", Format::Jsonl)
                .unwrap_err()
                .line,
            1
        );
    }

    #[test]
    fn counts_precision_recall_and_confusions() {
        let m = crate::pack::matcher();
        let samples = vec![
            Sample::new("where is my order?", Some("track_order")),
            Sample::new("I want to cancel my order", Some("track_order")),
            Sample::new("what's the capital of France", None),
            Sample::new("hello", Some("no_such_intent")),
        ];
        let r = evaluate(&m, &samples);
        assert_eq!((r.total, r.correct), (4, 2));
        assert_eq!(r.intents["track_order"].labelled, 2);
        assert_eq!(r.intents["track_order"].correct, 1);
        assert_eq!(
            r.confusions[&("track_order".into(), "cancel_order".into())],
            1
        );
        assert_eq!(r.off_topic_accuracy(), Some(1.0));
        assert_eq!(r.unknown_labels, ["no_such_intent"]);
        assert_eq!(r.misses.len(), 2);
    }
}
