//! Loading rule files: YAML in, a validated rule set out.
//!
//! This is the front half of the compiler. It reads files and directories,
//! deserializes them with serde_yaml, merges them, and checks everything
//! that can be checked without building the matcher. Every problem becomes a
//! [`Diagnostic`] with a location; loading goes on after a problem so that
//! all of them are reported in one pass.

pub(crate) mod format;
pub(crate) mod phrase;
pub(crate) mod spans;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use regex::Regex;

use self::format::{LangList, RuleFile};
use self::phrase::{Concepts, Piece};
use self::spans::{Pos, SpanIndex};
use crate::error::{Diagnostic, DiagnosticKind as K, Location};
use crate::matcher::{Action, Intent, LangTexts};
use crate::Lang;

/// The largest compiled size of one regex (patterns and entities).
pub(crate) const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// One rule file's text, kept to render snippets and locate nodes.
#[derive(Debug)]
pub(crate) struct SourceFile {
    pub name: String,
    pub text: String,
    pub spans: SpanIndex,
    /// Byte offset of each line's start: locating a node is a lookup, not a
    /// scan of the file (which made big rule sets compile in quadratic time).
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(name: String, text: String) -> SourceFile {
        let spans = SpanIndex::new(&text);
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            name,
            text,
            spans,
            line_starts,
        }
    }

    /// The text of 1-based line `n`, without its line break.
    fn line(&self, n: usize) -> &str {
        let Some(&start) = self.line_starts.get(n.wrapping_sub(1)) else {
            return "";
        };
        let end = self.line_starts.get(n).map_or(self.text.len(), |&e| e - 1);
        self.text[start..end.max(start)].trim_end_matches('\r')
    }

    pub fn location(&self, pos: Pos) -> Location {
        let source_line = self.line(pos.line).to_string();
        Location {
            file: self.name.clone(),
            line: pos.line,
            column: pos.column,
            len: pos.len,
            source_line,
        }
    }

    pub fn at(&self, path: &str) -> Option<Location> {
        self.spans.value(path).map(|p| self.location(p))
    }

    /// `file:line:column` of the value at `path` ("" if unknown), without
    /// building a whole [`Location`]: every phrase keeps one for
    /// explanations.
    pub fn at_str(&self, path: &str) -> Arc<str> {
        match self.spans.value(path) {
            Some(p) => format!("{}:{}:{}", self.name, p.line, p.column).into(),
            None => "".into(),
        }
    }

    pub fn key_at(&self, path: &str) -> Option<Location> {
        self.spans.key(path).map(|p| self.location(p))
    }

    /// A location inside a string value: `offset` chars from its start.
    pub fn inside(&self, path: &str, offset: usize, len: usize) -> Option<Location> {
        let pos = self.spans.value(path)?;
        let line = self
            .text
            .lines()
            .nth(pos.line.saturating_sub(1))
            .unwrap_or("");
        let quoted = line
            .chars()
            .nth(pos.column - 1)
            .is_some_and(|c| c == '"' || c == '\'');
        let column = pos.column + usize::from(quoted) + offset;
        Some(self.location(Pos {
            line: pos.line,
            column,
            len: len.max(1),
        }))
    }
}

/// A piece of rule text with its language and place.
#[derive(Clone, Debug)]
pub(crate) struct Text {
    pub text: String,
    pub location: Option<Location>,
}

/// A phrase, expanded.
#[derive(Clone, Debug)]
pub(crate) struct PhraseIr {
    pub text: Arc<str>,
    pub lang: Option<Lang>,
    pub location: Arc<str>,
    pub variants: Vec<Vec<Piece>>,
}

#[derive(Clone, Debug)]
pub(crate) struct PatternIr {
    pub text: Arc<str>,
    pub location: Arc<str>,
}

#[derive(Clone, Debug)]
pub(crate) struct IntentIr {
    /// What the compiled matcher exposes about the intent.
    pub info: Intent,
    pub phrases: Vec<PhraseIr>,
    pub patterns: Vec<PatternIr>,
    pub excludes: Vec<PhraseIr>,
    pub examples: Vec<Text>,
    pub counter_examples: Vec<Text>,
}

