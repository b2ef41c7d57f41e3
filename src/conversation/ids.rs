//! Order ids and carrier tracking codes in customer messages.
//!
//! Shops and marketplaces use many id shapes (`DH123456`, `#R5T8W2`,
//! `ORD-50317`, `SO-2025-1102`, 15-digit marketplace ids, date-prefixed
//! `250301HX7KQ2MB`) and carriers their own tracking codes (`SPXVN…`,
//! `EB123456789VN`, a short code after `GHN:`). Almost any of those shapes is
//! also the shape of something else: a price, a phone number, a voucher code,
//! a product code. So a code counts as an id only in context:
//!
//! 1. after an anchor: `mã đơn`, `đơn`, `order`, `order no.`, `#`, … for
//!    order ids; `tracking`, `mã vận đơn`, a carrier's name for tracking
//!    codes; with at most a few filler words between (`mã đơn của em là`);
//! 2. or when the message is nothing but the code (and politeness words), or
//!    the bot has just asked for an order id;
//! 3. or, without context, when the shape names itself: `SPXVN` + digits,
//!    the UPU shape `EB123456789VN`, and the pack's own demo shape
//!    `DH` + 6 to 10 digits.
//!
//! A shop that declares its own shapes (`conversation.order_id.patterns`)
//! replaces the generic order-id shapes: a code of the shop's shape is an id
//! anywhere, other codes never are. Tracking codes are still recognised.
//!
//! Codes typed with spaces inside (`SPX VN 0123 4567 8901`, `ab 123 45`,
//! `250301 HX7KQ2MB`) are joined when the first part alone is not an id, or
//! when the parts form a more specific shape (a date prefix, digit groups).
//! A phone number, a price (`150k`, `1.500.000đ`), a date or a 4-digit
//! answer is never an id.

use regex::Regex;

/// What a recognised code is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IdKind {
    /// A shop's or marketplace's order id.
    Order,
    /// A carrier's tracking code.
    Tracking,
}

/// A code found in a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FoundId {
    /// Normalised: uppercase ASCII, without `#`, spaces, dashes, dots.
    pub value: String,
    pub kind: IdKind,
    /// The carrier, for tracking codes when the message or the shape names it.
    pub carrier: Option<&'static str>,
}

/// How the bot came to read the message.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct IdContext<'a> {
    /// The bot just asked for an order id: a code alone is one.
    pub asked: bool,
    /// The shop's own shapes (`conversation.order_id.patterns`), matched
    /// against the normalised id; when not empty they replace the generic
    /// order-id shapes.
    pub shapes: &'a [Regex],
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Anchor {
    Order,
    Tracking(Option<&'static str>),
}

struct Tok<'a> {
    /// The token as typed, edge punctuation trimmed (a leading `#` kept).
    raw: &'a str,
    /// Folded (lowercase, no diacritics) for context words.
    folded: String,
    /// Starts with `#`.
    hash: bool,
}

/// Order-id anchors, folded word by word. Longer ones first.
const ORDER_ANCHORS: &[&[&str]] = &[
    &["ma", "don", "hang"],
    &["ma", "dat", "hang"],
    &["ma", "don"],
    &["ma", "dh"],
    &["so", "don"],
    &["id", "don"],
    &["ma", "order"],
    &["don", "hang"],
    &["order", "number"],
    &["order", "no"],
    &["order", "id"],
    &["order", "ref"],
    &["madon"],
    &["donhang"],
    &["don"],
    &["dh"],
    &["order"],
    &["orders"],
    &["ordered"],
];

/// Tracking anchors without a carrier.
const TRACKING_ANCHORS: &[&[&str]] = &[
    &["ma", "van", "don"],
    &["tracking", "number"],
    &["tracking", "code"],
    &["tracking", "no"],
    &["ma", "tracking"],
    &["ma", "vd"],
    &["van", "don"],
    &["mvd"],
    &["tracking"],
    &["waybill"],
];

