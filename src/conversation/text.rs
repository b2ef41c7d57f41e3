//! Small text helpers: the last four digits of a phone number (values
//! themselves are found by the matcher's entity extractor), templates,
//! variant choice, language cues, time.

use std::collections::BTreeMap;

use crate::Lang;

pub(crate) use crate::normalize::truncate;

/// Truncates to `max` chars, marking the cut.
pub(crate) fn clip_chars(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).collect();
    if text.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

/// True for letters that only Vietnamese uses among vi/en (any letter with a
/// diacritic in the Vietnamese alphabet, or đ).
pub(crate) fn is_vi_letter(c: char) -> bool {
    matches!(
        c,
        'đ' | 'Đ' | 'ă' | 'Ă' | 'â' | 'Â' | 'ê' | 'Ê' | 'ô' | 'Ô' | 'ơ' | 'Ơ' | 'ư' | 'Ư'
    ) || ('\u{00C0}'..='\u{00FD}').contains(&c) && c.is_alphabetic() && c != '×' && c != '÷'
        || ('\u{1EA0}'..='\u{1EF9}').contains(&c)
        || ('\u{0300}'..='\u{0323}').contains(&c)
}

/// Words made of letters (at least two), ignoring ids, numbers and emoji:
/// how much language evidence a message carries.
pub(crate) fn word_count(text: &str) -> usize {
    text.split(|c: char| !c.is_alphanumeric() && !('\u{0300}'..='\u{036F}').contains(&c))
        .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 2)
        .filter(|w| !w.chars().any(|c| c.is_ascii_digit()))
        .count()
}

use crate::matcher::entity::digit_runs;
pub(crate) use crate::matcher::entity::{find_email, find_phone};

/// `value` as an e-mail address, lowercased, when it is one (the matcher's
/// one strict validation, `matcher::entity::email`).
pub(crate) fn valid_email(value: &str) -> Option<String> {
    crate::matcher::entity::email(value)
}

/// A value safe to put into a reply: at most 64 characters, no control
/// characters and nothing that markup, a script or a template could use
/// (`<>"'` and backquote, `{}`, `()`, `[]`, `\`, `/`, `:`, `;`, `=`).
pub(crate) fn safe_value(value: &str) -> bool {
    !value.is_empty()
        && value.chars().count() <= 64
        && !value.chars().any(|c| {
            c.is_control()
                || matches!(
                    c,
                    '<' | '>'
                        | '"'
                        | '\''
                        | '`'
                        | '{'
                        | '}'
                        | '('
                        | ')'
                        | '['
                        | ']'
                        | '\\'
                        | '/'
                        | ':'
                        | ';'
                        | '='
                )
        })
}

/// Two replies as one: the second's opening "Dạ, " is dropped (one "Dạ"
/// per message reads naturally) and its first letter uppercased.
pub(crate) fn join_sentences(a: &str, b: &str) -> String {
    let b = b.trim();
    // One "Dạ" opens the reply; the next sentence goes on without one.
    let rest = b.strip_prefix("Dạ, ").or_else(|| {
        b.strip_prefix("Dạ ")
            .filter(|r| r.starts_with(char::is_alphabetic))
    });
    let b = match rest {
        Some(rest) if !a.trim().is_empty() => capitalize(rest),
        _ => b.to_string(),
    };
    match (a.trim().is_empty(), b.is_empty()) {
        (true, _) => b,
        (_, true) => a.trim().to_string(),
        _ => format!("{} {b}", a.trim()),
    }
}

/// A swear word typed with asterisks (`f***`, `f*ck`, `sh*t`, `đ*t`,
/// `đ**`): meant as profanity, whatever the lexicons cannot read.
pub(crate) fn masked_profanity(text: &str) -> bool {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(
            r"^(?:f[*u][*c]?[*k]?(?:ing|in|ed|er|s)?|f\*+|sh[*i]\*?t|s\*{2,}t?|b[*i]\*?tch|a\*+(?:hole|s)|d[*i]\*?t|d\*+|c\*+c|l\*+n|d\*+m|v\*+l|wt\*+)$",
        )
        .expect("the masked profanity pattern compiles")
    });
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | '.' | '!' | '?' | ';' | ':' | '"'))
        .filter(|t| t.contains('*') && t.chars().any(char::is_alphabetic))
        .any(|t| {
            re.is_match(&crate::normalize::fold(
                t.trim_matches(|c: char| !c.is_alphanumeric() && c != '*'),
            ))
        })
}

