//! Scoring: evidence against an intent lowers it instead of deleting it, a
//! veto reverses only the words it touches, confidence follows the request
//! rather than the message's length, two requests are both ranked, and
//! `explain` shows the arithmetic.

use firstline::{pack, Matcher};

fn intent(m: &Matcher, text: &str) -> Option<String> {
    m.classify(text).intent.map(|s| s.to_string())
}

/// Messages that mention a word of another intent's topic (an `exclude`
/// of the intent they belong to) still get the intent they state clearly.
#[test]
fn a_clear_request_survives_a_word_of_another_topic() {
    let m = pack::matcher();
    for (text, want) in [
        // "when" is evidence for a timing question, not a veto.
        ("when can I return the cream?", "get_refund"),
        // "account" belongs to the account intents.
        ("I'd like a refund to my bank account", "get_refund"),
        // "order now" is how purchases start, but here it asks where.
        ("where is my order now", "track_order"),
    ] {
        let c = m.classify(text);
        assert_eq!(c.intent_id(), Some(want), "{text}: {:?}", c.ranked);
    }
}

const VETO_RULES: &str = r#"
version: 1
intents:
  - id: track_order
    phrases:
      vi: ["chưa (nhận được|thấy) hàng", "đơn * (đâu|tới đâu)"]
      en: ["where * order", "not (received|got) * order"]
  - id: order_received
    phrases:
      vi: ["nhận được hàng"]
      en: ["(received|got) * order"]
    exclude:
      vi: ["đâu"]
    veto:
      vi: ["chưa"]
      en: ["not", "never"]
  - id: cancel_order
    phrases:
      vi: ["hủy đơn"]
      en: ["cancel * order"]
    veto:
      vi: ["không muốn"]
      en: ["not cancel but"]
  - id: change_order
    phrases:
      vi: ["đổi (size|màu)"]
      en: ["change * order"]
    exclude:
      en: ["cancel"]
"#;

#[test]
fn a_veto_reverses_the_phrase_it_touches() {
    let m = Matcher::new(VETO_RULES).unwrap();
    assert_eq!(
        intent(&m, "em nhận được hàng rồi"),
        Some("order_received".into())
    );
    let c = m.classify("em chưa nhận được hàng");
    assert_eq!(c.intent_id(), Some("track_order"), "{:?}", c.ranked);
    assert!(
        c.ranked.iter().all(|s| &*s.intent != "order_received"),
        "the veto must remove the match it precedes: {:?}",
        c.ranked
    );
    assert_eq!(intent(&m, "I got my order"), Some("order_received".into()));
    assert_eq!(
        intent(&m, "I have not received my order"),
        Some("track_order".into())
    );
    // Not X but Y: the veto removes "cancel ... order", and a negated
    // "cancel" is no evidence against changing.
    assert_eq!(
        intent(&m, "not cancel but change my order"),
        Some("change_order".into())
    );
    assert_eq!(
        intent(&m, "please cancel my order"),
        Some("cancel_order".into())
    );
    assert_eq!(
        intent(&m, "em không muốn hủy đơn, em muốn đổi size"),
        Some("change_order".into())
    );
}

#[test]
fn a_veto_is_scoped_to_nearby_words() {
    let m = Matcher::new(VETO_RULES).unwrap();
    // "chưa" is four words before "nhận được hàng": it negates the payment,
    // not the delivery.
    let c = m.classify("em chưa thanh toán xong nhưng đã nhận được hàng rồi");
    assert_eq!(c.intent_id(), Some("order_received"), "{:?}", c.ranked);
    // The veto lists the phrase it removed.
    let ex = m.explain("em chưa nhận được hàng");
    let vetoed: Vec<_> = ex
        .contributions
        .iter()
        .filter(|k| k.kind == firstline::matcher::ContributionKind::Vetoed)
        .collect();
    assert_eq!(vetoed.len(), 1, "{:?}", ex.contributions);
    assert_eq!(&*vetoed[0].intent, "order_received");
    assert_eq!(vetoed[0].vetoed_by.as_deref(), Some("chưa"));
}

