//! `firstline init [DIR]`: a new bot project from the shipped pack.
//!
//! Writes the pack's rule files, a commented settings file for the shop,
//! example conversation scripts and a CI workflow, so someone who installed
//! the tool (and has no `rules/` directory) starts from a working bot.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The shop's own settings file: sorts after the pack's files, so its
/// values win key by key.
pub const SHOP_FILE: &str = "rules/zz-shop.yaml";

/// Example scripts, from the repository's own suite (they pass on the pack).
const SCRIPTS: &[(&str, &str)] = &[
    (
        "tests/conversations/orders.yaml",
        include_str!("../../../tests/conversations/orders.yaml"),
    ),
    (
        "tests/conversations/handoff.yaml",
        include_str!("../../../tests/conversations/handoff.yaml"),
    ),
    (
        "tests/conversations/smalltalk.yaml",
        include_str!("../../../tests/conversations/smalltalk.yaml"),
    ),
];

const WORKFLOW: &str = ".github/workflows/firstline.yml";

const WORKFLOW_TEXT: &str = r#"# Fails the build on a broken rule, a lint (demo settings included) or a
# failing conversation script, and publishes the scripts' JUnit report.
name: bot
on: [push, pull_request]
jobs:
  conversations:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: dtolnay/rust-toolchain@stable
      - run: cargo install firstline --locked
      - name: Check the rules
        run: firstline check --deny-warnings --rules rules
      - name: Run the conversation scripts
        run: firstline test --rules rules --junit target/firstline-junit.xml tests/conversations
      - name: Publish the test report
        if: always()
        uses: mikepenz/action-junit-report@v4
        with:
          report_paths: target/firstline-junit.xml
"#;

/// What each shipped setting means, in the order a shop fills them in.
const SETTING_HELP: &[(&str, &str)] = &[
    ("shop_name", "the shop's name as customers know it"),
    ("hotline", "the phone number customers can call"),
    ("email", "the support e-mail address"),
    ("zalo", "the shop's Zalo number"),
    ("website", "the shop's website, without https://"),
    ("fanpage", "the shop's Facebook page"),
    ("store_address", "the address of the physical store"),
    (
        "opening_hours",
        "opening hours, as a Vietnamese reply shows them",
    ),
    (
        "opening_hours_en",
        "opening hours, as an English reply shows them",
    ),
    (
        "agent_hours",
        "when human agents answer (outside them the bot asks for a contact)",
    ),
    ("return_days", "days a customer has to return an item"),
    ("refund_days", "working days a refund takes"),
    ("warranty_months", "warranty length in months"),
    (
        "shipping_fee",
        "the standard shipping fee (Vietnamese replies)",
    ),
    (
        "shipping_fee_en",
        "the standard shipping fee (English replies)",
    ),
    (
        "free_shipping_threshold",
        "order value with free shipping (Vietnamese replies)",
    ),
    (
        "free_shipping_threshold_en",
        "order value with free shipping (English replies)",
    ),
    ("delivery_days_city", "delivery days inside the city"),
    ("delivery_days_province", "delivery days to other provinces"),
    ("carriers", "the carriers the shop ships with"),
    ("cancellation_fee", "what cancelling an order costs"),
];

fn yaml_string(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// The commented settings file, with the pack's current values.
pub fn shop_settings() -> String {
    let settings = firstline::pack::matcher().settings().clone();
    let mut o = String::new();
    o.push_str(
        "version: 1\n\n\
         # Your shop's settings: the values of the {placeholders} in replies.\n\
         # This file sorts after the pack's files, so every key here replaces\n\
         # the pack's value; delete a key to keep the pack's. The values below\n\
         # are the pack's DEMO values: customers would see them, so replace\n\
         # each one before going live.\n\n\
         settings:\n",
    );
    let mut keys: Vec<&str> = SETTING_HELP
        .iter()
        .map(|(k, _)| *k)
        .filter(|k| settings.contains_key(*k))
        .collect();
    keys.extend(
        settings
            .keys()
            .map(String::as_str)
            .filter(|k| !SETTING_HELP.iter().any(|(h, _)| h == k)),
    );
    for k in keys {
        if let Some((_, help)) = SETTING_HELP.iter().find(|(h, _)| *h == k) {
            let _ = writeln!(o, "  # {help}");
        }
        let _ = writeln!(o, "  {k}: {}", yaml_string(&settings[k]));
    }
    o.push_str(
        "\n# Your order ids, if they all have one shape: one line, and the pack's\n\
         # generic shapes (DH123456, #R5T8W2, 15-digit and date-prefixed\n\
         # marketplace ids...) step aside. Uncomment and write your own:\n\
         # conversation:\n\
         #   order_id: { patterns: ['^MS\\d{7}$'] }\n",
    );
    o
}

/// Every file `init` writes, as (path relative to DIR, text).
pub fn files() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = firstline::pack::sources()
        .iter()
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .collect();
    out.push((SHOP_FILE.to_string(), shop_settings()));
    out.extend(
        SCRIPTS
            .iter()
            .map(|(name, text)| (name.to_string(), text.to_string())),
    );
    out.push((WORKFLOW.to_string(), WORKFLOW_TEXT.to_string()));
    out
}

pub fn run(dir: &Path, force: bool) -> u8 {
    let files = files();
    let targets: Vec<(PathBuf, &str)> = files
        .iter()
        .map(|(name, text)| (dir.join(name), text.as_str()))
        .collect();
    let existing: Vec<&PathBuf> = targets
        .iter()
        .map(|(p, _)| p)
        .filter(|p| p.exists())
        .collect();
    if !existing.is_empty() && !force {
        for p in &existing {
            eprintln!("error: {} already exists", p.display());
        }
        eprintln!(
            "nothing was written: pass --force to overwrite these {} file{}, or choose another directory",
            existing.len(),
            if existing.len() == 1 { "" } else { "s" }
        );
        return crate::BAD_INPUT;
    }
    for (path, text) in &targets {
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(path, text));
        if let Err(e) = written {
            eprintln!("error: cannot write {}: {e}", path.display());
            return crate::BAD_INPUT;
        }
    }
    let shown = dir.display();
    println!("wrote {} files to {shown}:", targets.len());
    println!("  rules/                the shipped rule pack (edit freely)");
    println!("  {SHOP_FILE}    your shop's settings: replace the demo values");
    println!("  tests/conversations/  example conversation scripts");
    println!("  {WORKFLOW}  CI: check the rules, run the scripts");
    println!("next:");
    println!("  cd {shown}");
    println!("  firstline check --deny-warnings --rules rules");
    println!("  firstline test --rules rules tests/conversations");
    println!("  firstline chat --rules rules");
    0
}
