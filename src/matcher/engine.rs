//! The compiled engine: the stages built from the rules, and the
//! per-message pipeline that runs them.
//!
//! A message goes through typo correction and the language guess
//! (`vocab.rs`), the scan that gathers evidence (`scan.rs`), the scoring
//! that ranks intents from it (`score.rs`) and entity extraction
//! (`entity.rs`).

use std::cell::RefCell;

use super::scan::{Owner, PhraseInfo, ScanScratch, Scanner};
use super::score::{ScoreScratch, Scorer};
use super::similar::{SimScratch, Similar};
use super::types::{
    Classification, Contribution, Correction, LexiconHit, ScoreBreakdown, Scored, Similarity,
};
use super::vocab::{VocabBuilder, Vocabulary};
use super::{entity, Config};
use crate::normalize::{Normalized, Normalizer};
use crate::rules::{EntityIr, ExampleData, IntentIr, LexiconIr};
use crate::Lang;

/// A phrase word used by more intents than this says nothing about which
/// one a follow-up continues.
const MAX_HINT_WORD_INTENTS: usize = 4;

pub(crate) struct Engine {
    scanner: Scanner,
    pub(super) vocab: Vocabulary,
    scorer: Scorer,
    similar: Similar,
    /// Folded content word -> the intents whose phrases use it (words of
    /// more than a few intents and filler words left out), for hints.
    intent_words: crate::fxhash::FastMap<Box<str>, Vec<u32>>,
    entities: entity::Entities,
    /// Each lexicon's name and severity.
    lexicons: Vec<(std::sync::Arc<str>, u8)>,
}

/// What one message gave: the classification, and what only an explanation
/// needs.
pub(crate) struct Outcome {
    pub classification: Classification,
    pub corrections: Vec<Correction>,
    pub contributions: Vec<Contribution>,
    /// The arithmetic of each phrase-scored intent; only when explaining.
    pub scores: Vec<ScoreBreakdown>,
    /// The scanned tokens (after corrections); only when explaining.
    pub tokens: Vec<String>,
    /// The example similarity, when consulted; only when explaining.
    pub similar: Option<Similarity>,
}

/// Per-message working buffers, kept per thread and reused so that a
/// classification does not allocate them afresh (allocation was a fifth of
/// the time of a short message). They hold nothing between messages.
#[derive(Default)]
struct Scratch {
    scan: ScanScratch,
    score: ScoreScratch,
    similar: SimScratch,
}

