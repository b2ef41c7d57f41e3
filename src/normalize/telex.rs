//! Decoding raw Telex and VNI keystrokes typed with the IME off.
//!
//! Only the shape is checked here (a strong keystroke signature and a valid
//! syllable); the caller also requires the result to be a known syllable and
//! the token not to be a known word.

use super::viet::{is_vowel, place_tone};

/// Which input method a decoded token was typed with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Method {
    Telex,
    Vni,
}

fn tone_key(c: char) -> Option<u8> {
    match c {
        'f' => Some(1),
        's' => Some(2),
        'r' => Some(3),
        'x' => Some(4),
        'j' => Some(5),
        'z' => Some(0),
        _ => None,
    }
}

fn is_plain_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y')
}

/// Decodes a lowercase ASCII token typed in Telex or VNI. Returns the
/// syllable (lowercase NFC, canonical tone) when the token carries a strong
/// signature and decodes to a well-formed syllable.
pub(crate) fn decode(token: &str) -> Option<(String, Method)> {
    if token.len() < 2 || token.len() > 12 || !token.is_ascii() {
        return None;
    }
    if !maybe_keystrokes(token.as_bytes()) {
        return None;
    }
    if token.bytes().any(|b| b.is_ascii_digit()) {
        decode_vni(token).map(|s| (s, Method::Vni))
    } else {
        decode_telex(token).map(|s| (s, Method::Telex))
    }
}

/// A cheap, allocation-free over-approximation of "has a strong Telex or
/// VNI signature", run before the real decoder on every ASCII word.
fn maybe_keystrokes(b: &[u8]) -> bool {
    if b.starts_with(b"dd") {
        return true;
    }
    let mut vowels = 0;
    let mut coda = false;
    for (i, &c) in b.iter().enumerate() {
        if c == b'w' || c.is_ascii_digit() {
            return true;
        }
        if matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y') {
            let doubled = i > 0 && b[i - 1] == c;
            if matches!(c, b'a' | b'e' | b'o') && (doubled || coda) {
                return true;
            }
            vowels += 1;
        } else if vowels > 0 {
            if matches!(c, b'f' | b's' | b'r' | b'x' | b'j' | b'z')
                && (coda
                    || vowels >= 2
                    || b.get(i + 1)
                        .is_some_and(|n| matches!(n, b'c' | b'm' | b'n' | b'p' | b't')))
            {
                return true;
            }
            coda = true;
        }
    }
    false
}

fn decode_telex(token: &str) -> Option<String> {
    let chars: Vec<char> = token.chars().collect();
    if !chars.iter().all(|c| c.is_ascii_lowercase()) {
        return None;
    }
    let mut strong = false;
    let mut out: Vec<char> = Vec::with_capacity(chars.len());
    let mut i = 0;
    if chars.len() >= 2 && chars[0] == 'd' && chars[1] == 'd' {
        out.push('đ');
        i = 2;
        strong = true;
    }
    // Onset letters (before the first vowel) are never tone keys.
    while i < chars.len() && !is_plain_vowel(chars[i]) {
        if chars[i] == 'w' {
            break;
        }
        out.push(chars[i]);
        i += 1;
    }
    let onset_end = out.len();
    let mut tone: Option<u8> = None;
    let mut horn = false;
    let mut vowels_seen = 0usize;
    let mut after_coda = false;
    while i < chars.len() {
        let c = chars[i];
        if c == 'w' {
            strong = true;
            if vowels_seen == 0 {
                // A lone `w` is ư: "tw" is tư, "nhw" is như.
                out.push('ư');
                vowels_seen += 1;
            } else {
                horn = true;
            }
        } else if let Some(t) = tone_key(c) {
            if tone.is_some() {
                return None;
            }
            // Tone after a final consonant or after a vowel cluster is a
            // strong signature; after a single vowel it is weak (cos, bus)
            // unless a final consonant follows it (hafng).
            if after_coda || vowels_seen >= 2 {
                strong = true;
            }
            if !after_coda
                && chars
                    .get(i + 1)
                    .is_some_and(|&n| matches!(n, 'c' | 'm' | 'n' | 'p' | 't'))
            {
                strong = true;
            }
            tone = Some(t);
        } else if is_plain_vowel(c) {
            // aa ee oo: circumflex.
            if let Some(&last) = out.last() {
                if out.len() > onset_end && last == c && matches!(c, 'a' | 'e' | 'o') {
                    *out.last_mut()? = circumflex(c);
                    strong = true;
                    i += 1;
                    continue;
                }
            }
            if after_coda {
                // A vowel after the coda: doubled vowel typed late (e.g.
                // "khongo") is not supported; such a token is not Telex.
                let n = out.len();
                let mut k = n;
                while k > onset_end && !is_vowel(out[k - 1]) {
                    k -= 1;
                }
                if k > onset_end && out[k - 1] == c && matches!(c, 'a' | 'e' | 'o') {
                    out[k - 1] = circumflex(c);
                    strong = true;
                    i += 1;
                    continue;
                }
                return None;
            }
            out.push(c);
            vowels_seen += 1;
        } else {
            if vowels_seen == 0 {
                return None;
            }
            after_coda = true;
            out.push(c);
        }
        i += 1;
    }
    if horn {
        apply_horn(&mut out[onset_end..])?;
    }
    if !strong {
        return None;
    }
    place_tone(&out, tone.unwrap_or(0))
}

