//! From sources to a [`Matcher`]: load, build the automata, check examples, lint.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use super::engine::Engine;
use super::scan::Owner;
use super::{Config, Inner, Intent, Matcher};
use crate::error::{CompileError, Diagnostic, DiagnosticKind as K, Severity};
use crate::fxhash::FastMap;
use crate::normalize::Normalizer;
use crate::rules::phrase::Piece;
use crate::rules::{RuleSet, Source};
use crate::Lang;

pub(crate) fn compile(sources: &[Source], config: &Config) -> Result<Matcher, CompileError> {
    let mut set = RuleSet::load(sources, &config.limits);
    // `matching:` in the rules sets the thresholds, over the builder's.
    let mut own = config.clone();
    for &(key, value) in &set.matching {
        match key {
            "threshold" => own.threshold = value,
            "similarity_threshold" => own.similarity_threshold = value,
            "doubt" => own.doubt = value,
            _ => own.ambiguity_margin = value,
        }
    }
    let config = &own;
    // The conversation section is part of the model: resolved (and every
    // problem in it reported) with the rest of the rules.
    let mut conv_diags = Vec::new();
    let conversation = crate::conversation::config::resolve(&set, &mut conv_diags);
    set.diagnostics.extend(conv_diags);

    let mut nb = Normalizer::builder();
    for (lang, from, to) in &set.abbreviations {
        nb.abbreviation(*lang, from, to);
    }
    // Vietnamese rule words are the syllables Telex decoding may produce.
    // Phrases repeat their words across variants: register each once.
    let mut words: crate::fxhash::FastSet<&str> = Default::default();
    for intent in &set.intents {
        let set_phrases = intent
            .sets
            .iter()
            .flat_map(|s| s.parts.iter().chain(&s.support));
        for p in intent
            .phrases
            .iter()
            .chain(&intent.excludes)
            .chain(&intent.vetoes)
            .chain(set_phrases)
        {
            if p.lang == Some(Lang::En) {
                continue;
            }
            for v in &p.variants {
                for piece in v {
                    if let Piece::Word(w) = piece {
                        words.insert(w);
                    }
                }
            }
        }
    }
    for w in words {
        nb.known_word(w);
    }
    let normalizer = nb.build();

    let has_errors = |d: &[Diagnostic]| d.iter().any(|d| d.severity() == Severity::Error);
    if has_errors(&set.diagnostics) {
        return Err(CompileError::new(in_file_order(
            &set,
            set.diagnostics.clone(),
        )));
    }
    let engine = match Engine::build(
        &normalizer,
        &set.intents,
        &set.lexicons,
        std::mem::take(&mut set.entities),
        &set.example_data,
    ) {
        Ok(e) => e,
        Err(msg) => {
            set.diagnostics.push(
                Diagnostic::error(
                    K::RegexTooLarge,
                    format!("the rule set is too large to compile: {msg}"),
                )
                .help("split the patterns into fewer, simpler regexes, or use phrases"),
            );
            return Err(CompileError::new(set.diagnostics));
        }
    };

    let mut diagnostics = std::mem::take(&mut set.diagnostics);
    lint(&set, &engine, &mut diagnostics);
    diagnostics.extend(set.demo_settings());

    let intents: Vec<Intent> = set.intents.iter().map(|i| i.info.clone()).collect();
    let samples: Vec<(u32, Box<str>)> = set
        .intents
        .iter()
        .enumerate()
        .flat_map(|(k, i)| {
            i.samples
                .iter()
                .filter(|s| !s.is_empty())
                .map(move |s| (k as u32, s.as_str().into()))
        })
        .collect();
    let examples: Vec<_> = set
        .intents
        .iter()
        .map(|i| {
            (
                i.info.id.clone(),
                i.examples.clone(),
                i.counter_examples.clone(),
            )
        })
        .collect();
    let matcher = Matcher {
        inner: Arc::new(Inner {
            config: config.clone(),
            normalizer,
            intents,
            settings: set
                .settings
                .iter()
                .map(|(k, s)| (k.clone(), s.value.clone()))
                .collect(),
            setting_origins: std::mem::take(&mut set.settings)
                .into_iter()
                .map(|(k, s)| (k, s.location))
                .collect(),
            warnings: Vec::new(),
            engine,
            conversation: Arc::new(conversation),
            samples,
        }),
    };

    if config.check_examples {
        for (id, examples, counters) in &examples {
            for ex in examples {
                let c = matcher.classify(&ex.text);
                if c.intent.as_deref() == Some(&**id) {
                    continue;
                }
                let got = match (&c.intent, c.ranked.first()) {
                    (Some(other), _) => format!("classifies as `{other}` (confidence {:.2})", c.confidence),
                    (None, Some(best)) => format!(
                        "gets no intent (best: `{}` at confidence {:.2}, below the threshold {:.2})",
                        best.intent, best.confidence, config.threshold
                    ),
                    (None, None) => "matches no phrase at all".to_string(),
                };
                diagnostics.push(
                    Diagnostic::error(K::ExampleFailed, format!("example of `{id}` {got}"))
                        .at(ex.location.clone())
                        .label("does not classify to its own intent")
                        .help(format!(
                            "add a phrase or concept synonym to `{id}` that covers it, or move the example to the intent it belongs to (`firstline explain` shows what matched)"
                        )),
                );
            }
            for ex in counters {
                let c = matcher.classify(&ex.text);
                if c.intent.as_deref() == Some(&**id) {
                    diagnostics.push(
                        Diagnostic::error(
                            K::CounterExampleFailed,
                            format!("counter-example classifies as `{id}` (confidence {:.2})", c.confidence),
                        )
                        .at(ex.location.clone())
                        .label("should not match this intent")
                        .help(format!(
                            "add an `exclude` term to `{id}` (it lowers its score), a `veto` if a word reverses the phrase's meaning, or a stronger phrase to the intent it belongs to"
                        )),
                    );
                }
            }
        }
    }

    if has_errors(&diagnostics) {
        return Err(CompileError::new(diagnostics));
    }
    let mut inner =
        Arc::try_unwrap(matcher.inner).unwrap_or_else(|_| unreachable!("no clones yet"));
    inner.warnings = diagnostics;
    Ok(Matcher {
        inner: Arc::new(inner),
    })
}

