//! Every mistake a bot author can make: its kind, message, location and help.

use firstline::{CompileError, Diagnostic, DiagnosticKind as K, Matcher, Severity};

fn compile_err(yaml: &str) -> CompileError {
    match Matcher::builder().add_yaml("shop.yaml", yaml).build() {
        Ok(_) => panic!("expected a compile error for:\n{yaml}"),
        Err(e) => e,
    }
}

/// The errors as (kind, line, column, message).
fn errors(yaml: &str) -> Vec<(K, usize, usize, String)> {
    compile_err(yaml)
        .errors()
        .map(|d| {
            let (l, c) = d.location().map_or((0, 0), |l| (l.line(), l.column()));
            (d.kind(), l, c, d.message().to_string())
        })
        .collect()
}

fn only(yaml: &str) -> Diagnostic {
    let e = compile_err(yaml);
    let errs: Vec<&Diagnostic> = e.errors().collect();
    assert_eq!(errs.len(), 1, "expected exactly one error, got:\n{e}");
    errs[0].clone()
}

fn assert_at(d: &Diagnostic, kind: K, line: usize, column: usize, msg_part: &str) {
    let loc = d
        .location()
        .unwrap_or_else(|| panic!("no location in:\n{d}"));
    assert_eq!(
        (d.kind(), loc.line(), loc.column()),
        (kind, line, column),
        "\n{d}\nhelp: expected {kind:?} at {line}:{column}"
    );
    assert!(
        d.message().contains(msg_part),
        "message {:?} lacks {msg_part:?}",
        d.message()
    );
    assert_eq!(loc.file(), "shop.yaml");
    assert!(
        d.help_text().is_some_and(|h| !h.is_empty()),
        "every error says what to do:\n{d}"
    );
}

const HEAD: &str = "version: 1\n";

#[test]
fn yaml_syntax_error_has_serde_location() {
    let d = only("version: 1\nintents:\n  - id: a\n    phrases: [\"x\"\n");
    assert_eq!(d.kind(), K::Yaml);
    let loc = d.location().expect("syntax errors have a location");
    assert_eq!(loc.file(), "shop.yaml");
    assert!(loc.line() >= 4, "{d}");
}

#[test]
fn wrong_type_is_a_yaml_error() {
    let d = only("version: 1\nintents:\n  - id: a\n    weight: heavy\n");
    assert_eq!(d.kind(), K::Yaml);
    assert_eq!(d.location().unwrap().line(), 4, "{d}");
}

#[test]
fn missing_and_unsupported_version() {
    let d = only("intents: []\n");
    assert_at(&d, K::Version, 1, 1, "missing `version`");
    let d = only("version: 2\n");
    assert_at(&d, K::Version, 1, 10, "unsupported rule format version 2");
    let d = only("   \n");
    assert_at(&d, K::Version, 1, 1, "empty rule file");
}

#[test]
fn unknown_field_is_reported_not_ignored() {
    let d = only("version: 1\nintents:\n  - id: a\n    phrase: [\"đơn hàng\"]\n");
    assert_eq!(d.kind(), K::UnknownField);
    assert!(d.message().contains("unknown field `phrase`"), "{d}");
    assert_eq!(d.location().unwrap().line(), 4);
}

#[test]
fn unknown_concept_points_inside_the_phrase_and_suggests() {
    let yaml = "version: 1\nconcepts:\n  order: [\"đơn hàng\"]\nintents:\n  - id: track\n    phrases:\n      vi: [\"kiểm tra @oder\"]\n";
    let d = only(yaml);
    // `      vi: ["kiểm tra @oder"]`: the quote is column 12, `@` column 22.
    assert_at(&d, K::UnknownConcept, 7, 22, "unknown concept `@oder`");
    assert_eq!(d.location().unwrap().len(), 5);
    assert!(d.help_text().unwrap().contains("did you mean `@order`"));
}

#[test]
fn duplicate_intent_names_the_first_definition() {
    let yaml = "version: 1\nintents:\n  - id: greet\n    phrases: [\"xin chào\"]\n  - id: greet\n    phrases: [\"hello\"]\n";
    let d = only(yaml);
    assert_at(&d, K::DuplicateIntent, 5, 9, "duplicate intent id `greet`");
    assert!(d.help_text().unwrap().contains("shop.yaml:3:9"), "{d}");
}

#[test]
fn duplicate_intent_across_files() {
    let e = Matcher::builder()
        .add_yaml(
            "a.yaml",
            "version: 1\nintents:\n  - id: greet\n    phrases: [\"chào\"]\n",
        )
        .add_yaml(
            "b.yaml",
            "version: 1\nintents:\n  - id: greet\n    phrases: [\"hi\"]\n",
        )
        .build()
        .unwrap_err();
    let d = e.errors().next().unwrap();
    assert_eq!(d.kind(), K::DuplicateIntent);
    assert_eq!(d.location().unwrap().file(), "b.yaml");
    assert!(d.help_text().unwrap().contains("a.yaml:3:9"));
}

