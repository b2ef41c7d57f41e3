//! The front end: rule files in, one validated rule set out.
//!
//! Each source is read once (regular files only, size-capped, directory
//! loops detected), parsed once into a located [`Document`], and read into
//! the rule model by typed readers that report every problem at its key or
//! value and carry on, so all problems come out in one pass. The matcher is
//! built from [`RuleSet`]; the conversation layer resolves its section from
//! the same documents (`conversation::config`).

pub(crate) mod document;
pub(crate) mod model;
pub(crate) mod phrase;
pub(crate) mod read;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use regex::Regex;

pub use self::document::Limits;
pub(crate) use self::document::{Document, Node};
pub use self::model::{Action, Intent, RulePlace, RuleText};
use self::phrase::{Concepts, Piece};
use self::read::{Located, Reader};
use crate::error::{Diagnostic, DiagnosticKind as K, Location};
use crate::lang::PerLang;
use crate::Lang;

/// The largest compiled size of one regex (patterns and entities).
pub(crate) const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// A piece of rule text with its place.
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
    pub location: RulePlace,
    pub variants: Vec<Vec<Piece>>,
}

/// An order-free concept set: every part somewhere in the message, in any
/// order, with optional supporting words.
#[derive(Clone, Debug)]
pub(crate) struct SetIr {
    /// How explanations show it: the parts joined by `+`, the support words
    /// in brackets.
    pub text: Arc<str>,
    pub location: RulePlace,
    /// At least two.
    pub parts: Vec<PhraseIr>,
    pub support: Vec<PhraseIr>,
}

#[derive(Clone, Debug)]
pub(crate) struct PatternIr {
    pub text: Arc<str>,
    pub location: RulePlace,
}

#[derive(Clone, Debug)]
pub(crate) struct IntentIr {
    /// What the compiled matcher exposes about the intent.
    pub info: Intent,
    pub phrases: Vec<PhraseIr>,
    pub patterns: Vec<PatternIr>,
    /// Evidence against the intent: each matched phrase lowers its score.
    pub excludes: Vec<PhraseIr>,
    /// Hard exclusion scoped to the words it touches: a match removes the
    /// intent's phrase matches it overlaps or closely precedes.
    pub vetoes: Vec<PhraseIr>,
    /// Order-free concept sets, scored like phrases.
    pub sets: Vec<SetIr>,
    pub examples: Vec<Text>,
    pub counter_examples: Vec<Text>,
    /// One concrete message per phrase (first alternatives, no optional
    /// words, no gaps, each concept as its first synonym), for the
    /// shadowed-intent lint.
    pub samples: Vec<String>,
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

/// One message from a top-level `examples:` section.
#[derive(Clone, Debug)]
pub(crate) struct ExampleData {
    /// The intent it belongs to; `None` for off-topic (`none:`).
    pub intent: Option<String>,
    pub lang: Option<Lang>,
    pub text: String,
}

/// A shop setting with the place it was last set.
#[derive(Clone, Debug)]
pub(crate) struct Setting {
    pub value: String,
    pub location: Location,
}

/// Everything loaded from the sources, validated, plus what went wrong.
#[derive(Debug, Default)]
pub(crate) struct RuleSet {
    pub docs: Vec<Document>,
    pub settings: BTreeMap<String, Setting>,
    pub abbreviations: Vec<(Option<Lang>, String, String)>,
    pub intents: Vec<IntentIr>,
    pub lexicons: Vec<LexiconIr>,
    pub entities: Vec<EntityIr>,
    /// Documents with a `conversation:` section, in merge order.
    pub conversation: Vec<usize>,
    /// The top-level `examples:` of every file: (intent id or `none`,
    /// language, text), for the similarity scorer. Unlike an intent's own
    /// `examples`, they are data, not checks.
    pub example_data: Vec<ExampleData>,
    /// `matching:` settings (later files override earlier ones):
    /// (key, value) for `threshold`, `similarity_threshold`, `doubt`,
    /// `ambiguity_margin`.
    pub matching: Vec<(&'static str, f32)>,
    pub diagnostics: Vec<Diagnostic>,
}

/// A source as given to the builder.
#[derive(Clone, Debug)]
pub(crate) enum Source {
    Yaml { name: String, text: String },
    Path(PathBuf),
}

fn io_error(path: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(K::Io, format!("cannot read `{}`: {e}", path.display()))
        .help("check the path given with --rules or add_path(); it must be a YAML file or a directory of them")
}

/// Every `*.yaml` / `*.yml` file under `dir`, in sorted path order. A
/// directory reached twice (a symlink loop) is read once.
fn yaml_files(
    dir: &Path,
    out: &mut Vec<PathBuf>,
    seen: &mut HashSet<PathBuf>,
    diags: &mut Vec<Diagnostic>,
) {
    // Iterative, so a deep tree cannot overflow the stack.
    let mut todo = vec![dir.to_path_buf()];
    while let Some(dir) = todo.pop() {
        match std::fs::canonicalize(&dir) {
            Ok(real) => {
                if !seen.insert(real) {
                    continue;
                }
            }
            Err(e) => {
                diags.push(io_error(&dir, &e));
                continue;
            }
        }
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) => {
                diags.push(io_error(&dir, &e));
                continue;
            }
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        let mut subdirs = Vec::new();
        for p in paths {
            if p.is_dir() {
                subdirs.push(p);
            } else if matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")) {
                out.push(p);
            }
        }
        // Depth first, in sorted order: the stack pops the first subdir next.
        // Files of this directory come before its subdirectories' files,
        // as a sorted walk gives them.
        todo.extend(subdirs.into_iter().rev());
    }
    // A sorted walk lists `a/x.yaml` before `b.yaml`: sort the whole list
    // by path so the merge order does not depend on the walk.
    out.sort();
}

