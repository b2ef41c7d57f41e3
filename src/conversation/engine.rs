//! The turn logic. Everything here is a pure function of the bot, the
//! session and the input; the only state that survives a turn is written
//! into the [`Session`].

use std::collections::BTreeMap;
use std::sync::Arc;

use super::config::{ConvConfig, MessageKey, Texts, Trigger, TriggerKind, VerifyMethod};
use super::ids::{self, FoundId, IdContext, IdKind};
use super::session::Pending;
use super::text;
use super::Priority;
use super::{
    Event, HandoffSummary, InputKind, LookupResult, LookupStatus, Order, OrderStatus, Outcome,
    OutcomeKind, Session, Turn, VerificationStatus,
};
use crate::rules::{Action, Intent};
use crate::{Classification, Lang, Matcher};

/// How many recent intents a session remembers.
const RECENT_INTENTS: usize = 6;
/// How many more order ids of one message wait their turn.
const MAX_QUEUE: usize = 4;
/// How many order ids and tracking codes a session remembers for the agent.
const MENTIONED_IDS: usize = 8;
/// How many characters of each customer message the tail keeps.
const TAIL_CHARS: usize = 160;

pub(crate) struct BotInner {
    pub matcher: Matcher,
    pub config: Arc<ConvConfig>,
    pub seed: u64,
}

/// What the current turn knows besides the session.
struct Cx<'a> {
    now: i64,
    lang: Lang,
    ev: &'a mut Event,
    /// The bot had asked for an order id: a code alone is one.
    asked: bool,
    /// A lexicon with `action: empathize` fired (disappointment): answer
    /// with empathy and offer a person.
    empathize: bool,
    /// A phone number in this message: the contact of a handoff it causes
    /// ("call me back on 0912 345 678").
    phone: Option<String>,
    /// The message's second request (`Classification::also[0]`) when
    /// `answer_second_request` is on: answered with the first where it
    /// can be, else listed in a handoff summary.
    also: Option<Arc<str>>,
}

/// What answering an intent takes, for a message with two requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// A reply and nothing else: can be said next to another answer.
    Plain,
    /// Asks for a slot or looks an order up: it takes the turn.
    Action,
    /// Hands the conversation to a person: it wins over everything.
    Handoff,
}

impl BotInner {
    pub(crate) fn handle_message(&self, s: &mut Session, text: &str, now: i64) -> Turn {
        s.turn = s.turn.saturating_add(1);
        // One cut for the whole turn: the bot's limit, never more than the
        // matcher reads, so the classification, the slots and the
        // transcript all see the same text.
        let text = self
            .matcher
            .truncate(text::truncate(text, self.config.max_message_bytes));
        // The previous turn's topic is a hint for a follow-up with none of
        // its own ("màu đen thì sao"); the matcher keeps no state.
        let c = self
            .matcher
            .classify_with(text, s.recent.last().map(String::as_str));
        let lang = self.update_lang(s, &c, text);
        if text.chars().any(|c| !c.is_whitespace()) && self.config.transcript_tail > 0 {
            s.tail.push(text::clip_chars(text.trim(), TAIL_CHARS));
            let extra = s.tail.len().saturating_sub(self.config.transcript_tail);
            s.tail.drain(..extra);
        }
        let mut ev = self.event(s, now, lang, InputKind::Message);
        ev.intent = c.intent.clone();
        ev.confidence = c.confidence;
        let also = self.second_request(&c);
        ev.also = also.clone();
        let asked = match &s.pending {
            Some(Pending::Slot { slot, .. }) => {
                self.config
                    .slots
                    .get(slot)
                    .map_or(slot.as_str(), |sc| sc.entity.as_str())
                    == "order_id"
            }
            _ => false,
        };
        let phone = self.remember(s, &c, text, asked);
        let outcome = {
            let mut cx = Cx {
                now,
                lang,
                ev: &mut ev,
                asked,
                empathize: false,
                phone,
                also,
            };
            let mut outcome = self.on_message(s, &c, text, &mut cx);
            if cx.empathize {
                self.offer_agent(&mut outcome, cx.lang);
            }
            outcome
        };
        self.finish(s, outcome, ev)
    }

    pub(crate) fn handle_lookup(&self, s: &mut Session, result: LookupResult, now: i64) -> Turn {
        s.turn = s.turn.saturating_add(1);
        let lang = s.lang.unwrap_or(self.config.default_lang);
        let mut ev = self.event(s, now, lang, InputKind::Lookup);
        let outcome = {
            let mut cx = Cx {
                now,
                lang,
                ev: &mut ev,
                asked: false,
                empathize: false,
                phone: None,
                also: None,
            };
            match s.pending.take() {
                Some(Pending::Lookup {
                    intent,
                    order_id,
                    answer,
                    tries,
                    also,
                }) => {
                    cx.ev.intent = Some(intent.as_str().into());
                    let out = self.on_lookup(s, result, intent, order_id, answer, tries, &mut cx);
                    // The plain answer to the message's other request comes
                    // first, unless the lookup handed off.
                    match also.as_deref().and_then(|id| self.matcher.intent(id)) {
                        Some(q) if cx.ev.handoff_reason.is_none() => {
                            let first = self.plain_text(s, q, &cx);
                            self.answer_first(s, first, q, false, out)
                        }
                        _ => out,
                    }
                }
                other => {
                    // Nothing was asked: never reveal an order nobody
                    // requested through the verification flow.
                    s.pending = other;
                    Outcome::Reply {
                        text: String::new(),
                        intent: None,
                        quick_replies: Vec::new(),
                    }
                }
            }
        };
        self.finish(s, outcome, ev)
    }

    #[cfg(feature = "script")]
    pub(crate) fn asking(&self, s: &Session) -> Vec<String> {
        let v: &[&str] = match &s.pending {
            Some(Pending::Slot { slot, .. }) => return vec![slot.clone()],
            Some(Pending::Verify { .. }) => match self.config.verify {
                Some(VerifyMethod::Email) => &["email", "verification"],
                Some(VerifyMethod::Either) => &["phone", "email", "verification"],
                _ => &["phone", "verification"],
            },
            Some(Pending::Contact { .. }) => &["contact", "phone", "email"],
            Some(Pending::Clarify { .. }) => &["choice"],
            Some(Pending::Lookup { .. }) | Some(Pending::Unknown) | None => &[],
        };
        v.iter().map(|s| s.to_string()).collect()
    }

    fn event(&self, s: &Session, now: i64, lang: Lang, input: InputKind) -> Event {
        Event {
            ts: now,
            session: s.id.clone(),
            turn: s.turn,
            lang,
            input,
            intent: None,
            also: None,
            confidence: 0.0,
            outcome: OutcomeKind::Reply,
            handoff_reason: None,
            priority: None,
            lookup: None,
            verification: None,
            understood: true,
            order_id: None,
        }
    }