impl Engine {
    pub(crate) fn build(
        normalizer: &Normalizer,
        intents: &[IntentIr],
        lexicons: &[LexiconIr],
        entities: Vec<EntityIr>,
        example_data: &[ExampleData],
    ) -> Result<Engine, String> {
        let mut vocab = VocabBuilder::default();
        let scanner = Scanner::build(normalizer, intents, lexicons, &mut vocab)?;
        let vocab = vocab.build()?;
        // Every example, the intents' own and the example files'.
        let mut examples: Vec<(Option<u32>, Option<Lang>, &str)> = Vec::new();
        for (k, intent) in intents.iter().enumerate() {
            for ex in &intent.examples {
                examples.push((Some(k as u32), None, ex.text.as_str()));
            }
        }
        for ex in example_data {
            let k = match &ex.intent {
                None => None,
                Some(id) => match intents.iter().position(|i| *i.info.id == **id) {
                    Some(k) => Some(k as u32),
                    None => continue,
                },
            };
            examples.push((k, ex.lang, ex.text.as_str()));
        }
        let similar = Similar::build(normalizer, intents.len(), &examples);
        let filler: crate::fxhash::FastSet<String> = crate::normalize::tables::FILLER
            .split_whitespace()
            .map(crate::normalize::fold)
            .collect();
        let mut intent_words: crate::fxhash::FastMap<Box<str>, Vec<u32>> = Default::default();
        // Variants repeat their words: each is folded once.
        let mut folded: crate::fxhash::FastMap<&str, String> = Default::default();
        for (k, intent) in intents.iter().enumerate() {
            let parts = intent.sets.iter().flat_map(|s| &s.parts);
            for p in intent.phrases.iter().chain(parts) {
                for v in &p.variants {
                    for piece in v {
                        if let crate::rules::phrase::Piece::Word(w) = piece {
                            let f = folded
                                .entry(&**w)
                                .or_insert_with(|| crate::normalize::fold(w));
                            for f in f.split_whitespace() {
                                if f.len() < 2 || filler.contains(f) {
                                    continue;
                                }
                                match intent_words.get_mut(f) {
                                    Some(ks) if ks.last() == Some(&(k as u32)) => {}
                                    Some(ks) => ks.push(k as u32),
                                    None => {
                                        intent_words.insert(f.into(), vec![k as u32]);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        intent_words.retain(|_, ks| ks.len() <= MAX_HINT_WORD_INTENTS);
        Ok(Engine {
            scanner,
            vocab,
            similar,
            intent_words,
            scorer: Scorer::new(intents),
            entities: entity::Entities::new(entities),
            lexicons: lexicons
                .iter()
                .map(|l| (l.name.clone(), l.severity))
                .collect(),
        })
    }

    /// Every phrase, exclusion and lexicon term, as written.
    pub(crate) fn phrases(&self) -> &[PhraseInfo] {
        &self.scanner.phrases
    }

    pub(crate) fn run(&self, n: &Normalized, config: &Config, explain: bool) -> Outcome {
        self.run_hinted(n, config, explain, None)
    }

    /// [`Engine::run`] with the previous turn's intent as a hint.
    pub(crate) fn run_hinted(
        &self,
        n: &Normalized,
        config: &Config,
        explain: bool,
        hint: Option<&str>,
    ) -> Outcome {
        thread_local! {
            static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
        }
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut sc) => {
                let out = self.run_with(n, config, explain, hint, &mut sc);
                // A hostile message must not leave megabytes behind in
                // every thread.
                if sc.scan.is_bloated() {
                    *sc = Scratch::default();
                }
                out
            }
            // Only if a classification runs inside another on this thread.
            Err(_) => self.run_with(n, config, explain, hint, &mut Scratch::default()),
        })
    }

    fn run_with(
        &self,
        n: &Normalized,
        config: &Config,
        explain: bool,
        hint: Option<&str>,
        sc: &mut Scratch,
    ) -> Outcome {
        // Typo corrections first: they are rare, and without any the
        // normalizer's folded text is the haystack as it is.
        let corrections = if config.typo_correction {
            self.vocab.correct_message(n)
        } else {
            Default::default()
        };
        let lang = self.vocab.guess_lang(n);
        let ev = self.scanner.scan(n, &corrections, lang, &mut sc.scan);
        let mut ranking = self.scorer.rank(&ev, config, explain, &mut sc.score);

        // Where the phrases leave doubt, the examples give a second opinion.
        let mut similar = None;
        let mut similar_hint: Option<f32> = None;
        let doubt = ranking.intent.is_none() || ranking.confidence < config.doubt;
        // Each language is compared with its own examples.
        if doubt && config.similarity_threshold <= 1.0 && self.similar.covers(lang) {
            let op =
                self.similar
                    .opinion(ev.hay, lang, if explain { 5 } else { 0 }, &mut sc.similar);
            let mut decided = false;
            if let Some(h) = hint {
                similar_hint = op
                    .intents
                    .iter()
                    .find(|(k, _)| &*self.scorer.intent_id(*k) == h)
                    .map(|x| x.1);
            }
            // An intent whose veto matched ("em không muốn hủy đơn") is
            // not answered by its examples either: they share its words.
            let vetoed = |k: u32| ev.hits.iter().any(|h| h.owner == Owner::Veto(k));
            if let Some(&(k, s)) = op.intents.iter().find(|x| !vetoed(x.0)) {
                let id = self.scorer.intent_id(k);
                let phrase_top = ranking.ranked.first().map(|r| r.intent.clone());
                if s >= config.similarity_threshold
                    && s > op.off_topic
                    && (ranking.intent.is_none() || phrase_top.as_ref() != Some(&id))
                {
                    // Confidence: the threshold at the similarity threshold,
                    // rising linearly to 1 at similarity 1.
                    let t = config.threshold;
                    let span = (1.0 - config.similarity_threshold).max(f32::EPSILON);
                    let conf =
                        (t + (1.0 - t) * (s - config.similarity_threshold) / span).clamp(t, 1.0);
                    if conf > ranking.confidence {
                        ranking.ranked.retain(|r| r.intent != id);
                        ranking.also.retain(|r| r.intent != id);
                        ranking.ranked.insert(
                            0,
                            Scored {
                                intent: id.clone(),
                                score: s,
                                confidence: conf,
                            },
                        );
                        ranking.intent = Some(id);
                        ranking.confidence = conf;
                        ranking.ambiguous = false;
                        decided = true;
                    }
                }
            }
            if explain {
                similar = Some(Similarity {
                    intents: op
                        .intents
                        .iter()
                        .take(5)
                        .map(|&(k, s)| (self.scorer.intent_id(k), s))
                        .collect(),
                    off_topic: op.off_topic,
                    threshold: config.similarity_threshold,
                    decided,
                    nearest: op
                        .nearest
                        .iter()
                        .map(|(k, s, t)| (k.map(|k| self.scorer.intent_id(k)), *s, t.clone()))
                        .collect(),
                });
            }
        }

        // A follow-up with no topic of its own ("how long?", "màu đen thì
        // sao") is read with the previous turn's: when nothing reached the
        // threshold but the hinted intent has some evidence of its own (a
        // phrase or regex below the threshold, or examples at least half as
        // similar as the similarity threshold asks), it answers at the
        // threshold.
        if let (None, Some(h)) = (&ranking.intent, hint) {
            let in_ranked = ranking.ranked.iter().position(|r| &*r.intent == h);
            let similar_enough =
                similar_hint.is_some_and(|s| s >= config.similarity_threshold / 2.0);
            let hk = (0..self.scorer.len() as u32).find(|&k| &*self.scorer.intent_id(k) == h);
            let shares_a_word = hk.is_some_and(|hk| {
                ev.hay
                    .split(' ')
                    .any(|w| self.intent_words.get(w).is_some_and(|ks| ks.contains(&hk)))
            });
            if hk.is_some() && (in_ranked.is_some() || similar_enough || shares_a_word) {
                let id: std::sync::Arc<str> = match in_ranked {
                    Some(i) => ranking.ranked.remove(i).intent,
                    None => h.into(),
                };
                let score = ranking.ranked.first().map_or(0.0, |r| r.score);
                ranking.ranked.insert(
                    0,
                    Scored {
                        intent: id.clone(),
                        score,
                        confidence: config.threshold,
                    },
                );
                ranking.intent = Some(id);
                ranking.confidence = config.threshold;
                ranking.ambiguous = false;
                ranking.also.clear();
            }
        }

        let mut lexicon_hits: Vec<LexiconHit> = ev
            .hits
            .iter()
            .filter_map(|hit| match hit.owner {
                Owner::Lexicon(k) => {
                    let (name, severity) = &self.lexicons[k as usize];
                    Some(LexiconHit {
                        lexicon: name.clone(),
                        severity: *severity,
                        term: ev.phrase_info[hit.phrase as usize].text.clone(),
                        span: ev.span(&hit.span),
                    })
                }
                _ => None,
            })
            .collect();
        lexicon_hits.sort_by_key(|h| h.span.start);

        let tokens = if explain {
            ev.hay
                .split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        } else {
            Vec::new()
        };

        Outcome {
            classification: Classification {
                intent: ranking.intent,
                confidence: ranking.confidence,
                ambiguous: ranking.ambiguous,
                ranked: ranking.ranked,
                also: ranking.also,
                lang,
                entities: self.entities.extract(n),
                lexicon_hits,
            },
            corrections: corrections.list,
            contributions: ranking.contributions,
            scores: ranking.breakdown,
            tokens,
            similar,
        }
    }
}
