//! The YAML script format as serde types, and loading files with located
//! errors.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use regex::Regex;
use serde::Deserialize;

use super::ScriptError;
use crate::conversation::{LookupError, Order, OrderStatus};
use crate::error::{Diagnostic, DiagnosticKind, Location};
use crate::Lang;

/// One string or a list of them (`reply: "..."` or `reply: ["...", "..."]`).
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    /// The strings, as a list.
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScriptDef {
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    settings: BTreeMap<String, String>,
    #[serde(default)]
    orders: Vec<OrderDef>,
    #[serde(default)]
    now: Option<i64>,
    #[serde(default)]
    session: Option<String>,
    #[serde(default)]
    turns: Vec<TurnDef>,
    #[serde(default)]
    intent: Option<String>,
    #[serde(default)]
    paraphrases: Vec<String>,
    #[serde(default)]
    paraphrases_file: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OrderDef {
    id: String,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    carrier: Option<String>,
    #[serde(default)]
    tracking: Option<String>,
    #[serde(default)]
    eta: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TurnDef {
    say: String,
    #[serde(default)]
    after: Option<i64>,
    #[serde(default)]
    intent: Option<String>,
    #[serde(default)]
    also: Option<String>,
    #[serde(default)]
    understood: Option<bool>,
    #[serde(default)]
    reply: Option<String>,
    #[serde(default)]
    contains: Option<OneOrMany>,
    #[serde(default)]
    not_contains: Option<OneOrMany>,
    #[serde(default)]
    matches: Option<String>,
    #[serde(default)]
    asks_for: Option<String>,
    #[serde(default)]
    lookup: Option<String>,
    #[serde(default)]
    handoff: Option<HandoffDef>,
    #[serde(default)]
    verified: Option<bool>,
    #[serde(default)]
    reveals: Option<bool>,
    #[serde(default)]
    lang: Option<Lang>,
}

/// `handoff:` takes a reason code, `any` or `false`.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
enum HandoffDef {
    Flag(bool),
    Reason(String),
}

/// What a turn expects of a handoff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HandoffCheck {
    /// `handoff: false`: the conversation stays with the bot.
    No,
    /// `handoff: any` (or `true`): handed to a human, for any reason.
    Any,
    /// `handoff: <reason>`: handed off with this reason code.
    Reason(String),
}

impl std::fmt::Display for HandoffCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HandoffCheck::No => f.write_str("no handoff"),
            HandoffCheck::Any => f.write_str("a handoff (any reason)"),
            HandoffCheck::Reason(r) => f.write_str(r),
        }
    }
}

/// The default time of a script's first turn: [`crate::pack::OPEN_NOW`],
/// inside any usual agent hours.
pub const DEFAULT_NOW: i64 = crate::pack::OPEN_NOW;

/// Seconds between turns when a turn does not say `after`.
pub const DEFAULT_GAP: i64 = 30;

/// A parsed, validated script: turn by turn, or a set of paraphrases.
#[derive(Clone, Debug)]
pub struct Script {
    /// The script's name, as written.
    pub name: String,
    /// What it is about.
    pub description: Option<String>,
    /// The file it came from.
    pub file: PathBuf,
    /// The line of its `name:` key (1-based; 0 when unknown).
    pub line: usize,
    /// Settings overriding the rules' settings.
    pub settings: BTreeMap<String, String>,
    /// The orders the mocked store holds, by id.
    pub orders: BTreeMap<String, Result<Order, LookupError>>,
    /// The time of the first turn (unix seconds).
    pub now: i64,
    /// The session id.
    pub session: String,
    /// The turns, in order.
    pub turns: Vec<Step>,
    /// For a paraphrase set: the intent and the paraphrases.
    pub paraphrases: Option<(String, Vec<String>)>,
}

