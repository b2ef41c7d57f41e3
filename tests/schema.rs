//! The JSON Schemas that `firstline schema` prints validate every shipped
//! file, so editors never flag the pack itself, and reject what the
//! compiler rejects (a misspelt key).
//!
//! The validator below knows exactly the keywords the schemas use and
//! panics on any other, so a schema cannot pass by using a keyword the test
//! ignores.
#![cfg(feature = "cli")]

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn schema(which: &str) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_firstline"))
        .args(["schema", which])
        .output()
        .unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

fn type_ok(want: &str, v: &Value) -> bool {
    match want {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "string" => v.is_string(),
        "integer" => v.as_i64().is_some() || v.as_u64().is_some(),
        "number" => v.is_number(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        other => panic!("unknown type {other}"),
    }
}

/// Validates `v` against `s`; problems are pushed as "path: what".
fn validate(root: &Value, s: &Value, v: &Value, path: &str, errs: &mut Vec<String>) {
    let Some(s) = s.as_object() else {
        assert!(s.as_bool().is_some(), "schema at {path} is not an object");
        if s == &Value::Bool(false) {
            errs.push(format!("{path}: not allowed"));
        }
        return;
    };
    for (k, rule) in s {
        match k.as_str() {
            "$schema" | "$id" | "title" | "description" | "default" | "definitions" => {}
            "$ref" => {
                let name = rule
                    .as_str()
                    .and_then(|r| r.strip_prefix("#/definitions/"))
                    .expect("refs point into #/definitions");
                let target = &root["definitions"][name];
                assert!(!target.is_null(), "dangling $ref {name}");
                validate(root, target, v, path, errs);
            }
            "type" => {
                let ok = match rule {
                    Value::String(t) => type_ok(t, v),
                    Value::Array(ts) => ts.iter().any(|t| type_ok(t.as_str().unwrap(), v)),
                    _ => panic!("bad type at {path}"),
                };
                if !ok {
                    errs.push(format!("{path}: expected type {rule}, got {v}"));
                }
            }
            "const" => {
                if v != rule {
                    errs.push(format!("{path}: expected {rule}, got {v}"));
                }
            }
            "enum" => {
                if !rule.as_array().unwrap().contains(v) {
                    errs.push(format!("{path}: {v} is not one of {rule}"));
                }
            }
            "minimum" => {
                if v.as_f64().is_some_and(|x| x < rule.as_f64().unwrap()) {
                    errs.push(format!("{path}: {v} < {rule}"));
                }
            }
            "maximum" => {
                if v.as_f64().is_some_and(|x| x > rule.as_f64().unwrap()) {
                    errs.push(format!("{path}: {v} > {rule}"));
                }
            }
            "pattern" => {
                let re = regex::Regex::new(rule.as_str().unwrap()).unwrap();
                if v.as_str().is_some_and(|t| !re.is_match(t)) {
                    errs.push(format!("{path}: {v} does not match {rule}"));
                }
            }
            "required" => {
                if let Some(o) = v.as_object() {
                    for r in rule.as_array().unwrap() {
                        if !o.contains_key(r.as_str().unwrap()) {
                            errs.push(format!("{path}: missing {r}"));
                        }
                    }
                }
            }
            "properties" => {
                if let Some(o) = v.as_object() {
                    for (name, sub) in rule.as_object().unwrap() {
                        if let Some(x) = o.get(name) {
                            validate(root, sub, x, &format!("{path}.{name}"), errs);
                        }
                    }
                }
            }
            "additionalProperties" => {
                if let Some(o) = v.as_object() {
                    let known = s.get("properties").and_then(|p| p.as_object());
                    for (name, x) in o {
                        if known.is_some_and(|k| k.contains_key(name)) {
                            continue;
                        }
                        validate(root, rule, x, &format!("{path}.{name}"), errs);
                    }
                }
            }
            "propertyNames" => {
                if let Some(o) = v.as_object() {
                    for name in o.keys() {
                        let key = Value::String(name.clone());
                        validate(root, rule, &key, &format!("{path}.<{name}>"), errs);
                    }
                }
            }
            "items" => {
                if let Some(a) = v.as_array() {
                    for (i, x) in a.iter().enumerate() {
                        validate(root, rule, x, &format!("{path}.{i}"), errs);
                    }
                }
            }
            "oneOf" => {
                let passing = rule
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|sub| {
                        let mut e = Vec::new();
                        validate(root, sub, v, path, &mut e);
                        e.is_empty()
                    })
                    .count();
                if passing != 1 {
                    errs.push(format!("{path}: {passing} alternatives of oneOf match {v}"));
                }
            }
            other => panic!("the test validator does not know the keyword `{other}` (at {path})"),
        }
    }
}

