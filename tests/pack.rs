//! The shipped rule pack: it is what `rules/` says, it compiles, it has the
//! intents the conversation layer relies on, and it keeps a measured
//! accuracy on the development set (`tests/data/devset.tsv`).

use std::path::Path;

use firstline::matcher::Action;
use firstline::{eval, pack, Lang, Matcher};

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn embedded_sources_equal_the_files_on_disk() {
    let mut on_disk: Vec<(String, String)> = std::fs::read_dir(manifest_dir().join("rules"))
        .expect("rules/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .map(|p| {
            let name = format!("rules/{}", p.file_name().unwrap().to_string_lossy());
            (
                name,
                std::fs::read_to_string(&p).expect("readable rule file"),
            )
        })
        .collect();
    on_disk.sort();
    let embedded: Vec<(String, String)> = pack::sources()
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    let names = |v: &[(String, String)]| v.iter().map(|x| x.0.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(&embedded),
        names(&on_disk),
        "help: list every rules/*.yaml file in src/pack.rs, sorted by path"
    );
    for ((name, a), (_, b)) in embedded.iter().zip(&on_disk) {
        assert!(a == b, "{name} differs from the embedded copy; rebuild");
    }
}

#[test]
fn pack_compiles_without_errors() {
    let mut builder = Matcher::builder();
    for (name, text) in pack::sources() {
        builder.add_yaml(name, text);
    }
    if let Err(e) = builder.build() {
        panic!("the shipped pack does not compile:\n{e}");
    }
    // The directory on disk compiles the same way.
    Matcher::from_path(manifest_dir().join("rules")).expect("rules/ compiles");
}

const INTENTS: &[&str] = &[
    "place_order",
    "cancel_order",
    "change_order",
    "track_order",
    "check_cancellation_fee",
    "delivery_options",
    "delivery_period",
    "change_shipping_address",
    "set_up_shipping_address",
    "check_payment_methods",
    "payment_issue",
    "check_invoice",
    "get_invoice",
    "check_refund_policy",
    "get_refund",
    "track_refund",
    "create_account",
    "delete_account",
    "edit_account",
    "switch_account",
    "recover_password",
    "registration_problems",
    "newsletter_subscription",
    "complaint",
    "review",
    "contact_customer_service",
    "contact_human_agent",
    "product_availability",
    "warranty",
    "promotions",
    "store_info",
    "greet",
    "thanks",
    "goodbye",
    "fallback",
];

#[test]
fn pack_has_every_intent_with_replies_in_both_languages() {
    let m = pack::matcher();
    for id in INTENTS {
        let intent = m
            .intent(id)
            .unwrap_or_else(|| panic!("intent `{id}` missing"));
        for lang in [Lang::Vi, Lang::En] {
            assert!(
                intent.replies.get(lang).len() >= 2,
                "`{id}` needs at least 2 reply variants in {lang:?}"
            );
        }
    }
    assert_eq!(m.intents().len(), INTENTS.len(), "unexpected extra intents");
    for id in [
        "track_order",
        "cancel_order",
        "change_order",
        "change_shipping_address",
        "track_refund",
        "get_invoice",
    ] {
        assert_eq!(m.intent(id).unwrap().slots, ["order_id"], "{id} slots");
    }
    for id in ["track_order", "track_refund"] {
        assert_eq!(m.intent(id).unwrap().action, Action::LookupOrder, "{id}");
    }
    assert_eq!(
        m.intent("contact_human_agent").unwrap().action,
        Action::Handoff
    );
    let fallback = m.intent("fallback").unwrap();
    assert!(!fallback.quick_replies.is_empty(), "fallback offers topics");
}

#[test]
fn every_reply_placeholder_is_a_setting_or_a_slot() {
    let m = pack::matcher();
    for intent in m.intents() {
        for text in intent.replies.vi.iter().chain(&intent.replies.en) {
            let mut rest = text.as_str();
            while let Some(start) = rest.find('{') {
                let end = rest[start..].find('}').expect("closed placeholder") + start;
                let key = &rest[start + 1..end];
                // Slot values ({order_id}) are filled in by the conversation
                // engine once the slot is known; everything else is a setting.
                assert!(
                    m.settings().contains_key(key) || intent.slots.iter().any(|s| s == key),
                    "`{}` uses {{{key}}} but it is neither a setting in rules/settings.yaml \
                     nor one of its slots",
                    intent.id
                );
                rest = &rest[end + 1..];
            }
        }
    }
}

