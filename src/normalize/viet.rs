//! Vietnamese letters: folding, tone decomposition and canonical tone placement.
//!
//! Everything here works on lowercase NFC text; callers lowercase first.

/// The 12 vowels, each row as: untoned, huyền, sắc, hỏi, ngã, nặng.
const VOWEL_ROWS: [[char; 6]; 12] = [
    ['a', 'à', 'á', 'ả', 'ã', 'ạ'],
    ['ă', 'ằ', 'ắ', 'ẳ', 'ẵ', 'ặ'],
    ['â', 'ầ', 'ấ', 'ẩ', 'ẫ', 'ậ'],
    ['e', 'è', 'é', 'ẻ', 'ẽ', 'ẹ'],
    ['ê', 'ề', 'ế', 'ể', 'ễ', 'ệ'],
    ['i', 'ì', 'í', 'ỉ', 'ĩ', 'ị'],
    ['o', 'ò', 'ó', 'ỏ', 'õ', 'ọ'],
    ['ô', 'ồ', 'ố', 'ổ', 'ỗ', 'ộ'],
    ['ơ', 'ờ', 'ớ', 'ở', 'ỡ', 'ợ'],
    ['u', 'ù', 'ú', 'ủ', 'ũ', 'ụ'],
    ['ư', 'ừ', 'ứ', 'ử', 'ữ', 'ự'],
    ['y', 'ỳ', 'ý', 'ỷ', 'ỹ', 'ỵ'],
];

/// Splits a lowercase Vietnamese vowel into (untoned vowel, tone 0..=5).
/// Tone 0 is ngang (no mark); 1..=5 are huyền, sắc, hỏi, ngã, nặng.
pub(crate) fn split_tone(c: char) -> Option<(char, u8)> {
    if c.is_ascii() {
        return matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y').then_some((c, 0));
    }
    // Only search the rows of the letter `c` folds to.
    let rows = match fold_viet(c)? {
        'a' => 0..3,
        'e' => 3..5,
        'i' => 5..6,
        'o' => 6..9,
        'u' => 9..11,
        'y' => 11..12,
        _ => return None,
    };
    for row in &VOWEL_ROWS[rows] {
        if let Some(t) = row.iter().position(|&v| v == c) {
            return Some((row[0], t as u8));
        }
    }
    None
}

/// Puts tone `t` (0..=5) on the untoned lowercase vowel `v`.
pub(crate) fn with_tone(v: char, t: u8) -> char {
    for row in &VOWEL_ROWS {
        if row[0] == v {
            return row[usize::from(t.min(5))];
        }
    }
    v
}

/// Whether `c` is a lowercase Vietnamese vowel (any tone, any modifier).
pub(crate) fn is_vowel(c: char) -> bool {
    split_tone(c).is_some()
}

/// The ASCII letter a lowercase or uppercase Vietnamese letter folds to.
///
/// This is the 134-entry table of the reference as a `match`; other
/// characters return `None`.
pub(crate) fn fold_viet(c: char) -> Option<char> {
    let f = match c {
        'à' | 'á' | 'ả' | 'ã' | 'ạ' | 'ă' | 'ằ' | 'ắ' | 'ẳ' | 'ẵ' | 'ặ' | 'â' | 'ầ' | 'ấ' | 'ẩ'
        | 'ẫ' | 'ậ' => 'a',
        'è' | 'é' | 'ẻ' | 'ẽ' | 'ẹ' | 'ê' | 'ề' | 'ế' | 'ể' | 'ễ' | 'ệ' => 'e',
        'ì' | 'í' | 'ỉ' | 'ĩ' | 'ị' => 'i',
        'ò' | 'ó' | 'ỏ' | 'õ' | 'ọ' | 'ô' | 'ồ' | 'ố' | 'ổ' | 'ỗ' | 'ộ' | 'ơ' | 'ờ' | 'ớ' | 'ở'
        | 'ỡ' | 'ợ' => 'o',
        'ù' | 'ú' | 'ủ' | 'ũ' | 'ụ' | 'ư' | 'ừ' | 'ứ' | 'ử' | 'ữ' | 'ự' => 'u',
        'ỳ' | 'ý' | 'ỷ' | 'ỹ' | 'ỵ' => 'y',
        'đ' => 'd',
        'À' | 'Á' | 'Ả' | 'Ã' | 'Ạ' | 'Ă' | 'Ằ' | 'Ắ' | 'Ẳ' | 'Ẵ' | 'Ặ' | 'Â' | 'Ầ' | 'Ấ' | 'Ẩ'
        | 'Ẫ' | 'Ậ' => 'A',
        'È' | 'É' | 'Ẻ' | 'Ẽ' | 'Ẹ' | 'Ê' | 'Ề' | 'Ế' | 'Ể' | 'Ễ' | 'Ệ' => 'E',
        'Ì' | 'Í' | 'Ỉ' | 'Ĩ' | 'Ị' => 'I',
        'Ò' | 'Ó' | 'Ỏ' | 'Õ' | 'Ọ' | 'Ô' | 'Ồ' | 'Ố' | 'Ổ' | 'Ỗ' | 'Ộ' | 'Ơ' | 'Ờ' | 'Ớ' | 'Ở'
        | 'Ỡ' | 'Ợ' => 'O',
        'Ù' | 'Ú' | 'Ủ' | 'Ũ' | 'Ụ' | 'Ư' | 'Ừ' | 'Ứ' | 'Ử' | 'Ữ' | 'Ự' => 'U',
        'Ỳ' | 'Ý' | 'Ỷ' | 'Ỹ' | 'Ỵ' => 'Y',
        'Đ' => 'D',
        _ => return None,
    };
    Some(f)
}

