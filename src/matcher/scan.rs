//! Scan and chain: from a normalized message to the evidence it holds.
//!
//! Every phrase of every intent (and every exclusion and lexicon term) is
//! expanded into word sequences, split at its gaps into segments, folded to
//! ASCII and put into one aho-corasick automaton. A message's folded tokens,
//! joined by single spaces, are scanned once with overlapping matches.
//! Matches that do not start and end on token boundaries are dropped; the
//! rest are checked against the diacritics the customer typed (same
//! diacritics: full factor; none: slightly less; different ones: no match)
//! and chained into phrases across gaps. What comes out is [`Evidence`]:
//! each phrase's best match with its token spans, and the regex patterns
//! that matched. Scoring (`score.rs`) turns evidence into ranked intents.

use std::ops::Range;
use std::sync::Arc;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::RegexSet;

use super::types::HowMatched;
use super::vocab::{Corrections, VocabBuilder, LANG_EN, LANG_VI};
use crate::fxhash::{FastMap, FastSet};
use crate::normalize::{Normalized, Normalizer};
use crate::rules::phrase::{Piece, ANY_GAP};
use crate::rules::{IntentIr, LexiconIr, PhraseIr};
use crate::Lang;

/// Diacritic factor of a word typed with the rule's own diacritics (or of a
/// rule word that has none).
pub(crate) const FACTOR_EXACT: f32 = 1.0;
/// Diacritic factor of a Vietnamese word typed without diacritics: most
/// customers type that way, so it must match, yet a phrase typed exactly
/// should win a tie against one that only matches folded.
pub(crate) const FACTOR_FOLDED: f32 = 0.9;
/// Diacritic factor of a word that only matches after typo correction: less
/// sure than a folded word, since the correction may be wrong.
pub(crate) const FACTOR_CORRECTED: f32 = 0.8;

/// How a phrase matched, from its lowest diacritic factor, for
/// explanations: `exact`, `folded` or `corrected`.
pub(crate) fn how(factor: f32) -> HowMatched {
    if factor >= FACTOR_EXACT {
        HowMatched::Exact
    } else if factor > (FACTOR_FOLDED + FACTOR_CORRECTED) / 2.0 {
        HowMatched::Folded
    } else {
        HowMatched::Corrected
    }
}

/// Who a phrase belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Owner {
    Intent(u32),
    Exclude(u32),
    /// A `veto` phrase of the intent: removes the intent's phrase matches
    /// it overlaps or closely precedes (see `score.rs`).
    Veto(u32),
    /// Part `part` of concept set `set` (sets numbered over all intents, in
    /// rule order; see `score.rs`).
    SetPart {
        set: u32,
        part: u16,
    },
    /// A supporting phrase of concept set `set`.
    SetSupport(u32),
    Lexicon(u32),
}

/// A phrase as written, for lints and explanations.
#[derive(Debug)]
pub(crate) struct PhraseInfo {
    pub owner: Owner,
    pub text: Arc<str>,
    pub location: crate::rules::RulePlace,
}

/// A regex pattern of an intent, as written.
#[derive(Debug)]
pub(crate) struct PatternInfo {
    pub intent: u32,
    pub text: Arc<str>,
    pub location: crate::rules::RulePlace,
}

/// From this many automaton patterns, the automaton is built on a thread
/// of its own (a few milliseconds of work and up).
const PARALLEL_BUILD_PATTERNS: usize = 2_000;