#[test]
fn entities_extract_order_ids_phones_emails_and_money() {
    let m = pack::matcher();
    let cases = [
        ("kiểm tra đơn DH123456 giúp em", "order_id", "DH123456"),
        ("mã đơn #558812 ạ", "order_id", "558812"),
        ("đơn 2411250ABCDEF tới đâu rồi", "order_id", "2411250ABCDEF"),
        ("order no. 77881234", "order_id", "77881234"),
        ("sdt em 0912.345.678", "phone", "0912345678"),
        ("email An.Nguyen@Gmail.com", "email", "an.nguyen@gmail.com"),
        ("em chuyển khoản 200k rồi", "money", "200000 VND"),
        ("đơn đh123456 đâu rồi", "order_id", "DH123456"),
        ("ma don: dh-123456", "order_id", "DH123456"),
        ("Ä‘Æ¡n DH654321 cá»§a em", "order_id", "DH654321"),
        ("sdt +84 912 345 678 nha", "phone", "0912345678"),
        ("giá 1.500.000đ, ship 30k nhé", "money", "1500000 VND"),
        ("chuyển 2 củ rồi", "money", "2000000 VND"),
    ];
    for (text, name, value) in cases {
        let c = m.classify(text);
        let got = c.entity(name).map(|e| e.value.as_str());
        assert_eq!(got, Some(value), "{name} in {text:?}: {:?}", c.entities);
    }
    // A phone number is not an order id.
    let c = m.classify("sđt của em là 0912345678");
    assert!(c.entity("order_id").is_none(), "{:?}", c.entities);
    // A house number before "đường" is neither an order id nor money.
    let c = m.classify("em ở số nhà 12345 đường Lê Lợi");
    assert!(c.entities.is_empty(), "{:?}", c.entities);
}

/// Accuracy of the pack on a labelled file: (overall, off-topic, counts).
fn measure(m: &Matcher, file: &str) -> (f64, f64, usize, usize) {
    let r = report(m, file);
    (
        r.accuracy(),
        r.off_topic_accuracy().unwrap_or(1.0),
        r.total,
        r.off_topic_total,
    )
}

fn report(m: &Matcher, file: &str) -> eval::Report {
    let path = manifest_dir().join("tests/data").join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let samples = eval::read_samples(&text, eval::Format::Tsv)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    eval::evaluate_with(m, &samples, "lang", false)
}

/// Floors just under the figures measured when the pack was written (see
/// rules/README.md: 0.992 overall and 1.000 off-topic on the dev set). A
/// rule change that loses accuracy fails here.
#[test]
fn accuracy_on_the_dev_set_stays_above_the_floor() {
    let m = pack::matcher();
    let (acc, off, n, off_n) = measure(&m, "devset.tsv");
    assert!(n >= 1000 && off_n >= 60, "dev set too small: {n} / {off_n}");
    assert!(acc >= 0.97, "dev set accuracy {acc:.3} < 0.97");
    assert!(off >= 0.95, "dev set off-topic accuracy {off:.3} < 0.95");
}

/// The held-out sets, measured after the fixes they prompted (0.96 to 1.0;
/// off-topic 0.95 to 1.0). Their first-run figures are in rules/README.md.
#[test]
fn accuracy_on_the_held_out_sets_stays_above_the_floor() {
    let m = pack::matcher();
    // (file, overall floor, off-topic floor): just under what was measured.
    let floors = [
        ("holdout.tsv", 0.97, 0.95),
        ("holdout2.tsv", 0.97, 0.9),
        ("holdout3.tsv", 0.95, 0.95),
        ("holdout4.tsv", 0.96, 0.95),
        ("holdout5.tsv", 0.95, 0.85),
        ("holdout6.tsv", 0.95, 0.95),
        ("holdout7.tsv", 0.97, 0.95),
        ("holdout8.tsv", 0.97, 0.95),
        ("holdout9.tsv", 0.98, 0.95),
        ("holdout10.tsv", 0.97, 0.95),
        ("holdout11.tsv", 0.98, 0.95),
        ("holdout12.tsv", 0.98, 0.95),
        ("holdout13.tsv", 0.88, 0.75),
        ("english.tsv", 0.95, 0.95),
        ("vietnamese.tsv", 0.95, 0.95),
        ("confusables.tsv", 0.97, 1.0),
        ("offtopic.tsv", 0.8, 0.8),
        ("typing.tsv", 0.95, 1.0),
        // Ordinary messages with a second topic in them (see
        // `ordinary_multi_topic_messages_keep_their_intent`).
        ("multitopic.tsv", 0.96, 1.0),
    ];
    for (file, acc_floor, off_floor) in floors {
        let (acc, off, _, _) = measure(&m, file);
        assert!(acc >= acc_floor, "{file}: accuracy {acc:.3} < {acc_floor}");
        assert!(
            off >= off_floor,
            "{file}: off-topic accuracy {off:.3} < {off_floor}"
        );
    }
}