    fn finish(&self, s: &mut Session, outcome: Outcome, mut ev: Event) -> Turn {
        ev.outcome = outcome.kind();
        ev.order_id = match &outcome {
            Outcome::LookupOrder { order_id } => Some(order_id.clone()),
            _ => s.slot("order_id").map(String::from),
        };
        if let Outcome::Handoff {
            reason, priority, ..
        } = &outcome
        {
            ev.handoff_reason = Some(reason.clone());
            ev.priority = Some(*priority);
            s.handed_off = true;
            s.pending = None;
            // The agent sees every id in the summary; the bot stops here.
            s.queue.clear();
        }
        Turn {
            outcome,
            events: vec![ev],
        }
    }

    /// The customer's language stays put unless a message clearly says
    /// otherwise: enough words, or Vietnamese letters. The language of the
    /// message itself is the matcher's decision (`c.lang`); this only
    /// decides whether it is clear enough to switch.
    fn update_lang(&self, s: &mut Session, c: &Classification, text: &str) -> Lang {
        let words = text::word_count(text);
        let vi_letters = text.chars().any(text::is_vi_letter);
        let detected = c.lang;
        let lang = match s.lang {
            None if words == 0 => self.config.default_lang,
            None => detected,
            Some(cur) if detected != cur => {
                let clear = words >= self.config.min_words_to_switch || (vi_letters && words >= 2);
                if clear {
                    detected
                } else {
                    cur
                }
            }
            Some(cur) => cur,
        };
        s.lang = Some(lang);
        lang
    }

    fn on_message(
        &self,
        s: &mut Session,
        c: &Classification,
        text: &str,
        cx: &mut Cx<'_>,
    ) -> Outcome {
        if s.handed_off {
            return self.reply(s, cx, MessageKey::WaitingForAgent, None, &[]);
        }
        if let Some(Pending::Contact { reason, priority }) = &s.pending {
            let tr = Trigger {
                enabled: true,
                reason: reason.as_str().into(),
                priority: *priority,
                after: 0,
            };
            s.pending = None;
            return self.contact_handoff(s, c, text, tr, cx);
        }
        match self.lexicon_trigger(c, text) {
            (Some(tr), _) => return self.handoff(s, &tr, MessageKey::HandoffApology, None, cx),
            (None, empathize) => cx.empathize = empathize,
        }
        // The intent the customer picked after "A or B?", and the pair asked.
        let mut chosen: Option<&Intent> = None;
        let mut asked: Option<(String, String)> = None;
        match s.pending.take() {
            Some(Pending::Slot {
                intent,
                slot,
                tries,
            }) => {
                // A confident message about something else wins even when it
                // carries a value: "no wait, cancel DH555555" is a cancellation.
                // Unless it is a plain question that also gives the value
                // ("DH123456 ạ, mà phí ship bao nhiêu"): both are answered.
                let changed = self.topic_change(c, &intent);
                let side = if changed { self.side_question(c) } else { None };
                let value = if changed && side.is_none() {
                    None
                } else {
                    self.slot_value(&slot, c, text, cx.asked)
                };
                if let Some(v) = value {
                    s.slots.insert(slot, v);
                    if let Some(i) = self.matcher.intent(&intent) {
                        return match side.filter(|p| !self.small_talk(p)) {
                            Some(p) => {
                                let first = self.plain_text(s, p, cx);
                                self.note_intent(s, &p.id, true);
                                let out = self.run_intent(s, i, c, text, cx);
                                self.answer_first(s, first, p, true, out)
                            }
                            None => self.run_intents(s, i, c, text, cx),
                        };
                    }
                } else if changed {
                } else {
                    let tries = tries.saturating_add(1);
                    if tries > self.config.max_slot_retries {
                        let tr = self.trigger(TriggerKind::InvalidInput);
                        return self.handoff(s, &tr, MessageKey::SlotFailed, None, cx);
                    }
                    let texts = self
                        .config
                        .slots
                        .get(&slot)
                        .map(|sc| sc.invalid.clone())
                        .unwrap_or_else(|| self.msg(MessageKey::InvalidSlot).clone());
                    s.pending = Some(Pending::Slot {
                        intent,
                        slot,
                        tries,
                    });
                    cx.ev.understood = false;
                    return self.reply_texts(s, cx, &texts, None, &[], None);
                }
            }
            Some(Pending::Verify {
                intent,
                order_id,
                tries,
            }) => {
                // Another order id (or another topic) is a new question, not a
                // wrong answer; the enumeration limit still counts it.
                let other_order = self
                    .slot_value("order_id", c, text, false)
                    .is_some_and(|id| id != order_id);
                let changed = self.topic_change(c, &intent);
                // A plain question asked with the answer ("5678, mà phí ship
                // bao nhiêu") is answered with the order, after the check.
                let side = if changed && !other_order {
                    self.side_question(c)
                } else {
                    None
                };
                let carry = side
                    .or_else(|| {
                        cx.also
                            .as_deref()
                            .and_then(|q| self.matcher.intent(q))
                            .filter(|q| self.kind(q) == Some(Kind::Plain))
                    })
                    .filter(|p| !self.small_talk(p));
                if other_order || (changed && side.is_none()) {
                } else if let Some(answer) = self.verify_answer(c, text) {
                    // An answer to the check, not a new question: the event
                    // keeps the message's own intent (usually none), so
                    // "5678" is not counted as one more `track_order` ask.
                    if let Some(p) = carry {
                        self.note_intent(s, &p.id, true);
                    }
                    s.pending = Some(Pending::Lookup {
                        intent,
                        order_id: order_id.clone(),
                        answer: Some(answer),
                        tries,
                        also: carry.map(|p| p.id.to_string()),
                    });
                    cx.ev.lookup = Some(LookupStatus::Requested);
                    return Outcome::LookupOrder { order_id };
                } else if changed {
                    // A plain question without an answer: a new topic, as
                    // any other.
                } else if self.config.verify != Some(VerifyMethod::Email)
                    && text::wrong_length_digits(text)
                {
                    // "567": a slip, not a wrong answer. Asked again for
                    // four digits; nothing is counted.
                    cx.ev.verification = Some(VerificationStatus::Requested);
                    let extra = vec![("order_id", order_id.clone())];
                    s.pending = Some(Pending::Verify {
                        intent,
                        order_id,
                        tries,
                    });
                    let texts = self.msg(MessageKey::VerifyFourDigits).clone();
                    return self.reply_texts(s, cx, &texts, None, &[], Some(extra));
                } else {
                    let tries = tries.saturating_add(1);
                    if tries >= self.config.verify_max_tries {
                        cx.ev.verification = Some(VerificationStatus::Failed);
                        let tr = self.trigger(TriggerKind::VerificationFailed);
                        return self.handoff(s, &tr, MessageKey::VerifyFailed, None, cx);
                    }
                    cx.ev.verification = Some(VerificationStatus::Requested);
                    let name = self.verify_message();
                    let extra = vec![("order_id", order_id.clone())];
                    s.pending = Some(Pending::Verify {
                        intent,
                        order_id,
                        tries,
                    });
                    let texts = self.msg(name).clone();
                    return self.reply_texts(s, cx, &texts, None, &[], Some(extra));
                }
            }
            Some(Pending::Clarify { first, second }) => {
                chosen = self.choice(&first, &second, c, text);
                asked = Some((first, second));
            }
            // A lookup the host never answered, or a question from a newer
            // firstline: start over from this message.
            Some(Pending::Lookup { .. }) | Some(Pending::Unknown) | None => {}
            Some(p @ Pending::Contact { .. }) => s.pending = Some(p),
        }

        if let Some(i) = chosen {
            cx.ev.intent = Some(i.id.clone());
        } else if c.ambiguous && !self.same_pair(c, asked.as_ref()) {
            // Asking the same question twice helps nobody: the second time
            // the best intent answers.
            if let Some(out) = self.clarify(s, c, text, cx) {
                return out;
            }
        }
        let best = || c.intent.as_deref().and_then(|id| self.matcher.intent(id));
        let intent = match chosen.or_else(best) {
            Some(i) => i,
            None => {
                // A bare order id ("DH123456") asks about that order.
                let bare = self
                    .config
                    .bare_id_intent
                    .as_deref()
                    .and_then(|id| self.matcher.intent(id));
                match bare {
                    Some(i) if self.slot_value("order_id", c, text, cx.asked).is_some() => i,
                    _ => return self.fallback(s, cx),
                }
            }
        };
        s.fallbacks = 0;
        if s.recent.last().map(|s| s.as_str()) == Some(&*intent.id) {
            s.repeats = s.repeats.saturating_add(1);
        } else {
            s.repeats = 1;
        }
        s.recent.push(intent.id.to_string());
        let extra = s.recent.len().saturating_sub(RECENT_INTENTS);
        s.recent.drain(..extra);
        let loop_tr = self.trigger(TriggerKind::Repeats);
        if loop_tr.enabled && s.repeats >= loop_tr.after.max(1) {
            return self.handoff(s, &loop_tr, MessageKey::Handoff, None, cx);
        }
        self.run_intents(s, intent, c, text, cx)
    }