/// The automaton of the segment patterns (`None` without any).
fn build_automaton(patterns: &[String]) -> Result<Option<AhoCorasick>, String> {
    if patterns.is_empty() {
        return Ok(None);
    }
    // The contiguous NFA: near-DFA speed for these pattern counts while
    // staying small enough to stay in cache at 3,000 intents (a full DFA's
    // table is tens of MB there and gets slower).
    AhoCorasickBuilder::new()
        .match_kind(MatchKind::Standard)
        .kind(Some(AhoCorasickKind::ContiguousNFA))
        // Rule words start with nearly every letter, so a prefilter skips
        // nothing in a short message; without it the scan is a little
        // faster and the build too.
        .prefilter(false)
        .build(patterns)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// One expansion of a phrase: a sequence of gap-separated segments, whose
/// data live in the scanner's flat per-segment arrays.
#[derive(Clone, Copy, Debug)]
struct Variant {
    phrase: u32,
    /// The variant's rank in phrase order (a phrase's variants are
    /// consecutive): the chained variants are sorted by it.
    ord: u32,
    /// Its first segment in [`Scanner::seg_pattern`] and the arrays beside it.
    seg: u32,
    /// Number of segments.
    nseg: u16,
    /// [`pattern_bit`] of each segment's pattern, or'ed: a variant with a
    /// bit the message's patterns lack cannot match, and is passed over
    /// without looking its segments up.
    sig: u32,
    /// Words in the variant (sum over segments).
    words: u16,
}

/// A word id of a rule form that any typed word folding to it satisfies
/// (the rule word has no diacritics).
const ANY_WORD: u32 = u32::MAX;
/// The word id of a typed word that no rule writes with diacritics.
const NO_WORD: u32 = u32::MAX - 1;
/// No token (no token boundary at an offset; an empty slot).
const NO_TOKEN: u32 = u32::MAX;

/// Pattern `p`'s bit in a variant's signature ([`Variant::sig`]).
fn pattern_bit(p: u32) -> u32 {
    1 << (p.wrapping_mul(0x9E37_79B9) >> 27)
}

/// The home slot of pattern `p` in a table of `mask + 1` slots.
fn occ_slot(p: u32, mask: usize) -> usize {
    (p.wrapping_mul(0x9E37_79B9) >> 7) as usize & mask
}

/// A phrase's best match in one message.
#[derive(Clone, Debug)]
pub(crate) struct PhraseHit {
    /// Index into [`Scanner::phrases`].
    pub phrase: u32,
    pub owner: Owner,
    /// Words matched times the lowest diacritic factor.
    pub score: f32,
    /// Tokens from the first matched word to the last.
    pub span: Range<u32>,
    /// The token range of each matched segment: a range of
    /// [`Evidence::segments`]. Gaps between segments are not covered.
    pub segs: Range<u32>,
    /// The lowest diacritic factor over the matched words.
    pub factor: f32,
}

/// Everything the scan found in one message: what scoring works from.
///
/// Invariants: `hits` holds at most one hit per phrase, in phrase order;
/// every range in `segments` is a non-empty token range of `n`.
pub(crate) struct Evidence<'a> {
    /// The normalized message (tokens, for coverage).
    pub n: &'a Normalized,
    /// The folded text that was scanned: the folded tokens, corrections
    /// applied, joined by single spaces.
    pub hay: &'a str,
    /// Each matching phrase's best match.
    pub hits: &'a [PhraseHit],
    /// Token ranges of the matched segments, referenced by the hits.
    pub segments: &'a [Range<u32>],
    /// Indices into `pattern_info` of the regex patterns that matched.
    pub patterns: &'a [u32],
    /// The tokens that follow clause punctuation ([`CLAUSE_PUNCT`]), in
    /// order: where the message's clauses start, after the first.
    pub clauses: &'a [u32],
    /// Every phrase, indexed by [`PhraseHit::phrase`].
    pub phrase_info: &'a [PhraseInfo],
    /// Every regex pattern.
    pub pattern_info: &'a [PatternInfo],
}

impl Evidence<'_> {
    /// The token ranges a hit's segments cover.
    pub(crate) fn segments_of(&self, hit: &PhraseHit) -> &[Range<u32>] {
        &self.segments[hit.segs.start as usize..hit.segs.end as usize]
    }

    /// A token range as a byte range of the original message.
    pub(crate) fn span(&self, r: &Range<u32>) -> Range<usize> {
        token_span(self.n, r)
    }
}

/// The token range `r` as a byte range of the original message.
pub(crate) fn token_span(n: &Normalized, r: &Range<u32>) -> Range<usize> {
    if r.start >= r.end || r.end as usize > n.tokens().len() {
        return 0..0;
    }
    let a = &n.tokens()[r.start as usize].span;
    let b = &n.tokens()[r.end as usize - 1].span;
    a.start.min(b.start)..a.end.max(b.end)
}

