//! The compiled automata and the per-message scoring.
//!
//! Every phrase of every intent (and every exclusion and lexicon term) is
//! expanded into word sequences, split at its gaps into segments, folded to
//! ASCII and put into one aho-corasick automaton. A message is normalized
//! once, its folded tokens joined by single spaces, and the automaton finds
//! every segment occurrence in one overlapping pass. Matches that do not
//! start and end on token boundaries are dropped; the rest are checked
//! against the diacritics the customer typed (same diacritics: full score;
//! none: slightly less; different ones: no match), chained into phrases
//! across gaps, and summed per intent.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use fst::{IntoStreamer, Streamer};
use regex::RegexSet;

use super::entity::normalize_value;
use super::types::{Contribution, ContributionKind, Correction, Entity, LexiconHit, Scored};
use super::Config;
use crate::normalize::{Normalized, Normalizer, TokenKind};
use crate::rules::phrase::{Piece, ANY_GAP};
use crate::rules::{EntityIr, IntentIr, LexiconIr, PhraseIr};
use crate::Lang;

/// Who a phrase belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Owner {
    Intent(u32),
    Exclude(u32),
    Lexicon(u32),
}

#[derive(Debug)]
pub(crate) struct PhraseInfo {
    pub owner: Owner,
    pub text: Arc<str>,
    pub location: Arc<str>,
}

/// One occurrence of an automaton pattern inside a phrase variant.
#[derive(Debug)]
struct Occ {
    variant: u32,
    seg: u16,
    /// The segment's tokens with their diacritics, to compare with what the
    /// customer typed (several phrases share one folded pattern).
    exact: Box<[Box<str>]>,
}

#[derive(Debug)]
struct Variant {
    phrase: u32,
    /// Gap allowed after each segment but the last (`ANY_GAP`: unbounded).
    gaps: Box<[u8]>,
    /// Words in the variant (sum over segments).
    words: u16,
}

/// Words that carry no intent on their own: they count neither for nor
/// against coverage. Written with their diacritics; a token typed without
/// diacritics is compared folded (so "ban" typed plain is filler, "bàn" not).
const FILLER: &[&str] = &[
    // Vietnamese particles, pronouns, politeness.
    "à", "ạ", "ah", "ak", "ad", "admin", "anh", "bạn", "c", "cho", "chị", "dạ", "đi", "em", "hả",
    "hỏi", "mình", "nha", "nhé", "nhen", "nhỉ", "ơi", "rồi", "shop", "thì", "tôi", "và", "vậy",
    "với", "vâng", "là", "của", "nè", "mà", "ở", "sốp", "luôn", "giúp", "giùm", "e", "a", "mk",
    "ạk", "cái", "này", "đó", "ấy", "xin", "vui", "lòng", // English.
    "i", "me", "my", "we", "our", "you", "your", "the", "a", "an", "is", "are", "am", "was", "to",
    "of", "for", "and", "or", "it", "this", "that", "please", "pls", "plz", "hey", "can", "could",
    "would", "do", "does", "did", "be", "in", "on", "at", "so", "just", "there", "here", "with",
    "about", "some", "any", "hello", "hi",
];

/// Common words that identify a language even when no rule uses them.
const VI_WORDS: &[&str] = &[
    "toi", "em", "anh", "chi", "minh", "shop", "oi", "a", "nhe", "nha", "khong", "duoc", "cua",
    "cho", "voi", "roi", "chua", "gi", "sao", "nao", "bao", "nhieu", "dau", "hang", "don", "la",
    "co", "ko", "vay", "the", "muon", "can", "hoi", "giup", "xin", "cam", "on", "ban", "mua",
];
const EN_WORDS: &[&str] = &[
    "i", "my", "me", "you", "your", "the", "is", "are", "was", "what", "where", "when", "how",
    "why", "can", "could", "would", "please", "hi", "hello", "thanks", "thank", "order", "want",
    "need", "have", "has", "not", "do", "does", "did", "it", "this", "that", "with", "for", "of",
    "to", "and", "get", "help", "there", "yes", "no", "we", "our", "be", "am", "an", "a",
];

