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
use super::types::{Classification, Contribution, Correction, LexiconHit};
use super::vocab::{VocabBuilder, Vocabulary};
use super::{entity, Config};
use crate::normalize::{Normalized, Normalizer};
use crate::rules::{EntityIr, IntentIr, LexiconIr};

pub(crate) struct Engine {
    scanner: Scanner,
    pub(super) vocab: Vocabulary,
    scorer: Scorer,
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
    /// The scanned tokens (after corrections); only when explaining.
    pub tokens: Vec<String>,
}

/// Per-message working buffers, kept per thread and reused so that a
/// classification does not allocate them afresh (allocation was a fifth of
/// the time of a short message). They hold nothing between messages.
#[derive(Default)]
struct Scratch {
    scan: ScanScratch,
    score: ScoreScratch,
}

impl Engine {
    pub(crate) fn build(
        normalizer: &Normalizer,
        intents: &[IntentIr],
        lexicons: &[LexiconIr],
        entities: Vec<EntityIr>,
    ) -> Result<Engine, String> {
        let mut vocab = VocabBuilder::default();
        let scanner = Scanner::build(normalizer, intents, lexicons, &mut vocab)?;
        Ok(Engine {
            scanner,
            vocab: vocab.build()?,
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
        thread_local! {
            static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
        }
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut sc) => {
                let out = self.run_with(n, config, explain, &mut sc);
                // A hostile message must not leave megabytes behind in
                // every thread.
                if sc.scan.is_bloated() {
                    *sc = Scratch::default();
                }
                out
            }
            // Only if a classification runs inside another on this thread.
            Err(_) => self.run_with(n, config, explain, &mut Scratch::default()),
        })
    }

    fn run_with(
        &self,
        n: &Normalized,
        config: &Config,
        explain: bool,
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
        let ranking = self.scorer.rank(&ev, config, explain, &mut sc.score);

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
                lang,
                entities: self.entities.extract(n),
                lexicon_hits,
            },
            corrections: corrections.list,
            contributions: ranking.contributions,
            tokens,
        }
    }
}