/// The automaton, the phrase variants anchored on its patterns, and the
/// regex patterns.
///
/// Flat: every variant is one small record, its segments' pattern, gap and
/// diacritic form sit in arrays indexed from it, and words are compared by
/// id. Variants are stored grouped by anchor, so the variants a pattern
/// wakes are one contiguous run of memory.
pub(crate) struct Scanner {
    ac: Option<AhoCorasick>,
    /// Pattern `p` wakes the variants `anchored_at[p]..anchored_at[p + 1]`.
    /// A variant is anchored on its rarest segment only: a message full of
    /// common words ("đơn", "em") then wakes only the variants whose rarest
    /// segment it also holds, and the cost of a message follows what it
    /// matches, not the rule count.
    anchored_at: Vec<u32>,
    variants: Vec<Variant>,
    /// Per variant segment: its automaton pattern.
    seg_pattern: Vec<u32>,
    /// Per variant segment: the gap allowed after it (`ANY_GAP`: unbounded;
    /// unused after a variant's last segment).
    seg_gap: Vec<u8>,
    /// Per variant segment: its diacritic form, the words as the rule writes
    /// them (several phrases share one folded pattern).
    seg_form: Vec<u32>,
    /// Form `f` is the word ids `form_words[form_at[f]..form_at[f + 1]]`.
    form_at: Vec<u32>,
    /// Word ids of the forms: [`ANY_WORD`] for a word without diacritics.
    form_words: Vec<u32>,
    /// Every rule word with diacritics -> its id.
    word_ids: FastMap<Box<str>, u32>,
    pub phrases: Vec<PhraseInfo>,
    /// Every intent's `patterns`, folded, run over the folded message.
    regexes: Option<RegexSet>,
    pub patterns: Vec<PatternInfo>,
}

/// Per-message buffers of the scan, reused from one message to the next.
#[derive(Default)]
pub(crate) struct ScanScratch {
    starts: Vec<u32>,
    ends: Vec<u32>,
    /// By byte offset of the haystack: the token starting (ending) there.
    tok_start: Vec<u32>,
    tok_end: Vec<u32>,
    hay: String,
    found: Vec<(u32, u32, u32)>,
    /// Pattern -> its range of `found` (an open hash table).
    occ: Vec<(u32, u32, u32)>,
    /// Per token: the id of its text among the rule words with diacritics.
    tok_word: Vec<u32>,
    /// Per token: whether it was typed without diacritics.
    tok_plain: Vec<bool>,
    hits: Vec<PhraseHit>,
    /// The variants that chained, with their match, before each phrase's
    /// best is picked.
    chained: Vec<(u32, PhraseHit)>,
    seg_hits: Vec<SegHit>,
    segments: Vec<Range<u32>>,
    chain: Vec<Range<u32>>,
    best_chain: Vec<Range<u32>>,
    patterns: Vec<u32>,
    /// Tokens that start a new sentence (sorted): a gap of a phrase does
    /// not reach across one.
    breaks: Vec<u32>,
    /// Tokens that start a new clause (sorted; sentences included).
    clauses: Vec<u32>,
}

impl ScanScratch {
    /// Whether a hostile message left buffers big enough to drop.
    pub(crate) fn is_bloated(&self) -> bool {
        const KEEP: usize = 1 << 12;
        self.found.capacity() > KEEP
            || self.tok_start.capacity() > KEEP
            || self.occ.capacity() > KEEP
            || self.tok_word.capacity() > KEEP
            || self.seg_hits.capacity() > KEEP
            || self.chained.capacity() > KEEP
    }
}

/// One occurrence of a variant's segment.
#[derive(Clone, Copy, Debug)]
struct SegHit {
    seg: u16,
    start: u32,
    end: u32,
    factor: f32,
}

/// A gap-free run of words, normalized once and shared by every variant
/// that contains it.
struct StoredSeg {
    /// The tokens with their diacritics, as ids of [`Words`].
    exact: Box<[u32]>,
    /// The folded tokens joined by spaces: the automaton pattern.
    folded: String,
}

