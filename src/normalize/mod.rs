//! The text pipeline: how Vietnamese and English customers really type.
//!
//! A [`Normalizer`] turns a raw chat message into a [`Normalized`] value: the
//! original text, a cleaned copy, and a list of [`Token`]s whose `text` is
//! lowercase Vietnamese with canonical diacritics and whose `folded` form is
//! plain ASCII. Rules are matched against the tokens; every token keeps the
//! span of the original message it came from, so matches and slots can be
//! reported on what the customer actually typed.
//!
//! # Steps
//!
//! 1. **Clean** (lossless-looking, keeps case and punctuation): repair UTF-8
//!    that was mis-decoded as Windows-1252/Latin-1 (`Ä‘Æ¡n` → `đơn`, also
//!    when the NBSP inside `Ã\u{a0}` became a space, and double encoding),
//!    compose to NFC (NFD and Windows-1258 style `ô` + U+0301 become `ố`),
//!    drop zero-width characters and turn NBSP/U+202F into spaces. A message
//!    that is already NFC with nothing suspicious skips all of this.
//! 2. **Tokenize**: split on whitespace, punctuation, emoji and emoticons
//!    (`:v`, `<3`); numbers keep internal `.`/`,` and a glued unit
//!    (`1.500.000đ`, `200k`, `1tr5`; `₫` reads as `đ`).
//! 3. **Per token**: lowercase (`Đ` → `đ`, Icelandic `Ð` → `đ`), squeeze runs
//!    of 3+ identical letters (`đơnnnn` → `đơn`), expand English contractions
//!    (`don't` → `do not`), canonicalize the tone position (traditional
//!    style: `hoà` → `hòa`, `thuỷ` → `thủy`), expand abbreviations and
//!    teencode (`ko` → `không`), decode raw Telex/VNI keystrokes (`hangf` →
//!    `hàng`, `d9o7n` → `đơn`) and fold to ASCII (`đơn` → `don`).
//!
//! # Ambiguous teencode
//!
//! The built-in table makes one choice per abbreviation; a shop can override
//! any entry with [`NormalizerBuilder::abbreviation`].
//!
//! * `bn` is read as *bao nhiêu* (how much), not *bạn*: in a shop's inbox the
//!   price question is the common one, and "bạn" is usually typed `b`/`bạn`.
//! * `k` is *không*, except right after a number (`200 k`) where it is the
//!   money unit and stays `k`; glued (`200k`) it is part of the number token.
//!   More generally, no single-letter abbreviation and no unit (`kg`, `tr`)
//!   is expanded after a number (`5 m` is five metres, not "5 mình"; `5 kg`
//!   is not "5 không").
//! * `kk`, `kkk`... is laughter and becomes the single token `kk`.
//! * `ok` is never touched; `oke`, `oki`, `okie`... become `ok`.
//! * `dc`/`đc` is *được* (địa chỉ is usually written `đ/c`); `đk` is *được*.
//! * `ck` is *chuyển khoản* (payment), not *chồng*; `mk` is *mình*, not
//!   *mật khẩu*; `dh`/`đh` is *đơn hàng*, not *đại học*; `vs` is *với*.
//! * Single letters (`a` anh, `e` em, `c` chị, `j` gì, `r` rồi, `v`/`z`
//!   vậy, `k` không) and words that are also English (`vs`, `sp`, `ib`, `ms`,
//!   `ak`, `hong`) are Vietnamese-only entries: they are not expanded in a
//!   message that looks English ("I want a refund" keeps its `a`). See
//!   [`Normalizer::normalize_as`] to force the language.
//!
//! # Telex and VNI
//!
//! A pure-ASCII token is decoded only when it is not a known word (a
//! built-in list of English and loan words such as `ship`, `order`, `too`,
//! plus ASCII words given to [`NormalizerBuilder::known_word`]), shows a
//! strong keystroke signature (`dd`, a doubled vowel, `w` including a lone
//! `w` for ư, a tone key next to a final consonant or after a vowel cluster
//! as in `hangf`/`hafng`/`hoir`, VNI digits inside letters) and
//! decodes to a known syllable (a built-in list of a few hundred shop and
//! support syllables plus the words given to `known_word`). Messages that
//! look English are never decoded.
//!
//! # Untrusted input and cost
//!
//! Normalization never fails and never panics, whatever the input (lone
//! combining marks, control characters, megabytes of text); its cost grows
//! linearly with the input (plus a binary search per token in the span map
//! when the text needed cleaning). A message that is already NFC and has no
//! mojibake signature, zero-width character or NBSP skips the cleaning step
//! (one scan; none for ASCII), since this runs once per incoming message.
//!
//! # Not handled (yet)
//!
//! * Glued syllables (`donhang`, `hoantien`) are not split; the matcher can
//!   index glued forms of its patterns instead.
//! * VIQR (`d9o+n`, `a^`) and legacy 8-bit encodings (TCVN3, VNI-Windows,
//!   VISCII, cp1258 bytes) are not decoded.
//! * Mojibake whose C1 controls or soft hyphens were stripped (lost `Đ`,
//!   `ờ`, `í`) is only repaired where the remaining bytes still decode.
//!
//! # Example
//!
//! ```
//! use firstline::normalize::{normalize, TokenOrigin};
//!
//! let n = normalize("Shop ơi, đơn hàng của e đâu rồi ạaaa???");
//! assert_eq!(n.text(), "shop ơi đơn hàng của em đâu rồi ạ");
//! assert_eq!(n.folded(), "shop oi don hang cua em dau roi a");
//! assert_eq!(n.tokens()[5].origin, TokenOrigin::Abbreviation);
//! assert!(n.has_diacritics());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod clean;
pub(crate) mod tables;
mod telex;
mod token;
mod viet;

