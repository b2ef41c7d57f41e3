//! Typed reading of a located tree: maps with known keys, text, numbers,
//! lists, per-language lists.
//!
//! Every reader reports a problem at the offending key or value, in the
//! author's words ("expected a number, found text `abc`"), and carries on,
//! so one pass reports every mistake of a file. An unknown key gets a
//! "did you mean" from the keys that are allowed there.

use super::document::{Document, Node, Pos, Value};
use super::phrase::closest;
use crate::error::{Diagnostic, DiagnosticKind as K, Location};
use crate::Lang;

/// A value with the position it was read from.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Located<T> {
    pub value: T,
    pub pos: Pos,
}

/// Reads nodes of one document, collecting diagnostics.
pub(crate) struct Reader<'a> {
    pub doc: &'a Document,
    pub diags: &'a mut Vec<Diagnostic>,
}

/// How a node looks, for "found …" in messages.
fn describe(node: &Node) -> String {
    if node.is_null() {
        return "nothing".into();
    }
    match &node.value {
        Value::Scalar { text, plain } => {
            let short: String = text.chars().take(40).collect();
            let ell = if short.len() < text.len() { "…" } else { "" };
            if *plain && (text.parse::<f64>().is_ok()) {
                format!("the number {short}{ell}")
            } else if *plain && matches!(text.as_str(), "true" | "false") {
                format!("`{text}`")
            } else {
                format!("the text `{short}{ell}`")
            }
        }
        Value::Seq(_) => "a list".into(),
        Value::Map(entries) => match entries.first().and_then(|(k, _)| k.scalar()) {
            Some(k) => format!("a map (starting with `{k}:`)"),
            None => "an empty map".into(),
        },
    }
}