#[test]
fn a_shop_file_overrides_settings_and_extends_concepts() {
    let mut builder = Matcher::builder();
    for (name, text) in pack::sources() {
        builder.add_yaml(name, text);
    }
    builder.add_yaml(
        "zz-myshop.yaml",
        "version: 1\nsettings:\n  shop_name: \"Hoa Mai\"\nconcepts:\n  promo:\n    vi: [\"xả kho\"]\n",
    );
    let m = builder.build().expect("pack plus a shop file compiles");
    assert_eq!(m.settings()["shop_name"], "Hoa Mai");
    assert_eq!(
        m.settings()["hotline"],
        pack::matcher().settings()["hotline"]
    );
    let msg = "có xả kho không shop";
    assert_eq!(pack::matcher().classify(msg).intent_id(), None);
    assert_eq!(m.classify(msg).intent_id(), Some("promotions"));
}

/// External development data (text written by others, see
/// tests/data/external/README.md): floors just under what the pack scores
/// (Bitext dev 0.942, CLINC train off-topic 0.950 and in-domain 0.723), so a
/// change that loses accuracy on it fails. Part of it is in the pack's
/// example files, so these floors guard, they do not estimate. The held-out parts
/// (bitext-heldout.tsv, clinc-val.tsv) are measured and reported, never
/// tuned on, and have no floor here.
#[test]
fn accuracy_on_the_external_development_data_stays_above_the_floor() {
    let m = pack::matcher();
    let bitext = report(&m, "external/bitext-dev.tsv");
    assert!(bitext.total > 4000, "bitext-dev.tsv: {} rows", bitext.total);
    assert!(
        bitext.accuracy() >= 0.93,
        "bitext-dev.tsv: accuracy {:.3} < 0.93",
        bitext.accuracy()
    );
    let clinc = report(&m, "external/clinc-train.tsv");
    assert!(
        clinc.off_topic_total > 14_000,
        "clinc-train.tsv: {} off-topic rows",
        clinc.off_topic_total
    );
    let off = clinc.off_topic_accuracy().unwrap();
    assert!(
        off >= 0.945,
        "clinc-train.tsv: off-topic accuracy {off:.3} < 0.945"
    );
    assert!(
        clinc.in_domain_accuracy() >= 0.70,
        "clinc-train.tsv: in-domain accuracy {:.3} < 0.70",
        clinc.in_domain_accuracy()
    );
}

/// English word forms reach the rule word with the same Snowball stem, and
/// the Vietnamese chat abbreviations vendored from iftc expand.
#[test]
fn word_forms_and_chat_abbreviations_reach_the_rules() {
    let m = pack::matcher();
    for (text, from, to, intent) in [
        (
            "there are issues updating the address",
            "updating",
            "update",
            "change_shipping_address",
        ),
        (
            "help me subscribing to the newsletter",
            "subscribing",
            "subscribe",
            "newsletter_subscription",
        ),
        ("where are my parcels", "parcels", "parcel", "track_order"),
        // Words run together, and a typo in a word's other form.
        (
            "i want to cancelmy order",
            "cancelmy",
            "cancel my",
            "cancel_order",
        ),
        (
            "I need help cancelingpurchase",
            "cancelingpurchase",
            "canceling purchase",
            "cancel_order",
        ),
        ("chceking my shipment", "chceking", "check", "track_order"),
    ] {
        let e = m.explain(text);
        assert!(
            e.corrections.iter().any(|c| c.from == from && c.to == to),
            "{text}: {:?}",
            e.corrections
        );
        assert_eq!(e.classification.intent_id(), Some(intent), "{text}");
    }
    for (text, token, intent) in [
        ("ktra đơn hàng giúp e vs", "kiem", "track_order"),
        ("ctkm tháng này có gì shop", "khuyen", "promotions"),
        ("phí ship bnhieu vậy shop", "nhieu", "delivery_options"),
    ] {
        let e = m.explain(text);
        assert!(
            e.tokens.iter().any(|t| t == token),
            "{text}: {:?}",
            e.tokens
        );
        assert_eq!(e.classification.intent_id(), Some(intent), "{text}");
    }
}