    /// The message's second request, when the bot answers them: the first
    /// entry of `Classification::also`.
    fn second_request(&self, c: &Classification) -> Option<Arc<str>> {
        if !self.config.answer_second_request {
            return None;
        }
        let a = c.also.first()?;
        (c.intent.as_deref() != Some(&*a.intent)).then(|| a.intent.clone())
    }

    /// What answering `i` takes; `None` when it has nothing to say (no
    /// reply, no slot, no action).
    fn kind(&self, i: &Intent) -> Option<Kind> {
        let hands_off = match i.action {
            Action::Handoff => self.trigger(TriggerKind::CustomerRequest).enabled,
            _ => i.handoff && self.trigger(TriggerKind::Intent).enabled,
        };
        if hands_off {
            Some(Kind::Handoff)
        } else if i.action == Action::LookupOrder || !i.slots.is_empty() {
            Some(Kind::Action)
        } else if i.replies.vi.is_empty() && i.replies.en.is_empty() {
            None
        } else {
            Some(Kind::Plain)
        }
    }

    /// The message's intent, when it is a plain question: with a pending
    /// question, it is answered beside the answer to that question.
    fn side_question(&self, c: &Classification) -> Option<&Intent> {
        if !self.config.answer_second_request {
            return None;
        }
        let i = self.matcher.intent(c.intent.as_deref()?)?;
        (self.kind(i) == Some(Kind::Plain)).then_some(i)
    }

    /// Runs the message's intent `p` and, when the message has a second
    /// request, answers that too where both fit in one turn:
    ///
    /// 1. a handoff (either one) wins; the summary lists both;
    /// 2. two plain replies: both, `p`'s first;
    /// 3. a plain reply and an action (slots, a lookup): the plain reply,
    ///    then the action as usual (its question, its lookup);
    /// 4. two actions: `p` only.
    fn run_intents(
        &self,
        s: &mut Session,
        p: &Intent,
        c: &Classification,
        text: &str,
        cx: &mut Cx<'_>,
    ) -> Outcome {
        let q = cx
            .also
            .as_deref()
            .filter(|q| **q != *p.id)
            .and_then(|q| self.matcher.intent(q));
        let Some(q) = q else {
            if cx.also.as_deref() == Some(&*p.id) {
                // The pending question's intent came back as the second
                // request: it is the one being answered.
                cx.also = None;
                cx.ev.also = None;
            }
            return self.run_intent(s, p, c, text, cx);
        };
        // "Hello, where is my order?": the greeting needs no answer of its
        // own next to a request.
        match (self.small_talk(p), self.small_talk(q)) {
            (false, true) => return self.run_intent(s, p, c, text, cx),
            (true, false) => {
                // The request is what the message asks: the event says so.
                cx.ev.intent = Some(q.id.clone());
                cx.ev.also = Some(p.id.clone());
                self.note_intent(s, &q.id, false);
                return self.run_intent(s, q, c, text, cx);
            }
            _ => {}
        }
        match (self.kind(p), self.kind(q)) {
            (Some(Kind::Handoff), _) => {
                self.note_intent(s, &q.id, false);
                self.run_intent(s, p, c, text, cx)
            }
            (_, Some(Kind::Handoff)) => {
                self.note_intent(s, &q.id, false);
                self.run_intent(s, q, c, text, cx)
            }
            (Some(Kind::Plain), Some(Kind::Plain)) => {
                let out = self.run_intent(s, p, c, text, cx);
                self.note_intent(s, &q.id, false);
                let second = self.plain_text(s, q, cx);
                match out {
                    Outcome::Reply {
                        text,
                        intent,
                        quick_replies,
                    } => Outcome::Reply {
                        text: text::join_sentences(&text, &second),
                        intent,
                        quick_replies,
                    },
                    other => other,
                }
            }
            (Some(Kind::Plain), Some(Kind::Action)) | (Some(Kind::Action), Some(Kind::Plain)) => {
                // The plain answer first, whichever of the two it is.
                let own = self.kind(p) == Some(Kind::Plain);
                let (plain, action) = if own { (p, q) } else { (q, p) };
                let first = self.plain_text(s, plain, cx);
                self.note_intent(s, &q.id, !own);
                let out = self.run_intent(s, action, c, text, cx);
                if cx.ev.handoff_reason.is_some() {
                    return out;
                }
                self.answer_first(s, first, plain, own, out)
            }
            _ => self.run_intent(s, p, c, text, cx),
        }
    }

    /// A courtesy intent (`conversation.small_talk`).
    fn small_talk(&self, i: &Intent) -> bool {
        self.config.small_talk.contains(&*i.id)
    }

    /// A plain intent's reply, rendered.
    fn plain_text(&self, s: &Session, i: &Intent, cx: &Cx<'_>) -> String {
        let t = Texts {
            vi: i.replies.vi.clone(),
            en: i.replies.en.clone(),
        };
        self.render_texts(s, cx, &t, None)
    }

