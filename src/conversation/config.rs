//! The `conversation:` section of the rules: serde types, merging over files,
//! defaults and validation (all problems reported in one pass).

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use super::messages;
use super::order::OrderStatus;
use super::Priority;
use crate::error::{Diagnostic, DiagnosticKind};
use crate::{Lang, Matcher};

use crate::rules::format::OneOrMany;

/// Texts per language as written in YAML.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TextsDef {
    #[serde(default)]
    vi: Option<OneOrMany>,
    #[serde(default)]
    en: Option<OneOrMany>,
}

/// Reply variants per language, resolved.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Texts {
    pub vi: Vec<String>,
    pub en: Vec<String>,
}

impl Texts {
    pub(crate) fn new(vi: &[&str], en: &[&str]) -> Texts {
        Texts {
            vi: vi.iter().map(|s| s.to_string()).collect(),
            en: en.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// Variants for `lang`, falling back to the other language rather than
    /// sending nothing.
    pub(crate) fn get(&self, lang: Lang) -> &[String] {
        let (a, b) = match lang {
            Lang::Vi => (&self.vi, &self.en),
            Lang::En => (&self.en, &self.vi),
        };
        if a.is_empty() {
            b
        } else {
            a
        }
    }

    fn all(&self) -> impl Iterator<Item = &String> {
        self.vi.iter().chain(self.en.iter())
    }

    /// Overrides the languages the YAML gives.
    fn overlay(&mut self, def: TextsDef) {
        if let Some(v) = def.vi {
            self.vi = v.into_vec();
        }
        if let Some(v) = def.en {
            self.en = v.into_vec();
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct LanguageDef {
    default: Option<String>,
    min_words_to_switch: Option<usize>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct OrderIdDef {
    patterns: Option<Vec<String>>,
    bare_id_intent: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct VerificationDef {
    enabled: Option<bool>,
    method: Option<String>,
    max_tries: Option<u8>,
    max_failures: Option<u8>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AgentHoursDef {
    utc_offset: Option<String>,
    days: Option<Vec<String>>,
    open: Option<String>,
    close: Option<String>,
    label: Option<TextsDef>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TriggerDef {
    reason: Option<String>,
    priority: Option<Priority>,
    after: Option<u8>,
    min_severity: Option<u8>,
    max_orders: Option<usize>,
    enabled: Option<bool>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SlotDef {
    entity: Option<String>,
    prompt: Option<TextsDef>,
    invalid: Option<TextsDef>,
}

/// An intent's short name per language, for "A or B?" questions.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct LabelDef {
    vi: Option<String>,
    en: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConversationDef {
    language: Option<LanguageDef>,
    topic_change_confidence: Option<f32>,
    max_slot_retries: Option<u8>,
    max_message_bytes: Option<usize>,
    transcript_tail: Option<usize>,
    fallback_intent: Option<String>,
    order_id: Option<OrderIdDef>,
    verification: Option<VerificationDef>,
    agent_hours: Option<AgentHoursDef>,
    handoff: Option<BTreeMap<String, TriggerDef>>,
    lexicons: Option<BTreeMap<String, TriggerDef>>,
    slots: Option<BTreeMap<String, SlotDef>>,
    order_status: Option<BTreeMap<String, TextsDef>>,
    messages: Option<BTreeMap<String, TextsDef>>,
    intent_labels: Option<BTreeMap<String, LabelDef>>,
}

/// How a customer proves an order is theirs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum VerifyMethod {
    PhoneLast4,
    Email,
    Either,
}

/// A handoff trigger: its reason code and priority.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Trigger {
    pub enabled: bool,
    pub reason: std::sync::Arc<str>,
    pub priority: Priority,
    /// Threshold for counted triggers (fallbacks, repeats).
    pub after: u8,
}

/// A lexicon trigger.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct LexTrigger {
    pub trigger: Trigger,
    pub min_severity: u8,
}

#[derive(Clone, Debug)]
pub(crate) struct AgentHours {
    pub offset_secs: i64,
    /// 0 = Sunday .. 6 = Saturday.
    pub days: [bool; 7],
    /// Minutes after local midnight.
    pub open: u32,
    pub close: u32,
    pub label: Texts,
}

/// The resolved conversation settings.
#[derive(Clone, Debug)]
pub(crate) struct ConvConfig {
    pub default_lang: Lang,
    pub min_words_to_switch: usize,
    pub topic_change_confidence: f32,
    pub max_slot_retries: u8,
    pub max_message_bytes: usize,
    pub transcript_tail: usize,
    /// An intent whose replies and quick replies answer messages nobody
    /// understood (the pack's `fallback`), instead of `messages.fallback`.
    pub fallback_intent: Option<String>,
    pub order_id_patterns: Vec<regex::Regex>,
    pub bare_id_intent: Option<String>,
    pub verify: Option<VerifyMethod>,
    pub verify_max_tries: u8,
    /// Failed ownership checks (wrong answers) allowed in one session over
    /// all orders together, whatever happens between them.
    pub verify_max_failures: u8,
    pub max_orders: usize,
    pub agent_hours: Option<AgentHours>,
    pub triggers: BTreeMap<&'static str, Trigger>,
    pub lexicons: BTreeMap<String, LexTrigger>,
    pub slots: BTreeMap<String, SlotCfg>,
    pub order_status: BTreeMap<OrderStatus, Texts>,
    pub messages: BTreeMap<&'static str, Texts>,
    /// Short names of intents (one per language) for `messages.clarify`.
    /// An ambiguous message is clarified only when both intents have one.
    pub intent_labels: BTreeMap<String, Texts>,
}

#[derive(Clone, Debug)]
pub(crate) struct SlotCfg {
    pub entity: String,
    pub prompt: Texts,
    pub invalid: Texts,
}

/// Order ids as shops and marketplaces write them: two to four letters and
/// digits (`DH123456`), a YYMMDD date then letters/digits (marketplaces), or
/// 6 to 9 digits (10 digits is a phone number).
pub(crate) const DEFAULT_ORDER_ID_PATTERNS: &[&str] = &[
    r"^[A-Z]{2,4}\d{5,12}$",
    r"^\d{6}[A-Z0-9]{6,10}$",
    r"^\d{6,9}$",
];

/// Handoff trigger names, their default reason codes and priorities.
pub(crate) const TRIGGERS: &[(&str, &str, Priority, u8)] = &[
    ("customer_request", "customer_request", Priority::Normal, 0),
    ("intent", "intent_handoff", Priority::Normal, 0),
    ("fallbacks", "not_understood", Priority::Normal, 3),
    ("repeats", "loop", Priority::Normal, 3),
    ("lookup_failed", "lookup_failed", Priority::High, 0),
    (
        "verification_failed",
        "verification_failed",
        Priority::High,
        0,
    ),
    ("enumeration", "order_enumeration", Priority::High, 0),
    ("invalid_input", "invalid_input", Priority::Normal, 0),
];

/// Default lexicon triggers: (lexicon, reason, priority, min severity).
const DEFAULT_LEXICONS: &[(&str, &str, Priority, u8)] = &[
    ("threat", "threat", Priority::Urgent, 1),
    ("anger", "angry_customer", Priority::High, 1),
    ("profanity", "profanity", Priority::High, 1),
];

/// Placeholders the engine always knows, besides `settings:` and slots.
pub(crate) const BUILTIN_PLACEHOLDERS: &[&str] = &[
    "order_id",
    "carrier",
    "tracking",
    "eta",
    "status",
    "agent_hours",
    "agents_back",
    "contact",
    "shop_name",
    "hotline",
    "tries_left",
];

const DAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/// Deep-merges `b` over `a`: maps merge key by key, anything else replaces.
fn merge(a: &mut serde_yaml::Value, b: serde_yaml::Value) {
    match (a, b) {
        (serde_yaml::Value::Mapping(am), serde_yaml::Value::Mapping(bm)) => {
            for (k, v) in bm {
                match am.get_mut(&k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        am.insert(k, v);
                    }
                }
            }
        }
        (a, b) => *a = b,
    }
}

/// Where a merged key was last set, for error locations.
#[derive(Default)]
struct Origins {
    /// `a.b.c` -> file
    map: BTreeMap<String, String>,
}

impl Origins {
    fn record(&mut self, file: &str, prefix: &str, v: &serde_yaml::Value) {
        self.map.insert(prefix.to_string(), file.to_string());
        if let serde_yaml::Value::Mapping(m) = v {
            for (k, v) in m {
                if let Some(k) = k.as_str() {
                    self.record(file, &format!("{prefix}.{k}"), v);
                }
            }
        }
    }
}

struct Ctx<'a> {
    matcher: &'a Matcher,
    origins: Origins,
    diags: Vec<Diagnostic>,
}

impl Ctx<'_> {
    fn err(&mut self, path: &[&str], msg: impl Into<String>, help: impl Into<String>) {
        let mut full = vec!["conversation"];
        full.extend_from_slice(path);
        // The deepest recorded key tells which file set it.
        let mut file = None;
        for n in (1..=full.len()).rev() {
            if let Some(f) = self.origins.map.get(&full[..n].join(".")) {
                file = Some(f.clone());
                break;
            }
        }
        let loc = file.and_then(|f| self.matcher.locate(&f, &full));
        self.diags.push(
            Diagnostic::error(DiagnosticKind::Conversation, msg)
                .at(loc)
                .help(help),
        );
    }
}

fn parse_hhmm(s: &str) -> Option<u32> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 24 && m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
}

fn parse_offset(s: &str) -> Option<i64> {
    let s = s.trim();
    let s = s
        .strip_prefix("UTC")
        .or_else(|| s.strip_prefix("GMT"))
        .unwrap_or(s);
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => (1, s),
    };
    let (h, m) = match rest.split_once(':') {
        Some((h, m)) => (h.parse::<i64>().ok()?, m.parse::<i64>().ok()?),
        None => (rest.parse::<i64>().ok()?, 0),
    };
    (h <= 14 && m < 60).then_some(sign * (h * 3600 + m * 60))
}

/// Every `{name}` in a template.
pub(crate) fn placeholders(t: &str) -> impl Iterator<Item = &str> {
    t.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
}

impl ConvConfig {
    /// Reads, merges and validates every file's `conversation:` section.
    pub(crate) fn load(matcher: &Matcher) -> Result<ConvConfig, Vec<Diagnostic>> {
        let mut ctx = Ctx {
            matcher,
            origins: Origins::default(),
            diags: Vec::new(),
        };
        let mut merged = serde_yaml::Value::Mapping(Default::default());
        for (file, value) in matcher.conversation_sections() {
            if value.is_null() {
                continue;
            }
            // Each file alone first, so a bad key is reported in its own file.
            if let Err(e) = serde_yaml::from_value::<ConversationDef>(value.clone()) {
                let loc = matcher.locate(&file, &["conversation"]);
                ctx.diags.push(
                    Diagnostic::error(
                        DiagnosticKind::Conversation,
                        format!("invalid `conversation:` section: {e}"),
                    )
                    .at(loc)
                    .label("in this section")
                    .help("see the Conversation section of rules/CONVERSATION.md for the keys"),
                );
                continue;
            }
            ctx.origins.record(&file, "conversation", &value);
            merge(&mut merged, value);
        }
        let def: ConversationDef = match serde_yaml::from_value(merged) {
            Ok(d) => d,
            Err(e) => {
                ctx.diags.push(Diagnostic::error(
                    DiagnosticKind::Conversation,
                    format!("invalid merged `conversation:` section: {e}"),
                ));
                return Err(ctx.diags);
            }
        };
        let cfg = resolve(&mut ctx, def);
        if ctx.diags.is_empty() {
            Ok(cfg)
        } else {
            Err(ctx.diags)
        }
    }
}

fn resolve(ctx: &mut Ctx<'_>, def: ConversationDef) -> ConvConfig {
    let lang = def.language.unwrap_or_default();
    let default_lang = match lang.default.as_deref() {
        None => Lang::Vi,
        Some(code) => Lang::from_code(code).unwrap_or_else(|| {
            ctx.err(
                &["language", "default"],
                format!("unknown language `{code}`"),
                "use `vi` or `en`",
            );
            Lang::Vi
        }),
    };
    let topic_change_confidence = def.topic_change_confidence.unwrap_or(0.6);
    if !(0.0..=1.0).contains(&topic_change_confidence) {
        ctx.err(
            &["topic_change_confidence"],
            format!("topic_change_confidence {topic_change_confidence} is out of range"),
            "use a confidence between 0 and 1, like 0.6",
        );
    }

    let oid = def.order_id.unwrap_or_default();
    let pats: Vec<String> = oid.patterns.unwrap_or_else(|| {
        DEFAULT_ORDER_ID_PATTERNS
            .iter()
            .map(|s| s.to_string())
            .collect()
    });
    let mut order_id_patterns = Vec::new();
    for (i, p) in pats.iter().enumerate() {
        let idx = i.to_string();
        match regex::RegexBuilder::new(p).size_limit(1 << 20).build() {
            Ok(r) => order_id_patterns.push(r),
            Err(e) => ctx.err(
                &["order_id", "patterns", &idx],
                format!("order id pattern does not compile: {e}"),
                "write a Rust regex matched against the uppercased id, like '^DH\\d{6}$'",
            ),
        }
    }
    if order_id_patterns.is_empty() && ctx.diags.is_empty() {
        ctx.err(
            &["order_id", "patterns"],
            "no order id pattern",
            "list at least one pattern, or remove the key to use the defaults",
        );
    }
    let bare_id_intent = match oid.bare_id_intent {
        Some(id) => {
            if ctx.matcher.intent(&id).is_none() {
                ctx.err(
                    &["order_id", "bare_id_intent"],
                    format!("unknown intent `{id}`"),
                    "name an intent defined under `intents:`",
                );
            }
            Some(id)
        }
        None => ctx
            .matcher
            .intents()
            .iter()
            .find(|i| i.action == crate::matcher::Action::LookupOrder)
            .map(|i| i.id.to_string()),
    };

    let fallback_intent = match def.fallback_intent {
        Some(id) => {
            if ctx.matcher.intent(&id).is_none() {
                ctx.err(
                    &["fallback_intent"],
                    format!("unknown intent `{id}`"),
                    "name an intent defined under `intents:`, or remove the key to use `messages.fallback`",
                );
            }
            Some(id)
        }
        None => ctx
            .matcher
            .intent("fallback")
            .filter(|i| !i.replies.is_empty())
            .map(|i| i.id.to_string()),
    };

    let ver = def.verification.unwrap_or_default();
    let method = match ver.method.as_deref().unwrap_or("phone_last4") {
        "phone_last4" => VerifyMethod::PhoneLast4,
        "email" => VerifyMethod::Email,
        "either" => VerifyMethod::Either,
        other => {
            ctx.err(
                &["verification", "method"],
                format!("unknown verification method `{other}`"),
                "use `phone_last4`, `email` or `either`",
            );
            VerifyMethod::PhoneLast4
        }
    };
    let verify = ver.enabled.unwrap_or(true).then_some(method);
    let verify_max_tries = ver.max_tries.unwrap_or(2).max(1);
    let verify_max_failures = ver.max_failures.unwrap_or(3).max(1);

    let agent_hours = def.agent_hours.map(|ah| {
        let offset_secs = match ah.utc_offset.as_deref() {
            None => 7 * 3600,
            Some(s) => parse_offset(s).unwrap_or_else(|| {
                ctx.err(
                    &["agent_hours", "utc_offset"],
                    format!("invalid UTC offset `{s}`"),
                    "write it like \"+07:00\"",
                );
                0
            }),
        };
        let mut days = [false; 7];
        match ah.days {
            None => days[1..7].iter_mut().for_each(|d| *d = true),
            Some(list) => {
                for (i, d) in list.iter().enumerate() {
                    match DAYS.iter().position(|x| x.eq_ignore_ascii_case(d.trim())) {
                        Some(p) => days[p] = true,
                        None => ctx.err(
                            &["agent_hours", "days", &i.to_string()],
                            format!("unknown day `{d}`"),
                            "use mon, tue, wed, thu, fri, sat, sun",
                        ),
                    }
                }
            }
        }
        let mut time = |key: &str, v: Option<String>, dflt: u32| match v {
            None => dflt,
            Some(s) => parse_hhmm(&s).unwrap_or_else(|| {
                ctx.err(
                    &["agent_hours", key],
                    format!("invalid time `{s}`"),
                    "write it as HH:MM, like \"08:00\"",
                );
                dflt
            }),
        };
        let open = time("open", ah.open, 8 * 60);
        let close = time("close", ah.close, 21 * 60);
        if close <= open {
            ctx.err(
                &["agent_hours", "close"],
                "agents close before they open",
                "`close` must be later than `open` (overnight hours are not supported)",
            );
        }
        let mut label = Texts::default();
        if let Some(l) = ah.label {
            label.overlay(l);
        }
        AgentHours {
            offset_secs,
            days,
            open,
            close,
            label,
        }
    });

    let mut triggers = BTreeMap::new();
    for &(name, reason, priority, after) in TRIGGERS {
        triggers.insert(
            name,
            Trigger {
                enabled: true,
                reason: reason.into(),
                priority,
                after,
            },
        );
    }
    let mut max_orders = 3;
    for (name, t) in def.handoff.unwrap_or_default() {
        let Some(&(key, ..)) = TRIGGERS.iter().find(|x| x.0 == name) else {
            let names: Vec<_> = TRIGGERS.iter().map(|t| t.0).collect();
            ctx.err(
                &["handoff", &name],
                format!("unknown handoff trigger `{name}`"),
                format!("known triggers: {}", names.join(", ")),
            );
            continue;
        };
        if t.min_severity.is_some() {
            ctx.err(
                &["handoff", &name, "min_severity"],
                "`min_severity` is for lexicon triggers",
                "put lexicon triggers under `conversation.lexicons`",
            );
        }
        if t.max_orders.is_some() && key != "enumeration" {
            ctx.err(
                &["handoff", &name, "max_orders"],
                "`max_orders` is only for the `enumeration` trigger",
                "move it under `handoff.enumeration`",
            );
        }
        if let Some(m) = t.max_orders {
            max_orders = m.max(1);
        }
        let tr = triggers.get_mut(key).expect("listed above");
        if let Some(r) = t.reason {
            tr.reason = r.into();
        }
        if let Some(p) = t.priority {
            tr.priority = p;
        }
        if let Some(a) = t.after {
            if a == 0 {
                ctx.err(
                    &["handoff", &name, "after"],
                    "`after: 0` would hand off every conversation",
                    "use 1 or more, or `enabled: false` to turn the trigger off",
                );
            }
            tr.after = a;
        }
        if let Some(e) = t.enabled {
            tr.enabled = e;
        }
    }

    let mut lexicons = BTreeMap::new();
    for &(name, reason, priority, min) in DEFAULT_LEXICONS {
        lexicons.insert(
            name.to_string(),
            LexTrigger {
                trigger: Trigger {
                    enabled: true,
                    reason: reason.into(),
                    priority,
                    after: 1,
                },
                min_severity: min,
            },
        );
    }
    for (name, t) in def.lexicons.unwrap_or_default() {
        let entry = lexicons.entry(name.clone()).or_insert_with(|| LexTrigger {
            trigger: Trigger {
                enabled: true,
                reason: name.as_str().into(),
                priority: Priority::High,
                after: 1,
            },
            min_severity: 1,
        });
        if let Some(r) = t.reason {
            entry.trigger.reason = r.into();
        }
        if let Some(p) = t.priority {
            entry.trigger.priority = p;
        }
        if let Some(e) = t.enabled {
            entry.trigger.enabled = e;
        }
        if let Some(s) = t.min_severity {
            if !(1..=3).contains(&s) {
                ctx.err(
                    &["lexicons", &name, "min_severity"],
                    format!("min_severity {s} is out of range"),
                    "lexicon severities are 1 (mild) to 3 (severe)",
                );
            }
            entry.min_severity = s;
        }
        if t.after.is_some() || t.max_orders.is_some() {
            ctx.err(
                &["lexicons", &name],
                "lexicon triggers take only reason, priority, min_severity and enabled",
                "remove `after` / `max_orders` here",
            );
        }
    }

    // Slots: the built-in order_id prompts, then the YAML.
    let mut slots = BTreeMap::new();
    slots.insert(
        "order_id".to_string(),
        SlotCfg {
            entity: "order_id".into(),
            prompt: messages::default_text("ask_order_id"),
            invalid: messages::default_text("invalid_order_id"),
        },
    );
    for (name, s) in def.slots.unwrap_or_default() {
        let entry = slots.entry(name.clone()).or_insert_with(|| SlotCfg {
            entity: name.clone(),
            prompt: Texts::default(),
            invalid: messages::default_text("invalid_slot"),
        });
        if let Some(e) = s.entity {
            entry.entity = e;
        }
        if let Some(p) = s.prompt {
            entry.prompt.overlay(p);
        }
        if let Some(p) = s.invalid {
            entry.invalid.overlay(p);
        }
    }
    // Every slot an intent needs must have a prompt.
    for intent in ctx.matcher.intents() {
        for slot in &intent.slots {
            let ok = slots
                .get(slot)
                .is_some_and(|s| !s.prompt.vi.is_empty() || !s.prompt.en.is_empty());
            if !ok {
                let loc = intent.location.clone();
                ctx.diags.push(
                    Diagnostic::error(
                        DiagnosticKind::Conversation,
                        format!(
                            "intent `{}` needs slot `{slot}` but no prompt asks for it",
                            intent.id
                        ),
                    )
                    .at(loc)
                    .help(format!(
                        "add `conversation.slots.{slot}.prompt` with `vi` and `en` questions"
                    )),
                );
            }
        }
    }

    let mut order_status = BTreeMap::new();
    for st in OrderStatus::ALL {
        order_status.insert(st, messages::default_status(st));
    }
    order_status.insert(
        OrderStatus::NotFound,
        messages::default_status(OrderStatus::NotFound),
    );
    for (key, t) in def.order_status.unwrap_or_default() {
        match OrderStatus::from_code(&key) {
            Some(st) => order_status.entry(st).or_default().overlay(t),
            None => ctx.err(
                &["order_status", &key],
                format!("unknown order status `{key}`"),
                format!(
                    "known statuses: {}, not_found",
                    OrderStatus::ALL.map(|s| s.code()).join(", ")
                ),
            ),
        }
    }

    let mut msgs = BTreeMap::new();
    for &name in messages::NAMES {
        msgs.insert(name, messages::default_text(name));
    }
    for (key, t) in def.messages.unwrap_or_default() {
        match messages::NAMES.iter().find(|n| **n == key) {
            Some(&name) => msgs.get_mut(name).expect("inserted").overlay(t),
            None => ctx.err(
                &["messages", &key],
                format!("unknown message `{key}`"),
                format!("known messages: {}", messages::NAMES.join(", ")),
            ),
        }
    }

    let mut intent_labels = BTreeMap::new();
    for (id, l) in def.intent_labels.unwrap_or_default() {
        if ctx.matcher.intent(&id).is_none() {
            ctx.err(
                &["intent_labels", &id],
                format!("unknown intent `{id}`"),
                "name an intent defined under `intents:`",
            );
            continue;
        }
        let mut t = Texts::default();
        for (lang, v) in [("vi", l.vi), ("en", l.en)] {
            let Some(v) = v else { continue };
            let v = v.trim().to_string();
            if v.is_empty() {
                ctx.err(
                    &["intent_labels", &id, lang],
                    format!("empty label for intent `{id}`"),
                    "write a short name like \"hủy đơn\", or remove the key",
                );
                continue;
            }
            match lang {
                "vi" => t.vi.push(v),
                _ => t.en.push(v),
            }
        }
        if !t.vi.is_empty() || !t.en.is_empty() {
            intent_labels.insert(id, t);
        }
    }

    // Placeholders must name something the engine can fill.
    let mut known: BTreeSet<String> = BUILTIN_PLACEHOLDERS.iter().map(|s| s.to_string()).collect();
    known.extend(ctx.matcher.settings().keys().cloned());
    known.extend(slots.keys().cloned());
    for i in ctx.matcher.intents() {
        known.extend(i.slots.iter().cloned());
    }
    let check = |ctx: &mut Ctx<'_>, path: Vec<String>, t: &Texts| {
        // `{a}` and `{b}` are the two choices, only in `messages.clarify`.
        let choices = path.len() == 2 && path[0] == "messages" && path[1] == "clarify";
        for text in t.all() {
            for p in placeholders(text) {
                if !known.contains(p) && !(choices && (p == "a" || p == "b")) {
                    let path: Vec<&str> = path.iter().map(|s| s.as_str()).collect();
                    ctx.err(
                        &path,
                        format!("unknown placeholder `{{{p}}}`"),
                        "use a key of `settings:`, a slot name, or one of order_id, carrier, tracking, eta, status, agent_hours, agents_back, contact, tries_left (and a, b in `messages.clarify`)",
                    );
                }
            }
        }
    };
    for (k, t) in &msgs {
        check(ctx, vec!["messages".into(), k.to_string()], t);
    }
    for (k, t) in &order_status {
        check(ctx, vec!["order_status".into(), k.code().to_string()], t);
    }
    for (k, s) in &slots {
        check(
            ctx,
            vec!["slots".into(), k.clone(), "prompt".into()],
            &s.prompt,
        );
        check(
            ctx,
            vec!["slots".into(), k.clone(), "invalid".into()],
            &s.invalid,
        );
    }

    ConvConfig {
        default_lang,
        min_words_to_switch: lang.min_words_to_switch.unwrap_or(3).max(1),
        topic_change_confidence,
        max_slot_retries: def.max_slot_retries.unwrap_or(2),
        max_message_bytes: def.max_message_bytes.unwrap_or(2000).max(16),
        transcript_tail: def.transcript_tail.unwrap_or(4),
        fallback_intent,
        order_id_patterns,
        bare_id_intent,
        verify,
        verify_max_tries,
        verify_max_failures,
        max_orders,
        agent_hours,
        triggers,
        lexicons,
        slots,
        order_status,
        messages: msgs,
        intent_labels,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_times_and_offsets() {
        assert_eq!(parse_hhmm("08:30"), Some(510));
        assert_eq!(parse_hhmm("8h"), None);
        assert_eq!(parse_offset("+07:00"), Some(25200));
        assert_eq!(parse_offset("UTC-5"), Some(-18000));
        assert_eq!(parse_offset("abc"), None);
    }

    #[test]
    fn finds_placeholders() {
        let v: Vec<_> = placeholders("Dạ {shop_name} {x y} {order_id}{").collect();
        assert_eq!(v, ["shop_name", "order_id"]);
    }
}
