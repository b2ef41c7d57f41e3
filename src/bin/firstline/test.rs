//! `firstline test`: run conversation scripts.

use std::collections::BTreeSet;
use std::path::PathBuf;

use firstline::conversation::Bot;
use firstline::matcher::Action;
use firstline::script::{self, CaseResult, Runner, Script};
use firstline::Matcher;
use regex::Regex;

use crate::rules::Rules;

pub fn run(rules: &Rules, paths: &[PathBuf], junit: Option<&PathBuf>, coverage: bool) -> u8 {
    let builder = match rules.builder() {
        Ok(b) => b,
        Err(msg) => {
            eprintln!("error: {msg}");
            return crate::BAD_INPUT;
        }
    };
    let m = match builder.build() {
        Ok(m) => m,
        Err(e) => {
            eprintln!("{e}");
            return crate::FAIL;
        }
    };
    let bot = match Bot::new(m.clone()) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{e}");
            return crate::FAIL;
        }
    };
    let paths = if paths.is_empty() {
        vec![PathBuf::from("tests/conversations")]
    } else {
        paths.to_vec()
    };
    let mut scripts = Vec::new();
    let mut errors = Vec::new();
    for p in &paths {
        match script::load(p) {
            Ok(s) => scripts.extend(s),
            Err(e) => errors.extend(e.diagnostics().to_vec()),
        }
    }
    if !errors.is_empty() {
        for d in &errors {
            eprintln!("{d}");
        }
        eprintln!(
            "error: {} problem{} in the scripts; nothing was run",
            errors.len(),
            if errors.len() == 1 { "" } else { "s" }
        );
        return crate::BAD_INPUT;
    }
    // A report that cannot be written fails now, not after the run; its
    // folder is created if missing.
    if let Some(path) = junit {
        let ready = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir),
            _ => Ok(()),
        }
        .and_then(|()| std::fs::write(path, ""));
        if let Err(e) = ready {
            eprintln!(
                "error: cannot write {}: {e}; nothing was run",
                path.display()
            );
            return crate::BAD_INPUT;
        }
    }
    let runner = Runner::new(bot).with_rules(builder);
    let results = run_parallel(&runner, &scripts);
    let mut failed = 0;
    for r in &results {
        if r.passed() {
            println!("PASS {}", r.name);
        } else {
            failed += 1;
            print!("{}", script::render_failure(r));
        }
    }
    if coverage {
        print!("{}", coverage_report(&m, rules, &results));
    }
    println!("{} passed, {} failed", results.len() - failed, failed);
    if let Some(path) = junit {
        if let Err(e) = std::fs::write(path, script::junit(&results, "firstline")) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return crate::BAD_INPUT;
        }
    }
    if failed > 0 {
        crate::FAIL
    } else {
        0
    }
}

/// Runs scripts on every core, keeping the output in script order.
fn run_parallel(runner: &Runner, scripts: &[Script]) -> Vec<CaseResult> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || scripts.len() < 64 {
        return runner.run_all(scripts);
    }
    let chunk = scripts.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = scripts
            .chunks(chunk)
            .map(|c| s.spawn(move || runner.run_all(c)))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

fn template_regex(t: &str) -> Option<Regex> {
    let mut re = String::from("^");
    let mut rest = t;
    while let Some(a) = rest.find('{') {
        re.push_str(&regex::escape(&rest[..a]));
        match rest[a..].find('}') {
            Some(b) => {
                re.push_str(".*?");
                rest = &rest[a + b + 1..];
            }
            None => {
                re.push_str(&regex::escape(&rest[a..]));
                rest = "";
            }
        }
    }
    re.push_str(&regex::escape(rest));
    re.push('$');
    Regex::new(&re).ok()
}

