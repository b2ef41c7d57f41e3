//! Languages: the [`Lang`] of a message or a text, and [`PerLang`], a value per language.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A language of a message, a phrase or a reply.
///
/// firstline speaks Vietnamese and English. Detection is per message; the
/// conversation layer keeps the customer's language sticky across turns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Vietnamese (`vi`).
    Vi,
    /// English (`en`).
    En,
}

impl Lang {
    /// Every language, in a fixed order.
    pub const ALL: [Lang; 2] = [Lang::Vi, Lang::En];

    /// The ISO 639-1 code: `"vi"` or `"en"`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// Parses an ISO 639-1 code (`"vi"`, `"en"`, case-insensitive).
    ///
    /// ```
    /// use firstline::Lang;
    /// assert_eq!(Lang::from_code("VI"), Some(Lang::Vi));
    /// assert_eq!(Lang::from_code("fr"), None);
    /// ```
    pub fn from_code(code: &str) -> Option<Lang> {
        match code.to_ascii_lowercase().as_str() {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One value per language: the replies of an intent, a system message's
/// variants, a label.
///
/// The one per-language type of the crate: rule texts, conversation
/// messages and labels all use it, so "a value for each language" has one
/// shape and one set of accessors.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct PerLang<T> {
    /// The Vietnamese value.
    pub vi: T,
    /// The English value.
    pub en: T,
}

impl<T> PerLang<T> {
    /// A value per language.
    pub const fn new(vi: T, en: T) -> PerLang<T> {
        PerLang { vi, en }
    }

    /// The value for `lang`.
    pub fn get(&self, lang: Lang) -> &T {
        match lang {
            Lang::Vi => &self.vi,
            Lang::En => &self.en,
        }
    }

    /// The value for `lang`, mutably.
    pub fn get_mut(&mut self, lang: Lang) -> &mut T {
        match lang {
            Lang::Vi => &mut self.vi,
            Lang::En => &mut self.en,
        }
    }

    /// Each language with its value, in [`Lang::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (Lang, &T)> {
        [(Lang::Vi, &self.vi), (Lang::En, &self.en)].into_iter()
    }
}

impl<T> PerLang<Vec<T>> {
    /// An empty list for every language (usable in `static`s).
    pub const EMPTY: PerLang<Vec<T>> = PerLang::new(Vec::new(), Vec::new());

    /// True when no language has a value.
    pub fn is_empty(&self) -> bool {
        self.vi.is_empty() && self.en.is_empty()
    }

    /// Every value, Vietnamese first.
    pub fn all(&self) -> impl Iterator<Item = &T> {
        self.vi.iter().chain(&self.en)
    }

    /// The values for `lang`, or the other language's when `lang` has none:
    /// a reply in the other language beats no reply.
    pub fn get_or_other(&self, lang: Lang) -> &[T] {
        let (a, b) = match lang {
            Lang::Vi => (&self.vi, &self.en),
            Lang::En => (&self.en, &self.vi),
        };
        if a.is_empty() {
            b
        } else {
            a
        }
    }
}