/// One step of a script: a customer message and what should happen (not
/// to be confused with [`crate::Turn`], what the bot returns for a message).
#[derive(Clone, Debug)]
pub struct Step {
    /// What the customer types.
    pub say: String,
    /// Seconds since the previous turn.
    pub after: i64,
    /// Expected intent.
    pub intent: Option<String>,
    /// Expected second request of the message (the event's `also`);
    /// `none`: the turn has none.
    pub also: Option<String>,
    /// Expected understood flag (false: a fallback).
    pub understood: Option<bool>,
    /// Expected reply, exactly.
    pub reply: Option<String>,
    /// Substrings the reply must contain.
    pub contains: Vec<String>,
    /// Substrings the reply must not contain.
    pub not_contains: Vec<String>,
    /// A regex the reply must match.
    pub matches: Option<Regex>,
    /// The slot the bot should be asking for after the turn.
    pub asks_for: Option<String>,
    /// The order id the bot should ask the store for.
    pub lookup: Option<String>,
    /// The expected handoff: a reason, any, or none.
    pub handoff: Option<HandoffCheck>,
    /// Whether the order the turn is about must (`true`) or must not
    /// (`false`) be one the customer has proved is theirs.
    pub verified: Option<bool>,
    /// `false`: the reply must show no order detail (status, carrier,
    /// tracking, delivery date); `true`: it must show them.
    pub reveals: Option<bool>,
    /// The expected reply language.
    pub lang: Option<Lang>,
}

fn loc(file: &str, text: &str, line: usize, column: usize, len: usize) -> Location {
    let source_line = text
        .lines()
        .nth(line.saturating_sub(1))
        .unwrap_or("")
        .to_string();
    Location::new(file.to_string(), line, column, len, source_line)
}

/// Finds where `needle` is written in `text`, at or after `from_line`.
fn find(file: &str, text: &str, from_line: usize, needle: &str) -> Option<Location> {
    for (i, l) in text.lines().enumerate().skip(from_line.saturating_sub(1)) {
        if let Some(b) = l.find(needle) {
            let col = l[..b].chars().count() + 1;
            return Some(loc(file, text, i + 1, col, needle.chars().count()));
        }
    }
    None
}

fn yaml_error(file: &str, text: &str, e: &serde_yaml::Error) -> Diagnostic {
    let msg = e.to_string();
    // serde_yaml appends " at line L column C"; the location shows it.
    let short = msg.split(" at line ").next().unwrap_or(&msg).to_string();
    let help = if short.contains("unknown field") {
        "see tests/conversations/README.md (or `firstline schema script`) for the keys a script and a turn take"
    } else if short.contains("missing field") {
        "every script needs `name`, every turn needs `say`"
    } else {
        "fix the YAML; `firstline schema script` gives editors the format"
    };
    // Underline the whole unknown key, not just its first character.
    let len = short
        .split_once("unknown field `")
        .and_then(|(_, rest)| rest.split_once('`'))
        .map_or(1, |(key, _)| key.chars().count());
    let mut d = Diagnostic::error(DiagnosticKind::Yaml, short).help(help);
    if let Some(l) = e.location() {
        d = d.at(Some(loc(file, text, l.line(), l.column(), len)));
    } else {
        d = d.at(Some(loc(file, text, 1, 1, 1)));
    }
    d
}

/// Parses the scripts in one file's text. `path` names the file in errors
/// and anchors `paraphrases_file`.
pub(crate) fn parse(path: &Path, text: &str, out: &mut Vec<Script>, errs: &mut Vec<Diagnostic>) {
    let file = path.display().to_string();
    let mut defs: Vec<ScriptDef> = Vec::new();
    for doc in serde_yaml::Deserializer::from_str(text) {
        let value = match serde_yaml::Value::deserialize(doc) {
            Ok(v) => v,
            Err(e) => {
                errs.push(yaml_error(&file, text, &e));
                return;
            }
        };
        if value.is_null() {
            continue;
        }
        if !value.is_sequence() && !value.is_mapping() {
            errs.push(
                Diagnostic::error(
                    DiagnosticKind::Yaml,
                    "a script file holds a script or a list of scripts",
                )
                .at(Some(loc(&file, text, 1, 1, 1)))
                .help("start with `name:` (one script) or `- name:` (several)"),
            );
            return;
        }
    }
    // Second pass, typed, so errors carry serde_yaml's positions.
    let mut docs = serde_yaml::Deserializer::from_str(text);
    let shapes: Vec<bool> = serde_yaml::Deserializer::from_str(text)
        .map(|d| {
            serde_yaml::Value::deserialize(d)
                .map(|v| v.is_sequence())
                .unwrap_or(false)
        })
        .collect();
    for is_seq in shapes {
        let Some(doc) = docs.next() else { break };
        let r = if is_seq {
            Vec::<ScriptDef>::deserialize(doc)
        } else {
            match Option::<ScriptDef>::deserialize(doc) {
                Ok(s) => Ok(s.into_iter().collect()),
                Err(e) => Err(e),
            }
        };
        match r {
            Ok(d) => defs.extend(d),
            Err(e) => {
                errs.push(yaml_error(&file, text, &e));
                return;
            }
        }
    }
    let mut from_line = 1;
    for def in defs {
        let name_loc = find(&file, text, from_line, &def.name);
        let line = name_loc.as_ref().map_or(0, |l| l.line());
        if line > 0 {
            from_line = line;
        }
        if let Some(s) = convert(path, &file, text, line, def, errs) {
            out.push(s);
        }
    }
}