#[derive(Clone, Debug)]
pub(crate) struct LexiconIr {
    pub name: Arc<str>,
    pub severity: u8,
    pub terms: Vec<PhraseIr>,
}

/// How an entity's captured text becomes its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EntityNorm {
    OrderId,
    Phone,
    Email,
    Money,
    Upper,
    Lower,
    Digits,
    None,
}

impl EntityNorm {
    const NAMES: &'static [&'static str] = &[
        "order_id", "phone", "email", "money", "upper", "lower", "digits", "none",
    ];

    fn parse(s: &str) -> Option<EntityNorm> {
        Some(match s {
            "order_id" => EntityNorm::OrderId,
            "phone" => EntityNorm::Phone,
            "email" => EntityNorm::Email,
            "money" => EntityNorm::Money,
            "upper" => EntityNorm::Upper,
            "lower" => EntityNorm::Lower,
            "digits" => EntityNorm::Digits,
            "none" => EntityNorm::None,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug)]
pub(crate) struct EntityIr {
    pub name: Arc<str>,
    pub regex: Regex,
    pub norm: EntityNorm,
}

/// Everything loaded from the sources, validated, plus what went wrong.
#[derive(Debug, Default)]
pub(crate) struct RuleSet {
    pub files: Vec<SourceFile>,
    pub settings: BTreeMap<String, String>,
    pub abbreviations: Vec<(Option<Lang>, String, String)>,
    pub intents: Vec<IntentIr>,
    pub lexicons: Vec<LexiconIr>,
    pub entities: Vec<EntityIr>,
    pub conversation: Vec<(usize, serde_yaml::Value)>,
    pub diagnostics: Vec<Diagnostic>,
}

/// A source as given to the builder.
#[derive(Clone, Debug)]
pub(crate) enum Source {
    Yaml { name: String, text: String },
    Path(PathBuf),
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>, diags: &mut Vec<Diagnostic>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            diags.push(io_error(dir, &e));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            yaml_files(&p, out, diags);
        } else if matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")) {
            out.push(p);
        }
    }
}

fn io_error(path: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(K::Io, format!("cannot read `{}`: {e}", path.display()))
        .help("check the path given with --rules or add_path(); it must be a YAML file or a directory of them")
}

/// Reads every source into (name, text) pairs, in order.
pub(crate) fn read_sources(
    sources: &[Source],
    diags: &mut Vec<Diagnostic>,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for s in sources {
        match s {
            Source::Yaml { name, text } => out.push((name.clone(), text.clone())),
            Source::Path(p) => {
                let mut files = Vec::new();
                if p.is_dir() {
                    yaml_files(p, &mut files, diags);
                    if files.is_empty() {
                        diags.push(
                            Diagnostic::error(
                                K::Io,
                                format!("no rule files (*.yaml, *.yml) in `{}`", p.display()),
                            )
                            .help("point to a directory that holds rule files, or to one file"),
                        );
                    }
                } else {
                    files.push(p.clone());
                }
                for f in files {
                    match std::fs::read(&f) {
                        Ok(bytes) => match String::from_utf8(bytes) {
                            Ok(text) => out.push((f.display().to_string(), text)),
                            Err(_) => diags.push(
                                Diagnostic::error(
                                    K::Io,
                                    format!("`{}` is not valid UTF-8", f.display()),
                                )
                                .help("save the rule file as UTF-8"),
                            ),
                        },
                        Err(e) => diags.push(io_error(&f, &e)),
                    }
                }
            }
        }
    }
    out
}

/// Walks a language list with the YAML path of each element.
fn lang_items(list: &LangList, base: &str) -> Vec<(Option<Lang>, String, String)> {
    let mut out = Vec::new();
    match list {
        LangList::Empty => {}
        LangList::Any(v) => {
            for (i, t) in v.iter().enumerate() {
                out.push((None, format!("{base}.{i}"), t.clone()));
            }
        }
        LangList::ByLang(m) => {
            for (lang, key, v) in [
                (Some(Lang::Vi), "vi", &m.vi),
                (Some(Lang::En), "en", &m.en),
                (None, "any", &m.any),
            ] {
                for (i, t) in v.iter().flatten().enumerate() {
                    out.push((lang, format!("{base}.{key}.{i}"), t.clone()));
                }
            }
        }
    }
    out
}

