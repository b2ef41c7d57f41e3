//! The phrase mini-language: words, `(a|b)`, `[optional]`, `*`, `**`, `@concept`.
//!
//! A phrase is parsed into a small tree and expanded at compile time into
//! every concrete word sequence it stands for, so the matcher only ever sees
//! plain sequences of words separated by gaps.

use std::collections::BTreeMap;

/// Most word sequences one phrase may expand to.
pub(crate) const MAX_VARIANTS: usize = 512;
/// Deepest nesting of concepts inside concepts.
const MAX_DEPTH: usize = 8;

/// The largest gap `*` allows, in words.
pub(crate) const SHORT_GAP: u8 = 3;
/// `**`: any number of words.
pub(crate) const ANY_GAP: u8 = u8::MAX;

/// One element of an expanded phrase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Piece {
    /// A literal word as written (normalized later, by the matcher); shared
    /// by every variant that holds it, so expanding copies no text.
    Word(std::sync::Arc<str>),
    /// A gap of at most this many words (`ANY_GAP` for `**`).
    Gap(u8),
}

/// A phrase syntax error: what is wrong and the char offset in the phrase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PhraseError {
    pub kind: PhraseErrorKind,
    pub message: String,
    pub help: String,
    /// Char offset into the phrase text where the problem is.
    pub offset: usize,
    /// Length of the offending text, in chars.
    pub len: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PhraseErrorKind {
    Syntax,
    UnknownConcept,
    TooLarge,
    /// Groups nested deeper than the limit.
    TooDeep,
}

/// What one phrase may cost: checked before the work, never after.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Budget {
    /// Most word sequences the phrase may expand to.
    pub max_variants: usize,
    /// Deepest nesting of `(…)` / `[…]` groups.
    pub max_depth: usize,
}

impl Default for Budget {
    fn default() -> Budget {
        Budget {
            max_variants: MAX_VARIANTS,
            max_depth: 32,
        }
    }
}

#[derive(Clone, Debug)]
enum Node {
    Word(std::sync::Arc<str>),
    Gap(u8),
    Concept {
        name: String,
        offset: usize,
    },
    /// One of several sequences; `optional` adds the empty sequence.
    Alt {
        options: Vec<Vec<Node>>,
        optional: bool,
    },
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    /// Open groups; parsing recurses once per group, so this bounds the
    /// stack.
    depth: usize,
    max_depth: usize,
}

fn err(kind: PhraseErrorKind, offset: usize, len: usize, message: &str, help: &str) -> PhraseError {
    PhraseError {
        kind,
        message: message.to_string(),
        help: help.to_string(),
        offset,
        len,
    }
}

impl Parser {
    fn parse_seq(&mut self, closer: Option<char>) -> Result<Vec<Vec<Node>>, PhraseError> {
        // Returns the alternatives separated by `|` at this level.
        let mut alts = vec![Vec::new()];
        loop {
            let Some(&c) = self.chars.get(self.pos) else {
                if let Some(closer) = closer {
                    return Err(err(
                        PhraseErrorKind::Syntax,
                        self.pos.saturating_sub(1),
                        1,
                        &format!("unclosed bracket: expected `{closer}`"),
                        &format!("add `{closer}` to close the group"),
                    ));
                }
                return Ok(alts);
            };
            match c {
                c if c.is_whitespace() => self.pos += 1,
                '(' | '[' => {
                    let start = self.pos;
                    if self.depth >= self.max_depth {
                        return Err(err(
                            PhraseErrorKind::TooDeep,
                            start,
                            1,
                            &format!("groups nest deeper than {} levels", self.max_depth),
                            "write the alternatives as several phrases instead of nesting them",
                        ));
                    }
                    self.pos += 1;
                    self.depth += 1;
                    let want = if c == '(' { ')' } else { ']' };
                    let options = self.parse_seq(Some(want))?;
                    self.depth -= 1;
                    if options.iter().all(|o| o.is_empty()) {
                        return Err(err(
                            PhraseErrorKind::Syntax,
                            start,
                            self.pos - start,
                            "empty group",
                            "put words inside the brackets or remove them",
                        ));
                    }
                    alts.last_mut().unwrap().push(Node::Alt {
                        options,
                        optional: c == '[',
                    });
                }
                ')' | ']' => {
                    if closer == Some(c) {
                        self.pos += 1;
                        return Ok(alts);
                    }
                    return Err(err(
                        PhraseErrorKind::Syntax,
                        self.pos,
                        1,
                        &format!("unexpected `{c}`"),
                        "check that every `(` has its `)` and every `[` its `]`",
                    ));
                }
                '|' => {
                    if closer.is_none() {
                        return Err(err(
                            PhraseErrorKind::Syntax,
                            self.pos,
                            1,
                            "`|` outside a group",
                            "wrap the alternatives in brackets: `(a|b)`",
                        ));
                    }
                    self.pos += 1;
                    alts.push(Vec::new());
                }
                '*' => {
                    let start = self.pos;
                    let mut n = 0;
                    while self.chars.get(self.pos) == Some(&'*') {
                        n += 1;
                        self.pos += 1;
                    }
                    if n > 2 {
                        return Err(err(
                            PhraseErrorKind::Syntax,
                            start,
                            n,
                            "too many `*`",
                            "use `*` for a gap of up to 3 words or `**` for any gap",
                        ));
                    }
                    alts.last_mut().unwrap().push(Node::Gap(if n == 1 {
                        SHORT_GAP
                    } else {
                        ANY_GAP
                    }));
                }
                '@' => {
                    let start = self.pos;
                    self.pos += 1;
                    let name = self.take_word();
                    if name.is_empty() {
                        return Err(err(
                            PhraseErrorKind::Syntax,
                            start,
                            1,
                            "`@` without a concept name",
                            "write `@name` with a concept defined under `concepts:`",
                        ));
                    }
                    alts.last_mut().unwrap().push(Node::Concept {
                        name,
                        offset: start,
                    });
                }
                _ => {
                    let word = self.take_word();
                    if word.is_empty() {
                        // A lone special char we do not treat: skip it as
                        // punctuation (normalization would drop it anyway).
                        self.pos += 1;
                    } else {
                        alts.last_mut().unwrap().push(Node::Word(word.into()));
                    }
                }
            }
        }
    }

