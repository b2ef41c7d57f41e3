//! One customer's conversation state, stored by the host between turns.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::Priority;
use crate::Lang;

/// The session format version written in the `v` field.
pub(crate) const SESSION_VERSION: u32 = 1;

fn is_zero_u8(n: &u8) -> bool {
    *n == 0
}
fn is_zero_u32(n: &u32) -> bool {
    *n == 0
}
fn is_false(b: &bool) -> bool {
    !*b
}
fn v1() -> u32 {
    SESSION_VERSION
}

/// The question the bot is waiting on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "k")]
pub(crate) enum Pending {
    /// Waiting for a slot value for an intent.
    #[serde(rename = "slot")]
    Slot {
        #[serde(rename = "i")]
        intent: String,
        #[serde(rename = "s")]
        slot: String,
        #[serde(rename = "n", default, skip_serializing_if = "is_zero_u8")]
        tries: u8,
    },
    /// Waiting for the host's lookup result. `answer` is what the customer
    /// gave to prove ownership, compared when the order comes back (so the
    /// session never holds the order's phone or email).
    #[serde(rename = "lookup")]
    Lookup {
        #[serde(rename = "i")]
        intent: String,
        #[serde(rename = "o")]
        order_id: String,
        #[serde(rename = "a", default, skip_serializing_if = "Option::is_none")]
        answer: Option<String>,
        #[serde(rename = "n", default, skip_serializing_if = "is_zero_u8")]
        tries: u8,
    },
    /// Waiting for the last 4 phone digits or the email of an order.
    #[serde(rename = "verify")]
    Verify {
        #[serde(rename = "i")]
        intent: String,
        #[serde(rename = "o")]
        order_id: String,
        #[serde(rename = "n", default, skip_serializing_if = "is_zero_u8")]
        tries: u8,
    },
    /// Outside agent hours: waiting for a phone number or email.
    #[serde(rename = "contact")]
    Contact {
        #[serde(rename = "r")]
        reason: String,
        #[serde(rename = "p")]
        priority: Priority,
    },
    /// Asked which of two intents an ambiguous message meant.
    #[serde(rename = "clarify")]
    Clarify {
        #[serde(rename = "a")]
        first: String,
        #[serde(rename = "b")]
        second: String,
    },
    /// A question from a newer version of firstline: dropped.
    #[serde(other)]
    Unknown,
}

