//! The `conversation:` section of the rules, typed: handoff triggers and
//! system messages are enums (a misspelt name in the code is a compile
//! error, in a rule file a located diagnostic), and each part of the
//! section has its own reader and resolver.
//!
//! Each file's section is read from its located tree (every unknown key,
//! wrong type and unknown name reported at its place, all in one pass),
//! the files are merged key by key (later files win), and the merged
//! values are resolved against the rest of the rule set (intents, slots,
//! settings), each problem at the value that caused it. The compiler runs
//! this with the rest of the rules, so a rule set whose conversation
//! section is wrong does not compile.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::messages;
use super::order::OrderStatus;
use super::Priority;
use crate::error::{Diagnostic, DiagnosticKind as K, Location};
use crate::lang::PerLang;
use crate::rules::model::{placeholders, BUILTIN_PLACEHOLDERS};
use crate::rules::phrase::closest;
use crate::rules::read::Reader;
use crate::rules::{Action, Node, RuleSet};
use crate::Lang;

/// Reply variants per language.
pub(crate) type Texts = PerLang<Vec<String>>;

/// Declares a closed set of names read from rule files: an enum, its
/// rule-file codes, and `ALL` in declaration order.
macro_rules! names {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $var:ident = $code:literal,)* }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub(crate) enum $name { $($(#[$vm])* $var,)* }

        impl $name {
            pub(crate) const ALL: &'static [$name] = &[$($name::$var,)*];

            /// The name used in rule files.
            pub(crate) fn code(self) -> &'static str {
                match self { $($name::$var => $code,)* }
            }

            pub(crate) fn from_code(code: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|k| k.code() == code)
            }

            fn codes() -> Vec<String> {
                $name::ALL.iter().map(|k| k.code().to_string()).collect()
            }
        }
    };
}

names! {
    /// A handoff trigger (`conversation.handoff.<trigger>`).
    TriggerKind {
        /// An `action: handoff` intent.
        CustomerRequest = "customer_request",
        /// An intent with `handoff: true`.
        Intent = "intent",
        /// Too many messages in a row not understood.
        Fallbacks = "fallbacks",
        /// The same intent again and again without a resolution.
        Repeats = "repeats",
        /// The host's order lookup failed.
        LookupFailed = "lookup_failed",
        /// The customer could not prove an order is theirs.
        VerificationFailed = "verification_failed",
        /// Too many distinct orders asked about in one session.
        Enumeration = "enumeration",
        /// A slot answer that stays invalid.
        InvalidInput = "invalid_input",
    }
}

impl TriggerKind {
    /// The default reason code, priority and count threshold.
    fn defaults(self) -> (&'static str, Priority, u8) {
        match self {
            TriggerKind::CustomerRequest => ("customer_request", Priority::Normal, 0),
            TriggerKind::Intent => ("intent_handoff", Priority::Normal, 0),
            TriggerKind::Fallbacks => ("not_understood", Priority::Normal, 3),
            TriggerKind::Repeats => ("loop", Priority::Normal, 3),
            TriggerKind::LookupFailed => ("lookup_failed", Priority::High, 0),
            TriggerKind::VerificationFailed => ("verification_failed", Priority::High, 0),
            TriggerKind::Enumeration => ("order_enumeration", Priority::High, 0),
            TriggerKind::InvalidInput => ("invalid_input", Priority::Normal, 0),
        }
    }

    /// Whether `after:` means something for this trigger.
    fn counted(self) -> bool {
        matches!(self, TriggerKind::Fallbacks | TriggerKind::Repeats)
    }
}

names! {
    /// A system message (`conversation.messages.<name>`).
    MessageKey {
        /// Nobody understood the message.
        Fallback = "fallback",
        /// Asks for the order id.
        AskOrderId = "ask_order_id",
        /// The order id has the wrong shape.
        InvalidOrderId = "invalid_order_id",
        /// A slot answer could not be read.
        InvalidSlot = "invalid_slot",
        /// Asks for the last 4 digits of the order's phone.
        VerifyPhone = "verify_phone",
        /// Asks for the order's email.
        VerifyEmail = "verify_email",
        /// Asks for either.
        VerifyEither = "verify_either",
        /// The proof did not match; tries remain.
        VerifyMismatch = "verify_mismatch",
        /// Out of tries.
        VerifyFailed = "verify_failed",
        /// The host's lookup failed.
        LookupError = "lookup_error",
        /// Too many orders asked about.
        Enumeration = "enumeration",
        /// Handing off.
        Handoff = "handoff",
        /// Handing off an upset customer.
        HandoffApology = "handoff_apology",
        /// Agents are offline: asks for a contact.
        HandoffOffline = "handoff_offline",
        /// Thanks for the contact.
        ContactThanks = "contact_thanks",
        /// No contact given.
        ContactMissing = "contact_missing",
        /// Already handed off.
        WaitingForAgent = "waiting_for_agent",
        /// A slot could not be filled.
        SlotFailed = "slot_failed",
        /// "A or B?".
        Clarify = "clarify",
        /// Disappointment: empathy, and a person offered as a button.
        Empathy = "empathy",
        /// The button that offers a person.
        OfferAgent = "offer_agent",
        /// Uniform replies: no order with this id and this proof.
        VerifyNoMatch = "verify_no_match",
        /// The answer has too few or too many digits: asked again.
        VerifyFourDigits = "verify_four_digits",
        /// Several order ids in one message: one at a time.
        SeveralOrders = "several_orders",
        /// The next order of several.
        NextOrder = "next_order",
    }
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
    pub reason: Arc<str>,
    pub priority: Priority,
    /// Threshold for counted triggers (fallbacks, repeats).
    pub after: u8,
}

/// A lexicon trigger.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct LexTrigger {
    pub trigger: Trigger,
    pub min_severity: u8,
    /// `action: empathize`: answered with empathy and a person offered as a
    /// button, not handed off (the default for `anger`).
    pub empathize: bool,
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

