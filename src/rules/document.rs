//! A rule file parsed once into a located tree: every node knows its line
//! and column.
//!
//! yaml-rust2's event parser gives a marker for every event; the events are
//! assembled here into [`Node`]s without recursion, so a hostile file
//! cannot overflow the stack, and every cost is bounded by a [`Limits`]
//! value checked *before* the work it bounds: the nesting depth, the total
//! number of nodes (aliases included, so an alias bomb stops at the limit
//! instead of filling memory) and the size of the file. The typed reading
//! of the tree is in `read.rs`; nothing else parses YAML.

use std::sync::Arc;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::error::{Diagnostic, DiagnosticKind as K, Location};

/// Bounds on what one set of rule files may cost to compile.
///
/// The defaults are far above what a shop writes (the shipped pack is
/// 125 KB in 13 files, 6 levels deep) and far below what hurts a host
/// compiling the rules: each exceeded limit is a located compile error,
/// never a crash, a hang or gigabytes of memory. `rules/RULES.md`
/// ("Limits") documents them.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest rule file, in bytes. Default 4 MiB.
    pub max_file_bytes: u64,
    /// Deepest nesting of YAML collections. Default 64.
    pub max_yaml_depth: usize,
    /// Most YAML nodes in one file, aliases counted as the nodes they
    /// copy. Default 1,000,000.
    pub max_yaml_nodes: usize,
    /// Deepest nesting of `(…)` / `[…]` groups in a phrase. Default 32.
    pub max_phrase_depth: usize,
    /// Most word sequences one phrase may expand to. Default 512.
    pub max_phrase_variants: usize,
    /// Most word sequences all phrases together may expand to. Default
    /// 2,000,000.
    pub max_total_variants: usize,
    /// Largest compiled size of one regex, in bytes. Default 1 MiB.
    pub max_regex_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_bytes: 4 << 20,
            max_yaml_depth: 64,
            max_yaml_nodes: 1_000_000,
            max_phrase_depth: 32,
            max_phrase_variants: 512,
            max_total_variants: 2_000_000,
            max_regex_bytes: 1 << 20,
        }
    }
}

/// A position in a source file: 1-based line and column (in chars), and the
/// length of the node's text in chars (scalars only; 1 for collections).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) struct Pos {
    pub line: usize,
    pub column: usize,
    pub len: usize,
}

/// A YAML node with its position.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub pos: Pos,
    pub value: Value,
}

/// What a node holds.
#[derive(Clone, Debug)]
pub(crate) enum Value {
    /// A scalar as written; `plain` when unquoted (only plain scalars can
    /// be numbers, booleans or null).
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    /// Entries in file order; keys are nodes too (usually scalars).
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// True for `~`, `null` and an empty plain value (`key:`).
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar { text, plain: true }
            if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// The entry `key` of a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.scalar() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// The text of a scalar.
    pub fn scalar(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// How many nodes this one holds, itself included, counted without
    /// recursion.
    fn size(&self) -> usize {
        let mut n = 0;
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            n += 1;
            match &node.value {
                Value::Scalar { .. } => {}
                Value::Seq(items) => stack.extend(items),
                Value::Map(entries) => {
                    for (k, v) in entries {
                        stack.push(k);
                        stack.push(v);
                    }
                }
            }
        }
        n
    }
}

impl Drop for Node {
    /// Drops nested collections iteratively: the depth limit already bounds
    /// the tree, this keeps a future limit change from reaching the stack.
    fn drop(&mut self) {
        let mut stack: Vec<Value> = Vec::new();
        let take = |v: &mut Value| std::mem::replace(v, Value::Seq(Vec::new()));
        match &mut self.value {
            Value::Scalar { .. } => return,
            v => stack.push(take(v)),
        }
        while let Some(v) = stack.pop() {
            match v {
                Value::Scalar { .. } => {}
                Value::Seq(mut items) => {
                    for mut n in items.drain(..) {
                        stack.push(take(&mut n.value));
                    }
                }
                Value::Map(mut entries) => {
                    for (mut k, mut n) in entries.drain(..) {
                        stack.push(take(&mut k.value));
                        stack.push(take(&mut n.value));
                    }
                }
            }
        }
    }
}