/// One customer's conversation: everything the bot remembers between turns.
///
/// The host keeps it (in memory, Redis, a database row) and passes it to
/// every [`Bot`](super::Bot) call. It serializes to compact JSON, usually a
/// few hundred bytes.
///
/// Invariants:
/// 1. It never holds order details (status, carrier, tracking, the order's
///    phone or email): only ids the customer asked about and which of them
///    were verified.
/// 2. Customer messages are kept only as a bounded tail
///    (`conversation.transcript_tail`, each truncated to 160 characters) for
///    the agent's handoff summary; they never appear in a reply.
/// 3. The JSON has a version field `v`; unknown fields are ignored, and
///    fields a session lacks take their defaults, so sessions saved by an
///    older firstline or against an older rule set still load. A pending
///    question for an intent that no longer exists is dropped.
///
/// Missing: no expiry. The host decides when a conversation is over and
/// starts a new `Session`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Session {
    #[serde(rename = "v", default = "v1")]
    pub(crate) version: u32,
    #[serde(default)]
    pub(crate) id: String,
    /// The sticky reply language; `None` until the first message.
    #[serde(rename = "l", default, skip_serializing_if = "Option::is_none")]
    pub(crate) lang: Option<Lang>,
    #[serde(rename = "n", default, skip_serializing_if = "is_zero_u32")]
    pub(crate) turn: u32,
    #[serde(rename = "s", default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) slots: BTreeMap<String, String>,
    #[serde(rename = "p", default, skip_serializing_if = "Option::is_none")]
    pub(crate) pending: Option<Pending>,
    /// Consecutive messages nobody understood.
    #[serde(rename = "f", default, skip_serializing_if = "is_zero_u8")]
    pub(crate) fallbacks: u8,
    /// How many times in a row the last intent came back unresolved.
    #[serde(rename = "r", default, skip_serializing_if = "is_zero_u8")]
    pub(crate) repeats: u8,
    /// Recent intents, oldest first, for loops and the agent summary.
    #[serde(rename = "i", default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) recent: Vec<String>,
    /// Tail of the customer's messages, for the agent summary.
    #[serde(rename = "m", default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) tail: Vec<String>,
    /// Distinct order ids looked up, for the anti-enumeration limit.
    #[serde(rename = "o", default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) orders: Vec<String>,
    /// Order ids whose ownership the customer proved.
    #[serde(rename = "ok", default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) verified: Vec<String>,
    /// Wrong ownership answers per order id. Kept here, not in the pending
    /// question, so that changing the topic between guesses does not reset
    /// the count: the limits hold for the whole session.
    #[serde(rename = "x", default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) failed_checks: BTreeMap<String, u8>,
    /// Order ids and tracking codes the customer wrote, oldest first (the
    /// last few), for the agent's summary.
    #[serde(rename = "d", default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) mentioned: Vec<String>,
    /// The last phone number the customer wrote, for the agent's summary.
    #[serde(rename = "ph", default, skip_serializing_if = "Option::is_none")]
    pub(crate) phone: Option<String>,
    /// Order ids the host did not find (without uniform replies), for the
    /// anti-enumeration limit.
    #[serde(rename = "nf", default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) not_found: Vec<String>,
    /// More order ids of one message, checked one at a time after the
    /// current one.
    #[serde(rename = "q", default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) queue: Vec<String>,
    /// Handed to a human; the bot only acknowledges until released.
    #[serde(rename = "h", default, skip_serializing_if = "is_false")]
    pub(crate) handed_off: bool,
}

impl Session {
    /// A fresh session. `id` identifies the conversation in events and seeds
    /// the choice of reply variants.
    pub fn new(id: impl Into<String>) -> Session {
        Session {
            version: SESSION_VERSION,
            id: id.into(),
            lang: None,
            turn: 0,
            slots: BTreeMap::new(),
            pending: None,
            fallbacks: 0,
            repeats: 0,
            recent: Vec::new(),
            tail: Vec::new(),
            orders: Vec::new(),
            verified: Vec::new(),
            failed_checks: BTreeMap::new(),
            mentioned: Vec::new(),
            phone: None,
            not_found: Vec::new(),
            queue: Vec::new(),
            handed_off: false,
        }
    }

    /// The conversation id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The customer's language so far (`None` before the first message).
    pub fn lang(&self) -> Option<Lang> {
        self.lang
    }

    /// How many turns (messages and lookup results) the bot has handled.
    pub fn turns(&self) -> u32 {
        self.turn
    }

    /// A collected slot value (`"order_id"` -> `"DH123456"`).
    pub fn slot(&self, name: &str) -> Option<&str> {
        self.slots.get(name).map(|s| s.as_str())
    }

    /// True while the bot waits for an answer (a slot, a lookup result, a
    /// verification, a contact, a choice between two intents).
    pub fn is_waiting(&self) -> bool {
        self.pending.is_some()
    }

    /// The slot the bot is asking the customer for (`"order_id"`), if any.
    pub fn pending_slot(&self) -> Option<&str> {
        match &self.pending {
            Some(Pending::Slot { slot, .. }) => Some(slot),
            _ => None,
        }
    }

    /// The order whose ownership check the bot is waiting on (or whose
    /// lookup it asked the host for), if any.
    pub fn pending_order(&self) -> Option<&str> {
        match &self.pending {
            Some(Pending::Verify { order_id, .. }) | Some(Pending::Lookup { order_id, .. }) => {
                Some(order_id)
            }
            _ => None,
        }
    }

    /// True when the customer proved in this session that `order_id` is
    /// theirs.
    pub fn is_verified(&self, order_id: &str) -> bool {
        self.verified.iter().any(|v| v == order_id)
    }