pub(crate) struct Engine {
    ac: Option<AhoCorasick>,
    occ: Vec<Vec<Occ>>,
    variants: Vec<Variant>,
    pub phrases: Vec<PhraseInfo>,
    regex_vi: Option<RegexSet>,
    pattern_owner: Vec<(u32, Arc<str>, Arc<str>)>,
    pub entities: Vec<EntityIr>,
    lexicons: Vec<(Arc<str>, u8)>,
    intent_ids: Vec<Arc<str>>,
    intent_weight: Vec<f32>,
    intent_priority: Vec<i32>,
    vocab: fst::Set<Vec<u8>>,
    deletions: HashSet<Box<str>>,
    /// Folded word -> bit 1 Vietnamese, bit 2 English.
    lang_words: HashMap<Box<str>, u8>,
    /// Filler words with their diacritics, and folded for undiacritized tokens.
    filler: HashSet<&'static str>,
    filler_folded: HashSet<String>,
}

/// Normalizes the words of a variant into segments of (exact, folded) tokens.
fn segments(normalizer: &Normalizer, variant: &[Piece]) -> (Vec<Vec<(String, String)>>, Vec<u8>) {
    let mut segs: Vec<Vec<(String, String)>> = vec![Vec::new()];
    let mut gaps = Vec::new();
    for p in variant {
        match p {
            Piece::Word(w) => {
                let n = normalizer.normalize(w);
                for i in 0..n.tokens().len() {
                    segs.last_mut()
                        .unwrap()
                        .push((n.token_text(i).to_string(), n.token_folded(i).to_string()));
                }
            }
            Piece::Gap(g) => {
                if !segs.last().unwrap().is_empty() {
                    segs.push(Vec::new());
                    gaps.push(*g);
                }
            }
        }
    }
    if segs.last().is_some_and(|s| s.is_empty()) {
        segs.pop();
        gaps.pop();
    }
    (segs, gaps)
}

/// Whether a folded ASCII word has the shape of a Vietnamese syllable. Such
/// words are never typo-corrected: folded syllables sit one edit apart from
/// each other (nhanh, thanh, chanh), so "correcting" them changes meaning.
pub(crate) fn is_viet_syllable(w: &str) -> bool {
    let b = w.as_bytes();
    const INITIALS: &[&str] = &[
        "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr", "b", "c", "d", "g", "h",
        "k", "l", "m", "n", "p", "r", "s", "t", "v", "x",
    ];
    const FINALS: &[&str] = &["ch", "ng", "nh", "c", "m", "n", "p", "t", ""];
    let mut rest = w;
    for i in INITIALS {
        if let Some(r) = rest.strip_prefix(i) {
            rest = r;
            break;
        }
    }
    let vowels = rest.bytes().take_while(|c| b"aeiouy".contains(c)).count();
    if vowels == 0 || vowels > 3 || b.is_empty() {
        return false;
    }
    FINALS.contains(&&rest[vowels..])
}

fn deletions(word: &str) -> impl Iterator<Item = String> + '_ {
    (0..word.len())
        .filter(|i| word.is_char_boundary(*i))
        .map(move |i| {
            let mut s = String::with_capacity(word.len());
            s.push_str(&word[..i]);
            let next = word[i..].chars().next().map_or(0, char::len_utf8);
            s.push_str(&word[i + next..]);
            s
        })
}

/// Optimal-string-alignment distance (Levenshtein plus adjacent swaps).
fn osa_distance(a: &[u8], b: &[u8]) -> usize {
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[n][m]
}

/// What one message matched, before ranking.
pub(crate) struct Outcome {
    pub ranked: Vec<Scored>,
    pub lang: Lang,
    pub entities: Vec<Entity>,
    pub lexicon_hits: Vec<LexiconHit>,
    pub corrections: Vec<Correction>,
    pub contributions: Vec<Contribution>,
    pub tokens: Vec<String>,
    pub priorities: Vec<i32>,
}

