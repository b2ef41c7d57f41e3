//! Small serde helpers shared by the formats that serde reads (the
//! conversation script format).

use serde::Deserialize;

/// One string or a list of them (`reply: "..."` or `reply: ["...", "..."]`),
/// for the script format.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    /// The strings, as a list.
    pub(crate) fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}
