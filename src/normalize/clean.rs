//! The lossless-looking first step: mojibake repair, NFC, invisible characters.
//!
//! It keeps case and punctuation and records where every output byte came
//! from, so later steps can report spans of the original message.

use std::ops::Range;

use unicode_normalization::char::{canonical_combining_class, is_combining_mark};
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// A run of the cleaned text and the original bytes it came from.
///
/// `linear` runs were copied unchanged, so offsets inside them map one to
/// one; other runs (a repaired or recomposed letter) map as a whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Seg {
    pub clean: Range<usize>,
    pub orig: Range<usize>,
    pub linear: bool,
}

/// The output of [`clean`].
#[derive(Clone, Debug, Default)]
pub(crate) struct Cleaned {
    /// The cleaned text; `None` when it is the original unchanged, so the
    /// common case copies nothing.
    pub text: Option<String>,
    /// `None` when the text is the original unchanged (the fast path).
    pub segs: Option<Vec<Seg>>,
    /// Whether a mojibake repair was applied.
    pub repaired: bool,
}

impl Cleaned {
    /// The cleaned text of `original` (the string this was made from).
    pub fn text<'a>(&'a self, original: &'a str) -> &'a str {
        self.text.as_deref().unwrap_or(original)
    }

    /// Maps a range of the cleaned text to a range of `original`, widened to
    /// whole characters on both sides. Never panics.
    pub fn to_original(&self, original: &str, r: Range<usize>) -> Range<usize> {
        let text = self.text(original);
        let len = text.len();
        let mut end = r.end.min(len);
        let mut start = r.start.min(end);
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        while !text.is_char_boundary(end) {
            end += 1;
        }
        let Some(segs) = &self.segs else {
            return start..end;
        };
        let map_start = |p: usize| -> usize {
            match find_seg(segs, p) {
                Some(s) if s.linear => s.orig.start + (p - s.clean.start),
                Some(s) => s.orig.start,
                None => original.len(),
            }
        };
        if start == end {
            let p = map_start(start);
            return p..p;
        }
        let a = map_start(start);
        let b = match find_seg(segs, end - 1) {
            Some(s) if s.linear => s.orig.start + (end - s.clean.start),
            Some(s) => s.orig.end,
            None => original.len(),
        };
        a..b.max(a)
    }
}

fn find_seg(segs: &[Seg], p: usize) -> Option<&Seg> {
    let i = segs.partition_point(|s| s.clean.end <= p);
    segs.get(i).filter(|s| s.clean.start <= p)
}

/// One character of a working copy and the original bytes behind it.
#[derive(Clone, Debug)]
struct Piece {
    ch: char,
    orig: Range<usize>,
}

fn is_zero_width(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{FEFF}' | '\u{2060}' | '\u{00AD}'
    )
}

fn is_odd_space(c: char) -> bool {
    matches!(c, '\u{00A0}' | '\u{202F}' | '\u{2007}')
}

/// The Windows-1252 byte for the characters it puts in 0x80..=0x9F.
fn cp1252_byte(c: char) -> Option<u8> {
    let b = match c {
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8A,
        '‹' => 0x8B,
        'Œ' => 0x8C,
        'Ž' => 0x8E,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9A,
        '›' => 0x9B,
        'œ' => 0x9C,
        'ž' => 0x9E,
        'Ÿ' => 0x9F,
        _ => return None,
    };
    Some(b)
}

/// The byte a mis-decoded character stands for, if any.
fn as_byte(c: char) -> Option<u8> {
    let cp = u32::from(c);
    if cp <= 0xFF {
        Some(cp as u8)
    } else {
        cp1252_byte(c)
    }
}

/// Whether `c` looks like the second char of a mis-decoded 2-byte letter.
fn is_trail(c: char) -> bool {
    matches!(u32::from(c), 0x80..=0xBF) || cp1252_byte(c).is_some()
}

/// Counts mojibake signatures: `[ÃÄÅÆ]` + a continuation-looking char, or
/// `á` + `º`/`»`. A bare `Ã` (legit uppercase NGÃ) does not count.
pub(crate) fn mojibake_score<I: Iterator<Item = char>>(chars: I) -> usize {
    let mut score = 0;
    let mut prev = '\0';
    for c in chars {
        match prev {
            'Ã' | 'Ä' | 'Å' | 'Æ' if is_trail(c) => score += 1,
            'á' if c == 'º' || c == '»' => score += 1,
            _ => {}
        }
        prev = c;
    }
    score
}