#[test]
fn an_exclude_lowers_the_score_and_decides_between_close_intents() {
    let m = Matcher::new(VETO_RULES).unwrap();
    // Alone, "nhận được hàng" is order_received; with "đâu" (an exclude of
    // order_received) it still is, at a lower score, as nothing else
    // matched those words.
    let plain = m.classify("em nhận được hàng");
    let against = m.classify("em nhận được hàng đâu");
    assert_eq!(against.intent_id(), Some("order_received"));
    assert!(
        against.ranked[0].score < plain.ranked[0].score,
        "{:?} vs {:?}",
        against.ranked,
        plain.ranked
    );
    // "change my order, cancel it" has both; the exclude of change_order
    // lets cancel_order win the words they share.
    let c = m.classify("change or cancel my order");
    assert_eq!(c.intent_id(), Some("cancel_order"), "{:?}", c.ranked);
}

/// Confidence follows the request: a greeting with small talk after it
/// greets, and a long message whose request sits in one clause keeps it.
#[test]
fn extra_words_do_not_sink_a_clear_request() {
    let m = pack::matcher();
    let t = m.config().threshold;
    let c = m.classify("hi, how are you");
    assert_eq!(c.intent_id(), Some("greet"), "{:?}", c.ranked);
    assert!(c.confidence >= t);
    let c = m.classify(
        "chào shop, em đặt cái váy hôm thứ 2, mã DH778812, giờ vẫn chưa thấy giao, shop kiểm tra giúp em với ạ",
    );
    assert_eq!(c.intent_id(), Some("track_order"), "{:?}", c.ranked);
}

#[test]
fn two_requests_are_both_ranked() {
    let m = pack::matcher();
    for (text, a, b) in [
        (
            "cancel my order and where is my refund",
            "track_refund",
            "cancel_order",
        ),
        (
            "hủy đơn giúp em, và cho em hỏi khi nào được hoàn tiền",
            "track_refund",
            "cancel_order",
        ),
    ] {
        let c = m.classify(text);
        let mut got: Vec<&str> = c.intent_id().into_iter().collect();
        got.extend(c.also.iter().map(|s| &*s.intent));
        got.sort_unstable();
        let mut want = vec![a, b];
        want.sort_unstable();
        assert_eq!(got, want, "{text}: {:?} also {:?}", c.intent, c.also);
        assert!(c.also.iter().all(|s| s.confidence >= m.config().threshold));
    }
    // One request: nothing else.
    assert!(m.classify("em muốn hủy đơn hàng").also.is_empty());
}

#[test]
fn explain_shows_the_arithmetic() {
    let m = pack::matcher();
    let ex = m.explain("đơn hàng của em tới đâu rồi, mã DH123456");
    let c = &ex.classification;
    let top = &ex.scores[0];
    assert_eq!(Some(&top.intent), c.intent.as_ref());
    // The score and the confidence follow from the terms shown.
    let score = (top.best + top.extra_share * top.extra_words + top.regex)
        * top.weight
        * top.exclude_factor.powi(top.excludes as i32);
    assert!((score - top.score).abs() < 1e-4, "{top:?}");
    let strength = 1.0 - (-top.score / top.score_scale).exp();
    let contest = if top.rival.is_some() {
        (top.rival_score / top.score).min(1.0)
    } else {
        0.0
    };
    let confidence = (top.score_share * strength
        + top.coverage_share * top.covered as f32 / top.request_words as f32
        - top.rival_share * contest)
        .clamp(0.0, 1.0);
    assert!((confidence - top.confidence).abs() < 1e-4, "{top:?}");
    assert!((confidence - c.confidence).abs() < 1e-4);
    let shown = top.to_string();
    assert!(shown.starts_with("score = ("), "{shown}");
    assert!(
        shown.ends_with(&format!("= {:.2}", top.confidence)),
        "{shown}"
    );
    // An exclude shows its factor.
    let ex = m.explain("I want to cancel my order, is there a fee");
    let cancel = ex
        .scores
        .iter()
        .find(|s| &*s.intent == "cancel_order")
        .unwrap();
    assert!(cancel.excludes >= 1, "{cancel:?}");
    assert!(cancel.to_string().contains("excludes"), "{cancel}");
}

#[test]
fn a_regex_contribution_has_its_span() {
    let m = Matcher::new(
        r#"
version: 1
intents:
  - id: refund_amount
    patterns: ['hoàn\s+(\d+)k']
"#,
    )
    .unwrap();
    let msg = "Shop ơi hoàn 150k cho em chưa ạ";
    let ex = m.explain(msg);
    let k = &ex.contributions[0];
    assert_eq!(&msg[k.span.clone()], "hoàn 150k");
    assert_eq!(ex.classification.intent_id(), Some("refund_amount"));
}