fn convert(
    path: &Path,
    file: &str,
    text: &str,
    line: usize,
    def: ScriptDef,
    errs: &mut Vec<Diagnostic>,
) -> Option<Script> {
    let before = errs.len();
    let at = |needle: &str| {
        find(file, text, line, needle).or_else(|| Some(loc(file, text, line.max(1), 1, 1)))
    };
    let mut orders = BTreeMap::new();
    for o in def.orders {
        let status = match o.status.as_deref() {
            None => OrderStatus::Pending,
            Some(s) => match OrderStatus::from_code(s) {
                Some(st) => st,
                None => {
                    errs.push(
                        Diagnostic::error(DiagnosticKind::InvalidValue, format!("unknown order status `{s}`"))
                            .at(at(&format!("status: {s}")))
                            .help("use pending, confirmed, packed, shipped, in_transit, delivered, cancelled, returned or refunded"),
                    );
                    continue;
                }
            },
        };
        let value = match o.error.as_deref() {
            None => {
                let mut order = Order::new(o.id.clone(), status);
                order.carrier = o.carrier;
                order.tracking = o.tracking;
                order.eta = o.eta;
                order.phone = o.phone;
                order.email = o.email;
                Ok(order)
            }
            Some("timeout") => Err(LookupError::timeout()),
            Some("unavailable") => Err(LookupError::unavailable("the order system is down")),
            Some(other) => {
                errs.push(
                    Diagnostic::error(
                        DiagnosticKind::InvalidValue,
                        format!("unknown lookup error `{other}`"),
                    )
                    .at(at(&format!("error: {other}")))
                    .help("use `timeout` or `unavailable`"),
                );
                continue;
            }
        };
        orders.insert(o.id, value);
    }
    let mut turns = Vec::new();
    let mut clock = Some(def.now.unwrap_or(DEFAULT_NOW));
    for (i, t) in def.turns.into_iter().enumerate() {
        let after = t.after.unwrap_or(DEFAULT_GAP);
        if i > 0 && clock.is_some() {
            clock = clock.and_then(|c| c.checked_add(after));
            if clock.is_none() {
                errs.push(
                    Diagnostic::error(
                        DiagnosticKind::InvalidValue,
                        format!(
                            "the script's clock overflows at turn {}: `now` plus the `after` gaps passes the largest time",
                            i + 1
                        ),
                    )
                    .at(t.after.and_then(|a| find(file, text, line, &format!("after: {a}"))).or_else(|| at("now:")))
                    .help("`now` is unix seconds (for example 1764000000) and `after` the seconds since the previous turn; use realistic values"),
                );
            }
        }
        let matches = match t.matches {
            None => None,
            Some(re) => match Regex::new(&re) {
                Ok(r) => Some(r),
                Err(e) => {
                    let first = e.to_string();
                    let first = first
                        .lines()
                        .last()
                        .unwrap_or("invalid regex")
                        .trim()
                        .to_string();
                    errs.push(
                        Diagnostic::error(DiagnosticKind::InvalidRegex, format!("invalid regex in `matches`: {first}"))
                            .at(at(&re).or_else(|| at("matches:")))
                            .label("does not compile")
                            .help("`matches` takes Rust regex syntax; escape ( ) [ ] . * + ? with a backslash, or use `contains`"),
                    );
                    None
                }
            },
        };
        turns.push(Step {
            say: t.say,
            after,
            intent: t.intent,
            also: t.also,
            understood: t.understood,
            reply: t.reply,
            contains: t.contains.map(OneOrMany::into_vec).unwrap_or_default(),
            not_contains: t.not_contains.map(OneOrMany::into_vec).unwrap_or_default(),
            matches,
            asks_for: t.asks_for,
            lookup: t.lookup,
            handoff: t.handoff.map(|h| match h {
                HandoffDef::Flag(false) => HandoffCheck::No,
                HandoffDef::Flag(true) => HandoffCheck::Any,
                HandoffDef::Reason(r) if r == "any" => HandoffCheck::Any,
                HandoffDef::Reason(r) => HandoffCheck::Reason(r),
            }),
            verified: t.verified,
            reveals: t.reveals,
            lang: t.lang,
        });
    }
    let mut paraphrases = def.paraphrases;
    if let Some(f) = &def.paraphrases_file {
        let p = path.parent().unwrap_or(Path::new(".")).join(f);
        match std::fs::read_to_string(&p) {
            Ok(t) => paraphrases.extend(
                t.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .map(String::from),
            ),
            Err(e) => errs.push(
                Diagnostic::error(
                    DiagnosticKind::Io,
                    format!("cannot read {}: {e}", p.display()),
                )
                .at(at(f))
                .help("the path is relative to the script file"),
            ),
        }
    }
    let has_para = !paraphrases.is_empty() || def.paraphrases_file.is_some();
    let para = match (&def.intent, has_para) {
        (Some(i), true) => Some((i.clone(), paraphrases)),
        (None, true) => {
            errs.push(
                Diagnostic::error(
                    DiagnosticKind::InvalidValue,
                    format!("script `{}` lists paraphrases but no `intent`", def.name),
                )
                .at(at(&def.name))
                .help("add `intent: <id>`: the intent every paraphrase must classify to"),
            );
            None
        }
        (Some(_), false) => {
            errs.push(
                Diagnostic::error(
                    DiagnosticKind::InvalidValue,
                    format!("script `{}` has an `intent` but no paraphrases", def.name),
                )
                .at(at(&def.name))
                .help("add `paraphrases:` or `paraphrases_file:`, or put the intent on a turn"),
            );
            None
        }
        (None, false) => None,
    };
    if para.is_none() && turns.is_empty() && errs.len() == before {
        errs.push(
            Diagnostic::error(
                DiagnosticKind::InvalidValue,
                format!("script `{}` has no turns and no paraphrases", def.name),
            )
            .at(at(&def.name))
            .help("add `turns:` with at least one `- say: ...`"),
        );
    }
    if errs.len() > before {
        return None;
    }
    Some(Script {
        session: def.session.unwrap_or_else(|| def.name.clone()),
        name: def.name,
        description: def.description,
        file: path.to_path_buf(),
        line,
        settings: def.settings,
        orders,
        now: def.now.unwrap_or(DEFAULT_NOW),
        turns,
        paraphrases: para,
    })
}

/// Every `*.yaml` / `*.yml` file under `path` (or `path` itself), sorted.
pub(crate) fn files(path: &Path) -> Result<Vec<PathBuf>, ScriptError> {
    let mut out = Vec::new();
    if path.is_file() {
        out.push(path.to_path_buf());
        return Ok(out);
    }
    fn walk(p: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(p)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for e in entries {
            if e.is_dir() {
                walk(&e, out)?;
            } else if matches!(e.extension().and_then(|x| x.to_str()), Some("yaml" | "yml")) {
                out.push(e);
            }
        }
        Ok(())
    }
    walk(path, &mut out).map_err(|e| {
        ScriptError::new(vec![Diagnostic::error(
            DiagnosticKind::Io,
            format!("cannot read {}: {e}", path.display()),
        )
        .help("pass a script file or a directory of them")])
    })?;
    Ok(out)
}
