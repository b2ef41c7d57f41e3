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
            split_function: SPLIT_FUNCTION_WORDS.split_whitespace().collect(),
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
    /// [`SPLIT_FUNCTION_WORDS`] as a set: looked up for every half tried
    /// by `split`.
    split_function: FastSet<&'static str>,
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
        let stem = self.stemmer.stem(word);
        if let Some(ids) = self.stems.get(stem.as_ref()) {
            let prefix = |w: &str| {
                w.bytes()
                    .zip(word.bytes())
                    .take_while(|(a, b)| a == b)
                    .count()
            };
            // Another form, not another word: the word is its stem (a final
            // i may be y: "delivery", "deliveri") and an ending. Porter2
            // gives "busy" the stem of "business", "wondering" that of
            // "wonderful" and "happiness" that of "happy".
            // The ending of `w` after the stem, if `w` is the stem (a final
            // i may be y: "delivery", "modifying" for "deliveri", "modifi";
            // a final consonant may be doubled: "getting") and an ending.
            let ending = |w: &str| -> Option<bool> {
                let k = w
                    .bytes()
                    .zip(stem.bytes())
                    .take_while(|(a, b)| a == b)
                    .count();
                let rest = if k == stem.len() && k > 0 {
                    let last = stem.as_bytes()[k - 1];
                    match w.as_bytes().get(k) {
                        Some(&c) if c == last && !is_vowel(c) => &w[k + 1..],
                        _ => &w[k..],
                    }
                } else if k + 1 == stem.len() && stem.ends_with('i') && w[k..].starts_with('y') {
                    &w[k + 1..]
                } else {
                    return None;
                };
                // Whether it is the base form: phrases are written with it.
                INFLECTIONS
                    .split(' ')
                    .any(|e| rest == e)
                    .then(|| rest.is_empty() || rest == "e")
            };
            let typed_form = ending(word).is_some();
            if let Some(best) = ids
                .iter()
                .map(|&id| &*self.words[id as usize])
                .filter(|w| typed_form && ending(w).is_some())
                // The base form first: "delete" for "deleting", not
                // "deletion".
                .max_by_key(|w| (ending(w), prefix(w), std::cmp::Reverse(w.len())))
            {
                return Some((best.to_string(), 1));
            }
        }
        // An English word is not a typo of another one: "file" is not
        // "fine", "income" is not "in come".
        if is_english_word(word) {
            return None;
        }
        let near = self.nearest(word);
        if near.as_ref().is_some_and(|x| x.1 == 1) {
            return near;
        }
        // A misspelt form of a rule word ("chceking", "shipemnts",
        // "talkiing"): the vocabulary holds the rule's form, so the typo is
        // looked for in what is left without the ending.
        for suffix in ["ing", "ed", "es", "s"] {
            if let Some(base) = word.strip_suffix(suffix) {
                if base.len() > MIN_TYPO_LEN {
                    if let Some((w, 1)) = self.nearest(base) {
                        return Some((w, 1));
                    }
                }
            }
        }
        if let Some(split) = self.split(word) {
            return Some((split, 1));
        }
        near
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
        // One edit: the optimal-string-alignment distance (a swap is one
        // edit). Two: within Levenshtein distance 2, ranked by the same
        // distance.
        let candidates = found
            .iter()
            .map(|f| &*self.words[f.word as usize])
            .filter(|cand| {
                max == 1 || levenshtein_within(word.as_bytes(), cand.as_bytes(), 2).is_some()
            });
        closest(word, max, candidates)
    }

    /// `word` read as two words run together ("trackmy", "cancelingpurchase",
    /// "shippingaddress"): both halves are words of the rules (or a
    /// [`SPLIT_FUNCTION_WORDS`] word, or another form of a rule word by its
    /// stem), one of them a rule word of 4+ letters. The halves as the rules
    /// spell them, separated by a space.
    fn split(&self, word: &str) -> Option<String> {
        let n = word.len();
        if !(MIN_SPLIT_LEN..=MAX_SPLIT_LEN).contains(&n) {
            return None;
        }
        // A half as the rules know it: (the rule word, whether it is a rule
        // word of 4+ letters).
        let half = |h: &str| -> Option<(String, bool)> {
            // A word only Vietnamese phrases use ("ton", "tren") does not
            // make half of an English one ("trenton").
            if self.known.contains(h) && self.lang_words.get(h) != Some(&LANG_VI) {
                return Some((h.to_string(), h.len() >= MIN_TYPO_LEN));
            }
            if self.split_function.contains(h) {
                return Some((h.to_string(), false));
            }
            if h.len() >= MIN_STEM_HALF_LEN && !crate::normalize::is_syllable(h) {
                if let Some(ids) = self.stems.get(self.stemmer.stem(h).as_ref()) {
                    let w = &*self.words[ids[0] as usize];
                    return Some((w.to_string(), true));
                }
            }
            None
        };
        let mut best: Option<((usize, usize), String)> = None;
        for i in 2..=n - 2 {
            let (a, b) = word.split_at(i);
            // Both halves must be words: the shorter (the cheaper, and the
            // likelier to fail) is looked up first, the other only if it is.
            let halves = if a.len() <= b.len() {
                half(a).and_then(|a| Some((a, half(b)?)))
            } else {
                half(b).and_then(|b| Some((half(a)?, b)))
            };
            let Some(((a, a_rule), (b, b_rule))) = halves else {
                continue;
            };
            if !(a_rule || b_rule) {
                continue;
            }
            // The split with the longest half: "toreset" is "to reset", not
            // "tore set".
            let key = (i.max(n - i), i.min(n - i));
            if best.as_ref().is_none_or(|x| key > x.0) {
                best = Some((key, format!("{a} {b}")));
            }
        }
        best.map(|x| x.1)
    }
}

