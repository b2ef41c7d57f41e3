//! Loading rules for every subcommand: the shipped pack or `--rules PATH`,
//! plus the raw YAML text the extra lints and coverage read.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use firstline::{CompileError, Matcher, MatcherBuilder};

/// Where the rules come from.
#[derive(Clone, Debug)]
pub enum Rules {
    /// The pack compiled into the binary.
    Pack,
    /// A file or a directory given with `--rules`.
    Path(PathBuf),
}

impl Rules {
    pub fn from_arg(arg: Option<PathBuf>) -> Rules {
        match arg {
            Some(p) => Rules::Path(p),
            None => Rules::Pack,
        }
    }

    /// A builder holding these rules, so callers can add more (script
    /// settings overrides) or change the config.
    pub fn builder(&self) -> Result<MatcherBuilder, String> {
        let mut b = Matcher::builder();
        match self {
            Rules::Path(p) => {
                b.add_path(p);
            }
            Rules::Pack => {
                for (name, text) in pack_sources()? {
                    b.add_yaml(&name, &text);
                }
            }
        }
        Ok(b)
    }

    /// Compiles the rules; a compile error is returned whole for rendering.
    pub fn compile(&self) -> Result<Result<Matcher, CompileError>, String> {
        Ok(self.builder()?.build())
    }

    /// The rule files as (name, text), named the way the compiler names
    /// them in diagnostics. Unreadable files are skipped (the compiler
    /// reports them).
    pub fn raw_files(&self) -> Vec<(String, String)> {
        match self {
            Rules::Pack => pack_sources().unwrap_or_default(),
            Rules::Path(p) => {
                let mut files = Vec::new();
                collect_yaml(p, &mut files);
                files.sort();
                files
                    .into_iter()
                    .filter_map(|f| {
                        let text = std::fs::read_to_string(&f).ok()?;
                        Some((f.display().to_string(), text))
                    })
                    .collect()
            }
        }
    }
}

fn pack_sources() -> Result<Vec<(String, String)>, String> {
    Ok(firstline::pack::sources()
        .iter()
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .collect())
}

fn collect_yaml(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let Ok(rd) = std::fs::read_dir(path) else {
            return;
        };
        let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for e in entries {
            collect_yaml(&e, out);
        }
    } else if matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    ) || out.is_empty() && path.is_file()
    {
        out.push(path.to_path_buf());
    }
}

/// The parts of the raw rule files that the public matcher API does not
/// expose: phrases and patterns as written, and concepts.
#[derive(Debug, Default)]
pub struct RawRules {
    /// intent id -> (lang key, phrase) as written.
    pub phrases: BTreeMap<String, Vec<(String, String)>>,
    /// intent id -> regex patterns.
    pub patterns: BTreeMap<String, Vec<String>>,
    /// concept -> lang key -> values.
    pub concepts: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    /// Handoff trigger reason codes named in `conversation:` sections.
    pub handoff_reasons: Vec<String>,
}

fn lang_list(v: &serde_yaml::Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    match v {
        serde_yaml::Value::Sequence(s) => {
            for x in s {
                if let Some(t) = x.as_str() {
                    out.push(("any".to_string(), t.to_string()));
                }
            }
        }
        serde_yaml::Value::Mapping(m) => {
            for (k, x) in m {
                let k = k.as_str().unwrap_or("any").to_string();
                if let serde_yaml::Value::Sequence(s) = x {
                    for y in s {
                        if let Some(t) = y.as_str() {
                            out.push((k.clone(), t.to_string()));
                        }
                    }
                }
            }
        }
        _ => {}
    }
    out
}

fn collect_reasons(v: &serde_yaml::Value, out: &mut Vec<String>) {
    match v {
        serde_yaml::Value::Mapping(m) => {
            for (k, x) in m {
                if k.as_str() == Some("reason") {
                    if let Some(r) = x.as_str() {
                        if !out.iter().any(|o| o == r) {
                            out.push(r.to_string());
                        }
                    }
                } else {
                    collect_reasons(x, out);
                }
            }
        }
        serde_yaml::Value::Sequence(s) => s.iter().for_each(|x| collect_reasons(x, out)),
        _ => {}
    }
}

