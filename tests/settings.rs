//! A shop's settings over the shipped pack: they take effect, the pack's
//! demo values are flagged, and each setting says where it came from.

use firstline::conversation::{Bot, Session};
use firstline::{pack, Matcher, Severity};

const SHOP: &str = "version: 1
settings:
  shop_name: \"Shop Hoa Mai\"
  hotline: \"1800 5555\"
  agent_hours: \"9:00–18:00\"
";

fn pack_with(name: &str, shop: &str) -> Matcher {
    let mut b = Matcher::builder();
    for (n, text) in pack::sources() {
        b.add_yaml(n, text);
    }
    b.add_yaml(name, shop);
    b.build().unwrap_or_else(|e| panic!("{e}"))
}

/// The bot's replies to `message` over several sessions (reply variants
/// depend on the session id).
fn replies(bot: &Bot, message: &str) -> Vec<String> {
    (0..12)
        .map(|i| {
            let mut s = Session::new(format!("s{i}"));
            let turn = bot.handle_message(&mut s, message, pack::OPEN_NOW);
            turn.outcome.text().unwrap_or_default().to_string()
        })
        .collect()
}

#[test]
fn a_shops_agent_hours_setting_overrides_the_packs_label() {
    let bot = Bot::new(pack_with("zz-shop.yaml", SHOP)).unwrap();
    for msg in ["cho em xin số hotline", "how can I contact the shop"] {
        for r in replies(&bot, msg) {
            assert!(r.contains("1800 5555"), "help: {r}");
            if r.contains("8:00") || r.contains("8am") || r.contains("9:00") {
                assert!(r.contains("9:00–18:00"), "help: the pack's hours won: {r}");
            }
        }
    }
    // A label the shop writes after the setting wins again.
    let label = format!(
        "{SHOP}conversation:\n  agent_hours:\n    label: {{ vi: \"9 giờ sáng – 6 giờ chiều\", en: \"9am–6pm\" }}\n"
    );
    let bot = Bot::new(pack_with("zz-shop.yaml", &label)).unwrap();
    let all = replies(&bot, "cho em xin số hotline").join("\n");
    assert!(all.contains("9 giờ sáng – 6 giờ chiều"), "help: {all}");
}

#[test]
fn no_reply_of_the_pack_repeats_the_days() {
    let bot = pack::bot();
    for msg in [
        "cho em xin số hotline",
        "liên hệ shop bằng cách nào",
        "how can I contact the shop",
        "what is your phone number",
    ] {
        for r in replies(&bot, msg) {
            assert!(!r.contains("hằng ngày hằng ngày"), "help: {r}");
            assert!(!r.contains("every day every day"), "help: {r}");
        }
    }
}

#[test]
fn demo_settings_are_flagged_only_when_a_shop_builds_on_the_pack() {
    // The pack alone is a demo: nothing to flag.
    let m = pack::matcher();
    assert!(
        !m.warnings()
            .iter()
            .any(|d| d.message().contains("demo value")),
        "the pack alone has no demo-value lint"
    );
    let m = pack_with("zz-shop.yaml", SHOP);
    let demo: Vec<&str> = m
        .warnings()
        .iter()
        .filter(|d| d.message().contains("still has the pack's demo value"))
        .map(|d| d.message())
        .collect();
    assert!(demo.iter().any(|d| d.contains("`zalo`")), "{demo:?}");
    assert!(demo.iter().any(|d| d.contains("`email`")), "{demo:?}");
    // What the shop set is not flagged.
    for key in ["`shop_name`", "`hotline`", "`agent_hours`"] {
        assert!(!demo.iter().any(|d| d.contains(key)), "{key}: {demo:?}");
    }
    let lint = m
        .warnings()
        .iter()
        .find(|d| d.message().contains("`zalo`"))
        .unwrap();
    assert_eq!(lint.severity(), Severity::Warning);
    assert_eq!(lint.location().unwrap().file(), "rules/settings.yaml");
}

#[test]
fn each_setting_knows_the_file_that_set_it() {
    let m = pack_with("zz-shop.yaml", SHOP);
    let at = |key: &str| m.setting_location(key).unwrap().to_string();
    assert_eq!(at("hotline"), "zz-shop.yaml:4:3");
    assert!(
        at("zalo").starts_with("rules/settings.yaml:"),
        "{}",
        at("zalo")
    );
    assert_eq!(m.settings()["hotline"], "1800 5555");
}

#[cfg(feature = "cli")]
#[test]
fn check_explain_settings_lists_values_and_origins() {
    let dir = std::env::temp_dir().join(format!("firstline-settings-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let shop = dir.join("zz-shop.yaml");
    std::fs::write(&shop, SHOP).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_firstline"))
        .args(["--pack", "--rules"])
        .arg(&shop)
        .args(["check", "--explain-settings"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let line = |key: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(&format!("{key} ")))
            .unwrap_or_else(|| panic!("no line for {key} in:\n{text}"))
            .to_string()
    };
    assert!(line("hotline").contains("\"1800 5555\""), "{text}");
    assert!(line("hotline").contains("zz-shop.yaml:4:3"), "{text}");
    assert!(line("zalo").contains("rules/settings.yaml:"), "{text}");
    // The demo values the shop kept are warnings: --deny-warnings fails.
    assert!(text.contains("still has the pack's demo value"), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}