/// Carrier names (folded) and how they are shown.
const CARRIERS: &[(&[&str], &str)] = &[
    (&["shopee", "express"], "SPX Express"),
    (&["shopee", "xpress"], "SPX Express"),
    (&["spx", "express"], "SPX Express"),
    (&["spx"], "SPX Express"),
    (&["giao", "hang", "nhanh"], "GHN"),
    (&["ghn"], "GHN"),
    (&["giao", "hang", "tiet", "kiem"], "GHTK"),
    (&["ghtk"], "GHTK"),
    (&["j&t", "express"], "J&T Express"),
    (&["j&t"], "J&T Express"),
    (&["jnt"], "J&T Express"),
    (&["jt", "express"], "J&T Express"),
    (&["viettel", "post"], "Viettel Post"),
    (&["viettelpost"], "Viettel Post"),
    (&["vtp"], "Viettel Post"),
    (&["vn", "post"], "VNPost"),
    (&["vnpost"], "VNPost"),
    (&["buu", "dien"], "VNPost"),
    (&["ninja", "van"], "Ninja Van"),
    (&["ninjavan"], "Ninja Van"),
    (&["best", "express"], "BEST Express"),
];

/// Words allowed between an anchor and the code ("mã đơn *của em là* …",
/// "order *no.* …", "GHN*:* …").
const FILLERS: &[&str] = &[
    "hang", "cua", "em", "minh", "toi", "anh", "chi", "la", "so", "no", "nr", "number", "num",
    "id", "code", "ma", "is", "my", "the", "your", "#", "of", "ben", "shop", "nay", "do", "kia",
    "ay", "nhu", "sau", "voi", "e", "m", "a", "c", "t", "moi", "cu", "vd",
];

/// Words between the ids of a list.
const CONJUNCTIONS: &[&str] = &["va", "and", "or", "hoac", "voi", "ca", "&", "+", "cung"];

/// Words that may surround a code in a message that is only the code
/// ("DH123456 ạ", "nó là #R5T8W2 nhé").
const POLITE: &[&str] = &[
    "a", "nha", "nhe", "nhen", "ne", "day", "shop", "em", "oi", "ok", "oke", "please", "pls",
    "thanks", "thank", "you", "here", "it", "its", "it's", "la", "this", "is", "ma", "no", "do",
    "vay", "nay", "ad", "ban", "sorry", "xin", "loi", "dang", "roi", "cho", "minh", "toi", "cua",
    "of", "mine", "hi", "hello", "chao", "ah", "u", "uh", "um", "vang", "da",
];

/// Anchor words that never start a code when typed in lowercase (`dh`
/// does: "dh 123456").
const ANCHOR_WORDS: &[&str] = &[
    "don",
    "order",
    "orders",
    "ordered",
    "madon",
    "donhang",
    "tracking",
    "waybill",
    "mvd",
    "van",
    "ghn",
    "ghtk",
    "spx",
    "vtp",
    "vnpost",
    "ninjavan",
    "viettelpost",
    "jnt",
    "j&t",
    "express",
    "xpress",
    "post",
    "viettel",
    "ninja",
    "shopee",
    "nhanh",
    "kiem",
    "giao",
    "buu",
    "dien",
];

/// Money units that make the number before them a price.
const MONEY_UNITS: &[&str] = &[
    "k", "d", "vnd", "dong", "nghin", "ngan", "tr", "trieu", "cu", "usd", "$", "ty", "ti",
];

