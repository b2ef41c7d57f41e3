//! Entities: the one place that says what a phone number, an e-mail
//! address, an order id and an amount of money look like.
//!
//! The matcher runs the rules' entity regexes over a message ([`extract`])
//! and canonicalises what they capture with the value normalisers below
//! ([`phone`], [`email`], [`order_id`], [`money`]). The conversation finds
//! values in free text with the same validation ([`find_phone`],
//! [`find_email`]), for rule sets that define no such entity and for
//! answers the rules' regexes do not anchor.

use super::types::Entity;
use crate::normalize::Normalized;
use crate::rules::{EntityIr, EntityNorm};

/// The rules' entities, compiled: each entity's regex, and one set of all
/// of them that says in one pass over the message which can match at all.
pub(crate) struct Entities {
    defs: Vec<EntityIr>,
    /// `None` when the set would be too large; each regex then runs alone.
    any: Option<regex::RegexSet>,
}

impl Entities {
    pub(crate) fn new(defs: Vec<EntityIr>) -> Entities {
        let any = (defs.len() > 1)
            .then(|| {
                regex::RegexSetBuilder::new(defs.iter().map(|e| e.regex.as_str()))
                    .size_limit(crate::rules::REGEX_SIZE_LIMIT * 8)
                    .build()
                    .ok()
            })
            .flatten();
        Entities { defs, any }
    }

    /// Every entity of `n`, in message order. Regexes run over the cleaned
    /// text and spans map back through the normalizer's offset map.
    pub(crate) fn extract(&self, n: &Normalized) -> Vec<Entity> {
        let mut out = Vec::new();
        let text = n.clean();
        // One pass over the message decides which entities can match; most
        // messages hold none. Captures need the slower engines, so only
        // the entities present pay for them.
        let present = self.any.as_ref().map(|set| set.matches(text));
        for (i, e) in self.defs.iter().enumerate() {
            let here = match &present {
                Some(p) => p.matched(i),
                None => e.regex.is_match(text),
            };
            if !here {
                continue;
            }
            for caps in e.regex.captures_iter(text) {
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
                    out.push(Entity {
                        name: e.name.clone(),
                        value,
                        span: n.clean_to_original(m.range()),
                    });
                }
            }
        }
        out.sort_by_key(|e| e.span.start);
        out
    }
}

/// Turns the captured text into the entity's canonical value, or `None`
/// when the text is not a valid value of that kind.
pub(crate) fn normalize_value(norm: EntityNorm, raw: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    match norm {
        EntityNorm::OrderId => order_id(raw),
        EntityNorm::Phone => phone(raw),
        EntityNorm::Email => email(raw),
        EntityNorm::Money => money(raw),
        EntityNorm::Upper => Some(raw.to_uppercase()),
        EntityNorm::Lower => Some(raw.to_lowercase()),
        EntityNorm::Digits => {
            let d: String = raw.chars().filter(|c| c.is_ascii_digit()).collect();
            (!d.is_empty()).then_some(d)
        }
        EntityNorm::None => Some(raw.to_string()),
    }
}

/// `#dh-123 456.` -> `DH123456`: uppercase, without `#`, spaces, dashes,
/// dots and surrounding punctuation. Must hold a digit, 4 to 32 chars.
pub(crate) fn order_id(raw: &str) -> Option<String> {
    let trimmed = raw.trim_matches(|c: char| !c.is_alphanumeric());
    let mut out = String::with_capacity(trimmed.len());
    for c in trimmed.chars() {
        match c {
            ' ' | '-' | '.' | '_' | '#' | '/' => {}
            c if c.is_ascii_alphanumeric() => out.push(c.to_ascii_uppercase()),
            // "đh123456": typed with the Vietnamese keyboard still on.
            'đ' | 'Đ' => out.push('D'),
            _ => return None,
        }
    }
    let ok = (4..=32).contains(&out.len()) && out.bytes().any(|b| b.is_ascii_digit());
    ok.then_some(out)
}

/// Vietnamese phone numbers in any common spelling -> `0xxxxxxxxx`.
pub(crate) fn phone(raw: &str) -> Option<String> {
    let mut digits = String::new();
    for (i, c) in raw.chars().enumerate() {
        match c {
            '0'..='9' => digits.push(c),
            '+' if i == 0 || digits.is_empty() => {}
            ' ' | '.' | '-' | '(' | ')' | '+' => {}
            _ => return None,
        }
    }
    phone_digits(&digits)
}

