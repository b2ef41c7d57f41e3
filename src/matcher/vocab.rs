//! The rules' vocabulary: which folded words the rules know, which language
//! a word signals, and typo correction of the words they do not know.
//!
//! Built once from the phrase words ([`VocabBuilder`]); per message it
//! corrects unknown words ([`Vocabulary::correct_message`]) and guesses the
//! language ([`Vocabulary::guess_lang`]).

use fst::{IntoStreamer, Streamer};

use super::types::Correction;
use crate::fxhash::{FastMap, FastSet};
use crate::normalize::tables::{COMMON_EN, EN_CUES, VI_CUES};
pub(crate) use crate::normalize::tables::{LANG_EN, LANG_VI};
use crate::normalize::{Normalized, TokenKind};
use crate::Lang;

/// Shortest word typo correction considers: shorter words are too close to
/// each other (and to abbreviations) for one edit to mean a typo.
const MIN_TYPO_LEN: usize = 4;
/// From this length a word may carry two typos; below it, one.
const TWO_EDITS_LEN: usize = 8;
/// Shortest folded phrase word that goes into the vocabulary.
const MIN_VOCAB_LEN: usize = 3;

/// Collects the folded words of every phrase while the scan tables are built.
#[derive(Default)]
pub(crate) struct VocabBuilder {
    words: FastSet<String>,
    /// Folded word -> [`LANG_VI`] | [`LANG_EN`], from language-tagged phrases.
    lang_words: FastMap<Box<str>, u8>,
}

impl VocabBuilder {
    /// Adds the words of a folded pattern (space-separated) to the vocabulary.
    pub(crate) fn add_pattern(&mut self, folded: &str) {
        for f in folded.split(' ') {
            if f.bytes().all(|b| b.is_ascii_lowercase()) && f.len() >= MIN_VOCAB_LEN {
                self.words.insert(f.to_string());
            }
        }
    }

    /// Marks the words of a folded pattern as used by a phrase in `lang_bit`.
    pub(crate) fn add_lang(&mut self, folded: &str, lang_bit: u8) {
        for f in folded.split(' ') {
            *self.lang_words.entry(f.into()).or_insert(0) |= lang_bit;
        }
    }

    pub(crate) fn build(self) -> Result<Vocabulary, String> {
        let VocabBuilder {
            words,
            mut lang_words,
        } = self;
        // The built-in cue words decide over the rules' vocabulary: a
        // Vietnamese phrase may well contain "want" or "order" (concepts
        // bring their English synonyms along), but "want" is English.
        let vi: FastSet<&str> = VI_CUES.split_whitespace().collect();
        let en: FastSet<&str> = EN_CUES.split_whitespace().collect();
        for w in vi.iter().chain(en.iter()) {
            let bits =
                if vi.contains(w) { LANG_VI } else { 0 } | if en.contains(w) { LANG_EN } else { 0 };
            lang_words.insert((*w).into(), bits);
        }

        let mut sorted: Vec<String> = words.into_iter().collect();
        sorted.sort();
        let mut dels: FastMap<Box<str>, Vec<u32>> = FastMap::default();
        for (id, w) in sorted.iter().enumerate() {
            if w.len() >= MIN_TYPO_LEN {
                for d in deletions(w).chain(std::iter::once(w.clone())) {
                    let ids = dels.entry(d.into_boxed_str()).or_default();
                    if ids.last() != Some(&(id as u32)) {
                        ids.push(id as u32);
                    }
                }
            }
        }
        // English word forms: a typed "updating" or "days" finds the rule
        // word with the same Snowball stem. Only typed words that cannot be
        // Vietnamese are looked up (see `correct`), but every rule word is
        // indexed: "day" is also a folded syllable.
        let stemmer = rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English);
        let mut stems: FastMap<Box<str>, Vec<u32>> = FastMap::default();
        for (id, w) in sorted.iter().enumerate() {
            stems
                .entry(stemmer.stem(w).into())
                .or_default()
                .push(id as u32);
        }
        let words: Vec<Box<str>> = sorted.iter().map(|w| w.as_str().into()).collect();
        let fst = fst::Set::from_iter(sorted.iter()).map_err(|e| e.to_string())?;
        Ok(Vocabulary {
            fst,
            deletions: dels,
            words,
            stems,
            stemmer,
            lang_words,
            common_en: COMMON_EN.split_whitespace().collect(),
        })
    }
}

/// The folded words of the rules, indexed for typo correction, and the
/// language each word signals.
pub(crate) struct Vocabulary {
    fst: fst::Set<Vec<u8>>,
    /// Symmetric-delete index: every vocabulary word of 4+ letters and each
    /// of its one-letter deletions -> the words (indices into `words`).
    deletions: FastMap<Box<str>, Vec<u32>>,
    words: Vec<Box<str>>,
    /// Snowball stem of every vocabulary word -> the words (indices into
    /// `words`) with that stem.
    stems: FastMap<Box<str>, Vec<u32>>,
    stemmer: rust_stemmers::Stemmer,
    /// Folded word -> [`LANG_VI`] | [`LANG_EN`].
    lang_words: FastMap<Box<str>, u8>,
    /// [`COMMON_EN`] as a set: looked up for every unknown word.
    common_en: FastSet<&'static str>,
}