/// The message holds digits, but not four and not a phone number: an
/// answer to "the last 4 digits" typed short or long ("567").
pub(crate) fn wrong_length_digits(text: &str) -> bool {
    find_phone(text).is_none()
        && digit_runs(text)
            .iter()
            .any(|r| matches!(r.len(), 1..=3 | 5..=9))
}

/// The last four digits the customer gave: a run of exactly four digits, or
/// the end of a full phone number.
pub(crate) fn find_last4(text: &str) -> Option<String> {
    let runs = digit_runs(text);
    if let Some(r) = runs.iter().find(|r| r.len() == 4) {
        return Some(r.clone());
    }
    find_phone(text).map(|p| p[p.len() - 4..].to_string())
}

/// The last four digits of a stored phone number.
pub(crate) fn last4_of(phone: &str) -> Option<String> {
    let d: String = phone.chars().filter(|c| c.is_ascii_digit()).collect();
    (d.len() >= 4).then(|| d[d.len() - 4..].to_string())
}

/// FNV-1a, for a variant choice that is stable across runs and platforms.
pub(crate) fn fnv(bytes: &[u8], seed: u64) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ seed;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Fills `{name}` placeholders from `vars`; unknown names become empty
/// (config validation rejects them up front, so this only covers values the
/// host did not return).
/// A label as a button: first letter uppercase (`"hủy đơn"` -> `"Hủy đơn"`).
pub(crate) fn capitalize(label: &str) -> String {
    let mut chars = label.chars();
    match chars.next() {
        Some(f) => f.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Text compared loosely: folded (lowercase, no accents), punctuation at
/// either end dropped, spaces collapsed.
pub(crate) fn loose(text: &str) -> String {
    let t = text.trim_matches(|c: char| c.is_whitespace() || c.is_ascii_punctuation());
    crate::normalize::fold(t)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

pub(crate) fn render(template: &str, vars: &BTreeMap<&str, String>) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        match after.find('}') {
            Some(j)
                if j > 0
                    && after[..j]
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_') =>
            {
                if let Some(v) = vars.get(&after[..j]) {
                    out.push_str(v);
                }
                rest = &after[j + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    // Collapse the double spaces an empty value leaves behind.
    let mut cleaned = String::with_capacity(out.len());
    for c in out.chars() {
        if c == ' ' && cleaned.ends_with(' ') {
            continue;
        }
        cleaned.push(c);
    }
    cleaned.trim().to_string()
}

/// What to show for an order field the host did not return.
pub(crate) fn unknown_value(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "(đang cập nhật)",
        Lang::En => "(not available yet)",
    }
}

/// Local shop time: (weekday 0 = Sunday, minute of day).
pub(crate) fn local_time(now: i64, offset_secs: i64) -> (usize, u32) {
    let local = now.saturating_add(offset_secs);
    let days = local.div_euclid(86_400);
    // 1970-01-01 was a Thursday.
    let weekday = (days + 4).rem_euclid(7) as usize;
    let minute = (local.rem_euclid(86_400) / 60) as u32;
    (weekday, minute)
}

pub(crate) fn hhmm(min: u32) -> String {
    format!("{:02}:{:02}", min / 60, min % 60)
}

pub(crate) fn day_name(day: usize, lang: Lang) -> &'static str {
    const VI: [&str; 7] = [
        "Chủ nhật",
        "thứ Hai",
        "thứ Ba",
        "thứ Tư",
        "thứ Năm",
        "thứ Sáu",
        "thứ Bảy",
    ];
    const EN: [&str; 7] = [
        "Sunday",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
    ];
    match lang {
        Lang::Vi => VI[day % 7],
        Lang::En => EN[day % 7],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_and_last4() {
        assert_eq!(find_phone("+84 912.345.678").as_deref(), Some("0912345678"));
        assert_eq!(
            find_phone("sdt 0912 345 678 nha").as_deref(),
            Some("0912345678")
        );
        assert_eq!(find_last4("5678 ạ").as_deref(), Some("5678"));
        assert_eq!(find_last4("0912345678").as_deref(), Some("5678"));
        assert_eq!(find_last4("không nhớ"), None);
    }

    #[test]
    fn masked_profanity_is_read() {
        for t in [
            "f*** this shop",
            "F*CK",
            "what the f*ck",
            "sh*t service",
            "đ*t",
            "đ** shop",
            "d*t me",
            "fu*k you",
            "f**king slow",
        ] {
            assert!(masked_profanity(t), "help: {t}");
        }
        for t in [
            "5* rating",
            "đơn *DH123456*",
            "hoa don do",
            "giảm 50%*",
            "**",
            "size M*",
            "ok*",
        ] {
            assert!(!masked_profanity(t), "help: {t}");
        }
    }

    #[test]
    fn emails_are_validated_strictly() {
        for ok in ["an.nguyen@gmail.com", "A+b_c-d@mail.shop-demo.vn", "x@y.io"] {
            assert!(valid_email(ok).is_some(), "help: {ok}");
        }
        for bad in [
            "x@y.z\"onmouseover=\"alert(1)",
            "javascript:alert(1)//@x.io",
            "{order_id}@a.bc",
            "x@y.z",
            "a..b@x.io",
            "a@-x.io",
            "a@x.i0",
            "a@localhost",
            "ạ@x.io",
            "a@b@c.io",
        ] {
            assert_eq!(valid_email(bad), None, "help: {bad}");
        }
        assert_eq!(
            find_email("mail: An.Nguyen@Gmail.com.").as_deref(),
            Some("an.nguyen@gmail.com")
        );
        assert_eq!(find_email("x@y.z\"onmouseover=\"alert(1)"), None);
        assert_eq!(find_email("javascript:alert(1)//@x.io"), None);
        assert_eq!(find_email("email em {order_id}@a.bc nha"), None);
        assert!(safe_value("DH123456") && safe_value("J&T Express") && safe_value("size M"));
        assert!(!safe_value("<b>") && !safe_value("{order_id}") && !safe_value("javascript:x"));
    }

    #[test]
    fn one_da_per_message() {
        assert_eq!(
            join_sentences(
                "Dạ, tiếp theo là đơn DH1 ạ.",
                "Dạ, để bảo mật thông tin, anh/chị cho em xin 4 số cuối ạ."
            ),
            "Dạ, tiếp theo là đơn DH1 ạ. Để bảo mật thông tin, anh/chị cho em xin 4 số cuối ạ."
        );
        assert_eq!(
            join_sentences(
                "Dạ, phí ship 30.000đ ạ.",
                "Dạ anh/chị trả bằng MoMo được ạ."
            ),
            "Dạ, phí ship 30.000đ ạ. Anh/chị trả bằng MoMo được ạ."
        );
        assert_eq!(join_sentences("", "Dạ vâng ạ."), "Dạ vâng ạ.");
        assert_eq!(
            join_sentences("Order DH1 is packed.", "Next, order DH2."),
            "Order DH1 is packed. Next, order DH2."
        );
    }

    #[test]
    fn templates() {
        let mut v = BTreeMap::new();
        v.insert("order_id", "DH1".to_string());
        assert_eq!(
            render("Đơn {order_id} {missing} xong {x y}", &v),
            "Đơn DH1 xong {x y}"
        );
    }

    #[test]
    fn words_and_truncation() {
        assert_eq!(word_count("ok"), 1);
        assert_eq!(word_count("DH123456"), 0);
        assert_eq!(word_count("where is my order"), 4);
        assert_eq!(truncate("đơn", 2), "đ");
        assert!(is_vi_letter('ơ') && is_vi_letter('ệ') && !is_vi_letter('e'));
    }

    #[test]
    fn weekdays() {
        // 2026-11-25 12:00 UTC is a Wednesday; 19:00 in UTC+7.
        let (d, m) = local_time(1_795_608_000, 7 * 3600);
        assert_eq!((d, m), (3, 19 * 60));
    }
}