/// What may follow a Snowball stem in a typed word and in the rule word it
/// reaches (the first is none): endings of the same word ("deliveries",
/// "delivery"; "cancelled", "cancellation"), not of a derived one.
const INFLECTIONS: &str = " e s es ed d ing y ies ied ys ion ions ation ations ate ates er ers ly";

/// English words of 4+ letters, sorted by byte, one a line (SCOWL, see
/// `words/README.md`): searched in place, so the list costs no build time.
const EN_WORDS: &str = include_str!("words/en.txt");

/// Whether `word` is in [`EN_WORDS`]: a binary search over its lines.
fn is_english_word(word: &str) -> bool {
    let text = EN_WORDS.as_bytes();
    let (mut lo, mut hi) = (0usize, text.len());
    // `lo` is always the start of a line, `hi` the start of one or the end.
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let start = text[lo..mid]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(lo, |i| lo + i + 1);
        let end = text[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(text.len(), |i| start + i);
        match text[start..end].cmp(word.as_bytes()) {
            std::cmp::Ordering::Equal => return true,
            std::cmp::Ordering::Less => lo = end + 1,
            std::cmp::Ordering::Greater => hi = start,
        }
    }
    false
}

/// Shortest word that may be two run together: "tomy" is too short to say.
const MIN_SPLIT_LEN: usize = 6;
/// Longest word looked at as two run together: each split point costs a
/// look-up or two, and "reimbursementpolicy" is 19 letters.
const MAX_SPLIT_LEN: usize = 24;
/// Shortest half of a run-together word that is read by its stem
/// ("canceling" in "cancelingpurchase"): a shorter piece of a word has a
/// stem by accident ("hous" in "houston").
const MIN_STEM_HALF_LEN: usize = 6;

/// Short words customers run into the next one ("trackmy order", "tocancel",
/// "howcan"): a half of a run-together word may be one of them even when no
/// rule has it.
const SPLIT_FUNCTION_WORDS: &str = "my me to the an in on of for is it your our can do not no \
and with this that how what where when you we he she they im ive";

/// Where each key sits on a QWERTY keyboard: (row, column), rows shifted by
/// half a key as on the keyboard.
fn key_position(c: u8) -> Option<(i32, i32)> {
    const ROWS: [&[u8]; 3] = [b"qwertyuiop", b"asdfghjkl", b"zxcvbnm"];
    for (r, row) in ROWS.iter().enumerate() {
        if let Some(col) = row.iter().position(|&k| k == c) {
            // Doubled, so a half-key offset is 1.
            return Some((r as i32, 2 * col as i32 + r as i32));
        }
    }
    None
}

/// Whether two keys touch on a QWERTY keyboard.
fn keys_touch(a: u8, b: u8) -> bool {
    match (key_position(a), key_position(b)) {
        (Some((ra, ca)), Some((rb, cb))) => {
            (ra == rb && (ca - cb).abs() == 2) || ((ra - rb).abs() == 1 && (ca - cb).abs() == 1)
        }
        _ => false,
    }
}

fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