fn tokens(text: &str) -> Vec<Tok<'_>> {
    let mut out = Vec::new();
    let is_sep = |c: char| {
        c.is_whitespace()
            || matches!(
                c,
                ',' | ';'
                    | ':'
                    | '('
                    | ')'
                    | '['
                    | ']'
                    | '{'
                    | '}'
                    | '?'
                    | '!'
                    | '"'
                    | '<'
                    | '>'
                    | '='
                    | '|'
                    | '*'
                    | '“'
                    | '”'
                    | '…'
            )
    };
    for raw in text.split(is_sep) {
        // Edge punctuation goes, except a leading '#' ("#R5T8W2") and the
        // '&' of "J&T".
        let trimmed = raw.trim_matches(|c: char| {
            !c.is_alphanumeric() && c != '#' && c != '&' && !('\u{0300}'..='\u{036F}').contains(&c)
        });
        let hash = trimmed.starts_with('#');
        let trimmed = trimmed.trim_start_matches('#');
        let trimmed = trimmed.trim_end_matches(|c: char| !c.is_alphanumeric());
        if trimmed.is_empty() {
            if hash {
                out.push(Tok {
                    raw: "",
                    folded: "#".into(),
                    hash: true,
                });
            }
            continue;
        }
        if trimmed.len() > 48 {
            continue;
        }
        out.push(Tok {
            raw: trimmed,
            folded: crate::normalize::fold(trimmed),
            hash,
        });
    }
    out
}

/// A token as a code part: uppercase ASCII letters and digits, separators
/// dropped; `None` when it holds anything else (a word with diacritics, a
/// date with slashes).
fn code_part(raw: &str) -> Option<String> {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '-' | '.' | '_' => {}
            'đ' | 'Đ' => out.push('D'),
            c if c.is_ascii_alphanumeric() => out.push(c.to_ascii_uppercase()),
            _ => return None,
        }
    }
    (!out.is_empty()).then_some(out)
}

fn digits(s: &str) -> usize {
    s.bytes().filter(u8::is_ascii_digit).count()
}

fn letters(s: &str) -> usize {
    s.bytes().filter(u8::is_ascii_alphabetic).count()
}

/// A price as typed: `150k`, `1tr5`, `150.000đ`, `1.500.000`, `2k5`.
fn is_money(raw: &str) -> bool {
    let l = crate::normalize::fold(raw);
    let num_end = l
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(l.len());
    if num_end == 0 {
        return l.starts_with('$') && l[1..].bytes().all(|b| b.is_ascii_digit() || b == b'.');
    }
    let (num, unit) = l.split_at(num_end);
    let unit = unit.trim_end_matches(|c: char| c.is_ascii_digit());
    if unit.is_empty() {
        // 1.500.000 / 150,000: thousands groups.
        let groups: Vec<&str> = num.split(['.', ',']).collect();
        return groups.len() >= 2
            && (1..=3).contains(&groups[0].len())
            && groups[1..].iter().all(|g| g.len() == 3);
    }
    MONEY_UNITS.contains(&unit) || unit == "vnđ"
}

/// A date or a time: `25/03`, `2025-03-01`, `01.03.2025`.
fn is_date(raw: &str) -> bool {
    let parts: Vec<&str> = raw.split(['/', '-', '.']).collect();
    parts.len() >= 2
        && parts.len() <= 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && match parts.len() {
            2 => parts.iter().all(|p| p.len() <= 2),
            _ => {
                let l: Vec<usize> = parts.iter().map(|p| p.len()).collect();
                l == [4, 2, 2] || (l[0] <= 2 && l[1] <= 2 && (l[2] == 2 || l[2] == 4))
            }
        }
}

/// A Vietnamese phone number (digits only, any common prefix).
fn is_phone(code: &str) -> bool {
    if !code.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    super::text::find_phone(code).is_some()
}

/// Self-naming tracking shapes: recognised anywhere.
fn self_named(code: &str) -> Option<&'static str> {
    let b = code.as_bytes();
    if let Some(rest) = code.strip_prefix("SPXVN") {
        if (8..=15).contains(&rest.len()) && rest.bytes().all(|b| b.is_ascii_digit()) {
            return Some("SPX Express");
        }
    }
    // UPU S10: two letters, nine digits, country VN (EB123456789VN).
    if b.len() == 13
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..11].iter().all(u8::is_ascii_digit)
        && &code[11..] == "VN"
    {
        return Some("VNPost");
    }
    None
}

/// The pack's demo shape, recognised without context: `DH` + 6-10 digits.
fn demo_shape(code: &str) -> bool {
    code.strip_prefix("DH")
        .is_some_and(|r| (6..=10).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_digit()))
}