/// Lowercases one char into `out`, mapping the Đ look-alikes (Icelandic
/// Ð/ð, African Ɖ/ɖ) to `đ`.
///
/// Returns `false` when the generic Unicode lowercasing was used (its output
/// may need recomposing, e.g. `İ` -> `i` + U+0307).
pub(crate) fn push_lower(c: char, out: &mut String) -> bool {
    match c {
        'A'..='Z' => out.push(c.to_ascii_lowercase()),
        c if c.is_ascii() => out.push(c),
        // The đồng sign is read as the letter: 150.000₫ is 150.000đ.
        'Đ' | 'Ð' | 'ð' | 'Ɖ' | 'ɖ' | '₫' => out.push('đ'),
        // Ordinal indicators are letters; as o/a they can't pair with á into
        // a mojibake signature (á + º) when `text()` is normalized again.
        'º' => out.push('o'),
        'ª' => out.push('a'),
        c => match fold_viet(c) {
            // Lowercase Vietnamese letters, the common case: no table walk.
            Some(f) if f.is_ascii_lowercase() => out.push(c),
            Some(_) => out.extend(c.to_lowercase()),
            None => {
                out.extend(c.to_lowercase());
                return false;
            }
        },
    }
    true
}

/// `char::is_alphabetic` with fast paths for ASCII and Vietnamese letters.
pub(crate) fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphabetic()
    } else {
        fold_viet(c).is_some() || c.is_alphabetic()
    }
}

/// `char::is_numeric` with fast paths for ASCII and Vietnamese letters.
pub(crate) fn is_number(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_digit()
    } else {
        fold_viet(c).is_none() && c.is_numeric()
    }
}

/// Appends the ASCII-folded form of `text` (lowercase NFC expected) to `out`:
/// Vietnamese letters through the table, other letters by dropping their
/// combining marks, lone combining marks dropped.
pub(crate) fn fold_into(text: &str, out: &mut String) {
    if text.is_ascii() {
        out.push_str(text);
        return;
    }
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else if let Some(f) = fold_viet(c) {
            out.push(f);
        } else if unicode_normalization::char::is_combining_mark(c) {
            // A mark left over after NFC (non-canonical order, stray mark).
        } else {
            let before = out.len();
            unicode_normalization::char::decompose_canonical(c, |d| {
                if !unicode_normalization::char::is_combining_mark(d) {
                    out.push(d);
                }
            });
            if out.len() == before {
                out.push(c);
            }
        }
    }
}

/// Whether `c` (lowercase) is a Vietnamese letter that is not plain ASCII.
pub(crate) fn is_viet_diacritic(c: char) -> bool {
    !c.is_ascii() && fold_viet(c).is_some()
}

/// The length in chars of the initial consonant of `chars`, the longest
/// that matches (0 when none does). The onsets: ngh ng nh ch gh gi kh ph qu
/// th tr, b c d đ g h k l m n p r s t v x.
fn onset(chars: &[char]) -> usize {
    let next = chars.get(1).copied();
    match chars.first() {
        Some('n') => match next {
            Some('g') if chars.get(2) == Some(&'h') => 3,
            Some('g' | 'h') => 2,
            _ => 1,
        },
        Some('c' | 'k' | 'p') if next == Some('h') => 2,
        Some('g') if matches!(next, Some('h' | 'i')) => 2,
        Some('t') if matches!(next, Some('h' | 'r')) => 2,
        Some('q') if next == Some('u') => 2,
        Some(
            'b' | 'c' | 'd' | 'đ' | 'g' | 'h' | 'k' | 'l' | 'm' | 'p' | 'r' | 's' | 't' | 'v' | 'x',
        ) => 1,
        _ => 0,
    }
}