/// A run of digits as a Vietnamese phone number: `0`, `84` or `840`, then a
/// mobile number (9 digits from 3, 5, 7, 8 or 9) or a landline (10 digits
/// from 2). Canonical form: `0` + the national number.
fn phone_digits(digits: &str) -> Option<String> {
    let rest = match digits.strip_prefix("84").filter(|r| r.len() >= 9) {
        Some(r) => r,
        None => digits.strip_prefix('0')?,
    };
    // "+84 0912...": the trunk 0 written after the country code.
    let rest = rest.strip_prefix('0').unwrap_or(rest);
    let b = rest.as_bytes();
    let mobile = b.len() == 9 && matches!(b[0], b'3' | b'5' | b'7' | b'8' | b'9');
    let landline = b.len() == 10 && b[0] == b'2';
    (mobile || landline).then(|| format!("0{rest}"))
}

/// Runs of digits in free text, with spaces, dots and dashes inside a
/// number ignored (`0912 345 678`); runs over 16 digits are dropped.
pub(crate) fn digit_runs(text: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut cur = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            cur.push(c);
        } else if matches!(c, ' ' | '.' | '-')
            && !cur.is_empty()
            && chars.peek().is_some_and(|n| n.is_ascii_digit())
        {
            continue;
        } else if !cur.is_empty() {
            runs.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        runs.push(cur);
    }
    runs.retain(|r| r.len() <= 16);
    runs
}

/// The first Vietnamese phone number in free text, canonical.
pub(crate) fn find_phone(text: &str) -> Option<String> {
    digit_runs(text).iter().find_map(|r| phone_digits(r))
}

/// The first e-mail address in free text, lowercased.
pub(crate) fn find_email(text: &str) -> Option<String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '<' | '>' | '(' | ')'))
        .filter(|t| t.contains('@'))
        .find_map(email)
}

/// Lowercased e-mail address, if it is one. Punctuation around it
/// (`mail: an@x.vn.`) is trimmed; then the local part must be letters,
/// digits and `._%+-` (not starting or ending with a dot, no two dots in a
/// row), the domain at least two labels of letters, digits and inner
/// hyphens with an alphabetic TLD, all ASCII, 254 bytes at most. Quotes,
/// markup, `javascript:` or braces make it no address, so they can never
/// reach a reply through it.
pub(crate) fn email(raw: &str) -> Option<String> {
    let e = raw
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_ascii_lowercase();
    if e.is_empty() || e.len() > 254 || !e.is_ascii() {
        return None;
    }
    let (user, domain) = e.split_once('@')?;
    let user_ok = (1..=64).contains(&user.len())
        && user
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._%+-".contains(&b))
        && !user.starts_with('.')
        && !user.ends_with('.')
        && !user.contains("..");
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            (1..=63).contains(&l.len())
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()));
    (user_ok && domain_ok).then_some(e)
}