/// A phrase's best match: score, token span, segment spans, diacritic factor.
type PhraseMatch = (f32, Range<u32>, Vec<Range<u32>>, f32);

#[derive(Clone, Copy, Debug)]
struct Hit {
    variant: u32,
    seg: u16,
    start: u32,
    end: u32,
    factor: f32,
}

impl Engine {
    pub(crate) fn build(
        normalizer: &Normalizer,
        intents: &[IntentIr],
        lexicons: &[LexiconIr],
        entities: Vec<EntityIr>,
    ) -> Result<Engine, String> {
        let mut patterns: Vec<String> = Vec::new();
        let mut pattern_ids: HashMap<String, u32> = HashMap::new();
        let mut occ: Vec<Vec<Occ>> = Vec::new();
        let mut variants = Vec::new();
        let mut phrases = Vec::new();
        let mut vocab: HashSet<String> = HashSet::new();
        let mut lang_words: HashMap<Box<str>, u8> = HashMap::new();

        let mut add_phrase = |p: &PhraseIr, owner: Owner| {
            let phrase_id = phrases.len() as u32;
            phrases.push(PhraseInfo {
                owner,
                text: p.text.clone(),
                location: p.location.clone(),
            });
            let bit = match p.lang {
                Some(Lang::Vi) => 1,
                Some(Lang::En) => 2,
                None => 0,
            };
            for v in &p.variants {
                let (segs, gaps) = segments(normalizer, v);
                if segs.is_empty() {
                    continue;
                }
                let variant_id = variants.len() as u32;
                let mut words = 0;
                for (si, seg) in segs.iter().enumerate() {
                    words += seg.len();
                    let folded: Vec<&str> = seg.iter().map(|(_, f)| f.as_str()).collect();
                    for f in &folded {
                        if f.bytes().all(|b| b.is_ascii_lowercase()) && f.len() >= 3 {
                            vocab.insert(f.to_string());
                        }
                        if bit != 0 {
                            *lang_words.entry((*f).into()).or_insert(0) |= bit;
                        }
                    }
                    let key = folded.join(" ");
                    let id = *pattern_ids.entry(key.clone()).or_insert_with(|| {
                        patterns.push(key);
                        occ.push(Vec::new());
                        (patterns.len() - 1) as u32
                    });
                    occ[id as usize].push(Occ {
                        variant: variant_id,
                        seg: si as u16,
                        exact: seg.iter().map(|(e, _)| e.as_str().into()).collect(),
                    });
                }
                variants.push(Variant {
                    phrase: phrase_id,
                    gaps: gaps.into_boxed_slice(),
                    words: words as u16,
                });
            }
        };
        for (i, intent) in intents.iter().enumerate() {
            for p in &intent.phrases {
                add_phrase(p, Owner::Intent(i as u32));
            }
            for p in &intent.excludes {
                add_phrase(p, Owner::Exclude(i as u32));
            }
        }
        for (i, lex) in lexicons.iter().enumerate() {
            for p in &lex.terms {
                add_phrase(p, Owner::Lexicon(i as u32));
            }
        }
        let ac = if patterns.is_empty() {
            None
        } else {
            // The contiguous NFA: near-DFA speed for these pattern counts
            // while staying small enough to stay in cache at 3,000 intents
            // (a full DFA's table is tens of MB there and gets slower).
            Some(
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::Standard)
                    .kind(Some(AhoCorasickKind::ContiguousNFA))
                    .build(&patterns)
                    .map_err(|e| e.to_string())?,
            )
        };

        let mut pattern_owner = Vec::new();
        let mut regexes = Vec::new();
        for (i, intent) in intents.iter().enumerate() {
            for p in &intent.patterns {
                regexes.push(p.text.to_string());
                pattern_owner.push((i as u32, p.text.clone(), p.location.clone()));
            }
        }
        let regex_vi = if regexes.is_empty() {
            None
        } else {
            Some(
                regex::RegexSetBuilder::new(&regexes)
                    .size_limit(crate::rules::REGEX_SIZE_LIMIT * 8)
                    .build()
                    .map_err(|e| e.to_string())?,
            )
        };

