//! Loading rules for every subcommand: the shipped pack, `--rules PATH`
//! (repeatable), or both with `--pack`.
//! Everything about the rules (lints, phrases as written, coverage data)
//! comes from the library's compiled matcher; nothing here parses YAML.

use std::path::PathBuf;

use firstline::{CompileError, Matcher, MatcherBuilder};

/// Where the rules come from: the shipped pack, rule files and
/// directories, or the pack with files layered over it. Sources are read in
/// order; a later file's settings override earlier ones key by key.
#[derive(Clone, Debug)]
pub struct Rules {
    /// The pack compiled into the binary comes first.
    pack: bool,
    /// Files or directories given with `--rules`, in the order given.
    paths: Vec<PathBuf>,
}

impl Rules {
    /// `--rules` (repeatable) and `--pack`: no `--rules` means the pack.
    pub fn from_args(paths: Vec<PathBuf>, pack: bool) -> Rules {
        Rules {
            pack: pack || paths.is_empty(),
            paths,
        }
    }

    /// A builder holding these rules, so callers can add more (script
    /// settings overrides) or change the config.
    pub fn builder(&self) -> Result<MatcherBuilder, String> {
        let mut b = Matcher::builder();
        if self.pack {
            for (name, text) in pack_sources()? {
                b.add_yaml(&name, &text);
            }
        }
        for p in &self.paths {
            b.add_path(p);
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
