//! Splitting cleaned text into raw tokens, and per-token helpers.

use std::ops::Range;

use unicode_normalization::char::is_combining_mark;

use super::viet::{fold_viet, is_letter, is_number};
use super::TokenKind;

/// `is_combining_mark` with a fast path for ASCII and Vietnamese letters.
fn is_mark(c: char) -> bool {
    !c.is_ascii() && fold_viet(c).is_none() && is_combining_mark(c)
}

fn is_word(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        is_letter(c) || c.is_numeric() || is_combining_mark(c)
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ')
}

/// Letters that end an emoticon after `:`, `;` or `=` (`:v`, `:D`, `:p`).
fn is_emoticon_letter(c: char) -> bool {
    matches!(
        c,
        'v' | 'V' | 'd' | 'D' | 'p' | 'P' | 'o' | 'O' | '3' | 'x' | 'X' | 'b' | 'B'
    )
}

/// Splits `text` into byte ranges of tokens: runs of letters, digits and
/// marks; `.`/`,` between digits and apostrophes between letters stay
/// inside; `₫` after a digit stays inside; emoticons (`:v`, `<3`) are
/// dropped with the other punctuation.
pub(crate) fn split(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    split_into(text, &mut out, &mut Vec::new());
    out
}

/// [`split`] appended to `out`; `chars` is a reusable buffer (the char
/// offsets of a non-ASCII text).
pub(crate) fn split_into(text: &str, out: &mut Vec<Range<usize>>, chars: &mut Vec<(usize, char)>) {
    if text.is_ascii() {
        // ASCII fast path: chars are bytes and offsets are indices, so no
        // table of char offsets is built.
        let b = text.as_bytes();
        split_chars(
            b.len(),
            |i| b.get(i).map(|&c| char::from(c)),
            |i| i.min(b.len()),
            out,
        );
    } else {
        chars.clear();
        chars.extend(text.char_indices());
        let chars = &*chars;
        split_chars(
            chars.len(),
            |i| chars.get(i).map(|&(_, c)| c),
            |i| chars.get(i).map_or(text.len(), |&(o, _)| o),
            out,
        );
    }
}

/// `split` over `len` chars: `at(i)` is char `i`, `end_of(i)` its byte
/// offset (the text's length past the end).
fn split_chars(
    len: usize,
    at: impl Fn(usize) -> Option<char>,
    end_of: impl Fn(usize) -> usize,
    out: &mut Vec<Range<usize>>,
) {
    let ch = |i: usize| at(i).unwrap_or(' ');
    let mut i = 0;
    while i < len {
        let c = ch(i);
        if !is_word(c) {
            // Emoticons whose last char would otherwise be a token.
            if matches!(c, ':' | ';' | '=') {
                let mut j = i + 1;
                if matches!(at(j), Some('-' | '\'')) {
                    j += 1;
                }
                if at(j).is_some_and(is_emoticon_letter) && !at(j + 1).is_some_and(is_word) {
                    i = j + 1;
                    continue;
                }
            }
            if c == '<' && at(i + 1) == Some('3') && !at(i + 2).is_some_and(is_word) {
                i += 2;
                continue;
            }
            i += 1;
            continue;
        }
        let start = i;
        let mut j = i + 1;
        while j < len {
            let c = ch(j);
            let prev = ch(j - 1);
            if is_word(c) {
                j += 1;
            } else if (matches!(c, '.' | ',')
                && prev.is_ascii_digit()
                && at(j + 1).is_some_and(|n| n.is_ascii_digit()))
                || (is_apostrophe(c) && is_letter(prev) && at(j + 1).is_some_and(is_letter))
            {
                // A joiner inside a number (1.500) or a word (don't).
                j += 2;
            } else if c == '₫' && prev.is_ascii_digit() {
                j += 1;
                break;
            } else {
                break;
            }
        }
        out.push(end_of(start)..end_of(j));
        i = j;
    }
}

/// Money and measure units that may follow a number inside one token.
const UNITS: &[&str] = &[
    "k", "đ", "d", "₫", "tr", "triệu", "trieu", "củ", "cu", "nghìn", "nghin", "ngàn", "ngan",
    "vnd", "vnđ", "đồng", "dong", "tỷ", "tỉ", "ty", "ti", "h", "g", "kg", "cm", "m", "mm", "ml",
    "l", "gb", "tb", "mb", "p", "ph", "phút", "s", "x", "usd", "lít", "lit", "cái", "cai",
];

/// Whether a lowercase word is a money or measure unit (`k`, `kg`, `tr`).
pub(crate) fn is_unit(w: &str) -> bool {
    UNITS.contains(&w)
}

/// Units that may carry a trailing digit group: 1tr5, 1k5, 3h30.
const SPLIT_UNITS: &[&str] = &["k", "tr", "củ", "cu", "m", "h", "ty", "tỷ", "tỉ"];