/// Reads one file: a regular file of at most `max` bytes, in UTF-8.
fn read_file(path: &Path, max: u64) -> Result<String, Box<Diagnostic>> {
    let io = |e: std::io::Error| Box::new(io_error(path, &e));
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(Box::new(
            Diagnostic::error(K::Io, format!("`{}` is not a regular file", path.display()))
                .help("rules are read from regular files only (not devices, pipes or sockets)"),
        ));
    }
    let too_big = || {
        Box::new(
            Diagnostic::error(
                K::LimitExceeded,
                format!(
                    "`{}` is larger than the rule file limit ({max} bytes)",
                    path.display()
                ),
            )
            .help("split it into several files, or raise `Limits::max_file_bytes`"),
        )
    };
    if meta.len() > max {
        return Err(too_big());
    }
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    // The file may grow between the check and the read: read one byte past
    // the limit, never more.
    file.take(max + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > max {
        return Err(too_big());
    }
    String::from_utf8(bytes).map_err(|_| {
        Box::new(
            Diagnostic::error(K::Io, format!("`{}` is not valid UTF-8", path.display()))
                .help("save the rule file as UTF-8"),
        )
    })
}

/// The names of the files the sources stand for, in order (directories
/// expanded), without reading them.
pub(crate) fn file_names(sources: &[Source]) -> Vec<String> {
    let mut out = Vec::new();
    let mut ignored = Vec::new();
    for s in sources {
        match s {
            Source::Yaml { name, .. } => out.push(name.clone()),
            Source::Path(p) if p.is_dir() => {
                let mut files = Vec::new();
                yaml_files(p, &mut files, &mut HashSet::new(), &mut ignored);
                out.extend(files.iter().map(|f| f.display().to_string()));
            }
            Source::Path(p) if p.is_file() => out.push(p.display().to_string()),
            Source::Path(_) => {}
        }
    }
    out
}

/// Reads every source into (name, text) pairs, in order.
pub(crate) fn read_sources(
    sources: &[Source],
    limits: &Limits,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for s in sources {
        match s {
            Source::Yaml { name, text } => {
                if text.len() as u64 > limits.max_file_bytes {
                    diags.push(
                        Diagnostic::error(
                            K::LimitExceeded,
                            format!(
                                "`{name}` is larger than the rule file limit ({} bytes)",
                                limits.max_file_bytes
                            ),
                        )
                        .help("split it into several files, or raise `Limits::max_file_bytes`"),
                    );
                    continue;
                }
                out.push((name.clone(), text.clone()));
            }
            Source::Path(p) => {
                let mut files = Vec::new();
                if p.is_dir() {
                    yaml_files(p, &mut files, &mut HashSet::new(), diags);
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
                    match read_file(&f, limits.max_file_bytes) {
                        Ok(text) => out.push((f.display().to_string(), text)),
                        Err(d) => diags.push(*d),
                    }
                }
            }
        }
    }
    out
}

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// The keys a rule file may have at its top level.
const TOP_KEYS: &[&str] = &[
    "version",
    "settings",
    "abbreviations",
    "concepts",
    "entities",
    "intents",
    "lexicons",
    "conversation",
    "examples",
    "matching",
];

const INTENT_KEYS: &[&str] = &[
    "id",
    "description",
    "weight",
    "priority",
    "phrases",
    "sets",
    "patterns",
    "exclude",
    "veto",
    "examples",
    "counter_examples",
    "replies",
    "quick_replies",
    "slots",
    "action",
    "handoff",
];

/// The order intent keys are read in: references (concepts, entities)
/// before the checks that depend on them.
const READ_ORDER: &[&str] = &[
    "description",
    "weight",
    "priority",
    "phrases",
    "sets",
    "exclude",
    "veto",
    "patterns",
    "examples",
    "counter_examples",
    "replies",
    "quick_replies",
    "action",
    "slots",
    "handoff",
];

/// A concept's values with the language each is listed under, for samples.
type ConceptLangs = BTreeMap<String, Vec<(Option<Lang>, String)>>;

/// Compiles phrases: expands each (checking the expansion budget before
/// allocating) and records the concepts it uses.
struct PhraseCompiler<'c> {
    concepts: &'c Concepts,
    concept_langs: &'c ConceptLangs,
    used: HashMap<String, ()>,
    limits: &'c Limits,
    /// Word sequences expanded so far, over all phrases.
    total_variants: usize,
    total_reported: bool,
}