#[derive(Clone, Debug)]
pub(crate) struct SlotCfg {
    pub entity: String,
    pub prompt: Texts,
    pub invalid: Texts,
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
    /// The shop's own order-id shapes; when not empty they replace the
    /// generic shapes.
    pub order_id_patterns: Vec<regex::Regex>,
    pub bare_id_intent: Option<String>,
    pub verify: Option<VerifyMethod>,
    pub verify_max_tries: u8,
    /// Failed ownership checks (wrong answers) allowed in one session over
    /// all orders together, whatever happens between them.
    pub verify_max_failures: u8,
    /// Before verification, the same replies whether or not the order
    /// exists: the proof is asked first, and a wrong id and a wrong proof
    /// get one answer (`verification.uniform`, default true).
    pub verify_uniform: bool,
    pub max_orders: usize,
    pub agent_hours: Option<AgentHours>,
    /// One per [`TriggerKind`], in `ALL` order.
    triggers: Vec<Trigger>,
    pub lexicons: BTreeMap<String, LexTrigger>,
    pub slots: BTreeMap<String, SlotCfg>,
    pub order_status: BTreeMap<OrderStatus, Texts>,
    /// One per [`MessageKey`], in `ALL` order.
    messages: Vec<Texts>,
    /// Short names of intents (one per language) for `messages.clarify`.
    /// An ambiguous message is clarified only when both intents have one.
    pub intent_labels: BTreeMap<String, Texts>,
    /// Answer a message's second request (`Classification::also`) in the
    /// same turn (`answer_second_request`, default true).
    pub answer_second_request: bool,
    /// Courtesy intents (greetings, thanks, goodbyes): next to a real
    /// request in one message they are not answered, the request is
    /// (`small_talk`).
    pub small_talk: BTreeSet<String>,
}

impl ConvConfig {
    /// The settings of a handoff trigger.
    pub(crate) fn trigger(&self, kind: TriggerKind) -> &Trigger {
        &self.triggers[kind as usize]
    }

    /// The variants of a system message.
    pub(crate) fn message(&self, key: MessageKey) -> &Texts {
        &self.messages[key as usize]
    }