        for w in VI_WORDS {
            *lang_words.entry((*w).into()).or_insert(0) |= 1;
        }
        for w in EN_WORDS {
            *lang_words.entry((*w).into()).or_insert(0) |= 2;
        }

        let mut sorted: Vec<String> = vocab.into_iter().collect();
        sorted.sort();
        let mut dels = HashSet::new();
        for w in &sorted {
            if w.len() >= 4 {
                for d in deletions(w) {
                    dels.insert(d.into_boxed_str());
                }
                dels.insert(w.as_str().into());
            }
        }
        let vocab = fst::Set::from_iter(sorted.iter()).map_err(|e| e.to_string())?;
        Ok(Engine {
            ac,
            occ,
            variants,
            phrases,
            regex_vi,
            pattern_owner,
            entities,
            lexicons: lexicons
                .iter()
                .map(|l| (l.name.clone(), l.severity))
                .collect(),
            intent_ids: intents.iter().map(|i| i.id.clone()).collect(),
            intent_weight: intents.iter().map(|i| i.weight).collect(),
            intent_priority: intents.iter().map(|i| i.priority).collect(),
            vocab,
            deletions: dels,
            lang_words,
            filler: FILLER.iter().copied().collect(),
            filler_folded: FILLER.iter().map(|w| crate::normalize::fold(w)).collect(),
        })
    }

    /// The closest vocabulary word to an out-of-vocabulary `word`, if one is
    /// within 1 edit (2 from 8 letters; an adjacent swap counts as 1).
    fn correct(&self, word: &str) -> Option<(String, u32)> {
        let n = word.len();
        if n < 4
            || !word.bytes().all(|b| b.is_ascii_lowercase())
            || self.vocab.contains(word)
            || is_viet_syllable(word)
        {
            return None;
        }
        // Cheap filter first: a vocabulary word within distance 2 shares a
        // one-deletion form with `word` (symmetric delete). Most unknown
        // words have none, and skip building an automaton.
        if !self.deletions.contains(word)
            && !deletions(word).any(|d| self.deletions.contains(d.as_str()))
        {
            return None;
        }
        let max = if n >= 8 { 2 } else { 1 };
        let lev = fst::automaton::Levenshtein::new(word, 2).ok()?;
        let mut stream = self.vocab.search(lev).into_stream();
        let mut best: Option<(usize, usize, String)> = None;
        while let Some(cand) = stream.next() {
            let d = osa_distance(word.as_bytes(), cand);
            if d == 0 || d > max || cand.len() < 4 {
                continue;
            }
            let key = (
                d,
                cand.len().abs_diff(n),
                String::from_utf8_lossy(cand).into_owned(),
            );
            if best.as_ref().is_none_or(|b| key < *b) {
                best = Some(key);
            }
        }
        best.map(|(d, _, w)| (w, d as u32))
    }

    pub(crate) fn run(&self, n: &Normalized, config: &Config, explain: bool) -> Outcome {
        let ntok = n.tokens().len();
        // The haystack: folded tokens, with typo corrections applied.
        let mut hay = String::with_capacity(n.folded().len() + 8);
        let mut starts: Vec<u32> = Vec::with_capacity(ntok);
        let mut ends: Vec<u32> = Vec::with_capacity(ntok);
        let mut corrected = vec![false; ntok];
        let mut corrections = Vec::new();
        for (i, tok) in n.tokens().iter().enumerate() {
            if i > 0 {
                hay.push(' ');
            }
            starts.push(hay.len() as u32);
            let folded = n.token_folded(i);
            let fixed = if config.typo_correction && tok.kind == TokenKind::Word {
                self.correct(folded)
            } else {
                None
            };
            match fixed {
                Some((w, d)) => {
                    hay.push_str(&w);
                    corrected[i] = true;
                    corrections.push(Correction {
                        from: folded.to_string(),
                        to: w,
                        distance: d,
                        span: tok.span.clone(),
                    });
                }
                None => hay.push_str(folded),
            }
            ends.push(hay.len() as u32);
        }

        // Segment occurrences on token boundaries, checked for diacritics.
        let mut hits: Vec<Hit> = Vec::new();
        if let Some(ac) = &self.ac {
            for m in ac.find_overlapping_iter(&hay) {
                let (Ok(s), Ok(e)) = (
                    starts.binary_search(&(m.start() as u32)),
                    ends.binary_search(&(m.end() as u32)),
                ) else {
                    continue;
                };
                for o in &self.occ[m.pattern().as_usize()] {
                    let mut factor = 1.0f32;
                    for (k, pat) in o.exact.iter().enumerate() {
                        let t = s + k;
                        let typed = n.token_text(t);
                        let typed_folded = n.token_folded(t);
                        if corrected[t] {
                            factor = factor.min(0.8);
                        } else if pat.is_ascii() || **pat == *typed {
                            // Exact, or the rule has no diacritics here.
                        } else if typed == typed_folded {
                            // The customer typed no diacritics.
                            factor = factor.min(0.9);
                        } else {
                            // Different diacritics: bán is not bàn.
                            factor = 0.0;
                            break;
                        }
                    }
                    if factor > 0.0 {
                        hits.push(Hit {
                            variant: o.variant,
                            seg: o.seg,
                            start: s as u32,
                            end: e as u32 + 1,
                            factor,
                        });
                    }
                }
            }
        }
        hits.sort_unstable_by_key(|h| (h.variant, h.seg, h.start));

        // Chain segments into phrase matches; keep the best per phrase.
        let nint = self.intent_ids.len();
        let mut best_phrase: HashMap<u32, PhraseMatch> = HashMap::new();
        let mut i = 0;
        while i < hits.len() {
            let v = hits[i].variant;
            let mut j = i;
            while j < hits.len() && hits[j].variant == v {
                j += 1;
            }
            let group = &hits[i..j];
            let var = &self.variants[v as usize];
            if let Some((segs, factor)) = chain(group, &var.gaps) {
                let score = var.words as f32 * factor;
                let span = segs[0].start..segs[segs.len() - 1].end;
                let entry = best_phrase.entry(var.phrase).or_insert((
                    0.0,
                    span.clone(),
                    Vec::new(),
                    factor,
                ));
                if score > entry.0 {
                    *entry = (score, span, segs, factor);
                }
            }
            i = j;
        }

        let mut score = vec![0.0f32; nint];
        let mut best = vec![0.0f32; nint];
        let mut best_len = vec![0.0f32; nint];
        let mut phrase_score = vec![0.0f32; nint];
        let mut vetoed = vec![false; nint];
        let mut covered: Vec<Vec<bool>> = Vec::new();
        let mut covered_of = vec![usize::MAX; nint];
        let mut lexicon_hits = Vec::new();
        let mut contributions = Vec::new();
        let tok_span = |r: &Range<u32>| -> Range<usize> {
            if r.start >= r.end || r.end as usize > ntok {
                return 0..0;
            }
            let a = &n.tokens()[r.start as usize].span;
            let b = &n.tokens()[r.end as usize - 1].span;
            a.start.min(b.start)..a.end.max(b.end)
        };
        let mut phrase_ids: Vec<&u32> = best_phrase.keys().collect();
        phrase_ids.sort();
        for pid in phrase_ids {
            let (s, span, segs, factor) = &best_phrase[pid];
            let info = &self.phrases[*pid as usize];
            let how = if *factor >= 1.0 {
                "exact"
            } else if *factor > 0.85 {
                "folded"
            } else {
                "corrected"
            };
            match info.owner {
                Owner::Intent(k) => {
                    let k = k as usize;
                    score[k] += s;
                    phrase_score[k] += s;
                    if *s > best[k] {
                        best[k] = *s;
                        best_len[k] = segs.iter().map(|r| (r.end - r.start) as f32).sum();
                    }
                    if covered_of[k] == usize::MAX {
                        covered_of[k] = covered.len();
                        covered.push(vec![false; ntok]);
                    }
                    for seg in segs {
                        for t in seg.start..seg.end {
                            covered[covered_of[k]][t as usize] = true;
                        }
                    }
                    if explain {
                        contributions.push(Contribution {
                            intent: self.intent_ids[k].clone(),
                            kind: ContributionKind::Phrase,
                            rule: info.text.clone(),
                            location: info.location.clone(),
                            weight: s * self.intent_weight[k],
                            how,
                            span: tok_span(span),
                        });
                    }
                }
                Owner::Exclude(k) => {
                    vetoed[k as usize] = true;
                    if explain {
                        contributions.push(Contribution {
                            intent: self.intent_ids[k as usize].clone(),
                            kind: ContributionKind::Exclude,
                            rule: info.text.clone(),
                            location: info.location.clone(),
                            weight: 0.0,
                            how,
                            span: tok_span(span),
                        });
                    }
                }
                Owner::Lexicon(k) => {
                    let (name, severity) = &self.lexicons[k as usize];
                    lexicon_hits.push(LexiconHit {
                        lexicon: name.clone(),
                        severity: *severity,
                        term: info.text.clone(),
                        span: tok_span(span),
                    });
                }
            }
        }
        lexicon_hits.sort_by_key(|h| h.span.start);

        // Regex patterns, over the normalized and the folded text.
        if let Some(set) = &self.regex_vi {
            let mut matched: Vec<usize> = set.matches(n.text()).into_iter().collect();
            matched.extend(set.matches(&hay));
            matched.sort_unstable();
            matched.dedup();
            for p in matched {
                let (k, text, loc) = &self.pattern_owner[p];
                let k = *k as usize;
                score[k] += 2.0;
                best[k] = best[k].max(2.0);
                if explain {
                    contributions.push(Contribution {
                        intent: self.intent_ids[k].clone(),
                        kind: ContributionKind::Pattern,
                        rule: text.clone(),
                        location: loc.clone(),
                        weight: 2.0 * self.intent_weight[k],
                        how: "regex",
                        span: 0..0,
                    });
                }
            }
        }

        // Language: rule vocabulary and common words, diacritics count double.
        let (mut vi, mut en) = (0u32, 0u32);
        for i in 0..ntok {
            let f = n.token_folded(i);
            if n.token_text(i) != f {
                vi += 2;
                continue;
            }
            match self.lang_words.get(f) {
                Some(1) => vi += 1,
                Some(2) => en += 1,
                _ => {}
            }
        }
        let lang = if en > vi { Lang::En } else { Lang::Vi };

        // Scores to confidences.
        let is_filler = |i: usize| {
            let (t, f) = (n.token_text(i), n.token_folded(i));
            self.filler.contains(t) || (t == f && self.filler_folded.contains(f))
        };
        let content = (0..ntok).filter(|&i| !is_filler(i)).count().max(1);
        let mut ranked = Vec::new();
        for k in 0..nint {
            if vetoed[k] || score[k] <= 0.0 {
                continue;
            }
            // The best phrase counts in full; words that further phrases
            // cover beyond it count for half (two phrases over the same
            // words add nothing).
            let (cov, extra) = if covered_of[k] == usize::MAX {
                (0.5, 0.0)
            } else {
                let c = &covered[covered_of[k]];
                let all = c.iter().filter(|&&x| x).count() as f32;
                let hit = (0..ntok).filter(|&i| c[i] && !is_filler(i)).count();
                (
                    (hit as f32 / content as f32).min(1.0),
                    (all - best_len[k]).max(0.0),
                )
            };
            let s = (best[k] + 0.5 * extra + (score[k] - phrase_score[k])) * self.intent_weight[k];
            let sat = 1.0 - (-s / 1.6).exp();
            let confidence = (0.65 * sat + 0.35 * cov).clamp(0.0, 1.0);
            ranked.push(Scored {
                intent: self.intent_ids[k].clone(),
                score: s,
                confidence,
            });
        }
        let priorities = ranked
            .iter()
            .map(|r| {
                let k = self
                    .intent_ids
                    .iter()
                    .position(|id| *id == r.intent)
                    .unwrap_or(0);
                self.intent_priority[k]
            })
            .collect();

        // Entities.
        let mut entities = Vec::new();
        for e in &self.entities {
            for caps in e.regex.captures_iter(n.clean()) {
                let Some(m) = caps
                    .name("value")
                    .or_else(|| caps.get(1))
                    .or_else(|| caps.get(0))
                else {
                    continue;
                };
                if let Some(value) = normalize_value(e.norm, m.as_str()) {
                    entities.push(Entity {
                        name: e.name.clone(),
                        value,
                        span: n.clean_to_original(m.range()),
                    });
                }
            }
        }
        entities.sort_by_key(|e| e.span.start);

        let tokens = if explain {
            hay.split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        } else {
            Vec::new()
        };
        Outcome {
            ranked,
            lang,
            entities,
            lexicon_hits,
            corrections,
            contributions,
            tokens,
            priorities,
        }
    }
}

