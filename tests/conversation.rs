//! Conversation engine tests: multi-turn conversations in Vietnamese and
//! English, driven by an in-memory scripted host.
//!
//! They use a small rule set written here (not the shipped pack), so they
//! test the engine, not the pack's phrasing. Shipped-pack tests are at the
//! end and say so in their names.

use std::collections::HashMap;

use firstline::conversation::{
    Bot, Event, HandoffSummary, LookupError, LookupResult, LookupStatus, Order, OrderStatus,
    OrderStore, Outcome, Priority, Session, VerificationStatus,
};
use firstline::{Lang, Matcher};

const RULES: &str = r#"
version: 1
settings:
  shop_name: "Shop Hoa Mai"
  hotline: "1900 1234"
  return_days: "7"
concepts:
  order:
    vi: ["đơn hàng", "đơn", "mã đơn"]
    en: ["order", "package", "parcel"]
entities:
  order_id:
    pattern: '(?i)\b(?P<value>[A-Z]{2}[-\s]?\d{6,10})\b'
    normalize: order_id
  phone:
    pattern: '(?:\+?84|0)[\s.\-]?\d{2,3}[\s.\-]?\d{3}[\s.\-]?\d{3,4}'
    normalize: phone
  email:
    pattern: '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}'
    normalize: email
intents:
  - id: greet
    phrases:
      vi: ["xin chào", "chào shop", "chào (bạn|em|ad)"]
      en: ["hello", "hi", "good morning"]
    replies:
      vi: ["Dạ, {shop_name} xin chào anh/chị ạ. Em có thể giúp gì cho anh/chị ạ?"]
      en: ["Hello! Welcome to {shop_name}. How can I help?"]
  - id: track_order
    phrases:
      vi: ["@order [của] (em|mình|tôi) * (đâu|tới đâu|đến đâu)", "kiểm tra * @order", "tra cứu * @order", "@order * đâu rồi"]
      en: ["where * @order", "track * @order", "status of * @order", "check * @order"]
    exclude:
      vi: ["hủy"]
      en: ["cancel"]
    slots: [order_id]
    action: lookup_order
    replies:
      vi: ["Dạ, em kiểm tra đơn hàng giúp anh/chị ạ."]
      en: ["Sure, let me check that order."]
  - id: cancel_order
    phrases:
      vi: ["hủy @order", "hủy [đơn]"]
      en: ["cancel * @order", "cancel"]
    slots: [order_id]
    replies:
      vi: ["Dạ, em đã ghi nhận yêu cầu hủy đơn {order_id} ạ. Shop sẽ xác nhận trong ít phút ạ."]
      en: ["Got it, I've noted your request to cancel order {order_id}. We'll confirm shortly."]
  - id: contact_human_agent
    phrases:
      vi: ["gặp nhân viên", "(nói chuyện|chat) với (người|nhân viên)", "nhân viên tư vấn", "người thật"]
      en: ["(talk|speak) to * (human|agent|person|someone)", "real person", "human agent"]
    action: handoff
    replies:
      vi: ["Dạ, em chuyển anh/chị sang nhân viên tư vấn ngay ạ."]
      en: ["Sure, I'm connecting you with one of our team now."]
lexicons:
  anger:
    severity: 2
    terms:
      vi: ["thất vọng", "quá tệ"]
      en: ["disappointed", "terrible service"]
  fraud:
    severity: 2
    terms:
      vi: ["lừa đảo", "bóc phốt"]
      en: ["scam", "ripoff"]
  threat:
    severity: 3
    terms:
      vi: ["báo công an", "kiện"]
      en: ["lawyer", "sue you", "police"]
  profanity:
    severity: 2
    terms:
      vi: ["vl", "vcl", "dm", "đm"]
      en: ["wtf", "fuck"]
"#;

/// 2026-11-25 (a Wednesday) 10:00 in UTC+7.
const WED_10AM: i64 = 1_795_575_600;
const HOUR: i64 = 3600;

/// Carrier and tracking of the test orders: must never appear in a reply
/// before the customer proved the order is theirs.
const SECRET_CARRIER: &str = "GiaoHangNhanh";
const SECRET_TRACKING: &str = "GHN778899VN";

fn orders() -> HashMap<String, Order> {
    let mut m = HashMap::new();
    let mut add = |o: Order| {
        m.insert(o.id.clone(), o);
    };
    add(Order::new("DH123456", OrderStatus::InTransit)
        .carrier(SECRET_CARRIER)
        .tracking(SECRET_TRACKING)
        .eta("27/11")
        .phone("0912345678")
        .email("lan.nguyen@example.com"));
    add(Order::new("DH222222", OrderStatus::Delivered).phone("0987650000"));
    add(Order::new("DH333333", OrderStatus::Pending).phone("0987651111"));
    add(Order::new("DH444444", OrderStatus::Refunded).phone("0987652222"));
    add(Order::new("DH555555", OrderStatus::Cancelled).phone("0987653333"));
    // An order taken without a phone or e-mail: nothing to verify against.
    add(Order::new("DH666666", OrderStatus::InTransit)
        .carrier(SECRET_CARRIER)
        .tracking(SECRET_TRACKING)
        .eta("27/11"));
    m
}

const CLASSIC: &str = "conversation:\n  verification:\n    uniform: false\n";

fn matcher_with(conversation: &str) -> Matcher {
    let yaml = format!("{RULES}\n{conversation}");
    Matcher::new(&yaml).unwrap_or_else(|e| panic!("test rules do not compile:\n{e}"))
}

fn bot_with(conversation: &str) -> Bot {
    Bot::builder()
        .seed(1)
        .build(matcher_with(conversation))
        .unwrap_or_else(|e| panic!("conversation config rejected:\n{e}"))
}

/// A store whose order system is down.
struct BrokenStore;

impl OrderStore for BrokenStore {
    fn lookup(&self, _: &str) -> Result<Option<Order>, LookupError> {
        Err(LookupError::timeout())
    }
}

/// The scripted host: keeps the session (optionally only as JSON, the way a
/// web server would), answers lookups from memory and records everything.
struct Host {
    bot: Bot,
    session: Session,
    /// Store the session as JSON between turns and restore it each time.
    json: Option<String>,
    store: HashMap<String, Order>,
    broken: bool,
    now: i64,
    lookups: Vec<String>,
    texts: Vec<String>,
    events: Vec<Event>,
}

impl Host {
    fn new(bot: Bot) -> Host {
        Host {
            bot,
            session: Session::new("conv-1"),
            json: None,
            store: orders(),
            broken: false,
            now: WED_10AM,
            lookups: Vec::new(),
            texts: Vec::new(),
            events: Vec::new(),
        }
    }

    fn default() -> Host {
        Host::new(bot_with(""))
    }

    /// The classic flow (`verification.uniform: false`): the order is looked
    /// up before the proof is asked for, and a missing order is said so.
    fn classic() -> Host {
        Host::new(bot_with(CLASSIC))
    }

    fn persisted(mut self) -> Host {
        self.json = Some(self.session.to_json());
        self
    }

    /// One customer message, with the lookup round trip done sans-IO style.
    fn say(&mut self, text: &str) -> Outcome {
        if let Some(json) = &self.json {
            self.session = Session::from_json(json).expect("the saved session loads");
        }
        let turn = self.bot.handle_message(&mut self.session, text, self.now);
        assert_eq!(turn.events.len(), 1, "help: one event per handle_message");
        self.events.extend(turn.events);
        let mut outcome = turn.outcome;
        while let Outcome::LookupOrder { order_id } = &outcome {
            self.lookups.push(order_id.clone());
            let result = if self.broken {
                LookupResult::Failed(LookupError::timeout())
            } else {
                LookupResult::from(self.store.lookup(order_id))
            };
            let turn = self.bot.handle_lookup(&mut self.session, result, self.now);
            assert_eq!(turn.events.len(), 1, "help: one event per handle_lookup");
            self.events.extend(turn.events);
            outcome = turn.outcome;
        }
        if let Some(t) = outcome.text() {
            self.texts.push(t.to_string());
        }
        if self.json.is_some() {
            let json = self.session.to_json();
            assert!(
                json.len() < 700,
                "help: session too big ({} bytes): {json}",
                json.len()
            );
            self.json = Some(json);
        }
        outcome
    }

    /// Says `text` and expects a reply; returns its text.
    fn reply(&mut self, text: &str) -> String {
        match self.say(text) {
            Outcome::Reply { text: t, .. } => t,
            other => panic!("help: expected a reply to {text:?}, got {other:?}"),
        }
    }

    /// Says `text` and expects a handoff; returns (reason, priority, summary, reply).
    fn handoff(&mut self, text: &str) -> (String, Priority, HandoffSummary, String) {
        match self.say(text) {
            Outcome::Handoff {
                reason,
                priority,
                summary,
                reply,
            } => (reason.to_string(), priority, *summary, reply),
            other => panic!("help: expected a handoff after {text:?}, got {other:?}"),
        }
    }

    fn assert_no_secret_leaked(&self) {
        for t in &self.texts {
            assert!(
                !t.contains(SECRET_CARRIER) && !t.contains(SECRET_TRACKING) && !t.contains("27/11"),
                "help: an unverified order detail leaked into a reply: {t}"
            );
        }
    }

    fn last_event(&self) -> &Event {
        self.events.last().expect("an event")
    }
}

fn is_polite_vi(text: &str) -> bool {
    text.starts_with("Dạ") && (text.contains("ạ") || text.contains("nhé"))
}

// ---------------------------------------------------------------- order ids

#[test]
fn vi_order_id_given_later_then_verified() {
    let mut h = Host::classic();
    let ask = h.reply("Đơn hàng của em đâu rồi shop?");
    assert!(is_polite_vi(&ask) && ask.contains("mã đơn"), "help: {ask}");
    assert!(h.session.is_waiting());
    let verify = h.reply("DH123456");
    assert_eq!(h.lookups, ["DH123456"]);
    assert!(
        verify.contains("4 số cuối") && verify.contains("DH123456"),
        "help: {verify}"
    );
    h.assert_no_secret_leaked();
    let status = h.reply("5678 ạ");
    assert!(
        status.contains(SECRET_CARRIER) && status.contains(SECRET_TRACKING),
        "help: {status}"
    );
    assert!(is_polite_vi(&status), "help: {status}");
    assert_eq!(
        h.last_event().verification,
        Some(VerificationStatus::Passed)
    );
    // Verified once: asking again needs no new proof.
    let again = h.reply("kiểm tra giúp em đơn hàng DH123456");
    assert!(again.contains(SECRET_TRACKING), "help: {again}");
}