    fn take_word(&mut self) -> String {
        let mut w = String::new();
        while let Some(&c) = self.chars.get(self.pos) {
            if c.is_whitespace() || "()[]|*@".contains(c) {
                break;
            }
            w.push(c);
            self.pos += 1;
        }
        w
    }
}

fn parse(text: &str, max_depth: usize) -> Result<Vec<Node>, PhraseError> {
    let mut p = Parser {
        chars: text.chars().collect(),
        pos: 0,
        depth: 0,
        max_depth,
    };
    let mut alts = p.parse_seq(None)?;
    Ok(alts.pop().unwrap_or_default())
}

/// Concept definitions: name -> alternatives (each in phrase syntax).
pub(crate) type Concepts = BTreeMap<String, Vec<String>>;

/// Expands `text` into every word sequence it stands for, with the default
/// budget.
#[cfg(test)]
pub(crate) fn expand(text: &str, concepts: &Concepts) -> Result<Vec<Vec<Piece>>, PhraseError> {
    expand_parsed(text, concepts, &Budget::default()).map(|(out, _)| out)
}

/// A phrase parsed once, for [`sample_parsed`].
pub(crate) struct Parsed {
    nodes: Vec<Node>,
    max_depth: usize,
}

/// Expands `text` into every word sequence it stands for, within `budget`,
/// and hands back the parsed phrase too (so that its sample needs no second
/// parse).
pub(crate) fn expand_parsed(
    text: &str,
    concepts: &Concepts,
    budget: &Budget,
) -> Result<(Vec<Vec<Piece>>, Parsed), PhraseError> {
    let nodes = parse(text, budget.max_depth)?;
    let out = expand_nodes(text, &nodes, concepts, budget)?;
    Ok((
        out,
        Parsed {
            nodes,
            max_depth: budget.max_depth,
        },
    ))
}

fn expand_nodes(
    text: &str,
    nodes: &[Node],
    concepts: &Concepts,
    budget: &Budget,
) -> Result<Vec<Vec<Piece>>, PhraseError> {
    let mut out = expand_seq(nodes, concepts, 0, budget)?;
    // Clean up: merge adjacent gaps, check ends, drop duplicates.
    for v in &mut out {
        let mut merged: Vec<Piece> = Vec::with_capacity(v.len());
        for p in v.drain(..) {
            match (merged.last_mut(), &p) {
                (Some(Piece::Gap(a)), Piece::Gap(b)) => {
                    *a = if *a == ANY_GAP || *b == ANY_GAP {
                        ANY_GAP
                    } else {
                        a.saturating_add(*b).min(ANY_GAP - 1)
                    };
                }
                _ => merged.push(p),
            }
        }
        *v = merged;
    }
    let total = text.chars().count();
    if out
        .iter()
        .any(|v| !v.iter().any(|p| matches!(p, Piece::Word(_))))
    {
        return Err(err(
            PhraseErrorKind::Syntax,
            0,
            total.max(1),
            "phrase can match without any word",
            "a phrase needs at least one word that is not optional",
        ));
    }
    if out.iter().any(|v| {
        matches!(v.first(), Some(Piece::Gap(_))) || matches!(v.last(), Some(Piece::Gap(_)))
    }) {
        return Err(err(
            PhraseErrorKind::Syntax,
            0,
            total.max(1),
            "phrase starts or ends with a gap",
            "remove the leading or trailing `*`: phrases already match anywhere in a message",
        ));
    }
    out.sort();
    out.dedup();
    Ok(out)
}