#[test]
fn invalid_names() {
    let d = only(&format!(
        "{HEAD}intents:\n  - id: Track Order\n    phrases: [\"a b\"]\n"
    ));
    assert_at(&d, K::InvalidName, 3, 9, "invalid intent id `Track Order`");
}

#[test]
fn empty_phrase() {
    let d = only(&format!(
        "{HEAD}intents:\n  - id: a\n    phrases:\n      - \"\"\n"
    ));
    assert_at(&d, K::InvalidPhrase, 5, 9, "empty phrase");
}

#[test]
fn phrase_syntax_errors() {
    let cases = [
        ("\"đơn (hàng\"", "unclosed bracket"),
        ("\"đơn hàng)\"", "unexpected `)`"),
        ("\"* đơn hàng\"", "gap"),
        ("\"[đơn hàng]\"", "without any word"),
        ("\"a | b\"", "`|` outside a group"),
        ("\"đơn *** hàng\"", "too many `*`"),
        ("\"đơn () hàng\"", "empty group"),
        ("\"@ đơn\"", "without a concept name"),
    ];
    for (phrase, msg) in cases {
        let d = only(&format!(
            "{HEAD}intents:\n  - id: a\n    phrases:\n      - {phrase}\n"
        ));
        assert_eq!(d.kind(), K::InvalidPhrase, "{phrase}: {d}");
        assert_eq!(d.location().unwrap().line(), 5, "{phrase}: {d}");
        assert!(
            d.message().contains(msg),
            "{phrase}: {d}\nhelp: expected {msg:?}"
        );
    }
}

#[test]
fn phrase_too_large() {
    let alt = "(a|b|c|d|e|f)";
    let phrase = format!("{alt} {alt} {alt} {alt}");
    let d = only(&format!(
        "{HEAD}intents:\n  - id: a\n    phrases: [\"{phrase}\"]\n"
    ));
    assert_eq!(d.kind(), K::PhraseTooLarge);
    assert_eq!(d.location().unwrap().line(), 4);
}

#[test]
fn invalid_and_too_large_regex() {
    let d = only(&format!(
        "{HEAD}intents:\n  - id: a\n    patterns:\n      - '(unclosed'\n"
    ));
    assert_at(&d, K::InvalidRegex, 5, 9, "invalid regex");
    let d = only(&format!(
        "{HEAD}intents:\n  - id: a\n    patterns:\n      - '(\\w{{100}}){{100}}'\n"
    ));
    assert_at(&d, K::RegexTooLarge, 5, 9, "regex compiles to more than");
    let d = only(&format!(
        "{HEAD}entities:\n  order_id:\n    pattern: '[A-Z'\n    normalize: order_id\n"
    ));
    assert_at(&d, K::InvalidRegex, 4, 14, "invalid regex");
}

#[test]
fn out_of_range_values() {
    let d = only(&format!(
        "{HEAD}intents:\n  - id: a\n    weight: 50\n    phrases: [\"x y\"]\n"
    ));
    assert_at(&d, K::InvalidValue, 4, 13, "weight 50 is out of range");
    let d = only(&format!(
        "{HEAD}lexicons:\n  anger:\n    severity: 9\n    terms: [\"lừa đảo\"]\n"
    ));
    assert_at(&d, K::InvalidValue, 4, 15, "severity 9");
}

#[test]
fn unknown_references() {
    let d = only(&format!(
        "{HEAD}intents:\n  - id: a\n    phrases: [\"x y\"]\n    slots: [order_id]\n"
    ));
    assert_at(
        &d,
        K::UnknownReference,
        5,
        13,
        "slot `order_id` is not an entity",
    );
    let d = only(&format!(
        "{HEAD}intents:\n  - id: a\n    phrases: [\"x y\"]\n    action: lookup\n"
    ));
    assert_at(&d, K::UnknownReference, 5, 13, "unknown action `lookup`");
    let d = only(&format!(
        "{HEAD}entities:\n  phone:\n    pattern: '\\d+'\n    normalize: telephone\n"
    ));
    assert_at(
        &d,
        K::UnknownReference,
        5,
        16,
        "unknown normaliser `telephone`",
    );
}

