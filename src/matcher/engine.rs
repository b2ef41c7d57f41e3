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

use std::cell::RefCell;
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

use crate::fxhash::{FastMap, FastSet};

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

#[derive(Debug)]
struct Variant {
    phrase: u32,
    /// Gap allowed after each segment but the last (`ANY_GAP`: unbounded).
    gaps: Box<[u8]>,
    /// Words in the variant (sum over segments).
    words: u16,
    /// The automaton pattern of each segment.
    seg_patterns: Box<[u32]>,
    /// Each segment's tokens with their diacritics, to compare with what
    /// the customer typed (several phrases share one folded pattern).
    seg_exact: Box<[Arc<[Box<str>]>]>,
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

/// Everyday English words that are never "corrected" to a rule word one
/// edit away ("nice" is not a typo of "nick", "older" not of "order").
const COMMON_EN: &[&str] = &[
    "able",
    "about",
    "above",
    "after",
    "again",
    "also",
    "always",
    "another",
    "anyone",
    "anything",
    "around",
    "asked",
    "away",
    "back",
    "because",
    "been",
    "before",
    "being",
    "best",
    "better",
    "between",
    "both",
    "bought",
    "came",
    "come",
    "could",
    "does",
    "done",
    "down",
    "each",
    "else",
    "even",
    "ever",
    "every",
    "fine",
    "first",
    "from",
    "gave",
    "give",
    "going",
    "gone",
    "good",
    "great",
    "have",
    "having",
    "hello",
    "here",
    "home",
    "hope",
    "into",
    "just",
    "keep",
    "kind",
    "knew",
    "know",
    "last",
    "late",
    "later",
    "left",
    "less",
    "like",
    "little",
    "long",
    "look",
    "love",
    "made",
    "make",
    "many",
    "maybe",
    "mine",
    "more",
    "most",
    "much",
    "must",
    "name",
    "need",
    "never",
    "next",
    "nice",
    "none",
    "nothing",
    "once",
    "only",
    "other",
    "over",
    "part",
    "people",
    "place",
    "please",
    "quite",
    "rather",
    "read",
    "real",
    "really",
    "right",
    "said",
    "same",
    "saying",
    "seen",
    "should",
    "show",
    "since",
    "some",
    "someone",
    "something",
    "soon",
    "sorry",
    "still",
    "such",
    "sure",
    "take",
    "taken",
    "tell",
    "than",
    "thank",
    "thanks",
    "that",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "thing",
    "think",
    "this",
    "those",
    "time",
    "today",
    "told",
    "tomorrow",
    "took",
    "very",
    "want",
    "wanted",
    "week",
    "well",
    "went",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "will",
    "with",
    "without",
    "work",
    "would",
    "yeah",
    "year",
    "yesterday",
    "your",
    "older",
    "lately",
    "nicely",
    "their",
    "though",
    "through",
    "until",
    "upon",
    "using",
    "whole",
    "whose",
    "within",
    "wonder",
    "worse",
    "worst",
    "wrong",
    "wrote",
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
    /// Pattern -> the variants anchored on it. A variant is anchored on its
    /// rarest segment only: a message full of common words ("đơn", "em")
    /// then wakes only the variants whose rarest segment it also holds, and
    /// the cost of a message follows what it matches, not the rule count.
    anchored: Vec<Vec<u32>>,
    variants: Vec<Variant>,
    pub phrases: Vec<PhraseInfo>,
    /// Every intent's `patterns`, folded, run over the folded message.
    patterns: Option<RegexSet>,
    pattern_owner: Vec<(u32, Arc<str>, Arc<str>)>,
    pub entities: Vec<EntityIr>,
    lexicons: Vec<(Arc<str>, u8)>,
    intent_ids: Vec<Arc<str>>,
    intent_weight: Vec<f32>,
    intent_priority: Vec<i32>,
    vocab: fst::Set<Vec<u8>>,
    /// Symmetric-delete index: every vocabulary word of 4+ letters and each
    /// of its one-letter deletions -> the words (indices into `words`).
    deletions: FastMap<Box<str>, Vec<u32>>,
    words: Vec<Box<str>>,
    /// Folded word -> bit 1 Vietnamese, bit 2 English.
    lang_words: FastMap<Box<str>, u8>,
    /// Filler words with their diacritics, and folded for undiacritized tokens.
    filler: FastSet<&'static str>,
    /// `COMMON_EN` as a set: looked up for every unknown word.
    common_en: FastSet<&'static str>,
    filler_folded: FastSet<String>,
}

/// A gap-free run of words, normalized once and shared by every variant
/// that contains it.
struct StoredSeg {
    /// The tokens with their diacritics.
    exact: Arc<[Box<str>]>,
    /// The folded tokens joined by spaces: the automaton pattern.
    folded: String,
}

/// Splits a variant at its gaps into runs of words, each normalized as one
/// text in the phrase's language, as a message in that language would be
/// (so the English "a refund" keeps its "a", which Vietnamese teencode reads
/// as anh). Alternatives and concepts repeat the same runs across a phrase's
/// variants, so each distinct run is normalized once and stored; the
/// variant gets indices into `store`.
fn segments(
    normalizer: &Normalizer,
    memo: &mut FastMap<String, u32>,
    store: &mut Vec<StoredSeg>,
    words: &mut FastMap<String, u32>,
    word_store: &mut Vec<Vec<(Box<str>, String)>>,
    variant: &[Piece],
    lang: Option<Lang>,
) -> (Vec<u32>, Vec<u8>) {
    let mut segs: Vec<u32> = Vec::new();
    let mut gaps = Vec::new();
    let mut run = String::new();
    let mut flush = |run: &mut String, segs: &mut Vec<u32>| {
        if run.is_empty() {
            return false;
        }
        // Looked up by &str first: a run seen before costs no allocation.
        let id = match memo.get(run.as_str()) {
            Some(&id) => {
                run.clear();
                id
            }
            None => {
                let text = std::mem::take(run);
                store.push(normalize_run(normalizer, words, word_store, &text, lang));
                let id = (store.len() - 1) as u32;
                memo.insert(text, id);
                id
            }
        };
        if store[id as usize].exact.is_empty() {
            return false;
        }
        segs.push(id);
        true
    };
    for p in variant {
        match p {
            Piece::Word(w) => {
                if !run.is_empty() {
                    run.push(' ');
                }
                run.push_str(w);
            }
            Piece::Gap(g) => {
                if flush(&mut run, &mut segs) {
                    gaps.push(*g);
                }
            }
        }
    }
    if !flush(&mut run, &mut segs) && !gaps.is_empty() && gaps.len() >= segs.len() {
        gaps.pop();
    }
    (segs, gaps)
}

/// Normalizes one run of words. With the language fixed, every
/// normalization step works on single tokens, so each distinct word is
/// normalized once and runs are assembled from the words (a big rule set
/// has tens of thousands of runs but only hundreds of words). Without a
/// language the run is normalized whole, as its language guess may depend
/// on all its words.
fn normalize_run(
    normalizer: &Normalizer,
    words: &mut FastMap<String, u32>,
    word_store: &mut Vec<Vec<(Box<str>, String)>>,
    text: &str,
    lang: Option<Lang>,
) -> StoredSeg {
    if lang.is_none() {
        let n = normalizer.normalize_as(text, lang);
        return StoredSeg {
            exact: (0..n.tokens().len())
                .map(|i| n.token_text(i).into())
                .collect(),
            folded: n.folded().to_string(),
        };
    }
    let mut exact: Vec<Box<str>> = Vec::new();
    let mut folded = String::new();
    for w in text.split(' ') {
        let id = match words.get(w) {
            Some(&id) => id,
            None => {
                let n = normalizer.normalize_as(w, lang);
                word_store.push(
                    (0..n.tokens().len())
                        .map(|i| (n.token_text(i).into(), n.token_folded(i).to_string()))
                        .collect(),
                );
                let id = (word_store.len() - 1) as u32;
                words.insert(w.to_string(), id);
                id
            }
        };
        for (e, f) in &word_store[id as usize] {
            exact.push(e.clone());
            if !folded.is_empty() {
                folded.push(' ');
            }
            folded.push_str(f);
        }
    }
    StoredSeg {
        exact: exact.into(),
        folded,
    }
}

/// A regex with its letters folded like the text it runs on (`hóa đơn` ->
/// `hoa don`). Only non-ASCII chars change: ASCII is regex syntax (`\D` must
/// stay `\D`), and it is already folded.
pub(crate) fn fold_pattern(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut buf = [0u8; 4];
    for c in pattern.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            out.push_str(&crate::normalize::fold(c.encode_utf8(&mut buf)));
        }
    }
    out
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