    /// Every handoff reason code this configuration can produce (enabled
    /// triggers and lexicon triggers), sorted.
    pub(crate) fn handoff_reasons(&self) -> Vec<Arc<str>> {
        let mut out: Vec<Arc<str>> = self
            .triggers
            .iter()
            .chain(
                self.lexicons
                    .values()
                    .filter(|l| !l.empathize)
                    .map(|l| &l.trigger),
            )
            .filter(|t| t.enabled)
            .map(|t| t.reason.clone())
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

/// Default lexicon triggers: (lexicon, reason, priority, min severity).
const DEFAULT_LEXICONS: &[(&str, &str, Priority, u8)] = &[
    ("threat", "threat", Priority::Urgent, 1),
    ("dispute", "payment_dispute", Priority::Urgent, 1),
    ("fraud", "fraud_accusation", Priority::High, 1),
    ("anger", "angry_customer", Priority::High, 1),
    ("profanity", "profanity", Priority::High, 1),
    ("human_request", "customer_request", Priority::Normal, 1),
];

const DAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

// ------------------------------------------------------------------ reading

/// A value read from a rule file, with where it was.
#[derive(Clone, Debug)]
struct At<T> {
    v: T,
    at: Location,
}

/// An intent's label per language, as written.
type LabelDef = PerLang<Option<At<String>>>;

/// Texts per language as written: each language set or not.
type TextsDef = PerLang<Option<Vec<String>>>;

fn overlay(t: &mut Texts, def: &TextsDef) {
    for lang in Lang::ALL {
        if let Some(v) = def.get(lang) {
            *t.get_mut(lang) = v.clone();
        }
    }
}

fn merge_texts(into: &mut TextsDef, from: TextsDef) {
    if from.vi.is_some() {
        into.vi = from.vi;
    }
    if from.en.is_some() {
        into.en = from.en;
    }
}

/// Later `Some`s win.
fn set<T>(into: &mut Option<T>, from: Option<T>) {
    if from.is_some() {
        *into = from;
    }
}

#[derive(Clone, Debug, Default)]
struct TriggerDef {
    reason: Option<At<String>>,
    priority: Option<Priority>,
    after: Option<At<u8>>,
    min_severity: Option<At<u8>>,
    max_orders: Option<At<usize>>,
    enabled: Option<bool>,
    action: Option<At<String>>,
}

impl TriggerDef {
    fn merge(&mut self, o: TriggerDef) {
        set(&mut self.reason, o.reason);
        set(&mut self.priority, o.priority);
        set(&mut self.after, o.after);
        set(&mut self.min_severity, o.min_severity);
        set(&mut self.max_orders, o.max_orders);
        set(&mut self.enabled, o.enabled);
        set(&mut self.action, o.action);
    }
}

#[derive(Clone, Debug, Default)]
struct SlotDef {
    entity: Option<String>,
    prompt: TextsDef,
    invalid: TextsDef,
    /// Where the slot is configured, for placeholder errors.
    at: Option<Location>,
}

#[derive(Clone, Debug, Default)]
struct AgentHoursDef {
    utc_offset: Option<At<String>>,
    days: Option<At<Vec<At<String>>>>,
    open: Option<At<String>>,
    close: Option<At<String>>,
    label: TextsDef,
    /// Where the label was last set: a `settings.agent_hours` in a later
    /// file overrides it.
    label_at: Option<Location>,
}

/// The whole section as written, merged over files.
#[derive(Clone, Debug, Default)]
struct Def {
    language_default: Option<At<String>>,
    min_words_to_switch: Option<At<usize>>,
    topic_change_confidence: Option<At<f64>>,
    max_slot_retries: Option<At<u8>>,
    max_message_bytes: Option<At<usize>>,
    transcript_tail: Option<At<usize>>,
    answer_second_request: Option<bool>,
    small_talk: Option<Vec<At<String>>>,
    fallback_intent: Option<At<String>>,
    order_id_patterns: Option<At<Vec<At<String>>>>,
    bare_id_intent: Option<At<String>>,
    verify_enabled: Option<bool>,
    verify_method: Option<At<String>>,
    verify_max_tries: Option<At<u8>>,
    verify_max_failures: Option<At<u8>>,
    verify_uniform: Option<bool>,
    agent_hours: Option<AgentHoursDef>,
    handoff: BTreeMap<TriggerKind, TriggerDef>,
    lexicons: BTreeMap<String, (Location, TriggerDef)>,
    slots: BTreeMap<String, SlotDef>,
    order_status: BTreeMap<OrderStatus, (Location, TextsDef)>,
    messages: BTreeMap<MessageKey, (Location, TextsDef)>,
    intent_labels: BTreeMap<String, (Location, LabelDef)>,
}

impl Def {
    fn merge(&mut self, o: Def) {
        set(&mut self.language_default, o.language_default);
        set(&mut self.min_words_to_switch, o.min_words_to_switch);
        set(&mut self.topic_change_confidence, o.topic_change_confidence);
        set(&mut self.max_slot_retries, o.max_slot_retries);
        set(&mut self.max_message_bytes, o.max_message_bytes);
        set(&mut self.transcript_tail, o.transcript_tail);
        set(&mut self.answer_second_request, o.answer_second_request);
        set(&mut self.small_talk, o.small_talk);
        set(&mut self.fallback_intent, o.fallback_intent);
        set(&mut self.order_id_patterns, o.order_id_patterns);
        set(&mut self.bare_id_intent, o.bare_id_intent);
        set(&mut self.verify_enabled, o.verify_enabled);
        set(&mut self.verify_method, o.verify_method);
        set(&mut self.verify_max_tries, o.verify_max_tries);
        set(&mut self.verify_max_failures, o.verify_max_failures);
        set(&mut self.verify_uniform, o.verify_uniform);
        if let Some(ah) = o.agent_hours {
            let into = self.agent_hours.get_or_insert_with(Default::default);
            set(&mut into.utc_offset, ah.utc_offset);
            set(&mut into.days, ah.days);
            set(&mut into.open, ah.open);
            set(&mut into.close, ah.close);
            merge_texts(&mut into.label, ah.label);
            set(&mut into.label_at, ah.label_at);
        }
        for (k, t) in o.handoff {
            self.handoff.entry(k).or_default().merge(t);
        }
        for (k, (at, t)) in o.lexicons {
            self.lexicons
                .entry(k)
                .or_insert_with(|| (at, TriggerDef::default()))
                .1
                .merge(t);
        }
        for (k, s) in o.slots {
            let into = self.slots.entry(k).or_default();
            set(&mut into.entity, s.entity);
            merge_texts(&mut into.prompt, s.prompt);
            merge_texts(&mut into.invalid, s.invalid);
            set(&mut into.at, s.at);
        }
        for (k, (at, t)) in o.order_status {
            let into = self
                .order_status
                .entry(k)
                .or_insert_with(|| (at.clone(), Default::default()));
            into.0 = at;
            merge_texts(&mut into.1, t);
        }
        for (k, (at, t)) in o.messages {
            let into = self
                .messages
                .entry(k)
                .or_insert_with(|| (at.clone(), Default::default()));
            into.0 = at;
            merge_texts(&mut into.1, t);
        }
        for (k, (at, l)) in o.intent_labels {
            let into = self
                .intent_labels
                .entry(k)
                .or_insert_with(|| (at.clone(), Default::default()));
            into.0 = at;
            set(&mut into.1.vi, l.vi);
            set(&mut into.1.en, l.en);
        }
    }
}

/// Reads one file's section.
struct SectionReader<'r, 'a> {
    r: &'r mut Reader<'a>,
}

const SECTION_KEYS: &[&str] = &[
    "language",
    "topic_change_confidence",
    "max_slot_retries",
    "max_message_bytes",
    "transcript_tail",
    "answer_second_request",
    "small_talk",
    "fallback_intent",
    "order_id",
    "verification",
    "agent_hours",
    "handoff",
    "lexicons",
    "slots",
    "order_status",
    "messages",
    "intent_labels",
];

impl SectionReader<'_, '_> {
    fn at<T>(&self, v: T, node: &Node) -> At<T> {
        At {
            v,
            at: self.r.loc(node.pos),
        }
    }

    fn text(&mut self, node: &Node, help: &str) -> Option<At<String>> {
        let v = self.r.text(node, help)?;
        Some(self.at(v, node))
    }

    fn int<T: TryFrom<i64>>(&mut self, node: &Node, help: &str) -> Option<At<T>> {
        let v = self.r.int(node, help)?;
        Some(self.at(v, node))
    }

    /// `{vi: ..., en: ...}`, each one text or a list of variants.
    fn texts(&mut self, node: &Node, what: &str) -> TextsDef {
        let mut out = TextsDef::default();
        for (k, v) in self.r.fields(node, what, &["vi", "en"]) {
            let list = self
                .r
                .one_or_many(v, "write one text, or a list of variants")
                .into_iter()
                .map(|t| t.value)
                .collect();
            if let Some(lang) = Lang::from_code(k) {
                *out.get_mut(lang) = Some(list);
            }
        }
        out
    }

    fn priority(&mut self, node: &Node) -> Option<Priority> {
        let help = "use `low`, `normal`, `high` or `urgent`";
        let t = self.text(node, help)?;
        let p = match t.v.as_str() {
            "low" => Priority::Low,
            "normal" => Priority::Normal,
            "high" => Priority::High,
            "urgent" => Priority::Urgent,
            other => {
                self.r.error(
                    K::Conversation,
                    node.pos,
                    format!("unknown priority `{other}`"),
                    help,
                );
                return None;
            }
        };
        Some(p)
    }

    fn trigger(&mut self, node: &Node, what: &str, lexicon: bool) -> TriggerDef {
        let keys: &[&str] = if lexicon {
            &["reason", "priority", "min_severity", "enabled", "action"]
        } else {
            &["reason", "priority", "after", "max_orders", "enabled"]
        };
        let mut t = TriggerDef::default();
        for (k, v) in self.r.fields(node, what, keys) {
            match k {
                "reason" => t.reason = self.text(v, "write a reason code, like `angry_customer`"),
                "priority" => t.priority = self.priority(v),
                "after" => t.after = self.int(v, "write a count from 1 to 255"),
                "min_severity" => {
                    t.min_severity = self.int(v, "lexicon severities are 1 (mild) to 3 (severe)")
                }
                "max_orders" => t.max_orders = self.int(v, "write a count of 1 or more"),
                "action" => t.action = self.text(v, "use `handoff` or `empathize`"),
                _ => t.enabled = self.r.boolean(v, "write `true` or `false`"),
            }
        }
        t
    }

    /// A key of a map of closed names (triggers, messages, statuses):
    /// unknown names are reported with the closest known one.
    fn name<T>(
        &mut self,
        key: &Node,
        name: &str,
        what: &str,
        parse: impl Fn(&str) -> Option<T>,
        known: Vec<String>,
    ) -> Option<T> {
        if let Some(v) = parse(name) {
            return Some(v);
        }
        let help = match closest(name, known.iter()) {
            Some(best) => format!("did you mean `{best}`?"),
            None => format!("known {what}s: {}", known.join(", ")),
        };
        self.r.diags.push(
            Diagnostic::error(K::Conversation, format!("unknown {what} `{name}`"))
                .at(Some(self.r.loc(key.pos)))
                .help(help),
        );
        None
    }

    fn section(&mut self, node: &Node) -> Def {
        let mut d = Def::default();
        for (k, v) in self.r.fields(node, "`conversation`", SECTION_KEYS) {
            match k {
                "language" => {
                    for (k, v) in self.r.fields(
                        v,
                        "`conversation.language`",
                        &["default", "min_words_to_switch"],
                    ) {
                        if k == "default" {
                            d.language_default = self.text(v, "use `vi` or `en`");
                        } else {
                            d.min_words_to_switch = self.int(v, "write a number of words, like 3");
                        }
                    }
                }
                "topic_change_confidence" => {
                    let help = "use a confidence between 0 and 1, like 0.6";
                    d.topic_change_confidence = self.r.number(v, help).map(|n| self.at(n, v));
                }
                "max_slot_retries" => d.max_slot_retries = self.int(v, "write a count, like 2"),
                "max_message_bytes" => {
                    d.max_message_bytes = self.int(v, "write a number of bytes, like 4096")
                }
                "transcript_tail" => {
                    d.transcript_tail = self.int(v, "write a number of messages, like 4")
                }
                "answer_second_request" => {
                    d.answer_second_request = self.r.boolean(v, "write `true` or `false`")
                }
                "small_talk" => {
                    let list = self
                        .r
                        .texts(
                            v,
                            "write a list of intent ids, like [greet, thanks, goodbye]",
                        )
                        .into_iter()
                        .map(|t| At {
                            v: t.value,
                            at: self.r.loc(t.pos),
                        })
                        .collect();
                    d.small_talk = Some(list);
                }
                "fallback_intent" => d.fallback_intent = self.text(v, "name an intent"),
                "order_id" => {
                    for (k, v) in self.r.fields(
                        v,
                        "`conversation.order_id`",
                        &["patterns", "bare_id_intent"],
                    ) {
                        if k == "patterns" {
                            let list = self
                                .r
                                .texts(v, "write a list of regexes, like ['^DH\\d{6}$']")
                                .into_iter()
                                .map(|t| At {
                                    v: t.value,
                                    at: self.r.loc(t.pos),
                                })
                                .collect();
                            d.order_id_patterns = Some(self.at(list, v));
                        } else {
                            d.bare_id_intent = self.text(v, "name an intent");
                        }
                    }
                }
                "verification" => {
                    for (k, v) in self.r.fields(
                        v,
                        "`conversation.verification`",
                        &["enabled", "method", "max_tries", "max_failures", "uniform"],
                    ) {
                        match k {
                            "uniform" => {
                                d.verify_uniform = self.r.boolean(v, "write `true` or `false`")
                            }
                            "max_failures" => {
                                d.verify_max_failures =
                                    self.int(v, "write a count of 1 or more, like 3")
                            }
                            "enabled" => {
                                d.verify_enabled = self.r.boolean(v, "write `true` or `false`")
                            }
                            "method" => {
                                d.verify_method =
                                    self.text(v, "use `phone_last4`, `email` or `either`")
                            }
                            _ => {
                                d.verify_max_tries =
                                    self.int(v, "write a count of 1 or more, like 2")
                            }
                        }
                    }
                }
                "agent_hours" => {
                    let mut ah = AgentHoursDef::default();
                    let keys = &["utc_offset", "days", "open", "close", "label"];
                    for (k, v) in self.r.fields(v, "`conversation.agent_hours`", keys) {
                        match k {
                            "utc_offset" => {
                                ah.utc_offset = self.text(v, "write it like \"+07:00\"")
                            }
                            "days" => {
                                let days = self
                                    .r
                                    .texts(
                                        v,
                                        "write a list of days, like [mon, tue, wed, thu, fri, sat]",
                                    )
                                    .into_iter()
                                    .map(|t| At {
                                        v: t.value,
                                        at: self.r.loc(t.pos),
                                    })
                                    .collect();
                                ah.days = Some(self.at(days, v));
                            }
                            "open" => ah.open = self.text(v, "write it as HH:MM, like \"08:00\""),
                            "close" => ah.close = self.text(v, "write it as HH:MM, like \"21:00\""),
                            _ => {
                                ah.label = self.texts(v, "`agent_hours.label`");
                                ah.label_at = Some(self.r.loc(v.pos));
                            }
                        }
                    }
                    d.agent_hours = Some(ah);
                }
                "handoff" => {
                    for (key, name, t) in self.r.entries(v, "`conversation.handoff`") {
                        let what = "handoff trigger";
                        let Some(kind) = self.name(
                            key,
                            name,
                            what,
                            TriggerKind::from_code,
                            TriggerKind::codes(),
                        ) else {
                            continue;
                        };
                        let def = self.trigger(t, &format!("handoff trigger `{name}`"), false);
                        if let Some(m) = &def.max_orders {
                            if kind != TriggerKind::Enumeration {
                                self.r.diags.push(
                                    Diagnostic::error(
                                        K::Conversation,
                                        "`max_orders` is only for the `enumeration` trigger",
                                    )
                                    .at(Some(m.at.clone()))
                                    .help("move it under `handoff.enumeration`"),
                                );
                            }
                        }
                        if let Some(a) = &def.after {
                            if !kind.counted() {
                                self.r.diags.push(
                                    Diagnostic::error(
                                        K::Conversation,
                                        format!("`after` means nothing for the `{name}` trigger"),
                                    )
                                    .at(Some(a.at.clone()))
                                    .help(
                                        "only `fallbacks` and `repeats` count; remove `after` here",
                                    ),
                                );
                            }
                        }
                        d.handoff.entry(kind).or_default().merge(def);
                    }
                }
                "lexicons" => {
                    for (key, name, t) in self.r.entries(v, "`conversation.lexicons`") {
                        let def = self.trigger(t, &format!("lexicon trigger `{name}`"), true);
                        d.lexicons
                            .insert(name.to_string(), (self.r.loc(key.pos), def));
                    }
                }
                "slots" => {
                    for (key, name, s) in self.r.entries(v, "`conversation.slots`") {
                        let mut def = SlotDef {
                            at: Some(self.r.loc(key.pos)),
                            ..SlotDef::default()
                        };
                        for (k, v) in self.r.fields(
                            s,
                            &format!("slot `{name}`"),
                            &["entity", "prompt", "invalid"],
                        ) {
                            match k {
                                "entity" => def.entity = self.r.text(v, "name an entity"),
                                "prompt" => {
                                    def.prompt = self.texts(v, &format!("the prompt of `{name}`"))
                                }
                                _ => {
                                    def.invalid =
                                        self.texts(v, &format!("the `invalid` text of `{name}`"))
                                }
                            }
                        }
                        d.slots.insert(name.to_string(), def);
                    }
                }
                "order_status" => {
                    for (key, name, t) in self.r.entries(v, "`conversation.order_status`") {
                        let known: Vec<String> = OrderStatus::ALL
                            .iter()
                            .map(|s| s.code().to_string())
                            .chain(["not_found".to_string()])
                            .collect();
                        let Some(st) =
                            self.name(key, name, "order status", OrderStatus::from_code, known)
                        else {
                            continue;
                        };
                        let texts = self.texts(t, &format!("`order_status.{name}`"));
                        d.order_status.insert(st, (self.r.loc(key.pos), texts));
                    }
                }
                "messages" => {
                    for (key, name, t) in self.r.entries(v, "`conversation.messages`") {
                        let Some(m) = self.name(
                            key,
                            name,
                            "message",
                            MessageKey::from_code,
                            MessageKey::codes(),
                        ) else {
                            continue;
                        };
                        let texts = self.texts(t, &format!("`messages.{name}`"));
                        d.messages.insert(m, (self.r.loc(key.pos), texts));
                    }
                }
                _ => {
                    for (key, id, l) in self.r.entries(v, "`conversation.intent_labels`") {
                        let mut label = LabelDef::default();
                        for (k, v) in
                            self.r
                                .fields(l, &format!("the labels of `{id}`"), &["vi", "en"])
                        {
                            if let Some(lang) = Lang::from_code(k) {
                                *label.get_mut(lang) =
                                    self.text(v, "write a short label, like \"hủy đơn\"");
                            }
                        }
                        d.intent_labels
                            .insert(id.to_string(), (self.r.loc(key.pos), label));
                    }
                }
            }
        }
        d
    }
}

// ---------------------------------------------------------------- resolving

/// Resolves the merged section against the rule set.
struct Resolver<'a> {
    set: &'a RuleSet,
    diags: Vec<Diagnostic>,
}

impl Resolver<'_> {
    fn err(&mut self, at: &Location, msg: impl Into<String>, help: impl Into<String>) {
        self.diags.push(
            Diagnostic::error(K::Conversation, msg)
                .at(Some(at.clone()))
                .help(help),
        );
    }