fn lang_texts(list: &LangList) -> LangTexts {
    let mut t = LangTexts::default();
    for (lang, _, text) in lang_items(list, "") {
        match lang {
            Some(Lang::Vi) => t.vi.push(text),
            Some(Lang::En) => t.en.push(text),
            None => {
                t.vi.push(text.clone());
                t.en.push(text);
            }
        }
    }
    t
}

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn yaml_error(name: &str, text: &str, e: &serde_yaml::Error) -> Diagnostic {
    let msg = e.to_string();
    // serde_yaml appends " at line L column C" to its message; the location
    // is shown separately, so drop it from the message.
    let short = msg.split(" at line ").next().unwrap_or(&msg).to_string();
    let (kind, help) = if short.contains("unknown field") {
        (
            K::UnknownField,
            "check the spelling of the key; rules/RULES.md lists every key the format has",
        )
    } else if short.contains("did not match any variant of untagged enum LangList") {
        (
            K::Yaml,
            "write a list of strings, or a map with keys `vi`, `en`, `any` whose values are lists of strings",
        )
    } else {
        (
            K::Yaml,
            "fix the YAML at this position (indentation, quotes, `:` after keys, `-` before list items)",
        )
    };
    let short = short.replace(
        "data did not match any variant of untagged enum LangList",
        "expected a list of strings or a map of `vi`/`en`/`any` lists",
    );
    let location = e.location().map(|l| {
        let source_line = text
            .lines()
            .nth(l.line().saturating_sub(1))
            .unwrap_or("")
            .to_string();
        Location {
            file: name.to_string(),
            line: l.line(),
            column: l.column(),
            len: 1,
            source_line,
        }
    });
    Diagnostic::error(kind, short).at(location).help(help)
}