/// Applies Telex `w` to the nucleus: uo -> ươ, o -> ơ, u -> ư, a -> ă.
fn apply_horn(rest: &mut [char]) -> Option<()> {
    let n = rest.len();
    for k in 0..n.saturating_sub(1) {
        if rest[k] == 'u' && rest[k + 1] == 'o' {
            rest[k] = 'ư';
            rest[k + 1] = 'ơ';
            return Some(());
        }
    }
    for target in ['o', 'u', 'a'] {
        if let Some(k) = rest.iter().position(|&c| c == target) {
            rest[k] = match target {
                'o' => 'ơ',
                'u' => 'ư',
                _ => 'ă',
            };
            return Some(());
        }
    }
    None
}

fn decode_vni(token: &str) -> Option<String> {
    let mut out: Vec<char> = Vec::with_capacity(token.len());
    let mut tone: Option<u8> = None;
    let mut letters = 0;
    for c in token.chars() {
        match c {
            'a'..='z' => {
                out.push(c);
                letters += 1;
            }
            '9' => {
                if out.last() != Some(&'d') {
                    return None;
                }
                *out.last_mut()? = 'đ';
            }
            '6' | '7' | '8' => {
                let targets: &[char] = match c {
                    '6' => &['a', 'e', 'o'],
                    '7' => &['o', 'u'],
                    _ => &['a'],
                };
                let k = out.iter().rposition(|x| targets.contains(x))?;
                out[k] = match (c, out[k]) {
                    ('6', 'a') => 'â',
                    ('6', 'e') => 'ê',
                    ('6', _) => 'ô',
                    ('7', 'o') => {
                        if k > 0 && out[k - 1] == 'u' {
                            out[k - 1] = 'ư';
                        }
                        'ơ'
                    }
                    ('7', _) => 'ư',
                    _ => 'ă',
                };
            }
            '0'..='5' => {
                if tone.is_some() || !out.iter().any(|&x| is_vowel(x)) {
                    return None;
                }
                // VNI: 1 sắc, 2 huyền; our order is huyền = 1, sắc = 2.
                tone = Some(match c {
                    '1' => 2,
                    '2' => 1,
                    d => (d as u8) - b'0',
                });
            }
            _ => return None,
        }
    }
    // One letter and a digit ("a2", "e1") is more likely a code or a size.
    if letters < 2 {
        return None;
    }
    place_tone(&out, tone.unwrap_or(0))
}

/// The vowel a doubled Telex key makes: aa -> â, ee -> ê, oo -> ô.
fn circumflex(c: char) -> char {
    match c {
        'a' => 'â',
        'e' => 'ê',
        _ => 'ô',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn telex() {
        for (input, want) in [
            ("dduwowcj", Some("được")),
            ("dduowcj", Some("được")),
            ("dduocwj", Some("được")),
            ("hangf", Some("hàng")),
            ("ddown", Some("đơn")),
            ("khoong", Some("không")),
            ("nguwowif", Some("người")),
            ("tieenf", Some("tiền")),
            ("hoanf", Some("hoàn")),
            ("muwa", Some("mưa")),
            ("hafng", Some("hàng")),
            ("tw", Some("tư")),
            ("nhw", Some("như")),
            ("what", None),
            ("cos", None),
            ("bus", None),
            ("hang", None),
            ("order", None),
        ] {
            assert_eq!(decode_telex(input).as_deref(), want, "input: {input:?}");
        }
    }

    #[test]
    fn vni() {
        for (input, want) in [
            ("d9u7o7c5", Some("được")),
            ("d9o7n", Some("đơn")),
            ("ha2ng", Some("hàng")),
            ("kho6ng", Some("không")),
            ("d9uo7c5", Some("được")),
            ("123", None),
            ("dh123", None),
        ] {
            assert_eq!(decode_vni(input).as_deref(), want, "input: {input:?}");
        }
    }
}