impl PhraseCompiler<'_> {
    fn compile(
        &mut self,
        r: &mut Reader<'_>,
        list: &[(Option<Lang>, Located<String>)],
    ) -> (Vec<PhraseIr>, Vec<String>) {
        let mut out = Vec::new();
        let mut samples = Vec::new();
        for (lang, t) in list {
            let text = &t.value;
            if text.trim().is_empty() {
                r.diags.push(
                    Diagnostic::error(K::InvalidPhrase, "empty phrase")
                        .at(Some(r.loc(t.pos)))
                        .label("matches nothing")
                        .help("write at least one word, or remove the entry"),
                );
                continue;
            }
            for name in phrase::concepts_used(text) {
                self.used.insert(name, ());
            }
            let budget = phrase::Budget {
                max_variants: self.limits.max_phrase_variants,
                max_depth: self.limits.max_phrase_depth,
            };
            match phrase::expand_parsed(text, self.concepts, &budget) {
                Ok((variants, parsed)) => {
                    self.total_variants += variants.len();
                    if self.total_variants > self.limits.max_total_variants {
                        if !self.total_reported {
                            self.total_reported = true;
                            r.diags.push(
                                Diagnostic::error(
                                    K::LimitExceeded,
                                    format!(
                                        "the phrases expand to more than {} word sequences in all",
                                        self.limits.max_total_variants
                                    ),
                                )
                                .at(Some(r.loc(t.pos)))
                                .label("the limit is reached here")
                                .help("use fewer alternatives per phrase, or raise `Limits::max_total_variants`"),
                            );
                        }
                        continue;
                    }
                    let lang_key = *lang;
                    samples.push(phrase::sample_parsed(text, &parsed, |name| {
                        let values = self.concept_langs.get(name)?;
                        let pick = |want: Option<Lang>| {
                            values
                                .iter()
                                .find(|(l, _)| *l == want)
                                .map(|(_, v)| v.clone())
                        };
                        let mut order = vec![lang_key, None, Some(Lang::Vi), Some(Lang::En)];
                        order.dedup();
                        order.into_iter().find_map(pick)
                    }));
                    out.push(PhraseIr {
                        text: text.as_str().into(),
                        lang: *lang,
                        location: r.doc.at_place(t.pos),
                        variants,
                    });
                }
                Err(e) => {
                    let kind = match e.kind {
                        phrase::PhraseErrorKind::Syntax => K::InvalidPhrase,
                        phrase::PhraseErrorKind::UnknownConcept => K::UnknownConcept,
                        phrase::PhraseErrorKind::TooLarge => K::PhraseTooLarge,
                        phrase::PhraseErrorKind::TooDeep => K::LimitExceeded,
                    };
                    let label = match e.kind {
                        phrase::PhraseErrorKind::UnknownConcept => "not defined in this rule set",
                        _ => "here",
                    };
                    r.diags.push(
                        Diagnostic::error(kind, e.message)
                            .at(Some(r.doc.inside(t.pos, e.offset, e.len)))
                            .label(label)
                            .help(e.help),
                    );
                }
            }
        }
        (out, samples)
    }
}

/// The last line of a regex error ("unclosed group"): the caret snippet
/// already shows where.
pub(crate) fn regex_error(e: &regex::Error) -> String {
    let msg = e.to_string();
    let last = msg
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("invalid regex");
    last.trim_start_matches("error: ").to_string()
}

fn compile_regex(r: &mut Reader<'_>, pattern: &Located<String>, limit: usize) -> Option<Regex> {
    match regex::RegexBuilder::new(&pattern.value)
        .size_limit(limit)
        .build()
    {
        Ok(re) => Some(re),
        Err(regex::Error::CompiledTooBig(limit)) => {
            r.error(
                K::RegexTooLarge,
                pattern.pos,
                format!("regex compiles to more than {limit} bytes"),
                "simplify it (fewer repetitions like `{1000}`, smaller classes), or express the words as phrases",
            );
            None
        }
        Err(e) => {
            r.error(
                K::InvalidRegex,
                pattern.pos,
                format!("invalid regex: {}", regex_error(&e)),
                "fix the regex (Rust `regex` syntax; no look-around or backreferences)",
            );
            None
        }
    }
}

impl RuleSet {
    /// Settings a shop's rule set still takes from the pack's demo
    /// `settings.yaml` (its Zalo number, support e-mail...): customers would
    /// see them. Only when the rule set has files of its own; the pack
    /// alone is a demo.
    pub(crate) fn demo_settings(&self) -> Vec<Diagnostic> {
        let pack = crate::pack::sources();
        let is_pack = |d: &Document| pack.iter().any(|(_, text)| *text == d.text());
        if self.docs.iter().all(is_pack) {
            return Vec::new();
        }
        let Some(demo) = pack
            .iter()
            .find(|(name, _)| name.ends_with("/settings.yaml"))
            .and_then(|(_, text)| self.docs.iter().find(|d| d.text() == *text))
        else {
            return Vec::new();
        };
        self.settings
            .iter()
            .filter(|(_, s)| s.location.file() == &*demo.name)
            .map(|(key, s)| {
                Diagnostic::warning(
                    K::Lint,
                    format!("setting `{key}` still has the pack's demo value `{}`", s.value),
                )
                .at(Some(s.location.clone()))
                .label("customers would see this")
                .help(format!(
                    "set `{key}:` under `settings:` in your own rule file (the same value there keeps it)"
                ))
            })
            .collect()
    }