/// Whether `typed` is a plausible misspelling of `cand` at edit distance
/// `d`. One edit is accepted when it is what fingers or spelling do: a
/// letter left out, two letters swapped, a key next to the right one
/// ("ordet"), a letter doubled or a neighbouring key hit as well, a vowel
/// for a vowel ("paymant"). A substitution of
/// unrelated letters in a short word is another word, not a typo: file is
/// not fine, exit is not edit, score is not store. Two edits, only tried
/// from 8 letters, are accepted as they are.
fn plausible(typed: &str, cand: &str, d: usize) -> bool {
    if d != 1 {
        return true;
    }
    let (t, c) = (typed.as_bytes(), cand.as_bytes());
    let common = t.iter().zip(c).take_while(|(a, b)| a == b).count();
    match t.len().cmp(&c.len()) {
        // A letter left out, but not the first: "anna" is not "wanna".
        std::cmp::Ordering::Less => common > 0,
        // A letter too many at `common`: doubled, or a key touching a
        // neighbour.
        std::cmp::Ordering::Greater => {
            let x = t[common];
            let before = common.checked_sub(1).map(|i| t[i]);
            let after = t.get(common + 1).copied();
            [before, after]
                .into_iter()
                .flatten()
                .any(|y| y == x || keys_touch(x, y))
        }
        std::cmp::Ordering::Equal => {
            if common + 1 < t.len() && t[common] == c[common + 1] && t[common + 1] == c[common] {
                // Two letters swapped.
                return true;
            }
            let (x, y) = (t[common], c[common]);
            keys_touch(x, y) || (is_vowel(x) && is_vowel(y))
        }
    }
}

/// The correction of `word` among `candidates`: the fewest edits (at most
/// `max`, a plausible typo, a word long enough to correct), then the
/// closest length, then the first in byte order.
fn closest<'w>(
    word: &str,
    max: usize,
    candidates: impl IntoIterator<Item = &'w str>,
) -> Option<(String, u32)> {
    let mut best: Option<(usize, usize, &str)> = None;
    for cand in candidates {
        let d = osa_distance(word.as_bytes(), cand.as_bytes());
        if d == 0 || d > max || cand.len() < MIN_TYPO_LEN || !plausible(word, cand, d) {
            continue;
        }
        let key = (d, cand.len().abs_diff(word.len()), cand);
        if best.is_none_or(|b| key < b) {
            best = Some(key);
        }
    }
    best.map(|(d, _, w)| (w.to_string(), d as u32))
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
        closest(word, max, candidates)
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

    /// Corrections of words customers typed (Bitext's customer-service
    /// utterances and CLINC150's queries): run-together words split, typos
    /// of a word's other forms found, and English words left alone.
    #[test]
    fn corrections_on_real_text() {
        let m = crate::pack::matcher();
        let v = &m.inner.engine.vocab;
        for (typed, want) in [
            // Two words run together.
            ("trackmy", Some("track my")),
            ("cancelmy", Some("cancel my")),
            ("cancelingpurchase", Some("canceling purchase")),
            ("shippingaddress", Some("shipping address")),
            ("needhelp", Some("need help")),
            ("tocancel", Some("to cancel")),
            // A typo in another form of a rule word.
            ("chceking", Some("check")),
            ("talkiing", Some("talk")),
            // Another form of a rule word: the base form, a final y, a
            // doubled consonant.
            ("deleting", Some("delete")),
            ("modifying", Some("modify")),
            // Typos: a letter left out, swapped, a key next to the right one.
            ("oredr", Some("order")),
            ("shiping", Some("shipping")),
            ("acount", Some("account")),
            ("cancfel", Some("cancel")),
            // English words are not typos of rule words, and are not split.
            ("exit", None),
            ("file", None),
            ("life", None),
            ("score", None),
            ("interest", None),
            ("income", None),
            ("tonight", None),
            ("somewhere", None),
            // Another word with the stem of a rule word is not that word.
            ("busy", None),
            ("wondering", None),
            // Not a dropped first letter.
            ("anna", None),
        ] {
            let got = v.correct(typed).map(|c| c.0);
            assert_eq!(got.as_deref(), want, "typed: {typed}");
        }
    }

    #[test]
    fn keyboard_and_dictionary() {
        assert!(keys_touch(b'r', b't') && keys_touch(b'd', b'x') && keys_touch(b'k', b'l'));
        assert!(!keys_touch(b'l', b'n') && !keys_touch(b'c', b't') && !keys_touch(b'q', b'p'));
        for w in ["able", "exit", "file", "zoom", "zones"] {
            assert!(is_english_word(w), "{w}");
        }
        for w in ["odrer", "trackmy", "aaaa", "zzzzz", ""] {
            assert!(!is_english_word(w), "{w}");
        }
        // The list is sorted by byte, as the search needs.
        let words: Vec<&str> = EN_WORDS.lines().collect();
        assert!(words.len() > 30_000);
        assert!(words.windows(2).all(|w| w[0] < w[1]));
    }
}