use std::fmt;

use std::ops::Range;
use std::sync::{Arc, OnceLock};

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

use crate::Lang;

/// What a token is made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// Letters only (`đơn`, `order`).
    Word,
    /// A number, possibly with `.`/`,` separators and a glued unit
    /// (`1.500.000đ`, `200k`, `1tr5`, `0912345678`).
    Number,
    /// Letters and digits mixed in another way (`dh123456`, `ab12`).
    Alnum,
}

/// Where a token's text came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenOrigin {
    /// Typed by the customer (after cleaning, lowercasing and squeezing).
    Typed,
    /// Expanded from an abbreviation or teencode (`ko` → `không`).
    Abbreviation,
    /// Decoded from raw Telex keystrokes (`hangf` → `hàng`).
    Telex,
    /// Decoded from raw VNI keystrokes (`ha2ng` → `hàng`).
    Vni,
    /// Expanded from an English contraction (`don't` → `do not`).
    Contraction,
}

/// One token of a [`Normalized`] message.
///
/// Invariants:
///
/// 1. `text` is a range of [`Normalized::text`] and `folded` a range of
///    [`Normalized::folded`]; neither contains a space.
/// 2. `span` is a range of [`Normalized::original`] on char boundaries.
///    Tokens expanded from one abbreviation or contraction all share its span.
/// 3. Spans never decrease from one token to the next.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Token {
    /// The token's lowercase, NFC, canonical-tone text, as a range of
    /// [`Normalized::text`].
    pub text: Range<usize>,
    /// The ASCII-folded text, as a range of [`Normalized::folded`]; the
    /// matcher falls back to it when diacritics are missing or differ.
    pub folded: Range<usize>,
    /// Where the token came from in [`Normalized::original`], so matches
    /// are reported on what the customer typed.
    pub span: Range<usize>,
    /// What the token is made of.
    pub kind: TokenKind,
    /// How the token's text was produced.
    pub origin: TokenOrigin,
}

/// A message after normalization.
///
/// Invariants:
///
/// 1. [`original`](Self::original) is the input, unchanged.
/// 2. [`text`](Self::text) and [`folded`](Self::folded) are the tokens
///    joined by one space, with no leading or trailing space.
/// 3. Normalizing `text()` again gives the same `text()` (idempotence).
///
/// Missing: a token does not know which clean range it came from; use
/// `span` (original) instead.
///
/// The default value is the empty message; [`Normalizer::normalize_into`]
/// fills an existing value, reusing its buffers.
#[derive(Clone, Debug)]
pub struct Normalized {
    original: String,
    cleaned: clean::Cleaned,
    text: String,
    folded: String,
    tokens: Vec<Token>,
    has_diacritics: bool,
    /// The language the message was normalized as: given, or guessed.
    lang: Lang,
}

impl Default for Normalized {
    fn default() -> Normalized {
        Normalized {
            original: String::new(),
            cleaned: clean::Cleaned::default(),
            text: String::new(),
            folded: String::new(),
            tokens: Vec::new(),
            has_diacritics: false,
            // What an empty message is guessed to be.
            lang: Lang::Vi,
        }
    }
}

impl Normalized {
    /// Whether a long message left buffers big enough to drop rather than
    /// keep for the next one.
    pub(crate) fn is_bloated(&self) -> bool {
        const KEEP: usize = 1 << 14;
        self.original.capacity() > KEEP
            || self.text.capacity() > 2 * KEEP
            || self.tokens.capacity() > KEEP
    }

    /// The message as received.
    pub fn original(&self) -> &str {
        &self.original
    }

    /// The cleaned message: mojibake repaired, NFC, zero-width characters
    /// removed, NBSP turned into a space; case and punctuation kept.
    pub fn clean(&self) -> &str {
        self.cleaned.text(&self.original)
    }