/// Per-message working buffers, kept per thread and reused so that a
/// classification does not allocate them afresh (allocation was a fifth of
/// the time of a short message). They hold nothing between messages.
#[derive(Default)]
pub(crate) struct Scratch {
    starts: Vec<u32>,
    ends: Vec<u32>,
    found: Vec<(u32, u32, u32)>,
    woken: Vec<u32>,
    matches: Vec<(u32, PhraseMatch)>,
    hits: Vec<Hit>,
    arena: Vec<Range<u32>>,
    scratch: Vec<Range<u32>>,
    best_segs: Vec<Range<u32>>,
    acc: Vec<Acc>,
    marks: Vec<u8>,
}

impl Scratch {
    /// A hostile message must not leave megabytes behind in every thread.
    fn trim(&mut self) {
        const KEEP: usize = 1 << 12;
        if self.found.capacity() > KEEP
            || self.woken.capacity() > KEEP
            || self.hits.capacity() > KEEP
        {
            *self = Scratch::default();
        }
    }
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

/// A phrase's best match: score, token span, its segments (a range of the
/// per-message segment buffer), diacritic factor.
type PhraseMatch = (f32, Range<u32>, Range<u32>, f32);

#[derive(Clone, Copy, Debug)]
struct Hit {
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
        let mut pattern_ids: FastMap<String, u32> = FastMap::default();
        let mut uses: Vec<u32> = Vec::new();
        let mut variants = Vec::new();
        let mut phrases = Vec::new();
        let mut vocab: FastSet<String> = FastSet::default();
        let mut lang_words: FastMap<Box<str>, u8> = FastMap::default();

