//! Where every node of a YAML file is.
//!
//! serde_yaml reports a location only for syntax and type errors; once a
//! file has deserialized, the values carry no position. Semantic errors
//! (an unknown concept, a failing example) must still point at the line and
//! column of the offending value, so each file is parsed a second time with
//! yaml-rust2's event parser, which gives a marker for every event, and the
//! position of each node is recorded under its path (`intents.3.phrases.vi.0`).
//! Keeping a side table keyed by path means the serde types stay plain data,
//! and the cost (one extra parse) is paid at compile time only.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A position in a source file: 1-based line and column (in chars), and the
/// length of the node's text in chars (scalars only; 1 for collections).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Pos {
    pub line: usize,
    pub column: usize,
    pub len: usize,
}

/// Positions of the nodes of one YAML document, keyed by dotted path.
#[derive(Debug, Default)]
pub(crate) struct SpanIndex {
    values: HashMap<String, Pos>,
    keys: HashMap<String, Pos>,
}

impl SpanIndex {
    /// Indexes `text`. A file that does not parse gives an empty index (its
    /// syntax error is reported by serde_yaml, with its own location).
    pub fn new(text: &str) -> SpanIndex {
        let mut builder = Builder::default();
        let mut parser = Parser::new_from_str(text);
        if parser.load(&mut builder, false).is_err() {
            return SpanIndex::default();
        }
        builder.index
    }

    /// The position of the value at `path`.
    pub fn value(&self, path: &str) -> Option<Pos> {
        self.values.get(path).copied()
    }

    /// The position of the key of the mapping entry at `path` (falls back to
    /// the value).
    pub fn key(&self, path: &str) -> Option<Pos> {
        self.keys.get(path).copied().or_else(|| self.value(path))
    }
}

enum Frame {
    Seq { path: String, next: usize },
    Map { path: String, key: Option<String> },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    index: SpanIndex,
}

fn join(parent: &str, child: &str) -> String {
    if parent.is_empty() {
        child.to_string()
    } else {
        format!("{parent}.{child}")
    }
}

impl Builder {
    /// The path the next value gets, or `None` when the next scalar is a
    /// mapping key. Advances sequence counters.
    fn next_value_path(&mut self) -> Option<String> {
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Seq { path, next }) => {
                let p = join(path, &next.to_string());
                *next += 1;
                Some(p)
            }
            Some(Frame::Map { path, key }) => key.take().map(|k| join(path, &k)),
        }
    }

    fn pos(mark: Marker, len: usize) -> Pos {
        Pos {
            line: mark.line(),
            column: mark.col() + 1,
            len: len.max(1),
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::Scalar(value, style, ..) => {
                let len = value.chars().count()
                    + match style {
                        TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => 2,
                        _ => 0,
                    };
                match self.next_value_path() {
                    Some(path) => {
                        self.index.values.insert(path, Builder::pos(mark, len));
                    }
                    None => {
                        // A mapping key: remember it; its value comes next.
                        if let Some(Frame::Map { path, key }) = self.stack.last_mut() {
                            let full = join(path, &value);
                            self.index.keys.insert(full, Builder::pos(mark, len));
                            *key = Some(value);
                        }
                    }
                }
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                // A collection used as a mapping key has no useful path;
                // index it under a placeholder so nesting stays balanced.
                let path = self
                    .next_value_path()
                    .unwrap_or_else(|| "\u{0}complex-key".to_string());
                self.index
                    .values
                    .entry(path.clone())
                    .or_insert(Builder::pos(mark, 1));
                let frame = if matches!(ev, Event::SequenceStart(..)) {
                    Frame::Seq { path, next: 0 }
                } else {
                    Frame::Map { path, key: None }
                };
                self.stack.push(frame);
            }
            Event::SequenceEnd | Event::MappingEnd => {
                self.stack.pop();
            }
            Event::Alias(_) => {
                let _ = self.next_value_path();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_values_and_keys() {
        let yaml =
            "version: 1\nintents:\n  - id: track\n    phrases:\n      vi: [\"đơn hàng\", 'x']\n";
        let idx = SpanIndex::new(yaml);
        assert_eq!(
            idx.value("version"),
            Some(Pos {
                line: 1,
                column: 10,
                len: 1
            })
        );
        assert_eq!(
            idx.value("intents.0.id"),
            Some(Pos {
                line: 3,
                column: 9,
                len: 5
            })
        );
        assert_eq!(
            idx.value("intents.0.phrases.vi.0"),
            Some(Pos {
                line: 5,
                column: 12,
                len: 10
            })
        );
        assert_eq!(idx.value("intents.0.phrases.vi.1").unwrap().column, 24);
        assert_eq!(idx.key("intents.0.phrases").unwrap().line, 4);
    }

    #[test]
    fn broken_yaml_gives_empty_index() {
        let idx = SpanIndex::new("a: [1, 2\nb: {");
        assert_eq!(idx.value("a"), None);
    }
}