    /// Maps a byte range of [`clean`](Self::clean) to the byte range of
    /// [`original`](Self::original) it came from, widened to char
    /// boundaries. Out-of-range input is clamped; this never panics.
    ///
    /// ```
    /// let n = firstline::normalize::normalize("mã Ä‘Æ¡n");
    /// assert_eq!(n.clean(), "mã đơn");
    /// let r = n.clean_to_original(5..n.clean().len());
    /// assert_eq!(&n.original()[r], "Ä‘Æ¡n");
    /// ```
    pub fn clean_to_original(&self, r: Range<usize>) -> Range<usize> {
        self.cleaned.to_original(&self.original, r)
    }

    /// The tokens' `text` joined by one space.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The tokens' `folded` forms joined by one space (ASCII for Vietnamese).
    pub fn folded(&self) -> &str {
        &self.folded
    }

    /// The tokens, in message order.
    pub fn tokens(&self) -> &[Token] {
        &self.tokens
    }

    /// The `text` of token `i`; empty when `i` is out of range.
    pub fn token_text(&self, i: usize) -> &str {
        self.tokens
            .get(i)
            .and_then(|t| self.text.get(t.text.clone()))
            .unwrap_or("")
    }

    /// The `folded` form of token `i`; empty when `i` is out of range.
    pub fn token_folded(&self, i: usize) -> &str {
        self.tokens
            .get(i)
            .and_then(|t| self.folded.get(t.folded.clone()))
            .unwrap_or("")
    }

    /// Whether mojibake (UTF-8 read as Windows-1252/Latin-1) was repaired.
    pub fn repaired_mojibake(&self) -> bool {
        self.cleaned.repaired
    }

    /// Whether the customer typed Vietnamese diacritics (`đơn`, not `don`).
    ///
    /// Only typed tokens count: expansions and decoded Telex do not. The
    /// matcher uses this to prefer diacritic-exact matches.
    pub fn has_diacritics(&self) -> bool {
        self.has_diacritics
    }

    /// The language the message was normalized as: the one given to
    /// [`Normalizer::normalize_as`], or the guess from Vietnamese
    /// diacritics and common words. This is the first of one chain of
    /// decisions: the matcher refines it with the rules' vocabulary
    /// ([`Classification::lang`](crate::Classification::lang)), and the
    /// conversation keeps a customer's language unless a message clearly
    /// changes it.
    ///
    /// ```
    /// use firstline::{normalize::normalize, Lang};
    ///
    /// assert_eq!(normalize("where is my order").lang(), Lang::En);
    /// assert_eq!(normalize("đơn của em đâu").lang(), Lang::Vi);
    /// assert_eq!(normalize("don cua em dau").lang(), Lang::Vi);
    /// ```
    #[must_use]
    pub fn lang(&self) -> Lang {
        self.lang
    }
}

use crate::fxhash::{FastMap, FastSet};

/// Expansions of one abbreviation, per language.
#[derive(Clone, Debug, Default)]
struct Abbrev {
    any: Option<Vec<String>>,
    vi: Option<Vec<String>>,
    en: Option<Vec<String>>,
}

impl Abbrev {
    fn get(&self, lang: Lang) -> Option<&[String]> {
        let specific = match lang {
            Lang::Vi => &self.vi,
            Lang::En => &self.en,
        };
        specific.as_deref().or(self.any.as_deref())
    }
}

#[derive(Debug)]
struct Inner {
    abbrevs: FastMap<String, Abbrev>,
    contractions: FastMap<&'static str, Vec<String>>,
    never_decode: FastSet<String>,
    syllables: FastSet<String>,
    known_folded: FastSet<String>,
    /// Bytes in the longest abbreviation or Telex candidate: longer tokens
    /// skip the table lookups.
    longest_key: usize,
}

/// Normalizes chat messages; build once, share everywhere.
///
/// Cheap to clone (an `Arc`), `Send + Sync`, and immutable once built.
/// [`Normalizer::new`] uses the built-in tables; [`Normalizer::builder`]
/// adds a shop's abbreviations and vocabulary.
#[derive(Clone, Debug)]
pub struct Normalizer {
    inner: Arc<Inner>,
}

impl Default for Normalizer {
    fn default() -> Self {
        Normalizer::new()
    }
}

/// Configures a [`Normalizer`]: extra abbreviations and known words.
#[derive(Clone, Debug, Default)]
pub struct NormalizerBuilder {
    abbreviations: Vec<(Option<Lang>, String, String)>,
    known_words: Vec<String>,
}

impl NormalizerBuilder {
    /// Creates a builder with only the built-in tables.
    pub fn new() -> NormalizerBuilder {
        NormalizerBuilder::default()
    }

    /// Adds an abbreviation: the whole token `from` expands to `to` (one or
    /// more words). `lang` limits it to messages in that language; `None`
    /// applies it to every message. Entries added here override built-in
    /// ones; an empty `from` or `to` is ignored.
    pub fn abbreviation(&mut self, lang: Option<Lang>, from: &str, to: &str) -> &mut Self {
        self.abbreviations
            .push((lang, from.to_owned(), to.to_owned()));
        self
    }

