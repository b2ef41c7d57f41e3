//! The text pipeline: how Vietnamese and English customers really type.
//!
//! CONTRACT (filled in by the implementation; signatures are fixed because the
//! matcher and the conversation layer depend on them):
//!
//! ```text
//! pub struct Normalizer            Clone + Send + Sync + Default + Debug
//!   Normalizer::new() -> Normalizer            built-in tables
//!   Normalizer::builder() -> NormalizerBuilder
//!   Normalizer::normalize(&self, text: &str) -> Normalized
//!   Normalizer::is_known_word(&self, folded: &str) -> bool
//! pub struct NormalizerBuilder     Default + Debug
//!   abbreviation(&mut self, lang: Option<Lang>, from: &str, to: &str) -> &mut Self
//!   known_word(&mut self, word: &str) -> &mut Self    (vocabulary: Telex decoding accepts these)
//!   build(&self) -> Normalizer
//! pub fn normalize(text: &str) -> Normalized        default Normalizer
//! pub fn fold(text: &str) -> String                 "Đơn hàng" -> "don hang"
//!
//! pub struct Normalized  (Clone, Debug)
//!   original(&self) -> &str
//!   clean(&self) -> &str          mojibake repaired, NFC, zero-width removed,
//!                                 NBSP -> ' ', case and punctuation kept
//!   clean_to_original(&self, r: Range<usize>) -> Range<usize>
//!   text(&self) -> &str           tokens' `text` joined by one ' '
//!   folded(&self) -> &str         tokens' `folded` joined by one ' '
//!   tokens(&self) -> &[Token]
//!   token_text(&self, i) -> &str / token_folded(&self, i) -> &str
//!   repaired_mojibake(&self) -> bool
//!   has_diacritics(&self) -> bool
//! pub struct Token { pub text: Range<usize> (into text()), pub folded: Range<usize> (into folded()),
//!                    pub span: Range<usize> (into original(), on char boundaries),
//!                    pub kind: TokenKind, pub origin: TokenOrigin }
//! pub enum TokenKind { Word, Number, Alnum }
//! pub enum TokenOrigin { Typed, Abbreviation, Telex, Vni, Contraction }
//! ```


// TEMPORARY STUB until the implementation lands (replaced wholesale).
use std::ops::Range;
use crate::Lang;

#[derive(Clone, Debug, Default)]
pub struct Normalizer;
#[derive(Debug, Default)]
pub struct NormalizerBuilder;
impl NormalizerBuilder {
    pub fn abbreviation(&mut self, _lang: Option<Lang>, _from: &str, _to: &str) -> &mut Self { self }
    pub fn known_word(&mut self, _w: &str) -> &mut Self { self }
    pub fn build(&self) -> Normalizer { Normalizer }
}
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind { Word, Number, Alnum }
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenOrigin { Typed }
#[derive(Clone, Debug)]
pub struct Token { pub text: Range<usize>, pub folded: Range<usize>, pub span: Range<usize>, pub kind: TokenKind, pub origin: TokenOrigin }
#[derive(Clone, Debug, Default)]
pub struct Normalized { original: String, text: String, folded: String, tokens: Vec<Token> }
pub fn fold(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.to_lowercase().nfd().filter(|c| !unicode_normalization::char::is_combining_mark(*c)).map(|c| if c == 'đ' { 'd' } else { c }).collect()
}
impl Normalizer {
    pub fn new() -> Normalizer { Normalizer }
    pub fn builder() -> NormalizerBuilder { NormalizerBuilder }
    pub fn is_known_word(&self, _w: &str) -> bool { false }
    pub fn normalize(&self, text: &str) -> Normalized {
        use unicode_normalization::UnicodeNormalization;
        let mut n = Normalized { original: text.to_string(), ..Default::default() };
        for (start, w) in text.split(|c: char| !c.is_alphanumeric()).scan(0usize, |pos, w| { let s = *pos; *pos += w.len() + 1; Some((s, w)) }) {
            if w.is_empty() { continue; }
            if !n.text.is_empty() { n.text.push(' '); n.folded.push(' '); }
            let t0 = n.text.len(); let f0 = n.folded.len();
            let lower: String = w.to_lowercase().nfc().collect();
            n.text.push_str(&lower);
            n.folded.push_str(&fold(w));
            let kind = if w.chars().all(|c| c.is_ascii_digit()) { TokenKind::Number } else if w.chars().any(|c| c.is_ascii_digit()) { TokenKind::Alnum } else { TokenKind::Word };
            n.tokens.push(Token { text: t0..n.text.len(), folded: f0..n.folded.len(), span: start..start + w.len(), kind, origin: TokenOrigin::Typed });
        }
        n
    }
}
pub fn normalize(text: &str) -> Normalized { Normalizer.normalize(text) }
impl Normalized {
    pub fn original(&self) -> &str { &self.original }
    pub fn clean(&self) -> &str { &self.original }
    pub fn clean_to_original(&self, r: Range<usize>) -> Range<usize> { r }
    pub fn text(&self) -> &str { &self.text }
    pub fn folded(&self) -> &str { &self.folded }
    pub fn tokens(&self) -> &[Token] { &self.tokens }
    pub fn token_text(&self, i: usize) -> &str { &self.text[self.tokens[i].text.clone()] }
    pub fn token_folded(&self, i: usize) -> &str { &self.folded[self.tokens[i].folded.clone()] }
}
