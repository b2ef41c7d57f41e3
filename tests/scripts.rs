//! This repository's conversation scripts (`tests/conversations/`), run on
//! the shipped pack through `firstline::script`, the way a storefront runs
//! its own scripts inside `cargo test`.
#![cfg(feature = "script")]

use firstline::conversation::Bot;
use firstline::script::{self, Runner};
use firstline::{pack, Matcher};

#[test]
fn conversation_scripts() {
    let bot = Bot::new(pack::matcher()).expect("the shipped pack builds a bot");
    // The rules' sources let scripts override shop settings.
    let mut rules = Matcher::builder();
    for (name, text) in pack::sources() {
        rules.add_yaml(name, text);
    }
    let runner = Runner::new(bot).with_rules(rules);
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/conversations");
    let scripts = script::load(dir).unwrap_or_else(|e| panic!("\n{e}\n"));
    assert!(scripts.len() > 60, "only {} scripts loaded", scripts.len());
    let results = runner.run_all(&scripts);
    for r in &results {
        println!("{} {}", if r.passed() { "PASS" } else { "FAIL" }, r.name);
    }
    script::assert_pass(&results);
}

#[test]
fn every_shipped_intent_is_exercised() {
    let scripts = script::load(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/conversations"))
        .unwrap_or_else(|e| panic!("\n{e}\n"));
    let m = pack::matcher();
    let bot = Bot::new(m.clone()).expect("the shipped pack builds a bot");
    let results = Runner::new(bot).run_all(&scripts);
    let seen: std::collections::BTreeSet<&str> = results
        .iter()
        .flat_map(|r| r.trace.intents.iter().map(String::as_str))
        .collect();
    let missing: Vec<&str> = m
        .intents()
        .iter()
        .map(|i| &*i.id)
        .filter(|id| !seen.contains(id) && *id != "fallback")
        .collect();
    assert!(missing.is_empty(), "no script exercises {missing:?}");
}