/// Money in the ways Vietnamese and English customers write it:
/// `200k`, `1tr5`, `1,5tr`, `1.500.000đ`, `150,000 VND`, `2 củ`, `$15.99`.
/// Returns `"<amount> <CUR>"`, the amount an integer (VND, or USD cents).
pub(crate) fn money(raw: &str) -> Option<String> {
    let lower = raw.to_lowercase();
    let s = lower.trim();
    let usd =
        s.starts_with('$') || s.ends_with("usd") || s.ends_with('$') || s.ends_with("dollars");
    // Split into the numeric head and the unit tail.
    let body = s.trim_start_matches('$');
    let num_end = body
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(body.len());
    let (num, unit) = body.split_at(num_end);
    let unit = unit.trim();
    if num.is_empty() || !num.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    // "1tr5" / "1k5": digits after the unit are the next place down.
    let (unit_word, tail_digits) = {
        let split = unit
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(unit.len());
        (unit[..split].trim(), &unit[split..])
    };
    let multiplier: u64 = match unit_word {
        "k" | "nghìn" | "ngàn" | "nghin" | "ngan" | "ng" => 1_000,
        "tr" | "triệu" | "trieu" | "củ" | "cu" | "m" => 1_000_000,
        "tỷ" | "tỉ" | "ty" | "ti" | "tỏi" => 1_000_000_000,
        "" | "đ" | "d" | "₫" | "vnd" | "vnđ" | "dong" | "đồng" | "usd" | "$" | "dollars" => {
            1
        }
        _ => return None,
    };
    if !tail_digits.is_empty()
        && (multiplier == 1 || !tail_digits.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let value = parse_number(num, usd)?;
    if usd {
        let cents = (value * 100.0).round();
        return (cents.is_finite() && cents < 1e15).then(|| format!("{} USD", cents as u64));
    }
    let mut amount = value * multiplier as f64;
    if !tail_digits.is_empty() {
        // 1tr5 = 1.5 million; 1k5 = 1.5 thousand; 1tr25 = 1.25 million.
        let frac: f64 = format!("0.{tail_digits}").parse().ok()?;
        amount += frac * multiplier as f64;
    }
    let amount = amount.round();
    (1.0..1e15)
        .contains(&amount)
        .then(|| format!("{} VND", amount as u64))
}

/// Parses "1.500.000", "150,000", "1,5", "1.5", "15.99" (USD).
/// A separator followed by exactly three digits (and not the last one in an
/// English price) is a thousands separator; otherwise a decimal point.
fn parse_number(num: &str, usd: bool) -> Option<f64> {
    let seps: Vec<(usize, char)> = num
        .char_indices()
        .filter(|(_, c)| *c == '.' || *c == ',')
        .collect();
    if seps.is_empty() {
        return num.parse().ok();
    }
    let mut digits = String::new();
    let groups: Vec<&str> = num.split(['.', ',']).collect();
    let all_thousands =
        groups.len() >= 2 && groups[1..].iter().all(|g| g.len() == 3) && !groups[0].is_empty();
    if all_thousands && !(usd && groups.len() == 2 && seps[0].1 == '.') {
        for g in groups {
            digits.push_str(g);
        }
        return digits.parse().ok();
    }
    // One decimal separator (the last); earlier ones are thousands.
    let (last_at, _) = *seps.last()?;
    for (i, c) in num.char_indices() {
        if i == last_at {
            digits.push('.');
        } else if c.is_ascii_digit() {
            digits.push(c);
        }
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_forms() {
        for (input, want) in [
            ("200k", Some("200000 VND")),
            ("200K", Some("200000 VND")),
            ("150 nghìn", Some("150000 VND")),
            ("1tr5", Some("1500000 VND")),
            ("1tr2", Some("1200000 VND")),
            ("1,5tr", Some("1500000 VND")),
            ("1.5 triệu", Some("1500000 VND")),
            ("1.500.000đ", Some("1500000 VND")),
            ("1.500.000 đ", Some("1500000 VND")),
            ("150.000₫", Some("150000 VND")),
            ("150,000 VND", Some("150000 VND")),
            ("150.000vnđ", Some("150000 VND")),
            ("2 củ", Some("2000000 VND")),
            ("1k5", Some("1500 VND")),
            ("$15.99", Some("1599 USD")),
            ("20 usd", Some("2000 USD")),
            ("abc", None),
            ("12 quả", None),
        ] {
            assert_eq!(money(input).as_deref(), want, "input: {input}");
        }
    }

    #[test]
    fn phones() {
        for (input, want) in [
            ("0912 345 678", Some("0912345678")),
            ("0912.345.678", Some("0912345678")),
            ("0912-345-678", Some("0912345678")),
            ("+84 912 345 678", Some("0912345678")),
            ("84912345678", Some("0912345678")),
            ("(+84) 912345678", Some("0912345678")),
            ("+84 0912345678", Some("0912345678")),
            ("02838123456", Some("02838123456")),
            ("0112345678", None),
            ("091234567", None),
            ("8402838123456", Some("02838123456")),
        ] {
            assert_eq!(phone(input).as_deref(), want, "input: {input}");
        }
    }

    #[test]
    fn order_ids_and_emails() {
        assert_eq!(order_id("#dh-123456.").as_deref(), Some("DH123456"));
        assert_eq!(order_id("AB 123 45").as_deref(), Some("AB12345"));
        assert_eq!(order_id("đh123456").as_deref(), Some("DH123456"));
        assert_eq!(order_id("abc"), None);
        assert_eq!(
            email("An.Nguyen@Gmail.com.").as_deref(),
            Some("an.nguyen@gmail.com")
        );
        assert_eq!(email("an@localhost"), None);
        assert_eq!(email("an@b@x.vn"), None);
        assert_eq!(email("an@xn.vn!").as_deref(), Some("an@xn.vn"));
    }

    #[test]
    fn values_in_free_text() {
        for (text, want) in [
            ("sdt 0912 345 678 nha", Some("0912345678")),
            ("+84 912.345.678", Some("0912345678")),
            ("gọi em số 84912345678 ạ", Some("0912345678")),
            ("mã đơn 123456, giá 150.000đ", None),
            ("call me at 0283 812 3456", Some("02838123456")),
        ] {
            assert_eq!(find_phone(text).as_deref(), want, "text: {text}");
        }
        assert_eq!(
            find_email("mail: An.Nguyen@Gmail.com.").as_deref(),
            Some("an.nguyen@gmail.com")
        );
        assert_eq!(
            find_email("email em là (lan@shop.vn), cảm ơn").as_deref(),
            Some("lan@shop.vn")
        );
        assert_eq!(find_email("không có @ đâu"), None);
    }
}