impl Scanner {
    /// Expands, normalizes and indexes every phrase; collects the phrase
    /// words into `vocab`.
    pub(crate) fn build(
        normalizer: &Normalizer,
        intents: &[IntentIr],
        lexicons: &[LexiconIr],
        vocab: &mut VocabBuilder,
    ) -> Result<Scanner, String> {
        let mut patterns: Vec<String> = Vec::new();
        let mut pattern_ids: FastMap<String, u32> = FastMap::default();
        let mut uses: Vec<u32> = Vec::new();
        let mut phrases = Vec::new();
        // The variants in phrase order, their segments as (stored segment,
        // pattern, gap after it).
        let mut variants: Vec<Variant> = Vec::new();
        let mut var_segs: Vec<(u32, u32, u8)> = Vec::new();

        // Per language (any, vi, en): a run normalizes differently in each.
        let mut memo: [FastMap<String, u32>; 3] = Default::default();
        let mut store: Vec<StoredSeg> = Vec::new();
        let mut words = Words::default();
        let mut canonical: Vec<u32> = Vec::new();
        let mut canon_map: FastMap<Box<[u32]>, u32> = FastMap::default();
        // Stored segment -> automaton pattern; per pattern, whether its words
        // are in the vocabulary's language table yet (per language bit).
        let mut seg_pattern: Vec<Option<u32>> = Vec::new();
        let mut pattern_langs: Vec<u8> = Vec::new();
        let mut seen: FastSet<(Vec<u32>, Vec<u8>)> = FastSet::default();
        let mut add_phrase = |p: &PhraseIr, owner: Owner| {
            let phrase_id = phrases.len() as u32;
            phrases.push(PhraseInfo {
                owner,
                text: p.text.clone(),
                location: p.location.clone(),
            });
            let (bit, li) = match p.lang {
                None => (0, 0),
                Some(Lang::Vi) => (LANG_VI, 1),
                Some(Lang::En) => (LANG_EN, 2),
            };
            // Spellings that normalize alike ("hủy|huỷ", "đh|đơn hàng") give
            // identical variants: keep one of each.
            seen.clear();
            for v in &p.variants {
                let (segs, gaps) = segments(
                    normalizer,
                    &mut memo[li],
                    &mut store,
                    &mut words,
                    li,
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
                    gaps,
                );
                if seen.contains(&key) {
                    continue;
                }
                seg_pattern.resize(store.len(), None);
                let mut nwords = 0;
                let first = var_segs.len() as u32;
                for (k, &sid) in segs.iter().enumerate() {
                    nwords += store[sid as usize].exact.len();
                    let id = match seg_pattern[sid as usize] {
                        Some(id) => id,
                        None => {
                            // The folded text is only needed as a pattern.
                            let folded = std::mem::take(&mut store[sid as usize].folded);
                            let id = match pattern_ids.get(folded.as_str()) {
                                Some(&id) => id,
                                None => {
                                    let id = patterns.len() as u32;
                                    vocab.add_pattern(&folded);
                                    pattern_ids.insert(folded.clone(), id);
                                    patterns.push(folded);
                                    uses.push(0u32);
                                    pattern_langs.push(0u8);
                                    id
                                }
                            };
                            seg_pattern[sid as usize] = Some(id);
                            id
                        }
                    };
                    if bit != 0 && pattern_langs[id as usize] & bit == 0 {
                        pattern_langs[id as usize] |= bit;
                        vocab.add_lang(&patterns[id as usize], bit);
                    }
                    uses[id as usize] += 1;
                    let gap = key.1.get(k).copied().unwrap_or(0);
                    var_segs.push((canonical[sid as usize], id, gap));
                }
                seen.insert(key);
                variants.push(Variant {
                    phrase: phrase_id,
                    ord: variants.len() as u32,
                    seg: first,
                    nseg: segs.len() as u16,
                    sig: 0,
                    words: nwords as u16,
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
            for p in &intent.vetoes {
                add_phrase(p, Owner::Veto(i as u32));
            }
        }
        // Concept sets: each part and support phrase is a phrase of its own
        // in the one automaton; scoring assembles the sets.
        let mut set = 0u32;
        for intent in intents {
            for s in &intent.sets {
                for (part, p) in s.parts.iter().enumerate() {
                    add_phrase(
                        p,
                        Owner::SetPart {
                            set,
                            part: part as u16,
                        },
                    );
                }
                for p in &s.support {
                    add_phrase(p, Owner::SetSupport(set));
                }
                set += 1;
            }
        }
        for (i, lex) in lexicons.iter().enumerate() {
            for p in &lex.terms {
                add_phrase(p, Owner::Lexicon(i as u32));
            }
        }
        drop(pattern_ids);
        // The automaton is the longest single step of a big rule set: it is
        // built on a second thread while this one lays the variants out and
        // compiles the regexes.
        std::thread::scope(|scope| {
            // Where no thread can be started, it is built here instead.
            let ac_job = (patterns.len() >= PARALLEL_BUILD_PATTERNS)
                .then(|| {
                    std::thread::Builder::new()
                        .name("firstline-automaton".into())
                        .spawn_scoped(scope, || build_automaton(&patterns))
                        .ok()
                })
                .flatten();
            // Anchor each variant on its least used segment pattern, and lay the
            // variants out grouped by anchor (in phrase order within a group).
            let anchor_of = |v: &Variant| -> u32 {
                let segs = &var_segs[v.seg as usize..v.seg as usize + usize::from(v.nseg)];
                segs.iter()
                    .map(|s| s.1)
                    .min_by_key(|&p| (uses[p as usize], p))
                    .unwrap_or(0)
            };
            let mut anchors: Vec<(u32, u32)> =
                variants.iter().map(|v| (anchor_of(v), v.ord)).collect();
            anchors.sort_unstable();
            let mut anchored_at = vec![0u32; patterns.len() + 1];
            for &(a, _) in &anchors {
                anchored_at[a as usize + 1] += 1;
            }
            for p in 0..patterns.len() {
                anchored_at[p + 1] += anchored_at[p];
            }
            // Forms: the canonical stored segments the variants use, as word ids.
            let mut form_of: FastMap<u32, u32> = FastMap::default();
            let mut form_at: Vec<u32> = vec![0];
            let mut form_words: Vec<u32> = Vec::new();
            let mut word_ids: FastMap<Box<str>, u32> = FastMap::default();
            let mut laid = Vec::with_capacity(variants.len());
            let mut f_pattern = Vec::with_capacity(var_segs.len());
            let mut f_gap = Vec::with_capacity(var_segs.len());
            let mut f_form = Vec::with_capacity(var_segs.len());
            for &(_, ord) in &anchors {
                let v = variants[ord as usize];
                let from = v.seg as usize;
                let sig = var_segs[from..from + usize::from(v.nseg)]
                    .iter()
                    .fold(0, |sig, s| sig | pattern_bit(s.1));
                laid.push(Variant {
                    seg: f_pattern.len() as u32,
                    sig,
                    ..v
                });
                for &(canon, pat, gap) in &var_segs[from..from + usize::from(v.nseg)] {
                    let form = *form_of.entry(canon).or_insert_with(|| {
                        for &w in store[canon as usize].exact.iter() {
                            let text = &words.list[w as usize];
                            form_words.push(if text.is_ascii() {
                                ANY_WORD
                            } else {
                                let next = word_ids.len() as u32;
                                *word_ids.entry(text.clone()).or_insert(next)
                            });
                        }
                        form_at.push(form_words.len() as u32);
                        (form_at.len() - 2) as u32
                    });
                    f_pattern.push(pat);
                    f_gap.push(gap);
                    f_form.push(form);
                }
            }
            drop(store);
            let mut pattern_info = Vec::new();
            let mut regexes = Vec::new();
            for (i, intent) in intents.iter().enumerate() {
                for p in &intent.patterns {
                    regexes.push(fold_pattern(&p.text));
                    pattern_info.push(PatternInfo {
                        intent: i as u32,
                        text: p.text.clone(),
                        location: p.location.clone(),
                    });
                }
            }
            let regexes = if regexes.is_empty() {
                None
            } else {
                Some(
                    regex::RegexSetBuilder::new(&regexes)
                        .size_limit(crate::rules::REGEX_SIZE_LIMIT * 8)
                        .build()
                        .map_err(|e| e.to_string())?,
                )
            };
            let ac = match ac_job {
                Some(job) => job
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e))?,
                None => build_automaton(&patterns)?,
            };
            Ok(Scanner {
                ac,
                anchored_at,
                variants: laid,
                seg_pattern: f_pattern,
                seg_gap: f_gap,
                seg_form: f_form,
                form_at,
                form_words,
                word_ids,
                phrases,
                regexes,
                patterns: pattern_info,
            })
        })
    }

    /// Scans `n` (with `corrections` applied) and returns its evidence,
    /// held in `sc`. `lang` decides whether a plain word may stand for a
    /// word with diacritics.
    pub(crate) fn scan<'a>(
        &'a self,
        n: &'a Normalized,
        corrections: &Corrections,
        lang: Lang,
        sc: &'a mut ScanScratch,
    ) -> Evidence<'a> {
        let ScanScratch {
            starts,
            ends,
            tok_start,
            tok_end,
            hay,
            found,
            occ,
            tok_word,
            tok_plain,
            hits,
            chained,
            seg_hits,
            segments,
            chain: chain_buf,
            best_chain,
            patterns,
            breaks,
            clauses,
        } = sc;
        starts.clear();
        ends.clear();
        hay.clear();
        found.clear();
        tok_word.clear();
        tok_plain.clear();
        hits.clear();
        chained.clear();
        seg_hits.clear();
        segments.clear();
        patterns.clear();
        let hay = haystack(n, corrections, starts, ends, hay);
        clause_breaks(n, clauses, breaks);