#[test]
fn en_order_id_inside_sentence_verified_with_full_phone() {
    let mut h = Host::default();
    let verify = h.reply("where is my order DH123456?");
    assert!(verify.contains("last 4 digits"), "help: {verify}");
    let status = h.reply("it's 0912 345 678");
    assert!(
        status.contains("on its way") && status.contains(SECRET_TRACKING),
        "help: {status}"
    );
    assert_eq!(h.session.lang(), Some(Lang::En));
}

#[test]
fn bare_order_id_without_question_starts_a_lookup() {
    let mut h = Host::classic();
    let verify = h.reply("mã đơn của em là dh-123456 ạ");
    assert_eq!(h.lookups, ["DH123456"]);
    assert!(verify.contains("4 số cuối"), "help: {verify}");
}

#[test]
fn an_entity_that_swallows_the_id_prefix_does_not_cut_the_id() {
    // An order_id entity whose optional "dh" prefix eats the letters.
    let rules = RULES.replace(
        r#"'(?i)\b(?P<value>[A-Z]{2}[-\s]?\d{6,10})\b'"#,
        r#"'(?i)(?:dh|đơn)?\s*(?P<value>[A-Z]{2}\d{6}|\d{6})\b'"#,
    );
    assert_ne!(
        rules, RULES,
        "help: the test must change the entity pattern"
    );
    let m = Matcher::new(&format!("{rules}\n{CLASSIC}")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        m.classify("DH123456").entity("order_id").unwrap().value,
        "123456"
    );
    let mut h = Host::new(Bot::new(m).unwrap());
    h.reply("DH123456");
    assert_eq!(h.lookups, ["DH123456"]);
}

#[test]
fn wrong_shape_then_right_id() {
    let mut h = Host::classic();
    h.reply("where is my order?");
    let again = h.reply("12");
    assert!(
        again.contains("doesn't look like an order number"),
        "help: {again}"
    );
    assert!(
        h.lookups.is_empty(),
        "help: an invalid id must not be looked up"
    );
    let verify = h.reply("oh sorry, it's DH123456");
    assert_eq!(h.lookups, ["DH123456"]);
    assert!(verify.contains("last 4 digits"), "help: {verify}");
}

#[test]
fn not_found_then_right_id() {
    let mut h = Host::classic();
    let nf = h.reply("kiểm tra đơn hàng DH999999 giúp em");
    assert!(
        nf.contains("chưa tìm thấy") && nf.contains("DH999999"),
        "help: {nf}"
    );
    assert_eq!(h.last_event().lookup, Some(LookupStatus::NotFound));
    let verify = h.reply("DH123456");
    assert!(verify.contains("4 số cuối"), "help: {verify}");
    assert_eq!(h.lookups, ["DH999999", "DH123456"]);
}

#[test]
fn invalid_values_are_re_asked_then_handed_off() {
    let mut h = Host::default();
    h.reply("đơn của em đâu rồi");
    h.reply("không nhớ");
    h.reply("123");
    let (reason, _, summary, reply) = h.handoff("hmm");
    assert_eq!(reason, "invalid_input");
    assert!(is_polite_vi(&reply), "help: {reply}");
    assert_eq!(summary.intents, ["track_order"]);
}

#[test]
fn topic_change_abandons_the_pending_question() {
    let mut h = Host::default();
    h.reply("where is my order?");
    assert!(h.session.is_waiting());
    let (reason, ..) = h.handoff("can I speak to an agent");
    assert_eq!(reason, "customer_request");

    let mut h = Host::default();
    h.reply("đơn hàng của em đâu rồi");
    let text = h.reply("em muốn hủy đơn DH555555");
    assert!(text.contains("hủy đơn DH555555"), "help: {text}");
    assert!(!h.session.is_waiting());
}

#[test]
fn every_status_has_a_reply_with_host_fields() {
    for (id, phone4, want_vi) in [
        ("DH222222", "0000", "giao thành công"),
        ("DH333333", "1111", "chờ shop xác nhận"),
        ("DH444444", "2222", "hoàn tiền"),
        ("DH555555", "3333", "đã được hủy"),
    ] {
        let mut h = Host::default();
        h.reply(&format!("kiểm tra đơn hàng {id}"));
        let status = h.reply(phone4);
        assert!(
            status.contains(want_vi) && status.contains(id),
            "help: {status}"
        );
    }
    // Fields the host did not return are not left as holes.
    let mut h = Host::default();
    h.store.insert(
        "DH777777".into(),
        Order::new("DH777777", OrderStatus::Shipped).phone("0911117777"),
    );
    h.reply("check my order DH777777");
    let status = h.reply("7777");
    assert!(
        status.contains("not available yet") && !status.contains("{"),
        "help: {status}"
    );
}

// ------------------------------------------------------------- verification

#[test]
fn failed_verification_hands_off_and_reveals_nothing() {
    let mut h = Host::classic();
    h.reply("kiểm tra đơn hàng DH123456");
    let mismatch = h.reply("1234");
    assert!(mismatch.contains("chưa khớp"), "help: {mismatch}");
    assert_eq!(
        h.last_event().verification,
        Some(VerificationStatus::Mismatch)
    );
    let (reason, priority, summary, _) = h.handoff("9999");
    assert_eq!(
        (reason.as_str(), priority),
        ("verification_failed", Priority::High)
    );
    assert!(summary.verified_orders.is_empty());
    assert_eq!(
        h.last_event().verification,
        Some(VerificationStatus::Failed)
    );
    h.assert_no_secret_leaked();
}

/// Regression: the try counter lived only in the pending question, so a
/// wrong guess, a change of topic and a new ask started the count again and
/// a scripted customer could try every 4-digit ending in one session.
#[test]
fn changing_topic_between_wrong_answers_does_not_reset_the_count() {
    let mut h = Host::classic().persisted();
    h.reply("đơn DH123456 của em tới đâu rồi ạ");
    let mismatch = h.reply("1111");
    assert!(mismatch.contains("chưa khớp"), "help: {mismatch}");
    let _ = h.say("xin chào shop");
    let ask = h.reply("cho em hỏi đơn DH123456 với ạ");
    assert!(ask.contains("4 số cuối"), "help: {ask}");
    let (reason, priority, summary, _) = h.handoff("2222");
    assert_eq!(
        (reason.as_str(), priority),
        ("verification_failed", Priority::High)
    );
    assert!(summary.verified_orders.is_empty());
    assert_eq!(h.session.failed_checks("DH123456"), 2);
    h.assert_no_secret_leaked();

    // Locked for the session: after the agent gives the conversation back,
    // the order is not looked up again, so no further guess is possible,
    // not even the right one.
    h.session.release();
    h.json = Some(h.session.to_json());
    let lookups = h.lookups.len();
    let (reason, ..) = h.handoff("where is my order DH123456");
    assert_eq!(reason, "verification_failed");
    assert_eq!(
        h.lookups.len(),
        lookups,
        "help: a locked order is not looked up"
    );
    assert_eq!(h.last_event().lookup, Some(LookupStatus::Refused));
    h.session.release();
    let _ = h.say("5678");
    h.assert_no_secret_leaked();
}

#[test]
fn brute_forcing_the_phone_ending_with_topic_changes_stops_at_the_limit() {
    let mut h = Host::default().persisted();
    let mut guesses = 0;
    for n in 0..10_000u32 {
        let guess = format!("{n:04}");
        if guess == "5678" {
            continue;
        }
        let _ = h.say("xin chào shop");
        if h.session.is_handed_off() {
            break;
        }
        let _ = h.say("where is my order DH123456?");
        if h.session.is_handed_off() {
            break;
        }
        let _ = h.say(&guess);
        guesses += 1;
        if h.session.is_handed_off() {
            break;
        }
    }
    assert_eq!(guesses, 2, "help: the third guess must never be taken");
    assert!(h.session.is_handed_off());
    h.assert_no_secret_leaked();
}

#[test]
fn wrong_answers_are_limited_per_session_over_all_orders() {
    // One wrong answer each for three orders: the session limit (3) stops
    // the third, though no single order reached its own limit (2).
    let mut h = Host::classic();
    for (id, guess) in [("DH222222", "1111"), ("DH333333", "2222")] {
        h.reply(&format!("kiểm tra giúp em đơn {id}"));
        let t = h.reply(guess);
        assert!(t.contains("chưa khớp"), "help: {t}");
        let _ = h.say("xin chào shop");
    }
    h.reply("kiểm tra giúp em đơn DH444444");
    let (reason, ..) = h.handoff("3333");
    assert_eq!(reason, "verification_failed");
    assert_eq!(h.session.total_failed_checks(), 3);
    // And every unverified order is now refused without a lookup.
    h.session.release();
    let lookups = h.lookups.len();
    let (reason, ..) = h.handoff("kiểm tra giúp em đơn DH555555");
    assert_eq!(reason, "verification_failed");
    assert_eq!(h.lookups.len(), lookups);
}

#[test]
fn the_session_limit_is_configurable() {
    let bot = bot_with("conversation:\n  verification:\n    max_failures: 1\n");
    let mut h = Host::new(bot);
    h.reply("where is my order DH123456");
    let (reason, ..) = h.handoff("0000");
    assert_eq!(reason, "verification_failed");
}

#[test]
fn another_order_id_during_verification_is_a_new_question() {
    let mut h = Host::classic();
    h.reply("where is my order DH123456");
    let t = h.reply("sorry, I meant order DH222222");
    assert!(
        t.contains("DH222222") && t.contains("last 4 digits"),
        "help: {t}"
    );
    assert_eq!(h.lookups, ["DH123456", "DH222222"]);
    let t = h.reply("0000");
    assert!(t.contains("delivered"), "help: {t}");
}

#[test]
fn verification_by_email_when_configured() {
    let bot = bot_with("conversation:\n  verification:\n    method: email\n");
    let mut h = Host::new(bot);
    let ask = h.reply("where is my order DH123456");
    assert!(ask.contains("email"), "help: {ask}");
    h.reply("5678");
    h.assert_no_secret_leaked();
    let ok = h.reply("Lan.Nguyen@Example.com");
    assert!(ok.contains(SECRET_TRACKING), "help: {ok}");
}

#[test]
fn verification_can_be_turned_off() {
    let bot = bot_with("conversation:\n  verification:\n    enabled: false\n");
    let mut h = Host::new(bot);
    let status = h.reply("where is my order DH123456");
    assert!(status.contains(SECRET_TRACKING), "help: {status}");
}

