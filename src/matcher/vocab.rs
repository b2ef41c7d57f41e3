//! The rules' vocabulary: which folded words the rules know, which language
//! a word signals, and typo correction of the words they do not know.
//!
//! Built once from the phrase words ([`VocabBuilder`]); per message it
//! corrects unknown words ([`Vocabulary::correct_message`]) and guesses the
//! language ([`Vocabulary::guess_lang`]).

use super::types::Correction;
use super::typo::{levenshtein_within, TypoIndex};
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
            if f.bytes().all(|b| b.is_ascii_lowercase())
                && f.len() >= MIN_VOCAB_LEN
                && !self.words.contains(f)
            {
                self.words.insert(f.to_string());
            }
        }
    }

    /// Marks the words of a folded pattern as used by a phrase in `lang_bit`.
    pub(crate) fn add_lang(&mut self, folded: &str, lang_bit: u8) {
        for f in folded.split(' ') {
            match self.lang_words.get_mut(f) {
                Some(bits) => *bits |= lang_bit,
                None => {
                    self.lang_words.insert(f.into(), lang_bit);
                }
            }
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
        for w in VI_CUES.split_whitespace().chain(EN_CUES.split_whitespace()) {
            lang_words.insert(w.into(), crate::normalize::tables::lang_cue(w));
        }

        let mut sorted: Vec<String> = words.into_iter().collect();
        sorted.sort();
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
        Ok(Vocabulary {
            typos: TypoIndex::build(&words, MIN_TYPO_LEN, TWO_EDITS_LEN - 2),
            known: words.iter().cloned().collect(),
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
    /// Every word, sorted.
    words: Vec<Box<str>>,
    /// The same words, hashed: a message's every word is looked up, so the
    /// cost must not grow with the rules.
    known: FastSet<Box<str>>,
    /// Symmetric-delete index of `words` for typo correction: one deletion
    /// from 4 letters, two from 6 (a typed word of 8+ letters may carry two
    /// typos and is then within two edits of a word of 6+).
    typos: TypoIndex,
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
            || self.known.contains(word)
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
        self.nearest(word)
    }

    /// The vocabulary word nearest to `word` by edits: within 1 (an
    /// adjacent swap counts as 1), within 2 from 8 letters.
    fn nearest(&self, word: &str) -> Option<(String, u32)> {
        let n = word.len();
        // Symmetric delete (see typo.rs): the vocabulary words within one
        // edit (an adjacent swap included) share a variant with `word` when
        // one letter at most is deleted from each; words of 8+ letters may
        // carry two typos, and are looked up with two deletions, but only
        // when some word is within reach of one (most unknown words share
        // nothing with the vocabulary and stop here).
        let max = if n >= TWO_EDITS_LEN { 2 } else { 1 };
        let mut found = Vec::new();
        self.typos.lookup(word, max, &self.words, &mut found);
        if !found
            .iter()
            .any(|f| f.typed_deletions <= 1 && f.word_deletions <= 1)
        {
            return None;
        }
        let mut best: Option<(usize, usize, &str)> = None;
        for f in &found {
            let cand = &*self.words[f.word as usize];
            // One edit: the optimal-string-alignment distance (a swap is
            // one edit). Two: within Levenshtein distance 2, ranked by the
            // same distance.
            if max == 2 && levenshtein_within(word.as_bytes(), cand.as_bytes(), 2).is_none() {
                continue;
            }
            let d = osa_distance(word.as_bytes(), cand.as_bytes());
            if d == 0 || d > max || cand.len() < MIN_TYPO_LEN {
                continue;
            }
            let key = (d, cand.len().abs_diff(n), cand);
            if best.is_none_or(|b| key < b) {
                best = Some(key);
            }
        }
        best.map(|(d, _, w)| (w.to_string(), d as u32))
    }
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

    /// The corrections as they were made before the typo index: a
    /// one-deletion map decided whether any word was near, and words of 8+
    /// letters were then searched with a Levenshtein automaton of distance
    /// 2 over the whole vocabulary. Here by brute force over the vocabulary.
    fn nearest_reference(v: &Vocabulary, word: &str) -> Option<(String, u32)> {
        fn variants(w: &str) -> Vec<String> {
            let mut out = vec![w.to_string()];
            for i in 0..w.len() {
                out.push(format!("{}{}", &w[..i], &w[i + 1..]));
            }
            out
        }
        fn levenshtein(a: &[u8], b: &[u8]) -> usize {
            let mut prev: Vec<usize> = (0..=b.len()).collect();
            for i in 1..=a.len() {
                let mut cur = vec![i; b.len() + 1];
                for j in 1..=b.len() {
                    let cost = usize::from(a[i - 1] != b[j - 1]);
                    cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
                }
                prev = cur;
            }
            prev[b.len()]
        }
        let n = word.len();
        let typed = variants(word);
        let near_one =
            |w: &str| w.len().abs_diff(n) <= 1 && variants(w).iter().any(|x| typed.contains(x));
        let indexed = || {
            v.words
                .iter()
                .map(|w| &**w)
                .filter(|w| w.len() >= MIN_TYPO_LEN)
        };
        if !indexed().any(near_one) {
            return None;
        }
        let candidates: Vec<&str> = if n < TWO_EDITS_LEN {
            indexed().filter(|w| near_one(w)).collect()
        } else {
            v.words
                .iter()
                .map(|w| &**w)
                .filter(|w| w.len().abs_diff(n) <= 2)
                .filter(|w| levenshtein(word.as_bytes(), w.as_bytes()) <= 2)
                .collect()
        };
        let max = if n >= TWO_EDITS_LEN { 2 } else { 1 };
        let mut best: Option<(usize, usize, &str)> = None;
        for cand in candidates {
            let d = osa_distance(word.as_bytes(), cand.as_bytes());
            if d == 0 || d > max || cand.len() < MIN_TYPO_LEN {
                continue;
            }
            let key = (d, cand.len().abs_diff(n), cand);
            if best.is_none_or(|b| key < b) {
                best = Some(key);
            }
        }
        best.map(|(d, _, w)| (w.to_string(), d as u32))
    }

    /// The typo index makes the same corrections as before it, on every
    /// unknown word of the benchmark corpus (real traffic, both languages)
    /// and on one- and two-edit misspellings of the pack's own words.
    #[test]
    fn typo_index_makes_the_same_corrections() {
        let m = crate::pack::matcher();
        let v = &m.inner.engine.vocab;
        let mut words: std::collections::BTreeSet<String> = Default::default();
        for file in [
            include_str!("../../benches/data/project.tsv"),
            include_str!("../../benches/data/bitext.tsv"),
            include_str!("../../benches/data/clinc150.tsv"),
        ] {
            for line in file.lines() {
                let text = line.split_once('\t').map_or(line, |(_, t)| t);
                let n = m.normalizer().normalize(text);
                for i in 0..n.tokens().len() {
                    words.insert(n.token_folded(i).to_string());
                }
            }
        }
        // Misspellings of every 7th vocabulary word of 4+ letters: a letter
        // dropped, doubled, swapped, replaced, and two of those at once.
        for w in v.words.iter().step_by(7).filter(|w| w.len() >= 4) {
            let b = w.as_bytes();
            let k = b.len() / 2;
            let mut edits = vec![
                [&b[..k], &b[k + 1..]].concat(),
                [&b[..=k], &b[k..]].concat(),
                [&b[..k - 1], &[b[k], b[k - 1]], &b[k + 1..]].concat(),
                [&b[..k], b"q", &b[k + 1..]].concat(),
            ];
            let one = edits.clone();
            for e in one {
                let j = e.len() - 1;
                edits.push([&e[..j], b"x"].concat());
                edits.push([&e[1..], b""].concat());
            }
            for e in edits {
                words.insert(String::from_utf8(e).unwrap_or_default());
            }
        }
        let mut checked = 0;
        let mut corrected = 0;
        for w in &words {
            if w.len() < MIN_TYPO_LEN
                || !w.bytes().all(|b| b.is_ascii_lowercase())
                || v.known.contains(w.as_str())
            {
                continue;
            }
            let want = nearest_reference(v, w);
            assert_eq!(v.nearest(w), want, "typed: {w}");
            checked += 1;
            corrected += usize::from(want.is_some());
        }
        // The comparison means something only if it covers many words,
        // with and without a correction.
        eprintln!("{checked} unknown words, {corrected} corrected");
        assert!(checked > 2000 && corrected > 500, "{checked} {corrected}");
    }
}
