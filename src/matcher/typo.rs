//! The typo index: every vocabulary word with up to two letters deleted,
//! built once at compile time, so that correcting a word on the message
//! path is a few dozen lookups in one sorted array.
//!
//! Symmetric deletion: two words within `k` edits (insertions, deletions,
//! substitutions) become the same string after at most `k` deletions from
//! each; an adjacent swap is within one deletion from each ("odrer" and
//! "order" both give "oder"). So a typed word's variants with up to `k`
//! deletions, looked up among the vocabulary's variants with up to `k`
//! deletions, find every vocabulary word within `k` edits; the caller
//! checks the real distance of the few it finds.
//!
//! Variants are stored as 64-bit hashes with the deleted positions, not as
//! strings: the hash of a variant is computed from prefix hashes in O(1),
//! and a hash match is confirmed by comparing the two variants letter by
//! letter, so a collision can only cost a comparison.

/// Longest vocabulary word that is indexed. Positions are stored in a byte,
/// and no rule word a customer mistypes is this long.
pub(crate) const MAX_INDEXED_LEN: usize = 64;
/// No deletion at this position.
const NONE: u8 = u8::MAX;
/// Base of the polynomial hash (odd, so multiplication is invertible).
const BASE: u64 = 0x0000_0100_0000_01b3;

/// One vocabulary word with up to two letters deleted.
#[derive(Clone, Copy, Debug)]
struct Entry {
    hash: u64,
    word: u32,
    /// The deleted positions in `word`, `a < b`, [`NONE`] when unused.
    a: u8,
    b: u8,
}

impl Entry {
    fn deletions(&self) -> usize {
        usize::from(self.a != NONE) + usize::from(self.b != NONE)
    }
}

/// A vocabulary word reached from a typed word through shared deletions.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Found {
    /// Index of the vocabulary word.
    pub word: u32,
    /// Letters deleted from the typed word.
    pub typed_deletions: usize,
    /// Letters deleted from the vocabulary word.
    pub word_deletions: usize,
}

/// The deletion variants of the vocabulary, sorted by hash.
pub(crate) struct TypoIndex {
    entries: Vec<Entry>,
    /// One bit per hash (its top bits), about eight bits per entry: most
    /// variants of a typed word are in no vocabulary word, and this says
    /// so in one memory access instead of a binary search.
    filter: Vec<u64>,
    /// `64 - log2(filter bits)`: the shift that takes a hash to its bit.
    filter_shift: u32,
    /// The longest indexed word: a typed word more than two letters longer
    /// cannot be within two edits of any.
    max_len: usize,
}

/// Prefix hashes of a word and the powers of the base, on the stack: no
/// allocation per typed word.
struct Hasher {
    pre: [u64; MAX_INDEXED_LEN + 4],
    pow: [u64; MAX_INDEXED_LEN + 4],
    len: usize,
}

impl Hasher {
    fn new(word: &[u8]) -> Hasher {
        let mut h = Hasher {
            pre: [0; MAX_INDEXED_LEN + 4],
            pow: [1; MAX_INDEXED_LEN + 4],
            len: word.len(),
        };
        for (i, &c) in word.iter().enumerate() {
            h.pre[i + 1] = h.pre[i].wrapping_mul(BASE).wrapping_add(u64::from(c) + 1);
            h.pow[i + 1] = h.pow[i].wrapping_mul(BASE);
        }
        h
    }

    /// Hash of `word[s..e]`.
    fn slice(&self, s: usize, e: usize) -> u64 {
        self.pre[e].wrapping_sub(self.pre[s].wrapping_mul(self.pow[e - s]))
    }