        // Per language (any, vi, en): a run normalizes differently in each.
        let mut memo: [FastMap<String, u32>; 3] = Default::default();
        let mut store: Vec<StoredSeg> = Vec::new();
        let mut word_memo: [FastMap<String, u32>; 3] = Default::default();
        let mut word_store = Vec::new();
        let mut canonical: Vec<u32> = Vec::new();
        let mut canon_map: FastMap<Arc<[Box<str>]>, u32> = FastMap::default();
        // Stored segment -> automaton pattern, and whether its words are in
        // the vocabulary tables yet (per language bit).
        let mut seg_pattern: Vec<Option<u32>> = Vec::new();
        let mut seg_langs: Vec<u8> = Vec::new();
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
            // Spellings that normalize alike ("hủy|huỷ", "đh|đơn hàng") give
            // identical variants: keep one of each.
            let mut seen: FastSet<(Vec<u32>, Vec<u8>)> = FastSet::default();
            for v in &p.variants {
                let li = match p.lang {
                    None => 0,
                    Some(Lang::Vi) => 1,
                    Some(Lang::En) => 2,
                };
                let (segs, gaps) = segments(
                    normalizer,
                    &mut memo[li],
                    &mut store,
                    &mut word_memo[li],
                    &mut word_store,
                    v,
                    p.lang,
                );
                if segs.is_empty() {
                    continue;
                }
                // Stored segments with the same tokens share a canonical id.
                while canonical.len() < store.len() {
                    let i = canonical.len();
                    let c = *canon_map.entry(store[i].exact.clone()).or_insert(i as u32);
                    canonical.push(c);
                }
                let key = (
                    segs.iter()
                        .map(|&sid| canonical[sid as usize])
                        .collect::<Vec<u32>>(),
                    gaps.clone(),
                );
                if !seen.insert(key) {
                    continue;
                }
                seg_pattern.resize(store.len(), None);
                seg_langs.resize(store.len(), 0);
                let mut words = 0;
                let mut seg_patterns = Vec::with_capacity(segs.len());
                for &sid in &segs {
                    let seg = &store[sid as usize];
                    words += seg.exact.len();
                    let id = match seg_pattern[sid as usize] {
                        Some(id) => id,
                        None => {
                            for f in seg.folded.split(' ') {
                                if f.bytes().all(|b| b.is_ascii_lowercase()) && f.len() >= 3 {
                                    vocab.insert(f.to_string());
                                }
                            }
                            let id = *pattern_ids.entry(seg.folded.clone()).or_insert_with(|| {
                                patterns.push(seg.folded.clone());
                                uses.push(0u32);
                                (patterns.len() - 1) as u32
                            });
                            seg_pattern[sid as usize] = Some(id);
                            id
                        }
                    };
                    if bit != 0 && seg_langs[sid as usize] & bit == 0 {
                        seg_langs[sid as usize] |= bit;
                        for f in seg.folded.split(' ') {
                            *lang_words.entry(f.into()).or_insert(0) |= bit;
                        }
                    }
                    uses[id as usize] += 1;
                    seg_patterns.push(id);
                }
                variants.push(Variant {
                    phrase: phrase_id,
                    gaps: gaps.into_boxed_slice(),
                    words: words as u16,
                    seg_patterns: seg_patterns.into_boxed_slice(),
                    seg_exact: segs
                        .iter()
                        .map(|&sid| store[sid as usize].exact.clone())
                        .collect(),
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
        // Anchor each variant on its least used segment pattern.
        let mut anchored: Vec<Vec<u32>> = vec![Vec::new(); patterns.len()];
        for (vid, v) in variants.iter().enumerate() {
            if let Some(&anchor) = v
                .seg_patterns
                .iter()
                .min_by_key(|&&p| (uses[p as usize], p))
            {
                anchored[anchor as usize].push(vid as u32);
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
                    // Rule words start with nearly every letter, so a
                    // prefilter skips nothing in a short message; without
                    // it the scan is a little faster and the build too.
                    .prefilter(false)
                    .build(&patterns)
                    .map_err(|e| e.to_string())?,
            )
        };

        let mut pattern_owner = Vec::new();
        let mut regexes = Vec::new();
        for (i, intent) in intents.iter().enumerate() {
            for p in &intent.patterns {
                regexes.push(fold_pattern(&p.text));
                pattern_owner.push((i as u32, p.text.clone(), p.location.clone()));
            }
        }
        let patterns_set = if regexes.is_empty() {
            None
        } else {
            Some(
                regex::RegexSetBuilder::new(&regexes)
                    .size_limit(crate::rules::REGEX_SIZE_LIMIT * 8)
                    .build()
                    .map_err(|e| e.to_string())?,
            )
        };

        // The built-in function words decide over the rules' vocabulary: a
        // Vietnamese phrase may well contain "want" or "order" (concepts
        // bring their English synonyms along), but "want" is English.
        for w in VI_WORDS.iter().chain(EN_WORDS) {
            let bits = u8::from(VI_WORDS.contains(w)) | (u8::from(EN_WORDS.contains(w)) << 1);
            lang_words.insert((*w).into(), bits);
        }

        let mut sorted: Vec<String> = vocab.into_iter().collect();
        sorted.sort();
        let mut dels: FastMap<Box<str>, Vec<u32>> = FastMap::default();
        for (id, w) in sorted.iter().enumerate() {
            if w.len() >= 4 {
                for d in deletions(w).chain(std::iter::once(w.clone())) {
                    let ids = dels.entry(d.into_boxed_str()).or_default();
                    if ids.last() != Some(&(id as u32)) {
                        ids.push(id as u32);
                    }
                }
            }
        }
        let words: Vec<Box<str>> = sorted.iter().map(|w| w.as_str().into()).collect();
        let vocab = fst::Set::from_iter(sorted.iter()).map_err(|e| e.to_string())?;
        Ok(Engine {
            ac,
            anchored,
            variants,
            phrases,
            patterns: patterns_set,
            pattern_owner,
            entities,
            lexicons: lexicons
                .iter()
                .map(|l| (l.name.clone(), l.severity))
                .collect(),
            intent_ids: intents.iter().map(|i| i.info.id.clone()).collect(),
            intent_weight: intents.iter().map(|i| i.info.weight).collect(),
            intent_priority: intents.iter().map(|i| i.info.priority).collect(),
            vocab,
            deletions: dels,
            words,
            lang_words,
            filler: FILLER.iter().copied().collect(),
            common_en: COMMON_EN.iter().copied().collect(),
            filler_folded: FILLER.iter().map(|w| crate::normalize::fold(w)).collect(),
        })
    }

    /// The closest vocabulary word to an out-of-vocabulary `word`, if one is
    /// within 1 edit (2 from 8 letters; an adjacent swap counts as 1).
    fn correct(&self, word: &str) -> Option<(String, u32)> {
        let n = word.len();
        if n < 4 || !word.bytes().all(|b| b.is_ascii_lowercase()) || self.vocab.contains(word) {
            return None;
        }
        if self.lang_words.contains_key(word)
            || self.common_en.contains(word)
            // Folded Vietnamese syllables sit one edit apart (nhanh, thanh,
            // chanh): "correcting" one changes its meaning.
            || crate::normalize::is_syllable(word)
        {
            return None;
        }
        // An English plural of a rule word ("days", "fees"): the singular.
        // No folded Vietnamese syllable ends in "s", so this touches English
        // only; it comes before the edit-distance search, which does not
        // accept stems as short as "day".
        if let Some(stem) = word.strip_suffix('s') {
            if stem.len() >= 3 && !stem.ends_with('s') && self.vocab.contains(stem) {
                return Some((stem.to_string(), 1));
            }
        }
        // Symmetric delete: a vocabulary word one edit away (an adjacent
        // swap included) shares `word` or one of its one-letter deletions
        // in the index. Most unknown words share nothing and cost n+1
        // hash lookups.
        let mut candidates: Vec<u32> = Vec::new();
        let mut buf = String::with_capacity(n);
        for i in 0..=n {
            buf.clear();
            if i == n {
                buf.push_str(word);
            } else {
                buf.push_str(&word[..i]);
                buf.push_str(&word[i + 1..]);
            }
            if let Some(ids) = self.deletions.get(buf.as_str()) {
                candidates.extend_from_slice(ids);
            }
        }
        if candidates.is_empty() {
            return None;
        }
        let mut best: Option<(usize, usize, String)> = None;
        let mut consider = |cand: &[u8]| {
            let d = osa_distance(word.as_bytes(), cand);
            let max = if n >= 8 { 2 } else { 1 };
            if d == 0 || d > max || cand.len() < 4 {
                return;
            }
            let Ok(cand) = std::str::from_utf8(cand) else {
                return;
            };
            let key = (d, cand.len().abs_diff(n));
            if best
                .as_ref()
                .is_none_or(|b| (key.0, key.1, cand) < (b.0, b.1, b.2.as_str()))
            {
                best = Some((key.0, key.1, cand.to_string()));
            }
        };
        if n < 8 {
            for id in candidates {
                consider(self.words[id as usize].as_bytes());
            }
        } else {
            // Long words may carry two typos, which the one-deletion index
            // does not cover: search the vocabulary fst with a Levenshtein
            // automaton (built only for words that passed the index).
            let lev = fst::automaton::Levenshtein::new(word, 2).ok()?;
            let mut stream = self.vocab.search(lev).into_stream();
            let mut found = Vec::new();
            while let Some(cand) = stream.next() {
                found.push(cand.to_vec());
            }
            for cand in &found {
                consider(cand);
            }
        }
        best.map(|(d, _, w)| (w, d as u32))
    }

    pub(crate) fn run(&self, n: &Normalized, config: &Config, explain: bool) -> Outcome {
        thread_local! {
            static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
        }
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut sc) => {
                let out = self.run_with(n, config, explain, &mut sc);
                sc.trim();
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
        let Scratch {
            starts,
            ends,
            found,
            woken,
            matches,
            hits,
            arena,
            scratch,
            best_segs,
            acc,
            marks,
        } = sc;
        starts.clear();
        ends.clear();
        found.clear();
        woken.clear();
        matches.clear();
        hits.clear();
        arena.clear();
        acc.clear();
        let ntok = n.tokens().len();
        // Typo corrections first: they are rare, and without any the
        // normalizer's folded text is the haystack as it is.
        let mut corrections = Vec::new();
        let mut corrected: Vec<bool> = Vec::new();
        if config.typo_correction {
            for (i, tok) in n.tokens().iter().enumerate() {
                if tok.kind != TokenKind::Word {
                    continue;
                }
                let folded = n.token_folded(i);
                if let Some((w, d)) = self.correct(folded) {
                    corrected.resize(ntok, false);
                    corrected[i] = true;
                    corrections.push(Correction {
                        from: folded.to_string(),
                        to: w,
                        distance: d,
                        span: tok.span.clone(),
                    });
                }
            }
        }
        let is_corrected = |i: usize| corrected.get(i).copied().unwrap_or(false);
        let owned_hay;
        let hay: &str = if corrections.is_empty() {
            let t = n.tokens();
            starts.extend(t.iter().map(|t| t.folded.start as u32));
            ends.extend(t.iter().map(|t| t.folded.end as u32));
            n.folded()
        } else {
            let mut hay = String::with_capacity(n.folded().len() + 8);
            let mut fixes = corrections.iter();
            for i in 0..ntok {
                if i > 0 {
                    hay.push(' ');
                }
                starts.push(hay.len() as u32);
                if is_corrected(i) {
                    hay.push_str(fixes.next().map_or("", |c| c.to.as_str()));
                } else {
                    hay.push_str(n.token_folded(i));
                }
                ends.push(hay.len() as u32);
            }
            owned_hay = hay;
            owned_hay.as_str()
        };

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

        // Pattern occurrences on token boundaries, sorted by pattern.
        if let Some(ac) = &self.ac {
            for m in ac.find_overlapping_iter(hay) {
                if let (Ok(s), Ok(e)) = (
                    starts.binary_search(&(m.start() as u32)),
                    ends.binary_search(&(m.end() as u32)),
                ) {
                    found.push((m.pattern().as_u32(), s as u32, e as u32 + 1));
                }
            }
        }
        found.sort_unstable();
        let occurrences = |pattern: u32| -> &[(u32, u32, u32)] {
            let from = found.partition_point(|f| f.0 < pattern);
            let to = found.partition_point(|f| f.0 <= pattern);
            &found[from..to]
        };
        // How well the typed words agree with a segment's diacritics.
        let factor = |exact: &[Box<str>], s: u32| -> f32 {
            let mut factor = 1.0f32;
            for (k, pat) in exact.iter().enumerate() {
                let t = s as usize + k;
                let typed = n.token_text(t);
                if is_corrected(t) {
                    factor = factor.min(0.8);
                } else if pat.is_ascii() || **pat == *typed {
                    // Exact, or the rule has no diacritics here.
                } else if typed == n.token_folded(t) && lang == Lang::Vi {
                    // The customer typed no diacritics. (In an English
                    // message a plain "can" is English, not cần.)
                    factor = factor.min(0.9);
                } else {
                    // Different diacritics: bán is not bàn.
                    return 0.0;
                }
            }
            factor
        };

        // Wake the variants anchored on a pattern that occurred, gather the
        // occurrences of their other segments, and chain them across gaps.
        let mut i = 0;
        while i < found.len() {
            let p = found[i].0;
            while i < found.len() && found[i].0 == p {
                i += 1;
            }
            woken.extend_from_slice(&self.anchored[p as usize]);
        }
        // Variants of one phrase have consecutive ids: sorted, a phrase's
        // variants are contiguous and its best match is kept in one place.
        woken.sort_unstable();
        for &v in woken.iter() {
            let var = &self.variants[v as usize];
            hits.clear();
            let mut complete = true;
            for (seg, (&pat, exact)) in var
                .seg_patterns
                .iter()
                .zip(var.seg_exact.iter())
                .enumerate()
            {
                let before = hits.len();
                for &(_, start, end) in occurrences(pat) {
                    let f = factor(exact, start);
                    if f > 0.0 {
                        hits.push(Hit {
                            seg: seg as u16,
                            start,
                            end,
                            factor: f,
                        });
                    }
                }
                if hits.len() == before {
                    complete = false;
                    break;
                }
            }
            if !complete {
                continue;
            }
            if let Some(factor) = chain(hits, &var.gaps, scratch, best_segs) {
                let score = f32::from(var.words) * factor;
                let span = best_segs[0].start..best_segs[best_segs.len() - 1].end;
                let better = match matches.last() {
                    Some((p, m)) if *p == var.phrase => score > m.0,
                    _ => true,
                };
                if better {
                    let segs = arena.len() as u32..(arena.len() + best_segs.len()) as u32;
                    arena.extend_from_slice(best_segs);
                    let m = (score, span, segs, factor);
                    match matches.last_mut() {
                        Some((p, old)) if *p == var.phrase => *old = m,
                        _ => matches.push((var.phrase, m)),
                    }
                }
            }
        }

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
        for (pid, (s, span, segs, factor)) in matches.iter() {
            let info = &self.phrases[*pid as usize];
            let how = if *factor >= 1.0 {
                "exact"
            } else if *factor > 0.85 {
                "folded"
            } else {
                "corrected"
            };
            let kind = match info.owner {
                Owner::Intent(k) => {
                    let a = slot_of(k, acc);
                    a.phrase_score += s;
                    if *s > a.best {
                        a.best = *s;
                        a.best_len = arena[segs.start as usize..segs.end as usize]
                            .iter()
                            .map(|r| (r.end - r.start) as f32)
                            .sum();
                    }
                    a.matched = true;
                    Some((
                        k,
                        ContributionKind::Phrase,
                        s * self.intent_weight[k as usize],
                    ))
                }
                Owner::Exclude(k) => {
                    slot_of(k, acc).vetoed = true;
                    Some((k, ContributionKind::Exclude, 0.0))
                }
                Owner::Lexicon(k) => {
                    let (name, severity) = &self.lexicons[k as usize];
                    lexicon_hits.push(LexiconHit {
                        lexicon: name.clone(),
                        severity: *severity,
                        term: info.text.clone(),
                        span: tok_span(span),
                    });
                    None
                }
            };
            if let (true, Some((k, kind, weight))) = (explain, kind) {
                contributions.push(Contribution {
                    intent: self.intent_ids[k as usize].clone(),
                    kind,
                    rule: info.text.clone(),
                    location: info.location.clone(),
                    weight,
                    how,
                    span: tok_span(span),
                });
            }
        }
        lexicon_hits.sort_by_key(|h| h.span.start);

        // Regex patterns, over the normalized and the folded text.
        // Patterns run once, over the folded text: it is ASCII, so the
        // regex engine stays on its DFA even for Unicode `\b`, and folded
        // patterns match text typed with or without diacritics.
        if let Some(set) = &self.patterns {
            let matched: Vec<usize> = set.matches(hay).into_iter().collect();
            for p in matched {
                let (k, text, loc) = &self.pattern_owner[p];
                let a = slot_of(*k, acc);
                a.regex_score += 2.0;
                if explain {
                    contributions.push(Contribution {
                        intent: self.intent_ids[*k as usize].clone(),
                        kind: ContributionKind::Pattern,
                        rule: text.clone(),
                        location: loc.clone(),
                        weight: 2.0 * self.intent_weight[*k as usize],
                        how: "regex",
                        span: 0..0,
                    });
                }
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
        for a in acc.iter() {
            if a.vetoed || a.phrase_score + a.regex_score <= 0.0 {
                continue;
            }
            // The best phrase counts in full; words that further phrases
            // cover beyond it count for half (two phrases over the same
            // words add nothing); each regex adds 2.
            marks.iter_mut().for_each(|m| *m &= 1);
            for (pid, (_, _, segs, _)) in matches.iter() {
                if self.phrases[*pid as usize].owner != Owner::Intent(a.k) {
                    continue;
                }
                for r in &arena[segs.start as usize..segs.end as usize] {
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
                0.5
            };
            let extra = (all - a.best_len).max(0.0);
            let k = a.k as usize;
            let s = (a.best + 0.5 * extra + a.regex_score) * self.intent_weight[k];
            let sat = 1.0 - (-s / 1.6).exp();
            let confidence = (0.65 * sat + 0.35 * cov).clamp(0.0, 1.0);
            ranked.push(Scored {
                intent: self.intent_ids[k].clone(),
                score: s,
                confidence,
            });
        }
        let priorities = acc
            .iter()
            .filter(|a| !a.vetoed && a.phrase_score + a.regex_score > 0.0)
            .map(|a| self.intent_priority[a.k as usize])
            .collect();

        // Entities.
        let mut entities = Vec::new();
        for e in &self.entities {
            // `is_match` runs on the lazy DFA; captures need the slower
            // engines, so only messages that have the entity pay for them.
            if !e.regex.is_match(n.clean()) {
                continue;
            }
            for caps in e.regex.captures_iter(n.clean()) {
                // The group named `value`, else the first group that took
                // part (alternatives can each capture their own), else all.
                let Some(m) = caps
                    .name("value")
                    .or_else(|| caps.iter().skip(1).flatten().next())
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

/// Chains one variant's segment hits in order, respecting gaps. On success
/// the segment ranges are in `best` and the lowest diacritic factor is
/// returned. `scratch` and `best` are the caller's, reused across calls.
///
/// `group` is sorted by (segment, start), so each segment's hits are a
/// slice and the first candidate after a position is a binary search away:
/// the walk is O(hits · segments · log hits), even on adversarial input.
fn chain(
    group: &[Hit],
    gaps: &[u8],
    scratch: &mut Vec<Range<u32>>,
    best: &mut Vec<Range<u32>>,
) -> Option<f32> {
    let nseg = gaps.len() + 1;
    let seg_hits = |s: usize| -> &[Hit] {
        let from = group.partition_point(|h| (h.seg as usize) < s);
        let to = group.partition_point(|h| (h.seg as usize) <= s);
        &group[from..to]
    };
    let mut best_factor: Option<f32> = None;
    for h0 in seg_hits(0) {
        scratch.clear();
        scratch.push(h0.start..h0.end);
        let mut factor = h0.factor;
        let mut end = h0.end;
        let mut ok = true;
        for s in 1..nseg {
            let gap = gaps[s - 1];
            let hits = seg_hits(s);
            let from = hits.partition_point(|h| h.start < end);
            // The earliest hit after `end`: if it is outside the gap window,
            // every later one is too; and a later start only narrows what
            // can follow.
            match hits.get(from) {
                Some(h) if gap == ANY_GAP || h.start - end <= u32::from(gap) => {
                    scratch.push(h.start..h.end);
                    factor = factor.min(h.factor);
                    end = h.end;
                }
                _ => {
                    ok = false;
                    break;
                }
            }
        }
        if ok && best_factor.is_none_or(|b| factor > b) {
            best.clear();
            best.extend_from_slice(scratch);
            best_factor = Some(factor);
            if factor >= 1.0 {
                break;
            }
        }
    }
    best_factor
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syllable_shape() {
        for w in [
            "nhanh", "thanh", "nghieng", "tien", "hoan", "khong", "duoc", "quy",
        ] {
            assert!(crate::normalize::is_syllable(w), "{w}");
        }
        for w in ["order", "odrer", "trackng", "refund", "cancel", "address"] {
            assert!(!crate::normalize::is_syllable(w), "{w}");
        }
    }

    #[test]
    fn osa() {
        assert_eq!(osa_distance(b"odrer", b"order"), 1);
        assert_eq!(osa_distance(b"trackng", b"tracking"), 1);
        assert_eq!(osa_distance(b"other", b"order"), 2);
    }
}