/// One repair round: re-encode as Windows-1252/Latin-1 bytes and decode each
/// valid UTF-8 sequence. Returns `None` when nothing convincing was repaired.
fn repair_round(pieces: &[Piece]) -> Option<Vec<Piece>> {
    let mut out = Vec::with_capacity(pieces.len());
    let mut repaired = 0usize;
    let mut viet = 0usize;
    let mut i = 0;
    while i < pieces.len() {
        let p = &pieces[i];
        let lead = as_byte(p.ch).unwrap_or(0);
        let need = match lead {
            0xC2..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF4 => 4,
            _ => 0,
        };
        if need > 0 && i + need <= pieces.len() {
            let mut bytes = [lead, 0, 0, 0];
            let mut ok = true;
            for k in 1..need {
                let q = &pieces[i + k];
                match as_byte(q.ch) {
                    Some(b @ 0x80..=0xBF) => bytes[k] = b,
                    // Lenient: an NBSP (0xA0) that became a plain space, as in
                    // `hÃ ng` (hàng). Not after an uppercase letter: `NGÃ BA`
                    // is legit even in a message with mojibake elsewhere.
                    Some(b' ') if !(need == 2 && i > 0 && pieces[i - 1].ch.is_uppercase()) => {
                        bytes[k] = 0xA0
                    }
                    _ => {
                        ok = false;
                        break;
                    }
                }
            }
            if ok {
                if let Ok(s) = std::str::from_utf8(&bytes[..need]) {
                    if let Some(ch) = s.chars().next() {
                        repaired += 1;
                        if super::viet::fold_viet(ch).is_some()
                            || matches!(u32::from(ch), 0x0300..=0x0323)
                        {
                            viet += 1;
                        }
                        out.push(Piece {
                            ch,
                            orig: p.orig.start..pieces[i + need - 1].orig.end,
                        });
                        i += need;
                        continue;
                    }
                }
            }
        }
        out.push(p.clone());
        i += 1;
    }
    (viet >= 1 || repaired >= 2).then_some(out)
}

/// Cleans `original`: mojibake repair, invisible characters, NFC.
pub(crate) fn clean(original: &str) -> Cleaned {
    if original.is_ascii() {
        // ASCII is NFC and holds no mojibake, zero-width char or NBSP.
        return Cleaned {
            text: None,
            segs: None,
            repaired: false,
        };
    }
    let suspicious = original
        .chars()
        .any(|c| is_zero_width(c) || is_odd_space(c));
    let score = mojibake_score(original.chars());
    if !suspicious && score == 0 && is_nfc_quick(original.chars()) == IsNormalized::Yes {
        return Cleaned {
            text: None,
            segs: None,
            repaired: false,
        };
    }
    let mut pieces: Vec<Piece> = original
        .char_indices()
        .map(|(i, ch)| Piece {
            ch,
            orig: i..i + ch.len_utf8(),
        })
        .collect();
    let mut repaired = false;
    let mut score = score;
    // Double encoding needs two rounds; stop when no signature is left.
    for _ in 0..3 {
        if score == 0 {
            break;
        }
        let Some(next) = repair_round(&pieces) else {
            break;
        };
        // A double-encoded message keeps its score after the first round
        // (each round shortens it), so only the round cap bounds the loop.
        let next_score = mojibake_score(next.iter().map(|p| p.ch));
        pieces = next;
        score = next_score;
        repaired = true;
    }
    pieces.retain(|p| !is_zero_width(p.ch));
    for p in &mut pieces {
        if is_odd_space(p.ch) {
            p.ch = ' ';
        }
    }
    let pieces = compose(pieces);
    let mut text = String::with_capacity(original.len());
    let mut segs: Vec<Seg> = Vec::new();
    for p in pieces {
        let start = text.len();
        text.push(p.ch);
        let end = text.len();
        let linear = original.get(p.orig.clone()).is_some_and(|o| {
            let mut it = o.chars();
            it.next() == Some(p.ch) && it.next().is_none()
        });
        if linear {
            if let Some(last) = segs.last_mut() {
                if last.linear && last.clean.end == start && last.orig.end == p.orig.start {
                    last.clean.end = end;
                    last.orig.end = p.orig.end;
                    continue;
                }
            }
        }
        segs.push(Seg {
            clean: start..end,
            orig: p.orig,
            linear,
        });
    }
    Cleaned {
        text: Some(text),
        segs: Some(segs),
        repaired,
    }
}

