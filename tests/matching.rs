//! Matching behaviour: diacritic priority, typo tolerance, negative terms,
//! ambiguity, entities, language, explanations, and robustness.

use firstline::matcher::ContributionKind;
use firstline::{Config, Lang, Matcher};
use proptest::prelude::*;

const RULES: &str = r#"
version: 1
settings:
  shop_name: "Hoa Mai"
abbreviations:
  vi:
    "tt": "thanh toán"
concepts:
  order:
    vi: ["đơn hàng", "đơn", "mã đơn"]
    en: ["order", "package", "parcel"]
  refund:
    vi: ["hoàn tiền", "trả tiền lại"]
    en: ["refund", "money back"]
entities:
  order_id:
    pattern: '(?i)(?:^|[^\p{L}\d])#?(?P<value>[A-Z]{2}\d{6,10})(?-u:\b)'
    normalize: order_id
  phone:
    pattern: '(?:\+?84|0)[\d .-]{8,13}\d'
    normalize: phone
  email:
    pattern: '[\w.+-]+@[\w-]+(?:\.[\w-]+)+'
    normalize: email
  money:
    pattern: '(?i)\d[\d.,]*\s*(?:k|tr\d*|triệu|nghìn|đ|vnđ|vnd|₫)(?:\b|$)'
    normalize: money
lexicons:
  anger:
    severity: 2
    terms:
      vi: ["lừa đảo", "bóc phốt"]
      en: ["scam"]
intents:
  - id: track_order
    phrases:
      vi: ["@order * (đâu|tới đâu|đến đâu)", "kiểm tra * @order", "theo dõi @order"]
      en: ["where * @order", "track * @order", "tracking"]
    exclude:
      vi: ["hủy"]
      en: ["cancel"]
    slots: [order_id]
    action: lookup_order
    examples:
      vi: ["Đơn hàng của em tới đâu rồi shop?", "đh của e tới đâu r shop"]
      en: ["Where is my order?"]
    counter_examples:
      vi: ["em muốn hủy đơn hàng"]
  - id: cancel_order
    phrases:
      vi: ["(hủy|huỷ) [@order]"]
      en: ["cancel * @order"]
    examples:
      vi: ["hủy đơn giúp em"]
      en: ["please cancel my order"]
  - id: change_order
    phrases:
      vi: ["(đổi|thay đổi) @order"]
      en: ["change * @order"]
  - id: get_refund
    phrases:
      vi: ["@refund"]
      en: ["@refund", "get * @refund"]
    patterns:
      - 'chargeback'
  - id: sell
    description: The customer wants to sell through the shop.
    phrases:
      vi: ["bán hàng"]
  - id: furniture
    phrases:
      vi: ["bàn"]
  - id: payment
    priority: 1
    phrases:
      vi: ["thanh toán"]
      en: ["pay", "payment"]
"#;

fn matcher() -> Matcher {
    static M: std::sync::OnceLock<Matcher> = std::sync::OnceLock::new();
    M.get_or_init(|| Matcher::new(RULES).unwrap_or_else(|e| panic!("{e}")))
        .clone()
}

macro_rules! intent_cases {
    ($name:ident: $($text:expr => $want:expr),+ $(,)?) => {
        #[test]
        fn $name() {
            let m = matcher();
            for (text, want) in [$(($text, $want)),+] {
                let c = m.classify(text);
                assert_eq!(
                    c.intent_id(),
                    want,
                    "\ninput: {text:?}\nranked: {:?}\nhelp: see `firstline explain`",
                    c.ranked
                );
            }
        }
    };
}

intent_cases!(vietnamese_with_and_without_diacritics:
    "Đơn hàng của tôi đâu rồi?" => Some("track_order"),
    "don hang cua toi dau roi" => Some("track_order"),
    "đh của e tới đâu r shop" => Some("track_order"),
    "DON HANG CUA EM DEN DAU ROI" => Some("track_order"),
    "Đơn hàng của em tới đâu rồi shop?" => Some("track_order"),
    "kiểm tra giúp em đơn hàng với" => Some("track_order"),
    "kiem tra don giup e" => Some("track_order"),
    "em muốn hoàn tiền" => Some("get_refund"),
    "cho minh hoan tien nha" => Some("get_refund"),
);

intent_cases!(decomposed_mojibake_and_telex_match_the_same:
    "\u{0110}o\u{031B}n ha\u{0300}ng cu\u{0309}a em \u{0111}a\u{0302}u" => Some("track_order"),
    "Ä‘Æ¡n hÃ ng cá»§a em Ä‘Ã¢u" => Some("track_order"),
    "ddown hangf cuar em ddaau" => Some("track_order"),
    "d9o7n ha2ng cu3a em d9a6u" => Some("track_order"),
);

