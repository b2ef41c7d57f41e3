//! The `firstline` binary: every subcommand's output and exit code, on
//! good and bad rules and scripts.
#![cfg(feature = "cli")]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

const BIN: &str = env!("CARGO_BIN_EXE_firstline");

const RULES: &str = r#"version: 1
settings:
  shop_name: "Shop Hoa Mai"
concepts:
  order:
    vi: ["đơn hàng", "đơn"]
    en: ["order"]
entities:
  order_id:
    pattern: '(?i)(?-u:\b)#?(?P<value>[A-Z]{2}\d{6,10})(?-u:\b)'
    normalize: order_id
lexicons:
  anger:
    severity: 2
    terms: ["bực mình", "angry"]
intents:
  - id: track_order
    phrases:
      vi: ["@order [của] (em|mình) * (đâu|tới đâu)"]
      en: ["where * my @order"]
    examples:
      vi: ["Đơn hàng của em đâu rồi shop?"]
    slots: [order_id]
    action: lookup_order
    replies:
      vi: ["Dạ, {shop_name} kiểm tra ngay ạ."]
      en: ["Sure, let me check."]
  - id: greet
    phrases:
      vi: ["xin chào", "chào shop"]
      en: ["hello", "hi there"]
    replies:
      vi: ["Dạ {shop_name} xin chào anh/chị ạ."]
      en: ["Hello from {shop_name}!"]
"#;

/// A fresh directory under the system temp dir.
fn temp_dir(tag: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "firstline-cli-{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&p, text).unwrap();
    p
}

fn rules_dir() -> (PathBuf, PathBuf) {
    let dir = temp_dir("rules");
    let rules = write(&dir, "rules.yaml", RULES);
    (dir, rules)
}

fn run(args: &[&str], stdin: &str) -> Output {
    run_in(None, args, stdin)
}

fn run_in(cwd: Option<&Path>, args: &[&str], stdin: &str) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(d) = cwd {
        cmd.current_dir(d);
    }
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}

// ---- check ----

#[test]
fn check_clean_rules_passes_with_summary() {
    let (_d, rules) = rules_dir();
    let o = run(&["--rules", rules.to_str().unwrap(), "check"], "");
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));
    assert!(
        out(&o).contains("check: 1 file, 2 intents: 0 errors, 0 warnings: ok"),
        "{}",
        out(&o)
    );
}

#[test]
fn check_warnings_fail_only_with_deny_warnings() {
    let dir = temp_dir("warn");
    let text = RULES.replace("      en: [\"Hello from {shop_name}!\"]\n", "")
        + "  - id: empty\n    replies: { vi: [\"Dạ {shop_name}\"], en: [\"Call {shop_name}\"] }\n";
    let rules = write(&dir, "r.yaml", &text);
    let r = rules.to_str().unwrap();
    let o = run(&["--rules", r, "check"], "");
    assert_eq!(code(&o), 0, "{}", out(&o));
    let s = out(&o);
    assert!(s.contains("warning[lint]"), "{s}");
    assert!(s.contains("r.yaml:"), "{s}");
    assert!(s.contains("= help:"), "{s}");
    assert!(s.contains("ok"), "{s}");
    let o = run(&["--rules", r, "check", "--deny-warnings"], "");
    assert_eq!(code(&o), 1);
    assert!(out(&o).contains("FAILED (--deny-warnings)"), "{}", out(&o));
}

#[test]
fn check_bad_rules_exit_1_with_location_and_help() {
    let dir = temp_dir("bad");
    let rules = write(
        &dir,
        "bad.yaml",
        &RULES.replace("@order [của]", "@oder [của]"),
    );
    let o = run(&["--rules", rules.to_str().unwrap(), "check"], "");
    assert_eq!(code(&o), 1, "{}", out(&o));
    let s = out(&o);
    assert!(s.contains("error[unknown-concept]"), "{s}");
    assert!(s.contains("bad.yaml:19:"), "{s}");
    assert!(s.contains("^"), "{s}");
    assert!(s.contains("= help:"), "{s}");
    assert!(
        s.contains("check: 1 file: 1 error, 0 warnings: FAILED"),
        "{s}"
    );

    let text = RULES.replace("phrases:\n      vi: [\"xin", "phrase:\n      vi: [\"xin");
    let rules = write(&dir, "typo.yaml", &text);
    let o = run(&["--rules", rules.to_str().unwrap(), "check"], "");
    assert_eq!(code(&o), 1, "{}", out(&o));
    let s = out(&o);
    assert!(s.contains("error[unknown-field]"), "{s}");
    assert!(s.contains("typo.yaml:29:5"), "{s}");
}

#[test]
fn check_reports_a_shadowed_intent() {
    let dir = temp_dir("shadow");
    let text = RULES.to_string()
        + "  - id: where_order\n    weight: 0.1\n    phrases:\n      vi: [\"đơn hàng của em đâu\"]\n    replies: { vi: [\"Dạ\"], en: [\"Yes\"] }\n";
    let rules = write(&dir, "r.yaml", &text);
    let o = run(&["--rules", rules.to_str().unwrap(), "check"], "");
    let s = out(&o);
    assert!(
        s.contains("intent `where_order` is shadowed"),
        "{s}{}",
        err(&o)
    );
    assert!(s.contains("track_order"), "{s}");
}

#[test]
fn missing_rules_path_is_an_io_error() {
    let o = run(&["--rules", "/nonexistent/firstline/rules", "check"], "");
    assert_eq!(code(&o), 1);
    assert!(out(&o).contains("error[io]"), "{}", out(&o));
}

// ---- explain ----

#[test]
fn explain_shows_every_step() {
    let (_d, rules) = rules_dir();
    let msg = "Đơn hàng của em đâu rồi, mã DH123456, bực mình quá";
    let o = run(&["--rules", rules.to_str().unwrap(), "explain", msg], "");
    assert_eq!(code(&o), 0, "{}", err(&o));
    let s = out(&o);
    for want in [
        "normalized:  \"đơn hàng của em đâu rồi",
        "tokens:",
        "phrase",
        "track_order",
        "confidence",
        "order_id = DH123456 on \"DH123456\" at chars 28..36",
        "anger (severity 2)",
        "on \"bực mình\"",
    ] {
        assert!(s.contains(want), "missing {want:?} in\n{s}");
    }
}