impl PartialOrd for Piece {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Piece {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        match (self, other) {
            (Piece::Word(a), Piece::Word(b)) => a.cmp(b),
            (Piece::Gap(a), Piece::Gap(b)) => a.cmp(b),
            (Piece::Word(_), Piece::Gap(_)) => std::cmp::Ordering::Less,
            (Piece::Gap(_), Piece::Word(_)) => std::cmp::Ordering::Greater,
        }
    }
}

fn too_large(offset: usize, max: usize) -> PhraseError {
    err(
        PhraseErrorKind::TooLarge,
        offset,
        1,
        &format!("phrase expands to more than {max} word sequences"),
        "split it into several phrases or use fewer alternatives",
    )
}

fn expand_seq(
    nodes: &[Node],
    concepts: &Concepts,
    depth: usize,
    budget: &Budget,
) -> Result<Vec<Vec<Piece>>, PhraseError> {
    let max = budget.max_variants;
    let mut acc: Vec<Vec<Piece>> = vec![Vec::new()];
    for node in nodes {
        let options: Vec<Vec<Piece>> = match node {
            // A word or a gap has one option: it extends every sequence so
            // far (most nodes are words; no product is built for them).
            Node::Word(w) => {
                for a in &mut acc {
                    a.push(Piece::Word(w.clone()));
                }
                continue;
            }
            Node::Gap(g) => {
                for a in &mut acc {
                    a.push(Piece::Gap(*g));
                }
                continue;
            }
            Node::Alt { options, optional } => {
                let mut all = Vec::new();
                if *optional {
                    all.push(Vec::new());
                }
                for o in options {
                    all.extend(expand_seq(o, concepts, depth, budget)?);
                    if all.len() > max {
                        return Err(too_large(0, max));
                    }
                }
                all
            }
            Node::Concept { name, offset } => {
                let Some(values) = concepts.get(name) else {
                    let mut e = err(
                        PhraseErrorKind::UnknownConcept,
                        *offset,
                        name.chars().count() + 1,
                        &format!("unknown concept `@{name}`"),
                        "define it under `concepts:` in any rule file",
                    );
                    if let Some(best) = closest(name, concepts.keys()) {
                        e.help = format!("{}, or did you mean `@{best}`?", e.help);
                    }
                    return Err(e);
                };
                if depth >= MAX_DEPTH {
                    return Err(err(
                        PhraseErrorKind::Syntax,
                        *offset,
                        name.chars().count() + 1,
                        &format!(
                            "concept `@{name}` nests too deeply (a concept that refers to itself?)"
                        ),
                        "concepts may refer to other concepts, but not in a cycle",
                    ));
                }
                let mut all = Vec::new();
                for v in values {
                    let inner = parse(v, budget.max_depth).map_err(|mut e| {
                        e.offset = *offset;
                        e.len = name.chars().count() + 1;
                        e.message = format!("in concept `@{name}` value `{v}`: {}", e.message);
                        e
                    })?;
                    all.extend(expand_seq(&inner, concepts, depth + 1, budget).map_err(
                        |mut e| {
                            e.offset = *offset;
                            e.len = name.chars().count() + 1;
                            e
                        },
                    )?);
                    if all.len() > max {
                        return Err(too_large(*offset, max));
                    }
                }
                all
            }
        };
        // The product is checked before it is built: building it first
        // took gigabytes for a phrase that was refused afterwards.
        if acc.len().saturating_mul(options.len()) > max {
            return Err(too_large(0, max));
        }
        let mut next = Vec::with_capacity(acc.len() * options.len().max(1));
        for a in &acc {
            for o in &options {
                let mut v = a.clone();
                v.extend(o.iter().cloned());
                next.push(v);
            }
        }
        acc = next;
    }
    Ok(acc)
}

/// The concept names a phrase refers to (`@name`), as written.
pub(crate) fn concepts_used(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split('@').skip(1).map(|part| {
        part.chars()
            .take_while(|c| !c.is_whitespace() && !"()[]|*@".contains(*c))
            .collect()
    })
}

/// One concrete message a phrase matches: the first alternative of each
/// group, no optional words, no gaps, each `@concept` as `concept(name)`
/// (or as written when that gives nothing). A phrase that does not parse
/// gives "".
pub(crate) fn sample(text: &str, concept: impl Fn(&str) -> Option<String>) -> String {
    let Ok(nodes) = parse(text, Budget::default().max_depth) else {
        return String::new();
    };
    sample_nodes(&nodes, concept)
}

