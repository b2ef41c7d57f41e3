//! Scoring and ranking: from a message's [`Evidence`] to ranked intents.
//!
//! Intents compete on evidence. An intent's score is its best phrase's word
//! count, plus a share of the words further phrases cover beyond it, plus a
//! fixed amount per regex, times its weight; each of its `exclude` phrases
//! that matched multiplies the score by a penalty factor. A `veto` phrase
//! removes only the intent's phrase matches it overlaps or closely
//! precedes. Confidence mixes how strong the score is, how much of the
//! request (the clauses holding the evidence) the intent explains, and how
//! clearly it beats its strongest rival: another intent matched on some of
//! the same words. Intents matched on other words are further requests
//! (`Classification::also`), not rivals. Ranking sorts by confidence and
//! lets priority break near-ties.
//!
//! The cost follows the intents that matched: nothing here walks the rule
//! set, and the per-message buffers live in [`ScoreScratch`].

use std::ops::Range;
use std::sync::Arc;

use regex::Regex;

use super::scan::{how, Evidence, Owner, PhraseHit};
use super::types::{Contribution, ContributionKind, HowMatched, ScoreBreakdown, Scored};
use super::Config;
use crate::fxhash::FastSet;
use crate::normalize::tables::FILLER;
use crate::rules::IntentIr;

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
/// The factor each matched `exclude` phrase multiplies an intent's score
/// by: evidence that the message belongs to another intent. Lower makes an
/// exclude decide more often (at 0 it is a veto of the whole intent again,
/// which drops clear requests that mention another topic); higher lets an
/// excluded intent win over a rival with a shorter phrase.
pub(crate) const EXCLUDE_FACTOR: f32 = 0.4;
/// At most this many matched `exclude` phrases count against an intent.
/// More and a message that happens to hold several of a long exclude
/// list's words loses an intent it states clearly; fewer and excludes stop
/// deciding between close intents.
const MAX_EXCLUDES: u32 = 2;
/// How many tokens may separate a `veto` phrase from the phrase match it
/// removes, the veto coming first ("không muốn hủy": "không" two tokens
/// before "hủy"). A veto also removes the matches it overlaps. Larger
/// reaches negations further away but also phrases of another clause.
const VETO_WINDOW: u32 = 2;
/// The score at which confidence from the score reaches 1 − 1/e of its
/// share: a two-word phrase gets most of it, a one-word phrase about half.
/// Larger makes single keywords weaker against longer phrases.
const SCORE_SCALE: f32 = 1.6;
/// Share of the confidence that comes from the score's strength. More
/// here favours strong phrases over intents that explain all of a short
/// request.
const SCORE_SHARE: f32 = 0.6;
/// Share of the confidence that comes from coverage: how much of the
/// request (the clauses holding the intent's evidence) the intent
/// explains. More makes a keyword in a long clause about something else
/// weaker (off-topic precision); less lets it answer.
const COVERAGE_SHARE: f32 = 0.4;
/// What a rival matched on some of the same words takes off an intent's
/// confidence, in proportion to its score over the intent's (at most
/// this much, for a rival at least as strong). Higher makes close calls
/// fall under the threshold (more `none`, fewer wrong intents); lower
/// makes confidence ignore how contested the words are.
const RIVAL_SHARE: f32 = 0.2;
/// Share of a concept set's supporting words: each adds this much of a
/// part's word to the set's score. Higher lets politeness and time words
/// ("please", "giúp", "now") decide between sets; lower makes them
/// decoration.
const SUPPORT_SHARE: f32 = 0.5;
/// Coverage assumed for an intent that only regexes matched and whose match
/// could not be located: neither full credit nor none.
const REGEX_ONLY_COVERAGE: f32 = 0.5;
/// Vietnamese question particles and auxiliaries: not part of what a
/// request is about, so they do not count among its words (coverage).
/// Fewer here makes a keyword in a short question weaker ("có sale gì
/// không shop"). Tense and voice words ("đã", "đang", "sẽ", "bị") and the
/// English auxiliaries ("what", "have", "there") cost off-topic precision
/// on the development data and are left out.
const FUNCTION_WORDS: &str = "có không gì nào chưa được hông ko k khum thế sao";
/// Folded words that join two clauses; they belong to neither.
const CLAUSE_WORDS: &[&str] = &["and", "but", "also", "va", "nhung"];