    /// Adds a vocabulary word or phrase (usually from the rules). Its
    /// syllables become acceptable Telex/VNI decodings; an ASCII word is
    /// never decoded as Telex; [`Normalizer::is_known_word`] knows it.
    pub fn known_word(&mut self, word: &str) -> &mut Self {
        self.known_words.push(word.to_owned());
        self
    }

    /// Builds the normalizer.
    pub fn build(&self) -> Normalizer {
        let mut abbrevs: FastMap<String, Abbrev> = FastMap::default();
        let mut add = |lang: Option<Lang>, from: &str, to: &str| {
            let key = words(from).join(" ");
            let exp = words(to);
            if key.is_empty() || key.contains(' ') || exp.is_empty() {
                return;
            }
            let e = abbrevs.entry(key).or_default();
            let slot = match lang {
                None => &mut e.any,
                Some(Lang::Vi) => &mut e.vi,
                Some(Lang::En) => &mut e.en,
            };
            *slot = Some(exp);
        };
        for &(lang, from, to) in tables::ABBREVIATIONS {
            add(lang, from, to);
        }
        for (lang, from, to) in &self.abbreviations {
            add(*lang, from, to);
        }
        let contractions = tables::CONTRACTIONS
            .iter()
            .map(|&(from, to)| (from, words(to)))
            .collect();
        let mut never_decode: FastSet<String> = tables::NEVER_DECODE
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        let mut syllables: FastSet<String> = FastSet::default();
        let mut known_folded: FastSet<String> = never_decode.clone();
        for w in tables::SYLLABLES.split_whitespace() {
            let w = words(w).join(" ");
            known_folded.insert(fold(&w));
            syllables.insert(w);
        }
        for phrase in &self.known_words {
            let ws = words(phrase);
            if ws.is_empty() {
                continue;
            }
            known_folded.insert(fold(&ws.join(" ")));
            for w in ws {
                known_folded.insert(fold(&w));
                if w.is_ascii() {
                    never_decode.insert(w);
                } else {
                    syllables.insert(w);
                }
            }
        }
        let longest_key = abbrevs.keys().map(String::len).max().unwrap_or(0).max(12);
        Normalizer {
            inner: Arc::new(Inner {
                longest_key,
                abbrevs,
                contractions,
                never_decode,
                syllables,
                known_folded,
            }),
        }
    }
}

/// Lowercase canonical-tone words of `s`, split on anything not a letter.
fn words(s: &str) -> Vec<String> {
    let cleaned = clean::clean(s);
    let text = cleaned.text(s);
    token::split(text)
        .into_iter()
        .map(|r| canonical_word(lower(&text[r])))
        .collect()
}

/// Lowercases (with the Đ look-alikes mapped to đ) and recomposes if needed.
fn lower(s: &str) -> String {
    if s.is_ascii() {
        // ASCII fast path: what `push_lower` does to each ASCII char.
        return s.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(s.len());
    let mut simple = true;
    for c in s.chars() {
        simple &= viet::push_lower(c, &mut out);
    }
    if !simple && is_nfc_quick(out.chars()) != IsNormalized::Yes {
        out = out.nfc().collect();
    }
    out
}

/// [`lower`] appended to `out`.
fn lower_into(s: &str, out: &mut String) {
    let start = out.len();
    if s.is_ascii() {
        // ASCII fast path: what `push_lower` does to each ASCII char.
        out.push_str(s);
        out[start..].make_ascii_lowercase();
        return;
    }
    let mut simple = true;
    for c in s.chars() {
        simple &= viet::push_lower(c, out);
    }
    if !simple && is_nfc_quick(out[start..].chars()) != IsNormalized::Yes {
        let composed: String = out[start..].nfc().collect();
        out.truncate(start);
        out.push_str(&composed);
    }
}

/// [`canonical_word`] on `low[start..]`, in place.
fn canonical_in_place(low: &mut String, start: usize) {
    if low[start..].is_ascii() {
        return;
    }
    if let Some(c) = viet::canonical_tone(&low[start..]) {
        low.truncate(start);
        low.push_str(&c);
    }
}

/// Recomposes to NFC when needed.
fn recompose(s: String) -> String {
    if s.is_ascii() || is_nfc_quick(s.chars()) == IsNormalized::Yes {
        s
    } else {
        s.nfc().collect()
    }
}

fn canonical_word(w: String) -> String {
    if w.is_ascii() {
        return w;
    }
    viet::canonical_tone(&w).unwrap_or(w)
}

/// Folds text to lowercase ASCII for Vietnamese: `"Đơn hàng"` → `"don hang"`.
///
/// Vietnamese letters go through a 134-entry table (đ → d included), other
/// accented letters lose their marks, and everything is lowercased. Other
/// characters (spaces, punctuation, other scripts) are kept.
///
/// ```
/// assert_eq!(firstline::normalize::fold("Đơn hàng"), "don hang");
/// assert_eq!(firstline::normalize::fold("ĐƯỢC KHÔNG?"), "duoc khong?");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn fold(text: &str) -> String {
    let mut l = String::with_capacity(text.len());
    for c in text.chars() {
        let _ = viet::push_lower(c, &mut l);
    }
    let l: String = if l.is_ascii() || is_nfc_quick(l.chars()) == IsNormalized::Yes {
        l
    } else {
        l.nfc().collect()
    };
    let mut out = String::with_capacity(l.len());
    viet::fold_into(&l, &mut out);
    out
}

