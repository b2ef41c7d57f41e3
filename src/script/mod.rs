//! Conversation scripts: YAML tests of a bot, run by `firstline test` and
//! inside `cargo test`.
//!
//! A script names a conversation, optionally overrides shop settings and
//! fills a mocked order store, then lists the customer's messages with what
//! should happen after each: the intent, the reply (exactly, containing, or
//! matching a regex), the slot the bot asks for, the order it looks up, the
//! handoff reason, the language. A script can instead list paraphrases that
//! must all classify to one intent; each is its own case. The format is
//! documented in `tests/conversations/README.md`.
//!
//! In a storefront's own tests, run a directory of scripts as ordinary test
//! cases; a failure names every failing script with a readable diff:
//!
//! ```
//! use firstline::conversation::Bot;
//! use firstline::script;
//! use firstline::Matcher;
//!
//! let bot = Bot::new(Matcher::new(r#"
//! version: 1
//! intents:
//!   - id: greet
//!     phrases: { en: ["hello there"], vi: ["xin chào"] }
//!     replies: { en: ["Hi! How can I help?"], vi: ["Dạ em chào anh/chị ạ."] }
//! "#)?)?;
//! let scripts = script::parse_str("greet.yaml", r#"
//! name: greeting in English
//! turns:
//!   - say: hello there
//!     intent: greet
//!     contains: How can I help
//! "#)?;
//! let results = script::Runner::new(bot).run_all(&scripts);
//! script::assert_pass(&results); // panics with a report if any case failed
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Missing: scripts cannot feed a lookup result by hand (a slow store, an
//! order that changes between turns); the fixture answers every lookup.

mod format;
mod report;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub use self::format::{HandoffCheck, Script, Step, DEFAULT_GAP, DEFAULT_NOW};
pub use self::report::{junit, render_failure};
use crate::conversation::{
    Bot, InputKind, LookupError, LookupResult, LookupStatus, Order, OrderStore, Outcome, Session,
    VerificationStatus,
};
use crate::error::Diagnostic;
use crate::MatcherBuilder;

/// Scripts that could not be loaded: YAML errors, unknown keys, bad
/// regexes, unreadable paraphrase files. Every problem, each with
/// `file:line:column`.
#[derive(Clone, Debug)]
pub struct ScriptError {
    diagnostics: Vec<Diagnostic>,
}

impl ScriptError {
    pub(crate) fn new(diagnostics: Vec<Diagnostic>) -> ScriptError {
        ScriptError { diagnostics }
    }

    /// Every problem found, in file order.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.diagnostics {
            writeln!(f, "{d}")?;
        }
        let n = self.diagnostics.len();
        write!(
            f,
            "could not load the scripts: {n} error{}",
            if n == 1 { "" } else { "s" }
        )
    }
}

impl std::error::Error for ScriptError {}

/// Parses the scripts in one YAML text; `name` is used in error locations.
pub fn parse_str(name: &str, yaml: &str) -> Result<Vec<Script>, ScriptError> {
    let mut out = Vec::new();
    let mut errs = Vec::new();
    format::parse(Path::new(name), yaml, &mut out, &mut errs);
    if errs.is_empty() {
        Ok(out)
    } else {
        Err(ScriptError::new(errs))
    }
}

/// Loads every script in a file, or in every `*.yaml` / `*.yml` file of a
/// directory tree (sorted by path). All problems in all files are reported
/// together.
pub fn load(path: impl AsRef<Path>) -> Result<Vec<Script>, ScriptError> {
    let mut out = Vec::new();
    let mut errs = Vec::new();
    for f in format::files(path.as_ref())? {
        match std::fs::read_to_string(&f) {
            Ok(text) => format::parse(&f, &text, &mut out, &mut errs),
            Err(e) => errs.push(
                Diagnostic::error(
                    crate::error::DiagnosticKind::Io,
                    format!("cannot read {}: {e}", f.display()),
                )
                .help("check the path and that the file is UTF-8"),
            ),
        }
    }
    if errs.is_empty() {
        Ok(out)
    } else {
        Err(ScriptError::new(errs))
    }
}