/// Where no phrase answers an English message, the example similarity does,
/// and it leaves everyday off-topic requests alone.
#[test]
fn examples_answer_what_the_phrases_miss() {
    let m = pack::matcher();
    let e = m.explain("I want my money returned for the broken kettle");
    assert_eq!(e.classification.intent_id(), Some("get_refund"));
    let sim = e.similar.expect("the similarity was consulted");
    assert!(sim.decided, "{sim:?}");
    assert_eq!(&*sim.intents[0].0, "get_refund");
    assert!(sim.intents[0].1 >= sim.threshold && sim.intents[0].1 > sim.off_topic);
    for text in ["what's the weather like in Paris", "set an alarm for 7 am"] {
        assert_eq!(m.classify(text).intent_id(), None, "{text}");
    }
}

/// A top-level `examples:` section teaches an intent messages its phrases do
/// not cover; `none` holds off-topic ones; an unknown intent is an error at
/// its key.
#[test]
fn example_files_feed_the_similarity() {
    let rules =
        "version: 1\nintents:\n  - id: gift_wrap\n    phrases:\n      en: [\"gift wrap\"]\n";
    let examples = "version: 1\nexamples:\n  gift_wrap:\n    en: [\"can you wrap it as a present\", \"do you do present wrapping\", \"wrap the present with a ribbon\"]\n  none:\n    en: [\"what time is it\", \"tell me a joke\", \"play some music\"]\n";
    let m = Matcher::builder()
        .add_yaml("rules.yaml", rules)
        .add_yaml("examples.yaml", examples)
        .build()
        .expect("compiles");
    assert_eq!(
        m.classify("could you wrap my present please").intent_id(),
        Some("gift_wrap")
    );
    assert_eq!(m.classify("tell me a good joke").intent_id(), None);
    let err = Matcher::builder()
        .add_yaml("rules.yaml", rules)
        .add_yaml(
            "x.yaml",
            "version: 1\nexamples:\n  gift_wrapping:\n    en: [\"wrap it\"]\n",
        )
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("gift_wrapping") && err.contains("x.yaml:3:3"),
        "{err}"
    );
}

/// A follow-up with no topic of its own is read with the previous turn's.
#[test]
fn a_follow_up_continues_the_previous_topic() {
    use firstline::conversation::{Outcome, Session};
    let bot = pack::bot();
    let mut s = Session::new("t");
    let first = bot.handle_message(&mut s, "áo thun trắng còn size M không shop", 1_764_000_000);
    let intent = |o: &Outcome| match o {
        Outcome::Reply { intent, .. } => intent.as_deref().map(str::to_string),
        _ => None,
    };
    assert_eq!(
        intent(&first.outcome).as_deref(),
        Some("product_availability")
    );
    let next = bot.handle_message(&mut s, "màu đen thì sao", 1_764_000_010);
    assert_eq!(
        intent(&next.outcome).as_deref(),
        Some("product_availability")
    );
    // Without the previous turn it is not understood.
    let mut fresh = Session::new("u");
    let alone = bot.handle_message(&mut fresh, "màu đen thì sao", 1_764_000_000);
    assert_eq!(intent(&alone.outcome), None);
}

/// The thresholds are settable from the rules, and checked.
#[test]
fn thresholds_come_from_the_rules() {
    let rules =
        "version: 1\nintents:\n  - id: track_order\n    phrases:\n      en: [\"where * order\"]\n";
    let lax = Matcher::new(rules).unwrap();
    let c = lax.classify("where is my order and also the weather and the news");
    assert_eq!(c.intent_id(), Some("track_order"));
    let strict = Matcher::builder()
        .add_yaml("r.yaml", rules)
        .add_yaml(
            "t.yaml",
            &format!(
                "version: 1\nmatching:\n  threshold: {}\n",
                c.confidence + 0.05
            ),
        )
        .build()
        .unwrap();
    assert_eq!(strict.config().threshold, c.confidence + 0.05);
    assert_eq!(
        strict
            .classify("where is my order and also the weather and the news")
            .intent_id(),
        None
    );
    let err = Matcher::builder()
        .add_yaml("r.yaml", rules)
        .add_yaml("t.yaml", "version: 1\nmatching:\n  doubt: 3\n")
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("t.yaml:3:10") && err.contains("doubt"),
        "{err}"
    );
}