fn coverage_report(m: &Matcher, _rules: &Rules, results: &[CaseResult]) -> String {
    use std::fmt::Write as _;
    let mut intents = BTreeSet::new();
    let mut replies = Vec::new();
    let mut handoffs = BTreeSet::new();
    let mut fired: BTreeSet<(String, String)> = BTreeSet::new();
    let mut seen_msgs = BTreeSet::new();
    for r in results {
        intents.extend(r.trace.intents.iter().cloned());
        replies.extend(r.trace.replies.iter().cloned());
        handoffs.extend(r.trace.handoffs.iter().cloned());
        for msg in &r.trace.messages {
            if seen_msgs.insert(msg.clone()) {
                for c in m.explain(msg).contributions {
                    fired.insert((c.intent.to_string(), c.rule.to_string()));
                }
            }
        }
    }
    let mut o = String::from("coverage:\n");
    let all: Vec<&str> = m.intents().iter().map(|i| &*i.id).collect();
    let missing: Vec<&str> = all
        .iter()
        .copied()
        .filter(|i| !intents.contains(*i))
        .collect();
    let _ = writeln!(
        o,
        "  intents: {}/{} exercised",
        all.len() - missing.len(),
        all.len()
    );
    for i in &missing {
        let _ = writeln!(o, "    never: {i}");
    }
    let mut total = 0;
    let mut never = Vec::new();
    for intent in m.intents() {
        let id = intent.id.to_string();
        for p in &intent.phrases {
            total += 1;
            if !fired.contains(&(id.clone(), p.text.to_string())) {
                let lang = p.lang.map_or("any", |l| l.code());
                never.push(format!("{id} ({lang}) phrase {:?}", p.text));
            }
        }
        for p in &intent.patterns {
            total += 1;
            if !fired.contains(&(id.clone(), p.text.to_string())) {
                never.push(format!("{id} regex {:?}", p.text));
            }
        }
    }
    let _ = writeln!(
        o,
        "  phrases and regexes: {}/{total} fired",
        total - never.len()
    );
    for n in &never {
        let _ = writeln!(o, "    never: {n}");
    }
    let mut total = 0;
    let mut never = Vec::new();
    // An intent that looks orders up is answered by the status messages;
    // its own replies are only sent when it hands off.
    let lookups: Vec<&str> = m
        .intents()
        .iter()
        .filter(|i| i.action == Action::LookupOrder && !i.handoff)
        .map(|i| &*i.id)
        .collect();
    for intent in m.intents() {
        if lookups.contains(&&*intent.id) {
            continue;
        }
        for (lang, texts) in [("vi", &intent.replies.vi), ("en", &intent.replies.en)] {
            for t in texts {
                total += 1;
                let hit =
                    template_regex(t).is_some_and(|re| replies.iter().any(|r| re.is_match(r)));
                if !hit {
                    never.push(format!("{} ({lang}) {t:?}", intent.id));
                }
            }
        }
    }
    let _ = writeln!(o, "  replies: {}/{total} sent", total - never.len());
    if !lookups.is_empty() {
        let _ = writeln!(
            o,
            "    not counted: the replies of {} (order lookups answer with the status messages)",
            lookups.join(", ")
        );
    }
    for n in &never {
        let _ = writeln!(o, "    never: {n}");
    }
    let reasons: BTreeSet<String> = match firstline::conversation::Bot::new(m.clone()) {
        Ok(bot) => bot
            .handoff_reasons()
            .iter()
            .map(|r| r.to_string())
            .collect(),
        Err(_) => BTreeSet::new(),
    };
    // A handoff that fired counts even if its reason is not a trigger of
    // the rules (an intent's own handoff, a host-defined reason).
    let reasons: BTreeSet<String> = reasons
        .into_iter()
        .chain(handoffs.iter().cloned())
        .collect();
    let missing: Vec<&String> = reasons.iter().filter(|r| !handoffs.contains(*r)).collect();
    let _ = writeln!(
        o,
        "  handoff triggers (reasons in the rules): {}/{} fired",
        reasons.len() - missing.len(),
        reasons.len()
    );
    for r in missing {
        let _ = writeln!(o, "    never: {r}");
    }
    if !handoffs.is_empty() {
        let _ = writeln!(
            o,
            "  handoff reasons seen: {}",
            handoffs.iter().cloned().collect::<Vec<_>>().join(", ")
        );
    }
    o
}
