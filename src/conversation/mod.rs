//! The conversation engine: a sans-IO support bot on top of a [`Matcher`].
//!
//! A [`Bot`] is built once from compiled rules and shared. Each customer has
//! a [`Session`] that the host stores between turns. The host feeds messages
//! in with [`Bot::handle_message`] and gets back a [`Turn`]: an [`Outcome`]
//! to act on (send a reply, look an order up, hand off to a human) and an
//! [`Event`] to log. The bot does no I/O and never reads a clock: the host
//! passes the time in.
//!
//! ```
//! use firstline::conversation::{Bot, LookupResult, Order, OrderStatus, Outcome, Session};
//! use firstline::Matcher;
//!
//! let bot = Bot::new(Matcher::new("version: 1\n")?)?;
//! let mut session = Session::new("chat-42");
//! let now = 1_764_000_000; // unix seconds, from the host's clock
//! let turn = bot.handle_message(&mut session, "xin chào", now);
//! match turn.outcome {
//!     Outcome::Reply { text, .. } => assert!(!text.is_empty()),
//!     Outcome::LookupOrder { order_id } => {
//!         let order = Order::new(order_id, OrderStatus::Packed);
//!         let _next = bot.handle_lookup(&mut session, LookupResult::Found(order), now);
//!     }
//!     Outcome::Handoff { summary, .. } => println!("to an agent: {}", summary.reason),
//!     _ => {}
//! }
//! println!("{}", turn.events[0].to_json_line());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub(crate) mod config;
mod engine;
mod ids;
mod messages;
mod order;
mod session;
mod text;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use self::order::{LookupError, LookupErrorKind, LookupResult, Order, OrderStatus, OrderStore};
pub use self::session::{Session, SessionError, SessionErrorKind};
use crate::error::CompileError;
use crate::{Lang, Matcher};

/// How urgently a handoff needs a human.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Whenever an agent is free.
    Low,
    /// The usual queue.
    Normal,
    /// Ahead of the queue (an upset customer, a broken lookup).
    High,
    /// Now (threats, legal).
    Urgent,
}

impl Priority {
    /// The snake_case code used in YAML and events (`"high"`).
    pub fn code(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }
}

impl std::fmt::Display for Priority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// What the host should do after a turn.
#[must_use = "the outcome says what to send the customer or what to look up"]
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Outcome {
    /// Send `text` to the customer.
    Reply {
        /// The reply, in the customer's language, placeholders filled.
        text: String,
        /// The intent answered, if any (`None` for fallbacks and questions
        /// the bot asks on its own). When the reply answers two requests
        /// of one message, the intent its text starts with.
        intent: Option<Arc<str>>,
        /// Buttons to offer with the reply.
        quick_replies: Vec<String>,
    },
    /// Look this order up, then call [`Bot::handle_lookup`] with the result.
    LookupOrder {
        /// The normalised order id (`DH123456`).
        order_id: String,
    },
    /// Send `reply` to the customer and hand the conversation to a human.
    Handoff {
        /// The trigger's reason code from the rules (`customer_request`,
        /// `angry_customer`, `loop`...).
        reason: Arc<str>,
        /// How urgent it is.
        priority: Priority,
        /// What the agent needs to know.
        summary: Box<HandoffSummary>,
        /// What to tell the customer now.
        reply: String,
    },
}

impl Outcome {
    /// The text to send the customer, if this outcome has one.
    pub fn text(&self) -> Option<&str> {
        match self {
            Outcome::Reply { text, .. } => Some(text),
            Outcome::Handoff { reply, .. } => Some(reply),
            Outcome::LookupOrder { .. } => None,
        }
    }

    /// The kind of outcome, as in events.
    pub fn kind(&self) -> OutcomeKind {
        match self {
            Outcome::Reply { .. } => OutcomeKind::Reply,
            Outcome::LookupOrder { .. } => OutcomeKind::LookupOrder,
            Outcome::Handoff { .. } => OutcomeKind::Handoff,
        }
    }
}

/// The kind of an [`Outcome`], for events and dashboards.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum OutcomeKind {
    /// A reply.
    Reply,
    /// A lookup request.
    LookupOrder,
    /// A handoff.
    Handoff,
}