/// Normalizes `text` with the built-in tables ([`Normalizer::new`]).
///
/// ```
/// use firstline::normalize::{normalize, TokenOrigin};
///
/// let n = normalize("ko nhận dc hangf");
/// assert_eq!(n.text(), "không nhận được hàng");
/// assert_eq!(n.folded(), "khong nhan duoc hang");
/// // Every token points back at what the customer typed.
/// let last = &n.tokens()[3];
/// assert_eq!(&n.original()[last.span.clone()], "hangf");
/// assert_eq!(last.origin, TokenOrigin::Telex);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn normalize(text: &str) -> Normalized {
    static DEFAULT: OnceLock<Normalizer> = OnceLock::new();
    DEFAULT.get_or_init(Normalizer::new).normalize(text)
}

/// A token before abbreviation and Telex handling.
struct Pre {
    span: Range<usize>,
    /// Its lowercase text, a range of the scratch's `low` buffer.
    lower: Range<usize>,
    kind: TokenKind,
    origin: TokenOrigin,
}

/// Per-thread working buffers of the normalizer, reused from one message to
/// the next: the tokens' lowercase texts live in one `String` (`low`), as
/// ranges, instead of a `String` per token.
#[derive(Default)]
struct Scratch {
    ranges: Vec<Range<usize>>,
    chars: Vec<(usize, char)>,
    low: String,
    pres: Vec<Pre>,
}

impl Scratch {
    /// Whether a long message left buffers big enough to drop.
    fn is_bloated(&self) -> bool {
        const KEEP: usize = 1 << 14;
        self.low.capacity() > KEEP || self.chars.capacity() > KEEP || self.pres.capacity() > KEEP
    }
}

/// Where finished tokens go: `text()` and `folded()` are built as tokens
/// arrive, so no intermediate list is needed.
struct Joined<'a> {
    text: &'a mut String,
    folded: &'a mut String,
    tokens: &'a mut Vec<Token>,
}

impl Joined<'_> {
    fn push(&mut self, span: Range<usize>, text: &str, kind: TokenKind, origin: TokenOrigin) {
        if !self.tokens.is_empty() {
            self.text.push(' ');
            self.folded.push(' ');
        }
        let ts = self.text.len();
        self.text.push_str(text);
        let fs = self.folded.len();
        viet::fold_into(text, self.folded);
        self.tokens.push(Token {
            text: ts..self.text.len(),
            folded: fs..self.folded.len(),
            span,
            kind,
            origin,
        });
    }
}

impl Normalizer {
    /// A normalizer with the built-in tables only.
    pub fn new() -> Normalizer {
        NormalizerBuilder::default().build()
    }

