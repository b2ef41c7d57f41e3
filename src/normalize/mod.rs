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
/// The normalizer.
#[derive(Clone, Debug, Default)]
pub struct Normalizer;
/// A normalized message.
#[derive(Clone, Debug, Default)]
pub struct Normalized;
/// Normalizes with the default tables.
pub fn normalize(text: &str) -> Normalized {
    let _ = text;
    Normalized
}
