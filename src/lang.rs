//! Languages firstline understands.

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