    /// Starts configuring a normalizer.
    ///
    /// ```
    /// use firstline::{Lang, normalize::Normalizer};
    ///
    /// let n = Normalizer::builder()
    ///     .abbreviation(Some(Lang::Vi), "bh", "bảo hành")
    ///     .known_word("trả góp")
    ///     .build();
    /// assert_eq!(n.normalize("bh bao lâu").text(), "bảo hành bao lâu");
    /// assert_eq!(n.normalize("tra3 go1p").text(), "trả góp");
    /// assert!(n.is_known_word("tra gop"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn builder() -> NormalizerBuilder {
        NormalizerBuilder::default()
    }

    /// Whether `folded` (ASCII-folded, lowercase) is a known word: a built-in
    /// syllable, a never-decoded English word or a `known_word`.
    pub fn is_known_word(&self, folded: &str) -> bool {
        self.inner.known_folded.contains(folded) || self.inner.known_folded.contains(&fold(folded))
    }

    /// Normalizes one message, guessing its language for the
    /// language-specific abbreviations (see [`Normalizer::normalize_as`]).
    #[must_use]
    pub fn normalize(&self, text: &str) -> Normalized {
        self.normalize_as(text, None)
    }

    /// Normalizes one message. `lang` chooses which language-specific
    /// abbreviations apply; `None` guesses: a message without Vietnamese
    /// diacritics and with more English hint words (`i`, `my`, `the`...)
    /// than Vietnamese ones is English, anything else Vietnamese. English
    /// messages are never Telex-decoded.
    ///
    /// ```
    /// use firstline::{Lang, normalize::Normalizer};
    ///
    /// let n = Normalizer::new();
    /// assert_eq!(n.normalize("I want a refund").text(), "i want a refund");
    /// assert_eq!(n.normalize_as("a oi", Some(Lang::Vi)).text(), "anh oi");
    /// ```
    #[must_use]
    pub fn normalize_as(&self, text: &str, lang: Option<Lang>) -> Normalized {
        let mut out = Normalized::default();
        self.normalize_into(text, lang, &mut out);
        out
    }

    /// [`normalize_as`](Self::normalize_as) into an existing value, reusing
    /// its buffers: after the first few messages, normalizing one allocates
    /// nothing (the matcher keeps one `Normalized` per thread this way).
    /// `out` is overwritten; the result is the same as `normalize_as`.
    ///
    /// ```
    /// use firstline::normalize::{Normalized, Normalizer};
    ///
    /// let n = Normalizer::new();
    /// let mut out = Normalized::default();
    /// for text in ["ko nhận dc hàng", "where is my order"] {
    ///     n.normalize_into(text, None, &mut out);
    ///     assert_eq!(out.text(), n.normalize(text).text());
    /// }
    /// ```
    pub fn normalize_into(&self, text: &str, lang: Option<Lang>, out: &mut Normalized) {
        thread_local! {
            static SCRATCH: std::cell::RefCell<Scratch> =
                std::cell::RefCell::new(Scratch::default());
        }
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut sc) => {
                self.normalize_with(text, lang, out, &mut sc);
                if sc.is_bloated() {
                    *sc = Scratch::default();
                }
            }
            Err(_) => self.normalize_with(text, lang, out, &mut Scratch::default()),
        });
    }

    /// Normalizes `text` (language guessed) into a per-thread `Normalized`
    /// and hands it to `f`: the matcher's per-message path, which keeps no
    /// normalized text beyond the call and so allocates none.
    pub(crate) fn with_normalized<R>(&self, text: &str, f: impl FnOnce(&Normalized) -> R) -> R {
        thread_local! {
            static LAST: std::cell::RefCell<Normalized> =
                std::cell::RefCell::new(Normalized::default());
        }
        LAST.with(|cell| match cell.try_borrow_mut() {
            Ok(mut n) => {
                self.normalize_into(text, None, &mut n);
                let r = f(&n);
                if n.is_bloated() {
                    *n = Normalized::default();
                }
                r
            }
            // Only if a classification runs inside another on this thread.
            Err(_) => f(&self.normalize(text)),
        })
    }

    fn normalize_with(
        &self,
        text: &str,
        lang: Option<Lang>,
        out: &mut Normalized,
        sc: &mut Scratch,
    ) {
        let Scratch {
            ranges,
            chars,
            low,
            pres,
        } = sc;
        ranges.clear();
        chars.clear();
        low.clear();
        pres.clear();
        let cleaned = clean::clean(text);
        let mut has_diacritics = false;
        let clean_text = cleaned.text(text);
        token::split_into(clean_text, ranges, chars);
        for r in ranges.iter() {
            let span = cleaned.to_original(text, r.clone());
            let start = low.len();
            lower_into(&clean_text[r.clone()], low);
            let w = &low[start..];
            if !has_diacritics && !w.is_ascii() {
                has_diacritics = w.chars().any(viet::is_viet_diacritic);
            }
            if w.len() >= 2 && w.bytes().all(|b| b == b'k') {
                // Laughter: "kkk" is not "không".
                low.truncate(start);
                low.push_str("kk");
            } else if let Some(s) = token::squeeze(w) {
                // Squeezing can leave a kept letter next to a stray mark.
                low.truncate(start);
                low.push_str(&recompose(s));
            }
            if low[start..].contains(['\'', '’', 'ʼ']) {
                self.contraction(start, span, low, pres);
                continue;
            }
            canonical_in_place(low, start);
            pres.push(Pre {
                span,
                lower: start..low.len(),
                kind: token::kind(&low[start..]),
                origin: TokenOrigin::Typed,
            });
        }
        let lang = lang.unwrap_or_else(|| guess_lang(pres, low, has_diacritics));
        out.original.clear();
        out.original.push_str(text);
        out.text.clear();
        out.folded.clear();
        out.tokens.clear();
        out.cleaned = cleaned;
        out.has_diacritics = has_diacritics;
        out.lang = lang;
        let mut joined = Joined {
            text: &mut out.text,
            folded: &mut out.folded,
            tokens: &mut out.tokens,
        };
        let mut prev_kind = None;
        for p in pres.iter() {
            self.finish(p, low, lang, prev_kind, &mut joined);
            prev_kind = Some(p.kind);
        }
    }

    /// Expands a token with an apostrophe (`low[start..]`): contractions,
    /// else split parts. The parts are appended to `low`.
    fn contraction(&self, start: usize, span: Range<usize>, low: &mut String, pres: &mut Vec<Pre>) {
        let key = low[start..].replace(['’', 'ʼ'], "'");
        let push = |low: &mut String, pres: &mut Vec<Pre>, w: &str, origin| {
            let at = low.len();
            low.push_str(w);
            canonical_in_place(low, at);
            pres.push(Pre {
                span: span.clone(),
                lower: at..low.len(),
                kind: token::kind(&low[at..]),
                origin,
            });
        };
        if let Some(exp) = self.inner.contractions.get(key.as_str()) {
            for w in exp {
                push(low, pres, w, TokenOrigin::Contraction);
            }
            return;
        }
        for &(suffix, word) in tables::CONTRACTION_SUFFIXES {
            if let Some(stem) = key.strip_suffix(suffix) {
                if !stem.is_empty() && !stem.contains('\'') {
                    push(low, pres, stem, TokenOrigin::Contraction);
                    push(low, pres, word, TokenOrigin::Contraction);
                    return;
                }
            }
        }
        // Possessive 's and anything else: keep the letters, drop the marks.
        if let Some(stem) = key.strip_suffix("'s") {
            if !stem.is_empty() && !stem.contains('\'') {
                push(low, pres, stem, TokenOrigin::Typed);
                return;
            }
        }
        for part in key.split('\'').filter(|p| !p.is_empty()) {
            push(low, pres, part, TokenOrigin::Typed);
        }
    }

    /// Abbreviations, Telex/VNI, then the finished token(s).
    fn finish(
        &self,
        p: &Pre,
        low: &str,
        lang: Lang,
        prev: Option<TokenKind>,
        out: &mut Joined<'_>,
    ) {
        let inner = &*self.inner;
        let lower = &low[p.lower.clone()];
        // Contraction parts go through the tables too ("j'd" is "gì would"),
        // so normalizing `text()` again changes nothing.
        let expandable = matches!(p.origin, TokenOrigin::Typed | TokenOrigin::Contraction);
        if expandable && p.kind != TokenKind::Number && lower.len() <= inner.longest_key {
            // "200 k", "5 kg", "2 m": after a number these are units.
            let after_number = prev == Some(TokenKind::Number)
                && (lower.chars().count() == 1 || token::is_unit(lower));
            if !after_number {
                let exp = inner.abbrevs.get(lower).and_then(|a| a.get(lang));
                // In an English message only ASCII expansions apply: adding
                // diacritics would make the text look Vietnamese next time.
                let exp = exp.filter(|e| lang == Lang::Vi || e.iter().all(|w| w.is_ascii()));
                if let Some(exp) = exp {
                    for w in exp {
                        out.push(p.span.clone(), w, token::kind(w), TokenOrigin::Abbreviation);
                    }
                    return;
                }
            }
            if lang == Lang::Vi && lower.is_ascii() {
                let decoded = telex::decode(lower).filter(|(s, _)| {
                    inner.syllables.contains(s) && !inner.never_decode.contains(lower)
                });
                if let Some((s, m)) = decoded {
                    let origin = match m {
                        telex::Method::Telex => TokenOrigin::Telex,
                        telex::Method::Vni => TokenOrigin::Vni,
                    };
                    out.push(p.span.clone(), &s, TokenKind::Word, origin);
                    return;
                }
            }
        }
        out.push(p.span.clone(), lower, p.kind, p.origin);
    }
}