/// Loads the scripts under `path` and runs them all on `bot`.
///
/// Scripts that override `settings` need the rules' sources: use
/// [`Runner::with_rules`]; here they fail with a message saying so.
pub fn run_dir(path: impl AsRef<Path>, bot: &Bot) -> Result<Vec<CaseResult>, ScriptError> {
    let scripts = load(path)?;
    Ok(Runner::new(bot.clone()).run_all(&scripts))
}

/// Runs the scripts under `path` and panics, naming every failing case,
/// if any fails or the scripts do not load. For `#[test]` functions.
pub fn assert_dir(path: impl AsRef<Path>, bot: &Bot) {
    match run_dir(path, bot) {
        Ok(results) => assert_pass(&results),
        Err(e) => panic!("\n{e}\n"),
    }
}

/// Panics with a readable report naming every failing case.
pub fn assert_pass(results: &[CaseResult]) {
    let failed: Vec<&CaseResult> = results.iter().filter(|r| !r.passed()).collect();
    if failed.is_empty() {
        return;
    }
    let mut msg = String::new();
    for r in &failed {
        msg.push_str(&render_failure(r));
    }
    msg.push_str(&format!(
        "{} passed, {} failed\n",
        results.len() - failed.len(),
        failed.len()
    ));
    panic!("\n{msg}");
}

/// The result of one case: a turn-by-turn script, or one paraphrase.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct CaseResult {
    /// The script name; for a paraphrase, the script name, its number and
    /// the text.
    pub name: String,
    /// The script's file.
    pub file: PathBuf,
    /// The line of the script's `name:`.
    pub line: usize,
    /// What did not happen as expected; empty when the case passed.
    pub failures: Vec<Failure>,
    /// What the bot did, for coverage.
    pub trace: Trace,
}

impl CaseResult {
    /// True when every expectation held.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// One expectation that did not hold.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Failure {
    /// The turn, 1-based (1 for a paraphrase).
    pub turn: usize,
    /// What the customer said.
    pub say: String,
    /// What was checked: `intent`, `reply`, `contains`, `matches`...
    pub check: &'static str,
    /// What the script expected.
    pub expected: String,
    /// What happened.
    pub actual: String,
    /// The reply the bot sent on that turn (context for the diff).
    pub reply: Option<String>,
}

/// What the bot did during a case: the intents it recognised, the replies
/// it sent, the handoff reasons and the messages it was sent.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Trace {
    /// Intents recognised.
    pub intents: Vec<String>,
    /// Replies sent.
    pub replies: Vec<String>,
    /// Handoff reasons.
    pub handoffs: Vec<String>,
    /// Customer messages.
    pub messages: Vec<String>,
}

struct Fixture<'a>(&'a BTreeMap<String, Result<Order, LookupError>>);

impl OrderStore for Fixture<'_> {
    fn lookup(&self, order_id: &str) -> Result<Option<Order>, LookupError> {
        match self.0.get(order_id) {
            None => Ok(None),
            Some(Ok(o)) => Ok(Some(o.clone())),
            Some(Err(e)) => Err(e.clone()),
        }
    }
}

/// Runs scripts on one shared [`Bot`].
///
/// Invariants:
/// 1. The rules are compiled once; a script that overrides `settings`
///    compiles them once more per distinct override (cached), and only
///    when the runner has the rules' sources ([`Runner::with_rules`]).
/// 2. Every script runs in a fresh [`Session`] with its own order
///    fixture; nothing carries over between scripts.
#[derive(Debug)]
pub struct Runner {
    bot: Bot,
    rules: Option<MatcherBuilder>,
    overrides: Mutex<HashMap<String, Result<Bot, String>>>,
}

impl Runner {
    /// A runner on `bot`.
    pub fn new(bot: Bot) -> Runner {
        Runner {
            bot,
            rules: None,
            overrides: Mutex::new(HashMap::new()),
        }
    }