    fn has_intent(&self, id: &str) -> bool {
        self.set.intents.iter().any(|i| &*i.info.id == id)
    }

    fn language(&mut self, d: &Def) -> (Lang, usize) {
        let lang = match &d.language_default {
            None => Lang::Vi,
            Some(t) => Lang::from_code(&t.v).unwrap_or_else(|| {
                self.err(
                    &t.at,
                    format!("unknown language `{}`", t.v),
                    "use `vi` or `en`",
                );
                Lang::Vi
            }),
        };
        let words = match &d.min_words_to_switch {
            None => 3,
            Some(n) if n.v == 0 => {
                self.err(
                    &n.at,
                    "`min_words_to_switch: 0` would switch on every message",
                    "use 1 or more, like 3",
                );
                1
            }
            Some(n) => n.v,
        };
        (lang, words)
    }

    fn limits(&mut self, d: &Def) -> (f32, u8, usize, usize) {
        let topic = match &d.topic_change_confidence {
            None => 0.6,
            Some(c) => {
                if !(0.0..=1.0).contains(&c.v) {
                    self.err(
                        &c.at,
                        format!("topic_change_confidence {} is out of range", c.v),
                        "use a confidence between 0 and 1, like 0.6",
                    );
                }
                c.v as f32
            }
        };
        let bytes = match &d.max_message_bytes {
            None => crate::normalize::MAX_MESSAGE_BYTES,
            Some(b) if b.v < 16 => {
                self.err(
                    &b.at,
                    format!(
                        "`max_message_bytes: {}` would cut every message to nothing",
                        b.v
                    ),
                    "use at least 16 bytes; 4096 (the default) holds any chat message",
                );
                16
            }
            Some(b) => b.v,
        };
        (
            topic,
            d.max_slot_retries.as_ref().map_or(2, |r| r.v),
            bytes,
            d.transcript_tail.as_ref().map_or(4, |t| t.v),
        )
    }