impl RawRules {
    pub fn read(files: &[(String, String)]) -> RawRules {
        let mut raw = RawRules::default();
        for (_, text) in files {
            let Ok(doc) = serde_yaml::from_str::<serde_yaml::Value>(text) else {
                continue;
            };
            if let Some(concepts) = doc.get("concepts").and_then(|c| c.as_mapping()) {
                for (k, v) in concepts {
                    let Some(k) = k.as_str() else { continue };
                    let entry = raw.concepts.entry(k.to_string()).or_default();
                    for (lang, val) in lang_list(v) {
                        entry.entry(lang).or_default().push(val);
                    }
                }
            }
            if let Some(intents) = doc.get("intents").and_then(|c| c.as_sequence()) {
                for intent in intents {
                    let Some(id) = intent.get("id").and_then(|i| i.as_str()) else {
                        continue;
                    };
                    if let Some(p) = intent.get("phrases") {
                        raw.phrases
                            .entry(id.to_string())
                            .or_default()
                            .extend(lang_list(p));
                    }
                    if let Some(serde_yaml::Value::Sequence(p)) = intent.get("patterns") {
                        raw.patterns
                            .entry(id.to_string())
                            .or_default()
                            .extend(p.iter().filter_map(|x| x.as_str().map(String::from)));
                    }
                }
            }
            if let Some(conv) = doc.get("conversation") {
                collect_reasons(conv, &mut raw.handoff_reasons);
            }
        }
        raw
    }

    /// One concrete message a phrase matches: first alternatives, no
    /// optional words, no gaps, each `@concept` as its first synonym.
    pub fn sample(&self, lang: &str, phrase: &str) -> String {
        let chars: Vec<char> = phrase.chars().collect();
        let mut i = 0;
        let words = self.seq(lang, &chars, &mut i);
        words.join(" ")
    }

    fn seq(&self, lang: &str, c: &[char], i: &mut usize) -> Vec<String> {
        let mut out = Vec::new();
        let mut word = String::new();
        let flush = |word: &mut String, out: &mut Vec<String>| {
            if !word.is_empty() {
                out.push(std::mem::take(word));
            }
        };
        while *i < c.len() {
            match c[*i] {
                '(' => {
                    flush(&mut word, &mut out);
                    *i += 1;
                    let first = self.seq(lang, c, i);
                    // Skip the other alternatives.
                    let mut depth = 0;
                    while *i < c.len() {
                        match c[*i] {
                            '(' | '[' => depth += 1,
                            ')' | ']' if depth == 0 => break,
                            ')' | ']' => depth -= 1,
                            _ => {}
                        }
                        *i += 1;
                    }
                    *i += 1;
                    out.extend(first);
                }
                '[' => {
                    flush(&mut word, &mut out);
                    let mut depth = 0;
                    while *i < c.len() {
                        match c[*i] {
                            '(' | '[' => depth += 1,
                            ')' | ']' => {
                                depth -= 1;
                                if depth == 0 {
                                    break;
                                }
                            }
                            _ => {}
                        }
                        *i += 1;
                    }
                    *i += 1;
                }
                '|' | ')' | ']' => {
                    flush(&mut word, &mut out);
                    return out;
                }
                '*' => {
                    flush(&mut word, &mut out);
                    *i += 1;
                }
                ch if ch.is_whitespace() => {
                    flush(&mut word, &mut out);
                    *i += 1;
                }
                ch => {
                    word.push(ch);
                    *i += 1;
                }
            }
        }
        flush(&mut word, &mut out);
        out.into_iter()
            .map(|w| match w.strip_prefix('@') {
                Some(name) => self.concept_value(lang, name).unwrap_or(w.clone()),
                None => w,
            })
            .collect()
    }

    fn concept_value(&self, lang: &str, name: &str) -> Option<String> {
        let c = self.concepts.get(name)?;
        [lang, "any", "vi", "en"]
            .iter()
            .find_map(|l| c.get(*l).and_then(|v| v.first()).cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples() {
        let mut raw = RawRules::default();
        raw.concepts.insert(
            "order".into(),
            BTreeMap::from([("vi".to_string(), vec!["đơn hàng".to_string()])]),
        );
        assert_eq!(
            raw.sample("vi", "@order [của] (em|mình|tôi) * (đâu|tới đâu)"),
            "đơn hàng em đâu"
        );
        assert_eq!(
            raw.sample("en", "where ** (my [own]|our) order"),
            "where my order"
        );
    }
}