    /// Gives the runner the rules' sources so scripts can override shop
    /// settings: their settings are compiled on top as a last rule file.
    pub fn with_rules(mut self, rules: MatcherBuilder) -> Runner {
        self.rules = Some(rules);
        self
    }

    /// The bot scripts without a settings override run on.
    pub fn bot(&self) -> &Bot {
        &self.bot
    }

    /// Runs every script, in order.
    pub fn run_all(&self, scripts: &[Script]) -> Vec<CaseResult> {
        scripts.iter().flat_map(|s| self.run(s)).collect()
    }

    /// Runs one script: one result, or one per paraphrase.
    pub fn run(&self, script: &Script) -> Vec<CaseResult> {
        let bot = match self.bot_for(script) {
            Ok(b) => b,
            Err(why) => {
                return vec![CaseResult {
                    name: script.name.clone(),
                    file: script.file.clone(),
                    line: script.line,
                    failures: vec![Failure {
                        turn: 0,
                        say: String::new(),
                        check: "settings",
                        expected: "the settings override to compile".into(),
                        actual: why,
                        reply: None,
                    }],
                    trace: Trace::default(),
                }]
            }
        };
        match &script.paraphrases {
            Some((intent, texts)) => texts
                .iter()
                .enumerate()
                .map(|(i, t)| paraphrase(&bot, script, intent, i, t))
                .collect(),
            None => vec![conversation(&bot, script)],
        }
    }

    fn bot_for(&self, script: &Script) -> Result<Bot, String> {
        if script.settings.is_empty() {
            return Ok(self.bot.clone());
        }
        let Some(rules) = &self.rules else {
            return Err("this runner has no rule sources: build it with \
                        Runner::with_rules to let scripts override settings"
                .into());
        };
        let key = serde_json::to_string(&script.settings).unwrap_or_default();
        let mut cache = self.overrides.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .entry(key)
            .or_insert_with(|| {
                let mut doc = serde_yaml::Mapping::new();
                doc.insert("version".into(), 1.into());
                let settings: serde_yaml::Mapping = script
                    .settings
                    .iter()
                    .map(|(k, v)| (k.as_str().into(), v.as_str().into()))
                    .collect();
                doc.insert("settings".into(), settings.into());
                let yaml = serde_yaml::to_string(&doc).unwrap_or_default();
                let mut config = self.bot.matcher().config().clone();
                config.check_examples = false;
                let m = rules
                    .clone()
                    .config(config)
                    .add_yaml("<script settings>", &yaml)
                    .build()
                    .map_err(|e| e.to_string())?;
                Bot::new(m).map_err(|e| e.to_string())
            })
            .clone()
    }
}

fn paraphrase(bot: &Bot, script: &Script, intent: &str, i: usize, text: &str) -> CaseResult {
    let c = bot.matcher().classify(text);
    let got = c.intent_id();
    let mut failures = Vec::new();
    if got != Some(intent) {
        failures.push(Failure {
            turn: 1,
            say: text.to_string(),
            check: "intent",
            expected: intent.to_string(),
            actual: match c.ranked.first() {
                Some(best) if got.is_none() => format!(
                    "none (best: {} at {:.2}, below the threshold)",
                    best.intent, best.confidence
                ),
                _ => format!("{} ({:.2})", got.unwrap_or("none"), c.confidence),
            },
            reply: None,
        });
    }
    CaseResult {
        name: format!("{} [{}] {}", script.name, i + 1, text),
        file: script.file.clone(),
        line: script.line,
        failures,
        trace: Trace {
            intents: got.map(String::from).into_iter().collect(),
            messages: vec![text.to_string()],
            ..Trace::default()
        },
    }
}