/// What an agent gets with a handoff.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct HandoffSummary {
    /// The reason code.
    pub reason: Arc<str>,
    /// The priority.
    pub priority: Priority,
    /// The customer's language.
    pub lang: Lang,
    /// Intents recognised in this conversation, oldest first.
    pub intents: Vec<String>,
    /// Slots collected (order id...).
    pub slots: BTreeMap<String, String>,
    /// Order ids the customer proved are theirs.
    pub verified_orders: Vec<String>,
    /// The customer's last messages, oldest first (truncated).
    pub last_messages: Vec<String>,
    /// A phone number or email to reach the customer at: given in the
    /// message that caused the handoff ("call me back on 0912 345 678"), or
    /// outside agent hours in answer to the bot's question.
    pub contact: Option<String>,
    /// False outside agent hours: an agent will follow up later.
    pub agents_available: bool,
    /// Every order id and tracking code the customer wrote in this
    /// conversation, the handing-off message included, oldest first (the
    /// last 8).
    pub order_ids: Vec<String>,
    /// The last phone number the customer wrote, the handing-off message
    /// included.
    pub phone: Option<String>,
    /// What the conversation is about: the intent of the handing-off
    /// message, else the last intent recognised.
    pub topic: Option<String>,
    /// The handing-off message's second request, which the bot leaves to
    /// the agent ("em muốn gặp nhân viên, và phí ship bao nhiêu": `topic`
    /// is the request for a person, `also` the shipping fee). Absent from
    /// the JSON when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub also: Option<String>,
}

impl HandoffSummary {
    /// The summary as one JSON object.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a summary always serializes")
    }
}

/// What a turn was fed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum InputKind {
    /// A customer message.
    Message,
    /// An order lookup result from the host.
    Lookup,
}

/// How an order lookup went, in events.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LookupStatus {
    /// The bot asked the host to look an order up.
    Requested,
    /// The host found it.
    Found,
    /// No such order.
    NotFound,
    /// The lookup failed or timed out.
    Failed,
    /// Refused: the session asked about too many orders.
    Refused,
}

/// How an ownership check went, in events.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum VerificationStatus {
    /// The bot asked for proof.
    Requested,
    /// The proof matched.
    Passed,
    /// The proof did not match; tries remain.
    Mismatch,
    /// Out of tries.
    Failed,
}

/// One line of analytics per turn.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Event {
    /// The host-supplied time of the turn.
    pub ts: i64,
    /// The session id.
    pub session: String,
    /// The turn number in the session.
    pub turn: u32,
    /// The reply language.
    pub lang: Lang,
    /// Message or lookup result.
    pub input: InputKind,
    /// The intent recognised, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intent: Option<Arc<str>>,
    /// The message's second request (the first entry of
    /// [`Classification::also`](crate::Classification::also)), when
    /// `conversation.answer_second_request` is on: answered in the same
    /// turn, or listed in the handoff summary. Absent from the JSON line
    /// when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub also: Option<Arc<str>>,
    /// The matcher's confidence (0 for lookup turns).
    pub confidence: f32,
    /// What the bot did.
    pub outcome: OutcomeKind,
    /// The handoff reason code, for handoffs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handoff_reason: Option<Arc<str>>,
    /// The handoff priority, for handoffs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    /// The order lookup, when one happened or was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lookup: Option<LookupStatus>,
    /// The ownership check, when one happened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification: Option<VerificationStatus>,
    /// False when the bot did not understand the message (a fallback).
    pub understood: bool,
    /// The order the conversation is about, once known: lets a shop count
    /// customers who come back about the same order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
}

impl Event {
    /// The event as one line of JSON (no trailing newline).
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).expect("an event always serializes")
    }
}

/// The result of one call into the bot.
///
/// Invariants:
/// 1. [`Bot::handle_message`] and [`Bot::handle_lookup`] produce exactly
///    one event; [`Bot::respond`] produces one per step of the round trip.
/// 2. After [`Bot::respond`], `outcome` is never [`Outcome::LookupOrder`].
#[must_use = "the outcome says what to send the customer or what to look up"]
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Turn {
    /// What to do.
    pub outcome: Outcome,
    /// What to log.
    pub events: Vec<Event>,
}

/// Options for building a [`Bot`].
#[derive(Clone, Debug, Default)]
pub struct BotBuilder {
    seed: u64,
}

impl BotBuilder {
    /// Mixes `seed` into the choice of reply variants (which is otherwise
    /// derived from the session id and turn number), so tests can pin it.
    pub fn seed(&mut self, seed: u64) -> &mut BotBuilder {
        self.seed = seed;
        self
    }

    /// Builds the bot on `matcher` and the `conversation:` settings it was
    /// compiled with.
    ///
    /// # Errors
    ///
    /// None today: the `conversation:` sections are checked when the rules
    /// compile, so a matcher always holds valid settings. The `Result`
    /// keeps room for options that can conflict with the rules.
    pub fn build(&self, matcher: Matcher) -> Result<Bot, CompileError> {
        let config = matcher.conversation_config();
        Ok(Bot {
            inner: Arc::new(engine::BotInner {
                matcher,
                config,
                seed: self.seed,
            }),
        })
    }
}