/// The typo corrections of one message.
#[derive(Default)]
pub(crate) struct Corrections {
    pub list: Vec<Correction>,
    /// Per token, whether it was corrected (empty when nothing was).
    corrected: Vec<bool>,
}

impl Corrections {
    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Whether token `i` was replaced by a correction.
    pub(crate) fn is_corrected(&self, i: usize) -> bool {
        self.corrected.get(i).copied().unwrap_or(false)
    }
}

impl Vocabulary {
    /// Corrects every word token of `n` that the vocabulary does not know.
    pub(crate) fn correct_message(&self, n: &Normalized) -> Corrections {
        let mut out = Corrections::default();
        for (i, tok) in n.tokens().iter().enumerate() {
            if tok.kind != TokenKind::Word {
                continue;
            }
            let folded = n.token_folded(i);
            if let Some((w, d)) = self.correct(folded) {
                out.corrected.resize(n.tokens().len(), false);
                out.corrected[i] = true;
                out.list.push(Correction {
                    from: folded.to_string(),
                    to: w,
                    distance: d,
                    span: tok.span.clone(),
                });
            }
        }
        out
    }

    /// The message's language: the normalizer's decision, refined. Typed
    /// Vietnamese diacritics settle it, as they do for the normalizer.
    /// Otherwise the cue words and the rules' vocabulary (a word the rules
    /// use only in one language's phrases) are counted on the normalized
    /// tokens; a token that gained diacritics (teencode `ko` -> không)
    /// counts double for Vietnamese.
    pub(crate) fn guess_lang(&self, n: &Normalized) -> Lang {
        if n.has_diacritics() && n.lang() == Lang::Vi {
            return Lang::Vi;
        }
        let (mut vi, mut en) = (0u32, 0u32);
        for i in 0..n.tokens().len() {
            let f = n.token_folded(i);
            if n.token_text(i) != f {
                vi += 2;
                continue;
            }
            match self.lang_words.get(f) {
                Some(&LANG_VI) => vi += 1,
                Some(&LANG_EN) => en += 1,
                _ => {}
            }
        }
        if en > vi {
            Lang::En
        } else {
            Lang::Vi
        }
    }

    /// The closest vocabulary word to an out-of-vocabulary `word`, if one is
    /// within 1 edit (2 from 8 letters; an adjacent swap counts as 1).
    pub(crate) fn correct(&self, word: &str) -> Option<(String, u32)> {
        let n = word.len();
        if n < MIN_TYPO_LEN
            || !word.bytes().all(|b| b.is_ascii_lowercase())
            || self.fst.contains(word)
        {
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
        // Another form of an English rule word ("updating", "days"): the
        // rule word with the same Snowball stem, the one sharing the longest
        // prefix with what was typed when several do. It comes before the
        // edit-distance search, which does not accept words as short as
        // "day".
        if let Some(ids) = self.stems.get(self.stemmer.stem(word).as_ref()) {
            let prefix = |w: &str| {
                w.bytes()
                    .zip(word.bytes())
                    .take_while(|(a, b)| a == b)
                    .count()
            };
            if let Some(best) = ids
                .iter()
                .map(|&id| &*self.words[id as usize])
                .max_by_key(|w| (prefix(w), std::cmp::Reverse(w.len())))
            {
                return Some((best.to_string(), 1));
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
        let max = if n >= TWO_EDITS_LEN { 2 } else { 1 };
        let mut best: Option<(usize, usize, String)> = None;
        let mut consider = |cand: &[u8]| {
            let d = osa_distance(word.as_bytes(), cand);
            if d == 0 || d > max || cand.len() < MIN_TYPO_LEN {
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
        if n < TWO_EDITS_LEN {
            for id in candidates {
                consider(self.words[id as usize].as_bytes());
            }
        } else {
            // Long words may carry two typos, which the one-deletion index
            // does not cover: search the vocabulary fst with a Levenshtein
            // automaton (built only for words that passed the index).
            let lev = fst::automaton::Levenshtein::new(word, 2).ok()?;
            let mut stream = self.fst.search(lev).into_stream();
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
}

/// `word` with one char deleted, at every position.
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

    #[test]
    fn one_language_decision() {
        use Lang::{En, Vi};
        let m = crate::pack::matcher();
        // (text, the normalizer's decision, the matcher's refinement)
        for (text, normalizer, matcher) in [
            // English cue words decide for both.
            ("cancel purchase 370795561790", En, En),
            ("where is my order", En, En),
            // No cue word: the rules' English vocabulary refines it.
            ("editing information on standard account", Vi, En),
            // Plain Vietnamese, teencode, and diacritics that settle it.
            ("don cua em dau roi", Vi, Vi),
            ("ko nhận dc hàng", Vi, Vi),
            ("I want to buy áo thun", Vi, Vi),
        ] {
            assert_eq!(m.normalizer().normalize(text).lang(), normalizer, "{text}");
            assert_eq!(m.classify(text).lang, matcher, "{text}");
        }
    }
}