    /// Puts `first`, the reply of the plain intent `plain`, before the
    /// reply of `out`. When `plain` is the message's own intent (`own`),
    /// the reply names it and offers its quick replies. A lookup carries
    /// the plain intent in the session until its reply; a handoff drops it.
    fn answer_first(
        &self,
        s: &mut Session,
        first: String,
        plain: &Intent,
        own: bool,
        out: Outcome,
    ) -> Outcome {
        match out {
            Outcome::Reply {
                text,
                intent,
                quick_replies,
            } => {
                let (intent, quick_replies) = if own {
                    let lang = s.lang.unwrap_or(self.config.default_lang);
                    let qr = plain.quick_replies.get(lang).to_vec();
                    (Some(plain.id.clone()), qr)
                } else {
                    (intent, quick_replies)
                };
                Outcome::Reply {
                    text: text::join_sentences(&first, &text),
                    intent,
                    quick_replies,
                }
            }
            Outcome::LookupOrder { order_id } => {
                if let Some(Pending::Lookup { also, .. }) = &mut s.pending {
                    *also = Some(plain.id.to_string());
                }
                Outcome::LookupOrder { order_id }
            }
            other => other,
        }
    }

    /// Adds an intent the turn answered besides the main one to the recent
    /// intents (for the summary); `before_last` keeps the intent the bot
    /// now waits on last, as the next message's hint.
    fn note_intent(&self, s: &mut Session, id: &str, before_last: bool) {
        if s.recent.iter().rev().take(2).any(|r| r == id) {
            return;
        }
        let at = if before_last {
            s.recent.len().saturating_sub(1)
        } else {
            s.recent.len()
        };
        s.recent.insert(at, id.to_string());
        let extra = s.recent.len().saturating_sub(RECENT_INTENTS);
        s.recent.drain(..extra);
    }

    fn fallback(&self, s: &mut Session, cx: &mut Cx<'_>) -> Outcome {
        if cx.empathize {
            // Understood well enough: the customer is unhappy.
            s.fallbacks = 0;
            return self.reply(s, cx, MessageKey::Empathy, None, &[]);
        }
        s.fallbacks = s.fallbacks.saturating_add(1);
        cx.ev.understood = false;
        let tr = self.trigger(TriggerKind::Fallbacks);
        if tr.enabled && s.fallbacks >= tr.after.max(1) {
            return self.handoff(s, &tr, MessageKey::Handoff, None, cx);
        }
        match self
            .config
            .fallback_intent
            .as_deref()
            .and_then(|id| self.matcher.intent(id))
        {
            Some(i) => {
                let t = Texts {
                    vi: i.replies.vi.clone(),
                    en: i.replies.en.clone(),
                };
                let qr = i.quick_replies.get(cx.lang).to_vec();
                self.reply_texts(s, cx, &t, None, &qr, None)
            }
            None => self.reply(s, cx, MessageKey::Fallback, None, &[]),
        }
    }

    /// Asks which of the two best intents an ambiguous message meant, with
    /// their labels as quick replies. `None` (answer the best intent) when
    /// either has no label, or the best one hands off.
    fn clarify(
        &self,
        s: &mut Session,
        c: &Classification,
        text: &str,
        cx: &mut Cx<'_>,
    ) -> Option<Outcome> {
        let (a, b) = (c.ranked.first()?, c.ranked.get(1)?);
        let (ia, ib) = (
            self.matcher.intent(&a.intent)?,
            self.matcher.intent(&b.intent)?,
        );
        let label = |id: &str| {
            self.config
                .intent_labels
                .get(id)
                .and_then(|t| t.get_or_other(cx.lang).first().cloned())
        };
        let (la, lb) = (label(&ia.id)?, label(&ib.id)?);
        let hands_off = match ia.action {
            Action::Handoff => self.trigger(TriggerKind::CustomerRequest).enabled,
            _ => ia.handoff && self.trigger(TriggerKind::Intent).enabled,
        };
        if hands_off {
            return None;
        }
        // Values the message already gave (an order id) serve either choice.
        for slot in ia.slots.iter().chain(&ib.slots) {
            if let Some(v) = self.slot_value(slot, c, text, cx.asked) {
                s.slots.insert(slot.clone(), v);
            }
        }
        s.fallbacks = 0;
        s.pending = Some(Pending::Clarify {
            first: ia.id.to_string(),
            second: ib.id.to_string(),
        });
        let qr = [text::capitalize(&la), text::capitalize(&lb)];
        let t = self.msg(MessageKey::Clarify).clone();
        Some(self.reply_texts(s, cx, &t, None, &qr, Some(vec![("a", la), ("b", lb)])))
    }

    /// Which of the two offered intents the customer picked: a label (a
    /// quick reply, in either language, any case or accents), or a message
    /// that clearly classifies to one of them.
    fn choice(&self, first: &str, second: &str, c: &Classification, text: &str) -> Option<&Intent> {
        let said = text::loose(text);
        for id in [first, second] {
            let picked = self
                .config
                .intent_labels
                .get(id)
                .is_some_and(|t| t.vi.iter().chain(&t.en).any(|l| text::loose(l) == said));
            if picked {
                return self.matcher.intent(id);
            }
        }
        match c.intent.as_deref() {
            Some(id) if !c.ambiguous && (id == first || id == second) => self.matcher.intent(id),
            _ => None,
        }
    }

    /// The message is ambiguous between the pair just asked about.
    fn same_pair(&self, c: &Classification, asked: Option<&(String, String)>) -> bool {
        let (Some((x, y)), Some(a), Some(b)) = (asked, c.ranked.first(), c.ranked.get(1)) else {
            return false;
        };
        let (a, b) = (&*a.intent, &*b.intent);
        (a == x && b == y) || (a == y && b == x)
    }

    /// A confident, unambiguous message about something else abandons the
    /// pending question.
    fn topic_change(&self, c: &Classification, pending_intent: &str) -> bool {
        match c.intent.as_deref() {
            Some(id) => {
                id != pending_intent
                    && !c.ambiguous
                    && c.confidence >= self.config.topic_change_confidence
            }
            None => false,
        }
    }