/// A support bot: compiled rules plus conversation settings.
///
/// Invariants:
/// 1. Immutable once built; cheap to clone (an `Arc`), `Send + Sync`: one
///    bot serves every session.
/// 2. Does no I/O, holds no per-customer state and never reads a clock: all
///    state is in the [`Session`], time comes in as `now` (unix seconds; the
///    rules' `conversation.agent_hours.utc_offset` turns it into shop time).
/// 3. Replies contain only rule text, settings and validated values (order
///    ids and tracking codes as the recognizer normalised them, phone
///    numbers in canonical digits, strictly validated emails, other slot
///    values without markup characters, order fields the host returned
///    after the customer proved ownership); never raw customer text.
/// 4. No order detail is shown before the customer proved the order is
///    theirs, and by default the replies before that are the same whether
///    or not the order exists (`verification.uniform`).
///
/// An ambiguous message between two intents that have
/// `conversation.intent_labels` gets an "A or B?" question with both labels
/// as quick replies; without labels the best intent answers.
///
/// A message with two requests ([`Classification::also`](crate::Classification::also),
/// the first entry only) gets both answers in one turn where they fit: two
/// plain replies joined, a plain reply before an action (slot question,
/// ownership check, lookup), a handoff over everything, with the other
/// request in the summary ([`HandoffSummary::also`]).
/// `conversation.answer_second_request: false` turns it off.
///
/// Embedding it (the same code as in `rules/CONVERSATION.md`):
///
#[doc = include_str!("embedding.md")]
#[derive(Clone)]
pub struct Bot {
    inner: Arc<engine::BotInner>,
}

impl std::fmt::Debug for Bot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bot")
            .field("matcher", &self.inner.matcher)
            .finish_non_exhaustive()
    }
}

impl Bot {
    /// A bot with the default options.
    pub fn new(matcher: Matcher) -> Result<Bot, CompileError> {
        Bot::builder().build(matcher)
    }

    /// A builder for more options.
    pub fn builder() -> BotBuilder {
        BotBuilder::default()
    }

    /// The rules it answers with.
    pub fn matcher(&self) -> &Matcher {
        &self.inner.matcher
    }

    /// Every reason code a handoff of this bot can carry (enabled triggers
    /// and lexicon triggers), sorted: what a coverage report or a
    /// dashboard expects to see.
    pub fn handoff_reasons(&self) -> Vec<Arc<str>> {
        self.inner.config.handoff_reasons()
    }

    /// Handles one customer message. `now` is the host's time in unix
    /// seconds.
    pub fn handle_message(&self, session: &mut Session, text: &str, now: i64) -> Turn {
        self.inner.handle_message(session, text, now)
    }

    /// Feeds back the result of an [`Outcome::LookupOrder`].
    ///
    /// The order's details are shown only once the customer has proved the
    /// order is theirs (when `verification` is on): the first result asks for
    /// proof, the answer leads to a second `LookupOrder` for the same id, and
    /// its result is compared with the answer. A result the session is not
    /// waiting for is ignored: the outcome is a `Reply` with an empty text
    /// (send nothing).
    pub fn handle_lookup(&self, session: &mut Session, result: LookupResult, now: i64) -> Turn {
        self.inner.handle_lookup(session, result, now)
    }

    /// What the bot is waiting for the customer to give, as script
    /// `asks_for:` names: a slot (`order_id`), `phone` / `email` (an
    /// ownership check, or a contact outside agent hours, which is also
    /// `contact`), `verification`, `choice`. Empty when it waits for nothing.
    #[cfg(feature = "script")]
    pub(crate) fn asking(&self, session: &Session) -> Vec<String> {
        self.inner.asking(session)
    }

    /// Handles a message and, if the bot asks for an order, looks it up in
    /// `store` and feeds the result back: for hosts that can block.
    pub fn respond<S: OrderStore + ?Sized>(
        &self,
        session: &mut Session,
        text: &str,
        now: i64,
        store: &S,
    ) -> Turn {
        let mut turn = self.handle_message(session, text, now);
        // A lookup never leads to another lookup, but bound the loop anyway.
        for _ in 0..4 {
            let Outcome::LookupOrder { order_id } = &turn.outcome else {
                break;
            };
            let result = LookupResult::from(store.lookup(order_id));
            let next = self.handle_lookup(session, result, now);
            let mut events = std::mem::take(&mut turn.events);
            events.extend(next.events);
            turn = Turn {
                outcome: next.outcome,
                events,
            };
        }
        turn
    }
}

#[cfg(test)]
mod tests {
    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn docs_show_the_same_embedding_example_as_bot() {
        let docs = include_str!("../../rules/CONVERSATION.md");
        assert!(
            docs.contains(include_str!("embedding.md")),
            "help: copy src/conversation/embedding.md into rules/CONVERSATION.md"
        );
    }

    #[test]
    fn public_types_are_send_sync() {
        assert_send_sync::<super::Bot>();
        assert_send_sync::<super::Session>();
        assert_send_sync::<super::Turn>();
        assert_send_sync::<super::Outcome>();
        assert_send_sync::<super::Event>();
        assert_send_sync::<super::Order>();
        assert_send_sync::<super::LookupResult>();
        assert_send_sync::<super::HandoffSummary>();
        assert_send_sync::<super::SessionError>();
        assert_send_sync::<super::BotBuilder>();
    }
}