fn check_dir(schema: &Value, dir: &str) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut n = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    entries.sort();
    for path in entries {
        let text = std::fs::read_to_string(&path).unwrap();
        for (i, doc) in serde_yaml::Deserializer::from_str(&text).enumerate() {
            let v: Value = serde::Deserialize::deserialize(doc).unwrap();
            let mut errs = Vec::new();
            validate(schema, schema, &v, "", &mut errs);
            assert!(
                errs.is_empty(),
                "{} (document {i}) does not validate:\n{}",
                path.display(),
                errs.join("\n")
            );
            n += 1;
        }
    }
    n
}

#[test]
fn the_rule_schema_validates_every_shipped_rule_file() {
    let s = schema("rules");
    assert!(check_dir(&s, "rules") >= 13);
}

#[test]
fn the_script_schema_validates_every_shipped_script() {
    let s = schema("script");
    assert!(check_dir(&s, "tests/conversations") >= 5);
}

#[test]
fn the_rule_schema_rejects_what_the_compiler_rejects() {
    let s = schema("rules");
    for (yaml, what) in [
        (
            "version: 1\nintents:\n  - id: a\n    phrase: [x]\n",
            "phrase",
        ),
        (
            "version: 1\nconversation:\n  max_slot_retrys: 3\n",
            "max_slot_retrys",
        ),
        ("version: 2\n", "version"),
        (
            "version: 1\nintents:\n  - id: a\n    phrases: [x]\n    vetos: [y]\n",
            "vetos",
        ),
    ] {
        let v: Value = serde_yaml::from_str(yaml).unwrap();
        let mut errs = Vec::new();
        validate(&s, &s, &v, "", &mut errs);
        assert!(
            errs.iter().any(|e| e.contains(what)),
            "{yaml}: expected a problem with {what}, got {errs:?}"
        );
    }
}

/// The names the schema allows under `conversation.messages` and
/// `conversation.handoff` are exactly the ones the compiler knows: the
/// compiler's error for an unknown name lists them.
#[test]
fn the_rule_schema_knows_every_message_and_trigger_name() {
    let s = schema("rules");
    let conv = &s["properties"]["conversation"]["properties"];
    for (section, help) in [
        ("messages", "known messages: "),
        ("handoff", "known handoff triggers: "),
    ] {
        let mut in_schema: Vec<&str> = conv[section]["propertyNames"]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{section}: no propertyNames enum"))
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        in_schema.sort_unstable();
        let yaml = format!("version: 1\nconversation:\n  {section}:\n    no_such_name: {{}}\n");
        let err = firstline::Matcher::new(&yaml).unwrap_err().to_string();
        let list = err
            .lines()
            .find_map(|l| l.split_once(help).map(|(_, rest)| rest))
            .unwrap_or_else(|| panic!("{section}: no `{help}` in:\n{err}"));
        let mut known: Vec<&str> = list.split(", ").map(str::trim).collect();
        known.sort_unstable();
        assert_eq!(in_schema, known, "{section}: schema and compiler disagree");
    }
}

#[test]
fn the_rule_schema_knows_the_scoring_keys() {
    let s = schema("rules");
    let yaml = "version: 1\nintents:\n  - id: a\n    phrases: [\"nhận được hàng\"]\n    exclude: [\"hoàn tiền\"]\n    veto:\n      vi: [\"chưa\"]\n      en: [\"not\"]\n";
    let v: Value = serde_yaml::from_str(yaml).unwrap();
    let mut errs = Vec::new();
    validate(&s, &s, &v, "", &mut errs);
    assert!(errs.is_empty(), "{errs:?}");
    let sets = "version: 1\nintents:\n  - id: a\n    sets:\n      - all: [\"@cancel\", \"@order\"]\n        support: [\"giúp\"]\n  - id: b\n    sets:\n      vi:\n        - all: [\"đổi\", \"địa chỉ\"]\n      en:\n        - all: [change, address]\n";
    let v: Value = serde_yaml::from_str(sets).unwrap();
    let mut errs = Vec::new();
    validate(&s, &s, &v, "", &mut errs);
    assert!(errs.is_empty(), "{errs:?}");
    for bad in [
        "version: 1\nintents:\n  - id: a\n    sets:\n      - support: [giúp]\n",
        "version: 1\nintents:\n  - id: a\n    sets:\n      - all: [a, b]\n        suport: [c]\n",
    ] {
        let v: Value = serde_yaml::from_str(bad).unwrap();
        let mut errs = Vec::new();
        validate(&s, &s, &v, "", &mut errs);
        assert!(!errs.is_empty(), "{bad}");
    }
    let bad = "version: 1\nintents:\n  - id: a\n    phrases: [x]\n    veto: 3\n";
    let v: Value = serde_yaml::from_str(bad).unwrap();
    let mut errs = Vec::new();
    validate(&s, &s, &v, "", &mut errs);
    assert!(errs.iter().any(|e| e.contains("veto")), "{errs:?}");
}