    fn run_intent(
        &self,
        s: &mut Session,
        intent: &Intent,
        c: &Classification,
        text: &str,
        cx: &mut Cx<'_>,
    ) -> Outcome {
        let id: Arc<str> = intent.id.clone();
        if cx.ev.intent.is_none() {
            // Answering a pending question: the event names its intent.
            cx.ev.intent = Some(id.clone());
        }
        let own_reply = intent.replies.get(cx.lang).to_vec();
        if intent.action == Action::Handoff || intent.handoff {
            let tr = if intent.action == Action::Handoff {
                self.trigger(TriggerKind::CustomerRequest)
            } else {
                self.trigger(TriggerKind::Intent)
            };
            if tr.enabled {
                let reply = (!own_reply.is_empty()).then(|| {
                    let t = Texts {
                        vi: intent.replies.vi.clone(),
                        en: intent.replies.en.clone(),
                    };
                    self.render_texts(s, cx, &t, None)
                });
                return self.handoff(s, &tr, MessageKey::Handoff, reply, cx);
            }
        }
        for slot in &intent.slots {
            if let Some(v) = self.slot_value(slot, c, text, cx.asked) {
                s.slots.insert(slot.clone(), v);
            }
        }
        for slot in &intent.slots {
            if !s.slots.contains_key(slot) {
                let texts = self
                    .config
                    .slots
                    .get(slot)
                    .map(|sc| sc.prompt.clone())
                    .unwrap_or_default();
                s.pending = Some(Pending::Slot {
                    intent: id.to_string(),
                    slot: slot.clone(),
                    tries: 0,
                });
                return self.reply_texts(s, cx, &texts, Some(id), &[], None);
            }
        }
        match intent.action {
            Action::LookupOrder => match s.slots.get("order_id").cloned() {
                Some(order_id) => {
                    // Several order ids: one at a time, each with its own check.
                    let several: Vec<String> = self
                        .ids(c, text, cx.asked)
                        .into_iter()
                        .filter(|f| f.kind == IdKind::Order)
                        .map(|f| f.value)
                        .collect();
                    let mut notice = None;
                    if several.len() > 1 && several.contains(&order_id) {
                        let rest: Vec<String> = several
                            .iter()
                            .filter(|v| **v != order_id)
                            .take(MAX_QUEUE)
                            .cloned()
                            .collect();
                        let extra = vec![
                            ("count", several.len().to_string()),
                            ("order_ids", several.join(", ")),
                            ("order_id", order_id.clone()),
                        ];
                        let t = self.msg(MessageKey::SeveralOrders).clone();
                        notice = Some(self.render_texts(s, cx, &t, Some(extra)));
                        s.queue = rest;
                    }
                    // Proof given with the id ("DH123456, đuôi 5678") is used.
                    let answer = self.verify_answer(c, text);
                    self.start_lookup(s, &id, order_id, answer, notice, cx)
                }
                None => {
                    s.pending = Some(Pending::Slot {
                        intent: id.to_string(),
                        slot: "order_id".into(),
                        tries: 0,
                    });
                    let texts = self
                        .config
                        .slots
                        .get("order_id")
                        .map(|slot| slot.prompt.clone())
                        .unwrap_or_default();
                    self.reply_texts(s, cx, &texts, Some(id), &[], None)
                }
            },
            _ => {
                let t = Texts {
                    vi: intent.replies.vi.clone(),
                    en: intent.replies.en.clone(),
                };
                let t = if t.vi.is_empty() && t.en.is_empty() {
                    self.msg(MessageKey::Fallback).clone()
                } else {
                    t
                };
                let qr = intent.quick_replies.get(cx.lang).to_vec();
                self.reply_texts(s, cx, &t, Some(id), &qr, None)
            }
        }
    }

    fn start_lookup(
        &self,
        s: &mut Session,
        intent: &str,
        order_id: String,
        answer: Option<String>,
        notice: Option<String>,
        cx: &mut Cx<'_>,
    ) -> Outcome {
        if self.verify_locked(s, &order_id) {
            // Too many wrong answers for this order (or in this session):
            // no more lookups, and so no more guesses, until an agent helps.
            cx.ev.lookup = Some(LookupStatus::Refused);
            cx.ev.verification = Some(VerificationStatus::Failed);
            s.slots.remove("order_id");
            s.queue.clear();
            let tr = self.trigger(TriggerKind::VerificationFailed);
            return self.handoff(s, &tr, MessageKey::VerifyFailed, None, cx);
        }
        // Only ids the customer could not verify count, over the session.
        let tr = self.trigger(TriggerKind::Enumeration);
        if tr.enabled
            && !s.is_verified(&order_id)
            && !self.unverified(s).contains(&order_id.as_str())
            && self.unverified(s).len() >= self.config.max_orders
        {
            cx.ev.lookup = Some(LookupStatus::Refused);
            s.slots.remove("order_id");
            s.queue.clear();
            return self.handoff(s, &tr, MessageKey::Enumeration, None, cx);
        }
        if !s.orders.contains(&order_id) {
            s.orders.push(order_id.clone());
        }
        // Asked about now: no longer waiting its turn.
        s.queue.retain(|q| *q != order_id);
        let unverified = self.config.verify.is_some() && !s.is_verified(&order_id);
        if unverified && answer.is_none() && (self.config.verify_uniform || notice.is_some()) {
            // The proof first: the reply is the same whether the order
            // exists or not.
            cx.ev.verification = Some(VerificationStatus::Requested);
            s.pending = Some(Pending::Verify {
                intent: intent.to_string(),
                order_id: order_id.clone(),
                tries: 0,
            });
            let t = self.msg(self.verify_message()).clone();
            let ask = self.render_texts(s, cx, &t, Some(vec![("order_id", order_id)]));
            let text = match notice {
                Some(n) => text::join_sentences(&n, &ask),
                None => ask,
            };
            return Outcome::Reply {
                text,
                intent: None,
                quick_replies: Vec::new(),
            };
        }
        s.pending = Some(Pending::Lookup {
            intent: intent.to_string(),
            order_id: order_id.clone(),
            answer: if unverified { answer } else { None },
            tries: 0,
            also: None,
        });
        cx.ev.lookup = Some(LookupStatus::Requested);
        Outcome::LookupOrder { order_id }
    }