/// Whether a new NFC cluster can start at `c`.
fn starts_cluster(c: char) -> bool {
    canonical_combining_class(c) == 0
        && !is_combining_mark(c)
        && is_nfc_quick(std::iter::once(c)) == IsNormalized::Yes
}

/// Mark order key: Vietnamese modifiers before tone marks, so an acute typed
/// before the circumflex still composes to ấ.
fn mark_rank(c: char) -> u8 {
    match c {
        '\u{0302}' | '\u{0306}' | '\u{031B}' => 0,
        '\u{0300}' | '\u{0301}' | '\u{0303}' | '\u{0309}' | '\u{0323}' | '\u{0340}'
        | '\u{0341}' => 1,
        _ => 2,
    }
}

/// NFC, one cluster (starter + following marks) at a time, so each output
/// char knows its original bytes.
fn compose(pieces: Vec<Piece>) -> Vec<Piece> {
    let mut out = Vec::with_capacity(pieces.len());
    let mut i = 0;
    while i < pieces.len() {
        let mut j = i + 1;
        while j < pieces.len() && !starts_cluster(pieces[j].ch) {
            j += 1;
        }
        let cluster = &pieces[i..j];
        if cluster.len() == 1 && starts_cluster(cluster[0].ch) {
            out.push(cluster[0].clone());
        } else {
            // Decompose first so marks hidden in a precomposed base take part
            // in the reordering; only reorder when every mark is a Vietnamese
            // modifier or tone, so the result is stable when cleaned again.
            let mut chars: Vec<char> = cluster.iter().map(|p| p.ch).nfd().collect();
            if chars.len() > 2
                && chars.len() <= 8
                && canonical_combining_class(chars[0]) == 0
                && chars[1..].iter().all(|&c| mark_rank(c) < 2)
            {
                chars[1..].sort_by_key(|&c| mark_rank(c));
            }
            let orig = cluster[0].orig.start..cluster[cluster.len() - 1].orig.end;
            for ch in chars.into_iter().nfc() {
                out.push(Piece {
                    ch,
                    orig: orig.clone(),
                });
            }
        }
        i = j;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleaning() {
        for (input, want) in [
            ("Ä‘Æ¡n hÃ\u{a0}ng", "đơn hàng"),
            ("Ä\u{91}Æ¡n hÃ\u{a0}ng", "đơn hàng"),
            ("Ä‘Æ¡n hÃ ng", "đơn hàng"),
            ("KhÃ´ng Ä‘Æ°á»£c", "Không được"),
            ("Ã„â€˜Ã†Â¡n hÃƒÂ\u{a0}ng", "đơn hàng"),
            ("NGÃ BA", "NGÃ BA"),
            ("Ä\u{90}á»”I TRáº¢", "ĐỔI TRẢ"),
            ("đơn\u{200B}hàng", "đơnhàng"),
            ("a\u{a0}b", "a b"),
            ("kho\u{0302}\u{0301}", "khố"),
            ("o\u{0301}\u{0302}", "ố"),
            ("á\u{0302}", "ấ"),
            ("Ä\u{323}\u{300}", "Ạ\u{308}\u{300}"),
            ("", ""),
        ] {
            assert_eq!(clean(input).text(input), want, "input: {input:?}");
        }
    }

    #[test]
    fn fast_path() {
        let c = clean("đơn hàng của em");
        assert!(c.segs.is_none());
    }

    #[test]
    fn mapping() {
        let orig = "xin Ä‘Æ¡n";
        let c = clean(orig);
        assert_eq!(c.text(orig), "xin đơn");
        let r = c.to_original(orig, 4..c.text(orig).len());
        assert_eq!(&orig[r], "Ä‘Æ¡n");
        let r = c.to_original(orig, 0..3);
        assert_eq!(&orig[r], "xin");
        let orig = "a\u{200B}b";
        let c = clean(orig);
        assert_eq!(&orig[c.to_original(orig, 1..2)], "b");
    }
}