/// [`sample`] of a phrase already parsed by [`expand_parsed`].
pub(crate) fn sample_parsed(
    text: &str,
    parsed: &Parsed,
    concept: impl Fn(&str) -> Option<String>,
) -> String {
    if parsed.max_depth > Budget::default().max_depth {
        // Parsed deeper than `sample` parses: it may not parse there.
        return sample(text, concept);
    }
    sample_nodes(&parsed.nodes, concept)
}

fn sample_nodes(nodes: &[Node], concept: impl Fn(&str) -> Option<String>) -> String {
    let mut words: Vec<String> = Vec::new();
    // Iterative over the tree: (nodes, next index).
    let mut stack: Vec<(&[Node], usize)> = vec![(nodes, 0)];
    while let Some((seq, i)) = stack.pop() {
        let Some(node) = seq.get(i) else { continue };
        stack.push((seq, i + 1));
        match node {
            Node::Word(w) => words.push(w.to_string()),
            Node::Gap(_) => {}
            Node::Concept { name, .. } => {
                words.push(concept(name).unwrap_or_else(|| format!("@{name}")))
            }
            Node::Alt { optional: true, .. } => {}
            Node::Alt { options, .. } => {
                if let Some(first) = options.first() {
                    stack.push((first, 0));
                }
            }
        }
    }
    words.join(" ")
}

/// The name closest to `name` by edit distance, if close enough to suggest.
pub(crate) fn closest<'a>(
    name: &str,
    candidates: impl Iterator<Item = &'a String>,
) -> Option<&'a str> {
    // Ties go to the candidate with the same first letter (`vn` → `vi`).
    let first = name.chars().next();
    candidates
        .map(|c| (edit_distance(name, c), c.chars().next() != first, c))
        .filter(|(d, _, c)| *d <= 2.max(c.chars().count() / 4))
        .min()
        .map(|(_, _, c)| c.as_str())
}

/// Plain Levenshtein distance over chars (for suggestions only).
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(v: &[Piece]) -> String {
        v.iter()
            .map(|p| match p {
                Piece::Word(w) => w.to_string(),
                Piece::Gap(ANY_GAP) => "**".into(),
                Piece::Gap(_) => "*".into(),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn exp(text: &str) -> Vec<String> {
        let mut c = Concepts::new();
        c.insert(
            "order".into(),
            vec!["đơn hàng".into(), "(đơn|order)".into()],
        );
        expand(text, &c).unwrap().iter().map(|v| words(v)).collect()
    }

    #[test]
    fn alternatives_optional_gaps_concepts() {
        assert_eq!(exp("hoàn tiền"), vec!["hoàn tiền"]);
        assert_eq!(exp("(hủy|huỷ) đơn"), vec!["huỷ đơn", "hủy đơn"]);
        assert_eq!(exp("đơn [hàng] em"), vec!["đơn em", "đơn hàng em"]);
        assert_eq!(exp("kiểm tra * đơn"), vec!["kiểm tra * đơn"]);
        assert_eq!(exp("where ** order"), vec!["where ** order"]);
        assert_eq!(
            exp("check @order"),
            vec!["check order", "check đơn", "check đơn hàng"]
        );
        assert_eq!(exp("a [(b|c) d] e"), vec!["a b d e", "a c d e", "a e"]);
    }

    #[test]
    fn errors_point_at_the_problem() {
        let c = Concepts::new();
        let e = expand("đơn (hàng", &c).unwrap_err();
        assert!(e.message.contains("unclosed"), "{e:?}");
        let e = expand("check @oder", &c).unwrap_err();
        assert_eq!(
            (e.kind, e.offset, e.len),
            (PhraseErrorKind::UnknownConcept, 6, 5)
        );
        let e = expand("* đơn", &c).unwrap_err();
        assert!(e.message.contains("gap"));
        let e = expand("[đơn]", &c).unwrap_err();
        assert!(e.message.contains("without any word"));
        assert!(expand("a | b", &c).is_err());
        assert!(expand("()", &c).is_err());
        let big = "(a|b|c|d) (a|b|c|d) (a|b|c|d) (a|b|c|d) (a|b|c|d)";
        assert_eq!(expand(big, &c).unwrap_err().kind, PhraseErrorKind::TooLarge);
    }

    #[test]
    fn self_referencing_concept_is_an_error_not_a_stack_overflow() {
        let mut c = Concepts::new();
        c.insert("x".into(), vec!["a @x".into()]);
        assert!(expand("@x", &c).is_err());
    }
}