#[test]
fn explain_json_is_one_object() {
    let (_d, rules) = rules_dir();
    let o = run(
        &[
            "--rules",
            rules.to_str().unwrap(),
            "explain",
            "--json",
            "xin chào",
        ],
        "",
    );
    assert_eq!(code(&o), 0);
    let v: serde_json::Value = serde_json::from_str(out(&o).trim()).unwrap();
    assert_eq!(v["classification"]["intent"], "greet");
    assert!(v["tokens"].is_array());
}

#[test]
fn explain_on_bad_rules_exits_1() {
    let dir = temp_dir("explainbad");
    let rules = write(&dir, "r.yaml", "version: 2\n");
    let o = run(&["--rules", rules.to_str().unwrap(), "explain", "hi"], "");
    assert_eq!(code(&o), 1);
    assert!(err(&o).contains("r.yaml:1:"), "{}", err(&o));
}

// ---- classify ----

#[test]
fn classify_writes_one_json_line_per_input_line() {
    let (_d, rules) = rules_dir();
    let input = "xin chào\n{\"text\": \"đơn hàng của em đâu rồi, DH123456\", \"id\": 7}\n{\"text\": 3}\n{broken\n{\"x\": 1}\nhello\n";
    let o = run(&["--rules", rules.to_str().unwrap(), "classify"], input);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let lines: Vec<serde_json::Value> = out(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 6);
    assert_eq!(lines[0]["intent"], "greet");
    assert_eq!(lines[0]["lang"], "vi");
    assert!(lines[0]["handoff"].is_null());
    assert_eq!(lines[1]["text"], "đơn hàng của em đâu rồi, DH123456");
    assert_eq!(lines[1]["intent"], "track_order");
    assert_eq!(lines[1]["entities"]["order_id"][0], "DH123456");
    assert!(lines[1]["confidence"].as_f64().unwrap() > 0.5);
    for (i, line) in [(2, 3), (3, 4), (4, 5)] {
        assert_eq!(lines[i]["line"], line);
        assert!(lines[i]["error"].is_string());
    }
    assert_eq!(lines[5]["text"], "hello");
    let e = err(&o);
    assert!(e.contains("line 3: field \"text\" is not a string"), "{e}");
    assert!(e.contains("line 4: invalid JSON"), "{e}");
    assert!(
        e.contains("line 5: JSON object has no \"text\" field"),
        "{e}"
    );
    // Keys in the documented order.
    assert!(out(&o).starts_with("{\"text\":\"xin chào\",\"intent\":\"greet\",\"confidence\":"));
}

#[test]
fn classify_reports_handoffs() {
    // Anger alone is answered with empathy (the default anger policy); a
    // fraud accusation hands off.
    let (_d, rules) = rules_dir();
    let o = run(
        &["--rules", rules.to_str().unwrap(), "classify"],
        "bực mình quá, angry angry\n",
    );
    let v: serde_json::Value = serde_json::from_str(out(&o).trim()).unwrap();
    assert!(v["handoff"].is_null(), "{v}");
    let o = run(&["classify"], "shop lừa đảo\n");
    let v: serde_json::Value = serde_json::from_str(out(&o).trim()).unwrap();
    assert_eq!(v["handoff"], "fraud_accusation", "{v}");
}

// ---- chat ----