#[test]
fn failing_example_and_counter_example() {
    let yaml = "version: 1
intents:
  - id: track_order
    phrases:
      vi: [\"đơn hàng * (đâu|tới đâu)\"]
      en: [\"where * order\"]
    examples:
      vi: [\"đơn hàng của em đâu rồi\", \"hôm nay trời đẹp quá\"]
    counter_examples:
      en: [\"where is my order\"]
";
    let errs = errors(yaml);
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert_eq!(errs[0].0, K::ExampleFailed);
    assert_eq!((errs[0].1, errs[0].2), (8, 39));
    assert!(errs[0].3.contains("example of `track_order`"), "{errs:?}");
    assert_eq!(errs[1].0, K::CounterExampleFailed);
    assert_eq!((errs[1].1, errs[1].2), (10, 12));
}

#[test]
fn all_errors_in_one_pass() {
    let yaml = "version: 1
intents:
  - id: a
    phrases: [\"@nope\", \"\"]
    patterns: ['(']
  - id: a
    phrases: [\"x\"]
";
    let errs = errors(yaml);
    let kinds: Vec<K> = errs.iter().map(|e| e.0).collect();
    assert_eq!(
        kinds,
        vec![
            K::UnknownConcept,
            K::InvalidPhrase,
            K::InvalidRegex,
            K::DuplicateIntent
        ],
        "{errs:?}"
    );
}

#[test]
fn io_errors_name_the_path() {
    let e = Matcher::from_path("/nonexistent/firstline/rules").unwrap_err();
    let d = e.errors().next().unwrap();
    assert_eq!(d.kind(), K::Io);
    assert!(d.message().contains("/nonexistent/firstline/rules"));
}

#[test]
fn directory_of_files_is_merged_and_located() {
    let dir = std::env::temp_dir().join(format!("firstline-ce-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(
        dir.join("a.yaml"),
        "version: 1\nconcepts:\n  order: [\"đơn hàng\", \"order\"]\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("sub/b.yml"),
        "version: 1\nintents:\n  - id: track\n    phrases: [\"@order (đâu|where)\", \"@missing\"]\n",
    )
    .unwrap();
    std::fs::write(dir.join("notes.txt"), "not a rule file").unwrap();
    let e = Matcher::from_path(&dir).unwrap_err();
    let d = e.errors().next().unwrap();
    assert_eq!(d.kind(), K::UnknownConcept);
    let loc = d.location().unwrap();
    assert!(loc.file().ends_with("sub/b.yml"), "{d}");
    assert_eq!((loc.line(), loc.column()), (4, 38));
    // Fixed, the two files merge: the concept from a.yaml serves b.yml.
    std::fs::write(
        dir.join("sub/b.yml"),
        "version: 1\nintents:\n  - id: track\n    phrases: [\"@order (đâu|where)\"]\n",
    )
    .unwrap();
    let m = Matcher::from_path(&dir).unwrap();
    assert_eq!(m.classify("đơn hàng đâu").intent_id(), Some("track"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn rendered_error_is_a_caret_snippet() {
    let yaml = "version: 1\nconcepts:\n  order: [\"đơn hàng\"]\nintents:\n  - id: track\n    phrases:\n      vi: [\"kiểm tra @oder\"]\n      en: [\"check @order\"]\n";
    let rendered = compile_err(yaml).to_string();
    let want = "\
error[unknown-concept]: unknown concept `@oder`
 --> shop.yaml:7:22
  |
7 |       vi: [\"kiểm tra @oder\"]
  |                      ^^^^^ not defined in this rule set
  = help: define it under `concepts:` in any rule file, or did you mean `@order`?

could not compile the rules: 1 error";
    assert_eq!(rendered, want, "\n--- got ---\n{rendered}");
}

#[test]
fn warnings_do_not_fail_the_build() {
    let yaml = "version: 1
concepts:
  unused: [\"x\"]
intents:
  - id: greet
    phrases: [\"xin chào\"]
    replies:
      vi: [\"Dạ, em chào anh/chị ạ. Em có thể giúp gì ạ?\"]
";
    let m = Matcher::builder()
        .add_yaml("shop.yaml", yaml)
        .build()
        .unwrap();
    let msgs: Vec<&str> = m.warnings().iter().map(|d| d.message()).collect();
    assert!(m
        .warnings()
        .iter()
        .all(|d| d.severity() == Severity::Warning));
    assert!(
        msgs.iter()
            .any(|m| m.contains("concept `unused` is never used")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter().any(|m| m.contains("replies in `vi` only")),
        "{msgs:?}"
    );
}

#[test]
fn unicode_word_boundary_in_an_entity_is_linted() {
    let yaml = "version: 1
entities:
  slow:
    pattern: '\\bDH\\d{6}\\b'
  fast:
    pattern: '(?-u:\\b)DH\\d{6}(?-u:\\b)'
";
    let m = Matcher::builder()
        .add_yaml("shop.yaml", yaml)
        .build()
        .unwrap();
    let lints: Vec<&Diagnostic> = m
        .warnings()
        .iter()
        .filter(|d| d.message().contains("Unicode word boundary"))
        .collect();
    assert_eq!(lints.len(), 1, "{lints:?}");
    assert!(lints[0].message().contains("`slow`"));
    assert_eq!(lints[0].location().unwrap().line(), 4);
}

#[test]
fn garbage_input_never_panics() {
    for yaml in [
        "",
        "\u{0}",
        "[[[[",
        "version: 1\nintents: 5\n",
        "version: 1\nintents:\n  - {}\n",
        "version: 1\nconcepts:\n  a: [\"@a\", \"@a @a\"]\nintents:\n  - id: x\n    phrases: [\"@a\"]\n",
        "version: 1\nintents:\n  - id: x\n    phrases: [\"((((((((((a))))))))))\"]\n",
        "version: 1\nintents:\n  - id: x\n    phrases: [\"))))\"]\n",
        "- - - -\n",
        "version: &a 1\nsettings: *a\n",
    ] {
        let _ = Matcher::new(yaml).map(|m| m.classify("đơn hàng"));
    }
}

#[test]
fn nonsense_conversation_values_are_refused_each_at_its_value() {
    let yaml = "version: 1
conversation:
  max_message_bytes: 0
  verification:
    max_tries: 0
  handoff:
    enumeration:
      max_orders: 0
  agent_hours:
    days: []
";
    let errs = errors(yaml);
    let lines: Vec<usize> = errs.iter().map(|e| e.1).collect();
    assert_eq!(lines, vec![3, 5, 8, 10], "{errs:?}");
    assert!(errs.iter().all(|e| e.0 == K::Conversation), "{errs:?}");
}

#[test]
fn every_structural_error_of_a_conversation_section_is_reported() {
    // serde stopped at the first of these; all five are reported, located.
    let yaml = "version: 1
conversation:
  topic_change_confidence: high
  max_slot_retrys: 2
  verification:
    enabled: sometimes
  handoff:
    fallbacks:
      after: many
  messages:
    fallback: [\"not a map\"]
";
    let errs = errors(yaml);
    let lines: Vec<usize> = errs.iter().map(|e| e.1).collect();
    assert_eq!(lines, vec![3, 4, 6, 9, 11], "{errs:?}");
    assert!(errs[1].3.contains("max_slot_retrys"), "{errs:?}");
    let e = compile_err(yaml).to_string();
    assert!(e.contains("did you mean `max_slot_retries`?"), "{e}");
    assert!(
        e.contains("expected a number, found the text `high`"),
        "{e}"
    );
}

#[test]
fn unknown_placeholder_in_a_reply_is_an_error_at_the_placeholder() {
    let yaml = "version: 1
settings:
  hotline: \"1900 1234\"
intents:
  - id: contact
    phrases: [\"số điện thoại\"]
    replies:
      vi: [\"Dạ, hotline {hotlne} ạ\"]
";
    let d = only(yaml);
    // `      vi: ["Dạ, hotline {hotlne} ạ"]`: the quote is column 11, `{` 25.
    assert_at(
        &d,
        K::UnknownReference,
        8,
        25,
        "unknown placeholder `{hotlne}`",
    );
    assert!(
        d.help_text().unwrap().contains("did you mean `{hotline}`"),
        "{d}"
    );
}

/// Golden files: every `tests/compile_errors/NAME.yaml` fails to compile,
/// and its rendered diagnostics equal `NAME.out` exactly, so the wording,
/// the locations and the help cannot drift silently. After a deliberate
/// change, `FIRSTLINE_BLESS=1 cargo test --test compile_errors golden`
/// rewrites the `.out` files; review the diff.
#[test]
fn golden_rendered_errors() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/compile_errors");
    let bless = std::env::var_os("FIRSTLINE_BLESS").is_some();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 40, "the corpus has {} files", files.len());
    let mut failures = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_str().unwrap();
        let yaml = std::fs::read_to_string(path).unwrap();
        let got = match Matcher::builder().add_yaml(name, &yaml).build() {
            Ok(_) => "(compiles without errors)\n".to_string(),
            Err(e) => format!("{e}\n"),
        };
        let out = path.with_extension("out");
        if bless {
            std::fs::write(&out, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&out).unwrap_or_default();
        if got != want {
            failures.push(format!(
                "--- {name}: expected ---\n{want}--- got ---\n{got}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{}\nhelp: if the change is deliberate, FIRSTLINE_BLESS=1 cargo test --test compile_errors golden",
        failures.join("\n")
    );
}
