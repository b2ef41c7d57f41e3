//! One customer's conversation state, stored by the host between turns.

use std::collections::BTreeMap;
use std::fmt;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

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
        /// A second request of the message that started the lookup (a
        /// plain reply intent), answered before the lookup's own reply.
        /// Kept as the intent id, so the session holds no reply text.
        #[serde(rename = "b", default, skip_serializing_if = "Option::is_none")]
        also: Option<String>,
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
///    the agent's handoff summary; they never appear in a reply. Besides, for
///    the summary, the session keeps the last 8 order ids and tracking codes
///    the customer wrote and the last phone number, all as validated,
///    normalised values.
/// 3. The JSON has a version field `v`; unknown fields are ignored, and
///    fields a session lacks take their defaults, so sessions saved by an
///    older firstline or against an older rule set still load. A pending
///    question for an intent that no longer exists is dropped.
/// 4. It is trusted when restored: it says which orders are verified and
///    counts the wrong answers. Keep it server-side, or sign it
///    ([`Session::to_json_signed`]).
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

    /// The session as JSON with an HMAC-SHA256 tag in front
    /// (`<64 hex digits>.<json>`), for hosts that keep sessions on the
    /// client side (a cookie, a hidden field). [`Session::from_json_signed`]
    /// with the same key refuses any change to it.
    ///
    /// `key` is the host's secret: at least 32 random bytes, the same on
    /// every server, rotated like any other secret. A signature proves the
    /// session came from the host, not that it is the latest one: a client
    /// can send back an older signed session (with fewer wrong answers
    /// counted), so a host that must count across a whole conversation keeps
    /// sessions server-side or records the last turn number it issued.
    ///
    /// ```
    /// use firstline::conversation::{Session, SessionErrorKind};
    /// let key = b"a secret of at least 32 random bytes!";
    /// let signed = Session::new("c1").to_json_signed(key);
    /// assert_eq!(Session::from_json_signed(&signed, key)?.id(), "c1");
    /// let forged = signed.replace(r#""id":"c1""#, r#""id":"c2""#);
    /// let err = Session::from_json_signed(&forged, key).unwrap_err();
    /// assert_eq!(err.kind(), SessionErrorKind::Signature);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_json_signed(&self, key: &[u8]) -> String {
        let json = self.to_json();
        let tag = session_mac(key, &json).finalize().into_bytes();
        format!("{}.{json}", hex(&tag))
    }

    /// Restores a session saved with [`Session::to_json_signed`], checking
    /// its tag in constant time before reading anything else. A missing,
    /// malformed or wrong tag is a [`SessionErrorKind::Signature`] error.
    pub fn from_json_signed(signed: &str, key: &[u8]) -> Result<Session, SessionError> {
        let bad = |message: &str| SessionError {
            kind: SessionErrorKind::Signature,
            message: message.into(),
        };
        let (tag, json) = signed
            .split_once('.')
            .ok_or_else(|| bad("not a signed session (no tag)"))?;
        let tag = unhex(tag)
            .filter(|t| t.len() == 32)
            .ok_or_else(|| bad("not a signed session (malformed tag)"))?;
        session_mac(key, json)
            .verify_slice(&tag)
            .map_err(|_| bad("the session's signature does not match"))?;
        Session::from_json(json)
    }

    /// Restores a session saved with [`Session::to_json`].
    ///
    /// The session is trusted as it is: whoever can edit the JSON can mark
    /// orders verified, reset the counts of wrong answers and so see order
    /// details. Keep sessions server-side, or use
    /// [`Session::to_json_signed`] / [`Session::from_json_signed`] when they
    /// travel through the client. Only a JSON object is a session: `[]`,
    /// `null` or a number are refused.
    ///
    /// ```
    /// use firstline::conversation::Session;
    /// let s = Session::from_json(r#"{"v":1,"id":"c1","l":"en","future_field":7}"#)?;
    /// assert_eq!(s.id(), "c1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_json(json: &str) -> Result<Session, SessionError> {
        // serde also reads a struct from a JSON array ("[]" would be an
        // empty session): only an object is a saved session.
        if !json.trim_start().starts_with('{') {
            return Err(SessionError {
                kind: SessionErrorKind::Json,
                message: "a session is a JSON object".into(),
            });
        }
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
    /// A signed session whose signature is missing or does not match: it
    /// was changed, or signed with another key.
    Signature,
}

/// What the MAC covers besides the JSON, so a tag made for something else
/// with the same key is not a session's.
const SIGNING_CONTEXT: &[u8] = b"firstline session v1\n";

fn session_mac(key: &[u8], json: &str) -> Hmac<Sha256> {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(SIGNING_CONTEXT);
    mac.update(json.as_bytes());
    mac
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
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
    fn only_an_object_is_a_session() {
        for bad in ["[]", "[1, 2]", "null", "42", "\"x\"", ""] {
            let e = Session::from_json(bad).unwrap_err();
            assert_eq!(e.kind(), SessionErrorKind::Json, "help: {bad}");
        }
        assert!(Session::from_json(" {}").is_ok());
    }

    #[test]
    fn signed_sessions_refuse_every_change() {
        let key = b"0123456789abcdef0123456789abcdef";
        let mut s = Session::new("c1");
        s.orders.push("DH123456".into());
        let signed = s.to_json_signed(key);
        assert_eq!(Session::from_json_signed(&signed, key).unwrap(), s);
        let (tag, json) = signed.split_once('.').unwrap();
        let forged_json = json.replace(
            r#""o":["DH123456"]"#,
            r#""o":["DH123456"],"ok":["DH123456"]"#,
        );
        assert_ne!(forged_json, json);
        let mut flipped = tag.to_string().into_bytes();
        flipped[0] = if flipped[0] == b'0' { b'1' } else { b'0' };
        let flipped = String::from_utf8(flipped).unwrap();
        for forged in [
            format!("{tag}.{forged_json}"),
            format!("{flipped}.{json}"),
            json.to_string(),
            format!(".{json}"),
            format!("zz.{json}"),
            format!("{}.{json}", &tag[..62]),
        ] {
            let e = Session::from_json_signed(&forged, key).unwrap_err();
            assert_eq!(e.kind(), SessionErrorKind::Signature, "help: {forged}");
        }
        let e =
            Session::from_json_signed(&signed, b"another key of 32 bytes, or more").unwrap_err();
        assert_eq!(e.kind(), SessionErrorKind::Signature);
        // The signature covers a session, not any JSON: a signed array is
        // still refused.
        let tag = hex(&session_mac(key, "[]").finalize().into_bytes());
        let e = Session::from_json_signed(&format!("{tag}.[]"), key).unwrap_err();
        assert_eq!(e.kind(), SessionErrorKind::Json);
    }

    #[test]
    fn newer_version_is_refused() {
        let e = Session::from_json(r#"{"v":9,"id":"x"}"#).unwrap_err();
        assert_eq!(e.kind(), SessionErrorKind::Version);
    }
}