impl RuleSet {
    /// Loads and validates. Never fails: problems are in `diagnostics`.
    pub(crate) fn load(sources: &[Source]) -> RuleSet {
        let mut set = RuleSet::default();
        let texts = read_sources(sources, &mut set.diagnostics);
        let mut parsed: Vec<(usize, RuleFile)> = Vec::new();
        for (name, text) in texts {
            let idx = set.files.len();
            set.files.push(SourceFile::new(name.clone(), text.clone()));
            if text.trim().is_empty() {
                set.diagnostics.push(
                    Diagnostic::error(K::Version, "empty rule file")
                        .at(Some(set.files[idx].location(Pos {
                            line: 1,
                            column: 1,
                            len: 1,
                        })))
                        .help("start the file with `version: 1`"),
                );
                continue;
            }
            match serde_yaml::from_str::<RuleFile>(&text) {
                Ok(f) => parsed.push((idx, f)),
                Err(e) => set.diagnostics.push(yaml_error(&name, &text, &e)),
            }
        }

        // Pass 1: version, settings, abbreviations, concepts, entities.
        let mut concepts: Concepts = BTreeMap::new();
        let mut concept_defs: BTreeMap<String, Option<Location>> = BTreeMap::new();
        for (idx, f) in &parsed {
            let file = &set.files[*idx];
            match f.version {
                Some(1) => {}
                Some(v) => set.diagnostics.push(
                    Diagnostic::error(K::Version, format!("unsupported rule format version {v}"))
                        .at(file.at("version"))
                        .label("only version 1 exists")
                        .help("write `version: 1`"),
                ),
                None => set.diagnostics.push(
                    Diagnostic::error(K::Version, "missing `version`")
                        .at(Some(file.location(Pos {
                            line: 1,
                            column: 1,
                            len: 1,
                        })))
                        .help("start the file with `version: 1`"),
                ),
            }
            for (k, v) in &f.settings {
                set.settings.insert(k.clone(), v.clone());
            }
            for (lang, key, map) in [
                (Some(Lang::Vi), "vi", &f.abbreviations.vi),
                (Some(Lang::En), "en", &f.abbreviations.en),
                (None, "any", &f.abbreviations.any),
            ] {
                for (from, to) in map.iter().flatten() {
                    if from.trim().is_empty() || to.trim().is_empty() {
                        set.diagnostics.push(
                            Diagnostic::error(K::InvalidValue, "empty abbreviation")
                                .at(file.key_at(&format!("abbreviations.{key}.{from}")))
                                .help("write `short: \"long form\"` with both sides non-empty"),
                        );
                        continue;
                    }
                    set.abbreviations.push((lang, from.clone(), to.clone()));
                }
            }
            for (name, values) in &f.concepts {
                let path = format!("concepts.{name}");
                if !valid_name(name) {
                    set.diagnostics.push(
                        Diagnostic::error(K::InvalidName, format!("invalid concept name `{name}`"))
                            .at(file.key_at(&path))
                            .help("use lowercase ASCII letters, digits and `_`"),
                    );
                }
                let items = lang_items(values, &path);
                if items.is_empty() {
                    set.diagnostics.push(
                        Diagnostic::error(
                            K::InvalidValue,
                            format!("concept `{name}` has no values"),
                        )
                        .at(file.key_at(&path))
                        .help("list at least one synonym"),
                    );
                }
                for (_, p, t) in &items {
                    if t.trim().is_empty() {
                        set.diagnostics.push(
                            Diagnostic::error(K::InvalidPhrase, "empty synonym")
                                .at(file.at(p))
                                .help("remove the empty entry"),
                        );
                    }
                }
                concepts.entry(name.clone()).or_default().extend(
                    items
                        .into_iter()
                        .map(|(_, _, t)| t)
                        .filter(|t| !t.trim().is_empty()),
                );
                concept_defs
                    .entry(name.clone())
                    .or_insert(file.key_at(&path));
            }
            for (name, def) in &f.entities {
                let path = format!("entities.{name}");
                if !valid_name(name) {
                    set.diagnostics.push(
                        Diagnostic::error(K::InvalidName, format!("invalid entity name `{name}`"))
                            .at(file.key_at(&path))
                            .help("use lowercase ASCII letters, digits and `_`"),
                    );
                    continue;
                }
                let norm_name = def.normalize.as_deref().unwrap_or("none");
                let Some(norm) = EntityNorm::parse(norm_name) else {
                    set.diagnostics.push(
                        Diagnostic::error(
                            K::UnknownReference,
                            format!("unknown normaliser `{norm_name}`"),
                        )
                        .at(file.at(&format!("{path}.normalize")))
                        .help(format!("use one of: {}", EntityNorm::NAMES.join(", "))),
                    );
                    continue;
                };
                let count = |needle: &str| def.pattern.matches(needle).count();
                let unicode_boundaries = (count("\\b") + count("\\B"))
                    .saturating_sub(count("(?-u:\\b)") + count("(?-u:\\B)"));
                if unicode_boundaries > 0 {
                    set.diagnostics.push(
                        Diagnostic::warning(
                            K::Lint,
                            format!("entity `{name}` uses a Unicode word boundary `\\b`"),
                        )
                        .at(file.at(&format!("{path}.pattern")))
                        .help("on Vietnamese text it keeps the regex engine off its fast DFA (several times slower on every message): write `(?-u:\\b)` next to ASCII letters and digits, or `(?:^|[^\\p{L}\\p{N}])`"),
                    );
                }
                if let Some(regex) = compile_regex(
                    &def.pattern,
                    file,
                    &format!("{path}.pattern"),
                    &mut set.diagnostics,
                ) {
                    set.entities.retain(|e| &*e.name != name.as_str());
                    set.entities.push(EntityIr {
                        name: name.as_str().into(),
                        regex,
                        norm,
                    });
                }
            }
        }

        // Pass 2: intents and lexicons (they need all concepts).
        let mut used_concepts: HashMap<String, ()> = HashMap::new();
        let mut seen: HashMap<String, Option<Location>> = HashMap::new();
        for (idx, f) in &parsed {
            let file = &set.files[*idx];
            for (i, def) in f.intents.iter().enumerate() {
                let base = format!("intents.{i}");
                let loc = file.at(&format!("{base}.id"));
                if !valid_name(&def.id) {
                    set.diagnostics.push(
                        Diagnostic::error(
                            K::InvalidName,
                            format!("invalid intent id `{}`", def.id),
                        )
                        .at(loc.clone())
                        .label("ids are lowercase ASCII")
                        .help("use lowercase ASCII letters, digits and `_`, e.g. `track_order`"),
                    );
                }
                if let Some(first) = seen.get(&def.id) {
                    let help = match first {
                        Some(l) => format!("first defined at {l}; rename one of them, or merge them into one intent"),
                        None => "rename one of them, or merge them into one intent".to_string(),
                    };
                    set.diagnostics.push(
                        Diagnostic::error(
                            K::DuplicateIntent,
                            format!("duplicate intent id `{}`", def.id),
                        )
                        .at(loc.clone())
                        .label("already defined")
                        .help(help),
                    );
                    continue;
                }
                seen.insert(def.id.clone(), loc.clone());
                let weight = def.weight.unwrap_or(1.0);
                if !(0.1..=10.0).contains(&weight) {
                    set.diagnostics.push(
                        Diagnostic::error(
                            K::InvalidValue,
                            format!("weight {weight} is out of range"),
                        )
                        .at(file.at(&format!("{base}.weight")))
                        .help("use a weight between 0.1 and 10 (1 is the default)"),
                    );
                }
                let phrases = compile_phrases(
                    &def.phrases,
                    file,
                    &format!("{base}.phrases"),
                    &concepts,
                    &mut used_concepts,
                    &mut set.diagnostics,
                );
                let excludes = compile_phrases(
                    &def.exclude,
                    file,
                    &format!("{base}.exclude"),
                    &concepts,
                    &mut used_concepts,
                    &mut set.diagnostics,
                );
                let mut patterns = Vec::new();
                for (j, p) in def.patterns.iter().enumerate() {
                    let path = format!("{base}.patterns.{j}");
                    // Compiled alone to report its own error at its own
                    // line; the matcher runs all patterns in one RegexSet.
                    if compile_regex(p, file, &path, &mut set.diagnostics).is_some() {
                        patterns.push(PatternIr {
                            text: p.as_str().into(),
                            location: file.at_str(&path),
                        });
                    }
                }
                let texts = |list: &LangList, key: &str| -> Vec<Text> {
                    lang_items(list, &format!("{base}.{key}"))
                        .into_iter()
                        .map(|(_, p, text)| Text {
                            text,
                            location: file.at(&p),
                        })
                        .collect()
                };
                let action = match def.action.as_deref() {
                    None | Some("reply") => Action::Reply,
                    Some("lookup_order") => Action::LookupOrder,
                    Some("handoff") => Action::Handoff,
                    Some(other) => {
                        set.diagnostics.push(
                            Diagnostic::error(
                                K::UnknownReference,
                                format!("unknown action `{other}`"),
                            )
                            .at(file.at(&format!("{base}.action")))
                            .help("use `reply`, `lookup_order` or `handoff`"),
                        );
                        Action::Reply
                    }
                };
                for (j, slot) in def.slots.iter().enumerate() {
                    if !set.entities.iter().any(|e| &*e.name == slot.as_str()) {
                        set.diagnostics.push(
                            Diagnostic::error(K::UnknownReference, format!("slot `{slot}` is not an entity"))
                                .at(file.at(&format!("{base}.slots.{j}")))
                                .help("a slot is filled from the entity of the same name: define it under `entities:`"),
                        );
                    }
                }
                set.intents.push(IntentIr {
                    info: Intent {
                        id: def.id.as_str().into(),
                        description: def.description.clone(),
                        weight,
                        priority: def.priority.unwrap_or(0),
                        replies: lang_texts(&def.replies),
                        quick_replies: lang_texts(&def.quick_replies),
                        slots: def.slots.clone(),
                        action,
                        handoff: def.handoff.unwrap_or(false),
                        location: loc,
                    },
                    phrases,
                    patterns,
                    excludes,
                    examples: texts(&def.examples, "examples"),
                    counter_examples: texts(&def.counter_examples, "counter_examples"),
                });
            }
            for (name, lex) in &f.lexicons {
                let base = format!("lexicons.{name}");
                if !valid_name(name) {
                    set.diagnostics.push(
                        Diagnostic::error(K::InvalidName, format!("invalid lexicon name `{name}`"))
                            .at(file.key_at(&base))
                            .help("use lowercase ASCII letters, digits and `_`"),
                    );
                }
                let severity = lex.severity.unwrap_or(1);
                if !(1..=3).contains(&severity) {
                    set.diagnostics.push(
                        Diagnostic::error(
                            K::InvalidValue,
                            format!("severity {severity} is out of range"),
                        )
                        .at(file.at(&format!("{base}.severity")))
                        .help("use 1 (mild), 2 (serious) or 3 (severe)"),
                    );
                }
                let terms = compile_phrases(
                    &lex.terms,
                    file,
                    &format!("{base}.terms"),
                    &concepts,
                    &mut used_concepts,
                    &mut set.diagnostics,
                );
                set.lexicons.push(LexiconIr {
                    name: name.as_str().into(),
                    severity: severity.clamp(1, 3),
                    terms,
                });
            }
            if let Some(conv) = &f.conversation {
                set.conversation.push((*idx, conv.clone()));
            }
        }
        // Concepts used only by other concepts count as used.
        for values in concepts.values() {
            for v in values {
                for part in v.split('@').skip(1) {
                    let name: String = part
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    used_concepts.insert(name, ());
                }
            }
        }
        for (name, loc) in concept_defs {
            if !used_concepts.contains_key(&name) {
                set.diagnostics.push(
                    Diagnostic::warning(K::Lint, format!("concept `{name}` is never used"))
                        .at(loc)
                        .help(format!(
                            "refer to it as `@{name}` in a phrase, or remove it"
                        )),
                );
            }
        }
        set
    }
}