/// Legal but suspicious rules.
fn lint(set: &RuleSet, engine: &Engine, diags: &mut Vec<Diagnostic>) {
    // The same phrase (as written, ignoring case) in two intents. Hashed:
    // tens of thousands of phrases at 3,000 intents, nearly all unique, so
    // only the few shared ones are sorted (by phrase, for a stable report).
    let mut owners: FastMap<Cow<'_, str>, Vec<(usize, &crate::rules::RulePlace)>> =
        FastMap::default();
    for p in engine.phrases() {
        if let Owner::Intent(k) = p.owner {
            let text: Cow<'_, str> = if p.text.chars().any(char::is_uppercase) {
                Cow::Owned(p.text.to_lowercase())
            } else {
                Cow::Borrowed(&p.text)
            };
            let v = owners.entry(text).or_default();
            if !v.iter().any(|(o, _)| *o == k as usize) {
                v.push((k as usize, &p.location));
            }
        }
    }
    let mut shared: Vec<_> = owners.into_iter().filter(|(_, v)| v.len() > 1).collect();
    shared.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    for (phrase, v) in shared {
        let ids: Vec<String> = v
            .iter()
            .map(|(k, l)| format!("`{}` ({l})", set.intents[*k].info.id))
            .collect();
        diags.push(
            Diagnostic::warning(
                K::Lint,
                format!("phrase `{phrase}` is shared by {}", ids.join(" and ")),
            )
            .help("a shared phrase cannot tell the intents apart: make each one more specific"),
        );
    }
    for ir in &set.intents {
        let i = &ir.info;
        if ir.phrases.is_empty()
            && ir.sets.is_empty()
            && ir.patterns.is_empty()
            && &*i.id != "fallback"
        {
            diags.push(
                Diagnostic::warning(
                    K::Lint,
                    format!(
                        "intent `{}` has no phrases, sets or patterns: no message can reach it",
                        i.id
                    ),
                )
                .at(i.location.clone())
                .help("add `phrases:`; only the `fallback` intent is meant to have none"),
            );
        }
        if i.replies.vi.is_empty() != i.replies.en.is_empty() {
            let (has, lacks) = if i.replies.vi.is_empty() {
                ("en", "vi")
            } else {
                ("vi", "en")
            };
            diags.push(
                Diagnostic::warning(K::Lint, format!("intent `{}` has replies in `{has}` only", i.id))
                    .at(i.location.clone())
                    .help(format!("add `replies: {lacks}: [...]` so customers writing {lacks} get an answer in their language")),
            );
        }
    }
}

/// Sorts diagnostics by file (in merge order), line and column, so an
/// author reads them top to bottom; problems without a place come first.
fn in_file_order(set: &RuleSet, mut diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let rank: HashMap<&str, usize> = set
        .docs
        .iter()
        .enumerate()
        .map(|(i, d)| (&*d.name, i + 1))
        .collect();
    diags.sort_by_key(|d| match d.location() {
        None => (0, 0, 0),
        Some(l) => (
            rank.get(l.file()).copied().unwrap_or(0),
            l.line(),
            l.column(),
        ),
    });
    diags
}

/// See [`Matcher::shadowed_intents`].
pub(crate) fn shadowed(m: &Matcher, samples: &[(u32, Box<str>)]) -> Vec<Diagnostic> {
    let intents = m.intents();
    // What each distinct sample classifies to, computed once.
    let mut cache: HashMap<&str, Option<Arc<str>>> = HashMap::new();
    let mut own = vec![false; intents.len()];
    let mut others: Vec<Vec<Arc<str>>> = vec![Vec::new(); intents.len()];
    for (k, sample) in samples {
        let k = *k as usize;
        if own[k] {
            continue;
        }
        let got = cache
            .entry(sample)
            .or_insert_with(|| m.classify(sample).intent);
        match got {
            Some(id) if *id == intents[k].id => own[k] = true,
            Some(id) if !others[k].contains(id) => others[k].push(id.clone()),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (k, intent) in intents.iter().enumerate() {
        if own[k] || others[k].is_empty() {
            continue;
        }
        let names: Vec<&str> = others[k].iter().map(|s| &**s).collect();
        out.push(
            Diagnostic::warning(
                K::Lint,
                format!(
                    "intent `{}` is shadowed: none of its phrases classifies to it",
                    intent.id
                ),
            )
            .at(intent.location.clone())
            .label(format!("its phrases go to `{}`", names.join("`, `")))
            .help(
                "make its phrases more specific, add `exclude` terms (evidence against) \
                 to the other intent, or raise this intent's `weight`/`priority`",
            ),
        );
    }
    out
}