    /// Hash of the word without the letters at `a` and `b` (`a < b`,
    /// [`NONE`] for none), mixed with its length.
    fn variant(&self, a: u8, b: u8) -> u64 {
        let n = self.len;
        let h = match (a, b) {
            (NONE, _) => self.pre[n],
            (a, NONE) => {
                let a = usize::from(a);
                self.slice(0, a)
                    .wrapping_mul(self.pow[n - a - 1])
                    .wrapping_add(self.slice(a + 1, n))
            }
            (a, b) => {
                let (a, b) = (usize::from(a), usize::from(b));
                let h = self
                    .slice(0, a)
                    .wrapping_mul(self.pow[b - a - 1])
                    .wrapping_add(self.slice(a + 1, b));
                h.wrapping_mul(self.pow[n - b - 1])
                    .wrapping_add(self.slice(b + 1, n))
            }
        };
        let deleted = usize::from(a != NONE) + usize::from(b != NONE);
        mix(h ^ ((n - deleted) as u64) << 56)
    }

    /// Calls `f(hash, a, b)` for the word itself and each variant with up
    /// to `max_del` letters deleted.
    fn each_variant(&self, max_del: usize, mut f: impl FnMut(u64, u8, u8)) {
        let n = self.len;
        f(self.variant(NONE, NONE), NONE, NONE);
        if max_del == 0 {
            return;
        }
        for a in 0..n {
            f(self.variant(a as u8, NONE), a as u8, NONE);
        }
        if max_del == 1 {
            return;
        }
        for a in 0..n {
            for b in a + 1..n {
                f(self.variant(a as u8, b as u8), a as u8, b as u8);
            }
        }
    }
}

/// A finalizer that spreads the bits (from splitmix64).
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Whether `x` without the letters at `xa`, `xb` equals `y` without the
/// letters at `ya`, `yb`.
fn same_variant(x: &[u8], xa: u8, xb: u8, y: &[u8], ya: u8, yb: u8) -> bool {
    let keep =
        |a: u8, b: u8| move |&(i, _): &(usize, &u8)| i != usize::from(a) && i != usize::from(b);
    let xs = x.iter().enumerate().filter(keep(xa, xb)).map(|(_, c)| c);
    let ys = y.iter().enumerate().filter(keep(ya, yb)).map(|(_, c)| c);
    xs.eq(ys)
}

impl TypoIndex {
    /// Indexes `words` (ASCII): every word of `min_len` letters or more with
    /// one deletion, and from `two_from` letters with two.
    pub(crate) fn build(words: &[Box<str>], min_len: usize, two_from: usize) -> TypoIndex {
        let mut entries = Vec::new();
        let mut max_len = 0;
        for (id, w) in words.iter().enumerate() {
            let w = w.as_bytes();
            if w.len() < min_len || w.len() > MAX_INDEXED_LEN {
                continue;
            }
            max_len = max_len.max(w.len());
            let max_del = if w.len() >= two_from { 2 } else { 1 };
            Hasher::new(w).each_variant(max_del, |hash, a, b| {
                entries.push(Entry {
                    hash,
                    word: id as u32,
                    a,
                    b,
                });
            });
        }
        entries.sort_unstable_by_key(|e| (e.hash, e.word, e.a, e.b));
        let bits = (entries.len() * 8).next_power_of_two().max(64);
        let filter_shift = 64 - bits.trailing_zeros();
        let mut filter = vec![0u64; bits / 64];
        for e in &entries {
            let bit = (e.hash >> filter_shift) as usize;
            filter[bit / 64] |= 1 << (bit % 64);
        }
        TypoIndex {
            entries,
            filter,
            filter_shift,
            max_len,
        }
    }