/// Per-intent data the scoring needs, and the filler word tables.
pub(crate) struct Scorer {
    intent_ids: Vec<Arc<str>>,
    intent_weight: Vec<f32>,
    intent_priority: Vec<i32>,
    /// Each regex pattern alone (folded like the haystack), to locate a
    /// match the `RegexSet` only reports; `None` if it does not build alone.
    regexes: Vec<Option<Regex>>,
    /// Every concept set, numbered over all intents in rule order (as the
    /// scanner numbers them).
    sets: Vec<SetInfo>,
    /// Filler words with their diacritics, and folded for undiacritized
    /// tokens: not counted among a request's words.
    filler: FastSet<&'static str>,
    filler_folded: FastSet<String>,
    /// The same for function words: counted only where a rule matched them
    /// ("không ... được" is what "can't register" is made of).
    function: FastSet<&'static str>,
    function_folded: FastSet<String>,
}

/// A concept set as scoring needs it.
struct SetInfo {
    intent: u32,
    parts: u16,
    text: Arc<str>,
    location: crate::rules::RulePlace,
}

/// Marks a set's support phrase in `ScoreScratch::set_hits`.
const SUPPORT: u16 = u16::MAX;

/// Per-message buffers of the scoring, reused from one message to the next.
#[derive(Default)]
pub(crate) struct ScoreScratch {
    acc: Vec<Acc>,
    /// Per token: bit 0 content word, bit 1 function word, bits 2.. the
    /// clause (capped at 63).
    tokens: Vec<u8>,
    /// Per intent in `acc`, the tokens its evidence covers (a bitset of
    /// `words` u64s each).
    bits: Vec<u64>,
    /// Veto matches: (intent, token range, phrase).
    vetoes: Vec<(u32, Range<u32>, u32)>,
    /// Regex matches: (intent, token range, pattern).
    regex_hits: Vec<(u32, Range<u32>, u32)>,
    /// Per hit of the evidence: whether it counts (not vetoed; a set's
    /// part only when the whole set matched).
    live: Vec<bool>,
    /// Concept set hits: (set, part or `SUPPORT`, index into the hits).
    set_hits: Vec<(u32, u16, u32)>,
}

/// What one intent has gathered from a message.
#[derive(Default)]
struct Acc {
    k: u32,
    regex_score: f32,
    best: f32,
    best_len: f32,
    excludes: u32,
    /// Some phrase matched (else only regexes did).
    matched: bool,
    // Filled in when scoring:
    extra: f32,
    score: f32,
    strength: f32,
    covered: u32,
    request: u32,
    coverage: f32,
    rival: Option<u32>,
    rival_score: f32,
    confidence: f32,
    /// The clauses holding its evidence (bit per clause).
    clauses: u64,
    /// Its first covered token.
    first: u32,
}

/// The intents of one message, ranked.
pub(crate) struct Ranking {
    /// The best intent, when its confidence reaches the threshold.
    pub intent: Option<Arc<str>>,
    /// The best intent's confidence (0 when nothing scored).
    pub confidence: f32,
    /// A rival (matched on some of the same words) is within the ambiguity
    /// margin, at the same priority.
    pub ambiguous: bool,
    /// Every intent that scored, best first.
    pub ranked: Vec<Scored>,
    /// Further requests: intents over the threshold on other words.
    pub also: Vec<Scored>,
    /// What added to, lowered or vetoed each intent (only when explaining).
    pub contributions: Vec<Contribution>,
    /// The arithmetic per intent, in `ranked` order (only when explaining).
    pub breakdown: Vec<ScoreBreakdown>,
}

/// Whether a veto match at `veto` reaches the match at `hit`: it overlaps
/// it, or ends at most [`VETO_WINDOW`] tokens before it starts.
fn reaches(veto: &Range<u32>, hit: &Range<u32>) -> bool {
    veto.start < hit.end && hit.start <= veto.end + VETO_WINDOW
}