/// A syllable split into onset / vowel nucleus / coda, as char indices.
#[derive(Debug)]
pub(crate) struct Parts {
    /// Index of the first nucleus char.
    pub nucleus_start: usize,
    /// One past the last nucleus char.
    pub nucleus_end: usize,
    /// Whether a final consonant follows the nucleus.
    pub has_coda: bool,
}

/// Splits a lowercase syllable (chars, tones allowed) into its parts.
/// Returns `None` when it is not shaped like a Vietnamese syllable.
pub(crate) fn parse_syllable(chars: &[char]) -> Option<Parts> {
    if chars.is_empty() || chars.len() > 8 {
        return None;
    }
    let mut onset_len = onset(chars);
    // "gi"/"qu" followed by no other vowel: the i/u is the nucleus (gì, gìn).
    if onset_len == 2 && (chars[0] == 'g' && chars[1] == 'i') {
        let rest_has_vowel = chars[2..].iter().any(|&c| is_vowel(c));
        if !rest_has_vowel {
            onset_len = 1;
        }
    }
    // "gi" with a toned i (gì, gìn) is matched by the plain "g" onset since
    // the table compares the bare 'i' only.
    let mut i = onset_len;
    while i < chars.len() && is_vowel(chars[i]) {
        i += 1;
    }
    let nucleus_end = i;
    if nucleus_end == onset_len || nucleus_end - onset_len > 3 {
        return None;
    }
    let coda = &chars[nucleus_end..];
    let has_coda = !coda.is_empty();
    // The codas: ch ng nh c m n p t.
    if has_coda
        && !matches!(
            coda,
            ['c', 'h'] | ['n', 'g'] | ['n', 'h'] | ['c' | 'm' | 'n' | 'p' | 't']
        )
    {
        return None;
    }
    Some(Parts {
        nucleus_start: onset_len,
        nucleus_end,
        has_coda,
    })
}

/// Index (into the nucleus) of the vowel that carries the tone, traditional
/// style: hòa, thủy, khỏe, úy; hoàn, thuyền, quý.
fn tone_slot(nucleus: &[char], has_coda: bool) -> usize {
    // A modified vowel takes the tone; in ươ the ơ does.
    let mut slot = None;
    for (i, &v) in nucleus.iter().enumerate() {
        if matches!(v, 'ă' | 'â' | 'ê' | 'ô' | 'ơ' | 'ư') {
            slot = Some(i);
        }
    }
    if let Some(s) = slot {
        return s;
    }
    match nucleus.len() {
        1 => 0,
        2 if has_coda => 1,
        2 => 0,
        _ => 1,
    }
}

/// Rewrites a lowercase syllable with its tone on the canonical vowel.
///
/// Returns `None` when nothing changes or the word is not a Vietnamese
/// syllable with exactly one tone mark (then it is left alone).
pub(crate) fn canonical_tone(word: &str) -> Option<String> {
    // Placement only varies when a toned vowel sits next to another vowel;
    // check that without allocating, since this runs on every word.
    let mut vowels = 0;
    let mut toned = false;
    // A tone on the last modified vowel (rồi, người, tiền) is always right.
    let mut on_last_modified = false;
    for c in word.chars() {
        if let Some((v, t)) = split_tone(c) {
            vowels += 1;
            let modified = !v.is_ascii();
            if t != 0 {
                toned = true;
                on_last_modified = modified;
            } else if modified {
                on_last_modified = false;
            }
        }
    }
    if !toned || vowels < 2 || on_last_modified {
        return None;
    }
    let chars: Vec<char> = word.chars().collect();
    let parts = parse_syllable(&chars)?;
    let mut tone = 0u8;
    let mut toned_at = None;
    let mut nucleus = Vec::with_capacity(3);
    for (i, &c) in chars[parts.nucleus_start..parts.nucleus_end]
        .iter()
        .enumerate()
    {
        let (v, t) = split_tone(c)?;
        if t != 0 {
            if toned_at.is_some() {
                return None;
            }
            tone = t;
            toned_at = Some(i);
        }
        nucleus.push(v);
    }
    let at = toned_at?;
    let slot = tone_slot(&nucleus, parts.has_coda);
    if slot == at {
        return None;
    }
    let mut out: String = chars[..parts.nucleus_start].iter().collect();
    for (i, &v) in nucleus.iter().enumerate() {
        out.push(if i == slot { with_tone(v, tone) } else { v });
    }
    out.extend(&chars[parts.nucleus_end..]);
    Some(out)
}