/// Guesses the message language from hint words (see `normalize_as`).
///
/// Only hint *words* count (not how a token was produced), so normalizing
/// `text()` again guesses the same language: that keeps `normalize`
/// idempotent. Hints are compared on the lowercase text, which equals the
/// folded text here because a message with diacritics is Vietnamese.
fn guess_lang(pres: &[Pre], low: &str, has_diacritics: bool) -> Lang {
    if has_diacritics {
        return Lang::Vi;
    }
    let (mut en, mut vi) = (0, 0);
    for p in pres {
        let w = &low[p.lower.clone()];
        let cue = tables::lang_cue(w);
        if cue & tables::LANG_EN != 0 {
            en += 1;
        }
        if cue & tables::LANG_VI != 0 {
            vi += 1;
        }
    }
    if en > vi {
        Lang::En
    } else {
        Lang::Vi
    }
}

impl fmt::Display for Normalized {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Whether a lowercase word (with or without tones) has the shape of a
/// Vietnamese syllable: onset, a nucleus of one to three vowels, a coda.
pub(crate) fn is_syllable(word: &str) -> bool {
    // No syllable is longer than 8 letters (nghiêng): a stack buffer will do.
    let mut buf = ['\0'; 8];
    let mut n = 0;
    for c in word.chars() {
        if n == buf.len() {
            return false;
        }
        buf[n] = c;
        n += 1;
    }
    viet::parse_syllable(&buf[..n]).is_some()
}

/// How much of a message is read unless configured otherwise, in bytes: the
/// default of both [`Config::max_message_bytes`](crate::Config) and the
/// conversation's `max_message_bytes`. A chat message is rarely over 1 KB;
/// the cap keeps a pasted novel or a hostile megabyte from slowing the bot
/// down.
pub(crate) const MAX_MESSAGE_BYTES: usize = 4096;

/// Truncates to at most `max` bytes, on a char boundary. The one place a
/// message is cut: the matcher and the conversation both call it.
pub(crate) fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_types_are_send_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Normalizer>();
        assert_send_sync::<NormalizerBuilder>();
        assert_send_sync::<Normalized>();
        assert_send_sync::<Token>();
        assert_send_sync::<TokenKind>();
        assert_send_sync::<TokenOrigin>();
    }

    #[test]
    fn expansions_are_not_abbreviations() {
        // Otherwise normalizing `text()` again would expand a second time.
        let n = Normalizer::new();
        for a in n.inner.abbrevs.values() {
            for exp in [&a.any, &a.vi, &a.en].into_iter().flatten() {
                for w in exp {
                    assert!(!n.inner.abbrevs.contains_key(w), "{w} is a key");
                }
            }
        }
    }

    #[test]
    fn language_guess() {
        for (input, want) in [
            ("i want a refund", Lang::En),
            ("a oi", Lang::Vi),
            ("đơn hàng", Lang::Vi),
            ("ok", Lang::Vi),
            ("where is e", Lang::En),
        ] {
            let n = normalize(input);
            let mut low = String::new();
            let pres: Vec<Pre> = n
                .tokens()
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    let at = low.len();
                    low.push_str(n.token_text(i));
                    Pre {
                        span: t.span.clone(),
                        lower: at..low.len(),
                        kind: t.kind,
                        origin: t.origin,
                    }
                })
                .collect();
            assert_eq!(
                guess_lang(&pres, &low, n.has_diacritics()),
                want,
                "input: {input:?}"
            );
        }
    }

    #[test]
    fn english_mode_keeps_ascii() {
        assert_eq!(normalize("i want a ko").text(), "i want a ko");
        assert_eq!(normalize("i want oke").text(), "i want ok");
    }

    /// Common English words: none may be Telex/VNI-decoded or expanded,
    /// even when the message is taken as Vietnamese.
    const ENGLISH: &str = "the be to of and in that have it for not on with he as you do at \
        this but his by from they we say her she or an will my one all would there their what \
        so up out if about who get which go me when make can like time no just him know take \
        people into year your good some could them see other than then now look only come its \
        over think also back after use two how our work first well way even new want because \
        any these give day most us is are was were been has had did does said says made went \
        order orders cancel cancelled refund refunds address account password sorry hello \
        please thanks thank help where why receive received arrive arrived delivery deliver \
        ship shipping shipped shop store item items product price cost money pay paid payment \
        card bank transfer cash code coupon voucher discount sale free size color wrong broken \
        return exchange track tracking status late today tomorrow week month phone email \
        number name real human agent staff talk speak call wait waiting still yet already \
        never ever again soon long fast slow quick ok okay yes yeah sure fine great nice \
        love hate need needs want wants buy bought sell sold send sent change changed check \
        too how now bus car bar six tax max box fix mix cos cod dear near hear year tour four \
        hours your our yours ours song songs thing things king ring wings bans tans hats cats \
        chins mops tips cups maps tops nets bets gets lets sets kits hits sits nuts huts mats \
        goes does toes ties lies dies pies days ways says pays keys boys toys guys buys \
        hair pair fair chair main rain pain gain coin join noise choice voice hope rope nope \
        shoes shirt dress jeans boots socks bag bags watch phone case cable charger \
        soon moon room door floor cool pool food good book look took cook need feed seed \
        see bee tree free three agree fee been seen green queen sweet street speed keep deep \
        sleep sheep week meet coffee toffee teeth cheese geese loose goose boost roost \
        show know slow snow flow grow glow below allow follow window yellow borrow tomorrow \
        law saw raw paw jaw draw claw straw new few view review dew sew chew crew drew \
        two twice swap sweat swim swing awesome answer awkward owner owned owner towel \
        tower power flower shower lower cower vowel bowl howl fowl dawn lawn yawn \
        doubt dough tough rough though through thought bought caught taught \
        test best cost most last fast just must list cast vast mist host post lost past rest \
        nest west zest first hurt part dark start smart heart worst burst trust \
        john mary anna emma nam hoa trang";

    #[test]
    fn english_words_are_never_decoded() {
        let n = Normalizer::new();
        let mut bad = Vec::new();
        for w in ENGLISH.split_whitespace() {
            let out = n.normalize_as(w, Some(Lang::Vi));
            if out
                .tokens()
                .iter()
                .any(|t| matches!(t.origin, TokenOrigin::Telex | TokenOrigin::Vni))
            {
                bad.push(format!("{w} -> {}", out.text()));
            }
        }
        assert!(bad.is_empty(), "decoded English words: {bad:?}");
    }

    #[test]
    fn pipeline_smoke() {
        for (input, want) in [
            ("ko nhận dc hàng", "không nhận được hàng"),
            ("dduwowcj hangf", "được hàng"),
            ("I don't want it", "i do not want it"),
            ("200 k", "200 k"),
            ("kkkk", "kk"),
        ] {
            assert_eq!(normalize(input).text(), want, "input: {input:?}");
        }
    }
}
