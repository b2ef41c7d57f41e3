//! Scoring and ranking: from a message's [`Evidence`] to ranked intents.
//!
//! An intent's score is its best phrase's word count, plus a share of the
//! words further phrases cover beyond it, plus a fixed amount per regex,
//! times the intent's weight; an exclusion vetoes the intent. Confidence
//! mixes how strong the score is with how much of the message's content the
//! intent covers. Ranking sorts by confidence and lets priority break
//! near-ties.

use super::scan::{how, Evidence, Owner};
use super::types::{Contribution, ContributionKind, HowMatched, Scored};
use super::Config;
use crate::fxhash::FastSet;
use crate::normalize::tables::FILLER;
use crate::rules::IntentIr;
use std::sync::Arc;

/// Score of one matching regex pattern, before the intent's weight. A regex
/// is written for one precise shape (an order id with a verb), so it counts
/// as much as a two-word phrase; higher and a loose regex would outvote the
/// phrases.
const REGEX_SCORE: f32 = 2.0;
/// Share of the words that further phrases of an intent cover beyond its
/// best phrase. Above zero, an intent that explains more of the message
/// beats one with the same best phrase; below one, two overlapping phrases
/// do not count their common words twice as much as one longer phrase.
const EXTRA_WORDS_SHARE: f32 = 0.5;
/// The score at which confidence from the score reaches 1 − 1/e of its
/// share: a two-word phrase gets most of it, a one-word phrase about half.
/// Larger makes single keywords weaker against longer phrases.
const SCORE_SCALE: f32 = 1.6;
/// Share of the confidence that comes from the score. The rest comes from
/// coverage: how much of the message's content the intent explains. More
/// here favours strong phrases in long messages; more coverage favours
/// intents that explain the whole message.
const SCORE_SHARE: f32 = 0.65;
/// Share of the confidence that comes from coverage (`1 - SCORE_SHARE`).
const COVERAGE_SHARE: f32 = 0.35;
/// Coverage assumed for an intent that only regexes matched (their matches
/// carry no token spans): neither full credit nor none.
const REGEX_ONLY_COVERAGE: f32 = 0.5;

/// Per-intent data the scoring needs, and the filler word tables.
pub(crate) struct Scorer {
    intent_ids: Vec<Arc<str>>,
    intent_weight: Vec<f32>,
    intent_priority: Vec<i32>,
    /// Filler words with their diacritics, and folded for undiacritized
    /// tokens.
    filler: FastSet<&'static str>,
    filler_folded: FastSet<String>,
}

/// Per-message buffers of the scoring, reused from one message to the next.
#[derive(Default)]
pub(crate) struct ScoreScratch {
    acc: Vec<Acc>,
    marks: Vec<u8>,
}

/// What one intent has gathered from a message.
#[derive(Default)]
struct Acc {
    k: u32,
    phrase_score: f32,
    regex_score: f32,
    best: f32,
    best_len: f32,
    vetoed: bool,
    /// Some phrase matched (else only regexes did).
    matched: bool,
}

/// The intents of one message, ranked.
pub(crate) struct Ranking {
    /// The best intent, when its confidence reaches the threshold.
    pub intent: Option<Arc<str>>,
    /// The best intent's confidence (0 when nothing scored).
    pub confidence: f32,
    /// The runner-up is within the ambiguity margin, at the same priority.
    pub ambiguous: bool,
    /// Every intent that scored, best first.
    pub ranked: Vec<Scored>,
    /// What added to or vetoed each intent (only when explaining).
    pub contributions: Vec<Contribution>,
}

impl Scorer {
    pub(crate) fn new(intents: &[IntentIr]) -> Scorer {
        Scorer {
            intent_ids: intents.iter().map(|i| i.info.id.clone()).collect(),
            intent_weight: intents.iter().map(|i| i.info.weight).collect(),
            intent_priority: intents.iter().map(|i| i.info.priority).collect(),
            filler: FILLER.split_whitespace().collect(),
            filler_folded: FILLER
                .split_whitespace()
                .map(crate::normalize::fold)
                .collect(),
        }
    }

    /// How many intents there are.
    pub(crate) fn len(&self) -> usize {
        self.intent_ids.len()
    }

    /// The id of intent `k`.
    pub(crate) fn intent_id(&self, k: u32) -> Arc<str> {
        self.intent_ids[k as usize].clone()
    }

    /// Scores every intent the evidence speaks for and ranks them.
    pub(crate) fn rank(
        &self,
        ev: &Evidence<'_>,
        config: &Config,
        explain: bool,
        sc: &mut ScoreScratch,
    ) -> Ranking {
        let (scored, priorities, contributions) = self.score(ev, explain, sc);
        rank(scored, &priorities, contributions, config)
    }