    fn order_ids(&mut self, d: &Def) -> (Vec<regex::Regex>, Option<String>) {
        // A shop's own shapes; none: the generic recognizer (conversation::ids).
        let mut patterns = Vec::new();
        match &d.order_id_patterns {
            None => {}
            Some(list) => {
                for p in &list.v {
                    match regex::RegexBuilder::new(&p.v).size_limit(1 << 20).build() {
                        Ok(r) => patterns.push(r),
                        Err(e) => self.err(
                            &p.at,
                            format!(
                                "order id pattern does not compile: {}",
                                crate::rules::regex_error(&e)
                            ),
                            "write a Rust regex matched against the uppercased id, like '^DH\\d{6}$'",
                        ),
                    }
                }
            }
        }
        let bare = match &d.bare_id_intent {
            Some(id) => {
                if !self.has_intent(&id.v) {
                    self.err(
                        &id.at,
                        format!("unknown intent `{}`", id.v),
                        "name an intent defined under `intents:`",
                    );
                }
                Some(id.v.clone())
            }
            None => self
                .set
                .intents
                .iter()
                .find(|i| i.info.action == Action::LookupOrder)
                .map(|i| i.info.id.to_string()),
        };
        (patterns, bare)
    }

    fn small_talk(&mut self, d: &Def) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for id in d.small_talk.iter().flatten() {
            if self.has_intent(&id.v) {
                out.insert(id.v.clone());
            } else {
                let ids = self.set.intents.iter().map(|i| i.info.id.to_string());
                let help = match closest(&id.v, ids.collect::<Vec<_>>().iter()) {
                    Some(best) => format!("did you mean `{best}`?"),
                    None => "name an intent defined under `intents:`".to_string(),
                };
                self.err(&id.at, format!("unknown intent `{}`", id.v), help);
            }
        }
        out
    }

    fn fallback_intent(&mut self, d: &Def) -> Option<String> {
        match &d.fallback_intent {
            Some(id) => {
                if !self.has_intent(&id.v) {
                    self.err(
                        &id.at,
                        format!("unknown intent `{}`", id.v),
                        "name an intent defined under `intents:`, or remove the key to use `messages.fallback`",
                    );
                }
                Some(id.v.clone())
            }
            None => self
                .set
                .intents
                .iter()
                .find(|i| &*i.info.id == "fallback" && !i.info.replies.is_empty())
                .map(|i| i.info.id.to_string()),
        }
    }

    fn verification(&mut self, d: &Def) -> (Option<VerifyMethod>, u8, u8) {
        let method = match &d.verify_method {
            None => VerifyMethod::PhoneLast4,
            Some(m) => match m.v.as_str() {
                "phone_last4" => VerifyMethod::PhoneLast4,
                "email" => VerifyMethod::Email,
                "either" => VerifyMethod::Either,
                other => {
                    self.err(
                        &m.at,
                        format!("unknown verification method `{other}`"),
                        "use `phone_last4`, `email` or `either`",
                    );
                    VerifyMethod::PhoneLast4
                }
            },
        };
        let tries = match &d.verify_max_tries {
            None => 2,
            Some(t) if t.v == 0 => {
                self.err(
                    &t.at,
                    "`max_tries: 0` would fail every check before the customer answers",
                    "use 1 or more (2 is the default), or `enabled: false` to turn verification off",
                );
                1
            }
            Some(t) => t.v,
        };
        let failures = match &d.verify_max_failures {
            None => 3,
            Some(t) if t.v == 0 => {
                self.err(
                    &t.at,
                    "`max_failures: 0` would lock every order before the customer answers",
                    "use 1 or more (3 is the default)",
                );
                1
            }
            Some(t) => t.v,
        };
        (
            d.verify_enabled.unwrap_or(true).then_some(method),
            tries,
            failures,
        )
    }

    fn agent_hours(&mut self, d: &Def) -> Option<AgentHours> {
        let ah = d.agent_hours.as_ref()?;
        let offset_secs = match &ah.utc_offset {
            None => 7 * 3600,
            Some(s) => parse_offset(&s.v).unwrap_or_else(|| {
                self.err(
                    &s.at,
                    format!("invalid UTC offset `{}`", s.v),
                    "write it like \"+07:00\"",
                );
                0
            }),
        };
        let mut days = [false; 7];
        match &ah.days {
            None => days[1..7].iter_mut().for_each(|d| *d = true),
            Some(list) => {
                if list.v.is_empty() {
                    self.err(
                        &list.at,
                        "no working day: agents would never be available",
                        "list the days agents work, like [mon, tue, wed, thu, fri, sat]",
                    );
                }
                for day in &list.v {
                    match DAYS
                        .iter()
                        .position(|x| x.eq_ignore_ascii_case(day.v.trim()))
                    {
                        Some(p) => days[p] = true,
                        None => self.err(
                            &day.at,
                            format!("unknown day `{}`", day.v),
                            "use mon, tue, wed, thu, fri, sat, sun",
                        ),
                    }
                }
            }
        }
        let mut time = |v: &Option<At<String>>, dflt: u32| match v {
            None => dflt,
            Some(s) => parse_hhmm(&s.v).unwrap_or_else(|| {
                self.err(
                    &s.at,
                    format!("invalid time `{}`", s.v),
                    "write it as HH:MM, like \"08:00\"",
                );
                dflt
            }),
        };
        let open = time(&ah.open, 8 * 60);
        let close = time(&ah.close, 21 * 60);
        if close <= open {
            let at = ah.close.as_ref().or(ah.open.as_ref()).map(|c| c.at.clone());
            if let Some(at) = at {
                self.err(
                    &at,
                    "agents close before they open",
                    "`close` must be later than `open` (overnight hours are not supported)",
                );
            }
        }
        let mut label = Texts::default();
        // The later of `settings.agent_hours` and the label wins, so a
        // shop's setting takes effect over the pack's label (and a shop's
        // label over the pack's setting).
        let rank = |file: &str| self.set.docs.iter().position(|d| &*d.name == file);
        let setting_later = match (&ah.label_at, self.set.settings.get("agent_hours")) {
            (Some(l), Some(s)) => rank(s.location.file()) > rank(l.file()),
            _ => false,
        };
        if !setting_later {
            overlay(&mut label, &ah.label);
        }
        Some(AgentHours {
            offset_secs,
            days,
            open,
            close,
            label,
        })
    }

    fn triggers(&mut self, d: &Def) -> (Vec<Trigger>, usize) {
        let mut max_orders = 3;
        let triggers = TriggerKind::ALL
            .iter()
            .map(|&kind| {
                let (reason, priority, after) = kind.defaults();
                let mut tr = Trigger {
                    enabled: true,
                    reason: reason.into(),
                    priority,
                    after,
                };
                let Some(t) = d.handoff.get(&kind) else {
                    return tr;
                };
                if let Some(r) = &t.reason {
                    tr.reason = r.v.as_str().into();
                }
                if let Some(p) = t.priority {
                    tr.priority = p;
                }
                if let Some(a) = &t.after {
                    if a.v == 0 {
                        self.err(
                            &a.at,
                            "`after: 0` would hand off every conversation",
                            "use 1 or more, or `enabled: false` to turn the trigger off",
                        );
                    }
                    tr.after = a.v;
                }
                if let Some(m) = &t.max_orders {
                    if m.v == 0 {
                        self.err(
                            &m.at,
                            "`max_orders: 0` would refuse every order lookup",
                            "use 1 or more (3 is the default), or `enabled: false` to turn the limit off",
                        );
                    }
                    max_orders = m.v.max(1);
                }
                if let Some(e) = t.enabled {
                    tr.enabled = e;
                }
                tr
            })
            .collect();
        (triggers, max_orders)
    }

    fn lexicons(&mut self, d: &Def) -> BTreeMap<String, LexTrigger> {
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
                    // Disappointment is a complaint, not an emergency.
                    empathize: name == "anger",
                },
            );
        }
        for (name, (_, t)) in &d.lexicons {
            let entry = lexicons.entry(name.clone()).or_insert_with(|| LexTrigger {
                trigger: Trigger {
                    enabled: true,
                    reason: name.as_str().into(),
                    priority: Priority::High,
                    after: 1,
                },
                min_severity: 1,
                empathize: false,
            });
            if let Some(a) = &t.action {
                match a.v.as_str() {
                    "handoff" => entry.empathize = false,
                    "empathize" => entry.empathize = true,
                    other => self.err(
                        &a.at,
                        format!("unknown lexicon action `{other}`"),
                        "use `handoff` (hand off at once) or `empathize` (answer with empathy and offer a person)",
                    ),
                }
            }
            if let Some(r) = &t.reason {
                entry.trigger.reason = r.v.as_str().into();
            }
            if let Some(p) = t.priority {
                entry.trigger.priority = p;
            }
            if let Some(e) = t.enabled {
                entry.trigger.enabled = e;
            }
            if let Some(s) = &t.min_severity {
                if !(1..=3).contains(&s.v) {
                    self.err(
                        &s.at,
                        format!("min_severity {} is out of range", s.v),
                        "lexicon severities are 1 (mild) to 3 (severe)",
                    );
                }
                entry.min_severity = s.v;
            }
        }
        lexicons
    }

    fn slots(&mut self, d: &Def) -> BTreeMap<String, SlotCfg> {
        // The built-in order_id prompts, then the rules.
        let mut slots = BTreeMap::new();
        slots.insert(
            "order_id".to_string(),
            SlotCfg {
                entity: "order_id".into(),
                prompt: messages::default_text(MessageKey::AskOrderId),
                invalid: messages::default_text(MessageKey::InvalidOrderId),
            },
        );
        for (name, s) in &d.slots {
            let entry = slots.entry(name.clone()).or_insert_with(|| SlotCfg {
                entity: name.clone(),
                prompt: Texts::default(),
                invalid: messages::default_text(MessageKey::InvalidSlot),
            });
            if let Some(e) = &s.entity {
                entry.entity = e.clone();
            }
            overlay(&mut entry.prompt, &s.prompt);
            overlay(&mut entry.invalid, &s.invalid);
        }
        // Every slot an intent needs must have a prompt.
        for intent in &self.set.intents {
            let i = &intent.info;
            for slot in &i.slots {
                if slots.get(slot).is_some_and(|s| !s.prompt.is_empty()) {
                    continue;
                }
                self.diags.push(
                    Diagnostic::error(
                        K::Conversation,
                        format!(
                            "intent `{}` needs slot `{slot}` but no prompt asks for it",
                            i.id
                        ),
                    )
                    .at(i.location.clone())
                    .help(format!(
                        "add `conversation.slots.{slot}.prompt` with `vi` and `en` questions"
                    )),
                );
            }
        }
        slots
    }

    fn texts(&mut self, d: &Def) -> (BTreeMap<OrderStatus, Texts>, Vec<Texts>) {
        let mut order_status = BTreeMap::new();
        for st in OrderStatus::ALL.into_iter().chain([OrderStatus::NotFound]) {
            let mut t = messages::default_status(st);
            if let Some((_, def)) = d.order_status.get(&st) {
                overlay(&mut t, def);
            }
            order_status.insert(st, t);
        }
        let msgs = MessageKey::ALL
            .iter()
            .map(|&key| {
                let mut t = messages::default_text(key);
                if let Some((_, def)) = d.messages.get(&key) {
                    overlay(&mut t, def);
                }
                t
            })
            .collect();
        (order_status, msgs)
    }

    fn intent_labels(&mut self, d: &Def) -> BTreeMap<String, Texts> {
        let mut labels = BTreeMap::new();
        for (id, (at, l)) in &d.intent_labels {
            if !self.has_intent(id) {
                self.err(
                    at,
                    format!("unknown intent `{id}`"),
                    "name an intent defined under `intents:`",
                );
                continue;
            }
            let mut t = Texts::default();
            for lang in Lang::ALL {
                let Some(v) = l.get(lang) else { continue };
                let text = v.v.trim().to_string();
                if text.is_empty() {
                    self.err(
                        &v.at,
                        format!("empty label for intent `{id}`"),
                        "write a short name like \"hủy đơn\", or remove the key",
                    );
                    continue;
                }
                t.get_mut(lang).push(text);
            }
            if !t.is_empty() {
                labels.insert(id.clone(), t);
            }
        }
        labels
    }

    /// Placeholders must name something the engine can fill.
    fn placeholders(&mut self, d: &Def, cfg: &ConvConfig) {
        let mut known: BTreeSet<&str> = BUILTIN_PLACEHOLDERS.iter().copied().collect();
        known.extend(self.set.settings.keys().map(String::as_str));
        known.extend(cfg.slots.keys().map(String::as_str));
        for i in &self.set.intents {
            known.extend(i.info.slots.iter().map(String::as_str));
        }
        let help = format!(
            "use a key of `settings:`, a slot name, or one of {} (and a, b in `messages.clarify`)",
            BUILTIN_PLACEHOLDERS.join(", ")
        );
        let check =
            |diags: &mut Vec<Diagnostic>, at: Option<&Location>, t: &Texts, choices: bool| {
                let Some(at) = at else { return };
                for text in t.all() {
                    for p in placeholders(text) {
                        if !known.contains(p) && !(choices && (p == "a" || p == "b")) {
                            diags.push(
                                Diagnostic::error(
                                    K::Conversation,
                                    format!("unknown placeholder `{{{p}}}`"),
                                )
                                .at(Some(at.clone()))
                                .help(help.clone()),
                            );
                        }
                    }
                }
            };
        // Only texts the rules wrote are checked, at their key.
        for (&key, (at, _)) in &d.messages {
            check(
                &mut self.diags,
                Some(at),
                cfg.message(key),
                key == MessageKey::Clarify,
            );
        }
        for (st, (at, _)) in &d.order_status {
            if let Some(t) = cfg.order_status.get(st) {
                check(&mut self.diags, Some(at), t, false);
            }
        }
        for (name, s) in &d.slots {
            if let Some(cfg_slot) = cfg.slots.get(name) {
                check(&mut self.diags, s.at.as_ref(), &cfg_slot.prompt, false);
                check(&mut self.diags, s.at.as_ref(), &cfg_slot.invalid, false);
            }
        }
    }
}