#[test]
fn chat_plain_prints_only_replies() {
    let (_d, rules) = rules_dir();
    let o = run(
        &[
            "--rules",
            rules.to_str().unwrap(),
            "chat",
            "--plain",
            "--now",
            "1795575600",
        ],
        "xin chào\nđơn hàng của em đâu rồi\nDH100004\n0912345678\n",
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    let s = out(&o);
    let lines: Vec<&str> = s.lines().collect();
    assert_eq!(lines.len(), 4, "{s}");
    assert_eq!(lines[0], "Dạ Shop Hoa Mai xin chào anh/chị ạ.");
    assert!(lines[3].contains("DH100004"), "{s}");
    assert!(lines[3].contains("GHN"), "{s}");
}

#[test]
fn chat_shows_intent_and_confidence() {
    let (_d, rules) = rules_dir();
    let o = run(
        &[
            "--rules",
            rules.to_str().unwrap(),
            "chat",
            "--now",
            "1795575600",
        ],
        "xin chào\nwhere is my order DH100007\n5678\n",
    );
    assert_eq!(code(&o), 0);
    let s = out(&o);
    assert!(s.contains("bot [greet 0."), "{s}");
    assert!(s.contains("looking up DH100007"), "{s}");
    assert!(err(&o).contains("DH100001 pending"), "{}", err(&o));
}

// ---- test ----

const SCRIPTS: &str = r#"- name: greeting in Vietnamese
  turns:
    - say: xin chào
      intent: greet
      reply: "Dạ Shop Hoa Mai xin chào anh/chị ạ."
      lang: vi
- name: order lookup asks for the id then looks it up
  orders:
    - id: DH123456
      status: shipped
      carrier: GHN
      tracking: GHN1
      eta: "27/11"
      phone: "0912345678"
  turns:
    - say: đơn hàng của em đâu rồi
      intent: track_order
      asks_for: order_id
    - say: DH123456
      asks_for: phone
    - say: "5678"
      lookup: DH123456
      contains: [GHN, DH123456]
      matches: 'DH\d{6}'
- name: settings override
  settings: { shop_name: "Shop Mai Vàng" }
  turns:
    - say: xin chào
      contains: Mai Vàng
      not_contains: Hoa Mai
"#;

#[test]
fn test_passing_scripts() {
    let (dir, rules) = rules_dir();
    write(&dir, "scripts/a.yaml", SCRIPTS);
    write(
        &dir,
        "scripts/greet.txt",
        "xin chào\n# a comment\n\nchào shop\n",
    );
    write(
        &dir,
        "scripts/sub/para.yml",
        "name: greetings\nintent: greet\nparaphrases: [xin chào shop]\nparaphrases_file: ../greet.txt\n",
    );
    let o = run(
        &[
            "--rules",
            rules.to_str().unwrap(),
            "test",
            dir.join("scripts").to_str().unwrap(),
        ],
        "",
    );
    let s = out(&o);
    assert_eq!(code(&o), 0, "{s}{}", err(&o));
    assert!(s.contains("PASS greeting in Vietnamese"), "{s}");
    assert!(s.contains("PASS greetings [3] chào shop"), "{s}");
    assert!(s.ends_with("6 passed, 0 failed\n"), "{s}");
}

#[test]
fn test_failures_show_a_diff_and_exit_1() {
    let (dir, rules) = rules_dir();
    let scripts = write(
        &dir,
        "fail.yaml",
        "name: wrong expectations\nturns:\n  - say: xin chào\n    intent: track_order\n    contains: Goodbye\n  - say: hello\n    lang: en\n",
    );
    let junit = dir.join("out/junit.xml");
    std::fs::create_dir_all(junit.parent().unwrap()).unwrap();
    let o = run(
        &[
            "--rules",
            rules.to_str().unwrap(),
            "test",
            scripts.to_str().unwrap(),
            "--junit",
            junit.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(code(&o), 1);
    let s = out(&o);
    assert!(s.contains("FAIL wrong expectations ("), "{s}");
    assert!(s.contains("fail.yaml:1)"), "{s}");
    assert!(s.contains("turn 1: customer says \"xin chào\""), "{s}");
    assert!(s.contains("- expected intent: track_order"), "{s}");
    assert!(s.contains("+ actual intent:   greet"), "{s}");
    assert!(s.contains("- expected reply containing: Goodbye"), "{s}");
    assert!(s.ends_with("0 passed, 1 failed\n"), "{s}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert!(xml.contains("tests=\"1\" failures=\"1\""), "{xml}");
    assert!(
        xml.contains("<failure message=\"turn 1: expected intent track_order, got greet\""),
        "{xml}"
    );
    assert!(xml.contains("&quot;xin chào&quot;"), "{xml}");
}

#[test]
fn test_bad_scripts_exit_2_with_locations() {
    let (dir, rules) = rules_dir();
    write(
        &dir,
        "s/unknown_key.yaml",
        "name: typo\nturns:\n  - say: hi\n    intnet: greet\n",
    );
    write(
        &dir,
        "s/bad_regex.yaml",
        "- name: regex\n  turns:\n    - say: hi\n      matches: 'Dạ (em'\n",
    );
    write(&dir, "s/broken.yaml", "name: [unclosed\n");
    let o = run(
        &[
            "--rules",
            rules.to_str().unwrap(),
            "test",
            dir.join("s").to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(code(&o), 2, "{}", out(&o));
    let e = err(&o);
    assert!(e.contains("unknown field `intnet`"), "{e}");
    assert!(e.contains("unknown_key.yaml:4:5"), "{e}");
    assert!(e.contains("error[invalid-regex]"), "{e}");
    assert!(e.contains("bad_regex.yaml:4:17"), "{e}");
    assert!(e.contains("broken.yaml:"), "{e}");
    assert!(e.contains("3 problems in the scripts"), "{e}");
    assert!(out(&o).is_empty(), "{}", out(&o));
}

#[test]
fn test_coverage_lists_what_no_script_exercised() {
    let (dir, rules) = rules_dir();
    let scripts = write(
        &dir,
        "g.yaml",
        "name: hi\nturns:\n  - say: xin chào\n    intent: greet\n",
    );
    let o = run(
        &[
            "--rules",
            rules.to_str().unwrap(),
            "test",
            "--coverage",
            scripts.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(code(&o), 0);
    let s = out(&o);
    assert!(s.contains("intents: 1/2 exercised"), "{s}");
    assert!(s.contains("never: track_order"), "{s}");
    assert!(s.contains("never: greet (vi) phrase \"chào shop\""), "{s}");
    assert!(
        s.contains("never: greet (en) \"Hello from {shop_name}!\""),
        "{s}"
    );
    assert!(s.ends_with("1 passed, 0 failed\n"), "{s}");
}

#[test]
fn test_on_bad_rules_exits_1() {
    let dir = temp_dir("testbad");
    let rules = write(&dir, "r.yaml", "version: 1\nintents:\n  - id: Bad Id\n");
    let scripts = write(&dir, "s.yaml", "name: x\nturns:\n  - say: hi\n");
    let o = run(
        &[
            "--rules",
            rules.to_str().unwrap(),
            "test",
            scripts.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(code(&o), 1);
    assert!(err(&o).contains("r.yaml:3:"), "{}", err(&o));
}

// ---- report ----

const EVENTS: &str = r#"{"ts":1795575600,"session":"a","turn":1,"lang":"vi","input":"message","intent":"track_order","confidence":0.9,"outcome":"lookup_order","lookup":"requested","understood":true,"order_id":"DH1"}
{"ts":1795575601,"session":"a","turn":2,"lang":"vi","input":"lookup","confidence":0.0,"outcome":"reply","lookup":"found","understood":true}
{"ts":1795579200,"session":"b","turn":1,"lang":"vi","input":"message","confidence":0.1,"outcome":"reply","understood":false}
not json at all
{"ts":1795579300,"session":"b","turn":2,"lang":"vi","input":"message","intent":"complaint","confidence":0.8,"outcome":"handoff","handoff_reason":"angry_customer","priority":"high","understood":true,"order_id":"DH1"}
{"session":"c"}
"#;

#[test]
fn report_text_and_json() {
    let dir = temp_dir("report");
    let log = write(&dir, "events.jsonl", EVENTS);
    let o = run(&["report", log.to_str().unwrap()], "");
    assert_eq!(code(&o), 0, "{}", err(&o));
    let s = out(&o);
    assert!(s.contains("conversations           2"), "{s}");
    assert!(s.contains("resolved without human  1 (50.0%)"), "{s}");
    assert!(
        s.contains("fallbacks               1 (33.3% of messages)"),
        "{s}"
    );
    assert!(s.contains("malformed lines         2"), "{s}");
    assert!(s.contains("angry_customer"), "{s}");
    assert!(s.contains("DH1"), "{s}");
    assert!(s.contains("  10:00       1  "), "{s}");
    let e = err(&o);
    assert!(e.contains("events.jsonl:4: invalid JSON"), "{e}");
    assert!(e.contains("events.jsonl:6: no \"ts\" integer"), "{e}");

    let o = run(&["report", "--json", "--utc-offset", "+00:00"], EVENTS);
    assert_eq!(code(&o), 0);
    let v: serde_json::Value = serde_json::from_str(out(&o).trim()).unwrap();
    assert_eq!(v["conversations"], 2);
    assert_eq!(v["malformed_lines"], 2);
    assert_eq!(v["top_intents"][0]["count"], 1);
    assert_eq!(v["top_complaints"][0]["name"], "complaint");
    assert_eq!(v["repeat_contacts"][0]["order_id"], "DH1");
    assert_eq!(v["messages_by_hour"][3], 1);
}

#[test]
fn report_missing_file_exits_2() {
    let o = run(&["report", "/nonexistent/events.jsonl"], "");
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("cannot read"), "{}", err(&o));
}

// ---- schema ----

#[test]
fn schemas_are_json_and_closed() {
    for which in ["rules", "script"] {
        let o = run(&["schema", which], "");
        assert_eq!(code(&o), 0);
        let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
        assert_eq!(v["$schema"], "http://json-schema.org/draft-07/schema#");
        assert!(out(&o).contains("\"additionalProperties\": false"));
    }
    let o = run(&["schema", "rules"], "");
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(v["required"][0], "version");
    let conv = &v["properties"]["conversation"];
    assert_eq!(conv["additionalProperties"], false);
    assert!(conv["properties"]["handoff"]["propertyNames"]["enum"]
        .as_array()
        .unwrap()
        .contains(&"customer_request".into()));
    let intent = &v["definitions"]["intent"]["properties"];
    for key in [
        "phrases",
        "patterns",
        "exclude",
        "veto",
        "sets",
        "examples",
        "counter_examples",
        "replies",
        "quick_replies",
        "slots",
        "action",
        "handoff",
        "weight",
        "priority",
    ] {
        assert!(intent.get(key).is_some(), "{key}");
    }
    let o = run(&["schema", "script"], "");
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    let turn = &v["definitions"]["turn"]["properties"];
    for key in [
        "say", "intent", "reply", "contains", "matches", "asks_for", "lookup", "handoff", "lang",
    ] {
        assert!(turn.get(key).is_some(), "{key}");
    }
    let o = run(&["schema", "nope"], "");
    assert_eq!(code(&o), 2);
}

#[test]
fn usage_errors_exit_2() {
    let o = run(&["frobnicate"], "");
    assert_eq!(code(&o), 2);
    let o = run(&["--help"], "");
    assert_eq!(code(&o), 0);
    for sub in [
        "check", "explain", "chat", "classify", "test", "report", "schema",
    ] {
        assert!(out(&o).contains(sub), "{sub}");
    }
}

#[test]
fn check_reports_conversation_errors() {
    let dir = temp_dir("conv");
    let text = RULES.to_string() + "conversation:\n  handoff:\n    nonsense: { reason: x }\n";
    let rules = write(&dir, "c.yaml", &text);
    let o = run(&["--rules", rules.to_str().unwrap(), "check"], "");
    assert_eq!(code(&o), 1, "{}", out(&o));
    let s = out(&o);
    assert!(s.contains("nonsense"), "{s}");
    assert!(s.contains("c.yaml:"), "{s}");
    assert!(s.contains("FAILED"), "{s}");
}

// ---- the shipped pack (no --rules) ----

#[test]
fn default_rules_are_the_shipped_pack() {
    let o = run(&["check"], "");
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));
    assert!(out(&o).contains("0 errors"), "{}", out(&o));
    let o = run(
        &["classify"],
        "Đơn hàng của em tới đâu rồi ạ?\ncho em gặp nhân viên với\n",
    );
    let lines: Vec<serde_json::Value> = out(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["intent"], "track_order");
    assert_eq!(lines[1]["handoff"], "customer_request");
}

#[test]
fn repo_scripts_pass_on_the_pack() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/conversations");
    let junit = temp_dir("repo").join("junit.xml");
    let o = run(&["test", dir, "--junit", junit.to_str().unwrap()], "");
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(out(&o).ends_with(" passed, 0 failed\n"), "{}", out(&o));
    assert!(std::fs::read_to_string(junit)
        .unwrap()
        .contains("failures=\"0\""));
}

#[test]
fn explain_on_the_pack_shows_the_handoff() {
    let o = run(&["explain", "cho em gặp nhân viên với"], "");
    assert_eq!(code(&o), 0);
    assert!(
        out(&o).contains("handoff:     customer_request"),
        "{}",
        out(&o)
    );
}

#[test]
fn report_reads_the_engines_own_event_lines() {
    use firstline::conversation::{Bot, Session};
    let bot = Bot::new(firstline::pack::matcher()).unwrap();
    let mut lines = String::new();
    let now = 1_795_575_600;
    for (id, msgs) in [
        ("s1", &["xin chào", "cảm ơn shop"][..]),
        ("s2", &["cho em gặp nhân viên với"][..]),
        ("s3", &["asdfgh qwerty"][..]),
        ("s4", &["đơn DH100004 của em tới đâu rồi"][..]),
        ("s5", &["where is my order DH100004"][..]),
    ] {
        let mut session = Session::new(id);
        for m in msgs {
            for e in bot.handle_message(&mut session, m, now).events {
                lines.push_str(&e.to_json_line());
                lines.push('\n');
            }
        }
    }
    let o = run(&["report", "--json"], &lines);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let v: serde_json::Value = serde_json::from_str(out(&o).trim()).unwrap();
    assert_eq!(v["malformed_lines"], 0, "{v}");
    assert_eq!(v["conversations"], 5);
    assert_eq!(v["handoffs"], 1);
    assert_eq!(v["handoff_reasons"][0]["name"], "customer_request");
    assert_eq!(v["fallbacks"], 1);
    assert_eq!(v["messages_by_hour"][10], 6);
    // Two customers came back about the same order: the events say which.
    assert_eq!(v["repeat_contacts"][0]["order_id"], "DH100004", "{v}");
    assert_eq!(v["repeat_contacts"][0]["conversations"], 2, "{v}");
}

// ---- init and layered rules ----

/// A cosmetics shop's own values for every setting the pack ships.
const SHOP_SETTINGS: &str = r#"version: 1
settings:
  shop_name: "Mỹ phẩm Hoa Sen"
  hotline: "028 3838 4242"
  email: "cskh@myphamhoasen.vn"
  zalo: "0938 111 222"
  website: "myphamhoasen.vn"
  fanpage: "facebook.com/myphamhoasen"
  store_address: "45 Lê Lợi, Quận 1, TP.HCM"
  opening_hours: "9:00–21:30 hằng ngày"
  opening_hours_en: "9am–9:30pm every day"
  agent_hours: "8:00–21:00"
  return_days: "14"
  refund_days: "3–5"
  warranty_months: "12"
  shipping_fee: "25.000đ"
  shipping_fee_en: "25,000 VND"
  free_shipping_threshold: "300.000đ"
  free_shipping_threshold_en: "300,000 VND"
  delivery_days_city: "1"
  delivery_days_province: "2–4"
  carriers: "GHN, GHTK"
  cancellation_fee: "0đ"
"#;

#[test]
fn init_then_check_and_test_pass() {
    let dir = temp_dir("init");
    let project = dir.join("shop");
    let o = run(&["init", project.to_str().unwrap()], "");
    assert_eq!(code(&o), 0, "{}", err(&o));
    for f in [
        "rules/orders.yaml",
        "rules/conversation.yaml",
        "rules/zz-shop.yaml",
        "tests/conversations/orders.yaml",
        ".github/workflows/firstline.yml",
    ] {
        assert!(project.join(f).is_file(), "init did not write {f}");
    }
    let shop = std::fs::read_to_string(project.join("rules/zz-shop.yaml")).unwrap();
    assert!(
        shop.contains("# the shop's name as customers know it"),
        "{shop}"
    );
    assert!(shop.contains("shop_name: \"Shop Demo\""), "{shop}");
    let ci = std::fs::read_to_string(project.join(".github/workflows/firstline.yml")).unwrap();
    assert!(
        ci.contains("firstline check --deny-warnings --rules rules"),
        "{ci}"
    );

    // Untouched, the project only warns about the demo settings (if at all).
    let check = run_in(
        Some(&project),
        &["check", "--deny-warnings", "--rules", "rules"],
        "",
    );
    if code(&check) != 0 {
        let e = err(&check);
        for w in e.lines().filter(|l| l.starts_with("warning")) {
            assert!(
                w.contains("demo"),
                "unexpected warning on a fresh project: {w}\n{e}"
            );
        }
        assert!(
            e.contains("zz-shop.yaml") || e.contains("settings.yaml"),
            "{e}"
        );
    }
    // Filled in, it is green.
    std::fs::write(project.join("rules/zz-shop.yaml"), SHOP_SETTINGS).unwrap();
    let check = run_in(
        Some(&project),
        &["check", "--deny-warnings", "--rules", "rules"],
        "",
    );
    assert_eq!(code(&check), 0, "{}{}", out(&check), err(&check));
    let test = run_in(
        Some(&project),
        &["test", "--rules", "rules", "tests/conversations"],
        "",
    );
    assert_eq!(code(&test), 0, "{}{}", out(&test), err(&test));
    assert!(out(&test).contains(" passed, 0 failed"), "{}", out(&test));
    // The shop's values reach the customer.
    let chat = run_in(
        Some(&project),
        &["chat", "--plain", "--rules", "rules"],
        "xin chào shop\nhotline của shop là gì ạ\n",
    );
    let s = out(&chat);
    assert!(s.contains("Mỹ phẩm Hoa Sen"), "{s}");
    assert!(
        s.contains("028 3838 4242") && !s.contains("1900 0000"),
        "{s}"
    );
}

#[test]
fn init_refuses_to_overwrite_without_force() {
    let dir = temp_dir("init-again");
    let d = dir.to_str().unwrap();
    assert_eq!(code(&run(&["init", d], "")), 0);
    let shop = dir.join("rules/zz-shop.yaml");
    std::fs::write(&shop, SHOP_SETTINGS).unwrap();
    let again = run(&["init", d], "");
    assert_eq!(code(&again), 2);
    assert!(
        err(&again).contains("zz-shop.yaml already exists"),
        "{}",
        err(&again)
    );
    assert!(err(&again).contains("--force"), "{}", err(&again));
    assert_eq!(std::fs::read_to_string(&shop).unwrap(), SHOP_SETTINGS);
    let forced = run(&["init", "--force", d], "");
    assert_eq!(code(&forced), 0, "{}", err(&forced));
    assert!(std::fs::read_to_string(&shop)
        .unwrap()
        .contains("Shop Demo"));
}

#[test]
fn rules_layer_over_the_pack_key_by_key() {
    let dir = temp_dir("layers");
    let a = write(
        &dir,
        "a.yaml",
        "version: 1\nsettings:\n  shop_name: \"Mỹ phẩm Hoa Sen\"\n  hotline: \"028 1111 1111\"\n",
    );
    let b = write(
        &dir,
        "b.yaml",
        "version: 1\nsettings:\n  hotline: \"028 3838 4242\"\n",
    );
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let o = run(
        &["chat", "--plain", "--pack", "--rules", a, "--rules", b],
        "xin chào shop\nhotline của shop là gì ạ\n",
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    let s = out(&o);
    let lines: Vec<&str> = s.lines().collect();
    assert_eq!(lines.len(), 2, "{s}");
    // a.yaml's name, b.yaml's hotline, the pack's e-mail.
    assert!(lines[0].contains("Mỹ phẩm Hoa Sen"), "{s}");
    assert!(lines[1].contains("028 3838 4242"), "{s}");
    assert!(lines[1].contains("hotro@shopdemo.vn"), "{s}");
    // Without --pack, a settings-only file is the whole rule set.
    let o = run(&["check", "--rules", a, "--rules", b], "");
    assert!(
        out(&o).contains("0 intents") || err(&o).contains("0 intents"),
        "{}{}",
        out(&o),
        err(&o)
    );
}

// ---- chat ----

fn run_bytes(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn chat_goes_on_after_a_line_of_invalid_utf8() {
    let o = run_bytes(
        &["chat", "--plain", "--now", "1795575600"],
        b"xin ch\xe0o shop\n\xff\xfe h\xc3\xb3a \xc4\x91\xc6\xa1n\nhello there\nthank you so much\n",
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    let s = out(&o);
    assert_eq!(s.lines().count(), 4, "every line gets a reply:\n{s}");
    let lines: Vec<&str> = s.lines().collect();
    // The lines after the broken ones are answered as usual.
    assert!(lines[2].contains("Shop Demo xin chào"), "{s}");
    assert!(lines[3].contains("My pleasure"), "{s}");
    let e = err(&o);
    assert!(
        e.contains("line 1 is not valid UTF-8") && e.contains("line 2 is not valid UTF-8"),
        "{e}"
    );
    assert!(!e.contains("line 3"), "{e}");
}

#[test]
fn chat_reset_and_explain() {
    let o = run(
        &["chat", "--now", "1795575600"],
        "đơn DH100004 của em đâu rồi\n/explain\n/reset\n5678\n",
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    let s = out(&o);
    assert!(s.contains("4 số cuối"), "{s}");
    // /explain shows the last message's classification, not the command.
    assert!(
        s.contains("message:     \"đơn DH100004 của em đâu rồi\""),
        "{s}"
    );
    assert!(s.contains("intent:      track_order"), "{s}");
    assert!(s.contains("order_id = DH100004"), "{s}");
    // After /reset the digits answer nothing: the order is never revealed.
    assert!(s.contains("(new conversation)"), "{s}");
    let after = &s[s.find("(new conversation)").unwrap()..];
    assert!(!after.contains("GHN"), "{s}");
    assert!(after.contains("bot [no intent"), "{s}");
}

#[test]
fn chat_writes_events_that_report_reads() {
    let dir = temp_dir("chat-events");
    let events = dir.join("events.jsonl");
    let ev = events.to_str().unwrap();
    let o = run(
        &["chat", "--plain", "--now", "1795575600", "--events", ev],
        "xin chào\nđơn DH100004 của em đâu rồi\n5678\nasdf qwer\n",
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    let log = std::fs::read_to_string(&events).unwrap();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Four messages, one lookup (with the answer: the proof is asked first).
    assert_eq!(lines.len(), 5, "{log}");
    assert_eq!(lines[0]["intent"], "greet");
    assert_eq!(lines[0]["text"], "xin chào");
    assert_eq!(lines[3]["input"], "lookup");
    assert_eq!(lines[4]["understood"], false);
    assert_eq!(lines[4]["text"], "asdf qwer");
    let r = run(&["report", "--json", ev], "");
    assert_eq!(code(&r), 0, "{}", err(&r));
    let v: serde_json::Value = serde_json::from_str(&out(&r)).unwrap();
    assert_eq!(v["conversations"], 1);
    assert_eq!(v["messages"], 4);
    assert_eq!(v["fallbacks"], 1);
}

#[test]
fn chat_orders_file_with_the_shops_own_id_shape() {
    let dir = temp_dir("chat-orders");
    let shop = write(
        &dir,
        "shop.yaml",
        r#"version: 1
entities:
  order_id:
    pattern: '(?i)(?-u:\b)#?(?P<value>HS-?\d{6})(?-u:\b)'
    normalize: order_id
"#,
    );
    let orders = write(
        &dir,
        "orders.yaml",
        r#"# The shop's test orders.
- id: HS-240001
  status: in_transit
  carrier: GHTK
  tracking: GHTK555
  eta: "29/11"
  phone: "0938111222"
- id: HS-240002
  status: cancelled
"#,
    );
    let o = run(
        &[
            "chat",
            "--pack",
            "--rules",
            shop.to_str().unwrap(),
            "--orders",
            orders.to_str().unwrap(),
            "--now",
            "1795575600",
        ],
        "đơn hs-240001 của em tới đâu rồi ạ\n1222\n",
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    let s = out(&o);
    assert!(
        s.contains("(looking up HS240001: found, in_transit)"),
        "{s}"
    );
    assert!(s.contains("GHTK555"), "{s}");
    assert!(err(&o).contains("HS-240001 in_transit"), "{}", err(&o));

    let bad = write(&dir, "bad.yaml", "- id: HS-1\n  status: lost\n");
    let o = run(&["chat", "--orders", bad.to_str().unwrap()], "xin chào\n");
    assert_eq!(code(&o), 2);
    assert!(
        err(&o).contains("bad.yaml") && err(&o).contains("lost"),
        "{}",
        err(&o)
    );
}

// ---- report: counting and the HTML page ----

/// Event lines of the shipped bot for these conversations, with the
/// customer's text on message events (as `chat --events` writes them).
fn pack_events(conversations: &[(&str, i64, &[&str])]) -> String {
    use firstline::conversation::{Bot, Order, OrderStatus, Session};
    let bot = Bot::new(firstline::pack::matcher()).unwrap();
    let store: std::collections::HashMap<String, Order> = [(
        "DH100004".to_string(),
        Order::new("DH100004", OrderStatus::Shipped)
            .carrier("GHN")
            .phone("0912345678"),
    )]
    .into_iter()
    .collect();
    let mut lines = String::new();
    for (id, now, msgs) in conversations {
        let mut session = Session::new(*id);
        for m in *msgs {
            for e in bot.respond(&mut session, m, *now, &store).events {
                let mut v = serde_json::to_value(&e).unwrap();
                if v["input"] == "message" {
                    v["text"] = (*m).into();
                }
                lines.push_str(&v.to_string());
                lines.push('\n');
            }
        }
    }
    lines
}

/// 2026-11-26 10:00 and 02:00 in Vietnam (inside and outside agent hours).
const DAY: i64 = 1_795_575_600;
const NIGHT: i64 = 1_795_633_200;

#[test]
fn report_counts_handoffs_outside_agent_hours() {
    // At 2 a.m. the bot asks for a contact; the customer never leaves one.
    let lines = pack_events(&[
        ("night", NIGHT, &["cho em gặp nhân viên với ạ"]),
        ("day", DAY, &["Can I talk to a human please?"]),
        ("ok", DAY, &["xin chào shop"]),
    ]);
    let o = run(&["report", "--json"], &lines);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let v: serde_json::Value = serde_json::from_str(out(&o).trim()).unwrap();
    assert_eq!(v["conversations"], 3, "{v}");
    assert_eq!(v["handoffs"], 2, "{v}");
    assert_eq!(v["handoffs_out_of_hours"], 1, "{v}");
    assert_eq!(v["resolved_without_human"], 1, "{v}");
    assert_eq!(v["handoff_reasons"][0]["name"], "customer_request", "{v}");
    assert_eq!(v["handoff_reasons"][0]["count"], 2, "{v}");
    let text = run(&["report"], &lines);
    assert!(
        out(&text).contains("handed off              2 (1 outside agent hours)"),
        "{}",
        out(&text)
    );
}

#[test]
fn report_counts_an_order_question_once_with_its_answers() {
    // The question, then the last four digits: one track_order ask.
    let lines = pack_events(&[
        ("a", DAY, &["đơn DH100004 của em tới đâu rồi", "5678"]),
        ("b", DAY, &["Where is my order?", "DH100004", "5678"]),
    ]);
    let o = run(&["report", "--json"], &lines);
    let v: serde_json::Value = serde_json::from_str(out(&o).trim()).unwrap();
    assert_eq!(v["top_intents"][0]["name"], "track_order", "{v}");
    assert_eq!(v["top_intents"][0]["count"], 2, "{v}");
    assert_eq!(v["messages"], 5, "{v}");
}

#[test]
fn report_html_is_one_self_contained_page_with_charts() {
    let dir = temp_dir("report-html");
    let lines = pack_events(&[
        (
            "a",
            DAY,
            &["xin chào shop", "đơn DH100004 của em tới đâu rồi", "5678"],
        ),
        ("b", DAY + 86_400, &["where is my order DH100004"]),
        ("c", NIGHT, &["cho em gặp nhân viên với ạ", "0912 345 678"]),
        (
            "d",
            DAY,
            // Disappointment alone is answered with empathy: a fraud
            // accusation hands off.
            &["Đơn hàng giao chậm quá, shop lừa đảo à, làm ăn kiểu gì vậy"],
        ),
        ("e", DAY, &["<b>qwerty</b> asdf", "<B>qwerty</b>   ASDF"]),
    ]);
    let log = write(&dir, "events.jsonl", &lines);
    let page = dir.join("report.html");
    let o = run(
        &[
            "report",
            "--html",
            page.to_str().unwrap(),
            "--title",
            "Mỹ phẩm Hoa Sen",
            log.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.contains("<title>Mỹ phẩm Hoa Sen — support report</title>"));
    for section in [
        "Answered without a human",
        "Handoffs by reason",
        "First-reply time",
        "Repeat contacts",
        "Busiest hours by weekday",
        "Top intents",
        "Top fallback messages",
    ] {
        assert!(
            html.contains(&format!("<h2>{section}</h2>")),
            "no {section}"
        );
    }
    assert!(html.matches("<svg").count() >= 6, "{html}");
    // Nothing runs, nothing loads.
    for bad in ["<script", "src=", "href=", "@import", "url("] {
        assert!(!html.contains(bad), "{bad} in the page");
    }
    assert!(html.contains("fraud_accusation") && html.contains("customer_request"));
    assert!(html.contains("DH100004"), "repeat contact missing");
    // The customer's markup is text; the two spellings are one message.
    assert!(html.contains("&lt;b&gt;qwerty&lt;/b&gt; asdf: 2"), "{html}");
    assert!(!html.contains("<b>qwerty"));

    // An unwritable page fails before anything is read.
    let o = run(
        &[
            "report",
            "--html",
            dir.join("no/such/dir/r.html").to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("cannot write"), "{}", err(&o));
}

// ---- test: JUnit and coverage ----

#[test]
fn test_junit_into_a_missing_folder_creates_it() {
    let (dir, rules) = rules_dir();
    let scripts = write(&dir, "s.yaml", SCRIPTS);
    let junit = dir.join("target/reports/firstline/junit.xml");
    let o = run(
        &[
            "--rules",
            rules.to_str().unwrap(),
            "test",
            "--junit",
            junit.to_str().unwrap(),
            scripts.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains(r#"<testcase name="greeting in Vietnamese""#),
        "{xml}"
    );
}

#[test]
fn test_junit_that_cannot_be_written_fails_before_the_run() {
    let (dir, rules) = rules_dir();
    let scripts = write(&dir, "s.yaml", SCRIPTS);
    // A file where the folder should be.
    let blocker = write(&dir, "reports", "not a folder");
    let junit = blocker.join("junit.xml");
    let o = run(
        &[
            "--rules",
            rules.to_str().unwrap(),
            "test",
            "--junit",
            junit.to_str().unwrap(),
            scripts.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(code(&o), 2, "{}{}", out(&o), err(&o));
    assert!(err(&o).contains("cannot write"), "{}", err(&o));
    assert!(err(&o).contains("junit.xml"), "{}", err(&o));
    assert!(!out(&o).contains("PASS"), "the scripts ran:\n{}", out(&o));
}

#[test]
fn test_coverage_does_not_count_replies_lookup_intents_never_send() {
    let (dir, rules) = rules_dir();
    let scripts = write(&dir, "s.yaml", SCRIPTS);
    let o = run(
        &[
            "--rules",
            rules.to_str().unwrap(),
            "test",
            "--coverage",
            scripts.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));
    let s = out(&o);
    // track_order looks orders up: the status messages answer, never its
    // own replies, so they are not "never sent".
    assert!(
        !s.contains("never: track_order (vi) \"Dạ, {shop_name} kiểm tra ngay ạ.\""),
        "{s}"
    );
    assert!(s.contains("replies: 1/2 sent"), "{s}");
    assert!(
        s.contains("never: greet (en) \"Hello from {shop_name}!\""),
        "{s}"
    );
    assert!(s.contains("not counted: the replies of track_order"), "{s}");
}

#[test]
fn test_coverage_counts_handoffs_that_fired() {
    let (dir, rules) = rules_dir();
    let scripts = write(
        &dir,
        "h.yaml",
        "- name: angry\n  turns:\n    - say: bực mình quá, đơn hàng của em đâu rồi\n      handoff: angry_customer\n",
    );
    // Anger hands off here (the default answers it with empathy).
    let policy = write(
        &dir,
        "policy.yaml",
        "version: 1\nconversation:\n  lexicons:\n    anger: { action: handoff }\n",
    );
    let o = run(
        &[
            "--rules",
            rules.to_str().unwrap(),
            "--rules",
            policy.to_str().unwrap(),
            "test",
            "--coverage",
            scripts.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));
    let s = out(&o);
    let line = s
        .lines()
        .find(|l| l.contains("handoff triggers"))
        .unwrap_or_else(|| panic!("{s}"));
    let fired: usize = line
        .split(": ")
        .nth(1)
        .and_then(|x| x.split('/').next())
        .and_then(|x| x.parse().ok())
        .unwrap_or_else(|| panic!("{line}"));
    assert!(fired >= 1, "{line}");
    assert!(!s.contains("never: angry_customer"), "{s}");
}

// ---- explain ----

#[test]
fn explain_runs_while_examples_fail() {
    let dir = temp_dir("explain-examples");
    let rules = write(
        &dir,
        "r.yaml",
        r#"version: 1
intents:
  - id: ask_price
    phrases:
      vi: ["giá bao nhiêu"]
    examples:
      vi: ["cái này bao nhiêu tiền vậy shop"]
"#,
    );
    let o = run(
        &[
            "--rules",
            rules.to_str().unwrap(),
            "explain",
            "cái này bao nhiêu tiền vậy shop",
        ],
        "",
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    let e = err(&o);
    assert!(e.contains("warning[example-failed]"), "{e}");
    assert!(e.contains("r.yaml:7:"), "{e}");
    assert!(e.contains("explaining anyway"), "{e}");
    let s = out(&o);
    assert!(
        s.contains("message:     \"cái này bao nhiêu tiền vậy shop\""),
        "{s}"
    );
    assert!(s.contains("intent:      none"), "{s}");
    // Other errors still stop it.
    let bad = write(
        &dir,
        "bad.yaml",
        "version: 1\nintents:\n  - id: a\n    phrases: [\"@nope\"]\n",
    );
    let o = run(
        &["--rules", bad.to_str().unwrap(), "explain", "xin chào"],
        "",
    );
    assert_eq!(code(&o), 1, "{}", err(&o));
}

#[test]
fn explain_shows_the_regex_as_written_and_what_it_matched() {
    let dir = temp_dir("explain-regex");
    let rules = write(
        &dir,
        "r.yaml",
        r#"version: 1
intents:
  - id: refund_amount
    patterns: ['(?i)\bhoàn\s+(\d+)k\b']
    replies:
      vi: ["Dạ em kiểm tra khoản hoàn tiền ạ."]
"#,
    );
    let msg = "Shop ơi hoàn 150k cho em chưa ạ";
    let o = run(&["--rules", rules.to_str().unwrap(), "explain", msg], "");
    assert_eq!(code(&o), 0, "{}", err(&o));
    let s = out(&o);
    assert!(s.contains(r"regex   /(?i)\bhoàn\s+(\d+)k\b/"), "{s}");
    assert!(!s.contains(r"\\b"), "doubled backslashes:\n{s}");
    // The regex match is located on the message as typed.
    assert!(s.contains("on \"hoàn 150k\" at chars 8..17"), "{s}");
    assert!(!s.contains("on \"\""), "{s}");
    assert!(
        s.contains("refund_amount      score = (0.00 best + 0.5 × 0 extra words + 2.00 regex) × weight 1.00 = 2.00"),
        "{s}"
    );
}

#[test]
fn explain_positions_are_characters_and_scores_show_their_parts() {
    let (_d, rules) = rules_dir();
    let msg = "Đơn hàng của em đâu rồi, bực mình quá";
    let o = run(&["--rules", rules.to_str().unwrap(), "explain", msg], "");
    assert_eq!(code(&o), 0, "{}", err(&o));
    let s = out(&o);
    let start = msg[..msg.find("bực mình").unwrap()].chars().count();
    assert_eq!(start, 25);
    assert!(
        s.contains(&format!(
            "anger (severity 2) \"bực mình\" on \"bực mình\" at chars {start}..{}",
            start + 8
        )),
        "{s}"
    );
    // The byte offsets (31..42) are not shown.
    assert!(!s.contains("31..42"), "{s}");
    let track = s
        .lines()
        .find(|l| l.trim_start().starts_with("track_order") && l.contains("score = ("))
        .unwrap_or_else(|| panic!("no score line:\n{s}"));
    assert!(track.contains(" best + 0.5 × "), "{track}");
    assert!(track.contains("; confidence = 0.6 × (1 − e^(−"), "{track}");
    assert!(track.contains(" words = 0."), "{track}");
}

#[test]
fn help_speaks_of_the_tool_not_the_library() {
    for sub in [
        "", "init", "check", "explain", "chat", "classify", "test", "report", "eval", "schema",
    ] {
        let args: Vec<&str> = [sub, "--help"]
            .into_iter()
            .filter(|a| !a.is_empty())
            .collect();
        let o = run(&args, "");
        assert_eq!(code(&o), 0, "{sub}: {}", err(&o));
        let s = out(&o);
        for call in ["::", "()", "Matcher", "to_json_line", "from_path", "Runner"] {
            assert!(
                !s.contains(call),
                "`firstline {sub} --help` mentions {call}:\n{s}"
            );
        }
    }
}

#[test]
fn explain_shows_the_example_similarity_when_it_was_consulted() {
    let o = run(&["explain", "do you guys ship abroad"], "");
    assert_eq!(code(&o), 0, "{}", err(&o));
    let s = out(&o);
    assert!(s.contains("similarity:  examples consulted"), "{s}");
    assert!(
        s.lines()
            .any(|l| l.trim_start().starts_with("delivery_options") && l.contains("0.")),
        "{s}"
    );
    assert!(s.contains("  nearest 0."), "{s}");
    // A message the phrases settle does not consult it.
    let o = run(&["explain", "đơn DH123456 của em tới đâu rồi"], "");
    assert!(!out(&o).contains("similarity:"), "{}", out(&o));
}

#[test]
fn output_into_a_closed_pipe_is_not_a_crash() {
    for args in [
        &["explain", "đơn DH123456 của em tới đâu rồi"][..],
        &["report"][..],
        &["eval", "tests/data/english.tsv"][..],
        &["eval", "--json", "tests/data/english.tsv"][..],
    ] {
        // The reading end is closed before the tool writes a byte.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let o = Command::new(BIN)
            .args(args)
            .stdin(Stdio::null())
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert_ne!(code(&o), 101, "{args:?} panicked: {}", err(&o));
        assert!(!err(&o).contains("panicked"), "{args:?}: {}", err(&o));
    }
}