    /// Each intent's score and confidence (in no particular order), its
    /// priority, and the contributions when explaining.
    fn score(
        &self,
        ev: &Evidence<'_>,
        explain: bool,
        sc: &mut ScoreScratch,
    ) -> (Vec<Scored>, Vec<i32>, Vec<Contribution>) {
        let ScoreScratch { acc, marks } = sc;
        acc.clear();
        let n = ev.n;
        let ntok = n.tokens().len();

        // Accumulate per intent, touching only the intents that matched:
        // the cost follows the message, not the size of the rule set.
        fn slot_of(k: u32, acc: &mut Vec<Acc>) -> &mut Acc {
            let i = match acc.iter().position(|a| a.k == k) {
                Some(i) => i,
                None => {
                    acc.push(Acc {
                        k,
                        ..Acc::default()
                    });
                    acc.len() - 1
                }
            };
            &mut acc[i]
        }
        let mut contributions = Vec::new();
        for hit in ev.hits {
            let (k, kind, weight) = match hit.owner {
                Owner::Intent(k) => {
                    let a = slot_of(k, acc);
                    a.phrase_score += hit.score;
                    if hit.score > a.best {
                        a.best = hit.score;
                        a.best_len = ev
                            .segments_of(hit)
                            .iter()
                            .map(|r| (r.end - r.start) as f32)
                            .sum();
                    }
                    a.matched = true;
                    (
                        k,
                        ContributionKind::Phrase,
                        hit.score * self.intent_weight[k as usize],
                    )
                }
                Owner::Exclude(k) => {
                    slot_of(k, acc).vetoed = true;
                    (k, ContributionKind::Exclude, 0.0)
                }
                Owner::Lexicon(_) => continue,
            };
            if explain {
                let info = &ev.phrase_info[hit.phrase as usize];
                contributions.push(Contribution {
                    intent: self.intent_ids[k as usize].clone(),
                    kind,
                    rule: info.text.clone(),
                    location: info.location.clone(),
                    weight,
                    how: how(hit.factor),
                    span: ev.span(&hit.span),
                });
            }
        }
        for &p in ev.patterns {
            let info = &ev.pattern_info[p as usize];
            let k = info.intent;
            slot_of(k, acc).regex_score += REGEX_SCORE;
            if explain {
                contributions.push(Contribution {
                    intent: self.intent_ids[k as usize].clone(),
                    kind: ContributionKind::Pattern,
                    rule: info.text.clone(),
                    location: info.location.clone(),
                    weight: REGEX_SCORE * self.intent_weight[k as usize],
                    how: HowMatched::Regex,
                    span: 0..0,
                });
            }
        }

        // Scores to confidences.
        // Per token: bit 0 filler, bit 1 covered by the intent in hand.
        // Only needed when some intent scored (most off-topic chatter: none).
        marks.clear();
        marks.extend((0..if acc.is_empty() { 0 } else { ntok }).map(|i| {
            let (t, f) = (n.token_text(i), n.token_folded(i));
            u8::from(self.filler.contains(t) || (t == f && self.filler_folded.contains(f)))
        }));
        let content = marks.iter().filter(|&&m| m & 1 == 0).count().max(1);
        let mut ranked = Vec::with_capacity(acc.len());
        let mut priorities = Vec::with_capacity(acc.len());
        for a in acc.iter() {
            if a.vetoed || a.phrase_score + a.regex_score <= 0.0 {
                continue;
            }
            // The best phrase counts in full; words that further phrases
            // cover beyond it count for a share (two phrases over the same
            // words add nothing); each regex adds its score.
            marks.iter_mut().for_each(|m| *m &= 1);
            for hit in ev.hits {
                if hit.owner != Owner::Intent(a.k) {
                    continue;
                }
                for r in ev.segments_of(hit) {
                    for t in r.start..r.end {
                        marks[t as usize] |= 2;
                    }
                }
            }
            let all = marks.iter().filter(|&&m| m & 2 != 0).count() as f32;
            let hit = marks.iter().filter(|&&m| m == 2).count();
            let cov = if a.matched {
                (hit as f32 / content as f32).min(1.0)
            } else {
                REGEX_ONLY_COVERAGE
            };
            let extra = (all - a.best_len).max(0.0);
            let k = a.k as usize;
            let s = (a.best + EXTRA_WORDS_SHARE * extra + a.regex_score) * self.intent_weight[k];
            let sat = 1.0 - (-s / SCORE_SCALE).exp();
            let confidence = (SCORE_SHARE * sat + COVERAGE_SHARE * cov).clamp(0.0, 1.0);
            ranked.push(Scored {
                intent: self.intent_ids[k].clone(),
                score: s,
                confidence,
            });
            priorities.push(self.intent_priority[k]);
        }
        (ranked, priorities, contributions)
    }
}

/// Sorts scored intents, best first, and picks the winner.
fn rank(
    scored: Vec<Scored>,
    priorities: &[i32],
    contributions: Vec<Contribution>,
    config: &Config,
) -> Ranking {
    let mut order: Vec<usize> = (0..scored.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&scored[a], &scored[b]);
        y.confidence
            .total_cmp(&x.confidence)
            .then(y.score.total_cmp(&x.score))
            .then(x.intent.cmp(&y.intent))
    });
    // Priority breaks near-ties: among the intents within the ambiguity
    // margin of the best, the highest priority goes first.
    if let Some(&top) = order.first() {
        let top_conf = scored[top].confidence;
        let near = order
            .iter()
            .take_while(|&&i| top_conf - scored[i].confidence < config.ambiguity_margin)
            .count();
        if let Some(pos) = (0..near).max_by_key(|&p| (priorities[order[p]], std::cmp::Reverse(p))) {
            let chosen = order.remove(pos);
            order.insert(0, chosen);
        }
    }
    let ranked: Vec<_> = order.iter().map(|&i| scored[i].clone()).collect();
    let top_priority = order.first().map(|&i| priorities[i]);
    let confidence = ranked.first().map_or(0.0, |s| s.confidence);
    let intent = ranked
        .first()
        .filter(|s| s.confidence >= config.threshold)
        .map(|s| s.intent.clone());
    let ambiguous = intent.is_some()
        && ranked.get(1).is_some_and(|s| {
            (confidence - s.confidence).abs() < config.ambiguity_margin
                && s.confidence >= config.threshold
                && Some(priorities[order[1]]) == top_priority
        });
    Ranking {
        intent,
        confidence,
        ambiguous,
        ranked,
        contributions,
    }
}