    /// The two intents the bot asked the customer to choose between
    /// (`("cancel_order", "change_order")`), if it is waiting on that.
    pub fn pending_choice(&self) -> Option<(&str, &str)> {
        match &self.pending {
            Some(Pending::Clarify { first, second }) => Some((first, second)),
            _ => None,
        }
    }

    /// True once the conversation was handed to a human.
    pub fn is_handed_off(&self) -> bool {
        self.handed_off
    }

    /// Wrong ownership answers given for `order_id` in this session.
    pub fn failed_checks(&self, order_id: &str) -> u8 {
        self.failed_checks.get(order_id).copied().unwrap_or(0)
    }

    /// Wrong ownership answers given in this session, over all orders.
    pub fn total_failed_checks(&self) -> u32 {
        self.failed_checks.values().map(|&n| u32::from(n)).sum()
    }

    /// Counts one wrong ownership answer for `order_id`; returns the
    /// order's count so far.
    pub(crate) fn count_failed_check(&mut self, order_id: &str) -> u8 {
        let n = self.failed_checks.entry(order_id.to_string()).or_insert(0);
        *n = n.saturating_add(1);
        *n
    }

    /// Gives the conversation back to the bot after an agent is done, and
    /// resets the counters that caused the handoff. Failed ownership checks
    /// are kept: an order locked by wrong answers stays locked for the
    /// session.
    pub fn release(&mut self) {
        self.handed_off = false;
        self.fallbacks = 0;
        self.repeats = 0;
        self.pending = None;
    }

    /// The session as compact JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a session always serializes")
    }

    /// Restores a session saved with [`Session::to_json`].
    ///
    /// ```
    /// use firstline::conversation::Session;
    /// let s = Session::from_json(r#"{"v":1,"id":"c1","l":"en","future_field":7}"#)?;
    /// assert_eq!(s.id(), "c1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_json(json: &str) -> Result<Session, SessionError> {
        let s: Session = serde_json::from_str(json).map_err(|e| SessionError {
            kind: SessionErrorKind::Json,
            message: e.to_string(),
        })?;
        if s.version > SESSION_VERSION {
            return Err(SessionError {
                kind: SessionErrorKind::Version,
                message: format!(
                    "session version {} is newer than this firstline ({SESSION_VERSION})",
                    s.version
                ),
            });
        }
        Ok(s)
    }
}

/// What went wrong restoring a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionErrorKind {
    /// Not valid session JSON.
    Json,
    /// Written by a newer firstline.
    Version,
}

/// A saved session could not be restored.
#[derive(Clone, Debug)]
pub struct SessionError {
    kind: SessionErrorKind,
    message: String,
}

impl SessionError {
    /// What went wrong.
    pub fn kind(&self) -> SessionErrorKind {
        self.kind
    }
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot restore session: {}", self.message)
    }
}

impl std::error::Error for SessionError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_session_is_tiny() {
        let s = Session::new("abc");
        assert_eq!(s.to_json(), r#"{"v":1,"id":"abc"}"#);
    }

    #[test]
    fn unknown_pending_kind_is_dropped_not_fatal() {
        let s = Session::from_json(r#"{"v":1,"id":"x","p":{"k":"quiz","q":1}}"#).unwrap();
        assert_eq!(s.pending, Some(Pending::Unknown));
    }

    #[test]
    fn clarify_round_trips_compactly() {
        let mut s = Session::new("x");
        s.pending = Some(Pending::Clarify {
            first: "cancel_order".into(),
            second: "change_order".into(),
        });
        let json = s.to_json();
        assert_eq!(
            json,
            r#"{"v":1,"id":"x","p":{"k":"clarify","a":"cancel_order","b":"change_order"}}"#
        );
        assert_eq!(Session::from_json(&json).unwrap(), s);
    }

    #[test]
    fn newer_version_is_refused() {
        let e = Session::from_json(r#"{"v":9,"id":"x"}"#).unwrap_err();
        assert_eq!(e.kind(), SessionErrorKind::Version);
    }
}