impl Reader<'_> {
    /// The location of a position in this document.
    pub fn loc(&self, pos: Pos) -> Location {
        self.doc.location(pos)
    }

    /// Records an error of `kind` at `pos`.
    pub fn error(
        &mut self,
        kind: K,
        pos: Pos,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        let d = Diagnostic::error(kind, message)
            .at(Some(self.loc(pos)))
            .help(help);
        self.diags.push(d);
    }

    fn wrong_type(&mut self, node: &Node, want: &str, help: &str) {
        let found = describe(node);
        let help = match &node.value {
            // A map where a single value belongs is usually keys indented
            // one level too far.
            Value::Map(entries) if !entries.is_empty() && want != "a map" => {
                let key = entries[0].0.scalar().unwrap_or("the key");
                format!("`{key}:` is indented under this key: if it is a key of its own, indent it like the keys around it; {help}")
            }
            _ => help.to_string(),
        };
        self.error(
            K::Yaml,
            node.pos,
            format!("expected {want}, found {found}"),
            help,
        );
    }

    /// The entries of a mapping whose keys are fixed: unknown keys are
    /// reported (with the closest allowed key), duplicates too. `what`
    /// names the mapping in messages. A null node is an empty mapping.
    pub fn fields<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
        allowed: &[&str],
    ) -> Vec<(&'n str, &'n Node)> {
        let mut out: Vec<(&'n str, &'n Node)> = Vec::new();
        for (key, k, value) in self.entries(node, what) {
            if !allowed.contains(&k) {
                let candidates: Vec<String> = allowed.iter().map(|s| s.to_string()).collect();
                let help = match closest(k, candidates.iter()) {
                    Some(best) => format!("did you mean `{best}`?"),
                    None => format!("the keys of {what} are: {}", allowed.join(", ")),
                };
                self.diags.push(
                    Diagnostic::error(K::UnknownField, format!("unknown field `{k}` in {what}"))
                        .at(Some(self.loc(key.pos)))
                        .label("not a key of the format")
                        .help(help),
                );
                continue;
            }
            out.push((k, value));
        }
        out
    }

    /// The entries of a mapping whose keys are names (concepts, settings,
    /// triggers...), with each key's node. Duplicate keys are reported.
    pub fn entries<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
    ) -> Vec<(&'n Node, &'n str, &'n Node)> {
        if node.is_null() {
            return Vec::new();
        }
        let Value::Map(entries) = &node.value else {
            self.wrong_type(
                node,
                "a map",
                &format!("write {what} as `key: value` lines"),
            );
            return Vec::new();
        };
        let mut out: Vec<(&'n Node, &'n str, &'n Node)> = Vec::new();
        for (k, v) in entries {
            let Some(name) = k.scalar() else {
                self.error(
                    K::Yaml,
                    k.pos,
                    format!("a key in {what} is not a name"),
                    "keys are plain names (`shop_name:`)",
                );
                continue;
            };
            if let Some((first, ..)) = out.iter().find(|(_, n, _)| *n == name) {
                let first = self.loc(first.pos);
                self.diags.push(
                    Diagnostic::error(K::Yaml, format!("`{name}` appears twice in {what}"))
                        .at(Some(self.loc(k.pos)))
                        .label("again")
                        .help(format!("first at {first}; keep one of them")),
                );
                continue;
            }
            out.push((k, name, v));
        }
        out
    }

    /// Any scalar as text (numbers as written). `None` for null and
    /// collections (reported).
    pub fn text(&mut self, node: &Node, help: &str) -> Option<String> {
        match &node.value {
            Value::Scalar { text, .. } if !node.is_null() => Some(text.clone()),
            _ => {
                self.wrong_type(node, "text", help);
                None
            }
        }
    }

    /// A located text.
    pub fn located_text(&mut self, node: &Node, help: &str) -> Option<Located<String>> {
        self.text(node, help).map(|value| Located {
            value,
            pos: node.pos,
        })
    }

    /// A number (integer or decimal).
    pub fn number(&mut self, node: &Node, help: &str) -> Option<f64> {
        if let Value::Scalar { text, plain: true } = &node.value {
            if let Ok(v) = text.trim().parse::<f64>() {
                if v.is_finite() {
                    return Some(v);
                }
            }
        }
        self.wrong_type(node, "a number", help);
        None
    }

    /// A whole number that fits `T` (a `u8` count, an `i32` priority).
    pub fn int<T: TryFrom<i64>>(&mut self, node: &Node, help: &str) -> Option<T> {
        if let Value::Scalar { text, plain: true } = &node.value {
            if let Ok(v) = text.trim().parse::<i64>() {
                return match T::try_from(v) {
                    Ok(v) => Some(v),
                    Err(_) => {
                        self.error(
                            K::InvalidValue,
                            node.pos,
                            format!("{v} is out of range"),
                            help,
                        );
                        None
                    }
                };
            }
        }
        self.wrong_type(node, "a whole number", help);
        None
    }

    /// `true` or `false`.
    pub fn boolean(&mut self, node: &Node, help: &str) -> Option<bool> {
        if let Value::Scalar { text, plain: true } = &node.value {
            match text.as_str() {
                "true" | "True" | "TRUE" => return Some(true),
                "false" | "False" | "FALSE" => return Some(false),
                _ => {}
            }
        }
        self.wrong_type(node, "`true` or `false`", help);
        None
    }

    /// The items of a list; null is an empty list.
    pub fn list<'n>(&mut self, node: &'n Node, help: &str) -> &'n [Node] {
        match &node.value {
            Value::Seq(items) => items,
            _ if node.is_null() => &[],
            _ => {
                self.wrong_type(node, "a list", help);
                &[]
            }
        }
    }

    /// A list of texts.
    pub fn texts(&mut self, node: &Node, help: &str) -> Vec<Located<String>> {
        let items = self.list(node, help);
        items
            .iter()
            .filter_map(|n| self.located_text(n, help))
            .collect()
    }

    /// One text or a list of them (`reply: "..."` or `reply: ["...", "..."]`).
    pub fn one_or_many(&mut self, node: &Node, help: &str) -> Vec<Located<String>> {
        match &node.value {
            Value::Seq(_) => self.texts(node, help),
            _ => self.located_text(node, help).into_iter().collect(),
        }
    }

    /// A list of texts per language: a plain list (any language) or a map
    /// with the keys `vi`, `en` and `any` whose values are lists.
    pub fn lang_list(&mut self, node: &Node, what: &str) -> Vec<(Option<Lang>, Located<String>)> {
        let help = "write a list of texts, or a map with keys `vi`, `en`, `any` whose values are lists of texts";
        match &node.value {
            Value::Map(_) => {
                let mut out = Vec::new();
                for (k, v) in self.fields(node, what, &["vi", "en", "any"]) {
                    let lang = Lang::from_code(k);
                    for t in self.texts(v, help) {
                        out.push((lang, t));
                    }
                }
                // Language order is fixed (vi, en, any), whatever the file's.
                out.sort_by_key(|(l, _)| match l {
                    Some(Lang::Vi) => 0,
                    Some(Lang::En) => 1,
                    None => 2,
                });
                out
            }
            _ => self
                .texts(node, help)
                .into_iter()
                .map(|t| (None, t))
                .collect(),
        }
    }
}