/// One rule file: its name, the lines diagnostics quote, and its tree.
#[derive(Debug)]
pub(crate) struct Document {
    pub name: Arc<str>,
    text: String,
    /// Byte offset of each line's start: locating a node is a lookup, not a
    /// scan of the file (which made big rule sets compile in quadratic time).
    line_starts: Vec<usize>,
    /// The root node; `None` when the file is empty or does not parse (the
    /// reason is a diagnostic).
    pub root: Option<Node>,
}

impl Document {
    /// Parses `text`. Syntax errors and exceeded limits are pushed to
    /// `diags`, located; the document then has no root.
    pub fn parse(
        name: &str,
        text: String,
        limits: &Limits,
        diags: &mut Vec<Diagnostic>,
    ) -> Document {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let mut doc = Document {
            name: name.into(),
            text,
            line_starts,
            root: None,
        };
        match build(&doc.text, limits) {
            Ok(root) => doc.root = root,
            Err((pos, kind, message, help)) => {
                let loc = doc.location(pos);
                diags.push(Diagnostic::error(kind, message).at(Some(loc)).help(help));
            }
        }
        doc
    }

    /// The whole source text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text of 1-based line `n`, without its line break.
    fn line(&self, n: usize) -> &str {
        let Some(&start) = self.line_starts.get(n.wrapping_sub(1)) else {
            return "";
        };
        let end = self.line_starts.get(n).map_or(self.text.len(), |&e| e - 1);
        self.text[start..end.max(start)].trim_end_matches('\r')
    }

    /// A full location (with the source line for the snippet). A very long
    /// line is cut to a window around the column, so a snippet stays
    /// readable (and small) whatever the file holds.
    pub fn location(&self, pos: Pos) -> Location {
        const WINDOW: usize = 100;
        let line = self.line(pos.line);
        let total = line.chars().count();
        let loc = Location::new(
            self.name.to_string(),
            pos.line,
            pos.column,
            pos.len,
            String::new(),
        );
        if total <= 2 * WINDOW {
            loc.with_window(line.to_string(), pos.column, pos.len)
        } else {
            let start = pos.column.saturating_sub(1).saturating_sub(WINDOW / 2);
            let cut: String = line.chars().skip(start).take(WINDOW).collect();
            let lead = if start > 0 { "…" } else { "" };
            let tail = if start + WINDOW < total { "…" } else { "" };
            let caret = pos.column - start + lead.chars().count();
            let room = WINDOW + 1 - (pos.column - start).min(WINDOW);
            loc.with_window(format!("{lead}{cut}{tail}"), caret, pos.len.min(room))
        }
    }

    /// The place of a position, without building a [`Location`]: every
    /// phrase keeps one for explanations, rendered only when shown.
    pub fn at_place(&self, pos: Pos) -> super::model::RulePlace {
        super::model::RulePlace::new(self.name.clone(), pos.line, pos.column)
    }

    /// A location inside a string value: `offset` chars from its start.
    pub fn inside(&self, pos: Pos, offset: usize, len: usize) -> Location {
        let quoted = self
            .line(pos.line)
            .chars()
            .nth(pos.column.saturating_sub(1))
            .is_some_and(|c| c == '"' || c == '\'');
        self.location(Pos {
            line: pos.line,
            column: pos.column + usize::from(quoted) + offset,
            len: len.max(1),
        })
    }

    /// The first line of the file, for file-level problems.
    pub fn start(&self) -> Location {
        self.location(Pos {
            line: 1,
            column: 1,
            len: 1,
        })
    }
}

type BuildError = (Pos, K, String, String);

fn pos(mark: &Marker, len: usize) -> Pos {
    Pos {
        line: mark.line(),
        column: mark.col() + 1,
        len: len.max(1),
    }
}

enum Frame {
    Seq(Node, usize),
    /// A mapping, its anchor, and the key waiting for its value.
    Map(Node, usize, Option<Node>),
}