fn conversation(bot: &Bot, script: &Script) -> CaseResult {
    let store = Fixture(&script.orders);
    let mut session = Session::new(script.session.clone());
    let mut now = script.now;
    let mut failures = Vec::new();
    let mut trace = Trace::default();
    for (i, t) in script.turns.iter().enumerate() {
        if i > 0 {
            // Scripts built in code skip the parser's check: never overflow.
            now = now.saturating_add(t.after);
        }
        trace.messages.push(t.say.clone());
        let first = bot.handle_message(&mut session, &t.say, now);
        let mut events = first.events;
        let mut outcome = first.outcome;
        let mut lookups = Vec::new();
        for _ in 0..4 {
            let Outcome::LookupOrder { order_id } = &outcome else {
                break;
            };
            lookups.push(order_id.clone());
            let r = LookupResult::from(store.lookup(order_id));
            let next = bot.handle_lookup(&mut session, r, now);
            events.extend(next.events);
            outcome = next.outcome;
        }
        let message = events.iter().find(|e| e.input == InputKind::Message);
        let intent = message.and_then(|e| e.intent.as_deref().map(String::from));
        let also = message.and_then(|e| e.also.as_deref().map(String::from));
        let understood = message.map(|e| e.understood);
        let lang = events.last().map(|e| e.lang);
        let reply = outcome.text().map(String::from);
        let handoff = match &outcome {
            Outcome::Handoff { reason, .. } => Some(reason.to_string()),
            _ => None,
        };
        let asks = bot.asking(&session);
        // The reply shows an order's details: a found order answered without
        // a pending or failed check, or any order field of the fixture.
        let revealed = events.iter().any(|e| {
            e.lookup == Some(LookupStatus::Found)
                && e.outcome == crate::conversation::OutcomeKind::Reply
                && matches!(e.verification, None | Some(VerificationStatus::Passed))
        }) || reply
            .as_deref()
            .is_some_and(|r| shows_order_field(r, &script.orders));
        let about = lookups
            .last()
            .cloned()
            .or_else(|| session.slot("order_id").map(String::from))
            .or_else(|| session.pending_order().map(String::from));
        let verified = about.as_deref().is_some_and(|o| session.is_verified(o));
        trace.intents.extend(intent.clone());
        trace.replies.extend(reply.clone());
        trace.handoffs.extend(handoff.clone());

        let n = i + 1;
        let mut fail = |check: &'static str, expected: String, actual: String| {
            failures.push(Failure {
                turn: n,
                say: t.say.clone(),
                check,
                expected,
                actual,
                reply: reply.clone(),
            });
        };
        let or_none = |o: &Option<String>, none: &str| o.clone().unwrap_or_else(|| none.into());
        if let Some(want) = &t.intent {
            if intent.as_deref() != Some(want) {
                fail("intent", want.clone(), or_none(&intent, "none"));
            }
        }
        if let Some(want) = &t.also {
            let ok = match also.as_deref() {
                None => want == "none",
                Some(got) => got == want,
            };
            if !ok {
                fail("also", want.clone(), or_none(&also, "none"));
            }
        }
        if let Some(want) = t.understood {
            if understood != Some(want) {
                fail(
                    "understood",
                    want.to_string(),
                    understood.map_or("no message event".into(), |u| u.to_string()),
                );
            }
        }
        let text = reply.clone().unwrap_or_default();
        if let Some(want) = &t.reply {
            if reply.as_deref() != Some(want) {
                fail("reply", want.clone(), or_none(&reply, "no reply"));
            }
        }
        for c in &t.contains {
            if !text.contains(c.as_str()) {
                fail("contains", c.clone(), or_none(&reply, "no reply"));
            }
        }
        for c in &t.not_contains {
            if text.contains(c.as_str()) {
                fail("not_contains", c.clone(), or_none(&reply, "no reply"));
            }
        }
        if let Some(re) = &t.matches {
            if !re.is_match(&text) {
                fail(
                    "matches",
                    re.as_str().to_string(),
                    or_none(&reply, "no reply"),
                );
            }
        }
        if let Some(want) = &t.asks_for {
            if !asks.iter().any(|a| a == want) {
                let got = if asks.is_empty() {
                    "not asking for anything".to_string()
                } else {
                    asks.join(" / ")
                };
                fail("asks_for", want.clone(), got);
            }
        }
        if let Some(want) = t.verified {
            if verified != want {
                let got = match &about {
                    Some(o) if verified => format!("{o} verified"),
                    Some(o) => format!("{o} not verified"),
                    None => "no order in the conversation".into(),
                };
                fail("verified", want.to_string(), got);
            }
        }
        if let Some(want) = t.reveals {
            if revealed != want {
                let (e, a) = if want {
                    ("order details in the reply", "none shown")
                } else {
                    ("no order detail in the reply", "order details shown")
                };
                fail("reveals", e.into(), a.into());
            }
        }
        if let Some(want) = &t.lookup {
            if !lookups.iter().any(|l| l == want) {
                let got = if lookups.is_empty() {
                    "no lookup".to_string()
                } else {
                    lookups.join(", ")
                };
                fail("lookup", want.clone(), got);
            }
        }
        if let Some(want) = &t.handoff {
            let ok = match want {
                HandoffCheck::No => handoff.is_none(),
                HandoffCheck::Any => handoff.is_some(),
                HandoffCheck::Reason(r) => handoff.as_deref() == Some(r.as_str()),
            };
            if !ok {
                fail("handoff", want.to_string(), or_none(&handoff, "no handoff"));
            }
        }
        if let Some(want) = t.lang {
            if lang != Some(want) {
                fail(
                    "lang",
                    want.to_string(),
                    lang.map_or("none".into(), |l| l.to_string()),
                );
            }
        }
    }
    CaseResult {
        name: script.name.clone(),
        file: script.file.clone(),
        line: script.line,
        failures,
        trace,
    }
}