/// Vietnamese messages are compared with the Vietnamese examples: one no
/// phrase places is answered by the intent whose examples it resembles, and
/// `explain` shows why; everyday Vietnamese questions stay off-topic.
#[test]
fn vietnamese_examples_answer_what_the_phrases_miss() {
    let m = pack::matcher();
    let e = m.explain("cái bàn học này có còn không shop");
    assert_eq!(
        e.classification.intent_id(),
        Some("product_availability"),
        "{:?}",
        e.similar
    );
    let sim = e.similar.expect("the similarity was consulted");
    assert!(sim.decided, "{sim:?}");
    assert_eq!(&*sim.intents[0].0, "product_availability");
    assert!(sim.intents[0].1 > sim.off_topic, "{sim:?}");
    // The intent's own nearest examples come first, then off-topic ones.
    assert_eq!(
        sim.nearest[0].0.as_deref(),
        Some("product_availability"),
        "{sim:?}"
    );
    assert!(sim.nearest.iter().any(|n| n.0.is_none()), "{sim:?}");
    for text in [
        "tối nay có mưa không nhỉ",
        "nhà hàng xóm ồn quá",
        "học lái xe ô tô mất bao lâu",
    ] {
        assert_eq!(m.classify(text).intent_id(), None, "{text}");
    }
}

/// An ordinary request that also mentions another topic keeps its intent:
/// a word of another intent weighs against it but does not delete it. These
/// messages lost their intent when one-word excludes vetoed it; all of
/// `tests/data/multitopic.tsv` is measured by the floors above.
#[test]
fn ordinary_multi_topic_messages_keep_their_intent() {
    let m = pack::matcher();
    for (text, intent) in [
        ("I'd like a refund to my bank account", "get_refund"),
        ("when can I return the cream?", "get_refund"),
        ("where is my order now, I ordered last week", "track_order"),
        (
            "shop ơi đơn em tới đâu rồi, tiện cho em hỏi phí ship luôn",
            "track_order",
        ),
        (
            "em muốn hoàn tiền về tài khoản ngân hàng cho đơn hôm qua",
            "get_refund",
        ),
    ] {
        let c = m.classify(text);
        assert_eq!(c.intent_id(), Some(intent), "{text}: {:?}", c.ranked);
    }
    // Where both requests are clear, the second is ranked too.
    let c = m.classify("shop ơi đơn em tới đâu rồi, tiện cho em hỏi phí ship luôn");
    assert!(
        c.also.iter().any(|s| &*s.intent == "delivery_options"),
        "{:?}",
        c.also
    );
}

/// Action + object intents are concept sets: the two in any order, with
/// anything between; a veto on the action keeps the intent away, examples
/// included.
#[test]
fn action_and_object_in_any_order() {
    let m = pack::matcher();
    for (text, intent) in [
        (
            "đơn hàng hôm qua em đặt nhầm, shop hủy giúp em nhé",
            "cancel_order",
        ),
        (
            "tài khoản này em không dùng nữa, xóa giúp em",
            "delete_account",
        ),
        ("đơn em đặt hôm qua cho em đổi sang size L", "change_order"),
        (
            "the address on my order is old, can you change it",
            "change_shipping_address",
        ),
        ("my refund for the shoes, where is it?", "track_refund"),
    ] {
        let e = m.explain(text);
        assert_eq!(e.classification.intent_id(), Some(intent), "{text}");
        assert!(
            e.contributions.iter().any(
                |c| &*c.intent == intent && c.kind == firstline::matcher::ContributionKind::Set
            ),
            "{text}: no set fired"
        );
    }
    let e = m.explain("em không muốn hủy đơn, chỉ hỏi thôi");
    assert_eq!(e.classification.intent_id(), None, "{:?}", e.similar);
}