/// Assembles the events of the first document into a tree.
fn build(text: &str, limits: &Limits) -> Result<Option<Node>, BuildError> {
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: Vec<(usize, Node)> = Vec::new();
    let mut nodes = 0usize;
    loop {
        let (event, mark) = match parser.next_token() {
            Ok(e) => e,
            Err(e) if e.info().contains("recursion limit") => {
                return Err((
                    pos(e.marker(), 1),
                    K::LimitExceeded,
                    "the YAML nests too deeply".into(),
                    "rule files are a few levels deep; check the brackets and the indentation"
                        .into(),
                ));
            }
            Err(e) => {
                let m = e.marker();
                return Err((
                    pos(m, 1),
                    K::Yaml,
                    syntax_message(e.info()),
                    syntax_help(e.info()).to_string(),
                ));
            }
        };
        let node = match event {
            Event::StreamEnd | Event::DocumentEnd => return Ok(None),
            Event::Nothing | Event::StreamStart | Event::DocumentStart => continue,
            Event::Scalar(text, style, anchor, _) => {
                let quoted = matches!(
                    style,
                    TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted
                );
                let len = text.chars().count() + if quoted { 2 } else { 0 };
                let node = Node {
                    pos: pos(&mark, len),
                    value: Value::Scalar {
                        text,
                        plain: style == TScalarStyle::Plain,
                    },
                };
                if anchor > 0 {
                    anchors.push((anchor, node.clone()));
                }
                node
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if stack.len() >= limits.max_yaml_depth {
                    return Err((
                        pos(&mark, 1),
                        K::LimitExceeded,
                        format!(
                            "the YAML nests deeper than {} levels",
                            limits.max_yaml_depth
                        ),
                        "rule files are a few levels deep; check the indentation, or raise `Limits::max_yaml_depth`".into(),
                    ));
                }
                nodes += 1;
                if nodes > limits.max_yaml_nodes {
                    return Err(too_many_nodes(&mark, limits));
                }
                let p = pos(&mark, 1);
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Frame::Seq(
                        Node {
                            pos: p,
                            value: Value::Seq(Vec::new()),
                        },
                        anchor,
                    )
                } else {
                    Frame::Map(
                        Node {
                            pos: p,
                            value: Value::Map(Vec::new()),
                        },
                        anchor,
                        None,
                    )
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor) = match stack.pop() {
                    Some(Frame::Seq(n, a)) | Some(Frame::Map(n, a, _)) => (n, a),
                    None => continue,
                };
                if anchor > 0 {
                    nodes += node.size();
                    if nodes > limits.max_yaml_nodes {
                        return Err(too_many_nodes(&mark, limits));
                    }
                    anchors.push((anchor, node.clone()));
                }
                node
            }
            Event::Alias(id) => {
                let Some((_, target)) = anchors.iter().rev().find(|(a, _)| *a == id) else {
                    return Err((
                        pos(&mark, 1),
                        K::Yaml,
                        "alias to an unknown anchor".into(),
                        "define the anchor (`&name`) before using it (`*name`)".into(),
                    ));
                };
                // Counted before the copy: an alias bomb stops here.
                nodes += target.size();
                if nodes > limits.max_yaml_nodes {
                    return Err(too_many_nodes(&mark, limits));
                }
                let mut copy = target.clone();
                copy.pos = pos(&mark, 1);
                copy
            }
        };
        nodes += 1;
        if nodes > limits.max_yaml_nodes {
            return Err(too_many_nodes(&mark, limits));
        }
        match stack.last_mut() {
            None => return Ok(Some(node)),
            Some(Frame::Seq(seq, _)) => {
                if let Value::Seq(items) = &mut seq.value {
                    items.push(node);
                }
            }
            Some(Frame::Map(map, _, key)) => match key.take() {
                None => *key = Some(node),
                Some(k) => {
                    if let Value::Map(entries) = &mut map.value {
                        entries.push((k, node));
                    }
                }
            },
        }
    }
}

fn too_many_nodes(mark: &Marker, limits: &Limits) -> BuildError {
    (
        pos(mark, 1),
        K::LimitExceeded,
        format!(
            "the file holds more than {} YAML nodes (aliases count as the nodes they copy)",
            limits.max_yaml_nodes
        ),
        "an alias (`*name`) of an alias multiplies the file: write the values out, or split the file".into(),
    )
}

/// yaml-rust2's message, in the author's words where it is cryptic.
fn syntax_message(info: &str) -> String {
    let info = info.trim_start_matches("while parsing a ");
    match info {
        "mapping values are not allowed in this context" => {
            "a `key: value` where a value was expected".into()
        }
        i if i.contains("did not find expected key") => {
            "a line is indented less or more than the keys around it".into()
        }
        i if i.contains("did not find expected '-' indicator") => {
            "this line is indented differently from the list items or keys it belongs with".into()
        }
        i if i.contains("simple key expect ':'") => {
            "a line without `key:` where a `key: value` line was expected".into()
        }
        i if i.contains("found a tab") || i.contains("tabs") => {
            "a tab where YAML expects spaces".into()
        }
        i if i.contains("flow sequence") => "a list `[…]` is not closed".into(),
        i if i.contains("flow mapping") => "a map `{…}` is not closed".into(),
        i if i.contains("quoted scalar") => "a quoted text is not closed".into(),
        i => format!("invalid YAML: {i}"),
    }
}