        // Pattern occurrences on token boundaries, sorted by pattern.
        if let Some(ac) = &self.ac {
            // Token boundaries by byte offset, so that each match is checked
            // in O(1). Only when every token is non-empty (always but for
            // hostile input): then no two tokens start, or end, at one
            // offset.
            let direct = starts.iter().zip(ends.iter()).all(|(s, e)| s < e);
            if direct {
                tok_start.clear();
                tok_end.clear();
                tok_start.resize(hay.len() + 1, NO_TOKEN);
                tok_end.resize(hay.len() + 1, NO_TOKEN);
                for (i, (&s, &e)) in starts.iter().zip(ends.iter()).enumerate() {
                    tok_start[s as usize] = i as u32;
                    tok_end[e as usize] = i as u32;
                }
            }
            for m in ac.find_overlapping_iter(hay) {
                let (s, e) = if direct {
                    (tok_start[m.start()], tok_end[m.end()])
                } else {
                    (
                        starts
                            .binary_search(&(m.start() as u32))
                            .map_or(NO_TOKEN, |i| i as u32),
                        ends.binary_search(&(m.end() as u32))
                            .map_or(NO_TOKEN, |i| i as u32),
                    )
                };
                if s != NO_TOKEN && e != NO_TOKEN {
                    found.push((m.pattern().as_u32(), s, e + 1));
                }
            }
        }
        if !found.is_empty() {
            // Each typed word by id, for the diacritics check: only words
            // with diacritics need a look-up.
            for i in 0..n.tokens().len() {
                let text = n.token_text(i);
                tok_word.push(if text.is_ascii() {
                    NO_WORD
                } else {
                    self.word_ids.get(text).copied().unwrap_or(NO_WORD)
                });
                tok_plain.push(text == n.token_folded(i));
            }
        }
        found.sort_unstable();
        // Where each pattern's occurrences are in `found`: a small open
        // hash table, so that the many segments that did not occur are
        // turned down with one probe.
        let mut distinct: usize = 0;
        let mut message_sig = 0u32;
        for (i, f) in found.iter().enumerate() {
            if i == 0 || found[i - 1].0 != f.0 {
                distinct += 1;
                message_sig |= pattern_bit(f.0);
            }
        }
        let mask = (distinct * 2).next_power_of_two().max(16) - 1;
        occ.clear();
        occ.resize(mask + 1, (NO_TOKEN, 0, 0));
        let mut i = 0;
        while i < found.len() {
            let p = found[i].0;
            let from = i;
            while i < found.len() && found[i].0 == p {
                i += 1;
            }
            let mut slot = occ_slot(p, mask);
            while occ[slot].0 != NO_TOKEN {
                slot = (slot + 1) & mask;
            }
            occ[slot] = (p, from as u32, i as u32);
        }
        let occ = &*occ;
        let occurrences = |pattern: u32| -> &[(u32, u32, u32)] {
            let mut slot = occ_slot(pattern, mask);
            loop {
                let (p, from, to) = occ[slot];
                if p == pattern {
                    return &found[from as usize..to as usize];
                }
                if p == NO_TOKEN {
                    return &[];
                }
                slot = (slot + 1) & mask;
            }
        };
        let (tok_word, tok_plain) = (&*tok_word, &*tok_plain);
        // How well the typed words agree with a segment's diacritics.
        let factor = |form: u32, s: u32| -> f32 {
            let form = form as usize;
            let ws = &self.form_words[self.form_at[form] as usize..self.form_at[form + 1] as usize];
            let mut factor = FACTOR_EXACT;
            for (k, &w) in ws.iter().enumerate() {
                let t = s as usize + k;
                if corrections.is_corrected(t) {
                    factor = factor.min(FACTOR_CORRECTED);
                } else if w == ANY_WORD || tok_word.get(t) == Some(&w) {
                    // Exact, or the rule has no diacritics here.
                } else if tok_plain.get(t).copied().unwrap_or(true) && lang == Lang::Vi {
                    // The customer typed no diacritics. (In an English
                    // message a plain "can" is English, not cần.)
                    factor = factor.min(FACTOR_FOLDED);
                } else {
                    // Different diacritics: bán is not bàn.
                    return 0.0;
                }
            }
            factor
        };