/// Builds a syllable from untoned chars and a tone, placing the tone
/// canonically. `None` when the result is not shaped like a syllable.
pub(crate) fn place_tone(untoned: &[char], tone: u8) -> Option<String> {
    let parts = parse_syllable(untoned)?;
    let nucleus = &untoned[parts.nucleus_start..parts.nucleus_end];
    let slot = tone_slot(nucleus, parts.has_coda);
    let mut out = String::with_capacity(untoned.len() * 3);
    for (i, &c) in untoned.iter().enumerate() {
        if tone != 0 && i == parts.nucleus_start + slot {
            out.push(with_tone(c, tone));
        } else {
            out.push(c);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fold(s: &str) -> String {
        let mut out = String::new();
        fold_into(s, &mut out);
        out
    }

    #[test]
    fn onsets_as_the_table_reads() {
        // The onsets, longest first so the longest match wins.
        const ONSETS: [&str; 27] = [
            "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr", "b", "c", "d", "đ",
            "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x",
        ];
        let table = |chars: &[char]| {
            ONSETS
                .iter()
                .map(|o| o.chars().collect::<Vec<char>>())
                .find(|o| chars.starts_with(o))
                .map_or(0, |o| o.len())
        };
        let letters: Vec<char> = "abcdđeghiklmnopqrstuvxyzfjwô".chars().collect();
        let mut checked = 0;
        for &a in &letters {
            for &b in &letters {
                for &c in &letters {
                    for w in [vec![a], vec![a, b], vec![a, b, c]] {
                        assert_eq!(onset(&w), table(&w), "{w:?}");
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 60_000);
    }

    #[test]
    fn table_has_134_letters() {
        let mut n = 0;
        for cp in 0..0x2000u32 {
            if let Some(c) = char::from_u32(cp) {
                if fold_viet(c).is_some() {
                    n += 1;
                }
            }
        }
        assert_eq!(n, 134);
        for row in &VOWEL_ROWS {
            for &c in row {
                assert!(fold_viet(c).is_some() || c.is_ascii(), "{c}");
                let up: String = c.to_uppercase().collect();
                let up = up.chars().next().unwrap();
                assert!(fold_viet(up).is_some() || up.is_ascii(), "{up}");
            }
        }
    }

    #[test]
    fn folding() {
        for (input, want) in [
            ("đơn hàng", "don hang"),
            ("được", "duoc"),
            ("café", "cafe"),
            ("ñ", "n"),
            ("a\u{0302}", "a"),
            ("日本", "日本"),
        ] {
            assert_eq!(fold(input), want, "input: {input:?}");
        }
    }

    #[test]
    fn tone_canonical() {
        for (input, want) in [
            ("hoà", Some("hòa")),
            ("thuỷ", Some("thủy")),
            ("khoẻ", Some("khỏe")),
            ("uý", Some("úy")),
            ("hoá", Some("hóa")),
            ("hòa", None),
            ("hoàn", None),
            ("hòan", Some("hoàn")),
            ("quý", None),
            ("thuyền", None),
            ("ngoài", None),
            ("người", None),
            ("gì", None),
            ("giá", None),
            ("café", None),
            ("của", None),
            ("cuả", Some("của")),
            ("mưa", None),
        ] {
            assert_eq!(canonical_tone(input).as_deref(), want, "input: {input:?}");
        }
    }

    #[test]
    fn placing() {
        let s: Vec<char> = "duoc".chars().collect();
        assert_eq!(place_tone(&s, 5).as_deref(), Some("duọc"));
        let s: Vec<char> = "đươc".chars().collect();
        assert_eq!(place_tone(&s, 5).as_deref(), Some("được"));
        let s: Vec<char> = "hoa".chars().collect();
        assert_eq!(place_tone(&s, 1).as_deref(), Some("hòa"));
        let s: Vec<char> = "xyz".chars().collect();
        assert_eq!(place_tone(&s, 1), None);
    }
}