fn syntax_help(info: &str) -> &'static str {
    if info.contains("mapping values are not allowed") {
        "a value that contains `: ` must be quoted (\"…\"), and a nested key must be indented under its parent"
    } else if info.contains("expected key") || info.contains("'-' indicator") {
        "align this line with the keys (or `-` items) it belongs with; YAML uses the indentation to nest"
    } else if info.contains("simple key expect") {
        "a value goes on the line of its key (`weight: 2`) or indented under it; check the lines above"
    } else if info.contains("flow sequence") {
        "end the list with `]` and separate its items with `,`; a `]` or `,` inside a text needs quotes"
    } else if info.contains("flow mapping") {
        "end the map with `}` and separate its entries with `,`"
    } else if info.contains("quoted scalar") {
        "end the text with the quote it starts with (`\"` or `'`) on the same line"
    } else if info.contains("found character that cannot start any token") || info.contains("tab") {
        "indent with spaces, not tabs, and quote values that start with `@`, `*`, `%` or a backquote"
    } else {
        "fix the YAML at this position (indentation, quotes, `:` after keys, `-` before list items)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Document, Vec<Diagnostic>) {
        let mut d = Vec::new();
        let doc = Document::parse("t.yaml", text.to_string(), &Limits::default(), &mut d);
        (doc, d)
    }

    #[test]
    fn nodes_know_their_positions() {
        let (doc, d) = parse(
            "version: 1\nintents:\n  - id: track\n    phrases:\n      vi: [\"đơn hàng\", 'x']\n",
        );
        assert!(d.is_empty());
        let root = doc.root.as_ref().unwrap();
        let v = root.get("version").unwrap();
        assert_eq!((v.pos.line, v.pos.column, v.pos.len), (1, 10, 1));
        let Value::Seq(intents) = &root.get("intents").unwrap().value else {
            panic!()
        };
        let id = intents[0].get("id").unwrap();
        assert_eq!((id.pos.line, id.pos.column, id.pos.len), (3, 9, 5));
        let Value::Seq(vi) = &intents[0].get("phrases").unwrap().get("vi").unwrap().value else {
            panic!()
        };
        assert_eq!(
            (vi[0].pos.line, vi[0].pos.column, vi[0].pos.len),
            (5, 12, 10)
        );
        assert_eq!(vi[1].pos.column, 24);
    }

    #[test]
    fn syntax_errors_are_located() {
        let (doc, d) = parse("a: [1, 2\nb: {");
        assert!(doc.root.is_none());
        assert_eq!(d.len(), 1);
        assert!(d[0].location().is_some());
    }

    #[test]
    fn deep_nesting_is_a_located_error_not_a_stack_overflow() {
        let text = "- ".repeat(30_000) + "x\n";
        let (doc, d) = parse(&text);
        assert!(doc.root.is_none());
        assert_eq!(d[0].kind(), K::LimitExceeded, "{}", d[0]);
        let flow = "[".repeat(30_000);
        let (_, d) = parse(&flow);
        assert_eq!(d[0].kind(), K::LimitExceeded, "{}", d[0]);
    }

    #[test]
    fn long_lines_are_cut_around_the_column() {
        let text = format!("k: {}: y\n", "x".repeat(20_000));
        let (_, d) = parse(&text);
        let loc = d[0].location().unwrap();
        assert!(
            loc.source_line().chars().count() <= 102,
            "{}",
            loc.source_line()
        );
        assert!(loc.column() > 10_000, "the column is the real one");
        let shown = d[0].to_string();
        let caret_line = shown.lines().find(|l| l.contains('^')).unwrap();
        assert!(caret_line.chars().count() < 120, "{shown}");
    }

    #[test]
    fn alias_bombs_stop_at_the_node_limit() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let (doc, d) = parse(&text);
        assert!(doc.root.is_none());
        assert_eq!(d[0].kind(), K::LimitExceeded, "{}", d[0]);
        assert!(d[0].location().unwrap().line() > 1);
    }
}