    /// Loads and validates. Never fails: problems are in `diagnostics`.
    pub(crate) fn load(sources: &[Source], limits: &Limits) -> RuleSet {
        let mut set = RuleSet::default();
        let texts = read_sources(sources, limits, &mut set.diagnostics);
        for (name, text) in texts {
            let empty = text.trim().is_empty();
            let doc = Document::parse(&name, text, limits, &mut set.diagnostics);
            if empty {
                set.diagnostics.push(
                    Diagnostic::error(K::Version, "empty rule file")
                        .at(Some(doc.start()))
                        .help("start the file with `version: 1`"),
                );
            }
            set.docs.push(doc);
        }
        let docs = std::mem::take(&mut set.docs);
        set.read(&docs, limits);
        set.docs = docs;
        set
    }

    fn read(&mut self, docs: &[Document], limits: &Limits) {
        // The top-level entries of every document that parsed.
        let mut tops: Vec<(usize, Vec<(&str, &Node)>)> = Vec::new();
        for (idx, doc) in docs.iter().enumerate() {
            let Some(root) = &doc.root else { continue };
            let mut r = Reader {
                doc,
                diags: &mut self.diagnostics,
            };
            if !matches!(root.value, document::Value::Map(_)) {
                r.error(
                    K::Yaml,
                    root.pos,
                    "a rule file is a map of keys (`version: 1`, `intents:`...)",
                    "start the file with `version: 1`",
                );
                continue;
            }
            let fields = r.fields(root, "a rule file", TOP_KEYS);
            tops.push((idx, fields));
        }

        // Pass 1: version, settings, abbreviations, concepts, entities.
        let mut concepts: Concepts = BTreeMap::new();
        let mut concept_langs: ConceptLangs = BTreeMap::new();
        let mut concept_defs: BTreeMap<String, Location> = BTreeMap::new();
        for (idx, fields) in &tops {
            let doc = &docs[*idx];
            let mut r = Reader {
                doc,
                diags: &mut self.diagnostics,
            };
            let get = |key: &str| fields.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
            match get("version") {
                None => r.diags.push(
                    Diagnostic::error(K::Version, "missing `version`")
                        .at(Some(doc.start()))
                        .help("start the file with `version: 1`"),
                ),
                Some(v) => match v.scalar() {
                    Some("1") => {}
                    _ if v.is_null() || !matches!(v.value, document::Value::Scalar { .. }) => r
                        .error(
                            K::Version,
                            v.pos,
                            "`version` must be 1",
                            "write `version: 1`",
                        ),
                    Some(other) => r.diags.push(
                        Diagnostic::error(
                            K::Version,
                            format!("unsupported rule format version {other}"),
                        )
                        .at(Some(r.loc(v.pos)))
                        .label("only version 1 exists")
                        .help("write `version: 1`"),
                    ),
                    None => {}
                },
            }
            if let Some(node) = get("settings") {
                for (key, name, value) in r.entries(node, "`settings`") {
                    let help = format!(
                        "write the value of `{name}` as text, like `{name}: \"Shop Hoa Mai\"`"
                    );
                    if let Some(v) = r.text(value, &help) {
                        self.settings.insert(
                            name.to_string(),
                            Setting {
                                value: v,
                                location: doc.location(key.pos),
                            },
                        );
                    }
                }
            }
            if let Some(node) = get("matching") {
                const KEYS: &[&str] = &[
                    "threshold",
                    "similarity_threshold",
                    "doubt",
                    "ambiguity_margin",
                ];
                for (k, v) in r.fields(node, "`matching`", KEYS) {
                    let help = format!("write `{k}:` as a number from 0 to 1");
                    if let Some(x) = r.number(v, &help) {
                        let max = if k == "similarity_threshold" {
                            2.0
                        } else {
                            1.0
                        };
                        if !(0.0..=max).contains(&x) {
                            r.error(
                                K::InvalidValue,
                                v.pos,
                                format!("`{k}` {x} is out of range"),
                                help,
                            );
                            continue;
                        }
                        if let Some(key) = KEYS.iter().find(|x| **x == k) {
                            self.matching.push((key, x as f32));
                        }
                    }
                }
            }
            if let Some(node) = get("abbreviations") {
                for (lang_key, map) in r.fields(node, "`abbreviations`", &["vi", "en", "any"]) {
                    let lang = Lang::from_code(lang_key);
                    for (key, from, to) in r.entries(map, "an abbreviation list") {
                        let Some(to) = r.text(to, "write `short: \"long form\"`") else {
                            continue;
                        };
                        if from.trim().is_empty() || to.trim().is_empty() {
                            r.error(
                                K::InvalidValue,
                                key.pos,
                                "empty abbreviation",
                                "write `short: \"long form\"` with both sides non-empty",
                            );
                            continue;
                        }
                        self.abbreviations.push((lang, from.to_string(), to));
                    }
                }
            }
            if let Some(node) = get("concepts") {
                for (key, name, values) in r.entries(node, "`concepts`") {
                    if !valid_name(name) {
                        r.error(
                            K::InvalidName,
                            key.pos,
                            format!("invalid concept name `{name}`"),
                            "use lowercase ASCII letters, digits and `_`",
                        );
                    }
                    let items = r.lang_list(values, &format!("concept `{name}`"));
                    if items.is_empty() {
                        r.error(
                            K::InvalidValue,
                            key.pos,
                            format!("concept `{name}` has no values"),
                            "list at least one synonym",
                        );
                    }
                    for (_, t) in &items {
                        if t.value.trim().is_empty() {
                            r.error(
                                K::InvalidPhrase,
                                t.pos,
                                "empty synonym",
                                "remove the empty entry",
                            );
                        }
                    }
                    let values = items
                        .into_iter()
                        .filter(|(_, t)| !t.value.trim().is_empty());
                    let langs = concept_langs.entry(name.to_string()).or_default();
                    let plain = concepts.entry(name.to_string()).or_default();
                    for (lang, t) in values {
                        plain.push(t.value.clone());
                        langs.push((lang, t.value));
                    }
                    concept_defs
                        .entry(name.to_string())
                        .or_insert_with(|| doc.location(key.pos));
                }
            }
            if let Some(node) = get("entities") {
                for (key, name, def) in r.entries(node, "`entities`") {
                    if !valid_name(name) {
                        r.error(
                            K::InvalidName,
                            key.pos,
                            format!("invalid entity name `{name}`"),
                            "use lowercase ASCII letters, digits and `_`",
                        );
                        continue;
                    }
                    let fields =
                        r.fields(def, &format!("entity `{name}`"), &["pattern", "normalize"]);
                    let field = |k: &str| fields.iter().find(|(f, _)| *f == k).map(|(_, v)| *v);
                    let norm = match field("normalize") {
                        None => Some(EntityNorm::None),
                        Some(n) => {
                            let help = format!("use one of: {}", EntityNorm::NAMES.join(", "));
                            r.located_text(n, &help).and_then(|t| {
                                let parsed = EntityNorm::parse(&t.value);
                                if parsed.is_none() {
                                    r.error(
                                        K::UnknownReference,
                                        t.pos,
                                        format!("unknown normaliser `{}`", t.value),
                                        help,
                                    );
                                }
                                parsed
                            })
                        }
                    };
                    let pattern = match field("pattern") {
                        Some(p) => r.located_text(p, "write the entity's regex as text"),
                        None => {
                            r.error(
                                K::Yaml,
                                key.pos,
                                format!("entity `{name}` has no `pattern`"),
                                "add `pattern:` with a regex that finds the value",
                            );
                            None
                        }
                    };
                    let (Some(norm), Some(pattern)) = (norm, pattern) else {
                        continue;
                    };
                    let count = |needle: &str| pattern.value.matches(needle).count();
                    let unicode_boundaries = (count("\\b") + count("\\B"))
                        .saturating_sub(count("(?-u:\\b)") + count("(?-u:\\B)"));
                    if unicode_boundaries > 0 {
                        r.diags.push(
                            Diagnostic::warning(
                                K::Lint,
                                format!("entity `{name}` uses a Unicode word boundary `\\b`"),
                            )
                            .at(Some(r.loc(pattern.pos)))
                            .help("on Vietnamese text it keeps the regex engine off its fast DFA (several times slower on every message): write `(?-u:\\b)` next to ASCII letters and digits, or `(?:^|[^\\p{L}\\p{N}])`"),
                        );
                    }
                    if let Some(regex) = compile_regex(&mut r, &pattern, limits.max_regex_bytes) {
                        self.entities.retain(|e| &*e.name != name);
                        self.entities.push(EntityIr {
                            name: name.into(),
                            regex,
                            norm,
                        });
                    }
                }
            }
        }

        // Pass 2: intents and lexicons (they need all concepts).
        let mut phrases = PhraseCompiler {
            concepts: &concepts,
            concept_langs: &concept_langs,
            used: HashMap::new(),
            limits,
            total_variants: 0,
            total_reported: false,
        };
        let mut seen: HashMap<String, Location> = HashMap::new();
        let mut example_keys: Vec<(String, Location)> = Vec::new();
        for (idx, fields) in &tops {
            let doc = &docs[*idx];
            let mut r = Reader {
                doc,
                diags: &mut self.diagnostics,
            };
            let get = |key: &str| fields.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
            if let Some(node) = get("intents") {
                let items = r.list(node, "write `intents:` as a list of `- id: ...` entries");
                for item in items {
                    if let Some(ir) = read_intent(
                        &mut r,
                        item,
                        &self.settings,
                        &self.entities,
                        &mut phrases,
                        &mut seen,
                        limits,
                    ) {
                        self.intents.push(ir);
                    }
                }
            }
            if let Some(node) = get("lexicons") {
                for (key, name, lex) in r.entries(node, "`lexicons`") {
                    if !valid_name(name) {
                        r.error(
                            K::InvalidName,
                            key.pos,
                            format!("invalid lexicon name `{name}`"),
                            "use lowercase ASCII letters, digits and `_`",
                        );
                    }
                    let fields =
                        r.fields(lex, &format!("lexicon `{name}`"), &["severity", "terms"]);
                    let mut severity = 1u8;
                    let mut terms = Vec::new();
                    for (k, v) in fields {
                        match k {
                            "severity" => {
                                let help = "use 1 (mild), 2 (serious) or 3 (severe)";
                                if let Some(s) = r.int::<i64>(v, help) {
                                    if !(1..=3).contains(&s) {
                                        r.error(
                                            K::InvalidValue,
                                            v.pos,
                                            format!("severity {s} is out of range"),
                                            help,
                                        );
                                    }
                                    severity = s.clamp(1, 3) as u8;
                                }
                            }
                            _ => {
                                let list = r.lang_list(v, &format!("the terms of `{name}`"));
                                terms = phrases.compile(&mut r, &list).0;
                            }
                        }
                    }
                    self.lexicons.push(LexiconIr {
                        name: name.into(),
                        severity,
                        terms,
                    });
                }
            }
            if get("conversation").is_some_and(|n| !n.is_null()) {
                self.conversation.push(*idx);
            }
            if let Some(node) = get("examples") {
                for (key, name, values) in r.entries(node, "`examples`") {
                    let items = r.lang_list(values, &format!("the examples of `{name}`"));
                    example_keys.push((name.to_string(), doc.location(key.pos)));
                    for (lang, t) in items {
                        if !t.value.trim().is_empty() {
                            self.example_data.push(ExampleData {
                                intent: (name != "none").then(|| name.to_string()),
                                lang,
                                text: t.value,
                            });
                        }
                    }
                }
            }
        }
        for (name, location) in example_keys {
            if name != "none" && !self.intents.iter().any(|i| *i.info.id == *name) {
                self.diagnostics.push(
                    Diagnostic::error(K::UnknownReference, format!("no intent `{name}` to give examples to"))
                        .at(Some(location))
                        .help("use the id of an intent of this rule set, or `none` for off-topic messages"),
                );
            }
        }
        let mut used = std::mem::take(&mut phrases.used);
        // Concepts used only by other concepts count as used.
        for values in concepts.values() {
            for v in values {
                for name in phrase::concepts_used(v) {
                    used.insert(name, ());
                }
            }
        }
        for (name, loc) in concept_defs {
            if !used.contains_key(&name) {
                self.diagnostics.push(
                    Diagnostic::warning(K::Lint, format!("concept `{name}` is never used"))
                        .at(Some(loc))
                        .help(format!(
                            "refer to it as `@{name}` in a phrase, or remove it"
                        )),
                );
            }
        }
    }
}