/// Shapes that read as an id when a message holds nothing else: letters
/// then at least five digits (`SO20251102`), or a YYMMDD date then letters
/// and digits (`250301HX7KQ2MB`). A short mixed code (`R5T8W2`) or bare
/// digits need an anchor.
fn strong_shape(code: &str) -> bool {
    let prefix = code.bytes().take_while(u8::is_ascii_alphabetic).count();
    let rest = &code[prefix..];
    let lettered =
        (1..=5).contains(&prefix) && rest.len() >= 5 && rest.bytes().all(|b| b.is_ascii_digit());
    let dated = (10..=20).contains(&code.len())
        && code.as_bytes()[..6].iter().all(u8::is_ascii_digit)
        && letters(code) > 0;
    lettered || dated
}

/// Generic order-id shapes, for a code in context.
fn order_shape(code: &str) -> bool {
    let (d, l, n) = (digits(code), letters(code), code.len());
    if d == 0 || n > 24 {
        return false;
    }
    if l == 0 {
        // Digits only: 5 to 20, not a phone number.
        return (5..=20).contains(&n) && !is_phone(code);
    }
    // Letters then digits (DH123456, ORD50317, SO20251102), a date then
    // letters and digits (250301HX7KQ2MB), or a short mixed code (R5T8W2).
    let prefix = code.bytes().take_while(u8::is_ascii_alphabetic).count();
    if (1..=5).contains(&prefix) && code[prefix..].bytes().all(|b| b.is_ascii_digit()) {
        // "s 0912 345 678": a stray letter before a phone number.
        return d >= 4 && !is_phone(&code[prefix..]);
    }
    (5..=20).contains(&n) && d >= 1
}

/// Tracking shapes after a tracking anchor or a carrier's name. Digits
/// that start with 0 and make a phone number are the customer's phone;
/// carriers' numeric codes (J&T's `84…`) do not start with 0.
fn tracking_shape(code: &str) -> bool {
    let (d, n) = (digits(code), code.len());
    d >= 1 && (5..=32).contains(&n) && !(code.starts_with('0') && is_phone(code))
}