/// Reads, merges and resolves every file's `conversation:` section.
/// Problems are appended to `diags`; the result is meaningful only when
/// none of them is an error.
pub(crate) fn resolve(set: &RuleSet, diags: &mut Vec<Diagnostic>) -> ConvConfig {
    let mut merged = Def::default();
    for &idx in &set.conversation {
        let doc = &set.docs[idx];
        let Some(node) = doc.root.as_ref().and_then(|r| r.get("conversation")) else {
            continue;
        };
        let mut reader = Reader { doc, diags };
        let def = SectionReader { r: &mut reader }.section(node);
        merged.merge(def);
    }
    let mut r = Resolver {
        set,
        diags: Vec::new(),
    };
    let d = &merged;
    let (default_lang, min_words_to_switch) = r.language(d);
    let (topic_change_confidence, max_slot_retries, max_message_bytes, transcript_tail) =
        r.limits(d);
    let (order_id_patterns, bare_id_intent) = r.order_ids(d);
    let fallback_intent = r.fallback_intent(d);
    let (verify, verify_max_tries, verify_max_failures) = r.verification(d);
    let verify_uniform = d.verify_uniform.unwrap_or(true);
    let agent_hours = r.agent_hours(d);
    let (triggers, max_orders) = r.triggers(d);
    let lexicons = r.lexicons(d);
    let slots = r.slots(d);
    let (order_status, messages) = r.texts(d);
    let intent_labels = r.intent_labels(d);
    let cfg = ConvConfig {
        default_lang,
        min_words_to_switch,
        topic_change_confidence,
        max_slot_retries,
        max_message_bytes,
        transcript_tail,
        fallback_intent,
        order_id_patterns,
        bare_id_intent,
        verify,
        verify_max_tries,
        verify_max_failures,
        verify_uniform,
        max_orders,
        agent_hours,
        triggers,
        lexicons,
        slots,
        order_status,
        messages,
        intent_labels,
        answer_second_request: d.answer_second_request.unwrap_or(true),
        small_talk: r.small_talk(d),
    };
    r.placeholders(d, &cfg);
    diags.append(&mut r.diags);
    cfg
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

    #[test]
    fn names_round_trip() {
        for &k in TriggerKind::ALL {
            assert_eq!(TriggerKind::from_code(k.code()), Some(k));
        }
        for &k in MessageKey::ALL {
            assert_eq!(MessageKey::from_code(k.code()), Some(k));
        }
        assert_eq!(MessageKey::from_code("fallbak"), None);
    }
}