    /// Every vocabulary word that shares a variant with `typed` when up to
    /// `max_del` letters are deleted from each, with the fewest deletions
    /// that reach it; `out` is cleared first. `words` is the vocabulary the
    /// index was built from.
    pub(crate) fn lookup(
        &self,
        typed: &str,
        max_del: usize,
        words: &[Box<str>],
        out: &mut Vec<Found>,
    ) {
        out.clear();
        let t = typed.as_bytes();
        if t.is_empty() || t.len() > self.max_len + max_del {
            return;
        }
        let h = Hasher::new(t);
        h.each_variant(max_del, |hash, a, b| {
            let bit = (hash >> self.filter_shift) as usize;
            if self.filter[bit / 64] & (1 << (bit % 64)) == 0 {
                return;
            }
            let from = self.entries.partition_point(|e| e.hash < hash);
            for e in self.entries[from..].iter().take_while(|e| e.hash == hash) {
                if e.deletions() > max_del {
                    continue;
                }
                let w = words[e.word as usize].as_bytes();
                if !same_variant(t, a, b, w, e.a, e.b) {
                    continue;
                }
                let typed_deletions = usize::from(a != NONE) + usize::from(b != NONE);
                let found = Found {
                    word: e.word,
                    typed_deletions,
                    word_deletions: e.deletions(),
                };
                match out.iter_mut().find(|f| f.word == e.word) {
                    Some(f) => {
                        if found.typed_deletions.max(found.word_deletions)
                            < f.typed_deletions.max(f.word_deletions)
                        {
                            *f = found;
                        }
                    }
                    None => out.push(found),
                }
            }
        });
    }
}

/// Levenshtein distance (insertions, deletions, substitutions), `None` when
/// it exceeds `max`. Two rows on the stack for words up to 64 letters.
pub(crate) fn levenshtein_within(a: &[u8], b: &[u8], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    if b.len() > MAX_INDEXED_LEN + 4 {
        return None;
    }
    let mut prev = [0usize; MAX_INDEXED_LEN + 5];
    let mut cur = [0usize; MAX_INDEXED_LEN + 5];
    for (j, p) in prev.iter_mut().enumerate().take(b.len() + 1) {
        *p = j;
    }
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            row_min = row_min.min(cur[j]);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[b.len()];
    (d <= max).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(ws: &[&str]) -> Vec<Box<str>> {
        ws.iter().map(|w| Box::from(*w)).collect()
    }

    fn found(index: &TypoIndex, vocab: &[Box<str>], typed: &str, max_del: usize) -> Vec<String> {
        let mut out = Vec::new();
        index.lookup(typed, max_del, vocab, &mut out);
        let mut v: Vec<String> = out
            .iter()
            .map(|f| vocab[f.word as usize].to_string())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn finds_words_within_the_deletions() {
        let vocab = words(&["order", "orders", "address", "tracking", "refund"]);
        let index = TypoIndex::build(&vocab, 4, 6);
        // One edit: swap, deletion, insertion, substitution.
        assert_eq!(found(&index, &vocab, "odrer", 1), ["order"]);
        assert_eq!(found(&index, &vocab, "trackng", 1), ["tracking"]);
        assert_eq!(found(&index, &vocab, "refunds", 1), ["refund"]);
        assert_eq!(found(&index, &vocab, "refunf", 1), ["refund"]);
        // Two edits need two deletions.
        assert!(found(&index, &vocab, "adress", 1).contains(&"address".to_string()));
        // A letter moved two places: one deletion from each is enough.
        assert_eq!(found(&index, &vocab, "adrress", 1), ["address"]);
        assert_eq!(found(&index, &vocab, "trakcign", 1), Vec::<String>::new());
        assert_eq!(found(&index, &vocab, "trakcign", 2), ["tracking"]);
        // Too long to be near anything.
        assert_eq!(
            found(&index, &vocab, &"x".repeat(200), 2),
            Vec::<String>::new()
        );
    }

    #[test]
    fn levenshtein() {
        assert_eq!(levenshtein_within(b"odrer", b"order", 2), Some(2));
        assert_eq!(levenshtein_within(b"trackng", b"tracking", 2), Some(1));
        assert_eq!(levenshtein_within(b"kitten", b"sitting", 2), None);
        assert_eq!(levenshtein_within(b"kitten", b"sitting", 3), Some(3));
        assert_eq!(levenshtein_within(b"", b"ab", 2), Some(2));
    }
}