intent_cases!(english_and_typos:
    "where is my order" => Some("track_order"),
    "Where's my package??" => Some("track_order"),
    "where is my odrer" => Some("track_order"),
    "I want to track my parcel" => Some("track_order"),
    "trakcing" => Some("track_order"),
    "I'd like a refund" => Some("get_refund"),
    "refnud please" => Some("get_refund"),
    "can I get my money back" => Some("get_refund"),
    "I will file a chargeback" => Some("get_refund"),
);

intent_cases!(off_topic_gets_no_intent:
    "hôm nay trời đẹp quá" => None,
    "what's the weather like" => None,
    "" => None,
    "???!!!" => None,
    "😀😀😀" => None,
);

#[test]
fn negative_terms_veto_an_intent() {
    let m = matcher();
    let c = m.classify("em muốn hủy đơn hàng");
    assert_eq!(c.intent_id(), Some("cancel_order"), "{:?}", c.ranked);
    assert!(
        c.ranked.iter().all(|s| &*s.intent != "track_order"),
        "exclude `hủy` must remove track_order: {:?}",
        c.ranked
    );
    let c = m.classify("cancel my order, where is it anyway");
    assert!(c.ranked.iter().all(|s| &*s.intent != "track_order"));
}

#[test]
fn exact_diacritics_score_above_folded() {
    let m = matcher();
    // Typed with diacritics: "bán hàng" is selling, and must not be read as
    // "bàn" (table) even though both fold to "ban".
    let c = m.classify("bán hàng");
    assert_eq!(c.intent_id(), Some("sell"));
    assert!(
        c.ranked.iter().all(|s| &*s.intent != "furniture"),
        "{:?}",
        c.ranked
    );
    let c = m.classify("cái bàn này còn không");
    assert_eq!(c.intent_id(), Some("furniture"));
    assert!(c.ranked.iter().all(|s| &*s.intent != "sell"));
    // Typed without diacritics, folded rules still match, a little lower.
    let exact = m.classify("bán hàng").confidence;
    let folded = m.classify("ban hang");
    assert_eq!(folded.intent_id(), Some("sell"));
    assert!(
        exact > folded.confidence,
        "exact {exact} must beat folded {}",
        folded.confidence
    );
}

#[test]
fn english_words_do_not_match_folded_vietnamese() {
    let m = Matcher::new(
        r#"
version: 1
concepts:
  invoice:
    vi: ["hóa đơn"]
    en: ["receipt", "invoice"]
intents:
  - id: get_invoice
    phrases:
      vi: ["cần ** @invoice"]
  - id: get_refund
    phrases:
      en: ["i want a refund"]
"#,
    )
    .unwrap();
    // Typed without diacritics, Vietnamese still matches...
    assert_eq!(
        m.classify("em can hoa don").intent_id(),
        Some("get_invoice")
    );
    // ...but in an English message "can" is English, not cần.
    let c = m.classify("can I have a receipt please");
    assert_eq!(c.lang, Lang::En);
    assert_eq!(c.intent_id(), None, "{:?}", c.ranked);
    // English phrases keep their "a" (Vietnamese teencode reads it as anh).
    assert_eq!(
        m.classify("I want a refund").intent_id(),
        Some("get_refund")
    );
}

#[test]
fn close_scores_are_flagged_ambiguous() {
    let m = matcher();
    let c = m.classify("hủy đơn hay đổi đơn");
    assert!(c.ambiguous, "{:?}", c.ranked);
    let ids: Vec<&str> = c.ranked.iter().take(2).map(|s| &*s.intent).collect();
    assert!(ids.contains(&"cancel_order") && ids.contains(&"change_order"));
    let c = m.classify("em muốn hủy đơn hàng");
    assert!(!c.ambiguous);
}

#[test]
fn priority_breaks_near_ties() {
    let m = matcher();
    // "thanh toán" (payment, priority 1) and "hoàn tiền" (refund, 0) score
    // the same; priority decides.
    let c = m.classify("thanh toán hoàn tiền");
    assert_eq!(c.intent_id(), Some("payment"), "{:?}", c.ranked);
}

#[test]
fn rule_abbreviations_extend_the_table() {
    let m = matcher();
    assert_eq!(
        m.classify("tt bằng thẻ được không").intent_id(),
        Some("payment")
    );
}