/// True when `reply` carries a field of one of the fixture's orders
/// (carrier, tracking number, delivery date).
fn shows_order_field(reply: &str, orders: &BTreeMap<String, Result<Order, LookupError>>) -> bool {
    orders.values().filter_map(|o| o.as_ref().ok()).any(|o| {
        [&o.carrier, &o.tracking, &o.eta]
            .into_iter()
            .flatten()
            .any(|v| v.chars().count() >= 3 && reply.contains(v.as_str()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Matcher;

    const RULES: &str = r#"
version: 1
settings: { shop_name: "Shop Hoa Mai" }
intents:
  - id: greet
    phrases: { vi: ["xin chào"], en: ["hello there"] }
    replies: { vi: ["Dạ {shop_name} xin chào ạ."], en: ["Hi from {shop_name}!"] }
"#;

    fn bot() -> Bot {
        Bot::new(Matcher::new(RULES).unwrap()).unwrap()
    }

    /// `bad!(name, yaml, [substrings of the rendered error])`
    macro_rules! bad {
        ($name:ident, $yaml:expr, [$($want:expr),+ $(,)?]) => {
            #[test]
            fn $name() {
                let err = parse_str("s.yaml", $yaml).unwrap_err().to_string();
                $(assert!(err.contains($want), "missing {:?} in\n{}", $want, err);)+
            }
        };
    }

    bad!(
        unknown_turn_key,
        "name: a\nturns:\n  - say: hi\n    replyy: x\n",
        ["unknown field `replyy`", "s.yaml:4:5", "= help:"]
    );
    bad!(
        clock_overflow,
        "name: a\nnow: 9223372036854775000\nturns:\n  - say: xin chào\n  - say: hello there\n    after: 1000\n",
        ["the script's clock overflows", "s.yaml:6:", "after: 1000", "= help:"]
    );

    #[test]
    fn a_built_script_near_the_end_of_time_runs_without_overflow() {
        let mut s = parse_str(
            "s.yaml",
            "name: a\nturns: [{say: xin chào}, {say: hello there}]\n",
        )
        .unwrap()
        .remove(0);
        s.now = i64::MAX - 5;
        s.turns[1].after = 3600;
        let r = Runner::new(bot()).run(&s);
        assert!(r[0].passed(), "{}", render_failure(&r[0]));
        assert_eq!(r[0].trace.replies.len(), 2);
    }
    bad!(
        unknown_script_key,
        "name: a\nturn:\n  - say: hi\n",
        ["unknown field `turn`", "s.yaml:2:1"]
    );
    bad!(
        missing_say,
        "name: a\nturns:\n  - intent: greet\n",
        ["missing field `say`"]
    );
    bad!(
        bad_regex,
        "- name: a\n  turns:\n    - say: hi\n      matches: '(unclosed'\n",
        ["error[invalid-regex]", "s.yaml:4:17", "(unclosed"]
    );
    bad!(
        bad_status,
        "name: a\norders: [{id: DH1, status: lost}]\nturns: [{say: hi}]\n",
        ["unknown order status `lost`", "s.yaml:2:"]
    );
    bad!(
        bad_lookup_error,
        "name: a\norders: [{id: DH1, error: boom}]\nturns: [{say: hi}]\n",
        ["unknown lookup error `boom`"]
    );
    bad!(
        paraphrases_without_intent,
        "name: a\nparaphrases: [hi]\n",
        ["lists paraphrases but no `intent`"]
    );
    bad!(
        intent_without_paraphrases,
        "name: a\nintent: greet\n",
        ["has an `intent` but no paraphrases"]
    );
    bad!(
        empty_script,
        "name: a\n",
        ["has no turns and no paraphrases"]
    );
    bad!(not_a_script, "42\n", ["a script or a list of scripts"]);
    bad!(yaml_syntax, "name: [a\n", ["error[yaml]", "s.yaml:"]);
    bad!(
        missing_paraphrase_file,
        "name: a\nintent: greet\nparaphrases_file: nope.txt\n",
        ["cannot read", "nope.txt"]
    );

    #[test]
    fn one_script_a_list_and_documents() {
        let yaml = "name: a\nturns: [{say: hi}]\n---\n- name: b\n  turns: [{say: hi}]\n- name: c\n  turns: [{say: hi}]\n";
        let s = parse_str("s.yaml", yaml).unwrap();
        let names: Vec<&str> = s.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "c"]);
        assert_eq!(s[0].line, 1);
        assert_eq!(s[1].line, 4);
        assert_eq!(s[2].line, 6);
    }

    #[test]
    fn passing_and_failing_turns() {
        let scripts = parse_str(
            "s.yaml",
            r#"
- name: ok
  turns:
    - say: xin chào
      intent: greet
      reply: "Dạ Shop Hoa Mai xin chào ạ."
      contains: [Hoa Mai]
      not_contains: Goodbye
      matches: '^Dạ'
      lang: vi
      understood: true
      also: none
- name: wrong
  turns:
    - say: hello there
      intent: other
      also: thanks
      contains: Chào
      lookup: DH1
      handoff: customer_request
      asks_for: order_id
      lang: vi
"#,
        )
        .unwrap();
        let r = Runner::new(bot()).run_all(&scripts);
        assert!(r[0].passed(), "{}", render_failure(&r[0]));
        let checks: Vec<&str> = r[1].failures.iter().map(|f| f.check).collect();
        assert_eq!(
            checks,
            ["intent", "also", "contains", "asks_for", "lookup", "handoff", "lang"]
        );
        let text = render_failure(&r[1]);
        assert!(text.contains("FAIL wrong (s.yaml:13)"), "{text}");
        assert!(text.contains("- expected also: thanks"), "{text}");
        assert!(text.contains("+ actual also:   none"), "{text}");
        assert!(text.contains("- expected intent: other"), "{text}");
        assert!(text.contains("+ actual intent:   greet"), "{text}");
        assert!(text.contains("- expected lookup: DH1"), "{text}");
        assert!(text.contains("+ actual lookup:   no lookup"), "{text}");
        assert_eq!(r[0].trace.intents, ["greet"]);
    }

    const ORDERS_RULES: &str = r#"
version: 1
entities:
  order_id: { pattern: '(?i)(?P<value>DH\d{6})', normalize: order_id }
intents:
  - id: track_order
    phrases: { vi: ["đơn * đâu"], en: ["where * order"] }
    slots: [order_id]
    action: lookup_order
  - id: human
    phrases: { vi: ["gặp nhân viên"], en: ["talk to a person"] }
    action: handoff
"#;

    #[test]
    fn privacy_and_handoff_expectations() {
        let bot = Bot::new(Matcher::new(ORDERS_RULES).unwrap()).unwrap();
        let scripts = parse_str(
            "p.yaml",
            r#"
- name: ok
  orders: [{id: DH123456, status: shipped, carrier: GHN, tracking: GHN778899, phone: "0912345678"}]
  turns:
    - say: đơn DH123456 của em đâu
      handoff: false
      asks_for: phone
      verified: false
      reveals: false
    - say: "5678"
      verified: true
      reveals: true
      handoff: false
    - say: gặp nhân viên
      handoff: any
- name: wrong
  orders: [{id: DH123456, status: shipped, carrier: GHN, tracking: GHN778899, phone: "0912345678"}]
  turns:
    - say: đơn DH123456 của em đâu
      handoff: any
      asks_for: email
      verified: true
      reveals: true
    - say: "5678"
      reveals: false
      verified: false
      handoff: customer_request
"#,
        )
        .unwrap();
        let r = Runner::new(bot).run_all(&scripts);
        assert!(r[0].passed(), "{}", render_failure(&r[0]));
        let checks: Vec<(usize, &str)> = r[1].failures.iter().map(|f| (f.turn, f.check)).collect();
        assert_eq!(
            checks,
            [
                (1, "asks_for"),
                (1, "verified"),
                (1, "reveals"),
                (1, "handoff"),
                (2, "verified"),
                (2, "reveals"),
                (2, "handoff"),
            ]
        );
        let text = render_failure(&r[1]);
        assert!(text.contains("no order detail in the reply"), "{text}");
        assert!(text.contains("a handoff (any reason)"), "{text}");
    }

    #[test]
    fn paraphrases_are_cases() {
        let s = parse_str(
            "p.yaml",
            "name: hi\nintent: greet\nparaphrases: [xin chào, hello there, bye now]\n",
        )
        .unwrap();
        let r = Runner::new(bot()).run_all(&s);
        let names: Vec<&str> = r.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            ["hi [1] xin chào", "hi [2] hello there", "hi [3] bye now"]
        );
        assert!(r[0].passed() && r[1].passed());
        assert!(!r[2].passed());
        let panic = std::panic::catch_unwind(|| assert_pass(&r)).unwrap_err();
        let msg = panic.downcast_ref::<String>().unwrap();
        assert!(msg.contains("FAIL hi [3] bye now"), "{msg}");
        assert!(msg.contains("2 passed, 1 failed"), "{msg}");
    }

    #[test]
    fn settings_override_needs_the_rules() {
        let s = parse_str(
            "s.yaml",
            "name: o\nsettings: {shop_name: Shop Mai}\nturns: [{say: xin chào, contains: Shop Mai}]\n",
        )
        .unwrap();
        let r = Runner::new(bot()).run_all(&s);
        assert!(r[0].failures[0].actual.contains("Runner::with_rules"));
        let mut rules = Matcher::builder();
        rules.add_yaml("r.yaml", RULES);
        let runner = Runner::new(bot()).with_rules(rules);
        let r = runner.run_all(&s);
        assert!(r[0].passed(), "{}", render_failure(&r[0]));
        // The override does not leak into scripts without one.
        let plain = parse_str(
            "s.yaml",
            "name: p\nturns: [{say: xin chào, contains: Hoa Mai}]\n",
        )
        .unwrap();
        assert!(runner.run_all(&plain)[0].passed());
    }

    #[test]
    fn junit_counts_and_escapes() {
        let s = parse_str(
            "a&b.yaml",
            "name: \"<x>\"\nturns: [{say: xin chào, intent: nope}]\n",
        )
        .unwrap();
        let r = Runner::new(bot()).run_all(&s);
        let xml = junit(&r, "suite");
        assert!(xml.contains(r#"tests="1" failures="1""#), "{xml}");
        assert!(
            xml.contains(r#"name="&lt;x&gt;" classname="a&amp;b.yaml""#),
            "{xml}"
        );
    }
}