/// Chains one variant's segment hits in order, respecting gaps. Returns the
/// segment ranges and the lowest diacritic factor, or `None`.
///
/// `group` is sorted by (segment, start), so each segment's hits are a
/// slice and the first candidate after a position is a binary search away:
/// the walk is O(hits · segments · log hits), even on adversarial input.
fn chain(group: &[Hit], gaps: &[u8]) -> Option<(Vec<Range<u32>>, f32)> {
    let nseg = gaps.len() + 1;
    let mut by_seg: Vec<&[Hit]> = Vec::with_capacity(nseg);
    let mut rest = group;
    for s in 0..nseg {
        let n = rest.partition_point(|h| (h.seg as usize) <= s);
        let (mine, after) = rest.split_at(n);
        by_seg.push(mine);
        rest = after;
    }
    let mut best: Option<(Vec<Range<u32>>, f32)> = None;
    for h0 in by_seg[0] {
        let mut segs = Vec::with_capacity(nseg);
        segs.push(h0.start..h0.end);
        let mut factor = h0.factor;
        let mut end = h0.end;
        let mut ok = true;
        for s in 1..nseg {
            let gap = gaps[s - 1];
            let hits = by_seg[s];
            let from = hits.partition_point(|h| h.start < end);
            // The earliest hit after `end`: if it is outside the gap window,
            // every later one is too; and a later start only narrows what
            // can follow.
            match hits.get(from) {
                Some(h) if gap == ANY_GAP || h.start - end <= u32::from(gap) => {
                    segs.push(h.start..h.end);
                    factor = factor.min(h.factor);
                    end = h.end;
                }
                _ => {
                    ok = false;
                    break;
                }
            }
        }
        if ok && best.as_ref().is_none_or(|b| factor > b.1) {
            let perfect = factor >= 1.0;
            best = Some((segs, factor));
            if perfect {
                break;
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syllable_shape() {
        for w in [
            "nhanh", "thanh", "nghieng", "tien", "hoan", "khong", "duoc", "quy",
        ] {
            assert!(is_viet_syllable(w), "{w}");
        }
        for w in ["order", "odrer", "trackng", "refund", "cancel", "address"] {
            assert!(!is_viet_syllable(w), "{w}");
        }
    }

    #[test]
    fn osa() {
        assert_eq!(osa_distance(b"odrer", b"order"), 1);
        assert_eq!(osa_distance(b"trackng", b"tracking"), 1);
        assert_eq!(osa_distance(b"other", b"order"), 2);
    }
}