/// The token range `[a, b)` of the haystack bytes `a..b` (tokens are joined
/// by single spaces).
fn hay_tokens(hay: &str, r: Range<usize>) -> Range<u32> {
    let bytes = hay.as_bytes();
    let start = bytes[..r.start].iter().filter(|&&b| b == b' ').count();
    let inner = bytes[r.start..r.end].iter().filter(|&&b| b == b' ').count();
    start as u32..(start + inner + 1) as u32
}

impl Scorer {
    pub(crate) fn new(intents: &[IntentIr]) -> Scorer {
        Scorer {
            intent_ids: intents.iter().map(|i| i.info.id.clone()).collect(),
            intent_weight: intents.iter().map(|i| i.info.weight).collect(),
            intent_priority: intents.iter().map(|i| i.info.priority).collect(),
            regexes: intents
                .iter()
                .flat_map(|i| &i.patterns)
                .map(|p| {
                    regex::RegexBuilder::new(&super::scan::fold_pattern(&p.text))
                        .size_limit(crate::rules::REGEX_SIZE_LIMIT)
                        .build()
                        .ok()
                })
                .collect(),
            sets: intents
                .iter()
                .enumerate()
                .flat_map(|(k, i)| {
                    i.sets.iter().map(move |s| SetInfo {
                        intent: k as u32,
                        parts: s.parts.len() as u16,
                        text: s.text.clone(),
                        location: s.location.clone(),
                    })
                })
                .collect(),
            filler: FILLER.split_whitespace().collect(),
            filler_folded: FILLER
                .split_whitespace()
                .map(crate::normalize::fold)
                .collect(),
            function: FUNCTION_WORDS.split_whitespace().collect(),
            function_folded: FUNCTION_WORDS
                .split_whitespace()
                .map(crate::normalize::fold)
                .collect(),
        }
    }