        // Wake the variants anchored on a pattern that occurred, gather the
        // occurrences of their other segments, and chain them across gaps.
        // Most woken variants do not chain; only those that do are sorted
        // (by their rank in phrase order, so that a phrase's variants are
        // contiguous and its best match is the first of the highest score).
        let mut i = 0;
        while i < found.len() {
            let p = found[i].0;
            while i < found.len() && found[i].0 == p {
                i += 1;
            }
            let woken =
                self.anchored_at[p as usize] as usize..self.anchored_at[p as usize + 1] as usize;
            for var in &self.variants[woken] {
                if var.sig & !message_sig != 0 {
                    continue;
                }
                let segs = var.seg as usize..var.seg as usize + usize::from(var.nseg);
                seg_hits.clear();
                let mut complete = true;
                for (seg, (&pat, &form)) in self.seg_pattern[segs.clone()]
                    .iter()
                    .zip(&self.seg_form[segs.clone()])
                    .enumerate()
                {
                    let before = seg_hits.len();
                    for &(_, start, end) in occurrences(pat) {
                        let f = factor(form, start);
                        if f > 0.0 {
                            seg_hits.push(SegHit {
                                seg: seg as u16,
                                start,
                                end,
                                factor: f,
                            });
                        }
                    }
                    if seg_hits.len() == before {
                        complete = false;
                        break;
                    }
                }
                if !complete {
                    continue;
                }
                let gaps = &self.seg_gap[segs.start..segs.end - 1];
                if let Some(factor) = chain(seg_hits, gaps, breaks, chain_buf, best_chain) {
                    let hit = PhraseHit {
                        phrase: var.phrase,
                        owner: self.phrases[var.phrase as usize].owner,
                        score: f32::from(var.words) * factor,
                        span: best_chain[0].start..best_chain[best_chain.len() - 1].end,
                        segs: segments.len() as u32..(segments.len() + best_chain.len()) as u32,
                        factor,
                    };
                    segments.extend_from_slice(best_chain);
                    chained.push((var.ord, hit));
                }
            }
        }
        chained.sort_unstable_by_key(|c| c.0);
        for (_, hit) in chained.drain(..) {
            match hits.last_mut() {
                Some(h) if h.phrase == hit.phrase => {
                    if hit.score > h.score {
                        *h = hit;
                    }
                }
                _ => hits.push(hit),
            }
        }