#[test]
fn confidence_threshold_is_configurable() {
    let mut config = Config::default();
    config.threshold = 0.99;
    let strict = Matcher::builder()
        .config(config)
        .add_yaml("r.yaml", RULES)
        .build();
    // Examples no longer pass at 0.99: the strict build must say so.
    let err = strict.unwrap_err();
    assert!(
        err.to_string().contains("below the threshold 0.99"),
        "{err}"
    );
    let mut config = Config::default();
    config.threshold = 0.99;
    config.check_examples = false;
    let strict = Matcher::builder()
        .config(config)
        .add_yaml("r.yaml", RULES)
        .build()
        .unwrap();
    let c = strict.classify("refund");
    assert_eq!(c.intent_id(), None);
    assert_eq!(c.ranked[0].intent.as_ref(), "get_refund");
    for c in [c.confidence, matcher().classify("refund").confidence] {
        assert!((0.0..=1.0).contains(&c));
    }
}

#[test]
fn entities_with_spans_in_the_original() {
    let m = matcher();
    let text = "Đơn #dh123456 của em, sđt 0912.345.678, email An.Nguyen@Gmail.com, đã trả 1.500.000đ và 200k";
    let c = m.classify(text);
    let get = |name: &str| -> Vec<(String, &str)> {
        c.entities
            .iter()
            .filter(|e| &*e.name == name)
            .map(|e| (e.value.clone(), &text[e.span.clone()]))
            .collect()
    };
    assert_eq!(get("order_id"), vec![("DH123456".to_string(), "dh123456")]);
    assert_eq!(
        get("phone"),
        vec![("0912345678".to_string(), "0912.345.678")]
    );
    assert_eq!(
        get("email"),
        vec![("an.nguyen@gmail.com".to_string(), "An.Nguyen@Gmail.com")]
    );
    assert_eq!(
        get("money"),
        vec![
            ("1500000 VND".to_string(), "1.500.000đ"),
            ("200000 VND".to_string(), "200k")
        ]
    );
}

#[test]
fn entity_spans_survive_mojibake_repair() {
    let m = matcher();
    let text = "Ä‘Æ¡n DH654321 cá»§a em Ä‘Ã¢u";
    let c = m.classify(text);
    let e = c.entity("order_id").expect("order id");
    assert_eq!(e.value, "DH654321");
    assert_eq!(&text[e.span.clone()], "DH654321");
}

#[test]
fn lexicon_hits_are_reported() {
    let m = matcher();
    let text = "shop lừa đảo, đơn hàng của tôi đâu";
    let c = m.classify(text);
    assert_eq!(c.intent_id(), Some("track_order"));
    assert_eq!(c.lexicon_hits.len(), 1);
    let h = &c.lexicon_hits[0];
    assert_eq!((&*h.lexicon, h.severity), ("anger", 2));
    assert_eq!(&text[h.span.clone()], "lừa đảo");
    assert_eq!(m.classify("lua dao").lexicon_hits.len(), 1);
    assert_eq!(m.classify("this is a SCAM").lexicon_hits.len(), 1);
}

#[test]
fn language_detection() {
    let m = matcher();
    for (text, lang) in [
        ("Đơn hàng của em đâu", Lang::Vi),
        ("don hang cua em dau roi shop", Lang::Vi),
        ("where is my order", Lang::En),
        ("I want a refund please", Lang::En),
        ("cho em hỏi", Lang::Vi),
    ] {
        assert_eq!(m.classify(text).lang, lang, "{text}");
    }
}

#[test]
fn function_words_decide_the_language_over_rule_vocabulary() {
    // Concepts bring English synonyms into Vietnamese phrases, so "want"
    // and "i" are rule words of both languages here; they are still English.
    let m = Matcher::new(
        r#"
version: 1
concepts:
  want:
    vi: ["muốn", "cần"]
    en: ["want", "need", "i want"]
intents:
  - id: get_refund
    phrases:
      vi: ["@want ** hoàn tiền", "@want ** refund"]
"#,
    )
    .unwrap();
    assert_eq!(m.classify("I want a refund").lang, Lang::En);
    assert_eq!(m.classify("em muốn hoàn tiền").lang, Lang::Vi);
    assert_eq!(m.classify("e muon refund").lang, Lang::Vi);
}