    /// Order ids the customer asked about and could not verify (not found,
    /// or a wrong answer), over the whole session.
    fn unverified<'s>(&self, s: &'s Session) -> Vec<&'s str> {
        let mut out: Vec<&str> = s
            .failed_checks
            .keys()
            .map(String::as_str)
            .chain(s.not_found.iter().map(String::as_str))
            .filter(|id| !s.is_verified(id))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The enumeration limit is reached: hand off.
    fn enumeration_reached(&self, s: &Session) -> bool {
        self.trigger(TriggerKind::Enumeration).enabled
            && self.unverified(s).len() >= self.config.max_orders
    }

    /// After one order of several is answered: the next one's check,
    /// appended to `reply`.
    fn next_in_queue(
        &self,
        s: &mut Session,
        intent: &str,
        reply: Outcome,
        cx: &mut Cx<'_>,
    ) -> Outcome {
        let Outcome::Reply {
            text,
            intent: answered,
            quick_replies,
        } = reply
        else {
            return reply;
        };
        if s.queue.is_empty() || s.pending.is_some() {
            return Outcome::Reply {
                text,
                intent: answered,
                quick_replies,
            };
        }
        let next = s.queue.remove(0);
        let mut extra = vec![("order_id", next.clone())];
        let t = self.msg(MessageKey::NextOrder).clone();
        let mut more = self.render_texts(s, cx, &t, Some(extra.clone()));
        if self.config.verify.is_some() && !s.is_verified(&next) {
            s.slots.insert("order_id".into(), next.clone());
            s.pending = Some(Pending::Verify {
                intent: intent.to_string(),
                order_id: next,
                tries: 0,
            });
            let t = self.msg(self.verify_message()).clone();
            let ask = self.render_texts(s, cx, &t, Some(extra));
            more = text::join_sentences(&more, &ask);
        } else {
            // Without a check the next lookup needs a turn of its own: the
            // customer sends the id again.
            s.pending = Some(Pending::Slot {
                intent: intent.to_string(),
                slot: "order_id".into(),
                tries: 0,
            });
            extra.clear();
            if let Some(sc) = self.config.slots.get("order_id") {
                more = format!(
                    "{more} {}",
                    self.render_texts(s, cx, &sc.prompt.clone(), None)
                );
            }
        }
        Outcome::Reply {
            text: text::join_sentences(&text, &more),
            intent: answered,
            quick_replies,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn on_lookup(
        &self,
        s: &mut Session,
        result: LookupResult,
        intent: String,
        order_id: String,
        answer: Option<String>,
        tries: u8,
        cx: &mut Cx<'_>,
    ) -> Outcome {
        let checking = self.config.verify.is_some() && !s.is_verified(&order_id);
        let order = match result {
            LookupResult::Failed(_) => {
                cx.ev.lookup = Some(LookupStatus::Failed);
                s.queue.clear();
                let tr = self.trigger(TriggerKind::LookupFailed);
                return self.handoff(s, &tr, MessageKey::LookupError, None, cx);
            }
            LookupResult::NotFound
                if checking && answer.is_some() && self.config.verify_uniform =>
            {
                // No such order, or not this customer's: one answer for
                // both, and it counts like a wrong answer.
                cx.ev.lookup = Some(LookupStatus::NotFound);
                return self.wrong_proof(s, intent, order_id, tries, cx);
            }
            LookupResult::NotFound => {
                cx.ev.lookup = Some(LookupStatus::NotFound);
                s.slots.remove("order_id");
                if !s.not_found.contains(&order_id) {
                    s.not_found.push(order_id.clone());
                }
                if self.enumeration_reached(s) {
                    s.queue.clear();
                    let tr = self.trigger(TriggerKind::Enumeration);
                    return self.handoff(s, &tr, MessageKey::Enumeration, None, cx);
                }
                if s.queue.is_empty() {
                    s.pending = Some(Pending::Slot {
                        intent: intent.clone(),
                        slot: "order_id".into(),
                        tries: 0,
                    });
                }
                let texts = self
                    .config
                    .order_status
                    .get(&OrderStatus::NotFound)
                    .cloned()
                    .unwrap_or_default();
                let reply = self.reply_texts(
                    s,
                    cx,
                    &texts,
                    Some(intent.as_str().into()),
                    &[],
                    Some(vec![("order_id", order_id)]),
                );
                return self.next_in_queue(s, &intent, reply, cx);
            }
            LookupResult::Found(order) => order,
        };
        cx.ev.lookup = Some(LookupStatus::Found);
        if let Some(method) = self.config.verify.filter(|_| checking) {
            if !proof_on_file(method, &order) {
                if self.config.verify_uniform && answer.is_some() {
                    // Nothing to check the answer against: with uniform
                    // replies this must look like a wrong answer (or a
                    // missing order), or the handoff would tell a guesser
                    // that the id exists. The limit still hands off.
                    return self.wrong_proof(s, intent, order_id, tries, cx);
                }
                cx.ev.verification = Some(VerificationStatus::Failed);
                s.queue.clear();
                let tr = self.trigger(TriggerKind::VerificationFailed);
                return self.handoff(s, &tr, MessageKey::VerifyFailed, None, cx);
            }
            match answer {
                None => {
                    cx.ev.verification = Some(VerificationStatus::Requested);
                    let extra = vec![("order_id", order_id.clone())];
                    s.pending = Some(Pending::Verify {
                        intent,
                        order_id,
                        tries,
                    });
                    let texts = self.msg(self.verify_message()).clone();
                    return self.reply_texts(s, cx, &texts, None, &[], Some(extra));
                }
                Some(a) if proof_matches(method, &order, &a) => {
                    cx.ev.verification = Some(VerificationStatus::Passed);
                    s.verified.push(order_id.clone());
                }
                Some(_) => return self.wrong_proof(s, intent, order_id, tries, cx),
            }
        }
        // Verified (or verification is off): the order's details.
        s.repeats = 0;
        let unknown = text::unknown_value(cx.lang).to_string();
        let extra = vec![
            ("order_id", order_id),
            ("status", order.status.code().to_string()),
            (
                "carrier",
                order.carrier.clone().unwrap_or_else(|| unknown.clone()),
            ),
            (
                "tracking",
                order.tracking.clone().unwrap_or_else(|| unknown.clone()),
            ),
            ("eta", order.eta.clone().unwrap_or(unknown)),
        ];
        let texts = self
            .config
            .order_status
            .get(&order.status)
            .cloned()
            .unwrap_or_default();
        let reply = self.reply_texts(
            s,
            cx,
            &texts,
            Some(intent.as_str().into()),
            &[],
            Some(extra),
        );
        self.next_in_queue(s, &intent, reply, cx)
    }

    /// A wrong proof (or, with uniform replies, no such order): counted for
    /// the order and the session; at a limit, a handoff.
    fn wrong_proof(
        &self,
        s: &mut Session,
        intent: String,
        order_id: String,
        tries: u8,
        cx: &mut Cx<'_>,
    ) -> Outcome {
        let tries = tries.saturating_add(1);
        // The session's count, not only this question's: a topic change
        // between guesses must not reset it.
        let tries = tries.max(s.count_failed_check(&order_id));
        if tries >= self.config.verify_max_tries || self.verify_exhausted(s) {
            cx.ev.verification = Some(VerificationStatus::Failed);
            s.queue.clear();
            let tr = self.trigger(TriggerKind::VerificationFailed);
            return self.handoff(s, &tr, MessageKey::VerifyFailed, None, cx);
        }
        if self.enumeration_reached(s) {
            cx.ev.verification = Some(VerificationStatus::Failed);
            s.queue.clear();
            let tr = self.trigger(TriggerKind::Enumeration);
            return self.handoff(s, &tr, MessageKey::Enumeration, None, cx);
        }
        cx.ev.verification = Some(VerificationStatus::Mismatch);
        let left = self.config.verify_max_tries - tries;
        let extra = vec![
            ("order_id", order_id.clone()),
            ("tries_left", left.to_string()),
        ];
        s.pending = Some(Pending::Verify {
            intent,
            order_id,
            tries,
        });
        let key = if self.config.verify_uniform {
            MessageKey::VerifyNoMatch
        } else {
            MessageKey::VerifyMismatch
        };
        let texts = self.msg(key).clone();
        self.reply_texts(s, cx, &texts, None, &[], Some(extra))
    }

    /// The session has used up its wrong answers over all orders.
    fn verify_exhausted(&self, s: &Session) -> bool {
        s.total_failed_checks() >= u32::from(self.config.verify_max_failures)
    }

    /// Lookups of `order_id` are refused: verification is on, the order is
    /// not verified, and its wrong answers (or the session's) reached the limit.
    fn verify_locked(&self, s: &Session, order_id: &str) -> bool {
        self.config.verify.is_some()
            && !s.verified.iter().any(|v| v == order_id)
            && (s.failed_checks(order_id) >= self.config.verify_max_tries
                || self.verify_exhausted(s))
    }

    fn verify_message(&self) -> MessageKey {
        match self.config.verify {
            Some(VerifyMethod::Email) => MessageKey::VerifyEmail,
            Some(VerifyMethod::Either) => MessageKey::VerifyEither,
            _ => MessageKey::VerifyPhone,
        }
    }

    fn verify_answer(&self, c: &Classification, text: &str) -> Option<String> {
        let email = || self.email_in(c, text);
        let last4 = || {
            c.entity("phone")
                .and_then(|e| text::last4_of(&e.value))
                .or_else(|| text::find_last4(text))
        };
        match self.config.verify? {
            VerifyMethod::PhoneLast4 => last4(),
            VerifyMethod::Email => email(),
            VerifyMethod::Either => email().or_else(last4),
        }
    }

    /// Notes what the agent will need from this message whatever the bot
    /// does with it: order ids, tracking codes (and their carrier), a phone
    /// number.
    fn remember(
        &self,
        s: &mut Session,
        c: &Classification,
        text: &str,
        asked: bool,
    ) -> Option<String> {
        for f in self.ids(c, text, asked) {
            if f.kind == IdKind::Tracking {
                s.slots.insert("tracking_code".into(), f.value.clone());
                if let Some(carrier) = f.carrier {
                    s.slots.insert("carrier".into(), carrier.into());
                }
            }
            s.mentioned.retain(|m| *m != f.value);
            s.mentioned.push(f.value);
        }
        let extra = s.mentioned.len().saturating_sub(MENTIONED_IDS);
        s.mentioned.drain(..extra);
        let phone = self.phone_in(c, text);
        if let Some(p) = &phone {
            s.phone = Some(p.clone());
        }
        phone
    }

    /// A phone number in the message, canonical (`0912345678`): the
    /// entity's value only if it is one.
    fn phone_in(&self, c: &Classification, text: &str) -> Option<String> {
        c.entity("phone")
            .and_then(|e| text::find_phone(&e.value))
            .or_else(|| text::find_phone(text))
    }

    /// An email address in the message, strictly validated (`text::valid_email`),
    /// whatever the rules' email entity accepted.
    fn email_in(&self, c: &Classification, text: &str) -> Option<String> {
        c.entity("email")
            .and_then(|e| text::valid_email(&e.value))
            .or_else(|| text::find_email(text))
    }

    /// Order ids and tracking codes in this message (see `ids`), the
    /// order ids first. An `order_id` entity of the rules counts when the
    /// recognizer agrees it is an id (mojibake the recognizer cannot read).
    fn ids(&self, c: &Classification, text: &str, asked: bool) -> Vec<FoundId> {
        let cx = IdContext {
            asked,
            shapes: &self.config.order_id_patterns,
        };
        let mut found = ids::find_ids(text, cx);
        if found.is_empty() {
            if let Some(e) = c.entity("order_id") {
                let again = IdContext { asked: true, ..cx };
                found = ids::find_ids(&e.value, again);
            }
        }
        found.sort_by_key(|f| f.kind != IdKind::Order);
        found
    }

    /// A slot's value from this message: for `order_id` the first order id
    /// (or, without one, a tracking code), else the matcher's entity.
    fn slot_value(
        &self,
        slot: &str,
        c: &Classification,
        text: &str,
        asked: bool,
    ) -> Option<String> {
        let entity = self
            .config
            .slots
            .get(slot)
            .map(|s| s.entity.as_str())
            .unwrap_or(slot);
        if entity == "order_id" {
            return self.ids(c, text, asked).into_iter().next().map(|f| f.value);
        }
        match entity {
            "phone" => self.phone_in(c, text),
            "email" => self.email_in(c, text),
            // Slot values go into replies: only values with nothing that
            // could be markup or a placeholder.
            _ => c
                .entity(entity)
                .filter(|e| text::safe_value(&e.value))
                .map(|e| e.value.clone()),
        }
    }

    /// The lexicon hits of this message: the most urgent handoff trigger,
    /// and whether a lexicon with `action: empathize` fired. Masked
    /// profanity (`f***`, `đ*t`) counts as a `profanity` hit.
    fn lexicon_trigger(&self, c: &Classification, text: &str) -> (Option<Trigger>, bool) {
        let masked = text::masked_profanity(text).then_some(("profanity", 2u8));
        let hits = c
            .lexicon_hits
            .iter()
            .map(|h| (&*h.lexicon, h.severity))
            .chain(masked);
        let mut empathize = false;
        let mut best: Option<(Priority, u8, &Trigger)> = None;
        for (lexicon, severity) in hits {
            let Some(lt) = self.config.lexicons.get(lexicon) else {
                continue;
            };
            if !lt.trigger.enabled || severity < lt.min_severity {
                continue;
            }
            if lt.empathize {
                empathize = true;
                continue;
            }
            let key = (lt.trigger.priority, severity);
            if best.is_none_or(|(p, s, _)| key > (p, s)) {
                best = Some((key.0, key.1, &lt.trigger));
            }
        }
        (best.map(|(_, _, t)| t.clone()), empathize)
    }

    /// Adds the "talk to a person" button to a reply that has none like it.
    fn offer_agent(&self, outcome: &mut Outcome, lang: Lang) {
        let Outcome::Reply { quick_replies, .. } = outcome else {
            return;
        };
        let Some(label) = self.msg(MessageKey::OfferAgent).get(lang).first() else {
            return;
        };
        let wants = self.matcher.classify(label).intent;
        let has = quick_replies.iter().any(|q| {
            text::loose(q) == text::loose(label)
                || (wants.is_some() && self.matcher.classify(q).intent == wants)
        });
        if !has {
            quick_replies.push(label.clone());
        }
    }

    fn trigger(&self, kind: TriggerKind) -> Trigger {
        self.config.trigger(kind).clone()
    }

    fn msg(&self, key: MessageKey) -> &Texts {
        self.config.message(key)
    }

    fn agents_open(&self, now: i64) -> bool {
        match &self.config.agent_hours {
            None => true,
            Some(ah) => {
                let (day, min) = text::local_time(now, ah.offset_secs);
                ah.days[day] && min >= ah.open && min < ah.close
            }
        }
    }

    /// When agents are next available, in words.
    fn agents_back(&self, now: i64, lang: Lang) -> String {
        let Some(ah) = &self.config.agent_hours else {
            return String::new();
        };
        let (day, min) = text::local_time(now, ah.offset_secs);
        let at = text::hhmm(ah.open);
        if ah.days[day] && min < ah.open {
            return match lang {
                Lang::Vi => format!("{at} hôm nay"),
                Lang::En => format!("today at {at}"),
            };
        }
        for d in 1..=7 {
            let next = (day + d) % 7;
            if ah.days[next] {
                return match (lang, d) {
                    (Lang::Vi, 1) => format!("{at} ngày mai"),
                    (Lang::En, 1) => format!("tomorrow at {at}"),
                    (Lang::Vi, _) => format!("{at} {}", text::day_name(next, lang)),
                    (Lang::En, _) => format!("on {} at {at}", text::day_name(next, lang)),
                };
            }
        }
        String::new()
    }

    /// Hands off now, or outside agent hours asks for a contact first.
    fn handoff(
        &self,
        s: &mut Session,
        tr: &Trigger,
        msg: MessageKey,
        reply: Option<String>,
        cx: &mut Cx<'_>,
    ) -> Outcome {
        if !self.agents_open(cx.now) {
            s.pending = Some(Pending::Contact {
                reason: tr.reason.to_string(),
                priority: tr.priority,
            });
            cx.ev.handoff_reason = Some(tr.reason.clone());
            cx.ev.priority = Some(tr.priority);
            return self.reply(s, cx, MessageKey::HandoffOffline, None, &[]);
        }
        let reply = match reply {
            Some(r) => r,
            None => {
                let t = self.msg(msg).clone();
                self.render_texts(s, cx, &t, None)
            }
        };
        Outcome::Handoff {
            reason: tr.reason.clone(),
            priority: tr.priority,
            summary: Box::new(self.summary(s, tr, cx, cx.phone.clone(), true)),
            reply,
        }
    }

    /// Outside agent hours, the message after "leave a contact".
    fn contact_handoff(
        &self,
        s: &mut Session,
        c: &Classification,
        text: &str,
        tr: Trigger,
        cx: &mut Cx<'_>,
    ) -> Outcome {
        // Only a validated phone number or email goes into the reply.
        let contact = self.phone_in(c, text).or_else(|| self.email_in(c, text));
        let (name, extra) = match &contact {
            Some(v) => (
                MessageKey::ContactThanks,
                Some(vec![("contact", v.clone())]),
            ),
            None => (MessageKey::ContactMissing, None),
        };
        let t = self.msg(name).clone();
        let reply = self.render_texts(s, cx, &t, extra);
        let available = self.agents_open(cx.now);
        Outcome::Handoff {
            reason: tr.reason.clone(),
            priority: tr.priority,
            summary: Box::new(self.summary(s, &tr, cx, contact, available)),
            reply,
        }
    }

    fn summary(
        &self,
        s: &Session,
        tr: &Trigger,
        cx: &Cx<'_>,
        contact: Option<String>,
        agents_available: bool,
    ) -> HandoffSummary {
        // This message's intent, else the last one the conversation had.
        let topic = cx
            .ev
            .intent
            .as_deref()
            .map(String::from)
            .or_else(|| s.recent.last().cloned());
        HandoffSummary {
            reason: tr.reason.clone(),
            priority: tr.priority,
            lang: cx.lang,
            intents: s.recent.clone(),
            slots: s.slots.clone(),
            verified_orders: s.verified.clone(),
            last_messages: s.tail.clone(),
            contact,
            agents_available,
            order_ids: s.mentioned.clone(),
            phone: s.phone.clone(),
            topic,
            also: cx.also.as_deref().map(String::from),
        }
    }

    fn reply(
        &self,
        s: &Session,
        cx: &mut Cx<'_>,
        msg: MessageKey,
        intent: Option<Arc<str>>,
        qr: &[String],
    ) -> Outcome {
        let t = self.msg(msg).clone();
        self.reply_texts(s, cx, &t, intent, qr, None)
    }

    fn reply_texts(
        &self,
        s: &Session,
        cx: &mut Cx<'_>,
        texts: &Texts,
        intent: Option<Arc<str>>,
        qr: &[String],
        extra: Option<Vec<(&'static str, String)>>,
    ) -> Outcome {
        Outcome::Reply {
            text: self.render_texts(s, cx, texts, extra),
            intent,
            quick_replies: qr.to_vec(),
        }
    }

    /// Picks a variant deterministically and fills its placeholders.
    fn render_texts(
        &self,
        s: &Session,
        cx: &Cx<'_>,
        texts: &Texts,
        extra: Option<Vec<(&'static str, String)>>,
    ) -> String {
        let variants = texts.get_or_other(cx.lang);
        if variants.is_empty() {
            return String::new();
        }
        let h = text::fnv(&s.turn.to_le_bytes(), text::fnv(s.id.as_bytes(), self.seed));
        let template = &variants[(h % variants.len() as u64) as usize];
        let mut vars: BTreeMap<&str, String> = BTreeMap::new();
        for (k, v) in self.matcher.settings() {
            vars.insert(k.as_str(), v.clone());
        }
        if let Some(ah) = &self.config.agent_hours {
            let label = ah.label.get_or_other(cx.lang);
            if let Some(l) = label.first() {
                vars.insert("agent_hours", l.clone());
            } else if !vars.contains_key("agent_hours") {
                vars.insert(
                    "agent_hours",
                    format!("{}–{}", text::hhmm(ah.open), text::hhmm(ah.close)),
                );
            }
            vars.insert("agents_back", self.agents_back(cx.now, cx.lang));
        }
        for (k, v) in &s.slots {
            // A restored session is trusted, but a value that could be
            // markup never reaches a reply.
            if text::safe_value(v) {
                vars.insert(k.as_str(), v.clone());
            }
        }
        for (k, v) in extra.unwrap_or_default() {
            vars.insert(k, v);
        }
        text::render(template, &vars)
    }
}

fn proof_on_file(method: VerifyMethod, order: &Order) -> bool {
    let phone = order.phone.as_deref().and_then(text::last4_of).is_some();
    let email = order.email.as_deref().is_some_and(|e| e.contains('@'));
    match method {
        VerifyMethod::PhoneLast4 => phone,
        VerifyMethod::Email => email,
        VerifyMethod::Either => phone || email,
    }
}

fn proof_matches(method: VerifyMethod, order: &Order, answer: &str) -> bool {
    let phone = || {
        order
            .phone
            .as_deref()
            .and_then(text::last4_of)
            .is_some_and(|l4| l4 == answer)
    };
    let email = || {
        order
            .email
            .as_deref()
            .is_some_and(|e| e.trim().eq_ignore_ascii_case(answer.trim()))
    };
    match method {
        VerifyMethod::PhoneLast4 => phone(),
        VerifyMethod::Email => email(),
        VerifyMethod::Either => phone() || email(),
    }
}