#[test]
fn enumeration_is_refused() {
    // Only ids the customer could not verify count, and the third stops it.
    let mut h = Host::classic();
    h.reply("check my order DH555555");
    let t = h.reply("3333"); // verified: does not count
    assert!(t.contains("cancelled"), "help: {t}");
    for id in ["DH100001", "DH100002"] {
        let t = h.reply(&format!("check my order {id}"));
        assert!(t.contains("couldn't find"), "help: {t}");
        // Another intent between ids does not reset the count.
        h.reply("hello");
    }
    let (reason, priority, ..) = h.handoff("check my order DH100003");
    assert_eq!(
        (reason.as_str(), priority),
        ("order_enumeration", Priority::High)
    );
    assert_eq!(h.last_event().lookup, Some(LookupStatus::NotFound));
    h.session.release();
    let (reason, ..) = h.handoff("check my order DH100004");
    assert_eq!(reason, "order_enumeration");
    assert_eq!(h.last_event().lookup, Some(LookupStatus::Refused));
    assert_eq!(
        h.lookups.len(),
        5,
        "help: a fourth unverified id must not be looked up: {:?}",
        h.lookups
    );
    h.assert_no_secret_leaked();
}

#[test]
fn lookup_failure_apologises_and_hands_off() {
    let mut h = Host::classic();
    h.broken = true;
    let (reason, priority, summary, reply) = h.handoff("đơn hàng DH123456 của em đâu rồi");
    assert_eq!(
        (reason.as_str(), priority),
        ("lookup_failed", Priority::High)
    );
    assert!(reply.contains("xin lỗi"), "help: {reply}");
    assert_eq!(
        summary.slots.get("order_id").map(|s| s.as_str()),
        Some("DH123456")
    );
    assert_eq!(h.last_event().lookup, Some(LookupStatus::Failed));

    // Same through the synchronous convenience path.
    let bot = bot_with(CLASSIC);
    let mut s = Session::new("sync");
    let turn = bot.respond(&mut s, "where is my order DH123456", WED_10AM, &BrokenStore);
    assert!(matches!(turn.outcome, Outcome::Handoff { .. }));
    assert_eq!(
        turn.events.len(),
        2,
        "help: respond returns every step's event"
    );
}

#[test]
fn respond_drives_the_round_trip() {
    let bot = bot_with("");
    let store = orders();
    let mut s = Session::new("sync");
    let t = bot.respond(&mut s, "where is my order DH123456", WED_10AM, &store);
    assert!(t.outcome.text().unwrap().contains("last 4 digits"));
    let t = bot.respond(&mut s, "5678", WED_10AM, &store);
    assert!(t.outcome.text().unwrap().contains(SECRET_TRACKING));
    assert_eq!(t.events.len(), 2);
}

#[test]
fn unexpected_lookup_result_reveals_nothing() {
    let bot = bot_with("");
    let mut s = Session::new("x");
    let order = orders()["DH123456"].clone();
    let turn = bot.handle_lookup(&mut s, LookupResult::Found(order), WED_10AM);
    assert_eq!(turn.outcome.text(), Some(""));
}

// ---------------------------------------------------------------- language

#[test]
fn language_is_sticky_and_switches_when_clear() {
    let mut h = Host::default();
    let t = h.reply("where is my order please");
    assert!(t.starts_with("Sure"), "help: {t}");
    // Short or language-less messages keep English.
    let t = h.reply("DH123456");
    assert!(t.contains("last 4 digits"), "help: {t}");
    let t = h.reply("ok");
    assert_eq!(h.session.lang(), Some(Lang::En), "help: {t}");
    // A clear Vietnamese message switches.
    h.session.release();
    let t = h.reply("cho em hỏi đơn hàng của em đâu rồi ạ");
    assert!(is_polite_vi(&t), "help: {t}");
    assert_eq!(h.session.lang(), Some(Lang::Vi));
    // And back to English.
    let t = h.reply("sorry, can you answer in English, where is my order");
    assert_eq!(h.session.lang(), Some(Lang::En), "help: {t}");
}

#[test]
fn short_first_message_uses_the_default_language() {
    let mut h = Host::default();
    h.reply("DH123456");
    assert_eq!(h.session.lang(), Some(Lang::Vi));
    let bot = bot_with("conversation:\n  language:\n    default: en\n");
    let mut h = Host::new(bot);
    let t = h.reply("DH123456");
    assert!(t.contains("last 4 digits"), "help: {t}");
}

// ---------------------------------------------------------------- handoffs

#[test]
fn explicit_request_for_a_human_vi_en_with_and_without_diacritics() {
    for (text, lang) in [
        ("cho em gặp nhân viên", Lang::Vi),
        ("cho em gap nhan vien", Lang::Vi),
        ("I want to talk to a human", Lang::En),
    ] {
        let mut h = Host::default();
        let (reason, priority, summary, reply) = h.handoff(text);
        assert_eq!(
            (reason.as_str(), priority),
            ("customer_request", Priority::Normal),
            "help: {text}"
        );
        assert_eq!(summary.lang, lang);
        assert!(summary.agents_available);
        assert!(!reply.is_empty());
        // Once handed off, the bot only acknowledges.
        let wait = h.reply("alo alo");
        assert!(
            wait.contains("nhân viên") || wait.contains("team"),
            "help: {wait}"
        );
    }
}

#[test]
fn anger_profanity_and_threats_hand_off_with_priority() {
    for (text, reason, priority) in [
        ("shop lừa đảo à", "fraud_accusation", Priority::High),
        ("shop lua dao", "fraud_accusation", Priority::High),
        ("mai tao báo công an", "threat", Priority::Urgent),
        ("giao hàng chậm vcl", "profanity", Priority::High),
        ("this is a scam", "fraud_accusation", Priority::High),
        ("f*** this shop", "profanity", Priority::High),
        ("wtf is going on", "profanity", Priority::High),
        ("I'll call my lawyer", "threat", Priority::Urgent),
    ] {
        let mut h = Host::default();
        let (r, p, _, reply) = h.handoff(text);
        assert_eq!((r.as_str(), p), (reason, priority), "help: {text}");
        assert!(
            reply.contains("xin lỗi") || reply.contains("sorry"),
            "help: {reply}"
        );
    }
}

#[test]
fn lexicon_triggers_are_configurable() {
    let bot = bot_with(
        "conversation:\n  lexicons:\n    profanity:\n      enabled: false\n    fraud:\n      reason: upset\n      priority: urgent\n    anger:\n      action: handoff\n",
    );
    let mut h = Host::new(bot.clone());
    let (r, p, ..) = h.handoff("shop lừa đảo");
    assert_eq!((r.as_str(), p), ("upset", Priority::Urgent));
    let mut h = Host::new(bot.clone());
    let (r, ..) = h.handoff("em thất vọng quá");
    assert_eq!(r, "angry_customer");
    let mut h = Host::new(bot);
    assert!(matches!(h.say("wtf"), Outcome::Reply { .. }));
}

#[test]
fn repeated_fallbacks_hand_off() {
    let mut h = Host::default();
    let first = h.reply("asdfgh qwerty");
    assert!(is_polite_vi(&first), "help: {first}");
    assert!(!h.last_event().understood);
    h.reply("zzzz xxxx");
    let (reason, ..) = h.handoff("????");
    assert_eq!(reason, "not_understood");
}

#[test]
fn a_fallback_intent_answers_what_nobody_understood() {
    let extra = "version: 1\nintents:\n  - id: fallback\n    replies:\n      vi: [\"Dạ, anh/chị cần hỗ trợ về đơn hàng hay giao hàng ạ?\"]\n      en: [\"Is it about an order or a delivery?\"]\n    quick_replies:\n      vi: [\"Theo dõi đơn hàng\", \"Gặp nhân viên\"]\n";
    let m = Matcher::builder()
        .add_yaml("base.yaml", RULES)
        .add_yaml("fallback.yaml", extra)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut h = Host::new(Bot::new(m).unwrap());
    match h.say("asdfgh qwerty") {
        Outcome::Reply {
            text,
            intent,
            quick_replies,
        } => {
            assert!(text.contains("đơn hàng hay giao hàng"), "help: {text}");
            assert_eq!(intent, None);
            assert_eq!(quick_replies, ["Theo dõi đơn hàng", "Gặp nhân viên"]);
        }
        other => panic!("help: {other:?}"),
    }
    assert!(!h.last_event().understood);
}

#[test]
fn an_understood_message_resets_the_fallback_count() {
    let mut h = Host::default();
    h.reply("asdfgh qwerty");
    h.reply("zzzz xxxx");
    h.reply("xin chào shop");
    h.reply("asdfgh qwerty");
    assert!(matches!(h.say("zzzz xxxx"), Outcome::Reply { .. }));
}

#[test]
fn the_same_intent_repeated_hands_off_as_a_loop() {
    let mut h = Host::default();
    h.reply("I want to cancel my order DH555555");
    h.reply("cancel my order DH555555");
    let (reason, _, summary, _) = h.handoff("cancel order DH555555 !!!");
    assert_eq!(reason, "loop");
    assert_eq!(summary.intents, ["cancel_order"; 3]);
    assert_eq!(summary.last_messages.len(), 3);
}

#[test]
fn handoff_triggers_are_configurable() {
    let bot = bot_with(
        "conversation:\n  handoff:\n    fallbacks:\n      after: 2\n      reason: confused\n      priority: low\n    repeats:\n      enabled: false\n",
    );
    let mut h = Host::new(bot);
    h.reply("asdfgh qwerty");
    let (r, p, ..) = h.handoff("zzzz xxxx");
    assert_eq!((r.as_str(), p), ("confused", Priority::Low));
}

#[test]
fn outside_agent_hours_collects_a_contact() {
    let conv = "conversation:\n  agent_hours:\n    utc_offset: \"+07:00\"\n    days: [mon, tue, wed, thu, fri, sat]\n    open: \"08:00\"\n    close: \"21:00\"\n";
    let mut h = Host::new(bot_with(conv));
    h.now = WED_10AM + 13 * HOUR; // 23:00 local
    let ask = h.reply("cho em gặp nhân viên");
    assert!(
        ask.contains("08:00 ngày mai") && ask.contains("số điện thoại"),
        "help: {ask}"
    );
    assert!(ask.contains("08:00–21:00"), "help: {ask}");
    assert_eq!(
        h.last_event().handoff_reason.as_deref(),
        Some("customer_request")
    );
    let (reason, _, summary, reply) = h.handoff("số em là 0912.345.678 nha");
    assert_eq!(reason, "customer_request");
    assert_eq!(summary.contact.as_deref(), Some("0912345678"));
    assert!(!summary.agents_available);
    assert!(reply.contains("0912345678"), "help: {reply}");

    // Saturday night: back on Monday.
    let mut h = Host::new(bot_with(conv));
    h.now = WED_10AM + 3 * 24 * HOUR + 12 * HOUR; // Saturday 22:00
    let ask = h.reply("I want to talk to a human");
    assert!(ask.contains("on Monday at 08:00"), "help: {ask}");
    let (_, _, summary, _) = h.handoff("no thanks");
    assert_eq!(summary.contact, None);

    // During hours: straight to an agent.
    let mut h = Host::new(bot_with(conv));
    h.handoff("cho em gặp nhân viên");
}

