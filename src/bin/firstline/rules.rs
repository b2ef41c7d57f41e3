//! Loading rules for every subcommand: the shipped pack or `--rules PATH`.
//! Everything about the rules (lints, phrases as written, coverage data)
//! comes from the library's compiled matcher; nothing here parses YAML.

use std::path::PathBuf;

use firstline::{CompileError, Matcher, MatcherBuilder};

/// Where the rules come from.
#[derive(Clone, Debug)]
pub enum Rules {
    /// The pack compiled into the binary.
    Pack,
    /// A file or a directory given with `--rules`.
    Path(PathBuf),
}

impl Rules {
    pub fn from_arg(arg: Option<PathBuf>) -> Rules {
        match arg {
            Some(p) => Rules::Path(p),
            None => Rules::Pack,
        }
    }

    /// A builder holding these rules, so callers can add more (script
    /// settings overrides) or change the config.
    pub fn builder(&self) -> Result<MatcherBuilder, String> {
        let mut b = Matcher::builder();
        match self {
            Rules::Path(p) => {
                b.add_path(p);
            }
            Rules::Pack => {
                for (name, text) in pack_sources()? {
                    b.add_yaml(&name, &text);
                }
            }
        }
        Ok(b)
    }

    /// Compiles the rules; a compile error is returned whole for rendering.
    pub fn compile(&self) -> Result<Result<Matcher, CompileError>, String> {
        Ok(self.builder()?.build())
    }

    /// How many rule files a build reads (directories expanded).
    pub fn file_count(&self) -> usize {
        self.builder().map_or(0, |b| b.files().len())
    }
}

fn pack_sources() -> Result<Vec<(String, String)>, String> {
    Ok(firstline::pack::sources()
        .iter()
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .collect())
}