/// Question particles are not what a request is about: a keyword in a short
/// Vietnamese question explains the whole request.
#[test]
fn question_particles_are_not_request_words() {
    let m = Matcher::new(
        r#"
version: 1
intents:
  - id: promotions
    phrases:
      vi: ["sale", "khuyến mãi"]
"#,
    )
    .unwrap();
    for text in ["có sale gì không shop", "co sale ko ad"] {
        let ex = m.explain(text);
        assert_eq!(ex.classification.intent_id(), Some("promotions"), "{text}");
        let s = &ex.scores[0];
        assert_eq!((s.covered, s.request_words), (1, 1), "{text}: {s}");
    }
    // A content word of the same clause still counts.
    let s = &m.explain("có sale áo khoác không shop").scores[0];
    assert_eq!((s.covered, s.request_words), (1, 3), "{s}");
}

/// A particle that a phrase matched is part of the request for every
/// intent: "không ... được" makes a registration a problem.
#[test]
fn matched_particles_are_request_words() {
    let m = Matcher::new(
        r#"
version: 1
intents:
  - id: create_account
    phrases:
      vi: ["đăng ký * tài khoản"]
  - id: registration_problems
    weight: 1.2
    phrases:
      vi: ["không đăng ký được"]
"#,
    )
    .unwrap();
    let ex = m.explain("không đăng ký được tài khoản shop ơi");
    let create = ex
        .scores
        .iter()
        .find(|s| &*s.intent == "create_account")
        .unwrap();
    // "không" and "được" count against create_account, which does not
    // explain them.
    assert_eq!((create.covered, create.request_words), (4, 6), "{create}");
    assert_eq!(
        ex.classification.intent_id(),
        Some("registration_problems"),
        "{:?}",
        ex.classification.ranked
    );
}

/// A gap in a phrase stays within one sentence: two questions in two
/// sentences are two requests, not one phrase stretched over both.
#[test]
fn a_phrase_gap_does_not_join_two_sentences() {
    let yaml = r#"
version: 1
intents:
  - id: delivery_options
    phrases:
      vi: ["ship (ra|về|tới) ** (không|ko)", "phí ship"]
      en: ["ship ** (hanoi|saigon)"]
  - id: check_payment_methods
    phrases:
      vi: ["(nhận|dùng) (cod|momo)"]
      en: ["accept (cash|card)"]
"#;
    let m = Matcher::new(yaml).unwrap();
    // In one sentence the gap reaches: one request.
    let one = m.classify("ship ra Hà Nội được không");
    assert_eq!(one.intent_id(), Some("delivery_options"));
    // Over a question mark it does not: the first sentence holds only
    // "phí ship", the second the payment question, and both are ranked.
    let two = m.classify("Phí ship ra Hà Nội bao nhiêu? Shop có nhận COD không ạ");
    let spans: Vec<_> = m
        .explain("Phí ship ra Hà Nội bao nhiêu? Shop có nhận COD không ạ")
        .contributions
        .iter()
        .filter(|c| &*c.intent == "delivery_options")
        .map(|c| c.span.clone())
        .collect();
    assert!(
        spans
            .iter()
            .all(|s| s.end <= "Phí ship ra Hà Nội bao nhiêu?".len()),
        "a delivery phrase reached into the second sentence: {spans:?}"
    );
    let mut got: Vec<&str> = two.intent_id().into_iter().collect();
    got.extend(two.also.iter().map(|s| &*s.intent));
    got.sort_unstable();
    assert_eq!(
        got,
        ["check_payment_methods", "delivery_options"],
        "{two:?}"
    );
    assert!(!two.ambiguous, "{two:?}");

    // The shipped pack answers both questions, in both languages.
    let pack = pack::matcher();
    for text in [
        "Phí ship ra Hà Nội bao nhiêu? Shop có nhận COD không ạ",
        "how much is shipping to Hanoi? do you accept cash on delivery",
    ] {
        let c = pack.classify(text);
        let mut got: Vec<&str> = c.intent_id().into_iter().collect();
        got.extend(c.also.iter().map(|s| &*s.intent));
        got.sort_unstable();
        assert_eq!(
            got,
            ["check_payment_methods", "delivery_options"],
            "{text}: {c:?}"
        );
    }
}