#[test]
fn handoff_summary_tells_the_agent_everything() {
    let mut h = Host::default();
    h.reply("xin chào shop");
    h.reply("kiểm tra đơn hàng DH123456");
    h.reply("5678");
    let (_, _, summary, _) = h.handoff("cho em gặp nhân viên");
    assert_eq!(summary.lang, Lang::Vi);
    assert_eq!(
        summary.intents,
        ["greet", "track_order", "contact_human_agent"]
    );
    assert_eq!(
        summary.slots.get("order_id").map(|s| s.as_str()),
        Some("DH123456")
    );
    assert_eq!(summary.verified_orders, ["DH123456"]);
    assert_eq!(
        summary.last_messages.last().map(|s| s.as_str()),
        Some("cho em gặp nhân viên")
    );
    let json: serde_json::Value = serde_json::from_str(&summary.to_json()).unwrap();
    assert_eq!(json["reason"], "customer_request");
}

// ---------------------------------------------------------- replies, events

#[test]
fn replies_fill_settings_and_never_echo_customer_text() {
    let mut h = Host::default();
    let t = h.reply("xin chào shop <script>alert(1)</script>");
    assert!(t.contains("Shop Hoa Mai") && !t.contains('{'), "help: {t}");
    let t = h.reply("hủy đơn <b>DH555555</b> {shop_name}");
    assert!(t.contains("DH555555") && !t.contains("<b>"), "help: {t}");
    for t in &h.texts {
        assert!(!t.contains("script"), "help: {t}");
    }
}