/// Classifies a lowercase token.
pub(crate) fn kind(lower: &str) -> TokenKind {
    let first = lower.chars().next();
    if first.is_some_and(|c| c.is_ascii_digit()) {
        let num_end = lower
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
            .unwrap_or(lower.len());
        let rest = &lower[num_end..];
        if rest.is_empty() || UNITS.contains(&rest) {
            return TokenKind::Number;
        }
        if let Some(d) = rest.find(|c: char| c.is_ascii_digit()) {
            let (unit, tail) = rest.split_at(d);
            if SPLIT_UNITS.contains(&unit) && tail.bytes().all(|b| b.is_ascii_digit()) {
                return TokenKind::Number;
            }
        }
        return TokenKind::Alnum;
    }
    let has_number = if lower.is_ascii() {
        lower.bytes().any(|b| b.is_ascii_digit())
    } else {
        lower.chars().any(is_number)
    };
    if has_number {
        TokenKind::Alnum
    } else {
        TokenKind::Word
    }
}

fn base(c: char) -> char {
    fold_viet(c).unwrap_or(c)
}

/// Squeezes runs of 3+ letters with the same base letter to one letter,
/// keeping the one that carries a diacritic (`ạaaa` -> `ạ`). Doubles stay.
/// Digits are never squeezed. A letter's stray combining marks count as
/// part of it (and go with it when it is dropped), so squeezing twice
/// changes nothing more. Returns `None` when nothing changes.
pub(crate) fn squeeze(lower: &str) -> Option<String> {
    if lower.is_ascii() {
        // ASCII: marks are never ASCII and letters are their own base, so
        // a run is three equal letters in a row.
        let b = lower.as_bytes();
        if !b
            .windows(3)
            .any(|w| w[0].is_ascii_alphabetic() && w[0] == w[1] && w[1] == w[2])
        {
            return None;
        }
    }
    // Cheap scan first: most tokens have no run to squeeze.
    let mut prev = None;
    let mut run = 0;
    let mut found = false;
    for c in lower.chars() {
        if is_mark(c) {
            continue;
        }
        let b = is_letter(c).then(|| base(c));
        run = if b.is_some() && b == prev { run + 1 } else { 1 };
        if run >= 3 {
            found = true;
            break;
        }
        prev = b;
    }
    if !found {
        return None;
    }
    let chars: Vec<char> = lower.chars().collect();
    // Units: a char and the combining marks after it.
    let mut units: Vec<std::ops::Range<usize>> = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        match units.last_mut() {
            Some(u) if is_mark(c) => u.end = i + 1,
            _ => units.push(i..i + 1),
        }
    }
    let mut out = String::with_capacity(lower.len());
    let mut i = 0;
    while i < units.len() {
        let c = chars[units[i].start];
        let mut j = i + 1;
        if is_letter(c) {
            while j < units.len() && {
                let d = chars[units[j].start];
                is_letter(d) && base(d) == base(c)
            } {
                j += 1;
            }
        }
        if j - i >= 3 {
            let keep = units[i..j]
                .iter()
                .map(|u| chars[u.start])
                .find(|&x| x != base(x))
                .unwrap_or(c);
            out.push(keep);
        } else {
            for u in &units[i..j] {
                out.extend(&chars[u.clone()]);
            }
        }
        i = j;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<&str> {
        split(s).into_iter().map(|r| &s[r]).collect()
    }

    #[test]
    fn splitting() {
        assert_eq!(toks("Shop ơi, đơn hàng!!"), ["Shop", "ơi", "đơn", "hàng"]);
        assert_eq!(toks("giá 1.500.000đ nhé"), ["giá", "1.500.000đ", "nhé"]);
        assert_eq!(toks("150.000₫."), ["150.000₫"]);
        assert_eq!(toks("ok :v haha =))"), ["ok", "haha"]);
        assert_eq!(toks("I don't <3 it"), ["I", "don't", "it"]);
        assert_eq!(toks("đẹp😍quá"), ["đẹp", "quá"]);
        assert_eq!(toks("1,5tr. ok"), ["1,5tr", "ok"]);
        assert_eq!(toks(""), Vec::<&str>::new());
    }

    #[test]
    fn kinds() {
        for (input, want) in [
            ("200k", TokenKind::Number),
            ("1.500.000đ", TokenKind::Number),
            ("1tr5", TokenKind::Number),
            ("0912345678", TokenKind::Number),
            ("dh123456", TokenKind::Alnum),
            ("12abc", TokenKind::Alnum),
            ("đơn", TokenKind::Word),
        ] {
            assert_eq!(kind(input), want, "input: {input:?}");
        }
    }

    #[test]
    fn squeezing() {
        for (input, want) in [
            ("đơnnnn", Some("đơn")),
            ("sooo", Some("so")),
            ("shopppp", Some("shop")),
            ("ạaaa", Some("ạ")),
            ("book", None),
            ("1000000", None),
            ("cứu", None),
            ("ẳàă\u{306}\u{309}", Some("ẳ")),
            ("ááá\u{300}áã", Some("á")),
        ] {
            assert_eq!(squeeze(input).as_deref(), want, "input: {input:?}");
        }
    }
}