    /// The intent a phrase's match counts for, if any.
    fn intent_of(&self, owner: Owner) -> Option<u32> {
        match owner {
            Owner::Intent(k) => Some(k),
            Owner::SetPart { set, .. } | Owner::SetSupport(set) => {
                Some(self.sets[set as usize].intent)
            }
            _ => None,
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
        let contributions = self.gather(ev, explain, sc);
        self.score(ev, sc);
        self.ranking(sc, contributions, config, explain)
    }

    /// Accumulates the evidence per intent (touching only the intents that
    /// matched) and returns the contributions when explaining.
    fn gather(&self, ev: &Evidence<'_>, explain: bool, sc: &mut ScoreScratch) -> Vec<Contribution> {
        let ScoreScratch {
            acc,
            vetoes,
            regex_hits,
            live,
            set_hits,
            ..
        } = sc;
        acc.clear();
        vetoes.clear();
        regex_hits.clear();
        live.clear();
        set_hits.clear();
        live.resize(ev.hits.len(), false);
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
        let make = |k: u32, kind, phrase: u32, weight: f32, factor: f32, span: &Range<u32>| {
            let info = &ev.phrase_info[phrase as usize];
            Contribution {
                intent: self.intent_ids[k as usize].clone(),
                kind,
                rule: info.text.clone(),
                location: info.location.to_string().into(),
                weight,
                how: how(factor),
                span: ev.span(span),
                vetoed_by: None,
            }
        };
        // Vetoes first: they decide which phrase matches count.
        for hit in ev.hits {
            if let Owner::Veto(k) = hit.owner {
                vetoes.push((k, hit.span.clone(), hit.phrase));
                if explain {
                    contributions.push(make(
                        k,
                        ContributionKind::Veto,
                        hit.phrase,
                        0.0,
                        hit.factor,
                        &hit.span,
                    ));
                }
            }
        }
        // Whether a veto of intent `k` reaches `hit` (a phrase match or a
        // set part); explained as vetoed when it does.
        let vetoed = |k: u32, hit: &PhraseHit, contributions: &mut Vec<Contribution>| {
            let Some((_, _, vp)) = vetoes
                .iter()
                .find(|(vk, v, _)| *vk == k && reaches(v, &hit.span))
            else {
                return false;
            };
            if explain {
                let mut c = make(
                    k,
                    ContributionKind::Vetoed,
                    hit.phrase,
                    0.0,
                    hit.factor,
                    &hit.span,
                );
                c.vetoed_by = Some(ev.phrase_info[*vp as usize].text.clone());
                contributions.push(c);
            }
            true
        };
        for (i, hit) in ev.hits.iter().enumerate() {
            match hit.owner {
                Owner::Intent(k) => {
                    if vetoed(k, hit, &mut contributions) {
                        continue;
                    }
                    live[i] = true;
                    let a = slot_of(k, acc);
                    if hit.score > a.best {
                        a.best = hit.score;
                        a.best_len = ev
                            .segments_of(hit)
                            .iter()
                            .map(|r| (r.end - r.start) as f32)
                            .sum();
                    }
                    a.matched = true;
                    if explain {
                        let w = hit.score * self.intent_weight[k as usize];
                        contributions.push(make(
                            k,
                            ContributionKind::Phrase,
                            hit.phrase,
                            w,
                            hit.factor,
                            &hit.span,
                        ));
                    }
                }
                Owner::Exclude(k) => {
                    // A negated word is no evidence against anything: "not
                    // cancel but change" does not count "cancel" against
                    // changing.
                    if vetoes.iter().any(|(_, v, _)| reaches(v, &hit.span)) {
                        continue;
                    }
                    slot_of(k, acc).excludes += 1;
                    if explain {
                        contributions.push(make(
                            k,
                            ContributionKind::Exclude,
                            hit.phrase,
                            EXCLUDE_FACTOR,
                            hit.factor,
                            &hit.span,
                        ));
                    }
                }
                Owner::SetPart { set, part } => {
                    let k = self.sets[set as usize].intent;
                    if vetoed(k, hit, &mut contributions) {
                        continue;
                    }
                    set_hits.push((set, part, i as u32));
                }
                Owner::SetSupport(set) => set_hits.push((set, SUPPORT, i as u32)),
                Owner::Veto(_) | Owner::Lexicon(_) => {}
            }
        }
        // Concept sets: complete when every part matched, on words of its
        // own; scored like a phrase of the parts' words, support words
        // adding a share.
        set_hits.sort_unstable();
        let mut j = 0;
        while j < set_hits.len() {
            let set = set_hits[j].0;
            let end = j + set_hits[j..].iter().take_while(|h| h.0 == set).count();
            let group = &set_hits[j..end];
            j = end;
            let info = &self.sets[set as usize];
            let parts = group.iter().filter(|h| h.1 != SUPPORT);
            let hit = |h: &(u32, u16, u32)| &ev.hits[h.2 as usize];
            if parts.clone().count() < info.parts as usize {
                continue;
            }
            let overlap = |a: &Range<u32>, b: &Range<u32>| a.start < b.end && b.start < a.end;
            let separate = parts.clone().enumerate().all(|(x, a)| {
                parts
                    .clone()
                    .skip(x + 1)
                    .all(|b| !overlap(&hit(a).span, &hit(b).span))
            });
            if !separate {
                continue;
            }
            let words = |h: &(u32, u16, u32)| -> f32 {
                ev.segments_of(hit(h))
                    .iter()
                    .map(|r| (r.end - r.start) as f32)
                    .sum()
            };
            let mut score = 0.0;
            let mut len = 0.0;
            let (mut first, mut last) = (u32::MAX, 0);
            for h in group {
                let x = hit(h);
                let share = if h.1 == SUPPORT {
                    // A support phrase on a part's words adds nothing.
                    if parts.clone().any(|p| overlap(&hit(p).span, &x.span)) {
                        continue;
                    }
                    SUPPORT_SHARE
                } else {
                    1.0
                };
                score += share * x.score;
                len += words(h);
                (first, last) = (first.min(x.span.start), last.max(x.span.end));
                live[h.2 as usize] = true;
                if explain {
                    let kind = if h.1 == SUPPORT {
                        ContributionKind::SetSupport
                    } else {
                        ContributionKind::SetPart
                    };
                    let w = share * x.score * self.intent_weight[info.intent as usize];
                    contributions.push(make(info.intent, kind, x.phrase, w, x.factor, &x.span));
                }
            }
            let a = slot_of(info.intent, acc);
            if score > a.best {
                a.best = score;
                a.best_len = len;
            }
            a.matched = true;
            if explain {
                contributions.push(Contribution {
                    intent: self.intent_ids[info.intent as usize].clone(),
                    kind: ContributionKind::Set,
                    rule: info.text.clone(),
                    location: info.location.to_string().into(),
                    weight: score * self.intent_weight[info.intent as usize],
                    how: how(1.0),
                    span: ev.span(&(first..last)),
                    vetoed_by: None,
                });
            }
        }
        let ntok = ev.n.tokens().len() as u32;
        for &p in ev.patterns {
            let info = &ev.pattern_info[p as usize];
            let k = info.intent;
            slot_of(k, acc).regex_score += REGEX_SCORE;
            // Located only when it matched: the set says which did.
            let tokens = self
                .regexes
                .get(p as usize)
                .and_then(Option::as_ref)
                .and_then(|re| re.find(ev.hay))
                .filter(|m| !m.is_empty())
                .map(|m| hay_tokens(ev.hay, m.range()))
                .map(|r| r.start.min(ntok)..r.end.min(ntok))
                .unwrap_or(0..0);
            if !tokens.is_empty() {
                regex_hits.push((k, tokens.clone(), p));
            }
            if explain {
                contributions.push(Contribution {
                    intent: self.intent_ids[k as usize].clone(),
                    kind: ContributionKind::Pattern,
                    rule: info.text.clone(),
                    location: info.location.to_string().into(),
                    weight: REGEX_SCORE * self.intent_weight[k as usize],
                    how: HowMatched::Regex,
                    span: ev.span(&tokens),
                    vetoed_by: None,
                });
            }
        }
        // An intent that only excludes spoke about has nothing to score.
        acc.retain(|a| a.matched || a.regex_score > 0.0);
        contributions
    }

    /// Each gathered intent's score, coverage, rival and confidence.
    fn score(&self, ev: &Evidence<'_>, sc: &mut ScoreScratch) {
        let ScoreScratch {
            acc,
            tokens,
            bits,
            regex_hits,
            live,
            ..
        } = sc;
        tokens.clear();
        bits.clear();
        if acc.is_empty() {
            return;
        }
        let n = ev.n;
        let ntok = n.tokens().len();
        // Tokens: content or not, and the clause each belongs to.
        // Clauses start after clause punctuation (the scan found where).
        let mut breaks = ev.clauses.iter().peekable();
        let mut clause = 0u8;
        for i in 0..ntok {
            if breaks.next_if_eq(&&(i as u32)).is_some() {
                clause = (clause + 1).min(63);
            }
            let (t, f) = (n.token_text(i), n.token_folded(i));
            if CLAUSE_WORDS.contains(&f) {
                clause = (clause + 1).min(63);
                tokens.push(clause << 2);
                continue;
            }
            let plain = t == f;
            let kind = if self.filler.contains(t) || (plain && self.filler_folded.contains(f)) {
                0
            } else if self.function.contains(t) || (plain && self.function_folded.contains(f)) {
                2
            } else {
                1
            };
            tokens.push((clause << 2) | kind);
        }
        let words = ntok.div_ceil(64).max(1);
        // One bitset per intent, and their union at the end.
        bits.resize((acc.len() + 1) * words, 0);
        let set = |b: &mut [u64], r: &Range<u32>| {
            for t in r.start..r.end.min(ntok as u32) {
                b[t as usize / 64] |= 1 << (t % 64);
            }
        };
        let count = |b: &[u64]| b.iter().map(|w| w.count_ones()).sum::<u32>();
        let (own, union) = bits.split_at_mut(acc.len() * words);
        for (ai, a) in acc.iter_mut().enumerate() {
            let b = &mut own[ai * words..(ai + 1) * words];
            for (hit, _) in ev.hits.iter().zip(live.iter()).filter(|(_, &l)| l) {
                if self.intent_of(hit.owner) == Some(a.k) {
                    for r in ev.segments_of(hit) {
                        set(b, r);
                    }
                }
            }
            a.extra = (count(b) as f32 - a.best_len).max(0.0);
            for (k, r, _) in regex_hits.iter() {
                if *k == a.k {
                    set(b, r);
                }
            }
            for (u, w) in union.iter_mut().zip(b.iter()) {
                *u |= w;
            }
        }
        let has = |b: &[u64], t: usize| b[t / 64] & (1 << (t % 64)) != 0;
        for (ai, a) in acc.iter_mut().enumerate() {
            let b = &own[ai * words..(ai + 1) * words];
            let covered = count(b);
            // The clauses holding the evidence, and the words of their
            // request: content words, and function words a rule matched.
            let mut clauses = 0u64;
            for (t, &m) in tokens.iter().enumerate() {
                if has(b, t) {
                    clauses |= 1 << (m >> 2);
                }
            }
            let request = covered
                + tokens
                    .iter()
                    .enumerate()
                    .filter(|&(t, &m)| {
                        (m & 1 != 0 || (m & 2 != 0 && has(union, t)))
                            && clauses & (1 << (m >> 2)) != 0
                            && !has(b, t)
                    })
                    .count() as u32;
            a.covered = covered;
            a.request = request;
            a.clauses = clauses;
            a.first = b
                .iter()
                .enumerate()
                .find(|(_, w)| **w != 0)
                .map_or(u32::MAX, |(i, w)| i as u32 * 64 + w.trailing_zeros());
            a.coverage = if covered == 0 {
                REGEX_ONLY_COVERAGE
            } else {
                covered as f32 / request.max(1) as f32
            };
            let k = a.k as usize;
            a.score = (a.best + EXTRA_WORDS_SHARE * a.extra + a.regex_score)
                * self.intent_weight[k]
                * EXCLUDE_FACTOR.powi(a.excludes.min(MAX_EXCLUDES) as i32);
            a.strength = 1.0 - (-a.score / SCORE_SCALE).exp();
        }
        // Rivals: the strongest other intent on some of the same words.
        for i in 0..acc.len() {
            let bi = &bits[i * words..(i + 1) * words];
            let mut rival: Option<(u32, f32)> = None;
            for (j, b) in acc.iter().enumerate() {
                if j == i || rival.is_some_and(|(_, s)| s >= b.score) {
                    continue;
                }
                let bj = &bits[j * words..(j + 1) * words];
                if bi.iter().zip(bj).any(|(x, y)| x & y != 0) {
                    rival = Some((j as u32, b.score));
                }
            }
            let a = &mut acc[i];
            (a.rival, a.rival_score) = match rival {
                Some((j, s)) => (Some(j), s),
                None => (None, 0.0),
            };
            let contest = if a.rival.is_some() {
                (a.rival_score / a.score.max(f32::EPSILON)).min(1.0)
            } else {
                0.0
            };
            a.confidence = (SCORE_SHARE * a.strength + COVERAGE_SHARE * a.coverage
                - RIVAL_SHARE * contest)
                .clamp(0.0, 1.0);
        }
    }

    /// Sorts the scored intents, best first, picks the winner and the
    /// further requests.
    fn ranking(
        &self,
        sc: &ScoreScratch,
        contributions: Vec<Contribution>,
        config: &Config,
        explain: bool,
    ) -> Ranking {
        let acc = &sc.acc;
        let mut order: Vec<usize> = (0..acc.len()).collect();
        let id = |i: usize| &self.intent_ids[acc[i].k as usize];
        let priority = |i: usize| self.intent_priority[acc[i].k as usize];
        order.sort_by(|&a, &b| {
            let (x, y) = (&acc[a], &acc[b]);
            y.confidence
                .total_cmp(&x.confidence)
                .then(y.score.total_cmp(&x.score))
                .then(id(a).cmp(id(b)))
        });
        // Priority breaks near-ties: among the intents within the ambiguity
        // margin of the best, the highest priority goes first.
        if let Some(&top) = order.first() {
            let top_conf = acc[top].confidence;
            let near = order
                .iter()
                .take_while(|&&i| top_conf - acc[i].confidence < config.ambiguity_margin)
                .count();
            if let Some(pos) = (0..near).max_by_key(|&p| (priority(order[p]), std::cmp::Reverse(p)))
            {
                let chosen = order.remove(pos);
                order.insert(0, chosen);
            }
        }
        let words = sc.bits.len() / (acc.len() + 1);
        let bits = |i: usize| &sc.bits[i * words..(i + 1) * words];
        let overlaps = |i: usize, j: usize| bits(i).iter().zip(bits(j)).any(|(x, y)| x & y != 0);
        let mut ambiguous = false;
        let mut group = Vec::new();
        if order
            .first()
            .is_some_and(|&top| acc[top].confidence >= config.threshold)
        {
            // Further requests: over the threshold, in clauses no intent
            // taken so far matched in (two intents in one clause, "hủy đơn
            // hay đổi đơn", are one request read two ways).
            group.push(0);
            for (p, &i) in order.iter().enumerate().skip(1) {
                if acc[i].confidence < config.threshold {
                    break;
                }
                if acc[i].covered > 0
                    && !group.iter().any(|&q| {
                        overlaps(i, order[q]) || acc[i].clauses & acc[order[q]].clauses != 0
                    })
                {
                    group.push(p);
                }
            }
            // Each request's confidence is measured on its own clauses, so
            // between requests in other clauses the strongest evidence
            // leads, the first one on a tie ("chào shop, ... chưa thấy
            // giao" is about the order, not the greeting).
            let lead = group
                .iter()
                .copied()
                .max_by(|&a, &b| {
                    let (x, y) = (&acc[order[a]], &acc[order[b]]);
                    x.score.total_cmp(&y.score).then(y.first.cmp(&x.first))
                })
                .unwrap_or(0);
            if lead != 0 {
                let chosen = order.remove(lead);
                order.insert(0, chosen);
                for q in group.iter_mut() {
                    if *q < lead {
                        *q += 1;
                    } else if *q == lead {
                        *q = 0;
                    }
                }
                group.sort_unstable();
            }
            let top = order[0];
            // Ambiguous: an intent for the same words or the same clause is
            // as sure, at the same priority.
            ambiguous = order[1..].iter().any(|&i| {
                (overlaps(top, i) || acc[top].clauses & acc[i].clauses != 0)
                    && acc[top].confidence - acc[i].confidence < config.ambiguity_margin
                    && acc[i].confidence >= config.threshold
                    && priority(i) == priority(top)
            });
        }
        let scored = |i: usize| Scored {
            intent: id(i).clone(),
            score: acc[i].score,
            confidence: acc[i].confidence,
        };
        let ranked: Vec<Scored> = order.iter().map(|&i| scored(i)).collect();
        let confidence = ranked.first().map_or(0.0, |s| s.confidence);
        let intent = ranked
            .first()
            .filter(|s| s.confidence >= config.threshold)
            .map(|s| s.intent.clone());
        let also = group.iter().skip(1).map(|&p| ranked[p].clone()).collect();
        let breakdown = if explain {
            order
                .iter()
                .map(|&i| {
                    let a = &acc[i];
                    ScoreBreakdown {
                        intent: id(i).clone(),
                        best: a.best,
                        extra_words: a.extra,
                        extra_share: EXTRA_WORDS_SHARE,
                        regex: a.regex_score,
                        weight: self.intent_weight[a.k as usize],
                        excludes: a.excludes.min(MAX_EXCLUDES),
                        exclude_factor: EXCLUDE_FACTOR,
                        score: a.score,
                        score_scale: SCORE_SCALE,
                        strength: a.strength,
                        covered: a.covered,
                        request_words: a.request,
                        coverage: a.coverage,
                        score_share: SCORE_SHARE,
                        coverage_share: COVERAGE_SHARE,
                        rival: a.rival.map(|j| id(j as usize).clone()),
                        rival_score: a.rival_score,
                        rival_share: RIVAL_SHARE,
                        confidence: a.confidence,
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        Ranking {
            intent,
            confidence,
            ambiguous,
            ranked,
            also,
            contributions,
            breakdown,
        }
    }
}
