//! Order-free concept sets: every part somewhere in the message, in any
//! order, with supporting words that raise the score.

use firstline::matcher::ContributionKind;
use firstline::Matcher;

const RULES: &str = r#"
version: 1
concepts:
  cancel:
    vi: ["hủy", "huỷ", "không lấy nữa"]
    en: ["cancel", "call off"]
  change:
    vi: ["đổi", "thay đổi", "sửa"]
    en: ["change", "update", "modify"]
  order:
    vi: ["đơn hàng", "đơn"]
    en: ["order", "purchase"]
  address:
    vi: ["địa chỉ"]
    en: ["address"]
intents:
  - id: cancel_order
    sets:
      - all: ["@cancel", "@order"]
        support: ["giúp", "gấp", "please", "now"]
    veto:
      vi: ["(không|chưa) muốn"]
      en: ["(do|does) not want to"]
  - id: change_shipping_address
    sets:
      vi:
        - all: ["@change", "@address"]
          support: ["giao hàng", "nhận hàng"]
      en:
        - all: ["@change", "@address"]
          support: ["shipping", "delivery"]
"#;

fn m() -> Matcher {
    Matcher::new(RULES).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_parts_match_in_any_order_with_words_between() {
    let m = m();
    for text in [
        "shop ơi hủy đơn hàng giúp em",
        // The object first, the action last, words between.
        "đơn hàng hôm qua em đặt nhầm, shop hủy giúp em nhé",
        "I placed an order yesterday by mistake, can you cancel it",
        "cancel the purchase I made this morning",
        "đổi giúp em địa chỉ",
        "địa chỉ nhận hàng em ghi sai, shop đổi lại giúp em",
        "the address on my delivery is wrong, I need to change it",
    ] {
        let c = m.classify(text);
        let want = if text.contains("địa chỉ") || text.contains("address") {
            "change_shipping_address"
        } else {
            "cancel_order"
        };
        assert_eq!(c.intent_id(), Some(want), "{text}: {:?}", c.ranked);
    }
}

#[test]
fn every_part_must_occur() {
    let m = m();
    for text in [
        "em muốn hủy",
        "đơn hàng của em đâu rồi",
        "cancel",
        "my order",
        "địa chỉ shop ở đâu",
    ] {
        let c = m.classify(text);
        assert_eq!(c.intent_id(), None, "{text}: {:?}", c.ranked);
        assert!(c.ranked.is_empty(), "{text}: {:?}", c.ranked);
    }
}

#[test]
fn support_words_raise_the_score() {
    let m = m();
    let plain = m.classify("hủy đơn");
    let supported = m.classify("hủy đơn gấp giúp em");
    assert_eq!(plain.intent_id(), Some("cancel_order"));
    assert_eq!(supported.intent_id(), Some("cancel_order"));
    // Two support words, half a word each.
    assert!(
        (supported.ranked[0].score - plain.ranked[0].score - 1.0).abs() < 1e-4,
        "{:?} vs {:?}",
        supported.ranked,
        plain.ranked
    );
    // Support words alone are nothing.
    assert!(m.classify("giúp em gấp").ranked.is_empty());
}

#[test]
fn a_veto_removes_the_part_it_touches() {
    let m = m();
    let c = m.classify("em không muốn hủy đơn nữa");
    assert_eq!(c.intent_id(), None, "{:?}", c.ranked);
    let c = m.classify("I do not want to cancel my order");
    assert_eq!(c.intent_id(), None, "{:?}", c.ranked);
}

#[test]
fn per_language_sets_keep_their_language() {
    let m = m();
    // The English set's support word does not count in a Vietnamese set.
    let vi = m.classify("đổi địa chỉ nhận hàng");
    let vi_plain = m.classify("đổi địa chỉ");
    assert!(vi.ranked[0].score > vi_plain.ranked[0].score);
    let en = m.classify("change the shipping address");
    let en_plain = m.classify("change the address");
    assert!(en.ranked[0].score > en_plain.ranked[0].score);
}

#[test]
fn explain_shows_where_each_part_matched() {
    let m = m();
    let msg = "đơn hàng hôm qua em đặt nhầm, shop hủy giúp em nhé";
    let ex = m.explain(msg);
    let parts: Vec<_> = ex
        .contributions
        .iter()
        .filter(|k| k.kind == ContributionKind::SetPart)
        .map(|k| (&*k.rule, &msg[k.span.clone()]))
        .collect();
    assert_eq!(parts, [("@cancel", "hủy"), ("@order", "đơn hàng")]);
    let support: Vec<_> = ex
        .contributions
        .iter()
        .filter(|k| k.kind == ContributionKind::SetSupport)
        .map(|k| &msg[k.span.clone()])
        .collect();
    assert_eq!(support, ["giúp"]);
    let set = ex
        .contributions
        .iter()
        .find(|k| k.kind == ContributionKind::Set)
        .unwrap();
    assert_eq!(&*set.rule, "@cancel + @order [+ giúp | gấp | please | now]");
    assert!(set.location.ends_with(":19:14"), "{}", set.location);
    assert!((set.weight - 3.5).abs() < 1e-4, "{set:?}");
    assert_eq!(ex.scores[0].best, set.weight);
}

#[test]
fn a_broken_set_is_a_located_error() {
    for (yaml, line, col, code, help) in [
        (
            "version: 1\nintents:\n  - id: a\n    sets:\n      - all: [\"hủy\"]\n",
            5,
            14,
            "invalid-set",
            "write `\"hủy\"` under `phrases:`",
        ),
        (
            "version: 1\nintents:\n  - id: a\n    sets:\n      - all: []\n",
            5,
            14,
            "invalid-set",
            "at least two parts",
        ),
        (
            "version: 1\nintents:\n  - id: a\n    sets:\n      - support: [\"giúp\"]\n",
            5,
            16,
            "invalid-set",
            "all:",
        ),
        (
            "version: 1\nintents:\n  - id: a\n    sets:\n      - all: [\"hủy\", \"@oder\"]\n",
            5,
            23,
            "unknown-concept",
            "define it under `concepts:`",
        ),
        (
            "version: 1\nintents:\n  - id: a\n    sets:\n      - all: [\"hủy\", \"đơn\"]\n        suport: [\"giúp\"]\n",
            6,
            9,
            "unknown-field",
            "did you mean `support`?",
        ),
    ] {
        let e = Matcher::new(yaml).unwrap_err();
        let d = &e.diagnostics()[0];
        assert_eq!(d.kind().code(), code, "{e}");
        let loc = d.location().unwrap();
        assert_eq!((loc.line(), loc.column()), (line, col), "{e}");
        assert!(d.help_text().unwrap_or("").contains(help), "{e}");
    }
}