#[test]
fn variants_are_deterministic_and_seedable() {
    let run = |seed: u64, id: &str| {
        let bot = Bot::builder().seed(seed).build(matcher_with("")).unwrap();
        let mut s = Session::new(id);
        (0..6)
            .map(|_| {
                bot.handle_message(&mut s, "qwerty asdf", WED_10AM)
                    .outcome
                    .text()
                    .unwrap()
                    .to_string()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(run(1, "a"), run(1, "a"));
    let all: std::collections::BTreeSet<_> = (0..8).flat_map(|seed| run(seed, "a")).collect();
    assert!(all.len() >= 2, "help: variants never change: {all:?}");
}

#[test]
fn every_turn_yields_one_json_event() {
    let mut h = Host::classic();
    h.reply("kiểm tra đơn hàng DH123456");
    h.reply("5678");
    h.reply("asdf qwer");
    assert_eq!(h.events.len(), 5, "help: 3 messages + 2 lookups");
    let lines: Vec<serde_json::Value> = h
        .events
        .iter()
        .map(|e| {
            let line = e.to_json_line();
            assert!(!line.contains('\n'));
            serde_json::from_str(&line).unwrap()
        })
        .collect();
    assert_eq!(lines[0]["intent"], "track_order");
    assert_eq!(lines[0]["outcome"], "lookup_order");
    assert_eq!(lines[0]["lookup"], "requested");
    assert_eq!(lines[0]["ts"], WED_10AM);
    assert_eq!(lines[0]["session"], "conv-1");
    assert_eq!(lines[0]["lang"], "vi");
    assert_eq!(lines[1]["input"], "lookup");
    assert_eq!(lines[1]["verification"], "requested");
    assert_eq!(lines[3]["verification"], "passed");
    assert_eq!(lines[4]["understood"], false);
    assert!(lines[0]["confidence"].as_f64().unwrap() > 0.3);
}

// ------------------------------------------------------------------ sessions

#[test]
fn session_survives_json_between_every_turn() {
    let mut h = Host::default().persisted();
    h.reply("Đơn hàng của em đâu rồi shop?");
    h.reply("DH123456");
    let status = h.reply("5678");
    assert!(status.contains(SECRET_TRACKING), "help: {status}");
    let json = h.json.clone().unwrap();
    assert!(json.contains(r#""v":1"#), "help: {json}");
    assert!(
        !json.contains(SECRET_TRACKING) && !json.contains("0912345678"),
        "help: the session must not hold order details: {json}"
    );

    // The same in English, with the loop and fallback counters persisted.
    let mut h = Host::default().persisted();
    h.reply("asdf qwer");
    h.reply("zxcv bnm");
    let (reason, ..) = h.handoff("hjkl uiop");
    assert_eq!(reason, "not_understood");
}

#[test]
fn sessions_from_older_versions_and_rule_sets_load() {
    // The greeting is small talk: the order question answers.
    let bot = bot_with("conversation:\n  small_talk: [greet]\n");
    // An old session: fewer fields, an unknown one, and a pending question
    // for an intent the rules no longer have.
    let old = r#"{"v":1,"id":"old","l":"en","legacy":true,"p":{"k":"slot","i":"gone_intent","s":"order_id"}}"#;
    let mut s = Session::from_json(old).unwrap();
    let turn = bot.handle_message(&mut s, "hello, where is my order", WED_10AM);
    assert!(turn.outcome.text().unwrap().starts_with("Sure"));
    assert!(Session::from_json("not json").is_err());
    assert!(Session::from_json(r#"{"v":99,"id":"x"}"#).is_err());
}

#[test]
fn garbage_and_huge_input_never_panic_or_lose_the_session() {
    let mut h = Host::default();
    h.reply("kiểm tra đơn hàng DH123456");
    let huge = "đơn hàng ".repeat(200_000);
    let inputs = [
        "",
        "   ",
        "\u{0}\u{1}\u{7f}",
        "😡😡😡🤬",
        "Ä‘Æ¡n hÃ ng",
        "\u{200B}\u{FEFF}",
        "a\u{0301}\u{0302}\u{0323}",
        &huge,
        "{order_id}{{}}}{",
        "DH",
        "0000000000000000000000000000000000000000000000000000",
    ];
    for input in inputs {
        let before = h.session.turns();
        let _ = h.say(input);
        assert_eq!(h.session.turns(), before + 1);
        assert!(Session::from_json(&h.session.to_json()).is_ok());
        h.session.release();
    }
    // Still works afterwards.
    let t = h.reply("where is my order DH123456 please");
    assert!(t.contains("last 4 digits"), "help: {t}");
}

// --------------------------------------------------------------- config errors

#[test]
fn conversation_config_errors_are_reported_together_with_locations() {
    let yaml = format!(
        "{RULES}\nconversation:\n  order_id:\n    patterns: ['(unclosed']\n  agent_hours:\n    open: \"25:99\"\n  messages:\n    fallbak: {{vi: x}}\n    fallback: {{vi: \"Dạ {{shopname}}\"}}\n  handoff:\n    angry: {{reason: x}}\n"
    );
    // The conversation section is part of the rules: the rules do not
    // compile, with every problem of the section located.
    let err = Matcher::new(&yaml).unwrap_err();
    let rendered = err.to_string();
    let errs: Vec<_> = err.errors().collect();
    assert_eq!(errs.len(), 5, "help: {rendered}");
    assert!(errs
        .iter()
        .all(|d| d.kind() == firstline::DiagnosticKind::Conversation));
    assert!(
        errs.iter().all(|d| d.location().is_some()),
        "help: {rendered}"
    );
    for want in ["(unclosed", "25:99", "fallbak", "{shopname}", "angry"] {
        assert!(
            rendered.contains(want),
            "help: missing {want} in\n{rendered}"
        );
    }
}

#[test]
fn unknown_conversation_key_is_an_error() {
    let yaml = format!("{RULES}\nconversation:\n  max_slot_retrys: 3\n");
    let err = Matcher::new(&yaml).unwrap_err();
    assert!(err.to_string().contains("max_slot_retrys"), "help: {err}");
}

#[test]
fn a_slot_without_a_prompt_is_an_error() {
    let extra = "version: 1\nentities:\n  address:\n    pattern: 'địa chỉ mới (.+)'\nintents:\n  - id: change_address\n    phrases: [\"đổi địa chỉ\"]\n    slots: [address]\n";
    let err = Matcher::builder()
        .add_yaml("base.yaml", RULES)
        .add_yaml("address.yaml", extra)
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("slot `address`"), "help: {err}");
}

#[test]
fn bot_is_cheap_to_clone_and_shareable() {
    let bot = bot_with("");
    let b2 = bot.clone();
    std::thread::spawn(move || {
        let mut s = Session::new("t");
        let _ = b2.handle_message(&mut s, "xin chào", 0);
    })
    .join()
    .unwrap();
    let mut s = Session::new("t");
    let _ = bot.handle_message(&mut s, "xin chào", 0);
}

#[test]
fn shipped_conversation_and_lexicon_files_load() {
    // The pack's own conversation.yaml and lexicons.yaml on top of the test
    // intents: the settings compile and the lexicons trigger handoffs.
    let rules = RULES.split("\nlexicons:").next().unwrap();
    // Without its last blocks, `intent_labels` and `small_talk`: they name
    // the pack's intents, which these rules do not have (an unknown id is
    // an error).
    let (conversation, labels) = include_str!("../rules/conversation.yaml")
        .split_once("\n  intent_labels:")
        .expect("intent_labels is the last block of rules/conversation.yaml");
    assert!(!labels.contains("\n  messages:"), "help: keep it last");
    let m = Matcher::builder()
        .add_yaml("test.yaml", rules)
        .add_yaml("rules/conversation.yaml", conversation)
        .add_yaml(
            "rules/lexicons.yaml",
            include_str!("../rules/lexicons.yaml"),
        )
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let bot = Bot::new(m).unwrap_or_else(|e| panic!("{e}"));
    for (text, reason) in [
        ("shop bóc phốt", "fraud_accusation"),
        ("dm shop", "profanity"),
        ("đ*t shop", "profanity"),
        ("tôi sẽ báo công an", "threat"),
        ("this is a scam", "fraud_accusation"),
        ("fuck you", "profanity"),
        ("I'm calling my lawyer", "threat"),
        ("I will dispute the charge with my bank", "payment_dispute"),
        (
            "is there someone on your staff I could talk to?",
            "customer_request",
        ),
    ] {
        let mut h = Host::new(bot.clone());
        let (r, ..) = h.handoff(text);
        assert_eq!(r, reason, "help: {text}");
    }
    // Swearing as an intensifier, disappointment, and a red VAT invoice
    // typed without marks ("hóa đơn đỏ cho công ty") are not escalated.
    for text in [
        "giao nhanh vl",
        "em thất vọng quá",
        "em can xuat hoa don do cho cong ty",
    ] {
        let mut h = Host::new(bot.clone());
        assert!(matches!(h.say(text), Outcome::Reply { .. }), "help: {text}");
    }
    // "kiện hàng" is a parcel, not a lawsuit.
    let mut h = Host::new(bot.clone());
    assert!(matches!(
        h.say("kiện hàng của em đâu rồi ạ"),
        Outcome::Reply { .. }
    ));
    // Agent hours are 8:00-21:00 every day in UTC+7.
    let mut h = Host::new(bot);
    h.now = WED_10AM + 12 * HOUR;
    let ask = h.reply("cho em gặp nhân viên");
    assert!(
        ask.contains("8:00–21:00 hằng ngày") && ask.contains("08:00 ngày mai"),
        "help: {ask}"
    );
}

// ------------------------------------------------------------------ scripts
//
// Conversation scripts: each turn says something and states what must (and
// must not) come back. Read like a transcript; a failure names the script
// and the turn.

const SCRIPTS: &str = r##"
- name: vi, polite from greeting to tracking
  turns:
    - say: "xin chào shop"
      reply: ["Dạ", "Shop Hoa Mai", "ạ"]
    - say: "don hang cua minh dau roi"
      reply: ["mã đơn"]
    - say: "ma don la DH 123456 a"
      reply: ["4 số cuối", "DH123456"] # the proof first, before any lookup
      not: ["GiaoHangNhanh", "GHN778899VN"]
    - say: "0912345678"
      lookup: DH123456 # looked up with the answer to compare
      reply: ["GiaoHangNhanh", "GHN778899VN", "27/11"]
- name: en, cancel with the id asked for
  turns:
    - say: "I need to cancel my order"
      reply: ["order number"]
    - say: "#dh-555555"
      reply: ["cancel order DH555555"]
      lang: en
- name: vi, change of mind while asked for an id
  turns:
    - say: "kiểm tra đơn hàng giúp em"
      reply: ["mã đơn"]
    - say: "thôi cho em gặp nhân viên tư vấn"
      handoff: customer_request
- name: en, stuck customer gets a human
  conversation: "conversation:\n  handoff:\n    fallbacks: {after: 2, priority: high}\n"
  turns:
    - say: "do you sell purple elephants"
      reply: ["Sorry"]
      lang: en
    - say: "what about green giraffes then"
      handoff: not_understood
- name: en, guessing order ids is stopped
  conversation: "conversation:\n  verification: {uniform: false}\n  handoff:\n    enumeration: {max_orders: 2}\n"
  turns:
    - say: "where is my order DH111111"
      lookup: DH111111
      reply: ["couldn't find"]
    - say: "DH111112"
      lookup: DH111112
      handoff: order_enumeration
      not: ["GHN778899VN"]
- name: en, guessing order ids with uniform replies
  conversation: "conversation:\n  handoff:\n    enumeration: {max_orders: 2}\n"
  turns:
    - say: "where is my order DH111111"
      reply: ["last 4 digits"]
    - say: "1234"
      lookup: DH111111
      reply: ["couldn't find an order DH111111 matching"]
    - say: "DH123456"
      reply: ["last 4 digits"]
    - say: "1111"
      lookup: DH123456
      handoff: order_enumeration
      not: ["GHN778899VN"]
"##;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Script {
    name: String,
    #[serde(default)]
    conversation: String,
    turns: Vec<ScriptTurn>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ScriptTurn {
    say: String,
    #[serde(default)]
    reply: Vec<String>,
    #[serde(default)]
    not: Vec<String>,
    handoff: Option<String>,
    lookup: Option<String>,
    lang: Option<Lang>,
}

#[test]
fn conversation_scripts() {
    let scripts: Vec<Script> = serde_yaml::from_str(SCRIPTS).unwrap();
    for script in scripts {
        let mut h = Host::new(bot_with(&script.conversation)).persisted();
        for (i, turn) in script.turns.iter().enumerate() {
            let at = format!("script `{}`, turn {} ({:?})", script.name, i + 1, turn.say);
            let lookups_before = h.lookups.len();
            let outcome = h.say(&turn.say);
            let text = outcome.text().unwrap_or_default().to_string();
            match (&turn.handoff, &outcome) {
                (Some(want), Outcome::Handoff { reason, .. }) => {
                    assert_eq!(&**reason, want, "help: {at}")
                }
                (Some(want), other) => panic!("help: {at}: expected handoff {want}, got {other:?}"),
                (None, Outcome::Handoff { reason, .. }) => {
                    panic!("help: {at}: unexpected handoff {reason}: {text}")
                }
                _ => {}
            }
            for want in &turn.reply {
                assert!(
                    text.contains(want.as_str()),
                    "help: {at}: {want:?} not in {text:?}"
                );
            }
            for bad in &turn.not {
                assert!(
                    !text.contains(bad.as_str()),
                    "help: {at}: {bad:?} in {text:?}"
                );
            }
            match &turn.lookup {
                Some(id) => assert_eq!(h.lookups[lookups_before..], [id.as_str()], "help: {at}"),
                None => assert_eq!(
                    h.lookups.len(),
                    lookups_before,
                    "help: {at}: unexpected lookup"
                ),
            }
            if let Some(lang) = turn.lang {
                assert_eq!(h.session.lang(), Some(lang), "help: {at}");
            }
        }
    }
}

// ------------------------------------------------------------ clarification
//
// An ambiguous message ("hủy đơn hay đổi đơn") gets "A or B?" with both
// labels as quick replies, when `conversation.intent_labels` names both.

/// A second order intent that ties with `cancel_order` on "hủy đơn hay đổi đơn".
const CHANGE_ORDER: &str = r#"
version: 1
intents:
  - id: change_order
    phrases:
      vi: ["đổi @order", "sửa @order"]
      en: ["change * @order"]
    slots: [order_id]
    replies:
      vi: ["Dạ, em đã ghi nhận yêu cầu đổi đơn {order_id} ạ."]
      en: ["Noted: you'd like to change order {order_id}."]
"#;

const LABELS: &str = r#"
version: 1
conversation:
  intent_labels:
    cancel_order: { vi: "hủy đơn", en: "cancel your order" }
    change_order: { vi: "đổi đơn", en: "change your order" }
"#;

fn clarify_bot(labels: bool) -> Bot {
    let mut b = Matcher::builder();
    b.add_yaml("base.yaml", RULES)
        .add_yaml("change.yaml", CHANGE_ORDER);
    if labels {
        b.add_yaml("labels.yaml", LABELS);
    }
    let m = b.build().unwrap_or_else(|e| panic!("{e}"));
    Bot::builder()
        .seed(1)
        .build(m)
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Says `text`, expects the clarifying question; returns (text, quick replies).
fn expect_clarify(h: &mut Host, text: &str) -> (String, Vec<String>) {
    match h.say(text) {
        Outcome::Reply {
            text: t,
            intent,
            quick_replies,
        } => {
            assert_eq!(intent, None, "help: a question the bot asks on its own");
            let ev = h.last_event();
            assert_eq!(ev.outcome, firstline::conversation::OutcomeKind::Reply);
            assert!(ev.understood, "help: an ambiguous message was understood");
            assert!(
                h.session.pending_choice().is_some(),
                "help: the choice waits in the session after {text:?}"
            );
            (t, quick_replies)
        }
        other => panic!("help: expected a question after {text:?}, got {other:?}"),
    }
}

fn same_set(mut a: Vec<String>, b: &[&str]) -> bool {
    let mut b: Vec<String> = b.iter().map(|s| s.to_string()).collect();
    a.sort();
    b.sort();
    a == b
}

#[test]
fn ambiguous_vi_message_asks_which_and_the_quick_reply_answers() {
    let mut h = Host::new(clarify_bot(true)).persisted();
    let (t, qr) = expect_clarify(&mut h, "hủy đơn hay đổi đơn");
    assert!(
        t == "Dạ, anh/chị muốn hủy đơn hay đổi đơn ạ?"
            || t == "Dạ, anh/chị muốn đổi đơn hay hủy đơn ạ?",
        "help: {t}"
    );
    assert!(same_set(qr, &["Hủy đơn", "Đổi đơn"]), "help: {t}");
    let (a, b) = h.session.pending_choice().unwrap();
    assert!(
        [a, b].contains(&"cancel_order") && [a, b].contains(&"change_order"),
        "help: {a} {b}"
    );
    // The button's label answers that intent, slot filling included.
    let ask = h.reply("Đổi đơn");
    assert!(ask.contains("mã đơn"), "help: {ask}");
    assert_eq!(
        h.last_event().intent.as_deref(),
        Some("change_order"),
        "help: the event names the chosen intent"
    );
    assert_eq!(h.session.pending_slot(), Some("order_id"));
    let done = h.reply("DH123456");
    assert!(done.contains("đổi đơn DH123456"), "help: {done}");
}

#[test]
fn ambiguous_en_message_asks_which_and_free_text_answers() {
    let mut h = Host::new(clarify_bot(true)).persisted();
    let (t, qr) = expect_clarify(&mut h, "I want to cancel or change my order");
    assert!(
        t == "Do you want to cancel your order or change your order?"
            || t == "Do you want to change your order or cancel your order?",
        "help: {t}"
    );
    assert!(
        same_set(qr, &["Cancel your order", "Change your order"]),
        "help: {t}"
    );
    // Not a label, but clearly one of the two; its order id is used.
    let done = h.reply("please cancel order DH123456");
    assert!(done.contains("cancel order DH123456"), "help: {done}");
    assert_eq!(h.last_event().intent.as_deref(), Some("cancel_order"));
    assert!(!h.session.is_waiting());
}

#[test]
fn a_label_matches_in_any_case_and_without_accents() {
    let mut h = Host::new(clarify_bot(true)).persisted();
    expect_clarify(&mut h, "hủy đơn hay đổi đơn");
    let ask = h.reply("huy don.");
    assert!(ask.contains("mã đơn"), "help: {ask}");
    assert_eq!(h.last_event().intent.as_deref(), Some("cancel_order"));
}

#[test]
fn after_the_question_another_topic_is_a_normal_message() {
    let mut h = Host::new(clarify_bot(true)).persisted();
    expect_clarify(&mut h, "hủy đơn hay đổi đơn");
    let hi = h.reply("xin chào shop");
    assert!(hi.contains("Shop Hoa Mai xin chào"), "help: {hi}");
    assert_eq!(h.last_event().intent.as_deref(), Some("greet"));
    assert!(!h.session.is_waiting(), "help: the question was dropped");
}

#[test]
fn the_same_ambiguous_message_twice_answers_the_best_intent() {
    let mut h = Host::new(clarify_bot(true)).persisted();
    expect_clarify(&mut h, "hủy đơn hay đổi đơn");
    let ask = h.reply("hủy đơn hay đổi đơn");
    assert!(ask.contains("mã đơn"), "help: {ask}");
    assert_eq!(h.session.pending_choice(), None);
    assert_eq!(h.session.pending_slot(), Some("order_id"));
}

#[test]
fn without_labels_an_ambiguous_message_answers_the_best_intent() {
    let m = Matcher::builder()
        .add_yaml("base.yaml", RULES)
        .add_yaml("change.yaml", CHANGE_ORDER)
        .build()
        .unwrap();
    let c = m.classify("hủy đơn hay đổi đơn");
    assert!(
        c.ambiguous,
        "help: the test needs an ambiguous message: {c:?}"
    );
    let best = c.intent.clone();
    // With labels it asks; without, it answers as before.
    expect_clarify(&mut Host::new(clarify_bot(true)), "hủy đơn hay đổi đơn");
    let mut h = Host::new(clarify_bot(false)).persisted();
    let ask = h.reply("hủy đơn hay đổi đơn");
    assert!(ask.contains("mã đơn"), "help: {ask}");
    assert_eq!(h.last_event().intent, best);
    assert_eq!(h.session.pending_choice(), None);
    assert_eq!(h.session.pending_slot(), Some("order_id"));
}

#[test]
fn a_handoff_trigger_wins_over_clarification() {
    expect_clarify(
        &mut Host::new(clarify_bot(true)),
        "hủy đơn hay đổi đơn shop",
    );
    let mut h = Host::new(clarify_bot(true));
    let (reason, ..) = h.handoff("hủy đơn hay đổi đơn shop lừa đảo");
    assert_eq!(reason, "fraud_accusation");
    assert_eq!(h.session.pending_choice(), None);
}

#[test]
fn clarification_config_errors_have_locations() {
    let bad = "version: 1\nconversation:\n  intent_labels:\n    cancel_order: { vi: \"hủy đơn\" }\n    cancle_order: { vi: \"hủy\" }\n  messages:\n    clarify:\n      vi: \"Dạ, {a}, {b} hay {c} ạ?\"\n";
    let err = Matcher::builder()
        .add_yaml("base.yaml", RULES)
        .add_yaml("labels.yaml", bad)
        .build()
        .unwrap_err();
    let rendered = err.to_string();
    let errs: Vec<_> = err.errors().collect();
    assert_eq!(errs.len(), 2, "help: {rendered}");
    for d in &errs {
        let loc = d.location().unwrap_or_else(|| panic!("help: {rendered}"));
        assert!(loc.to_string().starts_with("labels.yaml:"), "help: {loc}");
    }
    assert!(rendered.contains("cancle_order"), "help: {rendered}");
    assert!(rendered.contains("{c}"), "help: {rendered}");
    assert!(
        !rendered.contains("{a}`"),
        "help: {{a}} is known in clarify: {rendered}"
    );
    // {a} and {b} mean nothing in other messages.
    let yaml =
        format!("{RULES}\nconversation:\n  messages:\n    fallback: {{vi: \"Dạ {{a}} ạ\"}}\n");
    assert!(Matcher::new(&yaml).unwrap_err().to_string().contains("{a}"));
}

// ------------------------------------------------------------ shipped pack
//
// SHIPPED-PACK TESTS: these run the engine on `firstline::pack`, the rules
// another helper tunes. They check the integration (the pack's
// conversation.yaml and lexicons.yaml, its track/cancel/handoff intents),
// not phrasing details; a failure here may be a pack change.

fn shipped_host() -> Host {
    let bot = Bot::new(firstline::pack::matcher()).unwrap_or_else(|e| panic!("{e}"));
    Host::new(bot)
}

#[test]
fn shipped_pack_tracks_an_order_with_verification_vi() {
    let mut h = shipped_host();
    let ask = h.reply("đơn hàng của em đâu rồi shop");
    assert!(ask.contains("mã đơn"), "help: {ask}");
    // The proof is asked before any lookup (uniform replies).
    let verify = h.reply("DH123456");
    assert!(h.lookups.is_empty(), "help: {:?}", h.lookups);
    assert!(verify.contains("4 số cuối"), "help: {verify}");
    h.assert_no_secret_leaked();
    let status = h.reply("5678");
    assert_eq!(h.lookups, ["DH123456"]);
    assert!(status.contains(SECRET_TRACKING), "help: {status}");
}

#[test]
fn shipped_pack_tracks_an_order_en() {
    let mut h = shipped_host();
    let verify = h.reply("where is my order DH123456?");
    assert!(verify.contains("last 4 digits"), "help: {verify}");
    let status = h.reply("5678");
    assert!(status.contains(SECRET_TRACKING), "help: {status}");
    assert_eq!(h.session.lang(), Some(Lang::En));
}

#[test]
fn shipped_pack_hands_off_on_request_and_anger() {
    for (text, reason) in [
        ("cho em gặp nhân viên", "customer_request"),
        ("cho em gap nhan vien", "customer_request"),
        ("I want to talk to a human", "customer_request"),
        ("shop lừa đảo", "fraud_accusation"),
        ("bóc phốt shop này", "fraud_accusation"),
        ("tôi sẽ báo công an", "threat"),
        ("đm shop", "profanity"),
        ("this is a scam", "fraud_accusation"),
        ("I'll call my lawyer", "threat"),
        ("fuck you", "profanity"),
        ("f*** this shop", "profanity"),
        (
            "is there someone on your staff I could talk to?",
            "customer_request",
        ),
        ("please call me back on 0912 345 678", "customer_request"),
        ("gọi lại cho em qua số 0912345678 nhé", "customer_request"),
        ("I'm going to file a chargeback", "payment_dispute"),
        ("em sẽ báo ngân hàng tra soát giao dịch", "payment_dispute"),
    ] {
        let mut h = shipped_host();
        let (r, ..) = h.handoff(text);
        assert_eq!(r, reason, "help: {text}");
    }
}

#[test]
fn shipped_pack_fallbacks_offer_topics_then_hand_off() {
    let mut h = shipped_host();
    match h.say("asdf qwer zxcv") {
        Outcome::Reply { quick_replies, .. } => assert!(!quick_replies.is_empty()),
        other => panic!("help: {other:?}"),
    }
    h.reply("qwer asdf zxcv");
    let (reason, ..) = h.handoff("zxcv qwer asdf");
    assert_eq!(reason, "not_understood");
}

#[test]
fn shipped_pack_asks_which_on_an_ambiguous_message() {
    // "đổi địa chỉ" (change_shipping_address) and "hoàn tiền" (get_refund)
    // score alike in the shipped pack.
    let c = firstline::pack::matcher().classify("em muốn đổi địa chỉ hay hoàn tiền");
    assert!(
        c.ambiguous,
        "help: pick another ambiguous message: {:?}",
        c.ranked
    );
    let mut h = Host::new(firstline::pack::bot()).persisted();
    let (t, qr) = expect_clarify(&mut h, "em muốn đổi địa chỉ hay hoàn tiền");
    assert!(is_polite_vi(&t) && t.ends_with("ạ?"), "help: {t}");
    assert!(
        t.contains("đổi địa chỉ giao hàng") && t.contains("trả hàng hoàn tiền"),
        "help: {t}"
    );
    assert!(
        same_set(qr.clone(), &["Đổi địa chỉ giao hàng", "Trả hàng hoàn tiền"]),
        "help: {qr:?}"
    );
    h.reply("Trả hàng hoàn tiền");
    assert_eq!(h.last_event().intent.as_deref(), Some("get_refund"));

    let mut h = Host::new(firstline::pack::bot()).persisted();
    let (t, _) = expect_clarify(&mut h, "I want to change address or cancel my order");
    assert!(t.starts_with("Do you want to "), "help: {t}");
    assert!(t.contains("cancel your order"), "help: {t}");
}

// ---------------------------------------------------------------- properties

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Whatever the customer sends, in whatever state, the bot answers
        /// without panicking, the session stays loadable and no reply
        /// contains an unverified order detail.
        #[test]
        fn any_messages_keep_the_session_sound(
            msgs in proptest::collection::vec(
                prop_oneof![
                    any::<String>(),
                    "[a-zA-Zđơưạ0-9 #@.-]{0,40}",
                    Just("DH123456".to_string()),
                    Just("5678".to_string()),
                    Just("đơn hàng của em đâu rồi".to_string()),
                    // Guesses, slips, several ids, the proof beside the id,
                    // topic changes: the ways round the check.
                    Just("1111".to_string()),
                    Just("567".to_string()),
                    Just("xin chào shop".to_string()),
                    Just("đơn DH123456 sđt đuôi 1234".to_string()),
                    Just("đơn DH100001 và DH123456".to_string()),
                    Just("order #dh-123456 last digits 9999".to_string()),
                    Just("mã vận đơn SPX VN 0635 1234 5678".to_string()),
                ],
                1..10,
            ),
            classic in any::<bool>(),
        ) {
            let mut h = if classic { Host::classic() } else { Host::default() }.persisted();
            for m in &msgs {
                let before = Session::from_json(h.json.as_ref().unwrap()).unwrap().turns();
                let _ = h.say(m);
                prop_assert!(h.session.turns() > before);
                h.session.release();
                h.json = Some(h.session.to_json());
            }
            for t in &h.texts {
                let verified = h.session.to_json().contains("\"ok\":[\"DH123456\"]");
                prop_assert!(verified || !t.contains(SECRET_TRACKING), "leak: {}", t);
            }
        }
    }
}

#[test]
fn disappointment_is_answered_with_empathy_and_a_person_offered() {
    let m = firstline::pack::matcher();
    for text in ["em thất vọng quá", "quá tệ", "I'm so disappointed"] {
        let mut h = shipped_host();
        match h.say(text) {
            Outcome::Reply {
                text: reply,
                quick_replies,
                ..
            } => {
                assert!(
                    ["xin lỗi", "rất tiếc", "sorry", "Sorry"]
                        .iter()
                        .any(|w| reply.contains(w)),
                    "help: {text} -> {reply}"
                );
                // One button reaches a person.
                assert!(
                    quick_replies
                        .iter()
                        .any(|q| m.classify(q).intent_id() == Some("contact_human_agent")),
                    "help: {text} -> {quick_replies:?}"
                );
            }
            other => panic!("help: {text} was escalated: {other:?}"),
        }
        assert!(!h.session.is_handed_off());
    }
}

#[test]
fn the_summary_carries_ids_phone_and_topic_of_the_whole_conversation() {
    let mut h = shipped_host();
    let _ = h.say("đơn DH123456 của em tới đâu rồi");
    // The handing-off message itself names another order and a phone.
    let (reason, _, summary, _) =
        h.handoff("shop lừa đảo, còn đơn #R5T8W2 nữa, gọi em số 0987 654 321");
    assert_eq!(reason, "fraud_accusation");
    assert_eq!(summary.order_ids, ["DH123456", "R5T8W2"]);
    assert_eq!(summary.phone.as_deref(), Some("0987654321"));
    assert!(summary.topic.is_some(), "help: {summary:?}");
    // A tracking code, with its carrier.
    let mut h = shipped_host();
    let (_, _, summary, _) = h.handoff("mã vận đơn GHN: KX4TMB, cho em gặp nhân viên");
    assert_eq!(summary.order_ids, ["KX4TMB"]);
    assert_eq!(
        summary.slots.get("carrier").map(String::as_str),
        Some("GHN")
    );
    assert_eq!(summary.topic.as_deref(), Some("contact_human_agent"));
}

#[test]
fn before_verification_a_missing_and_an_existing_order_get_the_same_replies() {
    // DH123456 exists, DH999999 does not: what the customer sees must not
    // tell them apart, up to and including the handoff.
    let replies = |host: fn() -> Host, id: &str| -> Vec<String> {
        let mut h = host();
        let mut out = vec![h.reply(&format!("đơn {id} của em đâu rồi"))];
        out.push(h.reply("1111"));
        out.push(match h.say("2222") {
            Outcome::Handoff { reason, reply, .. } => format!("{reason}: {reply}"),
            other => format!("{other:?}"),
        });
        h.assert_no_secret_leaked();
        out.iter().map(|t| t.replace(id, "<id>")).collect()
    };
    let existing = replies(Host::default, "DH123456");
    assert!(
        existing[2].starts_with("verification_failed"),
        "help: {existing:?}"
    );
    assert_eq!(existing, replies(Host::default, "DH999999"));
    // An order with no phone on file cannot be verified, and must not be
    // told apart from a missing one either.
    assert_eq!(
        replies(Host::default, "DH666666"),
        replies(Host::default, "DH999999")
    );
    // The classic flow (an option) says so when an order does not exist.
    assert_ne!(
        replies(Host::classic, "DH123456")[0],
        replies(Host::classic, "DH999999")[0]
    );
}

#[test]
fn a_short_answer_is_asked_again_without_using_a_try() {
    let mut h = Host::default();
    h.reply("đơn DH123456 của em đâu rồi");
    for short in ["567", "12", "34567"] {
        let again = h.reply(short);
        assert!(again.contains("đủ 4 số cuối"), "help: {short} -> {again}");
    }
    assert_eq!(h.session.failed_checks("DH123456"), 0);
    let wrong = h.reply("1111");
    assert!(wrong.contains("còn 1 lần thử"), "help: {wrong}");
    let status = h.reply("5678");
    assert!(status.contains(SECRET_TRACKING), "help: {status}");
}

#[test]
fn a_contact_that_is_not_a_valid_email_is_never_echoed() {
    let conv = "conversation:\n  agent_hours:\n    days: [mon, tue, wed, thu, fri, sat]\n";
    for hostile in [
        r#"x@y.z"onmouseover="alert(document.cookie)"#,
        "javascript:alert(1)//@x.io",
        "{order_id}@a.bc",
        "<img src=x onerror=alert(1)>@evil.io",
    ] {
        let mut h = Host::new(bot_with(conv));
        h.now = WED_10AM + 13 * HOUR; // 23:00 local: the bot asks for a contact
        h.reply("cho em gặp nhân viên");
        let (_, _, summary, reply) = h.handoff(&format!("email em là {hostile}"));
        assert_eq!(summary.contact, None, "help: {hostile}");
        for bad in ["onmouseover", "javascript", "{", "<", "@"] {
            assert!(!reply.contains(bad), "help: {hostile} echoed: {reply}");
        }
    }
    // A valid one is taken, lowercased.
    let mut h = Host::new(bot_with(conv));
    h.now = WED_10AM + 13 * HOUR;
    h.reply("cho em gặp nhân viên");
    let (_, _, summary, reply) = h.handoff("email: An.Nguyen@Example.com");
    assert_eq!(summary.contact.as_deref(), Some("an.nguyen@example.com"));
    assert!(reply.contains("an.nguyen@example.com"), "help: {reply}");
}

#[test]
fn a_verification_answer_is_not_another_ask_in_the_events() {
    let mut h = Host::default();
    h.reply("đơn DH123456 của em đâu rồi");
    h.reply("1111");
    h.reply("5678");
    let asks = h
        .events
        .iter()
        .filter(|e| {
            e.input == firstline::conversation::InputKind::Message
                && e.intent.as_deref() == Some("track_order")
        })
        .count();
    assert_eq!(asks, 1, "help: {:?}", h.events);
    // The lookup's event still says what it was for.
    assert_eq!(h.last_event().intent.as_deref(), Some("track_order"));
    assert_eq!(
        h.last_event().verification,
        Some(VerificationStatus::Passed)
    );
}

#[test]
fn a_shops_own_id_shape_in_one_line_replaces_the_generic_shapes() {
    let bot = bot_with("conversation:\n  order_id: { patterns: ['^MS\\d{7}$'] }\n");
    let mut h = Host::new(bot.clone());
    let ask = h.reply("where is my order ms-123-4567");
    assert!(
        ask.contains("MS1234567") && ask.contains("last 4"),
        "help: {ask}"
    );
    // The pack's demo shape is not this shop's.
    let mut h = Host::new(bot);
    let ask = h.reply("where is my order DH123456");
    assert_eq!(h.session.pending_slot(), Some("order_id"), "help: {ask}");
}

#[test]
fn a_call_back_request_hands_off_with_the_number_as_contact() {
    for text in [
        "could someone call me back on 0912 345 678?",
        "shop gọi lại cho em qua số 0912.345.678 nhé",
    ] {
        let mut h = shipped_host();
        let (reason, _, summary, _) = h.handoff(text);
        assert_eq!(reason, "customer_request", "help: {text}");
        assert_eq!(
            summary.contact.as_deref(),
            Some("0912345678"),
            "help: {text}"
        );
        assert_eq!(summary.phone.as_deref(), Some("0912345678"), "help: {text}");
    }
}

// ------------------------------------------------------- two requests

/// Two plain questions (shipping fee, payment methods) beside the test
/// rules' order, cancel and handoff intents.
const TWO_PLAIN: &str = r#"
  - id: shipping_fee
    phrases:
      vi: ["phí ship", "phí giao hàng", "tiền ship"]
      en: ["shipping (fee|cost|costs)", "how much * shipping"]
    replies:
      vi: ["Dạ, phí ship toàn quốc là 30.000đ, đơn từ 500.000đ được miễn phí ạ."]
      en: ["Shipping is 30,000 VND anywhere in Vietnam, free from 500,000 VND."]
    quick_replies:
      vi: ["Thời gian giao hàng"]
      en: ["Delivery time"]
  - id: payment_methods
    phrases:
      vi: ["thanh toán (bằng|qua) (momo|thẻ|chuyển khoản)", "(nhận|có) * (momo|chuyển khoản|thẻ)"]
      en: ["(accept|take) * (cards|card|momo|transfer)", "payment methods"]
    replies:
      vi: ["Dạ shop nhận tiền mặt khi nhận hàng (COD), chuyển khoản và ví MoMo ạ."]
      en: ["We take cash on delivery, bank transfer and MoMo."]
    quick_replies:
      vi: ["Lỗi thanh toán"]
      en: ["Payment problem"]
"#;

const FEE_VI: &str = "phí ship toàn quốc là 30.000đ";
const PAY_VI: &str = "hop nhận tiền mặt khi nhận hàng";
const FEE_EN: &str = "Shipping is 30,000 VND";
const PAY_EN: &str = "We take cash on delivery";

fn two_bot(conversation: &str) -> Bot {
    let rules = RULES.replacen("intents:\n", &format!("intents:{TWO_PLAIN}"), 1);
    let m = Matcher::new(&format!("{rules}\n{conversation}"))
        .unwrap_or_else(|e| panic!("test rules do not compile:\n{e}"));
    Bot::builder().seed(1).build(m).unwrap()
}

fn two_host(conversation: &str) -> Host {
    Host::new(two_bot(conversation)).persisted()
}

#[test]
fn two_plain_questions_are_answered_in_one_turn_vi() {
    let mut h = two_host("");
    let out = h.say("phí ship bao nhiêu, với shop có nhận thanh toán momo không");
    let Outcome::Reply {
        text,
        intent,
        quick_replies,
    } = out
    else {
        panic!("help: expected a reply, got {out:?}")
    };
    assert!(
        text.contains(FEE_VI) && text.contains(PAY_VI),
        "help: {text}"
    );
    // The first answer first, one "Dạ" for the whole reply.
    assert!(text.find(FEE_VI) < text.find(PAY_VI), "help: {text}");
    assert!(
        text.starts_with("Dạ") && text.matches("Dạ").count() == 1,
        "help: {text}"
    );
    assert!(text.contains("ạ. Shop nhận"), "help: {text}");
    assert_eq!(intent.as_deref(), Some("shipping_fee"));
    assert_eq!(
        quick_replies,
        ["Thời gian giao hàng"],
        "help: the first intent's buttons"
    );
    let ev = h.last_event();
    assert_eq!(ev.intent.as_deref(), Some("shipping_fee"));
    assert_eq!(ev.also.as_deref(), Some("payment_methods"));
    assert!(ev.to_json_line().contains(r#""also":"payment_methods""#));
    assert!(!h.session.is_waiting());
}

#[test]
fn two_plain_questions_are_answered_in_one_turn_en() {
    let mut h = two_host("");
    let text = h.reply("how much is shipping? and do you accept credit cards?");
    assert!(
        text.contains(FEE_EN) && text.contains(PAY_EN),
        "help: {text}"
    );
    assert!(text.find(FEE_EN) < text.find(PAY_EN), "help: {text}");
    assert!(!text.contains("Dạ"), "help: {text}");
    assert_eq!(h.last_event().also.as_deref(), Some("payment_methods"));
    assert_eq!(h.session.lang(), Some(Lang::En));
}

#[test]
fn a_plain_question_and_an_order_lookup_reveal_nothing_before_the_check() {
    // EN, the question first: the fee, then the check; the order only after it.
    let mut h = two_host("");
    let text = h.reply("where is my order DH123456? and how much is shipping");
    assert!(text.contains(FEE_EN), "help: {text}");
    assert!(text.contains("last 4 digits"), "help: {text}");
    assert!(
        text.find(FEE_EN) < text.find("last 4 digits"),
        "help: {text}"
    );
    assert!(h.lookups.is_empty(), "help: proof first, {:?}", h.lookups);
    assert_eq!(h.session.pending_order(), Some("DH123456"));
    assert_eq!(h.last_event().also.as_deref(), Some("track_order"));
    h.assert_no_secret_leaked();
    let status = h.reply("5678");
    assert!(status.contains(SECRET_TRACKING), "help: {status}");
    assert!(!status.contains(FEE_EN), "help: answered once: {status}");

    // VI, the order first, classic flow: the lookup happens before the
    // check and carries the fee answer to the lookup's reply.
    let mut h = Host::new(two_bot(CLASSIC)).persisted();
    let text = h.reply("đơn DH123456 của em đâu rồi, với phí ship bao nhiêu");
    assert_eq!(h.lookups, ["DH123456"]);
    assert!(
        text.contains(FEE_VI) && text.contains("4 số cuối"),
        "help: {text}"
    );
    assert!(text.find(FEE_VI) < text.find("4 số cuối"), "help: {text}");
    assert_eq!(text.matches("Dạ").count(), 1, "help: {text}");
    h.assert_no_secret_leaked();
    let wrong = h.reply("1111");
    assert!(!wrong.contains(FEE_VI), "help: {wrong}");
    h.assert_no_secret_leaked();
    let status = h.reply("5678");
    assert!(status.contains(SECRET_TRACKING), "help: {status}");
}

#[test]
fn a_plain_question_with_the_answer_keeps_the_pending_question() {
    let mut h = two_host("");
    let ask = h.reply("đơn hàng của em đâu rồi shop");
    assert_eq!(h.session.pending_slot(), Some("order_id"), "help: {ask}");
    // The id and a question: both taken, the check asked.
    let text = h.reply("DH123456 ạ, mà shop có nhận momo không");
    assert!(
        text.contains(PAY_VI) && text.contains("4 số cuối"),
        "help: {text}"
    );
    assert_eq!(h.session.pending_order(), Some("DH123456"));
    h.assert_no_secret_leaked();
    // The proof and a question: the order once verified, the answer first.
    let status = h.reply("5678, mà phí ship bao nhiêu");
    assert_eq!(h.lookups, ["DH123456"]);
    assert!(
        status.contains(FEE_VI) && status.contains(SECRET_TRACKING),
        "help: {status}"
    );
    assert!(
        status.find(FEE_VI) < status.find(SECRET_TRACKING),
        "help: {status}"
    );
    // A wrong proof with a question: counted, the answer given, no detail.
    let mut h = two_host("");
    h.reply("đơn hàng DH123456 của em đâu rồi");
    let wrong = h.reply("1111, mà phí ship bao nhiêu");
    assert!(wrong.contains(FEE_VI), "help: {wrong}");
    assert_eq!(
        h.last_event().verification,
        Some(VerificationStatus::Mismatch)
    );
    assert_eq!(h.session.pending_order(), Some("DH123456"));
    h.assert_no_secret_leaked();
}

#[test]
fn a_handoff_wins_and_the_summary_lists_both_requests() {
    for (text, other) in [
        (
            "em muốn gặp nhân viên, và phí ship bao nhiêu",
            "shipping_fee",
        ),
        (
            "I want to talk to a real person, and how much is shipping?",
            "shipping_fee",
        ),
    ] {
        let mut h = two_host("");
        let (reason, _, summary, reply) = h.handoff(text);
        assert_eq!(reason, "customer_request", "help: {text}");
        assert!(
            !reply.contains(FEE_VI) && !reply.contains(FEE_EN),
            "help: {reply}"
        );
        assert_eq!(summary.topic.as_deref(), Some("contact_human_agent"));
        assert_eq!(summary.also.as_deref(), Some(other), "help: {text}");
        assert!(
            summary.intents.iter().any(|i| i == other)
                && summary.intents.iter().any(|i| i == "contact_human_agent"),
            "help: {:?}",
            summary.intents
        );
        assert!(summary.to_json().contains(r#""also":"shipping_fee""#));
    }
    // A lexicon trigger wins too, and the summary still names both.
    let mut h = two_host("");
    let (reason, _, summary, _) = h.handoff("shop lừa đảo à, phí ship bao nhiêu, nhận momo không");
    assert_eq!(reason, "fraud_accusation");
    assert_eq!(summary.topic.as_deref(), Some("shipping_fee"));
    assert_eq!(summary.also.as_deref(), Some("payment_methods"));
}

#[test]
fn answer_second_request_false_answers_only_the_first() {
    let mut h = two_host("conversation:\n  answer_second_request: false\n");
    let text = h.reply("phí ship bao nhiêu, với shop có nhận thanh toán momo không");
    assert!(
        text.contains(FEE_VI) && !text.contains(PAY_VI),
        "help: {text}"
    );
    assert_eq!(h.last_event().also, None);
    assert!(!h.last_event().to_json_line().contains("also"));
    let (_, _, summary, _) = h.handoff("em muốn gặp nhân viên, và phí ship bao nhiêu");
    assert_eq!(summary.also, None);
    assert!(!summary.to_json().contains("also"));
}

#[test]
fn a_message_with_one_request_is_unchanged() {
    let mut on = two_host("");
    let mut off = two_host("conversation:\n  answer_second_request: false\n");
    for text in [
        "phí ship bao nhiêu",
        "how much is shipping?",
        "đơn hàng DH123456 của em đâu rồi",
        "5678",
    ] {
        assert_eq!(on.say(text), off.say(text), "help: {text}");
        assert_eq!(on.last_event().also, None, "help: {text}");
        assert!(!on.last_event().to_json_line().contains("\"also\""));
    }
    assert_eq!(on.session.to_json(), off.session.to_json());
}

#[test]
fn small_talk_gives_way_to_the_request() {
    // Without `small_talk`, a greeting is a plain reply like any other.
    let mut h = two_host("");
    let both = h.reply("xin chào, phí ship bao nhiêu");
    assert!(
        both.contains("xin chào") && both.contains("30.000đ"),
        "help: {both}"
    );
    let mut h = two_host("conversation:\n  small_talk: [greet]\n");
    let text = h.reply("xin chào, phí ship bao nhiêu");
    assert!(
        text.contains(FEE_VI) && !text.contains("xin chào"),
        "help: {text}"
    );
    // The event names the request, and the greeting as the other one.
    assert_eq!(h.last_event().intent.as_deref(), Some("shipping_fee"));
    assert_eq!(h.last_event().also.as_deref(), Some("greet"));
}

#[test]
fn second_request_settings_are_checked_with_locations() {
    let yaml = format!(
        "{RULES}\nconversation:\n  answer_second_request: sometimes\n  small_talk: [greet, gret]\n"
    );
    let err = Matcher::new(&yaml).unwrap_err();
    let rendered = err.to_string();
    let errs: Vec<_> = err.errors().collect();
    assert_eq!(errs.len(), 2, "help: {rendered}");
    assert!(
        errs.iter().all(|d| d.location().is_some()),
        "help: {rendered}"
    );
    assert!(
        rendered.contains("answer_second_request: sometimes"),
        "help: {rendered}"
    );
    assert!(
        rendered.contains("write `true` or `false`"),
        "help: {rendered}"
    );
    assert!(
        rendered.contains("unknown intent `gret`"),
        "help: {rendered}"
    );
    assert!(
        rendered.contains("did you mean `greet`?"),
        "help: {rendered}"
    );
}

#[test]
fn a_session_waiting_on_a_lookup_with_a_second_answer_round_trips() {
    let bot = two_bot(CLASSIC);
    let mut s = Session::new("two");
    let turn = bot.handle_message(
        &mut s,
        "đơn DH123456 của em đâu rồi, với phí ship bao nhiêu",
        WED_10AM,
    );
    assert!(matches!(turn.outcome, Outcome::LookupOrder { .. }));
    let json = s.to_json();
    assert!(
        json.contains(r#""b":"shipping_fee""#) && json.len() < 400,
        "help: {json}"
    );
    let mut back = Session::from_json(&json).unwrap();
    let order = orders().remove("DH123456").unwrap();
    let next = bot.handle_lookup(&mut back, LookupResult::Found(order), WED_10AM);
    let text = next.outcome.text().unwrap();
    assert!(
        text.contains(FEE_VI) && text.contains("4 số cuối"),
        "help: {text}"
    );
    // A lookup saved before the second answer existed still loads.
    let old = r#"{"v":1,"id":"old","l":"vi","n":1,"s":{"order_id":"DH123456"},"p":{"k":"lookup","i":"track_order","o":"DH123456"}}"#;
    let mut s = Session::from_json(old).unwrap();
    let order = orders().remove("DH123456").unwrap();
    let next = bot.handle_lookup(&mut s, LookupResult::Found(order), WED_10AM);
    let text = next.outcome.text().unwrap();
    assert!(
        text.contains("4 số cuối") && !text.contains(FEE_VI),
        "help: {text}"
    );
}

#[test]
fn shipped_pack_answers_two_requests_in_one_turn() {
    // Two plain questions, each language: both answers, one "Dạ".
    let mut h = shipped_host();
    let text = h.reply("cho em hỏi phí ship bao nhiêu, với shop có nhận thanh toán momo không");
    assert!(
        text.contains("hí ship") && text.contains("MoMo"),
        "help: {text}"
    );
    assert_eq!(text.matches("Dạ").count(), 1, "help: {text}");
    assert_eq!(
        h.last_event().also.as_deref(),
        Some("check_payment_methods")
    );
    let mut h = shipped_host();
    let text = h.reply("how much is shipping? and do you accept credit cards?");
    assert!(
        text.contains("hipping") && text.contains("cash on delivery"),
        "help: {text}"
    );
    // The fee, then the order question; nothing of the order before the check.
    let mut h = shipped_host();
    let text = h.reply("shop ơi đơn em tới đâu rồi, tiện cho em hỏi phí ship luôn");
    assert!(
        text.contains("hí ship") && text.contains("mã đơn"),
        "help: {text}"
    );
    assert_eq!(h.session.pending_slot(), Some("order_id"));
    let verify = h.reply("DH123456");
    assert!(verify.contains("4 số cuối"), "help: {verify}");
    h.assert_no_secret_leaked();
    let status = h.reply("5678");
    assert!(status.contains(SECRET_TRACKING), "help: {status}");
    // A request for a person wins; the agent sees the other question.
    let mut h = shipped_host();
    let (reason, _, summary, _) = h.handoff("em muốn gặp nhân viên, và phí ship bao nhiêu");
    assert_eq!(reason, "customer_request");
    assert_eq!(summary.also.as_deref(), Some("delivery_options"));
    // A greeting with a request: the request answers (small_talk).
    let mut h = shipped_host();
    let text = h.reply("chào shop, đơn em tới đâu rồi");
    assert!(
        text.contains("mã đơn") && !text.contains("chào"),
        "help: {text}"
    );
}