        // Regex patterns run once, over the folded text: it is ASCII, so the
        // regex engine stays on its DFA even for Unicode `\b`, and folded
        // patterns match text typed with or without diacritics.
        if let Some(set) = &self.regexes {
            patterns.extend(set.matches(hay).into_iter().map(|p| p as u32));
        }

        Evidence {
            n,
            hay,
            hits,
            segments,
            patterns,
            clauses,
            phrase_info: &self.phrases,
            pattern_info: &self.patterns,
        }
    }
}

/// The folded text to scan: the normalizer's folded text, with corrected
/// words replaced (written into `owned` only then). Fills `starts`/`ends`
/// with each token's byte range in it.
fn haystack<'h>(
    n: &'h Normalized,
    corrections: &Corrections,
    starts: &mut Vec<u32>,
    ends: &mut Vec<u32>,
    owned: &'h mut String,
) -> &'h str {
    if corrections.is_empty() {
        let t = n.tokens();
        starts.extend(t.iter().map(|t| t.folded.start as u32));
        ends.extend(t.iter().map(|t| t.folded.end as u32));
        return n.folded();
    }
    let mut fixes = corrections.list.iter();
    for i in 0..n.tokens().len() {
        if i > 0 {
            owned.push(' ');
        }
        starts.push(owned.len() as u32);
        if corrections.is_corrected(i) {
            owned.push_str(fixes.next().map_or("", |c| c.to.as_str()));
        } else {
            owned.push_str(n.token_folded(i));
        }
        ends.push(owned.len() as u32);
    }
    owned.as_str()
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
    words: &mut Words,
    li: usize,
    variant: &[Piece],
    lang: Option<Lang>,
) -> (Vec<u32>, Vec<u8>) {
    let mut segs: Vec<u32> = Vec::with_capacity(4);
    let mut gaps = Vec::with_capacity(4);
    let mut run = String::with_capacity(32);
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
                store.push(normalize_run(normalizer, words, li, &text, lang));
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
    interned: &mut Words,
    li: usize,
    text: &str,
    lang: Option<Lang>,
) -> StoredSeg {
    if lang.is_none() {
        let n = normalizer.normalize_as(text, lang);
        return StoredSeg {
            exact: (0..n.tokens().len())
                .map(|i| interned.id(n.token_text(i)))
                .collect(),
            folded: n.folded().to_string(),
        };
    }
    let mut exact: Vec<u32> = Vec::with_capacity(8);
    let mut folded = String::with_capacity(text.len());
    for w in text.split(' ') {
        let id = match interned.memo[li].get(w) {
            Some(&id) => id,
            None => {
                let n = normalizer.normalize_as(w, lang);
                let tokens = (0..n.tokens().len())
                    .map(|i| (interned.id(n.token_text(i)), n.token_folded(i).to_string()))
                    .collect();
                interned.normalized.push(tokens);
                let id = (interned.normalized.len() - 1) as u32;
                interned.memo[li].insert(w.to_string(), id);
                id
            }
        };
        for (e, f) in &interned.normalized[id as usize] {
            exact.push(*e);
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

/// The rule words while building: each distinct word as written,
/// normalized once per language (any, vi, en), and the normalized words
/// (with diacritics) interned.
#[derive(Default)]
struct Words {
    /// Per language: a word as written -> its entry in `normalized`.
    memo: [FastMap<String, u32>; 3],
    /// The tokens a written word normalizes to: (interned id, folded).
    normalized: Vec<Vec<(u32, String)>>,
    ids: FastMap<Box<str>, u32>,
    list: Vec<Box<str>>,
}

impl Words {
    fn id(&mut self, w: &str) -> u32 {
        if let Some(&id) = self.ids.get(w) {
            return id;
        }
        let id = self.list.len() as u32;
        self.list.push(w.into());
        self.ids.insert(w.into(), id);
        id
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

/// Chains one variant's segment hits in order, respecting gaps. On success
/// the segment ranges are in `best` and the lowest diacritic factor is
/// returned. `scratch` and `best` are the caller's, reused across calls.
///
/// `group` is sorted by (segment, start), so each segment's hits are a
/// slice and the first candidate after a position is a binary search away:
/// the walk is O(hits · segments · log hits), even on adversarial input.
fn chain(
    group: &[SegHit],
    gaps: &[u8],
    breaks: &[u32],
    scratch: &mut Vec<Range<u32>>,
    best: &mut Vec<Range<u32>>,
) -> Option<f32> {
    let nseg = gaps.len() + 1;
    let seg_hits = |s: usize| -> &[SegHit] {
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
                Some(h)
                    if (gap == ANY_GAP || h.start - end <= u32::from(gap))
                        && !crosses(breaks, end, h.start) =>
                {
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
            if factor >= FACTOR_EXACT {
                break;
            }
        }
    }
    best_factor
}

/// Punctuation between two tokens that ends a clause: a request and its
/// neighbours ("hi, how are you", "hủy đơn giúp em. À mà phí ship bao
/// nhiêu") are scored apart.
pub(crate) const CLAUSE_PUNCT: &[char] = &[',', '.', ';', ':', '!', '?', '\n', '…', '(', ')'];

/// The clause punctuation that ends a sentence: the gap of a phrase does
/// not reach across it, so in "Phí ship bao nhiêu? Shop có nhận COD
/// không" the shipping phrase "ship ** không" does not join two questions.
/// Commas are not here: "what happens if I cancel, do I pay a fee?" is one
/// request, and measured on the development sets a comma barrier lost more
/// such messages than it gained.
const SENTENCE_PUNCT: &[char] = &['.', ';', '!', '?', '\n', '…'];

/// The tokens of `n` that follow clause punctuation, and those that follow
/// sentence punctuation, in order.
fn clause_breaks(n: &Normalized, clauses: &mut Vec<u32>, sentences: &mut Vec<u32>) {
    clauses.clear();
    sentences.clear();
    let (tokens, original) = (n.tokens(), n.original());
    for i in 1..tokens.len() {
        let (a, b) = (tokens[i - 1].span.end, tokens[i].span.start);
        let Some(gap) = original.get(a..b).filter(|g| g.contains(CLAUSE_PUNCT)) else {
            continue;
        };
        clauses.push(i as u32);
        if gap.contains(SENTENCE_PUNCT) {
            sentences.push(i as u32);
        }
    }
}

/// Whether a gap from token `end` (the first token after a segment) to
/// token `next` (the first of the next segment) crosses a sentence break.
fn crosses(breaks: &[u32], end: u32, next: u32) -> bool {
    let i = breaks.partition_point(|&b| b < end);
    breaks.get(i).is_some_and(|&b| b <= next)
}