/// An intent's `sets:`: a list of `{ all: [...], support: [...] }`, or a
/// map with keys `vi`, `en`, `any` whose values are such lists.
fn read_sets(
    r: &mut Reader<'_>,
    node: &Node,
    what: &str,
    phrases: &mut PhraseCompiler<'_>,
) -> Vec<SetIr> {
    let help = "write `sets:` as a list of `{ all: [...], support: [...] }`, or a map with keys `vi`, `en`, `any` whose values are such lists";
    let groups: Vec<(Option<Lang>, &Node)> = match &node.value {
        document::Value::Map(_) => r
            .fields(node, what, &["vi", "en", "any"])
            .into_iter()
            .map(|(k, v)| (Lang::from_code(k), v))
            .collect(),
        _ => vec![(None, node)],
    };
    let mut out = Vec::new();
    for (lang, list) in groups {
        for item in r.list(list, help) {
            if !matches!(item.value, document::Value::Map(_)) {
                r.error(
                    K::InvalidSet,
                    item.pos,
                    "a concept set is a map with `all:` (and optionally `support:`)",
                    "write it like `{ all: [\"@cancel\", \"@order\"], support: [\"please\"] }`",
                );
                continue;
            }
            let fields = r.fields(item, "a concept set", &["all", "support"]);
            let get = |key: &str| fields.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
            let Some(all) = get("all") else {
                r.error(
                    K::InvalidSet,
                    item.pos,
                    "concept set without `all:`",
                    "list the concepts that must all occur, like `all: [\"@cancel\", \"@order\"]`",
                );
                continue;
            };
            let texts = r.texts(all, "write `all:` as a list of concepts or phrases");
            for t in &texts {
                for name in phrase::concepts_used(&t.value) {
                    phrases.used.insert(name, ());
                }
            }
            if texts.len() < 2 {
                let (message, help) = match texts.first() {
                    None => (
                        "empty concept set".to_string(),
                        "list at least two parts that must all occur, like `all: [\"@cancel\", \"@order\"]`".to_string(),
                    ),
                    Some(t) => (
                        "concept set with one part".to_string(),
                        format!(
                            "one part is a phrase: write `\"{}\"` under `phrases:`, or add the part it goes with",
                            t.value
                        ),
                    ),
                };
                let d = Diagnostic::error(K::InvalidSet, message)
                    .at(Some(r.loc(all.pos)))
                    .label("a set needs two parts or more")
                    .help(help);
                r.diags.push(d);
                continue;
            }
            let n = texts.len();
            let joined: Vec<String> = texts.iter().map(|t| t.value.clone()).collect();
            let list: Vec<_> = texts.into_iter().map(|t| (lang, t)).collect();
            let parts = phrases.compile(r, &list).0;
            let support_texts = match get("support") {
                Some(v) => r.texts(v, "write `support:` as a list of words or phrases"),
                None => Vec::new(),
            };
            let mut text = joined.join(" + ");
            if !support_texts.is_empty() {
                let s: Vec<&str> = support_texts.iter().map(|t| t.value.as_str()).collect();
                text = format!("{text} [+ {}]", s.join(" | "));
            }
            let list: Vec<_> = support_texts.into_iter().map(|t| (lang, t)).collect();
            let support = phrases.compile(r, &list).0;
            // A part that did not compile was reported at its place.
            if parts.len() == n {
                out.push(SetIr {
                    text: text.into(),
                    location: r.doc.at_place(all.pos),
                    parts,
                    support,
                });
            }
        }
    }
    out
}