fn compile_regex(
    pattern: &str,
    file: &SourceFile,
    path: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Regex> {
    match regex::RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
    {
        Ok(r) => Some(r),
        Err(regex::Error::CompiledTooBig(limit)) => {
            diags.push(
                Diagnostic::error(K::RegexTooLarge, format!("regex compiles to more than {limit} bytes"))
                    .at(file.at(path))
                    .help("simplify it (fewer repetitions like `{1000}`, smaller classes), or express the words as phrases"),
            );
            None
        }
        Err(e) => {
            let msg = e.to_string();
            let last = msg
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("invalid regex");
            diags.push(
                Diagnostic::error(
                    K::InvalidRegex,
                    format!("invalid regex: {}", last.trim_start_matches("error: ")),
                )
                .at(file.at(path))
                .help("fix the regex (Rust `regex` syntax; no look-around or backreferences)"),
            );
            None
        }
    }
}

fn compile_phrases(
    list: &LangList,
    file: &SourceFile,
    base: &str,
    concepts: &Concepts,
    used: &mut HashMap<String, ()>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<PhraseIr> {
    let mut out = Vec::new();
    for (lang, path, text) in lang_items(list, base) {
        if text.trim().is_empty() {
            diags.push(
                Diagnostic::error(K::InvalidPhrase, "empty phrase")
                    .at(file.at(&path))
                    .label("matches nothing")
                    .help("write at least one word, or remove the entry"),
            );
            continue;
        }
        for part in text.split('@').skip(1) {
            let name: String = part
                .chars()
                .take_while(|c| !c.is_whitespace() && !"()[]|*@".contains(*c))
                .collect();
            used.insert(name, ());
        }
        match phrase::expand(&text, concepts) {
            Ok(variants) => out.push(PhraseIr {
                text: text.as_str().into(),
                lang,
                location: file.at_str(&path),
                variants,
            }),
            Err(e) => {
                let kind = match e.kind {
                    phrase::PhraseErrorKind::Syntax => K::InvalidPhrase,
                    phrase::PhraseErrorKind::UnknownConcept => K::UnknownConcept,
                    phrase::PhraseErrorKind::TooLarge => K::PhraseTooLarge,
                };
                let label = match e.kind {
                    phrase::PhraseErrorKind::UnknownConcept => "not defined in this rule set",
                    _ => "here",
                };
                diags.push(
                    Diagnostic::error(kind, e.message)
                        .at(file.inside(&path, e.offset, e.len))
                        .label(label)
                        .help(e.help),
                );
            }
        }
    }
    out
}