fn match_seq(toks: &[Tok<'_>], end: usize, seq: &[&str]) -> bool {
    end >= seq.len()
        && toks[end - seq.len()..end]
            .iter()
            .zip(seq)
            .all(|(t, w)| t.folded == *w)
}

/// The anchor that ends right before token `at`, skipping fillers.
fn anchor_before(toks: &[Tok<'_>], at: usize) -> Option<Anchor> {
    if toks[at].hash {
        return Some(Anchor::Order);
    }
    let mut end = at;
    for _ in 0..=4 {
        for (seq, name) in CARRIERS {
            if match_seq(toks, end, seq) {
                return Some(Anchor::Tracking(Some(name)));
            }
        }
        if TRACKING_ANCHORS.iter().any(|s| match_seq(toks, end, s)) {
            return Some(Anchor::Tracking(None));
        }
        if ORDER_ANCHORS.iter().any(|s| match_seq(toks, end, s)) {
            // "order tracking" / "đơn … mã vận đơn": the nearer one won above.
            return Some(Anchor::Order);
        }
        if end == 0 {
            return None;
        }
        let prev = &toks[end - 1];
        if prev.hash && prev.raw.is_empty() {
            return Some(Anchor::Order);
        }
        if !FILLERS.contains(&prev.folded.as_str()) {
            return None;
        }
        end -= 1;
    }
    None
}

/// Joins the code starting at token `i` with the parts after it that only
/// make sense together. Returns the code and the index after its last part.
fn join_at(toks: &[Tok<'_>], i: usize, accept: &dyn Fn(&str) -> bool) -> Option<(String, usize)> {
    let first = code_part(toks[i].raw)?;
    let mut best: Option<(String, usize)> = accept(&first).then(|| (first.clone(), i + 1));
    let mut cur = first;
    for (j, t) in toks.iter().enumerate().skip(i + 1).take(5) {
        if t.hash {
            break;
        }
        let Some(part) = code_part(t.raw) else { break };
        let has_digit = digits(&part) > 0;
        let all_digits = digits(&part) == part.len();
        let upper_letters = !has_digit && t.raw.bytes().all(|b| b.is_ascii_uppercase());
        let cur_letters = digits(&cur) == 0;
        let cur_digits = digits(&cur) == cur.len();
        let ok = if best.is_none() {
            // Not an id yet: letters then digit groups (ab 123 45), carrier
            // prefixes (SPX VN), a date then the rest.
            let starts_with_letter = part.as_bytes()[0].is_ascii_alphabetic();
            if cur_letters && starts_with_letter {
                upper_letters
                    || (cur.len() + part.len() >= 5 && format!("{cur}{part}").starts_with("SPXVN"))
            } else {
                has_digit
            }
        } else if all_digits
            && cur[cur.bytes().take_while(u8::is_ascii_alphabetic).count()..]
                .bytes()
                .all(|b| b.is_ascii_digit())
        {
            // Digit groups (0123 4567 8901, SO 2025 1102): 3 to 5 digits each.
            (3..=5).contains(&part.len())
        } else {
            // A YYMMDD date, then letters and digits.
            cur.len() == 6 && cur_digits && has_digit && !all_digits
        };
        if !ok || is_money(t.raw) || is_date(t.raw) {
            break;
        }
        // A money unit after the digits makes it a price.
        cur.push_str(&part);
        if cur.len() > 32 {
            break;
        }
        if accept(&cur) {
            best = Some((cur.clone(), j + 1));
        }
    }
    best
}

/// Every order id and tracking code in `text`, in message order, without
/// duplicates.
pub(crate) fn find_ids(text: &str, cx: IdContext<'_>) -> Vec<FoundId> {
    let toks = tokens(text);
    let mut out: Vec<FoundId> = Vec::new();
    // The anchor of the last id found and where it ended: a list ("đơn
    // DH1, DH2 và DH3", "orders #A1B2C3 and ORD-50317") shares one anchor.
    let mut listed: Option<(Anchor, usize)> = None;
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        let word = digits(&t.folded) == 0
            && !t.raw.bytes().all(|b| b.is_ascii_uppercase())
            && (FILLERS.contains(&t.folded.as_str())
                || POLITE.contains(&t.folded.as_str())
                || ANCHOR_WORDS.contains(&t.folded.as_str()));
        if t.raw.is_empty() || word || is_money(t.raw) || is_date(t.raw) {
            i += 1;
            continue;
        }
        // A number followed by a money unit is a price ("150 nghìn").
        let priced = toks
            .get(i + 1)
            .is_some_and(|n| MONEY_UNITS.contains(&n.folded.as_str()) || n.folded == "vnđ");
        let anchor = anchor_before(&toks, i).or_else(|| {
            let (a, end) = listed?;
            toks[end..i]
                .iter()
                .all(|t| CONJUNCTIONS.contains(&t.folded.as_str()))
                .then_some(a)
        });
        let shop = !cx.shapes.is_empty();
        let shop_ok = |c: &str| cx.shapes.iter().any(|r| r.is_match(c)) && !is_phone(c);
        let found = match anchor {
            Some(Anchor::Tracking(carrier)) => {
                join_at(&toks, i, &|c| tracking_shape(c) || self_named(c).is_some()).map(
                    |(v, end)| {
                        let carrier = carrier.or_else(|| self_named(&v));
                        (v, end, IdKind::Tracking, carrier)
                    },
                )
            }
            _ => None,
        };
        let found = found.or_else(|| {
            join_at(&toks, i, &|c| self_named(c).is_some()).map(|(v, end)| {
                let carrier = self_named(&v);
                (v, end, IdKind::Tracking, carrier)
            })
        });
        let found = found.or_else(|| {
            let accept: &dyn Fn(&str) -> bool = if shop {
                &shop_ok
            } else {
                &|c: &str| order_shape(c)
            };
            let (v, end) = join_at(&toks, i, accept)?;
            let in_context = shop
                || anchor == Some(Anchor::Order)
                || demo_shape(&v)
                || cx.asked
                || (alone(&toks, i, end) && strong_shape(&v));
            (in_context && !(priced && digits(&v) == v.len())).then_some((
                v,
                end,
                IdKind::Order,
                None,
            ))
        });
        match found {
            Some((value, end, kind, carrier)) => {
                listed = match kind {
                    IdKind::Order => Some((Anchor::Order, end)),
                    IdKind::Tracking => Some((Anchor::Tracking(carrier), end)),
                };
                if !out.iter().any(|f| f.value == value) {
                    out.push(FoundId {
                        value,
                        kind,
                        carrier,
                    });
                }
                i = end;
            }
            None => i += 1,
        }
    }
    out
}

/// The message is only the code `toks[i..end]`, give or take politeness.
fn alone(toks: &[Tok<'_>], i: usize, end: usize) -> bool {
    toks.iter()
        .enumerate()
        .filter(|(k, _)| *k < i || *k >= end)
        .all(|(_, t)| POLITE.contains(&t.folded.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Vec<String> {
        find_ids(text, IdContext::default())
            .into_iter()
            .map(|f| f.value)
            .collect()
    }

    /// `(message, the ids it names)`: every shape the issue lists, written
    /// the ways customers write them.
    const SHAPES: &[(&str, &[&str])] = &[
        // The pack's demo shape.
        ("DH123456", &["DH123456"]),
        ("mã đơn của em là #dh-123456 ạ", &["DH123456"]),
        ("order dh 123456 please", &["DH123456"]),
        ("đơn DH200001 của em tới đâu rồi", &["DH200001"]),
        ("ma don la dh 123 456", &["DH123456"]),
        ("Kiểm tra giúp em đơn DH200001 với ạ", &["DH200001"]),
        ("đh123456 của em đâu rồi", &["DH123456"]),
        // Short alphanumeric codes.
        ("#R5T8W2", &["R5T8W2"]),
        ("đơn #R5T8W2 của em đâu rồi", &["R5T8W2"]),
        ("mã đơn R5T8W2", &["R5T8W2"]),
        ("my order is #r5t8w2", &["R5T8W2"]),
        ("order no. K7P2Q9", &["K7P2Q9"]),
        ("mã đơn hàng: 7XK2M9P", &["7XK2M9P"]),
        ("don # A1B2C3", &["A1B2C3"]),
        // Long numeric marketplace ids.
        ("mã đơn 240915123456789", &["240915123456789"]),
        ("đơn hàng số 581234567890123 của em", &["581234567890123"]),
        ("order number 230000112233445", &["230000112233445"]),
        ("order #581234567890123", &["581234567890123"]),
        ("đơn 12345", &["12345"]),
        ("đơn số 12345 ạ", &["12345"]),
        ("order no. 12345", &["12345"]),
        ("mã đơn 123 456 789", &["123456789"]),
        ("mã đơn: 2409 1512 3456 789", &["240915123456789"]),
        // Date-prefixed marketplace ids.
        ("250301HX7KQ2MB", &["250301HX7KQ2MB"]),
        ("mã đơn 250301HX7KQ2MB", &["250301HX7KQ2MB"]),
        ("đơn 250301 HX7KQ2MB bị chậm", &["250301HX7KQ2MB"]),
        ("order 241125ABCDEF", &["241125ABCDEF"]),
        ("mã đơn hàng 2411250ABCDEF nha", &["2411250ABCDEF"]),
        ("ma don 250301hx7kq2mb", &["250301HX7KQ2MB"]),
        // Prefixed ids with dashes.
        ("ORD-50317", &["ORD50317"]),
        ("order ORD-50317 hasn't arrived", &["ORD50317"]),
        ("my order no. is ORD-50317", &["ORD50317"]),
        ("đơn SO-2025-1102 của em", &["SO20251102"]),
        ("SO-2025-1102", &["SO20251102"]),
        ("order SO 2025 1102", &["SO20251102"]),
        ("mã đơn DH-2025-00412", &["DH202500412"]),
        ("DH-2025-00412 ạ", &["DH202500412"]),
        ("don DH 2025 00412", &["DH202500412"]),
        ("mã đơn ab 123 45", &["AB12345"]),
        ("mã đh AB-12345", &["AB12345"]),
        ("order ref PO-778812", &["PO778812"]),
        // Multiple ids in one message.
        ("đơn DH100001 và DH100002", &["DH100001", "DH100002"]),
        ("orders #R5T8W2 and #K7P2Q9", &["R5T8W2", "K7P2Q9"]),
        ("orders #R5T8W2 and ORD-50317", &["R5T8W2", "ORD50317"]),
        (
            "đơn DH100001, 241120K9PQ2XR và 583920174629301",
            &["DH100001", "241120K9PQ2XR", "583920174629301"],
        ),
    ];

    /// `(message, tracking code, carrier)`.
    const TRACKING: &[(&str, &str, Option<&str>)] = &[
        (
            "SPXVN063512345678",
            "SPXVN063512345678",
            Some("SPX Express"),
        ),
        (
            "mã vận đơn SPXVN063512345678",
            "SPXVN063512345678",
            Some("SPX Express"),
        ),
        (
            "SPX VN 0635 1234 5678",
            "SPXVN063512345678",
            Some("SPX Express"),
        ),
        (
            "mã vận đơn SPX VN063512345678 ạ",
            "SPXVN063512345678",
            Some("SPX Express"),
        ),
        (
            "spxvn063512345678 đi đâu rồi",
            "SPXVN063512345678",
            Some("SPX Express"),
        ),
        ("GHN: KX4TMB", "KX4TMB", Some("GHN")),
        ("bên GHN mã LBK6X7Q9", "LBK6X7Q9", Some("GHN")),
        ("giao hàng nhanh GA7K9XQ2", "GA7K9XQ2", Some("GHN")),
        (
            "GHTK S21234567.SGP01.Z1.123456789",
            "S21234567SGP01Z1123456789",
            Some("GHTK"),
        ),
        ("ghtk 1234567890123", "1234567890123", Some("GHTK")),
        ("J&T 841234567890", "841234567890", Some("J&T Express")),
        (
            "bên J&T mã 842233445566 ạ",
            "842233445566",
            Some("J&T Express"),
        ),
        (
            "mã vận đơn ghtk S22345678.MT1.A5.987654321",
            "S22345678MT1A5987654321",
            Some("GHTK"),
        ),
        (
            "ninja van code NLVN22334455 ạ",
            "NLVN22334455",
            Some("Ninja Van"),
        ),
        ("giao hàng nhanh mã L8KQ2T", "L8KQ2T", Some("GHN")),
        (
            "mã J&T Express: 840001234567",
            "840001234567",
            Some("J&T Express"),
        ),
        (
            "viettel post 1234567890123",
            "1234567890123",
            Some("Viettel Post"),
        ),
        (
            "Viettel Post: VTP12345678",
            "VTP12345678",
            Some("Viettel Post"),
        ),
        ("vnpost EB123456789VN", "EB123456789VN", Some("VNPost")),
        ("EB123456789VN", "EB123456789VN", Some("VNPost")),
        ("bưu điện RR987654321VN", "RR987654321VN", Some("VNPost")),
        (
            "Ninja Van NVVNSPX0123456789",
            "NVVNSPX0123456789",
            Some("Ninja Van"),
        ),
        ("ninjavan 5512345678901", "5512345678901", Some("Ninja Van")),
        (
            "tracking number 1Z999AA10123456784",
            "1Z999AA10123456784",
            None,
        ),
        ("mã vận đơn 8123456789012", "8123456789012", None),
        ("ma van don GHN778899", "GHN778899", None),
        ("tracking: 7788-9900-1122", "778899001122", None),
    ];

    /// Messages that name no id: free-standing codes, prices, phone
    /// numbers, voucher codes, product codes, dates, verification answers.
    const LOOK_ALIKES: &[&str] = &[
        "R5T8W2",
        "em muốn hủy đơn",
        "5678",
        "4 số cuối là 5678",
        "0912345678",
        "0912 345 678",
        "sđt của em 0912.345.678",
        "+84 912 345 678",
        "đơn hàng 0912345678 của em",
        "đơn 150k",
        "đơn giá 150000",
        "đơn 1.500.000đ",
        "đơn này 199.000",
        "đơn 150 nghìn",
        "order total $15.99",
        "giá 1tr5 có ship không",
        "mã giảm giá GIAM50K dùng được không",
        "voucher FREESHIP30K",
        "nhập code SALE2025 không được",
        "mã sản phẩm SP12345 còn hàng không",
        "SKU AB-1234 còn không shop",
        "model XR7T8 có màu đen không",
        "iPhone 15 Pro Max còn hàng không",
        "size 42 còn không",
        "đơn đặt ngày 25/03/2025",
        "order from 2025-03-01",
        "giao lúc 10:30 được không",
        "địa chỉ 123 Nguyễn Trãi quận 1",
        "em đặt 2 cái áo",
        "đơn 3 sản phẩm",
        "order 2 items",
        "em ở phòng 1205 tòa A3",
        "it's 0912 345 678",
        "GHN gọi em số 0912345678 mà em không nghe",
        "mã bưu chính 700000",
        "stk 0123456789 vietcombank",
        "mật khẩu abc12345 không đăng nhập được",
        "ABC123",
        "HX7KQ2MB",
        "em muốn mua 5 cái",
    ];

    #[test]
    fn every_shape_in_context() {
        assert!(SHAPES.len() + TRACKING.len() >= 60);
        for (text, want) in SHAPES {
            assert_eq!(&ids(text), want, "help: {text}");
            for f in find_ids(text, IdContext::default()) {
                assert_eq!(f.kind, IdKind::Order, "help: {text}");
            }
        }
        for (text, code, carrier) in TRACKING {
            let got = find_ids(text, IdContext::default());
            assert_eq!(got.len(), 1, "help: {text} -> {got:?}");
            assert_eq!(got[0].value, *code, "help: {text}");
            assert_eq!(got[0].kind, IdKind::Tracking, "help: {text}");
            assert_eq!(got[0].carrier, *carrier, "help: {text}");
        }
    }

    #[test]
    fn look_alikes_are_not_ids() {
        assert!(LOOK_ALIKES.len() >= 30);
        for text in LOOK_ALIKES {
            assert_eq!(ids(text), Vec::<String>::new(), "help: {text}");
        }
    }

    #[test]
    fn a_code_alone_is_an_id_when_the_bot_asked() {
        let asked = IdContext {
            asked: true,
            shapes: &[],
        };
        let got = find_ids("K7P2Q9", asked);
        assert_eq!(got[0].value, "K7P2Q9");
        // Still never a phone number, a price or a 4-digit answer.
        for text in ["0912345678", "150k", "5678"] {
            assert!(find_ids(text, asked).is_empty(), "help: {text}");
        }
    }

    #[test]
    fn a_shops_own_shape_replaces_the_generic_shapes() {
        let shapes = [Regex::new(r"^MS\d{7}$").unwrap()];
        let cx = IdContext {
            asked: false,
            shapes: &shapes,
        };
        let v = |t: &str| -> Vec<String> { find_ids(t, cx).into_iter().map(|f| f.value).collect() };
        assert_eq!(v("cho em hỏi MS1234567 đâu rồi"), ["MS1234567"]);
        assert_eq!(v("ms-123-4567"), ["MS1234567"]);
        assert!(v("mã đơn DH123456").is_empty());
        assert!(v("#R5T8W2").is_empty());
        // Tracking codes are still tracking codes.
        assert_eq!(v("SPXVN063512345678"), ["SPXVN063512345678"]);
    }
}