#[test]
fn explanation_lists_what_fired() {
    let m = matcher();
    let e = m.explain("where is my odrer, tracking DH123456");
    assert_eq!(e.classification.intent_id(), Some("track_order"));
    assert_eq!(e.corrections.len(), 1);
    assert_eq!(
        (e.corrections[0].from.as_str(), e.corrections[0].to.as_str()),
        ("odrer", "order")
    );
    let phrase = e
        .contributions
        .iter()
        .find(|c| c.kind == ContributionKind::Phrase && &*c.rule == "where * @order")
        .expect("the phrase that fired");
    assert_eq!(phrase.how, firstline::matcher::HowMatched::Corrected);
    assert!(
        phrase.location.starts_with("<rules>:"),
        "{}",
        phrase.location
    );
    assert!(e.tokens.contains(&"order".to_string()));
    // Everyday English words are not typos of rule words, however close.
    let nick = Matcher::new(
        "version: 1\nintents:\n  - id: account\n    phrases: [\"nick\", \"order\", \"tracking\"]\n",
    )
    .unwrap();
    let e = nick.explain("have a nice day, the older one");
    assert!(e.corrections.is_empty(), "{:?}", e.corrections);
    assert_eq!(e.classification.intent_id(), None);
    let e = nick.explain("trakcing my ordr");
    assert_eq!(e.corrections.len(), 2, "{:?}", e.corrections);
    // Other forms of English rule words find them (plurals of short ones too).
    let fee = Matcher::new(
        "version: 1\nintents:\n  - id: shipping_fee\n    phrases:\n      en: [\"shipping fee\", \"how many day\"]\n",
    )
    .unwrap();
    assert_eq!(
        fee.classify("what are the shipping fees").intent_id(),
        Some("shipping_fee")
    );
    assert_eq!(
        fee.classify("how many days").intent_id(),
        Some("shipping_fee")
    );
    let e = m.explain("em muốn hủy đơn hàng");
    assert!(e
        .contributions
        .iter()
        .any(|c| c.kind == ContributionKind::Exclude && &*c.intent == "track_order"));
    let e = m.explain("chargeback");
    assert!(e
        .contributions
        .iter()
        .any(|c| c.kind == ContributionKind::Pattern));
}

#[test]
fn matcher_is_send_sync_and_shared() {
    fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync::<Matcher>();
    let m = matcher();
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let m = m.clone();
            std::thread::spawn(move || {
                m.classify("đơn hàng của em đâu")
                    .intent_id()
                    .map(str::to_string)
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap().as_deref(), Some("track_order"));
    }
}

#[test]
fn intents_and_settings_are_exposed() {
    let m = matcher();
    let t = m.intent("track_order").unwrap();
    assert_eq!(t.slots, vec!["order_id".to_string()]);
    assert_eq!(t.action, firstline::matcher::Action::LookupOrder);
    assert_eq!(
        m.intent("sell").unwrap().description.as_deref(),
        Some("The customer wants to sell through the shop.")
    );
    assert_eq!(
        m.settings().get("shop_name").map(String::as_str),
        Some("Hoa Mai")
    );
    assert_eq!(m.intents().len(), 7);
}

#[test]
fn huge_inputs_are_cut_and_finish() {
    let m = matcher();
    let long = "đơn hàng của em đâu rồi ".repeat(40_000);
    let c = m.classify(&long);
    assert_eq!(c.intent_id(), Some("track_order"));
    // Only the first `max_message_bytes` are read: an order id past the
    // cut is not seen, one before it is.
    let tail = format!("{long} DH123456");
    assert!(m.classify(&tail).entity("order_id").is_none());
    let head = format!("DH123456 {long}");
    assert!(m.classify(&head).entity("order_id").is_some());
    let noise: String = (0..200_000u32)
        .map(|i| char::from_u32(0x300 + (i % 0x70)).unwrap_or('a'))
        .collect();
    let _ = m.classify(&noise);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn classify_never_panics_and_spans_are_valid(text in "\\PC{0,80}") {
        let m = matcher();
        let e = m.explain(&text);
        let c = &e.classification;
        prop_assert!((0.0..=1.0).contains(&c.confidence));
        for span in c.entities.iter().map(|e| e.span.clone())
            .chain(c.lexicon_hits.iter().map(|h| h.span.clone()))
            .chain(e.corrections.iter().map(|c| c.span.clone()))
            .chain(e.contributions.iter().map(|c| c.span.clone()))
        {
            prop_assert!(span.start <= span.end && span.end <= text.len());
            prop_assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
        }
    }

    #[test]
    fn vietnamese_soup_never_panics(text in "[đĐơƯăâêôàáảãạ\u{0300}-\u{0323}a-z0-9 #@.,!?k]{0,60}") {
        let m = matcher();
        let _ = m.classify(&text);
    }

    #[test]
    fn compiler_never_panics_on_arbitrary_yaml(yaml in "\\PC{0,200}") {
        let _ = Matcher::new(&yaml);
    }

    #[test]
    fn compiler_never_panics_on_arbitrary_phrases(phrase in "[a-zđơ()\\[\\]|*@ ]{0,40}") {
        let yaml = format!("version: 1\nconcepts:\n  a: [\"x\"]\nintents:\n  - id: t\n    phrases: [{:?}]\n", phrase);
        if let Ok(m) = Matcher::new(&yaml) {
            let _ = m.classify(&phrase);
        }
    }
}
