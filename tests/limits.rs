//! Hostile rule files: each is compiled by `firstline check` in a child
//! process under a memory cap (`ulimit -v`, 1 GiB) and a time cap
//! (`timeout`), so a regression (a stack overflow, a runaway allocation, a
//! hang) is a failing test with the file's name, not a crashed test runner.
//! Every one must end as a compile error that says which limit was hit and
//! where, or for the lint case, as a normal check.
#![cfg(feature = "cli")]

use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_firstline");
/// Virtual memory for the child, in KiB.
const MEMORY_KIB: u64 = 1 << 20;
/// Wall-clock seconds for the child (debug build, shared machine).
const SECONDS: u64 = 120;

struct Outcome {
    code: Option<i32>,
    stdout: String,
}

/// Runs `firstline check --rules PATH` under the caps.
fn check(path: &Path) -> Outcome {
    let script = format!(
        "ulimit -v {MEMORY_KIB} && exec timeout -s KILL {SECONDS} \"$0\" check --rules \"$1\""
    );
    let out = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(BIN)
        .arg(path)
        .output()
        .expect("sh runs");
    Outcome {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr),
    }
}

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("firstline-limits-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A rule file that fails with `kind` at `line` (0: no line).
fn assert_refused(name: &str, path: &Path, kind: &str, line: usize) {
    let o = check(path);
    assert_eq!(
        o.code,
        Some(1),
        "{name}: expected a compile error (exit 1), got {:?} (killed by the caps?):\n{}",
        o.code,
        o.stdout.chars().take(2000).collect::<String>()
    );
    assert!(
        o.stdout.contains(&format!("error[{kind}]")),
        "{name}: expected error[{kind}]:\n{}",
        o.stdout.chars().take(2000).collect::<String>()
    );
    if line > 0 {
        let want = format!(":{line}:");
        assert!(
            o.stdout.contains(&want),
            "{name}: expected a location on line {line}:\n{}",
            o.stdout.chars().take(2000).collect::<String>()
        );
    }
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn intent_with_phrase(phrase: &str) -> String {
    format!("version: 1\nintents:\n  - id: a\n    phrases:\n      - \"{phrase}\"\n")
}

#[test]
fn deep_yaml_is_refused_at_the_limit() {
    let d = dir("yaml");
    // Block sequences 30,000 deep in 60 KB.
    let p = write(&d, "block.yaml", &("- ".repeat(30_000) + "x\n"));
    assert_refused("block nesting", &p, "limit-exceeded", 1);
    // Flow sequences.
    let p = write(&d, "flow.yaml", &("[".repeat(30_000) + "\n"));
    assert_refused("flow nesting", &p, "limit-exceeded", 1);
    // Block mappings, one level per line (a few MB of indentation).
    let mut text = String::new();
    for i in 0..2_000 {
        text.push_str(&" ".repeat(i));
        text.push_str(&format!("k{i}:\n"));
    }
    let p = write(&d, "maps.yaml", &text);
    assert_refused("mapping nesting", &p, "limit-exceeded", 65);
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn alias_bomb_is_refused_where_it_explodes() {
    let d = dir("alias");
    let mut text =
        String::from("version: 1\nsettings:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let p = i - 1;
        text.push_str(&format!(
            "  a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let p = write(&d, "laughs.yaml", &text);
    let o = check(&p);
    assert_eq!(o.code, Some(1), "{}", o.stdout);
    assert!(o.stdout.contains("error[limit-exceeded]"), "{}", o.stdout);
    assert!(o.stdout.contains("aliases count"), "{}", o.stdout);
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn deep_phrases_are_refused_before_the_stack_is() {
    let d = dir("phrase-depth");
    let phrase = "(".repeat(20_000) + "a" + &")".repeat(20_000);
    let p = write(&d, "parens.yaml", &intent_with_phrase(&phrase));
    assert_refused("nested groups", &p, "limit-exceeded", 5);
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn phrase_expansion_is_refused_before_it_is_built() {
    let d = dir("phrase-size");
    for words in [200, 1_000] {
        let mut phrase: Vec<String> = (0..words).map(|i| format!("w{i}")).collect();
        for g in 0..9 {
            phrase.push(format!("(a{g}|b{g})"));
        }
        let big: Vec<String> = (0..512).map(|i| format!("c{i}")).collect();
        phrase.push(format!("({})", big.join("|")));
        let p = write(
            &d,
            &format!("expand{words}.yaml"),
            &intent_with_phrase(&phrase.join(" ")),
        );
        assert_refused(&format!("{words} words"), &p, "phrase-too-large", 5);
    }
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn huge_regexes_and_files_are_refused() {
    let d = dir("regex");
    let alternation: Vec<String> = (0..200_000).map(|i| format!("w{i}")).collect();
    let text = format!(
        "version: 1\nintents:\n  - id: a\n    phrases: [\"x y\"]\n    patterns:\n      - '({})'\n",
        alternation.join("|")
    );
    let p = write(&d, "regex.yaml", &text);
    assert_refused("2 MB regex", &p, "regex-too-large", 6);
    // A file over the size limit is not read at all.
    let big = "#".repeat(5 << 20);
    let p = write(&d, "big.yaml", &big);
    assert_refused("5 MB file", &p, "limit-exceeded", 0);
    std::fs::remove_dir_all(&d).unwrap();
}

#[cfg(unix)]
#[test]
fn devices_pipes_and_symlink_loops_are_refused() {
    let d = dir("files");
    assert_refused("/dev/zero", Path::new("/dev/zero"), "io", 0);
    let fifo = d.join("rules.yaml");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    assert_refused("a FIFO", &fifo, "io", 0);
    std::fs::remove_file(&fifo).unwrap();

    // A directory that links to itself twice: read once, not forever.
    let loops = d.join("loops");
    std::fs::create_dir_all(&loops).unwrap();
    write(
        &loops,
        "a.yaml",
        "version: 1\nintents:\n  - id: a\n    phrases: [\"xin chào\"]\n",
    );
    std::os::unix::fs::symlink(&loops, loops.join("self1")).unwrap();
    std::os::unix::fs::symlink(&loops, loops.join("self2")).unwrap();
    let o = check(&loops);
    assert_eq!(o.code, Some(0), "{}", o.stdout);
    assert!(o.stdout.contains("check: 1 file, 1 intent"), "{}", o.stdout);
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn shadowed_intent_lint_is_near_linear() {
    // 400 intents sharing phrases: the lint classifies each distinct
    // sample once (it took minutes when every intent classified its own).
    let d = dir("shadow");
    let mut text = String::from("version: 1\nintents:\n");
    for i in 0..400 {
        text.push_str(&format!(
            "  - id: intent_{i}\n    phrases: [\"kiểm tra đơn hàng\", \"đơn hàng của em đâu\", \"giao hàng (nhanh|chậm) * số {i}\"]\n"
        ));
    }
    let p = write(&d, "shadow.yaml", &text);
    let o = check(&p);
    assert_eq!(o.code, Some(0), "{}", o.stdout);
    assert!(o.stdout.contains("400 intents"), "{}", o.stdout);
    std::fs::remove_dir_all(&d).unwrap();
}