fn read_intent(
    r: &mut Reader<'_>,
    item: &Node,
    settings: &BTreeMap<String, Setting>,
    entities: &[EntityIr],
    phrases: &mut PhraseCompiler<'_>,
    seen: &mut HashMap<String, Location>,
    limits: &Limits,
) -> Option<IntentIr> {
    let fields = r.fields(item, "an intent", INTENT_KEYS);
    if !matches!(item.value, document::Value::Map(_)) {
        return None;
    }
    let get = |key: &str| fields.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
    let Some(id_node) = get("id") else {
        r.error(
            K::Yaml,
            item.pos,
            "intent without an `id`",
            "give every intent a unique `id:` (lowercase ASCII, like `track_order`)",
        );
        return None;
    };
    let id = r.located_text(id_node, "write the id as a name, like `track_order`")?;
    let loc = r.loc(id.pos);
    if !valid_name(&id.value) {
        r.diags.push(
            Diagnostic::error(K::InvalidName, format!("invalid intent id `{}`", id.value))
                .at(Some(loc.clone()))
                .label("ids are lowercase ASCII")
                .help("use lowercase ASCII letters, digits and `_`, e.g. `track_order`"),
        );
    }
    if let Some(first) = seen.get(&id.value) {
        r.diags.push(
            Diagnostic::error(
                K::DuplicateIntent,
                format!("duplicate intent id `{}`", id.value),
            )
            .at(Some(loc))
            .label("already defined")
            .help(format!(
                "first defined at {first}; rename one of them, or merge them into one intent"
            )),
        );
        return None;
    }
    seen.insert(id.value.clone(), loc.clone());

    let mut weight = 1.0f32;
    let mut priority = 0i32;
    let mut description = None;
    let mut handoff = false;
    let mut action = Action::Reply;
    let mut slots: Vec<String> = Vec::new();
    let mut ir_phrases = Vec::new();
    let mut samples = Vec::new();
    let mut excludes = Vec::new();
    let mut vetoes = Vec::new();
    let mut sets = Vec::new();
    let mut patterns = Vec::new();
    let mut examples = Vec::new();
    let mut counter_examples = Vec::new();
    let mut replies = PerLang::<Vec<String>>::default();
    let mut reply_texts: Vec<Located<String>> = Vec::new();
    let mut quick_replies = PerLang::<Vec<String>>::default();
    let per_lang = |list: Vec<(Option<Lang>, Located<String>)>| {
        let mut t = PerLang::<Vec<String>>::default();
        for (lang, text) in list {
            match lang {
                Some(l) => t.get_mut(l).push(text.value),
                None => {
                    t.vi.push(text.value.clone());
                    t.en.push(text.value);
                }
            }
        }
        t
    };
    let texts = |r: &Reader<'_>, list: Vec<(Option<Lang>, Located<String>)>| -> Vec<Text> {
        list.into_iter()
            .map(|(_, t)| Text {
                text: t.value,
                location: Some(r.loc(t.pos)),
            })
            .collect()
    };
    // In the format's order, whatever the file's, so diagnostics come
    // out in a stable order.
    for key in READ_ORDER {
        let Some(v) = get(key) else { continue };
        let what = format!("`{key}` of `{}`", id.value);
        match *key {
            "description" => description = r.text(v, "write a one-line description"),
            "weight" => {
                let help = "use a weight between 0.1 and 10 (1 is the default)";
                if let Some(w) = r.number(v, help) {
                    weight = w as f32;
                    if !(0.1..=10.0).contains(&weight) {
                        r.error(
                            K::InvalidValue,
                            v.pos,
                            format!("weight {weight} is out of range"),
                            help,
                        );
                    }
                }
            }
            "priority" => {
                if let Some(p) = r.int(v, "use a whole number; higher wins near-ties (default 0)") {
                    priority = p;
                }
            }
            "phrases" => {
                let list = r.lang_list(v, &what);
                (ir_phrases, samples) = phrases.compile(r, &list);
            }
            "exclude" => {
                let list = r.lang_list(v, &what);
                excludes = phrases.compile(r, &list).0;
            }
            "veto" => {
                let list = r.lang_list(v, &what);
                vetoes = phrases.compile(r, &list).0;
            }
            "sets" => sets = read_sets(r, v, &what, phrases),
            "patterns" => {
                for p in r.texts(v, "write `patterns:` as a list of regexes") {
                    // Compiled alone to report its own error at its own
                    // line; the matcher runs all patterns in one RegexSet.
                    if compile_regex(r, &p, limits.max_regex_bytes).is_some() {
                        patterns.push(PatternIr {
                            text: p.value.as_str().into(),
                            location: r.doc.at_place(p.pos),
                        });
                    }
                }
            }
            "examples" => {
                let list = r.lang_list(v, &what);
                examples = texts(r, list);
            }
            "counter_examples" => {
                let list = r.lang_list(v, &what);
                counter_examples = texts(r, list);
            }
            "replies" => {
                let list = r.lang_list(v, &what);
                reply_texts = list.iter().map(|(_, t)| t.clone()).collect();
                replies = per_lang(list);
            }
            "quick_replies" => quick_replies = per_lang(r.lang_list(v, &what)),
            "slots" => {
                for s in r.texts(
                    v,
                    "write `slots:` as a list of entity names, like `[order_id]`",
                ) {
                    if !entities.iter().any(|e| *e.name == *s.value) {
                        r.error(
                                K::UnknownReference,
                                s.pos,
                                format!("slot `{}` is not an entity", s.value),
                                "a slot is filled from the entity of the same name: define it under `entities:`",
                            );
                    }
                    slots.push(s.value);
                }
            }
            "action" => {
                let help = "use `reply`, `lookup_order` or `handoff`";
                if let Some(a) = r.located_text(v, help) {
                    action = match a.value.as_str() {
                        "reply" => Action::Reply,
                        "lookup_order" => Action::LookupOrder,
                        "handoff" => Action::Handoff,
                        other => {
                            r.error(
                                K::UnknownReference,
                                a.pos,
                                format!("unknown action `{other}`"),
                                help,
                            );
                            Action::Reply
                        }
                    };
                }
            }
            "handoff" => {
                handoff = r
                    .boolean(
                        v,
                        "write `handoff: true` to always pass this intent to a human",
                    )
                    .unwrap_or(false)
            }
            _ => {}
        }
    }
    // Every placeholder must name something the engine fills.
    for t in &reply_texts {
        for name in model::placeholders(&t.value) {
            if model::BUILTIN_PLACEHOLDERS.contains(&name)
                || settings.contains_key(name)
                || slots.iter().any(|s| s == name)
            {
                continue;
            }
            let known: Vec<String> = model::BUILTIN_PLACEHOLDERS
                .iter()
                .map(|s| s.to_string())
                .chain(settings.keys().cloned())
                .chain(slots.iter().cloned())
                .collect();
            let mut help = format!(
                "declare `{name}` under `settings:`, or use a slot of this intent or one of {}",
                model::BUILTIN_PLACEHOLDERS.join(", ")
            );
            if let Some(best) = phrase::closest(name, known.iter()) {
                help = format!("did you mean `{{{best}}}`? Otherwise {help}");
            }
            let needle = format!("{{{name}}}");
            let offset = t
                .value
                .find(&needle)
                .map_or(0, |b| t.value[..b].chars().count());
            r.diags.push(
                Diagnostic::error(
                    K::UnknownReference,
                    format!(
                        "unknown placeholder `{needle}` in a reply of `{}`",
                        id.value
                    ),
                )
                .at(Some(r.doc.inside(t.pos, offset, needle.chars().count())))
                .label("no setting, slot or built-in value has this name")
                .help(help),
            );
        }
    }
    Some(IntentIr {
        info: Intent {
            id: id.value.as_str().into(),
            description,
            weight,
            priority,
            replies,
            quick_replies,
            slots,
            action,
            handoff,
            location: Some(loc),
            phrases: ir_phrases
                .iter()
                .map(|p| RuleText {
                    lang: p.lang,
                    text: p.text.clone(),
                    location: p.location.clone(),
                })
                .collect(),
            patterns: patterns
                .iter()
                .map(|p| RuleText {
                    lang: None,
                    text: p.text.clone(),
                    location: p.location.clone(),
                })
                .collect(),
        },
        phrases: ir_phrases,
        patterns,
        excludes,
        vetoes,
        sets,
        examples,
        counter_examples,
        samples,
    })
}
